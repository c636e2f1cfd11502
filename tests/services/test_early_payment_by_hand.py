"""An early-payment discount taken on a payment typed in by hand: the discounted amount within the period settles
the invoice with a credit note of the discount, as a bank transfer does (one rule: core.early_payment); another
amount, a day too late, or the discount declined is an ordinary part payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from invoicer.core.early_payment import DiscountOffer, DiscountTerms, offer
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import credit_notes, early_payment, invoices

from .helpers import make_draft

# make_draft's invoice: 477.03, issued 2026-11-02; 2 % within 10 days: 467.49 until 2026-11-12, discount 9.54
OFFER = DiscountOffer(46749, 954, date(2026, 11, 12))


def _with_discount(db: Database, customer_id: int) -> int:
    draft = make_draft(db, customer_id)
    with transaction(db.sessions) as s:
        early_payment.set_terms(s, draft, "2", 10)
        invoices.finalize_invoice(s, draft)
    return draft


def test_the_rule_of_when_a_payment_takes_the_discount() -> None:
    terms = DiscountTerms(percent=Decimal(2), days=10)
    assert offer(terms, 47703, 47703, 47703, date(2026, 11, 2)) == OFFER
    assert offer(terms, 47703, 47703, 47000, date(2026, 11, 2)) is None  # part paid: the terms are on the whole invoice
    assert offer(None, 47703, 47703, 47703, date(2026, 11, 2)) is None
    assert OFFER.taken(46749, date(2026, 11, 12)) == 954
    assert OFFER.taken(46749, date(2026, 11, 13)) == 0  # a day late
    assert OFFER.taken(46750, date(2026, 11, 5)) == 0  # another amount


def test_the_discounted_amount_within_the_period_settles_the_invoice(seller: Database, customer_id: int) -> None:
    inv = _with_discount(seller, customer_id)
    with transaction(seller.sessions) as s:
        assert early_payment.offer_of(s, inv) == OFFER
        paid = early_payment.record_payment(s, inv, 46749, date(2026, 11, 10), "30", "hand-1")
        assert paid.discount == 954 and paid.credit_note_id is not None
        invoice = invoices.get_invoice(s, inv)
        assert (invoice.status, invoice.amount_due, invoice.paid, invoice.credited) == ("paid", 0, 46749, 954)
        note = invoices.get_invoice(s, paid.credit_note_id, "credit_note")
        # the VAT the discount contains is corrected, dated on the payment day
        assert note.total == 954 and 0 < note.tax_total < 954 and note.issue_date == date(2026, 11, 10)
        assert [n.id for n in credit_notes.list_credit_notes(s, inv)] == [paid.credit_note_id]
        assert early_payment.offer_of(s, inv) is None  # paid: nothing offered any more


def test_declined_late_or_another_amount_is_a_part_payment(seller: Database, customer_id: int) -> None:
    declined, late, other = (_with_discount(seller, customer_id) for _ in range(3))
    with transaction(seller.sessions) as s:
        for inv, amount, day, apply in ((declined, 46749, date(2026, 11, 10), False),
                                        (late, 46749, date(2026, 11, 13), True),
                                        (other, 40000, date(2026, 11, 5), True)):
            paid = early_payment.record_payment(s, inv, amount, day, apply_discount=apply)
            assert (paid.discount, paid.credit_note_id) == (0, None)
            invoice = invoices.get_invoice(s, inv)
            assert (invoice.status, invoice.amount_due) == ("open", 47703 - amount)
        # once part of it is paid, the rest is no discounted amount
        assert early_payment.offer_of(s, other) is None
        assert early_payment.record_payment(s, other, 7703, date(2026, 11, 6)).discount == 0
        assert invoices.get_invoice(s, other).status == "paid"
