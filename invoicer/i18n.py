"""Translations (gettext ``_``, ``N_``, ``ngettext``, errors in the interface language) and Babel formatting
of money, dates and numbers.

Catalogs are the ``.po`` files under ``resources/locale/<lang>/LC_MESSAGES/`` (one per area, e.g.
``gui.po``, ``documents.po``, merged). No compiled catalog is kept in the repository: the merged catalog is
compiled once and kept in the user's cache folder (as JSON, ``Catalog``) under a name made from the ``.po`` files'
content, so a start reads the compiled catalog (a new or edited catalog compiles again; parsing the ``.po`` files took
most of a non-English start).
The GUI language is the user's; documents use a translator for the customer's locale.

Babel is not imported to format the first window: what writing numbers, amounts and short dates needs in a locale
(its symbols, number and currency patterns, each currency's symbol, its short date pattern) is taken from Babel once
and kept in the cache folder under a name made from the locale and Babel's version (``LocaleFormats``); a start reads
that record and writes the text itself exactly as Babel would. A pattern the record cannot reproduce (a date with an
era, quoted text in a number pattern) is formatted by Babel. One difference on purpose: a group symbol that is an
apostrophe (CLDR 48's Swiss locales: ``CHF 1'234'567.25``) is written as it is; Babel 2.19 takes the text between two
of them for quoted pattern text and drops them (``CHF 1234567.25``).
"""

from __future__ import annotations

import gettext
import importlib.util
import io
import json
import locale as _locale
import os
import re
import zlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from invoicer.core.errors import N_ as N_  # one marker for the whole app; the core cannot import this module
from invoicer.core.errors import InvoicerError
from invoicer.core.money import exponent, from_minor
from invoicer.paths import cache_dir, resources_dir

if TYPE_CHECKING:
    from babel.numbers import NumberPattern

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
    sources = [po.read_bytes() for po in files]
    # a checksum tells an edited catalog from the compiled one: importing hashlib (OpenSSL) took 4-8 ms of a start
    key = 0
    for po, text in zip(files, sources, strict=True):
        key = zlib.crc32(po.name.encode() + b"\0" + text + b"\0", key)
    compiled = cache_dir() / "locale" / f"{lang}-{key:08x}-{sum(map(len, sources))}.json"
    try:
        return Catalog.read(compiled.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):  # not compiled yet, or a damaged file: again
        pass
    catalog = compile_catalogs(lang, sources)
    try:
        compiled.parent.mkdir(parents=True, exist_ok=True)
        partial = compiled.with_name(f"{compiled.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(catalog.kept()), encoding="utf-8")
        partial.replace(compiled)
        for old in compiled.parent.glob(f"{lang}-*"):
            if old != compiled:
                old.unlink(missing_ok=True)  # an earlier version's catalog
    except OSError:
        pass  # a read-only cache: compiled in memory at every start, as before
    return catalog


class Catalog(gettext.NullTranslations):
    """A merged catalog: the translated messages, the forms of each plural message, and the language's rule choosing a
    form (``(n != 1)``). Kept in the cache folder as JSON, which reads in about a millisecond where parsing the
    ``.mo`` file gettext reads took 3-8 ms of a start."""

    def __init__(self, plural_rule: str, messages: dict[str, str], plurals: dict[str, list[str]]) -> None:
        super().__init__()
        self.plural_rule, self.messages, self.plurals = plural_rule, messages, plurals
        self.form = gettext.c2py(plural_rule)

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular, [])
        form = self.form(n)
        return forms[form] if form < len(forms) and forms[form] else singular if n == 1 else plural

    def kept(self) -> dict[str, object]:
        return {"plural_rule": self.plural_rule, "messages": self.messages, "plurals": self.plurals}

    @classmethod
    def read(cls, kept: bytes) -> Catalog:
        """The catalog ``kept`` wrote; ValueError, KeyError, TypeError or SyntaxError (the rule) for anything else."""
        data = json.loads(kept)
        rule, messages, plurals = data["plural_rule"], data["messages"], data["plurals"]
        if not (isinstance(rule, str) and isinstance(messages, dict) and isinstance(plurals, dict)
                and all(isinstance(text, str) for text in messages.values())
                and all(isinstance(forms, list) and all(isinstance(text, str) for text in forms)
                        for forms in plurals.values())):
            raise TypeError("not a catalog")
        return cls(rule, messages, plurals)


def compile_catalogs(lang: str, sources: list[bytes]) -> Catalog:
    """The ``.po`` files' texts merged (a later file adds its translations), without the fuzzy or untranslated ones
    (as ``msgfmt`` leaves them out)."""
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
    messages: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    for message in merged:
        if not message.id or not message.string or message.fuzzy or message.context:
            continue
        if isinstance(message.id, str) and isinstance(message.string, str):
            messages[message.id] = message.string
        elif not isinstance(message.id, str) and not isinstance(message.string, str):
            plurals[message.id[0]] = list(message.string)
    return Catalog(merged.plural_expr, messages, plurals)


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
    formats = locale_formats(value.split(".")[0].replace("-", "_"))
    return formats.locale if formats is not None else "en_US"


