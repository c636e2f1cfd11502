"""The accountant's workbook (.xlsx): openpyxl in write-only mode, one sheet per table, streamed row by row.

A table with more rows than a sheet holds (``MAX_SHEET_ROWS``) goes on over further sheets of its own ("Lines (2)",
"Lines (3)" …), each with the same header, widths and formats; its totals, over all of them, follow its last row.

Cells hold real dates and numbers; money is written as an exact decimal with the number format of its
currency (its own decimals); every sheet has a frozen bold header, an autofilter, set column widths and
totals rows with SUM/SUMIFS formulas (one per currency when a sheet mixes currencies).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, cast
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.writer.excel import ExcelWriter

from invoicer.core.errors import N_, InvoicerError
from invoicer.core.money import exponent
from invoicer.documents.tables import Kind, Ledger, Progress, ProgressCounter, Table
from invoicer.i18n import _

MAX_CELL_TEXT = 32_767  # Excel's limit
#: the rows a worksheet holds, its header row included: Excel's and (by default) LibreOffice's last row
MAX_SHEET_ROWS = 1_048_576
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")
#: text that cannot go into a cell as it is: a control character openpyxl refuses (its ILLEGAL_CHARACTERS_RE),
#: a character XML escapes, a carriage return, or a space at either end (kept with xml:space)
_TEXT_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r]|\A\s|\s\Z")
#: at most this many days' cells are kept made (a year's ledger has 365 or 366 of each date column's)
_DAYS_KEPT = 20_000

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


#: a date's serial number in Excel's 1900 date system is its ordinal less this one (1899-12-30)
_EXCEL_DAY_ZERO = date(1899, 12, 30).toordinal()
_EXCEL_TIME_ZERO = datetime(1899, 12, 30)
_SHEET_DATA_END = b"</sheetData>"


class _Part:
    """One worksheet of a table: openpyxl's write-only sheet (its frame) and the file its rows are written to."""

    def __init__(self, ws: WriteOnlyWorksheet, title: str) -> None:
        self.ws = ws
        self.title = title
        self.count = 0  # data rows on this sheet
        handle, name = tempfile.mkstemp(prefix="invoicer-sheet-", suffix=".xml")
        self.rows_path = Path(name)
        self.out = os.fdopen(handle, "w", encoding="utf-8", newline="", buffering=1 << 20)


