"""Backups of the business as a use case: make one now, the day's first in the background, list them, restore
one; how many are kept.

Both front-ends ask here, so the ``backup.keep`` setting applies to every backup, whoever makes it. A backup
is one archive of the whole business (database, frozen PDFs, logo); the file mechanics (SQLite's online backup
API, the archive and its checks) live in ``invoicer.db.backup``.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from invoicer import paths
from invoicer.core.errors import N_, StorageError, ValidationError
from invoicer.db import backup, cipher
from invoicer.db.backup import BackupInfo, Progress
from invoicer.db.migrate import known_revisions
from invoicer.services.encryption import file_key, give_key, known_key

__all__ = [
    "BackupInfo", "Progress", "Restored", "backup_key", "check_backup", "create_backup", "find_backup", "keep_count",
    "list_backups", "needs_key", "restore_backup", "start_daily_backup",
]


@dataclass(frozen=True)
class Restored:
    """A restore that happened: the file put in place and where the replaced database was saved."""

    source: Path
    previous_saved_as: Path | None
    #: the database restored is encrypted and its key is in this computer's keyring for the folder (True), or there
    #: is no keyring here, so the key is asked for at every start (False); None: a plain database
    key_kept: bool | None = None


def keep_count(folder: Path) -> int:
    """The ``backup.keep`` setting of the database in ``folder`` (read-only look; the default if unreadable)."""
    path = paths.database_path(folder)
    if not path.is_file():
        return backup.DEFAULT_KEEP
    try:
        conn = cipher.open_file(path, file_key(folder), readonly=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'backup.keep'").fetchone()
        finally:
            conn.close()
    except cipher.errors(also=(StorageError,)):
        return backup.DEFAULT_KEEP
    return backup.keep_from_stored(row[0] if row else None)


def create_backup(
    folder: Path, reason: str = "manual", *, progress: Progress | None = None, in_background: bool = False
) -> Path:
    """Back up the business of ``folder`` now (database, frozen PDFs, logo: one archive), keeping the newest
    ``backup.keep`` backups.

    ``progress(done, total)`` hears, in bytes, how far the copy and the compression are, after every step (any thread
    may call this; the callback runs in it). ``in_background``: nobody waits, so it compresses harder.
    """
    path = paths.database_path(folder)
    if not path.is_file() or path.stat().st_size == 0:
        raise ValidationError(N_("There is no database in {folder} to back up yet."), folder=folder)
    return backup.create_backup(
        path, paths.backups_dir(folder), reason=reason, keep=keep_count(folder), key=file_key(folder),
        in_background=in_background, progress=progress,
    )


def start_daily_backup(folder: Path, progress: Progress | None = None) -> Future[Path | None]:
    """The day's first backup of ``folder``, made in a background thread (the future holds None when today's exists);
    ``progress`` as for create_backup, called from that thread."""
    return backup.start_daily_backup(paths.database_path(folder), keep_count(folder), file_key(folder), progress)


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups of ``folder``, newest first."""
    return backup.list_backups(paths.backups_dir(folder))


def check_backup(source: Path, folder: Path | None = None, key: str | None = None) -> None:
    """Refuse a backup that is damaged (manifest, checksums, database) or that this version cannot read; an encrypted
    one opens with ``key``, else as backup_key finds it for restoring into ``folder``."""
    backup.check_backup(source, set(known_revisions()), backup_key(folder, source, key))


def needs_key(folder: Path, source: Path) -> bool:
    """The backup ``source`` holds an encrypted database and no key for it is known here: the front-end asks for one."""
    return backup.is_encrypted_backup(source) and _known_backup_key(folder, source) is None


def backup_key(folder: Path | None, source: Path, key: str | None = None) -> str | None:
    """The key that opens the encrypted database in the backup ``source`` restored into ``folder``: ``key`` when given,
    else the one known for the data folder the backup was made in (``--to`` another folder on this computer), else
    the one of ``folder``; None for a plain backup. StorageError saying how to give it when none is known."""
    if not backup.is_encrypted_backup(source):
        return None
    found = key or _known_backup_key(folder, source)
    if found is None:
        raise StorageError(
            N_("{path} holds an encrypted database, and no key for it is known on this computer. Give the key it was "
               "encrypted with ('invoicer db key' shows it where the backup was made; then 'invoicer --key-stdin "
               "backup restore' reads it, or the app asks for it). Nothing was changed."), path=source)
    return found


def _known_backup_key(folder: Path | None, source: Path) -> str | None:
    made_in = source.resolve().parent.parent
    origins = ([made_in] if source.resolve().parent == paths.backups_dir(made_in) else []) + (
        [folder] if folder is not None else [])
    return next((k for k in map(known_key, origins) if k is not None), None)


def find_backup(folder: Path, source: str | Path) -> Path:
    """The backup ``source`` names: a path, or the name of one of the backups of ``folder`` (as listed)."""
    from invoicer.db import server_backup

    chosen = Path(source)
    if not chosen.is_absolute() and not chosen.exists():
        listed = paths.backups_dir(folder) / chosen
        # a dump this desk made of the server database is listed under backups/server
        chosen = next((c for c in (listed, paths.server_backups_dir(folder) / chosen) if c.is_file()), listed)
    if chosen.is_dir():
        raise StorageError(N_("{path} is a folder: name the backup file in it."), path=chosen)
    if not chosen.is_file():
        raise StorageError(N_("{path} does not exist."), path=chosen)
    if server_backup.is_dump(chosen):
        raise StorageError(N_("{path} is a backup of a business on a PostgreSQL server, not of a local data "
                              "folder: restore it into a new, empty database on a server with invoicer --db "
                              "postgresql://USER@HOST/DATABASE backup restore FILE. Nothing was changed."),
                           path=chosen)
    return chosen


def restore_backup(folder: Path, source: str | Path, key: str | None = None) -> Restored:
    """Replace the business in ``folder`` with ``source`` (a path, or a name from the list) after checking all of
    it; what it replaces is saved as a ``pre-restore`` backup first. ``folder`` may be empty (a new machine).

    An encrypted backup opens with ``key``, or the key known for where it was made or for ``folder`` (backup_key);
    the database restored keeps that key, which goes to this computer's keyring for ``folder`` where there is one
    (so it opens as the original did; a backup from another computer comes with the key given for it)."""
    from invoicer.mail import secrets
    from invoicer.services.store import require_sole_user

    require_sole_user(folder)
    chosen = find_backup(folder, source)
    archive_key = backup_key(folder, chosen, key)
    safety = backup.restore_backup(
        chosen, paths.database_path(folder), paths.backups_dir(folder), set(known_revisions()),
        keep=keep_count(folder) + 1, key=archive_key, current_key=file_key(folder),
    )
    if archive_key is None:
        return Restored(chosen, safety)
    give_key(folder, archive_key)  # for the rest of this run
    if not secrets.keyring_available():
        return Restored(chosen, safety, key_kept=False)  # asked for at every start, as when it was encrypted
    if secrets.stored_database_key(folder) != archive_key:
        secrets.store_database_key(folder, archive_key)
    return Restored(chosen, safety, key_kept=True)

