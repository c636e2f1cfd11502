"""Cleaning and checking what users type: countries, VAT IDs (python-stdnum), IBAN/BIC (schwifty), emails."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from invoicer.core import reference
from invoicer.core.errors import N_, Message, ValidationError
from invoicer.i18n import is_locale, normalize_locale

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule  # stdnum's protocol of a number module; None at run time

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


def country(value: str | None) -> str:
    """An EN 16931 country code (ISO 3166-1 alpha-2, 1A Kosovo, XI Northern Ireland)."""
    code = required(value, N_("Country")).upper()
    if not reference.is_country(code):
        raise ValidationError(N_("'{value}' is not an ISO country code (e.g. DE, FR, US)."), "country", value=value)
    return code


def currency(value: str | None) -> str:
    code = required(value, N_("Currency")).upper()
    if not reference.is_currency(code):
        raise ValidationError(
            N_("'{value}' is not an ISO currency code (e.g. EUR, USD, JPY)."), "currency", value=value
        )
    return code


def still_valid(name: str, country_code: str | None, currency_code: str | None = None) -> None:
    """Refuse a code stored when it was still accepted that a new invoice may no longer carry (a customer in
    HRK, withdrawn in 2023; a country code outside EN 16931): the record keeps opening, finalizing stops."""
    if currency_code and not reference.is_currency(currency_code):
        raise ValidationError(
            N_("{code} is no longer a valid currency (withdrawn from ISO 4217): choose a current one for "
               "'{name}' and its invoices."), "currency", code=currency_code, name=name,
        )
    if country_code and not reference.is_country(country_code):
        raise ValidationError(
            N_("'{code}' is not a country code e-invoices accept (EN 16931): choose the country of '{name}' "
               "again."), "country", code=country_code, name=name,
        )


def exemption_reason(value: str | None) -> str | None:
    """An exemption reason: words, optionally after a VATEX code (``VATEX-EU-IC Intra-community supply``),
    which must be one of the code list."""
    text = optional(value)
    code = reference.split_exemption_reason(text)[0] if text else None
    if code is not None and code not in reference.vatex_codes():
        raise ValidationError(N_("'{code}' is not a VATEX exemption reason code (e.g. VATEX-EU-IC)."),
                              "exemption_reason", code=code)
    return text


def locale(value: str | None) -> str:
    text = required(value, N_("Locale")).replace("-", "_")
    if not is_locale(text):
        raise ValidationError(N_("'{value}' is not a locale (e.g. de_DE, fr_FR, en_US)."), "locale", value=value)
    return normalize_locale(text)


def email(value: str | None) -> str | None:
    """An email address checked and normalised by email-validator (syntax, IDNA; no DNS lookup)."""
    from email_validator import EmailNotValidError, validate_email  # off the app's start path

    text = optional(value)
    if text is None:
        return None
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise ValidationError(N_("'{value}' is not an email address."), "email", value=text) from None


def vat_id(value: str | None, country_code: str | None) -> str | None:
    """Validate a VAT ID: EU ones (with EL for Greece and XI for Northern Ireland) with ``stdnum.eu.vat``,
    others with python-stdnum's scheme for the country; accepted as typed where there is none."""
    from stdnum import get_cc_module  # off the app's start path
    from stdnum.eu import vat as eu_vat

    text = optional(value)
    if text is None:
        return None
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    typed_prefix = compact[:2] if compact[:2].isalpha() else ""
    cc = (typed_prefix or country_code or "").upper()
    if cc.lower() in eu_vat.MEMBER_STATES or cc == "EL":
        # the country prefix belongs to an EU VAT ID: stdnum reads it and checks the checksum
        return _checked(eu_vat, compact if typed_prefix else cc + compact, text, cc)
    try:
        module = get_cc_module(cc.lower(), "vat") if cc else None
    except (ImportError, ValueError):
        module = None
    if module is None:
        return compact
    _checked(module, compact, text, cc)
    return compact


def _checked(module: NumberValidationModule, number: str, text: str, cc: str) -> str:
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return str(module.validate(number))
    except StdnumError:
        raise ValidationError(
            N_("'{value}' is not a valid VAT ID for {country}."), "vat_id", value=text, country=cc
        ) from None


