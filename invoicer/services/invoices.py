"""Invoices: drafts (no number, freely edited), finalize (number, snapshot, freeze), void, write-off, lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, CompoundSelect, Select, exists, func, or_, select, union, union_all
from sqlalchemy.orm import Session, object_session

from invoicer.core.errors import N_, ConflictError, Message, NotFoundError, ValidationError
from invoicer.core.listing import InvoiceFilter as InvoiceFilter
from invoicer.core.listing import InvoiceRow as InvoiceRow
from invoicer.core.listing import invoice_row
from invoicer.core.money import HUNDRED, exponent, from_minor, parse_amount, parse_decimal
from invoicer.core.numbering import CounterKey, counter_key, format_number
from invoicer.core.payment_methods import method_code
from invoicer.core.reference import allowance_reasons, charge_reasons, is_currency
from invoicer.core.text import fold
from invoicer.core.totals import (
    AdjustmentInput,
    LineCharge,
    LineInput,
    TaxKey,
    TaxRounding,
    TaxSubtotal,
    Totals,
    adjustment_amount,
    check_prepaid,
    compute_totals,
    convert_minor,
    final_taxes,
    totals_of,
)
from invoicer.core.units import unit_code
from invoicer.core.workflow import (
    FREEZING,
    Action,
    DocType,
    InvoiceStatus,
    Transition,
    target_status,
)
from invoicer.db import locks
from invoicer.db.functions import left_first, starts_with
from invoicer.db.models import (
    AuditEvent,
    Customer,
    Invoice,
    InvoiceAdjustment,
    InvoiceDeduction,
    InvoiceDispute,
    InvoiceLine,
    InvoiceLineAllowance,
    InvoiceTax,
    NumberCounter,
    Payment,
)
from invoicer.services import audit, payment_links, rates, settings, taxes, validation
from invoicer.services import company as company_service
from invoicer.services import customers as customer_service
from invoicer.services.actions import require

MAX_LINES = 5000
_ARCHIVED = N_("{name} is archived; restore the customer to invoice them.")


@dataclass
class LineData:
    """One line as the user entered it (text or Decimal; validated here)."""

    description: str
    quantity: str | Decimal
    unit_price: str | Decimal
    tax_category: str | None = "S"  # None: derived from the rate and the customer (taxes.derived_category)
    tax_rate: str | Decimal = "0"
    unit: str = "C62"
    discount_percent: str | Decimal | None = None
    discount_amount: str | Decimal | None = None
    product_id: int | None = None
    period_start: date | None = None  # the line's own service period, when it differs from the invoice's
    period_end: date | None = None
    price_base: str | Decimal = "1"  # BT-149: the price is per this many units
    gross_price: str | Decimal | None = None  # BT-148, before the price discount
    charges: list[LineChargeData] = field(default_factory=list)  # further line allowances and charges


@dataclass
class LineChargeData:
    """A further line allowance or charge: an amount (major units) or a percent of the line's amount, or of a
    base amount of its own (BT-137 / BT-142, major units)."""

    is_charge: bool
    amount: str | Decimal | None = None
    percent: str | Decimal | None = None
    reason: str = ""
    reason_code: str | None = None  # UNTDID 5189 (allowances) or 7161 (charges)
    base: str | Decimal | None = None


@dataclass
class AdjustmentData:
    """A document discount (allowance) or charge, in major units, with its own VAT: an amount, or a percent
    of a base amount."""

    amount: str | Decimal | None
    tax_category: str
    tax_rate: str | Decimal
    is_charge: bool
    reason: str = ""
    percent: str | Decimal | None = None
    base: str | Decimal | None = None
    reason_code: str | None = None


@dataclass
class DraftData:
    customer_id: int
    lines: list[LineData] = field(default_factory=list)
    currency: str | None = None  # the customer's billing currency when empty
    issue_date: date | None = None  # today when empty
    due_date: date | None = None  # issue date + the customer's terms when empty
    tax_rounding: str | None = None  # the setting's default when empty
    adjustments: list[AdjustmentData] = field(default_factory=list)
    notes: str | None = None
    buyer_reference: str | None = None
    delivery_date: date | None = None  # the date of supply (BT-72) ...
    period_start: date | None = None  # ... or the period invoiced (BG-14), EU VAT Art. 226(7)
    period_end: date | None = None
    type_code: str | None = None  # BT-3: 380 (None), 384 corrected invoice, 389 self-billed
    preceding_number: str | None = None  # BT-25: the invoice a corrected invoice (384) replaces
    preceding_date: date | None = None  # BT-26
    rounding_amount: str | Decimal | None = None  # BT-114, major units, either sign
    # BT-113, major units: received before the invoice, settled at finalize as a payment with this method
    # (a UNTDID 4461 code or its words; 97 / "customer credit": taken from the customer's credit) and reference
    prepaid: str | Decimal | None = None
    prepaid_method: str | None = None
    prepaid_reference: str | None = None


# ---------------------------------------------------------------- drafts


def line_period(index: int, start: date | None, end: date | None,
                invoice_period: tuple[date | None, date | None] = (None, None)) -> tuple[date | None, date | None]:
    """Line ``index``'s own service period (BG-26) as a draft's save checks it, for the editor to check it the same
    way: both days or neither, the end not before the start, and within the invoice's period when it states one."""
    start, end = validation.service_period(start, end, Message(N_("line {line}"), line=index))
    first, last = invoice_period
    if first is not None and last is not None:
        validation.within_period(start, end, first, last, index)
    return start, end


