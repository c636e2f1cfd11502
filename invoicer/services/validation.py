"""Cleaning and checking what users type: countries, VAT IDs (python-stdnum), IBAN/BIC (schwifty), emails."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.money import is_currency
from invoicer.i18n import is_locale, normalize_locale

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value: str | None, multiline: bool = False) -> str:
    """Trimmed text without control characters (they break XML e-invoices and PDFs); tabs become
    spaces, and line breaks are kept only where the field is multi-line."""
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\t", " "))
    if not multiline:
        text = " ".join(text.split("\n"))
    return text.strip()


def required(value: str | None, what: str, multiline: bool = False) -> str:
    """The cleaned text, refused when empty; ``what`` is the field's English label, marked with N_."""
    text = clean_text(value, multiline)
    if not text:
        raise ValidationError(N_("{what} is required."), what.lower(), what=Message(what))
    return text


def optional(value: str | None, multiline: bool = False) -> str | None:
    return clean_text(value, multiline) or None


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    # CLDR also names groupings and placeholders (EU, UN, ZZ "Unknown Region"...): not countries
    not_countries = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in not_countries
    )


def country(value: str | None) -> str:
    code = required(value, N_("Country")).upper()
    if code not in _countries():
        raise ValidationError(N_("'{value}' is not an ISO country code (e.g. DE, FR, US)."), "country", value=value)
    return code


def currency(value: str | None) -> str:
    code = required(value, N_("Currency")).upper()
    if not is_currency(code):
        raise ValidationError(
            N_("'{value}' is not an ISO currency code (e.g. EUR, USD, JPY)."), "currency", value=value
        )
    return code


def locale(value: str | None) -> str:
    text = required(value, N_("Locale")).replace("-", "_")
    if not is_locale(text):
        raise ValidationError(N_("'{value}' is not a locale (e.g. de_DE, fr_FR, en_US)."), "locale", value=value)
    return normalize_locale(text)


def email(value: str | None) -> str | None:
    text = optional(value)
    if text is not None and not _EMAIL.match(text):
        raise ValidationError(N_("'{value}' is not an email address."), "email", value=text)
    return text


_VAT_PREFIX = {"GR": "EL"}


def vat_id(value: str | None, country_code: str | None) -> str | None:
    """Validate a VAT ID with python-stdnum for the country's scheme; accept as typed where there is none."""
    text = optional(value)
    if text is None:
        return None
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    cc = (compact[:2] if compact[:2].isalpha() else (country_code or "")).upper()
    cc = {"EL": "GR"}.get(cc, cc)
    try:
        module = get_cc_module(cc.lower(), "vat") if cc else None
    except (ImportError, ValueError):
        module = None
    if module is None:
        return compact
    try:
        number = module.validate(compact)
    except StdnumError:
        raise ValidationError(
            N_("'{value}' is not a valid VAT ID for {country}."), "vat_id", value=text, country=cc
        ) from None
    prefix = _VAT_PREFIX.get(cc, cc)
    number = str(number)
    return number if number[:2].isalpha() else f"{prefix}{number}" if _eu_style(cc) else number


def _eu_style(cc: str) -> bool:
    return cc in {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "GR", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
        "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "GB", "CH", "NO",
    }


def iban(value: str | None) -> str | None:
    text = optional(value)
    if text is None:
        return None
    try:
        return str(IBAN(text).compact)
    except SchwiftyException as exc:
        raise ValidationError(
            N_("'{value}' is not a valid IBAN ({reason})."), "iban", value=text, reason=str(exc)
        ) from None


def bic(value: str | None) -> str | None:
    text = optional(value)
    if text is None:
        return None
    try:
        return str(BIC(text).compact)
    except SchwiftyException as exc:
        raise ValidationError(
            N_("'{value}' is not a valid BIC ({reason})."), "bic", value=text, reason=str(exc)
        ) from None


def action_date(day: date | None, issued: date, today: date | None = None) -> date:
    """The date of an action on a document (payment, reversal, credit, void, write-off): today when not
    given; never in the future, never before the document's issue date (the books are kept by these dates)."""
    today = today or date.today()
    day = day or today
    if day > today:
        raise ValidationError(N_("The date {date} is in the future; date it today or earlier."), "date",
                              date=day.isoformat())
    if day < issued:
        raise ValidationError(N_("The date {date} is before the document's issue date {issued}."), "date",
                              date=day.isoformat(), issued=issued.isoformat())
    return day
