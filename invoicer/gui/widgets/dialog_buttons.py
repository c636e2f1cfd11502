"""The button row of a dialog: Save (or a named action) and Cancel, wired to accept and reject."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox


def dialog_buttons(dialog: QDialog, action: str | None = None) -> QDialogButtonBox:
    """Save and Cancel; with ``action`` ("Create invoice", "Pause"…), that button in Save's place."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    if action is None:
        box.addButton(QDialogButtonBox.StandardButton.Save)
    else:
        box.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box
