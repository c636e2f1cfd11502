"""The window starts the process that checks e-invoices once it is painted, a finalize from the invoice window is
checked there, and closing the window ends it."""

from __future__ import annotations

from gui_helpers import activate, toolbar_button
from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.documents import einvoice_rules, rule_checker
from invoicer.gui.main_window import MainWindow
from invoicer.services import company, customers, invoices
from invoicer.services.invoices import DraftData, LineData


def _not_here(*args: object) -> None:
    raise AssertionError("checked in the window's process, not in the checking process")


def test_finalize_in_the_window_is_checked_by_the_checking_process(qtbot, gui_db, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin",
                               country="DE", vat_id="DE123456788")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        invoice_id = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))
    monkeypatch.setattr(MainWindow, "RULE_CHECKER_START_MS", 0)
    window = MainWindow(gui_db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        qtbot.waitUntil(rule_checker.running, timeout=5000)
        monkeypatch.setattr(einvoice_rules, "validate", _not_here)  # this process's; the checking one has its own
        editor = window.open_invoice(invoice_id)
        activate(qtbot, editor)
        qtbot.mouseClick(toolbar_button(editor.toolbar, "Finalize…"), Qt.MouseButton.LeftButton)
        assert dialogs.errors == [] and dialogs.unexpected == 0
        assert editor.document.status == "open" and editor.document.number is not None
        editor.close()
    finally:
        window.close()
    assert not rule_checker.running()
