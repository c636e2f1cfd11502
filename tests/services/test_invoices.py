"""Drafts, finalize, numbering, freezing, void and write-off."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoicer.core.errors import FrozenError, NotFoundError, TransitionError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, ChainLink, Invoice, NumberCounter
from invoicer.services import company, customers, invoices, rates, settings
from invoicer.services.invoices import DraftData, LineData

from .helpers import make_draft, make_open, refused_by_database, three_lines


def test_a_draft_has_no_number_and_is_freely_edited_and_deleted(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, draft)
        assert inv.number is None and inv.status == "draft"
        assert inv.total == 32400 + 2999 + 4990 + 7104 + 210  # nets + VAT 19 % on 373.90, 7 % on 29.99
        assert inv.due_date == date(2026, 12, 2)  # 30 days' terms
        data = invoices.draft_data(inv)
        data.lines = data.lines[:1]
        invoices.update_draft(s, draft, data)
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, draft).total == 32400 + 6156
        invoices.delete_draft(s, draft)
    with transaction(seller.sessions) as s:
        with pytest.raises(NotFoundError):
            invoices.get_invoice(s, draft)
        assert s.scalar(select(func.count()).select_from(NumberCounter)) == 0  # nothing was taken


def test_finalize_needs_the_company_profile(db: Database) -> None:
    with transaction(db.sessions) as s:
        company.update_company(s, country="DE", currency="EUR", locale="de_DE")
        cid = customers.add_customer(s, customers.CustomerData(name="X", country="DE"))
    draft = make_draft(db, cid)
    with transaction(db.sessions) as s, pytest.raises(ValidationError, match="company profile"):
        invoices.finalize_invoice(s, draft)


def test_finalize_numbers_snapshots_and_is_idempotent(seller: Database, customer_id: int) -> None:
    first = make_open(seller, customer_id)
    second = make_draft(seller, customer_id, date(2026, 11, 3))
    with transaction(seller.sessions) as s:
        assert invoices.finalize_invoice(s, second) == "INV-2026-00002"
        assert invoices.finalize_invoice(s, second) == "INV-2026-00002"  # twice: same number, nothing consumed
        inv = invoices.get_invoice(s, first)
        assert inv.number == "INV-2026-00001" and inv.status == "open"
        assert '"name": "ACME SARL"' in inv.customer_snapshot
        assert "Müller & Söhne GmbH" in inv.seller_snapshot
        assert s.scalar(select(NumberCounter.last_seq)) == 2
        assert s.scalar(select(func.count()).select_from(ChainLink)) == 2
        # later changes to the customer do not touch the issued document
        c = customers.get_customer(s, customer_id)
        customers.update_customer(s, customer_id, customers.CustomerData(name="ACME Renamed", country=c.country))
    with transaction(seller.sessions) as s:
        assert '"name": "ACME SARL"' in invoices.get_invoice(s, first).customer_snapshot


def test_a_rollback_takes_no_number(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    with pytest.raises(RuntimeError), transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
        raise RuntimeError("crash after finalize, before commit")
    with transaction(seller.sessions) as s:
        assert invoices.finalize_invoice(s, draft) == "INV-2026-00001"


def test_finalized_invoices_are_frozen_in_services_and_database(seller: Database, customer_id: int) -> None:
    inv_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        data = invoices.draft_data(invoices.get_invoice(s, inv_id))
        with pytest.raises(FrozenError):
            invoices.update_draft(s, inv_id, data)
        with pytest.raises(FrozenError):
            invoices.delete_draft(s, inv_id)
    for sql in (
        "UPDATE invoice_lines SET quantity = '5' WHERE invoice_id = :id",
        "UPDATE invoices SET total = 1 WHERE id = :id",
        "UPDATE invoices SET number = 'X' WHERE id = :id",
        "UPDATE invoices SET status = 'draft' WHERE id = :id",
        "DELETE FROM invoice_lines WHERE invoice_id = :id",
        "DELETE FROM invoices WHERE id = :id",
        "UPDATE invoice_taxes SET amount = 0 WHERE invoice_id = :id",
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit, unit_price, price_base,"
        " tax_category, tax_rate, gross, discount, net) VALUES (:id, 9, 'x', '1', 'C62', '1', '1', 'S', '19', 1, 0, 1)",
    ):
        assert "frozen" in refused_by_database(seller, sql, id=inv_id)
    assert "append-only" in refused_by_database(seller, "DELETE FROM audit_events")
    assert "never reused" in refused_by_database(seller, "UPDATE number_counters SET last_seq = 0")


def test_numbers_must_follow_dates(seller: Database, customer_id: int) -> None:
    make_open(seller, customer_id, date(2026, 11, 10))
    earlier = make_draft(seller, customer_id, date(2026, 11, 9))
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="numbers must follow dates"):
        invoices.finalize_invoice(s, earlier)


def test_numbering_restarts_per_year_and_per_customer_token(seller: Database, customer_id: int) -> None:
    make_open(seller, customer_id, date(2025, 12, 30))
    a = make_open(seller, customer_id, date(2026, 1, 2))
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, a).number == "INV-2026-00001"
        settings.put(s, "numbering.invoice", "{customer}-{year}-{seq:03}")
        other = customers.add_customer(s, customers.CustomerData(name="Other", country="DE"))
    b = make_open(seller, customer_id, date(2026, 1, 3))
    c = make_open(seller, other, date(2026, 1, 3))
    d = make_open(seller, customer_id, date(2026, 1, 4))
    with transaction(seller.sessions) as s:
        got = [invoices.get_invoice(s, x).number for x in (b, c, d)]
    assert got == [f"{customer_id}-2026-001", f"{other}-2026-001", f"{customer_id}-2026-002"]


def test_bad_number_format_is_refused(seller: Database) -> None:
    with transaction(seller.sessions) as s, pytest.raises(ValidationError):
        settings.put(s, "numbering.invoice", "INV-{year}")


def test_foreign_currency_locks_the_rate_at_finalize(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        cid = customers.add_customer(s, customers.CustomerData(name="US Inc", country="US", currency="USD"))
    draft = make_draft(seller, cid, lines=[LineData("Export", "1", "100.00", "G", "0")])
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="exchange rate"):
        invoices.finalize_invoice(s, draft)
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 11, 1))
        invoices.finalize_invoice(s, draft)
        rates.set_rate(s, "USD", "0.5", date(2026, 11, 1))  # later rate changes never re-convert
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, draft)
        assert (inv.exchange_rate, inv.company_currency, inv.company_total) == (Decimal("0.9"), "EUR", 9000)
    explicit = make_draft(seller, cid, lines=[LineData("Export", "1", "100.00", "G", "0")])
    with transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, explicit, exchange_rate="0.95")
        assert invoices.get_invoice(s, explicit).company_total == 9500


def test_reverse_charge_needs_both_vat_ids(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        cid = customers.add_customer(s, customers.CustomerData(name="No VAT", country="AT"))
    draft = make_draft(seller, cid, lines=[LineData("Service", "1", "100", "AE", "0")])
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="customer's VAT ID"):
        invoices.finalize_invoice(s, draft)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (LineData("", "1", "1", "S", "19"), "description"),
        (LineData("x", "0", "1", "S", "19"), "quantity"),
        (LineData("x", "1.00001", "1", "S", "19"), "decimal places"),
        (LineData("x", "1", "-1", "S", "19"), "negative"),
        (LineData("x", "1", "abc", "S", "19"), "not a number"),
        (LineData("x", "1", "1", "S", "0"), "above 0"),
        (LineData("x", "1", "1", "Q", "5"), "Unknown VAT category"),
        (LineData("x", "1", "1", "S", "19", unit="furlong"), "Unknown unit"),
        (LineData("x", "1", "10", "S", "19", discount_percent="120"), "between 0 and 100"),
        (LineData("x", "1", "10", "S", "19", discount_amount="11"), "larger than the line"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(
    seller: Database, customer_id: int, line: LineData, message: str
) -> None:
    with pytest.raises(ValidationError, match=message), transaction(seller.sessions) as s:
        invoices.create_draft(s, DraftData(customer_id=customer_id, lines=[line]))
    with transaction(seller.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0


def test_void_and_uncollectible_transitions(seller: Database, customer_id: int) -> None:
    a = make_open(seller, customer_id)
    b = make_open(seller, customer_id)
    draft = make_draft(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, a, "typo")
        invoices.mark_uncollectible(s, b)
        with pytest.raises(TransitionError):
            invoices.void_invoice(s, a)
        with pytest.raises(TransitionError):
            invoices.void_invoice(s, draft)
        with pytest.raises(TransitionError):
            invoices.mark_uncollectible(s, a)
        with pytest.raises(TransitionError):
            invoices.void_invoice(s, b)
        assert invoices.get_invoice(s, a).amount_due == 0
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.entity_id == a))]
        assert actions[-1] == "void"


def test_list_filters_and_derived_status(seller: Database, customer_id: int) -> None:
    old = make_open(seller, customer_id, date(2026, 9, 1))
    make_open(seller, customer_id, date(2026, 11, 1))
    make_draft(seller, customer_id)
    today = date(2026, 11, 21)
    with transaction(seller.sessions) as s:
        overdue = invoices.list_invoices(s, invoices.InvoiceFilter(overdue=True), today=today)
        assert [r.id for r in overdue] == [old]
        assert overdue[0].display_status == "overdue"
        assert invoices.count_invoices(s, invoices.InvoiceFilter(status="draft"), today) == 1
        assert invoices.count_invoices(s, invoices.InvoiceFilter(search="INV-2026"), today) == 2
        assert invoices.count_invoices(s, invoices.InvoiceFilter(search="acme"), today) == 3
        by_total = invoices.list_invoices(s, sort="number", descending=False, limit=1, today=today)
        assert by_total[0].number is None or by_total[0].number == "INV-2026-00001"


def test_duplicate_makes_a_new_draft(seller: Database, customer_id: int) -> None:
    src = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        copy = invoices.duplicate_invoice(s, src, today=date(2026, 11, 21))
        new = invoices.get_invoice(s, copy)
        assert new.status == "draft" and new.number is None
        assert new.total == invoices.get_invoice(s, src).total
        assert new.issue_date == date(2026, 11, 21)


def test_preview_totals_match_saved_totals(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    totals = invoices.preview_totals(three_lines(), [], "EUR")
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, draft).total == totals.total


def test_control_characters_are_removed_from_what_users_type(seller: Database) -> None:
    from invoicer.services import documents

    with transaction(seller.sessions) as s:
        cid = customers.add_customer(s, customers.CustomerData(name="Bad\x07 Name\x00", country="DE",
                                                               address="Line 1\r\nLine\x0b 2"))
        c = customers.get_customer(s, cid)
        assert (c.name, c.address) == ("Bad Name", "Line 1\nLine 2")
    draft = make_draft(seller, cid, lines=[LineData("Pasted\x1b[0m text\twith tab\nsecond line", "1", "10", "S", "19")],
                       notes="ok\x0c")
    with transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
        inv = invoices.get_invoice(s, draft)
        assert inv.lines[0].description == "Pasted[0m text with tab\nsecond line"
        assert inv.notes == "ok"
        assert b"Pasted[0m text" in documents.invoice_xml(s, draft)
