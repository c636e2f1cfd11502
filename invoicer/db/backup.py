"""Backups of the whole business as one archive (database snapshot, frozen PDFs, logo, manifest), rotation,
checks before a restore, and restore.

The database is copied with SQLite's online backup API (safe while the app uses it) and compressed into a
zip: deflate is in the standard library, shrinks an SQLite file about five times, and every desktop opens a
zip without Invoicer. An encrypted database is copied between two connections keyed alike, so its snapshot in the
archive is encrypted with the same key (the PDFs beside it are not). Backups made before archives (plain ``.sqlite3`` copies) still list and restore.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from invoicer import __version__, paths
from invoicer.core.errors import N_, StorageError
from invoicer.db import cipher

DEFAULT_KEEP = 10
ARCHIVE_FORMAT = "invoicer-backup"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = paths.DB_FILENAME
# the daily backup copies this many pages per step and lets the app's own reads and writes in between
DAILY_STEP_PAGES = 1024
# deflate levels: where someone waits (a manual, pre-migration or pre-restore backup) the fast level, about 2.5x
# quicker; in the background the default level, about 15 % smaller (300 MB of SQLite: 71 MB against 61 MB)
WAITED_FOR_LEVEL = 1
BACKGROUND_LEVEL = 6
_CHUNK = 1 << 20
_NOT_OURS = N_("{path} is not an Invoicer database.")
_DAMAGED_ARCHIVE = N_("{path} is damaged ({reason}); nothing was restored.")
_NAME = re.compile(r"^invoicer-(\d{8}-\d{6})(?:-(\d+))?-([a-z-]+)\.(sqlite3|zip)$")
# a restore waits for a backup still running in the background (it must not replace the file being copied)
_ONE_AT_A_TIME = threading.RLock()


#: how far a backup is, in bytes: (done, total); called from the thread that makes the backup
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    reason: str
    size: int


def create_backup(
    db_path: Path, folder: Path, reason: str = "manual", keep: int | None = DEFAULT_KEEP, *,
    in_background: bool = False, key: str | None = None, progress: Progress | None = None,
) -> Path:
    """Archive the business whose database is ``db_path`` into ``folder``, then keep the newest ``keep`` backups
    (None: rotate later, as a restore does once it is done).

    ``in_background`` (the daily backup) compresses harder, since nobody waits for it. The database is copied in
    steps (the app's writes go on between them) in the background or when ``progress`` is given; ``progress`` hears
    after each step how many bytes of the database copy and of the compression are done. ``key`` opens an encrypted
    database, and the snapshot is encrypted with it.
    """
    with _ONE_AT_A_TIME:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        # counted over every backup of this second, whatever its reason: the number orders them (list_backups)
        n = 1 + sum(1 for p in folder.glob(f"invoicer-{stamp}-*") if _NAME.match(p.name)) if folder.is_dir() else 1
        target = folder / (f"invoicer-{stamp}-{reason}.zip" if n == 1 else f"invoicer-{stamp}-{n}-{reason}.zip")
        while target.exists():
            n += 1
            target = folder / f"invoicer-{stamp}-{n}-{reason}.zip"
        level = BACKGROUND_LEVEL if in_background else WAITED_FOR_LEVEL
        partial = paths.partial_path(target)
        snapshot = paths.partial_path(target.with_name(f"{target.name}.sqlite3"))
        try:
            paths.private_dir(folder)
            paths.remove_abandoned(folder)
            paths.private_file(partial)
            paths.private_file(snapshot)
            meter = _Meter(progress, _pdf_bytes(db_path.parent))
            _snapshot(db_path, snapshot, in_background or progress is not None, key, meter)
            _write_archive(db_path.parent, snapshot, partial, reason, level, key, meter)
            partial.replace(target)
        except cipher.errors(also=(OSError,)) as exc:
            _discard(partial)
            raise StorageError(N_("The backup could not be written: {reason}."), reason=str(exc)) from None
        except BaseException:  # e.g. cancelled from the progress callback: no half archive is left behind
            _discard(partial)
            raise
        finally:
            _discard(snapshot)
        meter.finish()
        if keep is not None:
            rotate(folder, keep)
    return target


def start_daily_backup(
    db_path: Path, keep: int, key: str | None = None, progress: Progress | None = None
) -> Future[Path | None]:
    """The day's first backup, made in a background thread; the future holds None when one exists already.

    The thread is not a daemon: a process that ends meanwhile waits for the archive to be whole.
    """
    future: Future[Path | None] = Future()
    folder = paths.backups_dir(db_path.parent)
    if backed_up_today(folder):
        future.set_result(None)
        return future

    def run() -> None:
        try:
            future.set_result(create_backup(db_path, folder, "daily", keep, in_background=True, key=key,
                                            progress=progress))
        except BaseException as exc:  # handed to whoever watches the future (status bar, CLI warning)
            future.set_exception(exc)

    threading.Thread(target=run, name="invoicer-daily-backup").start()
    return future


def backed_up_today(folder: Path) -> bool:
    found = list_backups(folder)
    return bool(found) and found[0].created.date() >= date.today()


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups in ``folder`` (archives and the plain copies of earlier versions), newest first."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _NAME.match(path.name)
            if m:
                created = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
                found.append((int(m.group(2) or 1), BackupInfo(path, created, m.group(3), path.stat().st_size)))
    # several backups in one second are numbered 2, 3…: the number, not the name, says which came last
    return [info for _n, info in sorted(found, key=lambda f: (f[1].created, f[0]), reverse=True)]


def rotate(folder: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups, delete the rest."""
    for old in list_backups(folder)[max(keep, 1):]:
        old.path.unlink(missing_ok=True)


def keep_from_stored(stored: str | None) -> int:
    """The ``backup.keep`` setting as stored (JSON), at least 1; the default when missing or unreadable."""
    try:
        return max(int(stored), 1) if stored is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def check_backup(source: Path, known_revisions: set[str], key: str | None = None) -> None:
    """Refuse a backup that is damaged, not ours, or newer than this version (archive or plain copy); ``key`` opens
    an encrypted one."""
    if not _is_archive(source):
        check_database_file(source, known_revisions, key=key)
        return
    with tempfile.TemporaryDirectory(prefix="invoicer-check-") as staging:
        _unpack(source, Path(staging), known_revisions, key)


def restore_backup(
    source: Path, db_path: Path, folder: Path, known_revisions: set[str], keep: int = DEFAULT_KEEP + 1,
    key: str | None = None, current_key: str | None = None,
) -> Path | None:
    """Replace the business with ``source`` after checking all of it; the current one is backed up first.

    An archive brings back the database, the frozen PDFs (``documents/`` is replaced as a whole) and the logo;
    a plain copy of earlier versions brings back the database only. Returns the safety backup of what was
    replaced (None if there was nothing). ``key`` opens an encrypted backup, ``current_key`` the encrypted database
    it replaces (a backup from another computer or folder may have another key); the database put in place is
    encrypted, with the backup's key, exactly when the backup's is.
    """
    data = db_path.parent
    paths.private_dir(data)
    staging = paths.private_dir(paths.partial_path(data / "restoring"))
    try:
        with _ONE_AT_A_TIME:
            if _is_archive(source):
                _unpack(source, staging, known_revisions, key)
                database = staging / DATABASE_MEMBER
            else:
                check_database_file(source, known_revisions, key=key)
                database = source
            safety = _save_current(db_path, folder, current_key)
            # copied beside the database, then renamed over it: the old file stays whole until the new one is
            restored = paths.private_file(paths.partial_path(db_path))
            try:
                _copy(database, restored, key)
                for suffix in ("-wal", "-shm"):
                    Path(f"{db_path}{suffix}").unlink(missing_ok=True)
                restored.replace(db_path)
            except cipher.errors(also=(OSError,)) as exc:
                raise StorageError(N_("The backup could not be restored: {reason}."), reason=str(exc)) from None
            finally:
                _discard(restored)
            if database != source:
                _put_files_back(staging, data)
            rotate(folder, keep)  # only now: rotating before could delete the very backup being restored
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return safety


def check_database_file(
    path: Path, known_revisions: set[str], shown: Path | None = None, key: str | None = None
) -> None:
    """Refuse a file that is not an intact Invoicer database this version understands (named ``shown``); ``key``
    opens an encrypted one."""
    named = shown or path
    if not path.is_file():
        raise StorageError(N_("{path} does not exist."), path=named)
    try:
        with _connect_named(path, key, named) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StorageError(N_("{path} is damaged ({reason})."), path=named, reason=ok)
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchall()
            if not rows:
                raise StorageError(_NOT_OURS, path=named)
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.close()
    except cipher.errors("DatabaseError") as exc:
        raise StorageError(
            N_("{path} cannot be read as an Invoicer database ({reason})."), path=named, reason=str(exc)
        ) from None
    if version is None or version[0] not in known_revisions:
        raise StorageError(
            N_("{path} was written by a newer version of Invoicer; update Invoicer to open it."), path=named
        )


# ---------------------------------------------------------------- writing an archive


class _Meter:
    """A backup's progress in bytes: the database pages copied, then the bytes of every member compressed. The total
    is known once the copy starts (the database's pages, twice, and the PDFs' size) and grows if PDFs were added
    meanwhile."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = max(total, 1)
        self.done = 0

    def expect(self, more: int) -> None:
        self.total += more

    def advance(self, amount: int) -> None:
        self.done += amount
        self.total = max(self.total, self.done)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        """The archive is in place: done equals total (a PDF that vanished meanwhile left it short)."""
        if self.done != self.total and self.progress is not None:
            self.total = self.done
            self.progress(self.done, self.total)


def _pdf_bytes(data: Path) -> int:
    """The bytes of the frozen PDFs a backup of ``data`` compresses (the logo is small enough to be left out)."""
    documents = paths.documents_dir(data)
    return sum(_size(file) for file in documents.rglob("*")) if documents.is_dir() else 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _snapshot(db_path: Path, target: Path, in_steps: bool, key: str | None, meter: _Meter) -> None:
    """A consistent copy of the live database (encrypted with the same key when it is). In steps: inside one read
    transaction, so that in WAL mode the app's writes neither wait for the copy nor make it start over."""
    with _connect(db_path, key) as src, _connect_like(db_path, target, key) as dst:
        if in_steps:
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])
        meter.expect(2 * page_size * int(src.execute("PRAGMA page_count").fetchone()[0]))  # copied, then compressed
        copied = 0

        def step(_status: int, remaining: int, pages: int) -> None:
            nonlocal copied
            meter.advance((pages - remaining - copied) * page_size)
            copied = pages - remaining

        src.backup(dst, pages=DAILY_STEP_PAGES if in_steps else -1, progress=step)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file: no -wal/-shm beside it, ever
    src.close()
    dst.close()


