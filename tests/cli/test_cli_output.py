"""What the command line prints: ``--json`` as a real option, amounts in major units in every JSON output,
``invoice show`` whose lines add up and that lists the credit notes, the draft schema and shell completion."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from invoicer.services.drafts import DRAFT_SCHEMA
from tests.cli.invocations import ROOT, ok, run, user_error


def draft_file(tmp_path: Path, draft: dict[str, Any]) -> str:
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft), encoding="utf-8")
    return str(path)


def widgets_with_allowance(data: Path, tmp_path: Path) -> int:
    """Two widgets at 100.00, a document allowance of 100.00 and shipping of 5.00, all at 19 %: 124.95."""
    customer = ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"]
    tax = {"category": "S", "rate": "19"}
    path = draft_file(tmp_path, {
        "customer": customer, "issue_date": "2026-11-02",
        "lines": [{"description": "Widget", "quantity": "2", "unit_price": "100.00", "tax": tax}],
        "allowances": [{"reason": "Loyalty", "amount": "100.00", "tax": tax}],
        "charges": [{"reason": "Shipping", "amount": "5.00", "tax": tax}],
    })
    invoice = ok(data, "invoice", "create", "--from-json", path)["id"]
    ok(data, "invoice", "finalize", str(invoice))
    return int(invoice)


# ---------------------------------------------------------------- --json


@pytest.mark.parametrize("where", [0, 1, 2, 4, 6])  # before the command, its action, any option, or last
def test_json_is_accepted_wherever_it_is_put(data: Path, where: int) -> None:
    customer = str(ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"])
    args = ["invoice", "create", "--customer", customer, "--line", "Work|1|10|19"]
    args.insert(where, "--json")
    result = run(data, *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"id": 1}


def test_a_value_json_is_kept_as_a_value(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "--", "--json", "--country", "DE", "--notes=--json")["id"]
    assert [c["name"] for c in ok(data, "customer", "list")] == ["--json"]
    for notes in (["--notes=--json"], ["--notes", "--", "--json"]):
        result = run(data, "invoice", "create", "--customer", str(customer), "--line", "Work|1|10|19", *notes)
        assert result.returncode == 0, result.stderr
        assert ok(data, "invoice", "show", result.stdout.strip())["notes"] == "--json"  # the id, as text


def test_without_json_the_output_is_text(data: Path) -> None:
    result = run(data, "customer", "add", "--name", "ACME", "--country", "DE")
    assert (result.returncode, result.stdout) == (0, "1\n")


# ---------------------------------------------------------------- amounts in major units


def test_history_amounts_are_decimal_strings_in_major_units(data: Path, tmp_path: Path) -> None:
    invoice = widgets_with_allowance(data, tmp_path)
    ok(data, "invoice", "pay", str(invoice), "--amount", "124.95", "--date", "2026-11-05")
    payloads = {e["action"]: e["payload"] for e in ok(data, "invoice", "history", str(invoice))}
    assert payloads["create"]["total"] == "124.95" and payloads["finalize"]["total"] == "124.95"
    assert (payloads["payment"]["amount"], payloads["payment"]["applied"], payloads["payment"]["excess"]) == (
        "124.95", "124.95", "0.00")

    customer = ok(data, "customer", "add", "--name", "Yen KK", "--country", "JP", "--currency", "JPY")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Work|1|1500|0")["id"]
    ok(data, "invoice", "delete", str(draft))
    deleted = {e["action"]: e["payload"] for e in ok(data, "invoice", "history", str(draft))}
    assert deleted["delete"] == {"total": "1500"}  # a deleted draft still knows its currency (0 decimals)


def test_product_prices_are_decimal_strings_in_major_units(data: Path) -> None:
    for name, price in (("Hour", "12.5"), ("Screw", "0.0125"), ("Day", "1250")):
        ok(data, "product", "add", "--name", name, "--price", price)
    assert {p["name"]: p["unit_price"] for p in ok(data, "product", "list")} == {
        "Day": "1250.00", "Hour": "12.50", "Screw": "0.0125"}


# ---------------------------------------------------------------- invoice show


def amounts(text: str) -> dict[str, Decimal]:
    """The labelled amounts under the lines of ``invoice show`` (allowances negative)."""
    found: dict[str, Decimal] = {}
    for line in text.splitlines():
        match = re.fullmatch(r"\s*(Subtotal|Allowance|Charge|VAT \S+ \S+%|Total|Paid|Credited|Amount due)"
                             r"\s+(-?\d+\.\d\d)\b.*", line)
        if match:
            found[match[1]] = found.get(match[1], Decimal(0)) + Decimal(match[2])
    return found


def test_show_lists_allowances_and_charges_so_the_lines_add_up(data: Path, tmp_path: Path) -> None:
    invoice = widgets_with_allowance(data, tmp_path)
    text = run(data, "invoice", "show", str(invoice)).stdout
    assert "   Allowance        -100.00  Loyalty (VAT S 19%)" in text
    assert "      Charge           5.00  Shipping (VAT S 19%)" in text
    shown = amounts(text)
    assert shown["Subtotal"] + shown["Allowance"] + shown["Charge"] + shown["VAT S 19%"] == shown["Total"]
    assert shown["Total"] == Decimal("124.95")


def test_show_counts_credit_notes_issued_after_payment(data: Path, tmp_path: Path) -> None:
    invoice = str(widgets_with_allowance(data, tmp_path))
    ok(data, "invoice", "credit", invoice, "--amount", "20.00", "--reason", "scratch", "--date", "2026-11-03")
    ok(data, "invoice", "pay", invoice, "--amount", "104.95", "--date", "2026-11-05")  # paid in full
    after = ok(data, "invoice", "credit", invoice, "--amount", "24.95", "--reason", "late", "--date", "2026-11-06")
    shown = ok(data, "invoice", "show", invoice)
    assert (shown["status"], shown["paid"], shown["credited"], shown["amount_due"]) == (
        "paid", "104.95", "44.95", "0.00")
    assert [(n["number"], n["total"], n["applied_to_due"], n["to_customer_credit"]) for n in shown["credit_notes"]] == [
        ("CN-2026-00001", "20.00", "20.00", "0.00"), (after["number"], "24.95", "0.00", "24.95")]
    text = run(data, "invoice", "show", invoice).stdout
    assert amounts(text)["Credited"] == Decimal("44.95")
    assert "  CN-2026-00001  2026-11-03         20.00  against the amount due 20.00  (scratch)" in text
    assert "  CN-2026-00002  2026-11-06         24.95  to customer credit 24.95  (late)" in text


# ---------------------------------------------------------------- drafts as JSON


def test_an_unknown_key_in_a_draft_is_refused_by_name(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    tax = {"category": "S", "rate": "19"}
    path = draft_file(tmp_path, {"customer": customer, "lines": [
        {"description": "Work", "unit_price": "1.00", "tax": tax},
        {"description": "Parts", "price_basis": "100", "unit_price": "1.00", "tax": tax},
    ]})
    assert user_error(data, "invoice", "create", "--from-json", path) == (
        f"invoicer: {path}: line 2: unknown key 'price_basis'.")
    assert ok(data, "invoice", "list") == []


def test_the_draft_schema_is_printed_and_describes_the_readme_example(data: Path) -> None:
    printed = json.loads(run(data, "schema", "draft").stdout)
    assert printed == DRAFT_SCHEMA
    Draft202012Validator.check_schema(printed)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("`--from-json` takes a whole draft:")[1].split("```json")[1].split("```")[0]
    assert list(Draft202012Validator(printed).iter_errors(json.loads(example))) == []


# ---------------------------------------------------------------- shell completion


def test_completion_scripts_know_every_command(data: Path, tmp_path: Path) -> None:
    bash = run(data, "completion", "bash").stdout
    script = tmp_path / "invoicer.bash"
    script.write_text(bash, encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    assert "complete -o bashdefault -F _shtab_invoicer invoicer" in bash
    zsh = run(data, "completion", "zsh").stdout
    assert zsh.startswith("#compdef invoicer")
    for word in ("apply-credit", "--from-json", "--password-stdin", "reminders"):
        assert word in bash and word in zsh


def test_an_invoice_states_its_date_of_supply_and_service_period(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"]
    invoice = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Hosting|1|49.90|19",
                 "--date", "2026-11-02", "--delivery-date", "2026-10-20", "--period", "2026-10-01..2026-10-31")["id"]
    shown = ok(data, "invoice", "show", str(invoice))
    assert (shown["delivery_date"], shown["period"]) == ("2026-10-20", {"start": "2026-10-01", "end": "2026-10-31"})
    text = run(data, "invoice", "show", str(invoice)).stdout
    assert "Date of supply: 2026-10-20" in text and "Service period: 2026-10-01 to 2026-10-31" in text
    assert "is not a period; use FIRST..LAST" in user_error(
        data, "invoice", "create", "--customer", str(customer), "--line", "Hosting|1|49.90|19", "--period", "2026-10")
    assert "ends (2026-10-01) before it starts (2026-10-31)" in user_error(
        data, "invoice", "create", "--customer", str(customer), "--line", "Hosting|1|49.90|19",
        "--period", "2026-10-31..2026-10-01")


def test_a_line_takes_its_own_service_period_in_the_line_syntax(data: Path) -> None:
    customer = str(ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"])
    invoice = ok(data, "invoice", "create", "--customer", customer, "--date", "2026-11-02",
                 "--period", "2026-10-01..2026-10-31",
                 "--line", "Hosting|1|49.90|19|S|2026-10-01..2026-10-15",
                 "--line", "Support|2|30|19|2026-10-16..2026-10-31",  # the category may be left out
                 "--line", "Setup|1|100|19||2026-10-03..2026-10-03",
                 "--line", "Domain|1|12|19")["id"]
    lines = ok(data, "invoice", "show", str(invoice))["lines"]
    assert [ln["period"] for ln in lines] == [
        {"start": "2026-10-01", "end": "2026-10-15"}, {"start": "2026-10-16", "end": "2026-10-31"},
        {"start": "2026-10-03", "end": "2026-10-03"}, None]
    assert [ln["tax_category"] for ln in lines] == ["S"] * 4
    assert "Hosting (2026-10-01 to 2026-10-15)" in run(data, "invoice", "show", str(invoice)).stdout

    def refused(line: str, *more: str) -> str:
        return user_error(data, "invoice", "create", "--customer", customer, "--date", "2026-11-02", "--line", line,
                          *more)

    assert "the service period '2026-10..2026-11' must be two dates FIRST..LAST" in refused("A|1|10|19|S|2026-10..2026-11")
    assert "line 1: the service period ends (2026-10-01) before it starts (2026-10-15)" in refused(
        "A|1|10|19|2026-10-15..2026-10-01")
    assert "line 1: its service period (2026-09-20 to 2026-10-05) lies outside the invoice's" in refused(
        "A|1|10|19|S|2026-09-20..2026-10-05", "--period", "2026-10-01..2026-10-31")
    assert "[|CATEGORY][|FIRST..LAST]" in refused("A|1|10|19|S|2026-10-01..2026-10-05|extra")
    assert len(ok(data, "invoice", "list")) == 1  # a refusal makes no draft


def test_invoice_show_counts_the_rounding_amount_in_the_amount_due(data: Path, tmp_path: Path) -> None:
    """1 x 100.01 + 19 % = 119.01, rounded to 119.00 (BT-114): paying 119.00 settles it."""
    customer = ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"]
    path = draft_file(tmp_path, {
        "customer": customer, "issue_date": "2026-11-02", "rounding_amount": "-0.01",
        "lines": [{"description": "Widget", "quantity": "1", "unit_price": "100.01",
                   "tax": {"category": "S", "rate": "19"}}],
    })
    invoice = str(ok(data, "invoice", "create", "--from-json", path)["id"])
    ok(data, "invoice", "finalize", invoice)
    shown = ok(data, "invoice", "show", invoice)
    assert (shown["total"], shown["rounding_amount"], shown["amount_due"]) == ("119.01", "-0.01", "119.00")
    text = run(data, "invoice", "show", invoice).stdout
    assert re.search(r"Rounding\s+-0\.01", text) and re.search(r"Amount due\s+119\.00", text)
    assert ok(data, "invoice", "pay", invoice, "--amount", "119.00", "--date", "2026-11-02")["status"] == "paid"
