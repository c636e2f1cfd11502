"""Email in the main window, against an SMTP server on 127.0.0.1: "Send by email…" on a finalized invoice
(asking again before a repeat), and payment reminders counted at start ("N reminders due" in the status bar
and on the dashboard), sent after confirmation or by themselves when automatic sending is on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from gui_helpers import activate, toolbar_button
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from invoicer.db.engine import transaction
from invoicer.gui.dialogs.reminders_dialog import RemindersDialog
from invoicer.gui.dialogs.send_invoice import SendInvoiceDialog
from invoicer.gui.main_window import MainWindow
from invoicer.services import company, customers, settings
from tests.mail.smtp_server import PASSWORD, USER, Server, ServerFactory
from tests.services.helpers import make_open
from tests.services.test_mailing import configure


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


@pytest.fixture
def customer_id(gui_db) -> int:  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Müller & Söhne GmbH", address="Hauptstraße 1", postcode="10115",
                               city="Berlin", country="DE", currency="EUR", locale="de_DE", vat_id="DE123456788")
        return customers.add_customer(s, customers.CustomerData(
            name="ACME SARL", country="FR", locale="fr_FR", email="ap@acme.example"))


def _overdue(db, customer_id: int) -> int:  # type: ignore[no-untyped-def]
    """An open invoice ten days past its due date: the "overdue" reminder is due today."""
    today = date.today()
    return make_open(db, customer_id, today - timedelta(days=40), due_date=today - timedelta(days=10))


def _window(qtbot, db, monkeypatch) -> MainWindow:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(MainWindow, "REMINDERS_FIRST_CHECK_MS", 0)
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_send_by_email_from_the_invoice_window(qtbot, window, gui_db, customer_id, server, dialogs):  # type: ignore[no-untyped-def]
    configure(gui_db, server.port)
    invoice_id = make_open(gui_db, customer_id)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = editor.findChild(SendInvoiceDialog)
    assert dialog is not None and dialog.isVisible() and dialog.to.text() == "ap@acme.example"
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=10000)
    assert [m.rcpt_tos for m in server.messages] == [["ap@acme.example"]] and dialogs.confirmations == []
    history = editor.history_model
    assert history.data(history.index(history.rowCount() - 1, 2)) == "sent by email"  # the window was reloaded

    qtbot.mouseClick(toolbar_button(editor.toolbar, "Send by email…"), Qt.MouseButton.LeftButton)
    again = [d for d in editor.findChildren(SendInvoiceDialog) if d.isVisible()][-1]
    dialogs.confirm_answer = False
    qtbot.mouseClick(again.send_button, Qt.MouseButton.LeftButton)
    assert "was already sent" in dialogs.confirmations[0] and len(server.messages) == 1
    dialogs.confirm_answer = True
    qtbot.mouseClick(again.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.sent is not None, timeout=10000)
    assert len(server.messages) == 2


def test_reminders_due_at_start_are_shown_and_sent_after_confirmation(  # type: ignore[no-untyped-def]
    qtbot, gui_db, customer_id, server, dialogs, monkeypatch
) -> None:
    configure(gui_db, server.port)
    _overdue(gui_db, customer_id)
    window = _window(qtbot, gui_db, monkeypatch)
    qtbot.waitUntil(lambda: window.reminders_button.isVisible(), timeout=5000)
    assert window.reminders_button.text() == "1 reminder due"
    dashboard = window.show_page("dashboard")
    assert dashboard.reminders_card.value.text() == "1"
    assert server.messages == []  # automatic sending is off: nothing goes out unasked

    qtbot.mouseClick(window.reminders_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(RemindersDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.header.text() == "1 reminder due", timeout=10000)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_run is not None, timeout=10000)
    assert dialogs.confirmations == ["Send 1 payment reminder now?"] and len(server.messages) == 1
    dialog.close()
    qtbot.waitUntil(lambda: not window.reminders_button.isVisible(), timeout=5000)
    assert dashboard.reminders_card.value.text() == "0"
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()


def test_reminders_go_out_by_themselves_when_switched_on(qtbot, gui_db, customer_id, server, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    configure(gui_db, server.port)
    with transaction(gui_db.sessions) as s:
        settings.put(s, "reminders.auto_send", True)
    _overdue(gui_db, customer_id)
    window = _window(qtbot, gui_db, monkeypatch)
    qtbot.waitUntil(lambda: len(server.messages) == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "1 reminder sent.", timeout=5000)
    qtbot.waitUntil(lambda: window.reminders_due == 0, timeout=5000)  # counted again after sending
    assert dialogs.confirmations == []
    assert window.findChild(RemindersDialog) is None
    assert window.reminders is not None and window.reminders.timer.isActive()  # and again every hour
    window.close()
