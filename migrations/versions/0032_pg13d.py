"""Server (issue 13, pg13d): the audit trail's actor is the database login that writes the row.

The services wrote the login named in the address; a clerk connecting with psql could append an audit event in
the owner's name. The trigger ``audit_events_actor_is_login`` (invoicer.db.triggers, PostgreSQL only: a local
file has no logins) refuses an audit event whose actor is not ``session_user`` (the login, whatever role it
``SET ROLE``s to). Rows already stored are not touched (the trail is append-only; ``db copy`` and ``pg_restore``
bring older rows with the triggers set aside). SQLite: nothing changes.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 23:10:00
"""

from alembic import op

from invoicer.db import triggers

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def downgrade() -> None:
    triggers.uninstall(op.get_bind(), triggers.rules_since(revision))
