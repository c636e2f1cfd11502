"""`invoicer db encrypt|decrypt`: a copied database file (or backup) is unreadable, the business works as before,
and a missing or wrong key gives one clear line."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from invoicer.mail import secrets
from tests.cli.invocations import ok, run, run_process, user_error
from tests.mail.smtp_server import MemoryKeyring

HEADER = b"SQLite format 3\x00"
NAME = "Zebulon Quartzberg SARL"  # distinctive, so its absence from the bytes means something


def _business(data: Path) -> int:
    customer = ok(data, "customer", "add", "--name", NAME, "--country", "FR", "--vat-id", "FR40303265045")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2024-05-02",
               "--line", "Consulting|3|120.00|19")["id"]
    ok(data, "invoice", "finalize", str(draft))
    return int(customer)


@pytest.mark.sqlite_only
def test_an_encrypted_business_works_and_its_copies_are_unreadable(
    data: Path, tmp_path: Path, memory_keyring: MemoryKeyring, capfd: pytest.CaptureFixture[str]
) -> None:
    customer = _business(data)
    database = data / "invoicer.sqlite3"
    encrypted = ok(data, "db", "encrypt")
    assert "pre-encrypt" in Path(encrypted["backup"]).name
    key = memory_keyring.store[(secrets.DATABASE_SERVICE, str(data.resolve()))]
    assert len(bytes.fromhex(key)) == 32
    raw = database.read_bytes()
    assert raw[:16] != HEADER and NAME.encode() not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(database).execute("SELECT name FROM customers").fetchall()

    second = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2024-05-03",
                "--line", "Book|1|20.00|7")["id"]
    assert ok(data, "invoice", "finalize", str(second))["number"] == "INV-2024-00002"
    assert [r["number"] for r in ok(data, "invoice", "list")] == ["INV-2024-00002", "INV-2024-00001"]
    ledger = ok(data, "export", "ledger", "-o", str(tmp_path / "l.xlsx"), "--from", "2024-05-01", "--to", "2024-05-31")
    assert NAME in [c.value for c in openpyxl.load_workbook(ledger["path"])["Invoices"]["D"]]
    pdfs = ok(data, "export", "pdfs", "-o", str(tmp_path / "pdfs"))  # worker processes open the file with the key
    assert len(pdfs["files"]) == 2
    assert ok(data, "verify")["ok"] is True

    archive = ok(data, "backup", "create")["path"]
    with zipfile.ZipFile(archive) as zipped:
        copy = zipped.read("invoicer.sqlite3")
    assert copy[:16] != HEADER and NAME.encode() not in copy
    ok(data, "backup", "restore", archive)
    assert database.read_bytes()[:16] != HEADER
    assert [c["name"] for c in ok(data, "customer", "list")] == [NAME]

    decrypted = ok(data, "db", "decrypt")
    assert "pre-decrypt" in Path(decrypted["backup"]).name
    assert database.read_bytes()[:16] == HEADER
    assert sqlite3.connect(database).execute("SELECT name FROM customers").fetchall() == [(NAME,)]
    assert ok(data, "verify")["ok"] is True
    assert (secrets.DATABASE_SERVICE, str(data.resolve())) not in memory_keyring.store
    assert "ERROR" not in capfd.readouterr().err


@pytest.mark.sqlite_only
def test_without_the_right_key_one_clear_refusal(data: Path, memory_keyring: MemoryKeyring) -> None:
    _business(data)
    ok(data, "db", "encrypt")
    key = memory_keyring.store.pop((secrets.DATABASE_SERVICE, str(data.resolve())))

    assert "is encrypted and no key for it was given" in user_error(data, "customer", "list")
    # a process of its own: SQLCipher's log lines (silenced for the whole process once) never reach the terminal
    wrong = run_process(data, "--key-stdin", "customer", "list", stdin="00" * 32 + "\n")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert "does not open" in wrong.stderr
    given = run(data, "--key-stdin", "--json", "customer", "list", stdin=key + "\n")
    assert given.returncode == 0 and NAME in given.stdout


@pytest.mark.sqlite_only
def test_a_key_of_ones_own_where_there_is_no_keyring(data: Path, memory_keyring: MemoryKeyring) -> None:
    _business(data)
    assert "encrypted" in run(data, "--key-stdin", "db", "encrypt", stdin="correct horse battery staple\n").stdout
    assert memory_keyring.store == {}
    assert "is encrypted and no key" in user_error(data, "invoice", "list")
    listed = run(data, "--key-stdin", "--json", "invoice", "list", stdin="correct horse battery staple\n")
    assert listed.returncode == 0 and "INV-2024-00001" in listed.stdout
    assert "encrypted already" in user_error(data, "db", "encrypt")


@pytest.mark.sqlite_only
def test_an_encrypted_backup_restores_into_another_folder_and_on_another_computer(
    data: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    import shutil

    import keyring
    from keyring.backends import fail

    _business(data)
    ok(data, "db", "encrypt")
    archive = ok(data, "backup", "create")["path"]
    key = memory_keyring.store[(secrets.DATABASE_SERVICE, str(data.resolve()))]

    # this computer, another folder: the key of the folder the backup was made in opens it, and goes with it
    moved = tmp_path / "moved"
    restored = run(data, "backup", "restore", archive, "--to", str(moved))
    assert restored.returncode == 0 and "its key is kept in the system keyring for" in restored.stdout
    assert memory_keyring.store[(secrets.DATABASE_SERVICE, str(moved.resolve()))] == key
    assert (moved / "invoicer.sqlite3").read_bytes()[:16] != HEADER
    assert [c["name"] for c in ok(moved, "customer", "list")] == [NAME] and ok(moved, "verify")["ok"] is True

    # the key to keep (and to take along): `db key`, the key alone on stdout
    shown = run(data, "db", "key")
    assert shown.returncode == 0 and shown.stdout == key + "\n" and "keep it as safe as a password" in shown.stderr
    assert ok(data, "db", "key")["key"] == key
    assert "is not encrypted: it has no key" in user_error(tmp_path / "plain", "db", "key")

    # another computer: an empty keyring, the archive copied anywhere
    memory_keyring.store.clear()
    carried = tmp_path / "usb" / Path(archive).name
    carried.parent.mkdir()
    shutil.copy(archive, carried)
    new = tmp_path / "new"
    refused = user_error(new, "backup", "restore", str(carried))
    assert "holds an encrypted database, and no key for it is known on this computer" in refused
    assert "invoicer db key" in refused and not (new / "invoicer.sqlite3").exists()
    wrong = run(new, "--key-stdin", "backup", "restore", str(carried), stdin="00" * 32 + "\n")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert f"does not open {carried}" in wrong.stderr and "restoring" not in wrong.stderr  # the archive, not a temp file
    given = run(tmp_path / "elsewhere", "--key-stdin", "backup", "restore", str(carried), "--to", str(new),
                stdin=key + "\n")
    assert given.returncode == 0, given.stderr
    assert memory_keyring.store == {(secrets.DATABASE_SERVICE, str(new.resolve())): key}
    assert [c["name"] for c in ok(new, "customer", "list")] == [NAME] and ok(new, "verify")["ok"] is True

    # over a business encrypted with another key: the key given is the backup's; the one replaced is backed up with
    # its own key, not moved aside as damaged
    ok(tmp_path / "second", "customer", "add", "--name", "Initech", "--country", "DE")
    ok(tmp_path / "second", "db", "encrypt")
    second_key = memory_keyring.store[(secrets.DATABASE_SERVICE, str((tmp_path / "second").resolve()))]
    over = run(tmp_path / "second", "--json", "--key-stdin", "backup", "restore", str(carried), stdin=key + "\n")
    assert over.returncode == 0, over.stderr
    saved = Path(json.loads(over.stdout)["previous_saved_as"])
    assert saved.name.endswith("-pre-restore.zip"), saved
    assert memory_keyring.store[(secrets.DATABASE_SERVICE, str((tmp_path / "second").resolve()))] == key != second_key
    assert run(tmp_path / "x", "--key-stdin", "backup", "restore", str(saved), "--to", str(tmp_path / "old"),
               stdin=second_key + "\n").returncode == 0

    # no keyring at all: restored, and the key is asked for at every start
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        bare = tmp_path / "bare"
        kept = run(bare, "--json", "--key-stdin", "backup", "restore", str(carried), stdin=key + "\n")
        assert kept.returncode == 0 and '"key_kept": false' in kept.stdout
        assert "is encrypted and no key" in user_error(bare, "customer", "list")
        listed = run(bare, "--key-stdin", "--json", "customer", "list", stdin=key + "\n")
        assert listed.returncode == 0 and NAME in listed.stdout
    finally:
        keyring.set_keyring(previous)
