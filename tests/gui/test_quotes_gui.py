"""Quotes in the app: written from the keyboard, sent, accepted and invoiced line by line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.gui.dialogs.quote import InvoiceLinesDialog, QuoteDialog
from invoicer.services import invoices, quotes, taxes
from tests.gui.conftest import Dialogs
from tests.gui.gui_helpers import activate, press, type_text
from tests.services.helpers import add_customer, set_up_seller


@pytest.fixture
def business(gui_db: Database) -> Database:
    set_up_seller(gui_db)
    with transaction(gui_db.sessions) as s:
        taxes.add_tax_rate(s, "USt 19 %", "19", "S", None)
    return gui_db


def test_a_quote_is_written_sent_accepted_and_invoiced_in_part(qtbot, window, business: Database,  # type: ignore[no-untyped-def]
                                                                dialogs: Dialogs):
    customer = add_customer(business)
    page = window.show_page("quotes")
    dialog = page.add()
    assert isinstance(dialog, QuoteDialog)
    activate(qtbot, dialog)
    dialog.customer.set_customer(customer)
    dialog.lines.setFocus()
    dialog.lines.setCurrentCell(0, 0)
    type_text(qtbot, "Design")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "10")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "95")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "Hosting")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "50")
    press(qtbot, Qt.Key.Key_Tab)
    dialog.accept()
    assert dialogs.errors == []
    row = page.model.record(0)
    assert (row.number, row.status, row.total) == (None, "draft", 119000)  # (950 + 50) + 19 %

    page.table.selectRow(0)
    page.send()
    assert page.model.record(0).number == f"QUO-{date.today().year}-00001"
    page.decide(True)
    assert page.model.record(0).status == "accepted"
    lines = page.invoice()
    assert isinstance(lines, InvoiceLinesDialog) and lines.positions() == [1, 2]
    lines.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    lines.accept()
    assert dialogs.errors == [] and lines.invoice_id is not None
    with transaction(business.sessions) as s:
        invoice = invoices.get_invoice(s, lines.invoice_id)
        assert [ln.description for ln in invoice.lines] == ["Design"] and invoice.total == 113050
        assert quotes.invoiced_positions(s, row.id) == {1}
    again = page.invoice()
    assert again.positions() == [2]  # the invoiced line is ticked off and cannot be chosen
    again.close()


def test_a_draft_cannot_be_invoiced_and_the_list_says_why(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    with transaction(business.sessions) as s:
        quotes.create_quote(s, quotes.QuoteData(add_customer_in(s), [invoices.LineData("X", "1", "10", "S", "19")]))
    page = window.show_page("quotes")
    page.table.selectRow(0)
    assert page.invoice() is None
    assert dialogs.errors == ["Only an accepted quote becomes an invoice."]


def add_customer_in(s) -> int:  # type: ignore[no-untyped-def]
    from invoicer.services import customers

    return customers.add_customer(s, customers.CustomerData(name="ACME GmbH", country="DE"))


def _accepted_quote_page(window, db: Database):  # type: ignore[no-untyped-def]
    """The Quotes page with an accepted quote of 10,000.00 at 19 % selected."""
    with transaction(db.sessions) as s:
        quote = quotes.create_quote(s, quotes.QuoteData(add_customer_in(s), [
            invoices.LineData("Umbau", "1", "10000", "S", "19")]))
        quotes.send_quote(s, quote)
        quotes.accept_quote(s, quote)
    page = window.show_page("quotes")
    page.table.selectRow(0)
    return page


def test_deposit_then_final_invoice_from_the_page(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    page = _accepted_quote_page(window, business)
    dialog = page.deposit()
    dialog.value.setText("40")
    dialog.accept()
    assert dialogs.errors == [] and dialog.invoice_id is not None
    page.final()
    assert dialogs.errors[-1].startswith("A deposit or partial invoice of quote")  # the deposit is still a draft
    with transaction(business.sessions) as s:
        assert invoices.get_invoice(s, dialog.invoice_id).type_code == "386"
        invoices.finalize_invoice(s, dialog.invoice_id)
    page.final()
    with transaction(business.sessions) as s:
        final = max(i.id for i in invoices.list_invoices(s, invoices.InvoiceFilter()))
        # 10,000.00 less the deposit's 4,000.00 at 19 %: 6,000.00 + 1,140.00
        assert invoices.get_invoice(s, final).total == 714000
        invoices.finalize_invoice(s, final)
        deposit_number = invoices.get_invoice(s, dialog.invoice_id).number
    # the invoice window shows the invoice the final one deducts, as the CLI's `invoice show` and the PDF do
    view = window.open_invoice(final)
    assert view.tabs.isTabVisible(view.deducted_index)
    assert view.deducted_model.rowCount() == 1 and view.deducted_model.record(0).number == deposit_number
    assert view.deducted_model.record(0).total == 476000


def test_a_deposit_draft_edited_in_the_invoice_editor_stays_a_deposit(qtbot, window, business: Database,  # type: ignore[no-untyped-def]
                                                                       dialogs: Dialogs):
    with transaction(business.sessions) as s:
        quote = quotes.create_quote(s, quotes.QuoteData(add_customer_in(s), [
            invoices.LineData("Umbau", "1", "10000", "S", "19")]))
        quotes.send_quote(s, quote)
        quotes.accept_quote(s, quote)
        deposit = quotes.deposit_invoice(s, quote, percent="25")
    editor = window.open_invoice(deposit)
    assert editor.type_code.currentData() == "386"
    editor.notes.setPlainText("Bitte bis Monatsende")
    assert editor.save()
    with transaction(business.sessions) as s:
        assert invoices.get_invoice(s, deposit).type_code == "386"


def test_a_quote_lines_service_period_is_entered_kept_on_edit_and_invoiced(qtbot, window, business: Database,  # type: ignore[no-untyped-def]
                                                                           dialogs: Dialogs):
    from PySide6.QtCore import QDate
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QDialog

    from invoicer.gui.dialogs.line_period import LinePeriodDialog
    from invoicer.gui.style import day
    from invoicer.gui.widgets.simple_lines import PERIOD_COLUMN
    from tests.gui.gui_helpers import run_modal

    customer = add_customer(business)
    page = window.show_page("quotes")
    dialog = page.add()
    activate(qtbot, dialog)
    dialog.customer.set_customer(customer)
    dialog.lines.removeRow(0)  # the empty line it opens with; the lines typed from the keyboard are tested above
    for description, price in (("Maintenance", "300"), ("Material", "30")):
        dialog.lines.add_line(description, Decimal(1), Decimal(price), ("S", Decimal(19)))
    assert dialog.lines.isColumnHidden(PERIOD_COLUMN)  # no line has a period: no empty column
    assert dialog.line_period_action.shortcut() == QKeySequence("Ctrl+Shift+T")
    dialog.lines.setCurrentCell(0, 0)

    def october(period: QDialog) -> None:
        assert isinstance(period, LinePeriodDialog)
        period.own.setChecked(True)
        period.start.setDate(QDate(2026, 10, 31))
        period.end.setDate(QDate(2026, 10, 1))
        period.accept()
        assert period.isVisible() and "line 1: the service period ends (2026-10-01) before it starts" in (
            dialogs.errors[-1])
        period.start.setDate(QDate(2026, 10, 1))
        period.end.setDate(QDate(2026, 10, 31))
        period.accept()

    run_modal(qtbot, dialog.line_period_action.trigger, october)
    assert not dialog.lines.isColumnHidden(PERIOD_COLUMN)
    assert dialog.lines.item(0, PERIOD_COLUMN).text() == f"{day(date(2026, 10, 1))} – {day(date(2026, 10, 31))}"
    dialog.accept()
    quote_id = dialog.quote_id
    with transaction(business.readonly_sessions) as s:
        assert [(ln.period_start, ln.period_end) for ln in quotes.get_quote(s, quote_id).lines] == [
            (date(2026, 10, 1), date(2026, 10, 31)), (None, None)]
    page.table.selectRow(0)
    again = page.edit()  # a draft opened again keeps the period when saved unchanged
    assert isinstance(again, QuoteDialog) and again.lines.period(0) == (date(2026, 10, 1), date(2026, 10, 31))
    again.accept()
    with transaction(business.sessions) as s:
        quotes.send_quote(s, quote_id)
        quotes.accept_quote(s, quote_id)
        invoice = invoices.get_invoice(s, quotes.invoice_quote(s, quote_id))
        assert [(ln.period_start, ln.period_end) for ln in invoice.lines] == [
            (date(2026, 10, 1), date(2026, 10, 31)), (None, None)]


def test_a_deposit_of_a_net_amount_from_the_page(qtbot, window, business: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    page = _accepted_quote_page(window, business)
    dialog = page.deposit()
    dialog.kind.setCurrentIndex(dialog.kind.findData("amount"))
    dialog.value.setText("10000.01")  # a cent more than the quote's net: refused in a dialog, nothing created
    dialog.accept()
    assert dialogs.errors[-1].startswith("A deposit is more than nothing and at most the quote's net amount")
    assert dialog.invoice_id is None
    dialog.value.setText("2500")
    dialog.accept()
    assert dialog.invoice_id is not None
    with transaction(business.sessions) as s:
        deposit = invoices.get_invoice(s, dialog.invoice_id)
        # a net amount: 2,500.00 at 19 %, 475.00 VAT
        assert (deposit.type_code, deposit.subtotal, deposit.tax_total) == ("386", 250000, 47500)
