"""Record a payment, or apply the customer's credit, showing the effect on the amount due before confirming."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.core.money import from_minor, parse_amount
from invoicer.core.payment_methods import CUSTOMER_CREDIT, METHODS
from invoicer.gui import messages
from invoicer.gui.operations import Operations
from invoicer.gui.style import fit_title, locale_decimal, money, plain_decimal, warning_style
from invoicer.gui.widgets.pickers import ActionDatePicker
from invoicer.i18n import N_, _, error_text
from invoicer.services import payments
from invoicer.services.views import InvoiceView


def _amount_text(minor: int, currency: str) -> str:
    return locale_decimal(from_minor(minor, currency))


class _AmountDialog(QDialog):
    """An amount field with a live explanation of what it does to the invoice."""

    def __init__(self, ops: Operations, document: InvoiceView, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.document = document
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.effect = QLabel()
        self.effect.setObjectName("effect")
        self.effect.setWordWrap(True)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.amount.textChanged.connect(self.update_effect)

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.effect)
        layout.addWidget(self.buttons)
        fit_title(self)

    def minor(self) -> int:
        """The typed amount in minor units (InvoicerError when it is not an amount of this currency)."""
        return parse_amount(plain_decimal(self.amount.text()), self.document.currency, N_("amount"))

    def update_effect(self) -> None:
        doc = self.document
        try:
            amount = self.minor()
            if amount <= 0:
                raise InvoicerError(_("Enter an amount above zero."))
        except InvoicerError as err:
            self.effect.setText(error_text(err))
            self.effect.setStyleSheet(warning_style())
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        applied = min(amount, doc.balance.amount_due)
        text = _("Amount due after this: {due}.").format(due=money(doc.balance.amount_due - applied, doc.currency))
        if amount > applied:
            text += " " + _("{excess} more than is due becomes customer credit.").format(
                excess=money(amount - applied, doc.currency))
        self.effect.setText(text)
        self.effect.setStyleSheet("")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)


class PaymentDialog(_AmountDialog):
    def __init__(self, ops: Operations, document: InvoiceView, parent: QWidget | None = None) -> None:
        super().__init__(ops, document, parent)
        self.setWindowTitle(_("Record payment for {number}").format(number=document.number))
        self.paid_on = ActionDatePicker(document.issue_date)
        self.paid_on.setObjectName("paid_on")
        self.method = QComboBox()
        self.method.setObjectName("method")
        for code, label in METHODS.items():
            if code != CUSTOMER_CREDIT:  # applied from the customer's credit, not received
                self.method.addItem(_(label), code)
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.reference.setPlaceholderText(_("Bank reference (prevents recording the same payment twice)"))
        self.form.addRow(_("Amount due"), QLabel(money(document.balance.amount_due, document.currency)))
        self.form.addRow(_("&Amount received ({currency})").format(currency=document.currency), self.amount)
        self.form.addRow(_("&Date"), self.paid_on)
        self.form.addRow(_("&Method"), self.method)
        self.form.addRow(_("&Reference"), self.reference)
        self.finish_layout()
        self.amount.setText(_amount_text(document.balance.amount_due, document.currency))
        self.amount.selectAll()
        self.update_effect()

    def accept(self) -> None:
        try:
            amount = self.minor()
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        if self.ops.record_payment(self, self.document.id, amount, self.paid_on.day(), self.method.currentData(),
                                   self.reference.text()) is not None:
            super().accept()


class ApplyCreditDialog(_AmountDialog):
    def __init__(self, ops: Operations, document: InvoiceView, parent: QWidget | None = None) -> None:
        super().__init__(ops, document, parent)
        self.setWindowTitle(_("Apply customer credit to {number}").format(number=document.number))
        self.form.addRow(_("Customer credit"), QLabel(money(document.customer_credit, document.currency)))
        self.form.addRow(_("Amount due"), QLabel(money(document.balance.amount_due, document.currency)))
        self.form.addRow(_("&Amount to apply"), self.amount)
        self.applied_on = ActionDatePicker(document.issue_date)
        self.form.addRow(_("&Date"), self.applied_on)
        self.finish_layout()
        self.amount.setText(_amount_text(min(document.customer_credit, document.balance.amount_due), document.currency))
        self.update_effect()

    def update_effect(self) -> None:
        super().update_effect()
        try:
            amount = self.minor()
            self.ops.dry_run(lambda s: payments.apply_credit(s, self.document.id, amount, self.applied_on.day()))
        except InvoicerError as err:
            self.effect.setText(error_text(err))
            self.effect.setStyleSheet(warning_style())
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def accept(self) -> None:
        try:
            amount = self.minor()
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        if self.ops.apply_credit(self, self.document.id, amount, self.applied_on.day()) is not None:
            super().accept()

