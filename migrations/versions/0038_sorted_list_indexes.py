"""Speed (sort19): the invoice list's first page sorted by amount due or by customer no longer sorts every document.

The list sorted by amount due ordered by an expression no index held: SQLite and PostgreSQL computed it for each
document of the type and sorted them all (35 ms at 100,000 invoices, 170-385 ms at 1,000,000). An index on that
expression (after doc_type, with the id that breaks ties last) gives the page in order; the query writes the
expression with the same constants (services/customers.due_expression, db/fastread.py), as an index on an
expression is read only for the same expression. Sorted by customer, the list walks the customers by name and each
one's documents in id order from an index on (doc_type, customer_id, id). No row changes.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

#: written out: a migration keeps what it did ({greatest}: SQLite's two-argument max, PostgreSQL's greatest)
AMOUNT_DUE = ("(CASE WHEN (doc_type != 'invoice' OR status = 'void') THEN 0 ELSE {greatest}((((total + rounding_amount) "
              "- CASE WHEN (status = 'draft') THEN prepaid ELSE 0 END) - paid) - credited, 0) END)")


def upgrade() -> None:
    greatest = "greatest" if op.get_bind().dialect.name == "postgresql" else "max"
    op.create_index("ix_invoices_type_amount_due", "invoices",
                    ["doc_type", sa.text(AMOUNT_DUE.format(greatest=greatest)), "id"])
    op.create_index("ix_invoices_type_customer_id", "invoices", ["doc_type", "customer_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_invoices_type_customer_id", table_name="invoices")
    op.drop_index("ix_invoices_type_amount_due", table_name="invoices")
