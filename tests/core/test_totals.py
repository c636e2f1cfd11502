"""EN 16931 totals: line nets rounded once, VAT once per (category, rate), or per line as an option."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicer.core.errors import ValidationError
from invoicer.core.totals import AdjustmentInput, LineInput, TaxKey, TaxRounding, compute_totals

S19 = TaxKey("S", Decimal("19"))
S7 = TaxKey("S", Decimal("7"))
Z = TaxKey("Z", Decimal("0"))


def test_domain_example_half_up() -> None:
    totals = compute_totals([LineInput(Decimal("1"), Decimal("1460.50"), TaxKey("S", Decimal("25")))], [], "EUR")
    assert totals.tax_total == 36513  # 365.125 -> 365.13
    assert totals.total == 146050 + 36513


def test_document_rounding_differs_from_summing_line_tax() -> None:
    # two lines of 0.10 at 7 %: per line 0.007 -> 0.01 each = 0.02; per document 0.20 x 7 % = 0.014 -> 0.01
    lines = [LineInput(Decimal("1"), Decimal("0.10"), S7)] * 2
    doc = compute_totals(lines, [], "EUR", TaxRounding.DOCUMENT)
    per_line = compute_totals(lines, [], "EUR", TaxRounding.LINE)
    assert doc.tax_total == 1
    assert per_line.tax_total == 2
    assert [la.tax for la in per_line.lines] == [1, 1]


def test_unit_price_is_not_rounded_but_line_net_is() -> None:
    totals = compute_totals([LineInput(Decimal("3"), Decimal("0.3333"), S19)], [], "EUR")
    assert totals.lines[0].net == 100  # 0.9999 -> 1.00
    assert totals.subtotal == 100


def test_discounts_charges_and_breakdown_per_rate() -> None:
    lines = [
        LineInput(Decimal("3"), Decimal("120.00"), S19, discount_percent=Decimal("10")),
        LineInput(Decimal("2"), Decimal("14.995"), S7),
        LineInput(Decimal("1"), Decimal("50"), Z),
    ]
    adjustments = [
        AdjustmentInput(Decimal("5.00"), S19, is_charge=True),
        AdjustmentInput(Decimal("20.00"), S19, is_charge=False),
    ]
    t = compute_totals(lines, adjustments, "EUR")
    assert [la.net for la in t.lines] == [32400, 2999, 5000]
    assert t.lines[0].discount == 3600
    assert t.subtotal == 40399
    assert (t.allowance_total, t.charge_total) == (2000, 500)
    assert t.tax_basis == 40399 - 2000 + 500
    by_key = {(x.category, x.rate): (x.basis, x.amount) for x in t.taxes}
    assert by_key[("S", Decimal(19))] == (30900, 5871)  # (324.00 - 20.00 + 5.00) x 19 % = 58.71
    assert by_key[("S", Decimal(7))] == (2999, 210)
    assert by_key[("Z", Decimal(0))] == (5000, 0)
    assert t.tax_total == sum(x.amount for x in t.taxes)
    assert t.total == t.tax_basis + t.tax_total


def test_jpy_has_no_decimals() -> None:
    t = compute_totals([LineInput(Decimal("3"), Decimal("333.5"), TaxKey("S", Decimal("10")))], [], "JPY")
    assert t.lines[0].net == 1001  # 1000.5 -> 1001
    assert t.tax_total == 100  # 100.1 -> 100
    assert t.total == 1101


def test_bhd_has_three_decimals() -> None:
    t = compute_totals([LineInput(Decimal("1"), Decimal("1.2345"), TaxKey("S", Decimal("10")))], [], "BHD")
    assert t.lines[0].net == 1235
    assert t.tax_total == 124  # 0.1235 -> 0.124 (half-up)


@pytest.mark.parametrize(
    ("category", "rate"), [("S", "0"), ("Z", "7"), ("AE", "19"), ("X", "5"), ("S", "100"), ("S", "-1")]
)
def test_invalid_tax_keys_are_refused(category: str, rate: str) -> None:
    with pytest.raises(ValidationError):
        TaxKey(category, Decimal(rate))


def test_rate_spelling_does_not_split_the_breakdown() -> None:
    a = LineInput(Decimal("1"), Decimal("10"), TaxKey("S", Decimal("19")))
    b = LineInput(Decimal("1"), Decimal("10"), TaxKey("S", Decimal("19.00")))
    assert len(compute_totals([a, b], [], "EUR").taxes) == 1


def test_discount_larger_than_line_and_allowance_larger_than_basis_are_refused() -> None:
    with pytest.raises(ValidationError):
        compute_totals([LineInput(Decimal("1"), Decimal("5"), S19, discount_amount=600)], [], "EUR")
    with pytest.raises(ValidationError):
        compute_totals(
            [LineInput(Decimal("1"), Decimal("5"), S19)], [AdjustmentInput(Decimal("6"), S19, False)], "EUR"
        )


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=4, allow_nan=False)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999"), places=4, allow_nan=False)
keys = st.sampled_from([S19, S7, Z, TaxKey("S", Decimal("20")), TaxKey("AE", Decimal("0"))])
line_inputs = st.builds(LineInput, quantities, amounts, keys)


@settings(max_examples=300)
@given(st.lists(line_inputs, min_size=1, max_size=12), st.sampled_from(["EUR", "JPY", "BHD"]),
       st.sampled_from(list(TaxRounding)))
def test_totals_always_add_up(lines: list[LineInput], currency: str, rounding: TaxRounding) -> None:
    t = compute_totals(lines, [], currency, rounding)
    assert t.subtotal == sum(la.net for la in t.lines)
    assert sum(x.basis for x in t.taxes) == t.tax_basis == t.subtotal
    assert t.tax_total == sum(x.amount for x in t.taxes)
    assert t.total == t.tax_basis + t.tax_total
    assert all(isinstance(v, int) for v in (t.subtotal, t.tax_total, t.total))
    for x in t.taxes:
        exact = Decimal(x.basis) * x.rate / 100
        # document rounding is within half a unit; per-line within half a unit per line
        slack = Decimal("0.5") if rounding is TaxRounding.DOCUMENT else Decimal("0.5") * len(lines)
        assert abs(Decimal(x.amount) - exact) <= slack


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(min_value=1, max_value=10**9),
    shares=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=6),
    rate=st.sampled_from([Decimal("19"), Decimal("7"), Decimal("20"), Decimal("5.5"), Decimal("21"), Decimal("2.1")]),
)
def test_a_final_invoice_completes_the_whole_works_vat_to_the_cent(whole: int, shares: list[int], rate: Decimal) -> None:
    """Advances (deposit, partial invoices) each taxed on their own, then the final invoice: its VAT per rate is
    the whole work's less theirs, so together they state exactly the whole work's VAT, and each stays within
    EN 16931's tolerance of its own basis x rate (under one currency unit, BR-S-09)."""
    from invoicer.core.totals import _tax_on, final_taxes

    key = TaxKey("S", rate)
    total_share = sum(shares)
    advances = [whole * share // (total_share * 2) for share in shares]  # up to half the work, in pieces
    taxed = [(basis, _tax_on(basis, rate, "EUR", None)) for basis in advances]
    rest = whole - sum(advances)
    stated = final_taxes({key: rest}, {key: (sum(b for b, _ in taxed), sum(v for _, v in taxed))}, "EUR")[key]
    assert stated + sum(v for _, v in taxed) == _tax_on(whole, rate, "EUR", None)
    assert abs(stated - _tax_on(rest, rate, "EUR", None)) < 100
    totals = compute_totals([LineInput(Decimal(rest) / 100, Decimal(1), key)], [], "EUR", stated_taxes={key: stated})
    assert totals.taxes[0].amount == stated
