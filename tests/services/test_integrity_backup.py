"""verify finds tampering and gaps; backups, restore, and refusing files we must not touch."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, tzinfo
from pathlib import Path

import pytest

from invoicer import paths
from invoicer.core.errors import StorageError
from invoicer.db import backup
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, known_revisions, open_database
from invoicer.services import backups, customers, integrity, payments, settings

from .helpers import make_draft, make_open, tamper


def verify(db: Database) -> integrity.Report:
    with transaction(db.readonly_sessions) as s:
        return integrity.verify(s, db.folder)


def test_clean_database_verifies(seller: Database, customer_id: int) -> None:
    make_open(seller, customer_id)
    report = verify(seller)
    assert report.ok and report.checked["chain links"] == 1


def test_verify_reads_documents_as_plain_rows_once(seller: Database, customer_id: int) -> None:
    """Documents are read as plain rows, each once: building them as ORM objects (twice, for the chain and for
    the totals) was most of verify's time (41.6 -> 12.0 s of CPU at 20,000 demo invoices)."""
    from sqlalchemy import event

    from invoicer.db.models import Invoice, InvoiceLine

    ids = [make_open(seller, customer_id) for _ in range(3)]
    make_draft(seller, customer_id)
    built: list[object] = []

    def keep(target: object, _context: object) -> None:
        built.append(target)

    read: list[str] = []

    def sent(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        read.append(statement)

    event.listen(Invoice, "load", keep)
    event.listen(InvoiceLine, "load", keep)
    event.listen(seller.engine, "before_cursor_execute", sent)
    try:
        report = verify(seller)
    finally:
        event.remove(Invoice, "load", keep)
        event.remove(InvoiceLine, "load", keep)
        event.remove(seller.engine, "before_cursor_execute", sent)
    assert report.ok and report.checked["finalized documents"] == len(ids) and report.checked["documents"] == 4
    assert built == []
    assert sum("FROM invoice_lines" in statement.split("WHERE")[0] for statement in read) == 1, read


@pytest.mark.parametrize(
    ("sql", "finding"),
    [
        ("UPDATE invoice_lines SET quantity = '4' WHERE invoice_id = 1 AND position = 1", "altered"),
        ("UPDATE invoices SET customer_snapshot = '{}' WHERE id = 1", "altered"),
        ("UPDATE invoices SET total = total + 1 WHERE id = 1", "stored totals"),
        ("UPDATE invoices SET paid = 5 WHERE id = 1", "payments add up"),
        ("UPDATE document_chain SET hash = 'x' WHERE seq = 1", "wrong hash"),
        ("DELETE FROM document_chain WHERE seq = 1", "not in the hash chain"),
        ("UPDATE number_counters SET last_seq = 3", "missing 3"),
        ("UPDATE invoices SET number_seq = 1 WHERE id = 2", "altered"),
    ],
)
def test_verify_says_what_is_wrong(seller: Database, customer_id: int, sql: str, finding: str) -> None:
    make_open(seller, customer_id)
    make_open(seller, customer_id)
    tamper(seller, sql)
    report = verify(seller)
    assert not report.ok
    assert finding in report.summary()


@pytest.mark.sqlite_only
def test_backup_list_restore(seller: Database, customer_id: int) -> None:
    make_open(seller, customer_id)
    saved = backup.create_backup(seller.path, seller.backups_dir, "manual")
    make_open(seller, customer_id)
    assert [b.path for b in backup.list_backups(seller.backups_dir)] == [saved]
    seller.close()
    safety = backup.restore_backup(saved, seller.path, seller.backups_dir, set(known_revisions()))
    assert safety is not None and safety.exists()
    db = open_database(seller.folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        assert customers.list_customers(s)[0].balance > 0
        assert integrity.verify(s).checked["finalized documents"] == 1
    db.close()


@pytest.mark.sqlite_only
def test_rotation_keeps_the_newest(tmp_path: Path, seller: Database) -> None:
    for _ in range(5):
        backup.create_backup(seller.path, tmp_path, "manual", keep=3)
    assert len(backup.list_backups(tmp_path)) == 3


@pytest.mark.sqlite_only
def test_every_backup_keeps_the_backup_keep_setting(seller: Database) -> None:
    """A backup made from the CLI, the GUI or a restore all keep the user's ``backup.keep``, not the default."""
    with transaction(seller.sessions) as s:
        settings.put(s, "backup.keep", 2)
    for _ in range(4):
        backups.create_backup(seller.folder)
    assert len(backups.list_backups(seller.folder)) == 2
    newest = backups.list_backups(seller.folder)[0]
    seller.close()
    done = backups.restore_backup(seller.folder, newest.path.name)
    assert done.source == newest.path and done.previous_saved_as is not None
    assert len(backups.list_backups(seller.folder)) == 3  # the pre-restore copy comes on top of the 2 kept


def test_daily_backup_once_a_day(template_db: Path, tmp_path: Path) -> None:
    shutil.copy(template_db, tmp_path / "invoicer.sqlite3")
    open_database(tmp_path).close()
    open_database(tmp_path).close()
    found = backup.list_backups(tmp_path / "backups")
    assert [b.reason for b in found] == ["daily"]


def test_newer_version_is_refused_and_not_touched(template_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "invoicer.sqlite3"
    shutil.copy(template_db, target)
    raw = sqlite3.connect(target)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    before = target.read_bytes()
    with pytest.raises(StorageError, match="newer version"):
        open_database(tmp_path)
    assert target.read_bytes() == before
    with pytest.raises(StorageError, match="newer version"):
        backup.restore_backup(target, tmp_path / "other.sqlite3", tmp_path / "b", set(known_revisions()))


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_corrupt_file_is_refused_and_not_touched(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "invoicer.sqlite3"
    target.write_bytes(content)
    with pytest.raises(StorageError):
        open_database(tmp_path)
    assert target.read_bytes() == content


@pytest.mark.sqlite_only
def test_a_lock_held_elsewhere_is_a_clear_error_and_changes_nothing(
    seller: Database, customer_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from invoicer.db import engine as engine_module

    invoice_id = make_open(seller, customer_id)
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 100)
    other = open_database(seller.folder, daily_backup=False)
    holder = sqlite3.connect(seller.path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="busy"), transaction(other.sessions) as s:
            payments.record_payment(s, invoice_id, 100, date(2026, 11, 2))
    finally:
        holder.rollback()
        holder.close()
        other.close()
    with transaction(seller.readonly_sessions) as s:
        assert payments.list_payments(s, invoice_id) == []


@pytest.mark.sqlite_only
def test_the_keep_setting_limits_daily_backups(seller: Database, tmp_path: Path) -> None:
    from invoicer.services import settings

    with transaction(seller.sessions) as s:
        settings.put(s, "backup.keep", 2)
    seller.close()
    for _ in range(4):
        backup.create_backup(seller.path, seller.backups_dir, "manual", keep=50)
    for old in backup.list_backups(seller.backups_dir):  # make them yesterday's so today's open backs up
        old.path.rename(old.path.with_name(old.path.name.replace("invoicer-2", "invoicer-1")))
    open_database(seller.folder).close()
    assert len(backup.list_backups(seller.backups_dir)) == 2


@pytest.mark.sqlite_only
def test_backups_made_in_one_second_rotate_oldest_first_and_restoring_the_oldest_works(seller: Database) -> None:
    """Found by the torture run: names within one second sorted by text, so rotation deleted the newest backup
    (create_backup returned a file that no longer existed), and a restore could rotate away its own source."""
    with transaction(seller.sessions) as s:
        settings.put(s, "backup.keep", 2)
    made = [backups.create_backup(seller.folder) for _ in range(3)]
    assert made[-1].exists() and made[-2].exists() and not made[0].exists()
    assert [b.path for b in backups.list_backups(seller.folder)] == [made[-1], made[-2]]
    seller.close()
    oldest = backups.list_backups(seller.folder)[-1].path
    done = backups.restore_backup(seller.folder, oldest)
    assert done.previous_saved_as is not None and done.previous_saved_as.exists()


@pytest.mark.sqlite_only
def test_backups_of_different_reasons_in_one_second_are_listed_in_the_order_made(
    seller: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the CLI story: a daily and a manual backup in one second were both unnumbered, so which one
    `backup list` gave first depended on the folder's order."""
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls(2026, 12, 5, 8, 35, 18)

    monkeypatch.setattr(backup, "datetime", Frozen)
    made = [backups.create_backup(seller.folder, reason) for reason in ("daily", "manual", "daily")]
    assert [b.path for b in backups.list_backups(seller.folder)][:3] == made[::-1]


@pytest.mark.sqlite_only
def test_a_backup_killed_half_way_leaves_nothing_once_the_folder_is_opened(seller: Database) -> None:
    folder = seller.backups_dir
    folder.mkdir(parents=True, exist_ok=True)
    dead = folder / "invoicer-20260101-000000-manual.sqlite3.999999999-1.partial"
    dead.write_bytes(b"half")
    Path(f"{dead}-journal").write_bytes(b"half")
    alive = paths.partial_path(folder / "invoicer-20260101-000000-manual.sqlite3")
    alive.write_bytes(b"being written")
    seller.close()
    open_database(seller.folder, daily_backup=False).close()
    assert sorted(p.name for p in folder.iterdir()) == [alive.name]
