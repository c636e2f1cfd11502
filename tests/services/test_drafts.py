"""Drafts written as JSON: the schema decides which keys exist, and each refusal names the file, the place
and the key; what it accepts becomes the draft it describes, every digit kept."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import drafts, invoices, taxes
from invoicer.services.drafts import DRAFT_SCHEMA

TAX = {"category": "S", "rate": "19"}


def line(**changes: Any) -> dict[str, Any]:
    return {"description": "Work", "quantity": "1", "unit_price": "10.00", "tax": TAX, **changes}


def refusal(raw: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        drafts.draft_from_json(raw, "d.json")
    return str(caught.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"customer": 1, "price": "1"}, "d.json: unknown key 'price'."),
        ({"customer": 1, "lines": [line(), line(base_price="100")]}, "d.json: line 2: unknown key 'base_price'."),
        ({"customer": 1, "lines": [line(tax={"rate": "19", "categroy": "S"})]},
         "d.json: line 1, tax: unknown key 'categroy'."),
        ({"customer": 1, "charges": [{"amount": "5", "tax": TAX, "note": "x"}]},
         "d.json: charge 1: unknown key 'note'."),
        ({"lines": []}, "d.json: 'customer' is missing."),
        ({"customer": 1, "lines": [line(tax=None) | {"tax": {"category": "S"}}]},
         "d.json: line 1, tax: 'rate' is missing."),
        ({"customer": "1"}, "d.json: 'customer' must be a whole number."),
        ({"customer": 1, "lines": [line(unit_price=["1"])]},
         "d.json: line 1: 'unit_price' must be a decimal number such as \"12.50\"."),
        ({"customer": 1, "lines": [line(tax={"category": "X", "rate": "0"})]},
         "d.json: line 1, tax: 'category' must be one of AE, E, G, K, O, S, Z."),
        ({"customer": 1, "tax_rounding": "invoice"}, "d.json: 'tax_rounding' must be one of document, line."),
        ({"customer": 1, "due_date": "31.12.2026"}, "d.json: 'due_date' is not a date; use YYYY-MM-DD."),
        ({"customer": 1, "lines": [line(discount={"percent": "5", "amount": "1"})]},
         "d.json: line 1, discount: {'percent': '5', 'amount': '1'} has too many properties"),
        ({"customer": 1, "lines": ["Work"]}, "d.json: line 1: 'Work' is not of type 'object'"),
        ([1, 2], "d.json must hold one JSON object describing the draft."),
    ],
)
def test_what_the_schema_refuses_is_named(raw: Any, message: str) -> None:
    assert refusal(raw) == message


def test_a_draft_file_becomes_the_draft_it_describes(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(
        '{"customer": 3, "issue_date": "2026-11-02", "notes": null, "lines": [{"description": "Book", '
        '"quantity": 2, "unit_price": 14.995, "unit": "HUR", "discount": {"percent": 10}, "tax": {"rate": 7}}],'
        '"allowances": [{"amount": "1.50", "tax": {"category": "S", "rate": "19"}}]}', encoding="utf-8")
    draft = drafts.read_draft(path)
    assert (draft.customer_id, draft.issue_date, draft.due_date, draft.notes) == (3, date(2026, 11, 2), None, None)
    [book] = draft.lines
    # a JSON number is read as a decimal: 14.995 stays 14.995, never 14.994999…
    assert (book.quantity, book.unit_price, book.discount_percent, book.discount_amount) == ("2", "14.995", "10", None)
    assert (book.unit, book.tax_category, book.tax_rate) == ("HUR", "S", "7")
    [allowance] = draft.adjustments
    assert (allowance.amount, allowance.is_charge, allowance.reason) == ("1.50", False, "")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text("{'customer': 1}", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"d.json is not a readable JSON file"):
        drafts.read_draft(path)
    with pytest.raises(ValidationError, match=r"missing.json does not exist"):
        drafts.read_draft(tmp_path / "missing.json")


def test_every_key_the_reader_uses_is_in_the_schema() -> None:
    line_keys = set(DRAFT_SCHEMA["properties"]["lines"]["items"]["properties"])
    assert line_keys == {"description", "quantity", "unit", "unit_price", "discount", "tax", "price_base",
                         "gross_price", "allowances", "charges", "period"}
    assert set(DRAFT_SCHEMA["properties"]) == {
        "customer", "currency", "issue_date", "due_date", "tax_rounding", "notes", "buyer_reference", "lines",
        "allowances", "charges", "type_code", "preceding_invoice", "rounding_amount", "delivery_date", "period",
        "prepaid"}
    assert json.loads(json.dumps(DRAFT_SCHEMA)) == DRAFT_SCHEMA  # printable as it is


def test_creating_makes_the_tax_rates_the_draft_names(seller: Database, customer_id: int) -> None:
    raw = {"customer": customer_id, "lines": [line(tax={"rate": "7"})],
           "charges": [{"amount": "5.00", "tax": {"category": "S", "rate": "19"}}]}
    with transaction(seller.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(raw, "d.json"))
        rates = {(r.category, r.rate) for r in taxes.list_tax_rates(s)}
        assert {("S", Decimal("7")), ("S", Decimal("19"))} <= rates
        assert invoices.get_invoice(s, invoice_id).total == 1070 + 595
