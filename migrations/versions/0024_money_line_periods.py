"""Money on every path (issue 10, money10c): reserved for this branch's schema changes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 09:10:00
"""

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
