"""`invoicer billing`: plans from the command line, runs safe to repeat, bad input in one line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.invocations import ok, run, user_error


def test_plan_then_run_twice_bills_each_period_once(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "FR", "--vat-id", "FR40303265045",
                  "--locale", "fr_FR")["id"]
    plan = ok(data, "billing", "plan", "add", "--customer", str(customer), "--start", "2026-10-31",
              "--line", "1:49.90:20:Hosting: basic", "--mode", "finalize")["id"]
    assert ok(data, "billing", "plan", "price", str(plan), "--line", "1", "--from", "2026-11-30",
              "--unit-price", "59.90")["unit_price"] == "59.90"
    dry = ok(data, "billing", "run", "--today", "2026-12-05", "--dry-run")
    assert [b["period_start"] for b in dry["billed"]] == ["2026-10-31", "2026-11-30"]
    first = ok(data, "billing", "run", "--today", "2026-12-05")
    assert [b["invoice"] is not None for b in first["billed"]] == [True, True]
    assert ok(data, "billing", "run", "--today", "2026-12-05")["billed"] == []
    listed = ok(data, "invoice", "list")
    assert sorted(i["number"] for i in listed) == ["INV-2026-00001", "INV-2026-00002"]
    assert ok(data, "billing", "plan", "pause", str(plan), "--on", "2026-12-06")["paused"] is True
    assert ok(data, "billing", "plan", "list")[0]["billed"] == 2
    assert ok(data, "billing", "run", "--today", "2027-03-01", "--dry-run")["billed"] == []
    ok(data, "billing", "plan", "resume", str(plan), "--on", "2027-03-01")
    assert [b["period_start"] for b in ok(data, "billing", "run", "--today", "2027-03-31", "--dry-run")["billed"]] == [
        "2027-03-31"]


def test_bad_plans_are_refused_in_one_line(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    assert "QUANTITY:UNIT_PRICE" in user_error(data, "billing", "plan", "add", "--customer", str(customer),
                                               "--start", "2026-12-01", "--line", "Hosting")
    assert "end date" in user_error(data, "billing", "plan", "add", "--customer", str(customer), "--start",
                                    "2026-12-01", "--end", "2026-11-01", "--line", "1:10:19:Hosting")
    assert "no billing plan 1" in user_error(data, "billing", "plan", "resume", "1")
    plan = ok(data, "billing", "plan", "add", "--customer", str(customer), "--start", "2026-12-01", "--line",
              "1:10:19:Hosting")["id"]
    assert "not paused" in user_error(data, "billing", "plan", "resume", str(plan))
    assert run(data, "billing", "run", "--today", "2026-13-01").returncode == 2
