"""Money commands through the real CLI: every action takes --date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.cli.invocations import ok, user_error


def test_actions_take_a_date_checked_against_the_document_and_today(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    first = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
               "--line", "Consulting|1|100.00|19")["id"]
    ok(data, "invoice", "finalize", str(first))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "in the future" in user_error(data, "invoice", "uncollectible", str(first), "--date", tomorrow)
    assert "before the document" in user_error(data, "invoice", "void", str(first), "--date", "2026-11-01")
    paid = ok(data, "invoice", "pay", str(first), "--amount", "150.00", "--date", "2026-11-05")["id"]
    assert "before" in user_error(data, "payment", "reverse", str(paid), "--date", "2026-11-04")
    (earlier,) = ok(data, "customer", "list", "--as-of", "2026-11-04")
    (now,) = ok(data, "customer", "list")
    assert (earlier["balance"], earlier["credit"]) == ("119.00", "0.00")
    assert (now["balance"], now["credits"]) == ("0.00", {"EUR": "31.00"})
    second = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-10",
                "--line", "Consulting|1|10.00|19")["id"]
    ok(data, "invoice", "finalize", str(second))
    ok(data, "invoice", "apply-credit", str(second), "--date", "2026-11-11")
    listed = ok(data, "payment", "list", "--invoice", str(second))
    assert [p["date"] for p in listed] == ["2026-11-11"]


def test_line_category_is_derived_from_the_customer_or_named(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Token|2|39.99|0",
               "--line", "Consulting|1|95.00|0|AE", "--line", "Printed matter|1|4.99|7")["id"]
    shown = ok(data, "invoice", "show", str(draft))
    assert sorted(t["category"] for t in shown["tax"]) == ["AE", "K", "S"]


def test_line_credits_take_their_share_of_the_document_allowance(data: Path, tmp_path: Path) -> None:
    """The issue's case: two widgets at 100.00, an allowance of 100.00 at 19 %, paid 119.00. `credit --line 1:1`
    credited 119.00 and then refused the second widget; each is worth 59.50."""
    from tests.cli.test_cli_output import draft_file

    customer = ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"]
    tax = {"category": "S", "rate": "19"}
    invoice = str(ok(data, "invoice", "create", "--from-json", draft_file(tmp_path, {
        "customer": customer, "issue_date": "2026-11-02",
        "lines": [{"description": "Widget", "quantity": "2", "unit_price": "100.00", "tax": tax}],
        "allowances": [{"reason": "Loyalty", "amount": "100.00", "tax": tax}]}))["id"])
    ok(data, "invoice", "finalize", invoice)
    ok(data, "invoice", "pay", invoice, "--amount", "119.00", "--date", "2026-11-03")
    first = ok(data, "invoice", "credit", invoice, "--line", "1:1", "--date", "2026-11-04")
    second = ok(data, "invoice", "credit", invoice, "--line", "1:1", "--date", "2026-11-04")
    assert (first["total"], second["total"]) == ("59.50", "59.50")
    shown = ok(data, "invoice", "show", invoice)
    assert (shown["credited"], shown["amount_due"]) == ("119.00", "0.00")
    assert ok(data, "verify")["ok"] is True


def test_finalize_refuses_a_future_issue_date_and_a_payment_is_not_dated_before_the_invoice(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    issued = str(ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
                    "--line", "Consulting|1|100.00|19")["id"])
    ok(data, "invoice", "finalize", issued)
    assert "before the document" in user_error(data, "invoice", "pay", issued, "--amount", "10.00",
                                               "--date", "2026-11-01")
    ahead = (date.today() + timedelta(days=2)).isoformat()
    draft = str(ok(data, "invoice", "create", "--customer", str(customer), "--date", ahead,
                   "--line", "Consulting|1|100.00|19")["id"])
    assert "in the future" in user_error(data, "invoice", "finalize", draft)
    ok(data, "settings", "invoice.future_days", "2")  # the tolerance: this many days ahead are accepted
    ok(data, "invoice", "finalize", draft)
