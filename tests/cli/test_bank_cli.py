"""`invoicer bank`: statements imported from the command line once, proposals as JSON, the queue settled."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from invoicer.core.bank_match import REASONS
from tests.cli.invocations import ok, run, user_error
from tests.documents.bank_samples import Tx, camt053, csv_export, mt940


def _invoice(data: Path, customer: int, price: str) -> tuple[int, str]:
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
               "--line", f"Consulting|1|{price}|19")["id"]
    return draft, ok(data, "invoice", "finalize", str(draft))["number"]


def test_import_match_confirm_and_settle(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR", "--vat-id", "FR40303265045",
                  "--locale", "fr_FR")["id"]
    first, n1 = _invoice(data, customer, "100.00")  # 119.00
    second, _ = _invoice(data, customer, "50.00")  # 59.50
    third, _ = _invoice(data, customer, "50.00")  # 59.50
    statement = tmp_path / "2026-11-20.xml"
    statement.write_bytes(camt053([
        Tx(Decimal("119.00"), "ACME SARL", "FR7630006000011234567890189", f"Facture {n1}", ref="B1",
           value=date(2026, 11, 19)),
        Tx(Decimal("59.50"), "Somebody Else", "", "merci", ref="B2"),
        Tx(Decimal("-3.50"), text="Frais de tenue de compte", ref="B3"),
    ]))
    imported = ok(data, "bank", "import", str(statement), "--bank", "Crédit Agricole", "--auto")
    assert imported == {"statement": 1, "format": "camt.053", "new": 3, "known": 0, "confirmed": 1}
    assert ok(data, "invoice", "show", str(first))["status"] == "paid"
    again = ok(data, "bank", "import", str(statement), "--bank", "Crédit Agricole", "--auto")
    assert (again["new"], again["known"], again["confirmed"]) == (0, 3, 0)

    queue = {q["bank_reference"]: q for q in ok(data, "bank", "match")}
    assert set(queue) == {"B2", "B3"}
    ambiguous = queue["B2"]["proposal"]
    assert (ambiguous["reason"], ambiguous["sure"]) == ("ambiguous", False)
    assert [x["id"] for x in ambiguous["invoices"]] + [x["id"] for x in ambiguous["alternatives"]] == [second, third]
    assert queue["B3"]["proposal"] is None and queue["B3"]["amount"] == "-3.50"
    assert "Unmatched" not in run(data, "bank", "match").stdout  # the table is printed without --json
    assert ok(data, "bank", "confirm", "--sure") == {"confirmed": 0}

    assert "debit" in user_error(data, "bank", "settle", str(queue["B2"]["entry"]), "--as", "fee")
    paid = ok(data, "bank", "confirm", str(queue["B2"]["entry"]), "--invoice", str(third))
    assert len(paid["payments"]) == 1
    assert ok(data, "invoice", "show", str(third))["status"] == "paid"
    assert ok(data, "invoice", "show", str(second))["status"] == "open"
    assert ok(data, "payment", "list", "--invoice", str(third))[0]["reference"] == "B2"
    assert "already settled" in user_error(data, "bank", "confirm", str(queue["B2"]["entry"]))
    ok(data, "bank", "settle", str(queue["B3"]["entry"]), "--as", "fee", "--note", "account fee")
    assert ok(data, "bank", "match") == []


def test_mt940_and_csv_with_a_saved_mapping(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "Beta GmbH", "--country", "DE")["id"]
    first, n1 = _invoice(data, customer, "10.00")  # 11.90
    second, n2 = _invoice(data, customer, "20.00")  # 23.80
    sta = tmp_path / "konto.sta"
    sta.write_bytes(mt940([Tx(Decimal("11.90"), "BETA GMBH", "DE02120300000000202051", f"RE {n1}")]))
    assert ok(data, "bank", "import", str(sta), "--auto")["confirmed"] == 1
    def export(name: str, tx: Tx) -> str:
        path = tmp_path / name
        path.write_bytes(csv_export([tx]).replace(b"Betrag", b"Umsatz"))
        return str(path)

    november = export("november.csv", Tx(Decimal("23.80"), "Beta GmbH", "", f"Rechnung {n2}"))
    assert "amount" in user_error(data, "bank", "import", november, "--bank", "Sparkasse")
    result = ok(data, "bank", "import", november, "--bank", "Sparkasse", "--columns", "amount=Umsatz,decimal=,",
                "--auto")
    assert (result["format"], result["new"], result["confirmed"]) == ("csv", 1, 1)
    # the next file of that bank is read with the saved mapping
    december = export("december.csv", Tx(Decimal("-2.00"), text="Kontoführung", booked=date(2026, 12, 1)))
    assert ok(data, "bank", "import", december, "--bank", "Sparkasse")["new"] == 1
    assert [ok(data, "invoice", "show", str(i))["status"] for i in (first, second)] == ["paid", "paid"]


def test_bad_input_is_one_line(data: Path, tmp_path: Path) -> None:
    assert "cannot be read" in user_error(data, "bank", "import", str(tmp_path / "missing.xml"))
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'><Stmt>")
    assert "not well-formed" in user_error(data, "bank", "import", str(broken))
    assert "FIELD=COLUMN" in user_error(data, "bank", "import", str(broken), "--columns", "nonsense")
    assert "no bank entry 7" in user_error(data, "bank", "confirm", "7")
    assert "--sure" in user_error(data, "bank", "confirm")
    assert run(data, "bank", "settle", "1", "--as", "gift").returncode == 2


def test_disputes_from_the_command_line(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "Beta GmbH", "--country", "DE")["id"]
    invoice, number = _invoice(data, customer, "100.00")
    ok(data, "invoice", "dispute", str(invoice), "--reason", "hours not agreed", "--date", "2026-11-10")
    assert "already disputed" in user_error(data, "invoice", "dispute", str(invoice), "--reason", "again")
    (listed,) = ok(data, "dispute", "list")
    assert (listed["number"], listed["reason"], listed["amount_due"]) == (number, "hours not agreed", "119.00")
    closed = ok(data, "invoice", "dispute-close", str(invoice), "--credit", "19.00", "--date", "2026-11-12")
    assert closed["credit_note"] is not None
    assert ok(data, "dispute", "list") == []
    assert ok(data, "dispute", "list", "--all")[0]["resolution"] == "credit_note"
    assert ok(data, "invoice", "show", str(invoice))["amount_due"] == "100.00"


def test_early_payment_discount_from_the_command_line(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "Beta GmbH", "--country", "DE")["id"]
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
               "--line", "Consulting|1|100.00|19")["id"]
    assert "percentage" in user_error(data, "invoice", "terms", str(draft), "--discount", "120", "--within", "10")
    ok(data, "invoice", "terms", str(draft), "--discount", "2", "--within", "10")
    number = ok(data, "invoice", "finalize", str(draft))["number"]
    assert "draft" in user_error(data, "invoice", "terms", str(draft), "--none")
    statement = tmp_path / "skonto.xml"
    statement.write_bytes(camt053([Tx(Decimal("116.62"), "Beta GmbH", "", f"{number} Skonto", ref="K1",
                                      value=date(2026, 11, 11))]))
    assert ok(data, "bank", "import", str(statement), "--auto")["confirmed"] == 1
    shown = ok(data, "invoice", "show", str(draft))
    assert (shown["status"], shown["amount_due"]) == ("paid", "0.00")


def test_a_payment_typed_in_takes_the_early_payment_discount(data: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "Beta GmbH", "--country", "DE")["id"]
    drafts = []
    for _ in range(2):
        draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
                   "--line", "Consulting|1|100.00|19")["id"]  # 119.00: 116.62 within 10 days
        ok(data, "invoice", "terms", str(draft), "--discount", "2", "--within", "10")
        ok(data, "invoice", "finalize", str(draft))
        drafts.append(draft)
    taken, declined = drafts
    result = run(data, "invoice", "pay", str(taken), "--amount", "116.62", "--date", "2026-11-10")
    assert result.returncode == 0 and result.stdout.strip().isdigit()  # stdout: the payment id alone
    assert "discount of 2.38 EUR credited by credit note" in result.stderr
    shown = ok(data, "invoice", "show", str(taken))
    assert (shown["status"], shown["amount_due"]) == ("paid", "0.00")
    paid = ok(data, "invoice", "pay", str(declined), "--amount", "116.62", "--date", "2026-11-10", "--no-discount")
    assert (paid["discount"], paid["credit_note"], paid["amount_due"]) == (None, None, "2.38")


def test_bank_match_json_lists_each_waiting_entry_with_its_proposal(data: Path, tmp_path: Path) -> None:
    """`invoicer bank match --json`, asked for explicitly: every field of an entry and of its proposal, for a
    transfer paying two invoices by their numbers, the second transfer for an invoice part-paid by a first one
    (matched against what is left), a payment from the customer's IBAN, a discounted one and a bank fee."""
    customer = ok(data, "customer", "add", "--name", "Beta GmbH", "--country", "DE",
                  "--iban", "DE02120300000000202051")["id"]
    first, n1 = _invoice(data, customer, "100.00")  # 119.00
    second, n2 = _invoice(data, customer, "50.00")  # 59.50
    third, n3 = _invoice(data, customer, "1000.00")  # 1190.00
    fourth, _ = _invoice(data, customer, "20.00")  # 23.80
    draft = ok(data, "invoice", "create", "--customer", str(customer), "--date", "2026-11-02",
               "--line", "Consulting|1|200.00|19")["id"]  # 238.00: 233.24 within 10 days
    ok(data, "invoice", "terms", str(draft), "--discount", "2", "--within", "10")
    n5 = ok(data, "invoice", "finalize", str(draft))["number"]
    statement = tmp_path / "2026-11-20.xml"
    statement.write_bytes(camt053([
        Tx(Decimal("178.50"), "BETA GMBH", "", f"{n1} {n2}", ref="M1", value=date(2026, 11, 19)),
        Tx(Decimal("500.00"), "BETA GMBH", "", f"Anzahlung {n3}", ref="M2", booked=date(2026, 11, 9)),
        Tx(Decimal("690.00"), "BETA GMBH", "", f"Rest {n3}", ref="M3"),
        Tx(Decimal("23.80"), "Someone", "DE02120300000000202051", "", ref="M4"),
        Tx(Decimal("233.24"), "BETA GMBH", "", f"{n5} Skonto", ref="M5", booked=date(2026, 11, 10)),
        Tx(Decimal("-2.50"), text="Entgelt", ref="M6"),
    ]))
    ok(data, "bank", "import", str(statement))
    result = run(data, "bank", "match", "--json")
    assert result.returncode == 0 and result.stderr == ""
    listed = json.loads(result.stdout)
    # oldest value date first
    assert [x["bank_reference"] for x in listed] == ["M2", "M5", "M1", "M3", "M4", "M6"]
    by_ref = {x.pop("bank_reference"): x for x in listed}
    assert by_ref["M1"] == {
        "entry": 1, "booked_on": "2026-11-20", "value_date": "2026-11-19", "amount": "178.50", "currency": "EUR",
        "counterparty": "BETA GMBH", "iban": None, "text": f"{n1} {n2}",
        "proposal": {"reason": "reference", "reason_text": REASONS["reference"], "confidence": 0.99, "sure": True,
                     "invoices": [{"id": first, "number": n1, "amount": "119.00", "discount": "0.00"},
                                  {"id": second, "number": n2, "amount": "59.50", "discount": "0.00"}],
                     "alternatives": []},
    }
    assert by_ref["M2"]["proposal"]["reason"] == "reference_partial"
    assert by_ref["M2"]["proposal"]["invoices"] == [{"id": third, "number": n3, "amount": "500.00",
                                                     "discount": "0.00"}]
    # the second transfer for the same invoice is matched against what the first leaves due
    assert (by_ref["M3"]["proposal"]["reason"], by_ref["M3"]["proposal"]["invoices"]) == (
        "reference", [{"id": third, "number": n3, "amount": "690.00", "discount": "0.00"}])
    assert (by_ref["M4"]["proposal"]["reason"], by_ref["M4"]["proposal"]["sure"]) == ("amount_iban", True)
    assert by_ref["M4"]["proposal"]["invoices"][0]["id"] == fourth
    assert (by_ref["M5"]["proposal"]["reason"], by_ref["M5"]["proposal"]["invoices"]) == (
        "reference_discount", [{"id": draft, "number": n5, "amount": "233.24", "discount": "4.76"}])
    assert by_ref["M6"] == {"entry": 6, "booked_on": "2026-11-20", "value_date": "2026-11-20", "amount": "-2.50",
                            "currency": "EUR", "counterparty": None, "iban": None, "text": "Entgelt",
                            "proposal": None}
    assert ok(data, "bank", "confirm", "--sure") == {"confirmed": 5}
    assert [ok(data, "invoice", "show", str(i))["status"] for i in (first, second, third, fourth, draft)] == [
        "paid"] * 5
    assert json.loads(run(data, "bank", "match", "--json").stdout)[0]["entry"] == 6
