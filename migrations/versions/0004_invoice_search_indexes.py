"""Indexes for searching the invoice list as you type: the buyer reference by prefix, and a customer's
documents by issue date (the number's prefix already has ix_invoices_type_number). A search then reads
only the matching entries of these indexes instead of all 100,000 documents on every keystroke.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 23:30:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_invoices_type_reference": ["doc_type", "buyer_reference"],
    "ix_invoices_type_customer_issue": ["doc_type", "customer_id", "issue_date"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "invoices", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="invoices")
