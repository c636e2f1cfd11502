"""Documents for tests, with every amount computed by the engine (core.totals), never by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from invoicer.core.money import to_minor
from invoicer.core.totals import AdjustmentInput, Balance, LineInput, TaxKey, TaxRounding, compute_totals
from invoicer.documents.model import Adjustment, Document, DocumentKind, DocumentMark, Line, Party, Seller
from invoicer.services.taxes import DEFAULT_EXEMPTION_REASONS

SELLER = Seller(
    "Müller & Söhne GmbH", "Hauptstraße 1", "10115", "Berlin", "DE",
    vat_id="DE123456788", email="billing@mueller.example", phone="+49 30 1234567",
    iban="DE89370400440532013000", bic="COBADEFFXXX",
    legal_details="Amtsgericht Berlin HRB 12345 · Geschäftsführer: Hans Müller",
)
BUYER = Party(
    "Ελλάδα Trading Łódź", "ul. Piotrkowska 12\nBuilding B", "90-001", "Łódź", "PL",
    vat_id="PL5260250995", contact="Анна Москва", email="ap@trading.example",
)

# description, quantity, unit, unit price, category, rate, discount percent
LineSpec = tuple[str, str, str, str, str, str, str | None]
# is_charge, reason, amount (major units), category, rate
AdjustmentSpec = tuple[bool, str, str, str, str]

CONSULTING: list[LineSpec] = [
    ("Consulting", "3", "HUR", "120.00", "S", "19", "10"),
    ("Specialist book", "2", "C62", "14.995", "S", "7", None),
    ("Hosting (monthly)", "1", "MON", "49.90", "S", "19", None),
]


def ten_lines() -> list[LineSpec]:
    return [
        (f"Consulting work package {i} — Москва, Ελλάδα, Łódź" + (" with a description long enough to wrap "
         "onto a second and a third line of the table" if i % 4 == 0 else ""), "3.5", "HUR", "120.00", "S", "19",
         "5" if i == 2 else None)
        for i in range(1, 11)
    ]


def make_document(
    lines: list[LineSpec] | None = None,
    adjustments: list[AdjustmentSpec] | None = None,
    currency: str = "EUR",
    locale: str = "de_DE",
    rounding: TaxRounding = TaxRounding.DOCUMENT,
    **overrides: Any,
) -> Document:
    """A consistent document: totals and VAT breakdown from ``compute_totals``."""
    specs = CONSULTING if lines is None else lines
    adjustment_specs = adjustments or []
    line_inputs = [
        LineInput(Decimal(q), Decimal(p), TaxKey(c, Decimal(r)), Decimal(d) if d else None)
        for _, q, _, p, c, r, d in specs
    ]
    adjustment_inputs = [AdjustmentInput(Decimal(a), TaxKey(c, Decimal(r)), ch) for ch, _, a, c, r in adjustment_specs]
    totals = compute_totals(line_inputs, adjustment_inputs, currency, rounding)
    doc = Document(
        kind=DocumentKind.INVOICE,
        mark=DocumentMark.ISSUED,
        number="RE-2025-00042",
        issue_date=date(2025, 1, 15),
        due_date=date(2025, 2, 14),
        currency=currency,
        locale=locale,
        seller=SELLER,
        buyer=BUYER,
        lines=tuple(
            Line(i, desc, Decimal(q), unit, Decimal(p), Decimal(1), Decimal(d) if d else None, amounts.discount,
                 c, TaxKey(c, Decimal(r)).rate, amounts.net)
            for i, ((desc, q, unit, p, c, r, d), amounts) in enumerate(zip(specs, totals.lines, strict=True), 1)
        ),
        adjustments=tuple(
            Adjustment(ch, reason, to_minor(Decimal(a), currency), c, TaxKey(c, Decimal(r)).rate)
            for ch, reason, a, c, r in adjustment_specs
        ),
        totals=replace(totals, taxes=tuple(
            replace(t, exemption_reason=DEFAULT_EXEMPTION_REASONS.get(t.category)) for t in totals.taxes
        )),
        balance=Balance(0, 0, totals.total),
        created=datetime(2025, 1, 15, 9, 30),
        notes="Thank you for your business.",
        buyer_reference="PO-4711",
    )
    return replace(doc, **overrides)


def credit_note(**overrides: Any) -> Document:
    base = {
        "kind": DocumentKind.CREDIT_NOTE, "number": "GS-2025-00007", "due_date": None,
        "corrected_number": "RE-2025-00042", "corrected_date": date(2025, 1, 15), "reason": "Returned goods",
        "balance": Balance(0, 0, 0),  # a credit note asks for nothing
    }
    return make_document(**{**base, **overrides})
