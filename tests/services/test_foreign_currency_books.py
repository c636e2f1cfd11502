"""Foreign-currency invoices in the books: the receivable always carries what is owed at the locked rate (a settled
invoice no cent), each settlement's rounding going to exchange gain or loss; verify insists on it to the cent."""

from __future__ import annotations

from datetime import date

import pytest

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import credit_notes, integrity, invoices, ledger, payments, rates
from invoicer.services.invoices import LineData

from .helpers import make_open

ISSUED = date(2026, 11, 2)


def postings(db: Database, invoice_id: int) -> list[tuple[object, ...]]:
    with transaction(db.readonly_sessions) as s:
        number = invoices.get_invoice(s, invoice_id).number
        book = ledger.build_ledger(s)
        rows = [tuple(r) for t in book.tables if t.name == "journal" for r in t.rows()]
    return [r for r in rows if r[2] == number or str(r[3]).startswith("Credit")]


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
