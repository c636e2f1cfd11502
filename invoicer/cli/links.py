"""Payment links: ``invoice link NUMBER`` shows the invoice's link; ``--renew`` extends it (or makes one) and
``--new-token`` replaces its token."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from invoicer.cli.base import Commands, Context
from invoicer.core.errors import N_, ValidationError
from invoicer.services.store import Session


def cmd_invoice_link(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import payment_links

    today = date.today()

    def show(s: Session) -> Any:
        invoice_id = payment_links.find_invoice(s, a.invoice)
        if a.renew or a.new_token:
            return payment_links.renew(s, invoice_id, today, new_token=a.new_token)
        found = payment_links.link_info(s, invoice_id, today)
        if found is None:
            raise ValidationError(N_("Invoice {number} has no payment link; --renew makes one from the link set in "
                                     "the settings (payments.link_template)."), number=a.invoice)
        return found

    info = ctx.write(show) if a.renew or a.new_token else ctx.read(show)
    data = {"id": info.invoice_id, "number": info.number, "url": info.url, "token": info.token,
            "expires_on": info.expires_on.isoformat(), "state": info.state,
            "used_at": info.used_at.isoformat() if info.used_at else None}
    ctx.out(data, f"{info.url}\n{info.state}, valid until {info.expires_on.isoformat()}")
    return 0


def register(commands: Commands) -> None:
    c = commands.group("invoice").command(
        "link", cmd_invoice_link, "the invoice's payment link (--renew: valid again; --new-token: a new link)")
    c.add_argument("invoice", metavar="NUMBER", help="the invoice number (or id)")
    c.add_argument("--renew", action="store_true", help="valid for payments.link_days more (makes one if none)")
    c.add_argument("--new-token", action="store_true", help="a new link; the old one no longer pays")
