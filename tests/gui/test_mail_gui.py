"""The mail pieces of the GUI (pytest-qt, offscreen): mail settings with a connection test off the UI
thread, "Send invoice", the reminders dialog and the hourly watcher, against SMTP on 127.0.0.1."""

from __future__ import annotations

from datetime import date

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QLabel, QWidget

from invoicer import i18n
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.gui import messages
from invoicer.gui.dialogs.reminders_dialog import RemindersDialog, ReminderWatcher
from invoicer.gui.dialogs.send_invoice import open_send_invoice
from invoicer.gui.operations import Operations
from invoicer.gui.pages.mail_settings import MailSettingsWidget
from invoicer.mail import secrets
from invoicer.services import company, customers, settings
from tests.gui.conftest import Dialogs
from tests.mail.smtp_server import HOST, PASSWORD, USER, MemoryKeyring, RefusingKeyring, Server, ServerFactory
from tests.services.helpers import make_open
from tests.services.test_mailing import configure


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


@pytest.fixture
def ops(qtbot, gui_db: Database, dialogs: Dialogs) -> Operations:  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(
            s, name="Müller & Söhne GmbH", address="Hauptstraße 1", postcode="10115", city="Berlin", country="DE",
            vat_id="DE123456788", iban="DE89370400440532013000", currency="EUR", locale="de_DE",
        )
    return Operations(gui_db)


@pytest.fixture
def customer_id(gui_db: Database, ops: Operations) -> int:
    with transaction(gui_db.sessions) as s:
        return customers.add_customer(s, customers.CustomerData(
            name="ACME SARL", country="FR", vat_id="FR40303265045", locale="fr_FR", email="ap@acme.example"))


