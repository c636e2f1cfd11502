"""Credit notes: linked to the invoice they correct, own gapless series, frozen like an invoice.

On an open invoice a credit note first reduces the amount due; the rest (and any credit on a paid
invoice) becomes customer credit, or is recorded as refunded. Credits never exceed the invoice total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, ConflictError, ValidationError
from invoicer.core.money import HUNDRED, from_minor, parse_decimal, round_half_up
from invoicer.core.totals import CreditedLine, TaxKey, TaxSubtotal, credit_share, credited_fraction, totals_of
from invoicer.core.workflow import Action, CreditNoteStatus, InvoiceStatus
from invoicer.db.models import (
    CreditEntry,
    Invoice,
    InvoiceAdjustment,
    InvoiceLine,
    InvoiceLineAllowance,
    InvoiceTax,
)
from invoicer.i18n import format_percent, translator
from invoicer.services import audit, validation
from invoicer.services import company as company_service
from invoicer.services.actions import credited_total, require
from invoicer.services.invoices import (
    SessionBook,
    final_invoice_of,
    freeze_document,
    get_invoice,
    settle_status,
    store_totals,
    written_off_day,
)


@dataclass(frozen=True)
class CreditLine:
    """Credit part of an invoice line: its id and the quantity to credit."""

    line_id: int
    quantity: str | Decimal


@dataclass(frozen=True)
class Settlement:
    """What a credit note did: reduced the amount due, went to customer credit, or was refunded."""

    credit_note_id: int
    number: str
    total: int
    applied_to_due: int
    to_customer_credit: int
    refunded: int


def _credited_quantity(session: Session, line_id: int) -> Decimal:
    rows = session.scalars(select(InvoiceLine.quantity).where(InvoiceLine.source_line_id == line_id))
    return sum(rows, Decimal(0))


def issue_credit_note(
    session: Session,
    invoice_id: int,
    *,
    full: bool = False,
    lines: list[CreditLine] | None = None,
    amount: int | None = None,
    reason: str | None = None,
    refund: bool = False,
    issue_date: date | None = None,
) -> Settlement:
    """Credit an open or paid invoice in full, by chosen lines/quantities, or by an amount (incl. VAT)."""
    invoice = get_invoice(session, invoice_id, for_update=True)
    require(session, invoice, Action.ISSUE_CREDIT_NOTE)
    final = final_invoice_of(session, invoice.id)
    if final is not None:  # the final invoice deducted it as it stood: a credit now would take it off twice
        raise ConflictError(N_("Invoice {number} is deducted on the final invoice {final}; credit the final invoice "
                               "instead."), number=invoice.number, final=final.number or final.id)
    if sum(x is not None and x is not False for x in (full or None, lines, amount)) != 1:
        raise ValidationError(N_("Credit the whole invoice, chosen lines, or an amount: exactly one of them."))
    company = company_service.get_company(session)
    company_service.require_complete(company)
    remaining = invoice.total - credited_total(session, invoice_id)
    issue_date = validation.action_date(issue_date, invoice.issue_date)
    written = written_off_day(session, invoice.id)  # then paid by a recovery: the credit follows the recovery
    if written is not None and issue_date < written:
        raise ValidationError(
            N_("Invoice {number} was written off on {written}; a credit note for it cannot be dated earlier ({date})."),
            "issue_date", number=invoice.number, written=written.isoformat(), date=issue_date.isoformat(),
        )
    now = audit.now()
    note = Invoice(
        doc_type="credit_note", status=CreditNoteStatus.DRAFT, customer_id=invoice.customer_id,
        currency=invoice.currency, issue_date=issue_date, due_date=None, tax_rounding=invoice.tax_rounding,
        buyer_reference=invoice.buyer_reference, corrects_id=invoice.id,
        # the supply it corrects is the invoice's: same date of supply or period
        delivery_date=invoice.delivery_date, period_start=invoice.period_start, period_end=invoice.period_end,
        reason=validation.optional(reason, multiline=True), created_at=now, updated_at=now, rounding_amount=0,
    )
    stated: dict[TaxKey, int] | None = None
    if full and remaining == invoice.total:
        _copy_all(invoice, note)
        if invoice.tax_rounding == "document":
            # the VAT the invoice stated, which a final invoice's lines alone would not give (invoices.final_taxes)
            stated = {TaxKey(t.category, t.rate): t.amount for t in invoice.taxes}
    elif full:
        _by_amount(invoice, note, remaining)
    elif lines:
        stated = _by_lines(session, invoice, note, lines)
    else:
        if amount is None or amount <= 0:
            raise ValidationError(N_("The amount to credit must be above zero."), "amount")
        _by_amount(invoice, note, amount)
    totals = totals_of(note.lines, note.adjustments, note.currency, note.tax_rounding, stated,
                       round_to=audit.rounding_as_issued(session, note))
    for line, amounts in zip(note.lines, totals.lines, strict=True):
        line.gross, line.discount, line.net, line.tax = amounts.gross, amounts.discount, amounts.net, amounts.tax
        line.charge = amounts.charge
        for extra, part in zip(line.allowances, amounts.parts, strict=True):
            extra.amount = part
    store_totals(session, note, totals)
    if note.total <= 0:
        raise ValidationError(N_("The credit note would be zero; choose a quantity or amount."))
    if note.total > remaining:
        raise ValidationError(
            N_("Credit notes cannot exceed the invoice total: at most {amount} {currency} is left to credit on "
               "{number}."),
            amount=from_minor(remaining, invoice.currency), currency=invoice.currency, number=invoice.number,
        )
    if note.total == remaining:
        # the credit note that completes the credit takes the invoice's rounding amount (BT-114) with it, so the
        # invoice and its credit notes cancel to the cent: nothing stays due, no cent becomes customer credit
        note.rounding_amount = invoice.rounding_amount
    # settle: first the invoice's amount due, the rest to customer credit (or refunded)
    applied = min(note.payable, invoice.amount_due) if invoice.status == InvoiceStatus.OPEN else 0
    excess = note.payable - applied
    note.applied_to_due = applied
    note.refunded = excess if refund else 0
    note.to_customer_credit = 0 if refund else excess
    session.add(note)
    session.flush()
    if note.to_customer_credit:
        session.add(CreditEntry(
            customer_id=invoice.customer_id, currency=invoice.currency, amount=note.to_customer_credit,
            kind="credit_note", entry_on=issue_date, invoice_id=note.id, created_at=now,
        ))
    before = invoice.status
    invoice.credited += applied
    settle_status(invoice)
    settlement = {"invoice": invoice.number, "applied_to_due": applied, "to_customer_credit": note.to_customer_credit,
                  "refunded": note.refunded, "reason": note.reason}
    assert invoice.exchange_rate is not None and invoice.company_currency is not None
    number = freeze_document(
        note, SessionBook(session), seller=company_service.snapshot(company), customer=invoice.customer_snapshot,
        company_currency=invoice.company_currency, rate=invoice.exchange_rate, at=now, payload=settlement,
    )
    payload = {"number": number, "total": note.total, **settlement}
    audit.record(session, "credit", "invoice", invoice.id, before=before, after=invoice.status, payload=payload)
    return Settlement(note.id, number, note.total, applied, note.to_customer_credit, note.refunded)


def _copy_line(source: InvoiceLine, position: int, quantity: Decimal) -> InvoiceLine:
    def share(amount: int) -> int:
        # the credited share of an amount off or on the line, in whole minor units as every stored amount
        return amount if quantity == source.quantity else int(round_half_up(amount * quantity / source.quantity, 0))

    discount_amount = source.discount_amount
    if discount_amount is not None:
        discount_amount = share(discount_amount)
    return InvoiceLine(
        position=position, description=source.description, quantity=quantity, unit=source.unit,
        unit_price=source.unit_price, price_base=source.price_base, discount_percent=source.discount_percent,
        discount_amount=discount_amount, tax_category=source.tax_category, tax_rate=source.tax_rate,
        product_id=source.product_id, source_line_id=source.id, gross_price=source.gross_price,
        period_start=source.period_start, period_end=source.period_end,
        allowances=[
            InvoiceLineAllowance(position=c.position, is_charge=c.is_charge, percent=c.percent,
                                 amount=c.amount if c.percent is not None else share(c.amount), reason=c.reason,
                                 reason_code=c.reason_code,
                                 # a base of its own is credited in the quantity's share, as the line's gross is
                                 base=None if c.base is None else share(c.base))
            for c in source.allowances
        ],
    )


def _copy_all(invoice: Invoice, note: Invoice) -> None:
    note.lines = [_copy_line(line, line.position, line.quantity) for line in invoice.lines]
    note.adjustments = [
        InvoiceAdjustment(position=a.position, is_charge=a.is_charge, reason=a.reason, amount=a.amount,
                          tax_category=a.tax_category, tax_rate=a.tax_rate, percent=a.percent, base=a.base,
                          reason_code=a.reason_code)
        for a in invoice.adjustments
    ]


def _by_lines(session: Session, invoice: Invoice, note: Invoice, chosen: list[CreditLine]) -> dict[TaxKey, int]:
    """The chosen quantities, plus per VAT rate the share of the document allowances and charges (and of
    the rounding) that makes line credits add up to exactly the invoice; returns the VAT shares."""
    by_id = {line.id: line for line in invoice.lines}
    credited_before = {line.id: _credited_quantity(session, line.id) for line in invoice.lines}
    credited_now: dict[int, Decimal] = {}
    new_lines = []
    for position, choice in enumerate(chosen, 1):
        source = by_id.get(choice.line_id)
        if source is None:
            raise ValidationError(
                N_("Line {line} is not a line of invoice {number}."), line=choice.line_id, number=invoice.number
            )
        quantity = parse_decimal(choice.quantity, N_("quantity"), 4)
        left = source.quantity - credited_before[source.id] - credited_now.get(source.id, Decimal(0))
        if quantity <= 0:
            raise ValidationError(N_("A credited quantity must be above zero."), "quantity")
        if quantity > left:
            raise ValidationError(
                N_("Line {line} ('{description}') has only {left} left to credit."), "quantity",
                line=source.position, description=source.description, left=left,
            )
        credited_now[source.id] = credited_now.get(source.id, Decimal(0)) + quantity
        new_lines.append(_copy_line(source, position, quantity))
    note.lines = new_lines
    of_lines = {TaxKey(t.category, t.rate): t.basis
                for t in totals_of(new_lines, [], invoice.currency, invoice.tax_rounding,
                                   round_to=audit.rounding_as_issued(session, invoice)).taxes}

    def fraction(lines: list[InvoiceLine], extra: dict[int, Decimal]) -> Fraction:
        return credited_fraction([
            CreditedLine(x.net, x.quantity, credited_before[x.id] + extra.get(x.id, Decimal(0))) for x in lines
        ])

    stated: dict[TaxKey, int] = {}
    adjustments: list[InvoiceAdjustment] = []
    for tax in invoice.taxes:
        key = TaxKey(tax.category, tax.rate)
        own = [x for x in invoice.lines if TaxKey(x.tax_category, x.tax_rate) == key] or list(invoice.lines)
        share = credit_share(TaxSubtotal(tax.category, tax.rate, tax.basis, tax.amount),
                             fraction(own, {}), fraction(own, credited_now))
        if share.basis == 0 and share.amount == 0 and key not in of_lines:
            continue
        stated[key] = share.amount
        difference = share.basis - of_lines.get(key, 0)
        if difference:
            adjustments.append(InvoiceAdjustment(
                position=len(adjustments) + 1, is_charge=difference > 0, amount=abs(difference),
                reason=_SHARE_REASON, tax_category=tax.category, tax_rate=tax.rate,
            ))
    note.adjustments = adjustments
    return stated


#: the text of the allowance/charge a line credit carries (English: a frozen document's own words)
_SHARE_REASON = "Share of the invoice's document discounts, charges and rounding"


#: the line of a credit note given as an amount (one per VAT rate when the invoice has several)
CREDIT_LINE = N_("Credit on invoice {number}")
CREDIT_LINE_PER_RATE = N_("Credit on invoice {number} (VAT {rate})")


def _by_amount(invoice: Invoice, note: Invoice, gross: int) -> None:
    """One line per VAT rate of the invoice, sharing ``gross`` (incl. VAT) in proportion to the rates' totals."""
    # shared over the rates the invoice charges: a rate that is negative on the whole (a final invoice's rate that
    # a partial invoice billed already) takes no share, or the others' shares would add up to more than ``gross``
    shares = _split(gross, [(t, max(t.basis + t.amount, 0)) for t in invoice.taxes])
    # the line's text is printed on the credit note: in the customer's language, as the rest of it
    locale = invoice.customer.locale or "en_US"
    words = translator(locale).gettext
    lines = []
    for position, (tax, share) in enumerate(shares, 1):
        if share <= 0:
            continue
        net = _net_for_gross(share, tax.rate, invoice.currency)
        description = words(CREDIT_LINE_PER_RATE).format(number=invoice.number, rate=format_percent(tax.rate, locale)) \
            if len(shares) > 1 else words(CREDIT_LINE).format(number=invoice.number)
        lines.append(InvoiceLine(
            position=position,
            description=description,
            quantity=Decimal(1), unit="LS", unit_price=from_minor(net, invoice.currency), price_base=Decimal(1),
            tax_category=tax.category, tax_rate=tax.rate,
        ))
    note.lines = lines


