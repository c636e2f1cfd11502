"""Translations (gettext ``_``, ``N_``, ``ngettext``, errors in the interface language) and Babel formatting
of money, dates and numbers.

Catalogs are the ``.po`` files under ``resources/locale/<lang>/LC_MESSAGES/`` (one per area, e.g.
``gui.po``, ``documents.po``, merged). No generated ``.mo`` file is kept in the repository: the merged catalog is
compiled once and kept in the user's cache folder under a name made from the ``.po`` files' content, so a start
reads the compiled ``.mo`` (a new or edited catalog compiles again; parsing the ``.po`` files took most of a
non-English start).
The GUI language is the user's; documents use a translator for the customer's locale.
"""

from __future__ import annotations

import gettext
import io
import locale as _locale
import os
import re
import struct
from copy import copy
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.numbers import NumberPattern, format_decimal, get_currency_symbol, parse_pattern

from invoicer.core.errors import N_ as N_  # one marker for the whole app; the core cannot import this module
from invoicer.core.errors import InvoicerError
from invoicer.core.money import exponent, from_minor
from invoicer.paths import cache_dir, resources_dir

SUPPORTED_LANGUAGES = ("en", "de", "fr", "es")

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_locale = "en_US"


@cache
def translator(locale: str) -> gettext.NullTranslations:
    """The catalog for a locale such as ``de_DE`` or ``fr`` (English falls back to the source text)."""
    lang = locale.replace("-", "_").split("_")[0].lower()
    folder = resources_dir() / "locale" / lang / "LC_MESSAGES"
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if not files:
        return gettext.NullTranslations()
    import hashlib  # here: an English start reads no catalog

    sources = [po.read_bytes() for po in files]
    key = hashlib.sha256()
    for po, text in zip(files, sources, strict=True):
        key.update(po.name.encode() + b"\0" + text + b"\0")
    compiled = cache_dir() / "locale" / f"{lang}-{key.hexdigest()[:32]}.mo"
    try:
        return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))
    except (OSError, ValueError, struct.error):  # not compiled yet, or a damaged file: compile again
        pass
    mo = compile_catalogs(lang, sources)
    try:
        compiled.parent.mkdir(parents=True, exist_ok=True)
        partial = compiled.with_name(f"{compiled.name}.{os.getpid()}.tmp")
        partial.write_bytes(mo)
        partial.replace(compiled)
        for old in compiled.parent.glob(f"{lang}-*.mo"):
            if old != compiled:
                old.unlink(missing_ok=True)  # an earlier version's catalog
    except OSError:
        pass  # a read-only cache: compiled in memory at every start, as before
    return gettext.GNUTranslations(io.BytesIO(mo))


def compile_catalogs(lang: str, sources: list[bytes]) -> bytes:
    """The ``.po`` files' texts merged (a later file adds its translations) and compiled to ``.mo`` bytes."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = None
    for text in sources:
        catalog = read_po(io.BytesIO(text), locale=lang)
        if merged is None:
            merged = catalog
        else:
            for message in catalog:
                if message.id and message.string:
                    merged[message.id] = message
    assert merged is not None  # there was at least one file
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    return buffer.getvalue()


def system_locale() -> str:
    """The user's locale from the environment (LANGUAGE/LC_ALL/LANG), ``en_US`` if none."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return normalize_locale(value.split(":")[0].split(".")[0])
    found = _locale.getlocale()[0]
    return normalize_locale(found) if found else "en_US"


