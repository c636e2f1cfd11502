"""Several people, one business (issue 13): frozen PDFs in the database, roles.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 02:10:00
"""

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