def _write_archive(
    data: Path, snapshot: Path, target: Path, reason: str, level: int, key: str | None, meter: _Meter
) -> None:
    revision, stored_logo = _snapshot_facts(snapshot, key)
    members: list[tuple[str, Path]] = [(DATABASE_MEMBER, snapshot)]
    documents = paths.documents_dir(data)
    if documents.is_dir():
        members += [
            (f"{documents.name}/{file.relative_to(documents).as_posix()}", file)
            for file in sorted(documents.rglob("*")) if file.is_file() and not paths.is_partial(file)
        ]
    logo = paths.logo_file(data, stored_logo)
    if logo is not None:
        members.append((f"{paths.LOGO_DIRNAME}/{logo.name}", logo))
        meter.expect(_size(logo))
    hashes: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, file in members:
            digest = hashlib.sha256()
            with file.open("rb") as src, archive.open(name, "w", force_zip64=True) as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    meter.advance(len(chunk))
            hashes[name] = digest.hexdigest()
        manifest = {
            "format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION, "app_version": __version__,
            "schema_revision": revision, "created": datetime.now().isoformat(timespec="seconds"),
            "reason": reason, "members": hashes,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))


def _snapshot_facts(snapshot: Path, key: str | None) -> tuple[str | None, str | None]:
    """The schema revision and the company's logo as stored in the snapshot."""
    with _connect(snapshot, key) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if (
            "alembic_version" in tables) else None
        logo = conn.execute("SELECT logo_path FROM company").fetchone() if "company" in tables else None
    conn.close()
    return (revision[0] if revision else None), (logo[0] if logo else None)


