"""Sent messages: every invoice and reminder email, unique per (invoice, reminder level), append-only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The log of what was emailed is evidence (like the audit trail): never changed or deleted.
TRIGGERS = [
    f"""CREATE TRIGGER sent_messages_append_only_{_op.lower()} BEFORE {_op} ON sent_messages
        BEGIN SELECT RAISE(ABORT, 'sent_messages is append-only'); END"""
    for _op in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'invoice' AND level IS NULL) OR (kind = 'reminder' AND level IS NOT NULL)",
            name=op.f("ck_sent_messages_kind_level"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_sent_messages_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_messages")),
        sa.UniqueConstraint("invoice_id", "level", name=op.f("uq_sent_messages_invoice_id_level")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sent_messages_message_id")),
    )
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL: invoicer.db.triggers (0017)
        for ddl in TRIGGERS:
            op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for ddl in TRIGGERS:
            op.execute("DROP TRIGGER IF EXISTS " + ddl.split()[2])
    op.drop_table("sent_messages")
