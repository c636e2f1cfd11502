"""Payments: partial or full, overpayments to customer credit, audited reversals, credit applied to invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from invoicer.core.errors import N_, ConflictError, NotFoundError, ValidationError
from invoicer.core.money import from_minor
from invoicer.core.payment_methods import CUSTOMER_CREDIT, method_code
from invoicer.core.totals import convert_minor
from invoicer.core.workflow import Action
from invoicer.db import locks, triggers
from invoicer.db.models import CreditEntry, Customer, Invoice, Payment
from invoicer.services import audit, rates, validation
from invoicer.services.actions import customer_credit, require
from invoicer.services.invoices import get_invoice, settle_status, written_off_day


@dataclass(frozen=True)
class PaymentRow:
    id: int
    kind: str
    invoice_id: int
    invoice_number: str | None
    customer_id: int
    currency: str
    amount: int
    applied: int
    excess: int
    paid_on: date
    method: str | None
    reference: str | None
    reverses_id: int | None
    reversed_by: int | None
    reason: str | None
    prepaid: bool = False  # the invoice's prepaid amount (BT-113), paid as it was finalized


def _company_amount(invoice: Invoice, amount: int, rate: Decimal | None = None) -> int | None:
    """The amount in the company currency: at ``rate`` (money received: the payment day's rate), else at the
    rate locked at finalize (customer credit moves at the value it was booked at)."""
    if invoice.exchange_rate is None or invoice.company_currency is None:
        return None
    return convert_minor(amount, invoice.currency, invoice.company_currency, rate or invoice.exchange_rate)


def payment_rate(session: Session, invoice: Invoice, paid_on: date, given: str | Decimal | None) -> Decimal | None:
    """The exchange rate of money received in a foreign currency: the one entered, else the rates table's on the
    payment day, else the rate locked at finalize (then no exchange difference arises)."""
    if given is not None and str(given).strip():
        return rates.parse_rate(given)
    if invoice.company_currency is None or invoice.currency == invoice.company_currency:
        return None
    return rates.rate_on(session, invoice.currency, paid_on)


def _money_date(session: Session, invoice: Invoice, day: date | None) -> date:
    """The date of money received for ``invoice``: an action date, and on a written-off invoice not before the
    write-off — money dated earlier is no recovery but a payment the write-off should not have happened for,
    and the books decide recovery by these dates."""
    day = validation.action_date(day, invoice.issue_date)
    written = written_off_day(session, invoice.id) if invoice.status == "uncollectible" else None
    if written is not None and day < written:
        raise ValidationError(
            N_("Invoice {number} was written off on {written}; money for it cannot be dated earlier ({date})."),
            "date", number=invoice.number, written=written.isoformat(), date=day.isoformat(),
        )
    return day


def record_payment(
    session: Session,
    invoice_id: int,
    amount: int,
    paid_on: date | None = None,
    method: str | None = None,
    reference: str | None = None,
    exchange_rate: str | Decimal | None = None,
) -> int:
    """Record money received for an invoice (minor units). Beyond the amount due it becomes customer credit.

    In a foreign currency its company-currency value is taken at the payment day's rate (``exchange_rate``, or
    the rates table's); the journal posts the difference to the rate locked at finalize as exchange gain/loss.
    """
    if amount <= 0:
        raise ValidationError(N_("A payment amount must be above zero."), "amount")
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.RECORD_PAYMENT)
    paid_on = _money_date(session, invoice, paid_on)
    return _receive(session, invoice, amount, paid_on, method, validation.optional(reference),
                    payment_rate(session, invoice, paid_on, exchange_rate))


def _receive(session: Session, invoice: Invoice, amount: int, paid_on: date, method: str | None,
             reference: str | None, rate: Decimal | None, prepaid: bool = False) -> int:
    """Money received for ``invoice``, checked by the caller: the payment, any excess to customer credit, the
    invoice's status, the audit event."""
    if reference is not None:
        twin = _twin(session, invoice.customer_id, reference)
        if twin is not None:
            raise ConflictError(
                N_("A payment with reference '{reference}' is already recorded (payment {id}); it is not recorded "
                   "twice."),
                reference=reference, id=twin.id,
            )
    applied = min(amount, invoice.amount_due)
    excess = amount - applied
    before = invoice.status
    payment = Payment(
        kind="payment", invoice_id=invoice.id, customer_id=invoice.customer_id, currency=invoice.currency,
        amount=amount, applied=applied, excess=excess, paid_on=paid_on,
        method=method_code(method), reference=reference, company_amount=_company_amount(invoice, amount, rate),
        created_at=audit.now(), prepaid=prepaid,
    )
    session.add(payment)
    try:
        session.flush()
    except IntegrityError as exc:
        # another desk recorded the same reference for this customer (on another of its invoices, which it had
        # locked) between the check above and this insert: the database's trigger refused the second (0028)
        if triggers.REFERENCE_TAKEN not in str(exc.orig):
            raise
        raise ConflictError(
            N_("A payment with reference '{reference}' was recorded for this customer at the same moment (on "
               "another desk); it is not recorded twice."),
            reference=reference,
        ) from None
    if excess:
        _credit(session, invoice, excess, "overpayment", paid_on, payment.id)
    invoice.paid += applied
    settle_status(invoice)
    audit.record(
        session, "payment", "invoice", invoice.id, before=before, after=invoice.status,
        payload={"payment_id": payment.id, "amount": amount, "applied": applied, "excess": excess,
                 "reference": reference, **({"prepaid": True} if prepaid else {})},
    )
    return payment.id


def _twin(session: Session, customer_id: int, reference: str) -> Payment | None:
    """The customer's payment recorded with ``reference`` already and standing (the same money comes from one
    payer: two customers' cheques or transfers may carry the same number; a reversed payment frees its reference
    for the corrected one)."""
    reversal = aliased(Payment)
    return session.scalar(select(Payment).where(
        Payment.customer_id == customer_id, Payment.kind == "payment", Payment.reference == reference,
        ~select(reversal.id).where(reversal.reverses_id == Payment.id).exists()).limit(1))


def _credit(session: Session, invoice: Invoice, amount: int, kind: str, when: date, payment_id: int | None) -> None:
    session.add(
        CreditEntry(
            customer_id=invoice.customer_id, currency=invoice.currency, amount=amount, kind=kind, entry_on=when,
            invoice_id=invoice.id, payment_id=payment_id, created_at=audit.now(),
        )
    )


def apply_credit(session: Session, invoice_id: int, amount: int | None = None, on: date | None = None) -> int:
    """Use the customer's credit balance to pay an open invoice (all that fits when no amount is given)."""
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.APPLY_CREDIT)
    locks.locked(session, Customer, invoice.customer_id)  # the balance stays as read until this is recorded
    available = customer_credit(session, invoice.customer_id, invoice.currency)
    due = invoice.amount_due
    wanted = min(available, due) if amount is None else amount
    if wanted <= 0:
        raise ValidationError(N_("The amount to apply must be above zero."), "amount")
    if wanted > available:
        raise ValidationError(N_("The customer does not have that much credit."), "amount")
    if wanted > due:
        raise ValidationError(N_("That is more than the invoice's amount due."), "amount")
    return _apply_credit(session, invoice, wanted, _money_date(session, invoice, on))