def iban(value: str | None) -> str | None:
    from schwifty import IBAN  # off the app's start path
    from schwifty.exceptions import SchwiftyException

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
    from schwifty import BIC  # off the app's start path
    from schwifty.exceptions import SchwiftyException

    text = optional(value)
    if text is None:
        return None
    try:
        return str(BIC(text).compact)
    except SchwiftyException as exc:
        raise ValidationError(
            N_("'{value}' is not a valid BIC ({reason})."), "bic", value=text, reason=str(exc)
        ) from None


def peppol_id(value: str | None) -> tuple[str | None, str | None]:
    """An electronic address typed as ``SCHEME:ID`` (``0088:4035811991021``, ``9930:DE123456788``): the scheme
    must be one the official Peppol rules list (EAS code list). Empty: no address."""
    return electronic_address(*split_address(value))


def split_address(value: str | None) -> tuple[str | None, str | None]:
    """``SCHEME:ID`` as its two parts, unchecked (``electronic_address`` checks them)."""
    scheme, _, identifier = (value or "").partition(":")
    return optional(scheme), optional(identifier)


def address_text(scheme: str | None, identifier: str | None) -> str:
    """An electronic address as it is typed: ``SCHEME:ID``, or nothing."""
    return f"{scheme}:{identifier}" if scheme and identifier else ""


def electronic_address(scheme: str | None, identifier: str | None) -> tuple[str | None, str | None]:
    """An electronic address (BT-34 / BT-49) as its scheme and id: both given, or neither."""
    from invoicer.documents.einvoice_rules import electronic_address_schemes  # reads the Peppol rules once

    code, ident = optional(scheme), optional(identifier)
    if code is None and ident is None:
        return None, None
    if code is None or ident is None:
        raise ValidationError(N_("An electronic address is written SCHEME:ID, e.g. 0088:4035811991021."),
                              "endpoint_id")
    if code not in electronic_address_schemes():
        raise ValidationError(
            N_("'{scheme}' is not an electronic address scheme of the Peppol list (EAS), e.g. 0088 (GLN), "
               "0204 (Leitweg-ID), 9930 (German VAT ID)."), "endpoint_scheme", scheme=code)
    if len(ident) > 100:
        raise ValidationError(N_("An electronic address may have at most 100 characters."), "endpoint_id")
    return code, ident


def action_date(day: date | None, issued: date, too_early: str | None = None, today: date | None = None) -> date:
    """The date of an action on a document (payment, reversal, credit, void, write-off): today when not
    given; never in the future, never before the document's issue date (the books are kept by these dates), or
    before the day ``issued`` of what it acts on, refused with ``too_early`` ({date}, {issued})."""
    today = today or date.today()
    day = day or today
    if day > today:
        raise ValidationError(N_("The date {date} is in the future; date it today or earlier."), "date",
                              date=day.isoformat())
    if day < issued:
        raise ValidationError(too_early or N_("The date {date} is before the document's issue date {issued}."),
                              "date", date=day.isoformat(), issued=issued.isoformat())
    return day


def within_period(start: object, end: object, first: date, last: date, line: int) -> None:
    """A line's own service period lies within the invoice's (Peppol PEPPOL-EN16931-R110/R111: a receiver
    reads the line period as a part of the invoice period)."""
    if isinstance(start, date) and isinstance(end, date) and (start < first or end > last):
        raise ValidationError(
            N_("line {line}: its service period ({start} to {end}) lies outside the invoice's ({first} to {last})."),
            "period", line=line, start=start.isoformat(), end=end.isoformat(), first=first.isoformat(),
            last=last.isoformat())


def service_period(start: date | None, end: date | None, where: Message | None = None) -> tuple[date | None, date | None]:
    """A service period (EU VAT Art. 226(7)): both dates or neither, the end not before the start.
    ``where`` names a line (``line 2``) in the refusal; the invoice's own period when None."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        if where is None:
            raise ValidationError(N_("A service period needs a first and a last day."), "period")
        raise ValidationError(N_("{where}: a service period needs a first and a last day."), "period", where=where)
    if end < start:
        if where is None:
            raise ValidationError(N_("The service period ends ({end}) before it starts ({start})."), "period",
                                  start=start.isoformat(), end=end.isoformat())
        raise ValidationError(N_("{where}: the service period ends ({end}) before it starts ({start})."), "period",
                              where=where, start=start.isoformat(), end=end.isoformat())
    return start, end
