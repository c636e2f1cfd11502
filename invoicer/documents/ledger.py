"""The accountant's workbook (.xlsx): openpyxl in write-only mode, one sheet per table, streamed row by row.

Cells hold real dates and numbers; money is written as an exact decimal with the number format of its
currency (its own decimals); every sheet has a frozen bold header, an autofilter, set column widths and
totals rows with SUM/SUMIFS formulas (one per currency when a sheet mixes currencies).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.worksheet.filters import AutoFilter

from invoicer.core.errors import N_, InvoicerError
from invoicer.core.money import exponent
from invoicer.documents.tables import Kind, Ledger, Progress, ProgressCounter, Table
from invoicer.i18n import _

MAX_CELL_TEXT = 32_767  # Excel's limit
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")

#: what the workbook's own cells (titles, totals, cover) hold
CellValue = str | date | None


class _SheetLayout(Protocol):
    """What a write-only sheet is given by ``Worksheet._setup()`` at run time; types-openpyxl leaves it out."""

    column_dimensions: DimensionHolder[str, ColumnDimension]
    auto_filter: AutoFilter


def _layout(ws: WriteOnlyWorksheet) -> _SheetLayout:
    # WriteOnlyWorksheet.__init__ calls Worksheet._setup, which sets both attributes
    return cast(_SheetLayout, ws)


#: ``convert(value, row)`` -> what goes into the cell
Converter = Callable[[Any, Sequence[Any]], object]


def money_format(currency: str) -> str:
    """An Excel number format with the currency's own decimals and its ISO code: ``#,##0.00 "EUR"``."""
    places = exponent(currency)
    return "#,##0" + ("." + "0" * places if places else "") + f' "{currency}"'


