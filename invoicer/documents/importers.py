"""Reading customer and product lists from other tools: CSV (any common delimiter; UTF-8 with or without BOM,
UTF-16 with BOM, Windows-1252) and workbooks (.xlsx, .xls, .ods, read by python-calamine), into header + rows of
text with their line numbers; column mapping."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from invoicer.core.errors import N_, InvoicerError

DELIMITERS = (",", ";", "\t", "|")
MAX_ROWS = 100_000
_EMPTY = N_("{name} is empty.")
_REPLACED = "\ufffd"


class ImportFileError(InvoicerError):
    """The file cannot be read as a table (missing, not CSV/xlsx, empty, damaged)."""


@dataclass(frozen=True)
class SourceRow:
    """One data row: the line (CSV) or row number (xlsx) users see in their tool, and the cell texts."""

    line: int
    values: tuple[str, ...]
    numeric: frozenset[int] = frozenset()  # columns a workbook stores as numbers: their text is exact, '.' decimal

    def get(self, column: int | None) -> str:
        if column is None or column >= len(self.values):
            return ""
        return self.values[column].strip()

    def number(self, column: int | None) -> Decimal | None:
        """The cell's exact number when the workbook stores a number there (None for text, CSV, empty)."""
        if column is None or column not in self.numeric:
            return None
        return Decimal(self.values[column])


@dataclass(frozen=True)
class SourceTable:
    """A file read as text: the header row and the data rows (blank rows left out)."""

    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    #: lines with bytes the encoding leaves undefined (Windows-1252 0x81, 0x8D, 0x8F, 0x90, 0x9D), read as U+FFFD
    replaced_lines: tuple[int, ...] = ()


TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def read_table(path: Path) -> SourceTable:
    """Read a .csv file or a workbook; the first non-blank row is the header."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + WORKBOOK_SUFFIXES:
        raise ImportFileError(N_("{name}: only .csv, .xlsx, .xls and .ods files can be imported."), name=path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(N_("{name} cannot be read: {reason}."), name=path.name, reason=exc.strerror) from None
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(data, path.name)
    return read_csv_bytes(data, path.name)


# ---------------------------------------------------------------- CSV


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: a BOM decides, else UTF-8 if it decodes, else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; bytes cp1252 leaves undefined map to themselves
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields most often."""
    sample = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:  # a field over csv's size limit: reading the file reports it with its line
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(1 for n in counts if n == counts[0]), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_bytes(data: bytes, name: str = "file") -> SourceTable:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError(N_("{name} is not a text (CSV) file."), name=name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    rows: list[SourceRow] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1  # a quoted field may span lines: report where the record starts
            if not any(cell.strip() for cell in record):
                continue
            if headers is None:
                headers = tuple(cell.strip() for cell in record)
            else:
                rows.append(SourceRow(start, tuple(record)))
                _check_size(rows, name)
    except csv.Error as exc:
        raise ImportFileError(N_("{name}, line {line}: {reason}."), name=name, line=line, reason=str(exc)) from None
    if headers is None:
        raise ImportFileError(_EMPTY, name=name)
    # no Windows-1252 byte decodes to U+FFFD: each one there stands for a byte that had no character
    replaced = tuple(row.line for row in rows if any(_REPLACED in cell for cell in row.values)) \
        if encoding == "cp1252" else ()
    return SourceTable(headers, tuple(rows), encoding, delimiter, replaced)


def _check_size(rows: list[SourceRow], name: str) -> None:
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            N_("{name} has more than {n} rows; split it into smaller files."), name=name, n=f"{MAX_ROWS:,}"
        )


# ---------------------------------------------------------------- workbooks


def _text(value: object) -> str:
    """A cell as the text the user sees: 12345 not 12345.0, 0.00001 not 1e-05, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_workbook(data: bytes, name: str) -> SourceTable:
    """The first sheet of an .xlsx, .xls or .ods workbook, cell values as text; numbers stay exact."""
    from python_calamine import CalamineError, CalamineWorkbook  # only when a workbook is read

    try:
        records = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows()
        headers: tuple[str, ...] | None = None
        rows: list[SourceRow] = []
        # calamine yields rows from the sheet's first row, blank ones too: numbers are the ones users see
        for number, record in enumerate(records, 1):
            cells = tuple(_text(value) for value in record)
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = tuple(cell.strip() for cell in cells)
            else:
                numeric = frozenset(i for i, value in enumerate(record)
                                    if isinstance(value, int | float) and not isinstance(value, bool))
                rows.append(SourceRow(number, cells, numeric))
                _check_size(rows, name)
    except (CalamineError, IndexError, ValueError):
        raise ImportFileError(N_("{name} is not a readable workbook (.xlsx, .xls or .ods)."), name=name) from None
    if headers is None:
        raise ImportFileError(_EMPTY, name=name)
    return SourceTable(headers, tuple(rows))


# ---------------------------------------------------------------- column mapping


def normalize_header(text: str) -> str:
    """``"E-Mail Address "`` -> ``"emailaddress"``: how headers are compared."""
    return re.sub(r"[\W_]+", "", text.casefold())


def guess_mapping(headers: Sequence[str], synonyms: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Field -> column index for the headers that name a field (or one of its synonyms); each column once."""
    by_header: dict[str, int] = {}
    for index, header in enumerate(headers):
        by_header.setdefault(normalize_header(header), index)
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for field, names in synonyms.items():
        for name in (field, *names):
            column = by_header.get(normalize_header(name))
            if column is not None and column not in used:
                mapping[field] = column
                used.add(column)
                break
    return mapping
