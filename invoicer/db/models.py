"""Tables. Money columns are integers in the minor unit of the row's currency; exact decimals are text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    case,
    false,
    literal,
    literal_column,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

from invoicer.core.totals import company_rounding
from invoicer.core.workflow import amount_due
from invoicer.db import functions
from invoicer.db.base import Base, ScaledRate


class Company(Base):
    """The seller: one row (id 1)."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")  # address lines, newline-separated
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    vat_id: Mapped[str | None] = mapped_column(String(30))
    tax_number: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    contact: Mapped[str | None] = mapped_column(String(200))  # the seller's contact person (XRechnung BT-41)
    # the seller's electronic address for e-invoices (BT-34) and its scheme (EAS code list), migration 0009
    endpoint_scheme: Mapped[str | None] = mapped_column(String(4))
    endpoint_id: Mapped[str | None] = mapped_column(String(100))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    locale: Mapped[str] = mapped_column(String(20), default="en_US")
    logo_path: Mapped[str | None] = mapped_column(Text)
    legal_details: Mapped[str | None] = mapped_column(Text)  # register, managing director... (PDF footer)


class RevenueMonth(Base):
    """Net revenue of a month of issue (company currency, minor units), kept by triggers as documents change
    (db/summaries.py, migration 0023): the dashboard reads twelve rows, not a year of invoices."""

    __tablename__ = "revenue_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    net: Mapped[int] = mapped_column(BigInteger, default=0)


class Setting(Base):
    """Key/value settings; keys and defaults are declared in services/settings.py."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


class TaxRate(Base):
    __tablename__ = "tax_rates"
    __table_args__ = (UniqueConstraint("category", "rate"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    rate: Mapped[Decimal] = mapped_column(ScaledRate())  # a number in SQL (migration 0014)
    category: Mapped[str] = mapped_column(String(2), default="S")
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(default=False)


class Customer(Base):
    __tablename__ = "customers"
    # a deleted customer's id is never given again: audit events keep naming it (migration 0008)
    __table_args__ = ({"sqlite_autoincrement": True},)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # the name as search compares it (core.text.fold), kept by the customers service (migration 0014)
    search_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    contact: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(30), index=True)
    iban: Mapped[str | None] = mapped_column(String(34))  # for refunds and direct debits
    bic: Mapped[str | None] = mapped_column(String(11))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(20))
    terms_days: Mapped[int] = mapped_column(default=30)
    notes: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # e-invoicing (migration 0009): the format the customer receives (None: chosen from country and public
    # body), and its electronic address (BT-49) with the scheme (EAS code list)
    einvoice_format: Mapped[str | None] = mapped_column(String(20))
    public_body: Mapped[bool] = mapped_column(default=False, server_default=false())
    endpoint_scheme: Mapped[str | None] = mapped_column(String(4))
    endpoint_id: Mapped[str | None] = mapped_column(String(100))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # name and description as search compares them (core.text.fold), kept by the products service
    search_name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20), default="C62")  # UN/ECE rec 20 code
    unit_price: Mapped[Decimal]
    tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))
    archived: Mapped[bool] = mapped_column(default=False)


class ExchangeRate(Base):
    """Stored rates: 1 unit of ``currency`` = ``rate`` units of the company currency on ``valid_on``."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("currency", "valid_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    valid_on: Mapped[date]
    rate: Mapped[Decimal]


class NumberCounter(Base):
    """Last number taken per (series, year, scope); incremented inside the finalize transaction."""

    __tablename__ = "number_counters"
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_issue_date: Mapped[date | None]


#: the open invoices (receivables now) and what ix_invoices_open keeps of them, in its order
OPEN_INVOICES = "doc_type = 'invoice' AND status = 'open'"
OPEN_INVOICE_COLUMNS = ("doc_type", "status", "due_date", "customer_id", "currency", "total", "rounding_amount", "paid",
                        "credited", "company_total", "company_currency", "exchange_rate")


