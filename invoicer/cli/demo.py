"""``invoicer gui`` (the desktop app, also the default) and ``invoicer demo`` (realistic demo data)."""

from __future__ import annotations

import argparse
import sys

from invoicer.cli.base import Commands, Context, positive_int
from invoicer.core.errors import N_, InvoicerError


def cmd_demo(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import demo

    def progress(done: int, total: int) -> None:
        if not ctx.as_json and sys.stderr.isatty():
            print(f"\rdemo: {done}/{total} invoices", end="", file=sys.stderr, flush=True)

    summary = demo.generate(ctx.db, invoices=a.invoices, seed=a.seed, progress=progress)
    if not ctx.as_json and sys.stderr.isatty():
        print(file=sys.stderr)
    ctx.out(summary, lambda: "Demo data created: " + ", ".join(f"{v} {k}" for k, v in summary.items()))
    return 0


def cmd_gui(ctx: Context, a: argparse.Namespace) -> int:
    try:
        from invoicer.app import run
    except ImportError as exc:
        raise InvoicerError(
            N_("The desktop app cannot start here ({reason}); the command line works: invoicer --help."), reason=str(exc)
        ) from None
    return run(ctx.folder)


def register(commands: Commands) -> None:
    commands.command("gui", cmd_gui, "start the desktop app (the default)")
    c = commands.command("demo", cmd_demo, "fill the database with realistic demo data")
    c.add_argument("--invoices", type=positive_int, default=200)
    c.add_argument("--seed", type=int, default=1)
