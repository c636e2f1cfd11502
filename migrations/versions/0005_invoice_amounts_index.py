"""A covering index for the amount due (status, total, paid, credited), so the invoice list sorted by amount
due reads 100,000 small index entries instead of 100,000 whole rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 23:50:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoices_type_amounts", "invoices", ["doc_type", "status", "total", "paid", "credited"])


def downgrade() -> None:
    op.drop_index("ix_invoices_type_amounts", table_name="invoices")
