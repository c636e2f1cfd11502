"""The command line: every engine operation without the GUI; ``--json`` output; user errors exit 2.

Others script against these names; keep them. Each command is one function ``cmd_*`` taking the
open context and the parsed arguments; amounts print as decimal strings in major units.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from invoicer import __version__, paths
from invoicer.core.errors import N_, InvoicerError, ValidationError
from invoicer.core.money import format_minor, parse_amount, parse_decimal
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_database
from invoicer.logs import log, setup_logging

EXIT_USER_ERROR = 2


class UsageError(InvoicerError):
    """The command line itself is wrong (unknown option, missing argument)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(N_("{problem} (see '{prog} --help')"), problem=message, prog=self.prog)


@dataclass
class Context:
    """What a command gets: the data folder, lazily opened database, and the output mode."""

    folder: Path
    as_json: bool
    _db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.folder)
        return self._db

    def out(self, value: Any, text: str | Callable[[], str] | None = None) -> None:
        """Print JSON in --json mode, else the human text (or the value itself)."""
        if self.as_json:
            print(json.dumps(value, ensure_ascii=False, indent=2, default=str))
        else:
            shown = text() if callable(text) else text
            print(shown if shown is not None else value)


# ---------------------------------------------------------------- argument helpers


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(N_("'{text}' is not a date; use YYYY-MM-DD."), text=text) from None


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be 0 or more")
    return value


def money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else format_minor(minor, currency)


# ---------------------------------------------------------------- company, customers, catalog


