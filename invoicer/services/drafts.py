"""A draft invoice written as JSON (``invoicer invoice create --from-json``): its JSON Schema, the one place
that says which keys exist; reading a file checked against it; creating the draft with the tax rates it names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.orm import Session

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.totals import CATEGORIES
from invoicer.services import invoices, taxes
from invoicer.services.invoices import AdjustmentData, DraftData, LineChargeData, LineData

if TYPE_CHECKING:
    from jsonschema import ValidationError as SchemaError

    from invoicer.db.models import InvoiceAdjustment, InvoiceLine

# a decimal as a string keeps every digit ("14.995"); a JSON number is read as a decimal too, never a float
_DECIMAL = {"type": ["string", "number"]}
_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}
_TAX = {
    "type": "object",
    "description": "The VAT of the line or adjustment; a rate that does not exist yet is created.",
    "properties": {
        "category": {"enum": sorted(CATEGORIES), "default": "S", "description": "EN 16931 VAT category code"},
        "rate": {**_DECIMAL, "description": "percent, e.g. \"19\""},
    },
    "required": ["rate"],
    "additionalProperties": False,
}
_PERIOD = {
    "type": "object",
    "properties": {"start": {**_TEXT, "format": "date"}, "end": {**_TEXT, "format": "date"}},
    "required": ["start", "end"],
    "additionalProperties": False,
}
_REASON_CODE = {**_TEXT, "description": "UNTDID 5189 code for an allowance (95 discount), UNTDID 7161 for a "
                                        "charge (FC freight)"}
_ADJUSTMENT = {
    "type": "object",
    "description": "an amount, or a percent of a base amount (BT-93/94, BT-100/101)",
    "properties": {
        "reason": {**_TEXT, "description": "shown on the invoice"},
        "reason_code": _REASON_CODE,
        "amount": {**_DECIMAL, "description": "net amount in major units, zero or more"},
        "percent": {**_DECIMAL, "description": "percent of 'base'"},
        "base": {**_DECIMAL, "description": "the amount the percent is taken of, in major units"},
        "tax": _TAX,
    },
    "required": ["tax"],
    "anyOf": [{"required": ["amount"]}, {"required": ["percent", "base"]}],
    "additionalProperties": False,
}
_LINE_CHARGE = {
    "type": "object",
    "description": "a further line allowance or charge: an amount, or a percent of the line amount or of a base",
    "properties": {
        "reason": {**_TEXT, "description": "shown on the invoice"},
        "reason_code": _REASON_CODE,
        "amount": {**_DECIMAL, "description": "in major units, zero or more"},
        "percent": {**_DECIMAL, "description": "percent of the base, else of quantity x price / base quantity"},
        "base": {**_DECIMAL, "description": "BT-137 / BT-142: the amount the percent is taken of (major units)"},
    },
    "anyOf": [{"required": ["amount"]}, {"required": ["percent"]}],
    "additionalProperties": False,
}

DRAFT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Invoicer draft invoice",
    "description": "The input of 'invoicer invoice create --from-json FILE'. Amounts are in major units "
                   "(\"120.00\"); strings keep every digit. Keys not listed here are refused.",
    "type": "object",
    "properties": {
        "customer": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1,  # SQLite's ids are 64-bit
                     "description": "the customer's id (invoicer customer list)"},
        "currency": {**_TEXT, "description": "ISO 4217 code; the customer's currency when left out"},
        "issue_date": {**_TEXT, "format": "date", "description": "YYYY-MM-DD; today when left out"},
        "due_date": {**_TEXT, "format": "date", "description": "YYYY-MM-DD; from the customer's terms when left out"},
        "tax_rounding": {"enum": ["document", "line"], "description": "VAT rounded per rate over the document "
                                                                       "(EN 16931) or per line"},
        "notes": {**_OPTIONAL_TEXT, "description": "printed on the invoice"},
        "buyer_reference": {**_OPTIONAL_TEXT, "description": "the customer's reference or PO number"},
        "type_code": {"enum": ["380", "384", "389", "326", "386"],
                      "description": "UNTDID 1001: 380 invoice, 384 corrected invoice, 389 self-billed invoice, "
                                     "326 partial invoice, 386 deposit (prepayment) invoice"},
        "preceding_invoice": {
            "type": "object", "description": "the invoice this one corrects (BT-25, BT-26); required for 384",
            "properties": {"number": _TEXT, "issue_date": {**_TEXT, "format": "date"}},
            "required": ["number"], "additionalProperties": False,
        },
        "rounding_amount": {**_DECIMAL, "description": "BT-114: added to the amount payable, e.g. \"-0.02\""},
        "prepaid": {
            "type": "object",
            "description": "BT-113: money received before the invoice, recorded as a payment on its issue date when "
                           "it is finalized; the amount due is the total less it",
            "properties": {
                "amount": {**_DECIMAL, "description": "in major units, at most the total (with the rounding amount)"},
                "method": {**_OPTIONAL_TEXT, "description": "how it was paid: a UNTDID 4461 code or its words (cash, "
                                                            "bank transfer, card...); 'customer credit' (97) takes "
                                                            "it from the customer's credit"},
                "reference": {**_OPTIONAL_TEXT, "description": "the payment's reference (never recorded twice)"},
            },
            "required": ["amount"], "additionalProperties": False,
        },
        "delivery_date": {**_TEXT, "format": "date", "description": "BT-72: the date of supply, YYYY-MM-DD"},
        "period": {**_PERIOD, "description": "BG-14: the service period invoiced, first and last day (YYYY-MM-DD)"},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "description": _TEXT,
                    "quantity": {**_DECIMAL, "default": "1", "description": "negative for goods taken back"},
                    "unit": {**_TEXT, "default": "C62",
                             "description": "any UN/ECE Rec 20/21 code (KWH, XPP, P1...) or a name such as hour"},
                    "unit_price": {**_DECIMAL, "description": "net price in major units, every decimal kept"},
                    "price_base": {**_DECIMAL, "default": "1",
                                   "description": "BT-149: the price is for this many units (25.00 per 100 kWh)"},
                    "gross_price": {**_DECIMAL, "description": "BT-148: the price before the price discount; the "
                                                               "discount (BT-147) is gross_price - unit_price"},
                    "allowances": {"type": "array", "items": _LINE_CHARGE, "description": "line discounts"},
                    "charges": {"type": "array", "items": _LINE_CHARGE, "description": "line charges"},
                    "discount": {
                        "type": "object",
                        "description": "either a percent of the line or an amount off it",
                        "properties": {"percent": _DECIMAL, "amount": _DECIMAL},
                        "maxProperties": 1,
                        "additionalProperties": False,
                    },
                    "tax": _TAX,
                    "period": {**_PERIOD, "description": "BG-26: the line's own service period, within the "
                                                          "invoice's"},
                },
                "required": ["description", "unit_price", "tax"],
                "additionalProperties": False,
            },
        },
        "allowances": {"type": "array", "items": _ADJUSTMENT, "description": "document discounts"},
        "charges": {"type": "array", "items": _ADJUSTMENT, "description": "document charges (shipping, …)"},
    },
    "required": ["customer"],
    "additionalProperties": False,
}

_ITEM_NAMES = {"lines": "line", "allowances": "allowance", "charges": "charge"}
_EXPECTED: dict[frozenset[str], str] = {
    frozenset({"string", "number"}): N_("a decimal number such as \"12.50\""),
    frozenset({"string", "null"}): N_("a text"),
    frozenset({"string"}): N_("a text"),
    frozenset({"integer"}): N_("a whole number"),
    frozenset({"object"}): N_("an object"),
    frozenset({"array"}): N_("a list"),
}


def read_draft(path: Path) -> DraftData:
    """The draft a JSON file describes, checked against DRAFT_SCHEMA; ValidationError names the file, the
    place (``line 2``) and the key."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError:
        raise ValidationError(N_("{path} does not exist."), path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # or nested too deep
        raise ValidationError(N_("{path} is not a readable JSON file ({reason})."), path=path, reason=str(exc)) from None
    return draft_from_json(raw, str(path))


def draft_from_json(raw: Any, source: str) -> DraftData:
    """A parsed JSON value as a draft, after checking it against DRAFT_SCHEMA (``source`` names it in errors)."""
    check_draft(raw, source)

    def decimal(value: Any) -> str | None:
        return None if value is None else str(value)

    def day(value: Any) -> date | None:
        return None if value is None else date.fromisoformat(value)

    def tax(item: dict[str, Any]) -> tuple[str, str]:
        return str(item["tax"].get("category", "S")), str(item["tax"]["rate"])

    lines = []
    for item in raw.get("lines", []):
        discount = item.get("discount", {})
        category, rate = tax(item)
        lines.append(LineData(
            description=item["description"], quantity=str(item.get("quantity", "1")),
            unit_price=str(item["unit_price"]), tax_category=category, tax_rate=rate, unit=item.get("unit", "C62"),
            discount_percent=decimal(discount.get("percent")), discount_amount=decimal(discount.get("amount")),
            price_base=str(item.get("price_base", "1")), gross_price=decimal(item.get("gross_price")),
            charges=[
                LineChargeData(key == "charges", decimal(extra.get("amount")), decimal(extra.get("percent")),
                               extra.get("reason", ""), extra.get("reason_code"), decimal(extra.get("base")))
                for key in ("allowances", "charges") for extra in item.get(key, [])
            ],
            period_start=day(item.get("period", {}).get("start")), period_end=day(item.get("period", {}).get("end")),
        ))
    adjustments = [
        AdjustmentData(decimal(item.get("amount")), *tax(item), is_charge=key == "charges",
                       reason=item.get("reason", ""), percent=decimal(item.get("percent")),
                       base=decimal(item.get("base")), reason_code=item.get("reason_code"))
        for key in ("allowances", "charges") for item in raw.get(key, [])
    ]
    preceding = raw.get("preceding_invoice", {})
    prepaid = raw.get("prepaid", {})
    return DraftData(
        customer_id=raw["customer"], lines=lines, adjustments=adjustments, currency=raw.get("currency"),
        issue_date=date.fromisoformat(raw["issue_date"]) if "issue_date" in raw else None,
        due_date=date.fromisoformat(raw["due_date"]) if "due_date" in raw else None,
        tax_rounding=raw.get("tax_rounding"), notes=raw.get("notes"), buyer_reference=raw.get("buyer_reference"),
        type_code=raw.get("type_code"), preceding_number=preceding.get("number"),
        preceding_date=date.fromisoformat(preceding["issue_date"]) if "issue_date" in preceding else None,
        rounding_amount=decimal(raw.get("rounding_amount")),
        prepaid=decimal(prepaid.get("amount")), prepaid_method=prepaid.get("method"),
        prepaid_reference=prepaid.get("reference"),
        delivery_date=day(raw.get("delivery_date")),
        period_start=day(raw.get("period", {}).get("start")), period_end=day(raw.get("period", {}).get("end")),
    )


def check_draft(raw: Any, source: str) -> None:
    """Refuse what DRAFT_SCHEMA does not allow, with the first problem in document order."""
    from jsonschema import Draft202012Validator  # loaded when a draft file is read, not with every command

    validator = Draft202012Validator(DRAFT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(raw), key=lambda e: [(str(p), 0) if isinstance(p, str) else ("", p)
                                                               for p in e.absolute_path])
    if errors:
        raise _problem(errors[0], source)


def _where(source: str, path: Sequence[str | int]) -> str:
    """``draft.json: line 2, tax`` for the path ``lines/1/tax``."""
    parts: list[str] = []
    for i, step in enumerate(path):
        if isinstance(step, int):
            parts[-1] = f"{_ITEM_NAMES.get(str(path[i - 1]), path[i - 1])} {step + 1}"
        else:
            parts.append(step)
    return ": ".join([source, ", ".join(parts)]) if parts else source


def _problem(error: SchemaError, source: str) -> ValidationError:
    path = list(error.absolute_path)
    # what failed: the schema part, the value, and the rule's value (jsonschema types them loosely)
    schema, instance, rule = cast(dict[str, Any], error.schema), cast(Any, error.instance), cast(Any, error.validator_value)
    if error.validator == "additionalProperties":
        unknown = sorted(set(instance) - set(schema.get("properties", {})))[0]
        return ValidationError(N_("{where}: unknown key '{key}'."), where=_where(source, path), key=unknown)
    if error.validator == "required":
        missing = next(k for k in rule if k not in instance)
        return ValidationError(N_("{where}: '{key}' is missing."), where=_where(source, path), key=missing)
    if not path:
        return ValidationError(N_("{path} must hold one JSON object describing the draft."), path=source)
    where, key = _where(source, path[:-1]), path[-1]
    if isinstance(key, str):  # the value of a named key (not an item of a list)
        if error.validator == "type":
            expected = _EXPECTED.get(frozenset([rule] if isinstance(rule, str) else rule))
            if expected is not None:
                return ValidationError(N_("{where}: '{key}' must be {expected}."), where=where, key=key,
                                       expected=Message(expected))
        if error.validator == "enum":
            return ValidationError(N_("{where}: '{key}' must be one of {choices}."), where=where, key=key,
                                   choices=", ".join(map(str, rule)))
        if error.validator == "format":
            return ValidationError(N_("{where}: '{key}' is not a date; use YYYY-MM-DD."), where=where, key=key)
    return ValidationError(N_("{where}: {problem}"), where=_where(source, path), problem=error.message)


def create_draft(session: Session, data: DraftData) -> int:
    """A new draft whose lines and adjustments may name VAT rates not stored yet: those are created too, once
    the draft's lines have their categories (derived from the rate and the customer where none was named)."""
    new_id = invoices.create_draft(session, data)
    draft = invoices.get_invoice(session, new_id)
    rows: list[InvoiceLine | InvoiceAdjustment] = [*draft.lines, *draft.adjustments]
    for row in rows:
        taxes.find_or_create(session, taxes.tax_key(row.tax_category, row.tax_rate))
    return new_id
