"""Recurring billing in the app: plans added, edited, paused, resumed and repriced from the keyboard; the
dashboard's "Due billing" card lists the periods due and bills each once, asking first before a catch-up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from sqlalchemy import func, select

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import BillingRun, Invoice
from invoicer.gui.dialogs.plan import DueBillingDialog, PlanDateDialog, PlanDialog, PriceChangeDialog
from invoicer.services import billing
from tests.gui.conftest import Dialogs
from tests.gui.gui_helpers import activate, press, type_text
from tests.services.helpers import add_customer, set_up_seller


@pytest.fixture
def business(gui_db: Database) -> Database:
    set_up_seller(gui_db)
    from invoicer.services import taxes

    with transaction(gui_db.sessions) as s:
        taxes.add_tax_rate(s, "USt 19 %", "19", "S", None)
        taxes.add_tax_rate(s, "USt 7 %", "7", "S", None)
    return gui_db


def _plan(db: Database, start: date, **kw: object) -> int:
    with transaction(db.sessions) as s:
        customer = add_customer_in(s)
        return billing.add_plan(s, billing.PlanData(
            customer_id=customer, start=start, lines=[billing.PlanLineData("Hosting", "1", "49.90", "S", "19")],
            **kw))  # type: ignore[arg-type]


def add_customer_in(s) -> int:  # type: ignore[no-untyped-def]
    from invoicer.services import customers

    return customers.add_customer(s, customers.CustomerData(name="ACME GmbH", country="DE", locale="de_DE"))


def _billed(db: Database) -> list[tuple[date, int]]:
    with transaction(db.sessions) as s:
        return list(s.execute(select(BillingRun.period_start, Invoice.total).join(
            Invoice, Invoice.id == BillingRun.invoice_id).order_by(BillingRun.period_start)).all())


def test_a_plan_is_added_from_the_keyboard_and_listed(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    customer = add_customer(business)
    page = window.show_page("plans")
    dialog = page.add()
    assert isinstance(dialog, PlanDialog)
    activate(qtbot, dialog)
    dialog.customer.set_customer(customer)
    qtbot.keyClicks(dialog.name, "Hosting ACME")
    # the first line is ready: description Tab quantity Tab price, Ctrl+Enter for the next line
    dialog.lines.setFocus()
    dialog.lines.setCurrentCell(0, 0)
    type_text(qtbot, "Webhosting")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "49.90")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.lines.rowCount() == 2 and dialog.lines.currentRow() == 1
    type_text(qtbot, "Support")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "2")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "85")
    press(qtbot, Qt.Key.Key_Tab)
    dialog.day.setValue(31)
    dialog.accept()
    assert dialogs.errors == []
    assert dialog.result() == PlanDialog.DialogCode.Accepted
    rows = page.model.records()
    assert [(r.name, r.customer_name, r.frequency, r.billed) for r in rows] == [
        ("Hosting ACME", "ACME SARL", "monthly", 0)]
    with transaction(business.sessions) as s:
        data = billing.plan_data(s, rows[0].id)
    assert [(ln.description, ln.quantity, ln.unit_price) for ln in data.lines] == [
        ("Webhosting", Decimal(1), Decimal("49.90")), ("Support", Decimal(2), Decimal(85))]
    assert data.day_of_month == 31


def test_a_plan_without_customer_or_lines_is_refused_with_a_message(qtbot, window, business: Database,  # type: ignore[no-untyped-def]
                                                                    dialogs: Dialogs):
    dialog = window.show_page("plans").add()
    dialog.accept()
    assert dialogs.errors == ["Choose the customer to bill."]
    dialog.customer.set_customer(add_customer(business))
    dialog.accept()
    assert dialogs.errors[-1] == "line 1: a description is required."
    assert dialog.isVisible()


def test_edit_pause_resume_and_price_change(qtbot, window, business: Database, dialogs: Dialogs,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch):
    today = date.today()
    plan = _plan(business, today.replace(day=1), day_of_month=1)
    page = window.show_page("plans")
    page.table.selectRow(0)
    dialog = page.edit()
    assert dialog.name.text() == "ACME GmbH" and dialog.lines.rowCount() == 1
    dialog.name.setText("Retainer")
    dialog.accept()
    assert dialogs.errors == [] and page.model.record(0).name == "Retainer"

    monkeypatch.setattr(PlanDateDialog, "exec", lambda self: 1)
    page.pause_or_resume()
    assert page.model.record(0).paused
    page.pause_or_resume()
    assert not page.model.record(0).paused

    def reprice(self: PriceChangeDialog) -> int:
        self.valid_from.setDate(self.valid_from.date().addMonths(1))
        self.price.setText("59.90")
        self.accept()
        return 1

    monkeypatch.setattr(PriceChangeDialog, "exec", reprice)
    page.change_price()
    assert dialogs.errors == []
    with transaction(business.sessions) as s:
        line = billing.get_plan(s, plan).lines[0]
        assert [(c.unit_price, c.valid_from > today) for c in line.prices] == [(Decimal("59.90"), True)]


def test_a_billed_plan_keeps_its_schedule(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    _plan(business, date.today())
    billing.run_billing(business, date.today())
    page = window.show_page("plans")
    page.table.selectRow(0)
    dialog = page.edit()
    assert not dialog.frequency.isEnabled() and not dialog.customer.isEnabled() and dialog.fixed.isVisibleTo(dialog)
    assert dialog.mode.isEnabled() and dialog.lines.isEnabled()


def test_the_due_billing_card_asks_before_a_catch_up_and_bills_each_period_once(  # type: ignore[no-untyped-def]
    qtbot, window, business: Database, dialogs: Dialogs
):
    today = date.today()
    _plan(business, today - timedelta(weeks=2), frequency="weekly")  # three weeks due: two missed
    from invoicer.services import customers, invoices

    with transaction(business.sessions) as s:  # the dashboard shows its figures once an invoice exists
        invoices.create_draft(s, invoices.DraftData(customer_id=customers.customer_choices(s)[0].id, lines=[
            invoices.LineData("Setup", "1", "10", "S", "19")]))
    dashboard = window.show_page("dashboard")
    dashboard.refresh()
    assert dashboard.billing_card.isVisible()
    assert dashboard.billing_card.value.text() == "3"
    assert "2 missed periods" in dashboard.billing_card.detail.text()

    dialog = dashboard.show_due_billing()
    assert isinstance(dialog, DueBillingDialog) and dialog.model.rowCount() == 3
    dialogs.confirm_answer = False
    dialog.bill_button.click()
    assert len(dialogs.confirmations) == 1 and "2 periods should have been billed" in dialogs.confirmations[0]
    assert _billed(business) == []

    dialogs.confirm_answer = True
    dialog.bill_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
    QApplication.processEvents()
    assert [total for _start, total in _billed(business)] == [5938, 5938, 5938]
    assert dialog.model.rowCount() == 0 and not dialog.bill_button.isEnabled()
    assert dialogs.infos == ["3 periods billed."]
    qtbot.waitUntil(lambda: dashboard.billing_card.value.text() == "0")
    assert dashboard.billing_card.detail.text() == "nothing due today"
    dialog.close()
    # billing again from the plans page finds nothing to do
    assert billing.run_billing(business, today).billed == []
    with transaction(business.sessions) as s:
        assert s.scalar(select(func.count()).select_from(BillingRun)) == 3


def test_one_period_due_today_is_billed_without_a_question(qtbot, window, business: Database,  # type: ignore[no-untyped-def]
                                                           dialogs: Dialogs):
    _plan(business, date.today())
    dialog = window.show_page("plans").show_due()
    dialog.bill_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
    assert dialogs.confirmations == [] and len(_billed(business)) == 1


def test_the_vat_of_a_line_comes_from_the_tax_rates(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    dialog = window.show_page("plans").add()
    vat = dialog.lines.cellWidget(0, 3)
    assert isinstance(vat, QComboBox) and vat.count() > 1
    vat.setCurrentIndex(vat.findText("7", Qt.MatchFlag.MatchContains))
    dialog.customer.set_customer(add_customer(business))
    dialog.lines.item(0, 0).setText("Book club")
    dialog.lines.item(0, 2).setText("10")
    dialog.accept()
    assert dialogs.errors == []
    with transaction(business.sessions) as s:
        line = billing.plan_data(s, dialog.plan_id).lines[0]
    assert (line.tax_category, line.tax_rate) == ("S", Decimal(7))
