"""Money on every path: line credits with document allowances, discounts, dates, currencies, credit per currency."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import credit_notes, customers, integrity, invoices, ledger, payments, rates, settings
from invoicer.services.credit_notes import CreditLine
from invoicer.services.invoices import AdjustmentData, LineData

from .helpers import make_draft, make_open

DAY = date(2026, 11, 2)


def verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s)
    assert report.ok, report.summary()


def line_ids(db: Database, invoice_id: int) -> list[int]:
    with transaction(db.readonly_sessions) as s:
        return [line.id for line in invoices.get_invoice(s, invoice_id).lines]


def test_a_line_credit_carries_its_share_of_the_document_allowance(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, lines=[LineData("Widget", "2", "100.00", "S", "19")],
                    adjustments=[AdjustmentData("100.00", "S", "19", is_charge=False)])
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 11900, DAY)
    (line,) = line_ids(seller, inv)
    with transaction(seller.sessions) as s:
        first = credit_notes.issue_credit_note(s, inv, lines=[CreditLine(line, "1")], issue_date=DAY)
        second = credit_notes.issue_credit_note(s, inv, lines=[CreditLine(line, "1")], issue_date=DAY)
    assert (first.total, second.total) == (5950, 5950)
    verified(seller)


def test_three_single_hours_credit_a_35_69_invoice_exactly(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, lines=[LineData("Support", "3", "9.9967", "S", "19", "HUR")])
    (line,) = line_ids(seller, inv)
    totals = []
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, inv).total == 3569
        for _ in range(3):
            totals.append(credit_notes.issue_credit_note(s, inv, lines=[CreditLine(line, "1")], issue_date=DAY).total)
        assert invoices.get_invoice(s, inv).amount_due == 0
    assert sum(totals) == 3569
    verified(seller)


def test_crediting_every_line_of_several_rates_gives_exactly_the_invoice(seller: Database, customer_id: int) -> None:
    inv = make_open(
        seller, customer_id,
        lines=[LineData("Consulting", "3", "120.00", "S", "19", discount_percent="10"),
               LineData("Book", "2", "14.995", "S", "7"), LineData("Hosting", "1", "49.90", "S", "19")],
        adjustments=[AdjustmentData("20.00", "S", "19", is_charge=False),
                     AdjustmentData("9.90", "S", "19", is_charge=True), AdjustmentData("1.50", "S", "7", is_charge=True)],
    )
    ids = line_ids(seller, inv)
    with transaction(seller.sessions) as s:
        invoice = invoices.get_invoice(s, inv)
        total, taxes = invoice.total, {(t.category, t.rate): (t.basis, t.amount) for t in invoice.taxes}
        notes = [credit_notes.issue_credit_note(s, inv, lines=[CreditLine(ids[0], "1"), CreditLine(ids[1], "1")],
                                                issue_date=DAY),
                 credit_notes.issue_credit_note(s, inv, lines=[CreditLine(ids[0], "2")], issue_date=DAY),
                 credit_notes.issue_credit_note(s, inv, lines=[CreditLine(ids[1], "1"), CreditLine(ids[2], "1")],
                                                issue_date=DAY)]
        credited: dict[tuple[str, object], tuple[int, int]] = {}
        for result in notes:
            for t in invoices.get_invoice(s, result.credit_note_id, "credit_note").taxes:
                basis, tax = credited.get((t.category, t.rate), (0, 0))
                credited[(t.category, t.rate)] = (basis + t.basis, tax + t.amount)
    assert sum(n.total for n in notes) == total
    assert credited == taxes
    verified(seller)


def test_finalize_refuses_an_issue_date_in_the_future(seller: Database, customer_id: int) -> None:
    ahead = make_draft(seller, customer_id, date.today() + timedelta(days=3))
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="in the future"):
        invoices.finalize_invoice(s, ahead)
    assert make_open(seller, customer_id, date.today())  # nothing dated ahead blocks today's invoices
    with transaction(seller.sessions) as s:
        settings.put(s, "invoice.future_days", 3)
    with transaction(seller.sessions) as s:
        assert invoices.finalize_invoice(s, ahead)


def journal(db: Database, date_to: date | None = None) -> list[tuple[object, ...]]:
    with transaction(db.readonly_sessions) as s:
        table = next(t for t in ledger.build_ledger(s, date_to=date_to).tables if t.name == "journal")
        return [tuple(row) for row in table.rows()]


@pytest.mark.parametrize("action", ["void", "write_off", "credit", "apply_credit", "pay"])
def test_every_action_is_dated_not_ahead_and_not_before_the_document(
    seller: Database, customer_id: int, action: str
) -> None:
    if action == "apply_credit":
        other = make_open(seller, customer_id, date(2026, 10, 1))
        with transaction(seller.sessions) as s:
            payments.record_payment(s, other, 100000, date(2026, 10, 2))
    inv = make_open(seller, customer_id, DAY)
    act = {
        "void": lambda s, day: invoices.void_invoice(s, inv, on=day),
        "write_off": lambda s, day: invoices.mark_uncollectible(s, inv, on=day),
        "credit": lambda s, day: credit_notes.issue_credit_note(s, inv, amount=100, issue_date=day),
        "apply_credit": lambda s, day: payments.apply_credit(s, inv, 100, on=day),
        "pay": lambda s, day: payments.record_payment(s, inv, 100, day),
    }[action]
    for wrong, message in ((DAY - timedelta(days=1), "before the document"),
                           (date.today() + timedelta(days=1), "in the future")):
        with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=message):
            act(s, wrong)
    with transaction(seller.sessions) as s:
        act(s, DAY + timedelta(days=3))
    verified(seller)


def test_a_reversal_is_dated_and_not_before_its_payment(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, DAY)
    with transaction(seller.sessions) as s:
        paid = payments.record_payment(s, inv, 1000, DAY + timedelta(days=5))
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="before"):
        payments.reverse_payment(s, paid, on=DAY + timedelta(days=4))
    with transaction(seller.sessions) as s:
        reversal = payments.reverse_payment(s, paid, on=DAY + timedelta(days=6))
        assert [p.paid_on for p in payments.list_payments(s, inv) if p.id == reversal] == [DAY + timedelta(days=6)]


def test_the_journal_posts_a_write_off_on_its_own_date(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, DAY)
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv, "insolvent", on=date(2026, 11, 20))
    written = [row for row in journal(seller) if row[3] == "Written off as uncollectible"]
    assert {row[1] for row in written} == {date(2026, 11, 20)}


def test_credit_in_another_currency_than_the_billing_one_is_shown(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 10, 1))
    usd = make_open(seller, customer_id, DAY, currency="USD", lines=[LineData("Widget", "1", "100.00", "S", "19")])
    with transaction(seller.sessions) as s:
        payments.record_payment(s, usd, 12900, DAY)
        (row,) = customers.list_customers(s)
    assert row.currency == "EUR" and row.credit == 0
    assert row.credits == (("USD", 1000),)


def test_customer_balance_and_credit_as_of_a_day_follow_dated_events(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, DAY, lines=[LineData("Widget", "1", "100.00", "S", "19")])
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 5000, date(2026, 11, 10))
        payments.record_payment(s, inv, 10000, date(2026, 11, 20))  # 31.00 over: customer credit
        before, between, after = (customers.list_customers(s, as_of=day)[0]
                                  for day in (date(2026, 11, 5), date(2026, 11, 15), date(2026, 11, 25)))
    assert (before.balance, before.credit) == (11900, 0)
    assert (between.balance, between.credit) == (6900, 0)
    assert (after.balance, after.credit) == (0, 3100)


@pytest.mark.parametrize(("country", "vat_id", "unit", "category"), [
    ("FR", "FR40303265045", "C62", "K"), ("FR", "FR40303265045", "HUR", "AE"), ("US", None, "C62", "G"),
    ("DE", None, "C62", "Z"),
])
def test_a_zero_rate_line_without_category_is_derived_from_the_customer(
    seller: Database, country: str, vat_id: str | None, unit: str, category: str
) -> None:
    with transaction(seller.sessions) as s:
        buyer = customers.add_customer(s, customers.CustomerData(name="Buyer", country=country, vat_id=vat_id))
        draft = invoices.create_draft(s, invoices.DraftData(
            buyer, [LineData("Thing", "1", "10.00", None, "0", unit), LineData("Taxed", "1", "10.00", None, "19")]))
        assert [(x.tax_category, x.tax_rate) for x in invoices.get_invoice(s, draft).lines] == [
            (category, 0), ("S", 19)]


def test_a_foreign_currency_payment_posts_the_exchange_difference(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 10, 1))
        rates.set_rate(s, "USD", "0.95", date(2026, 11, 10))
    usd = make_open(seller, customer_id, DAY, currency="USD", lines=[LineData("Widget", "1", "100.00", "S", "19")])
    with transaction(seller.sessions) as s:
        payments.record_payment(s, usd, 11900, date(2026, 11, 12))  # 119.00 USD: 113.05 EUR, booked 107.10
    postings = [row for row in journal(seller) if row[3].startswith("Payment")]
    by_account = {row[4]: (row[5] or 0, row[6] or 0) for row in postings}
    assert by_account == {"1000": (11305, 0), "1200": (0, 10710), "2660": (0, 595)}
    with transaction(seller.sessions) as s:
        (paid,) = payments.list_payments(s, usd)
        payments.reverse_payment(s, paid.id, "bounced", date(2026, 11, 13))
    reversal = [row for row in journal(seller) if row[3].startswith("Reversal")]
    assert {row[4]: (row[5] or 0, row[6] or 0) for row in reversal} == {"1000": (0, 11305), "1200": (10710, 0),
                                                                         "2660": (595, 0)}
