"""Payments received, newest first: open the invoice, reverse a mistaken payment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout

from invoicer.core.payment_methods import method_label
from invoicer.gui import messages, operations
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import day, icon, money
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _
from invoicer.services import payments
from invoicer.services.payments import PaymentRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow

SHOWN = 500
KINDS = {"payment": N_("Payment"), "reversal": N_("Reversal"), "credit_applied": N_("Customer credit applied")}


class PaymentsPage(Page):
    areas = frozenset({operations.INVOICES})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.model: RecordTableModel[PaymentRow] = RecordTableModel([
            Field(N_("Date"), lambda p: day(p.paid_on)),
            Field(N_("Invoice"), lambda p: p.invoice_number or ""),
            Field(N_("Kind"), lambda p: _(KINDS.get(p.kind, p.kind)) + (_(" (reversed)") if p.reversed_by else "")),
            Field(N_("Amount"), lambda p: money(p.amount, p.currency), numeric=True, warn=lambda p: p.amount < 0),
            Field(N_("Method"), lambda p: _(method_label(p.method))),
            Field(N_("Reference"), lambda p: p.reference or ""),
        ])
        self.table = record_table(self.model, self, stretch_column=5)
        self.table.setObjectName("payment_table")
        # a method's name in full ("Paiement en ligne (p. ex. PayPal)"): the reference gets the rest
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(lambda _index: self._open())
        note = QLabel(_("The latest {n} payments; every payment of an invoice is on the invoice itself.").format(
            n=SHOWN))
        note.setProperty("muted", True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        self.open_action = QAction(icon("open"), _("Open invoice"), self)
        self.open_action.triggered.connect(self._open)
        self.reverse_action = QAction(icon("undo"), _("Reverse…"), self)
        self.reverse_action.triggered.connect(self._reverse)

    def toolbar_actions(self) -> list[QAction]:
        return [self.open_action, self.reverse_action]

    def refresh(self) -> None:
        self.model.set_records(self.ops.read(lambda s: payments.list_payments(s, newest_first=True, limit=SHOWN)))

    def _current(self) -> PaymentRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose a payment in the list first."))
            return None
        return self.model.record(index.row())

    def _open(self) -> None:
        payment = self._current()
        if payment is not None:
            self.window_.open_invoice(payment.invoice_id)

    def _reverse(self) -> None:
        payment = self._current()
        if payment is None:
            return
        answer = messages.ask_dated_reason(self, _("Reverse payment"), _(
            "Reverse the payment of {amount} from {date}? A reversal entry is recorded; the original stays.").format(
            amount=money(payment.amount, payment.currency), date=day(payment.paid_on)), payment.paid_on)
        if answer is not None:
            self.ops.reverse_payment(self, payment.id, answer.text or None, answer.day)
