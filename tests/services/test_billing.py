"""Billing runs: each (plan, period) invoiced once, whatever repeats, overlaps or crashes; prices, pauses, modes."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from invoicer.core.errors import ConflictError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import BillingRun, Invoice
from invoicer.services import billing, integrity
from invoicer.services.billing import PlanData, PlanLineData

D = date


def add_plan(db: Database, customer_id: int, **kw: object) -> int:
    lines = kw.pop("lines", [PlanLineData("Hosting", "1", "49.90", "S", "19")])
    with transaction(db.sessions) as s:
        return billing.add_plan(s, PlanData(customer_id=customer_id, lines=lines, **kw))  # type: ignore[arg-type]


def invoices_of(db: Database) -> list[tuple[date, date, int, str | None, str]]:
    with transaction(db.sessions) as s:
        rows = s.execute(
            select(BillingRun.period_start, BillingRun.period_end, Invoice.total, Invoice.number, Invoice.status)
            .join(Invoice, Invoice.id == BillingRun.invoice_id).order_by(BillingRun.period_start)
        ).all()
    return list(rows)


def test_a_run_bills_every_missed_period_once_and_a_rerun_bills_nothing(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 8, 31))
    first = billing.run_billing(seller, D(2026, 12, 5))
    assert [(d.period_start, d.period_end) for d, _ in first.billed] == [
        (D(2026, 8, 31), D(2026, 9, 29)), (D(2026, 9, 30), D(2026, 10, 30)),
        (D(2026, 10, 31), D(2026, 11, 29)), (D(2026, 11, 30), D(2026, 12, 30))]
    again = billing.run_billing(seller, D(2026, 12, 5))
    assert again.billed == [] and again.failures == []
    rows = invoices_of(seller)
    assert len(rows) == 4
    assert {(total, status) for _, _, total, _, status in rows} == {(5938, "draft")}  # 49.90 + 19 %


def test_dry_run_changes_nothing(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 11, 1))
    assert len(billing.run_billing(seller, D(2026, 12, 5), dry_run=True).billed) == 2
    assert invoices_of(seller) == []


def test_finalize_mode_numbers_in_order_and_verify_passes(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 10, 1), mode="finalize")
    add_plan(seller, customer_id, start=D(2026, 11, 15), mode="finalize", frequency="weekly", interval=2)
    result = billing.run_billing(seller, D(2026, 12, 5))
    assert result.failures == []
    numbers = sorted(number or "" for *_, number, _ in invoices_of(seller))
    assert numbers == [f"INV-2026-{i:05}" for i in range(1, 6)]
    with transaction(seller.sessions) as s:
        assert integrity.verify(s).ok


def test_price_change_pause_resume_and_proration(seller: Database, customer_id: int) -> None:
    plan = add_plan(seller, customer_id, start=D(2026, 7, 16), day_of_month=1, prorate=True,
                    lines=[PlanLineData("Retainer", "1", "310.00", "Z", "0")], end=D(2026, 12, 15))
    with transaction(seller.sessions) as s:
        billing.change_price(s, plan, 1, D(2026, 10, 1), "400")
        billing.pause_plan(s, plan, D(2026, 9, 1))
        billing.resume_plan(s, plan, D(2026, 10, 1))
    billing.run_billing(seller, D(2026, 12, 31))
    rows = [(start, total) for start, _, total, _, _ in invoices_of(seller)]
    # July: 16 of 31 days of 310.00; September paused; October on at the new price; December cut at the 15th
    assert rows == [(D(2026, 7, 16), 16000), (D(2026, 8, 1), 31000), (D(2026, 10, 1), 40000),
                    (D(2026, 11, 1), 40000), (D(2026, 12, 1), 19355)]


def test_a_failing_period_is_reported_and_the_others_are_billed(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 12, 1), mode="finalize")
    with transaction(seller.sessions) as s:
        from invoicer.services import customers
        other = customers.add_customer(s, customers.CustomerData(name="No Country Ltd", country="DE", locale="de_DE"))
    add_plan(seller, other, start=D(2026, 12, 1), mode="finalize",
             lines=[PlanLineData("Service", "1", "10", "AE", "0")])  # reverse charge without the buyer's VAT ID
    result = billing.run_billing(seller, D(2026, 12, 5))
    assert len(result.billed) == 1 and len(result.failures) == 1
    assert len(invoices_of(seller)) == 1


def test_deleting_a_billed_draft_skips_that_period(seller: Database, customer_id: int) -> None:
    from invoicer.services import invoices

    add_plan(seller, customer_id, start=D(2026, 12, 1))
    (_, invoice_id), = billing.run_billing(seller, D(2026, 12, 5)).billed
    with transaction(seller.sessions) as s:
        invoices.delete_draft(s, invoice_id)
    assert billing.run_billing(seller, D(2026, 12, 5)).billed == []


def test_a_second_run_while_one_holds_the_lock_is_refused_clearly(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 12, 1))
    with billing.run_lock(seller.folder):
        (seller.folder / billing.LOCK_FILENAME).write_text("1")  # pid 1 is always alive
        with pytest.raises(ConflictError, match="already running"):
            billing.run_billing(seller, D(2026, 12, 5))
    # a lock left by a process that is gone is taken over
    (seller.folder / billing.LOCK_FILENAME).write_text("999999999")
    assert len(billing.run_billing(seller, D(2026, 12, 5)).billed) == 1


def test_concurrent_billers_never_bill_a_period_twice(seller: Database, customer_id: int) -> None:
    """Two billers without the lock (bill_period directly, as two processes racing would): the unique key
    decides, and each period ends up with one invoice."""
    plan = add_plan(seller, customer_id, start=D(2026, 1, 1))
    with transaction(seller.sessions) as s:
        due = billing.due_periods(s, D(2026, 12, 5))
    results: list[int | None] = []
    errors: list[BaseException] = []

    def biller() -> None:
        for d in due:
            try:
                with transaction(seller.sessions) as s:
                    results.append(billing.bill_period(s, plan, d.period_start, D(2026, 12, 5)))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=biller) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with transaction(seller.sessions) as s:
        assert s.scalar(select(func.count()).select_from(BillingRun)) == 12
        assert s.scalar(select(func.count()).select_from(Invoice)) == 12
    assert len([r for r in results if r is not None]) == 12
