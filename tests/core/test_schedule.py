"""Schedule edges: the 31st, leap days, end dates and counts, pauses, arrears, proration, price changes."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from invoicer.core.errors import ValidationError
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

D = date


def spans(schedule: Schedule, billed_by: date | None = None, pauses: tuple[Pause, ...] = ()) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in periods(schedule, pauses, billed_by)]


def test_the_31st_falls_on_the_last_day_of_shorter_months_and_comes_back() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2027, 1, 31), count=4)
    assert [p.bill_on for p in periods(plan)] == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30)]
    assert spans(plan)[1] == (D(2027, 2, 28), D(2027, 3, 30))


def test_day_30_in_a_leap_february() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2028, 1, 30), count=3)
    assert [p.start for p in periods(plan)] == [D(2028, 1, 30), D(2028, 2, 29), D(2028, 3, 30)]


def test_yearly_from_a_leap_day() -> None:
    plan = Schedule(Frequency.YEARLY, D(2024, 2, 29), count=5)
    assert [p.start for p in periods(plan)] == [
        D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29)]
    # every day of every year is billed exactly once: the periods tile the calendar
    all_periods = list(periods(plan))
    for a, b in itertools.pairwise(all_periods):
        assert (b.start - a.end).days == 1


def test_quarterly_and_every_two_weeks() -> None:
    assert [p.start for p in periods(Schedule(Frequency.QUARTERLY, D(2026, 11, 30), count=3))] == [
        D(2026, 11, 30), D(2027, 2, 28), D(2027, 5, 30)]
    weekly = list(periods(Schedule(Frequency.WEEKLY, D(2026, 12, 28), interval=2, count=3)))
    assert [(p.start, p.end) for p in weekly][1] == (D(2027, 1, 11), D(2027, 1, 24))
    assert {p.full_days for p in weekly} == {14}


def test_a_day_of_month_other_than_the_start_day_makes_a_first_stub_that_proration_charges_by_days() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2027, 1, 20), day_of_month=1, count=2, prorate=True)
    first, second = periods(plan)
    assert (first.start, first.end, first.days, first.full_days) == (D(2027, 1, 20), D(2027, 1, 31), 12, 31)
    assert (second.start, second.end) == (D(2027, 2, 1), D(2027, 2, 28))
    assert billed_price(Decimal(310), first, prorate=True) == Decimal("120.0000")
    assert billed_price(Decimal("49.90"), first, prorate=True) == Decimal("19.3161")
    assert billed_price(Decimal(1), first, prorate=False) == Decimal(1)
    assert billed_price(Decimal(2), second, prorate=True) == Decimal(2)


def test_the_end_date_cuts_the_last_period_and_nothing_starts_after_it() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2027, 1, 1), end=D(2027, 3, 15))
    assert spans(plan) == [(D(2027, 1, 1), D(2027, 1, 31)), (D(2027, 2, 1), D(2027, 2, 28)),
                           (D(2027, 3, 1), D(2027, 3, 15))]
    assert list(periods(plan))[-1].fraction == Decimal(15) / Decimal(31)
    assert spans(Schedule(Frequency.MONTHLY, D(2027, 1, 1), end=D(2027, 2, 28))) == spans(plan)[:2]


def test_in_advance_bills_on_the_first_day_in_arrears_the_day_after_the_last() -> None:
    advance = Schedule(Frequency.MONTHLY, D(2027, 1, 1))
    arrears = Schedule(Frequency.MONTHLY, D(2027, 1, 1), in_arrears=True)
    assert spans(advance, billed_by=D(2027, 2, 1)) == [(D(2027, 1, 1), D(2027, 1, 31)), (D(2027, 2, 1), D(2027, 2, 28))]
    assert spans(arrears, billed_by=D(2027, 1, 31)) == []
    assert [p.bill_on for p in periods(arrears, billed_by=D(2027, 3, 1))] == [D(2027, 2, 1), D(2027, 3, 1)]


def test_a_catch_up_after_months_away_lists_every_missed_period_once() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2026, 1, 15))
    missed = spans(plan, billed_by=D(2026, 12, 5))
    assert len(missed) == len(set(missed)) == 11
    assert missed[-1] == (D(2026, 11, 15), D(2026, 12, 14))


def test_paused_periods_are_skipped_and_do_not_count() -> None:
    plan = Schedule(Frequency.MONTHLY, D(2027, 1, 1), count=3)
    pause = Pause(D(2027, 2, 1), D(2027, 4, 1))
    assert [p.start for p in periods(plan, [pause])] == [D(2027, 1, 1), D(2027, 4, 1), D(2027, 5, 1)]
    open_pause = Pause(D(2027, 2, 10))
    assert [p.start for p in periods(plan, [open_pause], billed_by=D(2028, 1, 1))] == [D(2027, 1, 1), D(2027, 2, 1)]


def test_price_changes_apply_to_periods_starting_on_or_after_their_day() -> None:
    changes = [PriceChange(D(2027, 3, 1), Decimal("55")), PriceChange(D(2027, 6, 1), Decimal("60"))]

    def period(start: date) -> Period:
        return Period(start, start, start, 1, 1)

    assert price_for(Decimal(50), changes, period(D(2027, 2, 28))) == Decimal(50)
    assert price_for(Decimal(50), changes, period(D(2027, 3, 1))) == Decimal(55)
    assert price_for(Decimal(50), changes, period(D(2027, 12, 1))) == Decimal(60)


@pytest.mark.parametrize("kwargs", [{"interval": 0}, {"day_of_month": 32}, {"end": D(2026, 1, 1)}, {"count": 0}])
def test_impossible_schedules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Schedule(Frequency.MONTHLY, D(2027, 1, 1), **kwargs)  # type: ignore[arg-type]
