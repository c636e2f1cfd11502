"""EN 16931 without limits (issue 11): line allowances and charges, gross price, rounding, type codes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 02:10:00
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
