"""Send invoice: a preview of the email (recipients editable), confirmation before sending it again,
and the send itself off the UI thread."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages, operations
from invoicer.gui.operations import Job, Operations
from invoicer.i18n import _, error_text
from invoicer.services import mailing
from invoicer.services.mailing import MailSettings, PasswordNeededError, SentMail


def show_mail_error(ops: Operations, parent: QWidget | None, err: InvoicerError) -> None:
    """A refusal before sending; mail not set up offers Settings → Mail rather than a shell command."""
    if not isinstance(err, mailing.MailNotSetUpError):
        messages.show_error(parent, err)
    elif messages.offer_settings(parent, _("Outgoing mail is not set up yet: enter your mail server and sender "
                                           "address in Settings → Mail."), _("Open mail settings")):
        ops.mail_settings_wanted.emit()


def mail_login(ops: Operations, parent: QWidget | None) -> tuple[MailSettings, str | None] | None:
    """The mail settings and the password to log in with, asking for it when the keyring has none
    (it is then kept in memory for this send only). None when the user cancels or mail is not set up."""
    try:
        config = ops.read(mailing.mail_settings)
        return config, mailing.password_for(config)
    except PasswordNeededError as err:
        password = messages.ask_password(parent, error_text(err))
        return None if password is None else (config, password)
    except InvoicerError as err:
        show_mail_error(ops, parent, err)
        return None


class SendInvoiceDialog(QDialog):
    """What will be sent; the user may change the recipients, then sends."""

    def __init__(self, ops: Operations, invoice_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        ops.read(mailing.mail_settings)  # InvoicerError ("not set up yet"): the caller shows it
        self.preview = ops.read(lambda s: mailing.preview(s, invoice_id))
        self.sent: SentMail | None = None
        self.sending: Job | None = None
        self.setWindowTitle(_("Send {number}").format(number=self.preview.number))
        self.to = QLineEdit(", ".join(self.preview.to))
        self.to.setObjectName("send_to")
        self.to.setPlaceholderText(_("Email addresses, separated by commas"))
        subject = QLabel(self.preview.subject)
        subject.setObjectName("send_subject")
        subject.setWordWrap(True)
        body = QPlainTextEdit(self.preview.body)
        body.setObjectName("send_body")
        body.setReadOnly(True)
        body.setMinimumSize(480, 220)
        form = QFormLayout()
        form.addRow(_("&To"), self.to)
        form.addRow(_("Subject"), subject)
        form.addRow(_("Attachment"), QLabel(self.preview.attachment))
        layout = QVBoxLayout(self)
        if self.preview.last_sent:
            warning = QLabel(_("Already sent: {when}.").format(when=self.preview.last_sent))
            warning.setObjectName("send_warning")
            warning.setStyleSheet("color: #b45309;")
            layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(_("Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("send_button")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def send(self) -> None:
        again = self.preview.last_sent is not None
        if again and not messages.confirm(
            self, _("Send again?"),
            _("{number} was already sent ({when}). Send it again?").format(
                number=self.preview.number, when=self.preview.last_sent),
            _("Send again"),
        ):
            return
        login = mail_login(self.ops, self)
        if login is None:
            return
        _config, password = login
        to = [self.to.text()] if self.to.text().strip() else None
        self.send_button.setEnabled(False)

        def done(sent: SentMail) -> None:
            self.sent = sent
            messages.show_info(self.parentWidget(), _("{number} was sent to {to}.").format(
                number=sent.number, to=", ".join(sent.to)))
            self.accept()

        def failed(_error: BaseException) -> bool:
            self.send_button.setEnabled(True)
            return False  # shown as usual; the dialog stays open to try again

        self.sending = self.ops.start(
            self, _("Sending {number}…").format(number=self.preview.number),
            lambda _progress: mailing.send_invoice(self.ops.db, self.preview.invoice_id, to=to, again=again,
                                                   password=password),
            changes=operations.INVOICES, done=done, failed=failed,
        )


def open_send_invoice(ops: Operations, parent: QWidget | None, invoice_id: int) -> SendInvoiceDialog | None:
    """The "Send invoice" action: opens the dialog (window-modal), or says why the invoice cannot be sent."""
    try:
        dialog = SendInvoiceDialog(ops, invoice_id, parent)
    except InvoicerError as err:
        show_mail_error(ops, parent, err)
        return None
    dialog.open()
    return dialog
