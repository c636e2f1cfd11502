"""Getting paid (issue 15, bank15c): reserved for this branch's schema changes.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 19:20:00
"""

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
