"""The settings registry: every type reads what a user types, refuses what it cannot use with a message naming the
key, stores and reads back the typed value, and an unchanged value writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from invoicer.cli import main
from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent
from invoicer.db.models import Setting as SettingRow
from invoicer.services import mailing, reminders, settings


@pytest.fixture
def tolerance() -> Iterator[settings.DecimalSetting]:
    """A Decimal setting declared for the test only (the app declares none yet); the registry is restored after."""
    saved = dict(settings.SETTINGS)
    yield settings.DecimalSetting("test.tolerance", Decimal("0.5"), "Tolerance", Decimal(0), Decimal(10))
    settings.SETTINGS.clear()
    settings.SETTINGS.update(saved)


def stored(db: Database, key: str) -> str | None:
    with transaction(db.readonly_sessions) as s:
        row = s.get(SettingRow, key)
        return None if row is None else row.value


def events(db: Database) -> int:
    with transaction(db.readonly_sessions) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "setting")) or 0


REFUSED = [
    ("invoice.terms_days", "thirty", "Setting invoice.terms_days: 'thirty' is not a whole number from 0 to 3650."),
    ("invoice.terms_days", "3651", "Setting invoice.terms_days: '3651' is not a whole number from 0 to 3650."),
    ("invoice.terms_days", True, "Setting invoice.terms_days: 'True' is not a whole number from 0 to 3650."),
    ("invoice.terms_days", "1.5", "Setting invoice.terms_days: '1.5' is not a whole number from 0 to 3650."),
    ("reminders.auto_send", "maybe", "Setting reminders.auto_send: 'maybe' is not true or false."),
    ("invoice.tax_rounding", "cents", "Setting invoice.tax_rounding: 'cents' is not one of document, line."),
    ("mail.from_name", 5, "Setting mail.from_name: '5' is not a text."),
    ("mail.from_address", "nobody", "Setting mail.from_address: 'nobody' is not an email address."),
    ("numbering.invoice", "INV-{year}", "Setting numbering.invoice: "),
    ("reminders.schedule", "[{oops", "Setting reminders.schedule: '[{oops' is not JSON such as "
                                     '[{"level": "overdue", "days": 3, "template": "reminder_overdue"}].'),
    ("reminders.schedule", '[{"level": "late"}]',
     """Setting reminders.schedule: Reminder level {'level': 'late'} must have exactly "level", "days" and "template"."""),
    ("test.tolerance", "1,5", "Setting test.tolerance: '1,5' is not a number from 0 to 10."),
    ("test.tolerance", "NaN", "Setting test.tolerance: 'NaN' is not a number from 0 to 10."),
    ("test.tolerance", 0.5, "Setting test.tolerance: '0.5' is not a number from 0 to 10."),  # a float is never money
    ("test.tolerance", "10.01", "Setting test.tolerance: '10.01' is not a number from 0 to 10."),
]


@pytest.mark.parametrize(("key", "value", "message"), REFUSED)
def test_each_type_refuses_what_it_cannot_use_naming_the_key(
    db: Database, tolerance: settings.DecimalSetting, key: str, value: object, message: str
) -> None:
    with transaction(db.sessions) as s, pytest.raises(ValidationError) as refused:
        settings.put(s, key, value)
    assert str(refused.value).startswith(message)
    assert refused.value.field == key
    assert stored(db, key) is None and events(db) == 0


ROUND_TRIPS: list[tuple[str, object, object]] = [
    ("invoice.terms_days", "45", 45),
    ("invoice.terms_days", 0, 0),
    ("reminders.auto_send", "yes", True),
    ("mail.copy_to_sender", "true", True),
    ("invoice.tax_rounding", "line", "line"),
    ("documents.paper_size", "Letter", "Letter"),
    ("mail.from_name", "Buchhaltung", "Buchhaltung"),
    ("numbering.invoice", "R{year}-{seq:05}", "R{year}-{seq:05}"),
    ("reminders.schedule", '[{"level": "late", "days": 10, "template": "reminder_overdue"}]',
     [{"level": "late", "days": 10, "template": "reminder_overdue"}]),
    ("ledger.account.revenue_by_rate", {"S 7": "4300"}, {"S 7": "4300"}),
    ("test.tolerance", "2.50", Decimal("2.50")),
]


@pytest.mark.parametrize(("key", "given", "typed"), ROUND_TRIPS)
def test_each_type_stores_and_reads_back_its_typed_value(
    db: Database, tolerance: settings.DecimalSetting, key: str, given: object, typed: Any
) -> None:
    with transaction(db.sessions) as s:
        assert settings.put(s, key, given) is True
    with transaction(db.readonly_sessions) as s:
        value = settings.get(s, key)
    assert value == typed and type(value) is type(typed)


def test_a_decimal_is_stored_as_exact_text(db: Database, tolerance: settings.DecimalSetting) -> None:
    with transaction(db.sessions) as s:
        tolerance.put(s, Decimal("0.10"))
    assert stored(db, "test.tolerance") == '"0.10"'
    with transaction(db.readonly_sessions) as s:
        assert tolerance.get(s) == Decimal("0.10")


def test_an_empty_optional_text_clears_it(db: Database) -> None:
    with transaction(db.sessions) as s:
        mailing.FROM_NAME.put(s, "Buchhaltung")
        mailing.FROM_NAME.put(s, "")
        assert mailing.FROM_NAME.get(s) is None


def test_a_typo_in_a_key_is_refused(db: Database) -> None:
    with transaction(db.sessions) as s, pytest.raises(ValidationError, match=re.escape("There is no setting 'invoice.term_days'")):
        settings.put(s, "invoice.term_days", "14")
    with transaction(db.readonly_sessions) as s, pytest.raises(ValidationError, match=re.escape("no setting 'mail.hots'")):
        settings.get(s, "mail.hots")


def test_saving_the_value_already_there_writes_nothing(db: Database) -> None:
    with transaction(db.sessions) as s:
        assert settings.TERMS_DAYS.put(s, "30") is False  # the default, never stored
    assert stored(db, "invoice.terms_days") is None and events(db) == 0
    with transaction(db.sessions) as s:
        assert settings.TERMS_DAYS.put(s, 14) is True
    with transaction(db.sessions) as s:
        assert settings.put(s, "invoice.terms_days", "14") is False
        settings.put_all(s, {"invoice.terms_days": 14, "reminders.auto_send": False})
    assert stored(db, "invoice.terms_days") == "14" and events(db) == 1


def test_a_value_stored_unchecked_by_an_older_version_can_be_replaced(db: Database) -> None:
    with transaction(db.sessions) as s:
        s.add(SettingRow(key="mail.timeout", value="2.5"))
    with transaction(db.readonly_sessions) as s, pytest.raises(ValidationError, match=re.escape("mail.timeout: '2.5'")):
        mailing.TIMEOUT.get(s)
    with transaction(db.sessions) as s:
        assert mailing.TIMEOUT.put(s, "20") is True
        assert mailing.TIMEOUT.get(s) == 20


def test_feature_modules_declare_their_settings_in_the_registry() -> None:
    declared = settings.all_settings()
    assert declared["reminders.schedule"] is reminders.SCHEDULE and declared["mail.port"] is mailing.PORT
    with pytest.raises(ValueError, match="declared twice"):
        settings.IntSetting("mail.port", 25, "Port", 1, 65535)


def test_the_cli_reads_text_and_prints_typed_values(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(db.folder)
    db.close()
    assert main(["--data-dir", folder, "settings", "invoice.terms_days", "14", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"invoice.terms_days": 14}
    assert main(["--data-dir", folder, "settings", "invoice.terms_days", "14"]) == 0
    assert capsys.readouterr().out.strip() == "Setting unchanged."
    assert main(["--data-dir", folder, "settings", "reminders.auto_send", "maybe"]) == 2
    assert capsys.readouterr().err.strip() == "invoicer: Setting reminders.auto_send: 'maybe' is not true or false."
    assert main(["--data-dir", folder, "settings", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["invoice.terms_days"] == 14 and shown["reminders.auto_send"] is False
