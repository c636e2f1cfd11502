"""Defects the fuzz tests found, each pinned by the smallest input that showed it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from invoicer.core.errors import ValidationError
from invoicer.core.money import parse_decimal, to_minor
from invoicer.db.migrate import Database
from invoicer.services import drafts, invoices, settings, store
from tests.cli.invocations import ok, user_error
from tests.fuzz.harness import fingerprint


@pytest.mark.parametrize("args", [
    ("invoice", "show", "99999999999999999999"),
    ("customer", "archive", "9223372036854775808"),
    ("invoice", "list", "--limit", "99999999999999999999"),
    ("payment", "list", "--customer", "99999999999999999999"),
])
def test_ids_and_counts_beyond_64_bits_are_refused_by_the_parser(data: Path, args: tuple[str, ...]) -> None:
    assert "is too large" in user_error(data, *args)


@pytest.mark.parametrize("text", ["1e18", "9" * 40, "-1E+400"])
def test_typed_numbers_of_10_to_the_18_or_more_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="too large"):
        parse_decimal(text, "unit price")


def test_an_amount_beyond_64_bit_minor_units_is_refused_not_stored() -> None:
    assert to_minor(Decimal("92233720368547758.07"), "EUR") == 2**63 - 1
    with pytest.raises(ValidationError, match="too large"):
        to_minor(Decimal("92233720368547758.08"), "EUR")
    with pytest.raises(ValidationError, match="too large"):
        to_minor(Decimal("1e40"), "EUR")  # beyond Decimal's 28 digits once quantized


def test_a_line_whose_net_overflows_is_refused_with_the_database_unchanged(data: Path) -> None:
    customer = str(ok(data, "customer", "add", "--name", "Kunde AG", "--country", "DE")["id"])
    before = fingerprint(data)
    assert "too large" in user_error(data, "invoice", "create", "--customer", customer,
                                     "--line", "x|999999999999999|999999999999999|19")
    assert fingerprint(data) == before


def test_an_issue_date_whose_due_date_is_past_the_calendar_is_refused(customer_id: int, seller: Database) -> None:
    data = invoices.DraftData(customer_id=customer_id, lines=[invoices.LineData("x", "1", "1", "S", "19")],
                              issue_date=date(9999, 12, 31))
    with pytest.raises(ValidationError, match="beyond the calendar"):
        store.write(seller, lambda s: invoices.create_draft(s, data))


def test_control_characters_in_a_message_value_are_escaped_to_keep_one_line(data: Path) -> None:
    message = user_error(data, "invoice", "list", "--from", "2024\r\n\x1b[2J")
    assert "2024\\r\\n\\x1b[2J" in message


def test_a_draft_nested_deeper_than_the_parser_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValidationError, match="not a readable JSON file"):
        drafts.read_draft(path)


def test_a_draft_customer_id_beyond_64_bits_is_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError, match="customer"):
        drafts.draft_from_json({"customer": 10**30}, "draft.json")


@pytest.mark.parametrize(("key", "value"), [("invoice.terms_days", "1" * 5000), ("reminders.schedule", "9" * 5000),
                                            ("reminders.schedule", "[" * 100_000)])
def test_settings_of_thousands_of_digits_or_deep_nesting_are_refused(seller: Database, key: str, value: str) -> None:
    with pytest.raises(ValidationError, match=key):
        store.write(seller, lambda s: settings.put(s, key, value))
