"""How a write transaction keeps concurrent desks apart on a shared server: rows locked before they are read for
an update, one named lock for what has a single end (the hash chain), and rows created once by whoever comes
first. On SQLite each is a no-op or its plain equivalent: ``BEGIN IMMEDIATE`` already lets one writer at a time."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from invoicer.db.base import Base

M = TypeVar("M", bound=Base)

# FOR NO KEY UPDATE: we never change a key, so rows referring to the locked one (a payment's invoice, a credit
# entry's customer) can still be inserted by others while it is held
_FOR_UPDATE = {"key_share": True}


def _on_server(session: Session) -> bool:
    return bool(session.get_bind().dialect.name == "postgresql")


def locked(session: Session, model: type[M], key: Any) -> M | None:
    """The row of ``model`` with primary key ``key``, read fresh and locked until the transaction ends: whoever
    else wants it waits, then reads what this transaction committed (no lost update)."""
    return session.get(model, key, with_for_update=_FOR_UPDATE, populate_existing=_on_server(session))


def create_once(session: Session, model: type[Base], **values: Any) -> None:
    """Insert the row unless another transaction already did (the first one wins, nobody fails)."""
    if _on_server(session):  # each dialect's module loads when used: the start path has neither
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


def serialize(session: Session, name: str) -> None:
    """Hold the lock called ``name`` until the transaction ends (a PostgreSQL advisory lock): appending to a chain
    reads its last link, and two desks must never read the same one."""
    if _on_server(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
