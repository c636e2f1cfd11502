"""The command line: names, JSON, exit codes, one-line errors (in-process through ``main``), and the few
things only a real process shows: the installed entry point, ``python -m invoicer``, a reader going away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from invoicer.logs import log
from tests.cli.invocations import ROOT, ok, run, user_error


def test_the_whole_story(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "FR", "--vat-id", "FR40303265045",
                  "--locale", "fr_FR", "--terms-days", "14")["id"]
    # `company set` with country DE seeded Germany's rates, standard first
    assert [(t["category"], t["rate"]) for t in ok(data, "tax", "list")] == [("S", "19"), ("S", "7")]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
               "--line", "Consulting|3|120.00|19", "--line", "Book|2|14.995|7")["id"]
    shown = ok(data, "invoice", "show", str(draft))
    assert shown["number"] is None and shown["status"] == "draft"
    assert (shown["subtotal"], shown["tax_total"], shown["total"]) == ("389.99", "70.50", "460.49")
    assert [t["amount"] for t in shown["tax"]] == ["2.10", "68.40"]
    assert ok(data, "invoice", "finalize", str(draft))["number"] == "INV-2026-00001"
    assert ok(data, "invoice", "finalize", str(draft))["number"] == "INV-2026-00001"
    payment = ok(data, "invoice", "pay", str(draft), "--amount", "100.00", "--reference", "TX-1",
                 "--date", "2026-11-05")
    assert payment["amount_due"] == "360.49"
    assert "already recorded" in user_error(data, "invoice", "pay", str(draft), "--amount", "1", "--reference", "TX-1")
    note = ok(data, "invoice", "credit", str(draft), "--amount", "50.00", "--reason", "goodwill", "--date", "2026-11-06")
    assert note["number"] == "CN-2026-00001"
    listed = ok(data, "invoice", "list", "--customer", str(customer))
    assert listed[0]["amount_due"] == ok(data, "invoice", "show", str(draft))["amount_due"]
    assert listed[0]["status"] == "open"
    # partly paid and past its due date: both, as the "partially paid" filter finds it
    assert listed[0]["badges"] == ["partially paid", "overdue"]
    assert [d["id"] for d in ok(data, "invoice", "list", "--status", "partially paid")] == [draft]
    assert "partially paid, overdue" in run(data, "invoice", "list").stdout
    rev = ok(data, "payment", "reverse", str(payment["id"]), "--reason", "bounced")["id"]
    assert rev > payment["id"]
    customers = ok(data, "customer", "list")
    assert customers[0]["balance"] == ok(data, "invoice", "show", str(draft))["amount_due"]
    history = ok(data, "invoice", "history", str(draft))
    assert [h["action"] for h in history][:2] == ["create", "finalize"]
    assert ok(data, "verify")["ok"] is True
    backup = ok(data, "backup", "create")["path"]
    assert Path(backup).exists()
    assert ok(data, "backup", "list")[0]["path"] == backup


def test_create_from_json_with_discounts_and_charges(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "B2C", "--country", "DE")["id"]
    draft_file = tmp_path / "draft.json"
    draft_file.write_text(json.dumps({
        "customer": customer, "currency": "EUR", "issue_date": "2026-11-21", "due_date": "2026-12-05",
        "tax_rounding": "line",
        "lines": [
            {"description": "Hours", "quantity": "3", "unit": "HUR", "unit_price": "120.00",
             "discount": {"percent": "10"}, "tax": {"category": "S", "rate": "19"}},
            {"description": "Part", "quantity": "1", "unit_price": "10.00", "discount": {"amount": "1.00"},
             "tax": {"category": "S", "rate": "7"}},
        ],
        "allowances": [{"reason": "Loyalty", "amount": "10.00", "tax": {"category": "S", "rate": "19"}}],
        "charges": [{"reason": "Shipping", "amount": "5.90", "tax": {"category": "S", "rate": "19"}}],
        "notes": "Thank you", "buyer_reference": "PO-7",
    }))
    draft = ok(data, "invoice", "create", "--from-json", str(draft_file))["id"]
    shown = ok(data, "invoice", "show", str(draft))
    assert (shown["subtotal"], shown["allowance_total"], shown["charge_total"]) == ("333.00", "10.00", "5.90")
    assert shown["tax_rounding"] == "line" and shown["buyer_reference"] == "PO-7"
    # 319.90 net at 19 % -> 61.56 - 1.90 + 1.12 = 60.78 (rounded per line and adjustment); 9.00 at 7 % -> 0.63
    assert shown["total"] == "390.31"
    ok(data, "invoice", "delete", str(draft))
    assert "no invoice" in user_error(data, "invoice", "show", str(draft))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("invoice", "show", "999"), "no invoice 999"),
        (("invoice", "create", "--customer", "1", "--line", "broken"), "DESCRIPTION|QTY"),
        (("customer", "add", "--name", "X", "--country", "ZZ"), "not an ISO country"),
        (("customer", "add", "--name", "X", "--country", "DE", "--vat-id", "DE123"), "not a valid VAT ID"),
        (("customer", "add", "--name", "X", "--country", "DE", "--email", "nope"), "not an email"),
        (("tax", "add", "--name", "X", "--rate", "abc"), "not a number"),
        (("invoice", "frobnicate"), "invalid choice"),
        (("invoice", "create", "--from-json", "/nonexistent.json"), "does not exist"),
        (("invoice", "list", "--from", "yesterday"), "not a date"),
        (("backup", "restore", "/nonexistent.sqlite3"), "does not exist"),
        (("company", "set", "--iban", "DE00 0000"), "not a valid IBAN"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(data: Path, args: tuple[str, ...], message: str) -> None:
    assert message in user_error(data, *args)


def test_refused_transitions_exit_2(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "X|1|10|19")["id"]
    assert "Only an open invoice can be voided" in user_error(data, "invoice", "void", str(draft))
    assert "finalize it first" in user_error(data, "invoice", "pay", str(draft), "--amount", "1")
    ok(data, "invoice", "finalize", str(draft))
    assert "never deleted" in user_error(data, "invoice", "delete", str(draft))
    ok(data, "invoice", "void", str(draft))
    assert "open or paid" in user_error(data, "invoice", "credit", str(draft), "--all")


def test_demo_then_verify_and_lists(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    summary = ok(folder, "demo", "--invoices", "120", "--seed", "7")
    assert summary["invoices"] == 120
    assert ok(folder, "verify")["ok"] is True
    statuses = {row["status"] for row in ok(folder, "invoice", "list")}
    assert {"draft", "open", "paid"} <= statuses
    again = tmp_path / "demo2"
    ok(again, "demo", "--invoices", "120", "--seed", "7")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(ok(folder, "invoice", "list")) == strip(ok(again, "invoice", "list"))  # deterministic


def test_json_flag_anywhere_and_human_output(data: Path) -> None:
    result = run(data, "--json", "customer", "list")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    result = run(data, "company", "show")
    assert "Müller & Söhne GmbH" in result.stdout


@pytest.mark.sqlite_only
def test_unexpected_errors_are_logged_not_shown(data: Path) -> None:
    # a folder path that is a file: opening the database cannot work
    bad = data / "invoicer.sqlite3"
    handlers = list(log.handlers)
    result = run(bad, "customer", "list")
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert log.handlers == handlers  # the log file is closed again: nothing left open by a run


def test_the_installed_entry_point_runs_main(data: Path) -> None:
    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["invoicer"]
    module, _, function = target.partition(":")
    wrapper = f"import sys; from {module} import {function}; sys.exit({function}())"  # what pip's script runs
    env = {**os.environ, "INVOICER_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", wrapper, "company", "show", "--json"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "Müller & Söhne GmbH"


def test_settings_of_every_feature_are_listed(data: Path) -> None:
    listed = ok(data, "settings")
    assert {"numbering.invoice", "documents.paper_size", "ledger.account.receivables", "reminders.schedule"} <= set(listed)


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    ok(folder, "demo", "--invoices", "300")
    env = {**os.environ, "INVOICER_DATA_DIR": str(folder)}
    proc = subprocess.Popen([sys.executable, "-m", "invoicer", "invoice", "list", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `invoicer invoice list | head -c 10`
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_without_a_display_the_app_explains_instead_of_crashing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(tmp_path)], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "No graphical display" in result.stderr and "Traceback" not in result.stderr


def test_customer_bank_account_is_validated(data: Path) -> None:
    assert "not a valid IBAN" in user_error(data, "customer", "add", "--name", "X", "--country", "DE",
                                            "--iban", "DE89370400440532013001")
    ok(data, "customer", "add", "--name", "X", "--country", "DE", "--iban", "DE89 3704 0044 0532 0130 00",
       "--bic", "COBADEFFXXX")
