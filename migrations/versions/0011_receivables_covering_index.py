"""Receivables are read from one covering index: open invoices by due date with the customer, currency and the
amounts that make what they owe (aged receivables, customer balances, the dashboard read no invoice rows).
It replaces ix_invoices_status_due, which is its prefix.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:40:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ["doc_type", "status", "due_date", "customer_id", "currency", "total", "paid", "credited"]


def upgrade() -> None:
    op.create_index("ix_invoices_receivable", "invoices", COLUMNS)
    op.drop_index("ix_invoices_status_due", table_name="invoices")


def downgrade() -> None:
    op.create_index("ix_invoices_status_due", "invoices", ["doc_type", "status", "due_date"])
    op.drop_index("ix_invoices_receivable", table_name="invoices")