class _Sheet:
    """Writes one table into a write-only worksheet."""

    def __init__(self, ws: WriteOnlyWorksheet, table: Table, company_currency: str) -> None:
        self.ws = ws
        self.table = table
        self.company_currency = company_currency
        self.formats: dict[str, str] = {}
        # the currencies met in each currency column, for the per-currency totals rows
        self.currencies: dict[int, set[str]] = {
            c.currency_column: set() for c in table.columns if c.currency_column is not None
        }

    def cell(self, value: CellValue, number_format: str | None = None, font: Font | None = None) -> Cell:
        return _cell(self.ws, value, number_format, font)

    def converters(self) -> list[tuple[int, Converter]]:
        """The columns whose values need a styled cell, with how to fill it; others are written as they are.

        Each column keeps one styled cell per number format and refills it row after row: openpyxl writes
        an appended row at once, so the cell is free again for the next row, and styling a fresh cell for
        every value would cost about a third of the export time.
        """
        found: list[tuple[int, Converter]] = []
        for index, column in enumerate(self.table.columns):
            if column.kind == Kind.MONEY:
                assert column.currency_column is not None
                found.append((index, self._money(column.currency_column)))
            elif column.kind == Kind.COMPANY_MONEY:
                found.append((index, self._money(None)))
            elif column.kind in (Kind.DATE, Kind.MONTH):
                found.append((index, self._dated("yyyy-mm-dd" if column.kind == Kind.DATE else "yyyy-mm")))
            elif column.free_text:
                found.append((index, self._typed_text()))
        return found

    def _typed_text(self) -> Converter:
        """Text typed by users stays text: openpyxl would store ``=HYPERLINK(…)`` as a live formula."""
        cell = self.cell(None)

        def convert(text: str, row: Sequence[Any]) -> str | Cell:
            clean = _cell_text(text, row)
            if not clean.startswith("="):
                return clean
            cell.value = clean
            cell.data_type = "s"  # after the value, which would infer 'f'
            return cell

        return convert

    def _money(self, currency_column: int | None) -> Converter:
        cells: dict[str, tuple[Cell, int]] = {}

        def convert(minor: int, row: Sequence[Any]) -> Cell:
            currency = self.company_currency if currency_column is None else row[currency_column]
            found = cells.get(currency)
            if found is None:
                found = cells[currency] = (self.cell(None, self._format(currency)), exponent(currency))
            cell, places = found
            cell.value = Decimal(minor).scaleb(-places)
            return cell

        return convert

    def _dated(self, number_format: str) -> Converter:
        cell = self.cell(None, number_format)

        def convert(day: date, _row: Sequence[Any]) -> Cell:
            cell.value = day
            return cell

        return convert

    def write(self, counter: ProgressCounter) -> int:
        """Header, data rows, autofilter and totals; returns the number of data rows."""
        columns = self.table.columns
        for index, column in enumerate(columns, 1):
            _layout(self.ws).column_dimensions[get_column_letter(index)].width = max(column.width, len(column.title) + 2)
        self.ws.freeze_panes = "A2"
        self.ws.append([self.cell(column.title, font=BOLD) for column in columns])
        converters = self.converters()
        tracked = list(self.currencies.items())
        count = 0
        for row in self.table.rows():
            values = list(row)
            for index, seen in tracked:
                seen.add(str(values[index]))
            for index, convert in converters:
                if values[index] is not None:
                    values[index] = convert(values[index], row)
            self.ws.append(values)
            count += 1
            counter.step()
        if count:
            _layout(self.ws).auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
            self._totals(count + 1)
        return count

    def _totals(self, last: int) -> None:
        """Rows of SUM (SUMIFS by currency, leaving out excluded rows) below the data."""
        columns = self.table.columns
        excluded = []
        if self.table.excluded_from_totals is not None:
            index, value = self.table.excluded_from_totals
            excluded.append((index, "<>" + value))
        currency_columns = {c.currency_column for c in columns if c.kind == Kind.MONEY and c.currency_column is not None}
        currencies = sorted(set().union(*(self.currencies[i] for i in currency_columns))) if currency_columns else []
        has_company = any(c.kind == Kind.COMPANY_MONEY for c in columns)
        self.ws.append([])
        if len(currencies) <= 1:
            self._totals_row(_("Total"), last, excluded, currencies[0] if currencies else None, with_company=True)
            return
        for currency in currencies:
            self._totals_row(_("Total {currency}").format(currency=currency), last, excluded, currency,
                             with_company=False, by_currency=True)
        if has_company:
            label = _("Total in {currency} (company currency)").format(currency=self.company_currency)
            self._totals_row(label, last, excluded, None, with_company=True)

    def _totals_row(
        self, label: str, last: int, excluded: list[tuple[int, str]], currency: str | None,
        with_company: bool, by_currency: bool = False,
    ) -> None:
        values: list[object] = [self.cell(label, font=BOLD)]
        for index, column in enumerate(self.table.columns[1:], 1):
            if column.kind == Kind.MONEY and currency is not None:
                criteria = list(excluded)
                if by_currency:
                    assert column.currency_column is not None
                    criteria.append((column.currency_column, currency))
                values.append(self.cell(_sum(index, last, criteria), self._format(currency), BOLD))
            elif column.kind == Kind.COMPANY_MONEY and with_company:
                values.append(self.cell(_sum(index, last, excluded), self._format(self.company_currency), BOLD))
            else:
                values.append(None)
        self.ws.append(values)

    def _format(self, currency: str) -> str:
        fmt = self.formats.get(currency)
        if fmt is None:
            fmt = self.formats[currency] = money_format(currency)
        return fmt


