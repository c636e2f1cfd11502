"""E-invoicing (issue 11): a line allowance or charge in percent of a base amount of its own (BT-137 / BT-142,
minor units; none: the line's amount before allowances and charges, as before), and the rounding amount (BT-114)
in the two covering indexes that give what invoices owe, now that the amount due counts it.

Plain ADD / DROP COLUMN, no batch rebuild: the table keeps its triggers (the line allowances of a finalized
invoice stay frozen, the new column with them). Every row is kept; existing allowances get no base.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# what an invoice owes is total + rounding_amount - paid - credited: read from these indexes alone (0005, 0011)
_INDEXES = {
    "ix_invoices_receivable": ["doc_type", "status", "due_date", "customer_id", "currency", "total", "paid",
                               "credited"],
    "ix_invoices_type_amounts": ["doc_type", "status", "total", "paid", "credited"],
}


def _indexes(with_rounding: bool) -> None:
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="invoices")
        op.create_index(name, "invoices", [*columns, "rounding_amount"] if with_rounding else columns)


def upgrade() -> None:
    op.add_column("invoice_line_allowances", sa.Column("base", sa.Integer(), nullable=True))
    _indexes(with_rounding=True)


def downgrade() -> None:
    _indexes(with_rounding=False)
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): no rebuild, the triggers stay as they are
    op.execute("ALTER TABLE invoice_line_allowances DROP COLUMN base")
