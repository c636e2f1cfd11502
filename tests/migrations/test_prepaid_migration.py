"""Migration 0033 on either engine (``--engine postgresql`` for the server): the prepaid amount (BT-113) of invoices
and the mark on the payment that settles it; a step down removes them (and their trigger), a step up brings them
back with nothing prepaid, frozen on finalized invoices again, and `verify` passes both ways."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, migrate
from invoicer.services import integrity, invoices
from tests.services.helpers import make_draft, make_open, refused_by_database

PREPAID = {"prepaid", "prepaid_method", "prepaid_reference"}


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_0033_down_and_up(seller: Database, customer_id: int, request: pytest.FixtureRequest) -> None:
    from tests.migrations.test_payment_references import _reopened

    issued = make_open(seller, customer_id)
    draft = make_draft(seller, customer_id, prepaid="10.00", prepaid_method="cash")
    assert _columns(seller.engine, "invoices") >= PREPAID and "prepaid" in _columns(seller.engine, "payments")

    migrate(seller.engine, "0032", downgrade=True)
    assert not PREPAID & _columns(seller.engine, "invoices") and "prepaid" not in _columns(seller.engine, "payments")

    db = _reopened(seller)  # back to the head
    request.addfinalizer(db.close)
    assert _columns(db.engine, "invoices") >= PREPAID
    with transaction(db.readonly_sessions) as s:
        assert [invoices.get_invoice(s, i).prepaid for i in (issued, draft)] == [0, 0]
        report = integrity.verify(s)
    assert report.ok, report.summary()
    assert "frozen" in refused_by_database(db, f"UPDATE invoices SET prepaid = 1 WHERE id = {issued}")
