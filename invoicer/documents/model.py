"""What a rendered invoice or credit note shows: plain, frozen data handed over by the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from invoicer.core.workflow import amount_due


class DocumentKind(StrEnum):
    """The document's type, as stored in ``Invoice.doc_type``."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


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
    #: the party's electronic address for e-invoices (BT-34 / BT-49), with its scheme (EAS code list)
    endpoint_scheme: str | None = None
    endpoint_id: str | None = None

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.address.splitlines() if line.strip())


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


@dataclass(frozen=True)
class Adjustment:
    """A document-level discount (allowance) or charge with its VAT."""

    is_charge: bool
    reason: str
    amount: int
    tax_category: str
    tax_rate: Decimal


@dataclass(frozen=True)
class TaxLine:
    """VAT for one (category, rate); the exemption reason is already in the document's language."""

    category: str
    rate: Decimal
    basis: int
    amount: int
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Settlement:
    """What a credit note did with its amount (frozen at issue)."""

    applied_to_due: int = 0
    to_customer_credit: int = 0
    refunded: int = 0


@dataclass(frozen=True)
class Document:
    """An invoice or credit note ready to render; every amount is in minor units of ``currency``."""

    kind: DocumentKind
    mark: DocumentMark
    number: str | None
    issue_date: date
    due_date: date | None
    currency: str
    locale: str  # the customer's, for labels and formats
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: int
    allowance_total: int
    charge_total: int
    tax_total: int
    total: int
    created: datetime  # fixed timestamp written into the PDF (finalize time), never the clock
    paper: PaperSize = PaperSize.A4
    paid: int = 0
    credited: int = 0
    corrected_number: str | None = None  # credit notes: the invoice corrected (BT-25)
    corrected_date: date | None = None
    reason: str | None = None  # credit notes: why
    settlement: Settlement = Settlement()
    iban: str | None = None
    bic: str | None = None
    notes: str | None = None
    buyer_reference: str | None = None
    legal_details: str | None = None
    logo_path: str | None = None
    # the VAT total in the seller's accounting currency where the document's currency differs (BT-6, BT-111)
    tax_currency: str | None = None
    tax_total_in_tax_currency: int | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE

    @property
    def tax_basis(self) -> int:
        return self.subtotal - self.allowance_total + self.charge_total

    @property
    def amount_due(self) -> int:
        status = "void" if self.mark is DocumentMark.VOID else "open"
        return amount_due(self.kind.value, status, self.total, self.paid, self.credited)

    @property
    def is_valid_document(self) -> bool:
        """Only the issued, numbered document is the invoice itself (and carries the e-invoice)."""
        return self.mark is DocumentMark.ISSUED and self.number is not None

    @property
    def is_payable(self) -> bool:
        """Asks for payment (terms, bank details, QR code): an issued invoice or a copy of it."""
        return (
            not self.is_credit_note
            and self.mark in (DocumentMark.ISSUED, DocumentMark.COPY)
            and self.number is not None
        )
