"""What a rendered invoice or credit note shows: plain, frozen data handed over by the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from invoicer.core.totals import Balance, TaxSubtotal, Totals


class DocumentKind(StrEnum):
    """The document's type, as stored in ``Invoice.doc_type``."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    QUOTE = "quote"  # a quote's PDF (services.quotes): no payment details, no e-invoice; due_date is its validity


class DocumentMark(StrEnum):
    """How a document is marked: as issued, a draft (watermark, no number), void, or a copy showing
    the balance on a later day (what was paid and credited since)."""

    ISSUED = "issued"
    DRAFT = "draft"
    VOID = "void"
    COPY = "copy"


class PaperSize(StrEnum):
    A4 = "A4"
    LETTER = "Letter"


@dataclass(frozen=True)
class Party:
    """Seller or buyer as printed (the snapshot taken at finalize)."""

    name: str
    address: str  # street lines, newline-separated
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    vat_id: str | None = None
    tax_number: str | None = None
    email: str | None = None
    phone: str | None = None
    contact: str | None = None
    locale: str | None = None  # documents addressed to this party use its language and formats
    #: the party's electronic address for e-invoices (BT-34 / BT-49), with its scheme (EAS code list)
    endpoint_scheme: str | None = None
    endpoint_id: str | None = None

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.address.splitlines() if line.strip())


@dataclass(frozen=True)
class Seller(Party):
    """The seller as printed, with what only the seller's side of a document carries."""

    iban: str | None = None
    bic: str | None = None
    legal_details: str | None = None
    logo_path: str | None = None


@dataclass(frozen=True)
class LineAllowance:
    """A further allowance or charge on a line (BG-27 / BG-28): its amount in minor units (with the line's
    sign), the percent it was given in, its reason and UNTDID 5189/7161 code, and the base amount of its own the
    percent is taken of (BT-137 / BT-142, minor units with the line's sign; None: the line's gross amount)."""

    is_charge: bool
    amount: int
    percent: Decimal | None = None
    reason: str = ""
    reason_code: str | None = None
    base: int | None = None


@dataclass(frozen=True)
class Line:
    """One line: exact quantity and unit price, amounts in minor units as stored."""

    position: int
    description: str
    quantity: Decimal
    unit: str  # UN/ECE Recommendation 20 code
    unit_price: Decimal
    price_base: Decimal
    discount_percent: Decimal | None
    discount: int  # the line allowance in minor units
    tax_category: str
    tax_rate: Decimal
    net: int
    id: int = 0  # the stored line's id (a credit note names it); 0 on a document made up in memory
    product_id: int | None = None
    gross_price: Decimal | None = None  # BT-148; the price discount BT-147 is gross - unit price
    allowances: tuple[LineAllowance, ...] = ()
    gross: int | None = None  # quantity x price / base before any allowance or charge (None: net + discount)
    period_start: date | None = None  # the line's own service period (BG-26), when it has one
    period_end: date | None = None

    @property
    def base_amount(self) -> int:
        """The line amount allowances and charges in percent are taken of (BT-137 / BT-142)."""
        if self.gross is not None:
            return self.gross
        return self.net + self.discount - sum(a.amount for a in self.allowances if a.is_charge)

    def base_of(self, extra: LineAllowance) -> int:
        """BT-137 / BT-142 of one of the line's allowances or charges: its own base amount, else the line's."""
        return self.base_amount if extra.base is None else extra.base

    @property
    def allowance_charges(self) -> tuple[LineAllowance, ...]:
        """Every allowance and charge of the line as the e-invoice states them: the line's own discount
        first (reason code 95, discount), then the further ones."""
        own = self.own_discount
        first = (LineAllowance(False, own, self.discount_percent, "Discount", "95"),) if own else ()
        return first + self.allowances

    @property
    def own_discount(self) -> int:
        """The line's own discount (percent or amount), without the further allowances."""
        return self.discount - sum(a.amount for a in self.allowances if not a.is_charge)

    @property
    def price_discount(self) -> Decimal | None:
        """BT-147: the gross price less the net unit price, when a gross price is given."""
        return None if self.gross_price is None else self.gross_price - self.unit_price


@dataclass(frozen=True)
class Adjustment:
    """A document-level discount (allowance) or charge with its VAT."""

    is_charge: bool
    reason: str
    amount: int
    tax_category: str
    tax_rate: Decimal
    percent: Decimal | None = None  # BT-94 / BT-101, of ``base`` (BT-93 / BT-100, minor units)
    base: int | None = None
    reason_code: str | None = None  # UNTDID 5189 / 7161


