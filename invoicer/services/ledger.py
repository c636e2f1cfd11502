"""The accountant's ledger: row streams of every table read in batches (SQLAlchemy Core), and the journal.

Nothing is held in memory: each table is a generator over a ``yield_per`` query, and the journal merges
the date-ordered streams of documents, payments and write-offs. All reads share one read transaction,
so every sheet shows the same moment. Void invoices are listed but stay out of totals, tax and journal.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from invoicer import APP_NAME, __version__
from invoicer.core.errors import InvoicerError, ValidationError
from invoicer.core.money import round_fraction
from invoicer.core.payment_methods import method_label
from invoicer.core.totals import (
    TaxKey,
    company_rounding,
    convert_minor,
    convert_parts,
    owed_in_company_currency,
)
from invoicer.core.type_codes import DEPOSIT
from invoicer.core.workflow import display_status
from invoicer.db import functions
from invoicer.db.migrate import Database
from invoicer.db.models import (
    AuditEvent,
    Company,
    Invoice,
    InvoiceDeduction,
    InvoiceLine,
    InvoiceTax,
    Payment,
)
from invoicer.documents import csv_io
from invoicer.documents import ledger as workbook
from invoicer.documents.tables import Column, Kind, Ledger, Progress, Table
from invoicer.i18n import N_, _
from invoicer.services import audit, reports, settings, taxes
from invoicer.services.company import get_company
from invoicer.services.customers import dated_receivables, due_expression, recovers_bad_debt, written_off_on

BATCH = 2000

# ---------------------------------------------------------------- journal accounts (Settings)

ACCOUNTS = {
    "receivables": ("1200", N_("Journal account: receivables")),
    "revenue": ("4000", N_("Journal account: revenue")),
    "tax_payable": ("2200", N_("Journal account: VAT payable")),
    "bank": ("1000", N_("Journal account: cash / bank")),
    "customer_credit": ("2300", N_("Journal account: customer credit")),
    "bad_debt": ("6900", N_("Journal account: bad debt written off")),
    "exchange_gain": ("2660", N_("Journal account: exchange rate gains")),
    "exchange_loss": ("2150", N_("Journal account: exchange rate losses")),
    "rounding": ("4990", N_("Journal account: rounding amounts of invoices (BT-114)")),
    # a deposit invoice (386) bills work not yet done: its net is owed back to the customer until the final invoice
    # deducts it (then revenue); its VAT is owed when it is invoiced, like any invoice's
    "advances": ("2350", N_("Journal account: advance payments received (deposit invoices)")),
}
REVENUE_BY_RATE = "ledger.account.revenue_by_rate"


def _account_code(value: Any) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 30:
        raise ValidationError(N_("'{value}' is not an account code (1 to 30 characters)."), value=value)


def _revenue_map(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(
            N_("Revenue accounts per tax rate are a mapping like {example}."), example='{"S 19": "4400"}'
        )
    for key, code in value.items():
        _rate_key(key)
        _account_code(code)


def _rate_key(text: str) -> TaxKey:
    """``"S 19"`` -> TaxKey("S", 19), normalised so ``"S 19.0"`` is the same rate."""
    parts = str(text).split()
    if len(parts) != 2:
        raise ValidationError(N_("'{text}' is not a tax category and rate such as 'S 19'."), text=text)
    return taxes.tax_key(parts[0], parts[1])


ACCOUNT_SETTINGS = {
    name: settings.TextSetting(f"ledger.account.{name}", default, title, _account_code)
    for name, (default, title) in ACCOUNTS.items()
}
# most VAT laws let the seller reduce output VAT on a receivable that proves uncollectible (e.g. German
# UStG § 17(2)1, Art. 90 of the VAT directive); where the law does not, the gross amount goes to bad debt
WRITE_OFF_CORRECTS_VAT = settings.BoolSetting(
    "ledger.writeoff_corrects_vat", True,
    N_("Journal: a write-off reduces VAT payable by its VAT share (a recovery restores it)"),
)
REVENUE_ACCOUNTS = settings.JsonSetting[dict[str, str]](
    REVENUE_BY_RATE, {},
    N_("Journal: revenue account per tax rate, e.g. {\"S 19\": \"4400\", \"S 7\": \"4300\"} "
       "(others use the revenue account)"),
    _revenue_map, '{"S 19": "4400"}',
)


@dataclass(frozen=True)
class Accounts:
    """The account codes the journal posts to, read from Settings once per export."""

    receivables: str
    revenue: str
    tax_payable: str
    bank: str
    customer_credit: str
    bad_debt: str
    exchange_gain: str
    exchange_loss: str
    rounding: str
    advances: str
    revenue_by_rate: dict[TaxKey, str]
    write_off_corrects_vat: bool = True

    @classmethod
    def load(cls, session: Session) -> Accounts:
        codes = {name: setting.get(session) for name, setting in ACCOUNT_SETTINGS.items()}
        by_rate = {_rate_key(key): code for key, code in REVENUE_ACCOUNTS.get(session).items()}
        return cls(**codes, revenue_by_rate=by_rate, write_off_corrects_vat=WRITE_OFF_CORRECTS_VAT.get(session))

    def bad_debt_postings(self, amount: int, tax_total: int | None, total: int | None) -> list[tuple[str, int]]:
        """``amount`` (company minor units, + debit) moved into or out of bad debt on a document with these
        company-currency totals: with the VAT correction its VAT share goes to VAT payable instead, so a
        write-off reduces output VAT and a recovery restores it in proportion."""
        tax = 0
        if self.write_off_corrects_vat and tax_total and total:
            tax = round_fraction(Fraction(amount * tax_total, total))
        return [(self.bad_debt, amount - tax), (self.tax_payable, tax)]

    def revenue_for(self, category: str, rate: Decimal) -> str:
        return self.revenue_by_rate.get(TaxKey(category, rate), self.revenue)


class ExportCancelled(InvoicerError):
    """The user stopped an export; nothing was written."""

    def __init__(self) -> None:
        super().__init__(N_("The export was cancelled; no file was written."))


# ---------------------------------------------------------------- helpers


def _stream(session: Session, stmt: Select[*tuple[Any, ...]]) -> Iterator[Any]:
    """Rows of ``stmt`` fetched BATCH at a time, never all at once; through the session's connection (Core):
    the ORM's result wrapping cost a third of reading the Lines sheet's half a million rows."""
    yield from session.connection().execute(stmt.execution_options(yield_per=BATCH))


def _count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def _in_period(column: Any, date_from: date | str | None, date_to: date | str | None) -> ColumnElement[bool]:
    conditions = []
    if date_from is not None:
        conditions.append(column >= date_from)
    if date_to is not None:
        conditions.append(column <= date_to)
    return and_(true(), *conditions)


def _snapshot(field: str) -> Any:
    """A field of the customer as printed on the document (the snapshot taken at finalize)."""
    return functions.json_text(Invoice.customer_snapshot, field)


ISSUED = Invoice.status.not_in(("draft", "void"))


# ---------------------------------------------------------------- tables


@dataclass
class _Query:
    """One export: the session, the period and the day balances are seen on."""

    session: Session
    date_from: date | None
    date_to: date | None
    as_of: date
    company_currency: str
    today: date = field(default_factory=date.today)

    def settled(self, stmt: Select[*tuple[Any, ...]]) -> tuple[Select[*tuple[Any, ...]], tuple[Any, Any, Any, Any]]:
        """An invoice's paid, credited, amount due and status on ``as_of``, and ``stmt`` joined to what they are read
        from: as stored when that is today; for a period that ended before, from the payments, credit notes,
        write-offs and voids dated by its last day (each added up once per invoice, then joined), so that the Invoices
        sheet shows what the Aged receivables sheet and the journal show on that day."""
        if self.as_of >= self.today:
            return stmt, (Invoice.paid, Invoice.credited, due_expression(), Invoice.status)
        paid = (select(Payment.invoice_id.label("iid"), func.sum(Payment.applied).label("amount"))
                .where(Payment.paid_on <= self.as_of).group_by(Payment.invoice_id).subquery())
        note = aliased(Invoice)
        credited = (select(note.corrects_id.label("iid"), func.sum(note.applied_to_due).label("amount"))
                    .where(note.doc_type == "credit_note", note.status != "draft", note.issue_date <= self.as_of)
                    .group_by(note.corrects_id).subquery())
        ended = (select(AuditEvent.entity_id.label("iid"),
                        func.max(case((AuditEvent.action == "void", 1), else_=0)).label("voided"),
                        func.max(case((AuditEvent.action == "write_off", 1), else_=0)).label("written_off"))
                 .where(AuditEvent.entity == "invoice", AuditEvent.action.in_(("void", "write_off")),
                        written_off_on() <= self.as_of.isoformat())
                 .group_by(AuditEvent.entity_id).subquery())
        stmt = (stmt.outerjoin(paid, paid.c.iid == Invoice.id).outerjoin(credited, credited.c.iid == Invoice.id)
                .outerjoin(ended, ended.c.iid == Invoice.id))
        paid_then, credited_then = func.coalesce(paid.c.amount, 0), func.coalesce(credited.c.amount, 0)
        owed = functions.greatest(Invoice.payable - paid_then - credited_then, 0)
        voided = and_(Invoice.status == "void", ended.c.voided == 1)
        status = case((voided, "void"), (owed == 0, "paid"),
                      (and_(Invoice.status.in_(("uncollectible", "paid")), ended.c.written_off == 1), "uncollectible"),
                      else_="open")
        return stmt, (paid_then, credited_then, case((voided, 0), else_=owed), status)

    def money(self, key: str, title: str, currency_column: int) -> Column:
        return Column(key, title, Kind.MONEY, 14, currency_column)

    # -- invoices

    def invoices(self) -> Table:
        joined, settled = self.settled(select().select_from(Invoice))
        stmt = (
            joined.add_columns(
                Invoice.number, Invoice.issue_date, Invoice.due_date, _snapshot("name"), _snapshot("vat_id"),
                _snapshot("country"), Invoice.currency, Invoice.total - Invoice.tax_total, Invoice.tax_total,
                Invoice.total, *settled, Invoice.exchange_rate,
                Invoice.company_subtotal, Invoice.company_tax_total, Invoice.company_total,
                func.coalesce(Invoice.type_code, "380"), Invoice.rounding_amount, Invoice.prepaid,
                Invoice.delivery_date, Invoice.period_start, Invoice.period_end,
            )
            .where(Invoice.doc_type == "invoice", Invoice.status != "draft",
                   _in_period(Invoice.issue_date, self.date_from, self.date_to))
            .order_by(Invoice.issue_date, Invoice.id)
        )
        columns = (
            Column("number", _("Number"), width=16),
            Column("issue_date", _("Issue date"), Kind.DATE, 11),
            Column("due_date", _("Due date"), Kind.DATE, 11),
            Column("customer", _("Customer"), width=30, free_text=True),
            Column("customer_vat_id", _("Customer VAT ID"), width=16),
            Column("country", _("Country"), width=8),
            Column("currency", _("Currency"), width=9),
            self.money("net", _("Net"), 6),
            self.money("tax", _("Tax"), 6),
            self.money("total", _("Total"), 6),
            self.money("paid", _("Paid"), 6),
            self.money("credited", _("Credited"), 6),
            self.money("amount_due", _("Amount due"), 6),
            Column("status", _("Status"), width=14),
            Column("days_overdue", _("Days overdue"), Kind.INT, 8),
            Column("exchange_rate", _("Exchange rate"), Kind.DECIMAL, 10),
            Column("company_net", _("Net ({currency})").format(currency=self.company_currency), Kind.COMPANY_MONEY, 14),
            Column("company_tax", _("Tax ({currency})").format(currency=self.company_currency), Kind.COMPANY_MONEY, 14),
            Column("company_total", _("Total ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
            # EN 16931: the invoice type (380, 384 corrected, 389 self-billed) and the rounding amount (BT-114)
            Column("type_code", _("Type code"), width=8),
            self.money("rounding", _("Rounding"), 6),
            # BT-113: paid as the invoice was finalized, so part of its Paid column too (the payment is on Payments)
            self.money("prepaid", _("Paid in advance"), 6),
            # the date of supply or service period (EU VAT Art. 226(7)): it can decide the VAT period
            Column("delivery_date", _("Date of supply"), Kind.DATE, 11),
            Column("period_start", _("Service from"), Kind.DATE, 11),
            Column("period_end", _("Service to"), Kind.DATE, 11),
        )
        as_of = self.as_of

        def rows() -> Iterator[Sequence[object]]:
            for (number, issued, due_on, name, vat_id, country, currency, net, tax, total, paid, credited,
                 amount_due, status, rate, c_net, c_tax, c_total, type_code, rounding, prepaid,
                 *supply) in _stream(self.session, stmt):
                shown = display_status(status, due_on, total, amount_due, as_of)
                overdue = (as_of - due_on).days if shown == "overdue" else 0
                yield (number, issued, due_on, name, vat_id, country, currency, net, tax, total, paid, credited,
                       amount_due, _status_title(shown), overdue, rate, c_net, c_tax, c_total, type_code, rounding,
                       prepaid, *supply)

        return Table("invoices", _("Invoices"), columns, rows, _count(self.session, stmt),
                     excluded_from_totals=(13, _status_title("void")))

    # -- lines

    def lines(self) -> Table:
        stmt = (
            select(
                Invoice.number, InvoiceLine.position, InvoiceLine.description, InvoiceLine.quantity,
                InvoiceLine.unit, InvoiceLine.unit_price, InvoiceLine.price_base, InvoiceLine.discount,
                InvoiceLine.charge, InvoiceLine.tax_category, InvoiceLine.tax_rate, InvoiceLine.net, InvoiceLine.tax,
                Invoice.currency,
            )
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.doc_type == "invoice", ISSUED, _in_period(Invoice.issue_date, self.date_from, self.date_to))
            .order_by(Invoice.issue_date, Invoice.id, InvoiceLine.position)
        )
        columns = (
            Column("invoice_number", _("Invoice"), width=16),
            Column("line", _("Line"), Kind.INT, 6),
            Column("description", _("Description"), width=40, free_text=True),
            Column("quantity", _("Quantity"), Kind.DECIMAL, 10),
            Column("unit", _("Unit"), width=6),
            Column("unit_price", _("Unit price"), Kind.DECIMAL, 12),
            Column("price_base", _("Price per quantity"), Kind.DECIMAL, 8),  # BT-149
            self.money("discount", _("Discount"), 13),  # every line allowance
            self.money("charge", _("Line charges"), 13),
            Column("tax_category", _("Tax category"), width=8),
            Column("tax_rate", _("Tax rate %"), Kind.DECIMAL, 8),
            self.money("net", _("Net"), 13),
            self.money("tax", _("Tax (line rounding)"), 13),
            Column("currency", _("Currency"), width=9),
        )
        return Table("lines", _("Lines"), columns, lambda: _stream(self.session, stmt), _count(self.session, stmt))

    # -- payments

    def payments(self) -> Table:
        original = aliased(Payment)
        stmt = (
            select(
                Payment.paid_on, Invoice.number, _snapshot("name"), Payment.kind, Payment.method,
                Payment.reference, Payment.amount, Payment.currency, Payment.company_amount, Payment.id,
                Payment.reverses_id, Payment.reason, original.kind,
            )
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .outerjoin(original, original.id == Payment.reverses_id)
            .where(_in_period(Payment.paid_on, self.date_from, self.date_to))
            .order_by(Payment.paid_on, Payment.id)
        )
        columns = (
            Column("date", _("Date"), Kind.DATE, 11),
            Column("invoice_number", _("Invoice"), width=16),
            Column("customer", _("Customer"), width=30, free_text=True),
            Column("kind", _("Kind"), width=26),
            Column("method", _("Method"), width=14, free_text=True),
            Column("reference", _("Reference"), width=18, free_text=True),
            self.money("amount", _("Amount"), 7),
            Column("currency", _("Currency"), width=9),
            Column("company_amount", _("Amount ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
            Column("payment_id", _("Payment no."), Kind.INT, 10),
            Column("reverses", _("Reverses payment"), Kind.INT, 10),
            Column("reason", _("Reason"), width=24, free_text=True),
        )

        def rows() -> Iterator[Sequence[object]]:
            for (paid_on, number, name, kind, method, reference, amount, currency, c_amount, pid, reverses, reason,
                 original_kind) in _stream(self.session, stmt):
                yield (paid_on, number, name, _payment_kind_title(kind, original_kind), _(method_label(method)), reference, amount,
                       currency, amount if c_amount is None else c_amount, pid, reverses, reason)

        return Table("payments", _("Payments"), columns, rows, _count(self.session, stmt))

    # -- credit notes

    def credit_notes(self) -> Table:
        corrected = aliased(Invoice)
        stmt = (
            select(
                Invoice.number, Invoice.issue_date, corrected.number, corrected.issue_date, _snapshot("name"),
                Invoice.reason, Invoice.currency, Invoice.total - Invoice.tax_total, Invoice.tax_total, Invoice.total,
                Invoice.applied_to_due, Invoice.to_customer_credit, Invoice.refunded, Invoice.company_total,
            )
            .join(corrected, corrected.id == Invoice.corrects_id)
            .where(Invoice.doc_type == "credit_note", Invoice.status != "draft",
                   _in_period(Invoice.issue_date, self.date_from, self.date_to))
            .order_by(Invoice.issue_date, Invoice.id)
        )
        columns = (
            Column("number", _("Number"), width=16),
            Column("date", _("Date"), Kind.DATE, 11),
            Column("invoice_number", _("Original invoice"), width=16),
            Column("invoice_date", _("Invoice date"), Kind.DATE, 11),
            Column("customer", _("Customer"), width=30, free_text=True),
            Column("reason", _("Reason"), width=30, free_text=True),
            Column("currency", _("Currency"), width=9),
            self.money("net", _("Net"), 6),
            self.money("tax", _("Tax"), 6),
            self.money("total", _("Total"), 6),
            self.money("reduced_due", _("Reduced amount due"), 6),
            self.money("customer_credit", _("To customer credit"), 6),
            self.money("refunded", _("Refunded"), 6),
            Column("settled_as", _("Settled as"), width=30),
            Column("company_total", _("Total ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
        )

        def rows() -> Iterator[Sequence[object]]:
            for row in _stream(self.session, stmt):
                settled = [title for amount, title in zip(row[10:13], _SETTLEMENT_TITLES, strict=True) if amount]
                yield (*row[:13], " + ".join(_(title) for title in settled), row[13])

        return Table("credit_notes", _("Credit notes"), columns, rows, _count(self.session, stmt))

    # -- tax summary

    def tax_summary(self) -> Table:
        found = reports.tax_summary(self.session, self.date_from, self.date_to)
        columns = (
            Column("month", _("Month"), Kind.MONTH, 9),
            Column("currency", _("Currency"), width=9),
            Column("tax_category", _("Tax category"), width=8),
            Column("tax_rate", _("Tax rate %"), Kind.DECIMAL, 8),
            self.money("invoiced_basis", _("Invoiced basis"), 1),
            self.money("invoiced_tax", _("Invoiced tax"), 1),
            self.money("credited_basis", _("Credited basis"), 1),
            self.money("credited_tax", _("Credited tax"), 1),
            self.money("basis", _("Taxable basis"), 1),
            self.money("tax", _("Tax"), 1),
            Column("company_basis", _("Taxable basis ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
            Column("company_tax", _("Tax ({currency})").format(currency=self.company_currency), Kind.COMPANY_MONEY, 14),
            Column("written_off_basis", _("Bad-debt correction of the basis ({currency})").format(
                currency=self.company_currency), Kind.COMPANY_MONEY, 14),
            Column("written_off_tax", _("Bad-debt correction of the tax ({currency})").format(
                currency=self.company_currency), Kind.COMPANY_MONEY, 14),
        )
        rows = [
            (r.month, r.currency, r.category, r.rate, r.invoiced_basis, r.invoiced_tax, r.credited_basis,
             r.credited_tax, r.basis, r.tax, r.company_basis, r.company_tax,
             -r.written_off_basis, -r.written_off_tax)
            for r in found
        ]
        return Table("tax_summary", _("Tax summary"), columns, lambda: rows, len(rows))

    # -- aged receivables

    def aged_receivables(self) -> Table:
        found = reports.aged_receivables(self.session, self.as_of)
        columns = (
            Column("customer", _("Customer"), width=30, free_text=True),
            Column("currency", _("Currency"), width=9),
            self.money("current", _("Current"), 1),
            self.money("days_1_30", _("1–30 days"), 1),
            self.money("days_31_60", _("31–60 days"), 1),
            self.money("days_61_90", _("61–90 days"), 1),
            self.money("days_over_90", _("Over 90 days"), 1),
            self.money("total", _("Total"), 1),
            # at the rates locked at finalize, as the journal carries them: the receivables account's balance
            Column("company_total", _("Total ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
        )
        rows = [(r.customer_name, r.currency, *r.buckets.values(), r.total, r.company_total) for r in found]
        return Table("aged_receivables", _("Aged receivables"), columns, lambda: rows, len(rows))

    # -- journal

    def journal(self, accounts: Accounts) -> Table:
        columns = (
            Column("entry", _("Entry"), Kind.INT, 8),
            Column("date", _("Date"), Kind.DATE, 11),
            Column("document", _("Document"), width=16),
            Column("text", _("Text"), width=34),
            Column("account", _("Account"), width=10),
            Column("debit", _("Debit ({currency})").format(currency=self.company_currency), Kind.COMPANY_MONEY, 14),
            Column("credit", _("Credit ({currency})").format(currency=self.company_currency),
                   Kind.COMPANY_MONEY, 14),
        )
        journal = _Journal(self, accounts)

        def rows() -> Iterator[Sequence[object]]:
            for number, entry in enumerate(journal.entries(), 1):
                for account, debit, credit in entry.postings:
                    yield (number, entry.day, entry.document, entry.text, account, debit or None, credit or None)

        return Table("journal", _("Journal"), columns, rows, journal.estimate())


_STATUS_TITLES = {
    "open": N_("open"), "overdue": N_("overdue"), "partially paid": N_("partially paid"), "paid": N_("paid"),
    "void": N_("void"), "uncollectible": N_("uncollectible"),
}
_SETTLEMENT_TITLES = (N_("reduced amount due"), N_("customer credit"), N_("refunded"))


def _status_title(status: str) -> str:
    return _(_STATUS_TITLES.get(status, status))


def _payment_kind_title(kind: str, original_kind: str | None) -> str:
    if kind == "reversal":
        return _("reversal of credit applied") if original_kind == "credit_applied" else _("reversal of payment")
    return _("customer credit applied") if kind == "credit_applied" else _("payment")


def _payment_text(kind: str, payment_id: int, reverses: int | None) -> str:
    if kind == "reversal":
        return _("Reversal of payment {number}").format(number=reverses)
    if kind == "credit_applied":
        return _("Customer credit applied ({number})").format(number=payment_id)
    return _("Payment {number}").format(number=payment_id)


# ---------------------------------------------------------------- journal


@dataclass(frozen=True)
class JournalEntry:
    """One balanced entry: postings as (account, debit, credit) in company minor units. ``invoice_id`` is the
    invoice whose receivable the entry concerns (a credit note's: the invoice it corrects)."""

    day: date
    document: str
    text: str
    postings: tuple[tuple[str, int, int], ...]
    invoice_id: int


def _entry(day: date, document: str, text: str, lines: Iterable[tuple[str, int]], invoice_id: int) -> JournalEntry:
    """An entry from signed amounts (+ debit, - credit), one posting per account; zero postings are dropped."""
    by_account: dict[str, int] = {}
    for account, amount in lines:
        by_account[account] = by_account.get(account, 0) + amount
    postings = tuple((account, max(amount, 0), max(-amount, 0)) for account, amount in by_account.items() if amount)
    return JournalEntry(day, document, text, postings, invoice_id)


@dataclass(frozen=True)
class _Owed:
    """How an entry changes what its invoice owes, in the invoice's currency; ``opens``: the invoice itself, whose
    currency and locked rate value what it owes in the company currency."""

    change: int
    opens: bool = False
    currency: str = ""
    rate: Decimal = Decimal(1)


# a settlement converted on its own is off what its invoice's receivable moves by rounding only: a few minor units
# (more is no rounding, e.g. units counted differently before 0010, and is left for verify to name)
_ROUNDING = 3


@dataclass(slots=True)
class _OpenItem:
    """An invoice's receivable while the journal is written: its total and what it owes, in its currency."""

    total: int
    owed: int
    company_total: int
    currency: str
    company_currency: str
    rate: Decimal

    def booked(self, owed: int) -> int:
        return owed_in_company_currency(owed, self.total, self.company_total, self.currency, self.company_currency,
                                        self.rate)


class _Journal:
    """Double-entry postings merged by date from three date-ordered streams."""

    def __init__(self, query: _Query, accounts: Accounts) -> None:
        self.q = query
        self.a = accounts
        period = _in_period(Invoice.issue_date, query.date_from, query.date_to)
        corrected = aliased(Invoice)
        deposit = and_(Invoice.doc_type == "invoice", Invoice.type_code == DEPOSIT)
        deducted = aliased(Invoice)
        finals = (select(InvoiceDeduction.invoice_id).join(deducted, deducted.id == InvoiceDeduction.deducted_id)
                  .where(deducted.type_code == DEPOSIT))
        self.documents = (
            select(
                Invoice.id, Invoice.doc_type, Invoice.number, Invoice.issue_date, Invoice.currency,
                Invoice.exchange_rate, Invoice.company_subtotal, Invoice.company_tax_total, Invoice.company_total,
                Invoice.applied_to_due, Invoice.to_customer_credit, Invoice.refunded,
                InvoiceTax.category, InvoiceTax.rate, InvoiceTax.basis, func.coalesce(Invoice.corrects_id, Invoice.id),
                Invoice.total, Invoice.rounding_amount,
                # a deposit invoice, or a credit note of one: its net is an advance, not revenue
                case((deposit, True), else_=corrected.type_code == DEPOSIT),
                # a final invoice that deducts deposits: it releases their advances to revenue
                Invoice.id.in_(finals),
            )
            .join(InvoiceTax, InvoiceTax.invoice_id == Invoice.id)
            .outerjoin(corrected, corrected.id == Invoice.corrects_id)
            .where(ISSUED, period)
            .order_by(Invoice.issue_date, Invoice.id, InvoiceTax.id)
        )
        original = aliased(Payment)
        self.payments = (
            select(
                Payment.id, Payment.reverses_id, Payment.kind, Payment.paid_on, Payment.amount, Payment.applied,
                Payment.excess, Payment.currency, Payment.company_amount, Invoice.number, Invoice.exchange_rate,
                Invoice.company_currency, original.kind,
                and_(Invoice.closed_at.is_not(None), recovers_bad_debt(Payment)), Payment.invoice_id,
                Invoice.company_tax_total, Invoice.company_total,
            )
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .outerjoin(original, original.id == Payment.reverses_id)
            .where(_in_period(Payment.paid_on, query.date_from, query.date_to))
            .order_by(Payment.paid_on, Payment.id)
        )
        written_on = written_off_on()
        self.write_offs = (
            select(
                AuditEvent.id, written_on, functions.json_int(AuditEvent.payload, "amount_due"), Invoice.number,
                Invoice.currency, Invoice.exchange_rate, Invoice.company_currency, Invoice.id,
                Invoice.company_tax_total, Invoice.company_total,
            )
            .join(Invoice, Invoice.id == AuditEvent.entity_id)
            .where(AuditEvent.entity == "invoice", AuditEvent.action == "write_off",
                   _in_period(written_on, _iso(query.date_from), _iso(query.date_to)))
            .order_by(written_on, AuditEvent.id)
        )

    def estimate(self) -> int:
        """Postings expected: about three per document, payment or write-off."""
        session = self.q.session
        return 3 * (_count(session, self.documents.with_only_columns(Invoice.id).distinct()) + _count(session, self.payments)
                    + _count(session, self.write_offs))

    def entries(self) -> Iterator[JournalEntry]:
        streams = [
            (((e[0].day, source, i), e) for i, e in enumerate(stream))
            for source, stream in enumerate((self._documents(), self._payments(), self._write_offs()))
        ]
        items = self._open_before_the_period()
        for _key, (entry, owed) in heapq.merge(*streams, key=lambda pair: pair[0]):
            yield self._rest_of_rounding(entry, owed, items)

    def _open_before_the_period(self) -> dict[int, _OpenItem]:
        """Foreign-currency invoices issued before the period with what they owed the day before it (from dated
        events, in the journal's order), so that a settlement is posted alike whatever period is exported."""
        if self.q.date_from is None:
            return {}
        company = self.q.company_currency
        owed = dated_receivables(self.q.date_from - timedelta(days=1))
        stmt = (
            select(Invoice.id, Invoice.payable, owed.c.due, Invoice.company_total, Invoice.currency,
                   Invoice.exchange_rate, Invoice.rounding_amount)
            .join(owed, owed.c.invoice_id == Invoice.id)
            .where(Invoice.currency != company)
        )
        return {
            invoice_id: _OpenItem(payable, int(due),
                                  company_total + company_rounding(rounding, currency, company, rate),
                                  currency, company, rate or Decimal(1))
            for invoice_id, payable, due, company_total, currency, rate, rounding in self.q.session.execute(stmt)
        }

    def _rest_of_rounding(self, entry: JournalEntry, owed: _Owed, items: dict[int, _OpenItem]) -> JournalEntry:
        """In another currency each settlement (payment, credit note, write-off, reversal) converted on its own would
        leave the receivable off what the invoice owes by rounding, and a settled invoice with a cent in receivables:
        instead each moves the receivable from what was owed before to what is owed after, both valued at the
        locked rate, and its rounding goes to exchange gain or loss."""
        receivables = self.a.receivables
        if owed.opens:
            if owed.currency != self.q.company_currency or owed.rate != 1:
                booked = sum(debit for account, debit, _credit in entry.postings if account == receivables)
                items[entry.invoice_id] = _OpenItem(owed.change, owed.change, booked, owed.currency,
                                                    self.q.company_currency, owed.rate)
            return entry
        item = items.get(entry.invoice_id)  # none for the company currency: nothing to round
        if item is None or owed.change == 0:
            return entry
        moved = sum(debit - credit for account, debit, credit in entry.postings if account == receivables)
        before, item.owed = item.owed, item.owed + owed.change
        rest = (item.booked(item.owed) - item.booked(before)) - moved
        if rest == 0 or abs(rest) > _ROUNDING:
            return entry
        lines = [(account, debit - credit) for account, debit, credit in entry.postings]
        lines += [(receivables, rest), (self.a.exchange_gain if rest > 0 else self.a.exchange_loss, -rest)]
        return _entry(entry.day, entry.document, entry.text, lines, entry.invoice_id)

    def _documents(self) -> Iterator[tuple[JournalEntry, _Owed]]:
        a = self.a
        rows = _stream(self.q.session, self.documents)
        for _id, group in itertools.groupby(rows, key=lambda row: row[0]):
            taxes = list(group)
            (_doc_id, doc_type, number, issued, currency, rate, c_net, c_tax, c_total, applied, to_credit,
             refunded) = taxes[0][:12]
            invoice_id, total, rounding, advance, final = taxes[0][15:20]
            company = self.q.company_currency
            revenue = convert_parts([t[14] for t in taxes], currency, company, rate, c_net)
            sign = 1 if doc_type == "invoice" else -1
            lines = [(a.advances if advance else a.revenue_for(t[12], t[13]), -sign * part)
                     for t, part in zip(taxes, revenue, strict=True)]
            if final:
                for category, tax_rate, amount in self._released(_doc_id):
                    lines += [(a.advances, amount), (a.revenue_for(category, tax_rate), -amount)]
            lines.append((a.tax_payable, -sign * c_tax))
            # the rounding amount (BT-114) is owed with the total, and is neither revenue nor VAT
            c_rounding = company_rounding(rounding, currency, company, rate)
            lines.append((a.rounding, -sign * c_rounding))
            if doc_type == "invoice":
                lines.insert(0, (a.receivables, c_total + c_rounding))
                text = _("Invoice")
            else:
                settled = convert_parts([applied, to_credit, refunded], currency, company, rate, c_total + c_rounding)
                lines += [(a.receivables, -settled[0]), (a.customer_credit, -settled[1]), (a.bank, -settled[2])]
                text = _("Credit note")
            yield _entry(issued, number, text, lines, invoice_id), (
                _Owed(total + rounding, True, currency, rate or Decimal(1)) if doc_type == "invoice"
                else _Owed(-applied))

    def _released(self, final_id: int) -> list[tuple[str, Decimal, int]]:
        """The advances a final invoice releases to revenue, per VAT rate: the net its deposit invoices booked to
        advance payments (in company currency, as booked), less what their credit notes took back. Partial invoices
        (326) bill delivered work: their net was revenue already, and the final invoice's deduction lines take it off."""
        # the deposits only: a credit note of a deducted partial invoice took back revenue, not an advance
        deposits = (select(InvoiceDeduction.deducted_id).join(Invoice, Invoice.id == InvoiceDeduction.deducted_id)
                    .where(InvoiceDeduction.invoice_id == final_id, Invoice.type_code == DEPOSIT))
        stmt = (
            select(Invoice.id, Invoice.doc_type, Invoice.currency, Invoice.exchange_rate, Invoice.company_subtotal,
                   InvoiceTax.category, InvoiceTax.rate, InvoiceTax.basis)
            .join(InvoiceTax, InvoiceTax.invoice_id == Invoice.id)
            .where(ISSUED, Invoice.id.in_(deposits)
                   | ((Invoice.doc_type == "credit_note") & Invoice.corrects_id.in_(deposits)))
            .order_by(Invoice.id, InvoiceTax.id)
        )
        released: dict[TaxKey, int] = {}
        for _id, group in itertools.groupby(self.q.session.execute(stmt), key=lambda row: row[0]):
            rows: list[Any] = list(group)
            doc_type, currency, rate, c_net = rows[0][1:5]
            parts = convert_parts([r[7] for r in rows], currency, self.q.company_currency, rate, c_net)
            sign = 1 if doc_type == "invoice" else -1
            for row, part in zip(rows, parts, strict=True):
                key = TaxKey(row[5], row[6])
                released[key] = released.get(key, 0) + sign * part
        return [(key.category, key.rate, amount) for key, amount in released.items() if amount]

    def _payments(self) -> Iterator[tuple[JournalEntry, _Owed]]:
        a = self.a
        for (pid, reverses, kind, paid_on, amount, applied, excess, currency, c_amount, number, rate, company,
             original_kind, recovery, invoice_id, c_tax, c_total) in _stream(self.q.session, self.payments):
            locked = rate or Decimal(1)
            # receivables and customer credit are settled at the rate they were booked at (locked at finalize);
            # money received at another day's rate leaves an exchange difference
            at_locked = convert_minor(amount, currency, company or currency, locked)
            c_amount = at_locked if c_amount is None else c_amount
            c_applied, c_excess = convert_parts([applied, excess], currency, company or currency, locked, at_locked)
            difference = c_amount - at_locked
            settles = (a.bad_debt_postings(-c_applied, c_tax, c_total) if recovery
                       else [(a.receivables, -c_applied)])
            from_credit = (original_kind if kind == "reversal" else kind) == "credit_applied"
            source = a.customer_credit if from_credit else a.bank
            text = _payment_text(kind, pid, reverses)
            yield _entry(paid_on, number, text, [
                (source, c_amount), *settles, (a.customer_credit, -c_excess),
                # a reversal undoes the gain or loss of the payment it reverses, on the same account
                (a.exchange_gain if (difference > 0) != (kind == "reversal") else a.exchange_loss, -difference),
            ], invoice_id), _Owed(0 if recovery else -applied)

    def _write_offs(self) -> Iterator[tuple[JournalEntry, _Owed]]:
        a = self.a
        changes = audit.minor_unit_changes(self.q.session)
        for (event_id, day, due, number, currency, rate, company, invoice_id, c_tax,
             c_total) in _stream(self.q.session, self.write_offs):
            due_today = audit.counted_today(int(due or 0), currency, event_id, changes)
            amount = convert_minor(due_today, currency, company or currency, rate or Decimal(1))
            yield _entry(date.fromisoformat(day), number, _("Written off as uncollectible"),
                         [*a.bad_debt_postings(amount, c_tax, c_total), (a.receivables, -amount)], invoice_id), _Owed(-due_today)


def bad_debt_corrections(
    session: Session, date_from: date | None, date_to: date | None
) -> Iterator[tuple[date, int, int, int]]:
    """What write-offs and recovery payments dated in the period move into bad debt (+) or back out of it (-), as
    the journal posts them: (day, invoice id, net, VAT) in company minor units. Nothing with the VAT correction
    turned off (the VAT return then keeps the output VAT of a written-off invoice)."""
    company_currency = session.scalar(select(Company.currency))
    accounts = Accounts.load(session)
    if company_currency is None or not accounts.write_off_corrects_vat:
        return
    journal = _Journal(_Query(session, date_from, date_to, date.today(), company_currency), accounts)
    for entry, _owed in itertools.chain(journal._write_offs(), journal._payments()):
        net = sum(debit - credit for account, debit, credit in entry.postings if account == accounts.bad_debt)
        tax = sum(debit - credit for account, debit, credit in entry.postings if account == accounts.tax_payable)
        if net or tax:
            yield entry.day, entry.invoice_id, net, tax


def receivables_by_invoice(session: Session, between: tuple[int, int] | None = None) -> dict[int, tuple[int, int]]:
    """The journal's receivables account per invoice over all time: {invoice id: (balance, postings)}, the
    balance in company minor units (debit positive). ``between``: only the invoices with ids in that range (at least;
    a credit note in it brings the invoice it corrects), read through the indexes: an invoice's receivables come
    from its own entries alone, in their order, so they are the same as in the whole journal."""
    company_currency = session.scalar(select(Company.currency))
    if company_currency is None:  # no company profile yet, so nothing was ever finalized
        return {}
    accounts = Accounts.load(session)
    journal = _Journal(_Query(session, None, None, date.today(), company_currency), accounts)
    if between is not None:
        first, last = between
        # whether a final invoice releases advances (postings between advances and revenue, never receivables) is
        # left out: its subquery read every invoice for each range
        released = list(journal.documents.selected_columns)
        journal.documents = journal.documents.with_only_columns(*released[:-1], false()).where(
            or_(Invoice.id.between(first, last), Invoice.corrects_id.between(first, last)))
        journal.payments = journal.payments.where(Payment.invoice_id.between(first, last))
        journal.write_offs = journal.write_offs.where(AuditEvent.entity_id.between(first, last))
    found: dict[int, tuple[int, int]] = {}
    for entry in journal.entries():
        for account, debit, credit in entry.postings:
            if account == accounts.receivables:
                balance, postings = found.get(entry.invoice_id, (0, 0))
                found[entry.invoice_id] = (balance + debit - credit, postings + 1)
    return found


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# ---------------------------------------------------------------- the ledger and its exports


def build_ledger(
    session: Session, date_from: date | None = None, date_to: date | None = None, today: date | None = None
) -> Ledger:
    """All tables of the ledger for documents dated in [date_from, date_to] (either may be open).

    The tables stream from ``session``; write them before the session closes.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationError(N_("The start date is after the end date."), "date_from")
    today = today or date.today()
    company = get_company(session)
    as_of = min(date_to, today) if date_to is not None else today
    query = _Query(session, date_from, date_to, as_of, company.currency, today)
    accounts = Accounts.load(session)
    tables = (
        query.invoices(), query.lines(), query.payments(), query.credit_notes(), query.tax_summary(),
        query.aged_receivables(), query.journal(accounts),
    )
    notes = (
        _("Amounts are in each document's currency; the company-currency columns use the exchange rate "
          "locked when the document was finalized."),
        _("Paid, credited, amount due, status, aged receivables and days overdue are as of {day} (the end of the "
          "period, or the day the workbook was made if that is earlier).").format(day=as_of.isoformat()),
        _("Void invoices are listed but left out of totals, lines, the tax summary and the journal."),
        _("Journal amounts are in {currency}; every entry's debits equal its credits.").format(
            currency=company.currency),
    )
    return Ledger(
        company_name=company.name, company_currency=company.currency, date_from=date_from, date_to=date_to,
        as_of=as_of, generated_at=datetime.now().replace(microsecond=0), generator=f"{APP_NAME} {__version__}",
        notes=notes, tables=tables,
    )


def export_ledger(
    db: Database, path: Path, date_from: date | None = None, date_to: date | None = None,
    progress: Progress | None = None, today: date | None = None,
) -> Path:
    """Write the accountant's workbook (.xlsx) for the period, streaming from one read transaction."""
    with db.readonly_sessions() as session, session.begin():
        ledger = build_ledger(session, date_from, date_to, today)
        workbook.write_workbook(ledger, path, progress)
    return path


def export_csv(
    db: Database, folder: Path, date_from: date | None = None, date_to: date | None = None,
    progress: Progress | None = None, today: date | None = None,
) -> list[Path]:
    """Write the ledger's tables as UTF-8 CSV files (RFC 4180) into ``folder``."""
    with db.readonly_sessions() as session, session.begin():
        ledger = build_ledger(session, date_from, date_to, today)
        written = csv_io.write_tables(ledger, folder, progress)
    return written
