"""``invoicer tax``, ``invoicer product`` and ``invoicer rate``: what invoices are made of and priced in."""

from __future__ import annotations

import argparse
from datetime import date

from invoicer.cli.base import Commands, Context, date_arg, table
from invoicer.core.money import format_price
from invoicer.services.store import Session


def cmd_tax_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import taxes

    new_id = ctx.write(lambda s: taxes.add_tax_rate(s, a.name, a.rate, a.category, a.exemption_reason))
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_tax_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import taxes

    rows = ctx.read(lambda s: taxes.list_tax_rates(s, include_archived=True))
    data = [
        {"id": r.id, "name": r.name, "rate": str(r.rate), "category": r.category,
         "exemption_reason": r.exemption_reason, "archived": r.archived}
        for r in rows
    ]
    ctx.out(data, lambda: table(["ID", "Name", "Category", "Rate %"],
                                [[d["id"], d["name"], d["category"], d["rate"]] for d in data]))
    return 0


def cmd_product_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.core.units import unit_code
    from invoicer.services import products, taxes

    def add(s: Session) -> int:
        tax_id = None
        if a.tax is not None:
            tax_id = taxes.find_or_create(s, taxes.tax_key(a.tax_category, a.tax)).id
        return products.add_product(s, products.ProductData(a.name, a.price, unit_code(a.unit), a.description, tax_id))

    new_id = ctx.write(add)
    ctx.out({"id": new_id}, str(new_id))
    return 0


def cmd_product_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import company, products

    def query(s: Session) -> list[dict[str, object]]:
        currency = company.get_company(s).currency  # catalog prices are in the company currency
        return [{"id": r.id, "name": r.name, "unit": r.unit, "unit_price": format_price(r.unit_price, currency),
                 "tax_rate_id": r.tax_rate_id} for r in products.list_products(s, a.search)]

    data = ctx.read(query)
    ctx.out(data, lambda: table(["ID", "Name", "Unit", "Price"],
                                [[d["id"], d["name"], d["unit"], d["unit_price"]] for d in data]))
    return 0


def cmd_rate_set(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import rates

    ctx.write(lambda s: rates.set_rate(s, a.currency, a.rate, a.date or date.today()))
    ctx.out({"currency": a.currency.upper(), "rate": a.rate}, "Exchange rate saved.")
    return 0


def cmd_rate_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import rates

    rows = ctx.read(rates.list_rates)
    data = [{"currency": r.currency, "valid_on": r.valid_on.isoformat(), "rate": str(r.rate)} for r in rows]
    ctx.out(data, lambda: table(["Currency", "Valid from", "Rate"],
                                [[d["currency"], d["valid_on"], d["rate"]] for d in data]))
    return 0


def register(commands: Commands) -> None:
    g = commands.group("tax", "tax rates")
    c = g.command("add", cmd_tax_add, "add a tax rate (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--rate", required=True, help="percent, e.g. 19")
    c.add_argument("--category", default="S", help="S, Z, E, AE, K, G or O")
    c.add_argument("--exemption-reason")
    g.command("list", cmd_tax_list, "list tax rates")

    g = commands.group("product", "the catalog")
    c = g.command("add", cmd_product_add, "add a product or service (prints the id)")
    c.add_argument("--name", required=True)
    c.add_argument("--price", required=True)
    c.add_argument("--unit", default="piece")
    c.add_argument("--description")
    c.add_argument("--tax", help="default tax percent")
    c.add_argument("--tax-category", default="S")
    c = g.command("list", cmd_product_list, "list products")
    c.add_argument("--search")

    g = commands.group("rate", "exchange rates to the company currency")
    c = g.command("set", cmd_rate_set, "store a rate: 1 CURRENCY = RATE company currency")
    c.add_argument("currency")
    c.add_argument("rate")
    c.add_argument("--date", type=date_arg, help="valid from (default today)")
    g.command("list", cmd_rate_list, "list stored rates")
