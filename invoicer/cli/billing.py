"""Recurring billing: ``invoicer billing run`` (safe from cron) and ``invoicer billing plan add|list|pause|resume|price``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from invoicer.cli.base import Commands, Context, date_arg, positive_int, table
from invoicer.core.errors import N_, ValidationError
from invoicer.services.store import Session


def _plan_line(text: str) -> Any:
    """QUANTITY:UNIT_PRICE:VAT_RATE:DESCRIPTION (the description last, so it may hold colons)."""
    from invoicer.services.billing import PlanLineData

    parts = text.split(":", 3)
    if len(parts) < 4:
        raise ValidationError(N_("--line '{text}': use QUANTITY:UNIT_PRICE:VAT_RATE:DESCRIPTION."), text=text)
    quantity, price, rate, description = parts
    return PlanLineData(description, quantity, price, None, rate)


def cmd_plan_add(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    data = billing.PlanData(
        customer_id=a.customer, start=a.start, lines=[_plan_line(x) for x in a.line], frequency=a.every,
        interval=a.interval, day_of_month=a.day, end=a.end, count=a.count, in_arrears=a.arrears, prorate=a.prorate,
        mode=a.mode, currency=a.currency, name=a.name or "", notes=a.notes,
    )
    plan_id = ctx.write(lambda s: billing.add_plan(s, data))
    ctx.out({"id": plan_id}, str(plan_id))
    return 0


def cmd_plan_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    rows = ctx.read(billing.list_plans)
    data = [{"id": r.id, "name": r.name, "customer": r.customer_name, "every": f"{r.interval} {r.frequency}",
             "start": r.start.isoformat(), "end": r.end.isoformat() if r.end else None, "mode": r.mode,
             "paused": r.paused, "billed": r.billed} for r in rows]
    ctx.out(data, lambda: table(["ID", "Name", "Customer", "Every", "Start", "End", "Mode", "Paused", "Billed"],
                                [list(d.values()) for d in data]))
    return 0


def cmd_plan_pause(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    ctx.write(lambda s: billing.pause_plan(s, a.id, a.on or date.today()))
    ctx.out({"id": a.id, "paused": True}, f"plan {a.id} paused")
    return 0


def cmd_plan_resume(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    ctx.write(lambda s: billing.resume_plan(s, a.id, a.on or date.today()))
    ctx.out({"id": a.id, "paused": False}, f"plan {a.id} resumed")
    return 0


def cmd_plan_price(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    def change(s: Session) -> None:
        billing.change_price(s, a.id, a.line, a.valid_from, a.unit_price)

    ctx.write(change)
    ctx.out({"id": a.id, "line": a.line, "from": a.valid_from.isoformat(), "unit_price": a.unit_price},
            f"plan {a.id} line {a.line}: {a.unit_price} from {a.valid_from.isoformat()}")
    return 0


def cmd_run(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import billing

    today = a.today or date.today()
    result = billing.run_billing(ctx.db, today, dry_run=a.dry_run, progress=ctx.progress("Billing"))
    billed = [{"plan": d.plan_id, "customer": d.customer_name, "period_start": d.period_start.isoformat(),
               "period_end": d.period_end.isoformat(), "invoice": invoice_id or None}
              for d, invoice_id in result.billed]
    failures = [{"plan": d.plan_id if d else None, "period_start": d.period_start.isoformat() if d else None,
                 "error": why} for d, why in result.failures]
    data = {"dry_run": a.dry_run, "billed": billed, "skipped": result.skipped, "emailed": result.emailed,
            "failures": failures}

    def text() -> str:
        verb = "would bill" if a.dry_run else "billed"
        rows = [[b["plan"], b["customer"], f"{b['period_start']} – {b['period_end']}", b["invoice"] or ""]
                for b in billed]
        head = f"{verb} {len(billed)} period(s)" + (f", emailed {result.emailed}" if result.emailed else "")
        return head + ("\n" + table(["Plan", "Customer", "Period", "Invoice"], rows) if rows else "")

    ctx.out(data, text)
    for d, why in result.failures:
        where = f"plan {d.plan_id} period {d.period_start.isoformat()}: " if d else ""
        print(f"invoicer: {where}{why}", file=sys.stderr)
    return 1 if result.failures else 0


def register(commands: Commands) -> None:
    group = commands.group("billing", help="recurring billing: plans and billing runs")
    run = group.command("run", cmd_run, "bill every due period of every plan once (safe to repeat, e.g. from cron)")
    run.add_argument("--today", type=date_arg, help="bill as of this day (default: today)")
    run.add_argument("--dry-run", action="store_true", help="list what would be billed; change nothing")
    plans = group.group("plan", help="recurring billing plans")
    add = plans.command("add", cmd_plan_add, "add a recurring plan for a customer")
    add.add_argument("--customer", type=positive_int, required=True)
    add.add_argument("--line", action="append", required=True,
                     help="QUANTITY:UNIT_PRICE:VAT_RATE:DESCRIPTION (repeat for several lines)")
    add.add_argument("--every", choices=["monthly", "quarterly", "yearly", "weekly"], default="monthly")
    add.add_argument("--interval", type=positive_int, default=1, help="every N months/quarters/years/weeks")
    add.add_argument("--day", type=positive_int, help="day of the month (29-31: the last day of shorter months)")
    add.add_argument("--start", type=date_arg, required=True)
    add.add_argument("--end", type=date_arg, help="last day of service (the last period is cut there)")
    add.add_argument("--count", type=positive_int, help="number of invoices")
    add.add_argument("--arrears", action="store_true", help="bill each period after it ends (default: in advance)")
    add.add_argument("--prorate", action="store_true", help="charge a partial first or last period by its days")
    add.add_argument("--mode", choices=["draft", "finalize", "email"], default="draft",
                     help="create drafts for review (default), finalize, or finalize and email")
    add.add_argument("--currency")
    add.add_argument("--name")
    add.add_argument("--notes")
    plans.command("list", cmd_plan_list, "list recurring plans")
    for name, handler, what in (("pause", cmd_plan_pause, "pause a plan: periods starting from then are not billed"),
                                ("resume", cmd_plan_resume, "resume a paused plan")):
        cmd = plans.command(name, handler, what)
        cmd.add_argument("id", type=positive_int)
        cmd.add_argument("--on", type=date_arg, help="from this day (default: today)")
    price = plans.command("price", cmd_plan_price, "change a plan line's price for periods from a date")
    price.add_argument("id", type=positive_int)
    price.add_argument("--line", type=positive_int, required=True, help="line number in the plan (1, 2...)")
    price.add_argument("--from", dest="valid_from", type=date_arg, required=True)
    price.add_argument("--unit-price", required=True)