class _Sheet:
    """Writes one table into write-only worksheets: one, or as many as its rows need (``MAX_SHEET_ROWS``).

    openpyxl writes the sheet's frame (columns, frozen header, autofilter) and the header row; the data and
    totals rows, nearly all of the file, are written here as the sheet's XML straight to a temporary file
    and put in place of openpyxl's row stream as the workbook is saved (``_Archive``). openpyxl made a cell
    object, its style and an lxml element for every value, which cost twice xlsxwriter's time; the cells
    written here are the same (inline strings, numbers, the style of each number format, formulas)."""

    def __init__(self, workbook: Workbook, taken: set[str], table: Table, company_currency: str) -> None:
        self.workbook = workbook
        self.taken = taken
        self.table = table
        self.company_currency = company_currency
        self.formats: dict[str, str] = {}
        self.styles: dict[tuple[str | None, bool], int] = {}
        # the currencies met in each currency column, for the per-currency totals rows
        self.currencies: dict[int, set[str]] = {
            c.currency_column: set() for c in table.columns if c.currency_column is not None
        }
        self.letters = [get_column_letter(i) for i in range(1, len(table.columns) + 1)]
        self.parts: list[_Part] = []
        self._add_part()

    def _add_part(self) -> _Part:
        """A further worksheet of the table with its frame: column widths, frozen bold header."""
        number = len(self.parts) + 1
        title = sheet_title(self.table.title if number == 1 else continued_title(self.table.title, number), self.taken)
        part = _Part(self.workbook.create_sheet(title), title)
        self.parts.append(part)
        for index, column in enumerate(self.table.columns, 1):
            _layout(part.ws).column_dimensions[get_column_letter(index)].width = max(column.width, len(column.title) + 2)
        part.ws.freeze_panes = "A2"
        part.ws.append([self.cell(column.title, font=BOLD) for column in self.table.columns])
        return part

    def cell(self, value: CellValue, number_format: str | None = None, font: Font | None = None) -> Cell:
        return _cell(self.parts[0].ws, value, number_format, font)

    def style(self, number_format: str | None, bold: bool = False) -> int:
        """The workbook's style id for a number format (and bold), registered once through an openpyxl cell."""
        key = (number_format, bold)
        found = self.styles.get(key)
        if found is None:
            found = self.styles[key] = self.cell(None, number_format, BOLD if bold else None).style_id
        return found

    def converters(self) -> list[Callable[[Any, Sequence[Any], str], str]]:
        """For each column, how a value becomes its cell's XML (``convert(value, row, reference)``)."""
        found: list[Callable[[Any, Sequence[Any], str], str]] = []
        for column in self.table.columns:
            if column.kind == Kind.MONEY:
                assert column.currency_column is not None
                found.append(self._money(column.currency_column))
            elif column.kind == Kind.COMPANY_MONEY:
                found.append(self._money(None))
            elif column.kind in (Kind.DATE, Kind.MONTH):
                found.append(self._dated("yyyy-mm-dd" if column.kind == Kind.DATE else "yyyy-mm"))
            else:
                found.append(self._any)
        return found

    def _any(self, value: Any, row: Sequence[Any], ref: str) -> str:
        """A text or number column's cell: plain text and numbers straight away, anything else as ``_plain``."""
        kind = type(value)
        if kind is str:
            if len(value) <= MAX_CELL_TEXT and _TEXT_NEEDS_CARE.search(value) is None:
                return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>' if value else ""
            return _text_xml(ref, value)
        if kind is int or kind is Decimal:
            return f'<c r="{ref}" t="n"><v>{value}</v></c>'
        return "" if value == "" else self._plain(value, row, ref)  # an empty cell is left out

    def _plain(self, value: Any, _row: Sequence[Any], ref: str) -> str:
        """Text stays text (``=HYPERLINK(…)`` typed by a user is not a formula); numbers are numbers."""
        if isinstance(value, str):
            return _text_xml(ref, value)
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, date):
            return self._dated("yyyy-mm-dd")(value, _row, ref)
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'

    def _money(self, currency_column: int | None) -> Callable[[Any, Sequence[Any], str], str]:
        # each currency's cell tail (style, decimals) worked out once
        found: dict[str, tuple[str, int]] = {}

        def convert(minor: int, row: Sequence[Any], ref: str) -> str:
            currency = self.company_currency if currency_column is None else row[currency_column]
            known = found.get(currency)
            if known is None:
                known = found[currency] = (f'" s="{self.style(self._format(currency))}" t="n"><v>',
                                           exponent(currency))
            tail, places = known
            if places == 2 and minor >= 100:  # most amounts: _decimal_text's result without the call
                digits = str(minor)
                return f'<c r="{ref}{tail}{digits[:-2]}.{digits[-2:]}</v></c>'
            return f'<c r="{ref}{tail}{_decimal_text(minor, places)}</v></c>'

        return convert

    def _dated(self, number_format: str) -> Callable[[Any, Sequence[Any], str], str]:
        head = f'" s="{self.style(number_format)}" t="n"><v>'
        # the same days come back row after row: each day's cell tail is made once (a year is 365 of them)
        tails: dict[date, str] = {}

        def convert(day: date, _row: Sequence[Any], ref: str) -> str:
            tail = tails.get(day)
            if tail is None:
                serial: float = ((day - _EXCEL_TIME_ZERO).total_seconds() / 86400 if isinstance(day, datetime)
                                 else day.toordinal() - _EXCEL_DAY_ZERO)
                tail = f"{head}{serial}</v></c>"
                if len(tails) < _DAYS_KEPT:
                    tails[day] = tail
            return f'<c r="{ref}{tail}'

        return convert

    def write(self, counter: ProgressCounter) -> list[tuple[str, int]]:
        """Header, data rows, autofilter and totals; returns each sheet's title and its number of data rows."""
        cells = list(zip(self.letters, self.converters(), strict=True))
        tracked = list(self.currencies.items())
        chunk: list[str] = []
        add = chunk.append
        source = iter(self.table.rows())
        part = self.parts[0]
        while True:  # a sheet's rows at a time: the row loop is the one a single sheet had
            write = part.out.write
            number = 1
            for number, row in enumerate(itertools.islice(source, MAX_SHEET_ROWS - 1), 2):
                for index, seen in tracked:
                    seen.add(str(row[index]))
                line = str(number)
                add(f'<row r="{line}">')
                for value, (letter, convert) in zip(row, cells, strict=True):
                    if value is not None:  # nor is empty text written (``_any``)
                        add(convert(value, row, letter + line))
                add("</row>")
                counter.step()
                if len(chunk) > 8192:
                    write("".join(chunk))
                    chunk.clear()
            write("".join(chunk))
            chunk.clear()
            part.count = number - 1
            following = next(source, None) if number == MAX_SHEET_ROWS else None
            if following is None:
                break
            source = itertools.chain((following,), source)  # this sheet is full: the table goes on over the next
            part = self._add_part()
        for p in self.parts:
            if p.count:
                _layout(p.ws).auto_filter.ref = f"A1:{self.letters[-1]}{p.count + 1}"
        if self.parts[0].count:
            if number + self._totals_size() > MAX_SHEET_ROWS:  # no room left below the rows: on a sheet of their own
                part = self._add_part()
                number = 1
            # the ranges name their sheet unless all the rows are on the totals' own
            own = len(self.parts) == 1
            self._totals(part, number + 2, [("" if own else p.title, p.count + 1) for p in self.parts if p.count])
        return [(p.title, p.count) for p in self.parts]

    def finish(self) -> list[tuple[str, Path]]:
        """Close the sheets; returns for each openpyxl's file of it (its frame: columns, header row, autofilter) and
        the file of the rows written here, which ``_Archive`` puts together as it stores the sheet."""
        found = []
        for part in self.parts:
            part.out.close()
            part.ws.close()
            found.append((str(getattr(part.ws, "_writer").out), part.rows_path))  # noqa: B009 - openpyxl streams each write-only sheet to a temp file
        return found

    def discard(self) -> None:
        for part in self.parts:
            if not part.out.closed:
                part.out.close()
            part.rows_path.unlink(missing_ok=True)

    def _totals_currencies(self) -> list[str]:
        """The currencies with a totals row of their own (none or one: a single row for the whole table)."""
        currency_columns = {c.currency_column for c in self.table.columns
                            if c.kind == Kind.MONEY and c.currency_column is not None}
        return sorted(set().union(*(self.currencies[i] for i in currency_columns))) if currency_columns else []

    def _totals_size(self) -> int:
        """The totals' rows below the data: an empty row, then one, or one per currency and the company's."""
        currencies = len(self._totals_currencies())
        if currencies <= 1:
            return 2
        return 1 + currencies + any(c.kind == Kind.COMPANY_MONEY for c in self.table.columns)

    def _totals(self, part: _Part, row: int, spans: list[tuple[str, int]]) -> None:
        """Rows of SUM (SUMIFS by currency, leaving out excluded rows) from ``row`` of ``part`` over the table's rows
        on each sheet (``spans``: the sheet's title, "" for this one, and its last data row)."""
        columns = self.table.columns
        excluded = []
        if self.table.excluded_from_totals is not None:
            index, value = self.table.excluded_from_totals
            excluded.append((index, "<>" + value))
        currencies = self._totals_currencies()
        has_company = any(c.kind == Kind.COMPANY_MONEY for c in columns)
        if len(currencies) <= 1:
            self._totals_row(part, row, _("Total"), spans, excluded, currencies[0] if currencies else None,
                             with_company=True)
            return
        for currency in currencies:
            self._totals_row(part, row, _("Total {currency}").format(currency=currency), spans, excluded, currency,
                             with_company=False, by_currency=True)
            row += 1
        if has_company:
            label = _("Total in {currency} (company currency)").format(currency=self.company_currency)
            self._totals_row(part, row, label, spans, excluded, None, with_company=True)

    def _totals_row(
        self, part: _Part, row: int, label: str, spans: list[tuple[str, int]], excluded: list[tuple[int, str]],
        currency: str | None, with_company: bool, by_currency: bool = False,
    ) -> None:
        cells = [_text_xml(f"A{row}", label, self.style(None, bold=True))]
        for index, column in enumerate(self.table.columns[1:], 1):
            formula, money = None, currency
            if column.kind == Kind.MONEY and currency is not None:
                criteria = list(excluded)
                if by_currency:
                    assert column.currency_column is not None
                    criteria.append((column.currency_column, currency))
                formula = _sum(index, spans, criteria)
            elif column.kind == Kind.COMPANY_MONEY and with_company:
                formula, money = _sum(index, spans, excluded), self.company_currency
            if formula is not None and money is not None:
                style = self.style(self._format(money), bold=True)
                cells.append(f'<c r="{self.letters[index]}{row}" s="{style}"><f>{_escape(formula[1:])}</f></c>')
        part.out.write(f'<row r="{row}">{"".join(cells)}</row>')

    def _format(self, currency: str) -> str:
        fmt = self.formats.get(currency)
        if fmt is None:
            fmt = self.formats[currency] = money_format(currency)
        return fmt


