"""Disputed invoices: ``invoice dispute``, ``invoice dispute-close`` and ``dispute list``."""

from __future__ import annotations

import argparse
from typing import Any

from invoicer.cli.base import Commands, Context, date_arg, money, positive_int, table
from invoicer.services.store import Session


def cmd_dispute_open(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import disputes

    dispute_id = ctx.write(lambda s: disputes.open_dispute(s, a.id, a.reason, a.date))
    ctx.out({"dispute": dispute_id, "invoice": a.id}, str(dispute_id))
    return 0


def cmd_dispute_close(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.core.money import parse_amount
    from invoicer.services import disputes, invoices

    def close(s: Session) -> int | None:
        amount = None if a.credit is None else parse_amount(a.credit, invoices.get_invoice(s, a.id).currency)
        return disputes.close_dispute(s, a.id, a.note, a.date, amount)

    credit_note = ctx.write(close)
    ctx.out({"invoice": a.id, "credit_note": credit_note},
            f"credit note {credit_note}" if credit_note else f"dispute of invoice {a.id} closed")
    return 0


def cmd_dispute_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import disputes

    rows = ctx.read(lambda s: disputes.list_disputes(s, open_only=not a.all))
    data: list[dict[str, Any]] = [
        {"invoice": r.invoice_id, "number": r.number, "customer": r.customer, "reason": r.reason,
         "opened_on": r.opened_on.isoformat(), "closed_on": r.closed_on.isoformat() if r.closed_on else None,
         "resolution": r.resolution, "credit_note": r.credit_note_id, "amount_due": money(r.amount_due, r.currency),
         "currency": r.currency} for r in rows]
    ctx.out(data, lambda: table(["Invoice", "Customer", "Since", "Due", "Cur", "Reason"], [
        [d["number"], d["customer"], d["opened_on"], d["amount_due"], d["currency"], d["reason"]] for d in data]))
    return 0


def register(commands: Commands) -> None:
    g = commands.group("invoice")
    c = g.command("dispute", cmd_dispute_open, "mark an open invoice disputed: its reminders pause")
    c.add_argument("id", type=positive_int)
    c.add_argument("--reason", required=True)
    c.add_argument("--date", type=date_arg, help="the day the customer disputed it (default today)")
    c = g.command("dispute-close", cmd_dispute_close, "end the invoice's dispute, with a credit note or without")
    c.add_argument("id", type=positive_int)
    c.add_argument("--credit", metavar="AMOUNT", help="settle it by a credit note of this amount (incl. VAT)")
    c.add_argument("--note")
    c.add_argument("--date", type=date_arg)
    g = commands.group("dispute", "disputed invoices")
    c = g.command("list", cmd_dispute_list, "the disputed invoices (open ones; --all for ended ones too)")
    c.add_argument("--all", action="store_true")
