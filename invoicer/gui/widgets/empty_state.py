"""A list that, while it has no rows, shows in its place why (nothing yet, or nothing matches) and the one
action that helps (create the first one, clear the search)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Empty:
    """What an empty list says: a message, a hint, and optionally a button for the action that helps."""

    message: str
    hint: str
    action: QAction | None = None  # the button says its text and shortcut


def button_text(action: QAction) -> str:
    """An action as a button names it: "New invoice (Ctrl+N)", without the menu's mnemonic or ellipsis."""
    text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")
    shortcut = action.shortcut().toString(action.shortcut().SequenceFormat.NativeText)
    return f"{text} ({shortcut})" if shortcut else text


class EmptyStateList(QStackedWidget):
    """``view`` while its model has rows; otherwise what ``describe`` says about the empty list."""

    def __init__(self, view: QAbstractItemView, describe: Callable[[], Empty], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.describe = describe
        self.message = QLabel()
        self.message.setObjectName("empty_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.message.setFont(font)
        self.hint = QLabel()
        self.hint.setObjectName("empty_hint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setProperty("muted", True)
        self.button = QPushButton()
        self.button.setObjectName("empty_action")
        self.button.clicked.connect(self._act)
        self._action: QAction | None = None
        panel = QWidget()
        panel.setObjectName("empty_state")
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addSpacing(8)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        layout.setContentsMargins(48, 24, 48, 24)
        self.panel = panel
        self.addWidget(view)
        self.addWidget(panel)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update_state)
        self.update_state()

    def is_empty(self) -> bool:
        return self.currentWidget() is self.panel

    def update_state(self) -> None:
        focus = QApplication.focusWidget()
        if self.view.model().rowCount() > 0:
            if self.is_empty():
                self.setCurrentWidget(self.view)
                if focus is not None and self.panel.isAncestorOf(focus):
                    self.view.setFocus()
            return
        empty = self.describe()
        self.message.setText(empty.message)
        self.hint.setText(empty.hint)
        self.hint.setVisible(bool(empty.hint))
        self._action = empty.action
        self.button.setVisible(empty.action is not None)
        if empty.action is not None:
            self.button.setText(button_text(empty.action))
        self.setCurrentWidget(self.panel)
        if focus is self.view and empty.action is not None:
            self.button.setFocus()

    def _act(self) -> None:
        if self._action is not None:
            self._action.trigger()
