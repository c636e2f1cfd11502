"""Settling invoices: ``invoice pay``, ``invoice credit`` (credit notes), ``invoice apply-credit`` and
``invoicer payment`` (reverse, list)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from invoicer.cli.base import Commands, Context, date_arg, money, positive_int, table
from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import parse_amount
from invoicer.services.store import Session


def cmd_invoice_pay(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import early_payment, invoices

    def pay(s: Session) -> dict[str, Any]:
        invoice = invoices.get_invoice(s, a.id)
        amount = parse_amount(a.amount, invoice.currency)
        paid = early_payment.record_payment(s, a.id, amount, a.date, a.method, a.reference, a.rate,
                                            apply_discount=not a.no_discount)
        note = invoices.get_invoice(s, paid.credit_note_id, "credit_note") if paid.credit_note_id else None
        return {"id": paid.payment_id, "status": invoice.status,
                "amount_due": money(invoice.amount_due, invoice.currency),
                "discount": money(paid.discount, invoice.currency) if paid.discount else None,
                "credit_note": paid.credit_note_id, "credit_note_number": note.number if note else None,
                "currency": invoice.currency}

    data = ctx.write(pay)
    if data["discount"] and not ctx.as_json:  # stdout stays the payment id alone, for scripts
        print(f"invoicer: paid within the early-payment discount period: discount of {data['discount']} "
              f"{data['currency']} credited by credit note {data['credit_note_number']}; the invoice is "
              f"{data['status']} (--no-discount records the amount as a part payment)", file=sys.stderr)
    ctx.out(data, str(data["id"]))
    return 0


def cmd_invoice_credit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import credit_notes, invoices

    def credit(s: Session) -> dict[str, Any]:
        invoice = invoices.get_invoice(s, a.id)
        amount = None if a.amount is None else parse_amount(a.amount, invoice.currency)
        lines = None
        if a.line:
            by_position = {line.position: line.id for line in invoice.lines}
            lines = []
            for item in a.line:
                line_no, _, qty = item.partition(":")
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
        return {
            "id": result.credit_note_id, "number": result.number, "total": money(result.total, currency),
            "applied_to_due": money(result.applied_to_due, currency),
            "to_customer_credit": money(result.to_customer_credit, currency),
            "refunded": money(result.refunded, currency),
        }

    data = ctx.write(credit)
    ctx.out(data, str(data["id"]))
    return 0


def cmd_invoice_apply_credit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import invoices, payments

    def apply(s: Session) -> dict[str, Any]:
        invoice = invoices.get_invoice(s, a.id)
        amount = None if a.amount is None else parse_amount(a.amount, invoice.currency)
        payment_id = payments.apply_credit(s, a.id, amount, a.date)
        return {"id": payment_id, "status": invoice.status, "amount_due": money(invoice.amount_due, invoice.currency)}

    data = ctx.write(apply)
    ctx.out(data, str(data["id"]))
    return 0


def cmd_payment_reverse(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import payments

    reversal_id = ctx.write(lambda s: payments.reverse_payment(s, a.id, a.reason, a.date))
    ctx.out({"id": reversal_id}, str(reversal_id))
    return 0


def cmd_payment_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import payments

    rows = ctx.read(lambda s: payments.list_payments(s, a.invoice, a.customer))
    data = [
        {"id": r.id, "kind": r.kind, "invoice_id": r.invoice_id, "invoice_number": r.invoice_number,
         "date": r.paid_on.isoformat(), "amount": money(r.amount, r.currency), "currency": r.currency,
         "method": r.method, "reference": r.reference, "reverses": r.reverses_id, "reversed_by": r.reversed_by,
         "prepaid": r.prepaid}
        for r in rows
    ]
    ctx.out(data, lambda: table(
        ["ID", "Kind", "Invoice", "Date", "Amount", "Cur", "Reference"],
        [[d["id"], d["kind"], d["invoice_number"], d["date"], d["amount"], d["currency"], d["reference"] or ""]
         for d in data],
    ))
    return 0


def register(commands: Commands) -> None:
    g = commands.group("invoice")
    c = g.command("pay", cmd_invoice_pay, "record a payment (prints the payment id); the discounted amount "
                  "within an early-payment discount period settles the invoice with a credit note of the discount")
    c.add_argument("id", type=positive_int)
    c.add_argument("--amount", required=True)
    c.add_argument("--date", type=date_arg)
    c.add_argument("--method")
    c.add_argument("--reference")
    c.add_argument("--rate", help="foreign currency: the exchange rate on the payment day (else the stored one)")
    c.add_argument("--no-discount", action="store_true",
                   help="record the discounted amount as a part payment: no early-payment discount taken")
    c = g.command("credit", cmd_invoice_credit, "issue a credit note (prints its id)")
    c.add_argument("id", type=positive_int)
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument("--all", action="store_true", help="credit everything not yet credited")
    how.add_argument("--amount", help="credit this amount (incl. VAT)")
    how.add_argument("--line", action="append", metavar="LINE_NO:QTY", help="credit a quantity of a line")
    c.add_argument("--reason")
    c.add_argument("--refund", action="store_true", help="record any excess as refunded, not customer credit")
    c.add_argument("--date", type=date_arg)
    c = g.command("apply-credit", cmd_invoice_apply_credit, "pay an invoice from the customer's credit")
    c.add_argument("id", type=positive_int)
    c.add_argument("--amount")
    c.add_argument("--date", type=date_arg, help="the day it was applied (default today)")

    g = commands.group("payment", "payments")
    c = g.command("reverse", cmd_payment_reverse, "reverse a mistaken payment (prints the reversal id)")
    c.add_argument("id", type=positive_int)
    c.add_argument("--reason")
    c.add_argument("--date", type=date_arg, help="the day it was reversed (default today)")
    c = g.command("list", cmd_payment_list, "list payments")
    c.add_argument("--invoice", type=positive_int)
    c.add_argument("--customer", type=positive_int)
