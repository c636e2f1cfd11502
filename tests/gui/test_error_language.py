"""A refused action reads in the interface language: the engine's error goes through messages.show_error and
is shown in German when the app is in German."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from invoicer import i18n
from invoicer.db.engine import transaction
from invoicer.gui import messages
from invoicer.gui.app import apply_language
from invoicer.gui.main_window import MainWindow
from invoicer.services import customers, invoices, settings
from invoicer.services.invoices import DraftData, LineData


def test_finalize_without_company_profile_is_refused_in_german(qtbot, gui_db, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        settings.put(s, "ui.language", "de_DE")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        draft = invoices.create_draft(s, DraftData(customer, [LineData("Arbeit", "1", "100", "S", "19")]))
    shown: list[str] = []
    # the real show_error runs; only the modal box at its end is replaced
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(messages, "confirm", lambda parent, title, text, action: True)
    try:
        assert apply_language(gui_db) == "de_DE"
        window = MainWindow(gui_db)
        qtbot.addWidget(window)
        editor = window.open_invoice(draft)
        editor.finalize_action.trigger()
    finally:
        i18n.set_language("en_US")
    assert shown == [
        "Richten Sie zuerst Ihr Firmenprofil ein (es fehlt: Name, Adresse, PLZ, Ort, Land): Rechnungen brauchen "
        "Name, Adresse und Land des Verkäufers."
    ]
    assert editor.document.status == "draft"
