"""Settings, declared once here with their default and title; stored as JSON in the settings table.

Secrets never live here: the SMTP password is in the OS keyring (invoicer.mail.secrets).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from invoicer.core.errors import ValidationError
from invoicer.core.numbering import DEFAULT_PATTERNS, validate_pattern
from invoicer.db import backup
from invoicer.db.models import Setting
from invoicer.i18n import N_
from invoicer.services import audit


@dataclass(frozen=True)
class SettingDef:
    default: Any
    title: str
    check: Callable[[Any], None] | None = None


def _positive_int(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(N_("'{value}' is not a whole number of 0 or more."), value=value)


def _rounding(value: Any) -> None:
    if value not in ("document", "line"):
        raise ValidationError(N_("Tax rounding is 'document' (per rate, EN 16931) or 'line'."))


def _pattern(value: Any) -> None:
    validate_pattern(str(value))


SETTINGS: dict[str, SettingDef] = {
    "numbering.invoice": SettingDef(DEFAULT_PATTERNS["invoice"], N_("Invoice number format"), _pattern),
    "numbering.credit_note": SettingDef(
        DEFAULT_PATTERNS["credit_note"], N_("Credit note number format"), _pattern
    ),
    "invoice.terms_days": SettingDef(30, N_("Default payment terms (days)"), _positive_int),
    "invoice.tax_rounding": SettingDef("document", N_("VAT rounding on new invoices"), _rounding),
    "invoice.future_days": SettingDef(
        0, N_("Days ahead of today an invoice may be dated when finalized"), _positive_int
    ),
    "backup.keep": SettingDef(backup.DEFAULT_KEEP, N_("Backups to keep"), _positive_int),
    "ui.language": SettingDef(None, N_("Interface language (empty: follow the system)")),
}


#: Feature modules that declare their own settings next to their code (``declare`` at import).
FEATURE_MODULES = (
    "invoicer.services.documents",
    "invoicer.services.ledger",
    "invoicer.services.mailing",
    "invoicer.services.reminders",
)


def declare(key: str, definition: SettingDef) -> None:
    """Let a feature module (mail, reminders, ledger) declare its settings next to its code."""
    SETTINGS[key] = definition


def all_settings() -> dict[str, SettingDef]:
    """Every setting of every feature, whichever modules happen to be imported already."""
    for module in FEATURE_MODULES:
        importlib.import_module(module)
    return SETTINGS


def get(session: Session, key: str) -> Any:
    definition = _definition(key)
    row = session.get(Setting, key)
    return definition.default if row is None else json.loads(row.value)


def put(session: Session, key: str, value: Any) -> None:
    definition = _definition(key)
    if definition.check is not None and value is not None:
        definition.check(value)
    row = session.get(Setting, key)
    before = None if row is None else json.loads(row.value)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)
    audit.record(session, "update", "setting", None, payload={"key": key, "before": before, "after": value})


def _definition(key: str) -> SettingDef:
    try:
        return all_settings()[key] if key not in SETTINGS else SETTINGS[key]
    except KeyError:
        raise ValidationError(N_("There is no setting '{key}'."), key=key) from None
