"""The command line: every engine operation without the GUI; ``--json`` output; user errors exit 2.

Others script against these names; keep them. Each area's module registers its sub-commands next to
their handlers (``cmd_*``, taking the Context and the parsed arguments); amounts print as decimal
strings in major units. ``main(argv)`` leaves no state behind, so tests call it in-process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from invoicer import __version__, paths
from invoicer.cli import (
    backup,
    bank,
    billing,
    catalog,
    company,
    customers,
    database,
    demo,
    disputes,
    documents,
    einvoice,
    imports,
    invoices,
    links,
    mail,
    payments,
    quotes,
    reference,
    reports,
    terms,
)
from invoicer.cli.base import EXIT_USER_ERROR, Commands, Context, Parser, ask_for_key, json_option
from invoicer.core.errors import InvoicerError
from invoicer.logs import log, logging_to
from invoicer.services import encryption, server

__all__ = ["EXIT_USER_ERROR", "build_parser", "main"]


def build_parser() -> Parser:
    p = Parser(prog="invoicer", description="Offline invoicing: gapless numbers, exact VAT, credit notes.")
    p.add_argument("--version", action="version", version=f"invoicer {__version__}")
    p.add_argument("--data-dir", help=f"data folder (default: ${paths.ENV_DATA_DIR} or the platform's)")
    p.add_argument("--db", metavar="URL", help="use the business on a PostgreSQL server (postgresql://user@host/"
                   "database) instead of the local file; the default is the connection saved by `db connect`")
    json_option(p, False)
    p.add_argument("--key-stdin", action="store_true",
                   help="read the key of an encrypted database from standard input (when the system keyring has none)")
    commands = Commands(p.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND"))
    demo.register(commands)
    backup.register_verify(commands)
    company.register(commands)
    customers.register(commands)
    catalog.register(commands)
    company.register_settings(commands)
    invoices.register(commands)
    payments.register(commands)
    bank.register(commands)
    disputes.register(commands)
    terms.register(commands)
    links.register(commands)
    documents.register(commands)
    reports.register(commands)
    einvoice.register(commands)
    mail.register(commands)
    invoices.register_list(commands)
    billing.register(commands)
    quotes.register(commands)
    imports.register(commands)
    mail.register_mail(commands)
    backup.register(commands)
    database.register(commands)
    reference.register(commands)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    folder: Path | None = None
    try:
        args = build_parser().parse_args(args_in)
        folder = paths.data_dir(args.data_dir)
        ctx = Context(folder=folder, as_json=args.json, url=args.db or server.saved_url(folder))
        try:
            ask_for_key(folder, from_stdin=args.key_stdin)
            return int(getattr(args, "handler", demo.cmd_gui)(ctx, args))
        finally:
            ctx.close()
            encryption.forget_keys()
    except InvoicerError as exc:
        print(f"invoicer: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("invoicer: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`invoicer … | head`): not an error of ours; keep Python quiet at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        with logging_to(folder or paths.data_dir()) as where:
            log.exception("unexpected error in %s", args_in)
        print(f"invoicer: something went wrong; details are in {where}", file=sys.stderr)
        return 1
