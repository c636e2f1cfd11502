"""Disputed invoices: a customer contests an invoice (reason, date); its reminders pause until the dispute ends,
by a credit note or by closing it. Every step is in the audit trail; core.workflow says when each is possible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_
from invoicer.core.workflow import Action
from invoicer.db.models import Customer, Invoice, InvoiceDispute
from invoicer.services import audit, validation
from invoicer.services.actions import require
from invoicer.services.invoices import get_invoice

if TYPE_CHECKING:
    from invoicer.services.credit_notes import CreditLine, Settlement


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
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.DISPUTE)
    day = validation.action_date(on, invoice.issue_date)
    dispute = InvoiceDispute(invoice_id=invoice_id, reason=validation.required(reason, N_("Reason"), multiline=True),
                             opened_on=day)
    session.add(dispute)
    session.flush()
    audit.record(session, "dispute_open", "invoice", invoice_id, payload={"dispute": dispute.id,
                                                                          "reason": dispute.reason, "on": day})
    return dispute.id


def _ending(session: Session, invoice_id: int, action: Action) -> InvoiceDispute:
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, action)
    dispute = open_dispute_of(session, invoice_id)
    assert dispute is not None  # the workflow refused otherwise
    return dispute


def _end(session: Session, dispute: InvoiceDispute, day: date, note: str | None, credit_note_id: int | None) -> None:
    dispute.closed_on, dispute.note, dispute.credit_note_id = day, validation.optional(note, multiline=True), \
        credit_note_id
    dispute.resolution = "credit_note" if credit_note_id else "closed"
    audit.record(session, "dispute_close", "invoice", dispute.invoice_id, payload={
        "dispute": dispute.id, "resolution": dispute.resolution, "credit_note": credit_note_id, "on": day})


def resolve_by_credit_note(
    session: Session, invoice_id: int, *, full: bool = False, lines: list[CreditLine] | None = None,
    amount: int | None = None, reason: str | None = None, refund: bool = False, issue_date: date | None = None,
) -> Settlement:
    """End the invoice's dispute by a credit note (the whole invoice, chosen lines or an amount incl. VAT), issued
    in the same transaction and named by the dispute; its reason is the dispute's unless one is given."""
    from invoicer.services import credit_notes  # not on the start path (the dashboard lists disputes)

    dispute = _ending(session, invoice_id, Action.RESOLVE_DISPUTE)
    day = validation.action_date(issue_date, dispute.opened_on)
    settlement = credit_notes.issue_credit_note(
        session, invoice_id, full=full, lines=lines, amount=amount, reason=validation.optional(reason) or dispute.reason,
        refund=refund, issue_date=day)
    _end(session, dispute, day, reason, settlement.credit_note_id)
    return settlement


def close_dispute(session: Session, invoice_id: int, note: str | None = None, on: date | None = None,
                  credit_amount: int | None = None) -> int | None:
    """End the invoice's dispute: with ``credit_amount`` by a credit note of that amount (incl. VAT), else by
    closing it as it stands (the customer owes the invoice). Returns the credit note's id, if one was issued."""
    if credit_amount is not None:
        return resolve_by_credit_note(session, invoice_id, amount=credit_amount, reason=note,
                                      issue_date=on).credit_note_id
    dispute = _ending(session, invoice_id, Action.CLOSE_DISPUTE)
    _end(session, dispute, validation.action_date(on, dispute.opened_on), note, None)
    return None


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
