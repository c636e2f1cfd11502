"""Every dialog that tells or asks the user something in one line goes through here (tests patch it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from invoicer.core.errors import InvoicerError
from invoicer.i18n import _, error_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

# The dialogs' classes are imported where they are used: making their Python types (with every enum of each) at
# import took about 10 ms of the app's start, which shows no dialog.

log = logging.getLogger("invoicer.gui")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_log_file: Path | None = None


def set_log_file(path: Path) -> None:
    """Where unexpected errors are logged, so the dialog can tell the user where to look."""
    global _log_file
    _log_file = path


def error_message(error: InvoicerError | str) -> str:
    """What the user reads for an error: the engine's message in the interface language (a text the GUI
    wrote itself is already translated)."""
    return error_text(error) if isinstance(error, InvoicerError) else error


def show_error(parent: QWidget | None, error: InvoicerError | str) -> None:
    """A domain error (InvoicerError): the message says what is wrong and how to fix it."""
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, _("Invoicer"), error_message(error))


def show_unexpected(parent: QWidget | None, exc_info: ExcInfo | bool = True) -> None:
    """A bug: the traceback goes to the log file, the user gets a calm explanation and the app goes on."""
    from PySide6.QtWidgets import QMessageBox

    log.error("unexpected error", exc_info=exc_info)
    where = str(_log_file) if _log_file else _("the log file")
    QMessageBox.critical(
        parent,
        _("Something went wrong"),
        _("Something went wrong and the action was not completed. Your data is safe.\n\n"
          "The details were written to {path}; please include that file when you report the problem.").format(
            path=where
        ),
    )


def offer_settings(parent: QWidget | None, text: str, button: str) -> bool:
    """A problem the user fixes in Settings: True when they choose ``button`` to go there."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, _("Invoicer"), text, QMessageBox.StandardButton.Cancel, parent)
    go = box.addButton(button, QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    return box.clickedButton() is go


def show_info(parent: QWidget | None, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, _("Invoicer"), message)


def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask before an irreversible action; ``action`` labels the accepting button (e.g. "Finalize")."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    accept = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is accept


def confirm_with_rate(
    parent: QWidget | None, title: str, text: str, action: str, label: str, rate: str
) -> str | None:
    """Ask before finalizing a foreign-currency invoice, with the exchange rate to lock (prefilled from the
    rates table, editable); the rate typed, or None when the user cancels."""
    from PySide6.QtWidgets import QDialogButtonBox

    field = QLineEdit(rate)
    field.setObjectName("exchange_rate")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    dialog = _form_dialog(parent, title, text, [(label, field)], buttons)
    return field.text().strip() if dialog.exec() else None


def _form_dialog(
    parent: QWidget | None, title: str, text: str, rows: list[tuple[str, QWidget]], buttons: QDialogButtonBox
) -> QDialog:
    """A small dialog: a wrapped message, labelled fields, and the buttons that accept or cancel it."""
    from PySide6.QtWidgets import QDialog, QFormLayout

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    message = QLabel(text)
    message.setWordWrap(True)
    form.addRow(message)
    for label, field in rows:
        form.addRow(label, field)
    form.addRow(buttons)
    return dialog


@dataclass(frozen=True)
class DatedReason:
    """What the user gave for an action on a document: a reason (may be empty) and the day it happened."""

    text: str
    day: date


def ask_dated_reason(parent: QWidget | None, title: str, label: str, earliest: date,
                     required: bool = False) -> DatedReason | None:
    """A reason and the action's date (void, write-off, reversal, dispute), from ``earliest`` to today; None on
    cancel. A ``required`` reason keeps OK disabled until one is typed."""
    from PySide6.QtWidgets import QDialogButtonBox

    from invoicer.gui.widgets.pickers import ActionDatePicker

    reason = QLineEdit()
    reason.setObjectName("reason")
    picker = ActionDatePicker(earliest)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    if required:
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
    dialog = _form_dialog(parent, title, label, [(_("&Reason"), reason), (_("&Date"), picker)], buttons)
    if not dialog.exec():
        return None
    return DatedReason(reason.text().strip(), picker.day())


def ask_password(parent: QWidget | None, why: str) -> str | None:
    """The SMTP password, asked only when the keyring has none; never stored here."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, _("Password"), why, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def ask_save(parent: QWidget | None, what: str) -> str:
    """Closing with unsaved changes: returns "save", "discard" or "cancel"."""
    from PySide6.QtWidgets import QMessageBox

    Button = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent,
        _("Unsaved changes"),
        _("{what} has changes that are not saved. Save them?").format(what=what),
        Button.Save | Button.Discard | Button.Cancel,
        Button.Save,
    )
    return {Button.Save: "save", Button.Discard: "discard"}.get(answer, "cancel")