def is_locale(value: str) -> bool:
    from babel import Locale, UnknownLocaleError

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


def format_amount(value: Decimal, currency: str, locale: str | None = None, exact: bool = False) -> str:
    """An amount in major units in the locale's currency format with the ISO 4217 decimals of the currency
    (Babel's own digits are CLDR's, which differ for HUF, IDR, IQD...); ``exact`` keeps a unit price's extra
    decimals (0.0125 stays 0.0125)."""
    where = locale or _current_locale
    shape = _currency_shape(where, exponent(currency), currency)
    if shape is not None and value.is_finite():
        return shape.write(value, quantize=not exact)
    pattern, written = _currency_pattern(where, exponent(currency), currency)
    return str(pattern.apply(value, where, currency=None if written else currency, currency_digits=False,
                             decimal_quantization=not exact))


def format_price(value: Decimal, currency: str, locale: str | None = None) -> str:
    """A unit price as a number to read and edit: the currency's decimals at least (``80,00``), more when it has
    them (``12,3456``), never rounded."""
    where = locale or _current_locale
    places = exponent(currency)
    formats = locale_formats(where)
    if formats is not None and formats.number is not None and value.is_finite():
        return formats.number.write(value, (places, max(places, formats.number.frac[1])), quantize=False)
    return str(_decimal_pattern(where, places).apply(value, where, decimal_quantization=False))


def format_date(value: date | None, locale: str | None = None, fmt: str = "medium") -> str:
    """A date in the locale's ``short``/``medium``/``long`` format; ``short`` always with a four-digit year
    (``12/28/2026``, ``28.12.2026``): a two-digit year is ambiguous on documents that are kept for ten years."""
    if value is None:
        return ""
    where = locale or _current_locale
    formats = locale_formats(where) if fmt == "short" else None
    if formats is not None and formats.short_date is not None:
        return _write_date(value, formats.short_date)
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=_short_pattern(where) if fmt == "short" else fmt, locale=where)


def format_number(value: Decimal | int, locale: str | None = None) -> str:
    where = locale or _current_locale
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    formats = locale_formats(where)
    if formats is not None and formats.number is not None and number.is_finite():
        return formats.number.write(number, quantize=False)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=where, decimal_quantization=False)


def format_percent(rate: Decimal, locale: str | None = None) -> str:
    """A tax rate such as ``19`` -> ``19 %`` in the locale's number format."""
    return f"{format_number(rate, locale)} %"


# ---------------------------------------------------------------- what formatting needs of a locale, without Babel

#: Bump when ``LocaleFormats`` changes: a record of another shape is made again.
_RECORD = 2  # 2: the Swiss apostrophe written as the group symbol
#: The pieces of a short date: literal text, or a field's letter and width (``("d", 2)``).
DatePiece = str | tuple[str, int]


@dataclass(frozen=True)
class NumberShape:
    """A plain CLDR number pattern as Babel parses it (``#,##0.00 ¤``: no exponent, significant digits, per cent
    or quote in it) with the locale's symbols: what writing a number as Babel's ``NumberPattern.apply`` needs."""

    prefix: tuple[str, str]  # before a positive number, a negative one
    suffix: tuple[str, str]
    grouping: tuple[int, int]  # the size of the group next to the decimal symbol, of the others (en_IN: 3, 2)
    int_digits: int  # the least digits before the decimal symbol
    frac: tuple[int, int]  # the least and most decimals
    decimal: str
    group: str

    def write(self, value: Decimal, frac: tuple[int, int] | None = None, quantize: bool = True) -> str:
        """``value`` written as Babel does (rounding as the decimal context does: half-even, unless set otherwise);
        unquantized, a value keeps its own decimals beyond the most."""
        least, most = frac or self.frac
        negative = int(value.is_signed())  # a negative zero too, as in Babel
        value = abs(value).normalize()
        if not quantize:
            exp = value.as_tuple().exponent
            most = max(most, -exp if isinstance(exp, int) and exp < 0 else 0)
        whole, _, fraction = f"{value.quantize(Decimal(10) ** -most):f}".partition(".")
        whole = whole.rjust(self.int_digits, "0")
        size, grouped = self.grouping[0], ""
        while len(whole) > size:
            grouped = self.group + whole[-size:] + grouped
            whole = whole[:-size]
            size = self.grouping[1]
        fraction = (fraction or "0").ljust(least, "0")
        if most == 0 or (least == 0 and int(fraction) == 0):
            fraction = ""
        else:
            fraction = self.decimal + fraction[:least] + fraction[least:].rstrip("0")
        return self.prefix[negative] + whole + grouped + fraction + self.suffix[negative]


