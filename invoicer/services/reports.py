"""Read-only figures for the dashboard, the ledger and the CLI: aged receivables and friends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from invoicer.core.aging import BUCKETS
from invoicer.db.models import Customer, Invoice
from invoicer.services.customers import due_expression


@dataclass
class AgedRow:
    """What one customer owes in one currency, by age (minor units)."""

    customer_id: int
    customer_name: str
    currency: str
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


def aged_receivables(session: Session, as_of: date) -> list[AgedRow]:
    """Amounts due on open invoices issued up to ``as_of``, per customer and currency, by days overdue.

    One aggregate query (SQLite does the bucketing); uncollectible invoices are written off and not counted.
    """
    due = due_expression()
    edges = [as_of - timedelta(days=d) for d in (0, 30, 60, 90)]
    label = case(
        (Invoice.due_date >= edges[0], "current"),
        (Invoice.due_date >= edges[1], "1-30"),
        (Invoice.due_date >= edges[2], "31-60"),
        (Invoice.due_date >= edges[3], "61-90"),
        else_="90+",
    ).label("bucket")
    stmt = (
        select(Invoice.customer_id, Customer.name, Invoice.currency, label, func.sum(due))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.doc_type == "invoice", Invoice.status == "open", Invoice.issue_date <= as_of)
        .group_by(Invoice.customer_id, Invoice.currency, label)
    )
    rows: dict[tuple[int, str], AgedRow] = {}
    for customer_id, name, currency, bucket, amount in session.execute(stmt):
        if not amount:
            continue
        row = rows.setdefault((customer_id, currency), AgedRow(customer_id, name, currency))
        row.buckets[bucket] += int(amount)
    return sorted(rows.values(), key=lambda r: (r.customer_name.lower(), r.currency))
