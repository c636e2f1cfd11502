"""Record a payment, or apply the customer's credit, showing the effect on the amount due before confirming; a
payment of the discounted amount within an early-payment discount period settles the invoice (a checkbox says
so and can leave the discount out)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
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
from invoicer.gui.style import day, fit_title, locale_decimal, money, plain_decimal, warning_style
from invoicer.gui.widgets.pickers import ActionDatePicker
from invoicer.i18n import N_, _, error_text
from invoicer.services import early_payment, payments, rates
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
        # an early-payment discount still offered: its amount settles the invoice by its last day
        self.offer = ops.read(lambda s: early_payment.offer_of(s, document.id))
        self.take_discount = QCheckBox()
        self.take_discount.setObjectName("take_discount")
        if self.offer is not None:
            terms = QLabel(_("Pay {amount} by {date} (discount {discount})").format(
                amount=money(self.offer.amount, document.currency), date=day(self.offer.until),
                discount=money(self.offer.discount, document.currency)))
            terms.setObjectName("discount_terms")
            self.take_discount.setText(_("Take the early-payment &discount: a credit note of {discount} settles the "
                                         "rest").format(discount=money(self.offer.discount, document.currency)))
            self.form.addRow(_("Early-payment discount"), terms)
            self.form.addRow("", self.take_discount)
            self.take_discount.toggled.connect(self._discount_toggled)
            self.paid_on.dateChanged.connect(lambda _day: self._follow_amount())
        self.take_discount.setVisible(self.offer is not None)
        # money in another currency is valued at the payment day's rate; the difference to the rate locked at
        # finalize is an exchange gain or loss in the journal. Prefilled from the rates table for the day.
        self.rate: QLineEdit | None = None
        company = document.company_currency
        if company is not None and company != document.currency:
            self.rate = QLineEdit()
            self.rate.setObjectName("rate")
            self.form.addRow(_("E&xchange rate (1 {currency} = … {company_currency})").format(
                currency=document.currency, company_currency=company), self.rate)
            self.paid_on.dateChanged.connect(self._offer_rate)
            self._offer_rate()
        self.finish_layout()
        self.amount.textChanged.connect(lambda _text: self._follow_amount())
        self.amount.setText(_amount_text(document.balance.amount_due, document.currency))
        self.amount.selectAll()
        self._follow_amount()
        self.update_effect()

    def _within_period(self) -> bool:
        return self.offer is not None and self.paid_on.day() <= self.offer.until

    def _discount_toggled(self, checked: bool) -> None:
        if checked and self.offer is not None:
            self.amount.setText(_amount_text(self.offer.amount, self.document.currency))  # what the discount needs
        self.update_effect()

    def _follow_amount(self) -> None:
        """The discount box follows what is typed: ticked for exactly the discounted amount within the period."""
        if self.offer is None:
            return
        self.take_discount.setEnabled(self._within_period())
        try:
            amount: int | None = self.minor()
        except InvoicerError:
            amount = None
        self.take_discount.blockSignals(True)
        self.take_discount.setChecked(self._within_period() and amount == self.offer.amount)
        self.take_discount.blockSignals(False)
        self.update_effect()

    def discount(self) -> int:
        """The discount the payment as typed takes (0: none), by the same rule the service applies."""
        if self.offer is None or not self.take_discount.isChecked():
            return 0
        try:
            return self.offer.taken(self.minor(), self.paid_on.day())
        except InvoicerError:
            return 0

    def update_effect(self) -> None:
        super().update_effect()
        discount = self.discount()
        if discount and self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            self.effect.setText(_("Paid in full: {amount} received and a credit note of {discount} for the "
                                  "early-payment discount (its VAT corrected).").format(
                amount=money(self.minor(), self.document.currency), discount=money(discount, self.document.currency)))

    def _offer_rate(self) -> None:
        """The rates table's rate on the payment day (else the locked one), as a number typed in the user's locale."""
        assert self.rate is not None
        doc = self.document
        stored = self.ops.read(lambda s: rates.rate_on(s, doc.currency, self.paid_on.day()))
        offered = stored if stored is not None else doc.exchange_rate
        self.rate.setText("" if offered is None else locale_decimal(offered.normalize()))

    def accept(self) -> None:
        try:
            amount = self.minor()
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        rate = plain_decimal(self.rate.text()) if self.rate is not None and self.rate.text().strip() else None
        if self.ops.record_payment(self, self.document.id, amount, self.paid_on.day(), self.method.currentData(),
                                   self.reference.text(), rate, apply_discount=self.take_discount.isChecked()
                                   ) is not None:
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

