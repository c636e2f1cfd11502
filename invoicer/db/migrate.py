"""Open the data folder's database safely: refuse what we cannot read, back up, then migrate.

The file is copied (online backup) before any migration, and ``alembic upgrade head`` runs on the
same connection the app then uses (Alembic cookbook: "sharing a connection"). Whether anything is to
be migrated is decided without Alembic (one read of the stored revision against ``HEAD_REVISION``, which
db/fastread.py defines so that the first window can check it without SQLAlchemy too):
importing Alembic costs a fifth of a second, so it is imported only when a migration runs.
A migration of a large file takes a while (27 s at a million invoices): ``progress`` hears how far it is.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from invoicer import paths
from invoicer.core.errors import N_, StorageError
from invoicer.db import backup, cipher
from invoicer.db.engine import make_engine, make_server_engine, make_session_factory
from invoicer.db.fastread import HEAD_REVISION as HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config

#: less free space than this, and a write that fails failed for want of space
FULL_BELOW = 1024 * 1024
#: ``progress(phase, done, total)`` while an existing database is brought to this version's schema: BACKUP (bytes of
#: the pre-migration backup's copy and compression), then MIGRATION (revisions applied, in the one transaction)
MigrationProgress = Callable[[str, int, int], None]
BACKUP, MIGRATION = "pre-migration backup", "migration"
_DAMAGED = N_("{path} is damaged and cannot be opened. Restore a backup (invoicer backup list).")


@dataclass
class Database:
    """An open, migrated database: where it lives and how to get sessions on it."""

    folder: Path
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    readonly_sessions: sessionmaker[Session] = field(repr=False)
    # the day's first backup, running in the background (None when the caller did not ask for it)
    daily_backup: Future[Path | None] | None = field(default=None, repr=False)
    # the key of an encrypted file (None for a plain one): backups and export workers open the file with it
    key: str | None = field(default=None, repr=False)
    # the PostgreSQL server's address (without password) when the business is shared; None for the local file
    url: str | None = None

    @property
    def backups_dir(self) -> Path:
        return paths.backups_dir(self.folder)

    @property
    def documents_dir(self) -> Path:
        return paths.documents_dir(self.folder)

    def close(self) -> None:
        """Let the daily backup finish (an archive is never left half-written), then release the file."""
        if self.daily_backup is not None:
            wait_for([self.daily_backup])
        self.engine.dispose()


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    return cfg


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every revision this version can open: the ids the migration files are named by (``0007_...py``), read
    from the folder without importing Alembic; tests/migrations keeps it equal to Alembic's own list."""
    return frozenset(path.name.partition("_")[0] for path in (paths.migrations_dir() / "versions").glob("*.py"))


