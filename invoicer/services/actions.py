"""What a document allows now: its status and amounts read for ``core.workflow``, and the guard services call."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from invoicer.core.workflow import Action, DocumentState
from invoicer.core.workflow import require as require_state
from invoicer.db.models import CreditEntry, Invoice, InvoiceDispute, Payment


def customer_credit(session: Session, customer_id: int, currency: str) -> int:
    """The customer's credit balance in a currency (overpayments and credit notes, less what was applied)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.customer_id == customer_id, CreditEntry.currency == currency
        )
    )
    return int(total or 0)


def credited_total(session: Session, invoice_id: int) -> int:
    """Sum of all credit notes issued against an invoice."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Invoice.total), 0)).where(
                Invoice.corrects_id == invoice_id, Invoice.doc_type == "credit_note"
            )
        )
        or 0
    )


def disputed(session: Session, invoice_id: int) -> bool:
    """Does the customer contest the invoice now (an open dispute)?"""
    return session.scalar(select(InvoiceDispute.id).where(
        InvoiceDispute.invoice_id == invoice_id, InvoiceDispute.closed_on.is_(None)).limit(1)) is not None


@cache
def _reversible_payments_query() -> Select[int]:
    """Built once: SQLAlchemy takes milliseconds to build the aliased, correlated subquery (its column proxies),
    more than the database takes to answer it, and every finalize and document view asks it."""
    reversal = aliased(Payment)
    return select(func.count()).select_from(Payment).where(
        Payment.invoice_id == bindparam("invoice_id"), Payment.kind != "reversal",
        ~select(reversal.id).where(reversal.reverses_id == Payment.id).exists(),
    )


def _reversible_payments(session: Session, invoice_id: int) -> int:
    return int(session.scalar(_reversible_payments_query(), {"invoice_id": invoice_id}) or 0)


def document_state(session: Session, doc: Invoice) -> DocumentState:
    """The document's status and every amount its actions depend on."""
    if doc.doc_type != "invoice" or doc.status == "draft":
        return DocumentState(doc.doc_type, doc.status, doc.number, doc.currency, doc.total,
                             rounding=doc.rounding_amount, prepaid=doc.prepaid)
    return DocumentState(
        doc.doc_type, doc.status, doc.number, doc.currency, doc.total, paid=doc.paid, credited=doc.credited,
        rounding=doc.rounding_amount, prepaid=doc.prepaid,
        credit_notes_total=credited_total(session, doc.id),
        customer_credit=customer_credit(session, doc.customer_id, doc.currency),
        reversible_payments=_reversible_payments(session, doc.id), disputed=disputed(session, doc.id),
    )


def require(session: Session, doc: Invoice, action: Action) -> None:
    """Raise the typed error that explains why ``action`` is not possible on ``doc`` now."""
    require_state(document_state(session, doc), action)
