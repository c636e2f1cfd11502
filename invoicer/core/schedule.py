"""Recurring billing schedules: the service periods of a plan, when each is billed, pauses, proration, prices.

Pure: no database, no clock. Period boundaries are computed from the anchor each time (never chained from the
previous boundary), so a plan on the 31st bills on 28/29 February and on the 31st again in March, and a yearly
plan started on 29 February bills on 28 February in common years and on the 29th in leap years.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from invoicer.core.errors import N_, ValidationError


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    WEEKLY = "weekly"


_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
#: billing more often than this many periods in one run is refused as a typing mistake, not a catch-up
MAX_PERIODS = 100_000


@dataclass(frozen=True)
class Schedule:
    """When a plan bills. ``interval``: every N months/quarters/years/weeks. ``day_of_month``: the boundary day
    (29-31 fall on the last day of shorter months; None: the start's day). ``end`` (inclusive) cuts the last
    period; ``count`` limits the number of periods billed. In advance a period is billed on its first day, in
    arrears on the day after its last."""

    frequency: Frequency
    start: date
    interval: int = 1
    day_of_month: int | None = None
    end: date | None = None
    count: int | None = None
    in_arrears: bool = False
    prorate: bool = False

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValidationError(N_("The interval must be 1 or more."), "interval")
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 31:
            raise ValidationError(N_("The day of the month must be between 1 and 31."), "day_of_month")
        if self.end is not None and self.end < self.start:
            raise ValidationError(N_("The end date cannot be before the start date."), "end")
        if self.count is not None and self.count < 1:
            raise ValidationError(N_("The number of invoices must be 1 or more."), "count")


@dataclass(frozen=True)
class Pause:
    """No period starting on or after ``start`` and before ``until`` (the resume date; None: still paused)
    is billed."""

    start: date
    until: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Period:
    """A service period (BT-73/74, both days included) and the day it is billed."""

    start: date
    end: date
    bill_on: date
    days: int  # the days billed
    full_days: int  # the days of the whole period it is part of

    @property
    def fraction(self) -> Decimal:
        return Decimal(self.days) / Decimal(self.full_days)


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _boundary(schedule: Schedule, k: int) -> date:
    """The k-th boundary of the schedule's grid (k may be negative: the boundary before the start)."""
    if schedule.frequency is Frequency.WEEKLY:
        return schedule.start + timedelta(weeks=schedule.interval * k)
    months = schedule.start.year * 12 + schedule.start.month - 1 + _MONTHS[schedule.frequency] * schedule.interval * k
    return _on_day(months // 12, months % 12 + 1, schedule.day_of_month or schedule.start.day)


def _grid(schedule: Schedule) -> Iterator[tuple[date, date]]:
    """Full periods of the grid [boundary, next boundary) from the one holding the start onwards."""
    k = 0
    while _boundary(schedule, k) > schedule.start:
        k -= 1
    while True:
        yield _boundary(schedule, k), _boundary(schedule, k + 1)
        k += 1


def periods(schedule: Schedule, pauses: Sequence[Pause] = (), billed_by: date | None = None) -> Iterator[Period]:
    """The periods to bill, in order: those billed on or before ``billed_by`` (all of them when None, which
    needs an end or a count). Paused periods are skipped and do not count towards ``count``."""
    if billed_by is None and schedule.end is None and schedule.count is None:
        raise ValueError("an open-ended schedule needs billed_by")
    billed = 0
    for n, (grid_start, next_start) in enumerate(_grid(schedule)):
        if n > MAX_PERIODS:
            raise ValidationError(N_("The schedule has too many periods to bill at once."))
        start = max(grid_start, schedule.start)
        if schedule.end is not None and start > schedule.end:
            return
        last = next_start - timedelta(days=1)
        end = last if schedule.end is None else min(last, schedule.end)
        bill_on = end + timedelta(days=1) if schedule.in_arrears else start
        if billed_by is not None and bill_on > billed_by:
            return
        if any(p.covers(start) for p in pauses):
            continue
        yield Period(start, end, bill_on, (end - start).days + 1, (next_start - grid_start).days)
        billed += 1
        if schedule.count is not None and billed >= schedule.count:
            return


@dataclass(frozen=True)
class PriceChange:
    on: date  # the price applies to periods starting on or after this day
    unit_price: Decimal


def price_for(base: Decimal, changes: Sequence[PriceChange], period: Period) -> Decimal:
    """The unit price of a period: the latest change on or before its start, else the plan's price."""
    applicable = [c for c in changes if c.on <= period.start]
    return max(applicable, key=lambda c: c.on).unit_price if applicable else base


def billed_price(unit_price: Decimal, period: Period, prorate: bool) -> Decimal:
    """The unit price on the invoice: a partial first or last period is charged for its share of days when the
    plan prorates, in full otherwise. The price, not the quantity, carries the share: a unit price keeps 4
    decimals unrounded to the cent (EN 16931), so 310.00 for 16 of 31 days is exactly 160.00."""
    if not prorate or period.days == period.full_days:
        return unit_price
    return (unit_price * period.fraction).quantize(Decimal("0.0001"), ROUND_HALF_UP)
