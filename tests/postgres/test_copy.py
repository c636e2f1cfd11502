"""`db copy` with PostgreSQL's COPY: every stored value arrives as SQLAlchemy reads it from the local file, and a
copy the server refuses midway leaves nothing behind (and can be run again)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select

from invoicer.db.base import Base
from invoicer.db.engine import server_url
from invoicer.db.migrate import open_database
from tests.postgres.invocations import run

AWKWARD_TEXT = "tab\there\nnew line\r\\backslash \\N \\. 'quote\" ünïcödé € 𝄞 日本"


def _demo(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--data-dir", str(folder), "demo", "--invoices", "30")[0] == 0


def _edit(folder: Path, change: Callable[[sqlite3.Connection], None]) -> None:
    """Write into the local file past its triggers (a frozen row is what an old version might have stored)."""
    conn = sqlite3.connect(folder / "invoicer.sqlite3")
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in saved:
        conn.execute(f'DROP TRIGGER "{name}"')
    change(conn)
    for _name, sql in saved:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _rows(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        # repr: 1.50 and 1.500, or a date and its text, are not the same stored value
        return {table.name: [tuple(map(repr, r)) for r in conn.execute(
            select(table).order_by(*(table.primary_key.columns or table.columns)))]
            for table in Base.metadata.sorted_tables if table.name != "frozen_pdfs"}


def _awkward(conn: sqlite3.Connection) -> None:
    # text: tabs, new lines, backslashes, COPY's own \N and \., quotes, unicode beyond the BMP; the empty string
    conn.execute("UPDATE customers SET name = ?, notes = ?, contact = '' WHERE id = (SELECT min(id) FROM customers)",
                 (AWKWARD_TEXT, AWKWARD_TEXT * 3))
    conn.execute("UPDATE customers SET notes = NULL, vat_id = NULL, archived = 1, public_body = 1,"
                 " created_at = '2026-02-03 04:05:06' WHERE id = (SELECT max(id) FROM customers)")
    conn.execute("UPDATE audit_events SET payload = ?, at = '2025-12-31 23:59:59.000001'"
                 " WHERE id = (SELECT min(id) FROM audit_events)", ('{"note": "' + AWKWARD_TEXT.replace("\\", "\\\\")
                                                                   .replace('"', '\\"').replace("\n", "\\n")
                                                                   .replace("\t", "\\t").replace("\r", "\\r") + '"}',))
    # dates and timestamps: ISO text, and forms SQLAlchemy reads with fromisoformat that are not plain ISO text
    conn.execute("UPDATE invoices SET delivery_date = '2026-W02-1', created_at = '2026-01-05T07:08:09',"
                 " updated_at = '2026-01-05 07:08:09.5' WHERE id = (SELECT min(id) FROM invoices)")
    conn.execute("UPDATE invoices SET delivery_date = NULL, period_start = '0999-01-01', period_end = '9999-12-31'"
                 " WHERE id = (SELECT max(id) FROM invoices)")
    # exact decimals kept as text: SQLAlchemy writes str(Decimal(stored)), so '+1.50' arrives as '1.50'
    conn.execute("UPDATE invoice_lines SET quantity = '0.000001', unit_price = '-12.500', discount_percent = '+1.50',"
                 " gross_price = '1E+2', period_start = '2024-02-29' WHERE id = (SELECT min(id) FROM invoice_lines)")
    conn.execute("UPDATE invoice_lines SET discount_percent = NULL, gross_price = NULL, tax = NULL"
                 " WHERE id = (SELECT max(id) FROM invoice_lines)")
    # integers at the edges of BIGINT and INTEGER; a rate with four decimals (ScaledRate)
    conn.execute("INSERT INTO revenue_months (month, net) VALUES ('1999-01', ?), ('1999-02', ?)",
                 (2**63 - 1, -(2**63)))
    conn.execute("UPDATE tax_rates SET rate = 123456, archived = 1, exemption_reason = ?"
                 " WHERE id = (SELECT min(id) FROM tax_rates)", (AWKWARD_TEXT,))
    conn.execute("UPDATE invoice_lines SET discount_amount = 2147483647 WHERE id = (SELECT max(id) FROM invoice_lines)")
    # a BLOB with every byte value, COPY's separators among them
    conn.execute("INSERT INTO company_logos (name, sha256, content) VALUES ('x.png', ?, ?)",
                 ("0" * 64, bytes(range(256)) * 3 + b"\\N\t\n\x00"))


SCHEMA = ("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
          " WHERE indrelid::regclass::text NOT LIKE 'pg_%' UNION ALL"
          " SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
          " ORDER BY 1, 2")


def test_every_column_type_arrives_value_for_value(tmp_path: Path, pg_url: str, pg_business_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    _demo(folder, capsys)
    _edit(folder, _awkward)
    code, _out, err = run(capsys, "--data-dir", str(folder), "db", "copy", "--to", pg_url)
    assert code == 0, err
    local = open_database(folder, daily_backup=False)
    server = create_engine(server_url(pg_url))
    try:
        expected, found = _rows(local.engine), _rows(server)
    finally:
        local.close()
        server.dispose()
    types = {type(c.type).__name__ for t in Base.metadata.sorted_tables for c in t.columns}
    covered = {type(c.type).__name__ for t in Base.metadata.sorted_tables if expected.get(t.name) for c in t.columns}
    assert types == covered
    for name, rows in expected.items():
        assert found[name] == rows, name
    assert expected["customers"][0][1] == repr(AWKWARD_TEXT)
    assert [r[1] for r in found["revenue_months"][:2]] == [repr(2**63 - 1), repr(-(2**63))]
    # the indexes and foreign keys the copy set aside are back as the migrations made them
    with psycopg.connect(pg_url) as copied, psycopg.connect(pg_business_url) as migrated:
        assert copied.execute(SCHEMA).fetchall() == migrated.execute(SCHEMA).fetchall()
        assert len(copied.execute(SCHEMA).fetchall()) > 100
    assert found["company_logos"][0][2] == repr(bytes(range(256)) * 3 + b"\\N\t\n\x00")


def test_a_copy_refused_midway_leaves_the_server_empty_and_can_run_again(
        tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    _demo(folder, capsys)
    with sqlite3.connect(folder / "invoicer.sqlite3") as conn:
        line, stored = conn.execute("SELECT id, period_start FROM invoice_lines ORDER BY id DESC LIMIT 1").fetchone()
    # invoice lines come after customers, invoices and the audit trail: those were copied when the server refuses
    _edit(folder, lambda c: c.execute("UPDATE invoice_lines SET period_start = '2026-02-30' WHERE id = ?", (line,)))
    code, out, err = run(capsys, "--data-dir", str(folder), "db", "copy", "--to", pg_url)
    assert code == 2 and "invoice_lines" in err and "Nothing was copied" in err and "Traceback" not in err + out
    with psycopg.connect(pg_url) as conn:
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                             " AND tablename <> 'alembic_version'")]
        assert len(tables) > 30
        assert all(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone() == (0,) for t in tables)
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D'").fetchone() == (0,)

    _edit(folder, lambda c: c.execute("UPDATE invoice_lines SET period_start = ? WHERE id = ?", (stored, line)))
    code, _out, err = run(capsys, "--data-dir", str(folder), "db", "copy", "--to", pg_url)
    assert code == 0, err
    code, out, err = run(capsys, "--data-dir", str(folder), "--db", pg_url, "verify")
    assert code == 0, err + out
