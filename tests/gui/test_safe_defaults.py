"""Defaults that decide money: the VAT rate of a new line, and a customer added from the invoice editor."""

from __future__ import annotations

from datetime import timedelta

from gui_helpers import run_modal, sidebar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from invoicer.db.engine import transaction
from invoicer.services import company, customers, settings, taxes


def _rates(db, country: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        company.update_company(s, country=country)
        taxes.add_tax_rate(s, "VAT 19 %", "19", "S")
        taxes.add_tax_rate(s, "VAT 7 %", "7", "S")  # as text "7" > "19": the last standard rate once won


def _customer(db, name: str = "Globex AG", **extra: object) -> int:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        return customers.add_customer(s, customers.CustomerData(name=name, country="DE", **extra))  # type: ignore[arg-type]


def test_a_new_line_takes_the_countrys_standard_rate(window, gui_db):  # type: ignore[no-untyped-def]
    _rates(gui_db, "DE")
    editor = window.new_invoice(_customer(gui_db))
    assert editor.lines.rows[0]["tax"] == "S|19"
    assert [value for value, _name in editor.tax_rows] == ["S|19", "S|7"]  # numbers, highest first


def test_the_default_rate_is_a_setting(window, gui_db):  # type: ignore[no-untyped-def]
    _rates(gui_db, "DE")
    with transaction(gui_db.sessions) as s:
        assert settings.DEFAULT_TAX_RATE.get(s) == 19
        settings.put(s, "invoice.default_tax_rate", "7")
    editor = window.new_invoice(_customer(gui_db))
    assert editor.lines.rows[0]["tax"] == "S|7"


def test_without_known_country_rates_the_highest_entered_rate_is_the_default(window, gui_db):  # type: ignore[no-untyped-def]
    _rates(gui_db, "US")
    with transaction(gui_db.sessions) as s:
        assert settings.DEFAULT_TAX_RATE.get(s) == 19
    editor = window.new_invoice(_customer(gui_db))
    assert editor.lines.rows[0]["tax"] == "S|19"


def test_rates_are_listed_by_number(gui_db):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        for rate in ("7", "19", "5.5", "20"):
            taxes.add_tax_rate(s, f"VAT {rate} %", rate, "S")
        taxes.add_tax_rate(s, "Zero", "0", "Z")
        listed = [(r.category, str(r.rate)) for r in taxes.list_tax_rates(s)]
    assert listed == [("S", "20"), ("S", "19"), ("S", "7"), ("S", "5.5"), ("Z", "0")]


def test_a_customer_added_from_the_editor_is_applied(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _rates(gui_db, "DE")
    _customer(gui_db, "Zeta GmbH")  # sorts after the new one: the refilled picker lands on the new one at index 0
    editor = window.new_invoice()

    def fill(dialog: QDialog) -> None:
        dialog.name.setText("Acme Ltd")  # type: ignore[attr-defined]
        dialog.currency.set_code("GBP")  # type: ignore[attr-defined]
        dialog.terms.setValue(10)  # type: ignore[attr-defined]
        dialog.accept()

    run_modal(qtbot, editor.new_customer.click, fill)
    assert dialogs.errors == []
    assert editor.customer.currentText() == "Acme Ltd"
    assert editor.currency.text() == "GBP"
    issue = editor.issue_date.date().toPython()
    assert editor.due_date.date().toPython() == issue + timedelta(days=10)
    assert editor.is_dirty()


def test_an_open_editor_picks_up_new_customers_and_rates(qtbot, window, gui_db):  # type: ignore[no-untyped-def]
    editor = window.new_invoice(_customer(gui_db))
    window.ops.add_tax_rate(window, "VAT 19 %", "19", "S", None)
    window.ops.add_customer(window, customers.CustomerData(name="Newcomer", country="DE"))
    assert "S|19" in [value for value, _name in editor.tax_choices()]
    assert editor.customer.findText("Newcomer") >= 0
    assert editor.customer.currentText() == "Globex AG"  # the chosen customer stays


def test_the_default_rate_is_chosen_in_settings(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _rates(gui_db, "DE")
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin")
    page = sidebar(qtbot, window, "Settings")
    assert page.default_rate.currentText() == "VAT 19 %"
    page.default_rate.setCurrentIndex(page.default_rate.findText("VAT 7 %"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    with transaction(gui_db.readonly_sessions) as s:
        assert settings.DEFAULT_TAX_RATE.get(s) == 7

