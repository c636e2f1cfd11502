"""A draft's amount due counts its prepaid amount (BT-113), so the index that covers the list sorted by amount due
holds it too.

A draft asks its total and rounding amount less what it states was paid in advance (finalize then records that as a
payment); the list sorted by amount due orders by that expression, read from ix_invoices_type_amounts alone
(0005/0019). Without ``prepaid`` in it, that sort would read every whole row. No row changes.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 05:15:00
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

#: written out: a migration keeps what it did
NAME = "ix_invoices_type_amounts"
COLUMNS = ["doc_type", "status", "total", "paid", "credited", "rounding_amount"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="invoices")
    op.create_index(NAME, "invoices", [*COLUMNS, "prepaid"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="invoices")
    op.create_index(NAME, "invoices", COLUMNS)
