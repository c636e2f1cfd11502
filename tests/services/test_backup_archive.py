"""A backup is the whole business in one archive: restored into an empty folder it verifies, its PDFs and logo
are byte-identical; a damaged archive is refused and changes nothing; old plain copies still restore; the day's
first backup is made in the background."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from invoicer import __version__, paths
from invoicer.core.errors import StorageError
from invoicer.db import backup
from invoicer.db.engine import transaction
from invoicer.db.migrate import HEAD_REVISION, Database, open_database
from invoicer.services import backups, company, integrity

from .helpers import make_open

# about the local file and the files beside it (a server's backups: tests/postgres/test_backup.py)
pytestmark = pytest.mark.sqlite_only


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def set_logo(db: Database, tmp_path: Path) -> Path:
    logo = tmp_path / "outside" / "logo.png"
    logo.parent.mkdir(exist_ok=True)
    Image.new("RGB", (300, 100), (20, 80, 160)).save(logo)
    with transaction(db.sessions) as s:
        company.update_company(s, logo_path=str(logo))
    return logo


@pytest.fixture
def business(seller: Database, customer_id: int, tmp_path: Path) -> Database:
    """A seller with a logo and three finalized invoices (three frozen PDFs)."""
    set_logo(seller, tmp_path)
    for _ in range(3):
        make_open(seller, customer_id)
    return seller


def rewrite(archive: Path, change: dict[str, bytes | None]) -> None:
    """Rewrite ``archive`` with some members replaced (or left out, for None), the manifest as it was."""
    with zipfile.ZipFile(archive) as old:
        members = {name: old.read(name) for name in old.namelist()}
    for name, content in change.items():
        if content is None:
            members.pop(name)
        else:
            members[name] = content
    with zipfile.ZipFile(archive, "w") as new:
        for name, content in members.items():
            new.writestr(name, content)


def test_restore_into_an_empty_folder_gives_the_whole_business(business: Database, tmp_path: Path) -> None:
    archive = backups.create_backup(business.folder)
    pdfs = files_under(business.documents_dir)
    assert len(pdfs) == 3
    logo = (tmp_path / "outside" / "logo.png").read_bytes()
    empty = tmp_path / "new-machine"

    done = backups.restore_backup(empty, archive)

    assert done.previous_saved_as is None  # nothing was there to save
    assert files_under(paths.documents_dir(empty)) == pdfs
    restored = open_database(empty, daily_backup=False)
    with transaction(restored.readonly_sessions) as s:
        report = integrity.verify(s, empty)
        stored_logo = company.company_data(company.get_company(s)).logo_path
    restored.close()
    assert report.ok, report.summary()
    assert report.checked["finalized documents"] == 3
    found = paths.logo_file(empty, stored_logo)
    assert found is not None and found.is_relative_to(empty) and found.read_bytes() == logo


def test_the_manifest_names_version_revision_and_every_member_hash(business: Database) -> None:
    archive = backups.create_backup(business.folder)
    assert archive.suffix == ".zip"
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["app_version"] == __version__
        assert manifest["schema_revision"] == HEAD_REVISION
        assert manifest["created"]
        assert set(manifest["members"]) == set(z.namelist()) - {"manifest.json"}
        for name, digest in manifest["members"].items():
            assert hashlib.sha256(z.read(name)).hexdigest() == digest
    names = set(manifest["members"])
    assert "invoicer.sqlite3" in names
    assert sum(n.startswith("documents/") for n in names) == 3
    assert sum(n.startswith("logo/") for n in names) == 1


def damage_a_pdf(archive: Path) -> None:
    with zipfile.ZipFile(archive) as z:
        name = next(n for n in z.namelist() if n.startswith("documents/"))
        content = bytearray(z.read(name))
    content[len(content) // 2] ^= 0xFF
    rewrite(archive, {name: bytes(content)})


def truncate(archive: Path) -> None:
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])


def drop_the_manifest(archive: Path) -> None:
    rewrite(archive, {"manifest.json": None})


def add_a_stray_file(archive: Path) -> None:
    rewrite(archive, {"../outside.txt": b"not listed"})


def newer_schema(archive: Path) -> None:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        database = z.read("invoicer.sqlite3")
    raw_path = archive.with_suffix(".db")
    raw_path.write_bytes(database)
    raw = sqlite3.connect(raw_path)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    database = raw_path.read_bytes()
    manifest["members"]["invoicer.sqlite3"] = hashlib.sha256(database).hexdigest()
    rewrite(archive, {"invoicer.sqlite3": database, "manifest.json": json.dumps(manifest).encode()})


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (damage_a_pdf, "is not what was backed up"),
        (truncate, "is damaged"),
        (drop_the_manifest, "not an Invoicer backup"),
        (add_a_stray_file, "is damaged"),
        (newer_schema, "newer version"),
    ],
)
def test_a_damaged_archive_is_refused_and_nothing_changes(business: Database, damage, said: str) -> None:  # type: ignore[no-untyped-def]
    archive = backups.create_backup(business.folder)
    damage(archive)
    business.close()
    before = files_under(business.folder)
    before.pop("invoicer.sqlite3-wal", None)

    with pytest.raises(StorageError, match=said):
        backups.check_backup(archive)
    with pytest.raises(StorageError, match=said):
        backups.restore_backup(business.folder, archive)

    after = files_under(business.folder)
    after.pop("invoicer.sqlite3-wal", None)
    after.pop("invoicer.sqlite3-shm", None)  # what SQLite's read-only look at the keep setting leaves
    before.pop("invoicer.sqlite3-shm", None)
    assert after == before  # no pre-restore backup, no database, PDF or logo changed
    assert not list(business.folder.glob(".restoring-*"))


def test_restore_replaces_the_documents_and_keeps_the_replaced_business(
    business: Database, customer_id: int
) -> None:
    archive = backups.create_backup(business.folder)
    at_backup = files_under(business.documents_dir)
    make_open(business, customer_id)  # a fourth invoice, after the backup
    after = files_under(business.documents_dir)
    business.close()

    done = backups.restore_backup(business.folder, archive.name)

    assert files_under(business.documents_dir) == at_backup
    safety = done.previous_saved_as
    assert safety is not None and safety.name.endswith("-pre-restore.zip")
    with zipfile.ZipFile(safety) as z:
        assert {n.removeprefix("documents/") for n in z.namelist() if n.startswith("documents/")} == set(after)
    db = open_database(business.folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        assert integrity.verify(s, db.folder).ok
    db.close()


def test_a_plain_copy_from_an_earlier_version_still_lists_and_restores(business: Database, tmp_path: Path) -> None:
    old_style = business.backups_dir / "invoicer-20250101-120000-daily.sqlite3"
    business.backups_dir.mkdir(exist_ok=True)
    raw, copy = sqlite3.connect(business.path), sqlite3.connect(old_style)
    raw.backup(copy)
    raw.close()
    copy.close()
    pdfs = files_under(business.documents_dir)

    assert [b.path for b in backups.list_backups(business.folder)] == [old_style]
    backups.check_backup(old_style)
    business.close()
    backups.restore_backup(business.folder, old_style.name)

    assert files_under(business.documents_dir) == pdfs  # the database only: the PDFs stay where they are
    db = open_database(business.folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        assert integrity.verify(s, db.folder).ok
    db.close()


def test_the_daily_backup_is_an_archive_made_in_the_background(template_db: Path, tmp_path: Path) -> None:
    shutil.copy(template_db, tmp_path / "invoicer.sqlite3")
    db = open_database(tmp_path)
    assert db.daily_backup is not None
    db.close()  # waits for the background backup
    made = db.daily_backup.result()
    assert made is not None and made.name.endswith("-daily.zip")
    backups.check_backup(made)
    again = open_database(tmp_path)
    again.close()
    assert again.daily_backup is not None and again.daily_backup.result() is None  # one a day


def test_writes_go_on_while_the_daily_backup_copies(seller: Database, customer_id: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes that land while the copy is in its steps neither wait for it nor make it start over: the archive
    holds the database as it was when the copy began."""
    make_open(seller, customer_id)
    monkeypatch.setattr(backup, "DAILY_STEP_PAGES", 1)
    written: list[int] = []

    def write_between_steps(status: int, remaining: int, total: int) -> None:
        if len(written) < 3:
            written.append(make_open(seller, customer_id))

    class Stepping(sqlite3.Connection):
        def backup(self, target: sqlite3.Connection, **kw: Any) -> None:
            super().backup(target, pages=kw["pages"], progress=write_between_steps)

    monkeypatch.setattr(backup, "_connect", lambda path, _key: sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                                               factory=Stepping))
    made = backups.start_daily_backup(seller.folder).result()
    monkeypatch.undo()

    assert made is not None and len(written) == 3
    with zipfile.ZipFile(made) as z:
        snapshot = seller.folder / "snapshot.sqlite3"
        snapshot.write_bytes(z.read("invoicer.sqlite3"))
    raw = sqlite3.connect(snapshot)
    assert raw.execute("SELECT count(*) FROM invoices WHERE status != 'draft'").fetchone()[0] == 1
    raw.close()


