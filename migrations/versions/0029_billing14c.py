"""Deposits and recurring (issue 14, billing14c/d): revenue per month counts a deposit invoice's net as an
advance, not revenue, until the final invoice releases it, as the journal books it (db/summaries.py, rule 0029);
the triggers of 0023 are replaced on SQLite and PostgreSQL and the months filled afresh from the stored documents.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 19:20:00
"""

from alembic import op

from invoicer.db import summaries

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _keep_by(revision_of_rule: str) -> None:
    conn = op.get_bind()
    summaries.uninstall(conn)
    summaries.install(conn, revision_of_rule)
    summaries.refill(conn, revision_of_rule)


def upgrade() -> None:
    _keep_by("0029")


def downgrade() -> None:
    _keep_by("0023")
