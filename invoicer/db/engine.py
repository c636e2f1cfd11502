"""Engine and session factory: the SQLite file (the default, with the pragmas we rely on) or a PostgreSQL server
for a business shared by several desks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Index, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from invoicer.core.errors import N_, ClashError, FrozenError, StorageError
from invoicer.db import cipher

BUSY_TIMEOUT_MS = 5000
# how long a desk waits for a row another desk has locked on the server before it gives up (nothing saved)
LOCK_TIMEOUT_MS = 20000
# PostgreSQL's serialization failure and deadlock: the transaction was rolled back and may be run again
CLASHES = frozenset({"40001", "40P01"})
LOCK_TIMEOUT = frozenset({"55P03"})
# a role on the server without the right for what was tried (GRANTs and row-level security: db/roles.py)
INSUFFICIENT_PRIVILEGE = "42501"


#: the page cache (KiB) a bulk write on SQLite gets: the default 2 MiB spills index pages to disk and back within
#: one transaction
BULK_PAGE_CACHE_KIB = 32768


@contextmanager
def bulk_page_cache(dbapi: sqlite3.Connection | sqlite3.Cursor) -> Iterator[None]:
    """A page cache of BULK_PAGE_CACHE_KIB on an SQLite connection (its DB-API connection or a cursor of it) while a
    bulk write runs (an import, the demo's load), the connection's own setting again afterwards."""
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size = -{BULK_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size = {int(before or -2000)}")


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # let SQLAlchemy, not pysqlite, decide when a transaction begins (SQLAlchemy "serializable isolation" recipe)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _on_begin(conn: Any) -> None:
    # a writer takes the lock up front (BEGIN IMMEDIATE) so two finalizes never interleave;
    # readers use a deferred BEGIN and never block anyone
    if conn.get_execution_options().get("readonly"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Path, key: str | None = None) -> Engine:
    """An engine on the SQLite file at ``path`` (foreign keys on, WAL, busy timeout); an encrypted file is opened
    with ``key`` through SQLCipher, the key set before anything else is read."""
    if cipher.is_encrypted(path):
        engine = create_engine(
            f"sqlite:///{path}", future=True, module=cipher.driver(),
            creator=lambda: cipher.open_file(path, key, timeout=BUSY_TIMEOUT_MS / 1000),
        )
    else:
        engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def server_url(url: str) -> str:
    """``postgresql://user@host/db`` as SQLAlchemy names it with the psycopg (3) driver; anything else is refused."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise StorageError(N_("{url} is not a PostgreSQL address: write postgresql://user@host/database."), url=url)
    return "postgresql+psycopg://" + rest


def make_server_engine(url: str, password: str | None = None) -> Engine:
    """An engine on a PostgreSQL database; ``password`` (from the keyring) never becomes part of a stored URL."""
    args: dict[str, Any] = {"password": password} if password else {}
    return create_engine(server_url(url), future=True, pool_pre_ping=True, connect_args={
        **args, "connect_timeout": 10, "options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"})


def is_server(engine: Engine | Any) -> bool:
    return bool(engine.dialect.name == "postgresql")


def make_session_factory(engine: Engine, readonly: bool = False, folder: Path | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``folder``, the desk's own data folder beside a server database, is in each
    session's ``info`` (where that desk keeps its copy of the logo the database holds)."""
    bind = engine.execution_options(readonly=True) if readonly else engine
    return sessionmaker(bind, expire_on_commit=False, future=True, info={"folder": folder} if folder else None)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One user action = one transaction: commit on success, roll back on any error.

    SQLite's refusals become typed errors the user can read: a lock held by another program, and
    the triggers that guard finalized documents.
    """
    try:
        with factory() as session, session.begin():
            yield session
    except DBAPIError as exc:
        text = str(exc.orig).lower()
        if "frozen" in text or "append-only" in text or "never reused" in text:
            raise FrozenError(N_("Refused by the database: {reason}."), reason=str(exc.orig)) from None
        raise storage_error(exc.orig) or exc from None


def storage_error(exc: BaseException | None) -> StorageError | None:
    """What SQLite's refusal to store means for the user, or None when it is not about storage (a bug).

    Nothing was written in any of these cases: the transaction was rolled back as a whole.
    """
    code = getattr(exc, "sqlstate", None)
    if code in CLASHES:
        return ClashError(N_("Another desk changed the same records at the same moment: nothing was saved. "
                             "Try again."))
    if code == INSUFFICIENT_PRIVILEGE:
        return StorageError(N_("Your login on the shared database may not do this (its role does not allow it): "
                               "nothing was saved. The business's owner decides who does what."))
    if code in LOCK_TIMEOUT:
        return StorageError(N_("The database is busy: another desk is holding the records this needs. Try again "
                               "in a moment; nothing was saved."))
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(N_("The database is busy: another program is writing to it. Try again in a moment."))
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(N_("The disk is full: nothing was saved. Free some space and try again."))
    if "readonly" in text or "read-only" in text:
        return StorageError(N_("The database cannot be written (read-only file or folder): nothing was saved."))
    if "disk i/o error" in text:
        return StorageError(N_("The disk could not be read or written (I/O error): nothing was saved."))
    return None


def violates(exc: DBAPIError, index: Index) -> bool:
    """Whether the database refused a write for breaking the unique ``index`` (PostgreSQL names the index; SQLite
    names its columns)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return bool(diag.constraint_name == index.name)
    table = index.table
    assert table is not None
    columns = ", ".join(f"{table.name}.{c.name}" for c in index.columns)
    return f"UNIQUE constraint failed: {columns}" in str(exc.orig)