def normalize_locale(value: str) -> str:
    """``de-de`` / ``de_DE.UTF-8`` -> ``de_DE``; unknown locales fall back to ``en_US``."""
    try:
        return str(Locale.parse(value.split(".")[0].replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en_US"


def is_locale(value: str) -> bool:
    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def set_language(locale: str | None) -> str:
    """Switch the user-interface language (None: follow the system). Returns the locale in use."""
    global _current, _current_locale
    _current_locale = normalize_locale(locale) if locale else system_locale()
    _current = translator(_current_locale)
    return _current_locale


def current_locale() -> str:
    return _current_locale


def _(message: str) -> str:
    """Translate a user-interface message into the current language."""
    return _current.gettext(message)


def error_text(error: InvoicerError) -> str:
    """What an error says in the current interface language (``str(error)`` stays English)."""
    return error.text.render(_current.gettext)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """``123450, "EUR", "de_DE"`` -> ``1.234,50 €`` with the currency's own decimals."""
    return format_amount(from_minor(minor, currency), currency, locale)


@cache
def _currency_pattern(locale: str, places: int, currency: str) -> tuple[NumberPattern, bool]:
    """The locale's currency format with ``places`` decimals and, where it shows the currency by symbol or code, that
    symbol or code written in (True): Babel's ``apply`` would otherwise work out the currency's plural name for every
    amount, even for a pattern without one, which took a fifth of formatting an amount in the lists."""
    pattern = copy(parse_pattern(Locale.parse(locale).currency_formats["standard"]))
    pattern.frac_prec = (places, places)
    if "¤¤¤" in "".join(pattern.prefix + pattern.suffix):  # a plural name: left to Babel
        return pattern, False
    symbol = get_currency_symbol(currency, locale)

    def written(text: str) -> str:
        return text.replace("¤¤", currency.upper()).replace("¤", symbol)

    pattern.prefix = (written(pattern.prefix[0]), written(pattern.prefix[1]))
    pattern.suffix = (written(pattern.suffix[0]), written(pattern.suffix[1]))
    return pattern, True


def format_amount(value: Decimal, currency: str, locale: str | None = None, exact: bool = False) -> str:
    """An amount in major units in the locale's currency format with the ISO 4217 decimals of the currency
    (Babel's own digits are CLDR's, which differ for HUF, IDR, IQD...); ``exact`` keeps a unit price's extra
    decimals (0.0125 stays 0.0125)."""
    where = locale or _current_locale
    pattern, written = _currency_pattern(where, exponent(currency), currency)
    return str(pattern.apply(value, where, currency=None if written else currency, currency_digits=False,
                             decimal_quantization=not exact))


def format_price(value: Decimal, currency: str, locale: str | None = None) -> str:
    """A unit price as a number to read and edit: the currency's decimals at least (``80,00``), more when it has
    them (``12,3456``), never rounded."""
    where = locale or _current_locale
    return str(_decimal_pattern(where, exponent(currency)).apply(value, where, decimal_quantization=False))


@cache
def _decimal_pattern(locale: str, places: int) -> NumberPattern:
    pattern = copy(parse_pattern(Locale.parse(locale).decimal_formats[None]))
    pattern.frac_prec = (places, max(places, pattern.frac_prec[1]))
    return pattern


def format_date(value: date | None, locale: str | None = None, fmt: str = "medium") -> str:
    """A date in the locale's ``short``/``medium``/``long`` format; ``short`` always with a four-digit year
    (``12/28/2026``, ``28.12.2026``): a two-digit year is ambiguous on documents that are kept for ten years."""
    if value is None:
        return ""
    where = locale or _current_locale
    return _babel_format_date(value, format=_short_pattern(where) if fmt == "short" else fmt, locale=where)


@cache
def _short_pattern(locale: str) -> str:
    """The locale's short date pattern with its year as four digits (CLDR ``yy`` -> ``yyyy``)."""
    pattern = Locale.parse(locale).date_formats["short"].pattern
    return re.sub(r"y+", "yyyy", pattern)


def format_number(value: Decimal | int, locale: str | None = None) -> str:
    return format_decimal(value, locale=locale or _current_locale, decimal_quantization=False)


def format_percent(rate: Decimal, locale: str | None = None) -> str:
    """A tax rate such as ``19`` -> ``19 %`` in the locale's number format."""
    return f"{format_number(rate, locale)} %"