def _cell(ws: WriteOnlyWorksheet, value: CellValue, number_format: str | None = None, font: Font | None = None) -> Cell:
    cell = WriteOnlyCell(ws)
    cell.value = value  # not WriteOnlyCell(ws, value): types-openpyxl leaves dates out of that one
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _cell_text(text: str, _row: Sequence[Any]) -> str:
    """Text a cell can hold: no control characters (openpyxl refuses them mid-sheet), at most 32,767 characters."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub(" ", text)
    return text[:MAX_CELL_TEXT]


def _sum(index: int, last: int, criteria: list[tuple[int, str]]) -> str:
    """``=SUM(H2:H9)``, or ``=SUMIFS(H2:H9,G2:G9,"EUR",N2:N9,"<>void")`` with criteria."""
    def span(i: int) -> str:
        letter = get_column_letter(i + 1)
        return f"{letter}2:{letter}{last}"

    if not criteria:
        return f"=SUM({span(index)})"
    tests = ",".join(f'{span(i)},"{value.replace(chr(34), chr(34) * 2)}"' for i, value in criteria)
    return f"=SUMIFS({span(index)},{tests})"


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of []:*?/\\)."""
    base = _BAD_TITLE_CHARS.sub("-", text)[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:28]} {n}"
        n += 1
    taken.add(title.lower())
    return title


def _write_cover(ws: WriteOnlyWorksheet, ledger: Ledger, counts: list[tuple[str, int]]) -> None:
    layout = _layout(ws)
    layout.column_dimensions["A"].width = 28
    layout.column_dimensions["B"].width = 24
    layout.column_dimensions["C"].width = 90

    def when(day: date | None, empty: str) -> object:
        return _cell(ws, day, "yyyy-mm-dd") if day is not None else empty

    ws.append([_cell(ws, ledger.title or _("Ledger"), font=TITLE)])
    ws.append([])
    ws.append([_("Company"), _cell_text(ledger.company_name, ())])
    ws.append([_("Company currency"), ledger.company_currency])
    ws.append([_("Period from"), when(ledger.date_from, _("the first document"))])
    ws.append([_("Period to"), when(ledger.date_to, _("the last document"))])
    ws.append([_("Receivables seen on"), when(ledger.as_of, "")])
    ws.append([_("Made on"), _cell(ws, ledger.generated_at, "yyyy-mm-dd hh:mm")])
    ws.append([_("Made by"), ledger.generator])
    ws.append([])
    ws.append([_cell(ws, _("Sheet"), font=BOLD), _cell(ws, _("Rows"), font=BOLD)])
    for title, count in counts:
        ws.append([title, count])
    ws.append([])
    for note in ledger.notes:
        ws.append([note])


def write_workbook(ledger: Ledger, path: Path, progress: Progress | None = None) -> None:
    """Write ``ledger`` to ``path`` (.xlsx); the file appears only when complete (no half-written file)."""
    workbook = Workbook(write_only=True)
    workbook.calculation.fullCalcOnLoad = True  # formulas carry no cached value: spreadsheets compute on open
    taken: set[str] = set()
    cover = workbook.create_sheet(sheet_title(_("Cover"), taken))
    counter = ProgressCounter(ledger.size, progress)
    partial = path.with_name(f".{path.name}.part")
    try:
        counts = []
        for table in ledger.tables:
            title = sheet_title(table.title, taken)
            sheet = _Sheet(workbook.create_sheet(title), table, ledger.company_currency)
            counts.append((title, sheet.write(counter)))
        _write_cover(cover, ledger, counts)
        workbook.save(partial)
        counter.finish()
        os.replace(partial, path)
    except OSError as exc:
        _discard(workbook, partial)
        raise InvoicerError(
            N_("The workbook cannot be written to {path}: {reason}."), path=path, reason=str(exc.strerror or exc)
        ) from None
    except BaseException:
        _discard(workbook, partial)
        raise


def _discard(workbook: Workbook, partial: Path) -> None:
    """Remove what a stopped export left: the sheets' temporary files and the partial workbook."""
    for ws in workbook.worksheets:
        writer = getattr(ws, "_writer", None)  # openpyxl streams each write-only sheet to a temp file
        if writer is None:
            continue
        with contextlib.suppress(Exception):  # closing a half-written sheet can only fail in ways we ignore
            if not ws.closed:
                ws.close()
        if os.path.exists(writer.out):
            writer.cleanup()
    partial.unlink(missing_ok=True)
