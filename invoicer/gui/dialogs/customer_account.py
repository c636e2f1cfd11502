"""A customer's account: their invoices, credit notes, payments and the statement with a running balance, which
prints as a PDF letter or goes out by email for a chosen period."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.payment_methods import method_label
from invoicer.gui import messages
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.style import date_format, day, money, python_date, qt_date
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
         "payment": N_("Payment"), "reversal": N_("Payment reversed"), "write_off": N_("Written off"),
         "recovered": N_("Written-off amount recovered")}


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
            Field(N_("Method"), lambda p: _(method_label(p.method))),
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
        self.customer_id = customer_id
        self.statement_from = QDateEdit(qt_date(date.today().replace(month=1, day=1)))
        self.statement_to = QDateEdit(qt_date(date.today()))
        for edit, name in ((self.statement_from, "statement_from"), (self.statement_to, "statement_to")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format())
        self.statement_pdf_button = QPushButton(_("Statement &PDF…"))
        self.statement_pdf_button.setObjectName("statement_pdf")
        self.statement_pdf_button.clicked.connect(self.save_statement)
        self.statement_mail_button = QPushButton(_("&Email statement"))
        self.statement_mail_button.setObjectName("statement_email")
        self.statement_mail_button.clicked.connect(self.email_statement)
        period = QHBoxLayout()
        for text, edit in ((_("Statement &from"), self.statement_from), (_("&to"), self.statement_to)):
            label = QLabel(text)
            label.setBuddy(edit)
            period.addWidget(label)
            period.addWidget(edit)
        period.addStretch(1)
        period.addWidget(self.statement_pdf_button)
        period.addWidget(self.statement_mail_button)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(tabs)
        layout.addLayout(period)

    def _statement_period(self) -> tuple[date, date]:
        return python_date(self.statement_from.date()), python_date(self.statement_to.date())

    def save_statement(self) -> None:
        """The statement of account for the chosen period as a PDF letter, saved and opened (to print)."""
        start, end = self._statement_period()
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save statement"), f"statement-{self.customer_id}-{start.isoformat()}-{end.isoformat()}.pdf",
            _("PDF files (*.pdf)"))
        if not path:
            return
        target = Path(path) if path.lower().endswith(".pdf") else Path(f"{path}.pdf")

        def write() -> None:
            from invoicer.services.documents import write_atomically

            write_atomically(target, self.window_.ops.read(
                lambda s: statements.statement_pdf(s, self.customer_id, start, end)))

        if self.window_.ops.run(self, write) is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def email_statement(self) -> None:
        from invoicer.gui.dialogs.send_invoice import mail_login

        start, end = self._statement_period()
        login = mail_login(self.window_.ops, self)
        if login is None:
            return
        self.sending = self.window_.ops.start(
            self, _("Sending the statement…"),
            lambda _progress: statements.send_statement(self.window_.ops.db, self.customer_id, start, end,
                                                        password=login[1]),
            done=lambda sent: messages.show_info(self, _("Statement sent to {to}.").format(to=", ".join(sent.to))))
