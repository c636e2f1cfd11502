"""An index on the audit events' time, so "recent activity" reads the newest events directly.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 22:00:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_at", "audit_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_at", table_name="audit_events")
