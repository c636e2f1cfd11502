"""Shared server (issue 13, second round): a payment reference is unique per customer, and the company logo of a
shared business lives in the database.

- ``uq_payments_reference`` (0001) made a reference unique across the whole business: two customers' cheques
  numbered alike, or the same bank reference on two of the company's accounts (bank import keys its entries per
  account), could not both be recorded. The same money comes from one payer, so the rule is now one payment per
  (customer, reference), for payments with a non-empty reference (reversals and credit applied carry none). It
  is the database's rule, so two desks recording the same reference at the same instant cannot both succeed.
  Every database at 0019 obeys it already (the old rule was stricter), so the upgrade changes no row.
- PostgreSQL only: the list's prefix search (number, buyer reference) read every row. A plain btree index answers
  ``LIKE 'x%'`` only under the C collation, and servers (and the tests' cluster, C.UTF-8) rarely have it: the
  same two indexes with ``varchar_pattern_ops`` answer it under any collation (a search keystroke at 100,000
  invoices went from a scan per prefix to index lookups). Not in the models, so a local start never loads the
  PostgreSQL dialect; tests/postgres/test_migrations.py names them.
- ``company_logos``: the logo's bytes by the name ``company.logo_path`` gives it, append-only (both engines'
  triggers from invoicer.db.triggers), used by a business on PostgreSQL; a local file keeps ``logo/`` beside it.

Downgrade: the old business-wide rule comes back. A reference that the new rule allowed more than once (two
customers) is kept on its first payment; each later one gets `` #<payment id>`` appended, so no row is lost and
the audit trail still holds the reference as typed. The logos table goes (a server business prints without a
logo at 0019, as it did).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 09:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

#: as invoicer.db.models.PAYMENT_REFERENCE_GIVEN (written out: a migration keeps what it did)
PAYMENT_REFERENCE_GIVEN = "kind = 'payment' AND reference IS NOT NULL AND reference <> ''"
OLD_RULE = "reference IS NOT NULL"
#: PostgreSQL's indexes for the list's prefix search under any collation
PATTERN_INDEXES = {"ix_invoices_type_number_pattern": "number", "ix_invoices_type_reference_pattern": "buyer_reference"}
REFERENCE_LENGTH = 200


def upgrade() -> None:
    op.drop_index("uq_payments_reference", table_name="payments")
    op.create_index("uq_payments_customer_reference", "payments", ["customer_id", "reference"], unique=True,
                    sqlite_where=sa.text(PAYMENT_REFERENCE_GIVEN), postgresql_where=sa.text(PAYMENT_REFERENCE_GIVEN))
    if op.get_bind().dialect.name == "postgresql":
        for name, column in PATTERN_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON invoices (doc_type, {column} varchar_pattern_ops)")
    op.create_table(
        "company_logos",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_company_logos")),
    )
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def _suffixed(reference: str, suffix: str) -> str:
    return reference[:REFERENCE_LENGTH - len(suffix)] + suffix


def _unique_again(conn: sa.Connection) -> None:
    """Give each later payment of a reference used more than once its id as a suffix (the rows stay)."""
    rows = conn.execute(sa.text("SELECT id, reference FROM payments WHERE reference IS NOT NULL ORDER BY id")).all()
    taken = {reference for _id, reference in rows}
    seen: set[str] = set()
    renamed = []
    for payment_id, reference in rows:
        if reference not in seen:
            seen.add(reference)
            continue
        n = 0
        while (new := _suffixed(reference, f" #{payment_id}" + (f".{n}" if n else ""))) in taken:
            n += 1
        taken.add(new)
        renamed.append({"id": payment_id, "reference": new})
    if renamed:
        with triggers.triggers_set_aside(conn):  # payments are append-only
            conn.execute(sa.text("UPDATE payments SET reference = :reference WHERE id = :id"), renamed)


def downgrade() -> None:
    conn = op.get_bind()
    triggers.uninstall(conn, triggers.rules_since(revision))
    op.drop_table("company_logos")
    if conn.dialect.name == "postgresql":
        for name in PATTERN_INDEXES:
            op.execute(f"DROP INDEX {name}")
    op.drop_index("uq_payments_customer_reference", table_name="payments")
    _unique_again(conn)
    op.create_index("uq_payments_reference", "payments", ["reference"], unique=True,
                    sqlite_where=sa.text(OLD_RULE))