def _decimal_text(minor: int, places: int) -> str:
    """Minor units as the exact decimal in major units: ``-1234, 2`` -> ``-12.34``."""
    if not places:
        return str(minor)
    if minor < 0:
        digits = f"{-minor:0{places + 1}d}"
        return f"-{digits[:-places]}.{digits[-places:]}"
    digits = f"{minor:0{places + 1}d}"
    return f"{digits[:-places]}.{digits[-places:]}"


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")  # a carriage return read back as one, not as a line end
    return text


def _text_xml(ref: str, text: str, style: int | None = None) -> str:
    """An inline-string cell holding ``text`` as it is (never a formula), the way openpyxl writes one."""
    clean = _escape(_cell_text(text, ()))
    styled = f' s="{style}"' if style is not None else ""
    space = ' xml:space="preserve"' if clean[:1].isspace() or clean[-1:].isspace() else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{clean}</t></is></c>'


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


def _sum(index: int, spans: list[tuple[str, int]], criteria: list[tuple[int, str]]) -> str:
    """``=SUM(H2:H9)``, or ``=SUMIFS(H2:H9,G2:G9,"EUR",N2:N9,"<>void")`` with criteria; over a table's several
    sheets (``spans``: each sheet's title, "" for the sheet the formula is on, and its last row) a sum of each's:
    ``=SUM('Lines'!H2:H1048576,'Lines (2)'!H2:H9)``."""
    def span(i: int, sheet: str, last: int) -> str:
        letter = get_column_letter(i + 1)
        prefix = "'" + sheet.replace("'", "''") + "'!" if sheet else ""
        return f"{prefix}{letter}2:{letter}{last}"

    if not criteria:
        return "=SUM(" + ",".join(span(index, sheet, last) for sheet, last in spans) + ")"
    return "=" + "+".join(
        f"SUMIFS({span(index, sheet, last)},"
        + ",".join(f'{span(i, sheet, last)},"{value.replace(chr(34), chr(34) * 2)}"' for i, value in criteria) + ")"
        for sheet, last in spans)


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of []:*?/\\)."""
    base = _BAD_TITLE_CHARS.sub("-", text)[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:28]} {n}"
        n += 1
    taken.add(title.lower())
    return title


def continued_title(title: str, number: int) -> str:
    """The title of a table's ``number``-th sheet, "Lines (2)", cut to fit a sheet title's 31 characters."""
    text = _("{sheet} ({number})").format(sheet=title, number=number)
    over = len(text) - 31
    return _("{sheet} ({number})").format(sheet=title[:-over].rstrip(), number=number) if over > 0 else text


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
    sheets: list[_Sheet] = []
    try:
        counts = []
        for table in ledger.tables:
            sheet = _Sheet(workbook, taken, table, ledger.company_currency)
            sheets.append(sheet)
            counts.extend(sheet.write(counter))
        _write_cover(cover, ledger, counts)
        _save(workbook, partial, dict(part for sheet in sheets for part in sheet.finish()))
        for sheet in sheets:
            sheet.discard()
        counter.finish()
        os.replace(partial, path)
    except OSError as exc:
        _discard(workbook, partial, sheets)
        raise InvoicerError(
            N_("The workbook cannot be written to {path}: {reason}."), path=path, reason=str(exc.strerror or exc)
        ) from None
    except BaseException:
        _discard(workbook, partial, sheets)
        raise


class _Archive(ZipFile):
    """The workbook's zip file. openpyxl stores each sheet from its own file (``write``); for a ledger sheet that
    file is the frame, and the rows written by ``_Sheet`` go in at its ``</sheetData>`` as the part is compressed,
    so the sheet's XML (gigabytes at a million invoices) is not copied into one file first."""

    def __init__(self, path: Path, rows: dict[str, Path]) -> None:
        super().__init__(path, "w", ZIP_DEFLATED, allowZip64=True)
        self.rows = rows

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        rows = self.rows.get(str(filename))
        if rows is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        with open(filename, "rb") as frame, self.open(arcname, "w", force_zip64=True) as target:
            head = frame.read()
            at = head.index(_SHEET_DATA_END)
            target.write(head[:at])
            with rows.open("rb") as body:
                shutil.copyfileobj(body, target, 1 << 20)
            target.write(head[at:])


def _save(workbook: Workbook, path: Path, rows: dict[str, Path]) -> None:
    """``workbook.save(path)`` (openpyxl's ``save_workbook``) with each ledger sheet's rows put in its part."""
    workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
    ExcelWriter(workbook, _Archive(path, rows)).save()  # closes the archive


def _discard(workbook: Workbook, partial: Path, sheets: Sequence[_Sheet] = ()) -> None:
    """Remove what a stopped export left: the sheets' temporary files and the partial workbook."""
    for sheet in sheets:
        sheet.discard()
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
