"""A customer's account: their invoices, credit notes, payments and the statement with a running balance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.style import day, money
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _
from invoicer.services import actions, customers, invoices, payments, statements
from invoicer.services.invoices import InvoiceFilter, InvoiceRow
from invoicer.services.payments import PaymentRow
from invoicer.services.statements import StatementEntry
from invoicer.services.store import Session

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow

KINDS = {"invoice": N_("Invoice"), "credit_note": N_("Credit note"), "refund": N_("Refund"),
         "payment": N_("Payment"), "reversal": N_("Payment reversed")}


class CustomerAccountDialog(QDialog):
    def __init__(self, window: MainWindow, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.window_ = window
        self.resize(860, 560)

        def query(session: Session) -> tuple[str, str, list[InvoiceRow], list[InvoiceRow], list[PaymentRow],
                                             list[StatementEntry], int]:
            customer = customers.get_customer(session, customer_id)
            docs = invoices.list_invoices(session, InvoiceFilter(customer_id=customer_id), sort="issue_date")
            notes = invoices.list_invoices(
                session, InvoiceFilter(doc_type="credit_note", customer_id=customer_id), sort="issue_date")
            paid = payments.list_payments(session, customer_id=customer_id)
            entries = statements.statement(session, customer_id)
            credit = actions.customer_credit(session, customer_id, customer.currency)
            return customer.name, customer.currency, docs, notes, paid, entries, credit

        name, currency, docs, notes, paid, entries, credit = window.ops.read(query)
        self.setWindowTitle(_("Account of {name}").format(name=name))
        balance = entries[-1].balance if entries else 0
        summary = QLabel(_("Statement balance {balance} (what is owed less the customer's credit of {credit})").format(
            balance=money(balance, currency), credit=money(credit, currency)))
        summary.setObjectName("summary")

        def document_table(rows: list[InvoiceRow]) -> QWidget:
            model: RecordTableModel[InvoiceRow] = RecordTableModel([
                Field(N_("Number"), lambda r: r.number or _("(draft)")),
                Field(N_("Issued"), lambda r: day(r.issue_date)),
                Field(N_("Total"), lambda r: money(r.total, r.currency), numeric=True),
                Field(N_("Amount due"), lambda r: money(r.amount_due, r.currency), numeric=True),
                Field(N_("Status"), lambda r: r.display_status, status=lambda r: r.display_status),
            ])
            model.set_records(rows)
            table = record_table(model, self, status_column=4, stretch_column=0)
            table.activated.connect(lambda index: window.open_invoice(model.record(index.row()).id))
            return table

        payment_model: RecordTableModel[PaymentRow] = RecordTableModel([
            Field(N_("Date"), lambda p: day(p.paid_on)),
            Field(N_("Invoice"), lambda p: p.invoice_number or ""),
            Field(N_("Amount"), lambda p: money(p.amount, p.currency), numeric=True),
            Field(N_("Method"), lambda p: p.method or ""),
            Field(N_("Reference"), lambda p: p.reference or ""),
        ])
        payment_model.set_records(paid)
        statement_model: RecordTableModel[StatementEntry] = RecordTableModel([
            Field(N_("Date"), lambda e: day(e.on)),
            Field(N_("Entry"), lambda e: _(KINDS.get(e.kind, e.kind))),
            Field(N_("Reference"), lambda e: e.reference),
            Field(N_("Amount"), lambda e: money(e.amount, currency), numeric=True),
            Field(N_("Balance"), lambda e: money(e.balance, currency), numeric=True),
        ])
        statement_model.set_records(entries)
        tabs = QTabWidget()
        tabs.addTab(record_table(statement_model, self, stretch_column=2), _("Statement"))
        tabs.addTab(document_table(docs), _("Invoices"))
        tabs.addTab(document_table(notes), _("Credit notes"))
        tabs.addTab(record_table(payment_model, self, stretch_column=4), _("Payments"))
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(tabs)
