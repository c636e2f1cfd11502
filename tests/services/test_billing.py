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
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import billing, einvoicing, integrity, products
from invoicer.services.billing import PlanData, PlanLineData
from tests.mail.smtp_server import PASSWORD, USER, ServerFactory
from tests.services.test_mailing import configure

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


def test_each_invoice_states_the_period_it_bills_as_its_service_period(seller: Database, customer_id: int) -> None:
    add_plan(seller, customer_id, start=D(2026, 10, 1))
    billing.run_billing(seller, D(2026, 11, 5))
    with transaction(seller.readonly_sessions) as s:
        rows = s.execute(select(BillingRun.period_start, BillingRun.period_end, Invoice.period_start,
                                Invoice.period_end).join(Invoice, Invoice.id == BillingRun.invoice_id)).all()
    assert rows and all((run_start, run_end) == (start, end) for run_start, run_end, start, end in rows)


def test_editing_a_plan_keeps_its_price_changes_and_refuses_moving_billed_periods(
    seller: Database, customer_id: int
) -> None:
    plan = add_plan(seller, customer_id, start=D(2026, 10, 1),
                    lines=[PlanLineData("Hosting", "1", "49.90", "S", "19"), PlanLineData("Backup", "1", "5", "S", "19")])
    with transaction(seller.sessions) as s:
        billing.change_price(s, plan, 1, D(2026, 12, 1), "59.90")
    billing.run_billing(seller, D(2026, 10, 1))
    with transaction(seller.sessions) as s:
        data = billing.plan_data(s, plan)
        data.lines = data.lines[:1]  # the backup line goes; the hosting line keeps its December price
        data.lines[0].description = "Webhosting"
        data.mode, data.name = "finalize", "Hosting"
        billing.update_plan(s, plan, data)
    with pytest.raises(ConflictError), transaction(seller.sessions) as s:
        moved = billing.plan_data(s, plan)
        moved.day_of_month = 15
        billing.update_plan(s, plan, moved)
    billing.run_billing(seller, D(2026, 12, 1))
    rows = [(start, total, status) for start, _, total, _, status in invoices_of(seller)]
    # October as first planned (two lines, a draft); November at the old price, December at the new, finalized
    assert rows == [(D(2026, 10, 1), 6533, "draft"), (D(2026, 11, 1), 5938, "open"), (D(2026, 12, 1), 7128, "open")]
    with transaction(seller.sessions) as s:
        assert [r.name for r in billing.list_plans(s, D(2026, 12, 1))] == ["Hosting"]
        assert billing.list_plans(s, D(2026, 12, 1))[0].next_bill_on == D(2027, 1, 1)


def test_email_mode_finalizes_and_sends_each_invoice_once(seller: Database, customer_id: int,
                                                          smtp_server: ServerFactory) -> None:
    """A plan in email mode finalizes its invoices and mails each one once: a rerun bills and sends nothing again."""
    server = smtp_server("starttls", users={USER: PASSWORD})
    configure(seller, server.port)
    add_plan(seller, customer_id, start=D(2026, 11, 1), mode="email")
    first = billing.run_billing(seller, D(2026, 12, 5))
    assert first.failures == [] and first.emailed == 2 and len(first.billed) == 2
    assert sorted(number or "" for *_, number, _ in invoices_of(seller)) == ["INV-2026-00001", "INV-2026-00002"]
    assert {status for *_, status in invoices_of(seller)} == {"open"}
    assert sorted(part.get_filename() or "" for m in server.messages for part in m.message.iter_attachments()
                  if (part.get_filename() or "").endswith(".pdf")) == ["INV-2026-00001.pdf", "INV-2026-00002.pdf"]
    again = billing.run_billing(seller, D(2026, 12, 5))
    assert (again.billed, again.emailed, len(server.messages)) == ([], 0, 2)
    with transaction(seller.sessions) as s:
        assert s.scalar(select(func.count()).select_from(BillingRun).where(BillingRun.emailed.is_(False))) == 0


def test_a_plan_in_its_own_currency_with_a_product_line_states_its_period_in_the_einvoice(
        seller: Database, customer_id: int) -> None:
    """Plan lines may come from products (the invoice line keeps the product), a plan bills in its own currency, and
    the period billed is the e-invoice's invoicing period (BT-73/74), valid by the official rules."""
    with transaction(seller.sessions) as s:
        product_id = products.add_product(s, products.ProductData("Managed hosting", "49.90"))
    add_plan(seller, customer_id, start=D(2026, 10, 1), currency="usd", mode="draft",
             lines=[PlanLineData("Managed hosting", "1", "49.90", "S", "19", product_id=product_id),
                    PlanLineData("Backup", "2", "5.00", "S", "19")])
    add_plan(seller, customer_id, start=D(2026, 11, 1), end=D(2026, 11, 30), mode="finalize")
    result = billing.run_billing(seller, D(2026, 12, 5))
    assert result.failures == [] and len(result.billed) == 3 + 1  # October to December in advance, November
    with transaction(seller.sessions) as s:
        usd = s.scalars(select(Invoice).where(Invoice.currency == "USD")).all()
        assert len(usd) == 3 and {i.total for i in usd} == {7128}  # (49.90 + 10.00) x 1.19 = 71.281
        assert all([ln.product_id for ln in i.lines] == [product_id, None] for i in usd)
        (final,) = s.scalars(select(Invoice).where(Invoice.status == "open")).all()
        _, xml = einvoicing.document_einvoice(s, final, EInvoiceFormat.FACTURX)
    assert validate(xml, EInvoiceFormat.FACTURX).ok
    assert b"<udt:DateTimeString format=\"102\">20261101</udt:DateTimeString>" in xml
    assert b"<udt:DateTimeString format=\"102\">20261130</udt:DateTimeString>" in xml
