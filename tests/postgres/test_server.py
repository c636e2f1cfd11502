"""The business on a PostgreSQL server: the same migrations, a full copy of a local file that verify accepts,
and the database's own refusals (PL/pgSQL triggers) for frozen documents and append-only tables."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.postgres.invocations import run


def test_copy_keeps_everything_and_verify_passes_on_the_server(copied: tuple[Path, str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = copied
    code, out, err = run(capsys, "--data-dir", str(folder), "--db", url, "--json", "verify")
    assert code == 0, err + out
    with psycopg.connect(url) as conn:
        chained = conn.execute("SELECT count(*) FROM document_chain").fetchone()
        pdfs = conn.execute("SELECT count(*) FROM frozen_pdfs").fetchone()
        issued = conn.execute("SELECT count(*) FROM invoices WHERE pdf_sha256 IS NOT NULL").fetchone()
    assert chained is not None and chained[0] > 0
    assert pdfs == issued
    code, out, _err = run(capsys, "--data-dir", str(folder), "--db", url, "--json", "invoice", "list")
    assert code == 0 and json.loads(out)


@pytest.mark.parametrize("statement", [
    "UPDATE invoices SET total = total + 1 WHERE status <> 'draft'",
    "UPDATE invoices SET delivery_date = DATE '2030-01-01' WHERE status <> 'draft'",  # migration 0012
    "DELETE FROM invoices WHERE status <> 'draft'",
    "UPDATE invoice_lines SET net = net + 1 WHERE invoice_id IN (SELECT id FROM invoices WHERE status <> 'draft')",
    "DELETE FROM audit_events",
    "UPDATE document_chain SET hash = 'x'",
    "DELETE FROM payments",
    "DELETE FROM document_chain",
    "UPDATE number_counters SET last_seq = last_seq - 1",
    "UPDATE invoices SET rounding_amount = 1 WHERE status <> 'draft'",
    "UPDATE invoices SET type_code = '384' WHERE status <> 'draft'",
])
def test_the_server_refuses_what_sqlite_refuses(copied: tuple[Path, str], statement: str) -> None:
    _folder, url = copied
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.IntegrityConstraintViolation) as refused:
        conn.execute(statement)
    assert "frozen" in str(refused.value) or "append-only" in str(refused.value) or "never reused" in str(
        refused.value)


def test_copy_refuses_a_database_that_is_not_empty(copied: tuple[Path, str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = copied
    code, _out, err = run(capsys, "--data-dir", str(folder), "db", "copy", "--to", url)
    assert code == 2 and "not empty" in err


def test_a_server_without_schema_is_named_and_db_init_creates_it(tmp_path: Path, pg_url: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(tmp_path / "data")
    code, _out, err = run(capsys, "--data-dir", folder, "--db", pg_url, "customer", "list")
    assert code == 2 and "db init" in err
    assert run(capsys, "--data-dir", folder, "--db", pg_url, "db", "init")[0] == 0
    assert run(capsys, "--data-dir", folder, "--db", pg_url, "verify")[0] == 0


def test_a_password_in_a_saved_address_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--data-dir", str(tmp_path), "db", "connect", "postgresql://u:secret@h/db")
    assert code == 2 and "keyring" in err
    assert not (tmp_path / "server.json").exists()


def test_a_logo_on_a_server_is_refused_plainly_and_documents_are_made_without_one(
        copied: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder, url = copied
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    code, _out, err = run(capsys, "--data-dir", str(folder), "--db", url, "company", "set", "--logo", str(logo))
    assert code == 2 and "no company logo" in err and "Traceback" not in err
    assert not (Path.cwd() / "logo").exists()
