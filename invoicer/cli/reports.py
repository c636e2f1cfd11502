"""``invoicer report vat|revenue|aged|dso|overdue``: the Reports page's figures for a period, printed or exported."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from invoicer.cli.base import Commands, Context, UsageError, date_arg, money, table
from invoicer.core.errors import N_


def _default_period(a: argparse.Namespace) -> tuple[date, date]:
    """The period asked for; without --from the year of --to (or of today) so far."""
    end = a.date_to or date.today()
    return a.date_from or date(end.year, 1, 1), end


def _rows(which: str, report: Any) -> tuple[list[str], list[list[Any]], list[dict[str, Any]]]:
    """Headers and text rows for the terminal, and the --json records, of one report."""
    company = report.company_currency
    if which == "vat":
        data = [{"category": r.category, "rate": str(r.rate), "basis": money(r.basis, company),
                 "tax": money(r.tax, company), "currency": company} for r in report.vat]
        return ["Category", "Rate %", f"Basis {company}", f"Tax {company}"], [
            [d["category"], d["rate"], d["basis"], d["tax"]] for d in data], data
    if which == "revenue":
        data = [{"customer_id": r.customer_id, "customer": r.customer_name, "net": money(r.net, company),
                 "currency": company} for r in report.by_customer]
        months = [{"month": m.isoformat()[:7], "net": money(v, company)} for m, v in report.by_month]
        rows = [[m["month"], "", m["net"]] for m in months] + [["", d["customer"], d["net"]] for d in data]
        return ["Month", "Customer", f"Net {company}"], rows, [{"by_month": months, "by_customer": data}]
    if which in ("aged", "overdue"):
        found = report.aged if which == "aged" else report.overdue
        data = [{"customer_id": r.customer_id, "customer": r.customer_name, "currency": r.currency,
                 **{bucket: money(amount, r.currency) for bucket, amount in r.buckets.items()},
                 "overdue": money(r.total - r.buckets["current"], r.currency), "total": money(r.total, r.currency)}
                for r in found]
        return ["Customer", "Cur", "Current", "1-30", "31-60", "61-90", "90+", "Overdue", "Total"], [
            [d["customer"], d["currency"], d["current"], d["1-30"], d["31-60"], d["61-90"], d["90+"], d["overdue"],
             d["total"]] for d in data], data
    data = [{"currency": r.currency, "receivables": money(r.receivables, r.currency),
             "sales": money(r.sales, r.currency), "days": r.days, "dso": None if r.dso is None else str(r.dso)}
            for r in report.dso]
    return ["Cur", "Receivables", "Sales incl. VAT", "Days", "DSO"], [
        [d["currency"], d["receivables"], d["sales"], d["days"], d["dso"] or "-"] for d in data], data


def cmd_report(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import reports

    date_from, date_to = _default_period(a)
    if a.format or a.output:
        if not (a.format and a.output):
            raise UsageError(N_("Give --format and -o FILE together."))
        path = reports.export_report(ctx.db, a.report, Path(a.output), a.format, date_from, date_to,
                                     ctx.progress(a.report))
        ctx.out({"path": str(path)}, f"Wrote {path}")
        return 0
    report = ctx.read(lambda s: reports.period_report(s, date_from, date_to))
    headers, rows, data = _rows(a.report, report)
    period = {"from": date_from.isoformat(), "to": date_to.isoformat(), "as_of": report.as_of.isoformat()}
    if a.report == "revenue":
        ctx.out({**period, **data[0]}, lambda: table(headers, rows))
    else:
        ctx.out({**period, "rows": data},
                lambda: table(headers, rows) if rows else f"Nothing to report from {date_from} to {date_to}.")
    return 0


def register(commands: Commands) -> None:
    c = commands.command("report", cmd_report, "VAT per rate, revenue, aged receivables, DSO or the customers "
                                               "most overdue for a period, printed or written to a file")
    c.add_argument("report", choices=["vat", "revenue", "aged", "dso", "overdue"])
    c.add_argument("--from", dest="date_from", type=date_arg, help="first day (default: 1 January of --to's year)")
    c.add_argument("--to", dest="date_to", type=date_arg,
                   help="last day (default today); receivables are seen on it")
    c.add_argument("--format", choices=["xlsx", "csv", "pdf"], help="write the report to -o FILE in this format")
    c.add_argument("-o", "--output", metavar="FILE")
