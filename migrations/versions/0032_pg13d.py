"""Shared server (issue 13, pg13d): reserved for this branch's schema changes.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 23:10:00
"""

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
