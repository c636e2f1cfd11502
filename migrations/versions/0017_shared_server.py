"""Several people, one business (issue 13): frozen PDFs in the database (append-only), and on PostgreSQL every
refusal of invoicer.db.triggers as a PL/pgSQL trigger (0001, 0002 and 0013 write SQLite's only, 0013's EN 16931
line detail included).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _rules() -> list[triggers.Rule]:
    postgresql = op.get_bind().dialect.name == "postgresql"
    return triggers.rules_through(revision) if postgresql else triggers.rules_since(revision)


def upgrade() -> None:
    op.create_table(
        "frozen_pdfs",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_frozen_pdfs_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_frozen_pdfs")),
    )
    triggers.install(op.get_bind(), _rules())


def downgrade() -> None:
    # on PostgreSQL only what this revision brought there: 0012's own rules stay until 0012 is undone (the upgrade
    # above re-creates them as they are, which also repairs a server stepped down by an earlier version of this)
    postgresql = op.get_bind().dialect.name == "postgresql"
    triggers.uninstall(op.get_bind(), triggers.brought_to_server() if postgresql else _rules())
    op.drop_table("frozen_pdfs")
