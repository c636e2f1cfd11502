"""A read-only table over a short list of records (customers, products, payments...), one column per getter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from invoicer.gui.models.header import column_header
from invoicer.gui.style import warning_color
from invoicer.gui.widgets.status_badge import STATUS_ROLE

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Field(Generic[R]):
    """A column: its (untranslated) title, the text of a record, and how to show it."""

    title: str
    text: Callable[[R], str]
    numeric: bool = False
    status: Callable[[R], Sequence[str]] | None = None  # draw status badges for these values
    warn: Callable[[R], bool] | None = None  # show in the warning colour (overdue...)


class RecordTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, fields: Sequence[Field[R]]) -> None:
        super().__init__()
        self.fields = list(fields)
        self._records: list[R] = []

    def set_records(self, records: Sequence[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record(self, row: int) -> R:
        return self._records[row]

    def records(self) -> list[R]:
        return list(self._records)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        field = self.fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return field.text(record)
        if role == RECORD_ROLE:
            return record
        if role == STATUS_ROLE and field.status is not None:
            return field.status(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and field.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and field.warn is not None and field.warn(record):
            return warning_color()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        return column_header(self.fields[section].title, self.fields[section].numeric, role)
