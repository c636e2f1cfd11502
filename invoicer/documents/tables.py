"""The plain shape of exported tables (columns, row streams, the ledger) that the xlsx and CSV writers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

#: ``progress(done, total)`` after each batch of rows; raising from it stops the export.
Progress = Callable[[int, int], None]

#: How many rows the writers write between two progress calls.
PROGRESS_EVERY = 2000


class Kind(StrEnum):
    """What a column holds, which decides how it is written."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # quantities, unit prices, rates: exact Decimal values
    DATE = "date"
    MONTH = "month"  # the first day of a month, shown as YYYY-MM
    MONEY = "money"  # integer minor units of the currency in the row's ``currency_column``
    COMPANY_MONEY = "company_money"  # integer minor units of the company currency


@dataclass(frozen=True)
class Column:
    """One column: a stable key (CSV header), a title (workbook header) and a kind."""

    key: str
    title: str
    kind: Kind = Kind.TEXT
    width: int = 12
    currency_column: int | None = None  # for MONEY: index of the column holding the row's currency
    free_text: bool = False  # typed by users (descriptions, names, reasons): may hold any character


@dataclass(frozen=True)
class Table:
    """A sheet of the workbook or one CSV file: columns and a stream of rows read in batches."""

    name: str  # stable file stem for CSV, e.g. "invoices"
    title: str  # sheet title shown in the workbook
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence[object]]]
    size: int  # expected number of rows, for progress
    # rows whose column holds this value are listed but left out of the totals (void invoices)
    excluded_from_totals: tuple[int, str] | None = None


@dataclass(frozen=True)
class Ledger:
    """Everything the accountant's workbook holds, with the facts for its cover sheet."""

    company_name: str
    company_currency: str
    date_from: date | None
    date_to: date | None
    as_of: date  # aged receivables and days overdue are seen on this day
    generated_at: datetime
    generator: str  # "Invoicer 0.1.0"
    notes: tuple[str, ...]
    tables: tuple[Table, ...]
    title: str | None = None  # the cover sheet's heading: "Ledger" unless a report names itself

    @property
    def size(self) -> int:
        return sum(table.size for table in self.tables)


class ProgressCounter:
    """Counts written rows and reports every PROGRESS_EVERY rows (and at the end)."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress
        self._next = PROGRESS_EVERY

    def step(self) -> None:
        self.done += 1
        if self.done >= self._next:
            self._next += PROGRESS_EVERY
            self.report()

    def report(self) -> None:
        if self._progress is not None:
            # the table sizes are estimates (journal postings): never report past the end before it
            self.total = max(self.total, self.done)
            self._progress(self.done, self.total)

    def finish(self) -> None:
        self.done = self.total = max(self.done, 1)
        self.report()
