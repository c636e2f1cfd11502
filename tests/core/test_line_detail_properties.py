"""The engine against an independent recomputation (exact fractions, rounding written out) over the whole
feature space of issue 11: any unit, negative lines, price base quantities, several line allowances and charges
in amount or percent (of the line's amount or of a base amount of their own, BT-137 / BT-142), document
allowances and charges in amount or percent of a base, every VAT category, currencies with 0, 2 and 3 decimals;
and generated invoices' XML, with a prepaid amount (BT-113), against the official rules of every format, in every
VAT situation."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicer.core.errors import ValidationError
from invoicer.core.money import exponent, from_minor, to_minor
from invoicer.core.reference import units
from invoicer.core.totals import AdjustmentInput, LineCharge, LineInput, TaxKey, Totals, compute_totals
from invoicer.core.units import unit_code
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.documents.model import Adjustment, Document, Line, LineAllowance
from invoicer.services.einvoicing import ISSUED_FORMATS, einvoice_xml
from invoicer.services.taxes import DEFAULT_EXEMPTION_REASONS
from tests.documents.samples import make_document
from tests.documents.test_einvoice_rules import for_public_buyers

KEYS = [TaxKey("S", Decimal("19")), TaxKey("S", Decimal("7.5")), TaxKey("S", Decimal("25")), TaxKey("Z", Decimal(0)),
        TaxKey("E", Decimal(0)), TaxKey("AE", Decimal(0)), TaxKey("K", Decimal(0)), TaxKey("G", Decimal(0)),
        TaxKey("O", Decimal(0))]
CURRENCIES = ["EUR", "JPY", "BHD"]


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 10**places, high * 10**places).map(lambda n: Decimal(n).scaleb(-places))


percents = decimals(0, 100, 2)
line_charges = st.builds(
    LineCharge, st.booleans(),
    st.one_of(st.none(), decimals(0, 50, 2)), st.none(),
).filter(lambda c: c.amount is not None) | st.builds(lambda charge, p, base: LineCharge(charge, percent=p, base=base),
                                                     st.booleans(), percents,
                                                     st.one_of(st.none(), decimals(0, 3000, 2)))
lines = st.builds(
    LineInput,
    quantity=decimals(-50, 200, 4).filter(lambda q: q != 0),
    unit_price=decimals(0, 5000, 6),
    tax=st.sampled_from(KEYS),
    discount_percent=st.one_of(st.none(), percents),
    price_base=st.sampled_from([Decimal(1), Decimal(10), Decimal(100), Decimal("0.5")]),
    charges=st.lists(line_charges, max_size=3).map(tuple),
)
adjustments = st.builds(
    lambda amount, percent, base, key, charge: AdjustmentInput(
        None if percent is not None else amount, key, charge, percent, base if percent is not None else None),
    decimals(0, 100, 2), st.one_of(st.none(), percents), decimals(0, 2000, 2), st.sampled_from(KEYS), st.booleans(),
)


def rounded(value: Fraction, places: int) -> Fraction:
    """Half-up, away from zero, to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole = floor(scaled + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole, 10**places)


