"""Getting paid: payment links and QR-bill (issue 15, pay15): reserved for this branch's schema changes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 09:10:00
"""

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
