"""Numbers, amounts and short dates written from the locale's record (no Babel at start) are exactly Babel's; a pattern
the record does not reproduce is left to Babel; a damaged or foreign record file is made again. An edited catalog is
compiled again."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from copy import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import babel
import pytest
from babel import Locale
from babel.dates import format_date as babel_date
from babel.numbers import format_decimal, parse_pattern

from invoicer import i18n
from invoicer.core.money import exponent

LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "en", "de", "fr", "es", "en_GB", "de_AT", "en_IN", "nl_NL", "it_IT",
           "pt_BR", "fr_BE", "ja_JP", "sv_SE", "ar_EG", "fa_IR")
SWISS = ("de_CH", "fr_CH", "it_CH")  # their group symbol is an apostrophe, which Babel 2.19 treats as a quote
CURRENCIES = ("EUR", "USD", "JPY", "CHF", "BHD", "INR", "GBP", "SEK", "HUF", "XYZ")  # XYZ: no symbol, shown by code
AMOUNTS = ("0", "0.00", "-0.00", "1", "-1", "0.01", "-0.01", "0.005", "0.015", "0.0125", "0.5", "2.5", "1234.5",
           "-1234.5", "999.995", "1000", "12345.678", "-1234567.891", "100000", "1234567890.12",
           "-98765432109876.54", "0.000001")
DATES = (date(2026, 1, 5), date(2026, 12, 28), date(1999, 7, 31), date(987, 3, 4), date(2030, 10, 1))


@pytest.fixture(autouse=True)
def fresh_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Records kept in a cache folder of this test's, none in memory before or after."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(i18n, "cache_dir", lambda: folder)
    i18n.locale_formats.cache_clear()
    i18n._currency_shape.cache_clear()
    yield folder / "formats"
    i18n.locale_formats.cache_clear()
    i18n._currency_shape.cache_clear()


def babel_amount(value: Decimal, currency: str, locale: str, exact: bool = False) -> str:
    """Babel's own: the locale's currency pattern with the currency's decimals."""
    pattern = copy(parse_pattern(Locale.parse(locale).currency_formats["standard"]))
    pattern.frac_prec = (exponent(currency),) * 2
    return str(pattern.apply(value, locale, currency=currency, currency_digits=False, decimal_quantization=not exact))


def babel_price(value: Decimal, currency: str, locale: str) -> str:
    pattern = copy(parse_pattern(Locale.parse(locale).decimal_formats[None]))
    places = exponent(currency)
    pattern.frac_prec = (places, max(places, pattern.frac_prec[1]))
    return str(pattern.apply(value, locale, decimal_quantization=False))