def expected(
    given_lines: list[LineInput], given_adjustments: list[AdjustmentInput], currency: str
) -> tuple[list[int], dict[TaxKey, tuple[int, int]], int] | None:
    """Line nets, the (basis, VAT) of each rate and the grand total in minor units, or None when the input
    must be refused (allowances past a line's amount, or discounts taking a rate below zero)."""
    places = exponent(currency)
    unit = 10**places
    nets = []
    basis: dict[TaxKey, Fraction] = {}
    for line in given_lines:
        gross = rounded(Fraction(line.quantity) * Fraction(line.unit_price) / Fraction(line.price_base), places)
        net = gross
        if line.discount_percent is not None:
            net -= rounded(gross * Fraction(line.discount_percent) / 100, places)
        for extra in line.charges:
            if extra.percent is not None:
                # BT-137 / BT-142: its own base amount (to the minor unit, with the line's sign), else the line's gross
                base = gross if extra.base is None else rounded(Fraction(extra.base), places) * (1 if gross >= 0 else -1)
                part = rounded(base * Fraction(extra.percent) / 100, places)
            else:
                assert extra.amount is not None
                part = rounded(Fraction(extra.amount), places) * (1 if gross >= 0 else -1)
            net += part if extra.is_charge else -part
        if (gross >= 0 > net) or (gross < 0 < net):
            return None
        nets.append(int(net * unit))
        basis[line.tax] = basis.get(line.tax, Fraction(0)) + net
    lines_basis = dict(basis)
    for adj in given_adjustments:
        if adj.percent is not None:
            assert adj.base is not None
            amount = rounded(Fraction(adj.base) * Fraction(adj.percent) / 100, places)
        else:
            assert adj.amount is not None
            amount = rounded(Fraction(adj.amount), places)
        basis[adj.tax] = basis.get(adj.tax, Fraction(0)) + (amount if adj.is_charge else -amount)
    taxes = {}
    for key, value in basis.items():
        if value < 0 and lines_basis.get(key, Fraction(0)) >= 0:
            return None
        taxes[key] = (int(value * unit), int(rounded(value * Fraction(key.rate) / 100, places) * unit))
    total = sum(b for b, _ in taxes.values()) + sum(t for _, t in taxes.values())
    return nets, taxes, total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=6), st.lists(adjustments, max_size=3), st.sampled_from(CURRENCIES))
def test_the_engine_agrees_with_an_independent_recomputation(
    given_lines: list[LineInput], given_adjustments: list[AdjustmentInput], currency: str
) -> None:
    oracle = expected(given_lines, given_adjustments, currency)
    if oracle is None:
        with pytest.raises(ValidationError):
            compute_totals(given_lines, given_adjustments, currency)
        return
    totals = compute_totals(given_lines, given_adjustments, currency)
    nets, taxes, total = oracle
    assert [a.net for a in totals.lines] == nets
    assert {TaxKey(t.category, t.rate): (t.basis, t.amount) for t in totals.taxes} == taxes
    assert totals.total == total == totals.tax_basis + totals.tax_total
    assert totals.subtotal - totals.allowance_total + totals.charge_total == totals.tax_basis
    assert totals.payable == totals.total


@given(st.sampled_from(sorted(units())))
def test_every_un_ece_unit_code_is_taken(code: str) -> None:
    assert unit_code(code) == code


def test_rounding_and_prepaid_change_only_what_is_payable() -> None:
    line = LineInput(Decimal(3), Decimal("3.33"), KEYS[0])
    totals = compute_totals([line], [], "EUR", prepaid=500, rounding_amount=-1)
    assert (totals.total, totals.payable) == (1189, 1189 - 500 - 1)


# ---------------------------------------------------------------- generated invoices against the official rules


