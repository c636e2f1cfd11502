"""Settings, each declared once with its type, default and title; stored as JSON in the settings table.

A declaration is a typed accessor (``TERMS_DAYS = IntSetting(...)``, ``TERMS_DAYS.get(session)`` is an
``int``), so call sites never cast. ``put`` takes what a user typed (the CLI gives text, the GUI its
widgets' values), converts and validates it, and refuses it with a message naming the key and what is
expected. Feature modules (mail, reminders, ledger, documents) declare theirs next to their code.

Secrets never live here: the SMTP password is in the OS keyring (invoicer.mail.secrets).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core import vat_rates
from invoicer.core.errors import InvoicerError, ValidationError
from invoicer.core.numbering import DEFAULT_PATTERNS, validate_pattern
from invoicer.db import backup
from invoicer.db.models import Setting as SettingRow
from invoicer.db.models import TaxRate
from invoicer.i18n import N_
from invoicer.services import audit, first_window
from invoicer.services.company import get_company

T = TypeVar("T")

# more digits than any setting's range allows is refused before int() (which stops at 4300 digits)
_INTEGER = re.compile(r"[+-]?\d{1,30}")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")

#: Every declared setting by key (feature modules add theirs when imported: see ``all_settings``).
SETTINGS: dict[str, Setting[Any]] = {}


class Setting(Generic[T]):
    """One setting: its key, default and title, and how a value of its type is read from user input."""

    def __init__(self, key: str, default: T, title: str) -> None:
        if key in SETTINGS:
            raise ValueError(f"setting {key} is declared twice")
        self.key = key
        self.default = default
        self.title = title
        SETTINGS[key] = self

    def parse(self, value: object) -> T:
        """The typed value for ``value`` (the type itself or its text); ValidationError naming the key."""
        raise NotImplementedError

    def to_json(self, value: T) -> object:
        """The value as stored (and as ``--json`` prints it)."""
        return value

    def default_for(self, session: Session) -> T:
        """The value while none is stored (a setting whose default depends on the data overrides this)."""
        return self.default

    def get(self, session: Session) -> T:
        row = session.get(SettingRow, self.key)
        return self.default_for(session) if row is None else self.parse(json.loads(row.value))

    def put(self, session: Session, value: object) -> bool:
        """Store ``value`` after checking it; an unchanged value writes nothing (and no audit event).
        True when something was stored."""
        stored = self.to_json(self.parse(value))
        row = session.get(SettingRow, self.key)
        # compared as stored: a value an older version stored unchecked can still be replaced
        before = self.to_json(self.default_for(session)) if row is None else json.loads(row.value)
        if stored == before:
            return False
        if row is None:
            session.add(SettingRow(key=self.key, value=json.dumps(stored)))
        else:
            row.value = json.dumps(stored)
        audit.record(session, "update", "setting", None, payload={"key": self.key, "before": before, "after": stored})
        return True

    def refuse(self, template: str, value: object, **values: object) -> ValidationError:
        return ValidationError(template, self.key, key=self.key, value=value, **values)

    def checked(self, check: Callable[[Any], object], value: T) -> T:
        """``value`` once a rule of the feature (a number pattern, a mail address) accepts it; its message
        is told under the setting's key."""
        try:
            check(value)
        except InvoicerError as err:
            raise ValidationError(N_("Setting {key}: {problem}"), self.key, key=self.key, problem=err.text) from None
        return value


class IntSetting(Setting[int]):
    """A whole number from ``low`` to ``high``."""

    def __init__(self, key: str, default: int, title: str, low: int, high: int) -> None:
        super().__init__(key, default, title)
        self.low, self.high = low, high

    def parse(self, value: object) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None or not self.low <= number <= self.high:
            raise self.refuse(N_("Setting {key}: '{value}' is not a whole number from {low} to {high}."), value,
                              low=self.low, high=self.high)
        return number


class DecimalSetting(Setting[Decimal]):
    """An exact number from ``low`` to ``high`` (stored as text, never as a float)."""

    def __init__(self, key: str, default: Decimal, title: str, low: Decimal, high: Decimal) -> None:
        super().__init__(key, default, title)
        self.low, self.high = low, high

    def parse(self, value: object) -> Decimal:
        number: Decimal | None = None
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or not self.low <= number <= self.high:
            raise self.refuse(N_("Setting {key}: '{value}' is not a number from {low} to {high}."), value,
                              low=self.low, high=self.high)
        return number

    def to_json(self, value: Decimal) -> object:
        return str(value)


class StandardTaxRateSetting(DecimalSetting):
    """The VAT rate new lines take; until one is chosen, the standard rate of the company's country (or,
    for a country without known rates, the highest standard rate the user entered)."""

    def default_for(self, session: Session) -> Decimal:
        known = vat_rates.standard_rate(get_company(session).country)
        if known is not None:
            return known
        entered = session.scalars(select(TaxRate.rate).where(TaxRate.category == "S", TaxRate.archived.is_(False)))
        return max(entered, default=self.default)


