"""Disputed invoices: a customer contests an invoice (reason, date); its reminders pause until the dispute ends,
by a credit note or by closing it. Every step is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, ConflictError
from invoicer.db.models import Customer, Invoice, InvoiceDispute
from invoicer.services import audit, validation
from invoicer.services.invoices import get_invoice


@dataclass(frozen=True)
class DisputeRow:
    id: int
    invoice_id: int
    number: str
    customer: str
    currency: str
    amount_due: int
    reason: str
    opened_on: date
    closed_on: date | None
    resolution: str | None
    credit_note_id: int | None


def open_dispute_of(session: Session, invoice_id: int) -> InvoiceDispute | None:
    return session.scalar(select(InvoiceDispute).where(InvoiceDispute.invoice_id == invoice_id,
                                                       InvoiceDispute.closed_on.is_(None)))


def open_dispute(session: Session, invoice_id: int, reason: str, on: date | None = None) -> int:
    """Mark an open invoice disputed; its reminders pause."""
    invoice = get_invoice(session, invoice_id)
    if invoice.doc_type != "invoice" or invoice.status != "open":
        raise ConflictError(N_("Only an open invoice can be disputed; this one is {status}."), status=invoice.status)
    if open_dispute_of(session, invoice_id) is not None:
        raise ConflictError(N_("Invoice {number} is already disputed."), number=invoice.number)
    day = validation.action_date(on, invoice.issue_date)
    dispute = InvoiceDispute(invoice_id=invoice_id, reason=validation.required(reason, N_("Reason"), multiline=True),
                             opened_on=day)
    session.add(dispute)
    session.flush()
    audit.record(session, "dispute_open", "invoice", invoice_id, payload={"dispute": dispute.id,
                                                                          "reason": dispute.reason, "on": day})
    return dispute.id


def close_dispute(session: Session, invoice_id: int, note: str | None = None, on: date | None = None,
                  credit_amount: int | None = None) -> int | None:
    """End the invoice's dispute: with ``credit_amount`` by a credit note of that amount (incl. VAT), else by
    closing it as it stands (the customer owes the invoice). Returns the credit note's id, if one was issued."""
    dispute = open_dispute_of(session, invoice_id)
    if dispute is None:
        raise ConflictError(N_("Invoice {id} is not disputed."), id=invoice_id)
    invoice = get_invoice(session, invoice_id)
    day = validation.action_date(on, dispute.opened_on)
    credit_note_id = None
    if credit_amount is not None:
        from invoicer.services import credit_notes  # not on the start path (the dashboard lists disputes)

        credit_note_id = credit_notes.issue_credit_note(
            session, invoice_id, amount=credit_amount, reason=note or dispute.reason, issue_date=day).credit_note_id
    dispute.closed_on, dispute.note, dispute.credit_note_id = day, validation.optional(note, multiline=True), \
        credit_note_id
    dispute.resolution = "credit_note" if credit_note_id else "closed"
    audit.record(session, "dispute_close", "invoice", invoice.id, payload={
        "dispute": dispute.id, "resolution": dispute.resolution, "credit_note": credit_note_id, "on": day})
    return credit_note_id


def list_disputes(session: Session, open_only: bool = True) -> list[DisputeRow]:
    query = (select(InvoiceDispute, Invoice, Customer.name)
             .join(Invoice, Invoice.id == InvoiceDispute.invoice_id)
             .join(Customer, Customer.id == Invoice.customer_id)
             .order_by(InvoiceDispute.opened_on, InvoiceDispute.id))
    if open_only:
        query = query.where(InvoiceDispute.closed_on.is_(None))
    return [DisputeRow(d.id, inv.id, inv.number or "", name, inv.currency, inv.amount_due, d.reason, d.opened_on,
                       d.closed_on, d.resolution, d.credit_note_id)
            for d, inv, name in session.execute(query)]