# ---------------------------------------------------------------- reading an archive


def _is_archive(source: Path) -> bool:
    """A zip by its first bytes (whatever the file is called); anything else is checked as a plain copy."""
    try:
        with source.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _unpack(source: Path, staging: Path, known_revisions: set[str], key: str | None) -> None:
    """Unpack ``source`` into ``staging`` and check it: its manifest, every member against its SHA-256, and the
    database (intact, ours, not newer). StorageError naming what is wrong; the caller changes nothing then."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = _manifest_members(source, archive)
            for name, expected in members.items():
                digest = hashlib.sha256()
                target = staging / name
                paths.private_dir(target.parent)
                with archive.open(name) as src, paths.private_file(target).open("wb") as dst:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                if digest.hexdigest() != expected:
                    raise StorageError(
                        N_("{path} is damaged: {member} is not what was backed up; nothing was restored."),
                        path=source, member=name,
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
        raise StorageError(_DAMAGED_ARCHIVE, path=source, reason=str(exc)) from None
    check_database_file(staging / DATABASE_MEMBER, known_revisions, shown=source, key=key)


def _manifest_members(source: Path, archive: zipfile.ZipFile) -> dict[str, str]:
    """The members the manifest lists with their SHA-256; the archive must hold exactly those."""
    try:
        manifest: Any = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise StorageError(N_("{path} is not an Invoicer backup."), path=source) from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise StorageError(N_("{path} is not an Invoicer backup."), path=source)
    members = manifest.get("members")
    if not isinstance(members, dict) or DATABASE_MEMBER not in members:
        raise StorageError(N_("{path} is not an Invoicer backup."), path=source)
    if not isinstance(manifest.get("version"), int) or manifest["version"] > ARCHIVE_VERSION:
        raise StorageError(
            N_("{path} was written by a newer version of Invoicer; update Invoicer to open it."), path=source
        )
    stored = set(archive.namelist()) - {MANIFEST}
    unsafe = [name for name in members if not _safe_member(name)]
    if stored != set(members) or unsafe:
        raise StorageError(_DAMAGED_ARCHIVE, path=source,
                           reason=", ".join(sorted(stored ^ set(members)) + unsafe))
    return {str(name): str(digest) for name, digest in members.items()}


def _safe_member(name: str) -> bool:
    """Only the database and files under documents/ and logo/: never a path that leaves the data folder."""
    parts = PurePosixPath(name).parts
    return name == DATABASE_MEMBER or (
        len(parts) > 1 and parts[0] in ("documents", paths.LOGO_DIRNAME)
        and not PurePosixPath(name).is_absolute() and ".." not in parts and "\\" not in name
    )


def _put_files_back(staging: Path, data: Path) -> None:
    """The archive's frozen PDFs replace ``documents/`` (the safety backup holds the ones replaced); its logo
    joins ``logo/``."""
    documents = paths.documents_dir(data)
    staged = staging / documents.name
    old = staging / "replaced-documents"
    if documents.exists():
        documents.replace(old)
    if staged.is_dir():
        staged.replace(documents)
    staged_logos = staging / paths.LOGO_DIRNAME
    if staged_logos.is_dir():
        logos = paths.logo_dir(data)
        paths.private_dir(logos)
        for file in staged_logos.iterdir():
            file.replace(logos / file.name)


def _save_current(db_path: Path, folder: Path, key: str | None) -> Path | None:
    """The business about to be replaced, as a ``pre-restore`` backup; a database too damaged to copy is moved
    aside as it is."""
    if not (db_path.exists() and db_path.stat().st_size > 0):
        return None
    try:
        return create_backup(db_path, folder, reason="pre-restore", keep=None, key=key)
    except StorageError:
        stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
        safety = folder / f"invoicer-{stamp}-damaged.sqlite3"
        paths.private_dir(folder)
        db_path.replace(safety)
        documents = paths.documents_dir(db_path.parent)
        if documents.is_dir():  # not in any archive: kept beside the damaged file rather than replaced
            documents.replace(folder / f"documents-{stamp}-replaced")
        return safety


def _discard(path: Path) -> None:
    """Remove a temporary file and any SQLite journal beside it."""
    for file in (path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):  # the error that matters is the one being reported
            file.unlink(missing_ok=True)


def _connect(path: Path, key: str | None) -> sqlite3.Connection:
    return cipher.open_file(path, key, readonly=True)


def _connect_named(path: Path, key: str | None, shown: Path) -> sqlite3.Connection:
    """As _connect; a refused key names ``shown`` (the archive), not the unpacked copy the user never sees."""
    try:
        return _connect(path, key)
    except StorageError as err:
        if shown == path or "path" not in err.text.values:
            raise
        raise StorageError(err.text.template, **{**err.text.values, "path": shown}) from None


def is_encrypted_backup(source: Path) -> bool:
    """The database in the backup ``source`` (an archive, or a plain copy of earlier versions) is encrypted; False for
    a file that is neither (checking it says what is wrong)."""
    if not _is_archive(source):
        return cipher.is_encrypted(source)
    try:
        with zipfile.ZipFile(source) as archive, archive.open(DATABASE_MEMBER) as member:
            head = member.read(len(cipher.SQLITE_HEADER))
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, KeyError):
        return False
    return len(head) == len(cipher.SQLITE_HEADER) and head != cipher.SQLITE_HEADER


def _connect_like(source: Path, target: Path, key: str | None) -> sqlite3.Connection:
    """A connection to a new copy of ``source`` at ``target``: keyed alike, so SQLite's backup API copies the pages
    as they are (encrypted stays encrypted with the same key)."""
    if cipher.is_encrypted(source) and key is not None:
        return cipher.connect_keyed(target, key)
    return sqlite3.connect(target)


def _copy(source: Path, target: Path, key: str | None) -> None:
    """Copy the database ``source`` into the empty file ``target`` with SQLite's backup API."""
    with _connect(source, key) as src, _connect_like(source, target, key) as dst:
        src.backup(dst)
    src.close()
    dst.close()
