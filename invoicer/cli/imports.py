"""``invoicer import customers|products FILE``: bad rows are listed on stderr and (unless --valid-only)
stop the whole import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from invoicer.cli.base import EXIT_USER_ERROR, Commands, Context


def cmd_import(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.documents.importers import read_table
    from invoicer.services import imports

    table = read_table(Path(a.file))
    run = imports.import_customers if a.action == "customers" else imports.import_products
    report = ctx.write(lambda s: run(s, table, key=a.key or ("email" if a.action == "customers" else "name"),
                                     valid_only=a.valid_only, dry_run=a.dry_run))
    for problem in report.errors + report.warnings:
        print(f"{a.file}: {problem}", file=sys.stderr)
    data = {
        "rows": report.rows, "created": report.created, "imported": report.imported,
        "existing": [{"line": p.line, "message": p.message} for p in report.existing],
        "errors": [{"line": p.line, "message": p.message} for p in report.errors],
        "warnings": [{"line": p.line, "message": p.message} for p in report.warnings],
    }
    ctx.out(data, report.summary())
    return EXIT_USER_ERROR if report.errors and not a.valid_only else 0


def register(commands: Commands) -> None:
    g = commands.group("import", "bring customers or products from a .csv or .xlsx file")
    for what, keys in (("customers", ["email", "vat_id", "name"]), ("products", ["name"])):
        c = g.command(what, cmd_import, f"import {what}; rows matching existing {what} are left alone")
        c.add_argument("file", metavar="FILE")
        c.add_argument("--key", choices=keys, help=f"match existing {what} on this (default: {keys[0]})")
        c.add_argument("--valid-only", action="store_true", help="import the valid rows even if others are bad")
        c.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
