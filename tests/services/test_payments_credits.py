"""Payments, overpayments, reversals, customer credit, and credit notes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db import triggers
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import credit_notes, customers, integrity, invoices, payments
from invoicer.services.credit_notes import CreditLine
from invoicer.services.invoices import LineData

from .helpers import make_draft, make_open

TOTAL = 47703  # three_lines(): 403.89 net + 73.14 VAT


def state(db: Database, invoice_id: int) -> tuple[str, int, int, int]:
    with transaction(db.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        return inv.status, inv.paid, inv.credited, inv.amount_due


def assert_verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s)
    assert report.ok, report.summary()


def test_partial_then_full_payment(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 10000, date(2026, 11, 5), "bank transfer", "TX-1")
    assert state(seller, inv) == ("open", 10000, 0, TOTAL - 10000)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, TOTAL - 10000, date(2026, 11, 6))
        assert invoices.get_invoice(s, inv).paid_at is not None
    assert state(seller, inv) == ("paid", TOTAL, 0, 0)
    assert_verified(seller)


def test_overpayment_becomes_credit_that_pays_another_invoice(seller: Database, customer_id: int) -> None:
    first = make_open(seller, customer_id)
    second = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, first, TOTAL + 5000, date(2026, 11, 5))
        assert payments.customer_credit(s, customer_id, "EUR") == 5000
        payments.apply_credit(s, second)
        assert payments.customer_credit(s, customer_id, "EUR") == 0
    assert state(seller, first)[0] == "paid"
    assert state(seller, second) == ("open", 5000, 0, TOTAL - 5000)
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="no credit"):
        payments.apply_credit(s, second)
    assert_verified(seller)


def test_same_reference_is_not_recorded_twice(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 100, reference="BANK-42")
    with transaction(seller.sessions) as s, pytest.raises(ConflictError, match="BANK-42"):
        payments.record_payment(s, inv, 100, reference="BANK-42")
    assert state(seller, inv)[1] == 100


def test_a_reference_is_the_customers_own(seller: Database, customer_id: int) -> None:
    """One payer's reference on another of its invoices is the same money; another payer's is not."""
    first, second = make_open(seller, customer_id), make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        other = customers.add_customer(s, customers.CustomerData(name="Other SARL", country="FR"))
    third = make_open(seller, other)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, first, 100, reference="CHQ-000123")
    with transaction(seller.sessions) as s, pytest.raises(ConflictError, match="CHQ-000123"):
        payments.record_payment(s, second, 100, reference="CHQ-000123")
    with transaction(seller.sessions) as s:
        payments.record_payment(s, third, 100, reference="CHQ-000123")
        payments.record_payment(s, second, 100, reference=" ")  # no reference: never a duplicate
        payments.record_payment(s, second, 100, reference="")
    assert [state(seller, i)[1] for i in (first, second, third)] == [100, 200, 100]
    assert_verified(seller)


def test_the_database_refuses_a_reference_another_desk_recorded_meanwhile(
    seller: Database, customer_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the database's rule (trigger, 0028) says when the service's own check came too early (the other desk had not committed
    yet): a clear message, and nothing of the second payment is kept."""
    first, second = make_open(seller, customer_id), make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, first, 100, reference="BANK-7")
    monkeypatch.setattr(payments, "_twin", lambda *_args: None)
    with transaction(seller.sessions) as s, pytest.raises(ConflictError, match="at the same moment"):
        payments.record_payment(s, second, 100, reference="BANK-7")
    assert state(seller, second)[1] == 0


def test_a_reversed_payment_frees_its_reference_for_the_corrected_one(seller: Database, customer_id: int) -> None:
    """The bank's reference was booked with the wrong amount: reversed, the payment no longer stands, so the
    corrected one with the same reference is recorded; while it stands, the reference is refused again."""
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        wrong = payments.record_payment(s, inv, 1000, reference="BANK-99")
        payments.reverse_payment(s, wrong, "wrong amount")
    with transaction(seller.sessions) as s:
        corrected = payments.record_payment(s, inv, 100, reference="BANK-99")
    with transaction(seller.sessions) as s, pytest.raises(ConflictError, match=f"BANK-99.*payment {corrected}"):
        payments.record_payment(s, inv, 100, reference="BANK-99")
    assert state(seller, inv)[1] == 100
    assert_verified(seller)


def test_the_database_itself_refuses_a_second_standing_reference(seller: Database, customer_id: int) -> None:
    """Written past the service (as psql would): the database's rule, not only the service's check."""
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        first = payments.record_payment(s, inv, 100, reference="BANK-5")
    insert = text("INSERT INTO payments (kind, invoice_id, customer_id, currency, amount, applied, excess, paid_on,"
                  " reference, created_at) SELECT 'payment', invoice_id, customer_id, currency, 1, 0, 1, paid_on,"
                  " reference, created_at FROM payments WHERE id = :id")
    with pytest.raises(DBAPIError, match=triggers.REFERENCE_TAKEN), transaction(seller.sessions) as s:
        s.execute(insert, {"id": first})
    with transaction(seller.sessions) as s:
        payments.reverse_payment(s, first)
    with transaction(seller.sessions) as s:
        s.execute(insert, {"id": first})  # the reversed one no longer stands


