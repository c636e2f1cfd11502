"""Fast at a million invoices, second round (issue 19, speed19b): net revenue per month of issue kept by the
database (``revenue_months``, triggers on ``invoices`` on SQLite and PostgreSQL, db/summaries.py), filled from
the stored documents, so that the dashboard reads twelve rows instead of adding up a year of invoices.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 09:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import summaries

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revenue_months",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_revenue_months")),
    )
    conn = op.get_bind()
    summaries.refill(conn)
    summaries.install(conn)


def downgrade() -> None:
    summaries.uninstall(op.get_bind())
    op.drop_table("revenue_months")
