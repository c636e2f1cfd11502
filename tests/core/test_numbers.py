"""Numbers read as people write them in files: every supported locale, accounting negatives, spaces and
apostrophes grouping; what a file does not decide is refused, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from invoicer.core.errors import ValidationError
from invoicer.core.numbers import NumberReader

#: the app's interface languages and the document locales the settings offer
LOCALES = ("en", "de", "fr", "es", "en_US", "en_GB", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_BE", "fr_CH",
           "es_ES", "it_IT", "it_CH", "nl_NL")

amounts = st.decimals(min_value=Decimal("-999999999.9999"), max_value=Decimal("999999999.9999"), places=4,
                      allow_nan=False, allow_infinity=False)


def written(value: Decimal, locale: str) -> str:
    return str(format_decimal(value, locale=locale, decimal_quantization=False))


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("12,50", "de_DE", "12.50"),
    ("1.234,50 €", "de_DE", "1234.50"),
    ("(12,50)", "de_DE", "-12.50"),
    ("12,50-", "de_DE", "-12.50"),
    ("−12,50", "de_DE", "-12.50"),
    ("1\u202f234,50", "fr_FR", "1234.50"),
    ("1\u00a0234,50", "fr_FR", "1234.50"),
    ("1 234,50", "fr_FR", "1234.50"),
    ("1'234.50", "de_CH", "1234.50"),
    ("CHF 1’234.50", "de_CH", "1234.50"),
    ("1,234.50", "en_US", "1234.50"),
    ("$(1,234.50)", "en_US", "-1234.50"),
    ("9.99 EUR", "de_DE", "9.99"),  # in a file of its own a dot before two digits can only be a decimal point
    ("19 %", "de_DE", "19"),
])
def test_one_number_alone(text: str, locale: str, expected: str) -> None:
    assert NumberReader([text], locale).read(text, "price") == Decimal(expected)


@pytest.mark.parametrize("text", ["1.2.3", "abc", "", "1e5", "12,5,0", "--3", "1,23,456"])
def test_what_is_no_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="is not a number"):
        NumberReader([text], "de_DE").read(text, "price")


def test_the_file_decides_the_separator() -> None:
    german = NumberReader(["1,234", "12,50"], "en_US")
    assert german.read("1,234", "price") == Decimal("1.234")
    english = NumberReader(["1,234", "12.50"], "de_DE")
    assert english.read("1,234", "price") == Decimal(1234)


@pytest.mark.parametrize("text", ["1,234", "1.234", "120.000"])
def test_what_the_file_does_not_decide_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="could be"):
        NumberReader([text, "100"], "de_DE").read(text, "price")


@given(values=st.lists(amounts, min_size=1, max_size=8), locale=st.sampled_from(LOCALES))
def test_a_file_written_in_a_locale_reads_back_equal(values: list[Decimal], locale: str) -> None:
    # one number with two decimals shows the decimal separator, as any real price list does
    texts = [written(value, locale) for value in values] + [written(Decimal("12.50"), locale)]
    reader = NumberReader(texts, locale)
    assert [reader.read(text, "price") for text in texts[:-1]] == values


@given(value=amounts, locale=st.sampled_from(LOCALES))
def test_one_number_reads_back_equal_or_is_refused_never_misread(value: Decimal, locale: str) -> None:
    text = written(value, locale)
    try:
        assert NumberReader([text], locale).read(text, "price") == value
    except ValidationError as error:
        assert "could be" in str(error) and format(value.copy_abs().normalize(), "f") in str(error)


@given(value=amounts, locale=st.sampled_from(LOCALES))
def test_currency_and_accounting_forms_read_back_equal(value: Decimal, locale: str) -> None:
    value = value.quantize(Decimal("0.01"))
    hint = str(format_currency(Decimal("12.50"), "EUR", locale=locale))
    forms = [
        str(format_currency(value, "EUR", locale=locale)),
        str(format_currency(value, "EUR", locale=locale, format_type="accounting")),
        f"({written(abs(value), locale)})" if value else written(value, locale),
        f"{written(abs(value), locale)}-" if value else written(value, locale),
    ]
    reader = NumberReader([*forms, hint], locale)
    for text in forms[:2]:
        assert reader.read(text, "price") == value
    for text in forms[2:]:
        assert reader.read(text, "price") == -abs(value)
