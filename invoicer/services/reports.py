"""Read-only figures for the dashboard, the ledger and the CLI: aged receivables and friends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from invoicer.core.aging import BUCKETS
from invoicer.db.models import Customer, Invoice, InvoiceTax
from invoicer.services.customers import receivables_on


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
    """What was owed on ``as_of`` (payments, credits and write-offs dated by then), per customer and currency,
    by days overdue on that day. One aggregate query (SQLite does the bucketing); written-off invoices are not
    receivables (the journal moved them to bad debt), so this equals the journal's receivables on that day.
    """
    owed = receivables_on(as_of)
    edges = [as_of - timedelta(days=d) for d in (0, 30, 60, 90)]
    label = case(
        (owed.c.due_date >= edges[0], "current"),
        (owed.c.due_date >= edges[1], "1-30"),
        (owed.c.due_date >= edges[2], "31-60"),
        (owed.c.due_date >= edges[3], "61-90"),
        else_="90+",
    ).label("bucket")
    stmt = (
        select(owed.c.customer_id, Customer.name, owed.c.currency, label, func.sum(owed.c.due))
        .join(Customer, Customer.id == owed.c.customer_id)
        .group_by(owed.c.customer_id, owed.c.currency, label)
    )
    rows: dict[tuple[int, str], AgedRow] = {}
    for customer_id, name, currency, bucket, amount in session.execute(stmt):
        if not amount:
            continue
        row = rows.setdefault((customer_id, currency), AgedRow(customer_id, name, currency))
        row.buckets[bucket] += int(amount)
    return sorted(rows.values(), key=lambda r: (r.customer_name.lower(), r.currency))


@dataclass(frozen=True)
class TaxSummaryRow:
    """VAT of one month, currency and (category, rate): invoiced minus credited (minor units)."""

    month: date  # the first day of the month
    currency: str
    category: str
    rate: Decimal
    invoiced_basis: int
    invoiced_tax: int
    credited_basis: int
    credited_tax: int

    @property
    def basis(self) -> int:
        return self.invoiced_basis - self.credited_basis

    @property
    def tax(self) -> int:
        return self.invoiced_tax - self.credited_tax


def tax_summary(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[TaxSummaryRow]:
    """What a VAT return needs: taxable basis and tax per month of issue and tax rate, invoices less credit notes.

    Void invoices never counted; credit notes count in the month they were issued.
    """
    month = func.strftime("%Y-%m-01", Invoice.issue_date).label("month")
    credit = case((Invoice.doc_type == "credit_note", 1), else_=0)
    stmt = (
        select(
            month, Invoice.currency, InvoiceTax.category, InvoiceTax.rate,
            func.sum(InvoiceTax.basis * (1 - credit)), func.sum(InvoiceTax.amount * (1 - credit)),
            func.sum(InvoiceTax.basis * credit), func.sum(InvoiceTax.amount * credit),
        )
        .join(Invoice, Invoice.id == InvoiceTax.invoice_id)
        .where(Invoice.status.not_in(("draft", "void")))
        .group_by(month, Invoice.currency, InvoiceTax.category, InvoiceTax.rate)
    )
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    found = [
        TaxSummaryRow(date.fromisoformat(m), currency, category, rate, int(ib), int(it), int(cb), int(ct))
        for m, currency, category, rate, ib, it, cb, ct in session.execute(stmt)
    ]
    # rates are exact decimals kept as text: order them as numbers, not as strings
    return sorted(found, key=lambda r: (r.month, r.currency, r.category, r.rate))
