"""The owner's day on an empty database, through real widgets: company, tax rate, customer, an invoice typed
by keyboard, finalize, a partial payment, a partial credit note; then the list, the dashboard and the database."""

from __future__ import annotations

from datetime import date

from gui_helpers import (
    activate,
    click_cell,
    double_click_cell,
    fill_line,
    focused,
    replace_text,
    run_modal,
    sidebar,
    toolbar_button,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select

from invoicer.db.engine import transaction
from invoicer.db.models import Invoice, Payment
from invoicer.gui.dialogs.invoice_editor import InvoiceEditor
from invoicer.gui.widgets.status_badge import STATUS_ROLE


def _set_up_company(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Settings")
    qtbot.keyClicks(page.name, "Acme Consulting GmbH")
    qtbot.keyClicks(page.address, "Hauptstraße 1")
    qtbot.keyClicks(page.postcode, "10115")
    qtbot.keyClicks(page.city, "Berlin")
    replace_text(qtbot, page.country.lineEdit(), "Germany (DE)")
    qtbot.keyClicks(page.vat_id.edit, "DE123456788")  # charging VAT needs the seller's VAT ID (BR-S-02)
    qtbot.keyClicks(page.iban.edit, "DE89 3704 0044 0532 0130 00")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def _check_seeded_tax_rates(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Products")
    page.tabs.setCurrentIndex(1)
    model = page.rate_model  # Germany's rates came with the company profile, the standard rate first
    assert [model.record(row).name for row in range(model.rowCount())] == ["VAT 19 %", "VAT 7 %"]


def _add_customer(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sidebar(qtbot, window, "Customers")

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.name, "Globex AG")
        qtbot.keyClicks(dialog.email.edit, "billing@globex.example")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(window.toolbar, "New customer"),
                                              Qt.MouseButton.LeftButton), fill)


def test_main_story(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _set_up_company(qtbot, window)
    _check_seeded_tax_rates(qtbot, window)
    _add_customer(qtbot, window)
    assert dialogs.errors == []

    # a new invoice by keyboard: Ctrl+N, pick the customer, three lines, Ctrl+S, finalize
    sidebar(qtbot, window, "Invoices")
    activate(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = next(w for w in QApplication.topLevelWidgets() if isinstance(w, InvoiceEditor) and w.isVisible())
    activate(qtbot, editor)
    qtbot.keyClicks(editor.customer.lineEdit(), "Globex AG")
    qtbot.keyClick(editor.customer.lineEdit(), Qt.Key.Key_Return)
    assert editor.currency.text() == "EUR"
    click_cell(qtbot, editor.line_table, 0, 0)
    fill_line(qtbot, "Consulting", "3", "100")
    fill_line(qtbot, "Travel", "1", "49.90")
    fill_line(qtbot, "Workshop", "2", "250")
    assert editor.totals.values["total"].text() == "€1,011.38"
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.invoice_id is not None and not editor.is_dirty()
    qtbot.keyClick(focused(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    year = date.today().year
    assert f"INV-{year}-00001" in dialogs.confirmations[-1] and "frozen" in dialogs.confirmations[-1]
    assert editor.document.number == f"INV-{year}-00001"
    assert not editor.lines.flags(editor.lines.index(0, 0)) & Qt.ItemFlag.ItemIsEditable

    # a partial payment of 500.00
    def pay(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.amount.text() == "1,011.38"
        replace_text(qtbot, dialog.amount, "500")
        assert "€511.38" in dialog.effect.text()
        qtbot.keyClicks(dialog.reference, "BANK-REF-1")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Record payment…"),
                                              Qt.MouseButton.LeftButton), pay)
    assert editor.document.display_status == "partially paid"
    assert editor.totals.values["amount_due"].text() == "€511.38"

    # a partial credit note: the travel line (49.90 + 19 % = 59.38)
    def credit(dialog) -> None:  # type: ignore[no-untyped-def]
        activate(qtbot, dialog)
        qtbot.mouseClick(dialog.mode_lines, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.mode_lines.height() // 2))
        assert dialog.mode_lines.isChecked()
        double_click_cell(qtbot, dialog.lines, 1, 3)
        qtbot.keyClicks(focused(), "1")
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.lines.item(1, 3).text() == "1")
        qtbot.keyClicks(dialog.reason, "Travel not incurred")
        assert "€59.38" in dialog.effect.text(), dialog.effect.text()
        assert "€452.00" in dialog.effect.text()
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Issue credit note…"),
                                              Qt.MouseButton.LeftButton), credit)
    assert editor.totals.values["amount_due"].text() == "€452.00"
    assert dialogs.errors == []
    editor.close()

    # the list shows the badge, the dashboard the figures
    page = sidebar(qtbot, window, "Invoices")
    model = page.table.model()
    status_column = next(i for i, c in enumerate(model.columns) if c.key == "status")
    assert model.rowCount() == 1
    assert model.index(0, status_column).data(STATUS_ROLE) == ["partially paid"]
    assert model.index(0, status_column).data() == "Partially paid"
    board = sidebar(qtbot, window, "Dashboard")
    assert board.outstanding.value.text() == "€452.00"
    assert board.overdue.value.text() == "€0.00"
    assert board.attention_model.rowCount() == 0  # due in 30 days
    notes = sidebar(qtbot, window, "Credit notes")
    assert notes.table.model().rowCount() == 1

    with transaction(gui_db.readonly_sessions) as s:
        invoice = s.scalar(select(Invoice).where(Invoice.doc_type == "invoice"))
        note = s.scalar(select(Invoice).where(Invoice.doc_type == "credit_note"))
        payment = s.scalar(select(Payment))
        assert (invoice.status, invoice.total, invoice.paid, invoice.credited) == ("open", 101138, 50000, 5938)
        assert invoice.customer_snapshot and "Globex AG" in invoice.customer_snapshot
        assert [line.description for line in invoice.lines] == ["Consulting", "Travel", "Workshop"]
        assert (note.number, note.total, note.corrects_id, note.reason) == (
            f"CN-{year}-00001", 5938, invoice.id, "Travel not incurred")
        assert (payment.amount, payment.reference) == (50000, "BANK-REF-1")
