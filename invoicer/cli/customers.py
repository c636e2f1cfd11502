"""``invoicer customer``: add, edit, list with balances, statement of account, archive."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from invoicer.cli.base import Commands, Context, UsageError, date_arg, money, positive_int, table
from invoicer.core.errors import N_
from invoicer.services import validation
from invoicer.services.store import Session

_TEXT_OPTIONS = ("contact", "email", "address", "postcode", "city", "vat-id", "iban", "bic", "currency", "locale",
                 "notes", "einvoice-format")


def _given(a: argparse.Namespace) -> dict[str, Any]:
    """The customer fields the command line gives (options left out are not in it)."""
    fields = {name.replace("-", "_"): getattr(a, name.replace("-", "_")) for name in _TEXT_OPTIONS}
    fields["terms_days"] = a.terms_days
    fields["public_body"] = a.public_body
    given = {k: v for k, v in fields.items() if v is not None}
    if a.peppol_id is not None:
        given["endpoint_scheme"], given["endpoint_id"] = validation.peppol_id(a.peppol_id)
    return given


def cmd_customer_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    data = customers.CustomerData(name=a.name, country=a.country, **_given(a))
    new_id = ctx.write(lambda s: customers.add_customer(s, data))
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_customer_edit(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    changes = _given(a)
    changes.update({k: v for k, v in (("name", a.name), ("country", a.country)) if v is not None})

    def edit(s: Session) -> None:
        data = customers.customer_data(customers.get_customer(s, a.id))
        customers.update_customer(s, a.id, replace(data, **changes))

    ctx.write(edit)
    ctx.out({"id": a.id}, "Customer saved.")
    return 0


def cmd_customer_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    rows = ctx.read(lambda s: customers.list_customers(s, a.search, a.archived, as_of=a.as_of))
    data: list[dict[str, Any]] = [  # the --json output: values of several types
        {
            "id": r.id, "name": r.name, "email": r.email, "country": r.country, "vat_id": r.vat_id,
            "currency": r.currency, "archived": r.archived, "balance": money(r.balance, r.currency),
            "overdue": money(r.overdue, r.currency), "credit": money(r.credit, r.currency),
            "credits": {currency: money(amount, currency) for currency, amount in r.credits},
        }
        for r in rows
    ]
    ctx.out(data, lambda: table(
        ["ID", "Name", "Country", "Currency", "Balance", "Overdue", "Credit"],
        [[d["id"], d["name"], d["country"], d["currency"], d["balance"], d["overdue"],
          ", ".join(f"{amount} {currency}" for currency, amount in d["credits"].items()) or d["credit"]]
         for d in data],
    ))
    return 0


def cmd_customer_archive(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import customers

    ctx.write(lambda s: customers.archive_customer(s, a.id, not a.restore))
    ctx.out({"id": a.id, "archived": not a.restore}, "Customer restored." if a.restore else "Customer archived.")
    return 0


def cmd_customer_statement(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.cli.mail import with_mail_password
    from invoicer.services import documents, statements

    if not (a.output or a.email):
        raise UsageError(N_("Give -o FILE, --email or both."))
    data: dict[str, Any] = {"id": a.id}
    if a.output:
        pdf = ctx.read(lambda s: statements.statement_pdf(s, a.id, a.date_from, a.date_to))
        documents.write_atomically(Path(a.output), pdf)
        data["path"] = a.output
    if a.email:
        sent = with_mail_password(a, lambda password: statements.send_statement(
            ctx.db, a.id, a.date_from, a.date_to, to=a.address, password=password))
        data.update(to=list(sent.to), message_id=sent.message_id)
    ctx.out(data, lambda: "\n".join(
        ([f"Wrote {data['path']}"] if "path" in data else []) + ([f"Sent to {', '.join(data['to'])}"]
                                                                 if "to" in data else [])))
    return 0


def register(commands: Commands) -> None:
    g = commands.group("customer", "customers")
    c = g.command("add", cmd_customer_add, "add a customer (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--country", required=True)
    _customer_options(c)
    c = g.command("edit", cmd_customer_edit, "change some fields of a customer (options left out stay as they are)")
    c.add_argument("id", type=positive_int)
    c.add_argument("--name")
    c.add_argument("--country")
    _customer_options(c)
    c = g.command("list", cmd_customer_list, "list customers with balance and credit")
    c.add_argument("--as-of", type=date_arg, help="balances and credit as they were on this day (default today)")
    c.add_argument("--search")
    c.add_argument("--archived", action="store_true", help="include archived customers")
    c = g.command("statement", cmd_customer_statement,
                  "the customer's statement of account for a period as a PDF letter (-o FILE) and/or by email")
    c.add_argument("id", type=positive_int)
    c.add_argument("--from", dest="date_from", type=date_arg, required=True)
    c.add_argument("--to", dest="date_to", type=date_arg, required=True)
    c.add_argument("-o", "--output", metavar="FILE")
    c.add_argument("--email", action="store_true", help="email it to the customer as a PDF")
    c.add_argument("--address", action="append", metavar="ADDRESS", help="instead of the customer's address")
    c.add_argument("--password-stdin", action="store_true", help="read the mail password from standard input")
    c = g.command("archive", cmd_customer_archive, "archive a customer (or --restore)")
    c.add_argument("id", type=positive_int)
    c.add_argument("--restore", action="store_true")


def _customer_options(c: argparse.ArgumentParser) -> None:
    for opt in _TEXT_OPTIONS:
        c.add_argument(f"--{opt}")
    c.add_argument("--terms-days", type=positive_int)
    c.add_argument("--public-body", action=argparse.BooleanOptionalAction, default=None,
                   help="a public administration (German ones get XRechnung by default)")
    c.add_argument("--peppol-id", metavar="SCHEME:ID", help="electronic address, e.g. 0204:991-12345-67 ('' removes it)")
