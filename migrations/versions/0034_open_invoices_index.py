"""Speed (issue 19, speed19c/f): an index of the open invoices that answers aged receivables as of today alone, and
one of the payments by date for receivables on a past day.

Aged receivables as of today read the amounts each open invoice keeps up to date (total, rounding amount, paid,
credited) by due date, and, for an invoice in another currency than the company's, what the books carry for it
(company total, company currency, locked rate). ix_invoices_receivable (0011/0019) lacks the last three, so each
foreign-currency invoice was read from the table (1,440 lookups of wide rows at 100,000 demo invoices: most of
the report's 16-24 ms). The new index is partial: it holds only the open invoices (7 % of them in the demo
data), on SQLite and PostgreSQL alike.

Receivables on a past day (aged receivables and customer balances at a period end, the ledger's opening items) read
only the invoices that can have owed something then: open or written off now, or with money or a credit note dated
after that day; ix_payments_paid_on finds the payments dated after it. No row changes.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 03:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

#: written out: a migration keeps what it did
OPEN_INVOICES = "doc_type = 'invoice' AND status = 'open'"
COLUMNS = ["doc_type", "status", "due_date", "customer_id", "currency", "total", "rounding_amount", "paid", "credited",
           "company_total", "company_currency", "exchange_rate"]


def upgrade() -> None:
    op.create_index("ix_invoices_open", "invoices", COLUMNS, sqlite_where=sa.text(OPEN_INVOICES),
                    postgresql_where=sa.text(OPEN_INVOICES))
    op.create_index("ix_payments_paid_on", "payments", ["paid_on", "invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_payments_paid_on", table_name="payments")
    op.drop_index("ix_invoices_open", table_name="invoices")
