"""Getting paid (issue 15): imported bank statements, their entries, the payments confirmed from them, the
CSV column mapping saved per bank, invoice disputes, and early-payment discount terms.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(100), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("file_name", sa.String(260), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("account", sa.String(34), nullable=True),
        sa.Column("entries_new", sa.Integer(), nullable=False),
        sa.Column("entries_known", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(100), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("counterparty", sa.String(200), nullable=True),
        sa.Column("counterparty_iban", sa.String(34), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=True),
        sa.Column("bank_reference", sa.String(100), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'matched', 'fee', 'refund', 'ignored')", name=op.f("ck_bank_entries_status")
        ),
        sa.ForeignKeyConstraint(["statement_id"], ["bank_statements.id"],
                                name=op.f("fk_bank_entries_statement_id_bank_statements")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_bank_entries_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_entries")),
        sa.UniqueConstraint("entry_key", name=op.f("uq_bank_entries_entry_key")),
    )
    op.create_index("ix_bank_entries_status", "bank_entries", ["status", "value_date"])
    op.create_table(
        "bank_entry_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["bank_entries.id"],
                                name=op.f("fk_bank_entry_payments_entry_id_bank_entries")),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"],
                                name=op.f("fk_bank_entry_payments_payment_id_payments")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_bank_entry_payments_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_entry_payments")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_bank_entry_payments_payment_id")),
    )
    op.create_index("ix_bank_entry_payments_entry_id", "bank_entry_payments", ["entry_id"])
    op.create_table(
        "bank_csv_mappings",
        sa.Column("bank", sa.String(100), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("bank", name=op.f("pk_bank_csv_mappings")),
    )
    op.create_table(
        "invoice_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(12), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("resolution IN ('credit_note', 'closed')", name=op.f("ck_invoice_disputes_resolution")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_disputes_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["credit_note_id"], ["invoices.id"],
                                name=op.f("fk_invoice_disputes_credit_note_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_disputes")),
    )
    op.create_index("ix_invoice_disputes_open", "invoice_disputes", ["invoice_id", "closed_on"])
    op.create_table(
        "early_payment_terms",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),  # ScaledRate: 2 % is 20000
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_early_payment_terms_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_early_payment_terms")),
    )


def downgrade() -> None:
    op.drop_table("early_payment_terms")
    op.drop_index("ix_invoice_disputes_open", table_name="invoice_disputes")
    op.drop_table("invoice_disputes")
    op.drop_table("bank_csv_mappings")
    op.drop_index("ix_bank_entry_payments_entry_id", table_name="bank_entry_payments")
    op.drop_table("bank_entry_payments")
    op.drop_index("ix_bank_entries_status", table_name="bank_entries")
    op.drop_table("bank_entries")
    op.drop_table("bank_statements")
