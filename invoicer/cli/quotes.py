"""Quotes: ``invoicer quote create|list|show|send|email|accept|decline|pdf|invoice|delete``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from invoicer.cli.base import Commands, Context, date_arg, positive_int, table
from invoicer.cli.invoices import parse_line, period_json
from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import format_minor
from invoicer.services.store import Session


def _data(a: argparse.Namespace) -> Any:
    from invoicer.services import quotes

    if not a.line:
        raise ValidationError(N_("Give at least one --line."))
    return quotes.QuoteData(customer_id=a.customer, lines=[parse_line(x, periods=True) for x in a.line],
                            currency=a.currency, issue_date=a.date, valid_until=a.valid_until, notes=a.notes, buyer_reference=a.reference)


def cmd_create(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    data = _data(a)
    quote_id = ctx.write(lambda s: quotes.create_quote(s, data))
    ctx.out({"id": quote_id}, str(quote_id))
    return 0


def _row(r: Any) -> dict[str, Any]:
    return {"id": r.id, "number": r.number, "status": r.status, "customer": r.customer_name,
            "issue_date": r.issue_date.isoformat(), "valid_until": r.valid_until.isoformat(),
            "currency": r.currency, "total": format_minor(r.total, r.currency), "invoices": list(r.invoiced)}


def cmd_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    rows = [_row(r) for r in ctx.read(lambda s: quotes.list_quotes(s, customer_id=a.customer))]
    ctx.out(rows, lambda: table(["ID", "Number", "Status", "Customer", "Date", "Valid until", "Total", "Invoices"],
                                [[r["id"], r["number"] or "", r["status"], r["customer"], r["issue_date"],
                                  r["valid_until"], f"{r['total']} {r['currency']}",
                                  ", ".join(map(str, r["invoices"]))] for r in rows]))
    return 0


def cmd_show(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    def read(s: Session) -> dict[str, Any]:
        row = next((r for r in quotes.list_quotes(s) if r.id == a.id), None)
        quote = quotes.get_quote(s, a.id)
        assert row is not None
        return {**_row(row), "notes": quote.notes, "lines": [
            {"position": ln.position, "description": ln.description, "quantity": str(ln.quantity),
             "unit_price": str(ln.unit_price), "tax_category": ln.tax_category, "tax_rate": str(ln.tax_rate),
             "net": format_minor(ln.net, quote.currency), "period": period_json(ln.period_start, ln.period_end)}
            for ln in quote.lines],
            "tax_total": format_minor(quote.tax_total, quote.currency),
            "invoiced_lines": sorted(quotes.invoiced_positions(s, a.id))}

    data = ctx.read(read)
    ctx.out(data, lambda: "\n".join([
        f"{data['number'] or '(draft)'}  {data['status']}  {data['customer']}  {data['issue_date']} – "
        f"{data['valid_until']}",
        table(["#", "Description", "Qty", "Unit price", "VAT", "Net"],
              [[ln["position"], ln["description"], ln["quantity"], ln["unit_price"],
                f"{ln['tax_category']} {ln['tax_rate']} %", ln["net"]] for ln in data["lines"]]),
        f"VAT {data['tax_total']}  Total {data['total']} {data['currency']}"]))
    return 0


def cmd_send(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    number = ctx.write(lambda s: quotes.send_quote(s, a.id, a.date))
    ctx.out({"id": a.id, "number": number}, number)
    return 0


def cmd_email(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    message_id = quotes.email_quote(ctx.db, a.id, to=a.to, today=a.date)
    ctx.out({"id": a.id, "message_id": message_id}, f"quote {a.id} sent ({message_id})")
    return 0


def cmd_decide(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    decide = quotes.accept_quote if a.decision == "accept" else quotes.decline_quote
    ctx.write(lambda s: decide(s, a.id, a.date))
    status = "accepted" if a.decision == "accept" else "declined"
    ctx.out({"id": a.id, "status": status}, f"quote {a.id} {status}")
    return 0


def cmd_pdf(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents, quotes

    data = ctx.read(lambda s: quotes.quote_pdf(s, a.id))
    documents.write_atomically(Path(a.output), data)
    ctx.out({"id": a.id, "path": a.output, "bytes": len(data)}, f"Wrote {a.output}")
    return 0


def cmd_invoice(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    invoice_id = ctx.write(lambda s: quotes.invoice_quote(s, a.id, a.line or None, partial=a.partial))
    ctx.out({"id": invoice_id}, str(invoice_id))
    return 0


def cmd_deposit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    invoice_id = ctx.write(lambda s: quotes.deposit_invoice(s, a.id, percent=a.percent, amount=a.amount))
    ctx.out({"id": invoice_id}, str(invoice_id))
    return 0


def cmd_final(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    invoice_id = ctx.write(lambda s: quotes.final_invoice(s, a.id))
    ctx.out({"id": invoice_id}, str(invoice_id))
    return 0


def cmd_delete(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import quotes

    ctx.write(lambda s: quotes.delete_quote(s, a.id))
    ctx.out({"id": a.id, "deleted": True}, f"quote {a.id} deleted")
    return 0


def register(commands: Commands) -> None:
    g = commands.group("quote", help="quotes (estimates) and the invoices made from them")
    c = g.command("create", cmd_create, "create a draft quote (prints the id)")
    c.add_argument("--customer", type=positive_int, required=True)
    c.add_argument("--line", action="append", help='"DESCRIPTION|QTY|UNIT_PRICE|TAX_PERCENT[|CATEGORY][|FIRST..LAST]" '
                   "(repeatable; FIRST..LAST: the line's own service period, carried to the invoice)")
    c.add_argument("--currency")
    c.add_argument("--date", type=date_arg, help="quote date (default today)")
    c.add_argument("--valid-until", type=date_arg, help="last day it can be accepted (default: 30 days on)")
    c.add_argument("--notes")
    c.add_argument("--reference", help="the customer's reference")
    c = g.command("list", cmd_list, "list quotes (expired: sent and past their validity)")
    c.add_argument("--customer", type=positive_int)
    for name, handler, text in (("show", cmd_show, "show a quote"), ("delete", cmd_delete, "delete a draft quote")):
        g.command(name, handler, text).add_argument("id", type=positive_int)
    c = g.command("send", cmd_send, "mark a draft as sent: it takes the next QUO number (prints it)")
    c.add_argument("id", type=positive_int)
    c.add_argument("--date", type=date_arg, help="the day it was sent (default today)")
    c = g.command("email", cmd_email, "email the quote's PDF to the customer (a draft is numbered first)")
    c.add_argument("id", type=positive_int)
    c.add_argument("--to", action="append", help="recipient (default: the customer's address; repeatable)")
    c.add_argument("--date", type=date_arg, help=argparse.SUPPRESS)
    for decision, text in (("accept", "the customer accepted a sent quote"),
                           ("decline", "the customer declined a sent quote")):
        c = g.command(decision, cmd_decide, text)
        c.set_defaults(decision=decision)
        c.add_argument("id", type=positive_int)
        c.add_argument("--date", type=date_arg, help="the day of the decision (default today)")
    c = g.command("pdf", cmd_pdf, "write the quote's PDF (in the customer's language)")
    c.add_argument("id", type=positive_int)
    c.add_argument("-o", "--output", required=True, metavar="FILE")
    c = g.command("invoice", cmd_invoice, "a draft invoice from an accepted quote: every line not invoiced yet, or "
                  "--line N (repeatable); prints its id")
    c.add_argument("id", type=positive_int)
    c.add_argument("--line", type=positive_int, action="append", help="a line number of the quote")
    c.add_argument("--partial", action="store_true", help="a partial invoice (326) that the final invoice deducts")
    c = g.command("deposit", cmd_deposit, "a draft deposit invoice (386) from an accepted quote, VAT per rate; "
                  "prints its id")
    c.add_argument("id", type=positive_int)
    share = c.add_mutually_exclusive_group(required=True)
    share.add_argument("--percent", help="percent of the quote's net amount, e.g. 30")
    share.add_argument("--amount", help="net amount, shared over the quote's VAT rates")
    c = g.command("final", cmd_final, "the final invoice: the whole work, less every deposit and partial invoice "
                  "per VAT rate; prints its id")
    c.add_argument("id", type=positive_int)
