"""The one Alembic history on PostgreSQL: from empty it equals the models; stepping down from 0017 removes only
what 0017 brought to the server (0012's freeze of the service dates stays, and refuses what it refused before);
up again every rule of invoicer.db.triggers is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from invoicer.db import summaries, triggers
from invoicer.db.migrate import HEAD_REVISION, migrate, open_server
from invoicer.db.models import Base
from tests.services.helpers import add_customer, make_open, set_up_seller


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))


#: PostgreSQL's own indexes (migration 0020), left out of the models so a local start never loads that dialect
PATTERN_INDEXES = {"ix_invoices_type_number_pattern", "ix_invoices_type_reference_pattern"}
#: pg_trgm's indexes of the substring searches (migration 0035), made only where the server has pg_trgm
TRIGRAM_INDEXES = {"ix_customers_search_name_trgm", "ix_customers_email_trgm", "ix_customers_vat_id_trgm"}


def _modelled(_object: object, name: str | None, kind: str, _reflected: bool, _compare_to: object) -> bool:
    return not (kind == "index" and name in PATTERN_INDEXES | TRIGRAM_INDEXES)


def test_upgrade_from_empty_matches_the_models(pg_url: str, tmp_path: Path) -> None:
    db = open_server(pg_url, tmp_path, init=True)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _modelled})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
        assert _triggers(db.engine) == {r.name for r in triggers.RULES} | {summaries.POSTGRESQL_TRIGGER}
    finally:
        db.close()


def test_down_to_0016_keeps_0012s_rule_and_up_again_has_them_all(pg_url: str, tmp_path: Path) -> None:
    db = open_server(pg_url, tmp_path, init=True)
    try:
        set_up_seller(db)
        invoice_id = make_open(db, add_customer(db))
        migrate(db.engine, "0016", downgrade=True)
        assert _triggers(db.engine) == {r.name for r in triggers.rules_since("0012")}
        with db.engine.begin() as conn, pytest.raises(DBAPIError, match="finalized document is frozen"):
            conn.execute(text("UPDATE invoices SET delivery_date = '2026-01-01' WHERE id = :id"), {"id": invoice_id})
        with db.engine.begin() as conn:  # what 0012 left to 0001's rule (PostgreSQL's from 0017) is not its to refuse
            conn.execute(text("UPDATE invoices SET notes = 'changed at 0016' WHERE id = :id"), {"id": invoice_id})

        migrate(db.engine)
        assert _triggers(db.engine) == {r.name for r in triggers.RULES} | {summaries.POSTGRESQL_TRIGGER}
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD_REVISION
        for change in ("delivery_date = '2026-01-01'", "notes = 'changed at head'"):
            with db.engine.begin() as conn, pytest.raises(DBAPIError, match="finalized document is frozen"):
                conn.execute(text(f"UPDATE invoices SET {change} WHERE id = :id"), {"id": invoice_id})
    finally:
        db.close()


def test_the_lists_prefix_search_is_answered_from_an_index_under_any_collation(
        pg_url: str, tmp_path: Path) -> None:
    """The test cluster's collation is C.UTF-8, under which a plain index cannot answer LIKE 'x%' (nor under
    en_US.UTF-8): the search's number and reference branches use the pattern indexes of 0020."""
    from invoicer.services.invoices import InvoiceFilter, _search_ids

    db = open_server(pg_url, tmp_path, init=True)
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a small table would be read whole anyway
            search = _search_ids(InvoiceFilter(search="INV-2026")).compile(conn)
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {search}", search.params).scalars())
        assert "ix_invoices_type_number_pattern" in plan and "ix_invoices_type_reference_pattern" in plan, plan
    finally:
        db.close()
