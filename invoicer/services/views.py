"""One view of an invoice or credit note, read once: what `invoice show`, the invoice window and the
documents (PDF, Factur-X XML, mail) all show, so they cannot disagree."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.totals import Balance, LineAmounts, TaxSubtotal, Totals
from invoicer.core.workflow import DocumentState, amount_due, display_status, is_overdue, is_partially_paid
from invoicer.db.models import Invoice, InvoiceDispute
from invoicer.documents.model import (
    Adjustment,
    AdvanceInvoice,
    Line,
    LineAllowance,
    Party,
    Seller,
    Settlement,
)
from invoicer.services import actions, audit, credit_notes, invoices, payments
from invoicer.services import company as company_service
from invoicer.services import customers as customer_service
from invoicer.services.payments import PaymentRow

P = TypeVar("P", bound=Party)


@dataclass(frozen=True)
class DocumentRef:
    """Another document this one points to (the invoice a credit note corrects)."""

    id: int
    number: str | None
    issue_date: date


@dataclass(frozen=True)
class CreditNoteView:
    """A credit note issued against the invoice, with the quantities it credited per invoice line."""

    id: int
    number: str | None
    issue_date: date
    total: int
    reason: str | None
    settlement: Settlement  # what its amount went to
    credited_lines: tuple[tuple[int, Decimal], ...]  # (invoice line id, quantity credited)


@dataclass(frozen=True)
class HistoryEntry:
    """One event of the document's audit trail."""

    at: datetime
    actor: str
    action: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class OpenDispute:
    """Why and since when the customer contests an invoice (its reminders pause)."""

    reason: str
    opened_on: date


@dataclass(frozen=True)
class InvoiceView:
    """An invoice or credit note as everyone shows it; amounts in minor units of ``currency``.

    The customer and seller are the snapshots frozen at finalize, or today's records for a draft.
    ``balance`` is what was paid and credited up to now and what is still due.
    """

    id: int
    doc_type: str
    status: str
    display_status: str  # the status refined by the derived "overdue" and "partially paid"
    overdue: bool
    partially_paid: bool
    number: str | None
    currency: str
    issue_date: date
    due_date: date | None
    tax_rounding: str
    notes: str | None
    buyer_reference: str | None
    customer_id: int
    customer: Party
    seller: Seller
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...]
    totals: Totals
    balance: Balance
    customer_credit: int  # the customer's credit balance in this currency, to apply to what is due
    state: DocumentState  # what core.workflow decides the document's actions from
    payments: tuple[PaymentRow, ...]
    credit_notes: tuple[CreditNoteView, ...]  # the credit notes correcting this invoice
    history: tuple[HistoryEntry, ...]
    exchange_rate: Decimal | None  # locked at finalize: 1 unit of currency = rate company units
    company_currency: str | None
    company_total: int | None
    corrects: DocumentRef | None  # credit notes: the invoice corrected
    reason: str | None  # credit notes: why
    settlement: Settlement  # credit notes: what the amount went to
    finalized_at: datetime | None
    pdf_sha256: str | None
    type_code: str | None = None  # BT-3 when not 380/381
    preceding_number: str | None = None  # BT-25: the invoice a corrected invoice replaces
    preceding_date: date | None = None
    delivery_date: date | None = None  # the date of supply (BT-72) ...
    period_start: date | None = None  # ... or the service period (BG-14)
    period_end: date | None = None
    advances: tuple[AdvanceInvoice, ...] = ()  # a final invoice: the deposit and partial invoices it deducts
    dispute: OpenDispute | None = None  # the customer contests it: since when and why
    prepaid_method: str | None = None  # how the prepaid amount (totals.prepaid, BT-113) was paid, and its reference
    prepaid_reference: str | None = None

    @property
    def disputed(self) -> bool:
        return self.dispute is not None

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_invoice(self) -> bool:
        return self.doc_type == "invoice"

    @property
    def earliest_write_off(self) -> date:
        """The first day a write-off can be dated: the issue date, or the last payment or credit note booked
        (what invoices.mark_uncollectible enforces), so a date picker offers only days it accepts."""
        return max([self.issue_date, *(p.paid_on for p in self.payments), *(n.issue_date for n in self.credit_notes)])

    def left_to_credit(self, line: Line) -> Decimal:
        """The quantity of an invoice line that no credit note has credited yet."""
        credited = sum(
            (quantity for note in self.credit_notes for line_id, quantity in note.credited_lines if line_id == line.id),
            Decimal(0),
        )
        return line.quantity - credited


def invoice_view(session: Session, invoice_id: int, today: date, doc_type: str | None = None) -> InvoiceView:
    """The view of document ``invoice_id`` (of ``doc_type`` when given) on day ``today``."""
    return view_of(session, invoices.get_invoice(session, invoice_id, doc_type), today)


