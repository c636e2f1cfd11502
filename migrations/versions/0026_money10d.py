"""Money on every path (issue 10, money10d): reserved for this branch's schema changes.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 19:20:00
"""

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
