"""Migrations that must get past the triggers freezing finalized documents and keeping tables append-only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection


@contextmanager
def triggers_set_aside(conn: Connection) -> Iterator[None]:
    """Drop every trigger and create it again afterwards, exactly as it was stored.

    Rebuilding a table drops its own triggers, and renaming the rebuilt table fails while another table's
    trigger names it; the triggers that freeze finalized documents and keep payments, credit and the audit log
    append-only would also refuse a conversion of the stored data (0008, 0010).
    """
    saved = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()
    for name, _sql in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        conn.exec_driver_sql(sql)
