"""Read-only figures for the dashboard, the ledger, the Reports page and `invoicer report`: VAT per rate, revenue,
aged receivables, days sales outstanding and the customers most overdue."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    SQLColumnExpression,
    String,
    bindparam,
    case,
    extract,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from invoicer import APP_NAME, __version__
from invoicer.core.aging import BUCKETS
from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import round_half_up, split_minor
from invoicer.core.totals import company_rounding, convert_parts, owed_in_company_currency
from invoicer.db import summaries
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Company, Customer, Invoice, InvoiceTax
from invoicer.documents.tables import Column, Kind, Ledger, Progress, ProgressCounter, Table
from invoicer.i18n import _, current_locale, format_date
from invoicer.services.company import COMPANY_ID, get_company
from invoicer.services.customers import dated_receivables, kept_amounts_answer, open_receivables, owed_now


@dataclass
class AgedRow:
    """What one customer owes in one currency, by age (minor units)."""

    customer_id: int
    customer_name: str
    currency: str
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    company_total: int = 0  # the total in the company currency at each invoice's locked rate, as the books carry it

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


def aged_receivables(session: Session, as_of: date) -> list[AgedRow]:
    """What was owed on ``as_of`` (payments, credits and write-offs dated by then), per customer and currency,
    by days overdue on that day. One query (the database does the bucketing); written-off invoices are not
    receivables (the journal moved them to bad debt), so this equals the journal's receivables on that day.

    What the books carry for an invoice in another currency than the company's is converted invoice by invoice
    (core.totals.owed_in_company_currency: a sum converted at once would be off by the roundings), so the query
    gives those invoices one by one, with their locked rate, beside the sums in the company currency.
    """
    stmt = _aged_now() if kept_amounts_answer(as_of) else _aged_on(as_of)
    edges = {edge.key: as_of - timedelta(days=days) for edge, days in zip(EDGES, (0, 30, 60, 90), strict=True)}
    rows: dict[tuple[int, str], AgedRow] = {}
    # plain rows from the connection: the ORM's result layer cost as much again as the rows themselves
    for customer_id, currency, bucket, amount, total, company_total, booked_in, rate, rounding, name in (
            session.connection().execute(stmt, edges).all()):
        if not amount:
            continue
        row = rows.get((customer_id, currency))
        if row is None:
            row = rows[customer_id, currency] = AgedRow(customer_id, name, currency)
        row.buckets[bucket] += int(amount)
        if total is not None and company_total is not None:
            company_total += company_rounding(rounding, currency, booked_in, rate)
        row.company_total += int(amount) if total is None else owed_in_company_currency(
            int(amount), total, company_total, currency, booked_in, rate or Decimal(1))
    return sorted(rows.values(), key=lambda r: (r.customer_name.lower(), r.currency))


#: the first days of the buckets current, 1-30, 31-60 and 61-90 days overdue (given when the report runs)
EDGES = tuple(bindparam(f"edge_{name}", type_=Date) for name in BUCKETS[:-1])


def _bucket(due_date: SQLColumnExpression[date | None]) -> ColumnElement[str]:
    """SQL for the bucket of an amount due on ``due_date``."""
    return case(*((due_date >= edge, name) for name, edge in zip(BUCKETS, EDGES, strict=False)),
                else_=BUCKETS[-1]).label("bucket")


def _company_currency(currency: SQLColumnExpression[str]) -> ColumnElement[str]:
    # without a company profile no invoice was ever finalized in another currency than its own
    return func.coalesce(select(Company.currency).where(Company.id == COMPANY_ID).scalar_subquery(), currency)


@cache
def _aged_now() -> Select[Any]:
    """Aged receivables on or after today from the amounts each open invoice keeps (customers.receivables_on),
    read from the open invoices' own covering index (ix_invoices_open, migration 0034) and never from the table:
    the invoices in another currency one by one, and the company currency's sums as one range of due dates per
    bucket (no bucket computed and grouped by per invoice). Built once: only its dates change."""
    company = _company_currency(Invoice.currency)
    due = owed_now()
    foreign = (
        select(Invoice.customer_id, Invoice.currency, _bucket(Invoice.due_date), due, Invoice.payable,
               Invoice.company_total, func.coalesce(Invoice.company_currency, company).label("booked_in"),
               Invoice.exchange_rate, Invoice.rounding_amount)
        .where(*open_receivables(), Invoice.currency != company, due > 0)
    )
    domestic = [
        select(Invoice.customer_id, Invoice.currency, literal(name, String).label("bucket"), func.sum(due),
               null(), null(), null(), null(), null())
        .where(*open_receivables(EDGES[i] if i < len(EDGES) else date.min), Invoice.currency == company,
               *([Invoice.due_date < EDGES[i - 1]] if i else []))
        .group_by(Invoice.customer_id, Invoice.currency)
        for i, name in enumerate(BUCKETS)
    ]
    found = union_all(foreign, *domestic).subquery()  # the typed half first: its columns give the result types
    return select(found, Customer.name).join(Customer, Customer.id == found.c.customer_id)


def _aged_on(as_of: date) -> Select[Any]:
    """Aged receivables on a past day, from the events dated by then (customers.dated_receivables): both halves
    read one common table expression, which the database computes once (a second query read every dated payment,
    credit note and write-off again, half as long again as the report itself)."""
    owed = select(dated_receivables(as_of)).cte("owed")
    label = _bucket(owed.c.due_date)
    company = _company_currency(owed.c.currency)
    foreign = (
        select(owed.c.customer_id, owed.c.currency, label, owed.c.due, Invoice.payable, Invoice.company_total,
               func.coalesce(Invoice.company_currency, company).label("booked_in"), Invoice.exchange_rate,
               Invoice.rounding_amount)
        .join(Invoice, Invoice.id == owed.c.invoice_id)
        .where(owed.c.currency != company, owed.c.due > 0)
    )
    domestic = (
        select(owed.c.customer_id, owed.c.currency, label, func.sum(owed.c.due), null(), null(), null(), null(), null())
        .where(owed.c.currency == company)
        .group_by(owed.c.customer_id, owed.c.currency, label)
    )
    found = union_all(foreign, domestic).subquery()  # the typed half first: its columns give the result types
    return select(found, Customer.name).join(Customer, Customer.id == found.c.customer_id)


@dataclass
class TaxSummaryRow:
    """VAT of one month, currency and (category, rate): invoiced minus credited (minor units), and the same in
    the company currency (the VAT return's figures) from each document's rate locked at finalize, less what
    write-offs took out of output VAT that month and plus what recoveries brought back (the bad-debt correction)."""

    month: date  # the first day of the month
    currency: str
    category: str
    rate: Decimal
    invoiced_basis: int = 0
    invoiced_tax: int = 0
    credited_basis: int = 0
    credited_tax: int = 0
    company_basis: int = 0  # invoiced less credited less the bad-debt correction, in the company currency
    company_tax: int = 0
    written_off_basis: int = 0  # the bad-debt correction (write-offs less recoveries), company currency
    written_off_tax: int = 0

    @property
    def basis(self) -> int:
        return self.invoiced_basis - self.credited_basis

    @property
    def tax(self) -> int:
        return self.invoiced_tax - self.credited_tax


def _company_taxes(taxes: list[Any]) -> list[tuple[str, Decimal, int, int, int, int]]:
    """A document's tax rows (id, doc type, issued, currency, company currency, rate, company net, company tax,
    category, rate, basis, amount) as (category, rate, basis, amount, company basis, company amount), the company
    figures split over its rates as the journal splits them, so they add up to its locked company totals."""
    _doc, _type, _issued, currency, company, rate, c_net, c_tax = taxes[0][:8]
    locked = rate or Decimal(1)
    bases = convert_parts([t[10] for t in taxes], currency, company or currency, locked, c_net or 0)
    amounts = convert_parts([t[11] for t in taxes], currency, company or currency, locked, c_tax or 0)
    return [(t[8], t[9], t[10], t[11], c_basis, c_amount) for t, c_basis, c_amount in zip(taxes, bases, amounts, strict=True)]


def _tax_rows() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Invoice.id, Invoice.doc_type, Invoice.issue_date, Invoice.currency, Invoice.company_currency,
            Invoice.exchange_rate, Invoice.company_subtotal, Invoice.company_tax_total,
            InvoiceTax.category, InvoiceTax.rate, InvoiceTax.basis, InvoiceTax.amount,
        )
        .join(Invoice, Invoice.id == InvoiceTax.invoice_id)
        .order_by(Invoice.id, InvoiceTax.id)
    )


def tax_summary(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[TaxSummaryRow]:
    """What a VAT return needs: taxable basis and tax per month of issue and tax rate, invoices less credit notes,
    in the document currency and in the company currency.

    Void invoices never counted; credit notes count in the month they were issued. A document's company figures
    are split over its rates as the journal splits them, so both add up to its locked company totals. With the VAT
    correction of write-offs (the setting, on by default) a write-off reduces the company figures in its month by
    the net and VAT the journal moves to bad debt, split over the invoice's rates, and a recovery payment adds its
    share back in its month: the company tax of any period equals the movement of the journal's VAT account.
    """
    stmt = _tax_rows().where(Invoice.status.not_in(("draft", "void")))
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    rows: dict[tuple[date, str, str, Decimal], TaxSummaryRow] = {}

    def row_for(month: date, currency: str, category: str, rate: Decimal) -> TaxSummaryRow:
        return rows.setdefault((month, currency, category, rate), TaxSummaryRow(month, currency, category, rate))

    for _id, group in groupby(session.execute(stmt.execution_options(yield_per=2000)), key=lambda r: r[0]):
        taxes = list(group)
        doc_type, issued, currency = taxes[0][1:4]
        sign = 1 if doc_type == "invoice" else -1
        for category, rate, basis, amount, c_basis, c_amount in _company_taxes(taxes):
            row = row_for(issued.replace(day=1), currency, category, rate)
            if doc_type == "invoice":
                row.invoiced_basis += basis
                row.invoiced_tax += amount
            else:
                row.credited_basis += basis
                row.credited_tax += amount
            row.company_basis += sign * c_basis
            row.company_tax += sign * c_amount
    _add_bad_debt_corrections(session, date_from, date_to, row_for)
    found = list(rows.values())
    return sorted(found, key=lambda r: (r.month, r.currency, r.category, r.rate))


def _add_bad_debt_corrections(session: Session, date_from: date | None, date_to: date | None,
                              row_for: Callable[[date, str, str, Decimal], TaxSummaryRow]) -> None:
    """The journal's bad-debt corrections of the period, each split over its invoice's rates: the VAT in proportion
    to each rate's company tax, the net in proportion to each rate's company basis (exact sums)."""
    from invoicer.services.ledger import bad_debt_corrections  # the ledger builds on this module

    corrections = list(bad_debt_corrections(session, date_from, date_to))
    ids = sorted({invoice_id for _day, invoice_id, _net, _tax in corrections})
    split: dict[int, tuple[str, list[tuple[str, Decimal, int, int, int, int]]]] = {}
    for start in range(0, len(ids), 500):
        chunk = _tax_rows().where(Invoice.id.in_(ids[start:start + 500]))
        for invoice_id, group in groupby(session.execute(chunk), key=lambda r: r[0]):
            rows = list(group)
            split[invoice_id] = (rows[0][3], _company_taxes(rows))
    for day, invoice_id, net, tax in corrections:
        currency, rates = split[invoice_id]
        nets = split_minor(net, [t[4] for t in rates])
        vats = split_minor(tax, [t[5] for t in rates])
        for (category, rate, *_rest), part_net, part_tax in zip(rates, nets, vats, strict=True):
            row = row_for(day.replace(day=1), currency, category, rate)
            row.written_off_basis += part_net
            row.written_off_tax += part_tax
            row.company_basis -= part_net
            row.company_tax -= part_tax


# ---------------------------------------------------------------- the Reports page and `invoicer report`

REVENUE_STATUSES = ("open", "paid", "uncollectible")  # finalized invoices that count as revenue (void ones do not)
TOP_OVERDUE = 10


@dataclass(frozen=True)
class VatRow:
    """VAT of one (category, rate) over a period, invoices less credit notes, in the company currency."""

    category: str
    rate: Decimal
    basis: int
    tax: int


def vat_summary(session: Session, date_from: date | None, date_to: date | None) -> list[VatRow]:
    """The tax summary of the period added up per (category, rate) in the company currency: the ledger's Tax
    summary sheet without the month and document-currency split, so the two agree to the cent."""
    totals: dict[tuple[str, Decimal], list[int]] = {}
    for row in tax_summary(session, date_from, date_to):
        found = totals.setdefault((row.category, row.rate), [0, 0])
        found[0] += row.company_basis
        found[1] += row.company_tax
    return [VatRow(category, rate, basis, tax) for (category, rate), (basis, tax) in sorted(totals.items())]


@dataclass(frozen=True)
class RevenueCell:
    """Net revenue (excl. VAT, company currency as locked at finalize) of one customer in one month: invoices
    less credit notes."""

    customer_id: int
    customer_name: str
    month: date  # the first day of the month
    net: int


def revenue(session: Session, date_from: date | None, date_to: date | None) -> list[RevenueCell]:
    """Net revenue per customer and month of issue: finalized, not void invoices less issued credit notes, a deposit
    invoice's net counted when the final invoice releases it, as the journal books it (the rule is
    db/summaries.py's, which also keeps the dashboard's months)."""
    year, month = extract("year", Invoice.issue_date), extract("month", Invoice.issue_date)
    counted: ColumnElement[int] = literal_column(summaries.contribution(Invoice.__tablename__))
    stmt = (
        select(Invoice.customer_id, Customer.name, year, month, func.sum(counted))
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(((Invoice.doc_type == "invoice") & Invoice.status.in_(REVENUE_STATUSES))
               | ((Invoice.doc_type == "credit_note") & (Invoice.status != "draft")))
        .group_by(Invoice.customer_id, Customer.name, year, month)
    )
    if date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= date_to)
    return [RevenueCell(customer_id, name, date(int(y), int(m), 1), int(net or 0))
            for customer_id, name, y, m, net in session.execute(stmt)]


def revenue_by_month(cells: list[RevenueCell], months: list[date]) -> list[tuple[date, int]]:
    """``cells`` added up per month, for each of ``months`` (first days; a month without revenue shows 0)."""
    totals = dict.fromkeys(months, 0)
    for cell in cells:
        if cell.month in totals:
            totals[cell.month] += cell.net
    return list(totals.items())


@dataclass(frozen=True)
class CustomerRevenue:
    customer_id: int
    customer_name: str
    net: int


def revenue_by_customer(cells: list[RevenueCell]) -> list[CustomerRevenue]:
    """``cells`` added up per customer, the largest first."""
    totals: dict[tuple[int, str], int] = {}
    for cell in cells:
        key = (cell.customer_id, cell.customer_name)
        totals[key] = totals.get(key, 0) + cell.net
    found = [CustomerRevenue(customer_id, name, net) for (customer_id, name), net in totals.items()]
    return sorted(found, key=lambda r: (-r.net, r.customer_name.lower()))


def months_between(date_from: date, date_to: date) -> list[date]:
    """The first days of the months from ``date_from``'s to ``date_to``'s, oldest first."""
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


@dataclass(frozen=True)
class DsoRow:
    """Days sales outstanding in one currency: receivables at the end of the period ÷ gross sales of the period ×
    days in the period (None without sales)."""

    currency: str
    receivables: int
    sales: int
    days: int

    @property
    def dso(self) -> Decimal | None:
        if self.sales <= 0:
            return None
        return round_half_up(Decimal(self.receivables) / Decimal(self.sales) * self.days, 1)


def gross_sales(session: Session, date_from: date, date_to: date) -> dict[str, int]:
    """Invoiced totals (VAT included) less credit notes per currency, issued in the period (void ones never)."""
    signed = case((Invoice.doc_type == "invoice", Invoice.total), else_=-Invoice.total)
    stmt = (
        select(Invoice.currency, func.sum(signed))
        .where(Invoice.status.not_in(("draft", "void")), Invoice.issue_date >= date_from,
               Invoice.issue_date <= date_to)
        .group_by(Invoice.currency)
    )
    return {currency: int(total or 0) for currency, total in session.execute(stmt)}


def days_sales_outstanding(session: Session, date_from: date, date_to: date, aged: list[AgedRow]) -> list[DsoRow]:
    """DSO per currency from ``aged`` (the receivables at the end of the period)."""
    receivables: dict[str, int] = {}
    for row in aged:
        receivables[row.currency] = receivables.get(row.currency, 0) + row.total
    sales = gross_sales(session, date_from, date_to)
    days = (date_to - date_from).days + 1
    return [DsoRow(currency, receivables.get(currency, 0), sales.get(currency, 0), days)
            for currency in sorted(set(receivables) | set(sales))]


def top_overdue(aged: list[AgedRow], company_currency: str, limit: int = TOP_OVERDUE) -> list[AgedRow]:
    """The customers owing the most past the due date (the company currency first, then by amount)."""
    overdue = [row for row in aged if row.total - row.buckets["current"] > 0]
    overdue.sort(key=lambda r: (r.currency != company_currency, r.currency,
                                -(r.total - r.buckets["current"]), r.customer_name.lower()))
    return overdue[:limit]


@dataclass(frozen=True)
class PeriodReport:
    """Every figure of the Reports page for one period; money in minor units."""

    date_from: date
    date_to: date
    as_of: date  # receivables are seen on this day: the end of the period, or today if that is earlier
    company_currency: str
    vat: list[VatRow]
    cells: list[RevenueCell]
    by_month: list[tuple[date, int]]
    by_customer: list[CustomerRevenue]
    aged: list[AgedRow]
    dso: list[DsoRow]
    overdue: list[AgedRow]


def period_report(session: Session, date_from: date, date_to: date, today: date | None = None) -> PeriodReport:
    """The figures for [date_from, date_to]; receivables as the ledger workbook of the same period sees them."""
    if date_from > date_to:
        raise ValidationError(N_("The start date is after the end date."), "date_from")
    as_of = min(date_to, today or date.today())
    currency = get_company(session).currency
    cells = revenue(session, date_from, date_to)
    aged = aged_receivables(session, as_of)
    return PeriodReport(
        date_from=date_from, date_to=date_to, as_of=as_of, company_currency=currency,
        vat=vat_summary(session, date_from, date_to),
        cells=cells,
        by_month=revenue_by_month(cells, months_between(date_from, date_to)),
        by_customer=revenue_by_customer(cells),
        aged=aged,
        dso=days_sales_outstanding(session, date_from, date_to, aged),
        overdue=top_overdue(aged, currency),
    )


# ---------------------------------------------------------------- the reports as tables and files

REPORTS: dict[str, str] = {
    "vat": N_("VAT summary"),
    "revenue": N_("Revenue"),
    "aged": N_("Aged receivables"),
    "dso": N_("Days sales outstanding"),
    "overdue": N_("Customers most overdue"),
}
FORMATS = ("xlsx", "csv", "pdf")


def _bucket_columns(currency_column: int) -> tuple[Column, ...]:
    return (
        Column("current", _("Current"), Kind.MONEY, 14, currency_column),
        Column("days_1_30", _("1–30 days"), Kind.MONEY, 14, currency_column),
        Column("days_31_60", _("31–60 days"), Kind.MONEY, 14, currency_column),
        Column("days_61_90", _("61–90 days"), Kind.MONEY, 14, currency_column),
        Column("days_over_90", _("Over 90 days"), Kind.MONEY, 14, currency_column),
    )


def _table(name: str, title: str, columns: tuple[Column, ...], rows: list[tuple[object, ...]]) -> Table:
    return Table(name, title, columns, lambda: rows, len(rows))


def report_tables(report: PeriodReport, which: str, flat: bool = False) -> tuple[Table, ...]:
    """The tables of one report (``REPORTS``), titles in the interface language. ``flat``: one table only, for a
    CSV file (revenue per customer and month in one table instead of two)."""
    company = report.company_currency
    if which == "vat":
        return (_table("vat", _("VAT summary ({currency})").format(currency=company), (
            Column("tax_category", _("Tax category"), width=8),
            Column("tax_rate", _("Tax rate %"), Kind.DECIMAL, 8),
            Column("basis", _("Taxable basis"), Kind.COMPANY_MONEY, 16),
            Column("tax", _("Tax"), Kind.COMPANY_MONEY, 16),
        ), [(r.category, r.rate, r.basis, r.tax) for r in report.vat]),)
    if which == "revenue":
        net = Column("net", _("Net revenue ({currency})").format(currency=company), Kind.COMPANY_MONEY, 16)
        if flat:
            return (_table("revenue", _("Revenue"), (
                Column("month", _("Month"), Kind.MONTH, 9), Column("customer", _("Customer"), width=30, free_text=True),
                net,
            ), [(c.month, c.customer_name, c.net) for c in sorted(
                report.cells, key=lambda c: (c.month, c.customer_name.lower()))]),)
        return (
            _table("revenue_by_month", _("Revenue by month"), (Column("month", _("Month"), Kind.MONTH, 12), net),
                   [(month, amount) for month, amount in report.by_month]),
            _table("revenue_by_customer", _("Revenue by customer"),
                   (Column("customer", _("Customer"), width=40, free_text=True), net),
                   [(r.customer_name, r.net) for r in report.by_customer]),
        )
    if which == "aged":
        return (_table("aged_receivables", _("Aged receivables on {day}").format(day=report.as_of.isoformat()), (
            Column("customer", _("Customer"), width=30, free_text=True), Column("currency", _("Currency"), width=9),
            *_bucket_columns(1), Column("total", _("Total"), Kind.MONEY, 14, 1),
        ), [(r.customer_name, r.currency, *r.buckets.values(), r.total) for r in report.aged]),)
    if which == "dso":
        return (_table("dso", _("Days sales outstanding"), (
            Column("currency", _("Currency"), width=9),
            Column("receivables", _("Receivables on {day}").format(day=report.as_of.isoformat()), Kind.MONEY, 18, 0),
            Column("sales", _("Sales incl. VAT"), Kind.MONEY, 18, 0),
            Column("days", _("Days"), Kind.INT, 8),
            Column("dso", _("DSO (days)"), Kind.DECIMAL, 10),
        ), [(r.currency, r.receivables, r.sales, r.days, r.dso) for r in report.dso]),)
    if which == "overdue":
        return (_table("overdue_customers", _("Customers most overdue on {day}").format(day=report.as_of.isoformat()), (
            Column("customer", _("Customer"), width=30, free_text=True), Column("currency", _("Currency"), width=9),
            Column("overdue", _("Overdue"), Kind.MONEY, 14, 1), *_bucket_columns(1)[1:],
        ), [(r.customer_name, r.currency, r.total - r.buckets["current"], *list(r.buckets.values())[1:])
            for r in report.overdue]),)
    raise ValidationError(N_("There is no report '{name}'; choose one of {names}."), name=which,
                          names=", ".join(REPORTS))


def export_report(
    db: Database, which: str, path: Path, fmt: str, date_from: date, date_to: date,
    progress: Progress | None = None, today: date | None = None,
) -> Path:
    """Write one report of the period as .xlsx (with a cover sheet), .csv (one table) or .pdf."""
    if fmt not in FORMATS:
        raise ValidationError(N_("'{format}' is not an export format; choose one of {formats}."), format=fmt,
                              formats=", ".join(FORMATS))
    with transaction(db.readonly_sessions) as session:
        report = period_report(session, date_from, date_to, today)
        company = get_company(session).name
    tables = report_tables(report, which, flat=fmt == "csv")
    if fmt == "xlsx":
        from invoicer.documents.ledger import write_workbook  # openpyxl loads when first used

        notes = (_("Amounts in {currency} use the exchange rate locked when each document was finalized.").format(
            currency=report.company_currency),)
        write_workbook(Ledger(
            company_name=company, company_currency=report.company_currency, date_from=date_from, date_to=date_to,
            as_of=report.as_of, generated_at=datetime.now().replace(microsecond=0),
            generator=f"{APP_NAME} {__version__}", notes=notes, tables=tables, title=_(REPORTS[which]),
        ), path, progress)
    elif fmt == "csv":
        from invoicer.documents import csv_io
        from invoicer.services.documents import write_atomically

        with tempfile.TemporaryDirectory() as scratch:  # written whole, then put in place: never half a file
            written = Path(scratch) / "report.csv"
            csv_io.write_table(tables[0], written, report.company_currency, ProgressCounter(tables[0].size, progress))
            write_atomically(path, written.read_bytes())
    else:
        from invoicer.documents.printouts import ReportPrint, render_report
        from invoicer.services.documents import write_atomically

        period = f"{format_date(date_from)} – {format_date(date_to)}"
        write_atomically(path, render_report(ReportPrint(
            title=_(REPORTS[which]), facts=(company, period), tables=tables,
            company_currency=report.company_currency, locale=current_locale(), total_label=_("Total"),
            empty_text=_("Nothing to show for this period."),
        )))
    return path
