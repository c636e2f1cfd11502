"""The business's database as the front-ends reach it: open it, and run one user action in one transaction.

The GUI and the CLI never import ``invoicer.db``; they open the store here and hand each use case a
session through ``write`` (commit on success, roll back on any error) or ``read`` (never blocks a writer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_database

__all__ = ["Database", "Session", "open_database", "read", "rehearse", "transaction", "write"]

T = TypeVar("T")


def write(db: Database, action: Callable[[Session], T]) -> T:
    """Run ``action`` in one write transaction: all of it is committed, or none of it."""
    with transaction(db.sessions) as session:
        return action(session)


def read(db: Database, query: Callable[[Session], T]) -> T:
    """Run a read-only ``query`` (no write lock)."""
    with transaction(db.readonly_sessions) as session:
        return query(session)


def rehearse(db: Database, action: Callable[[Session], T]) -> T:
    """Run ``action`` and roll it back whatever happens: the exact effect of a payment or a credit note,
    shown before the user confirms, without a copy of the service's rules in the front-end."""
    with db.sessions() as session:
        session.begin()
        try:
            return action(session)
        finally:
            session.rollback()
