"""The multi-line text field of every form (addresses, notes, descriptions)."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit


def text_box(height: int = 60, name: str | None = None) -> QPlainTextEdit:
    """A short multi-line field that Tab leaves (to the next field) instead of typing a tab into:
    forms must be usable from the keyboard alone."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMaximumHeight(height)
    if name:
        box.setObjectName(name)
    return box