def migrate(engine: Engine, revision: str = "head", *, downgrade: bool = False,
            applied: Callable[[], None] | None = None) -> None:
    """Upgrade (or downgrade) the database to ``revision`` in one transaction, the way SQLite requires;
    ``applied()`` is told after each revision (inside the transaction: none is committed before the last).

    A batch migration rebuilds a table (create a copy, copy the rows, drop the old one): with foreign keys
    on, dropping a referenced table fails or cascades. SQLite ignores ``PRAGMA foreign_keys`` inside a
    transaction, so it is switched off on the connection before the transaction begins, and the result is
    checked with ``PRAGMA foreign_key_check`` before commit: a migration that breaks a reference is rolled
    back and refused (SQLite's "making other kinds of table schema changes", steps 1 and 10-12).
    """
    from alembic import command

    if engine.dialect.name == "postgresql":
        # DDL is transactional on PostgreSQL: the whole upgrade commits or nothing does
        with engine.begin() as conn:
            (command.downgrade if downgrade else command.upgrade)(_on(conn, applied), revision)
        return
    with engine.connect() as conn:
        # on the DB-API connection: a statement through SQLAlchemy would begin the transaction first
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                (command.downgrade if downgrade else command.upgrade)(_on(conn, applied), revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    table, row, parent = broken[0][:3]
                    raise StorageError(
                        N_("The database was not migrated: row {row} of {table} would refer to a missing row of "
                           "{parent}. The file was not changed."),
                        table=table, row=row, parent=parent,
                    )
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _on(conn: Connection, applied: Callable[[], None] | None) -> Config:
    """Alembic's configuration running on ``conn`` (migrations/env.py), telling ``applied()`` of each revision."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    if applied is not None:
        cfg.attributes["on_version_apply"] = [lambda **_step: applied()]
    return cfg


def open_database(folder: Path, *, daily_backup: bool = True, key: str | None = None,
                  progress: MigrationProgress | None = None) -> Database:
    """Open (creating if needed) ``folder/invoicer.sqlite3``, migrated to the current schema; ``key`` opens it when it
    is encrypted (StorageError when it is missing or wrong). ``progress`` hears how far the backup and the migration
    of an existing file at an older schema are; nothing when there is none to migrate."""
    path = paths.database_path(folder)
    try:
        for where in (folder, paths.backups_dir(folder), paths.documents_dir(folder)):
            paths.private_dir(where)
            paths.remove_abandoned(where)
        existed = path.exists() and path.stat().st_size > 0
        if not os.access(folder, os.W_OK) or (existed and not os.access(path, os.W_OK)):
            raise StorageError(
                N_("The data folder {folder} is read-only: Invoicer must write there (the database and its "
                   "backups). Make it writable, or restore a backup into another folder. Nothing was changed."),
                folder=folder,
            )
        paths.private_file(path)
    except OSError as exc:
        raise StorageError(
            N_("The data folder {folder} cannot be created: {reason}."), folder=folder, reason=exc.strerror
        ) from None
    key = key if existed and cipher.is_encrypted(path) else None
    current, keep_backups = _inspect(path, key) if existed else (None, backup.DEFAULT_KEEP)
    if current is not None and current not in known_revisions():
        raise StorageError(
            N_("{path} was written by a newer version of Invoicer; update Invoicer to open it. The file was not "
               "changed."),
            path=path,
        )
    # a file without a revision has no schema yet (a first migration stopped before its commit): nothing to copy
    if current is not None and current != HEAD_REVISION:
        backup.create_backup(path, paths.backups_dir(folder), reason="pre-migration", keep=keep_backups, key=key,
                             progress=None if progress is None else lambda done, total: progress(BACKUP, done, total))
    engine = make_engine(path, key)
    try:
        if current != HEAD_REVISION:
            # a file without a schema yet is made in a moment: only an older one's migration is told
            migrate(engine, applied=None if progress is None or current is None else _counting(progress, current))
    except OperationalError as exc:
        engine.dispose()
        raise _storage_error(path, exc) from None
    except StorageError:
        engine.dispose()
        raise
    return Database(
        folder=folder,
        path=path,
        engine=engine,
        sessions=make_session_factory(engine),
        readonly_sessions=make_session_factory(engine, readonly=True),
        # in the background: the first start of the day does not wait for a copy of the whole business
        daily_backup=(backup.start_daily_backup(path, keep_backups, key) if current is not None and daily_backup
                      else None),
        key=key,
    )


def _counting(progress: MigrationProgress, current: str) -> Callable[[], None]:
    """Tell ``progress`` that the migration from ``current`` begins, and then of each revision applied. The revisions
    to apply are those numbered after ``current``: each new one follows the head of its day (down_revision)."""
    total = sum(1 for revision in known_revisions() if revision > current)
    done = 0
    progress(MIGRATION, done, total)

    def applied() -> None:
        nonlocal done
        done = min(done + 1, total)
        progress(MIGRATION, done, total)

    return applied


def server_revision(engine: Engine) -> str | None:
    """The schema revision a server database is at (None: no schema yet)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def open_server(url: str, folder: Path, password: str | None = None, *, init: bool = False) -> Database:
    """Open the shared business on a PostgreSQL server; ``init`` creates (or upgrades) its schema with the same
    migrations as a local file. ``folder`` stays the local data folder (logs, settings of this desk)."""
    engine = make_server_engine(url, password)
    try:
        current = server_revision(engine)
        if current is not None and current not in known_revisions():
            raise StorageError(N_("The database at {url} was written by a newer version of Invoicer; update "
                                  "Invoicer to open it."), url=url)
        if current != HEAD_REVISION:
            if not init:
                raise StorageError(N_("The database at {url} has no current Invoicer schema: its owner runs "
                                      "invoicer --db {url} db init first."), url=url)
            migrate(engine)
            from invoicer.db import roles

            with engine.begin() as conn:
                roles.grant_again(conn)
    except OperationalError as exc:
        engine.dispose()
        raise StorageError(N_("The server at {url} cannot be reached: {reason}."), url=url,
                           reason=str(exc.orig).strip().splitlines()[0]) from None
    except BaseException:
        engine.dispose()
        raise
    return Database(folder=folder, path=paths.database_path(folder), engine=engine,
                    sessions=make_session_factory(engine, folder=folder),
                    readonly_sessions=make_session_factory(engine, readonly=True, folder=folder), url=url)


def _inspect(path: Path, key: str | None) -> tuple[str | None, int]:
    """What we must know before touching the file: its schema revision and how many backups the user
    keeps. One read-only look; StorageError for a file that is not ours, is broken, or whose key is missing or
    wrong."""
    try:
        conn = cipher.open_file(path, key, readonly=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise StorageError(
                        N_("{path} is not an Invoicer database. The file was not changed."), path=path
                    )
                return None, backup.DEFAULT_KEEP
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            keep = None
            if "settings" in tables:
                keep = conn.execute("SELECT value FROM settings WHERE key = 'backup.keep'").fetchone()
        finally:
            conn.close()
    except cipher.errors("OperationalError") as exc:
        raise _storage_error(path, exc) from None
    except cipher.errors("DatabaseError"):
        raise StorageError(_DAMAGED, path=path) from None
    return (row[0] if row else None), backup.keep_from_stored(keep[0] if keep else None)


def _storage_error(path: Path, exc: Exception) -> StorageError:
    text = str(exc).lower()
    if ("full" in text or "i/o error" in text) and shutil.disk_usage(path.parent).free < FULL_BELOW:
        # SQLite reports a full disk while opening as an I/O error: the free space says which it is
        return StorageError(
            N_("The disk holding {folder} is full: nothing was changed. Free some space and try again."),
            folder=path.parent,
        )
    if "locked" in text or "busy" in text:
        return StorageError(N_("{path} is locked by another program; close it and try again."), path=path)
    if isinstance(exc, (DatabaseError, *cipher.errors("DatabaseError"))) and "malformed" in text:
        return StorageError(_DAMAGED, path=path)
    return StorageError(N_("{path} cannot be opened: {reason}."), path=path, reason=str(exc))


def continue_ids(conn: Connection) -> None:
    """After rows were written with their ids given (a copy of a local file, demo data), each id sequence of a
    server database continues above every id used so far, deleted drafts' ids included (they stay unused)."""
    from invoicer.db.base import Base

    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or str(pk[0].type) != "INTEGER":
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": pk[0].name}).scalar()
        if sequence is None:
            continue
        high = conn.execute(select(text(f"coalesce(max({pk[0].name}), 0)")).select_from(table)).scalar_one()
        if table.name == "invoices":
            high = max(high, conn.execute(text(
                "SELECT coalesce(max(entity_id), 0) FROM audit_events WHERE entity IN ('invoice', 'credit_note')"
            )).scalar_one())
        if table.name == "customers":
            high = max(high, conn.execute(text(
                "SELECT coalesce(max(entity_id), 0) FROM audit_events WHERE entity = 'customer'")).scalar_one())
        if high:
            conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": high})

