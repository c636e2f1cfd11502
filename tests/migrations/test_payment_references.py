"""Migration 0020 on either engine (``--engine postgresql`` for the server): a payment reference is unique per
customer; stepping down to the business-wide rule of 0019 keeps every payment, a later duplicate suffixed with its
id, and up again the references are the new rule's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, inspect, select, text

from invoicer.core.errors import ConflictError
from invoicer.db.engine import transaction
from invoicer.db.migrate import HEAD_REVISION, Database, migrate
from invoicer.db.models import Payment
from invoicer.services import customers, payments
from tests.services.helpers import make_open

DAY = date(2026, 11, 5)


def _reopened(db: Database) -> Database:
    from invoicer.db.migrate import open_database, open_server

    db.close()
    return open_server(db.url, db.folder, init=True) if db.url else open_database(db.folder, daily_backup=False)


def _references(engine: Engine) -> list[tuple[int, str | None]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, reference FROM payments ORDER BY id"))]  # type: ignore[misc]


def test_stepping_down_keeps_every_payment_of_a_reference_two_customers_used(
    seller: Database, customer_id: int, request: pytest.FixtureRequest
) -> None:
    with transaction(seller.sessions) as s:
        other = customers.add_customer(s, customers.CustomerData(name="Other SARL", country="FR"))
    mine, theirs = make_open(seller, customer_id), make_open(seller, other)
    with transaction(seller.sessions) as s:
        first = payments.record_payment(s, mine, 100, DAY, None, "CHQ-1")
        second = payments.record_payment(s, theirs, 100, DAY, None, "CHQ-1")
        payments.reverse_payment(s, first, "wrong customer")

    migrate(seller.engine, "0019", downgrade=True)
    stored = _references(seller.engine)
    assert stored[:2] == [(first, "CHQ-1"), (second, f"CHQ-1 #{second}")]
    assert [ref for _id, ref in stored[2:]] == [None]  # the reversal
    indexes = {i["name"]: i for i in inspect(seller.engine).get_indexes("payments")}
    assert indexes["uq_payments_reference"]["unique"] and "uq_payments_customer_reference" not in indexes

    db = _reopened(seller)
    request.addfinalizer(db.close)
    with transaction(db.readonly_sessions) as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == HEAD_REVISION
        assert s.scalars(select(Payment.amount).order_by(Payment.id)).all() == [100, 100, -100]


def test_0028_a_reference_recorded_again_after_a_reversal_survives_a_step_down_and_up(
    seller: Database, customer_id: int, request: pytest.FixtureRequest
) -> None:
    """Migration 0028 (either engine): at head a reversed payment frees its reference; stepping down to 0027's
    unique index keeps every payment (the later one suffixed with its id); up again the rule is the trigger's."""
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        wrong = payments.record_payment(s, invoice_id, 1000, DAY, None, "BANK-1")
        reversal = payments.reverse_payment(s, wrong, "wrong amount")
        corrected = payments.record_payment(s, invoice_id, 100, DAY, None, "BANK-1")

    migrate(seller.engine, "0027", downgrade=True)
    assert _references(seller.engine) == [(wrong, "BANK-1"), (reversal, None), (corrected, f"BANK-1 #{corrected}")]
    indexes = {i["name"]: i for i in inspect(seller.engine).get_indexes("payments")}
    assert indexes["uq_payments_customer_reference"]["unique"] and "ix_payments_customer_reference" not in indexes

    db = _reopened(seller)
    request.addfinalizer(db.close)
    indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("payments")}
    assert "ix_payments_customer_reference" in indexes and "uq_payments_customer_reference" not in indexes
    with transaction(db.sessions) as s:  # the first one is reversed: its reference is free
        again = payments.record_payment(s, invoice_id, 100, DAY, None, "BANK-1")
    with transaction(db.sessions) as s, pytest.raises(ConflictError, match=f"BANK-1.*payment {again}"):
        payments.record_payment(s, invoice_id, 100, DAY, None, "BANK-1")
