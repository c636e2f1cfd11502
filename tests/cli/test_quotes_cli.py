"""`invoicer quote`: create, send, accept, PDF and invoice from the command line; bad input in one line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.invocations import ok, user_error


def test_quote_to_invoice(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE", "--locale", "de_DE")["id"]
    quote = ok(data, "quote", "create", "--customer", str(customer), "--date", "2026-12-01", "--valid-until",
               "2026-12-15", "--line", "Beratung|8|120.00|19", "--line", "Reisekosten|1|80.00|19")["id"]
    assert ok(data, "quote", "send", str(quote), "--date", "2026-12-01")["number"] == "QUO-2026-00001"
    assert "only a draft quote" in user_error(data, "quote", "delete", str(quote)).lower()
    ok(data, "quote", "accept", str(quote), "--date", "2026-12-02")
    pdf = tmp_path / "quote.pdf"
    assert ok(data, "quote", "pdf", str(quote), "-o", str(pdf))["bytes"] == pdf.stat().st_size > 1000
    invoice = ok(data, "quote", "invoice", str(quote), "--line", "1")["id"]
    shown = ok(data, "invoice", "show", str(invoice))
    assert shown["total"] == "1142.40" and shown["notes"].startswith("Angebot QUO-2026-00001 vom")
    listed = ok(data, "quote", "list")
    assert listed[0]["status"] == "accepted" and listed[0]["invoices"] == [invoice] and listed[0]["total"] == "1237.60"
    assert ok(data, "quote", "show", str(quote))["invoiced_lines"] == [1]
    assert "Line 1 of quote QUO-2026-00001" in user_error(data, "quote", "invoice", str(quote), "--line", "1")


def test_bad_quotes_are_refused_in_one_line(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    assert "--line" in user_error(data, "quote", "create", "--customer", str(customer))
    assert "no quote 9" in user_error(data, "quote", "accept", "9")
    assert "validity date" in user_error(data, "quote", "create", "--customer", str(customer), "--date", "2026-12-01",
                                         "--valid-until", "2026-11-30", "--line", "X|1|1|19")


def test_deposit_then_final_invoice(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE", "--locale", "de_DE")["id"]
    quote = ok(data, "quote", "create", "--customer", str(customer), "--line", "Umbau|1|10000.00|19")["id"]
    ok(data, "quote", "send", str(quote))
    ok(data, "quote", "accept", str(quote))
    deposit = ok(data, "quote", "deposit", str(quote), "--percent", "40")["id"]
    assert ok(data, "invoice", "show", str(deposit))["total"] == "4760.00"
    assert "still a draft" in user_error(data, "quote", "final", str(quote))
    ok(data, "invoice", "finalize", str(deposit))
    final = ok(data, "quote", "final", str(quote))["id"]
    shown = ok(data, "invoice", "show", str(final))
    assert shown["total"] == "7140.00"  # 10,000.00 - 4,000.00 = 6,000.00 + 19 %
    # what it deducts, per VAT rate, with what was paid: the figures the PDF and the invoice window show
    number = ok(data, "invoice", "show", str(deposit))["number"]
    assert shown["deducts"] == [{
        "id": deposit, "number": number, "type_code": "386", "issue_date": shown["deducts"][0]["issue_date"],
        "tax": [{"category": "S", "rate": "19", "basis": "4000.00", "amount": "760.00"}],
        "total": "4760.00", "paid": "0.00", "open": "4760.00"}]
    assert shown["amount_due"] == "7140.00" and shown["tax"][0]["amount"] == "1140.00"
    assert "void or credit the final invoice first" in user_error(data, "invoice", "void", str(deposit))
    assert "--percent" in user_error(data, "quote", "deposit", str(quote))


def test_a_quote_lines_service_period_is_carried_to_the_invoice(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    quote = ok(data, "quote", "create", "--customer", str(customer), "--date", "2026-12-01",
               "--line", "Wartung|1|300.00|19|2026-10-01..2026-10-31", "--line", "Material|2|15.00|19")["id"]
    assert [ln["period"] for ln in ok(data, "quote", "show", str(quote))["lines"]] == [
        {"start": "2026-10-01", "end": "2026-10-31"}, None]
    assert "before it starts" in user_error(data, "quote", "create", "--customer", str(customer),
                                            "--line", "Wartung|1|300.00|19|2026-10-31..2026-10-01")
    ok(data, "quote", "send", str(quote), "--date", "2026-12-01")
    ok(data, "quote", "accept", str(quote), "--date", "2026-12-02")
    invoice = ok(data, "quote", "invoice", str(quote))["id"]
    assert [ln["period"] for ln in ok(data, "invoice", "show", str(invoice))["lines"]] == [
        {"start": "2026-10-01", "end": "2026-10-31"}, None]


def test_a_deposit_of_a_net_amount_shared_over_the_vat_rates(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE", "--locale", "de_DE")["id"]
    quote = ok(data, "quote", "create", "--customer", str(customer), "--line", "Umbau|1|7500.00|19",
               "--line", "Handbuch|10|250.00|7")["id"]
    ok(data, "quote", "send", str(quote))
    ok(data, "quote", "accept", str(quote))
    deposit = ok(data, "quote", "deposit", str(quote), "--amount", "1000.00")["id"]
    shown = ok(data, "invoice", "show", str(deposit))
    # 1,000.00 net shared 7,500.00 : 2,500.00 -> 750.00 at 19 % (142.50 VAT) and 250.00 at 7 % (17.50 VAT)
    assert {(t["rate"], t["basis"], t["amount"]) for t in shown["tax"]} == {("19", "750.00", "142.50"),
                                                                            ("7", "250.00", "17.50")}
    assert shown["total"] == "1160.00"
    assert "net amount" in user_error(data, "quote", "deposit", str(quote), "--amount", "10000.01")
