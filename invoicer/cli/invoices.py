"""``invoicer invoice`` for the document itself: create (also from a JSON draft), show, list, history, and
the transitions of its life (finalize, void, write off, delete, duplicate)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoicer.cli.base import Commands, Context, date_arg, money, period_arg, positive_int, table
from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import format_price, parse_decimal
from invoicer.core.workflow import status_badges

if TYPE_CHECKING:
    from invoicer.services.views import InvoiceView


def parse_line(text: str, periods: bool = False) -> Any:
    """One ``--line``: ``DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT[|CATEGORY]``; with ``periods`` (invoices, quotes) a last
    field ``FIRST..LAST`` gives the line its own service period (the category may then be left empty, or out: a
    category never holds ``..``). The service checks the rest (numbers, the period's order and that it lies in the
    invoice's)."""
    from invoicer.services.invoices import LineData

    parts = [p.strip() for p in text.split("|")]
    period: tuple[date, date] | None = None
    if periods and len(parts) in (5, 6) and ".." in parts[-1]:
        period = _line_period(text, parts.pop())
    if len(parts) not in (4, 5):
        if periods:
            raise ValidationError(
                N_("--line '{text}' must be \"DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT[|CATEGORY][|FIRST..LAST]\"."),
                text=text)
        raise ValidationError(
            N_('--line \'{text}\' must be "DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT[|CATEGORY]".'), text=text)
    description, qty, price, tax, *named = parts
    parse_decimal(tax, N_("tax percent"))
    # without a category the service derives it from the rate and the customer (export, intra-EU, domestic)
    return LineData(description, qty, price, named[0].upper() if named and named[0] else None, tax,
                    period_start=period[0] if period else None, period_end=period[1] if period else None)


def _line_period(text: str, period: str) -> tuple[date, date]:
    """The ``FIRST..LAST`` of a --line as two dates (their order is the service's to check)."""
    first, _dots, last = period.partition("..")
    try:
        return date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise ValidationError(
            N_("--line '{text}': the service period '{period}' must be two dates FIRST..LAST, e.g. "
               "2026-10-01..2026-10-15."), text=text, period=period) from None


def cmd_invoice_create(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import drafts, invoices

    if a.from_json:
        data = drafts.read_draft(Path(a.from_json))
    else:
        if a.customer is None or not a.line:
            raise ValidationError(N_("Give --customer and at least one --line, or --from-json FILE."))
        data = invoices.DraftData(
            customer_id=a.customer, lines=[parse_line(x, periods=True) for x in a.line], currency=a.currency,
            issue_date=a.date, due_date=a.due, notes=a.notes, buyer_reference=a.reference,
            delivery_date=a.delivery_date, period_start=a.period[0] if a.period else None,
            period_end=a.period[1] if a.period else None, prepaid=a.prepaid, prepaid_method=a.prepaid_method,
            prepaid_reference=a.prepaid_reference,
        )
    new_id = ctx.write(lambda s: drafts.create_draft(s, data))
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_invoice_delete(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    ctx.write(lambda s: invoices.delete_draft(s, a.id))
    ctx.out({"id": a.id, "deleted": True}, "Draft deleted.")
    return 0


def cmd_invoice_finalize(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import einvoicing, invoices
    from invoicer.services.documents import without_einvoice

    # an XRechnung or Peppol customer's rules compile in a second process, beside the Factur-X ones here
    beside = ctx.read(lambda s: einvoicing.check_beside(s, a.id))
    try:
        number, currency = ctx.write(lambda s: (
            invoices.finalize_invoice(s, a.id, exchange_rate=a.rate), invoices.get_invoice(s, a.id).currency))
    finally:
        if beside:
            einvoicing.stop_checking()
    note = without_einvoice(currency)
    # the number alone on stdout (scripts read it); the note on stderr like other notices
    if note is not None and not ctx.as_json:
        print(f"invoicer: note: {note}", file=sys.stderr)
    ctx.out({"id": a.id, "number": number, "einvoice": note is None, "note": None if note is None else str(note)},
            number)
    return 0


def cmd_invoice_void(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    ctx.write(lambda s: invoices.void_invoice(s, a.id, a.reason, a.date))
    ctx.out({"id": a.id, "status": "void"}, "Invoice voided.")
    return 0


def cmd_invoice_uncollectible(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    ctx.write(lambda s: invoices.mark_uncollectible(s, a.id, a.reason, a.date))
    ctx.out({"id": a.id, "status": "uncollectible"}, "Invoice marked uncollectible.")
    return 0


def cmd_invoice_duplicate(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    new_id = ctx.write(lambda s: invoices.duplicate_invoice(s, a.id))
    ctx.out({"id": new_id}, str(new_id))
    return 0


def describe_invoice(view: InvoiceView) -> dict[str, Any]:
    """An invoice or credit note's view as plain JSON-ready data (amounts as decimal strings)."""
    cur = view.currency
    totals = view.totals
    party = view.customer
    return {
        "id": view.id,
        "type": view.doc_type,
        "number": view.number,
        "status": view.status,
        "display_status": view.display_status,
        "badges": list(status_badges(view.display_status, view.partially_paid, view.disputed)),
        "overdue": view.overdue,
        "partially_paid": view.partially_paid,
        "currency": cur,
        "issue_date": view.issue_date.isoformat(),
        "due_date": view.due_date.isoformat() if view.due_date else None,
        "customer_id": view.customer_id,
        # a draft names its customer; a finalized document shows the buyer as frozen
        "customer": {"name": party.name} if view.is_draft else {
            "address": party.address, "city": party.city, "contact": party.contact, "country": party.country,
            "email": party.email, "id": view.customer_id, "locale": party.locale, "name": party.name,
            "postcode": party.postcode, "vat_id": party.vat_id,
        },
        "buyer_reference": view.buyer_reference,
        "delivery_date": _day(view.delivery_date),
        "period": period_json(view.period_start, view.period_end),
        "notes": view.notes,
        "tax_rounding": view.tax_rounding,
        "lines": [
            {
                "position": line.position, "description": line.description, "quantity": str(line.quantity),
                "unit": line.unit, "unit_price": format_price(line.unit_price, cur),
                "discount_percent": None if line.discount_percent is None else str(line.discount_percent),
                "discount": money(line.discount, cur), "tax_category": line.tax_category,
                "tax_rate": str(line.tax_rate), "net": money(line.net, cur),
                "period": period_json(line.period_start, line.period_end),
            }
            for line in view.lines
        ],
        "allowances": [{"reason": x.reason, "amount": money(x.amount, cur), "tax_category": x.tax_category,
                        "tax_rate": str(x.tax_rate)} for x in view.adjustments if not x.is_charge],
        "charges": [{"reason": x.reason, "amount": money(x.amount, cur), "tax_category": x.tax_category,
                     "tax_rate": str(x.tax_rate)} for x in view.adjustments if x.is_charge],
        "subtotal": money(totals.subtotal, cur),
        "allowance_total": money(totals.allowance_total, cur),
        "charge_total": money(totals.charge_total, cur),
        "tax": [{"category": t.category, "rate": str(t.rate), "basis": money(t.basis, cur),
                 "amount": money(t.amount, cur), "exemption_reason": t.exemption_reason} for t in totals.taxes],
        "tax_total": money(totals.tax_total, cur),
        "total": money(totals.total, cur),
        # BT-114: part of the amount due, so paying the rounded amount settles the invoice
        "rounding_amount": money(totals.rounding_amount, cur),
        # BT-113: received before the invoice; paid at finalize, so a finalized invoice's "paid" includes it
        "prepaid": money(totals.prepaid, cur),
        "paid": money(view.balance.paid, cur),
        # every credit note, before or after payment; only the part against the amount due lowers it
        "credited": money(sum(n.total for n in view.credit_notes), cur),
        "credit_notes": [
            {"id": n.id, "number": n.number, "issue_date": n.issue_date.isoformat(), "total": money(n.total, cur),
             "applied_to_due": money(n.settlement.applied_to_due, cur),
             "to_customer_credit": money(n.settlement.to_customer_credit, cur),
             "refunded": money(n.settlement.refunded, cur), "reason": n.reason}
            for n in view.credit_notes
        ],
        "amount_due": money(view.balance.amount_due, cur),
        # a final invoice: the deposit and partial invoices its lines deduct, per VAT rate, and what was paid on them
        "deducts": [
            {"id": a.id, "number": a.number, "type_code": a.type_code, "issue_date": a.issue_date.isoformat(),
             "tax": [{"category": t.category, "rate": str(t.rate), "basis": money(t.basis, cur),
                      "amount": money(t.amount, cur)} for t in a.taxes],
             "total": money(a.total, cur), "paid": money(a.paid, cur), "open": money(a.open, cur)}
            for a in view.advances
        ],
        "exchange_rate": None if view.exchange_rate is None else str(view.exchange_rate),
        "company_currency": view.company_currency,
        "company_total": money(view.company_total, view.company_currency) if view.company_currency else None,
        "corrects_id": view.corrects.id if view.corrects else None,
        "reason": view.reason,
        "pdf_sha256": view.pdf_sha256,
    }


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def period_json(start: date | None, end: date | None) -> dict[str, str | None] | None:
    """A service period as JSON: its first and last day, or None when there is none."""
    return None if start is None and end is None else {"start": _day(start), "end": _day(end)}


def invoice_text(data: dict[str, Any]) -> str:
    """``invoice show`` for people: the lines, then every amount that makes up the total, then what settled it."""

    def row(label: str, amount: str, note: str = "") -> str:
        return f"{label:>12} {amount:>14}" + (f"  {note}" if note else "")

    def vat(item: dict[str, Any]) -> str:
        return f"VAT {item['tax_category']} {item['tax_rate']}%"

    head = [
        f"{data['type'].replace('_', ' ').title()} {data['number'] or '(draft, no number yet)'}"
        f"  [{', '.join(data['badges'])}]",
        f"Customer: {data['customer'].get('name')}   Issued {data['issue_date']}   Due {data['due_date'] or '-'}",
    ]
    if data.get("delivery_date"):
        head.append(f"Date of supply: {data['delivery_date']}")
    if data.get("period"):
        head.append(f"Service period: {data['period']['start']} to {data['period']['end']}")
    rows = [[ln["position"], ln["description"] + (f" ({ln['period']['start']} to {ln['period']['end']})"
                                                   if ln.get("period") else ""),
             ln["quantity"], ln["unit_price"], ln["tax_rate"], ln["net"]]
            for ln in data["lines"]]
    tail = [f"{'Subtotal':>12} {data['subtotal']:>14} {data['currency']}"]
    tail += [row("Allowance", f"-{x['amount']}", f"{x['reason']} ({vat(x)})") for x in data["allowances"]]
    tail += [row("Charge", x["amount"], f"{x['reason']} ({vat(x)})") for x in data["charges"]]
    tail += [row(f"VAT {t['category']} {t['rate']}%", t["amount"]) for t in data["tax"]]
    tail.append(row("Total", data["total"]))
    if data["rounding_amount"] != money(0, data["currency"]):
        tail.append(row("Rounding", data["rounding_amount"]))
    if data["prepaid"] != money(0, data["currency"]):
        tail.append(row("Prepaid", data["prepaid"], "paid in advance" if data["number"] is None else
                        "paid in advance, included in Paid"))
    tail += [row("Paid", data["paid"]), row("Credited", data["credited"]), row("Amount due", data["amount_due"])]
    deducted = data.get("deducts") or []
    if deducted:
        tail.append("Deducts (net and VAT per rate, total, paid):")
        for d in deducted:
            rates = ", ".join(f"{t['category']} {t['rate']}% {t['basis']} + {t['amount']}" for t in d["tax"])
            tail.append(f"  {d['number']}  {d['issue_date']}  {rates}  total {d['total']}  paid {d['paid']}")
    notes = data.get("credit_notes") or []
    if notes:
        tail.append("Credit notes:")
        for n in notes:
            parts = [f"{label} {n[key]}" for key, label in (
                ("applied_to_due", "against the amount due"), ("to_customer_credit", "to customer credit"),
                ("refunded", "refunded")) if n[key] != money(0, data["currency"])]
            tail.append(f"  {n['number']}  {n['issue_date']}  {n['total']:>12}  {', '.join(parts)}"
                        + (f"  ({n['reason']})" if n["reason"] else ""))
    return "\n".join([*head, table(["#", "Description", "Qty", "Price", "VAT %", "Net"], rows), *tail])


def cmd_invoice_show(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services.views import invoice_view

    data = ctx.read(lambda s: describe_invoice(invoice_view(s, a.id, date.today())))
    ctx.out(data, lambda: invoice_text(data))
    return 0


def cmd_invoice_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices

    flt = invoices.InvoiceFilter(
        doc_type="credit_note" if a.credit_notes else "invoice", status=a.status, customer_id=a.customer,
        overdue=a.overdue, search=a.search, date_from=a.date_from, date_to=a.date_to,
    )
    rows = ctx.read(lambda s: invoices.list_invoices(s, flt, limit=a.limit, descending=True))
    data = [
        {
            "id": r.id, "number": r.number, "status": r.status, "display_status": r.display_status,
            "badges": list(status_badges(r.display_status, r.partially_paid, r.disputed)),
            "overdue": r.overdue, "partially_paid": r.partially_paid, "customer_id": r.customer_id, "customer_name": r.customer_name,
            "currency": r.currency, "issue_date": r.issue_date.isoformat(),
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "total": money(r.total, r.currency), "amount_due": money(r.amount_due, r.currency),
        }
        for r in rows
    ]
    ctx.out(data, lambda: table(
        ["ID", "Number", "Status", "Customer", "Issued", "Due", "Total", "Due amount", "Cur"],
        [[d["id"], d["number"] or "-", ", ".join(status_badges(r.display_status, r.partially_paid, r.disputed)), d["customer_name"],
          d["issue_date"], d["due_date"] or "", d["total"], d["amount_due"], d["currency"]]
         for r, d in zip(rows, data, strict=True)],
    ))
    return 0


def cmd_invoice_history(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import audit

    events = ctx.read(lambda s: audit.document_history(s, a.id))
    data = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "before": e.before, "after": e.after,
             "payload": e.payload} for e in events]
    ctx.out(data, lambda: "\n".join(
        f"{d['at']}  {d['actor']:10} {d['action']:16} {d['before'] or '':>13} -> {d['after'] or ''}" for d in data
    ))
    return 0


def register(commands: Commands) -> None:
    g = commands.group("invoice", "invoices")
    c = g.command("create", cmd_invoice_create, "create a draft (prints the id)")
    c.add_argument("--customer", type=positive_int)
    c.add_argument("--line", action="append",
                   help='"DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT[|CATEGORY][|FIRST..LAST]" (repeatable); '
                        "FIRST..LAST: the line's own service period, e.g. 2026-10-01..2026-10-15")
    c.add_argument("--from-json", metavar="FILE", help="a whole draft as JSON ('invoicer schema draft' gives its format)")
    c.add_argument("--currency")
    c.add_argument("--date", type=date_arg, help="issue date (default today)")
    c.add_argument("--due", type=date_arg, help="due date (default from the customer's terms)")
    c.add_argument("--notes")
    c.add_argument("--reference", help="buyer reference / PO number")
    c.add_argument("--delivery-date", type=date_arg, help="the date of supply (EU VAT Art. 226(7)), YYYY-MM-DD")
    c.add_argument("--period", type=period_arg, metavar="FIRST..LAST",
                   help="the service period invoiced, e.g. 2026-10-01..2026-10-31")
    c.add_argument("--prepaid", metavar="AMOUNT",
                   help="paid in advance (BT-113): recorded as a payment on the issue date when finalized")
    c.add_argument("--prepaid-method", metavar="M", help="how it was paid (cash, bank transfer...; 'customer credit' "
                                                         "takes it from the customer's credit)")
    c.add_argument("--prepaid-reference", metavar="R", help="the reference of the money paid in advance")
    for name, handler, text in (
        ("delete", cmd_invoice_delete, "delete a draft"),
        ("duplicate", cmd_invoice_duplicate, "copy an invoice into a new draft (prints the id)"),
        ("show", cmd_invoice_show, "show an invoice or credit note"),
        ("history", cmd_invoice_history, "show the audit trail of an invoice"),
    ):
        g.command(name, handler, text).add_argument("id", type=positive_int)
    c = g.command("finalize", cmd_invoice_finalize, "give the draft its number and freeze it")
    c.add_argument("id", type=positive_int)
    c.add_argument("--rate", help="exchange rate to the company currency (else the stored one)")
    for name, handler, text in (
        ("void", cmd_invoice_void, "void an open invoice with nothing paid"),
        ("uncollectible", cmd_invoice_uncollectible, "write off an open invoice"),
    ):
        c = g.command(name, handler, text)
        c.add_argument("id", type=positive_int)
        c.add_argument("--reason")
        c.add_argument("--date", type=date_arg, help="the day it happened (default today)")


def register_list(commands: Commands) -> None:
    """``invoice list`` comes last in ``invoicer invoice --help``, after the other areas' invoice commands."""
    c = commands.group("invoice").command("list", cmd_invoice_list, "list invoices")
    c.add_argument("--status", choices=["draft", "open", "paid", "void", "uncollectible", "overdue", "partially paid"])
    c.add_argument("--customer", type=positive_int)
    c.add_argument("--overdue", action="store_true")
    c.add_argument("--search")
    c.add_argument("--from", dest="date_from", type=date_arg)
    c.add_argument("--to", dest="date_to", type=date_arg)
    c.add_argument("--credit-notes", action="store_true", help="list credit notes instead")
    c.add_argument("--limit", type=positive_int)
