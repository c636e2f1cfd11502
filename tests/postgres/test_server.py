"""The business on a PostgreSQL server: the same migrations, a full copy of a local file that verify accepts,
and the database's own refusals (PL/pgSQL triggers) for frozen documents and append-only tables."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.mail.smtp_server import MemoryKeyring
from tests.postgres.cluster import Cluster, bin_dir, start_cluster
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


def test_a_logo_set_on_a_server_is_printed_by_every_desk_and_db_copy_brings_the_local_one(
        tmp_path: Path, new_pg_database: Callable[[], str], capsys: pytest.CaptureFixture[str]) -> None:
    from tests.services.test_logo_everywhere import pdf_images, picture

    local = tmp_path / "local"
    assert run(capsys, "--data-dir", str(local), "demo", "--invoices", "3")[0] == 0
    first = picture(tmp_path / "desktop" / "first.png").read_bytes()
    assert run(capsys, "--data-dir", str(local), "company", "set", "--logo", str(tmp_path / "desktop" / "first.png")
               )[0] == 0
    url = new_pg_database()
    code, _out, err = run(capsys, "--data-dir", str(local), "db", "copy", "--to", url)
    assert code == 0, err
    other_desk = tmp_path / "other-desk"
    assert pdf_images(url, other_desk) == 1  # the copied logo, read from the database
    assert [p.read_bytes() for p in (other_desk / "logo").iterdir()] == [first]

    chosen = picture(tmp_path / "desktop" / "second.png", (200, 0, 0))
    second = chosen.read_bytes()
    code, _out, err = run(capsys, "--data-dir", str(tmp_path / "desk"), "--db", url, "company", "set", "--logo",
                          str(chosen))
    assert code == 0, err
    chosen.unlink()  # the file was on that desk only
    assert pdf_images(url, other_desk) == 1
    assert sorted(p.read_bytes() for p in (other_desk / "logo").iterdir()) == sorted([first, second])


@pytest.fixture(scope="module")
def password_server() -> Iterator[Cluster]:
    """A cluster of its own where a login must give its password (scram-sha-256 over TCP; the session cluster
    trusts everyone, so it cannot tell whether the keyring's password was sent)."""
    found = bin_dir()
    if found is None:
        pytest.skip("PostgreSQL is not installed")
    cluster = start_cluster(found)
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE ROLE owner LOGIN CREATEROLE PASSWORD 's3cret-Pw'")
            conn.execute("CREATE DATABASE books OWNER owner")
        (cluster.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
            encoding="utf-8")
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        yield cluster
    finally:
        cluster.stop()


def test_db_connect_keeps_the_password_in_the_keyring_and_every_later_command_logs_in_with_it(
        password_server: Cluster, tmp_path: Path, memory_keyring: MemoryKeyring,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = password_server.url("books", user="owner")
    folder = str(tmp_path / "desk")
    code, _out, err = run(capsys, "--data-dir", folder, "--db", url, "db", "init")
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1  # no password anywhere: refused plainly
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Pw\n"))
    code, _out, err = run(capsys, "--data-dir", folder, "db", "connect", url, "--password-stdin")
    assert code == 0, err
    assert list(memory_keyring.store.values()) == ["s3cret-Pw"]
    assert not [p for p in Path(folder).rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]
    # no --db: the saved address, and the password from the keyring
    assert run(capsys, "--data-dir", folder, "db", "init")[0] == 0
    code, _out, err = run(capsys, "--data-dir", folder, "customer", "add", "--name", "Keyring GmbH", "--country", "DE")
    assert code == 0, err
    assert run(capsys, "--data-dir", folder, "verify")[0] == 0
    with psycopg.connect(password_server.url("books")) as conn:
        actor = conn.execute("SELECT actor FROM audit_events WHERE entity = 'customer'").fetchone()
    assert actor == ("owner",)
    memory_keyring.store.clear()  # the keyring forgot it: refused plainly again
    code, _out, err = run(capsys, "--data-dir", folder, "customer", "list")
    assert code == 2 and "Traceback" not in err
