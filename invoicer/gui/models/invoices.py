"""The invoice (or credit note) list as a lazily fetched table: one page of rows at a time from SQLite.

Filtering, searching and sorting re-query the first page at once and count the matches in the background,
and a row's text is formatted only when it is first shown, so the list opens and answers every keystroke
at once even with 100,000 documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, SignalInstance

from invoicer.core.listing import InvoiceFilter, InvoiceRow
from invoicer.gui.models.header import column_header
from invoicer.gui.operations import Operations
from invoicer.gui.style import day, money, warning_color
from invoicer.gui.widgets.background import LatestRead
from invoicer.gui.widgets.status_badge import STATUS_ROLE, badge_text, badges
from invoicer.i18n import N_, _

PAGE_SIZE = 200
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # also the service's sort key
    title: str
    numeric: bool = False


INVOICE_COLUMNS = (
    Column("number", N_("Number")),
    Column("customer", N_("Customer")),
    Column("issue_date", N_("Issued")),
    Column("due_date", N_("Due")),
    Column("total", N_("Total"), numeric=True),
    Column("amount_due", N_("Amount due"), numeric=True),
    Column("status", N_("Status")),
    Column("currency", N_("Currency")),
)
CREDIT_NOTE_COLUMNS = (
    Column("number", N_("Number")),
    Column("customer", N_("Customer")),
    Column("issue_date", N_("Date")),
    Column("total", N_("Total"), numeric=True),
    Column("status", N_("Status")),
    Column("currency", N_("Currency")),
)


class InvoiceListModel(QAbstractTableModel):
    """Invoices matching a filter, sorted by a column, fetched ``PAGE_SIZE`` rows at a time; ``counted`` tells
    how many match once the background count has answered."""

    counted = Signal(int)

    def __init__(self, ops: Operations, doc_type: str = "invoice") -> None:
        super().__init__()
        self.ops = ops
        self.columns = INVOICE_COLUMNS if doc_type == "invoice" else CREDIT_NOTE_COLUMNS
        self.filter = InvoiceFilter(doc_type=doc_type)
        self.sort_key = "issue_date"
        self.descending = True
        self.today = date.today()
        self._rows: list[InvoiceRow] = []
        self._texts: dict[int, dict[str, str]] = {}  # row -> its cells, formatted when first shown
        self._more = False
        self._count: int | None = None
        self._counter = LatestRead(self, self._counted)
        self._held: Callable[[], int] | None = None  # a count asked while counts are held
        self._holding = False

    # ------------------------------------------------------------ querying

    def reload(self) -> None:
        """Fetch the first page now and count the matches in the background (after a filter, sort or change)."""
        self.today = date.today()
        rows = self._page(0)
        self.beginResetModel()
        self._rows, self._texts, self._more = rows, {}, len(rows) == PAGE_SIZE
        self.endResetModel()
        flt, today = self.filter, self.today
        first = self.ops.first_read
        if first is not None and first.answers(flt, self.sort_key):
            self._ask_count(lambda: first.count(flt))
            return
        from invoicer.services.invoices import count_invoices

        self._ask_count(lambda: self.ops.read(lambda s: count_invoices(s, flt, today)))

    def hold_counts(self, *until: SignalInstance) -> None:
        """Count the matches only once one of ``until`` has fired (the window's first paint: at a million invoices
        the count takes 35 ms of CPU, which the paint would share on a busy machine; the label shows it after)."""
        self._holding = True
        for signal in until:
            signal.connect(self._release_counts)

    def _release_counts(self) -> None:
        self._holding = False
        held, self._held = self._held, None
        if held is not None:
            self._counter.ask(held)

    def _ask_count(self, read: Callable[[], int]) -> None:
        if self._holding:
            self._held = read
        else:
            self._counter.ask(read)

    def _counted(self, count: int) -> None:
        self._count = count
        self.counted.emit(count)

    def _page(self, offset: int) -> list[InvoiceRow]:
        """``PAGE_SIZE`` rows from ``offset``: read without the ORM while the window's first read answers the list
        (unfiltered), through the store otherwise. Both give the same rows (tests/services/test_fastread.py), so the
        rows read first stay as they are when the store takes over."""
        first = self.ops.first_read
        if first is not None and first.answers(self.filter, self.sort_key):
            return first.invoice_page(self.filter, today=self.today, sort=self.sort_key, descending=self.descending,
                                      limit=PAGE_SIZE, offset=offset)
        from invoicer.services.invoices import list_invoices

        return self.ops.read(lambda s: list_invoices(
            s, self.filter, today=self.today, sort=self.sort_key, descending=self.descending, limit=PAGE_SIZE,
            offset=offset))

    def set_filter(self, **changes: Any) -> None:
        """Change some filter fields (search, status, customer_id, date_from, date_to, overdue) and re-query."""
        self.filter = replace(self.filter, **changes)
        self.reload()

    def total_count(self) -> int | None:
        """How many documents match; None until the first count has answered."""
        return self._count

    def counting(self) -> bool:
        return self._held is not None or self._counter.busy()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's default argument)
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        rows = self._page(len(self._rows))
        self._more = len(rows) == PAGE_SIZE
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = self.columns[column].key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def sort_column(self) -> int:
        return next((i for i, c in enumerate(self.columns) if c.key == self.sort_key), 0)

    # ------------------------------------------------------------ presenting

    def _cells(self, index: int) -> dict[str, str]:
        """A row's text, formatted once when first shown (Babel formatting is too slow for every row or paint)."""
        texts = self._texts.get(index)
        if texts is None:
            row = self._rows[index]
            texts = self._texts[index] = {
                "number": row.number or _("(draft)"),
                "customer": row.customer_name,
                "issue_date": day(row.issue_date),
                "due_date": day(row.due_date),
                "total": money(row.total, row.currency),
                "amount_due": money(row.amount_due, row.currency),
                "status": badge_text(row),
                "currency": row.currency,
            }
        return texts

    def row_at(self, index: int) -> InvoiceRow:
        return self._rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells(index.row())[column.key]
        if role == STATUS_ROLE and column.key == "status":
            return badges(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "due_date" and row.overdue:
            return warning_color()
        if role == Qt.ItemDataRole.ToolTipRole and row.buyer_reference:
            return _("Buyer reference: {ref}").format(ref=row.buyer_reference)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return column_header(self.columns[section].title, self.columns[section].numeric, role)
        return None
