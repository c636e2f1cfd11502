"""Issue 12 in the services: VAT rates compared as numbers, search without accents and case, payment methods as
codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.core.payment_methods import METHODS, method_code, method_label
from invoicer.core.text import fold
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import customers, invoices, payments, products, taxes
from invoicer.services.invoices import InvoiceFilter
from tests.services.helpers import make_open


def test_rates_are_stored_as_numbers_and_listed_highest_first(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        for name, rate in (("VAT 5.5 %", "5.5"), ("VAT 10 %", "10.00"), ("VAT 99 %", "99"), ("Tiny", "0.0025")):
            taxes.add_tax_rate(s, name, rate)
        stored = dict(s.execute(text("SELECT name, rate FROM tax_rates")).all())
        listed = [r.rate for r in taxes.list_tax_rates(s) if r.category == "S"]
    assert stored["VAT 5.5 %"] == 55000 and stored["Tiny"] == 25  # integers, so SQL sorts them
    assert listed == sorted(listed, reverse=True) and listed[0] == 99 and Decimal(10) in listed
    assert [str(r) for r in listed if r in (Decimal("5.5"), Decimal(10))] == ["10", "5.5"]


def test_a_rate_typed_with_trailing_zeros_is_the_same_rate(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        taxes.add_tax_rate(s, "VAT 12 %", "12")
    with pytest.raises(ConflictError, match="exists already"), transaction(seller.sessions) as s:
        taxes.add_tax_rate(s, "Again", "12.00")


def test_fold_drops_accents_case_and_ligatures() -> None:
    assert fold("  Müller   & Söhne ") == "muller & sohne"
    assert fold("Łódź STRASSE") == fold("lodz straße") == "lodz strasse"
    assert fold("Ærø") == "aero"


def test_search_ignores_accents_and_case(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        muller = customers.add_customer(s, customers.CustomerData(name="Jürgen Müller KG", country="DE"))
        customers.add_customer(s, customers.CustomerData(name="Other Ltd", country="GB"))
        products.add_product(s, products.ProductData(name="Crème brûlée", unit_price="4.50"))
    invoice_id = make_open(seller, muller)
    with transaction(seller.sessions) as s:
        assert [c.name for c in customers.list_customers(s, search="MULLER")] == ["Jürgen Müller KG"]
        assert [c.name for c in customers.list_customers(s, search="jurgen m")] == ["Jürgen Müller KG"]
        assert [p.name for p in products.list_products(s, search="creme BRULEE")] == ["Crème brûlée"]
        flt = InvoiceFilter(search="muller")
        assert [r.id for r in invoices.list_invoices(s, flt)] == [invoice_id]
        assert invoices.count_invoices(s, flt) == 1
        assert invoices.count_invoices(s, InvoiceFilter(search="100%")) == 0  # the term is taken literally
        customers.update_customer(s, muller, customers.CustomerData(name="Ørsted A/S", country="DK"))
        assert [c.name for c in customers.list_customers(s, search="orsted")] == ["Ørsted A/S"]
        assert invoices.count_invoices(s, InvoiceFilter(search="muller")) == 0


@pytest.mark.sqlite_only
def test_the_customer_search_is_read_from_an_index(seller: Database) -> None:
    with transaction(seller.readonly_sessions) as s:
        plan = " ".join(str(row[-1]) for row in s.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE search_name LIKE '%mul%' ESCAPE '\\'")))
    assert "ix_customers_search_name" in plan


def test_payment_methods_are_stored_as_codes(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 1000, date(2026, 11, 5), "Bank transfer")
        payments.record_payment(s, invoice_id, 1000, date(2026, 11, 5), "cash")
        payments.record_payment(s, invoice_id, 1000, date(2026, 11, 5), "48")
        stored = [m for (m,) in s.execute(text("SELECT method FROM payments ORDER BY id"))]
    assert stored == ["30", "10", "48"]
    with pytest.raises(ValidationError, match="not a payment method"), transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 1000, date(2026, 11, 5), "barter")


def test_every_method_has_a_label_and_old_words_show_as_typed() -> None:
    assert all(method_code(code) == code for code in METHODS)
    assert method_label("30") == "Bank transfer" and method_label("Bitcoin") == "Bitcoin" and method_label(None) == ""
    assert method_code("  ") is None
