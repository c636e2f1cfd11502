"""Speed (issue 13, pg13f): on PostgreSQL, the substring matches of the searches answered from trigram indexes.

The invoice list's search matches numbers and buyer references from their start (0020's pattern indexes answer
that) and the customer's folded name anywhere in it: ``customers.search_name LIKE '%term%'``, which no B-tree
answers, so every customer row was read. The customer list's search adds e-mail and VAT id (``ILIKE '%term%'``).
``pg_trgm``'s GIN indexes on exactly those columns answer both (LIKE and ILIKE; a term of one or two characters
has no trigram to look up, and the planner then reads the customers as before).

PostgreSQL only, and only when the server has ``pg_trgm`` and the login may create it (a superuser, the database's
owner for a trusted extension, or an extension made by the administrator before): the extension and the indexes
are made inside a SAVEPOINT, and when that fails the migration goes on without them (the searches answer the same
rows, only slower). SQLite: nothing (its LIKE '%…%' reads the rows either way).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 04:00:00
"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

#: written out: a migration keeps what it did (index name, column, as each search compares it)
TRIGRAM_INDEXES = {
    "ix_customers_search_name_trgm": "search_name",
    "ix_customers_email_trgm": "email",
    "ix_customers_vat_id_trgm": "vat_id",
}

log = logging.getLogger(__name__)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin_nested():  # SAVEPOINT: a refusal leaves the rest of the migration's transaction intact
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, column in TRIGRAM_INDEXES.items():
                conn.exec_driver_sql(f"CREATE INDEX {name} ON customers USING gin ({column} gin_trgm_ops)")
    except DBAPIError as exc:  # not installed on the server, or the login may not create extensions
        log.warning("pg_trgm unavailable, the searches go without trigram indexes: %s", exc.orig)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    # the extension stays: the administrator may have made it, and other databases' objects may use it
