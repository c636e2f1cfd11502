"""Server (issue 13, pg13c): a payment's reference is unique among the customer's payments that stand.

0020's partial unique index (customer, reference) held a reversed payment too, so the corrected payment with the
same bank reference was refused. A unique index can only look at its own row and a payment row never changes
(append-only), so the rule becomes the trigger ``payments_reference_standing`` (invoicer.db.triggers, both
engines): a payment with a reference is refused when a payment of the same customer with that reference stands
(has no reversal). On PostgreSQL the trigger first takes a transaction advisory lock on (rule, customer), so two
desks (or two psql sessions) recording the same reference at the same instant are ordered and the second is
refused, as the index refused it. A plain index on (customer, reference) answers the trigger's lookup. Every
database at 0027 obeys the new rule already (the old one was stricter), so the upgrade changes no row.

Downgrade: 0020's unique index comes back. A reference recorded again after a reversal is kept on its first
payment; each later one gets `` #<payment id>`` appended (as 0020's downgrade does), so no row is lost.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 19:20:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

#: 0020's rule (written out: a migration keeps what it did)
PAYMENT_REFERENCE_GIVEN = "kind = 'payment' AND reference IS NOT NULL AND reference <> ''"
REFERENCE_LENGTH = 200


def upgrade() -> None:
    op.drop_index("uq_payments_customer_reference", table_name="payments")
    op.create_index("ix_payments_customer_reference", "payments", ["customer_id", "reference"])
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def _suffixed(reference: str, suffix: str) -> str:
    return reference[:REFERENCE_LENGTH - len(suffix)] + suffix


def _unique_again(conn: sa.Connection) -> None:
    """Give each later payment of a (customer, reference) recorded more than once its id as a suffix."""
    rows = conn.execute(sa.text(f"SELECT id, customer_id, reference FROM payments WHERE {PAYMENT_REFERENCE_GIVEN}"
                                " ORDER BY id")).all()
    taken = {(customer, reference) for _id, customer, reference in rows}
    seen: set[tuple[int, str]] = set()
    renamed = []
    for payment_id, customer, reference in rows:
        if (customer, reference) not in seen:
            seen.add((customer, reference))
            continue
        n = 0
        while (customer, new := _suffixed(reference, f" #{payment_id}" + (f".{n}" if n else ""))) in taken:
            n += 1
        taken.add((customer, new))
        renamed.append({"id": payment_id, "reference": new})
    if renamed:
        with triggers.triggers_set_aside(conn):  # payments are append-only
            conn.execute(sa.text("UPDATE payments SET reference = :reference WHERE id = :id"), renamed)


def downgrade() -> None:
    conn = op.get_bind()
    triggers.uninstall(conn, triggers.rules_since(revision))
    op.drop_index("ix_payments_customer_reference", table_name="payments")
    _unique_again(conn)
    op.create_index("uq_payments_customer_reference", "payments", ["customer_id", "reference"], unique=True,
                    sqlite_where=sa.text(PAYMENT_REFERENCE_GIVEN), postgresql_where=sa.text(PAYMENT_REFERENCE_GIVEN))
