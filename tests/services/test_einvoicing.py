"""E-invoicing in the services: the format each customer gets, the refusal at finalize of what the official
rules reject (invoices and credit notes), snapshots that stay as they were, and the email each format needs."""

from __future__ import annotations

import json
from datetime import date

import pytest

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.i18n import translator
from invoicer.services import company, credit_notes, customers, einvoicing, invoices, mailing
from tests.mail.smtp_server import PASSWORD, USER, Server, ServerFactory
from tests.services.test_mailing import configure

from .helpers import make_draft, make_open


@pytest.mark.parametrize(("country", "public_body", "peppol", "expected"), [
    ("DE", True, False, EInvoiceFormat.XRECHNUNG_CII),
    ("DE", True, True, EInvoiceFormat.XRECHNUNG_CII),
    ("FR", True, True, EInvoiceFormat.PEPPOL),
    ("FR", True, False, EInvoiceFormat.FACTURX),  # not reachable on Peppol: the PDF it can read
    ("NO", True, True, EInvoiceFormat.FACTURX),  # outside the EU
    ("DE", False, True, EInvoiceFormat.FACTURX),
])
def test_the_default_format(country: str, public_body: bool, peppol: bool, expected: EInvoiceFormat) -> None:
    assert einvoicing.default_format(country, public_body, peppol) is expected


def _set(db: Database, customer_id: int, **changes: object) -> None:
    with transaction(db.sessions) as s:
        data = customers.customer_data(customers.get_customer(s, customer_id))
        customers.update_customer(s, customer_id, customers.CustomerData(**{**vars(data), **changes}))


def test_a_chosen_format_wins_over_the_default(seller: Database, customer_id: int) -> None:
    _set(seller, customer_id, public_body=True, endpoint_scheme="0009", endpoint_id="12345678200016")
    with transaction(seller.sessions) as s:
        assert einvoicing.customer_format(customers.get_customer(s, customer_id)) is EInvoiceFormat.PEPPOL
    _set(seller, customer_id, einvoice_format="xrechnung-ubl")
    with transaction(seller.sessions) as s:
        assert einvoicing.customer_format(customers.get_customer(s, customer_id)) is EInvoiceFormat.XRECHNUNG_UBL


def test_snapshots_without_the_new_fields_are_what_they_were(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        assert set(json.loads(company.snapshot(company.get_company(s)))) == {
            "name", "address", "postcode", "city", "country", "vat_id", "tax_number", "email", "phone", "iban",
            "bic", "currency", "locale", "logo_path", "legal_details"}
        assert "endpoint_id" not in customers.snapshot(customers.get_customer(s, customer_id))
        company.update_company(s, contact="Erika Mustermann", endpoint_scheme="9930", endpoint_id="DE123456788")
        frozen = json.loads(company.snapshot(company.get_company(s)))
        assert (frozen["contact"], frozen["endpoint_scheme"], frozen["endpoint_id"]) == (
            "Erika Mustermann", "9930", "DE123456788")


def test_finalize_refuses_an_invoice_its_format_rejects_and_takes_no_number(
    seller: Database, customer_id: int
) -> None:
    _set(seller, customer_id, einvoice_format="peppol", endpoint_scheme="0009", endpoint_id="12345678200016")
    with transaction(seller.sessions) as s:
        company.update_company(s, endpoint_scheme="9930", endpoint_id="DE123456788")
    draft = make_draft(seller, customer_id)  # no buyer reference: Peppol's rule R003
    with pytest.raises(ValidationError) as refused, transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
    assert str(refused.value).startswith("The Peppol BIS Billing 3.0 e-invoice would be rejected by the official "
                                         "rules (1 failed), first PEPPOL-EN16931-R003: Peppol needs the buyer "
                                         "reference (BT-10) or the buyer's purchase order number (BT-13)")
    assert "die Bestellnummer des Käufers (BT-13)" in refused.value.text.render(translator("de").gettext)
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, draft).number is None
    issued = make_open(seller, customer_id, buyer_reference="PO-4711")
    with transaction(seller.sessions) as s:
        fmt, xml = einvoicing.document_einvoice(s, invoices.get_invoice(s, issued))
    assert fmt is EInvoiceFormat.PEPPOL and validate(xml, fmt).ok


def test_a_credit_note_is_checked_in_the_customers_format_too(seller: Database, customer_id: int) -> None:
    _set(seller, customer_id, address="1 rue de la Paix", postcode="75002", city="Paris")
    invoice = make_open(seller, customer_id, buyer_reference="PO-4711")
    # the customer moves to XRechnung, which needs the seller's contact point (BR-DE-5) the profile lacks
    _set(seller, customer_id, einvoice_format="xrechnung-ubl")
    refused = r"XRechnung \(UBL\).*BR-DE-5: The seller's contact person \(BT-41\) is missing"
    with pytest.raises(ValidationError, match=refused), transaction(seller.sessions) as s:
        credit_notes.issue_credit_note(s, invoice, full=True, issue_date=date(2026, 11, 3))
    with transaction(seller.sessions) as s:
        company.update_company(s, contact="Erika Mustermann", phone="+49 30 123456")
        note = credit_notes.issue_credit_note(s, invoice, full=True, issue_date=date(2026, 11, 3))
        fmt, xml = einvoicing.document_einvoice(s, invoices.get_invoice(s, note.credit_note_id, None))
    assert fmt is EInvoiceFormat.XRECHNUNG_UBL and b"<cbc:CreditNoteTypeCode>381" in xml


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


def test_the_email_carries_what_the_format_needs(seller: Database, customer_id: int, server: Server) -> None:
    configure(seller, server.port)
    facturx = make_open(seller, customer_id)
    mailing.send_invoice(seller, facturx, today=date(2026, 11, 2))
    _set(seller, customer_id, einvoice_format="peppol", endpoint_scheme="0009", endpoint_id="12345678200016")
    with transaction(seller.sessions) as s:
        company.update_company(s, endpoint_scheme="9930", endpoint_id="DE123456788")
    peppol = make_open(seller, customer_id, buyer_reference="PO-4711")
    with transaction(seller.sessions) as s:
        assert mailing.preview(s, peppol).attachment == "INV-2026-00002.pdf, INV-2026-00002.xml"
    mailing.send_invoice(seller, peppol, today=date(2026, 11, 2))

    first, second = (received.message for received in server.messages)
    assert [a.get_filename() for a in first.iter_attachments()] == ["INV-2026-00001.pdf"]
    pdf, xml = second.iter_attachments()
    assert (pdf.get_filename(), pdf.get_content_type()) == ("INV-2026-00002.pdf", "application/pdf")
    assert (xml.get_filename(), xml.get_content_type()) == ("INV-2026-00002.xml", "application/xml")
    content = xml.get_content()
    content = content.encode() if isinstance(content, str) else content
    assert validate(content, EInvoiceFormat.PEPPOL).ok and b"poacc:billing:3.0" in content
