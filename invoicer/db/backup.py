"""Online backups of the SQLite file (the sqlite3 backup API), rotation, and restore."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from invoicer import paths
from invoicer.core.errors import N_, StorageError

DEFAULT_KEEP = 10
_NOT_OURS = N_("{path} is not an Invoicer database.")
_NAME = re.compile(r"^invoicer-(\d{8}-\d{6})(?:-(\d+))?-([a-z-]+)\.sqlite3$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    reason: str
    size: int


def create_backup(db_path: Path, folder: Path, reason: str = "manual", keep: int | None = DEFAULT_KEEP) -> Path:
    """Copy the live database with SQLite's online backup API (safe while it is in use), then keep the newest
    ``keep`` backups (None: rotate later, as a restore does once it is done)."""
    paths.private_dir(folder)
    paths.remove_abandoned(folder)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"invoicer-{stamp}-{reason}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"invoicer-{stamp}-{n}-{reason}.sqlite3"
    partial = paths.private_file(paths.partial_path(target))
    try:
        with _connect(db_path) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        dst.close()
        src.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(N_("The backup could not be written: {reason}."), reason=str(exc)) from None
    if keep is not None:
        rotate(folder, keep)
    return target


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups in ``folder``, newest first."""
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


def restore_backup(
    source: Path, db_path: Path, folder: Path, known_revisions: set[str], keep: int = DEFAULT_KEEP + 1
) -> Path | None:
    """Replace the database with ``source`` after checking it; the current file is backed up first.

    Returns the safety backup of the database that was replaced (None if there was none).
    """
    check_database_file(source, known_revisions)
    safety = None
    if db_path.exists() and db_path.stat().st_size > 0:
        try:
            safety = create_backup(db_path, folder, reason="pre-restore", keep=None)
        except StorageError:
            safety = folder / f"invoicer-{datetime.now():%Y%m%d-%H%M%S}-damaged.sqlite3"
            paths.private_dir(folder)
            db_path.replace(safety)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    try:
        with _connect(source) as src, sqlite3.connect(db_path) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    except sqlite3.Error as exc:
        raise StorageError(N_("The backup could not be restored: {reason}."), reason=str(exc)) from None
    rotate(folder, keep)  # only now: rotating before could delete the very backup being restored
    return safety


def check_database_file(path: Path, known_revisions: set[str]) -> None:
    """Refuse a file that is not an intact Invoicer database this version understands."""
    if not path.is_file():
        raise StorageError(N_("{path} does not exist."), path=path)
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise StorageError(_NOT_OURS, path=path)
    try:
        with _connect(path) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StorageError(N_("{path} is damaged ({reason})."), path=path, reason=ok)
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchall()
            if not rows:
                raise StorageError(_NOT_OURS, path=path)
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            N_("{path} cannot be read as an Invoicer database ({reason})."), path=path, reason=str(exc)
        ) from None
    if version is None or version[0] not in known_revisions:
        raise StorageError(
            N_("{path} was written by a newer version of Invoicer; update Invoicer to open it."), path=path
        )


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
