"""`invoicer invoice link`: the template set and checked through `invoicer settings`, the link shown, renewed and
replaced; bad input is one line and exit code 2."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.cli.invocations import ok, run, user_error

TEMPLATE = "https://pay.example.com/{token}?amount={amount}&cur={currency}&ref={number}"


def test_link_shown_renewed_and_replaced(data: Path) -> None:
    assert "{token}" in user_error(data, "settings", "payments.link_template", "https://pay.example.com/x")
    ok(data, "settings", "payments.link_template", TEMPLATE)
    ok(data, "settings", "payments.link_days", "10")
    customer = ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02", "--due", "2026-12-02",
               "--line", "Consulting|1|100.00|19")["id"]
    number = ok(data, "invoice", "finalize", str(draft))["number"]

    shown = ok(data, "invoice", "link", number)
    assert (shown["number"], shown["state"], shown["expires_on"]) == (number, "active", "2026-12-12")
    parts = urlsplit(shown["url"])
    assert parts.path == "/" + shown["token"]
    assert parse_qs(parts.query) == {"amount": ["119.00"], "cur": ["EUR"], "ref": [number]}
    assert ok(data, "invoice", "link", str(draft))["token"] == shown["token"]  # the id works too
    text = run(data, "invoice", "link", number)
    assert text.returncode == 0 and text.stdout.splitlines()[0] == shown["url"]

    renewed = ok(data, "invoice", "link", number, "--renew")
    assert renewed["token"] == shown["token"] and renewed["expires_on"] > shown["expires_on"]
    replaced = ok(data, "invoice", "link", number, "--new-token")
    assert replaced["token"] != shown["token"] and replaced["state"] == "active"

    ok(data, "invoice", "pay", str(draft), "--amount", "119.00", "--date", "2026-11-05")
    assert ok(data, "invoice", "link", number)["state"] == "used"
    assert "nothing left to pay" in user_error(data, "invoice", "link", number, "--renew")
    assert ok(data, "verify")["ok"] is True


def test_an_invoice_without_a_link_or_unknown_is_one_line(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Consulting|1|100.00|19")["id"]
    number = ok(data, "invoice", "finalize", str(draft))["number"]
    assert "has no payment link; --renew makes one" in user_error(data, "invoice", "link", number)
    assert "No payment link is set up" in user_error(data, "invoice", "link", number, "--renew")
    assert "There is no invoice INV-9" in user_error(data, "invoice", "link", "INV-9")
