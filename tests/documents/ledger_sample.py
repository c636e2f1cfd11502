"""A small database with every case the ledger must show: currencies, payments, reversals, credit, credit notes,
void, write-off and recovery, line rounding. Used by the ledger and CSV tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_database
from invoicer.services import company, credit_notes, customers, invoices, payments
from invoicer.services.invoices import DraftData, LineData


def open_empty(folder: Path) -> Database:
    db = open_database(folder, daily_backup=False)
    with transaction(db.sessions) as s:
        company.update_company(
            s, name="Muster GmbH", address="Hauptstr. 1", postcode="10115", city="Berlin", country="DE",
            vat_id="DE123456788", currency="EUR", locale="de_DE",
        )
    return db


def _invoice(s, customer_id: int, day: date, lines: list[LineData], rate: str | None = None,
             rounding: str | None = None) -> int:
    invoice_id = invoices.create_draft(s, DraftData(customer_id, lines, issue_date=day, tax_rounding=rounding))
    invoices.finalize_invoice(s, invoice_id, exchange_rate=rate)
    return invoice_id


def build(folder: Path) -> Database:
    """A new database in ``folder`` with a company and the sample documents."""
    return fill(open_empty(folder))


def fill(db: Database) -> Database:
    """The sample: company in EUR; customers in EUR, USD and JPY; documents from January to March 2024."""
    with transaction(db.sessions) as s:
        anna = customers.add_customer(s, customers.CustomerData(
            name="Anna, \"Die Bäckerei\"", country="DE", email="anna@example.com", vat_id="DE136695976"))
        bob = customers.add_customer(s, customers.CustomerData(name="Bob Inc.", country="US", currency="USD"))
        kenji = customers.add_customer(s, customers.CustomerData(name="Kenji KK", country="JP", currency="JPY"))
        std = [
            LineData("Beratung\nvor Ort", "3", "99.99", "S", "19", unit="HUR"),
            LineData("Buch", "2", "12.35", "S", "7", discount_percent="10"),
        ]
        # 1: paid in two parts
        one = _invoice(s, anna, date(2024, 1, 10), std)
        payments.record_payment(s, one, 10000, date(2024, 1, 20), "bank transfer", "R-1")
        payments.record_payment(s, one, invoices.get_invoice(s, one).amount_due, date(2024, 2, 5), "bank transfer")
        # 2: overpaid; the excess becomes customer credit
        two = _invoice(s, anna, date(2024, 1, 15), [LineData("Service", "1", "100", "S", "19")])
        payments.record_payment(s, two, 12500, date(2024, 1, 25), "cash")
        # 3: open, partly paid with the credit, one line in line-rounding mode
        three = _invoice(s, anna, date(2024, 1, 31), [
            LineData("Teil A", "1", "10.005", "S", "19"), LineData("Teil B", "1", "10.005", "S", "19"),
        ], rounding="line")
        payments.apply_credit(s, three, on=date(2024, 2, 1))
        # 4: USD at a locked rate; a payment and its reversal
        four = _invoice(s, bob, date(2024, 2, 1), [LineData("Export job", "1", "1000", "G", "0")], rate="0.9123")
        paid = payments.record_payment(s, four, 40000, date(2024, 2, 10), "card")
        payments.reverse_payment(s, paid, "card charged back", on=date(2024, 2, 12))
        # 5: credited twice: reduces the amount due, then refunds on the paid invoice
        five = _invoice(s, anna, date(2024, 2, 3), std)
        credit_notes.issue_credit_note(s, five, amount=5000, reason="Rabatt", issue_date=date(2024, 2, 4))
        payments.record_payment(s, five, invoices.get_invoice(s, five).amount_due, date(2024, 2, 6), "cash")
        credit_notes.issue_credit_note(s, five, amount=1000, reason="Kulanz", refund=True, issue_date=date(2024, 2, 7))
        # 6: void
        six = _invoice(s, anna, date(2024, 2, 8), [LineData("Storno", "1", "50", "S", "19")])
        invoices.void_invoice(s, six, "typo")
        # 7: JPY, partly paid, written off, then money arrives after all (bad debt recovered)
        seven = _invoice(s, kenji, date(2024, 2, 9), [LineData("Lizenz", "3", "3333", "S", "19")], rate="0.0062")
        payments.record_payment(s, seven, 1000, date(2024, 2, 20), "bank transfer")
        invoices.mark_uncollectible(s, seven, "insolvent", on=date(2024, 2, 25))
        payments.record_payment(s, seven, 2000, date(2024, 3, 1), "bank transfer")
        # 8: open and overdue in March
        _invoice(s, anna, date(2024, 3, 5), [LineData("Wartung", "1", "250", "S", "19")])
    return db
