"""First run: a checklist instead of a dashboard of zeros, and the country's VAT rates seeded with the company."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gui_helpers import sidebar

from invoicer.db.engine import transaction
from invoicer.services import customers, invoices, setup, taxes
from invoicer.services.company import CompanyData
from invoicer.services.invoices import DraftData, LineData

PROFILE = {"name": "Acme", "address": "Main St 1", "postcode": "10115", "city": "Berlin"}


def _rates(db) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    with transaction(db.readonly_sessions) as s:
        return [(r.category, r.rate) for r in taxes.list_tax_rates(s)]


@pytest.mark.parametrize(("country", "standard"), [
    ("DE", "19"), ("AT", "20"), ("FR", "20"), ("BE", "21"), ("NL", "21"), ("ES", "21"), ("IT", "22"), ("CH", "8.1"),
    ("GB", "20"),
])
def test_setting_up_the_company_seeds_the_countrys_rates(db, country: str, standard: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        setup.save_company(s, country=country, **PROFILE)
    rates = _rates(db)
    assert rates[0] == ("S", Decimal(standard)) and len(rates) >= 2


def test_no_rates_for_the_us_and_none_added_to_a_users_own_list(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        setup.save_company(s, country="US", **PROFILE)
    assert _rates(db) == []
    with transaction(db.sessions) as s:
        taxes.add_tax_rate(s, "Own", "16", "S")
        setup.save_company(s, country="DE")
    assert _rates(db) == [("S", Decimal("16"))]


def test_the_checklist_leads_to_the_first_invoice_and_goes(qtbot, window, gui_db) -> None:  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Dashboard")
    assert page.checklist.isVisible() and not page.overview.isVisible()
    assert all(button.isEnabled() for button in page.checklist.buttons.values())

    window.ops.save_company(window, CompanyData(country="DE", **PROFILE))
    assert not page.checklist.buttons["company"].isEnabled()
    assert not page.checklist.buttons["vat_rates"].isEnabled()  # seeded with the profile
    assert page.checklist.buttons["company"].text().startswith("✓")
    customer = window.ops.add_customer(window, customers.CustomerData(name="Globex AG", country="DE"))
    assert not page.checklist.buttons["customer"].isEnabled() and page.checklist.isVisible()

    with transaction(gui_db.sessions) as s:
        invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))
    window.ops.changed.emit("invoices")
    assert not page.checklist.isVisible() and page.overview.isVisible()


def test_a_step_takes_the_user_there(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Dashboard")
    page.checklist.buttons["vat_rates"].click()
    products = window.stack.currentWidget()
    assert products is window.pages["products"] and products.tabs.currentIndex() == 1
