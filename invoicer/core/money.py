"""Exact money: currency exponents, integer minor units and half-up rounding (never float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.reference import minor_units

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def exponent(currency: str) -> int:
    """Digits after the decimal point of the currency's minor unit, from ISO 4217 (JPY 0, EUR 2, BHD 3, HUF 2)."""
    return minor_units(currency)


@cache
def quantum(currency: str) -> Decimal:
    """The smallest amount of the currency as a Decimal (``0.01`` for EUR)."""
    return Decimal(1).scaleb(-exponent(currency))


# the database holds minor units in 64 bits; Decimal arithmetic keeps 28 significant digits
LARGEST_MINOR = 2**63 - 1
TOO_LARGE = N_("The amount {value} is too large.")


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (EN 16931, not banker's rounding); a value too large
    to keep every digit (a product of large inputs) is refused, never rounded wrong."""
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError(TOO_LARGE, value=str(value)) from None


def round_fraction(value: Fraction) -> int:
    """An exact fraction of minor units rounded to a whole minor unit, halves away from zero."""
    magnitude = (2 * abs(value.numerator) + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude


def split_minor(total: int, weights: list[int]) -> list[int]:
    """``total`` minor units shared in proportion to ``weights``, each part rounded down and the units left over
    given to the largest remainders, so the parts add up exactly (a negative total too)."""
    whole = sum(weights)
    if whole == 0:
        return [0 for _ in weights]
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (total * weights[i] % whole), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def round_money(value: Decimal, currency: str) -> Decimal:
    """Round an amount in major units to the currency's minor unit, half-up."""
    return round_half_up(value, exponent(currency))


def to_minor(value: Decimal, currency: str, round_to: int | None = None) -> int:
    """Amount in major units -> integer minor units, rounded half-up to the currency unit (or first to
    ``round_to`` decimals: a document computed before its currency's minor unit changed, migration 0010);
    an amount the database cannot hold is refused, never stored wrong."""
    if round_to is not None:
        value = round_half_up(value, round_to)
    minor = int(round_money(value, currency).scaleb(exponent(currency)))
    if abs(minor) > LARGEST_MINOR:
        raise ValidationError(TOO_LARGE, value=str(value))
    return minor


def from_minor(minor: int, currency: str, places: int | None = None) -> Decimal:
    """Integer minor units -> Decimal in major units with the currency's exponent (or with ``places``: minor
    units as they were counted before the currency's minor unit changed, migration 0010)."""
    if places is None:
        return Decimal(minor).scaleb(-exponent(currency)).quantize(quantum(currency))
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_minor(minor: int, currency: str) -> str:
    """Plain decimal string in major units, as used in JSON and files: ``"1234.50"``."""
    return str(from_minor(minor, currency))


def format_price(value: Decimal, currency: str) -> str:
    """A unit price (up to 4 decimals) as a plain decimal string in major units with at least the currency's
    decimals and the significant digits beyond them: ``12.5`` -> ``"12.50"``, ``14.9950`` -> ``"14.995"``."""
    significant = value.normalize()
    if significant.as_tuple().exponent > -exponent(currency):  # type: ignore[operator]  # finite: no 'n'/'F'
        return str(significant.quantize(quantum(currency)))
    return str(significant)


NOT_A_NUMBER = N_("{what}: '{text}' is not a number.")
#: no price, quantity, rate or amount anyone types reaches 10^18 (64-bit minor units end near 9.2 x 10^18):
#: larger input is a slip of the keyboard, refused before it meets arithmetic
LARGEST_INPUT = Decimal(10) ** 18
_AMOUNT = N_("amount")


def input_label(what: str | Message) -> Message:
    """The name of the input in messages: an English label (marked with N_) or a Message with values."""
    return what if isinstance(what, Message) else Message(what)


def parse_decimal(text: str | int | Decimal, what: str | Message, max_places: int | None = None) -> Decimal:
    """Parse a decimal number typed by a user (dot as separator); refuse junk and float-y input.

    ``what`` names the input in the message, e.g. ``N_("unit price")``."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = str(text).strip().replace("_", "")
        if not raw:  # said plainly: "'' is not a number" reads like a program talking to itself
            raise ValidationError(N_("{what}: enter a number."), str(what), what=input_label(what))
        try:
            value = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise ValidationError(NOT_A_NUMBER, str(what), what=input_label(what), text=text) from None
    if not value.is_finite():
        raise ValidationError(NOT_A_NUMBER, str(what), what=input_label(what), text=text)
    if abs(value) >= LARGEST_INPUT:
        raise ValidationError(N_("{what}: '{text}' is too large."), str(what), what=input_label(what), text=text)
    exp = value.as_tuple().exponent
    if max_places is not None and isinstance(exp, int) and -exp > max_places:
        value_n = value.normalize()
        exp_n = value_n.as_tuple().exponent
        if isinstance(exp_n, int) and -exp_n > max_places:
            raise ValidationError(
                N_("{what}: '{text}' has more than {places} decimal places."), str(what),
                what=input_label(what), text=text, places=max_places,
            )
        value = value_n
    return value


def parse_amount(text: str | int | Decimal, currency: str, what: str | Message = _AMOUNT) -> int:
    """Parse a money amount in major units into minor units; more decimals than the currency has is an error."""
    value = parse_decimal(text, what, exponent(currency))
    return to_minor(value, currency)
