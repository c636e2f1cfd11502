"""The customer's statement of account: every document and payment with a running balance."""

from __future__ import annotations

from datetime import date

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import credit_notes, invoices, payments, statements

from .helpers import make_draft, make_open

TOTAL = 47703


def test_statement_runs_the_balance_and_names_what_each_payment_paid(seller: Database, customer_id: int) -> None:
    first = make_open(seller, customer_id, date(2026, 11, 2))
    second = make_open(seller, customer_id, date(2026, 11, 3))
    make_draft(seller, customer_id)  # drafts are not on a statement
    with transaction(seller.sessions) as s:
        payments.record_payment(s, first, TOTAL, date(2026, 11, 10), reference="BANK-7")
        note = credit_notes.issue_credit_note(s, second, amount=1000, issue_date=date(2026, 11, 11))
        payments.record_payment(s, second, 5000, date(2026, 11, 12))
        numbers = {i: invoices.get_invoice(s, i).number for i in (first, second)}
        rows = statements.statement(s, customer_id)
    assert [(r.kind, r.reference, r.amount) for r in rows] == [
        ("invoice", numbers[first], TOTAL),
        ("invoice", numbers[second], TOTAL),
        ("payment", f"{numbers[first]} · BANK-7", -TOTAL),
        ("credit_note", note.number, -note.total),
        ("payment", numbers[second], -5000),
    ]
    assert [r.balance for r in rows][-1] == TOTAL - note.total - 5000
    with transaction(seller.sessions) as s:
        assert rows[-1].balance == invoices.get_invoice(s, second).amount_due
