"""The invoice list: rows fetched a page at a time, search as you type answered at once with the count
following from the background."""

from __future__ import annotations

from gui_helpers import sidebar
from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.gui.models.invoices import PAGE_SIZE
from invoicer.services import customers, invoices
from invoicer.services.invoices import DraftData, LineData


def _drafts(db, globex: int, acme: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        ids = [customers.add_customer(s, customers.CustomerData(name=name, country="DE"))
               for name in ("Globex AG", "ACME SARL")]
        for customer_id, count in zip(ids, (globex, acme), strict=True):
            for n in range(count):
                invoices.create_draft(s, DraftData(customer_id, [LineData(f"Work {n}", "1", "10", "S", "19")],
                                                   buyer_reference=f"PO-{customer_id}-{n:03}"))


def test_rows_come_a_page_at_a_time_and_the_count_follows(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _drafts(gui_db, PAGE_SIZE + 5, 3)
    page = sidebar(qtbot, window, "Invoices")
    model = page.model
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    qtbot.waitUntil(lambda: page.count_label.text() == f"{PAGE_SIZE + 8} invoices", timeout=5000)
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE + 8)
    assert not model.canFetchMore()

    page.search.setFocus()
    qtbot.keyClicks(page.search, "acm")
    assert model.rowCount() == 3  # the rows answer the keystroke itself
    assert {model.row_at(r).customer_name for r in range(3)} == {"ACME SARL"}
    qtbot.waitUntil(lambda: page.count_label.text() == "3 invoices", timeout=5000)
    qtbot.keyClick(page.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(page.search, "po-2-00")  # a buyer reference from its start, in small letters
    assert model.rowCount() == 3
    qtbot.keyClicks(page.search, "2")
    assert [model.row_at(0).buyer_reference] == ["PO-2-002"] and model.rowCount() == 1
    qtbot.waitUntil(lambda: page.count_label.text() == "1 invoice", timeout=5000)


def test_the_customer_picker_filters_by_typing_part_of_a_name(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _drafts(gui_db, 4, 2)
    page = sidebar(qtbot, window, "Invoices")
    picker = page.customer
    assert picker.currentText() == "All customers" and page.model.rowCount() == 6
    picker.setFocus()
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(picker.lineEdit(), "sarl")  # any part of the name
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.currentText() == "ACME SARL" and page.model.rowCount() == 2
    qtbot.waitUntil(lambda: page.count_label.text() == "2 invoices", timeout=5000)

    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(picker.lineEdit(), "nobody")
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert picker.currentText() == "ACME SARL" and page.model.rowCount() == 2  # unknown text is put back

    customers_page = sidebar(qtbot, window, "Customers")
    customers_page.table.selectRow(1)  # Globex AG (sorted by name)
    next(a for a in window.toolbar.actions() if a.text() == "Invoices").trigger()
    assert window.current_page() is page and picker.currentText() == "Globex AG"
    assert page.model.rowCount() == 4
    picker.setCurrentIndex(0)
    assert page.model.rowCount() == 6