def _apply_credit(session: Session, invoice: Invoice, wanted: int, on: date, prepaid: bool = False) -> int:
    """``wanted`` of the customer's credit (checked by the caller) set against ``invoice`` on ``on``."""
    before = invoice.status
    payment = Payment(
        kind="credit_applied", invoice_id=invoice.id, customer_id=invoice.customer_id, currency=invoice.currency,
        amount=wanted, applied=wanted, excess=0, paid_on=on, method=CUSTOMER_CREDIT,
        company_amount=_company_amount(invoice, wanted), created_at=audit.now(), prepaid=prepaid,
    )
    session.add(payment)
    session.flush()
    _credit(session, invoice, -wanted, "applied", on, payment.id)
    invoice.paid += wanted
    settle_status(invoice)
    audit.record(
        session, "apply_credit", "invoice", invoice.id, before=before, after=invoice.status,
        payload={"payment_id": payment.id, "amount": wanted, **({"prepaid": True} if prepaid else {})},
    )
    return payment.id


def settle_prepaid(session: Session, invoice: Invoice) -> None:
    """As the invoice is finalized (numbered, open, not yet rendered): its prepaid amount (BT-113) becomes a payment
    dated on its issue date, the day it is set against the invoice, so the invoice opens with total - prepaid +
    rounding due and every balance, report and the journal count the money once, as any payment. Method 97 takes
    it from the customer's credit (money already booked, as an overpayment or a credit note), which must hold it;
    any other money is received now, at the exchange rate locked at finalize (no exchange difference)."""
    if not invoice.prepaid:
        return
    if invoice.prepaid_method == CUSTOMER_CREDIT:
        locks.locked(session, Customer, invoice.customer_id)
        available = customer_credit(session, invoice.customer_id, invoice.currency)
        if available < invoice.prepaid:
            raise ValidationError(
                N_("The prepaid amount {prepaid} is to come from the customer's credit, which is {available} "
                   "{currency}."), "prepaid", prepaid=str(from_minor(invoice.prepaid, invoice.currency)),
                available=str(from_minor(available, invoice.currency)), currency=invoice.currency)
        _apply_credit(session, invoice, invoice.prepaid, invoice.issue_date, prepaid=True)
    else:
        _receive(session, invoice, invoice.prepaid, invoice.issue_date, invoice.prepaid_method,
                 invoice.prepaid_reference, None, prepaid=True)


