"""Early-payment discount terms of an invoice: set on the draft; while they run, a payment of the discounted
amount settles the invoice, the discount (and the VAT it contains) credited by a credit note — for a bank entry
confirmed (services.bank) and for a payment typed in by hand (``record_payment`` here) alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.early_payment import DiscountOffer, DiscountTerms, offer
from invoicer.core.errors import N_, ConflictError, ValidationError
from invoicer.core.money import parse_decimal
from invoicer.db.models import EarlyPaymentTerms, Invoice
from invoicer.i18n import translator
from invoicer.services import audit, payments
from invoicer.services.invoices import get_invoice

DISCOUNT_REASON = N_("Early-payment discount")


def set_terms(session: Session, invoice_id: int, percent: str | None, days: int | None) -> None:
    """Give a draft an early-payment discount (``percent`` None removes it)."""
    invoice = get_invoice(session, invoice_id)
    if invoice.status != "draft":
        raise ConflictError(N_("Payment terms are set on the draft; this invoice is {status}."),
                            status=invoice.status)
    row = session.get(EarlyPaymentTerms, invoice_id)
    if percent is None:
        if row is not None:
            session.delete(row)
        audit.record(session, "edit", "invoice", invoice_id, payload={"early_payment_discount": None})
        return
    rate = parse_decimal(percent, N_("discount"), max_places=2)
    if not 0 < rate < 100 or days is None or days < 1:
        raise ValidationError(N_("An early-payment discount is a percentage between 0 and 100 within at least one "
                                 "day."), "discount")
    if row is None:
        session.add(EarlyPaymentTerms(invoice_id=invoice_id, percent=rate, days=days))
    else:
        row.percent, row.days = rate, days
    audit.record(session, "edit", "invoice", invoice_id,
                 payload={"early_payment_discount": {"percent": str(rate), "days": days}})


def terms_of(session: Session, invoice_ids: Iterable[int]) -> dict[int, DiscountTerms]:
    ids = list(invoice_ids)
    found: dict[int, DiscountTerms] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(EarlyPaymentTerms).where(
                EarlyPaymentTerms.invoice_id.in_(ids[start:start + 500]))):
            found[row.invoice_id] = DiscountTerms(row.percent, row.days)
    return found


def offers(session: Session, invoices: Sequence[Invoice]) -> dict[int, DiscountOffer]:
    """The discount each open invoice offers now (by id; those without one are left out)."""
    terms = terms_of(session, (inv.id for inv in invoices if inv.status == "open"))
    found: dict[int, DiscountOffer] = {}
    for inv in invoices:
        offered = offer(terms.get(inv.id), inv.total, inv.due_as_issued, inv.amount_due, inv.issue_date)
        if offered is not None and inv.status == "open":
            found[inv.id] = offered
    return found


def offer_of(session: Session, invoice_id: int) -> DiscountOffer | None:
    """What settles the invoice within its discount period (None when it offers no discount now)."""
    return offers(session, [get_invoice(session, invoice_id)]).get(invoice_id)


@dataclass(frozen=True)
class RecordedPayment:
    payment_id: int
    discount: int  # the early-payment discount it took (0: none)
    credit_note_id: int | None  # the credit note of that discount


def record_payment(
    session: Session, invoice_id: int, amount: int, paid_on: date | None = None, method: str | None = None,
    reference: str | None = None, exchange_rate: str | Decimal | None = None, *, apply_discount: bool = True,
) -> RecordedPayment:
    """Record money received for an invoice (services.payments); when it is the discounted amount within the
    discount period, the invoice is settled as the bank reconciliation settles it: the discount credited by a
    credit note dated on the payment day. ``apply_discount`` False records the same money as a part payment."""
    offered = offer_of(session, invoice_id) if apply_discount else None
    day = paid_on or date.today()
    discount = offered.taken(amount, day) if offered is not None else 0
    payment_id = payments.record_payment(session, invoice_id, amount, paid_on, method, reference, exchange_rate)
    credit_note_id = take_discount(session, invoice_id, discount, day) if discount else None
    return RecordedPayment(payment_id, discount, credit_note_id)


def take_discount(session: Session, invoice_id: int, discount: int, on: date) -> int:
    """Credit the early-payment discount taken on a payment made ``on`` (its value date); returns the credit
    note's id. The credit note is dated on that day, or on the last credit note's date when one was issued since
    (numbers follow dates), and states its reason in the customer's language, as the rest of the document."""
    from invoicer.services import credit_notes, invoices

    invoice = get_invoice(session, invoice_id)
    last = invoices.last_issue_date(session, "credit_note", on, invoice.customer_id)
    reason = translator(invoice.customer.locale or "en_US").gettext(DISCOUNT_REASON)
    return credit_notes.issue_credit_note(session, invoice_id, amount=discount, reason=reason,
                                          issue_date=max(on, last or on)).credit_note_id
