"""A line's percent discount is taken on the rounded gross the e-invoice states as its basis."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.money import round_half_up, to_minor
from invoicer.core.totals import LineInput, TaxKey, TaxRounding, line_amounts

S19 = TaxKey("S", Decimal("19"))


def test_a_full_discount_of_half_a_cent_gross_leaves_zero() -> None:
    amounts = line_amounts(LineInput(Decimal(1), Decimal("10.005"), S19, Decimal(100)), "EUR", TaxRounding.DOCUMENT)
    assert (amounts.gross, amounts.discount, amounts.net) == (1001, 1001, 0)


def test_half_off_a_half_cent_gross_is_half_of_the_stated_basis() -> None:
    amounts = line_amounts(LineInput(Decimal(1), Decimal("10.005"), S19, Decimal(50)), "EUR", TaxRounding.DOCUMENT)
    assert (amounts.gross, amounts.discount, amounts.net) == (1001, 501, 500)


@given(
    quantity=st.decimals(Decimal("0.0001"), Decimal(1000), places=4),
    price=st.decimals(Decimal(0), Decimal(10000), places=4),
    percent=st.decimals(Decimal(0), Decimal(100), places=2),
)
def test_stated_basis_percent_and_amount_agree(quantity: Decimal, price: Decimal, percent: Decimal) -> None:
    amounts = line_amounts(LineInput(quantity, price, S19, percent), "EUR", TaxRounding.DOCUMENT)
    basis = amounts.net + amounts.discount  # what the XML states as the allowance's BasisAmount
    assert basis == amounts.gross
    assert amounts.discount == to_minor(round_half_up(Decimal(basis) / 100, 2) * percent / 100, "EUR")
    assert amounts.net >= 0