def reverse_payment(session: Session, payment_id: int, reason: str | None = None, on: date | None = None) -> int:
    """Undo a mistaken payment with a reversal entry (the original stays, both are audited)."""
    original = session.get(Payment, payment_id)
    if original is None:
        raise NotFoundError(N_("There is no payment {id}."), id=payment_id)
    if original.kind == "reversal":
        raise ValidationError(N_("Payment {id} is itself a reversal and cannot be reversed."), id=payment_id)
    # locked first: a desk reversing the same payment at the same moment waits, then finds it reversed
    invoice = get_invoice(session, original.invoice_id, for_update=True)
    if session.scalar(select(Payment.id).where(Payment.reverses_id == payment_id)) is not None:
        raise ConflictError(N_("Payment {id} is already reversed."), id=payment_id)
    if original.excess:
        locks.locked(session, Customer, original.customer_id)
    if original.excess and customer_credit(session, original.customer_id, original.currency) < original.excess:
        raise ValidationError(
            N_("The overpaid part of this payment has already been applied to another invoice; reverse that "
               "application first.")
        )
    # a reversal is dated on or after the payment it undoes (which is on or after the invoice)
    on = validation.action_date(on, original.paid_on, N_("The date {date} is before the payment it reverses ({issued})."))
    before = invoice.status
    reversal = Payment(
        kind="reversal", invoice_id=invoice.id, customer_id=original.customer_id, currency=original.currency,
        amount=-original.amount, applied=-original.applied, excess=-original.excess, paid_on=on,
        method=original.method, reverses_id=original.id, reason=validation.optional(reason, multiline=True),
        company_amount=None if original.company_amount is None else -original.company_amount,
        created_at=audit.now(),
    )
    session.add(reversal)
    session.flush()
    if original.excess:
        _credit(session, invoice, -original.excess, "reversal", on, reversal.id)
    if original.kind == "credit_applied":
        _credit(session, invoice, original.applied, "reversal", on, reversal.id)
    invoice.paid -= original.applied
    settle_status(invoice)
    audit.record(
        session, "reverse_payment", "invoice", invoice.id, before=before, after=invoice.status,
        payload={"payment_id": original.id, "reversal_id": reversal.id, "amount": original.amount, "reason": reason},
    )
    return reversal.id


def list_payments(
    session: Session, invoice_id: int | None = None, customer_id: int | None = None,
    *, newest_first: bool = False, limit: int | None = None,
) -> list[PaymentRow]:
    reversal = select(Payment.reverses_id.label("orig"), Payment.id.label("rid")).where(
        Payment.reverses_id.is_not(None)
    ).subquery()
    stmt = (
        select(Payment, Invoice.number, reversal.c.rid)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .outerjoin(reversal, reversal.c.orig == Payment.id)
        .order_by(*((Payment.paid_on.desc(), Payment.id.desc()) if newest_first else (Payment.paid_on, Payment.id)))
        .limit(limit)
    )
    if invoice_id is not None:
        stmt = stmt.where(Payment.invoice_id == invoice_id)
    if customer_id is not None:
        stmt = stmt.where(Payment.customer_id == customer_id)
    return [
        PaymentRow(
            p.id, p.kind, p.invoice_id, number, p.customer_id, p.currency, p.amount, p.applied, p.excess,
            p.paid_on, p.method, p.reference, p.reverses_id, rid, p.reason, p.prepaid,
        )
        for p, number, rid in session.execute(stmt)
    ]