class BoolSetting(Setting[bool]):
    """On or off; as text true/false, yes/no, on/off or 1/0."""

    def parse(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in (*_TRUE, *_FALSE):
            raise self.refuse(N_("Setting {key}: '{value}' is not true or false."), value)
        return text in _TRUE


class ChoiceSetting(Setting[str]):
    """One of a fixed list of words."""

    def __init__(self, key: str, default: str, title: str, choices: Sequence[str]) -> None:
        super().__init__(key, default, title)
        self.choices = tuple(choices)

    def parse(self, value: object) -> str:
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise self.refuse(N_("Setting {key}: '{value}' is not one of {choices}."), value,
                              choices=", ".join(self.choices))
        return value.strip()


class TextSetting(Setting[str]):
    """A text, checked by the feature's own rule when it has one (a number pattern, a server name)."""

    def __init__(self, key: str, default: str, title: str, check: Callable[[str], object] | None = None) -> None:
        super().__init__(key, default, title)
        self.check = check

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise self.refuse(N_("Setting {key}: '{value}' is not a text."), value)
        return value if self.check is None else self.checked(self.check, value)


class OptionalTextSetting(Setting[str | None]):
    """A text that may be left empty (None), checked by the feature's rule when given."""

    def __init__(self, key: str, title: str, check: Callable[[str], object] | None = None) -> None:
        super().__init__(key, None, title)
        self.check = check

    def parse(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.refuse(N_("Setting {key}: '{value}' is not a text."), value)
        return value if self.check is None else self.checked(self.check, value)


class JsonSetting(Setting[T]):
    """A structure (the reminder schedule, the mail templates, a mapping of accounts): given as JSON text
    or as the structure itself, accepted when ``check`` accepts it (it raises a ValidationError saying
    what is wrong)."""

    def __init__(self, key: str, default: T, title: str, check: Callable[[Any], object], example: str) -> None:
        super().__init__(key, default, title)
        self.check = check
        self.example = example

    def parse(self, value: object) -> T:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):  # not JSON, an integer of 4300+ digits, or nested too deep
                raise self.refuse(N_("Setting {key}: '{value}' is not JSON such as {example}."), value,
                                  example=self.example) from None
        return self.checked(self.check, cast(T, value))


NUMBERING = {
    "invoice": TextSetting("numbering.invoice", DEFAULT_PATTERNS["invoice"], N_("Invoice number format"),
                           validate_pattern),
    "credit_note": TextSetting("numbering.credit_note", DEFAULT_PATTERNS["credit_note"],
                               N_("Credit note number format"), validate_pattern),
    "quote": TextSetting("numbering.quote", DEFAULT_PATTERNS["quote"], N_("Quote number format"), validate_pattern),
}
TERMS_DAYS = IntSetting("invoice.terms_days", 30, N_("Default payment terms (days)"), 0, 3650)
DEFAULT_TAX_RATE = StandardTaxRateSetting("invoice.default_tax_rate", Decimal(0), N_("VAT rate of new lines (%)"),
                                          Decimal(0), Decimal(100))
TAX_ROUNDING = ChoiceSetting("invoice.tax_rounding", "document", N_("VAT rounding on new invoices"),
                             ("document", "line"))
FUTURE_DAYS = IntSetting("invoice.future_days", 0, N_("Days ahead of today an invoice may be dated when finalized"),
                         0, 365)
BACKUP_KEEP = IntSetting("backup.keep", backup.DEFAULT_KEEP, N_("Backups to keep"), 1, 1000)
UI_LANGUAGE = OptionalTextSetting(first_window.LANGUAGE_KEY, N_("Interface language (empty: follow the system)"))


#: Feature modules that declare their own settings next to their code (at import).
FEATURE_MODULES = (
    "invoicer.services.documents",
    "invoicer.services.ledger",
    "invoicer.services.mailing",
    "invoicer.services.payment_links",
    "invoicer.services.qr_bills",
    "invoicer.services.reminders",
)


def all_settings() -> dict[str, Setting[Any]]:
    """Every setting of every feature, whichever modules happen to be imported already."""
    for module in FEATURE_MODULES:
        importlib.import_module(module)
    return SETTINGS


def setting(key: str) -> Setting[Any]:
    """The declaration of ``key``; a key nobody declared (a typo) is refused."""
    try:
        return SETTINGS[key] if key in SETTINGS else all_settings()[key]
    except KeyError:
        raise ValidationError(N_("There is no setting '{key}'."), key=key) from None


def get(session: Session, key: str) -> object:
    """A setting's value by key, for code that lists settings (the CLI); features use their accessor."""
    return setting(key).get(session)


def get_json(session: Session, key: str) -> object:
    """A setting's value as stored and as ``--json`` prints it."""
    declared = setting(key)
    return declared.to_json(declared.get(session))


def put(session: Session, key: str, value: object) -> bool:
    """Check and store a value typed by the user; True when it changed anything."""
    return setting(key).put(session, value)


def put_all(session: Session, values: dict[str, object]) -> None:
    """Store several settings in the caller's transaction (a settings form); unchanged ones write nothing."""
    for key, value in values.items():
        put(session, key, value)

