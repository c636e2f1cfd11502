"""The command line prints the engine's errors in English, whatever the interface language and the locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.invocations import ok, user_error


def test_the_cli_refuses_in_english_under_a_german_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")  # the invoicer subprocess inherits the German locale
    monkeypatch.setenv("LANGUAGE", "de")
    ok(data, "settings", "ui.language", "de_DE")
    customer = ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Arbeit|1|100|19")["id"]
    assert user_error(data, "invoice", "finalize", str(draft)) == (
        "invoicer: Set up your company profile first (missing: name, address, postcode, city, country): "
        "invoices need the seller's name, address and country."
    )
    assert user_error(data, "invoice", "show", "999") == "invoicer: There is no invoice 999."