class Invoice(Base):
    """An invoice or a credit note (``doc_type``). Frozen by triggers once its status leaves draft."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("doc_type IN ('invoice', 'credit_note')", name="doc_type"),
        CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'void', 'uncollectible', 'issued')", name="status"
        ),
        CheckConstraint("tax_rounding IN ('document', 'line')", name="tax_rounding"),
        CheckConstraint("paid >= 0 AND credited >= 0", name="sums_positive"),
        # receivables read from the index alone (migration 0011; the rounding amount they count, 0019)
        Index("ix_invoices_receivable", "doc_type", "status", "due_date", "customer_id", "currency", "total", "paid",
              "credited", "rounding_amount"),
        # aged receivables as of today read the open invoices from this index alone, with what the books carry
        # for those in another currency (migration 0034); partial, so it holds only the open invoices
        Index("ix_invoices_open", *OPEN_INVOICE_COLUMNS, sqlite_where=text(OPEN_INVOICES),
              postgresql_where=text(OPEN_INVOICES)),
        Index("ix_invoices_customer_status", "customer_id", "status"),
        Index("ix_invoices_issue_date", "issue_date"),
        # the invoice list sorts a page of one doc_type by these (migration 0003)
        Index("ix_invoices_type_issue", "doc_type", "issue_date"),
        Index("ix_invoices_type_number", "doc_type", "number"),
        Index("ix_invoices_type_due", "doc_type", "due_date"),
        Index("ix_invoices_type_total", "doc_type", "total"),
        Index("ix_invoices_type_currency", "doc_type", "currency"),
        # searching the list: the buyer reference by prefix, a customer's documents (migration 0004)
        Index("ix_invoices_type_reference", "doc_type", "buyer_reference"),
        Index("ix_invoices_type_customer_issue", "doc_type", "customer_id", "issue_date"),
        # each customer's documents of a type in id order: the list sorted by customer walks the customers by name
        # and reads each one's documents from here (migration 0038)
        Index("ix_invoices_type_customer_id", "doc_type", "customer_id", "id"),
        # covers the amount due, for the list sorted by it (migration 0005; with the rounding amount, 0019; with a
        # draft's prepaid amount, 0036)
        Index("ix_invoices_type_amounts", "doc_type", "status", "total", "paid", "credited", "rounding_amount",
              "prepaid"),
        # a deleted draft's id is never given again, so `invoice history` never mixes two documents (0008)
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(12), default="invoice")
    status: Mapped[str] = mapped_column(String(15), default="draft")
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    # which counter the number came from, so `verify` can prove every series is gapless
    counter_year: Mapped[int | None]
    counter_scope: Mapped[str | None] = mapped_column(String(20))
    number_seq: Mapped[int | None]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date]
    due_date: Mapped[date | None]
    # the date of supply, or the period the invoice is for (EU VAT Art. 226(7); BT-72, BG-14), migration 0012
    delivery_date: Mapped[date | None]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    tax_rounding: Mapped[str] = mapped_column(String(10), default="document")
    notes: Mapped[str | None] = mapped_column(Text)
    buyer_reference: Mapped[str | None] = mapped_column(String(200))
    seller_snapshot: Mapped[str | None] = mapped_column(Text)  # JSON, taken at finalize
    customer_snapshot: Mapped[str | None] = mapped_column(Text)  # JSON, taken at finalize
    subtotal: Mapped[int] = mapped_column(default=0)
    allowance_total: Mapped[int] = mapped_column(default=0)
    charge_total: Mapped[int] = mapped_column(default=0)
    tax_total: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    paid: Mapped[int] = mapped_column(default=0)  # payments and applied customer credit, net of reversals
    credited: Mapped[int] = mapped_column(default=0)  # credit notes that reduced the amount due
    exchange_rate: Mapped[Decimal | None]  # 1 unit of currency = rate company units, locked at finalize
    company_currency: Mapped[str | None] = mapped_column(String(3))
    company_subtotal: Mapped[int | None]
    company_tax_total: Mapped[int | None]
    company_total: Mapped[int | None]
    # credit notes only
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    applied_to_due: Mapped[int] = mapped_column(default=0)
    to_customer_credit: Mapped[int] = mapped_column(default=0)
    refunded: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finalized_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # voided or written off
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))  # write-once
    # EN 16931 detail (migration 0013): the invoice type code BT-3 (None: 380, or 381 for a credit note),
    # the invoice a corrected invoice (384) replaces (BT-25/BT-26), the rounding amount BT-114 (minor units)
    type_code: Mapped[str | None] = mapped_column(String(3))
    preceding_number: Mapped[str | None] = mapped_column(String(60))
    preceding_date: Mapped[date | None]
    rounding_amount: Mapped[int] = mapped_column(default=0, server_default="0")
    # the prepaid amount BT-113 (minor units), received before the invoice and settled at finalize as a payment
    # of this method and reference (method 97: taken from the customer's credit), migration 0033
    prepaid: Mapped[int] = mapped_column(default=0, server_default="0")
    prepaid_method: Mapped[str | None] = mapped_column(String(50))
    prepaid_reference: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )
    adjustments: Mapped[list[InvoiceAdjustment]] = relationship(
        back_populates="invoice", order_by="InvoiceAdjustment.position", cascade="all, delete-orphan"
    )
    taxes: Mapped[list[InvoiceTax]] = relationship(
        back_populates="invoice", order_by="(InvoiceTax.category, InvoiceTax.id)", cascade="all, delete-orphan"
    )
    customer: Mapped[Customer] = relationship()

    @hybrid_property
    def payable(self) -> int:
        """What the document asks to be paid before anything is settled: its grand total plus its rounding
        amount (BT-112 + BT-114). Amounts due, receivables and the journal count this, so paying the rounded
        amount settles the invoice; a Python value on a row, a column expression in a query."""
        return self.total + self.rounding_amount

    @property
    def due_as_issued(self) -> int:
        """What the issued document asks to be paid (BT-115): ``payable`` less the prepaid amount (BT-113), which
        the payment recorded at finalize settled."""
        return self.payable - self.prepaid

    @property
    def company_payable(self) -> int | None:
        """``payable`` in the company currency as the books carry it: the stored company total plus the rounding
        amount converted with the locked rate (None before finalize)."""
        if self.company_total is None:
            return None
        return self.company_total + company_rounding(self.rounding_amount, self.currency, self.company_currency,
                                                     self.exchange_rate)

    @property
    def amount_due(self) -> int:
        return amount_due(self.doc_type, self.status, self.payable, self.paid, self.credited, prepaid=self.prepaid)


def amount_due_sql(of: Any, *, as_indexed: bool = False) -> ColumnElement[int]:
    """SQL for an invoice's amount due (mirrors core.workflow.amount_due: a draft asks its prepaid amount less), from
    the columns of ``of`` (the mapped class, or the table's columns). ``as_indexed``: its constants written into the
    SQL, as ix_invoices_type_amount_due holds it (SQLite and PostgreSQL read an index on an expression only for the
    same expression, and a parameter is not the same as a constant); otherwise bound, and no index of it is read."""
    def constant(value: object) -> ColumnElement[Any]:
        return literal_column(repr(value)) if as_indexed else literal(value)

    advance = case((of.status == constant("draft"), of.prepaid), else_=constant(0))
    return case(
        (or_(of.doc_type != constant("invoice"), of.status == constant("void")), constant(0)),
        else_=functions.greatest(of.total + of.rounding_amount - advance - of.paid - of.credited, constant(0)),
    )


# the invoice list sorted by amount due reads a page of one doc_type in this order, ties by id, without sorting every
# document (migration 0038); PostgreSQL wants an expression of an index in parentheses
Index("ix_invoices_type_amount_due", Invoice.doc_type, Grouping(amount_due_sql(Invoice, as_indexed=True)), Invoice.id)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(20), default="C62")
    unit_price: Mapped[Decimal]
    price_base: Mapped[Decimal] = mapped_column(default=Decimal(1))
    discount_percent: Mapped[Decimal | None]
    discount_amount: Mapped[int | None]  # minor units, for the whole line
    # the discount amount exactly as chained before it was stored in minor units (migration 0008), kept only
    # where that text was not a whole number of minor units (a partial credit note's share of a discount)
    legacy_discount_text: Mapped[str | None] = mapped_column(String(40))
    tax_category: Mapped[str] = mapped_column(String(2))
    tax_rate: Mapped[Decimal]
    gross: Mapped[int] = mapped_column(default=0)
    discount: Mapped[int] = mapped_column(default=0)
    net: Mapped[int] = mapped_column(default=0)
    tax: Mapped[int | None]  # per-line VAT, in line rounding mode only
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    source_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))  # credited line
    period_start: Mapped[date | None]  # the line's own service period (BG-26), migration 0012
    period_end: Mapped[date | None]
    gross_price: Mapped[Decimal | None]  # BT-148, the price before the price discount (migration 0013)
    charge: Mapped[int] = mapped_column(default=0, server_default="0")  # the line charges, minor units

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    # every reader of a document's lines reads their allowances and charges too: one query for all the lines,
    # not one per line (ten of a finalize's 44 statements on a 10-line invoice)
    allowances: Mapped[list[InvoiceLineAllowance]] = relationship(
        back_populates="line", order_by="InvoiceLineAllowance.position", cascade="all, delete-orphan",
        lazy="selectin",
    )


class InvoiceLineAllowance(Base):
    """A further allowance or charge on a line (EN 16931 BG-27 / BG-28), with its reason and UNTDID code
    (5189 for allowances, 7161 for charges). Frozen with its invoice (migration 0013)."""

    __tablename__ = "invoice_line_allowances"
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    is_charge: Mapped[bool]
    amount: Mapped[int]  # minor units, with the sign of the line
    # of its base: the line's amount before allowances and charges, or ``base`` when given (BT-137 / BT-142,
    # minor units with the sign of the line, migration 0019)
    percent: Mapped[Decimal | None]
    base: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_code: Mapped[str | None] = mapped_column(String(3))

    line: Mapped[InvoiceLine] = relationship(back_populates="allowances")


class InvoiceAdjustment(Base):
    """A document-level allowance (discount) or charge (shipping...), each with its own VAT."""

    __tablename__ = "invoice_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    is_charge: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[int]
    tax_category: Mapped[str] = mapped_column(String(2))
    tax_rate: Mapped[Decimal]
    # migration 0013: given in percent (BT-94 / BT-101) of a base (BT-93 / BT-100, minor units); UNTDID code
    percent: Mapped[Decimal | None]
    base: Mapped[int | None]
    reason_code: Mapped[str | None] = mapped_column(String(3))

    invoice: Mapped[Invoice] = relationship(back_populates="adjustments")


class InvoiceTax(Base):
    """The VAT breakdown of a document: one row per (category, rate)."""

    __tablename__ = "invoice_taxes"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(2))
    rate: Mapped[Decimal]
    basis: Mapped[int]
    amount: Mapped[int]
    exemption_reason: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship(back_populates="taxes")


class Payment(Base):
    """Money received for an invoice, a reversal of one, or customer credit applied to it."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("kind IN ('payment', 'reversal', 'credit_applied')", name="kind"),
        # the same money is not recorded twice: one standing payment per (payer, reference), the database's
        # trigger payments_reference_standing (migration 0028; a reversed payment frees its reference); this
        # index answers its lookup
        Index("ix_payments_customer_reference", "customer_id", "reference"),
        # receivables on a past day read only the invoices with money dated after it (migration 0034)
        Index("ix_payments_paid_on", "paid_on", "invoice_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(15), default="payment")
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int]  # signed: a reversal is negative
    applied: Mapped[int]  # the part that reduced (or, reversed, raised) the invoice's amount due
    excess: Mapped[int]  # the part that went to (or came back from) customer credit
    paid_on: Mapped[date]
    method: Mapped[str | None] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    company_amount: Mapped[int | None]
    created_at: Mapped[datetime]
    # the settlement of the invoice's prepaid amount (BT-113), recorded as it was finalized (migration 0033)
    prepaid: Mapped[bool] = mapped_column(default=False, server_default=false())


class CreditEntry(Base):
    """The customer credit ledger: + from overpayments and credit notes, - when applied or refunded."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('overpayment', 'credit_note', 'applied', 'reversal')", name="kind"
        ),
        Index("ix_credit_entries_customer_currency", "customer_id", "currency"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int]
    kind: Mapped[str] = mapped_column(String(15))
    entry_on: Mapped[date]
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only event log; triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id"),
        Index("ix_audit_events_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    before_status: Mapped[str | None] = mapped_column(String(15))
    after_status: Mapped[str | None] = mapped_column(String(15))
    payload: Mapped[str | None] = mapped_column(Text)  # JSON


class ChainLink(Base):
    """SHA-256 hash chain over finalized documents: hash = sha256(prev_hash + content_sha256 + pdf_sha256)."""

    __tablename__ = "document_chain"
    seq: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))  # the PDF rendered at finalize, if it was
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class SentMessage(Base):
    """An email sent for an invoice: the invoice itself or a reminder of one level (append-only).

    UNIQUE(invoice_id, level) is what makes each reminder level go out at most once per invoice;
    invoice sends have no level (NULLs are distinct, so an invoice may be sent again on request).
    """

    __tablename__ = "sent_messages"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'invoice' AND level IS NULL) OR (kind = 'reminder' AND level IS NOT NULL)",
            name="kind_level",
        ),
        UniqueConstraint("invoice_id", "level"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    recipients: Mapped[str] = mapped_column(Text)  # JSON list, copies included
    subject: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]


class MinorUnitChange(Base):
    """A currency whose minor unit changed under stored data (CLDR -> ISO 4217, migration 0010).

    Its amounts were rescaled to the new unit then; documents chained before (``chained_through``) were
    computed, rounded and hashed in the old one, and audit events before ``event_id`` count in it.
    """

    __tablename__ = "minor_unit_changes"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    places_before: Mapped[int]
    places_after: Mapped[int]
    chained_through: Mapped[int]  # the last document_chain.seq written in the old unit (0: none)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"))  # the event recording the change


class BankStatement(Base):
    """One imported bank statement file (CAMT.053/054, MT940 or CSV)."""

    __tablename__ = "bank_statements"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(260))
    file_sha256: Mapped[str] = mapped_column(String(64))
    account: Mapped[str | None] = mapped_column(String(34))
    entries_new: Mapped[int]
    entries_known: Mapped[int]  # entries an earlier import already holds (same statement, overlapping one)
    imported_at: Mapped[datetime]


class BankEntry(Base):
    """A booked line of a statement, keyed by the bank's reference or a stable hash so it is stored once.

    ``open`` entries wait in the reconciliation queue; ``matched`` ones became payments (bank_entry_payments);
    ``fee`` and ``refund`` ones were recorded as such from the queue.
    """

    __tablename__ = "bank_entries"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'matched', 'fee', 'refund', 'ignored')", name="status"),
        Index("ix_bank_entries_status", "status", "value_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"))
    entry_key: Mapped[str] = mapped_column(String(100), unique=True)
    booked_on: Mapped[date]
    value_date: Mapped[date]
    amount: Mapped[int]  # signed minor units: credits positive, debits negative
    currency: Mapped[str] = mapped_column(String(3))
    counterparty: Mapped[str | None] = mapped_column(String(200))
    counterparty_iban: Mapped[str | None] = mapped_column(String(34))
    remittance: Mapped[str | None] = mapped_column(Text)
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="open")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))  # a refund's customer
    note: Mapped[str | None] = mapped_column(Text)
    settled_at: Mapped[datetime | None]


class BankEntryPayment(Base):
    """A payment recorded from a bank entry (one entry may pay several invoices)."""

    __tablename__ = "bank_entry_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    amount: Mapped[int]


class InvoiceDispute(Base):
    """A customer disputes an invoice: reminders pause while it is open; it ends by a credit note or by closing it."""

    __tablename__ = "invoice_disputes"
    __table_args__ = (
        CheckConstraint("resolution IN ('credit_note', 'closed')", name="resolution"),
        Index("ix_invoice_disputes_open", "invoice_id", "closed_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    reason: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    resolution: Mapped[str | None] = mapped_column(String(12))
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    note: Mapped[str | None] = mapped_column(Text)


class EarlyPaymentTerms(Base):
    """An invoice's early-payment discount ("2 % within 10 days"), set on the draft, printed and in the XML."""

    __tablename__ = "early_payment_terms"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    percent: Mapped[Decimal] = mapped_column(ScaledRate())
    days: Mapped[int]


class BankCsvMapping(Base):
    """The CSV column mapping of a bank, saved at its first import (JSON)."""

    __tablename__ = "bank_csv_mappings"
    bank: Mapped[str] = mapped_column(String(100), primary_key=True)
    mapping: Mapped[str] = mapped_column(Text)


class BillingPlan(Base):
    """A recurring plan: a customer billed the same lines on a schedule (core.schedule), as drafts or finalized."""

    __tablename__ = "billing_plans"
    __table_args__ = (
        CheckConstraint("frequency IN ('monthly', 'quarterly', 'yearly', 'weekly')", name="frequency"),
        CheckConstraint("mode IN ('draft', 'finalize', 'email')", name="mode"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[str] = mapped_column(String(10))
    interval: Mapped[int] = mapped_column(default=1)
    day_of_month: Mapped[int | None]
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    count: Mapped[int | None]
    in_arrears: Mapped[bool] = mapped_column(default=False)
    prorate: Mapped[bool] = mapped_column(default=False)
    mode: Mapped[str] = mapped_column(String(10), default="draft")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    lines: Mapped[list[BillingPlanLine]] = relationship(
        order_by="BillingPlanLine.position", cascade="all, delete-orphan"
    )
    pauses: Mapped[list[BillingPause]] = relationship(order_by="BillingPause.start_date", cascade="all, delete-orphan")
    customer: Mapped[Customer] = relationship()


class BillingPlanLine(Base):
    __tablename__ = "billing_plan_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("billing_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(20), default="C62")
    unit_price: Mapped[Decimal]
    tax_category: Mapped[str | None] = mapped_column(String(2))
    tax_rate: Mapped[Decimal]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))

    prices: Mapped[list[BillingPriceChange]] = relationship(
        order_by="BillingPriceChange.valid_from", cascade="all, delete-orphan"
    )