def _line_input(line: LineData, currency: str, index: int,
                invoice_period: tuple[date | None, date | None] = (None, None)) -> tuple[LineInput, dict[str, object]]:
    description = validation.clean_text(line.description, multiline=True)
    if not description:
        raise ValidationError(N_("line {line}: a description is required."), "description", line=index)
    quantity = parse_decimal(line.quantity, Message(N_("line {line} quantity"), line=index), 4)
    if quantity == 0:
        raise ValidationError(N_("line {line}: the quantity cannot be zero."), "quantity", line=index)
    # a price keeps every decimal it is given (energy and telecom prices carry 5 or 6)
    price = parse_decimal(line.unit_price, Message(N_("line {line} unit price"), line=index))
    base = parse_decimal(line.price_base or "1", Message(N_("line {line} price base quantity"), line=index), 4)
    gross_price = None if line.gross_price in (None, "") else parse_decimal(
        line.gross_price, Message(N_("line {line} gross price"), line=index))
    key = taxes.tax_key(line.tax_category or "S", line.tax_rate)
    discount = Message(N_("line {line} discount"), line=index)
    percent = None if line.discount_percent in (None, "") else parse_decimal(line.discount_percent, discount, 4)
    amount = None if line.discount_amount in (None, "") else parse_amount(line.discount_amount, currency, discount)
    if percent is not None and not 0 <= percent <= HUNDRED:
        raise ValidationError(N_("line {line}: a discount must be between 0 and 100 %."), "discount", line=index)
    start, end = line_period(index, line.period_start, line.period_end, invoice_period)
    charges = []
    extra_rows = []
    for extra in line.charges:
        what = Message(N_("line {line} charge"), line=index) if extra.is_charge else discount
        extra_percent = None if extra.percent in (None, "") else parse_decimal(extra.percent, what, 4)
        extra_amount = None if extra.amount in (None, "") else from_minor(parse_amount(extra.amount, currency, what),
                                                                          currency)
        extra_base = None if extra.base in (None, "") else from_minor(
            parse_amount(extra.base, currency, Message(N_("line {line} base amount"), line=index)), currency)
        charges.append(LineCharge(extra.is_charge, extra_amount, extra_percent, extra_base))
        extra_rows.append({
            "is_charge": extra.is_charge, "percent": extra_percent,
            "reason": validation.clean_text(extra.reason) or ("Charge" if extra.is_charge else "Discount"),
            "reason_code": reason_code(extra.reason_code, extra.is_charge),
        })
    values: dict[str, object] = {
        "description": description,
        "quantity": quantity,
        "unit": unit_code(line.unit),
        "unit_price": price,
        "price_base": base,
        "gross_price": gross_price,
        "discount_percent": percent,
        "discount_amount": amount,
        "tax_category": key.category,
        "tax_rate": key.rate,
        "product_id": line.product_id,
        "period_start": start,
        "period_end": end,
        "allowances": extra_rows,
    }
    return LineInput(quantity, price, key, percent, amount, base, tuple(charges), gross_price), values


def reason_code(code: str | None, is_charge: bool) -> str | None:
    """An allowance reason code of UNTDID 5189 or a charge reason code of UNTDID 7161, or None."""
    text = (code or "").strip().upper()
    if not text:
        return None
    if text not in (charge_reasons() if is_charge else allowance_reasons()):
        refusal = N_("'{code}' is not a charge reason code (UNTDID 7161).") if is_charge else N_(
            "'{code}' is not an allowance reason code (UNTDID 5189).")
        raise ValidationError(refusal, "reason_code", code=code)
    return text


def _adjustment_input(adj: AdjustmentData, currency: str) -> tuple[AdjustmentInput, dict[str, object]]:
    what = N_("charge") if adj.is_charge else N_("discount")
    given = None if adj.amount in (None, "") else from_minor(parse_amount(adj.amount, currency, what), currency)
    percent = None if adj.percent in (None, "") else parse_decimal(adj.percent, what, 4)
    base = None if adj.base in (None, "") else parse_amount(adj.base, currency, what)
    key = taxes.tax_key(adj.tax_category, adj.tax_rate)
    adjustment = AdjustmentInput(given, key, adj.is_charge, percent, None if base is None else from_minor(base, currency))
    minor = adjustment_amount(adjustment, currency)
    values: dict[str, object] = {
        "is_charge": adj.is_charge,
        "reason": validation.clean_text(adj.reason) or ("Charge" if adj.is_charge else "Discount"),
        "amount": minor,
        "tax_category": key.category,
        "tax_rate": key.rate,
        "percent": percent,
        "base": base,
        "reason_code": reason_code(adj.reason_code, adj.is_charge),
    }
    return adjustment, values


def preview_totals(
    lines: Sequence[LineData], adjustments: Sequence[AdjustmentData], currency: str, rounding: str = "document",
    rounding_amount: str | Decimal | None = None, prepaid: str | Decimal | None = None,
) -> Totals:
    """Totals of an unsaved draft (the editor's live totals); raises ValidationError on bad input."""
    line_inputs = [_line_input(line, currency, i)[0] for i, line in enumerate(lines, 1)]
    adj_inputs = [_adjustment_input(adj, currency)[0] for adj in adjustments]
    totals = compute_totals(line_inputs, adj_inputs, currency, TaxRounding(rounding),
                            rounding_amount=_rounding_amount(rounding_amount, currency))
    return _with_prepaid(totals, _prepaid_amount(prepaid, currency), currency)


def _prepaid_amount(value: str | Decimal | None, currency: str) -> int:
    """BT-113 as entered (major units; empty: none) in minor units."""
    return 0 if value in (None, "") else parse_amount(value, currency, N_("prepaid amount"))


def _with_prepaid(totals: Totals, prepaid: int, currency: str, final_invoice: bool = False) -> Totals:
    check_prepaid(prepaid, totals, currency, final_invoice=final_invoice)
    return replace(totals, prepaid=prepaid)


def _rounding_amount(value: str | Decimal | None, currency: str) -> int:
    """BT-114 as entered (major units, either sign; empty: none) in minor units."""
    return 0 if value in (None, "") else parse_amount(value, currency, N_("rounding amount"))


