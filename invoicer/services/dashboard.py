"""The figures on the dashboard: what is owed and overdue, how old it is, revenue per month, what needs attention."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.aging import BUCKETS
from invoicer.db.models import Customer, Invoice, Product, RevenueMonth, TaxRate
from invoicer.services import audit, company, disputes, reports, settings
from invoicer.services.disputes import DisputeRow
from invoicer.services.invoices import InvoiceFilter, InvoiceRow, count_invoices, list_invoices

MONTHS = 12
ATTENTION_DAYS = 7  # "due this week"
ATTENTION_LIMIT = 12


@dataclass(frozen=True)
class Activity:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    number: str | None  # the document's number, for invoice and credit note events
    name: str | None = None  # what else the event is about: a customer's, product's or tax rate's name; for a
    # setting, its (untranslated) title


@dataclass
class Dashboard:
    """Amounts in minor units. Receivables are per currency; revenue is in the company currency."""

    as_of: date
    currency: str
    outstanding: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    overdue_count: int = 0
    aging: dict[str, dict[str, int]] = field(default_factory=dict)  # currency -> bucket -> amount
    revenue: list[tuple[date, int]] = field(default_factory=list)  # first day of month, net revenue
    attention: list[InvoiceRow] = field(default_factory=list)
    recent: list[Activity] = field(default_factory=list)
    disputes: list[DisputeRow] = field(default_factory=list)  # open ones, oldest first


def month_starts(as_of: date, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months, oldest first, ending with ``as_of``'s month."""
    year, month = as_of.year, as_of.month
    starts = []
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def revenue_per_month(session: Session, as_of: date, months: int = MONTHS) -> list[tuple[date, int]]:
    """Net revenue (excl. VAT, company currency, as locked at finalize) of invoices less credit notes per month, as
    ``reports.revenue`` adds it up: read from the months the database keeps (db/summaries.py), less what is
    dated after ``as_of`` in its month (usually nothing)."""
    starts = month_starts(as_of, months)
    kept = dict(session.execute(select(RevenueMonth.month, RevenueMonth.net).where(
        RevenueMonth.month.between(f"{starts[0]:%Y-%m}", f"{as_of:%Y-%m}"))).all())
    totals = {start: int(kept.get(f"{start:%Y-%m}", 0)) for start in starts}
    next_month = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    for cell in reports.revenue(session, as_of + timedelta(days=1), next_month - timedelta(days=1)):
        totals[starts[-1]] -= cell.net
    return list(totals.items())


def needs_attention(session: Session, as_of: date) -> list[InvoiceRow]:
    """Open invoices that are overdue or due within a week, the most urgent first."""
    soonest = list_invoices(
        session, InvoiceFilter(status="open"), today=as_of, sort="due_date", descending=False,
        limit=ATTENTION_LIMIT,
    )
    horizon = as_of + timedelta(days=ATTENTION_DAYS)
    return [row for row in soonest if row.amount_due > 0 and row.due_date is not None and row.due_date <= horizon]


#: the records an event names by their name, and where that name is
_NAMED: dict[str, tuple[Any, Any]] = {"customer": (Customer.id, Customer.name), "product": (Product.id, Product.name),
                                      "tax_rate": (TaxRate.id, TaxRate.name)}


def recent_activity(session: Session, limit: int = 8) -> list[Activity]:
    """The newest events, each with the number or name of what it is about (a deleted record keeps none)."""
    events = audit.recent_events(session, limit)
    ids = {e.entity_id for e in events if e.entity in ("invoice", "credit_note") and e.entity_id is not None}
    numbers = {i: n for i, n in session.execute(select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids)))}
    names: dict[tuple[str, int], str] = {}
    for entity, (key, name) in _NAMED.items():
        wanted = {e.entity_id for e in events if e.entity == entity and e.entity_id is not None}
        if wanted:
            names |= {(entity, i): n for i, n in session.execute(select(key, name).where(key.in_(wanted)))}
    found = []
    for e in events:
        name = names.get((e.entity, e.entity_id)) if e.entity_id is not None else None
        if e.entity == "setting":
            # only the settings declared so far: loading every feature (mail...) would slow the start
            definition = settings.SETTINGS.get(str(json.loads(e.payload or "{}").get("key", "")))
            name = definition.title if definition is not None else None
        found.append(Activity(e.at, e.actor, e.action, e.entity, e.entity_id,
                              numbers.get(e.entity_id) if e.entity_id else None, name))
    return found


def dashboard(session: Session, as_of: date | None = None) -> Dashboard:
    as_of = as_of or date.today()
    result = Dashboard(as_of=as_of, currency=company.get_company(session).currency)
    for row in reports.aged_receivables(session, as_of):
        buckets = result.aging.setdefault(row.currency, dict.fromkeys(BUCKETS, 0))
        for bucket, amount in row.buckets.items():
            buckets[bucket] += amount
    for currency, buckets in result.aging.items():
        result.outstanding[currency] = sum(buckets.values())
        result.overdue[currency] = sum(amount for bucket, amount in buckets.items() if bucket != "current")
    result.overdue_count = count_invoices(session, InvoiceFilter(overdue=True), as_of)
    result.revenue = revenue_per_month(session, as_of)
    result.attention = needs_attention(session, as_of)
    result.recent = recent_activity(session)
    result.disputes = disputes.list_disputes(session)
    return result
