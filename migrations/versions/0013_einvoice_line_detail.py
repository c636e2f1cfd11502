"""EN 16931 without limits (issue 11): further line allowances and charges (a child table with reason texts
and UNTDID codes), the gross price, document allowances/charges in percent of a base, the invoice type code
with the invoice a corrected one replaces, and the rounding amount. Finalized rows stay frozen: triggers
refuse changes of the new table and the new columns once the invoice leaves draft.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

import invoicer.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FROZEN = "BEGIN SELECT RAISE(ABORT, 'finalized document is frozen'); END"
_LINE_STATUS = "(SELECT i.status FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.id = {row}.line_id)"
TRIGGERS = [
    # a trigger of its own (not a new invoices_frozen): the columns other migrations freeze stay theirs
    f"""CREATE TRIGGER invoices_frozen_detail BEFORE UPDATE ON invoices
        WHEN OLD.status <> 'draft' AND (NEW.type_code IS NOT OLD.type_code
            OR NEW.preceding_number IS NOT OLD.preceding_number
            OR NEW.preceding_date IS NOT OLD.preceding_date
            OR NEW.rounding_amount IS NOT OLD.rounding_amount)
        {_FROZEN}""",
    *(
        f"""CREATE TRIGGER invoice_line_allowances_frozen_{op_name.lower()} BEFORE {op_name}
            ON invoice_line_allowances WHEN {_LINE_STATUS.format(row=row)} <> 'draft' {_FROZEN}"""
        for op_name, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    ),
    # moving a row onto a finalized invoice's line is a change of that invoice too
    f"""CREATE TRIGGER invoice_line_allowances_frozen_move BEFORE UPDATE ON invoice_line_allowances
        WHEN {_LINE_STATUS.format(row="NEW")} <> 'draft' {_FROZEN}""",
]
_NEW_COLUMNS = {
    "invoices": ("type_code", "preceding_number", "preceding_date", "rounding_amount"),
    "invoice_lines": ("gross_price", "charge"),
    "invoice_adjustments": ("percent", "base", "reason_code"),
}


def upgrade() -> None:
    # plain ADD COLUMN, no batch rebuild: the tables keep their AUTOINCREMENT and their triggers
    op.add_column("invoices", sa.Column("type_code", sa.String(length=3), nullable=True))
    op.add_column("invoices", sa.Column("preceding_number", sa.String(length=60), nullable=True))
    op.add_column("invoices", sa.Column("preceding_date", sa.Date(), nullable=True))
    op.add_column("invoices", sa.Column("rounding_amount", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("invoice_lines", sa.Column("gross_price", invoicer.db.base.DecimalText(), nullable=True))
    op.add_column("invoice_lines", sa.Column("charge", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("invoice_adjustments", sa.Column("percent", invoicer.db.base.DecimalText(), nullable=True))
    op.add_column("invoice_adjustments", sa.Column("base", sa.Integer(), nullable=True))
    op.add_column("invoice_adjustments", sa.Column("reason_code", sa.String(length=3), nullable=True))
    op.create_table(
        "invoice_line_allowances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_charge", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("percent", invoicer.db.base.DecimalText(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.String(length=3), nullable=True),
        sa.ForeignKeyConstraint(["line_id"], ["invoice_lines.id"],
                                name=op.f("fk_invoice_line_allowances_line_id_invoice_lines"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line_allowances")),
    )
    op.create_index(op.f("ix_invoice_line_allowances_line_id"), "invoice_line_allowances", ["line_id"])
    if op.get_bind().dialect.name == "sqlite":
        for ddl in TRIGGERS:
            op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS invoices_frozen_detail")
    op.drop_index(op.f("ix_invoice_line_allowances_line_id"), table_name="invoice_line_allowances")
    op.drop_table("invoice_line_allowances")  # its triggers go with it
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): no rebuild, the other triggers stay as they are
    for table, columns in _NEW_COLUMNS.items():
        for column in reversed(columns):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