def babel_short_date(value: date, locale: str) -> str:
    return babel_date(value, format=re.sub(r"y+", "yyyy", Locale.parse(locale).date_formats["short"].pattern),
                      locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_amounts_numbers_and_dates_are_written_as_babel_writes_them(locale: str) -> None:
    for currency in CURRENCIES:
        assert i18n._currency_shape(locale, exponent(currency), currency) is not None  # not left to Babel
        for text in AMOUNTS:
            value = Decimal(text)
            for exact in (False, True):
                assert i18n.format_amount(value, currency, locale, exact) == babel_amount(value, currency, locale,
                                                                                          exact), (text, currency)
            assert i18n.format_price(value, currency, locale) == babel_price(value, currency, locale), text
    for text in AMOUNTS:
        assert i18n.format_number(Decimal(text), locale) == format_decimal(Decimal(text), locale=locale,
                                                                           decimal_quantization=False)
    for whole in (0, 7, -42, 1234567):
        assert i18n.format_number(whole, locale) == format_decimal(whole, locale=locale, decimal_quantization=False)
    assert i18n.format_money(-123456789, "EUR", locale) == babel_amount(Decimal("-1234567.89"), "EUR", locale)
    formats = i18n.locale_formats(locale)
    assert formats is not None and formats.short_date is not None
    for day in DATES:
        assert i18n.format_date(day, locale, "short") == babel_short_date(day, locale)


def babel_with_apostrophe(monkeypatch: pytest.MonkeyPatch, write: Callable[[], str]) -> str:
    """What Babel writes with the locale's group symbol, had it not taken two apostrophes for quotes: written with a
    stand-in symbol, then the apostrophe put back."""
    import babel.numbers

    group = babel.numbers.get_group_symbol
    with monkeypatch.context() as patch:
        patch.setattr(babel.numbers, "get_group_symbol",
                      lambda *args, **kwargs: group(*args, **kwargs).replace("'", "\x00"))
        return write().replace("\x00", "'")


@pytest.mark.parametrize("locale", SWISS)
def test_a_swiss_amount_keeps_every_group_symbol(locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # CLDR 48 made the Swiss group symbol an ASCII apostrophe; Babel 2.19 drops the apostrophes around the middle
    # group ("CHF 1234567.25"); the record writes each one, otherwise exactly as Babel
    formats = i18n.locale_formats(locale)
    assert formats is not None and formats.number is not None and formats.currency is not None
    assert formats.number.group == "'"
    for text in AMOUNTS:
        value = Decimal(text)
        for currency in ("CHF", "EUR", "JPY"):
            assert i18n.format_amount(value, currency, locale) == babel_with_apostrophe(
                monkeypatch, lambda v=value, c=currency: babel_amount(v, c, locale)), (text, currency)
        assert i18n.format_number(value, locale) == babel_with_apostrophe(
            monkeypatch, lambda v=value: format_decimal(v, locale=locale, decimal_quantization=False)), text
        assert i18n.format_price(value, "CHF", locale) == babel_with_apostrophe(
            monkeypatch, lambda v=value: babel_price(v, "CHF", locale)), text
    assert i18n.format_money(123456725, "CHF", "de_CH") == "CHF\xa01'234'567.25"
    assert i18n.format_number(Decimal("1234567890.5"), locale).startswith("1'234'567'890")
    assert i18n.format_date(DATES[0], locale, "short") == babel_short_date(DATES[0], locale)


def test_what_the_record_does_not_reproduce_babel_formats() -> None:
    # a date with an era (Latin: "d M yyyy G")
    latin = i18n.locale_formats("la")
    assert latin is not None and latin.short_date is None
    assert i18n.format_date(DATES[0], "la", "short") == babel_short_date(DATES[0], "la")
    # infinity
    assert i18n.format_amount(Decimal("Infinity"), "EUR", "de_DE") == babel_amount(Decimal("Infinity"), "EUR", "de_DE")


def test_a_currency_pattern_with_the_plural_name_is_left_to_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    english = i18n.locale_formats("en_US")
    assert english is not None and english.currency is not None
    named = replace(english, currency=replace(english.currency, prefix=("¤¤¤ ", "-¤¤¤ ")))
    with monkeypatch.context() as patch:
        patch.setattr(i18n, "locale_formats", lambda name: named)
        assert i18n._currency_shape("en_US", 2, "EUR") is None


def test_the_record_is_kept_and_read_back_as_babel_gave_it(fresh_records: Path) -> None:
    taken = i18n.locale_formats("de_DE")
    [kept] = fresh_records.glob("de_DE-babel-*.json")
    assert kept.name == f"de_DE-babel-{babel.__version__}.json"  # Babel's version, read without importing it
    i18n.locale_formats.cache_clear()
    assert i18n.locale_formats("de_DE") == taken == i18n._take_from_babel("de_DE")
    assert i18n.normalize_locale("de-de.UTF-8") == "de_DE" and i18n.normalize_locale("xx_Nowhere") == "en_US"


@pytest.mark.parametrize("content", [
    b"damaged", b"", b"[1, 2]", b"null", b'{"record": 1}',
    "\ufeff{\"unicode\": \"only\"}".encode(),
])
def test_a_damaged_or_foreign_record_is_made_again(fresh_records: Path, content: bytes) -> None:
    taken = i18n.locale_formats("de_DE")
    [kept] = fresh_records.glob("de_DE-babel-*.json")
    kept.write_bytes(content)
    i18n.locale_formats.cache_clear()
    assert i18n.locale_formats("de_DE") == taken
    assert json.loads(kept.read_bytes())["locale"] == "de_DE"  # made again


@pytest.mark.parametrize(("field", "value"), [
    ("babel", "0.0"), ("name", "fr_FR"), ("record", 0), ("locale", 5), ("symbols", ["EUR"]), ("short_date", "d.M.y"),
    ("short_date", [["d", 2], ["MMM", 1]]), ("short_date", [["M", 3]]), ("currency", {"prefix": ["", "-"]}),
])
def test_a_record_of_another_kind_is_made_again(fresh_records: Path, field: str, value: object) -> None:
    taken = i18n.locale_formats("de_DE")
    [kept] = fresh_records.glob("de_DE-babel-*.json")
    record = json.loads(kept.read_bytes())
    record[field] = value
    kept.write_text(json.dumps(record), encoding="utf-8")
    i18n.locale_formats.cache_clear()
    assert i18n.locale_formats("de_DE") == taken
    assert json.loads(kept.read_bytes())[field] != value


def test_grouping_of_zero_is_refused(fresh_records: Path) -> None:
    i18n.locale_formats("en_US")
    [kept] = fresh_records.glob("en_US-babel-*.json")
    record = json.loads(kept.read_bytes())
    record["number"]["grouping"] = [0, 3]  # would never end
    kept.write_text(json.dumps(record), encoding="utf-8")
    i18n.locale_formats.cache_clear()
    assert i18n.format_number(1234567, "en_US") == "1,234,567"


def test_an_edited_catalog_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = tmp_path / "resources"
    folder = resources / "locale" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    monkeypatch.setattr(i18n, "resources_dir", lambda: resources)

    def catalog(translation: str) -> str:
        (folder / "gui.po").write_text(f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                       f'msgid "Invoices"\nmsgstr "{translation}"\n', encoding="utf-8")
        i18n.translator.cache_clear()
        return i18n.translator("de_DE").gettext("Invoices")

    try:
        assert catalog("Rechnungen") == "Rechnungen"
        assert catalog("Rechnungen") == "Rechnungen"  # read compiled
        assert catalog("Faktura") == "Faktura"  # edited: compiled again
        assert [path.name.startswith("de-") for path in (tmp_path / "cache" / "locale").iterdir()] == [True]
    finally:
        i18n.translator.cache_clear()


@pytest.mark.parametrize("lang", [lang for lang in i18n.SUPPORTED_LANGUAGES if lang != "en"])
def test_the_kept_catalog_answers_as_gettext_reading_the_compiled_mo_file(lang: str) -> None:
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    files = sorted((i18n.resources_dir() / "locale" / lang / "LC_MESSAGES").glob("*.po"))
    catalog = i18n.Catalog.read(json.dumps(i18n.compile_catalogs(lang, [po.read_bytes() for po in files]).kept()))
    singular, plural = set(), set()
    for po in files:
        mo = io.BytesIO()
        write_mo(mo, read_po(io.BytesIO(po.read_bytes()), locale=lang))
        reference = gettext.GNUTranslations(io.BytesIO(mo.getvalue()))
        for message in read_po(io.BytesIO(po.read_bytes()), locale=lang):
            if isinstance(message.id, str) and message.id:
                singular.add(message.id)
                assert catalog.gettext(message.id) == reference.gettext(message.id)
            elif message.id:
                plural.add(message.id[0])
                for n in (0, 1, 2, 5, 21, 101):
                    assert catalog.ngettext(*message.id, n) == reference.ngettext(*message.id, n), (message.id, n)
    assert len(singular) > 1000 and len(plural) > 10  # every file's messages were compared
    assert catalog.gettext("no such message") == "no such message"
    assert catalog.ngettext("one thing", "{n} things", 2) == "{n} things"
