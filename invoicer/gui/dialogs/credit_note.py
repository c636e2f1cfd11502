"""Issue a credit note: the whole invoice, chosen lines and quantities, or an amount; the effect on the
amount due and the customer's credit is shown (a dry run of the real service) before confirming. The same dialog
resolves a dispute by a credit note (the dispute ends with it, in one transaction)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.core.money import parse_amount
from invoicer.gui import messages
from invoicer.gui.operations import Operations
from invoicer.gui.style import locale_decimal, money, plain_decimal, warning_style
from invoicer.gui.widgets.pickers import ActionDatePicker
from invoicer.i18n import N_, _, error_text
from invoicer.services import credit_notes
from invoicer.services.credit_notes import CreditLine, Settlement
from invoicer.services.views import InvoiceView

QTY_COLUMN = 3


class CreditRequest(TypedDict, total=False):
    """The keyword arguments of ``issue_credit_note`` the dialog fills in (one of full, lines, amount)."""

    full: bool
    lines: list[CreditLine]
    amount: int
    reason: str
    refund: bool
    issue_date: date


def _problem(error: InvoicerError | ArithmeticError) -> str:
    return error_text(error) if isinstance(error, InvoicerError) else _("A quantity is not a number.")


class CreditNoteDialog(QDialog):
    def __init__(self, ops: Operations, document: InvoiceView, parent: QWidget | None = None,
                 resolves_dispute: bool = False) -> None:
        super().__init__(parent)
        self.ops = ops
        self.document = document
        self.resolves_dispute = resolves_dispute
        self.setWindowTitle((_("Resolve the dispute over {number} by a credit note") if resolves_dispute
                             else _("Issue credit note for {number}")).format(number=document.number))
        self.resize(680, 480)
        self.mode_full = QRadioButton(_("The &whole invoice (what is left to credit)"))
        self.mode_lines = QRadioButton(_("Chosen &lines and quantities"))
        self.mode_amount = QRadioButton(_("An a&mount including VAT"))
        self.mode_lines.setObjectName("mode_lines")
        self.mode_amount.setObjectName("mode_amount")
        self.modes = QButtonGroup(self)
        for button in (self.mode_full, self.mode_lines, self.mode_amount):
            self.modes.addButton(button)
        self.mode_amount.setChecked(True)

        self.lines = QTableWidget(len(document.lines), 4)
        self.lines.setObjectName("credit_lines")
        self.lines.setHorizontalHeaderLabels([_("Line"), _("Description"), _("Left to credit"), _("Credit quantity")])
        self.lines.verticalHeader().hide()
        self.lines.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, line in enumerate(document.lines):
            for column, text in enumerate((str(line.position), line.description, locale_decimal(document.left_to_credit(line)))):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.lines.setItem(row, column, item)
            self.lines.setItem(row, QTY_COLUMN, QTableWidgetItem(""))
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("e.g. returned goods, price reduction agreed"))
        if resolves_dispute and document.dispute is not None:
            self.reason.setPlaceholderText(document.dispute.reason)  # the credit note's reason unless one is typed
        self.issue_date = ActionDatePicker(document.issue_date)
        self.refund = QCheckBox(_("Refund what exceeds the amount due (instead of keeping it as customer credit)"))
        self.effect = QLabel()
        self.effect.setObjectName("effect")
        self.effect.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.issue_button = self.buttons.addButton(_("Issue credit note"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(_("Invoice total"), QLabel(money(document.totals.total, document.currency)))
        form.addRow(_("Amount due"), QLabel(money(document.balance.amount_due, document.currency)))
        form.addRow(_("A&mount ({currency})").format(currency=document.currency), self.amount)
        form.addRow(_("&Reason"), self.reason)
        form.addRow(_("&Date"), self.issue_date)
        layout = QVBoxLayout(self)
        layout.addWidget(self.mode_full)
        layout.addWidget(self.mode_lines)
        layout.addWidget(self.lines)
        layout.addWidget(self.mode_amount)
        layout.addLayout(form)
        layout.addWidget(self.refund)
        layout.addWidget(self.effect)
        layout.addWidget(self.buttons)

        self.modes.buttonToggled.connect(lambda *_args: self.update_effect())
        self.lines.itemChanged.connect(lambda _item: self.update_effect())
        self.amount.textChanged.connect(self.update_effect)
        self.refund.toggled.connect(self.update_effect)
        self.issue_date.dateChanged.connect(lambda _day: self.update_effect())
        self.update_effect()

    def _request(self) -> CreditRequest:
        """The service arguments for what the user chose; InvoicerError when something is not a number."""
        self.lines.setEnabled(self.mode_lines.isChecked())
        self.amount.setEnabled(self.mode_amount.isChecked())
        common: CreditRequest = {"reason": self.reason.text(), "refund": self.refund.isChecked(),
                                 "issue_date": self.issue_date.day()}
        if self.mode_full.isChecked():
            return {**common, "full": True}
        if self.mode_lines.isChecked():
            chosen = []
            for row, line in enumerate(self.document.lines):
                item = self.lines.item(row, QTY_COLUMN)
                text = plain_decimal(item.text()) if item is not None else ""
                if text and Decimal(text) != 0:
                    chosen.append(CreditLine(line.id, text))
            if not chosen:
                raise InvoicerError(_("Type the quantity to credit next to at least one line."))
            return {**common, "lines": chosen}
        return {**common, "amount": parse_amount(plain_decimal(self.amount.text()), self.document.currency,
                                                  N_("amount"))}

    def _dry_run(self) -> Settlement:
        request = self._request()
        if self.resolves_dispute:
            from invoicer.services import disputes

            return self.ops.dry_run(lambda s: disputes.resolve_by_credit_note(s, self.document.id, **request))
        return self.ops.dry_run(
            lambda s: credit_notes.issue_credit_note(s, self.document.id, **request))

    def update_effect(self) -> None:
        currency = self.document.currency
        try:
            result = self._dry_run()
        except (InvoicerError, ArithmeticError) as err:
            self.effect.setText(_problem(err))
            self.effect.setStyleSheet(warning_style())
            self.issue_button.setEnabled(False)
            return
        parts = [_("Credit note {number} over {total}.").format(number=result.number,
                                                                total=money(result.total, currency))]
        if result.applied_to_due:
            parts.append(_("Reduces the amount due by {amount} (to {due}).").format(
                amount=money(result.applied_to_due, currency),
                due=money(self.document.balance.amount_due - result.applied_to_due, currency)))
        if result.to_customer_credit:
            parts.append(_("{amount} becomes customer credit.").format(
                amount=money(result.to_customer_credit, currency)))
        if result.refunded:
            parts.append(_("{amount} is recorded as refunded.").format(amount=money(result.refunded, currency)))
        if self.resolves_dispute:
            parts.append(_("The dispute ends with it; reminders resume for what is still due."))
        self.effect.setText(" ".join(parts))
        self.effect.setStyleSheet("")
        self.issue_button.setEnabled(True)

    def accept(self) -> None:
        try:
            request = self._request()
        except (InvoicerError, ArithmeticError) as err:
            messages.show_error(self, _problem(err))
            return
        issue = self.ops.resolve_dispute if self.resolves_dispute else self.ops.issue_credit_note
        if issue(self, self.document.id, **request) is not None:
            super().accept()