def _document(given_lines: list[LineInput], given_adjustments: list[AdjustmentInput], currency: str = "EUR",
              unit: str = "KWH", prepaid_share: int = 0) -> Document:
    """The issued document; ``prepaid_share``: the percent of its total paid in advance (BT-113), rounded down."""
    totals: Totals = compute_totals(given_lines, given_adjustments, currency)
    totals = replace(totals, prepaid=max(totals.total, 0) * prepaid_share // 100)
    doc = make_document(currency=currency)
    return replace(
        doc,
        lines=tuple(
            Line(i, f"Item {i}", x.quantity, unit if i % 2 else "XPP", x.unit_price, x.price_base,
                 x.discount_percent, a.discount, x.tax.category, x.tax.rate, a.net, gross=a.gross,
                 allowances=tuple(LineAllowance(c.is_charge, part, c.percent, "Charge" if c.is_charge else "Rebate",
                                                None, base)
                                  for c, part, base in zip(x.charges, a.parts, a.bases, strict=True)))
            for i, (x, a) in enumerate(zip(given_lines, totals.lines, strict=True), 1)
        ),
        adjustments=tuple(
            Adjustment(x.is_charge, "Freight" if x.is_charge else "Rebate", amount, x.tax.category, x.tax.rate,
                       x.percent, None if x.base is None else to_minor(x.base, currency))
            for x, amount in zip(given_adjustments, totals.adjustments, strict=True)
        ),
        totals=replace(totals, taxes=tuple(
            replace(t, exemption_reason=DEFAULT_EXEMPTION_REASONS.get(t.category)) for t in totals.taxes)),
        balance=replace(doc.balance, amount_due=totals.payable),  # as issued: what is left after the prepaid amount
    )


def _stated(xml: bytes) -> tuple[Decimal, Decimal]:
    """BT-113 and BT-115 as a CII or UBL document states them."""
    text = xml.decode()
    prepaid = re.search(r"<(?:ram:TotalPrepaidAmount|cbc:PrepaidAmount)[^>]*>([^<]+)<", text)
    due = re.search(r"<(?:ram:DuePayableAmount|cbc:PayableAmount)[^>]*>([^<]+)<", text)
    assert prepaid and due, text
    return Decimal(prepaid.group(1)), Decimal(due.group(1))


#: the VAT situations an invoice can be in: standard and zero rates mixed, or one category for the whole invoice
#: (exempt, reverse charge, intra-community supply, export, outside the scope of VAT: alone on its invoice)
SITUATIONS = [[k for k in KEYS if k.category in ("S", "Z")], *([k] for k in KEYS if k.category not in ("S", "Z"))]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SITUATIONS),
    st.lists(lines.map(lambda x: replace(x, unit_price=x.unit_price.quantize(Decimal("0.0001")))),
             min_size=1, max_size=4),
    st.lists(adjustments, max_size=2),
    st.sampled_from(["EUR", "JPY"]),  # 3-decimal currencies carry no XML (BR-DEC-*)
    st.sampled_from(sorted(units())),  # any code of UN/ECE Recommendations 20 and 21
    st.sampled_from([0, 0, 1, 37, 100]),  # percent of the total paid in advance (BT-113)
)
def test_generated_invoices_pass_the_official_rules_of_every_format(
    situation: list[TaxKey], given_lines: list[LineInput], given_adjustments: list[AdjustmentInput], currency: str,
    unit: str, prepaid_share: int,
) -> None:
    given_lines = [replace(x, tax=situation[int(x.quantity) % len(situation)]) for x in given_lines]
    given_adjustments = [replace(a, tax=situation[0]) for a in given_adjustments]
    oracle = expected(given_lines, given_adjustments, currency)
    if oracle is None or oracle[2] < 0:
        return
    doc = for_public_buyers(_document(given_lines, given_adjustments, currency, unit, prepaid_share))
    prepaid = doc.totals.prepaid
    assert 0 <= prepaid <= max(oracle[2], 0)
    for fmt in ISSUED_FORMATS:
        try:
            xml = einvoice_xml(doc, fmt)
        except ValidationError as refused:
            # Peppol checks line amounts (R120) and percent allowances/charges (R040) to the cent: a yen amount rounded
            # to whole yen may be refused, first
            assert (fmt, currency) == (EInvoiceFormat.PEPPOL, "JPY")
            assert "PEPPOL-EN16931-R120" in str(refused) or "PEPPOL-EN16931-R040" in str(refused)
            continue
        check = validate(xml, fmt)
        assert check.ok, (fmt, [str(e) for e in check.errors])
        # BT-115 = BT-112 - BT-113 (+ BT-114, none here), independently of the engine's payable
        assert _stated(xml) == (from_minor(prepaid, currency), from_minor(oracle[2] - prepaid, currency)), fmt
