"""A customer's statement of account: invoices, credit notes, payments and refunds in date order with a running balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.db.models import Invoice, Payment
from invoicer.services.customers import get_customer


@dataclass(frozen=True)
class StatementEntry:
    on: date
    kind: str  # invoice, credit_note, refund, payment, reversal, credit_applied
    reference: str  # document number or payment reference
    invoice_id: int
    amount: int  # + raises what the customer owes, - lowers it
    balance: int


def statement(session: Session, customer_id: int, currency: str | None = None) -> list[StatementEntry]:
    """Everything that changed what the customer owes in ``currency`` (their billing currency by default).

    Applied customer credit moves money between invoices, not from the customer, so it is not listed;
    the balance is therefore what the customer owes less the credit they hold.
    """
    currency = currency or get_customer(session, customer_id).currency
    raw: list[tuple[date, int, str, str, int, int]] = []
    documents = session.execute(
        select(Invoice.id, Invoice.doc_type, Invoice.number, Invoice.issue_date, Invoice.total, Invoice.refunded,
               Invoice.corrects_id)
        .where(Invoice.customer_id == customer_id, Invoice.currency == currency,
               Invoice.status.in_(("open", "paid", "uncollectible", "issued")))
    )
    for doc_id, doc_type, number, issued, total, refunded, corrects in documents:
        if doc_type == "invoice":
            raw.append((issued, doc_id, "invoice", number or "", doc_id, total))
        else:
            raw.append((issued, doc_id, "credit_note", number or "", corrects or doc_id, -total))
            if refunded:
                raw.append((issued, doc_id, "refund", number or "", corrects or doc_id, refunded))
    received = session.execute(
        select(Payment.id, Payment.kind, Payment.paid_on, Payment.amount, Payment.reference, Payment.invoice_id,
               Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.customer_id == customer_id, Payment.currency == currency, Payment.kind != "credit_applied")
    )
    for payment_id, kind, paid_on, amount, reference, invoice_id, number in received:
        # the customer recognises a payment by the invoice it paid (and their bank's reference, if any)
        shown = f"{number} · {reference}" if reference else number or ""
        raw.append((paid_on, 10**12 + payment_id, kind, shown, invoice_id, -amount))
    entries = []
    balance = 0
    for on, _order, kind, reference, invoice_id, amount in sorted(raw):
        balance += amount
        entries.append(StatementEntry(on, kind, reference, invoice_id, amount, balance))
    return entries
