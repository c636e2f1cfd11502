"""Getting paid (issue 15): bank statements, matches, payment links, discount terms, disputes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:10:00
"""

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
