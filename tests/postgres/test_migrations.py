"""The one Alembic history on PostgreSQL: from empty it equals the models; stepping down from 0017 removes only
what 0017 brought to the server (0012's freeze of the service dates stays, and refuses what it refused before);
up again every rule of invoicer.db.triggers is there."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex

from invoicer.db import summaries, triggers
from invoicer.db.engine import transaction
from invoicer.db.migrate import HEAD_REVISION, Database, migrate, open_server
from invoicer.db.models import Base, Invoice
from tests.services.helpers import add_customer, make_draft, make_open, set_up_seller, statements_sent


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))


#: PostgreSQL's own indexes (migration 0020), left out of the models so a local start never loads that dialect
PATTERN_INDEXES = {"ix_invoices_type_number_pattern", "ix_invoices_type_reference_pattern"}
#: pg_trgm's indexes of the substring searches (migration 0035), made only where the server has pg_trgm
TRIGRAM_INDEXES = {"ix_customers_search_name_trgm", "ix_customers_email_trgm", "ix_customers_vat_id_trgm"}


#: indexes on an expression: PostgreSQL gives back its own text of the expression (casts added), which Alembic
#: compares as text; test_upgrade_from_empty_matches_the_models compares what PostgreSQL made of both instead
EXPRESSION_INDEXES = {"ix_invoices_type_amount_due"}


def _modelled(_object: object, name: str | None, kind: str, _reflected: bool, _compare_to: object) -> bool:
    return not (kind == "index" and name in PATTERN_INDEXES | TRIGRAM_INDEXES | EXPRESSION_INDEXES)


def test_upgrade_from_empty_matches_the_models(pg_url: str, tmp_path: Path) -> None:
    db = open_server(pg_url, tmp_path, init=True)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _modelled})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
        assert _triggers(db.engine) == {r.name for r in triggers.RULES} | {summaries.POSTGRESQL_TRIGGER}
        for index in (i for i in Invoice.__table__.indexes if i.name in EXPRESSION_INDEXES):
            with db.engine.connect() as conn:  # the models' index made beside the migrated one, then rolled back
                conn.exec_driver_sql(str(CreateIndex(index).compile(conn)).replace(index.name, "ix_as_modelled"))
                made = dict(conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                                              "(:name, 'ix_as_modelled')"), {"name": index.name}).all())
                conn.rollback()
            assert made[index.name] == made["ix_as_modelled"].replace("ix_as_modelled", index.name), made
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
        set_up_seller(db)
        _analyzed_drafts(db, make_draft(db, add_customer(db)))
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a small table would be read whole anyway
            search = _search_ids(InvoiceFilter(search="INV-2026")).compile(conn)
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {search}", search.params).scalars())
        assert "ix_invoices_type_number_pattern" in plan and "ix_invoices_type_reference_pattern" in plan, plan
    finally:
        db.close()


def _analyzed_drafts(db: Database, draft_id: int, copies: int = 2000) -> None:
    """``copies`` of a draft, and the statistics of the table: on an empty one every index starting with doc_type
    costs the planner the same for any branch, and it took the newest of them (0036's), not the one that answers
    the prefix."""
    columns = ", ".join(c.name for c in Invoice.__table__.columns if c.name != "id")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO invoices ({columns}) SELECT {columns} FROM invoices, "
                             f"generate_series(1, {copies}) WHERE id = {draft_id}")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE invoices")  # and the visibility map an index-only scan relies on


def test_a_wide_search_counts_a_matching_customers_documents_from_an_index_alone(
        pg_url: str, tmp_path: Path) -> None:
    """A term matching many customers' documents (5 of 60 customers: a twelfth of 1,000,000 invoices, 0.55 s)
    was counted as distinct ids, each fetched from the table; the count of that branch now reads the type+customer
    index alone, and the number and reference matches of other customers are added."""
    from invoicer.services import customers, invoices
    from invoicer.services.invoices import InvoiceFilter

    db = open_server(pg_url, tmp_path, init=True)
    try:
        set_up_seller(db)
        with transaction(db.sessions) as s:
            other = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        _analyzed_drafts(db, make_draft(db, add_customer(db)), 200)  # the term's: a tenth of the documents
        _analyzed_drafts(db, make_draft(db, other))
        (plan,) = _plans(db, lambda s: invoices.count_invoices(s, InvoiceFilter(search="cme")))
        assert re.search(r"Index Only Scan using ix_invoices_type_customer_issue on invoices\b", plan), plan
        assert not re.search(r"(Seq Scan|Bitmap Heap Scan) on invoices\b", plan), plan
        with db.readonly_sessions() as s:
            assert invoices.count_invoices(s, InvoiceFilter(search="cme")) == 201
    finally:
        db.close()


def _plans(db: Database, work: Callable[[Session], object]) -> list[str]:
    """The plans of the SELECTs ``work`` sends, with sequential scans made as dear as the planner allows (the
    test's tables are small and would be read whole anyway)."""
    sent = statements_sent(db, work, lambda statement: statement.lstrip().upper().startswith("SELECT"))
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        return ["\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}", params).scalars()) for sql, params in sent]


