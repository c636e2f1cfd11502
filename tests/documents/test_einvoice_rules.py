"""The official validation artefacts at work: every official example passes the rules of its format, a
tampered one is refused naming the rule, and what Invoicer writes passes the standard and its CIUS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from invoicer.core.errors import ValidationError
from invoicer.documents import einvoice_rules as rules
from invoicer.documents import pdf
from invoicer.documents.einvoice_rules import EInvoiceFormat, NotAnEInvoice
from invoicer.documents.facturx import XRECHNUNG_GUIDELINE, cii_xml, embed
from invoicer.documents.ubl import PEPPOL_CUSTOMIZATION, XRECHNUNG_CUSTOMIZATION, ubl_xml
from tests.documents.samples import BUYER, credit_note, make_document
from tests.documents.test_facturx import CASES

OFFICIAL = Path(__file__).resolve().parent / "official"
EXAMPLES = sorted(OFFICIAL.glob("*/*.xml"))
UBL_EXAMPLE = OFFICIAL / "en16931" / "ubl-tc434-example1.xml"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_official_example_passes_the_rules_of_its_format(example: Path) -> None:
    xml = example.read_bytes()
    check = rules.validate(xml)
    expected = {"xrechnung": {EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL},
                "en16931": {EInvoiceFormat.EN16931_CII, EInvoiceFormat.EN16931_UBL}}[example.parent.name]
    assert check.format in expected
    assert check.ok, [str(e) for e in check.errors]


def test_a_tampered_total_is_refused_naming_the_rules_it_breaks() -> None:
    root = etree.fromstring(UBL_EXAMPLE.read_bytes())
    payable = root.find(".//{*}LegalMonetaryTotal/{*}PayableAmount")
    payable.text = str(float(payable.text) + 1)
    check = rules.validate(etree.tostring(root))
    assert not check.ok
    broken = {failure.rule for failure in check.errors}
    assert "BR-CO-16" in broken  # amount due = total with VAT - paid + rounding
    assert all(failure.text for failure in check.errors)


def test_peppol_asks_more_than_the_standard() -> None:
    xml = UBL_EXAMPLE.read_bytes()
    assert rules.validate(xml, EInvoiceFormat.EN16931_UBL).ok
    peppol = rules.validate(xml, EInvoiceFormat.PEPPOL)
    assert "PEPPOL-EN16931-R001" in {f.rule for f in peppol.errors}  # a business process ID is required


def test_a_format_in_the_other_syntax_is_a_plain_refusal() -> None:
    check = rules.validate(UBL_EXAMPLE.read_bytes(), EInvoiceFormat.XRECHNUNG_CII)
    assert [f.rule for f in check.errors] == ["SYNTAX"]


def test_the_schema_is_checked_too() -> None:
    root = etree.fromstring(UBL_EXAMPLE.read_bytes())
    root.insert(0, etree.Element("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}Bogus"))
    check = rules.validate(etree.tostring(root))
    assert "XSD" in {f.rule for f in check.errors}


@pytest.mark.parametrize("document", [make_document, credit_note], ids=["invoice", "credit note"])
def test_what_invoicer_writes_passes_the_standard_and_the_factur_x_rules(document: object) -> None:
    xml = cii_xml(document())  # type: ignore[operator]
    # the Factur-X EN 16931 profile declares the standard itself (urn:cen.eu:en16931:2017)
    assert rules.guess_format(xml) == EInvoiceFormat.EN16931_CII
    check = rules.validate(xml, EInvoiceFormat.FACTURX)
    assert check.ok, [str(e) for e in check.errors]


def test_the_xml_inside_a_factur_x_pdf_is_read_and_checked(tmp_path: Path) -> None:
    doc = make_document()
    xml = cii_xml(doc)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(embed(pdf.render_pdf(doc), xml, doc, "Invoice", "Invoice"))
    assert rules.read_einvoice(path) == xml
    assert rules.validate(rules.read_einvoice(path), EInvoiceFormat.FACTURX).ok


def test_what_is_not_an_e_invoice_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotAnEInvoice, match="well-formed"):
        rules.validate(b"<not xml")
    with pytest.raises(NotAnEInvoice, match="neither CII nor UBL"):
        rules.validate(b"<html/>")
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(pdf.render_pdf(make_document()))
    with pytest.raises(NotAnEInvoice, match="no Factur-X"):
        rules.read_einvoice(plain)


# ---------------------------------------------------------------- what Invoicer writes, in every format

WRITERS = {
    EInvoiceFormat.PEPPOL: lambda doc: ubl_xml(doc, PEPPOL_CUSTOMIZATION),
    EInvoiceFormat.XRECHNUNG_UBL: lambda doc: ubl_xml(doc, XRECHNUNG_CUSTOMIZATION),
    EInvoiceFormat.XRECHNUNG_CII: lambda doc: cii_xml(doc, XRECHNUNG_GUIDELINE),
}


def for_public_buyers(doc: Any) -> Any:
    """What Peppol and XRechnung ask beyond EN 16931: a buyer reference (Leitweg-ID), a seller contact, and
    electronic addresses (Peppol IDs: the seller's German VAT ID, the buyer's D-U-N-S number)."""
    seller = replace(doc.seller, contact="Jana Müller", endpoint_scheme="9930", endpoint_id="DE123456788")
    buyer = replace(doc.buyer, email=doc.buyer.email or "ap@buyer.example", endpoint_scheme="0060",
                    endpoint_id="123456789")
    return replace(doc, buyer_reference="04011000-12345-03", seller=seller, buyer=buyer)


def is_outside_vat(case: str) -> bool:
    return case == "outside the scope of VAT"


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("case", [c for c in CASES if c != "line rounding"])
def test_every_case_passes_the_official_rules_of_every_format(case: str, fmt: EInvoiceFormat) -> None:
    doc = for_public_buyers(CASES[case]())
    if is_outside_vat(case) and fmt != EInvoiceFormat.PEPPOL:
        with pytest.raises(ValidationError, match="BR-DE-14"):
            WRITERS[fmt](doc)
        return
    xml = WRITERS[fmt](doc)
    assert rules.guess_format(xml) == fmt
    check = rules.validate(xml, fmt)
    assert check.ok, [str(e) for e in check.errors]


def test_peppol_needs_a_peppol_id_and_xrechnung_takes_an_email_address() -> None:
    doc = replace(for_public_buyers(make_document()), buyer=replace(BUYER, endpoint_scheme=None, endpoint_id=None))
    with pytest.raises(ValidationError, match="buyer's electronic address"):
        WRITERS[EInvoiceFormat.PEPPOL](doc)
    assert rules.validate(WRITERS[EInvoiceFormat.XRECHNUNG_UBL](doc), EInvoiceFormat.XRECHNUNG_UBL).ok


@pytest.mark.parametrize("fmt", [EInvoiceFormat.PEPPOL, EInvoiceFormat.XRECHNUNG_UBL])
def test_ubl_states_the_date_of_supply_and_the_service_periods(fmt: EInvoiceFormat) -> None:
    root = etree.fromstring(WRITERS[fmt](for_public_buyers(CASES["date of supply and service periods"]())))
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate/text()", namespaces=ns) == ["2026-10-20"]  # BT-72
    assert root.xpath("cac:InvoicePeriod/cbc:StartDate/text()", namespaces=ns) == ["2026-10-01"]  # BT-73
    assert root.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=ns) == ["2026-10-31"]  # BT-74
    assert root.xpath("cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate/text()", namespaces=ns) == ["2026-10-15"]
