"""Words, numbers, dates and money on a document, in the customer's language and formats."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, localedata

from invoicer.core.reference import country_name
from invoicer.core.units import UNIT_NAMES
from invoicer.documents.fonts import can_print
from invoicer.documents.model import Document, PaperSize
from invoicer.i18n import format_amount, format_date, format_money, format_number, format_percent, translator

# amounts, prices and rates repeat within a document and across a batch; Babel formatting is costly
_money = lru_cache(maxsize=8192)(format_money)
_number = lru_cache(maxsize=4096)(format_number)
_percent = lru_cache(maxsize=256)(format_percent)
_date = lru_cache(maxsize=4096)(format_date)

#: the titles of deposit (386) and partial (326) invoices; the words are the invoice type names of services.invoices
ADVANCE_TITLES = {"386": "Deposit invoice", "326": "Partial invoice"}


@lru_cache(maxsize=4096)
def _exact_price(value: Decimal, currency: str, locale: str) -> str:
    # an exact price keeps its extra decimals (0.0125 stays 0.0125), never rounded for display
    return format_amount(value, currency, locale, exact=True)


@lru_cache(maxsize=64)
def printable_locale(locale: str) -> str:
    """The locale for numbers, dates and country names: the customer's, unless its script is one
    the bundled fonts cannot print (CJK, Arabic...), then English for the same territory."""
    samples = (
        str(Locale.parse(locale).territories.get("DE", "")),
        format_date(date(2025, 1, 15), locale, "long"),
        format_money(123456, "EUR", locale),
        format_money(123456, "JPY", locale),
    )
    if all(can_print(text) for text in samples):
        return locale
    territory = locale.replace("-", "_").split("_")[1:2]
    fallback = f"en_{territory[0]}" if territory else "en"
    return fallback if localedata.exists(fallback) else "en"


def paper_for_locale(locale: str) -> PaperSize:
    """Letter for US and Canadian customers, A4 for everyone else."""
    territory = locale.replace("-", "_").split("_")[1:2]
    return PaperSize.LETTER if territory and territory[0].upper() in ("US", "CA") else PaperSize.A4


@dataclass(frozen=True)
class Wording:
    """Labels (gettext, the customer's language) and Babel formats (the customer's locale)."""

    locale: str
    currency: str
    catalog: gettext.NullTranslations

    @classmethod
    def for_document(cls, doc: Document) -> Wording:
        return cls(printable_locale(doc.locale), doc.currency, translator(doc.locale))

    def _(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def money(self, minor: int) -> str:
        return _money(minor, self.currency, self.locale)

    def unit_price(self, value: Decimal) -> str:
        return _exact_price(value, self.currency, self.locale)

    def date(self, value: date) -> str:
        return _date(value, self.locale)

    def number(self, value: Decimal) -> str:
        return _number(value.normalize(), self.locale)

    def percent(self, value: Decimal) -> str:
        return _percent(value.normalize(), self.locale)

    def unit(self, code: str) -> str:
        return self._(UNIT_NAMES.get(code, code))

    def country(self, code: str) -> str:
        return country_name(code, Locale.parse(self.locale).territories)

    def title(self, doc: Document) -> str:
        """``Rechnung RE-2025-00001``, or ``Invoice (draft)`` before a number is given; a final invoice (one that
        deducts deposit or partial invoices) says so."""
        invoice = "Final invoice" if doc.advances else ADVANCE_TITLES.get(doc.type_code or "", "Invoice")
        kind = self._("Credit note") if doc.is_credit_note else self._("Quote") if doc.is_quote else self._(invoice)
        return f"{kind} {doc.number or self._('(draft)')}"
