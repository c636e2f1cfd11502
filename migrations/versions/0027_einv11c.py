"""E-invoicing (issue 11, einv11c): released empty (a reserved revision) and so kept
empty: databases already past it never run it again, so its content became 0033 (the prepaid amount).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 19:20:00
"""

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
