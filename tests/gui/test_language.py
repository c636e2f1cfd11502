"""The interface follows the ui.language setting: German labels, German money and date formats."""

from __future__ import annotations

from datetime import date

import pytest

from invoicer import i18n
from invoicer.db.engine import transaction
from invoicer.gui.app import apply_language
from invoicer.gui.main_window import MainWindow
from invoicer.gui.style import day, money, plain_decimal
from invoicer.services import settings


def test_german_interface_from_the_setting(qtbot, gui_db, dialogs):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        settings.put(s, "ui.language", "de_DE")
    try:
        assert apply_language(gui_db) == "de_DE"
        window = MainWindow(gui_db)
        qtbot.addWidget(window)
        titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
        assert titles[:3] == ["Übersicht", "Rechnungen", "Rechnungskorrekturen"]
        page = window.show_page("invoices")
        assert page.search.placeholderText() == "Nummer, Kunde oder Referenz suchen"
        assert money(123450, "EUR") == "1.234,50\xa0€"
        assert day(date(2026, 3, 1)) == "01.03.2026"  # four-digit years
        assert plain_decimal("1.234,5") == "1234.5"
    finally:
        i18n.set_language("en_US")


@pytest.mark.parametrize(("language", "titles", "placeholder", "amount"), [
    ("fr_FR", ["Tableau de bord", "Factures", "Avoirs"], "Rechercher numéro, client ou référence",
     "1\u202f234,50\xa0€"),
    ("es_ES", ["Panel", "Facturas", "Facturas rectificativas"], "Buscar número, cliente o referencia",
     "1.234,50\xa0€"),
])
def test_french_and_spanish_interfaces(qtbot, gui_db, dialogs, language, titles, placeholder, amount):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        settings.put(s, "ui.language", language)
    try:
        assert apply_language(gui_db) == language
        window = MainWindow(gui_db)
        qtbot.addWidget(window)
        assert [window.sidebar.item(i).text() for i in range(3)] == titles
        page = window.show_page("invoices")
        assert page.search.placeholderText() == placeholder
        assert page.customer.currentText() in ("Tous les clients", "Todos los clientes")
        assert money(123450, "EUR") == amount
    finally:
        i18n.set_language("en_US")