def _apply_draft(session: Session, invoice: Invoice, data: DraftData, today: date) -> dict[str, object]:
    """Validate everything, then write the draft's fields, lines, adjustments and totals."""
    customer = customer_service.get_customer(session, data.customer_id)
    if customer.archived:
        raise ValidationError(_ARCHIVED, "customer", name=customer.name)
    currency = (data.currency or customer.currency).strip().upper()
    if not is_currency(currency):
        raise ValidationError(N_("'{currency}' is not an ISO currency code."), "currency", currency=data.currency)
    rounding = data.tax_rounding or settings.TAX_ROUNDING.get(session)
    if rounding not in ("document", "line"):
        raise ValidationError(N_("Tax rounding is 'document' or 'line'."), "tax_rounding")
    if len(data.lines) > MAX_LINES:
        raise ValidationError(N_("An invoice may have at most {n} lines."), "lines", n=MAX_LINES)
    issue_date = data.issue_date or today
    try:
        due_date = data.due_date or issue_date + timedelta(days=customer.terms_days)
    except OverflowError:  # an issue date in the last years of the calendar (9999)
        raise ValidationError(N_("The due date {days} days after {date} is beyond the calendar."), "due_date",
                              days=customer.terms_days, date=issue_date.isoformat()) from None
    if due_date < issue_date:
        raise ValidationError(N_("The due date cannot be before the issue date."), "due_date")
    period_start, period_end = validation.service_period(data.period_start, data.period_end)
    lines = [
        line if line.tax_category else replace(
            line, tax_category=taxes.derived_category(session, customer.id, line.tax_rate, line.unit))
        for line in data.lines
    ]
    parsed_lines = [_line_input(line, currency, i, (period_start, period_end)) for i, line in enumerate(lines, 1)]
    parsed_adj = [_adjustment_input(adj, currency) for adj in data.adjustments]
    type_code, preceding_number, preceding_date = _type_code(data)
    rounding_amount = _rounding_amount(data.rounding_amount, currency)
    totals = compute_totals(
        [p[0] for p in parsed_lines], [p[0] for p in parsed_adj], currency, TaxRounding(rounding),
        rounding_amount=rounding_amount,
    )
    stated = _final_stated(session, invoice.id, totals, currency, rounding)
    if stated:
        totals = compute_totals(
            [p[0] for p in parsed_lines], [p[0] for p in parsed_adj], currency, TaxRounding(rounding), stated,
            rounding_amount=rounding_amount,
        )
    prepaid = _prepaid_amount(data.prepaid, currency)
    final = bool(prepaid) and invoice.id is not None and bool(deducted_invoices(session, invoice.id))
    totals = _with_prepaid(totals, prepaid, currency, final_invoice=final)
    invoice.type_code, invoice.preceding_number, invoice.preceding_date = type_code, preceding_number, preceding_date
    invoice.rounding_amount = rounding_amount
    invoice.prepaid = prepaid
    invoice.prepaid_method = method_code(data.prepaid_method) if prepaid else None
    invoice.prepaid_reference = validation.optional(data.prepaid_reference) if prepaid else None
    invoice.customer_id = customer.id
    invoice.currency = currency
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.delivery_date = data.delivery_date
    invoice.period_start, invoice.period_end = period_start, period_end
    invoice.tax_rounding = rounding
    invoice.notes = validation.optional(data.notes, multiline=True)
    invoice.buyer_reference = validation.optional(data.buyer_reference)
    invoice.updated_at = audit.now()
    invoice.lines = [
        InvoiceLine(
            position=i,
            gross=amounts.gross,
            discount=amounts.discount,
            charge=amounts.charge,
            net=amounts.net,
            tax=amounts.tax,
            allowances=[
                InvoiceLineAllowance(position=j, amount=part, base=base, **row)
                for j, (row, part, base) in enumerate(zip(cast(list[dict[str, Any]], values["allowances"]),
                                                          amounts.parts, amounts.bases, strict=True), 1)
            ],
            **{k: v for k, v in values.items() if k != "allowances"},
        )
        for i, ((_, values), amounts) in enumerate(zip(parsed_lines, totals.lines, strict=True), 1)
    ]
    invoice.adjustments = [
        InvoiceAdjustment(position=i, **values)
        for i, (_, values) in enumerate(parsed_adj, 1)
    ]
    store_totals(session, invoice, totals)
    return {"customer_id": customer.id, "currency": currency, "lines": len(data.lines), "total": totals.total}


#: the invoice type codes (UNTDID 1001) an invoice may carry; credit notes are 381, with their own workflow
INVOICE_TYPE_CODES = {"380": N_("Invoice"), "384": N_("Corrected invoice"), "389": N_("Self-billed invoice"),
                      "326": N_("Partial invoice"), "386": N_("Deposit invoice")}


def _type_code(data: DraftData) -> tuple[str | None, str | None, date | None]:
    """BT-3 and, for a corrected invoice (384), the invoice it replaces (BT-25, required by EN 16931 there)."""
    code = (data.type_code or "").strip() or None
    if code is not None and code not in INVOICE_TYPE_CODES:
        raise ValidationError(N_("Invoice type code '{code}' is not one of {codes}."), "type_code", code=code,
                              codes=", ".join(INVOICE_TYPE_CODES))
    number = validation.optional(data.preceding_number)
    if code == "384" and number is None:
        raise ValidationError(N_("A corrected invoice (384) names the invoice it corrects."), "preceding_number")
    return (None if code == "380" else code), number, data.preceding_date if number else None


# ---------------------------------------------------------------- final invoices


def deducted_invoices(session: Session, invoice_id: int | None) -> list[Invoice]:
    """The deposit and partial invoices a final invoice deducts (none for any other invoice), oldest first."""
    if invoice_id is None:
        return []
    return list(session.scalars(
        select(Invoice).join(InvoiceDeduction, InvoiceDeduction.deducted_id == Invoice.id)
        .where(InvoiceDeduction.invoice_id == invoice_id).order_by(Invoice.issue_date, Invoice.id)
    ))


def advance_taxes(session: Session, advance: Invoice) -> list[TaxSubtotal]:
    """What a final invoice deducts of an advance invoice, per VAT rate: the basis and VAT it stated, less what its
    credit notes took back (a credited part is not deducted twice). Rates that come to nothing are left out."""
    found = {TaxKey(t.category, t.rate): [t.basis, t.amount] for t in advance.taxes}
    for note in session.scalars(select(Invoice).where(Invoice.corrects_id == advance.id,
                                                      Invoice.doc_type == DocType.CREDIT_NOTE)):
        for tax in note.taxes:
            figures = found.setdefault(TaxKey(tax.category, tax.rate), [0, 0])
            figures[0] -= tax.basis
            figures[1] -= tax.amount
    return [TaxSubtotal(key.category, key.rate, basis, vat)
            for key, (basis, vat) in sorted(found.items(), key=lambda item: (item[0].category, -item[0].rate))
            if basis or vat]


def deducted_taxes(session: Session, advances: Sequence[Invoice]) -> dict[TaxKey, tuple[int, int]]:
    """The basis and VAT per rate that a final invoice deducts of its advance invoices, added up."""
    found: dict[TaxKey, tuple[int, int]] = {}
    for advance in advances:
        for tax in advance_taxes(session, advance):
            key = TaxKey(tax.category, tax.rate)
            basis, vat = found.get(key, (0, 0))
            found[key] = (basis + tax.basis, vat + tax.amount)
    return found


