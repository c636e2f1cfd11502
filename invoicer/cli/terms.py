"""Early-payment discount terms: ``invoice terms ID --discount 2 --within 10`` (or ``--none``)."""

from __future__ import annotations

import argparse

from invoicer.cli.base import Commands, Context, positive_int


def cmd_invoice_terms(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import early_payment

    percent = None if a.none else a.discount
    ctx.write(lambda s: early_payment.set_terms(s, a.id, percent, a.within))
    ctx.out({"id": a.id, "discount": percent, "days": None if a.none else a.within},
            f"invoice {a.id}: " + ("no early-payment discount" if a.none else f"{a.discount} % within {a.within} days"))
    return 0


def register(commands: Commands) -> None:
    c = commands.group("invoice").command("terms", cmd_invoice_terms,
                                          "a draft's early-payment discount (e.g. 2 %% within 10 days)")
    c.add_argument("id", type=positive_int)
    how = c.add_mutually_exclusive_group(required=True)
    how.add_argument("--discount", metavar="PERCENT")
    how.add_argument("--none", action="store_true", help="remove the discount")
    c.add_argument("--within", type=positive_int, metavar="DAYS", help="days from the issue date")
