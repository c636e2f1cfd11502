"""Speed (issue 19, speed19c): released empty (a reserved revision) and so kept
empty: databases already past it never run it again, so its content became 0034 (the open invoices' index).

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