@dataclass(frozen=True)
class Settlement:
    """What a credit note did with its amount (frozen at issue)."""

    applied_to_due: int = 0
    to_customer_credit: int = 0
    refunded: int = 0


@dataclass(frozen=True)
class AdvanceInvoice:
    """A deposit (386) or partial (326) invoice that a final invoice deducts: its number and date (BG-3 of the
    final invoice's e-invoice), the VAT breakdown and total deducted (as issued, less its credit notes), and what
    was paid on it and is still due on it by the time the document is made."""

    number: str
    issue_date: date
    type_code: str
    taxes: tuple[TaxSubtotal, ...]
    total: int
    paid: int
    open: int
    id: int = 0  # the stored invoice's id (the invoice window opens it); 0 on a document made up in memory


@dataclass(frozen=True)
class QrBill:
    """The Swiss QR-bill's payment part (Swiss Payment Standards, QR-bill 2.3): the creditor's account (an IBAN,
    or a QR-IBAN with a QRR reference), creditor and debtor (None: the form's blank box), the amount in minor
    units, the reference (QRR, SCOR or NON) and the bill's language (de, fr, it or en)."""

    account: str
    creditor: Party
    debtor: Party | None
    amount: int
    currency: str
    reference_type: str
    reference: str | None
    message: str
    language: str


@dataclass(frozen=True)
class Document:
    """An invoice or credit note ready to render; every amount is in minor units of ``currency``.

    ``totals`` carry the exemption reasons already in the document's language; ``balance`` is what
    the document shows as paid, credited and due (nothing paid as issued, the balance now on a copy).
    """

    kind: DocumentKind
    mark: DocumentMark
    number: str | None
    issue_date: date
    due_date: date | None
    currency: str
    locale: str  # the customer's, for labels and formats
    seller: Seller
    buyer: Party
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...]
    totals: Totals
    balance: Balance
    created: datetime  # fixed timestamp written into the PDF (finalize time), never the clock
    paper: PaperSize = PaperSize.A4
    corrected_number: str | None = None  # credit notes: the invoice corrected (BT-25)
    corrected_date: date | None = None
    reason: str | None = None  # credit notes: why
    settlement: Settlement = Settlement()
    notes: str | None = None
    buyer_reference: str | None = None
    # the VAT total in the seller's accounting currency where the document's currency differs (BT-6, BT-111)
    tax_currency: str | None = None
    tax_total_in_tax_currency: int | None = None
    # why the issued PDF carries no e-invoice XML, in the document's language (None: it carries one)
    without_einvoice: str | None = None
    type_code: str | None = None  # BT-3 when not 380 / 381: 384 corrected, 389 self-billed
    # early-payment discount terms: the percentage, the last day it applies, the amount to pay by then
    discount_percent: Decimal | None = None
    discount_until: date | None = None
    discount_payable: int | None = None
    preceding_number: str | None = None  # BT-25 of an invoice (a corrected one names what it replaces)
    preceding_date: date | None = None
    # the date of supply (BT-72) or the service period (BG-14) the document is for, EU VAT Art. 226(7)
    delivery_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    # a final invoice: the deposit and partial invoices its lines deduct, per VAT rate
    advances: tuple[AdvanceInvoice, ...] = ()
    payment_link: str | None = None  # a payment provider's page for this invoice (printed with its QR code)
    qr_bill: QrBill | None = None  # the Swiss QR-bill's payment part, printed at the foot of the last page

    @property
    def amount_payable(self) -> int:
        """What the document asks to be paid now (BT-115): the amount due, which counts the rounding amount
        (BT-114) as every amount due does."""
        return self.balance.amount_due

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE

    @property
    def is_quote(self) -> bool:
        return self.kind is DocumentKind.QUOTE

    @property
    def is_valid_document(self) -> bool:
        """Only the issued, numbered document is the invoice itself (and carries the e-invoice)."""
        return self.mark is DocumentMark.ISSUED and self.number is not None and not self.is_quote

    @property
    def is_payable(self) -> bool:
        """Asks for payment (terms, bank details, QR code): an issued invoice or a copy of it."""
        return (
            not self.is_credit_note
            and not self.is_quote
            and self.mark in (DocumentMark.ISSUED, DocumentMark.COPY)
            and self.number is not None
        )
