"""The invoice (or credit note) list as a lazily fetched table: one page of rows at a time from SQLite.

Filtering, searching and sorting re-query the database (count + first page), so the list opens
and answers at once even with 100,000 documents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from invoicer.gui.operations import Operations
from invoicer.gui.style import day, money, status_label
from invoicer.gui.widgets.status_badge import STATUS_ROLE
from invoicer.i18n import N_, _
from invoicer.services.invoices import InvoiceFilter, InvoiceRow, count_invoices, list_invoices

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


@dataclass(frozen=True)
class _Shown:
    """A row with its text formatted once (Babel formatting is too slow to repeat on every paint)."""

    row: InvoiceRow
    texts: dict[str, str]


class InvoiceListModel(QAbstractTableModel):
    """Invoices matching a filter, sorted by a column, fetched ``PAGE_SIZE`` rows at a time."""

    def __init__(self, ops: Operations, doc_type: str = "invoice") -> None:
        super().__init__()
        self.ops = ops
        self.columns = INVOICE_COLUMNS if doc_type == "invoice" else CREDIT_NOTE_COLUMNS
        self.filter = InvoiceFilter(doc_type=doc_type)
        self.sort_key = "issue_date"
        self.descending = True
        self.today = date.today()
        self._rows: list[_Shown] = []
        self._count = 0

    # ------------------------------------------------------------ querying

    def reload(self) -> None:
        """Count the matches and fetch the first page (after a filter, sort or data change)."""
        self.today = date.today()
        flt, today = self.filter, self.today

        def query(session: Any) -> tuple[int, list[InvoiceRow]]:
            count = count_invoices(session, flt, today)
            return count, self._page(session, 0)

        self.beginResetModel()
        self._count, rows = self.ops.read(query)
        self._rows = [self._shown(r) for r in rows]
        self.endResetModel()

    def _page(self, session: Any, offset: int) -> list[InvoiceRow]:
        return list_invoices(
            session, self.filter, today=self.today, sort=self.sort_key, descending=self.descending,
            limit=PAGE_SIZE, offset=offset,
        )

    def set_filter(self, **changes: Any) -> None:
        """Change some filter fields (search, status, customer_id, date_from, date_to, overdue) and re-query."""
        self.filter = replace(self.filter, **changes)
        self.reload()

    def total_count(self) -> int:
        return self._count

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's default argument)
        return not parent.isValid() and len(self._rows) < self._count

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        rows = self.ops.read(lambda s: self._page(s, len(self._rows)))
        if not rows:
            self._count = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(self._shown(r) for r in rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = self.columns[column].key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def sort_column(self) -> int:
        return next((i for i, c in enumerate(self.columns) if c.key == self.sort_key), 0)

    # ------------------------------------------------------------ presenting

    def _shown(self, row: InvoiceRow) -> _Shown:
        return _Shown(
            row,
            {
                "number": row.number or _("(draft)"),
                "customer": row.customer_name,
                "issue_date": day(row.issue_date),
                "due_date": day(row.due_date),
                "total": money(row.total, row.currency),
                "amount_due": money(row.amount_due, row.currency),
                "status": status_label(row.display_status),
                "currency": row.currency,
            },
        )

    def row_at(self, index: int) -> InvoiceRow:
        return self._rows[index].row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        shown = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown.texts[column.key]
        if role == STATUS_ROLE and column.key == "status":
            return shown.row.display_status
        if role == ROW_ROLE:
            return shown.row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "due_date" and shown.row.overdue:
            return QColor("#dc2626")
        if role == Qt.ItemDataRole.ToolTipRole and shown.row.buyer_reference:
            return _("Buyer reference: {ref}").format(ref=shown.row.buyer_reference)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].title)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = self.columns[section].numeric
            return int((Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None
