"""Recurring billing (issue 14): plans, their lines, price changes and pauses, and one row per billed period.

UNIQUE(plan_id, period_start) on billing_runs is what makes a billing run bill each period at most once.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

DECIMAL = sa.String(length=40)


def upgrade() -> None:
    op.create_table(
        "billing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("in_arrears", sa.Boolean(), nullable=False),
        sa.Column("prorate", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("frequency IN ('monthly', 'quarterly', 'yearly', 'weekly')",
                           name=op.f("ck_billing_plans_frequency")),
        sa.CheckConstraint("mode IN ('draft', 'finalize', 'email')", name=op.f("ck_billing_plans_mode")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_billing_plans_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_plans")),
    )
    op.create_index(op.f("ix_billing_plans_customer_id"), "billing_plans", ["customer_id"])
    op.create_table(
        "billing_plan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", DECIMAL, nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_price", DECIMAL, nullable=False),
        sa.Column("tax_category", sa.String(length=2), nullable=True),
        sa.Column("tax_rate", DECIMAL, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["billing_plans.id"], ondelete="CASCADE",
                                name=op.f("fk_billing_plan_lines_plan_id_billing_plans")),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_billing_plan_lines_product_id_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_plan_lines")),
    )
    op.create_index(op.f("ix_billing_plan_lines_plan_id"), "billing_plan_lines", ["plan_id"])
    op.create_table(
        "billing_price_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("unit_price", DECIMAL, nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["billing_plan_lines.id"], ondelete="CASCADE",
                                name=op.f("fk_billing_price_changes_line_id_billing_plan_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_price_changes")),
        sa.UniqueConstraint("line_id", "valid_from", name=op.f("uq_billing_price_changes_line_id_valid_from")),
    )
    op.create_table(
        "billing_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("resume_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["billing_plans.id"], ondelete="CASCADE",
                                name=op.f("fk_billing_pauses_plan_id_billing_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_pauses")),
    )
    op.create_index(op.f("ix_billing_pauses_plan_id"), "billing_pauses", ["plan_id"])
    op.create_table(
        "billing_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("billed_on", sa.Date(), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], ondelete="SET NULL",
                                name=op.f("fk_billing_runs_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["plan_id"], ["billing_plans.id"], name=op.f("fk_billing_runs_plan_id_billing_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_runs")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_billing_runs_invoice_id")),
        sa.UniqueConstraint("plan_id", "period_start", name=op.f("uq_billing_runs_plan_id_period_start")),
    )


def downgrade() -> None:
    op.drop_table("billing_runs")
    op.drop_index(op.f("ix_billing_pauses_plan_id"), table_name="billing_pauses")
    op.drop_table("billing_pauses")
    op.drop_table("billing_price_changes")
    op.drop_index(op.f("ix_billing_plan_lines_plan_id"), table_name="billing_plan_lines")
    op.drop_table("billing_plan_lines")
    op.drop_index(op.f("ix_billing_plans_customer_id"), table_name="billing_plans")
    op.drop_table("billing_plans")
