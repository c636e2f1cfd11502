"""``invoicer company`` (the seller's profile) and ``invoicer settings``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from invoicer.cli.base import Commands, Context
from invoicer.services import validation
from invoicer.services.store import Session

_FIELDS = ("name", "address", "postcode", "city", "country", "vat-id", "tax-number", "email", "phone", "iban", "bic",
           "currency", "locale", "logo", "legal-details", "contact")


def cmd_company_set(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import company, setup

    given = {name.replace("-", "_"): getattr(a, name.replace("-", "_")) for name in _FIELDS}
    if a.logo:  # the service copies it into the data folder; a relative path is the user's, not the folder's
        given["logo"] = str(Path(a.logo).resolve())
    fields = {("logo_path" if k == "logo" else k): v for k, v in given.items() if v is not None}
    if a.peppol_id is not None:
        fields["endpoint_scheme"], fields["endpoint_id"] = validation.peppol_id(a.peppol_id)

    def save(s: Session) -> dict[str, object]:
        setup.save_company(s, **fields)
        return company.company_data(company.get_company(s)).__dict__

    ctx.out(ctx.write(save), "Company profile saved.")
    return 0


def cmd_company_show(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import company

    data = ctx.read(lambda s: company.company_data(company.get_company(s)).__dict__)
    ctx.out(data, lambda: "\n".join(f"{k:14} {v if v is not None else ''}" for k, v in data.items()))
    return 0


def cmd_settings(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import settings

    if a.value is None:
        keys = [a.key] if a.key else sorted(settings.all_settings())
        data = ctx.read(lambda s: {k: settings.get_json(s, k) for k in keys})
        ctx.out(data, lambda: "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()))
        return 0

    def put(session: Session) -> tuple[bool, object]:
        changed = settings.put(session, a.key, a.value)  # the setting's type reads the text (JSON for structures)
        return changed, settings.get_json(session, a.key)

    changed, value = ctx.write(put)
    ctx.out({a.key: value}, "Setting saved." if changed else "Setting unchanged.")
    return 0


def register(commands: Commands) -> None:
    g = commands.group("company", "the company profile (the seller)")
    c = g.command("set", cmd_company_set, "set fields of the company profile")
    for opt in _FIELDS:
        c.add_argument(f"--{opt}")
    c.add_argument("--peppol-id", metavar="SCHEME:ID", help="your electronic address, e.g. 9930:DE123456788")
    g.command("show", cmd_company_show, "show the company profile")


def register_settings(commands: Commands) -> None:
    c = commands.command("settings", cmd_settings, "show or change a setting (e.g. numbering.invoice)")
    c.add_argument("key", nargs="?")
    c.add_argument("value", nargs="?")
