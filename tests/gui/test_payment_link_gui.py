"""Payment links in the app: the template and the QR-bill choice in Settings → Invoices (a bad template refused with
its reason, nothing saved), and the invoice window's Copy / Renew payment link."""

from __future__ import annotations

from gui_helpers import activate, replace_text, sidebar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from invoicer.db.engine import transaction
from invoicer.services import company, customers, invoices, payments, settings
from invoicer.services.invoices import DraftData, LineData

TEMPLATE = "https://pay.example.com/{token}?amount={amount}&ref={number}"


def _stored(db, *keys: str) -> list[object]:  # type: ignore[no-untyped-def]
    with transaction(db.readonly_sessions) as s:
        return [settings.get(s, key) for key in keys]


def _company(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")


def test_the_link_template_and_the_qr_bill_are_set_in_settings(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _company(gui_db)
    page = sidebar(qtbot, window, "Settings")
    page.tabs.setCurrentIndex(1)
    replace_text(qtbot, page.link_template, "https://pay.example.com/?amount={amount}")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert len(dialogs.errors) == 1 and "needs the placeholder {token}" in dialogs.errors[0]
    assert _stored(gui_db, "payments.link_template") == [None]

    replace_text(qtbot, page.link_template, TEMPLATE)
    page.link_days.setValue(45)
    page.qr_bill.setCurrentIndex(page.qr_bill.findData("off"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors[1:] == []
    assert _stored(gui_db, "payments.link_template", "payments.link_days", "payments.qr_bill") == [TEMPLATE, 45, "off"]
    page.refresh()
    assert page.link_template.text() == TEMPLATE and page.qr_bill.currentData() == "off"


def test_the_invoice_window_copies_and_renews_the_link(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _company(gui_db)
    with transaction(gui_db.sessions) as s:
        settings.put(s, "payments.link_template", TEMPLATE)
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        paid, open_id = (invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))
                         for _ in range(2))
        for invoice in (paid, open_id):
            invoices.finalize_invoice(s, invoice)
        payments.record_payment(s, paid, 11900)
        number = invoices.get_invoice(s, open_id).number
    editor = window.open_invoice(open_id)
    activate(qtbot, editor)
    assert editor.copy_link_action in editor.more_menu.actions() and editor.copy_link_action.isEnabled()
    editor.copy_link_action.trigger()
    copied = QApplication.clipboard().text()
    assert copied.startswith("https://pay.example.com/") and copied.endswith(f"?amount=119.00&ref={number}")
    assert "Payment link copied" in window.statusBar().currentMessage()
    editor.renew_link_action.trigger()
    assert dialogs.errors == [] and QApplication.clipboard().text() == copied  # the same token, valid longer
    assert any("payment link renewed" in editor.history_model.data(editor.history_model.index(r, c))
               for r in range(editor.history_model.rowCount()) for c in range(editor.history_model.columnCount())
               if isinstance(editor.history_model.data(editor.history_model.index(r, c)), str))

    paid_window = window.open_invoice(paid)
    activate(qtbot, paid_window)
    assert paid_window.copy_link_action not in paid_window.more_menu.actions()
