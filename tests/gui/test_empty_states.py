"""Empty lists say why they are empty and offer the action that helps: the first invoice, customer, product or
tax rate on an empty folder; clearing the search when nothing matches."""

from __future__ import annotations

from gui_helpers import activate, press, run_modal, sidebar, type_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from invoicer.db.engine import transaction
from invoicer.gui.dialogs.invoice_editor import InvoiceEditor
from invoicer.services import customers, invoices
from invoicer.services.invoices import DraftData, LineData


def _one_invoice(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Müller GmbH", country="DE"))
        invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))


def _empty_state(page):  # type: ignore[no-untyped-def]
    assert page.list.is_empty() and page.list.panel.isVisible()
    return page.list.message.text(), page.list.button.text() if page.list.button.isVisible() else None


def test_no_invoices_yet_offers_the_first_one_from_the_keyboard(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    page = window.show_page("invoices")
    assert _empty_state(page) == ("No invoices yet", "New invoice (Ctrl+N)")
    assert not page.table.isVisible()
    page.list.button.setFocus()
    press(qtbot, Qt.Key.Key_Space)
    editors = [w for w in QApplication.topLevelWidgets() if isinstance(w, InvoiceEditor) and w.isVisible()]
    assert len(editors) == 1
    editors[0].close()


def test_no_credit_notes_and_no_payments_lead_to_the_invoices(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Credit notes")
    assert _empty_state(page) == ("No credit notes yet", "Show invoices")
    assert "Issue credit note…" in page.list.hint.text()
    page.list.button.click()
    assert window.current_page() is window.pages["invoices"]
    page = sidebar(qtbot, window, "Payments")
    assert _empty_state(page) == ("No payments yet", "Show invoices")
    assert "Record payment…" in page.list.hint.text()


def test_a_search_without_result_says_so_and_clears(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _one_invoice(gui_db)
    page = sidebar(qtbot, window, "Invoices")
    assert not page.list.is_empty() and page.table.isVisible()
    page.focus_search()
    type_text(qtbot, "zzz")
    assert _empty_state(page) == ("No invoice matches “zzz”.", "Clear search and filters")
    assert "accents and case do not matter" in page.list.hint.text()
    page.list.button.click()
    assert page.search.text() == "" and not page.list.is_empty() and page.model.rowCount() == 1
    page.filter_status("paid")
    assert _empty_state(page) == ("No invoice matches these filters.", "Clear search and filters")
    page.list.button.click()
    assert page.status.currentData() is None and page.model.rowCount() == 1
    page.focus_search()
    type_text(qtbot, "muller")  # accents and case ignored
    assert not page.list.is_empty()


def test_customers_empty_then_no_match(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Customers")
    assert _empty_state(page) == ("No customers yet", "New customer")

    def opened(dialog: QDialog) -> None:
        assert dialog.windowTitle() != ""
        dialog.reject()

    run_modal(qtbot, page.list.button.click, opened)
    _one_invoice(gui_db)
    page.refresh()
    assert not page.list.is_empty()
    activate(qtbot, window)
    page.focus_search()
    type_text(qtbot, "nobody")
    assert _empty_state(page) == ("No customer matches “nobody”.", "Clear search")
    page.list.button.click()
    assert page.search.text() == "" and page.model.rowCount() == 1 and page.search.hasFocus()


def test_products_and_tax_rates_empty(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Products")
    assert page.product_list.is_empty()
    assert page.product_list.message.text() == "No products or services yet"
    assert page.product_list.button.text() == "New product or service"
    page.tabs.setCurrentIndex(1)
    assert page.rate_list.is_empty() and page.rate_list.message.text() == "No tax rates yet"
    assert page.rate_list.button.text() == "New tax rate"


def test_a_new_customers_account_offers_the_first_invoice(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.customer_account import CustomerAccountDialog

    with transaction(gui_db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
    dialog = CustomerAccountDialog(window, customer, window)
    qtbot.addWidget(dialog)
    dialog.show()
    lists = [dialog.tabs.widget(i) for i in range(dialog.tabs.count())]
    assert all(each.is_empty() for each in lists)
    assert lists[1].message.text() == "No invoices to this customer yet"
    assert lists[1].button.text() == "New invoice for Globex AG"
    lists[1].button.click()
    editors = [w for w in QApplication.topLevelWidgets() if isinstance(w, InvoiceEditor) and w.isVisible()]
    assert len(editors) == 1 and editors[0].customer.currentData() == customer
    editors[0].close()
    dialog.close()