def test_the_searches_substring_match_is_answered_from_trigram_indexes(pg_url: str, tmp_path: Path) -> None:
    """Migration 0035: the customer's name anywhere in it (the invoice list's search; the customer list's adds
    e-mail and VAT id) is found through pg_trgm's indexes, never by reading every customer or invoice."""
    from invoicer.services import customers, invoices
    from invoicer.services.invoices import InvoiceFilter, _named, _search_terms

    db = open_server(pg_url, tmp_path, init=True)
    try:
        with db.engine.connect() as conn:
            if not conn.scalar(text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")):
                pytest.skip("this PostgreSQL has no pg_trgm (the search then reads the customers, see 0035)")
            made = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm'")))
        assert made == TRIGRAM_INDEXES
        set_up_seller(db)
        make_open(db, add_customer(db))
        plans = _plans(db, lambda s: (invoices.list_invoices(s, InvoiceFilter(search="cme"), limit=200),
                                      invoices.count_invoices(s, InvoiceFilter(search="cme"))))
        plans += _plans(db, lambda s: customers.list_customers(s, search="cme"))
        assert len(plans) >= 3
        for plan in plans:
            assert not re.search(r"Seq Scan on (invoices|customers)\b", plan), plan
        # the invoice search's customer branch, as it sends it (which side a join starts from follows the
        # table sizes, and this test's are tiny)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            branch = _named(_search_terms(InvoiceFilter(search="cme"))[1]).compile(conn)
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {branch}", branch.params).scalars())
        assert "ix_customers_search_name_trgm" in plan and "~~ '%cme%'" in plan, plan
        listed = "\n".join(plans)
        assert "ix_customers_email_trgm" in listed and "ix_customers_vat_id_trgm" in listed, listed
    finally:
        db.close()


def test_without_pg_trgm_the_migration_goes_on_and_the_search_finds_the_same(
        pg_url: str, tmp_path: Path) -> None:
    """A login that may not create the extension (no CREATE on the database): 0035 leaves the indexes out, the
    schema reaches head and the search answers as before."""
    from invoicer.services import invoices
    from invoicer.services.invoices import InvoiceFilter

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE clerk LOGIN CREATEROLE")
        conn.execute("GRANT ALL ON SCHEMA public TO clerk")
    clerk_url = pg_url.replace("postgresql://postgres@", "postgresql://clerk@")
    db = open_server(clerk_url, tmp_path, init=True)
    try:
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD_REVISION
            assert not conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
            assert not conn.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%\\_trgm'"))
        set_up_seller(db)
        invoice_id = make_open(db, add_customer(db))
        with db.readonly_sessions() as s:
            found = invoices.list_invoices(s, InvoiceFilter(search="cme"), limit=200)
        assert [r.id for r in found] == [invoice_id]
    finally:
        db.close()


@pytest.mark.parametrize("descending", [True, False])
def test_the_list_sorted_by_amount_due_or_customer_reads_its_first_page_in_index_order(
        pg_url: str, tmp_path: Path, descending: bool) -> None:
    """Migration 0038: sorted by amount due, the page's ids come in order from ix_invoices_type_amount_due (the
    service writes the expression with the index's constants), no sort of every document feeds the page's Limit;
    sorted by customer, the customers by name and each one's documents from ix_invoices_type_customer_id, sorted
    by id only within a name (Incremental Sort: the first names' documents, not all of them)."""
    from invoicer.services import invoices

    db = open_server(pg_url, tmp_path, init=True)
    try:
        set_up_seller(db)
        for _ in range(20):  # customers of 100 documents each
            _analyzed_drafts(db, make_draft(db, add_customer(db)), 99)
        plans = _plans(db, lambda s: invoices.list_invoices(s, sort="amount_due", descending=descending, limit=200))
        plan = next(p for p in plans if "Limit" in p)
        assert re.search(r"Limit .*\n *->  Index Scan( Backward)? using ix_invoices_type_amount_due on invoices", plan), plan
        customer = next(p for p in _plans(db, lambda s: invoices.list_invoices(
            s, sort="customer", descending=descending, limit=200)) if "Limit" in p)
        assert re.search(r"Limit .*\n *->  Incremental Sort .*\n.*\n *Presorted Key: customers_1.name\n", customer), customer
        assert re.search(r"Index (Only )?Scan( Backward)? using ix_customers_name on customers", customer), customer
        assert re.search(r"ix_invoices_type_customer_id on invoices.*\n.*customer_id = customers_1.id", customer), customer
    finally:
        db.close()
