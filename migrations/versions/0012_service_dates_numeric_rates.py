"""Money on every path (issue 10): the date of supply or the service period (EU VAT Directive Art. 226(7)) of
an invoice (delivery_date, period_start/period_end) and of a line (period_start/period_end), frozen at finalize
like every other column of an issued document.

Lines are frozen whole by their own triggers; the invoice's new columns get a trigger of their own
(``invoices_frozen_service`` in invoicer.db.triggers, written for SQLite and PostgreSQL alike), so the trigger
of 0001 stays as it was. Plain ADD/DROP COLUMN, no batch rebuild: the tables keep AUTOINCREMENT and their
triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_NEW_COLUMNS = {
    "invoices": triggers.SERVICE_DATE_COLUMNS,
    "invoice_lines": ("period_start", "period_end"),
}


def upgrade() -> None:
    for table, columns in _NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Date(), nullable=True))
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def downgrade() -> None:
    triggers.uninstall(op.get_bind(), triggers.rules_since(revision))
    for table, columns in _NEW_COLUMNS.items():
        for column in reversed(columns):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
