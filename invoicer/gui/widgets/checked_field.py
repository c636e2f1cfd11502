"""Calm validation: a field's value is checked by a service validator when the field is left (or filled in by the
app), and the problem shown beside it; while the user types, a problem shown is re-checked so it goes as soon as
the text is right, but no new one interrupts half a word."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from invoicer.core.errors import InvoicerError
from invoicer.gui.style import warning_color, warning_style
from invoicer.i18n import error_text


class CheckedLineEdit(QWidget):
    """A line edit whose text is run through ``check`` (which raises InvoicerError) when it is left."""

    def __init__(self, check: Callable[[str], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.edit = QLineEdit()
        self.message = QLabel()
        self.message.setStyleSheet(warning_style())
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._changed)
        self.edit.editingFinished.connect(self.validate)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str | None) -> None:
        self.edit.setText(text or "")

    def _changed(self) -> None:
        if not self.message.isHidden() or not self.edit.hasFocus():  # correcting, or set by the app
            self.validate()

    def validate(self) -> bool:
        try:
            if self.edit.text().strip():
                self.check(self.edit.text())
        except InvoicerError as err:
            self.message.setText(error_text(err))
            self.message.show()
            self.edit.setStyleSheet(f"border: 1px solid {warning_color().name()};")
            return False
        self.message.hide()
        self.edit.setStyleSheet("")
        return True
