"""Driving real widgets from tests: typing into whatever has the focus, finding windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
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
