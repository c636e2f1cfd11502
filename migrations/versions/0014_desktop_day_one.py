"""The desktop on day one (issue 12): accent-free search columns, payment method codes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 02:10:00
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
