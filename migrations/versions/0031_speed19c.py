"""Speed (issue 19, speed19c): reserved for this branch's schema changes.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 19:20:00
"""

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