def _final_stated(session: Session, invoice_id: int | None, totals: Totals, currency: str,
                  rounding: str) -> dict[TaxKey, int] | None:
    """A final invoice's VAT per rate (core.totals.final_taxes); None for any other invoice, and in line rounding
    mode, where each line (the deductions too) is taxed on its own."""
    advances = deducted_invoices(session, invoice_id) if rounding == TaxRounding.DOCUMENT else []
    if not advances:
        return None
    return final_taxes({TaxKey(t.category, t.rate): t.basis for t in totals.taxes},
                       deducted_taxes(session, advances), currency)


def deduct_advances(session: Session, invoice: Invoice, advances: Sequence[Invoice]) -> None:
    """Make a draft the final invoice of ``advances`` (its deduction lines written by the caller): link them and
    state its VAT per rate as the whole work's less theirs."""
    for advance in advances:
        session.add(InvoiceDeduction(invoice_id=invoice.id, deducted_id=advance.id))
    session.flush()
    totals = totals_of(invoice.lines, invoice.adjustments, invoice.currency, invoice.tax_rounding)
    stated = _final_stated(session, invoice.id, totals, invoice.currency, invoice.tax_rounding)
    if stated:
        totals = totals_of(invoice.lines, invoice.adjustments, invoice.currency, invoice.tax_rounding, stated)
    store_totals(session, invoice, totals)


def final_invoice_of(session: Session, invoice_id: int) -> Invoice | None:
    """The final invoice (not void) that deducts an advance invoice, if any."""
    return session.scalar(
        select(Invoice).join(InvoiceDeduction, InvoiceDeduction.invoice_id == Invoice.id)
        .where(InvoiceDeduction.deducted_id == invoice_id, Invoice.status != InvoiceStatus.VOID)
    )


def _check_deductions(session: Session, invoice: Invoice) -> None:
    """A final invoice deducts issued advance invoices only: one voided since cannot be deducted."""
    for advance in deducted_invoices(session, invoice.id):
        if advance.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
            raise ConflictError(N_("The final invoice deducts invoice {number}, which is {status}; make the final "
                                   "invoice again."), number=advance.number or advance.id, status=advance.status)


def store_totals(session: Session, invoice: Invoice, totals: Totals) -> None:
    invoice.subtotal = totals.subtotal
    invoice.allowance_total = totals.allowance_total
    invoice.charge_total = totals.charge_total
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.taxes = [
        InvoiceTax(
            category=t.category,
            rate=t.rate,
            basis=t.basis,
            amount=t.amount,
            exemption_reason=taxes.exemption_reason(session, TaxKey(t.category, t.rate)),
        )
        for t in totals.taxes
    ]


def create_draft(session: Session, data: DraftData, today: date | None = None) -> int:
    """A new draft invoice: editable, deletable, and without a number."""
    now = audit.now()
    invoice = Invoice(doc_type="invoice", status=InvoiceStatus.DRAFT, created_at=now, updated_at=now)
    payload = _apply_draft(session, invoice, data, today or date.today())
    session.add(invoice)
    session.flush()
    audit.record(session, "create", "invoice", invoice.id, after="draft", payload=payload)
    return invoice.id


def get_invoice(
    session: Session, invoice_id: int, doc_type: str | None = "invoice", *, for_update: bool = False
) -> Invoice:
    """The invoice (or credit note); ``for_update``: locked until the transaction ends, as every action that
    changes its status or amounts reads it, so two desks never both act on the same stale amounts."""
    invoice = locks.locked(session, Invoice, invoice_id) if for_update else session.get(Invoice, invoice_id)
    if invoice is None or (doc_type is not None and invoice.doc_type != doc_type):
        missing = N_("There is no credit note {id}.") if doc_type == "credit_note" else N_("There is no invoice {id}.")
        raise NotFoundError(missing, id=invoice_id)
    return invoice


def _draft(session: Session, invoice_id: int) -> Invoice:
    invoice = get_invoice(session, invoice_id)
    require(session, invoice, Action.SAVE_DRAFT)
    return invoice


def update_draft(session: Session, invoice_id: int, data: DraftData, today: date | None = None) -> None:
    invoice = _draft(session, invoice_id)
    payload = _apply_draft(session, invoice, data, today or date.today())
    audit.record(session, "edit", "invoice", invoice_id, before="draft", after="draft", payload=payload)


def draft_data(invoice: Invoice) -> DraftData:
    """A document's content as editable data (editing a draft, or duplicating any invoice)."""
    return DraftData(
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        tax_rounding=invoice.tax_rounding,
        notes=invoice.notes,
        buyer_reference=invoice.buyer_reference,
        delivery_date=invoice.delivery_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        type_code=invoice.type_code,
        preceding_number=invoice.preceding_number,
        preceding_date=invoice.preceding_date,
        rounding_amount=from_minor(invoice.rounding_amount, invoice.currency) if invoice.rounding_amount else None,
        prepaid=from_minor(invoice.prepaid, invoice.currency) if invoice.prepaid else None,
        prepaid_method=invoice.prepaid_method,
        prepaid_reference=invoice.prepaid_reference,
        lines=[
            LineData(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_category=line.tax_category,
                tax_rate=line.tax_rate,
                unit=line.unit,
                discount_percent=line.discount_percent,
                discount_amount=None if line.discount_amount is None else from_minor(
                    line.discount_amount, invoice.currency
                ),
                product_id=line.product_id,
                period_start=line.period_start,
                period_end=line.period_end,
                price_base=line.price_base,
                gross_price=line.gross_price,
                charges=[
                    LineChargeData(c.is_charge, None if c.percent is not None else abs(from_minor(c.amount, invoice.currency)),
                                   c.percent, c.reason, c.reason_code,
                                   None if c.base is None else abs(from_minor(c.base, invoice.currency)))
                    for c in line.allowances
                ],
            )
            for line in invoice.lines
        ],
        adjustments=[
            AdjustmentData(
                amount=Decimal(a.amount).scaleb(-exponent(invoice.currency)),
                tax_category=a.tax_category,
                tax_rate=a.tax_rate,
                is_charge=a.is_charge,
                reason=a.reason,
                percent=a.percent,
                base=None if a.base is None else from_minor(a.base, invoice.currency),
                reason_code=a.reason_code,
            )
            for a in invoice.adjustments
        ],
    )


