"""Read-only figures for the dashboard, the ledger and the CLI: aged receivables and friends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from invoicer.core.aging import BUCKETS
from invoicer.core.totals import convert_parts
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


@dataclass
class TaxSummaryRow:
    """VAT of one month, currency and (category, rate): invoiced minus credited (minor units), and the same in
    the company currency (the VAT return's figures) from each document's rate locked at finalize."""

    month: date  # the first day of the month
    currency: str
    category: str
    rate: Decimal
    invoiced_basis: int = 0
    invoiced_tax: int = 0
    credited_basis: int = 0
    credited_tax: int = 0
    company_basis: int = 0  # invoiced less credited, in the company currency
    company_tax: int = 0

    @property
    def basis(self) -> int:
        return self.invoiced_basis - self.credited_basis

    @property
    def tax(self) -> int:
        return self.invoiced_tax - self.credited_tax


def tax_summary(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[TaxSummaryRow]:
    """What a VAT return needs: taxable basis and tax per month of issue and tax rate, invoices less credit notes,
    in the document currency and in the company currency.

    Void invoices never counted; credit notes count in the month they were issued. A document's company figures
    are split over its rates as the journal splits them, so both add up to its locked company totals.
    """
    stmt = (
        select(
            Invoice.id, Invoice.doc_type, Invoice.issue_date, Invoice.currency, Invoice.company_currency,
            Invoice.exchange_rate, Invoice.company_subtotal, Invoice.company_tax_total,
            InvoiceTax.category, InvoiceTax.rate, InvoiceTax.basis, InvoiceTax.amount,
        )
        .join(Invoice, Invoice.id == InvoiceTax.invoice_id)
        .where(Invoice.status.not_in(("draft", "void")))
        .order_by(Invoice.id, InvoiceTax.id)
    )
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    rows: dict[tuple[date, str, str, Decimal], TaxSummaryRow] = {}
    for _id, group in groupby(session.execute(stmt.execution_options(yield_per=2000)), key=lambda r: r[0]):
        taxes = list(group)
        _doc, doc_type, issued, currency, company, rate, c_net, c_tax = taxes[0][:8]
        locked = rate or Decimal(1)
        bases = convert_parts([t[10] for t in taxes], currency, company or currency, locked, c_net or 0)
        amounts = convert_parts([t[11] for t in taxes], currency, company or currency, locked, c_tax or 0)
        sign = 1 if doc_type == "invoice" else -1
        for t, c_basis, c_amount in zip(taxes, bases, amounts, strict=True):
            month = issued.replace(day=1)
            row = rows.setdefault((month, currency, t[8], t[9]), TaxSummaryRow(month, currency, t[8], t[9]))
            if doc_type == "invoice":
                row.invoiced_basis += t[10]
                row.invoiced_tax += t[11]
            else:
                row.credited_basis += t[10]
                row.credited_tax += t[11]
            row.company_basis += sign * c_basis
            row.company_tax += sign * c_amount
    found = list(rows.values())
    return sorted(found, key=lambda r: (r.month, r.currency, r.category, r.rate))
