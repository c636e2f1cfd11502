"""Numbers and dates as a reader expects them: four-digit years in every language, unit prices with their
currency's decimals (never rounded), the history in local time, recent activity naming what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from gui_helpers import sidebar
from PySide6.QtCore import Qt

from invoicer import i18n
from invoicer.db.engine import transaction
from invoicer.gui.style import day, local_time, moment, price
from invoicer.services import customers, products, settings, setup


@pytest.mark.parametrize(("language", "shown"), [
    ("en_US", "1/5/2026"), ("de_DE", "05.01.2026"), ("fr_FR", "05/01/2026"), ("es_ES", "5/1/2026"),
    ("en_GB", "05/01/2026"), ("nl_NL", "05-01-2026"),
])
def test_dates_have_four_digit_years(gui_db, language: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language(language)
    try:
        assert day(date(2026, 1, 5)) == shown
    finally:
        i18n.set_language("en_US")


@pytest.mark.parametrize(("value", "currency", "language", "shown"), [
    ("80", "EUR", "de_DE", "80,00"), ("12.3456", "EUR", "de_DE", "12,3456"), ("1234.5", "USD", "en_US", "1,234.50"),
    ("1500", "JPY", "en_US", "1,500"), ("2.5", "BHD", "en_US", "2.500"), ("-3", "CHF", "fr_FR", "-3,00"),
])
def test_unit_prices_show_their_currencys_decimals(gui_db, value, currency, language, shown) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language(language)
    try:
        assert price(Decimal(value), currency) == shown
    finally:
        i18n.set_language("en_US")


def test_the_product_list_and_dialog_show_prices_with_cents(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        setup.save_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE")
        products.add_product(s, products.ProductData(name="Support hour", unit_price="80", unit="HUR"))
        products.add_product(s, products.ProductData(name="Screw", unit_price="0.0125", unit="C62"))
    page = sidebar(qtbot, window, "Products")
    shown = {page.product_model.record(r).name: page.product_model.index(r, 2).data()
             for r in range(page.product_model.rowCount())}
    assert shown == {"Support hour": "80.00", "Screw": "0.0125"}


def test_history_times_are_local(gui_db) -> None:  # type: ignore[no-untyped-def]
    stored = datetime(2026, 7, 1, 12, 0)  # naive UTC, as the audit log keeps it
    local = stored.replace(tzinfo=UTC).astimezone()
    assert local_time(stored) == local.replace(tzinfo=None)
    assert moment(stored).startswith(day(local.date())) and local.strftime("%-I:%M") in moment(stored)


def test_recent_activity_names_what_changed(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        setup.save_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE")
        customers.add_customer(s, customers.CustomerData(name="Müller GmbH", country="DE"))
        settings.put(s, "invoice.terms_days", 21)
    board = sidebar(qtbot, window, "Dashboard")
    board.refresh()
    lines = [board.recent.item(i).text() for i in range(board.recent.count())]
    assert any(line.endswith("Customer “Müller GmbH” created") for line in lines), lines
    assert any(line.endswith("Setting “Default payment terms (days)” updated") for line in lines), lines
    assert any(line.endswith("Company profile updated") for line in lines), lines
    assert all("_" not in line for line in lines), lines


def test_the_backup_list_says_why_in_words(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    page = sidebar(qtbot, window, "Settings")
    qtbot.mouseClick(page.findChild(QPushButton, "backup_now"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backups.count() > 0, timeout=20000)  # the backup runs in a worker thread
    shown = [page.backups.item(i).text() for i in range(page.backups.count())]
    assert " · made by hand · " in shown[0], shown


def test_interface_languages_are_named_in_their_own_language(qtbot, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.widgets.pickers import LocalePicker

    i18n.set_language("de_DE")
    try:
        picker = LocalePicker(allow_system="Systemsprache", languages_only=True)
        qtbot.addWidget(picker)
        assert [picker.itemText(i) for i in range(picker.count())] == [
            "Systemsprache", "English", "Deutsch", "Français", "Español"]
        documents = LocalePicker()
        qtbot.addWidget(documents)
        assert documents.itemText(documents.findData("fr_FR")) == "Französisch (Frankreich)"  # in the reader's
    finally:
        i18n.set_language("en_US")


def test_the_reminders_list_names_the_recipient_not_a_date_bound(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.reminders_dialog import RemindersDialog

    i18n.set_language("de_DE")
    try:
        dialog = RemindersDialog(window.ops, parent=window)
        qtbot.addWidget(dialog)
        titles = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.model.columnCount())]
        assert "Empfänger" in titles and "Bis" not in titles
    finally:
        i18n.set_language("en_US")