@pytest.mark.parametrize("amount", [0, -5])
def test_bad_payment_amounts(seller: Database, customer_id: int, amount: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s, pytest.raises(ValidationError):
        payments.record_payment(s, inv, amount)


def test_drafts_and_void_invoices_take_no_payment(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    void = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, void)
        with pytest.raises(ValidationError, match="draft"):
            payments.record_payment(s, draft, 100)
        with pytest.raises(ValidationError, match="void"):
            payments.record_payment(s, void, 100)


def test_reversal_reopens_a_paid_invoice_and_is_audited(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        pid = payments.record_payment(s, inv, TOTAL, reference="BOUNCE")
    with transaction(seller.sessions) as s:
        payments.reverse_payment(s, pid, "bounced")
        with pytest.raises(ConflictError, match="already reversed"):
            payments.reverse_payment(s, pid)
    assert state(seller, inv) == ("open", 0, 0, TOTAL)
    with transaction(seller.sessions) as s:
        rows = payments.list_payments(s, inv)
        assert [(r.kind, r.amount) for r in rows] == [("payment", TOTAL), ("reversal", -TOTAL)]
        assert rows[0].reversed_by == rows[1].id
    assert_verified(seller)


def test_uncollectible_invoice_still_becomes_paid(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv)
        payments.record_payment(s, inv, TOTAL)
    assert state(seller, inv)[0] == "paid"


def test_full_credit_note_on_open_invoice(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        result = credit_notes.issue_credit_note(s, inv, full=True, reason="cancelled", issue_date=date(2026, 11, 3))
        note = invoices.get_invoice(s, result.credit_note_id, "credit_note")
        assert result.number == "CN-2026-00001"
        assert (note.total, note.corrects_id, note.status) == (TOTAL, inv, "issued")
        assert [x.net for x in note.lines] == [x.net for x in invoices.get_invoice(s, inv).lines]
    assert state(seller, inv) == ("paid", 0, TOTAL, 0)
    assert_verified(seller)


def test_partial_credit_by_lines_and_the_limit(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        line_ids = [x.id for x in invoices.get_invoice(s, inv).lines]
        result = credit_notes.issue_credit_note(s, inv, lines=[CreditLine(line_ids[0], "1")],
                                                issue_date=date(2026, 11, 3))
        assert result.total == 10800 + 2052  # 1 of 3 hours at 120 less 10 % = 108.00 + 19 % VAT
        with pytest.raises(ValidationError, match="only 2 left"):
            credit_notes.issue_credit_note(s, inv, lines=[CreditLine(line_ids[0], "3")], issue_date=date(2026, 11, 3))
    assert state(seller, inv)[2] == 12852


def test_credit_on_paid_invoice_goes_to_customer_credit_or_refund(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, TOTAL, date(2026, 11, 4))
        credit = credit_notes.issue_credit_note(s, inv, amount=5000, issue_date=date(2026, 11, 5))
        refund = credit_notes.issue_credit_note(s, inv, amount=1000, refund=True, issue_date=date(2026, 11, 5))
        assert (credit.applied_to_due, credit.to_customer_credit) == (0, credit.total)
        assert (refund.refunded, refund.to_customer_credit) == (refund.total, 0)
        assert payments.customer_credit(s, customer_id, "EUR") == credit.total
    assert_verified(seller)


def test_credit_amount_spreads_over_rates_and_never_exceeds_the_total(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        part = credit_notes.issue_credit_note(s, inv, amount=10000, issue_date=date(2026, 11, 3))
        assert 9998 <= part.total <= 10000  # net + per-rate VAT may not reach every cent exactly
        with pytest.raises(ValidationError, match="cannot exceed the invoice total"):
            credit_notes.issue_credit_note(s, inv, amount=TOTAL, issue_date=date(2026, 11, 3))
        rest = credit_notes.issue_credit_note(s, inv, full=True, issue_date=date(2026, 11, 3))
        assert part.total + rest.total <= TOTAL
    assert_verified(seller)


def test_open_invoice_credit_reduces_due_first_then_credit(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, TOTAL - 1000, date(2026, 11, 4))
        result = credit_notes.issue_credit_note(s, inv, full=True, issue_date=date(2026, 11, 5))
        assert (result.applied_to_due, result.to_customer_credit) == (1000, TOTAL - 1000)
    assert state(seller, inv) == ("paid", TOTAL - 1000, 1000, 0)
    assert_verified(seller)


def test_credit_refusals(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    void = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, void)
        with pytest.raises(ValidationError, match="open or paid"):
            credit_notes.issue_credit_note(s, draft, full=True)
        with pytest.raises(ValidationError, match="open or paid"):
            credit_notes.issue_credit_note(s, void, full=True)
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError, match="exactly one"):
            credit_notes.issue_credit_note(s, inv, full=True, amount=100)
        with pytest.raises(ValidationError, match="before the document"):
            credit_notes.issue_credit_note(s, inv, full=True, issue_date=date(2026, 1, 1))


def test_paid_invoice_cannot_be_voided(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 100)
        with pytest.raises(ValidationError, match="payments or credit notes"):
            invoices.void_invoice(s, inv)


def test_jpy_invoice(seller: Database) -> None:
    from invoicer.services import customers, rates

    with transaction(seller.sessions) as s:
        cid = customers.add_customer(s, customers.CustomerData(name="Tokyo KK", country="JP", currency="JPY"))
        rates.set_rate(s, "JPY", "0.0061", date(2026, 1, 1))
    inv = make_open(seller, cid, lines=[LineData("Export", "3", "333.5", "G", "0")])
    with transaction(seller.sessions) as s:
        doc = invoices.get_invoice(s, inv)
        assert (doc.total, doc.company_total) == (1001, 611)  # 1000.5 JPY -> 1001; x 0.0061 = 6.1061 EUR
        payments.record_payment(s, inv, 1001)
    assert state(seller, inv)[0] == "paid"
