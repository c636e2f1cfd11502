"""The keyboard-driven line table: Tab moves cell to cell, Enter goes to the next line (adding one at the end)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from invoicer.gui.models.lines import VALUE_ROLE, EditableRowsModel
from invoicer.gui.widgets.tables import fit_titles

Index = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """A combo box for columns with choices, a line edit with completion for columns with suggestions."""

    def __init__(self, model: EditableRowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows_model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        column = self.rows_model.columns[index.column()]
        if column.choices is not None:
            combo = QComboBox(parent)
            for value, label in column.choices():
                combo.addItem(label, value)
            return combo
        edit = QLineEdit(parent)
        edit.setFrame(False)
        if column.numeric:
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column.completions is not None:
            completer = QCompleter(list(column.completions()), edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
        return edit

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(VALUE_ROLE) or ""
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        elif isinstance(editor, QLineEdit):
            editor.setText(value)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text().strip(), Qt.ItemDataRole.EditRole)


class LineTable(QTableView):
    """Spreadsheet-like editing of an EditableRowsModel; ``stretch`` is the column that takes the room left (a
    free-text one: a column of short choices would be squeezed below its title)."""

    def __init__(self, model: EditableRowsModel, parent: QWidget | None = None, stretch: int = 0) -> None:
        super().__init__(parent)
        self.rows_model = model
        self.setModel(model)
        self.setItemDelegate(CellDelegate(model, self))
        self.setTabKeyNavigation(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        fit_titles(header, 100)
        # as wide as every column's title (the stretching one's too): the dialog grows rather than cutting one
        self.setMinimumWidth(sum(header.sectionSize(c) for c in range(header.count())) + self.verticalHeader().sizeHint().width()
                             + 2 * self.frameWidth() + 4)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)

    def start(self, row: int = 0, column: int = 0) -> None:
        """Put the cursor on a cell and open its editor."""
        if not self.rows_model.rows:
            return
        index = self.model().index(row, column)
        self.setCurrentIndex(index)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit(index)

    def next_line(self) -> None:
        """Enter: move to the next line's first cell; on the last line, add a line (unless it is blank)."""
        if self.rows_model.read_only:
            return
        row = self.currentIndex().row()
        last = len(self.rows_model.rows) - 1
        if row >= last:
            if last >= 0 and self.rows_model.is_blank(self.rows_model.rows[last]):
                self.start(last)
                return
            row = self.rows_model.add_row() - 1
        self.start(row + 1)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self.next_line()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self.next_line()
            return
        super().keyPressEvent(event)
