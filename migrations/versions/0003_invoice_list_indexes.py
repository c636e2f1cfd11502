"""Indexes for the invoice list: one per sortable column, led by doc_type, so a sorted page of 100,000
documents is read in index order (LIMIT 200) instead of sorted in a temporary B-tree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:30:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_invoices_type_issue": ["doc_type", "issue_date"],
    "ix_invoices_type_number": ["doc_type", "number"],
    "ix_invoices_type_due": ["doc_type", "due_date"],
    "ix_invoices_type_total": ["doc_type", "total"],
    "ix_invoices_type_currency": ["doc_type", "currency"],
}


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