def duplicate_invoice(session: Session, invoice_id: int, today: date | None = None) -> int:
    """A new draft with the same customer and lines, dated today."""
    source = get_invoice(session, invoice_id)
    data = draft_data(source)
    data.issue_date = None
    data.due_date = None
    # a copy bills another supply: its dates are the user's to give again
    data.delivery_date = data.period_start = data.period_end = None
    data.prepaid = data.prepaid_method = data.prepaid_reference = None  # money received for that invoice only
    for line in data.lines:
        line.period_start = line.period_end = None
    new_id = create_draft(session, data, today)
    audit.record(session, "duplicate", "invoice", new_id, payload={"from": invoice_id})
    return new_id


def delete_draft(session: Session, invoice_id: int) -> None:
    """Drafts are deleted; numbered documents never are (void or credit them instead)."""
    invoice = get_invoice(session, invoice_id)
    require(session, invoice, Action.DELETE_DRAFT)
    session.delete(invoice)
    audit.record(session, "delete", "invoice", invoice_id, before="draft", payload={"total": invoice.total})


# ---------------------------------------------------------------- numbering and finalize


def _counter(
    session: Session, series: str, issue_date: date, customer_id: int
) -> tuple[str, CounterKey, NumberCounter | None]:
    pattern = settings.NUMBERING[series].get(session)
    key = counter_key(series, pattern, issue_date.year, customer_id)
    return pattern, key, session.get(NumberCounter, (key.series, key.year, key.scope))


def next_number(session: Session, series: str, issue_date: date, customer_id: int) -> str:
    """The number the next finalize in this series would take (shown before confirming); takes nothing."""
    pattern, _key, counter = _counter(session, series, issue_date, customer_id)
    return format_number(pattern, issue_date.year, (counter.last_seq if counter else 0) + 1, customer_id)


def last_issue_date(session: Session, series: str, issue_date: date, customer_id: int) -> date | None:
    """The issue date of the last numbered document of the series ``issue_date`` would number in, if any."""
    _pattern, _key, counter = _counter(session, series, issue_date, customer_id)
    return None if counter is None else counter.last_issue_date


def take_number(session: Session, series: str, issue_date: date, customer_id: int) -> tuple[str, int, str, int]:
    """Draw the next number of a series inside the caller's transaction: (number, year, scope, seq).

    Nothing is taken before this point, so a rollback leaves no gap. The counter row stays locked until the
    transaction ends: another desk finalizing in the same series waits, then draws the next number.
    """
    pattern = settings.NUMBERING[series].get(session)
    key = counter_key(series, pattern, issue_date.year, customer_id)
    ident = (key.series, key.year, key.scope)
    counter = locks.locked(session, NumberCounter, ident)
    if counter is None:
        locks.create_once(session, NumberCounter, series=key.series, year=key.year, scope=key.scope, last_seq=0)
        counter = locks.locked(session, NumberCounter, ident)
        assert counter is not None
    if counter.last_issue_date is not None and issue_date < counter.last_issue_date:
        raise ValidationError(
            N_("The issue date {date} is before the last numbered document of this series ({last}); numbers "
               "must follow dates. Use a later issue date."),
            date=issue_date.isoformat(), last=counter.last_issue_date.isoformat(),
        )
    seq = counter.last_seq + 1
    number = format_number(pattern, issue_date.year, seq, customer_id)
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise ValidationError(
            N_("The number {number} exists already; the number format '{pattern}' would repeat numbers. "
               "Change it in Settings."),
            number=number, pattern=pattern,
        )
    counter.last_seq = seq
    counter.last_issue_date = issue_date
    return number, key.year, key.scope, seq


def _check_vat_ids(invoice: Invoice, seller_vat: str | None, buyer_vat: str | None) -> None:
    categories = {t.category for t in invoice.taxes}
    if categories & {"AE", "K"}:
        if not seller_vat:
            raise ValidationError(N_("Reverse-charge and intra-EU invoices need your VAT ID in the company profile."))
        if not buyer_vat:
            raise ValidationError(
                N_("Reverse-charge and intra-EU invoices need the customer's VAT ID; add it to the customer.")
            )


def finalize_invoice(
    session: Session, invoice_id: int, exchange_rate: str | Decimal | None = None
) -> str:
    """draft -> open: number, seller/customer snapshot, locked exchange rate, hash chain; then frozen.

    Finalizing an invoice that is already finalized returns its number and takes nothing.
    """
    invoice = get_invoice(session, invoice_id, for_update=True)
    if invoice.status != InvoiceStatus.DRAFT and invoice.number is not None:
        return invoice.number
    require(session, invoice, Action.FINALIZE)
    company = company_service.get_company(session)
    company_service.require_complete(company)
    if not invoice.lines:
        raise ValidationError(N_("An invoice needs at least one line before it can be finalized."))
    customer: Customer = invoice.customer
    if customer.archived:
        raise ValidationError(_ARCHIVED, "customer", name=customer.name)
    validation.still_valid(company.name, company.country, company.currency)
    validation.still_valid(customer.name, customer.country, invoice.currency)
    _check_vat_ids(invoice, company.vat_id, customer.vat_id)
    _check_outside_scope_alone(invoice)
    _check_not_ahead(session, invoice.issue_date)
    _check_deductions(session, invoice)
    rate = _locked_rate(session, invoice.currency, company.currency, invoice.issue_date, exchange_rate)
    return freeze_document(
        invoice, SessionBook(session), seller=company_service.snapshot(company),
        customer=customer_service.snapshot(customer), company_currency=company.currency, rate=rate,
        at=audit.now(), payload={"currency": invoice.currency, "rate": rate},
    )


class FreezeBook(Protocol):
    """Where a freeze draws its number and writes what it leaves behind: the database in a service's
    transaction (SessionBook), or the demo writer's bulk rows."""

    def take_number(self, series: str, issue_date: date, customer_id: int) -> tuple[str, int, str, int]: ...

    def settle_prepaid(self, doc: Any) -> None: ...

    def keep_pdf(self, doc: Any) -> None: ...

    def chain(self, doc: Any) -> None: ...

    def record(self, action: str, entity: str, doc: Any, before: str, after: str, payload: dict[str, Any]) -> None:
        ...


