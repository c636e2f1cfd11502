"""Getting paid (issue 15, part 2): payment links (a random unique token per invoice, its template, expiry, use)
and the Swiss QR-bill an invoice was issued with; the database keeps both as the frozen PDF printed them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 09:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("url_template", sa.Text(), nullable=False),
        sa.Column("issued", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_payment_links_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_links")),
        sa.UniqueConstraint("token", name=op.f("uq_payment_links_token")),
    )
    op.create_index("ix_payment_links_invoice_id", "payment_links", ["invoice_id"])
    op.create_table(
        "qr_bills",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(34), nullable=False),
        sa.Column("reference_type", sa.String(4), nullable=False),
        sa.Column("reference", sa.String(27), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_qr_bills_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_qr_bills")),
    )
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def downgrade() -> None:
    triggers.uninstall(op.get_bind(), triggers.rules_since(revision))
    op.drop_table("qr_bills")
    op.drop_index("ix_payment_links_invoice_id", table_name="payment_links")
    op.drop_table("payment_links")
