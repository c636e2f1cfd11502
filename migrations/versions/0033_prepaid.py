"""E-invoicing (issue 11): the prepaid amount (BT-113) a draft carries, with the method and reference it was
received with (``invoices.prepaid``, ``prepaid_method``, ``prepaid_reference``), and the mark on the payment that
settles it at finalize (``payments.prepaid``), which ``invoicer verify`` checks against the invoice.

The invoice's new columns are frozen at finalize by a trigger of their own (``invoices_frozen_prepaid`` in
invoicer.db.triggers, for SQLite and PostgreSQL alike); payments stay append-only as they are. Plain ADD/DROP
COLUMN, no batch rebuild: the tables keep AUTOINCREMENT and their triggers.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 03:45:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_INVOICE_COLUMNS = (
    sa.Column("prepaid", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("prepaid_method", sa.String(length=50), nullable=True),
    sa.Column("prepaid_reference", sa.String(length=200), nullable=True),
)


def upgrade() -> None:
    for column in _INVOICE_COLUMNS:
        op.add_column("invoices", column)
    op.add_column("payments", sa.Column("prepaid", sa.Boolean(), nullable=False, server_default=sa.false()))
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def downgrade() -> None:
    triggers.uninstall(op.get_bind(), triggers.rules_since(revision))
    op.execute("ALTER TABLE payments DROP COLUMN prepaid")
    for column in reversed(_INVOICE_COLUMNS):
        op.execute(f"ALTER TABLE invoices DROP COLUMN {column.name}")