class SessionBook:
    """Freezing inside a service's transaction: counter rows, the kept PDF, the chain table, the audit log."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take_number(self, series: str, issue_date: date, customer_id: int) -> tuple[str, int, str, int]:
        return take_number(self.session, series, issue_date, customer_id)

    def settle_prepaid(self, doc: Invoice) -> None:
        from invoicer.services import payments  # payments imports this module

        payments.settle_prepaid(self.session, doc)

    def keep_pdf(self, doc: Invoice) -> None:
        # ReportLab and the e-invoice rules load at the first freeze, not at the app's start
        from invoicer.services import documents, einvoicing, qr_bills

        self.session.flush()
        payment_links.issue_at_finalize(self.session, doc)  # the PDF prints the link and the QR-bill it is issued with
        qr_bills.issue_at_finalize(self.session, doc)
        data = documents.document_data(self.session, doc)  # what the PDF shows and the e-invoice says, once
        # nothing leaves the app that the official rules reject; the Factur-X checked is the one the PDF embeds. The
        # check runs (in the checking process, when the app has one) while the PDF renders, and the PDF is kept
        # only once the rules have passed
        checks = einvoicing.start_checks(self.session, doc, data)
        documents.store_frozen_pdf(self.session, doc, data, checks.facturx, checked=checks.refuse_invalid)

    def chain(self, doc: Invoice) -> None:
        audit.append_to_chain(self.session, doc)

    def record(self, action: str, entity: str, doc: Invoice, before: str, after: str, payload: dict[str, Any]) -> None:
        audit.record(self.session, action, entity, doc.id, before=before, after=after, payload=payload)


def freeze_document(
    doc: Any, book: FreezeBook, *, seller: str | None, customer: str | None, company_currency: str, rate: Decimal,
    at: datetime, payload: dict[str, Any],
) -> str:
    """Number a finished draft (invoice or credit note) and freeze it: the number from its series, seller and
    customer snapshots, company-currency amounts at the locked rate, the status its lifecycle gives, the kept
    PDF, its hash-chain link and the audit event. Returns the number.

    ``doc`` is an Invoice, or a plain record with the same fields (demo data written in bulk).
    """
    doc_type = DocType(doc.doc_type)
    before = doc.status
    target = target_status(FREEZING[doc_type], before, doc_type)
    series = "invoice" if doc_type is DocType.INVOICE else "credit_note"
    number, year, scope, seq = book.take_number(series, doc.issue_date, doc.customer_id)
    doc.number = number
    doc.counter_year, doc.counter_scope, doc.number_seq = year, scope, seq
    doc.seller_snapshot, doc.customer_snapshot = seller, customer
    lock_company_amounts(doc, company_currency, rate)
    doc.finalized_at = doc.updated_at = at
    doc.status = target
    if doc_type is DocType.INVOICE and doc.total + doc.rounding_amount == 0:  # nothing to pay: paid as issued
        doc.status = target_status(Transition.PAY, target)
        doc.paid_at = at
    # the prepaid amount (BT-113) is paid in the same transaction, before the payment link and QR-bill are made for
    # what is left to pay
    book.settle_prepaid(doc)
    # the PDF is rendered from the frozen data and kept before the chain link, which covers its hash
    book.keep_pdf(doc)
    book.chain(doc)
    book.record(FREEZING[doc_type].value, series, doc, before, doc.status,
                {"number": number, "total": doc.total, **payload})
    return number


def _check_outside_scope_alone(invoice: Invoice) -> None:
    """EN 16931 (BR-O-11 to BR-O-14): an invoice with supplies outside the scope of VAT (category O) has no
    other category on any line, allowance or charge; its e-invoice would be rejected, so it is not issued."""
    categories = {line.tax_category for line in invoice.lines} | {adj.tax_category for adj in invoice.adjustments}
    if "O" in categories and len(categories) > 1:
        raise ValidationError(
            N_("Supplies outside the scope of VAT (category O) cannot share an invoice with other VAT categories "
               "({categories}) under EN 16931: put them on an invoice of their own."),
            "lines", categories=", ".join(sorted(categories - {"O"})),
        )


def _check_not_ahead(session: Session, issue_date: date) -> None:
    """Numbers follow dates, so one document dated ahead would block every earlier-dated one until then."""
    ahead = settings.FUTURE_DAYS.get(session)
    if issue_date > date.today() + timedelta(days=ahead):
        raise ValidationError(
            N_("The issue date {date} is in the future; finalize it on that day, or allow dates ahead in "
               "Settings ({days} days now)."),
            "issue_date", date=issue_date.isoformat(), days=ahead,
        )


class CompanyAmounts(Protocol):
    """What ``lock_company_amounts`` reads and writes: an Invoice, or demo data's plain record of one."""

    currency: str
    total: int
    tax_total: int
    exchange_rate: Decimal | None
    company_currency: str | None
    company_subtotal: int | None
    company_tax_total: int | None
    company_total: int | None


def lock_company_amounts(invoice: CompanyAmounts, company_currency: str, rate: Decimal) -> None:
    """Store the company-currency figures once, at finalize; they are never converted again."""
    invoice.exchange_rate = rate
    invoice.company_currency = company_currency
    invoice.company_subtotal = convert_minor(
        invoice.total - invoice.tax_total, invoice.currency, company_currency, rate
    )
    invoice.company_tax_total = convert_minor(invoice.tax_total, invoice.currency, company_currency, rate)
    invoice.company_total = invoice.company_subtotal + invoice.company_tax_total


def _locked_rate(
    session: Session, currency: str, company_currency: str, issue_date: date, given: str | Decimal | None
) -> Decimal:
    if given is not None and str(given).strip() != "":
        return rates.parse_rate(given)
    if currency == company_currency:
        return Decimal(1)
    stored = rates.rate_on(session, currency, issue_date)
    if stored is None:
        raise ValidationError(
            N_("There is no exchange rate {currency} -> {company_currency} on or before {date}; enter the rate "
               "when finalizing or store one first."),
            currency=currency, company_currency=company_currency, date=issue_date.isoformat(),
        )
    return stored


# ---------------------------------------------------------------- closing transitions


def void_invoice(session: Session, invoice_id: int, reason: str | None = None, on: date | None = None) -> None:
    """open -> void, only while nothing has been paid or credited; ``on``: the day it was voided (today)."""
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.VOID)
    final = final_invoice_of(session, invoice.id)
    if final is not None:
        raise ConflictError(N_("Invoice {number} is deducted on the final invoice {final}; void or credit the final "
                               "invoice first."), number=invoice.number, final=final.number or final.id)
    target = target_status(Transition.VOID, invoice.status)
    on = validation.action_date(on, invoice.issue_date)
    before = invoice.status
    invoice.status = target
    invoice.closed_at = invoice.updated_at = audit.now()
    audit.record(session, "void", "invoice", invoice_id, before=before, after=target,
                 payload={"reason": reason, "date": on.isoformat()})


