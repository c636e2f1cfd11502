"""``invoicer einvoice check``: any e-invoice (XML, or a Factur-X PDF), own or received, against the official rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from invoicer.cli.base import Commands, Context
from invoicer.documents.einvoice_rules import EInvoiceFormat, Failure

EXIT_INVALID = 1


def cmd_einvoice_check(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import einvoicing
    from invoicer.services.rule_explanations import explanation

    check = einvoicing.check_file(Path(a.file), EInvoiceFormat(a.format) if a.format else None)

    def failures(found: list[Failure]) -> list[dict[str, str]]:
        return [{"rule": f.rule, "explanation": str(explanation(f)), "text": f.words, "location": f.location}
                for f in found]

    data = {"file": a.file, "format": check.format.value, "valid": check.ok,
            "errors": failures(check.errors), "warnings": failures(check.warnings)}

    def listed(f: Failure, kind: str) -> list[str]:
        plain = str(explanation(f))
        # the rule's own words under the plain ones, for whoever checks against the standard
        return [f"  {kind}{f.rule}: {plain}", *([f"      ({f.words})"] if plain != f.words else [])]

    def text() -> str:
        name = einvoicing.FORMAT_NAMES[check.format]
        head = (f"Valid {name}." if check.ok else
                f"Not a valid {name}: {len(check.errors)} rule(s) failed.")
        lines = [line for f in check.errors for line in listed(f, "")]
        lines += [line for f in check.warnings for line in listed(f, "warning ")]
        return "\n".join([head, *lines])

    ctx.out(data, text)
    return 0 if check.ok else EXIT_INVALID


def register(commands: Commands) -> None:
    g = commands.group("einvoice", "check e-invoices against the official rules")
    c = g.command("check", cmd_einvoice_check,
                  "check an XML or Factur-X PDF (own or received); exit 0 valid, 1 invalid, 2 unreadable")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--format", choices=[f.value for f in EInvoiceFormat],
                   help="the rules to apply (default: the format the document names)")
