"""Recurring billing: plans (lines, schedule, price changes, pauses) and billing runs that bill each period once.

A run bills every due (plan, period) in its own transaction, which inserts the period's ``billing_runs`` row
(UNIQUE(plan_id, period_start)) together with the invoice: a crash loses at most the period being written, and
a rerun or a concurrent run finds the row and bills nothing twice. Plans in ``email`` mode send their invoices
after the commit; a run sends what an earlier, interrupted run did not.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from invoicer import paths
from invoicer.core.errors import N_, ConflictError, InvoicerError, NotFoundError, ValidationError
from invoicer.core.money import parse_decimal
from invoicer.core.reference import is_currency
from invoicer.core.schedule import (
    Frequency,
    Pause,
    Period,
    PriceChange,
    Schedule,
    billed_price,
    periods,
    price_for,
)
from invoicer.db.models import BillingPause, BillingPlan, BillingPlanLine, BillingPriceChange, BillingRun
from invoicer.services import audit, invoices, store, taxes, validation
from invoicer.services import customers as customer_service
from invoicer.services.invoices import DraftData, LineData

MODES = ("draft", "finalize", "email")
LOCK_FILENAME = "billing-run.lock"


@dataclass
class PlanLineData:
    description: str
    quantity: str | Decimal
    unit_price: str | Decimal
    tax_category: str | None = "S"
    tax_rate: str | Decimal = "0"
    unit: str = "C62"
    product_id: int | None = None


@dataclass
class PlanData:
    customer_id: int
    start: date
    lines: list[PlanLineData] = field(default_factory=list)
    frequency: str = "monthly"
    interval: int = 1
    day_of_month: int | None = None
    end: date | None = None
    count: int | None = None
    in_arrears: bool = False
    prorate: bool = False
    mode: str = "draft"  # draft: for review; finalize; email: finalize and send
    currency: str | None = None
    name: str = ""
    notes: str | None = None


@dataclass(frozen=True)
class PlanRow:
    id: int
    name: str
    customer_id: int
    customer_name: str
    frequency: str
    interval: int
    start: date
    end: date | None
    mode: str
    paused: bool
    billed: int


@dataclass(frozen=True)
class Due:
    """A period a run would bill now."""

    plan_id: int
    plan_name: str
    customer_name: str
    period_start: date
    period_end: date
    bill_on: date


@dataclass
class RunResult:
    billed: list[tuple[Due, int]] = field(default_factory=list)  # (period, invoice id)
    skipped: int = 0  # periods another run billed meanwhile
    emailed: int = 0
    failures: list[tuple[Due | None, str]] = field(default_factory=list)  # (period, why) left for the next run


# ---------------------------------------------------------------- plans


def schedule_of(plan: BillingPlan) -> Schedule:
    return Schedule(
        Frequency(plan.frequency), plan.start_date, plan.interval, plan.day_of_month, plan.end_date, plan.count,
        plan.in_arrears, plan.prorate,
    )


def _pauses(plan: BillingPlan) -> list[Pause]:
    return [Pause(p.start_date, p.resume_date) for p in plan.pauses]


def add_plan(session: Session, data: PlanData) -> int:
    customer = customer_service.get_customer(session, data.customer_id)
    if customer.archived:
        raise ValidationError(N_("{name} is archived; restore the customer to invoice them."), name=customer.name)
    if data.frequency not in {f.value for f in Frequency}:
        raise ValidationError(N_("The frequency is monthly, quarterly, yearly or weekly."), "frequency")
    if data.mode not in MODES:
        raise ValidationError(N_("A plan creates drafts, finalizes, or finalizes and emails (draft, finalize, "
                                 "email)."), "mode")
    currency = (data.currency or customer.currency).strip().upper()
    if not is_currency(currency):
        raise ValidationError(N_("'{currency}' is not an ISO currency code."), "currency", currency=data.currency)
    if not data.lines:
        raise ValidationError(N_("A plan needs at least one line."), "lines")
    Schedule(Frequency(data.frequency), data.start, data.interval, data.day_of_month, data.end, data.count)
    # the lines are checked as an invoice's would be, so a run never meets a line it cannot bill
    invoices.preview_totals([_line(line, line.quantity, line.unit_price) for line in data.lines], [], currency)
    plan = BillingPlan(
        customer_id=customer.id, name=validation.clean_text(data.name) or customer.name, currency=currency,
        frequency=data.frequency, interval=data.interval, day_of_month=data.day_of_month, start_date=data.start,
        end_date=data.end, count=data.count, in_arrears=data.in_arrears, prorate=data.prorate, mode=data.mode,
        notes=validation.optional(data.notes, multiline=True), created_at=audit.now(),
        lines=[
            BillingPlanLine(
                position=i, description=validation.clean_text(line.description, multiline=True),
                quantity=parse_decimal(line.quantity, N_("quantity"), 4), unit=line.unit,
                unit_price=parse_decimal(line.unit_price, N_("unit price"), 4), tax_category=line.tax_category,
                tax_rate=taxes.tax_key(line.tax_category or "S", line.tax_rate).rate, product_id=line.product_id,
            )
            for i, line in enumerate(data.lines, 1)
        ],
    )
    session.add(plan)
    session.flush()
    audit.record(session, "create", "billing_plan", plan.id, payload={"customer_id": customer.id,
                                                                      "frequency": plan.frequency})
    return plan.id


def get_plan(session: Session, plan_id: int) -> BillingPlan:
    plan = session.get(BillingPlan, plan_id)
    if plan is None:
        raise NotFoundError(N_("There is no billing plan {id}."), id=plan_id)
    return plan


def change_price(session: Session, plan_id: int, position: int, valid_from: date, unit_price: str | Decimal) -> None:
    """From ``valid_from`` on, periods starting that day or later bill line ``position`` at ``unit_price``."""
    plan = get_plan(session, plan_id)
    line = next((ln for ln in plan.lines if ln.position == position), None)
    if line is None:
        raise ValidationError(N_("The plan has no line {line}."), "line", line=position)
    price = parse_decimal(unit_price, N_("unit price"), 4)
    existing = next((c for c in line.prices if c.valid_from == valid_from), None)
    if existing is not None:
        existing.unit_price = price
    else:
        line.prices.append(BillingPriceChange(valid_from=valid_from, unit_price=price))
    audit.record(session, "change_price", "billing_plan", plan.id,
                 payload={"line": position, "from": valid_from.isoformat(), "unit_price": str(price)})


def pause_plan(session: Session, plan_id: int, on: date) -> None:
    """Periods starting on ``on`` or later are not billed until the plan is resumed."""
    plan = get_plan(session, plan_id)
    if any(p.resume_date is None for p in plan.pauses):
        raise ConflictError(N_("The plan is paused already."))
    plan.pauses.append(BillingPause(start_date=on))
    audit.record(session, "pause", "billing_plan", plan.id, payload={"on": on.isoformat()})


def resume_plan(session: Session, plan_id: int, on: date) -> None:
    """Periods starting on ``on`` or later are billed again (those in the pause never are)."""
    plan = get_plan(session, plan_id)
    pause = next((p for p in plan.pauses if p.resume_date is None), None)
    if pause is None:
        raise ConflictError(N_("The plan is not paused."))
    if on < pause.start_date:
        raise ValidationError(N_("The plan cannot resume before it was paused ({date})."),
                              date=pause.start_date.isoformat())
    pause.resume_date = on
    audit.record(session, "resume", "billing_plan", plan.id, payload={"on": on.isoformat()})


def list_plans(session: Session) -> list[PlanRow]:
    plans = session.scalars(
        select(BillingPlan).options(selectinload(BillingPlan.pauses), selectinload(BillingPlan.customer))
        .order_by(BillingPlan.id)
    )
    counts = dict(session.execute(
        select(BillingRun.plan_id, func.count()).group_by(BillingRun.plan_id)
    ).all())
    return [
        PlanRow(p.id, p.name, p.customer_id, p.customer.name, p.frequency, p.interval, p.start_date, p.end_date,
                p.mode, any(x.resume_date is None for x in p.pauses), counts.get(p.id, 0))
        for p in plans
    ]


# ---------------------------------------------------------------- runs


def _line(line: PlanLineData | BillingPlanLine, quantity: str | Decimal, price: str | Decimal) -> LineData:
    return LineData(line.description, quantity, price, line.tax_category, line.tax_rate, line.unit,
                    product_id=line.product_id)


def _due_in(plan: BillingPlan, billed: set[date], today: date) -> Iterator[tuple[Period, Due]]:
    for period in periods(schedule_of(plan), _pauses(plan), billed_by=today):
        if period.start not in billed:
            yield period, Due(plan.id, plan.name, plan.customer.name, period.start, period.end, period.bill_on)


def _plans(session: Session) -> list[BillingPlan]:
    return list(session.scalars(
        select(BillingPlan).options(
            selectinload(BillingPlan.pauses), selectinload(BillingPlan.customer),
            selectinload(BillingPlan.lines).selectinload(BillingPlanLine.prices),
        ).order_by(BillingPlan.id)
    ))


def _billed(session: Session) -> dict[int, set[date]]:
    found: dict[int, set[date]] = {}
    for plan_id, start in session.execute(select(BillingRun.plan_id, BillingRun.period_start)):
        found.setdefault(plan_id, set()).add(start)
    return found


def due_periods(session: Session, today: date) -> list[Due]:
    """Every period a run on ``today`` would bill (the missed ones of a long absence included), oldest first."""
    billed = _billed(session)
    due = [d for plan in _plans(session) if not plan.customer.archived
           for _, d in _due_in(plan, billed.get(plan.id, set()), today)]
    return sorted(due, key=lambda d: (d.bill_on, d.plan_id))


def bill_period(session: Session, plan_id: int, period_start: date, today: date) -> int | None:
    """Bill one period of a plan in the caller's transaction: the billing_runs row first (so a second biller
    fails on the unique key before doing anything), then the invoice, finalized when the plan says so.
    Returns the invoice id, or None when the period is billed already."""
    plan = get_plan(session, plan_id)
    period = next((p for p in periods(schedule_of(plan), _pauses(plan), billed_by=today) if p.start == period_start),
                  None)
    if period is None:
        raise ValidationError(N_("That period of the plan is not due on {date}."), date=today.isoformat())
    if session.scalar(select(BillingRun.id).where(BillingRun.plan_id == plan.id,
                                                  BillingRun.period_start == period.start)) is not None:
        return None
    run = BillingRun(plan_id=plan.id, period_start=period.start, period_end=period.end, billed_on=today,
                     created_at=audit.now())
    session.add(run)
    session.flush()
    lines = [
        _line(line, line.quantity, billed_price(
            price_for(line.unit_price, [PriceChange(c.valid_from, c.unit_price) for c in line.prices], period),
            period, plan.prorate))
        for line in plan.lines
    ]
    notes = "\n".join(filter(None, [plan.notes, f"Service period {period.start.isoformat()} – "
                                                f"{period.end.isoformat()}"]))
    invoice_id = invoices.create_draft(
        session, DraftData(customer_id=plan.customer_id, lines=lines, currency=plan.currency, issue_date=today,
                           notes=notes), today=today,
    )
    run.invoice_id = invoice_id
    if plan.mode != "draft":
        invoices.finalize_invoice(session, invoice_id)
    audit.record(session, "bill", "billing_plan", plan.id,
                 payload={"period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
                          "invoice_id": invoice_id})
    return invoice_id


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """One billing run at a time per data folder; a lock left by a killed run (its process gone) is taken over.

    The lock is for a clear message only: the unique key is what keeps a period from being billed twice."""
    path = folder / LOCK_FILENAME
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            try:
                holder = int(path.read_text().strip() or "0")
            except (OSError, ValueError):
                holder = 0
            if holder and holder != os.getpid() and paths.process_alive(holder):
                raise ConflictError(
                    N_("A billing run is already running (process {pid}); nothing was billed twice. Try again when "
                       "it has finished."), pid=holder,
                ) from None
            path.unlink(missing_ok=True)
            continue
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
        return
    raise ConflictError(N_("A billing run is already running; nothing was billed twice. Try again when it has "
                           "finished."))


def run_billing(
    db: store.Database, today: date, *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Bill every due period, one transaction each, then email what ``email`` plans billed and no run has sent.

    ``dry_run`` only lists what would be billed. A period that fails (customer data missing for finalize...)
    is reported and left for the next run; the others go on."""
    result = RunResult()
    due = store.read(db, lambda s: due_periods(s, today))
    if dry_run:
        result.billed = [(d, 0) for d in due]
        return result
    with run_lock(db.folder):
        due = store.read(db, lambda s: due_periods(s, today))
        for done, item in enumerate(due, 1):

            def bill(s: Session, d: Due = item) -> int | None:
                return bill_period(s, d.plan_id, d.period_start, today)

            try:
                invoice_id = store.write(db, bill)
            except IntegrityError:  # another biller (an older version without the lock) got there first
                invoice_id = None
            except InvoicerError as exc:
                result.failures.append((item, str(exc)))
                continue
            if invoice_id is None:
                result.skipped += 1
            else:
                result.billed.append((item, invoice_id))
            if progress is not None:
                progress(done, len(due))
        _send_pending(db, today, result)
    return result


def _send_pending(db: store.Database, today: date, result: RunResult) -> None:
    from invoicer.services import mailing

    def pending(s: Session) -> list[tuple[int, int]]:
        return [(run_id, invoice_id) for run_id, invoice_id in s.execute(
            select(BillingRun.id, BillingRun.invoice_id).join(BillingPlan)
            .where(BillingPlan.mode == "email", BillingRun.emailed.is_(False), BillingRun.invoice_id.is_not(None))
        ) if invoice_id is not None]

    for run_id, invoice_id in store.read(db, pending):

        def sent_before(s: Session, i: int = invoice_id) -> bool:
            return mailing.last_invoice_send(s, i) is not None

        def mark_emailed(s: Session, r: int = run_id) -> None:
            s.execute(update(BillingRun).where(BillingRun.id == r).values(emailed=True))

        if not store.read(db, sent_before):
            try:
                mailing.send_invoice(db, invoice_id, today=today)
            except InvoicerError as exc:
                result.failures.append((None, str(exc)))
                continue
            result.emailed += 1
        store.write(db, mark_emailed)