def mark_uncollectible(
    session: Session, invoice_id: int, reason: str | None = None, on: date | None = None
) -> None:
    """open -> uncollectible (written off) on ``on`` (today); a later payment still makes it paid."""
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.WRITE_OFF)
    target = target_status(Transition.MARK_UNCOLLECTIBLE, invoice.status)
    on = validation.action_date(on, invoice.issue_date)
    # the books decide write-off and recovery by dates: money or credit already booked for a later day would
    # be a recovery of a write-off typed after it, so the write-off is dated on or after the last of them
    last = last_settled_day(session, invoice.id)
    if last is not None and on < last:
        raise ValidationError(
            N_("Invoice {number} has a payment or credit note dated {last}; it cannot be written off earlier ({date})."),
            "date", number=invoice.number, last=last.isoformat(), date=on.isoformat(),
        )
    before = invoice.status
    invoice.status = target
    invoice.closed_at = invoice.updated_at = audit.now()
    audit.record(
        session, "write_off", "invoice", invoice_id, before=before, after=target,
        payload={"reason": reason, "amount_due": invoice.amount_due, "date": on.isoformat()},
    )


def settle_status(invoice: Invoice) -> None:
    """Move an invoice to paid when payments and credits cover it; when they no longer do, back to open, or
    to uncollectible if it was written off (the money that went away was a recovery of bad debt). Its payment
    links are used once it is paid, and pay again once it is not."""
    session = object_session(invoice)
    assert session is not None
    if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE) and invoice.amount_due == 0:
        invoice.status = target_status(Transition.PAY, invoice.status)
        invoice.paid_at = audit.now()
    elif invoice.status == InvoiceStatus.PAID and invoice.amount_due > 0:
        back = Transition.RESUME_WRITE_OFF if was_written_off(session, invoice.id) else Transition.REOPEN
        invoice.status = target_status(back, invoice.status)
        invoice.paid_at = None
    invoice.updated_at = audit.now()
    payment_links.settled(session, invoice)


def written_off_day(session: Session, invoice_id: int) -> date | None:
    """The day of the invoice's (last) write-off, or None when it was never written off."""
    day = session.scalar(select(func.max(customer_service.written_off_on())).where(
        AuditEvent.entity == "invoice", AuditEvent.entity_id == invoice_id, AuditEvent.action == "write_off"))
    return None if day is None else date.fromisoformat(str(day)[:10])


def last_settled_day(session: Session, invoice_id: int) -> date | None:
    """The latest day of a payment, reversal, applied credit or credit note booked for the invoice."""
    paid = session.scalar(select(func.max(Payment.paid_on)).where(Payment.invoice_id == invoice_id))
    credited = session.scalar(select(func.max(Invoice.issue_date)).where(
        Invoice.corrects_id == invoice_id, Invoice.status != "draft"))
    days = [day for day in (paid, credited) if day is not None]
    return max(days) if days else None


def was_written_off(session: Session, invoice_id: int) -> bool:
    """Whether the invoice's history has a write-off (it then never becomes open again)."""
    stmt = select(AuditEvent.id).where(
        AuditEvent.entity == "invoice", AuditEvent.entity_id == invoice_id, AuditEvent.action == "write_off"
    )
    return session.scalar(stmt.limit(1)) is not None


# ---------------------------------------------------------------- queries


SORT_COLUMNS = {
    "number": Invoice.number,
    "customer": Customer.name,
    "issue_date": Invoice.issue_date,
    "due_date": Invoice.due_date,
    "total": Invoice.total,
    "status": Invoice.status,
    "currency": Invoice.currency,
}


#: a search matching at most this many documents is read through the search indexes and then sorted; a wider
#: one walks the sort column's index and stops after a page (the few matches of a rare term would otherwise
#: be looked for among all 100,000 documents)
NARROW_SEARCH = 1000
#: counting fetches each match by id, so it goes through the search indexes for more of them
NARROW_COUNT = 20000


def _search_terms(flt: InvoiceFilter) -> tuple[list[str], str]:
    """Prefixes for number and reference (as typed, in capitals, small letters, capitalised: the prefix match
    that an index answers is case-sensitive) and the LIKE pattern for the customer's folded name."""
    term = (flt.search or "").strip()
    return list(dict.fromkeys((term, term.upper(), term.lower(), term.capitalize()))), \
        customer_service.contains(fold(term))


def _named(like: str) -> Select[int]:
    # matching customers first (a small table, its folded names read from their index), so neither count nor
    # page needs the join to filter; folded on both sides, "muller" finds "Müller"
    return select(Customer.id).where(Customer.search_name.like(like, escape="\\"))


def _search_condition(flt: InvoiceFilter) -> ColumnElement[bool]:
    """The search tested row by row: number or reference starts with the term, or the customer's name has it."""
    prefixes, like = _search_terms(flt)
    return or_(
        *(starts_with(Invoice.number, p) for p in prefixes),
        Invoice.customer_id.in_(_named(like)),
        *(starts_with(Invoice.buyer_reference, p) for p in prefixes),
    )


def _search_ids(flt: InvoiceFilter, distinct: bool = True) -> CompoundSelect[int]:
    """The ids the search matches, each branch answered from its own index (type+number, type+reference,
    type+customer): cost follows the matches, not the size of the table. ``distinct=False`` may repeat an
    id that two branches match, but can stop early."""
    return (union if distinct else union_all)(
        *_prefix_branches(flt),
        select(Invoice.id).where(Invoice.doc_type == flt.doc_type, Invoice.customer_id.in_(_named(
            _search_terms(flt)[1]))),
    )


def _prefix_branches(flt: InvoiceFilter, *also: ColumnElement[bool]) -> list[Select[int]]:
    """The search's number and reference branches (each read from its prefix index), with ``also`` on each."""
    prefixes, _like = _search_terms(flt)
    of_type = Invoice.doc_type == flt.doc_type
    return [select(Invoice.id).where(of_type, starts_with(column, p), *also)
            for column in (Invoice.number, Invoice.buyer_reference) for p in prefixes]


