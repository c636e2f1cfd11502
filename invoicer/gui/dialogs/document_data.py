"""Everything the invoice window shows about one document, read in one read-only transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from invoicer.core.workflow import DocumentState, display_status
from invoicer.gui.widgets.totals import TaxLine, TotalsView
from invoicer.services import actions, audit, credit_notes, invoices, payments
from invoicer.services.invoices import DraftData
from invoicer.services.payments import PaymentRow


@dataclass(frozen=True)
class CreditableLine:
    line_id: int
    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    left: Decimal  # not yet credited


@dataclass(frozen=True)
class CreditNoteRow:
    id: int
    number: str | None
    issue_date: date
    total: int
    reason: str | None


@dataclass(frozen=True)
class HistoryRow:
    at: str
    actor: str
    action: str
    before: str | None
    after: str | None


@dataclass
class Document:
    id: int
    doc_type: str
    status: str
    shown_status: str
    number: str | None
    customer_id: int
    customer_name: str
    currency: str
    issue_date: date
    due_date: date | None
    data: DraftData
    totals: TotalsView
    amount_due: int
    customer_credit: int
    state: DocumentState  # what core.workflow decides the actions from
    corrects: tuple[int, str | None] | None = None  # credit notes: the invoice (id, number)
    reason: str | None = None
    lines: list[CreditableLine] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    credit_notes: list[CreditNoteRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def load_document(session: Session, invoice_id: int, today: date | None = None) -> Document:
    doc = invoices.get_invoice(session, invoice_id, doc_type=None)
    today = today or date.today()
    notes = credit_notes.list_credit_notes(session, doc.id) if doc.doc_type == "invoice" else []
    credited: dict[int, Decimal] = {}
    for note in notes:
        for line in note.lines:
            if line.source_line_id is not None:
                credited[line.source_line_id] = credited.get(line.source_line_id, Decimal(0)) + line.quantity
    settled = None if doc.status == "draft" or doc.doc_type != "invoice" else (doc.paid, doc.credited, doc.amount_due)
    corrects = None
    if doc.corrects_id is not None:
        original = invoices.get_invoice(session, doc.corrects_id)
        corrects = (original.id, original.number)
    return Document(
        id=doc.id,
        doc_type=doc.doc_type,
        status=doc.status,
        shown_status=display_status(doc.status, doc.due_date, doc.total, doc.amount_due, today),
        number=doc.number,
        customer_id=doc.customer_id,
        customer_name=doc.customer.name,
        currency=doc.currency,
        issue_date=doc.issue_date,
        due_date=doc.due_date,
        data=invoices.draft_data(doc),
        totals=TotalsView(
            doc.currency, doc.subtotal, doc.allowance_total, doc.charge_total,
            [TaxLine(t.category, t.rate, t.basis, t.amount) for t in doc.taxes], doc.total, settled,
        ),
        amount_due=doc.amount_due,
        customer_credit=payments.customer_credit(session, doc.customer_id, doc.currency),
        state=actions.document_state(session, doc),
        corrects=corrects,
        reason=doc.reason,
        lines=[
            CreditableLine(line.id, line.position, line.description, line.quantity, line.unit_price,
                           line.quantity - credited.get(line.id, Decimal(0)))
            for line in doc.lines
        ],
        payments=payments.list_payments(session, invoice_id=doc.id) if doc.doc_type == "invoice" else [],
        credit_notes=[CreditNoteRow(n.id, n.number, n.issue_date, n.total, n.reason) for n in notes],
        history=[
            HistoryRow(e.at.isoformat(sep=" ", timespec="minutes"), e.actor, e.action, e.before_status, e.after_status)
            for e in audit.history(session, "credit_note" if doc.doc_type == "credit_note" else "invoice", doc.id)
        ],
    )
