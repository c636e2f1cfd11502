"""Driving real widgets from tests: typing into whatever has the focus, finding windows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_text(qtbot: QtBot, text: str) -> None:
    """Type into the focused widget, one key at a time (an editor that opens on the first key gets the rest)."""
    for char in text:
        qtbot.keyClick(focused(), char)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)
    qtbot.wait(1)


def fill_line(qtbot: QtBot, description: str, quantity: str, price: str) -> None:
    """Keyboard only: description Tab quantity Tab (unit) Tab price Tab (discount) Tab (VAT) Enter."""
    type_text(qtbot, description)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, quantity)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, price)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.wait(5)


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Wait until a (new) window is the active one, so key presses reach it."""
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def run_modal(qtbot: QtBot, trigger: Callable[[], object], interact: Callable[[QDialog], None]) -> None:
    """Trigger something that opens a modal dialog, and work that dialog (``interact`` must close it)."""
    failures: list[BaseException] = []
    handled: list[bool] = []

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, handle)
            return
        try:
            interact(dialog)
        except BaseException as exc:  # report after exec() returns instead of hanging in the modal loop
            failures.append(exc)
        finally:
            handled.append(True)
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, handle)
    trigger()
    if failures:
        raise failures[0]
    assert handled, "no modal dialog opened"


def click_cell(qtbot: QtBot, view: QAbstractItemView, row: int, column: int) -> None:
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def double_click_cell(qtbot: QtBot, view: QAbstractItemView, row: int, column: int) -> None:
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def sidebar(qtbot: QtBot, window: QWidget, title: str) -> QWidget:
    """Click a sidebar entry by its title and return the page shown."""
    bar = window.sidebar  # type: ignore[attr-defined]
    item = next(bar.item(i) for i in range(bar.count()) if bar.item(i).text() == title)
    qtbot.mouseClick(bar.viewport(), Qt.MouseButton.LeftButton, pos=bar.visualItemRect(item).center())
    return window.stack.currentWidget()  # type: ignore[attr-defined,no-any-return]


def toolbar_button(toolbar: QWidget, text: str) -> QWidget:
    action = next(a for a in toolbar.actions() if a.text() == text)  # type: ignore[attr-defined]
    return toolbar.widgetForAction(action)  # type: ignore[attr-defined,no-any-return]


def more_action(window: QWidget, text: str) -> QAction:
    """An action in the "More" menu of an invoice window's toolbar (the less used ones), checked to be there."""
    menu = window.more_menu  # type: ignore[attr-defined]
    assert window.more_action in window.toolbar.actions()  # type: ignore[attr-defined]
    return next(a for a in menu.actions() if a.text() == text)  # type: ignore[no-any-return]


def replace_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Select all in a text field and type over it."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


