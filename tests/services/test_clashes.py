"""A write the server rolled back because another desk wrote the same records at the same moment is run again,
a few times, and then told in plain words; nothing of a failed attempt is kept."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

from invoicer.core.errors import ClashError, StorageError
from invoicer.db.engine import storage_error
from invoicer.db.migrate import Database
from invoicer.db.models import Customer
from invoicer.services import customers, store


@pytest.mark.parametrize("refusal", [psycopg.errors.DeadlockDetected("deadlock detected"),
                                     psycopg.errors.SerializationFailure("could not serialize access")])
def test_deadlock_and_serialization_failure_are_clashes(refusal: Exception) -> None:
    error = storage_error(refusal)
    assert isinstance(error, ClashError) and "Try again" in str(error)
    assert "deadlock" not in str(error) and "serializ" not in str(error)


def test_a_lock_timeout_is_a_busy_database() -> None:
    error = storage_error(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))
    assert type(error) is StorageError and "another desk" in str(error)


def _count(db: Database) -> int:
    return store.read(db, lambda s: s.scalar(select(func.count()).select_from(Customer)) or 0)


def test_a_clash_is_run_again_from_the_start(db: Database) -> None:
    attempts = []

    def add(session: store.Session) -> int:
        attempts.append(1)
        added = customers.add_customer(session, customers.CustomerData(name=f"Try {len(attempts)}", country="DE"))
        if len(attempts) < 3:
            raise ClashError("clash")
        return added

    store.write(db, add)
    assert len(attempts) == 3
    assert _count(db) == 1  # the two attempts that clashed left nothing behind


def test_clashing_every_time_ends_in_the_message(db: Database) -> None:
    attempts = []

    def add(session: store.Session) -> None:
        attempts.append(1)
        raise ClashError("clash")

    with pytest.raises(ClashError):
        store.write(db, add)
    assert len(attempts) == store.CLASH_ATTEMPTS