@dataclass(frozen=True)
class LocaleFormats:
    """What formatting numbers, amounts and short dates needs of one locale, taken from Babel; None where the
    locale's pattern is not one ``NumberShape`` or ``_write_date`` reproduces (Babel formats it then)."""

    locale: str  # Babel's name for it (``de_DE``)
    number: NumberShape | None  # the decimal format
    currency: NumberShape | None  # the standard currency format, ``¤`` (symbol) or ``¤¤`` (code) still in it
    symbols: dict[str, str]  # currency symbols by code; a currency without one is shown by its code
    short_date: tuple[DatePiece, ...] | None  # the short date pattern with a four-digit year


@cache
def locale_formats(name: str) -> LocaleFormats | None:
    """The record of ``name`` (``de_DE``): read from the cache folder, or taken from Babel and kept there (a damaged
    or foreign file is made again). None for a locale Babel does not know."""
    version = _babel_version()
    if version is None or not (name.isascii() and name.replace("_", "").isalnum()):
        return _take_from_babel(name)  # no name to keep it under
    kept = cache_dir() / "formats" / f"{name}-babel-{version}.json"
    try:
        return _read_record(json.loads(kept.read_bytes()), name, version)
    except (OSError, ValueError, KeyError, TypeError):  # not made yet, damaged, or not a record of this kind
        pass
    formats = _take_from_babel(name)
    if formats is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
            partial.write_text(json.dumps(_record(formats, name, version)), encoding="utf-8")
            partial.replace(kept)
            for old in kept.parent.glob(f"{name}-babel-*.json"):
                if old != kept:
                    old.unlink(missing_ok=True)  # an earlier Babel's
        except OSError:
            pass  # a read-only cache: taken from Babel at every start
    return formats


@cache
def _babel_version() -> str | None:
    """Babel's version from the name of its metadata folder beside the package (``babel-2.19.0.dist-info``), found
    without importing Babel or ``importlib.metadata`` (40 ms); None if there is not exactly one."""
    spec = importlib.util.find_spec("babel")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = []
    with os.scandir(Path(next(iter(spec.submodule_search_locations))).parent) as entries:
        for entry in entries:
            if entry.name.lower().startswith("babel-") and entry.name.endswith((".dist-info", ".egg-info")):
                found.append(entry.name[len("babel-"):].rsplit(".", 1)[0])
    return found[0] if len(found) == 1 else None


def _take_from_babel(name: str) -> LocaleFormats | None:
    from babel import Locale, UnknownLocaleError
    from babel.dates import tokenize_pattern
    from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern

    try:
        found = Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    decimal, group = get_decimal_symbol(found), get_group_symbol(found)

    def shape(text: str) -> NumberShape | None:
        pattern = parse_pattern(text)
        if pattern.exp_prec or "@" in pattern.pattern or pattern.scale or not pattern.number_pattern:
            return None
        if "'" in "".join((*pattern.prefix, *pattern.suffix)):  # quoted pattern text: left to Babel
            return None
        return NumberShape(pattern.prefix, pattern.suffix, pattern.grouping, pattern.int_prec[0], pattern.frac_prec,
                           decimal, group)

    date_pieces: list[DatePiece] = []
    for kind, value in tokenize_pattern(_short_pattern(str(found))):
        date_pieces.append(value if kind == "chars" else (str(value[0]), int(value[1])))
    reproduced = all(isinstance(piece, str) or piece[0] in ("y", "d") or (piece[0] in ("M", "L") and piece[1] <= 2)
                     for piece in date_pieces)
    return LocaleFormats(str(found), shape(found.decimal_formats[None].pattern),
                         shape(found.currency_formats["standard"].pattern), dict(found.currency_symbols),
                         tuple(date_pieces) if reproduced else None)


@cache
def _currency_shape(locale: str, places: int, currency: str) -> NumberShape | None:
    """The locale's currency shape with ``places`` decimals and the currency's symbol (``¤``) or code (``¤¤``)
    written in; None where Babel formats it (a pattern with the plural name ``¤¤¤``, or no record)."""
    formats = locale_formats(locale)
    if formats is None or formats.currency is None:
        return None
    shape = formats.currency
    if "¤¤¤" in "".join(shape.prefix + shape.suffix):
        return None
    symbol = formats.symbols.get(currency, currency)
    shape = replace(shape, prefix=_currency_written(shape.prefix, currency, symbol),
                    suffix=_currency_written(shape.suffix, currency, symbol), frac=(places, places))
    return shape


