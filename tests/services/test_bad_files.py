"""Bad files and bad disks: truncated, random, empty, read-only, full. Each is refused or handled with a
clear message, and the file is left exactly as it was (its hash before and after)."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoicer.core.errors import StorageError
from invoicer.db.migrate import Database, open_database
from invoicer.services import backups, integrity, invoices, store
from invoicer.services.invoices import DraftData, LineData

from .helpers import add_customer, make_open, set_up_seller


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def business(folder: Path, template: Path) -> Path:
    """A data folder holding a real business (company, customer, finalized invoices), checkpointed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "invoicer.sqlite3").write_bytes(template.read_bytes())
    db = open_database(folder, daily_backup=False)
    set_up_seller(db)
    customer = add_customer(db)
    for _ in range(5):
        make_open(db, customer)
    db.close()
    raw = sqlite3.connect(folder / "invoicer.sqlite3")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return folder / "invoicer.sqlite3"


@pytest.mark.parametrize("kept", [0.99, 0.75, 0.5, 0.1])
def test_a_truncated_database_is_refused_and_not_touched(template_db: Path, tmp_path: Path, kept: float) -> None:
    path = business(tmp_path / "data", template_db)
    whole = path.read_bytes()
    path.write_bytes(whole[: int(len(whole) * kept) // 4096 * 4096])
    before = sha(path)
    with pytest.raises(StorageError, match="damaged"):
        open_database(path.parent, daily_backup=False)
    with pytest.raises(StorageError):
        backups.check_backup(path)
    assert sha(path) == before


@pytest.mark.sqlite_only
def test_random_bytes_and_an_empty_file_are_no_backup_to_restore(seller: Database, tmp_path: Path) -> None:
    noise = tmp_path / "noise.sqlite3"
    noise.write_bytes(random.Random(5).randbytes(64 * 1024))
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    seller.close()
    live = sha(seller.path)
    for bad in (noise, empty):
        before = sha(bad)
        with pytest.raises(StorageError):
            backups.restore_backup(seller.folder, bad)
        assert sha(bad) == before
    assert sha(seller.path) == live


# ------------------------------------------------------------ disks that refuse: a small tmpfs of our own


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB file system mounted for this test (needs root, as in CI; skipped where mounting is not allowed)."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Take all but ``leave`` bytes of the disk."""
    import os

    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with (disk / "filler").open("wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


def test_a_full_disk_saves_nothing_and_says_so(template_db: Path, small_disk: Path) -> None:
    path = business(small_disk / "data", template_db)
    db = open_database(path.parent, daily_backup=False)
    customer = store.read(db, lambda s: invoices.get_invoice(s, 1).customer_id)
    drafts_before = store.read(db, lambda s: invoices.count_invoices(s, invoices.InvoiceFilter(status="draft")))
    fill(small_disk, leave=16 * 1024)
    big = DraftData(customer_id=customer, lines=[LineData("x" * 2000, "1", "1.00", "S", "19")] * 400)
    with pytest.raises(StorageError, match="disk is full"):
        for _ in range(50):
            store.write(db, lambda s: invoices.create_draft(s, big))
    with pytest.raises(StorageError, match="backup could not be written"):
        backups.create_backup(path.parent)
    assert not list(path.parent.rglob("*.partial*"))
    (small_disk / "filler").unlink()
    report = store.read(db, lambda s: integrity.verify(s, path.parent))
    assert report.ok, report.problems
    drafts_after = store.read(db, lambda s: invoices.count_invoices(s, invoices.InvoiceFilter(status="draft")))
    assert drafts_after >= drafts_before  # the refused draft is not there half-written: verify recomputed all
    db.close()


def test_a_full_disk_through_the_cli_is_one_line_and_exit_2(template_db: Path, small_disk: Path) -> None:
    from tests.cli.invocations import run

    path = business(small_disk / "data", template_db)
    fill(small_disk, leave=8 * 1024)
    result = run(path.parent, "invoice", "create", "--customer", "1", *(["--line", "Work " * 300 + "|1|1.00|19"] * 200))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "is full" in result.stderr


def test_a_read_only_disk_is_refused_with_a_clear_message(template_db: Path, small_disk: Path) -> None:
    path = business(small_disk / "data", template_db)
    before = sha(path)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(StorageError) as refused:
        open_database(path.parent, daily_backup=False)
    assert "is read-only" in str(refused.value)
    assert sha(path) == before
