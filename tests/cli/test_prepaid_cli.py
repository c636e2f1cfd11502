"""The prepaid amount (BT-113) on the command line: `invoice create --prepaid`, `invoice show` (JSON and text),
`invoice xml` stating what was issued whatever is paid later, refusals on stderr with exit 2, and `verify`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.invocations import ok, run, user_error

LINE = "Consulting|10|100.00|19"  # 1190.00


def _create(data: Path, *extra: str) -> tuple[str, list[str]]:
    customer = str(ok(data, "customer", "add", "--name", "Globex AG", "--country", "DE")["id"])
    return customer, ["invoice", "create", "--customer", customer, "--line", LINE, "--date", "2026-11-20", *extra]


def _xml(data: Path, invoice: str, out: Path) -> str:
    ok(data, "invoice", "xml", invoice, "-o", str(out))
    return out.read_text(encoding="utf-8")


def test_a_prepaid_amount_is_entered_shown_stated_and_paid_once(data: Path, tmp_path: Path) -> None:
    _customer, create = _create(data)
    invoice = str(ok(data, *create, "--prepaid", "500.00", "--prepaid-method", "cash",
                     "--prepaid-reference", "Receipt 17")["id"])
    draft = ok(data, "invoice", "show", invoice)
    assert (draft["prepaid"], draft["paid"], draft["amount_due"]) == ("500.00", "0.00", "690.00")
    assert [row["amount_due"] for row in ok(data, "invoice", "list")] == ["690.00"]  # the list asks the same rule
    ok(data, "invoice", "finalize", invoice)
    shown = ok(data, "invoice", "show", invoice)
    assert (shown["total"], shown["prepaid"], shown["paid"], shown["amount_due"]) == (
        "1190.00", "500.00", "500.00", "690.00")
    assert [row["amount_due"] for row in ok(data, "invoice", "list")] == ["690.00"]  # paid once, not twice
    (payment,) = ok(data, "payment", "list", "--invoice", invoice)
    assert (payment["amount"], payment["date"], payment["reference"], payment["prepaid"]) == (
        "500.00", "2026-11-20", "Receipt 17", True)
    text = run(data, "invoice", "show", invoice).stdout
    assert re.search(r"Prepaid\s+500\.00\s+paid in advance", text) and re.search(r"Amount due\s+690\.00", text)
    xml = _xml(data, invoice, tmp_path / "issued.xml")
    assert "<ram:TotalPrepaidAmount>500.00</ram:TotalPrepaidAmount>" in xml
    assert "<ram:DuePayableAmount>690.00</ram:DuePayableAmount>" in xml
    ok(data, "invoice", "pay", invoice, "--amount", "690.00", "--date", "2026-11-21")
    assert _xml(data, invoice, tmp_path / "later.xml") == xml  # as issued
    assert ok(data, "invoice", "show", invoice)["status"] == "paid"
    assert run(data, "verify").returncode == 0


def test_a_prepaid_amount_that_cannot_be_is_refused_with_one_line(data: Path) -> None:
    _customer, create = _create(data)
    assert "cannot be negative" in user_error(data, *create, "--prepaid", "-1")
    assert "more than the invoice asks (1190.00)" in user_error(data, *create, "--prepaid", "1190.01")
    assert "not a payment method" in user_error(data, *create, "--prepaid", "5", "--prepaid-method", "barter")
    assert ok(data, "invoice", "list") == []  # nothing was created
