"""Exact money: currency exponents, half-up rounding, parsing user input."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.errors import ValidationError
from invoicer.core.money import exponent, format_minor, from_minor, parse_amount, round_money, to_minor


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("JPY", 0), ("BHD", 3), ("USD", 2), ("CHF", 2)])
def test_exponent_follows_the_currency(currency: str, places: int) -> None:
    assert exponent(currency) == places


def test_half_up_not_bankers() -> None:
    # DOMAIN.md: 1460.50 x 25 % = 365.125 -> 365.13
    assert round_money(Decimal("1460.50") * Decimal("0.25"), "EUR") == Decimal("365.13")
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert round_money(Decimal("-0.125"), "EUR") == Decimal("-0.13")  # away from zero
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_money(Decimal("1.0005"), "BHD") == Decimal("1.001")


def test_minor_units_round_trip() -> None:
    assert to_minor(Decimal("1234.5"), "EUR") == 123450
    assert format_minor(123450, "EUR") == "1234.50"
    assert format_minor(1234, "JPY") == "1234"
    assert format_minor(1234, "BHD") == "1.234"
    assert format_minor(-5, "EUR") == "-0.05"


@given(st.integers(min_value=-10**15, max_value=10**15), st.sampled_from(["EUR", "JPY", "BHD"]))
def test_from_minor_to_minor_is_identity(minor: int, currency: str) -> None:
    assert to_minor(from_minor(minor, currency), currency) == minor
    assert parse_amount(format_minor(minor, currency), currency) == minor


@pytest.mark.parametrize("text", ["abc", "1,5", "", "nan", "inf", "1e", "--1"])
def test_junk_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_amount(text, "EUR")


def test_more_decimals_than_the_currency_has_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        parse_amount("1.001", "EUR")
    with pytest.raises(ValidationError, match="more than 0 decimal places"):
        parse_amount("100.5", "JPY")
    assert parse_amount("1.000", "EUR") == 100  # trailing zeros are harmless
