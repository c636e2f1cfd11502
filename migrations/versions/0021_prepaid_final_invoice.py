"""Recurring, quotes, deposits (issue 14, billing14b): reserved for this branch's schema changes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:10:00
"""

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