class BillingPriceChange(Base):
    """A plan line's unit price for the periods starting on or after ``valid_from``."""

    __tablename__ = "billing_price_changes"
    __table_args__ = (UniqueConstraint("line_id", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("billing_plan_lines.id", ondelete="CASCADE"))
    valid_from: Mapped[date]
    unit_price: Mapped[Decimal]


class BillingPause(Base):
    """No period starting in [start_date, resume_date) is billed; an open pause has no resume date."""

    __tablename__ = "billing_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("billing_plans.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date]
    resume_date: Mapped[date | None]


class BillingRun(Base):
    """One billed (plan, period). UNIQUE(plan_id, period_start), written in the transaction that creates the
    invoice, is what makes a billing run idempotent: a rerun, a concurrent run or one after a crash finds the row
    (or fails to insert it) and bills nothing twice."""

    __tablename__ = "billing_runs"
    __table_args__ = (UniqueConstraint("plan_id", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("billing_plans.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # NULL once its draft was deleted: the period stays billed (deleting the draft is how a period is skipped)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), unique=True)
    billed_on: Mapped[date]  # the run's day
    emailed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Quote(Base):
    """A quote (estimate): drafted, numbered in its own series when sent, then accepted, declined or left to
    expire (expired is derived: sent and past ``valid_until``). Accepted quotes become invoices (quote_invoices)."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'sent', 'accepted', 'declined')", name="status"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    counter_year: Mapped[int | None]
    counter_scope: Mapped[str | None] = mapped_column(String(20))
    number_seq: Mapped[int | None]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date]
    valid_until: Mapped[date]
    notes: Mapped[str | None] = mapped_column(Text)
    buyer_reference: Mapped[str | None] = mapped_column(String(200))
    subtotal: Mapped[int] = mapped_column(default=0)
    tax_total: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    sent_on: Mapped[date | None]
    decided_on: Mapped[date | None]  # accepted or declined
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[QuoteLine]] = relationship(order_by="QuoteLine.position", cascade="all, delete-orphan")
    customer: Mapped[Customer] = relationship()


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(20), default="C62")
    unit_price: Mapped[Decimal]
    tax_category: Mapped[str] = mapped_column(String(2))
    tax_rate: Mapped[Decimal]
    net: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    period_start: Mapped[date | None]  # the line's own service period (BG-26), migration 0026
    period_end: Mapped[date | None]


class QuoteInvoice(Base):
    """An invoice made from a quote (the invoice cites the quote's number): all or some of its lines."""

    __tablename__ = "quote_invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    # NULL once its draft was deleted: the quote can be invoiced again
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), unique=True)
    positions: Mapped[str] = mapped_column(Text)  # the quote's line positions invoiced, comma-separated
    created_at: Mapped[datetime]


class InvoiceDeduction(Base):
    """A deposit (386) or partial (326) invoice that a final invoice deducts: its lines take off the advance's net
    amount of each VAT rate, and its VAT per rate is the whole work's less the advance's (so the documents' VAT
    adds up to the cent). Frozen with the final invoice."""

    __tablename__ = "invoice_deductions"
    __table_args__ = (UniqueConstraint("invoice_id", "deducted_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    deducted_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)


class FrozenPdf(Base):
    """The PDF of a finalized document as issued, kept in a shared (PostgreSQL) database so every desk reaches it;
    a local SQLite business keeps its PDFs as files in its data folder instead. Append-only."""

    __tablename__ = "frozen_pdfs"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class PaymentLink(Base):
    """An invoice's payment link (a payment provider's page): a random token, unique, from the template set when it
    was made. The one made at finalize (``issued``) is printed on the frozen PDF; renewing extends the expiry or
    replaces the token with a new row. ``used_at`` is set in the transaction of the payment that settles the
    invoice. Token, template and invoice never change (the database refuses it), nor is a row deleted."""

    __tablename__ = "payment_links"
    __table_args__ = (Index("ix_payment_links_invoice_id", "invoice_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    url_template: Mapped[str] = mapped_column(Text)
    issued: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    expires_on: Mapped[date]
    used_at: Mapped[datetime | None]
    replaced_at: Mapped[datetime | None]  # a newer token took its place: the link no longer pays


class QrBill(Base):
    """The Swiss QR-bill an invoice was issued with (decided at finalize, printed on its frozen PDF): the account
    (IBAN or QR-IBAN) and the reference of the payment part. Append-only."""

    __tablename__ = "qr_bills"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    account: Mapped[str] = mapped_column(String(34))
    reference_type: Mapped[str] = mapped_column(String(4))  # QRR, SCOR or NON (Swiss Payment Standards)
    reference: Mapped[str | None] = mapped_column(String(27))


class CompanyLogo(Base):
    """The company logo of a shared (PostgreSQL) business, kept in the database so every desk prints the same one;
    named as ``company.logo_path`` names it (by its content). A local SQLite business keeps its logo as a file in
    its data folder instead. Append-only, like frozen PDFs."""

    __tablename__ = "company_logos"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
