"""Table views set up the same way everywhere: whole-row selection, badges in status columns, keyboard first."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from invoicer.gui.widgets.status_badge import StatusBadgeDelegate


def fit_titles(header: QHeaderView, least: int, samples: dict[int, str] | None = None) -> None:
    """Each column at least ``least`` wide and as wide as its title (a long translated title is never cut);
    columns with a sample value (a date, an amount) as wide as that too."""
    bold = header.font()
    bold.setBold(True)  # the style sheet sets headers in bold
    metrics = QFontMetrics(bold)
    view = header.parentWidget()
    cells = QFontMetrics(view.font() if view is not None else header.font())
    model = header.model()
    for column in range(model.columnCount() if model else 0):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        sample = (samples or {}).get(column)
        width = max(least, metrics.horizontalAdvance(title) + 36)  # + padding, sort arrow
        if sample is not None:
            width = max(width, cells.horizontalAdvance(sample) + 16)
        header.resizeSection(column, width)


def record_table(model: QAbstractItemModel, parent: QWidget | None = None, status_column: int | None = None,
                 stretch_column: int | None = 1, multi: bool = False) -> QTableView:
    """A read-only list table; Enter or double-click opens the row (connect ``activated``)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection if multi else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 14)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultSectionSize(120)
    fit_titles(header, 120)
    if stretch_column is not None and stretch_column < model.columnCount():
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        # the stretched column takes the room the others leave, but never less than its own title (in a narrow
        # window the table scrolls sideways rather than cutting it)
        bold = header.font()
        bold.setBold(True)
        title = str(model.headerData(stretch_column, Qt.Orientation.Horizontal) or "")
        header.setMinimumSectionSize(max(header.minimumSectionSize(), QFontMetrics(bold).horizontalAdvance(title) + 36))
    if status_column is not None:
        view.setItemDelegateForColumn(status_column, StatusBadgeDelegate(view))
        header.setSectionResizeMode(status_column, QHeaderView.ResizeMode.ResizeToContents)  # one or two badges
    return view
