"""Small builders for service tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from invoicer.db import triggers
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import company, credit_notes, customers, invoices, payments
from invoicer.services.credit_notes import CreditLine
from invoicer.services.invoices import AdjustmentData, DraftData, LineData


def three_lines() -> list[LineData]:
    return [
        LineData("Consulting", "3", "120.00", "S", "19", "HUR", discount_percent="10"),
        LineData("Book", "2", "14.995", "S", "7"),
        LineData("Hosting", "1", "49.90", "S", "19", "MON"),
    ]


def make_draft(db: Database, customer_id: int, issue: date = date(2026, 11, 2), **kw: object) -> int:
    with transaction(db.sessions) as s:
        data = DraftData(customer_id=customer_id, issue_date=issue, lines=kw.pop("lines", three_lines()), **kw)  # type: ignore[arg-type]
        return invoices.create_draft(s, data)


def make_open(db: Database, customer_id: int, issue: date = date(2026, 11, 2), **kw: object) -> int:
    invoice_id = make_draft(db, customer_id, issue, **kw)
    with transaction(db.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)
    return invoice_id


def set_up_seller(db: Database) -> None:
    """A complete company profile: a German seller with IBAN."""
    with transaction(db.sessions) as s:
        company.update_company(
            s, name="Müller & Söhne GmbH", address="Hauptstraße 1", postcode="10115", city="Berlin",
            country="DE", vat_id="DE123456788", iban="DE89370400440532013000", bic="COBADEFFXXX",
            currency="EUR", locale="de_DE", email="billing@example.com",
        )


def add_customer(db: Database) -> int:
    """A French business customer with a VAT ID, 30 days' terms."""
    with transaction(db.sessions) as s:
        return customers.add_customer(
            s, customers.CustomerData(name="ACME SARL", country="FR", vat_id="FR40303265045", locale="fr_FR",
                                      email="ap@acme.example", terms_days=30)
        )


def settled_invoice(db: Database) -> int:
    """A finalized invoice with a line discount, a document discount and charge, a payment of 100.00, a
    credit note of 50.00 and one crediting one book; the company and the customer are set up on the way.

    Lines 324.00 (3 x 120.00 - 10 %) + 49.90 at 19 % and 29.99 (2 x 14.995) at 7 %; discount 20.00 at
    19 %, shipping 5.90 at 7 %; due 30 days after 2 Nov 2026.
    """
    set_up_seller(db)
    invoice_id = make_open(db, add_customer(db), adjustments=[
        AdjustmentData("20.00", "S", "19", is_charge=False, reason="Loyalty"),
        AdjustmentData("5.90", "S", "7", is_charge=True, reason="Shipping"),
    ])
    with transaction(db.sessions) as s:
        payments.record_payment(s, invoice_id, 10000, date(2026, 11, 5), "bank transfer")
        credit_notes.issue_credit_note(s, invoice_id, amount=5000, reason="Goodwill", issue_date=date(2026, 11, 6))
        book = invoices.get_invoice(s, invoice_id).lines[1].id
        credit_notes.issue_credit_note(s, invoice_id, lines=[CreditLine(book, "1")], reason="Returned",
                                       issue_date=date(2026, 11, 7))
    return invoice_id


def refused_by_database(db: Database, sql: str, **params: object) -> str:
    """The database's refusal of a raw statement (its triggers, on either engine), as the driver words it."""
    with db.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(text(sql), params)
    return str(refused.value.orig)


def tamper(db: Database, *statements: str) -> None:
    """What someone with a raw SQL tool and the owner's rights could do: set the triggers aside, edit, and put
    them back as they were."""
    with db.engine.begin() as conn, triggers.triggers_set_aside(conn):
        for sql in statements:
            conn.exec_driver_sql(sql)


def statements_sent(db: Database, work: Callable[..., object], wanted: Callable[[str], bool]) -> list[tuple[str, Any]]:
    """The statements (with their parameters) ``work(session)`` sends in one read session, those ``wanted`` keeps."""
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if wanted(statement):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with db.readonly_sessions() as s:
            work(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return sent
