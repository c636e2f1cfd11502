"""Money on every path, second part (issue 10: currencies, period-end figures, backups).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 05:10:00
"""

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
