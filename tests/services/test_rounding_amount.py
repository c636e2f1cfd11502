"""The rounding amount (BT-114) is part of what an invoice asks: paying the rounded amount settles it, on every path
that says what is owed (amount due, status, reminders, aged receivables, customer balances, statements, the
journal and verify, the PDF and the e-invoice), and a credit note that completes the invoice's credit carries it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import (
    credit_notes,
    customers,
    einvoicing,
    integrity,
    invoices,
    ledger,
    payments,
    rates,
    reminders,
    reports,
    statements,
    views,
)
from invoicer.services.invoices import LineData

from .helpers import make_open

DAY = date(2026, 11, 2)
# 1 x 100.01 + 19 % = 119.01, rounded down to 119.00; 3 x 33.33 + 19 % = 118.99, rounded up to 119.00
CASES = {"-0.01": LineData("Widget", "1", "100.01", "S", "19"), "0.01": LineData("Widget", "3", "33.33", "S", "19")}


def _open(db: Database, customer_id: int, rounding: str, **kw: object) -> int:
    return make_open(db, customer_id, DAY, lines=[CASES[rounding]], rounding_amount=rounding, **kw)


def _journal(db: Database) -> list[tuple[object, ...]]:
    with transaction(db.readonly_sessions) as s:
        table = next(t for t in ledger.build_ledger(s).tables if t.name == "journal")
        return [tuple(row) for row in table.rows()]


def _verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s)
    assert report.ok, report.summary()


def _balanced(rows: list[tuple[object, ...]]) -> None:
    """Every entry's debits equal its credits."""
    entries: dict[tuple[object, ...], int] = {}
    for row in rows:
        key = row[:4]
        debit, credit = (value if isinstance(value, int) else 0 for value in row[5:7])
        entries[key] = entries.get(key, 0) + debit - credit
    assert set(entries.values()) == {0}, entries


@pytest.mark.parametrize("rounding", CASES)
def test_paying_the_rounded_amount_settles_the_invoice(seller: Database, customer_id: int, rounding: str) -> None:
    invoice_id = _open(seller, customer_id, rounding)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.total, inv.rounding_amount, inv.amount_due) == (11900 - int(rounding.replace(".", "")), int(
            rounding.replace(".", "")), 11900)
        view = views.invoice_view(s, invoice_id, DAY)
        assert view.balance.amount_due == 11900 and not view.partially_paid
        (row,) = customers.list_customers(s)
        assert row.balance == 11900
        assert sum(r.total for r in reports.aged_receivables(s, DAY)) == 11900
        (listed,) = invoices.list_invoices(s, sort="amount_due")
        assert listed.amount_due == 11900 and not listed.partially_paid
        (reminder,) = [r for r in reminders.due_reminders(s, inv.due_date + timedelta(days=3)) if r.invoice_id
                       == invoice_id]
        assert reminder.amount_due == 11900
        payments.record_payment(s, invoice_id, 11900, DAY)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.status, inv.amount_due) == ("paid", 0)
        assert customers.list_customers(s)[0].balance == 0 and customers.list_customers(s)[0].credit == 0
        assert reports.aged_receivables(s, DAY) == []
        entries = statements.statement(s, customer_id)
        assert [e.amount for e in entries] == [11900, -11900] and entries[-1].balance == 0
    rows = _journal(seller)
    _balanced(rows)
    invoice_entry = {row[4]: (row[5] or 0, row[6] or 0) for row in rows if row[3] == "Invoice"}
    sign = int(rounding.replace(".", ""))
    assert invoice_entry["1200"] == (11900, 0)
    assert invoice_entry["4990"] == ((0, 1) if sign > 0 else (1, 0))  # the rounding account, not revenue or VAT
    _verified(seller)


def test_a_cent_short_of_the_rounded_amount_stays_due(seller: Database, customer_id: int) -> None:
    invoice_id = _open(seller, customer_id, "0.01")
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 11899, DAY)  # the grand total, without the rounding
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.status, inv.amount_due) == ("open", 1)
        assert invoices.list_invoices(s, invoices.InvoiceFilter(status="partially paid"))[0].id == invoice_id
    _verified(seller)


@pytest.mark.parametrize("rounding", CASES)
def test_a_full_credit_note_cancels_the_invoice_to_the_cent(seller: Database, customer_id: int, rounding: str) -> None:
    invoice_id = _open(seller, customer_id, rounding)
    with transaction(seller.sessions) as s:
        settled = credit_notes.issue_credit_note(s, invoice_id, full=True)
        assert (settled.applied_to_due, settled.to_customer_credit) == (11900, 0)
        inv = invoices.get_invoice(s, invoice_id)
        note = invoices.get_invoice(s, settled.credit_note_id, "credit_note")
        assert (inv.status, inv.amount_due, note.rounding_amount) == ("paid", 0, inv.rounding_amount)
        assert customers.list_customers(s)[0].credit == 0
        _, xml = einvoicing.document_einvoice(s, note, EInvoiceFormat.FACTURX)
        assert validate(xml, EInvoiceFormat.FACTURX).ok
        assert "<ram:DuePayableAmount>119.00</ram:DuePayableAmount>" in xml.decode()
    _balanced(_journal(seller))
    _verified(seller)


def test_line_credits_in_parts_the_last_one_takes_the_rounding(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id, DAY, rounding_amount="-0.01", lines=[
        LineData("Widget", "1", "50.00", "S", "19"), LineData("Gadget", "1", "50.01", "S", "19")])
    with transaction(seller.sessions) as s:
        first, second = (line.id for line in invoices.get_invoice(s, invoice_id).lines)
        a = credit_notes.issue_credit_note(s, invoice_id, lines=[credit_notes.CreditLine(first, "1")])
        b = credit_notes.issue_credit_note(s, invoice_id, lines=[credit_notes.CreditLine(second, "1")])
        assert [invoices.get_invoice(s, x.credit_note_id, "credit_note").rounding_amount for x in (a, b)] == [0, -1]
        assert a.applied_to_due + b.applied_to_due == 11900 and a.to_customer_credit + b.to_customer_credit == 0
        assert invoices.get_invoice(s, invoice_id).status == "paid"
    _verified(seller)


def test_the_issued_documents_ask_for_the_rounded_amount(seller: Database, customer_id: int) -> None:
    invoice_id = _open(seller, customer_id, "-0.01")
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 5000, DAY)
        inv = invoices.get_invoice(s, invoice_id)
        _, xml = einvoicing.document_einvoice(s, inv, EInvoiceFormat.FACTURX)
        text = xml.decode()  # as issued: nothing prepaid, the rounded amount due
        assert "<ram:RoundingAmount>-0.01</ram:RoundingAmount>" in text
        assert "<ram:DuePayableAmount>119.00</ram:DuePayableAmount>" in text
        assert views.invoice_view(s, invoice_id, DAY).balance.amount_due == 6900


def test_another_currency_books_the_rounding_at_the_locked_rate(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 10, 1))
    invoice_id = _open(seller, customer_id, "-0.01", currency="USD")
    _verified(seller)
    with transaction(seller.sessions) as s:
        assert sum(r.company_total for r in reports.aged_receivables(s, DAY)) == 10710  # 119.00 USD at 0.9
        payments.record_payment(s, invoice_id, 11900, DAY)
        assert invoices.get_invoice(s, invoice_id).status == "paid"
    rows = _journal(seller)
    _balanced(rows)
    assert {row[4]: (row[5] or 0, row[6] or 0) for row in rows if row[3] == "Invoice"}["4990"] == (1, 0)
    _verified(seller)