def disk_full(*args: object) -> None:
    raise OSError(28, "No space left on device")


def test_a_failed_daily_backup_is_reported_not_raised(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(template_db, tmp_path / "invoicer.sqlite3")
    monkeypatch.setattr(backup, "_write_archive", disk_full)
    db = open_database(tmp_path)
    db.close()
    assert db.daily_backup is not None
    error = db.daily_backup.exception()
    assert isinstance(error, StorageError) and "No space left on device" in str(error)
    assert backups.list_backups(tmp_path) == [] and list((tmp_path / "backups").iterdir()) == []


def test_a_backup_reports_its_progress_in_steps_up_to_the_whole(business: Database,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What speed19's start-up backup shows: (done, total) in bytes after each step, never backwards, ending whole."""
    monkeypatch.setattr(backup, "DAILY_STEP_PAGES", 4)
    pages = sqlite3.connect(business.path).execute("PRAGMA page_count").fetchone()[0]
    seen: list[tuple[int, int]] = []

    archive = backups.create_backup(business.folder, progress=lambda done, total: seen.append((done, total)))

    backups.check_backup(archive)
    assert len(seen) > pages // 4  # the database copied in steps of 4 pages, then every member compressed
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    assert all(0 < d <= t for d, t in seen)
    assert seen[-1][0] == seen[-1][1] >= 2 * 4096 * pages  # copied, then compressed
    (logo,) = paths.logo_dir(business.folder).iterdir()
    # the total is known once the copy starts; the logo, named in the copy, joins it then
    assert seen[-1][1] - seen[0][1] == logo.stat().st_size


def test_a_backup_cancelled_from_its_progress_leaves_nothing_behind(business: Database) -> None:
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done > total // 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        backups.create_backup(business.folder, progress=cancel)
    assert list(business.backups_dir.iterdir()) == []
    assert backups.create_backup(business.folder, in_background=True).is_file()