def _search_count(flt: InvoiceFilter) -> Select[int]:
    """How many documents the search matches: those of a matching customer counted from the type+customer index
    alone (no id to fetch or set apart: a term matching 5 of 60 customers is a twelfth of every document), plus the
    number and reference matches of other customers, set apart by id (few: prefixes of one number or reference)."""
    named = _named(_search_terms(flt)[1])
    by_customer = select(func.count()).select_from(Invoice).where(
        Invoice.doc_type == flt.doc_type, Invoice.customer_id.in_(named))
    others = select(func.count()).select_from(union(*_prefix_branches(flt, Invoice.customer_id.not_in(named)))
                                              .subquery())
    return select(by_customer.scalar_subquery() + others.scalar_subquery())


def _narrow(session: Session, flt: InvoiceFilter, most: int) -> bool:
    """Does the search match at most ``most`` documents (read from the indexes, stopping after ``most``)?"""
    if not (flt.search and flt.search.strip()):
        return False
    first = _search_ids(flt, distinct=False).limit(most + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(first)) or 0) <= most


def _filtered(stmt: Select[int], flt: InvoiceFilter, today: date, narrow: bool = False) -> Select[int]:
    """``stmt`` limited to what ``flt`` asks for; ``narrow``: the search is matched through its indexes."""
    due = customer_service.due_expression()
    searching = bool(flt.search and flt.search.strip())
    if not (narrow and searching):  # the search's ids are of the type already: rows are then fetched by id
        stmt = stmt.where(Invoice.doc_type == flt.doc_type)
    overdue_cond = (Invoice.status == "open") & (Invoice.due_date < today) & (due > 0)
    if flt.status == "overdue" or flt.overdue:
        stmt = stmt.where(overdue_cond)
    if flt.status == "partially paid":
        stmt = stmt.where(Invoice.status == "open", due > 0, due < Invoice.payable)
    elif flt.status and flt.status != "overdue":
        stmt = stmt.where(Invoice.status == flt.status)
    if flt.customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == flt.customer_id)
    if flt.date_from is not None:
        stmt = stmt.where(Invoice.issue_date >= flt.date_from)
    if flt.date_to is not None:
        stmt = stmt.where(Invoice.issue_date <= flt.date_to)
    if searching:
        stmt = stmt.where(Invoice.id.in_(_search_ids(flt)) if narrow else _search_condition(flt))
    return stmt


def _only_search(flt: InvoiceFilter) -> bool:
    return flt == InvoiceFilter(doc_type=flt.doc_type, search=flt.search)


def list_invoices(
    session: Session,
    flt: InvoiceFilter | None = None,
    *,
    today: date | None = None,
    sort: str = "issue_date",
    descending: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[InvoiceRow]:
    flt = flt or InvoiceFilter()
    today = today or date.today()
    # every document of the type is read in the order of an index (migration 0038): by amount due from
    # ix_invoices_type_amount_due, by customer the customers by name and each one's documents in id order
    # (ix_invoices_type_customer_id); only the first documents are read, not all of them sorted. A filtered list
    # keeps away from those walks: the documents a filter leaves may be few and far apart in that order (the
    # walk then reads most of the index, 0.5 s at 1,000,000), and the filter's own index finds them faster
    everything = flt.is_everything()
    column = (SORT_COLUMNS.get(sort, Invoice.issue_date) if sort != "amount_due"
              else customer_service.due_expression(as_indexed=everything))
    order = (column.desc() if descending else column.asc(), Invoice.id.desc() if descending else Invoice.id.asc())
    # the page's ids first, the rest of its columns after: a sort no index gives then reads the few columns it
    # needs from a covering index, not 100,000 whole rows
    page = _filtered(select(Invoice.id), flt, today, _narrow(session, flt, NARROW_SEARCH)).order_by(*order)
    if sort == "customer" and everything:
        page = page.select_from(left_first(Customer, Invoice, Customer.id == Invoice.customer_id))
    elif sort == "customer":  # "+ 0": no customer's documents looked up in ix_invoices_type_customer_id
        page = page.join(Customer, Customer.id == Invoice.customer_id + 0)
    if limit is not None:
        page = page.limit(limit).offset(offset)
    stmt = select(
        Invoice.id, Invoice.doc_type, Invoice.number, Invoice.status, Invoice.customer_id, Customer.name,
        Invoice.currency, Invoice.issue_date, Invoice.due_date, Invoice.total, Invoice.paid, Invoice.credited,
        Invoice.buyer_reference, Invoice.rounding_amount, Invoice.prepaid,
        exists().where(InvoiceDispute.invoice_id == Invoice.id, InvoiceDispute.closed_on.is_(None)).label("disputed"),
    ).join(Customer, Customer.id == Invoice.customer_id).where(Invoice.id.in_(page)).order_by(*order)
    return [
        invoice_row(
            id=r.id, doc_type=r.doc_type, number=r.number, status=r.status, customer_id=r.customer_id,
            customer_name=r.name, currency=r.currency, issue_date=r.issue_date, due_date=r.due_date, total=r.total,
            paid=r.paid, credited=r.credited, buyer_reference=r.buyer_reference, today=today,
            rounding=r.rounding_amount, prepaid=r.prepaid, disputed=bool(r.disputed),
        )
        for r in session.execute(stmt)
    ]


def numbered_ids(session: Session, flt: InvoiceFilter | None = None, today: date | None = None) -> list[int]:
    """Every numbered document ``flt`` matches, loaded in the list or not (a "select all" exports them all;
    drafts have no PDF)."""
    flt = flt or InvoiceFilter()
    stmt = _filtered(select(Invoice.id), flt, today or date.today(), _narrow(session, flt, NARROW_COUNT))
    return list(session.scalars(stmt.where(Invoice.status != "draft").order_by(Invoice.id)))


def count_invoices(session: Session, flt: InvoiceFilter | None = None, today: date | None = None) -> int:
    flt = flt or InvoiceFilter()
    if flt.search and flt.search.strip() and _only_search(flt):  # the search's indexes alone know the answer
        return int(session.scalar(_search_count(flt)) or 0)
    narrow = _narrow(session, flt, NARROW_COUNT)
    stmt = _filtered(select(func.count()).select_from(Invoice), flt, today or date.today(), narrow)
    return int(session.scalar(stmt) or 0)
