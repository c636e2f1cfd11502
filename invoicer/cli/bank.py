"""Bank reconciliation: ``invoicer bank import|match|confirm|settle``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from invoicer.cli.base import Commands, Context, money, positive_int, table
from invoicer.core.errors import N_, ValidationError
from invoicer.services.store import Session


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(N_("{path} cannot be read: {reason}."), path=path, reason=exc.strerror) from None


def cmd_bank_import(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import bank

    data = _read_file(a.file)
    mapping = bank.parse_mapping(a.columns) if a.columns else None
    result = ctx.write(lambda s: bank.import_statement(s, data, Path(a.file).name, a.bank, mapping, a.auto))
    out = {"statement": result.statement_id, "format": result.format, "new": result.new, "known": result.known,
           "confirmed": result.confirmed}
    ctx.out(out, f"{result.format}: {result.new} new entries, {result.known} already imported"
            + (f", {result.confirmed} sure matches confirmed" if a.auto else ""))
    return 0


def _proposal_json(view: Any) -> dict[str, Any]:
    e = view.entry
    p = view.proposal
    return {
        "entry": e.id, "booked_on": e.booked_on.isoformat(), "value_date": e.value_date.isoformat(),
        "amount": money(e.amount, e.currency), "currency": e.currency, "counterparty": e.counterparty,
        "iban": e.counterparty_iban, "text": e.remittance, "bank_reference": e.bank_reference,
        "proposal": None if p is None else {
            "reason": p.reason, "reason_text": view.reason_text, "confidence": p.confidence, "sure": p.sure,
            "invoices": [{"id": x.invoice_id, "number": view.numbers[x.invoice_id],
                          "amount": money(x.amount, e.currency), "discount": money(x.discount, e.currency)}
                         for x in p.allocations],
            "alternatives": [{"id": i, "number": view.numbers[i]} for i in p.alternatives],
        },
    }


def cmd_bank_match(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import bank

    data = [_proposal_json(v) for v in ctx.read(bank.proposals)]

    def text() -> str:
        rows = []
        for d in data:
            p = d["proposal"]
            rows.append([d["entry"], d["value_date"], d["amount"], d["currency"], (d["counterparty"] or "")[:30],
                         "" if p is None else ", ".join(x["number"] for x in p["invoices"]),
                         "" if p is None else f"{p['confidence']:.0%}{' sure' if p['sure'] else ''}",
                         "unmatched" if p is None else p["reason_text"]])
        return table(["Entry", "Value date", "Amount", "Cur", "From", "Invoices", "Confidence", "Reason"], rows)

    ctx.out(data, text)
    return 0


def _allocation(text: str) -> tuple[int, str | None]:
    invoice, _, amount = text.partition(":")
    try:
        return positive_int(invoice), amount or None
    except argparse.ArgumentTypeError:
        raise ValidationError(N_("--invoice '{text}': use INVOICE_ID or INVOICE_ID:AMOUNT."), text=text) from None


def cmd_bank_confirm(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.core.bank_match import Allocation
    from invoicer.core.money import parse_amount
    from invoicer.services import bank, invoices

    if a.sure:
        if a.entry is not None or a.invoice:
            raise ValidationError(N_("--sure confirms every sure match; give no entry or invoice with it."))
        count = ctx.write(lambda s: bank.confirm_sure(s))
        ctx.out({"confirmed": count}, f"{count} sure matches confirmed")
        return 0
    if a.entry is None:
        raise ValidationError(N_("Name the bank entry to confirm, or give --sure."))

    def confirm(s: Session) -> list[int]:
        allocations = None
        if a.invoice:
            entry = bank.get_entry(s, a.entry)
            given = [_allocation(x) for x in a.invoice]
            if len(given) > 1 and any(amount is None for _, amount in given):
                raise ValidationError(N_("With several invoices, give each one's amount (INVOICE_ID:AMOUNT)."))
            allocations = [Allocation(i, parse_amount(amount, entry.currency) if amount else entry.amount)
                           for i, amount in given]
            for i, _ in given:
                invoices.get_invoice(s, i)
        return bank.confirm(s, a.entry, allocations)

    ids = ctx.write(confirm)
    ctx.out({"entry": a.entry, "payments": ids}, " ".join(map(str, ids)))
    return 0


def cmd_bank_settle(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import bank

    ctx.write(lambda s: bank.settle_other(s, a.entry, a.kind, a.note, a.customer))
    ctx.out({"entry": a.entry, "status": a.kind}, f"entry {a.entry}: {a.kind}")
    return 0


def register(commands: Commands) -> None:
    g = commands.group("bank", "bank statements matched to invoices")
    c = g.command("import", cmd_bank_import, "import a CAMT.053/054, MT940 or CSV statement (each entry once)")
    c.add_argument("file")
    c.add_argument("--bank", help="the bank's name (its CSV column mapping is saved under it)")
    c.add_argument("--columns", metavar="FIELD=COLUMN,...",
                   help="CSV: date, value_date, amount, currency, name, iban, text, reference; settings "
                        "currency_code=EUR, decimal=, and date_format=DD.MM.YYYY (saved for the bank)")
    c.add_argument("--auto", action="store_true", help="confirm the sure matches at once")
    g.command("match", cmd_bank_match, "the unmatched entries with the proposed invoices, reason and confidence")
    c = g.command("confirm", cmd_bank_confirm, "record an entry as payment(s) (prints the payment ids)")
    c.add_argument("entry", type=positive_int, nargs="?")
    c.add_argument("--invoice", action="append", metavar="ID[:AMOUNT]",
                   help="pay these invoices instead of the proposal's (repeat for several)")
    c.add_argument("--sure", action="store_true", help="confirm every sure match in the queue")
    c = g.command("settle", cmd_bank_settle, "take an entry off the queue as a bank fee, a refund, or nothing")
    c.add_argument("entry", type=positive_int)
    c.add_argument("--as", dest="kind", required=True, choices=["fee", "refund", "ignored"])
    c.add_argument("--customer", type=positive_int, help="a refund: the customer paid back")
    c.add_argument("--note")
