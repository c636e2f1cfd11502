"""Money on every path (issue 10): the date of supply or the service period (EU VAT Directive Art. 226(7)) of
an invoice (delivery_date, period_start/period_end) and of a line (period_start/period_end), frozen at finalize
like every other column of an issued document.

Lines are frozen whole by their own triggers; the invoice's trigger names its frozen columns one by one, so it is
written again with the three new ones.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_LAST_FROZEN = "OR NEW.finalized_at IS NOT OLD.finalized_at"
_SERVICE_FROZEN = (
    " OR NEW.delivery_date IS NOT OLD.delivery_date"
    " OR NEW.period_start IS NOT OLD.period_start"
    " OR NEW.period_end IS NOT OLD.period_end"
)


def _rewrite_invoice_trigger(old: str, new: str) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'invoices_frozen'")
    stored = sql.scalar_one()
    assert old in stored, "the trigger freezing invoices is not the one this migration knows"
    conn.exec_driver_sql("DROP TRIGGER invoices_frozen")
    conn.exec_driver_sql(stored.replace(old, new))


def upgrade() -> None:
    for table, columns in (("invoices", ("delivery_date", "period_start", "period_end")),
                           ("invoice_lines", ("period_start", "period_end"))):
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Date(), nullable=True))
    _rewrite_invoice_trigger(_LAST_FROZEN, _LAST_FROZEN + _SERVICE_FROZEN)


def downgrade() -> None:
    _rewrite_invoice_trigger(_LAST_FROZEN + _SERVICE_FROZEN, _LAST_FROZEN)
    # SQLite drops a column in place (3.35+): no rebuild, so the tables keep AUTOINCREMENT and their triggers
    conn = op.get_bind()
    for table, columns in (("invoice_lines", ("period_end", "period_start")),
                           ("invoices", ("period_end", "period_start", "delivery_date"))):
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
