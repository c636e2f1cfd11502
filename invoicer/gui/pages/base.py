"""What every page of the main window has: a title, toolbar actions, a search focus, refresh on change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QTableView, QWidget

from invoicer.gui.style import icon

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


class Page(QWidget):
    """A sidebar page. Subclasses set ``areas`` (what changes concern them) and implement ``refresh``."""

    areas: frozenset[str] = frozenset()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.ops = window.ops
        self._stale = True

    def toolbar_actions(self) -> list[QAction]:
        return []

    def shortcut_action(self, name: str, text: str, slot: object, shortcut: str, icon_name: str) -> QAction:
        """An action of this page with its own shortcut (active while the page has focus), named in its tooltip."""
        act = QAction(icon(icon_name), text, self)
        act.setObjectName(name)
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def tables(self) -> list[QTableView]:
        """The page's named tables, whose column widths are kept between sessions."""
        return [view for view in self.findChildren(QTableView) if view.objectName()]

    def refresh(self) -> None:
        """Re-read what the page shows from the database."""

    def can_leave(self) -> bool:
        """May the user switch away (or close)? A page with unsaved changes asks first."""
        return True

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the page's search field, if it has one."""

    def data_changed(self, area: str) -> None:
        if area not in self.areas:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)
