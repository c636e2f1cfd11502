"""Quotes: the list, a quote's editor, sending (numbered; by email too), the customer's answer, the PDF, and
invoices made from accepted quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QVBoxLayout

from invoicer.gui import messages, operations
from invoicer.gui.dialogs.quote import DepositDialog, InvoiceLinesDialog, QuoteDialog
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import day, money
from invoicer.gui.widgets.pdf_view import show_pdf
from invoicer.gui.widgets.tables import fit_titles, record_table
from invoicer.i18n import N_, _
from invoicer.services import quotes
from invoicer.services.quotes import QuoteRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow

STATUS_NAMES = {"draft": N_("draft"), "sent": N_("sent"), "accepted": N_("accepted"), "declined": N_("declined"),
                "expired": N_("expired")}


class QuotesPage(Page):
    areas = frozenset({operations.QUOTES, operations.INVOICES, operations.CUSTOMERS})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.model: RecordTableModel[QuoteRow] = RecordTableModel([
            Field(N_("Number"), lambda q: q.number or _("(draft)")),
            Field(N_("Customer"), lambda q: q.customer_name),
            Field(N_("Date"), lambda q: day(q.issue_date)),
            Field(N_("Valid until"), lambda q: day(q.valid_until), warn=lambda q: q.status == "expired"),
            Field(N_("Total"), lambda q: money(q.total, q.currency), numeric=True),
            Field(N_("Status"), lambda q: _(STATUS_NAMES[q.status])),
        ])
        self.table = record_table(self.model, self, stretch_column=1)
        self.table.setObjectName("quote_table")
        fit_titles(self.table.horizontalHeader(), 110, {0: "QUO-2026-00001", 4: money(99999999, "EUR"),
                                                        5: max((_(t) for t in STATUS_NAMES.values()), key=len)})
        self.table.activated.connect(lambda _index: self.edit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)

        action = self.shortcut_action
        self.new_action = action("new_quote", _("New quote"), self.add, "Ctrl+Shift+N", "new")
        self.send_action = action("send_quote", _("Mark as sent"), self.send, "Ctrl+Shift+S", "finalize")
        self.email_action = action("email_quote", _("Send by email…"), self.email, "Ctrl+E", "mail")
        self.accept_action = action("accept_quote", _("Accepted"), lambda: self.decide(True), "Ctrl+Shift+A",
                                    "finalize")
        self.decline_action = action("decline_quote", _("Declined"), lambda: self.decide(False), "Ctrl+Shift+D",
                                     "void")
        self.invoice_action = action("invoice_quote", _("Invoice…"), self.invoice, "Ctrl+Shift+I", "invoice")
        self.deposit_action = action("deposit_invoice", _("Deposit invoice…"), self.deposit, "Ctrl+Shift+G",
                                     "payment")
        self.final_action = action("final_invoice", _("Final invoice"), self.final, "Ctrl+Shift+L", "invoice")
        self.pdf_action = action("quote_pdf", _("PDF"), self.pdf, "Ctrl+P", "pdf")
        self.delete_action = action("delete_quote", _("Delete draft"), self.delete, "Ctrl+Shift+Del", "delete")
        # every action on the list's context menu (right click, or the menu key); the toolbar keeps the common ones,
        # so no label is hidden behind the toolbar's overflow in a longer language
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(self.actions())

    def toolbar_actions(self) -> list[QAction]:
        return [self.new_action, self.send_action, self.email_action, self.accept_action, self.invoice_action,
                self.pdf_action]

    def focus_search(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        self.model.set_records(self.ops.read(quotes.list_quotes))
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _chosen(self) -> QuoteRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            messages.show_error(self, _("Choose a quote in the list first."))
            return None
        return self.model.record(index.row())

    def add(self) -> QDialog:
        dialog = QuoteDialog(self.ops, self)
        dialog.open()
        return dialog

    def edit(self) -> QDialog | None:
        quote = self._chosen()
        if quote is None:
            return None
        if quote.status != "draft":
            self.pdf()
            return None
        dialog = QuoteDialog(self.ops, self, quote.id)
        dialog.open()
        return dialog

    def send(self) -> None:
        quote = self._chosen()
        if quote is not None and messages.confirm(
                self, _("Mark as sent"), _("The quote takes the next quote number and can no longer be changed."),
                _("Mark as sent")):
            self.ops.send_quote(self, quote.id)

    def email(self) -> None:
        quote = self._chosen()
        if quote is not None and messages.confirm(
                self, _("Send by email"), _("Send the quote's PDF to {customer}?").format(customer=quote.customer_name),
                _("Send")):
            self.ops.email_quote(self, quote.id, lambda _message_id: self.window_.statusBar().showMessage(
                _("The quote was sent."), 8000))

    def decide(self, accepted: bool) -> None:
        quote = self._chosen()
        if quote is not None:
            self.ops.decide_quote(self, quote.id, accepted)

    def invoice(self) -> QDialog | None:
        quote = self._accepted()
        if quote is None:
            return None
        dialog = InvoiceLinesDialog(self.ops, quote.id, self)
        dialog.finished.connect(lambda result: self.window_.open_invoice(dialog.invoice_id)
                                if result and dialog.invoice_id is not None else None)
        dialog.open()
        return dialog

    def _accepted(self) -> QuoteRow | None:
        quote = self._chosen()
        if quote is not None and quote.status != "accepted":
            messages.show_error(self, _("Only an accepted quote becomes an invoice."))
            return None
        return quote

    def deposit(self) -> QDialog | None:
        quote = self._accepted()
        if quote is None:
            return None
        dialog = DepositDialog(self.ops, quote.id, self)
        dialog.finished.connect(lambda result: self.window_.open_invoice(dialog.invoice_id)
                                if result and dialog.invoice_id is not None else None)
        dialog.open()
        return dialog

    def final(self) -> None:
        quote = self._accepted()
        if quote is None or not messages.confirm(
                self, _("Final invoice"), _("A draft invoice with every line of the quote, less each deposit and "
                                            "partial invoice per VAT rate."), _("Create invoice")):
            return
        invoice_id = self.ops.final_invoice(self, quote.id)
        if invoice_id is not None:
            self.window_.open_invoice(invoice_id)

    def pdf(self) -> None:
        quote = self._chosen()
        if quote is None:
            return
        data = self.ops.quote_pdf(self, quote.id)
        if data is not None:
            show_pdf(self, data, quote.number or _("Quote"))

    def delete(self) -> None:
        quote = self._chosen()
        if quote is not None and messages.confirm(self, _("Delete draft"), _("Delete this draft quote?"),
                                                  _("Delete")):
            self.ops.delete_quote(self, quote.id)