def view_of(session: Session, invoice: Invoice, today: date) -> InvoiceView:
    """The view of a document already loaded (rendering and mailing hold the row)."""
    draft = invoice.status == "draft"
    is_invoice = invoice.doc_type == "invoice"
    due = amount_due(invoice.doc_type, invoice.status, invoice.payable, invoice.paid, invoice.credited,
                     prepaid=invoice.prepaid)
    if draft:
        seller: dict[str, Any] = asdict(company_service.company_data(company_service.get_company(session)))
        buyer: dict[str, Any] = customer_service.snapshot_dict(invoice.customer)
    else:
        seller = json.loads(invoice.seller_snapshot or "{}")
        buyer = json.loads(invoice.customer_snapshot or "{}")
    corrected = invoices.get_invoice(session, invoice.corrects_id, None) if invoice.corrects_id else None
    notes = credit_notes.list_credit_notes(session, invoice.id) if is_invoice and not draft else []
    return InvoiceView(
        id=invoice.id,
        doc_type=invoice.doc_type,
        status=invoice.status,
        display_status=display_status(invoice.status, invoice.due_date, invoice.payable, due, today),
        overdue=is_overdue(invoice.status, invoice.due_date, due, today),
        partially_paid=is_partially_paid(invoice.status, invoice.payable, due),
        number=invoice.number,
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        tax_rounding=invoice.tax_rounding,
        notes=invoice.notes,
        buyer_reference=invoice.buyer_reference,
        customer_id=invoice.customer_id,
        customer=party(Party, buyer),
        seller=party(Seller, seller),
        lines=tuple(
            Line(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                price_base=line.price_base,
                discount_percent=line.discount_percent,
                discount=line.discount,
                tax_category=line.tax_category,
                tax_rate=line.tax_rate,
                net=line.net,
                id=line.id,
                product_id=line.product_id,
                gross_price=line.gross_price,
                allowances=tuple(
                    LineAllowance(c.is_charge, c.amount, c.percent, c.reason, c.reason_code, c.base)
                    for c in line.allowances
                ),
                gross=line.gross,
                period_start=line.period_start,
                period_end=line.period_end,
            )
            for line in invoice.lines
        ),
        adjustments=tuple(
            Adjustment(a.is_charge, a.reason, a.amount, a.tax_category, a.tax_rate, a.percent, a.base, a.reason_code)
            for a in invoice.adjustments
        ),
        totals=stored_totals(invoice),
        balance=Balance(invoice.paid, invoice.credited, due),
        customer_credit=actions.customer_credit(session, invoice.customer_id, invoice.currency),
        state=actions.document_state(session, invoice),
        payments=tuple(payments.list_payments(session, invoice_id=invoice.id)) if is_invoice and not draft else (),
        credit_notes=tuple(
            CreditNoteView(
                n.id, n.number, n.issue_date, n.total, n.reason,
                Settlement(n.applied_to_due, n.to_customer_credit, n.refunded),
                tuple((x.source_line_id, x.quantity) for x in n.lines if x.source_line_id is not None),
            )
            for n in notes
        ),
        history=tuple(
            HistoryEntry(e.at, e.actor, e.action, e.before_status, e.after_status)
            for e in audit.history(session, invoice.doc_type, invoice.id)
        ),
        exchange_rate=invoice.exchange_rate,
        company_currency=invoice.company_currency,
        company_total=invoice.company_total,
        corrects=DocumentRef(corrected.id, corrected.number, corrected.issue_date) if corrected else None,
        reason=invoice.reason,
        settlement=Settlement(invoice.applied_to_due, invoice.to_customer_credit, invoice.refunded),
        finalized_at=invoice.finalized_at,
        pdf_sha256=invoice.pdf_sha256,
        type_code=invoice.type_code,
        preceding_number=invoice.preceding_number,
        preceding_date=invoice.preceding_date,
        delivery_date=invoice.delivery_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        advances=advances_of(session, invoice) if is_invoice else (),
        dispute=_open_dispute(session, invoice) if is_invoice and not draft else None,
        prepaid_method=invoice.prepaid_method,
        prepaid_reference=invoice.prepaid_reference,
    )


def advances_of(session: Session, invoice: Invoice) -> tuple[AdvanceInvoice, ...]:
    """The deposit and partial invoices a final invoice deducts (as issued, less their credit notes), with what was
    paid on them and what is still due on them so far."""
    found = []
    for advance in invoices.deducted_invoices(session, invoice.id):
        taxes = tuple(invoices.advance_taxes(session, advance))
        found.append(AdvanceInvoice(advance.number or "", advance.issue_date, advance.type_code or "380", taxes,
                                    sum(t.basis + t.amount for t in taxes), advance.paid, advance.amount_due,
                                    advance.id))
    return tuple(found)


def _open_dispute(session: Session, invoice: Invoice) -> OpenDispute | None:
    row = session.execute(select(InvoiceDispute.reason, InvoiceDispute.opened_on).where(
        InvoiceDispute.invoice_id == invoice.id, InvoiceDispute.closed_on.is_(None))).first()
    return None if row is None else OpenDispute(row.reason, row.opened_on)


def stored_totals(invoice: Invoice) -> Totals:
    """The totals as stored with the document (computed by core.totals when it was saved)."""
    return Totals(
        lines=tuple(LineAmounts(line.gross, line.discount, line.net, line.tax, line.charge) for line in invoice.lines),
        subtotal=invoice.subtotal,
        allowance_total=invoice.allowance_total,
        charge_total=invoice.charge_total,
        tax_basis=invoice.subtotal - invoice.allowance_total + invoice.charge_total,
        taxes=tuple(TaxSubtotal(t.category, t.rate, t.basis, t.amount, t.exemption_reason) for t in invoice.taxes),
        tax_total=invoice.tax_total,
        total=invoice.total,
        adjustments=tuple(a.amount for a in invoice.adjustments),
        rounding_amount=invoice.rounding_amount,
        prepaid=invoice.prepaid,
    )


def party(kind: type[P], snapshot: dict[str, Any]) -> P:
    """A party from a snapshot; the texts every party prints are never None."""
    values = {k: v for k, v in snapshot.items() if k in kind.__dataclass_fields__}
    return kind(**{**values, **{k: values.get(k) or "" for k in ("name", "address", "postcode", "city", "country")}})
