"""Foreign-currency invoices in the books: the receivable always carries what is owed at the locked rate (a settled
invoice no cent), each settlement's rounding going to exchange gain or loss; verify insists on it to the cent."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from invoicer.core.errors import ValidationError
from invoicer.core.totals import owed_in_company_currency
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice
from invoicer.services import credit_notes, integrity, invoices, ledger, payments, rates
from invoicer.services.invoices import LineData

from .helpers import make_open

ISSUED = date(2026, 11, 2)


def postings(db: Database, invoice_id: int, date_from: date | None = None) -> list[tuple[object, ...]]:
    """The journal's rows of the invoice and of its credit notes (those of the period from ``date_from``)."""
    with transaction(db.readonly_sessions) as s:
        numbers = set(s.scalars(select(Invoice.number).where(
            (Invoice.id == invoice_id) | (Invoice.corrects_id == invoice_id))))
        book = ledger.build_ledger(s, date_from=date_from)
        rows = [tuple(r) for t in book.tables if t.name == "journal" for r in t.rows()]
    return [r for r in rows if r[2] in numbers]


def balance(rows: list[tuple[object, ...]], account: str) -> int:
    return sum(int(r[5] or 0) - int(r[6] or 0) for r in rows if r[4] == account)  # type: ignore[call-overload]


@pytest.fixture
def usd(seller: Database, customer_id: int) -> int:
    """119.00 USD at 0.9: 107.10 EUR receivable."""
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 10, 1))
    return make_open(seller, customer_id, ISSUED, currency="USD", lines=[LineData("Widget", "1", "100.00", "S", "19")])


def verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s)
    assert report.ok, report.summary()


def test_three_payments_at_the_locked_rate_leave_no_cent_in_receivables(seller: Database, usd: int) -> None:
    with transaction(seller.sessions) as s:
        for amount in (3967, 3967):  # 35.703 + 35.703 EUR: converted one by one, 71.40
            payments.record_payment(s, usd, amount, date(2026, 11, 12))
    assert balance(postings(seller, usd), "1200") == 3569  # 39.66 USD still owed: 35.694 EUR, not 107.10 - 71.40
    verified(seller)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, usd, 3966, date(2026, 11, 12))
    rows = postings(seller, usd)
    assert balance(rows, "1200") == 0
    assert balance(rows, "2150") == 1  # the cent the conversions lost is an exchange loss
    for entry in {r[0] for r in rows}:
        assert sum(int(r[5] or 0) - int(r[6] or 0) for r in rows if r[0] == entry) == 0  # type: ignore[call-overload]
    verified(seller)
    # the journal of a period after the invoice's issue posts the payments alike
    later = postings(seller, usd, date(2026, 11, 10))
    assert [r[1:] for r in later] == [r[1:] for r in rows if r[1] >= date(2026, 11, 10)]  # type: ignore[operator]


def test_a_credit_note_and_a_payment_at_another_rate_settle_the_receivable_exactly(
    seller: Database, usd: int
) -> None:
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9377", date(2026, 11, 10))
        # 10.71 + 48.195 + 48.195 EUR at the locked rate: converted one by one, 107.11
        credit_notes.issue_credit_note(s, usd, amount=1190, reason="Goodwill", issue_date=date(2026, 11, 5))
        payments.record_payment(s, usd, 5355, date(2026, 11, 11))
        payments.record_payment(s, usd, 5355, date(2026, 11, 12))
    rows = postings(seller, usd)
    assert balance(rows, "1200") == 0
    assert balance(rows, "2660") < 0  # the payment day's rate and the cent over are exchange gains
    verified(seller)
    with transaction(seller.sessions) as s:
        last = payments.list_payments(s, usd)[-1]
        payments.reverse_payment(s, last.id, "bounced", date(2026, 11, 13))
    assert balance(postings(seller, usd), "1200") == 4820  # 53.55 USD owed again: 48.195 EUR
    verified(seller)


steps = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 100), st.sampled_from(["0.8123", "0.9", "1.0377", None])),
    st.tuples(st.just("credit"), st.integers(1, 100), st.none()),
    st.tuples(st.just("reverse"), st.integers(0, 5), st.none()),
), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rate=st.sampled_from(["0.9", "0.85714", "1.1937", "162.4471"]), price=st.integers(1, 99_999),
       actions=steps)
def test_the_receivable_is_what_is_owed_at_the_locked_rate_after_any_settlements(
    seller: Database, customer_id: int, rate: str, price: int, actions: list[tuple[str, int, str | None]]
) -> None:
    """Payments (at other days' rates), credit notes and reversals in any order: the journal's receivable for the
    invoice is always what it owes valued at its locked rate, every entry balances, and verify agrees."""
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", rate, ISSUED)
    invoice_id = make_open(seller, customer_id, ISSUED, currency="USD",
                           lines=[LineData("Widget", "1", f"{price / 100:.2f}", "S", "19")])
    for action, share, paid_at in actions:
        with contextlib.suppress(ValidationError), transaction(seller.sessions) as s:  # refused: nothing changed
            invoice = invoices.get_invoice(s, invoice_id)
            if action == "pay":
                payments.record_payment(s, invoice_id, max(invoice.amount_due * share // 100, 1),
                                        date(2026, 11, 12), exchange_rate=paid_at)
            elif action == "credit":  # more than is left to credit is refused
                credit_notes.issue_credit_note(s, invoice_id, amount=max(invoice.total * share // 100, 1),
                                               reason="Goodwill", issue_date=date(2026, 11, 5))
            else:
                live = [p for p in payments.list_payments(s, invoice_id) if p.kind == "payment" and not p.reversed_by]
                if live:
                    payments.reverse_payment(s, live[share % len(live)].id, "bounced", date(2026, 11, 13))
    with transaction(seller.readonly_sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        owed = 0 if invoice.status == "uncollectible" else invoice.amount_due
        expected = owed_in_company_currency(owed, invoice.total, invoice.company_total, "USD", "EUR",
                                            invoice.exchange_rate or Decimal(1))
    rows = postings(seller, invoice_id)
    assert balance(rows, "1200") == expected
    for entry in {r[0] for r in rows}:
        assert sum(int(r[5] or 0) - int(r[6] or 0) for r in rows if r[0] == entry) == 0  # type: ignore[call-overload]
    verified(seller)
