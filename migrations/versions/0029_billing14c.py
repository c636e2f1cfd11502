"""Deposits and recurring (issue 14, billing14c): reserved for this branch's schema changes.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 19:20:00
"""

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
