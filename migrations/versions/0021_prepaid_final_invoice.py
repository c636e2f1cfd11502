"""Final invoices (issue 14, billing14b): which deposit (386) and partial (326) invoices a final invoice deducts.

One row per (final invoice, advance invoice). The final invoice's lines take off each advance's net amount per VAT
rate; its VAT per rate is the whole work's less what the advances stated, so deposit, partial and final invoices
add up to the whole work's VAT to the cent. The rows are frozen with the final invoice (triggers on both engines,
from invoicer.db.triggers); deleting a draft final invoice takes its rows with it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:10:00
"""

import sqlalchemy as sa
from alembic import op

from invoicer.db import triggers

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_deductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("deducted_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], ondelete="CASCADE",
                                name=op.f("fk_invoice_deductions_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["deducted_id"], ["invoices.id"],
                                name=op.f("fk_invoice_deductions_deducted_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_deductions")),
        sa.UniqueConstraint("invoice_id", "deducted_id", name=op.f("uq_invoice_deductions_invoice_id_deducted_id")),
    )
    op.create_index(op.f("ix_invoice_deductions_invoice_id"), "invoice_deductions", ["invoice_id"])
    op.create_index(op.f("ix_invoice_deductions_deducted_id"), "invoice_deductions", ["deducted_id"])
    triggers.install(op.get_bind(), triggers.rules_since(revision))


def downgrade() -> None:
    triggers.uninstall(op.get_bind(), triggers.rules_since(revision))
    op.drop_index(op.f("ix_invoice_deductions_deducted_id"), table_name="invoice_deductions")
    op.drop_index(op.f("ix_invoice_deductions_invoice_id"), table_name="invoice_deductions")
    op.drop_table("invoice_deductions")