@pytest.fixture
def parent(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_mail_settings_save_to_settings_and_the_keyring(
    qtbot, ops: Operations, server: Server, dialogs: Dialogs, memory_keyring: MemoryKeyring  # type: ignore[no-untyped-def]
) -> None:
    form = MailSettingsWidget(ops)
    qtbot.addWidget(form)
    assert form.port.value() == 587 and form.security.currentData() == "starttls"
    form.security.setCurrentIndex(form.security.findData("ssl"))
    assert form.port.value() == 465  # follows the usual port of the mode
    form.security.setCurrentIndex(form.security.findData("starttls"))
    form.host.setText(HOST)
    form.port.setValue(server.port)
    form.user.setText(USER)
    form.password.setText(PASSWORD)
    form.from_address.setText(USER)
    form.from_name.setText("Buchhaltung")
    form.auto_send.setChecked(True)
    assert form.save(), dialogs.errors
    assert memory_keyring.store == {(secrets.SERVICE, f"{USER}@{HOST}"): PASSWORD}
    assert form.password.text() == "" and form.password.placeholderText() == "Stored in the system keyring"
    with transaction(ops.db.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == HOST and settings.get(s, "mail.port") == server.port
        assert settings.get(s, "mail.from_name") == "Buchhaltung" and settings.get(s, "reminders.auto_send") is True
        assert settings.get(s, "mail.user") == USER

    form.test_connection()
    qtbot.waitUntil(lambda: bool(dialogs.infos or dialogs.errors), timeout=10000)
    assert dialogs.infos == [f"The connection to {HOST}:{server.port} works, logged in as {USER}."]
    assert form.test_button.isEnabled() and server.logins == [(USER, PASSWORD)]

    form.password.setText("wrong")  # tried as typed, before saving
    form.test_connection()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=10000)
    assert "refused the login" in dialogs.errors[0] and form.test_button.isEnabled()


def test_templates_and_schedule_are_edited_in_the_form(qtbot, ops: Operations, dialogs: Dialogs) -> None:  # type: ignore[no-untyped-def]
    form = MailSettingsWidget(ops)
    qtbot.addWidget(form)
    assert form.schedule.rowCount() == 3
    # built-in levels and templates by their names, not their keys ("friendly", "reminder_friendly")
    assert [form.schedule.item(0, c).text() for c in range(3)] == ["friendly reminder", "-7", "Friendly reminder"]
    names = [form.template.itemText(i) for i in range(form.template.count())]
    assert "Invoice email" in names and not any("_" in name for name in names)
    form.template.setCurrentText("Invoice email")
    form.language.setCurrentIndex(form.language.findData("de"))
    assert form.subject.text() == "Rechnung {number} von {company}"
    form.subject.setText("Ihre Rechnung {number}")
    form.language.setCurrentIndex(form.language.findData("fr"))  # switching keeps the German edit
    form.template.setCurrentText("final_notice")
    form.language.setCurrentIndex(form.language.findData("en"))
    form.subject.setText("Final notice {number}")
    form.body.setPlainText("{amount_due} is overdue.")
    form._add_level({"level": "final", "days": 21, "template": "final_notice"})
    assert form.save(), dialogs.errors
    with transaction(ops.db.readonly_sessions) as s:
        stored = settings.get(s, "mail.templates")
        assert stored["invoice"]["de"]["subject"] == "Ihre Rechnung {number}"
        assert stored["final_notice"] == {"en": {"subject": "Final notice {number}", "body": "{amount_due} is overdue."}}
        assert settings.get(s, "reminders.schedule")[-1] == {"level": "final", "days": 21, "template": "final_notice"}
        assert settings.get(s, "reminders.schedule")[0] == {"level": "friendly", "days": -7,
                                                              "template": "reminder_friendly"}  # stored as keys
        assert settings.get(s, "mail.host") == ""  # no server typed: mail stays unconfigured

    form.subject.setText("Oops {nummer}")
    assert not form.save() and "unknown placeholder {nummer}" in dialogs.errors[-1]
    form._reset_template()
    form._add_level({"level": "later", "days": "soon", "template": "reminder_due"})
    assert not form.save() and "whole number" in dialogs.errors[-1]


def test_without_a_keyring_the_form_says_so(qtbot, ops: Operations, dialogs: Dialogs) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(keyring.backends.fail.Keyring())
    form = MailSettingsWidget(ops)
    qtbot.addWidget(form)
    assert "no system keyring" in form.keyring_note.text()
    form.host.setText(HOST)
    form.user.setText(USER)
    form.from_address.setText(USER)
    form.password.setText(PASSWORD)
    form.auto_send.setChecked(True)
    assert not form.save() and "No system keyring is available" in dialogs.errors[0]
    assert_nothing_saved(ops)


def assert_nothing_saved(ops: Operations) -> None:
    with transaction(ops.db.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == "" and settings.get(s, "mail.user") is None
        assert settings.get(s, "reminders.auto_send") is False


def test_a_keyring_that_refuses_saves_nothing(qtbot, ops: Operations, dialogs: Dialogs) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(RefusingKeyring())
    form = MailSettingsWidget(ops)
    qtbot.addWidget(form)
    form.host.setText(HOST)
    form.user.setText(USER)
    form.from_address.setText(USER)
    form.password.setText(PASSWORD)
    form.auto_send.setChecked(True)
    assert not form.save()
    assert dialogs.errors == ["No system keyring is available here (the keyring is locked), so the mail password "
                              "cannot be stored; Invoicer asks for it when sending and keeps it only until the "
                              "program ends."]
    assert_nothing_saved(ops)
    assert form.password.text() == PASSWORD  # still typed in: nothing to type again after unlocking the keyring


def test_a_password_needs_the_user_name(qtbot, ops: Operations, dialogs: Dialogs, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    form = MailSettingsWidget(ops)
    qtbot.addWidget(form)
    form.host.setText(HOST)
    form.from_address.setText(USER)
    form.password.setText(PASSWORD)
    assert not form.save() and dialogs.errors == ["A mail password belongs to a user name: give the user name too."]
    assert memory_keyring.store == {}
    with transaction(ops.db.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == ""


def test_send_invoice_previews_sends_and_asks_before_sending_again(
    qtbot, ops: Operations, customer_id: int, server: Server, dialogs: Dialogs, parent: QWidget  # type: ignore[no-untyped-def]
) -> None:
    configure(ops.db, server.port)
    invoice_id = make_open(ops.db, customer_id)
    changed: list[str] = []
    ops.changed.connect(changed.append)
    dialog = open_send_invoice(ops, parent, invoice_id)
    assert dialog is not None
    assert dialog.to.text() == "ap@acme.example"
    assert dialog.findChild(QLabel, "send_subject").text() == "Facture INV-2026-00001 de Müller & Söhne GmbH"
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=10000)
    assert [m.rcpt_tos for m in server.messages] == [["ap@acme.example"]]
    assert dialogs.infos == ["INV-2026-00001 was sent to ap@acme.example."] and changed == ["invoices"]

    again = open_send_invoice(ops, parent, invoice_id)
    assert again is not None and again.findChild(QLabel, "send_warning") is not None
    dialogs.confirm_answer = False
    again.send_button.click()
    assert len(dialogs.confirmations) == 1 and len(server.messages) == 1
    dialogs.confirm_answer = True
    again.to.setText("boss@acme.example")
    again.send_button.click()
    qtbot.waitUntil(lambda: again.sent is not None, timeout=10000)
    assert server.messages[1].rcpt_tos == ["boss@acme.example"]


def test_send_invoice_asks_for_a_password_the_keyring_does_not_have(
    qtbot, ops: Operations, customer_id: int, server: Server, dialogs: Dialogs, parent: QWidget,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(ops.db, server.port)
    secrets.delete_password(HOST, USER)
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_password", lambda parent, why: asked.append(why) or PASSWORD)
    dialog = open_send_invoice(ops, parent, make_open(ops.db, customer_id))
    assert dialog is not None
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=10000)
    assert "No mail password is stored" in asked[0] and len(server.messages) == 1
    assert secrets.stored_password(HOST, USER) is None  # used once, not kept


def test_send_invoice_refusals_are_shown(ops: Operations, customer_id: int, dialogs: Dialogs, parent: QWidget) -> None:
    invoice_id = make_open(ops.db, customer_id)
    assert open_send_invoice(ops, parent, invoice_id) is None
    assert "Outgoing mail is not set up yet" in dialogs.errors[0]


def test_the_reminders_dialog_lists_and_sends_after_confirmation(
    qtbot, ops: Operations, customer_id: int, server: Server, dialogs: Dialogs, parent: QWidget  # type: ignore[no-untyped-def]
) -> None:
    configure(ops.db, server.port)
    make_open(ops.db, customer_id, date(2026, 3, 2), due_date=date(2026, 4, 1))
    dialog = RemindersDialog(ops, date(2026, 4, 4), parent)
    qtbot.addWidget(dialog)
    # read in the background (a second at a million invoices): nothing can be sent until the list is there
    assert dialog.header.text() == "Reading the reminders due…" and not dialog.send_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.loading(), timeout=10000)
    assert dialog.header.text() == "1 reminder due" and dialog.send_button.text() == "Send 1 reminder"
    assert [dialog.model.index(0, c).data() for c in range(4)] == [
        "INV-2026-00001", "ACME SARL", "overdue", "ap@acme.example"]
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.last_run is not None, timeout=10000)
    assert dialogs.confirmations == ["Send 1 payment reminder now?"] and dialogs.infos == ["1 reminder sent."]
    assert server.messages[0].message["Subject"] == "Relance : facture INV-2026-00001 échue"
    qtbot.waitUntil(lambda: dialog.header.text() == "No reminders are due.", timeout=10000)  # read again
    assert not dialog.send_button.isEnabled()


def test_the_watcher_counts_and_sends_automatically_when_switched_on(
    qtbot, ops: Operations, customer_id: int, server: Server, parent: QWidget  # type: ignore[no-untyped-def]
) -> None:
    configure(ops.db, server.port)
    make_open(ops.db, customer_id, date(2026, 3, 2), due_date=date(2026, 4, 1))
    watcher = ReminderWatcher(ops, parent, interval_ms=3_600_000, today=lambda: date(2026, 4, 1))
    counts: list[int] = []
    watcher.due_changed.connect(counts.append)
    watcher.start()
    qtbot.waitUntil(lambda: counts == [1], timeout=10000)
    assert watcher.timer.isActive() and server.messages == []

    with transaction(ops.db.sessions) as s:
        settings.put(s, "reminders.auto_send", True)
    summaries: list[str] = []
    watcher.auto_sent.connect(summaries.append)
    watcher.check()
    qtbot.waitUntil(lambda: bool(summaries) and not watcher.counting() and len(counts) == 3, timeout=10000)
    assert summaries == ["1 reminder sent."] and counts == [1, 1, 0] and len(server.messages) == 1


def test_the_watcher_never_asks_for_a_password_by_itself(
    qtbot, ops: Operations, customer_id: int, server: Server, parent: QWidget  # type: ignore[no-untyped-def]
) -> None:
    configure(ops.db, server.port)
    secrets.delete_password(HOST, USER)
    with transaction(ops.db.sessions) as s:
        settings.put(s, "reminders.auto_send", True)
    make_open(ops.db, customer_id, date(2026, 3, 2), due_date=date(2026, 4, 1))
    watcher = ReminderWatcher(ops, parent, today=lambda: date(2026, 4, 1))
    problems: list[str] = []
    watcher.auto_failed.connect(problems.append)
    counts: list[int] = []
    watcher.due_changed.connect(counts.append)
    watcher.check()
    qtbot.waitUntil(lambda: bool(problems), timeout=10000)
    assert counts == [1] and "No mail password is stored" in problems[0] and server.messages == []


def test_the_watcher_counts_off_the_ui_thread(
    qtbot, ops: Operations, customer_id: int, parent: QWidget, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """Counting the due reminders reads every overdue invoice (1.2 s at a million invoices): 3 s after the start,
    every hour and after each change, the window froze that long while the user typed. The count now runs in a
    background read, and its answer reaches the window on the UI thread."""
    import threading

    from invoicer.gui.dialogs import reminders_dialog

    make_open(ops.db, customer_id, date(2026, 3, 2), due_date=date(2026, 4, 1))
    read_in: list[threading.Thread] = []
    counted = reminders_dialog.due_reminders

    def due(*args: object, **kwargs: object) -> list[reminders_dialog.DueReminder]:
        read_in.append(threading.current_thread())
        return counted(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reminders_dialog, "due_reminders", due)
    watcher = ReminderWatcher(ops, parent, today=lambda: date(2026, 4, 1))
    delivered: list[tuple[int, threading.Thread]] = []
    watcher.due_changed.connect(lambda count: delivered.append((count, threading.current_thread())))
    watcher.check()
    qtbot.waitUntil(lambda: bool(delivered), timeout=10000)
    assert read_in and read_in[0] is not threading.main_thread()
    assert delivered == [(1, threading.main_thread())]


def test_the_mail_pieces_speak_the_interface_language(qtbot, ops: Operations, parent: QWidget) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language("de_DE")
    try:
        dialog = RemindersDialog(ops, date(2026, 4, 4), parent)
        qtbot.addWidget(dialog)
        assert dialog.header.text() == "Fällige Zahlungserinnerungen werden gelesen…"
        qtbot.waitUntil(lambda: not dialog.loading(), timeout=10000)
        assert dialog.header.text() == "Keine Erinnerungen fällig."
        form = MailSettingsWidget(ops)
        qtbot.addWidget(form)
        assert form.test_button.text() == "Verbindung testen"
        assert form.security.itemText(form.security.findData("none")) == "keine (unverschlüsselt)"
    finally:
        i18n.set_language("en_US")
