"""Documents and exports: ``invoice pdf``, ``invoice xml`` and ``invoicer export`` (PDFs, ledger, CSV)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from invoicer.cli.base import Commands, Context, date_arg, positive_int
from invoicer.documents.einvoice_rules import EInvoiceFormat
from invoicer.services.einvoicing import ISSUED_FORMATS


def cmd_invoice_pdf(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents

    data = ctx.write(lambda s: documents.document_pdf(s, a.id, copy=a.copy))  # may keep a never-rendered PDF, once
    documents.write_atomically(Path(a.output), data)
    ctx.out({"id": a.id, "path": a.output, "bytes": len(data)}, f"Wrote {a.output}")
    return 0


def cmd_invoice_xml(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents, einvoicing, invoices

    fmt = EInvoiceFormat(a.format) if a.format else None
    used, data = ctx.read(lambda s: einvoicing.document_einvoice(s, invoices.get_invoice(s, a.id, None), fmt))
    documents.write_atomically(Path(a.output), data)
    ctx.out({"id": a.id, "path": a.output, "format": used.value, "bytes": len(data)},
            f"Wrote {a.output} ({einvoicing.FORMAT_NAMES[used]})")
    return 0


def cmd_export_pdfs(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import documents

    ids = ctx.read(lambda s: documents.documents_to_export(s, a.date_from, a.date_to))
    show = not ctx.as_json and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\rexport: {done}/{total} documents", end="", file=sys.stderr, flush=True)

    result = documents.export_pdfs(ctx.db.path, ids, Path(a.output), progress)
    if show:
        print(file=sys.stderr)
    data = {"folder": str(result.folder), "count": len(result.files), "files": [str(f) for f in result.files]}
    ctx.out(data, f"Wrote {len(result.files)} PDF(s) to {result.folder}")
    return 0


def cmd_export_ledger(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import ledger

    path = ledger.export_ledger(ctx.db, Path(a.output), a.date_from, a.date_to, ctx.progress("ledger"))
    ctx.out({"path": str(path)}, f"Wrote {path}")
    return 0


def cmd_export_csv(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import ledger

    files = ledger.export_csv(ctx.db, Path(a.output), a.date_from, a.date_to, ctx.progress("csv"))
    ctx.out({"files": [str(f) for f in files]}, f"Wrote {len(files)} CSV files to {a.output}")
    return 0


def register(commands: Commands) -> None:
    g = commands.group("invoice")
    c = g.command("pdf", cmd_invoice_pdf, "write the PDF (finalized: as issued; drafts: a preview)")
    c.add_argument("id", type=positive_int)
    c.add_argument("-o", "--output", required=True, metavar="FILE")
    c.add_argument("--copy", action="store_true", help="a marked copy with payments so far and the amount due now")
    c = g.command("xml", cmd_invoice_xml, "write the e-invoice XML, checked against the official rules")
    c.add_argument("id", type=positive_int)
    c.add_argument("--format", choices=[f.value for f in ISSUED_FORMATS], help="default: the customer's format")
    c.add_argument("-o", "--output", required=True, metavar="FILE")

    g = commands.group("export", "export documents")
    c = g.command("pdfs", cmd_export_pdfs, "write the PDFs of finalized documents, in parallel on every core")
    c.add_argument("--from", dest="date_from", type=date_arg, help="issued on or after")
    c.add_argument("--to", dest="date_to", type=date_arg, help="issued on or before")
    c.add_argument("-o", "--output", required=True, metavar="DIR")
    c = g.command("ledger", cmd_export_ledger, "write the accountant's workbook (.xlsx) for a period")
    c.add_argument("--from", dest="date_from", type=date_arg, help="documents and payments dated on or after")
    c.add_argument("--to", dest="date_to", type=date_arg, help="dated on or before; receivables are aged on it")
    c.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    c = g.command("csv", cmd_export_csv, "write the ledger's tables as UTF-8 CSV files into a folder")
    c.add_argument("--from", dest="date_from", type=date_arg, help="documents and payments dated on or after")
    c.add_argument("--to", dest="date_to", type=date_arg, help="dated on or before")
    c.add_argument("-o", "--output", required=True, metavar="DIR")