def _split(amount: int, weights: list[tuple[InvoiceTax, int]]) -> list[tuple[InvoiceTax, int]]:
    """Split ``amount`` in proportion to the weights, the remainder to the largest parts (exact sum)."""
    total = sum(w for _, w in weights)
    if total <= 0:
        return [(weights[0][0], amount)]
    raw = [(key, amount * w // total, amount * w % total) for key, w in weights]
    short = amount - sum(part for _, part, _ in raw)
    order = sorted(range(len(raw)), key=lambda i: -raw[i][2])
    parts = [part for _, part, _ in raw]
    for i in order[:short]:
        parts[i] += 1
    return [(raw[i][0], parts[i]) for i in range(len(raw))]


def _net_for_gross(gross: int, rate: Decimal, currency: str) -> int:
    """The net (minor units) whose net + VAT comes closest to ``gross`` without exceeding it."""
    guess = int(round_half_up(Decimal(gross) * HUNDRED / (HUNDRED + rate), 0))
    best = None
    for net in range(guess + 2, guess - 3, -1):
        total = net + int(round_half_up(Decimal(net) * rate / HUNDRED, 0))
        if total <= gross and (best is None or total > best[1]):
            best = (net, total)
    assert best is not None
    return best[0]


def list_credit_notes(session: Session, invoice_id: int | None = None) -> list[Invoice]:
    stmt = select(Invoice).where(Invoice.doc_type == "credit_note").order_by(Invoice.issue_date, Invoice.id)
    if invoice_id is not None:
        stmt = stmt.where(Invoice.corrects_id == invoice_id)
    return list(session.scalars(stmt))
