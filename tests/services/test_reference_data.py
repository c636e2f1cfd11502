"""Codes, VAT IDs and e-mail addresses as the services accept them, and stored codes that are no longer valid."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Customer, Invoice
from invoicer.services import customers, invoices, taxes, validation
from tests.services.helpers import make_draft


@pytest.mark.parametrize("code", ["HRK", "DEM", "FRF"])
def test_a_withdrawn_currency_is_refused(seller: Database, code: str) -> None:
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="not an ISO currency code"):
        customers.add_customer(s, customers.CustomerData(name="Kuna d.o.o.", country="HR", currency=code))


@pytest.mark.parametrize("code", ["XK", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"])
def test_a_territory_outside_en16931_is_refused(code: str) -> None:
    with pytest.raises(ValidationError, match="not an ISO country code"):
        validation.country(code)


def test_kosovo_and_northern_ireland_are_countries() -> None:
    assert validation.country("1a") == "1A" and validation.country("XI") == "XI"


@pytest.mark.parametrize(("text", "country"), [("XI123456789", "XI"), ("123456789", "XI"), ("EL123456789", "GR")])
def test_vat_ids_are_checked_with_the_eu_scheme(text: str, country: str) -> None:
    with pytest.raises(ValidationError, match="not a valid VAT ID"):
        validation.vat_id(text, country)


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("XI 980 7806 84", "XI", "XI980780684"),  # Northern Ireland, a valid checksum
    ("980780684", "XI", "XI980780684"),
    ("EL094259216", "GR", "EL094259216"),
    ("de 136 695 976", None, "DE136695976"),
    ("CHE-116.281.710 MWST", "CH", "CHE116281710MWST"),  # outside the EU: the country's own scheme
])
def test_valid_vat_ids(text: str, country: str | None, expected: str) -> None:
    assert validation.vat_id(text, country) == expected


@pytest.mark.parametrize("text", ["me@localhost", "a@b.test", "x@@y.de", "user@mail.invalid", "a b@c.de"])
def test_bad_email_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        validation.email(text)


def test_email_addresses_are_normalised_without_dns() -> None:
    assert validation.email(" Jörg@Müller.DE ") == "Jörg@müller.de"
    assert validation.email("ap@acme.example") == "ap@acme.example"


def test_a_customer_in_a_withdrawn_currency_opens_and_finalize_refuses_it(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    with transaction(seller.sessions) as s:  # stored when HRK was still legal tender
        s.execute(update(Customer).where(Customer.id == customer_id).values(currency="HRK", country="XK"))
        s.execute(update(Invoice).where(Invoice.id == draft).values(currency="HRK"))
    with seller.readonly_sessions() as s:
        assert customers.customer_data(customers.get_customer(s, customer_id)).currency == "HRK"
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="HRK is no longer a valid currency"):
        invoices.finalize_invoice(s, draft)
    with transaction(seller.sessions) as s:
        s.execute(update(Invoice).where(Invoice.id == draft).values(currency="EUR"))
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="'XK' is not a country code"):
        invoices.finalize_invoice(s, draft)


def test_an_exemption_reason_may_start_with_a_vatex_code_from_the_list(seller: Database) -> None:
    with transaction(seller.sessions) as s:
        taxes.add_tax_rate(s, "Intra-EU", "0", "K", "VATEX-EU-IC Intra-community supply")
        with pytest.raises(ValidationError, match="'VATEX-EU-XYZ' is not a VATEX exemption reason code"):
            taxes.add_tax_rate(s, "Exempt", "0", "E", "VATEX-EU-XYZ: made up")