def cmd_company_set(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import company

    fields = {
        k: v
        for k, v in {
            "name": a.name, "address": a.address, "postcode": a.postcode, "city": a.city,
            "country": a.country, "vat_id": a.vat_id, "tax_number": a.tax_number, "email": a.email,
            "phone": a.phone, "iban": a.iban, "bic": a.bic, "currency": a.currency, "locale": a.locale,
            "logo_path": str(Path(a.logo).resolve()) if a.logo else a.logo, "legal_details": a.legal_details,
        }.items()
        if v is not None
    }
    with transaction(ctx.db.sessions) as s:
        company.update_company(s, **fields)
        data = company.company_data(company.get_company(s)).__dict__
    ctx.out(data, "Company profile saved.")
    return 0


def cmd_company_show(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import company

    with transaction(ctx.db.readonly_sessions) as s:
        data = company.company_data(company.get_company(s)).__dict__
    ctx.out(data, lambda: "\n".join(f"{k:14} {v if v is not None else ''}" for k, v in data.items()))
    return 0


def _customer_data(a: argparse.Namespace) -> Any:
    from invoicer.services.customers import CustomerData

    return CustomerData(
        name=a.name, country=a.country, contact=a.contact, email=a.email, address=a.address or "",
        postcode=a.postcode or "", city=a.city or "", vat_id=a.vat_id, iban=a.iban, bic=a.bic,
        currency=a.currency,
        locale=a.locale, terms_days=a.terms_days, notes=a.notes,
    )


def cmd_customer_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    with transaction(ctx.db.sessions) as s:
        new_id = customers.add_customer(s, _customer_data(a))
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_customer_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    with transaction(ctx.db.readonly_sessions) as s:
        rows = customers.list_customers(s, a.search, a.archived)
    data = [
        {
            "id": r.id, "name": r.name, "email": r.email, "country": r.country, "vat_id": r.vat_id,
            "currency": r.currency, "archived": r.archived, "balance": money(r.balance, r.currency),
            "overdue": money(r.overdue, r.currency), "credit": money(r.credit, r.currency),
        }
        for r in rows
    ]
    ctx.out(data, lambda: _table(
        ["ID", "Name", "Country", "Currency", "Balance", "Overdue", "Credit"],
        [[d["id"], d["name"], d["country"], d["currency"], d["balance"], d["overdue"], d["credit"]] for d in data],
    ))
    return 0


def cmd_customer_archive(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    with transaction(ctx.db.sessions) as s:
        customers.archive_customer(s, a.id, not a.restore)
    ctx.out({"id": a.id, "archived": not a.restore}, "Customer restored." if a.restore else "Customer archived.")
    return 0


def cmd_tax_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import taxes

    with transaction(ctx.db.sessions) as s:
        new_id = taxes.add_tax_rate(s, a.name, a.rate, a.category, a.exemption_reason)
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_tax_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import taxes

    with transaction(ctx.db.readonly_sessions) as s:
        rows = taxes.list_tax_rates(s, include_archived=True)
    data = [
        {"id": r.id, "name": r.name, "rate": str(r.rate), "category": r.category,
         "exemption_reason": r.exemption_reason, "archived": r.archived}
        for r in rows
    ]
    ctx.out(data, lambda: _table(["ID", "Name", "Category", "Rate %"],
                                 [[d["id"], d["name"], d["category"], d["rate"]] for d in data]))
    return 0


def cmd_product_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.core.units import unit_code
    from invoicer.services import products, taxes

    with transaction(ctx.db.sessions) as s:
        tax_id = None
        if a.tax is not None:
            tax_id = taxes.find_or_create(s, taxes.tax_key(a.tax_category, a.tax)).id
        new_id = products.add_product(
            s, products.ProductData(a.name, a.price, unit_code(a.unit), a.description, tax_id)
        )
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_product_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import products

    with transaction(ctx.db.readonly_sessions) as s:
        rows = products.list_products(s, a.search)
    data = [{"id": r.id, "name": r.name, "unit": r.unit, "unit_price": str(r.unit_price),
             "tax_rate_id": r.tax_rate_id} for r in rows]
    ctx.out(data, lambda: _table(["ID", "Name", "Unit", "Price"],
                                 [[d["id"], d["name"], d["unit"], d["unit_price"]] for d in data]))
    return 0


def cmd_rate_set(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import rates

    with transaction(ctx.db.sessions) as s:
        rates.set_rate(s, a.currency, a.rate, a.date or date.today())
    ctx.out({"currency": a.currency.upper(), "rate": a.rate}, "Exchange rate saved.")
    return 0


def cmd_rate_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import rates

    with transaction(ctx.db.readonly_sessions) as s:
        rows = rates.list_rates(s)
    data = [{"currency": r.currency, "valid_on": r.valid_on.isoformat(), "rate": str(r.rate)} for r in rows]
    ctx.out(data, lambda: _table(["Currency", "Valid from", "Rate"],
                                 [[d["currency"], d["valid_on"], d["rate"]] for d in data]))
    return 0


def cmd_settings(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import settings

    if a.value is None:
        with transaction(ctx.db.readonly_sessions) as s:
            keys = [a.key] if a.key else sorted(settings.all_settings())
            data = {k: settings.get(s, k) for k in keys}
        ctx.out(data, lambda: "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()))
        return 0
    try:
        value = json.loads(a.value)
    except json.JSONDecodeError:
        value = a.value
    with transaction(ctx.db.sessions) as s:
        settings.put(s, a.key, value)
    ctx.out({a.key: value}, "Setting saved.")
    return 0


# ---------------------------------------------------------------- invoices


def _parse_line(text: str) -> Any:
    from invoicer.services.invoices import LineData

    parts = text.split("|")
    if len(parts) != 4:
        raise ValidationError(N_('--line \'{text}\' must be "DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT".'), text=text)
    description, qty, price, tax = (p.strip() for p in parts)
    category = "S" if parse_decimal(tax, N_("tax percent")) != 0 else "Z"
    return LineData(description, qty, price, category, tax)


def _draft_from_json(path: str) -> Any:
    from invoicer.services.invoices import AdjustmentData, DraftData, LineData

    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(N_("{path} does not exist."), path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(N_("{path} is not a readable JSON file ({reason})."), path=path, reason=str(exc)) from None
    if not isinstance(raw, dict):
        raise ValidationError(N_("{path} must hold one JSON object describing the draft."), path=path)

    def tax_of(item: dict[str, Any], where: str) -> tuple[str, str]:
        tax = item.get("tax")
        if not isinstance(tax, dict) or "rate" not in tax:
            raise ValidationError(N_("{where}: 'tax' must be {shape}."), where=where, shape='{"category": "S", "rate": "19"}')
        return str(tax.get("category", "S")), str(tax["rate"])

    try:
        lines = []
        for i, item in enumerate(raw.get("lines", []), 1):
            category, rate = tax_of(item, f"line {i}")
            discount = item.get("discount") or {}
            if not isinstance(discount, dict):
                raise ValidationError(
                    N_("line {line}: 'discount' must be {percent} or {amount}."),
                    line=i, percent='{"percent": …}', amount='{"amount": …}',
                )
            lines.append(LineData(
                description=str(item.get("description", "")), quantity=str(item.get("quantity", "1")),
                unit_price=str(item.get("unit_price", "")), tax_category=category, tax_rate=rate,
                unit=str(item.get("unit") or "C62"),
                discount_percent=None if discount.get("percent") is None else str(discount["percent"]),
                discount_amount=None if discount.get("amount") is None else str(discount["amount"]),
            ))
        adjustments = []
        for key, is_charge in (("allowances", False), ("charges", True)):
            for i, item in enumerate(raw.get(key, []), 1):
                category, rate = tax_of(item, f"{key[:-1]} {i}")
                adjustments.append(AdjustmentData(
                    str(item.get("amount", "")), category, rate, is_charge, str(item.get("reason", "")),
                ))
        customer = raw.get("customer")
        if not isinstance(customer, int):
            raise ValidationError(N_("'customer' must be the customer's id (a number)."))
        return DraftData(
            customer_id=customer, lines=lines, adjustments=adjustments, currency=raw.get("currency"),
            issue_date=iso_date(raw["issue_date"]) if raw.get("issue_date") else None,
            due_date=iso_date(raw["due_date"]) if raw.get("due_date") else None,
            tax_rounding=raw.get("tax_rounding"), notes=raw.get("notes"),
            buyer_reference=raw.get("buyer_reference"),
        )
    except (AttributeError, TypeError):
        raise ValidationError(N_("{path} does not have the shape of a draft (see the README)."), path=path) from None


def cmd_invoice_create(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices, taxes

    if a.from_json:
        data = _draft_from_json(a.from_json)
    else:
        if a.customer is None or not a.line:
            raise ValidationError(N_("Give --customer and at least one --line, or --from-json FILE."))
        data = invoices.DraftData(
            customer_id=a.customer, lines=[_parse_line(x) for x in a.line], currency=a.currency,
            issue_date=a.date, due_date=a.due, notes=a.notes, buyer_reference=a.reference,
        )
    with transaction(ctx.db.sessions) as s:
        for line in data.lines:
            taxes.find_or_create(s, taxes.tax_key(line.tax_category, line.tax_rate))
        for adj in data.adjustments:
            taxes.find_or_create(s, taxes.tax_key(adj.tax_category, adj.tax_rate))
        new_id = invoices.create_draft(s, data)
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_invoice_delete(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    with transaction(ctx.db.sessions) as s:
        invoices.delete_draft(s, a.id)
    ctx.out({"id": a.id, "deleted": True}, "Draft deleted.")
    return 0


def cmd_invoice_finalize(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    with transaction(ctx.db.sessions) as s:
        number = invoices.finalize_invoice(s, a.id, exchange_rate=a.rate)
    ctx.out({"id": a.id, "number": number}, number)
    return 0


def cmd_invoice_void(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    with transaction(ctx.db.sessions) as s:
        invoices.void_invoice(s, a.id, a.reason)
    ctx.out({"id": a.id, "status": "void"}, "Invoice voided.")
    return 0


def cmd_invoice_uncollectible(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    with transaction(ctx.db.sessions) as s:
        invoices.mark_uncollectible(s, a.id, a.reason)
    ctx.out({"id": a.id, "status": "uncollectible"}, "Invoice marked uncollectible.")
    return 0


def cmd_invoice_duplicate(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    with transaction(ctx.db.sessions) as s:
        new_id = invoices.duplicate_invoice(s, a.id)
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_invoice_pay(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices, payments

    with transaction(ctx.db.sessions) as s:
        invoice = invoices.get_invoice(s, a.id)
        amount = parse_amount(a.amount, invoice.currency)
        payment_id = payments.record_payment(s, a.id, amount, a.date, a.method, a.reference)
        status, due = invoice.status, invoice.amount_due
    ctx.out({"id": payment_id, "status": status, "amount_due": money(due, invoice.currency)}, str(payment_id))
    return 0


def cmd_invoice_credit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import credit_notes, invoices

    with transaction(ctx.db.sessions) as s:
        invoice = invoices.get_invoice(s, a.id)
        amount = None if a.amount is None else parse_amount(a.amount, invoice.currency)
        lines = None
        if a.line:
            lines = []
            for item in a.line:
                line_no, _, qty = item.partition(":")
                by_position = {line.position: line.id for line in invoice.lines}
                try:
                    lines.append(credit_notes.CreditLine(by_position[int(line_no)], qty or "0"))
                except (KeyError, ValueError):
                    raise ValidationError(
                        N_("--line '{text}': use LINE_NO:QUANTITY with a line number of the invoice."), text=item
                    ) from None
        result = credit_notes.issue_credit_note(
            s, a.id, full=a.all, lines=lines, amount=amount, reason=a.reason, refund=a.refund, issue_date=a.date,
        )
        currency = invoice.currency
    data = {
        "id": result.credit_note_id, "number": result.number, "total": money(result.total, currency),
        "applied_to_due": money(result.applied_to_due, currency),
        "to_customer_credit": money(result.to_customer_credit, currency),
        "refunded": money(result.refunded, currency),
    }
    ctx.out(data, str(result.credit_note_id))
    return 0


def cmd_invoice_apply_credit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices, payments

    with transaction(ctx.db.sessions) as s:
        invoice = invoices.get_invoice(s, a.id)
        amount = None if a.amount is None else parse_amount(a.amount, invoice.currency)
        payment_id = payments.apply_credit(s, a.id, amount)
        status, due = invoice.status, invoice.amount_due
    ctx.out({"id": payment_id, "status": status, "amount_due": money(due, invoice.currency)}, str(payment_id))
    return 0


def describe_invoice(s: Any, invoice_id: int, today: date, doc_type: str | None = "invoice") -> dict[str, Any]:
    """An invoice or credit note as plain JSON-ready data (amounts as decimal strings)."""
    from invoicer.core.workflow import display_status, is_overdue, is_partially_paid
    from invoicer.services import invoices

    inv = invoices.get_invoice(s, invoice_id, doc_type)
    cur = inv.currency
    due = inv.amount_due
    return {
        "id": inv.id,
        "type": inv.doc_type,
        "number": inv.number,
        "status": inv.status,
        "display_status": display_status(inv.status, inv.due_date, inv.total, due, today),
        "overdue": is_overdue(inv.status, inv.due_date, due, today),
        "partially_paid": is_partially_paid(inv.status, inv.total, due),
        "currency": cur,
        "issue_date": inv.issue_date.isoformat(),
        "due_date": inv.due_date.isoformat() if inv.due_date else None,
        "customer_id": inv.customer_id,
        "customer": json.loads(inv.customer_snapshot) if inv.customer_snapshot else {"name": inv.customer.name},
        "buyer_reference": inv.buyer_reference,
        "notes": inv.notes,
        "tax_rounding": inv.tax_rounding,
        "lines": [
            {
                "position": line.position, "description": line.description, "quantity": str(line.quantity),
                "unit": line.unit, "unit_price": str(line.unit_price),
                "discount_percent": None if line.discount_percent is None else str(line.discount_percent),
                "discount": money(line.discount, cur), "tax_category": line.tax_category,
                "tax_rate": str(line.tax_rate), "net": money(line.net, cur),
            }
            for line in inv.lines
        ],
        "allowances": [{"reason": x.reason, "amount": money(x.amount, cur), "tax_category": x.tax_category,
                        "tax_rate": str(x.tax_rate)} for x in inv.adjustments if not x.is_charge],
        "charges": [{"reason": x.reason, "amount": money(x.amount, cur), "tax_category": x.tax_category,
                     "tax_rate": str(x.tax_rate)} for x in inv.adjustments if x.is_charge],
        "subtotal": money(inv.subtotal, cur),
        "allowance_total": money(inv.allowance_total, cur),
        "charge_total": money(inv.charge_total, cur),
        "tax": [{"category": t.category, "rate": str(t.rate), "basis": money(t.basis, cur),
                 "amount": money(t.amount, cur), "exemption_reason": t.exemption_reason} for t in inv.taxes],
        "tax_total": money(inv.tax_total, cur),
        "total": money(inv.total, cur),
        "paid": money(inv.paid, cur),
        "credited": money(inv.credited, cur),
        "amount_due": money(due, cur),
        "exchange_rate": None if inv.exchange_rate is None else str(inv.exchange_rate),
        "company_currency": inv.company_currency,
        "company_total": money(inv.company_total, inv.company_currency) if inv.company_currency else None,
        "corrects_id": inv.corrects_id,
        "reason": inv.reason,
        "pdf_sha256": inv.pdf_sha256,
    }


def cmd_invoice_show(ctx: Context, a: argparse.Namespace) -> int:
    with transaction(ctx.db.readonly_sessions) as s:
        data = describe_invoice(s, a.id, date.today(), None)

    def text() -> str:
        head = [
            f"{data['type'].replace('_', ' ').title()} {data['number'] or '(draft, no number yet)'}"
            f"  [{data['display_status']}]",
            f"Customer: {data['customer'].get('name')}   Issued {data['issue_date']}   Due {data['due_date'] or '-'}",
        ]
        rows = [[ln["position"], ln["description"], ln["quantity"], ln["unit_price"], ln["tax_rate"], ln["net"]]
                for ln in data["lines"]]
        tail = [f"{'Subtotal':>12} {data['subtotal']:>14} {data['currency']}"]
        tail += [f"{'VAT ' + t['category'] + ' ' + t['rate'] + '%':>12} {t['amount']:>14}" for t in data["tax"]]
        tail += [f"{'Total':>12} {data['total']:>14}", f"{'Paid':>12} {data['paid']:>14}",
                 f"{'Credited':>12} {data['credited']:>14}", f"{'Amount due':>12} {data['amount_due']:>14}"]
        return "\n".join([*head, _table(["#", "Description", "Qty", "Price", "VAT %", "Net"], rows), *tail])

    ctx.out(data, text)
    return 0


def cmd_invoice_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    flt = invoices.InvoiceFilter(
        doc_type="credit_note" if a.credit_notes else "invoice", status=a.status, customer_id=a.customer,
        overdue=a.overdue, search=a.search, date_from=a.date_from, date_to=a.date_to,
    )
    with transaction(ctx.db.readonly_sessions) as s:
        rows = invoices.list_invoices(s, flt, limit=a.limit, descending=True)
    data = [
        {
            "id": r.id, "number": r.number, "status": r.status, "display_status": r.display_status,
            "overdue": r.overdue, "customer_id": r.customer_id, "customer_name": r.customer_name,
            "currency": r.currency, "issue_date": r.issue_date.isoformat(),
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "total": money(r.total, r.currency), "amount_due": money(r.amount_due, r.currency),
        }
        for r in rows
    ]
    ctx.out(data, lambda: _table(
        ["ID", "Number", "Status", "Customer", "Issued", "Due", "Total", "Due amount", "Cur"],
        [[d["id"], d["number"] or "-", d["display_status"], d["customer_name"], d["issue_date"],
          d["due_date"] or "", d["total"], d["amount_due"], d["currency"]] for d in data],
    ))
    return 0


def cmd_invoice_history(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import audit

    with transaction(ctx.db.readonly_sessions) as s:
        events = audit.history(s, "invoice", a.id) + audit.history(s, "credit_note", a.id)
    data = [
        {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "before": e.before_status,
         "after": e.after_status, "payload": json.loads(e.payload) if e.payload else None}
        for e in sorted(events, key=lambda e: e.id)
    ]
    ctx.out(data, lambda: "\n".join(
        f"{d['at']}  {d['actor']:10} {d['action']:16} {d['before'] or '':>13} -> {d['after'] or ''}" for d in data
    ))
    return 0


def cmd_payment_reverse(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import payments

    with transaction(ctx.db.sessions) as s:
        reversal_id = payments.reverse_payment(s, a.id, a.reason)
    ctx.out({"id": reversal_id}, str(reversal_id))
    return 0


def cmd_payment_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import payments

    with transaction(ctx.db.readonly_sessions) as s:
        rows = payments.list_payments(s, a.invoice, a.customer)
    data = [
        {"id": r.id, "kind": r.kind, "invoice_id": r.invoice_id, "invoice_number": r.invoice_number,
         "date": r.paid_on.isoformat(), "amount": money(r.amount, r.currency), "currency": r.currency,
         "method": r.method, "reference": r.reference, "reverses": r.reverses_id, "reversed_by": r.reversed_by}
        for r in rows
    ]
    ctx.out(data, lambda: _table(
        ["ID", "Kind", "Invoice", "Date", "Amount", "Cur", "Reference"],
        [[d["id"], d["kind"], d["invoice_number"], d["date"], d["amount"], d["currency"], d["reference"] or ""]
         for d in data],
    ))
    return 0


# ---------------------------------------------------------------- documents (PDF, Factur-X XML, export)


def cmd_invoice_pdf(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents

    with transaction(ctx.db.sessions) as s:  # may keep a never-rendered PDF, once
        data = documents.document_pdf(s, a.id, copy=a.copy)
    documents.write_atomically(Path(a.output), data)
    ctx.out({"id": a.id, "path": a.output, "bytes": len(data)}, f"Wrote {a.output}")
    return 0


def cmd_invoice_xml(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents

    with transaction(ctx.db.readonly_sessions) as s:
        data = documents.invoice_xml(s, a.id)
    documents.write_atomically(Path(a.output), data)
    ctx.out({"id": a.id, "path": a.output, "bytes": len(data)}, f"Wrote {a.output}")
    return 0


def cmd_export_pdfs(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents

    with transaction(ctx.db.readonly_sessions) as s:
        ids = documents.documents_to_export(s, a.date_from, a.date_to)
    show = not ctx.as_json and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\rexport: {done}/{total} documents", end="", file=sys.stderr, flush=True)

    result = documents.export_pdfs(ctx.db.path, ids, Path(a.output), progress)
    if show:
        print(file=sys.stderr)
    data = {"folder": str(result.folder), "count": len(result.files), "files": [str(f) for f in result.files]}
    ctx.out(data, f"Wrote {len(result.files)} PDF(s) to {result.folder}")
    return 0


def _stderr_progress(ctx: Context, what: str) -> Callable[[int, int], None]:
    """Progress as a percentage on stderr (a terminal only, never in --json mode)."""
    show = not ctx.as_json and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            end = "\n" if done >= total else ""
            print(f"\r{what}: {100 * done // max(total, 1)} % ({done:,} rows)", end=end, file=sys.stderr, flush=True)

    return progress


def cmd_export_ledger(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import ledger

    path = ledger.export_ledger(ctx.db, Path(a.output), a.date_from, a.date_to, _stderr_progress(ctx, "ledger"))
    ctx.out({"path": str(path)}, f"Wrote {path}")
    return 0


def cmd_export_csv(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import ledger

    files = ledger.export_csv(ctx.db, Path(a.output), a.date_from, a.date_to, _stderr_progress(ctx, "csv"))
    ctx.out({"files": [str(f) for f in files]}, f"Wrote {len(files)} CSV files to {a.output}")
    return 0


def cmd_import(ctx: Context, a: argparse.Namespace) -> int:
    """Import customers or products; bad rows are listed on stderr and (unless --valid-only) stop it all."""
    from invoicer.documents.importers import read_table
    from invoicer.services import imports

    table = read_table(Path(a.file))
    run = imports.import_customers if a.action == "customers" else imports.import_products
    with transaction(ctx.db.sessions) as s:
        report = run(s, table, key=a.key or ("email" if a.action == "customers" else "name"),
                     valid_only=a.valid_only, dry_run=a.dry_run)
    for problem in report.errors + report.warnings:
        print(f"{a.file}: {problem}", file=sys.stderr)
    data = {
        "rows": report.rows, "created": report.created, "imported": report.imported,
        "existing": [{"line": p.line, "message": p.message} for p in report.existing],
        "errors": [{"line": p.line, "message": p.message} for p in report.errors],
        "warnings": [{"line": p.line, "message": p.message} for p in report.warnings],
    }
    ctx.out(data, report.summary())
    return EXIT_USER_ERROR if report.errors and not a.valid_only else 0


# ---------------------------------------------------------------- mail and reminders


def _password_from_stdin() -> str:
    """The mail password piped in (or typed without echo on a terminal); never an argument, which
    other users could read in the process list."""
    password = getpass.getpass("Mail password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError(N_("No password was given on standard input."))
    return password


def _with_mail_password(a: argparse.Namespace, action: Callable[[str | None], Any]) -> Any:
    """Run ``action`` with the password from --password-stdin, else the keyring's; when there is
    none, ask on the terminal (kept in memory only)."""
    from invoicer.services.mailing import PasswordNeededError

    try:
        return action(_password_from_stdin() if a.password_stdin else None)
    except PasswordNeededError as exc:
        if not sys.stdin.isatty():
            raise PasswordNeededError(
                N_("{problem} Without a terminal, pipe the password with --password-stdin."),
                keyring_missing=exc.keyring_missing, problem=exc.text,
            ) from None
        print(f"invoicer: {exc}", file=sys.stderr)
        return action(getpass.getpass("Mail password: "))


def cmd_mail_set(ctx: Context, a: argparse.Namespace) -> int:
    from dataclasses import replace

    from invoicer.mail import secrets
    from invoicer.services import mailing

    password = _password_from_stdin() if a.password_stdin else None
    given = {
        "host": a.host, "port": a.port, "security": a.security, "user": a.user, "from_address": a.from_address,
        "from_name": a.from_name, "reply_to": a.reply_to, "copy_to_sender": a.copy_to_sender, "timeout": a.timeout,
    }
    with transaction(ctx.db.sessions) as s:
        config = replace(mailing.load_mail_settings(s), **{k: v for k, v in given.items() if v is not None})
        mailing.save_mail_settings(s, config)
        config = mailing.load_mail_settings(s)
        if password is not None:
            if not config.user:
                raise ValidationError(N_("--password-stdin needs --user: the password is stored for that login."))
            # inside the transaction: without a keyring the settings are not saved either
            secrets.store_password(config.host, config.user, password)
    data = {**vars(config), "password_stored": password is not None}
    note = " The password is in the system keyring." if password is not None else ""
    ctx.out(data, f"Mail settings saved.{note}")
    return 0


def cmd_mail_test(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.mail.smtp import SECURITY_TITLES
    from invoicer.services import mailing

    with transaction(ctx.db.readonly_sessions) as s:
        config = mailing.mail_settings(s)
    _with_mail_password(a, lambda password: mailing.test_connection(config, mailing.password_for(config, password)))
    login = f", logged in as {config.user}" if config.user else ""
    data = {"ok": True, "host": config.host, "port": config.port, "security": config.security, "user": config.user}
    ctx.out(data, f"Connected to {config.host}:{config.port} ({SECURITY_TITLES[config.security]}){login}.")
    return 0


def cmd_invoice_send(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import mailing

    try:
        sent = _with_mail_password(
            a, lambda password: mailing.send_invoice(ctx.db, a.id, to=a.to, again=a.again, password=password)
        )
    except mailing.AlreadySentError as exc:
        raise mailing.AlreadySentError(N_("{problem} Add --again to send it once more."), problem=exc.text) from None
    data = {"id": sent.invoice_id, "number": sent.number, "message_id": sent.message_id, "to": list(sent.to),
            "copies": list(sent.copies), "subject": sent.subject}
    ctx.out(data, f"Sent {sent.number} to {', '.join(sent.to)}.")
    return 0


def cmd_reminders_run(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import reminders

    run = _with_mail_password(
        a, lambda password: reminders.run_reminders(ctx.db, a.today, dry_run=a.dry_run, password=password)
    )
    rows = [
        {
            "invoice_id": r.reminder.invoice_id, "number": r.reminder.number, "customer": r.reminder.customer,
            "level": r.reminder.level, "to": r.reminder.email, "due_date": r.reminder.due_date.isoformat(),
            "amount_due": money(r.reminder.amount_due, r.reminder.currency), "currency": r.reminder.currency,
            "outcome": r.outcome, "detail": r.detail, "message_id": r.message_id,
        }
        for r in run.results
    ]
    data = {"today": run.today.isoformat(), "dry_run": run.dry_run, "reminders": rows, "stopped": run.stopped}

    def text() -> str:
        if not rows:
            return f"No reminders due on {run.today.isoformat()}."
        head = (f"{len(rows)} reminder(s) due on {run.today.isoformat()} (dry run: nothing sent)" if run.dry_run
                else f"Sent {run.count('sent')} of {len(rows)} reminder(s) due on {run.today.isoformat()}")
        table = _table(
            ["Invoice", "Customer", "Level", "To", "Amount due", "Cur", "Result"],
            [[d["number"], d["customer"], d["level"], d["to"] or "-", d["amount_due"], d["currency"],
              d["outcome"] + (f": {d['detail']}" if d["detail"] else "")] for d in rows],
        )
        return f"{head}\n{table}"

    ctx.out(data, text)
    if run.stopped:
        print(f"invoicer: {run.stopped} The reminders not sent stay due for the next run.", file=sys.stderr)
        return EXIT_USER_ERROR
    return 1 if run.count("failed") else 0


# ---------------------------------------------------------------- integrity, backups, demo, gui


def cmd_verify(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import integrity

    with transaction(ctx.db.readonly_sessions) as s:
        report = integrity.verify(s, ctx.db.folder)
    data = {"ok": report.ok, "checked": report.checked, "problems": report.problems}
    ctx.out(data, lambda: report.summary())
    return 0 if report.ok else 1


def cmd_backup_create(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups

    target = backups.create_backup(ctx.folder)
    ctx.out({"path": str(target)}, str(target))
    return 0


def cmd_backup_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups

    rows = backups.list_backups(ctx.folder)
    data = [{"path": str(b.path), "created": b.created.isoformat(), "reason": b.reason, "size": b.size}
            for b in rows]
    ctx.out(data, lambda: _table(["Created", "Reason", "Size", "File"],
                                 [[d["created"], d["reason"], d["size"], d["path"]] for d in data])
            if data else "No backups yet.")
    return 0


def cmd_backup_restore(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups

    done = backups.restore_backup(ctx.folder, a.file)
    safety = done.previous_saved_as
    data = {"restored": str(done.source), "previous_saved_as": str(safety) if safety else None}
    ctx.out(data, f"Restored {done.source}." + (f" The replaced database was saved as {safety}." if safety else ""))
    return 0


def cmd_demo(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import demo

    def progress(done: int, total: int) -> None:
        if not ctx.as_json and sys.stderr.isatty():
            print(f"\rdemo: {done}/{total} invoices", end="", file=sys.stderr, flush=True)

    summary = demo.generate(ctx.db, invoices=a.invoices, seed=a.seed, progress=progress)
    if not ctx.as_json and sys.stderr.isatty():
        print(file=sys.stderr)
    ctx.out(summary, lambda: "Demo data created: " + ", ".join(f"{v} {k}" for k, v in summary.items()))
    return 0


def cmd_gui(ctx: Context, a: argparse.Namespace) -> int:
    try:
        from invoicer.app import run
    except ImportError as exc:
        raise InvoicerError(
            N_("The desktop app cannot start here ({reason}); the command line works: invoicer --help."), reason=str(exc)
        ) from None
    return run(ctx.folder)


# ---------------------------------------------------------------- parser


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="invoicer", description="Offline invoicing: gapless numbers, exact VAT, credit notes.")
    p.add_argument("--version", action="version", version=f"invoicer {__version__}")
    p.add_argument("--data-dir", help=f"data folder (default: ${paths.ENV_DATA_DIR} or the platform's)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def command(parent: Any, name: str, handler: Callable[[Context, argparse.Namespace], int], help: str) -> Any:
        cmd = parent.add_parser(name, help=help, description=help)
        cmd.set_defaults(handler=handler)
        return cmd

    def group(name: str, help: str) -> Any:
        g = sub.add_parser(name, help=help, description=help)
        return g.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION", required=True)

    command(sub, "gui", cmd_gui, "start the desktop app (the default)")
    c = command(sub, "demo", cmd_demo, "fill the database with realistic demo data")
    c.add_argument("--invoices", type=_positive_int, default=200)
    c.add_argument("--seed", type=int, default=1)
    command(sub, "verify", cmd_verify, "check integrity, the hash chain, gapless numbers and balances")

    g = group("company", "the company profile (the seller)")
    c = command(g, "set", cmd_company_set, "set fields of the company profile")
    for opt in ("name", "address", "postcode", "city", "country", "vat-id", "tax-number", "email", "phone",
                "iban", "bic", "currency", "locale", "logo", "legal-details"):
        c.add_argument(f"--{opt}")
    command(g, "show", cmd_company_show, "show the company profile")

    g = group("customer", "customers")
    c = command(g, "add", cmd_customer_add, "add a customer (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--country", required=True)
    for opt in ("contact", "email", "address", "postcode", "city", "vat-id", "iban", "bic", "currency", "locale",
                "notes"):
        c.add_argument(f"--{opt}")
    c.add_argument("--terms-days", type=_positive_int)
    c = command(g, "list", cmd_customer_list, "list customers with balance and credit")
    c.add_argument("--search")
    c.add_argument("--archived", action="store_true", help="include archived customers")
    c = command(g, "archive", cmd_customer_archive, "archive a customer (or --restore)")
    c.add_argument("id", type=int)
    c.add_argument("--restore", action="store_true")

    g = group("tax", "tax rates")
    c = command(g, "add", cmd_tax_add, "add a tax rate (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--rate", required=True, help="percent, e.g. 19")
    c.add_argument("--category", default="S", help="S, Z, E, AE, K, G or O")
    c.add_argument("--exemption-reason")
    command(g, "list", cmd_tax_list, "list tax rates")

    g = group("product", "the catalog")
    c = command(g, "add", cmd_product_add, "add a product or service (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--price", required=True)
    c.add_argument("--unit", default="piece")
    c.add_argument("--description")
    c.add_argument("--tax", help="default tax percent")
    c.add_argument("--tax-category", default="S")
    c = command(g, "list", cmd_product_list, "list products")
    c.add_argument("--search")

    g = group("rate", "exchange rates to the company currency")
    c = command(g, "set", cmd_rate_set, "store a rate: 1 CURRENCY = RATE company currency")
    c.add_argument("currency")
    c.add_argument("rate")
    c.add_argument("--date", type=_date_arg, help="valid from (default today)")
    command(g, "list", cmd_rate_list, "list stored rates")

    c = command(sub, "settings", cmd_settings, "show or change a setting (e.g. numbering.invoice)")
    c.add_argument("key", nargs="?")
    c.add_argument("value", nargs="?")

    g = group("invoice", "invoices")
    c = command(g, "create", cmd_invoice_create, "create a draft (prints the id)")
    c.add_argument("--customer", type=int)
    c.add_argument("--line", action="append", help='"DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT" (repeatable)')
    c.add_argument("--from-json", metavar="FILE")
    c.add_argument("--currency")
    c.add_argument("--date", type=_date_arg, help="issue date (default today)")
    c.add_argument("--due", type=_date_arg, help="due date (default from the customer's terms)")
    c.add_argument("--notes")
    c.add_argument("--reference", help="buyer reference / PO number")
    for name, handler, text in (
        ("delete", cmd_invoice_delete, "delete a draft"),
        ("duplicate", cmd_invoice_duplicate, "copy an invoice into a new draft (prints the id)"),
        ("show", cmd_invoice_show, "show an invoice or credit note"),
        ("history", cmd_invoice_history, "show the audit trail of an invoice"),
    ):
        command(g, name, handler, text).add_argument("id", type=int)
    c = command(g, "finalize", cmd_invoice_finalize, "give the draft its number and freeze it")
    c.add_argument("id", type=int)
    c.add_argument("--rate", help="exchange rate to the company currency (else the stored one)")
    for name, handler, text in (
        ("void", cmd_invoice_void, "void an open invoice with nothing paid"),
        ("uncollectible", cmd_invoice_uncollectible, "write off an open invoice"),
    ):
        c = command(g, name, handler, text)
        c.add_argument("id", type=int)
        c.add_argument("--reason")
    c = command(g, "pay", cmd_invoice_pay, "record a payment (prints the payment id)")
    c.add_argument("id", type=int)
    c.add_argument("--amount", required=True)
    c.add_argument("--date", type=_date_arg)
    c.add_argument("--method")
    c.add_argument("--reference")
    c = command(g, "credit", cmd_invoice_credit, "issue a credit note (prints its id)")
    c.add_argument("id", type=int)
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument("--all", action="store_true", help="credit everything not yet credited")
    how.add_argument("--amount", help="credit this amount (incl. VAT)")
    how.add_argument("--line", action="append", metavar="LINE_NO:QTY", help="credit a quantity of a line")
    c.add_argument("--reason")
    c.add_argument("--refund", action="store_true", help="record any excess as refunded, not customer credit")
    c.add_argument("--date", type=_date_arg)
    c = command(g, "apply-credit", cmd_invoice_apply_credit, "pay an invoice from the customer's credit")
    c.add_argument("id", type=int)
    c.add_argument("--amount")
    c = command(g, "pdf", cmd_invoice_pdf, "write the PDF (finalized: as issued; drafts: a preview)")
    c.add_argument("id", type=int)
    c.add_argument("-o", "--output", required=True, metavar="FILE")
    c.add_argument("--copy", action="store_true", help="a marked copy with payments so far and the amount due now")
    c = command(g, "xml", cmd_invoice_xml, "write the Factur-X (EN 16931) XML alone")
    c.add_argument("id", type=int)
    c.add_argument("-o", "--output", required=True, metavar="FILE")
    c = command(g, "send", cmd_invoice_send, "email a finalized invoice with its PDF to the customer")
    c.add_argument("id", type=int)
    c.add_argument("--to", action="append", metavar="ADDRESS", help="instead of the customer's address (repeatable)")
    c.add_argument("--again", action="store_true", help="send an invoice that was already sent")
    c.add_argument("--password-stdin", action="store_true", help="read the mail password from standard input")
    c = command(g, "list", cmd_invoice_list, "list invoices")
    c.add_argument("--status", choices=["draft", "open", "paid", "void", "uncollectible", "overdue", "partially paid"])
    c.add_argument("--customer", type=int)
    c.add_argument("--overdue", action="store_true")
    c.add_argument("--search")
    c.add_argument("--from", dest="date_from", type=_date_arg)
    c.add_argument("--to", dest="date_to", type=_date_arg)
    c.add_argument("--credit-notes", action="store_true", help="list credit notes instead")
    c.add_argument("--limit", type=_positive_int)

    g = group("payment", "payments")
    c = command(g, "reverse", cmd_payment_reverse, "reverse a mistaken payment (prints the reversal id)")
    c.add_argument("id", type=int)
    c.add_argument("--reason")
    c = command(g, "list", cmd_payment_list, "list payments")
    c.add_argument("--invoice", type=int)
    c.add_argument("--customer", type=int)

    g = group("export", "export documents")
    c = command(g, "pdfs", cmd_export_pdfs, "write the PDFs of finalized documents, in parallel on every core")
    c.add_argument("--from", dest="date_from", type=_date_arg, help="issued on or after")
    c.add_argument("--to", dest="date_to", type=_date_arg, help="issued on or before")
    c.add_argument("-o", "--output", required=True, metavar="DIR")
    c = command(g, "ledger", cmd_export_ledger, "write the accountant's workbook (.xlsx) for a period")
    c.add_argument("--from", dest="date_from", type=_date_arg, help="documents and payments dated on or after")
    c.add_argument("--to", dest="date_to", type=_date_arg, help="dated on or before; receivables are aged on it")
    c.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    c = command(g, "csv", cmd_export_csv, "write the ledger's tables as UTF-8 CSV files into a folder")
    c.add_argument("--from", dest="date_from", type=_date_arg, help="documents and payments dated on or after")
    c.add_argument("--to", dest="date_to", type=_date_arg, help="dated on or before")
    c.add_argument("-o", "--output", required=True, metavar="DIR")

    g = group("import", "bring customers or products from a .csv or .xlsx file")
    for what, keys in (("customers", ["email", "vat_id", "name"]), ("products", ["name"])):
        c = command(g, what, cmd_import, f"import {what}; rows matching existing {what} are left alone")
        c.add_argument("file", metavar="FILE")
        c.add_argument("--key", choices=keys, help=f"match existing {what} on this (default: {keys[0]})")
        c.add_argument("--valid-only", action="store_true", help="import the valid rows even if others are bad")
        c.add_argument("--dry-run", action="store_true", help="check every row, import nothing")

    g = group("mail", "outgoing mail (the password is kept in the system keyring)")
    c = command(g, "set", cmd_mail_set, "set the outgoing mail server and sender (options left out keep their value)")
    c.add_argument("--host", required=True)
    c.add_argument("--port", required=True, type=int)
    c.add_argument("--security", required=True, choices=["ssl", "starttls", "none"])
    c.add_argument("--user", help="login name ('' for none)")
    c.add_argument("--from", dest="from_address", required=True, metavar="ADDRESS")
    c.add_argument("--from-name", metavar="NAME", help="sender name (default: the company name)")
    c.add_argument("--reply-to", metavar="ADDRESS")
    c.add_argument("--copy-to-sender", action=argparse.BooleanOptionalAction, help="a copy of every message to you")
    c.add_argument("--timeout", type=int, help="seconds to wait for the server (default 30)")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input into the keyring")
    c = command(g, "test", cmd_mail_test, "connect and log in to the mail server (nothing is sent)")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    g = group("reminders", "payment reminders")
    c = command(g, "run", cmd_reminders_run, "send the reminders due today (safe to run from cron any number of times)")
    c.add_argument("--today", type=_date_arg, help="act as if it were this date")
    c.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")
    c.add_argument("--password-stdin", action="store_true", help="read the mail password from standard input")

    g = group("backup", "database backups")
    command(g, "create", cmd_backup_create, "back up the database now")
    command(g, "list", cmd_backup_list, "list backups, newest first")
    c = command(g, "restore", cmd_backup_restore, "replace the database with a backup (the current one is kept)")
    c.add_argument("file")
    return p


def _warn_if_backup_failed(db: Database) -> None:
    """A failed daily backup does not fail the command that was asked for; it is said on stderr."""
    error = db.daily_backup.exception() if db.daily_backup is not None else None
    if error is None:
        return
    if isinstance(error, InvoicerError):
        why = str(error)
    else:
        why = f"details are in {setup_logging(db.folder)}"
        log.error("daily backup failed", exc_info=error)
    print(f"invoicer: warning: the daily backup could not be made: {why}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args_in
    args_in = [x for x in args_in if x != "--json"]
    folder: Path | None = None
    try:
        args = build_parser().parse_args(args_in)
        folder = paths.data_dir(args.data_dir)
        handler = getattr(args, "handler", cmd_gui)
        ctx = Context(folder=folder, as_json=as_json)
        try:
            return handler(ctx, args)
        finally:
            if ctx._db is not None:
                ctx._db.close()  # waits for the day's first backup, which ran while the command did its work
                _warn_if_backup_failed(ctx._db)
    except InvoicerError as exc:
        print(f"invoicer: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("invoicer: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`invoicer … | head`): not an error of ours; keep Python quiet at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        where = setup_logging(folder or paths.data_dir())
        log.exception("unexpected error in %s", args_in)
        print(f"invoicer: something went wrong; details are in {where}", file=sys.stderr)
        return 1
