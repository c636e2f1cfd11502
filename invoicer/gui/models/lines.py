"""Editable rows (invoice lines, document discounts/charges) with every edit on a QUndoStack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from invoicer.gui.models.header import column_header
from invoicer.i18n import _

Index = QModelIndex | QPersistentModelIndex
Row = dict[str, str]
#: the value stored for a cell (a tax key, a unit code) rather than the text shown
VALUE_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class EditColumn:
    key: str
    title: str  # untranslated
    numeric: bool = False
    editable: bool = True
    choices: Callable[[], Sequence[tuple[str, str]]] | None = None  # (value, label) for a combo box
    completions: Callable[[], Sequence[str]] | None = None  # suggestions while typing


class EditableRowsModel(QAbstractTableModel):
    """Rows of text as the user typed it; non-editable columns show ``computed`` values."""

    edited = Signal()

    def __init__(self, columns: Sequence[EditColumn], blank: Callable[[], Row], undo: QUndoStack) -> None:
        super().__init__()
        self.columns = list(columns)
        self.blank = blank
        self.undo = undo
        self.read_only = False
        self.rows: list[Row] = []
        self.computed: dict[tuple[int, str], str] = {}
        # extra changes implied by an edit, e.g. a product name filling in price and tax
        self.autofill: Callable[[str, Row], Row] | None = None

    # ------------------------------------------------------------ content

    def load(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = [dict(r) for r in rows]
        self.computed = {}
        self.endResetModel()
        self.edited.emit()

    def set_computed(self, key: str, values: Sequence[str]) -> None:
        """Show derived values (a line's amount) without touching the undo history."""
        self.computed = {k: v for k, v in self.computed.items() if k[1] != key} | {
            (i, key): v for i, v in enumerate(values)}
        column = self.column_of(key)
        if self.rows:
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    def column_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def is_blank(self, row: Row) -> bool:
        defaults = self.blank()
        return all(row.get(k, "") == defaults.get(k, "") for k in row)

    # ------------------------------------------------------------ undoable edits

    def add_row(self, position: int | None = None, values: Row | None = None) -> int:
        position = len(self.rows) if position is None else position
        self.undo.push(_InsertRow(self, position, dict(values or self.blank())))
        return position

    def set_cells(self, position: int, changes: Row) -> None:
        """Change values of a row, shown or kept alongside (a line's allowances), as one undoable edit."""
        if 0 <= position < len(self.rows) and not self.read_only and any(
                self.rows[position].get(k, "") != v for k, v in changes.items()):
            self.undo.push(_SetCells(self, position, changes))

    def remove_row(self, position: int) -> None:
        if 0 <= position < len(self.rows):
            self.undo.push(_RemoveRow(self, position))

    def move_row(self, position: int, offset: int) -> int:
        target = position + offset
        if 0 <= position < len(self.rows) and 0 <= target < len(self.rows):
            self.undo.push(_MoveRow(self, position, target))
            return target
        return position

    def _insert(self, position: int, row: Row) -> None:
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.insert(position, row)
        self.endInsertRows()
        self.edited.emit()

    def _remove(self, position: int) -> Row:
        self.beginRemoveRows(QModelIndex(), position, position)
        row = self.rows.pop(position)
        self.endRemoveRows()
        self.edited.emit()
        return row

    def _set(self, position: int, values: Row) -> None:
        self.rows[position].update(values)
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))
        self.edited.emit()

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only and self.columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if not column.editable:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.computed.get((index.row(), column.key), "")
        else:
            value = self.rows[index.row()].get(column.key, "")
            if role in (Qt.ItemDataRole.EditRole, VALUE_ROLE):
                return value
            if role == Qt.ItemDataRole.DisplayRole:
                if column.choices is not None:
                    return dict(column.choices()).get(value, value)
                return value
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        key = self.columns[index.column()].key
        row = self.rows[index.row()]
        text = "" if value is None else str(value)
        if row.get(key, "") == text:
            return False
        changes = {key: text}
        if self.autofill is not None:
            changes.update(self.autofill(key, {**row, key: text}))
        self.undo.push(_SetCells(self, index.row(), changes))
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return column_header(self.columns[section].title, self.columns[section].numeric, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class _SetCells(QUndoCommand):
    def __init__(self, model: EditableRowsModel, position: int, changes: Row) -> None:
        super().__init__(_("Edit line {n}").format(n=position + 1))
        self.model, self.position, self.changes = model, position, changes
        self.before = {k: model.rows[position].get(k, "") for k in changes}

    def redo(self) -> None:
        self.model._set(self.position, self.changes)

    def undo(self) -> None:
        self.model._set(self.position, self.before)


class _InsertRow(QUndoCommand):
    def __init__(self, model: EditableRowsModel, position: int, row: Row) -> None:
        super().__init__(_("Add line"))
        self.model, self.position, self.row = model, position, row

    def redo(self) -> None:
        self.model._insert(self.position, dict(self.row))

    def undo(self) -> None:
        self.model._remove(self.position)


class _RemoveRow(QUndoCommand):
    def __init__(self, model: EditableRowsModel, position: int) -> None:
        super().__init__(_("Delete line {n}").format(n=position + 1))
        self.model, self.position = model, position
        self.row: Row = dict(model.rows[position])

    def redo(self) -> None:
        self.row = self.model._remove(self.position)

    def undo(self) -> None:
        self.model._insert(self.position, dict(self.row))


class _MoveRow(QUndoCommand):
    def __init__(self, model: EditableRowsModel, source: int, target: int) -> None:
        super().__init__(_("Move line"))
        self.model, self.source, self.target = model, source, target

    def redo(self) -> None:
        self.model._insert(self.target, self.model._remove(self.source))

    def undo(self) -> None:
        self.model._insert(self.source, self.model._remove(self.target))
