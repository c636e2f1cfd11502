"""Backups of the business on a server: ``backup create`` is a pg_dump, ``backup restore`` loads it into a new,
empty database where verify passes; what cannot be restored is refused before anything changes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from invoicer.db import server_backup
from tests.postgres.cluster import Cluster
from tests.postgres.invocations import run


def _counts(url: str) -> tuple[object, ...]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM document_chain), "
                           "(SELECT count(*) FROM audit_events), (SELECT count(*) FROM frozen_pdfs)").fetchone()
    assert row is not None
    return tuple(row)


def test_a_dump_restores_into_an_empty_database_and_verify_passes(
        copied: tuple[Path, str], new_pg_database: Callable[[], str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = copied
    code, out, err = run(capsys, "--data-dir", str(folder), "--db", url, "--json", "backup", "create")
    assert code == 0, err
    dump = Path(json.loads(out)["path"])
    assert dump.suffix == ".dump" and dump.parent == folder / "backups" / "server"
    code, out, _err = run(capsys, "--data-dir", str(folder), "--db", url, "--json", "backup", "list")
    assert [Path(d["path"]) for d in json.loads(out)] == [dump]

    fresh = new_pg_database()
    code, _out, err = run(capsys, "--data-dir", str(folder), "--db", fresh, "backup", "restore", dump.name)
    assert code == 0, err
    assert _counts(fresh) == _counts(url)
    code, out, err = run(capsys, "--data-dir", str(folder), "--db", fresh, "verify")
    assert code == 0, err + out
    # restored with its triggers: the frozen documents are refused by the database there too
    with psycopg.connect(fresh) as conn, pytest.raises(psycopg.errors.IntegrityConstraintViolation):
        conn.execute("UPDATE invoices SET total = total + 1 WHERE status <> 'draft'")


def test_restore_refuses_a_database_that_is_not_empty(copied: tuple[Path, str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = copied
    assert run(capsys, "--data-dir", str(folder), "--db", url, "backup", "create")[0] == 0
    before = _counts(url)
    dump = next((folder / "backups" / "server").glob("*.dump"))
    code, _out, err = run(capsys, "--data-dir", str(folder), "--db", url, "backup", "restore", str(dump))
    assert code == 2 and "not empty" in err and "Traceback" not in err
    assert _counts(url) == before


@pytest.mark.parametrize("content", [b"", b"PGDMP not really a dump", b"PK\x03\x04 a zip archive"])
def test_restore_refuses_what_is_not_a_dump(tmp_path: Path, pg_url: str, content: bytes,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.dump"
    bad.write_bytes(content)
    code, _out, err = run(capsys, "--data-dir", str(tmp_path), "--db", pg_url, "backup", "restore", str(bad))
    assert code == 2 and "not a server backup" in err
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_without_postgresql_client_tools_the_message_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(server_backup, "_DEBIAN_BINS", tmp_path)
    code, _out, err = run(capsys, "--data-dir", str(tmp_path), "--db", "postgresql://u@127.0.0.1:9/x", "backup",
                          "create")
    assert code == 2 and "pg_dump was not found" in err and "postgresql-client" in err


def test_a_server_dump_restored_as_a_local_backup_says_where_it_belongs(
        copied: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --db (and no connection saved), a server dump is not 'encrypted or not an Invoicer database': the
    message says it belongs on a server, and nothing changes (named by path, by its name in the list, or --to)."""
    folder, url = copied
    assert run(capsys, "--data-dir", str(folder), "--db", url, "backup", "create")[0] == 0
    dump = next((folder / "backups" / "server").glob("*.dump"))
    desk = tmp_path / "desk"
    for args in (["--data-dir", str(desk), "backup", "restore", str(dump)],
                 ["--data-dir", str(folder), "backup", "restore", dump.name],
                 ["--data-dir", str(desk), "backup", "restore", str(dump), "--to", str(tmp_path / "new")]):
        code, _out, err = run(capsys, *args)
        assert code == 2 and "backup of a business on a PostgreSQL server" in err and "--db" in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not desk.exists() and not (tmp_path / "new").exists()


def test_every_refusal_of_a_server_restore_is_one_clear_line(
        copied: tuple[Path, str], pg_cluster: Cluster, new_pg_database: Callable[[], str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder, url = copied
    assert run(capsys, "--data-dir", str(folder), "--db", url, "backup", "create")[0] == 0
    dump = next((folder / "backups" / "server").glob("*.dump"))
    assert run(capsys, "--data-dir", str(tmp_path / "local"), "demo", "--invoices", "2")[0] == 0
    assert run(capsys, "--data-dir", str(tmp_path / "local"), "backup", "create")[0] == 0
    archive = next((tmp_path / "local" / "backups").glob("*.zip"))
    fresh = new_pg_database()
    cases = {
        "--to names a local data folder": ("--db", fresh, "backup", "restore", str(dump), "--to", str(tmp_path / "x")),
        "the backup of a local data folder": ("--db", fresh, "backup", "restore", str(archive)),
        "is a folder": ("--db", fresh, "backup", "restore", str(tmp_path)),
        "does not exist": ("--db", fresh, "backup", "restore", "nosuch.dump"),
        "There is no database at": ("--db", pg_cluster.url("nosuch"), "backup", "restore", str(dump)),
        "cannot be reached": ("--db", "postgresql://nobody@127.0.0.1:1/x", "backup", "restore", str(dump)),
        "pg_dump failed: connection": ("--db", pg_cluster.url("nosuch"), "backup", "create"),
    }
    for expected, args in cases.items():
        code, _out, err = run(capsys, "--data-dir", str(folder), *args)
        assert code == 2 and expected in err, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    with psycopg.connect(fresh) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_restore_refuses_a_dump_written_by_a_newer_version(copied: tuple[Path, str],
                                                           new_pg_database: Callable[[], str], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """As a local backup from a newer Invoicer is refused: the dump is read before anything changes."""
    folder, url = copied
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    newer = tmp_path / "newer.dump"
    subprocess.run([str(server_backup.tool("pg_dump")), "--format=custom", f"--file={newer}", url], check=True)
    fresh = new_pg_database()
    code, _out, err = run(capsys, "--data-dir", str(folder), "--db", fresh, "backup", "restore", str(newer))
    assert code == 2 and "newer version of Invoicer" in err and len(err.strip().splitlines()) == 1, err
    with psycopg.connect(fresh) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
