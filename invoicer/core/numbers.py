"""Numbers as people write them in files: read with Babel in the file's or the user's locale (strict),
accounting negatives ``(12,50)`` and ``12,50-``, grouping by spaces or apostrophes; what the file's
conventions would read differently (``1,234``) is refused, never guessed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.money import NOT_A_NUMBER, input_label

#: Conventions every file is tried in besides the user's: 1,234.50 · 1.234,50 · 1 234,50 · 1'234.50 · 1'234,50
COMMON_LOCALES = ("en", "de", "fr", "de_CH", "fr_CH")

_MINUS = ("-", "\u2212")
# currency signs, codes and percent around the number: "12,50 €", "EUR 12.50", "CHF 1'234.50", "19 %"
_AROUND = re.compile(r"^[^\d(+\-\u2212.,]+|[^\d)\-\u2212.,]+$")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_APOSTROPHES = re.compile(r"['\u2019]")
_NUMBER = re.compile(r"[\d.,'\u2019 \u00a0\u202f\u2009]+")
_DIGIT = re.compile(r"\d")


def split_sign(text: str) -> tuple[bool, str]:
    """``"(1.234,50 €)"`` -> ``(True, "1.234,50")``: accounting negatives in parentheses or with a trailing
    minus, a leading minus or plus, and currency signs or percent around the number."""
    body = _AROUND.sub("", text.strip())
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    elif body.endswith(_MINUS):
        negative, body = True, body[:-1]
    elif body.startswith(_MINUS):
        negative, body = True, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    return negative, _AROUND.sub("", body.strip())  # "-€ 12.50": the sign may stand before the currency


@lru_cache(maxsize=64)
def _symbols(locale: str) -> tuple[str, str]:
    return str(get_decimal_symbol(locale)), str(get_group_symbol(locale))


def _in_locale(digits: str, locale: str) -> str:
    """The way the locale's own symbols spell ``digits``: any space groups where the locale groups with a
    (narrow no-break) space, any apostrophe where it groups with one; what people type, CLDR spells exactly."""
    group = _symbols(locale)[1]
    if _SPACES.fullmatch(group):
        return _SPACES.sub(group, digits)
    if _APOSTROPHES.fullmatch(group):
        return _APOSTROPHES.sub(group, digits)
    return digits


@lru_cache(maxsize=4096)
def _fits(shape: str, locale: str) -> bool:
    """Does a number of this shape (digits as 9s) read in the locale? The answer depends on the shape only,
    so a file of 100,000 prices asks Babel a few dozen times."""
    return _value(shape, locale) is not None


@lru_cache(maxsize=65536)
def _value(digits: str, locale: str) -> Decimal | None:
    spelled = _in_locale(digits, locale)
    # Babel takes a dot for a decimal point even where the locale's is a comma (fr): a file's convention
    # is only the one whose symbols are the very ones the number is written with
    if not set(_DIGIT.sub("", spelled)) <= set(_symbols(locale)):
        return None
    try:
        return Decimal(parse_decimal(spelled, locale, strict=True))
    except NumberFormatError:
        return None


def _shape(digits: str) -> str:
    return _DIGIT.sub("9", digits)


class NumberReader:
    """Reads the numbers of one file: the conventions (locales) in which every number of the file reads are
    the file's; a number they read differently is ambiguous and refused."""

    def __init__(self, texts: Iterable[str], user_locale: str) -> None:
        candidates = list(dict.fromkeys((user_locale, *COMMON_LOCALES)))
        shapes = {_shape(digits) for digits in (split_sign(text)[1] for text in texts) if _NUMBER.fullmatch(digits)}
        readable = [shape for shape in shapes if any(_fits(shape, locale) for locale in candidates)]
        fitting = [locale for locale in candidates if all(_fits(shape, locale) for shape in readable)]
        # a file mixing conventions fits none: then each number is read in whichever reads it, if they agree
        self.locales = tuple(fitting or candidates)

    def read(self, text: str, what: str | Message) -> Decimal:
        """The number ``text`` stands for; a ValidationError naming ``what`` when it is none or ambiguous."""
        negative, digits = split_sign(text)
        label = input_label(what)
        values = {
            value for locale in self.locales
            if _NUMBER.fullmatch(digits) and (value := _value(digits, locale)) is not None
        }
        if not values:
            raise ValidationError(NOT_A_NUMBER, str(what), what=label, text=text)
        if len(values) > 1:
            low, high = sorted(values)
            raise ValidationError(
                N_("{what}: '{text}' could be {one} or {other}; the file does not show which separator is the "
                   "decimal one (write it without a thousands separator)."),
                str(what), what=label, text=text, one=str(low), other=str(high),
            )
        value = values.pop()
        return -value if negative else value
