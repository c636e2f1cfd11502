"""The business's database as the front-ends reach it: open it, and run one user action in one transaction.

The GUI and the CLI never import ``invoicer.db``; they open the store here and hand each use case a
session through ``write`` (commit on success, roll back on any error) or ``read`` (never blocks a writer).
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from invoicer import paths
from invoicer.core.errors import N_, ClashError, StorageError
from invoicer.db import migrate
from invoicer.db.engine import transaction
from invoicer.db.migrate import BACKUP, MIGRATION, Database, MigrationProgress
from invoicer.services import encryption

__all__ = ["BACKUP", "MIGRATION", "Database", "MigrationProgress", "Session", "data_folder", "desk_folder", "listen_for_other_desks", "open_database", "read", "rehearse", "require_sole_user", "transaction", "write"]

T = TypeVar("T")
CLASH_ATTEMPTS = 5
#: the server's notification channel of committed changes
CHANNEL = "invoicer_changes"
#: how often the listener looks up from waiting (to notice it was stopped), and waits after a lost connection
LISTEN_POLL_SECONDS = 1.0
RECONNECT_SECONDS = 5.0


def open_database(folder: Path, *, daily_backup: bool = True,
                  progress: MigrationProgress | None = None) -> Database:
    """Open the business in ``folder`` (migrated to the current schema); an encrypted one with its key from the
    system keyring or given for this run (``encryption.give_key``), refused clearly without it. ``progress(phase, done,
    total)`` hears how far a migration is (BACKUP in bytes, then MIGRATION in revisions)."""
    return migrate.open_database(folder, daily_backup=daily_backup, key=encryption.file_key(folder), progress=progress)


def write(db: Database, action: Callable[[Session], T]) -> T:
    """Run ``action`` in one write transaction: all of it is committed, or none of it.

    On a shared server, a transaction the server rolled back because another desk wrote the same records at the
    same moment (deadlock, serialization failure) is run again from the start, a few times, before the user is
    told: nothing of it was kept, and the action reads everything afresh.
    """
    attempt = 1
    while True:
        try:
            with transaction(db.sessions) as session:
                result = action(session)
                if db.url is not None:  # delivered at commit, to every desk listening (listen_for_other_desks)
                    session.execute(text("SELECT pg_notify(:channel, :desk)"), {"channel": CHANNEL, "desk": _desk(db)})
                return result
        except ClashError:
            if attempt == CLASH_ATTEMPTS:
                raise
            time.sleep(random.uniform(0, 0.05 * attempt))
            attempt += 1


def _desk(db: Database) -> str:
    """Who wrote, as the notification says it: this machine, process and open database."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(db.engine)}"


def listen_for_other_desks(db: Database, changed: Callable[[], None]) -> Callable[[], None]:
    """On a shared server, call ``changed()`` (from a background thread) each time another desk commits a change;
    nothing is polled: the server pushes each commit's notification (LISTEN/NOTIFY). Returns the function that
    stops listening. A lost connection is tried again every few seconds; on a local file nothing happens."""
    if db.url is None:
        return lambda: None
    stop = threading.Event()
    me = _desk(db)

    def listen() -> None:
        while not stop.is_set():
            try:
                raw = db.engine.raw_connection()
            except Exception:  # the server is away: try again, quietly (the next write says it plainly)
                stop.wait(RECONNECT_SECONDS)
                continue
            try:
                conn = raw.dbapi_connection
                assert conn is not None
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                while not stop.is_set():
                    if any(n.payload != me for n in conn.notifies(timeout=LISTEN_POLL_SECONDS)):
                        changed()
            except Exception:
                stop.wait(RECONNECT_SECONDS)
            finally:
                raw.invalidate()  # never handed back to the pool in LISTEN and autocommit mode

    threading.Thread(target=listen, name="invoicer-listen", daemon=True).start()
    return stop.set


def read(db: Database, query: Callable[[Session], T]) -> T:
    """Run a read-only ``query`` (no write lock)."""
    with transaction(db.readonly_sessions) as session:
        return query(session)


def data_folder(session: Session) -> Path:
    """The data folder of the session's database (frozen PDFs live in its ``documents/``, the logo in ``logo/``)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # the frozen PDFs and the logo live in the database there; a file beside it would reach one desk only
        raise StorageError(N_("A business on a shared server keeps its documents and logo in the database, not "
                              "in a data folder."))
    database = (bind if isinstance(bind, Engine) else bind.engine).url.database
    if not database or database == ":memory:":
        raise StorageError(N_("Documents need a database file in a data folder, not an in-memory database."))
    return Path(database).resolve().parent


def desk_folder(session: Session) -> Path:
    """This desk's own data folder (settings, logs, backups; beside a server database, its copy of the logo)."""
    folder = session.info.get("folder")
    return Path(folder) if folder is not None else data_folder(session)


def rehearse(db: Database, action: Callable[[Session], T]) -> T:
    """Run ``action`` and roll it back whatever happens: the exact effect of a payment or a credit note,
    shown before the user confirms, without a copy of the service's rules in the front-end."""
    with db.sessions() as session:
        session.begin()
        try:
            return action(session)
        finally:
            session.rollback()


def require_sole_user(folder: Path) -> None:
    """Refuse to replace the database file (restore, encrypt, decrypt) while a desktop app elsewhere has it open:
    that app would go on writing to the replaced file, and what it wrote would be lost."""
    pid = paths.open_in_other_app(folder)
    if pid is not None:
        raise StorageError(
            N_("Invoicer is open on {folder} (process {pid}): close that window first. Nothing was changed."),
            folder=folder, pid=pid,
        )
