"""Money on every path (issue 10): a quote line's own service period (period_start/period_end), carried to the
invoice lines made from it (BG-26, BT-134/135).

Plain ADD/DROP COLUMN, no batch rebuild (SQLite 3.35+ and PostgreSQL drop a column in place): quote_lines has no
triggers to keep.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 19:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_COLUMNS = ("period_start", "period_end")


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column("quote_lines", sa.Column(column, sa.Date(), nullable=True))


def downgrade() -> None:
    for column in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE quote_lines DROP COLUMN {column}")
