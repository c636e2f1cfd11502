"""Revenue per month kept without reading every credit note: the triggers of 0029 are installed again with the same
rule written so that SQLite reads a final invoice's deductions first (db/summaries.py, rule 0037).

Under 0029's joins SQLite began the "credit notes of the deducted deposits" subquery with every credit note (it
keeps no statistics, and the doc_type index looked as good as any), so each status change of any invoice (finalize,
payment, credit note, write-off, void, the demo's and imports' bulk writes) read them all: 1 ms a change at 20,000
invoices and growing with the file. The figures are the same, so the months are not filled again.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 20:10:00
"""

from alembic import op

from invoicer.db import summaries

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    summaries.reinstall(op.get_bind(), "0037")


def downgrade() -> None:
    summaries.reinstall(op.get_bind(), "0029")