def _currency_written(texts: tuple[str, str], currency: str, symbol: str) -> tuple[str, str]:
    """A pattern's text (positive, negative) with the currency's code for ``¤¤`` and its symbol for ``¤``."""
    return (texts[0].replace("¤¤", currency.upper()).replace("¤", symbol),
            texts[1].replace("¤¤", currency.upper()).replace("¤", symbol))


def _write_date(value: date, pieces: tuple[DatePiece, ...]) -> str:
    """A date written as Babel's ``format_date`` does for a pattern of years, numeric months and days."""
    text = []
    for piece in pieces:
        if isinstance(piece, str):
            text.append(piece)
            continue
        field, width = piece
        number = value.year if field == "y" else value.month if field in ("M", "L") else value.day
        written = f"{number:0{width}d}"
        text.append(written[-2:] if field == "y" and width == 2 else written)
    return "".join(text)


def _record(formats: LocaleFormats, name: str, version: str) -> dict[str, object]:
    def shape(found: NumberShape | None) -> dict[str, object] | None:
        return None if found is None else {field: getattr(found, field) for field in NumberShape.__dataclass_fields__}

    return {"record": _RECORD, "babel": version, "name": name, "locale": formats.locale,
            "number": shape(formats.number), "currency": shape(formats.currency), "symbols": formats.symbols,
            "short_date": formats.short_date}


def _read_record(data: dict[str, object], name: str, version: str) -> LocaleFormats:
    """The record ``_record`` wrote for ``name`` under this Babel; TypeError, KeyError or ValueError otherwise."""
    if (data["record"], data["babel"], data["name"]) != (_RECORD, version, name):
        raise ValueError("a record of another kind")

    def text(value: object) -> str:
        if not isinstance(value, str):
            raise TypeError(value)
        return value

    def count(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TypeError(value)
        return value

    def two(value: object) -> list[object]:
        if not isinstance(value, list) or len(value) != 2:
            raise TypeError(value)
        return value

    def texts(value: object) -> tuple[str, str]:
        first, second = two(value)
        return text(first), text(second)

    def counts(value: object) -> tuple[int, int]:
        first, second = two(value)
        return count(first), count(second)

    def shape(value: object) -> NumberShape | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise TypeError(value)
        grouping = counts(value["grouping"])
        if 0 in grouping:
            raise ValueError(grouping)
        return NumberShape(texts(value["prefix"]), texts(value["suffix"]), grouping, count(value["int_digits"]),
                           counts(value["frac"]), text(value["decimal"]), text(value["group"]))

    def piece(value: object) -> DatePiece:
        if isinstance(value, str):
            return value
        field, width = two(value)
        if field not in ("y", "d", "M", "L") or not 0 < count(width) <= (2 if field in ("M", "L") else 9):
            raise ValueError(value)
        return text(field), count(width)

    symbols, short_date = data["symbols"], data["short_date"]
    if not isinstance(symbols, dict) or not isinstance(short_date, list | None):
        raise TypeError(data)
    return LocaleFormats(text(data["locale"]), shape(data["number"]), shape(data["currency"]),
                         {text(code): text(symbol) for code, symbol in symbols.items()},
                         None if short_date is None else tuple(piece(item) for item in short_date))


# ---------------------------------------------------------------- Babel, where the record does not reproduce a pattern


@cache
def _currency_pattern(locale: str, places: int, currency: str) -> tuple[NumberPattern, bool]:
    """The locale's currency format with ``places`` decimals and, where it shows the currency by symbol or code, that
    symbol or code written in (True): Babel's ``apply`` would otherwise work out the currency's plural name for every
    amount, even for a pattern without one, which took a fifth of formatting an amount in the lists."""
    from copy import copy

    from babel import Locale
    from babel.numbers import get_currency_symbol, parse_pattern

    pattern = copy(parse_pattern(Locale.parse(locale).currency_formats["standard"]))
    pattern.frac_prec = (places, places)
    if "¤¤¤" in "".join(pattern.prefix + pattern.suffix):  # a plural name: left to Babel
        return pattern, False
    symbol = get_currency_symbol(currency, locale)
    pattern.prefix = _currency_written(pattern.prefix, currency, symbol)
    pattern.suffix = _currency_written(pattern.suffix, currency, symbol)
    return pattern, True


@cache
def _decimal_pattern(locale: str, places: int) -> NumberPattern:
    from copy import copy

    from babel import Locale
    from babel.numbers import parse_pattern

    pattern = copy(parse_pattern(Locale.parse(locale).decimal_formats[None]))
    pattern.frac_prec = (places, max(places, pattern.frac_prec[1]))
    return pattern


@cache
def _short_pattern(locale: str) -> str:
    """The locale's short date pattern with its year as four digits (CLDR ``yy`` -> ``yyyy``)."""
    from babel import Locale

    pattern = Locale.parse(locale).date_formats["short"].pattern
    return re.sub(r"y+", "yyyy", pattern)
