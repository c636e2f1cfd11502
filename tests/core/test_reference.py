"""Code lists come from the sources EN 16931 names, not from CLDR: currencies (ISO 4217 minor units),
countries, units (Rec 20/21), VAT categories and VATEX codes, each with its source and version in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from invoicer.core import reference
from invoicer.core.errors import ValidationError
from invoicer.core.money import exponent, format_minor
from invoicer.core.units import UNIT_NAMES, unit_code
from invoicer.i18n import format_money

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("code", ["HRK", "DEM", "FRF", "ITL", "ESP", "XXX", "XAU", "EURO"])
def test_withdrawn_and_non_currencies_are_not_valid_for_new_invoices(code: str) -> None:
    assert not reference.is_currency(code)


@pytest.mark.parametrize(("code", "digits"), [
    ("HUF", 2), ("IDR", 2), ("COP", 2), ("IQD", 3),  # CLDR says 0 for all four
    ("EUR", 2), ("JPY", 0), ("BHD", 3), ("CLF", 4),
])
def test_minor_units_are_iso_4217s(code: str, digits: int) -> None:
    assert reference.is_currency(code)
    assert reference.minor_units(code) == exponent(code) == digits


def test_amounts_are_shown_with_the_iso_4217_decimals() -> None:
    assert format_minor(123456, "HUF") == "1234.56"
    assert format_money(123456, "HUF", "de_DE") == "1.234,56\xa0HUF"
    assert format_money(123456, "JPY", "en_US") == "¥123,456"


def test_a_withdrawn_currency_keeps_its_digits_for_stored_amounts() -> None:
    assert reference.minor_units("HRK") == 2 and format_minor(1999, "HRK") == "19.99"


@pytest.mark.parametrize("code", ["XK", "AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "ZZ"])
def test_territories_outside_the_en16931_list_are_not_countries(code: str) -> None:
    assert not reference.is_country(code)


def test_kosovo_is_1a_and_northern_ireland_xi() -> None:
    assert reference.is_country("1A") and reference.is_country("XI") and reference.is_country("DE")
    assert reference.country_name("1A", {"XK": "Kosovo"}) == "Kosovo"
    assert reference.country_name("XI", {}) == "United Kingdom (Northern Ireland)"


def test_every_rec_20_and_21_unit_is_accepted() -> None:
    assert len(reference.units()) == 2162
    assert set(UNIT_NAMES) <= reference.units()
    assert unit_code("KWT") == "KWT" and unit_code("xbx") == "XBX"  # kilowatt, box (Rec 21)
    assert unit_code("t") == "TNE" and unit_code("hour") == "HUR"  # friendly names win over codes
    with pytest.raises(ValidationError, match="Unknown unit"):
        unit_code("bucket")


def test_common_units_have_names_in_every_language() -> None:
    from invoicer.documents.wording import Wording
    from invoicer.i18n import translator
    from tests.catalogs import translations

    def wording(locale: str) -> Wording:
        return Wording(locale, "EUR", translator(locale))

    assert [unit_code(name) for name in ("kW", "MWh", "box", "pallet", "person", "%", "working day")] == [
        "KWT", "MWH", "XBX", "XPX", "IE", "P1", "E49"]
    words = {name for name in UNIT_NAMES.values() if name.isalpha() and name.islower() and len(name) > 2}
    for language in ("de", "fr", "es"):
        assert words <= set(translations(language)), language  # symbols (kg, kW, m²) are the same everywhere
    assert wording("de_DE").unit("XBX") == "Schachtel" and wording("fr_FR").unit("XPX") == "palette"
    assert wording("de_DE").unit("ZZ") == "ZZ"  # a code without a common name is shown as its code


def test_vat_categories_and_exemption_reasons() -> None:
    assert reference.vat_categories() == {"S", "Z", "E", "AE", "K", "G", "O", "L", "M"}
    assert {"VATEX-EU-IC", "VATEX-EU-AE", "VATEX-EU-G", "VATEX-EU-O"} <= reference.vatex_codes()


def test_the_readme_names_each_source_with_its_version() -> None:
    text = README.read_text(encoding="utf-8")
    assert str(reference.en16931_source()) in text
    assert str(reference.ISO4217_SOURCE) in text


def test_the_written_out_iso_4217_list_is_the_installed_packages() -> None:
    """The minor units are written out in core/reference (the start does not load the package's list): they
    must be the package's, every currency and its digits, and its publication date."""
    from iso4217 import Currency
    from iso4217 import __published__ as published

    package = {name.upper(): member.exponent for name, member in Currency.__members__.items()}
    assert {code: digits for code, digits in package.items() if digits is not None} == {
        code: reference.minor_units(code) for code in reference._ISO4217_CODES
    }
    for code, digits in package.items():
        assert reference._iso_minor_units(code) == digits
    assert f"{published:%Y-%m-%d}" == reference.ISO4217_PUBLISHED


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "fr_FR", "es_ES", "de_CH", "en_IN"])
def test_amounts_read_as_babels_currency_format_writes_them_for_every_currency(
        locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The currency's symbol is written into the app's cached pattern (faster lists): the text stays Babel's, except
    that a Swiss group apostrophe is kept where Babel 2.19 takes two of them for quotes (tests/test_i18n.py)."""
    from copy import copy
    from decimal import Decimal

    import babel.numbers
    from babel import Locale
    from babel.numbers import parse_pattern

    from invoicer.i18n import format_amount, locale_formats

    locale_formats(locale)  # the locale's record taken before Babel's group symbol is stood in for below
    group = babel.numbers.get_group_symbol
    monkeypatch.setattr(babel.numbers, "get_group_symbol",
                        lambda *args, **kwargs: group(*args, **kwargs).replace("'", "\x00"))

    for code in sorted(reference.currencies()):
        pattern = copy(parse_pattern(Locale.parse(locale).currency_formats["standard"]))
        pattern.frac_prec = (exponent(code), exponent(code))
        for value in (Decimal("-1234567.891"), Decimal("0.5"), Decimal("0")):
            assert format_amount(value, code, locale) == pattern.apply(value, locale, currency=code,
                                                                        currency_digits=False).replace("\x00", "'")
