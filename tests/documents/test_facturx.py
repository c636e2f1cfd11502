"""The Factur-X CII XML: schema, EN 16931 business rules, amounts equal to the engine's."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from invoicer.core.errors import ValidationError
from invoicer.core.money import format_minor
from invoicer.core.totals import TaxRounding
from invoicer.documents import pdf
from invoicer.documents.facturx import NSMAP, build_cii, check_xsd, cii_xml
from invoicer.documents.model import Document, DocumentMark, Party
from tests.documents.samples import BUYER, credit_note, make_document

US_BUYER = Party("Acme Inc.", "1 Main Street", "10001", "New York", "US")

OCTOBER = {"period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31)}


def _supplied(doc: Document, delivery: date | None = date(2026, 10, 20)) -> Document:
    """The document for October's services (EU VAT Art. 226(7)), its last line for the first half only."""
    last = replace(doc.lines[-1], period_start=date(2026, 10, 1), period_end=date(2026, 10, 15))
    return replace(doc, delivery_date=delivery, lines=(*doc.lines[:-1], last), **OCTOBER)


def _with_reason(doc: Document, reason: str) -> Document:
    return replace(doc, totals=replace(
        doc.totals, taxes=tuple(replace(t, exemption_reason=reason) for t in doc.totals.taxes)
    ))


CASES: dict[str, Callable[[], Document]] = {
    "several rates, discounts and charges": lambda: make_document(
        adjustments=[(False, "Loyalty discount", "20.00", "S", "19"), (True, "Shipping", "9.90", "S", "19"),
                     (True, "Book packaging", "1.50", "S", "7")],
    ),
    "line rounding": lambda: make_document(rounding=TaxRounding.LINE),
    "credit note": credit_note,
    "zero rated": lambda: make_document(lines=[("Printed matter", "10", "C62", "4.99", "Z", "0", None)]),
    "reverse charge": lambda: make_document(lines=[("Consulting", "8", "HUR", "95.00", "AE", "0", None)]),
    "intra-community supply": lambda: make_document(lines=[("Hardware token", "25", "C62", "39.99", "K", "0", None)]),
    "exempt": lambda: make_document(lines=[("Medical service", "1", "C62", "80.00", "E", "0", None)]),
    "exempt, with a VATEX code": lambda: _with_reason(
        make_document(lines=[("Medical service", "1", "C62", "80.00", "E", "0", None)]),
        "VATEX-EU-132-1B: Hospital and medical care",
    ),
    "export": lambda: make_document(
        lines=[("Software licence", "3", "C62", "250.00", "G", "0", None)], buyer=US_BUYER, locale="en_US"
    ),
    "outside the scope of VAT": lambda: make_document(
        lines=[("Membership fee", "1", "ANN", "120.00", "O", "0", None)]
    ),
    "percent discounts on half-cent amounts": lambda: make_document(
        lines=[("Widget", "1", "C62", "10.005", "S", "19", "50"), ("Gift", "1", "C62", "10.005", "S", "19", "100")]
    ),
    "US dollars, VAT also in euros": lambda: replace(
        make_document(currency="USD", locale="en_US"), tax_currency="EUR", tax_total_in_tax_currency=6123
    ),
    "date of supply and service periods": lambda: _supplied(make_document()),
    "intra-community supply over a period": lambda: _supplied(
        make_document(lines=[("Hardware token", "25", "C62", "39.99", "K", "0", None)]), delivery=None),
    "credit note for a service period": lambda: _supplied(credit_note()),
    "JPY": lambda: make_document(
        lines=[("Consulting", "3", "HUR", "12000", "S", "10", None), ("Hosting", "1", "MON", "5000", "S", "10", "5")],
        currency="JPY", locale="ja_JP",
    ),
}


def _xpath(root: etree._Element, path: str) -> list[str]:
    return [str(x) for x in root.xpath(path, namespaces=NSMAP)]


def _one(root: etree._Element, path: str) -> str:
    found = _xpath(root, path)
    assert len(found) == 1, (path, found)
    return found[0]


@pytest.mark.parametrize("case", CASES)
def test_xml_is_valid_against_the_schema_and_the_business_rules(
    case: str, schematron: Callable[[bytes], list[str]]
) -> None:
    xml = cii_xml(CASES[case]())
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    errors = schematron(xml)
    if case == "line rounding":
        # per-line VAT is an option outside EN 16931: only the rule "VAT = basis x rate" may differ
        errors = [e for e in errors if not e.startswith("BR-S-09")]
    assert errors == []


@pytest.mark.parametrize("case", CASES)
def test_xml_amounts_equal_the_engine(case: str) -> None:
    doc = CASES[case]()
    root = etree.fromstring(cii_xml(doc))
    money = lambda minor: format_minor(minor, doc.currency)  # noqa: E731
    sums = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert _one(root, sums + "LineTotalAmount/text()") == money(doc.totals.subtotal)
    assert _one(root, sums + "AllowanceTotalAmount/text()") == money(doc.totals.allowance_total)
    assert _one(root, sums + "ChargeTotalAmount/text()") == money(doc.totals.charge_total)
    assert _one(root, sums + "TaxBasisTotalAmount/text()") == money(doc.totals.tax_basis)
    assert _one(root, sums + f"TaxTotalAmount[@currencyID='{doc.currency}']/text()") == money(doc.totals.tax_total)
    assert _xpath(root, sums + "TaxTotalAmount/@currencyID")[0] == doc.currency  # BT-110 first, BT-111 after
    assert _one(root, sums + "GrandTotalAmount/text()") == money(doc.totals.total)
    assert _one(root, "//ram:InvoiceCurrencyCode/text()") == doc.currency
    breakdown = [
        (t.xpath("ram:CategoryCode/text()", namespaces=NSMAP)[0],
         t.xpath("ram:BasisAmount/text()", namespaces=NSMAP)[0],
         t.xpath("ram:CalculatedAmount/text()", namespaces=NSMAP)[0])
        for t in root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NSMAP)
    ]
    assert breakdown == [(t.category, money(t.basis), money(t.amount)) for t in doc.totals.taxes]
    line_totals = _xpath(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()")
    assert line_totals == [money(line.net) for line in doc.lines]


def test_line_allowance_basis_times_percent_is_its_amount() -> None:
    root = etree.fromstring(cii_xml(CASES["percent discounts on half-cent amounts"]()))
    for allowance in root.xpath("//ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge",
                                namespaces=NSMAP):
        basis, percent, actual = (Decimal(allowance.xpath(f"ram:{name}/text()", namespaces=NSMAP)[0])
                                  for name in ("BasisAmount", "CalculationPercent", "ActualAmount"))
        assert actual == (basis * percent / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_the_vat_total_is_stated_in_the_accounting_currency_too() -> None:
    root = etree.fromstring(cii_xml(CASES["US dollars, VAT also in euros"]()))
    assert _one(root, "//ram:TaxCurrencyCode/text()") == "EUR"
    totals = root.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount", namespaces=NSMAP)
    assert [(t.get("currencyID"), t.text) for t in totals][1] == ("EUR", "61.23")
    same = etree.fromstring(cii_xml(replace(CASES["several rates, discounts and charges"](), tax_currency="EUR",
                                            tax_total_in_tax_currency=1)))
    assert not _xpath(same, "//ram:TaxCurrencyCode")  # only where the currencies differ


def test_jpy_amounts_have_no_decimals() -> None:
    root = etree.fromstring(cii_xml(CASES["JPY"]()))
    assert _one(root, "//ram:GrandTotalAmount/text()") == "44825"  # (3 x 12000 + 5000 - 5 %) + 10 % VAT


def test_invoice_header_payment_and_parties() -> None:
    doc = make_document()
    root = etree.fromstring(cii_xml(doc))
    assert _one(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == "380"
    assert _one(root, "//rsm:ExchangedDocument/ram:ID/text()") == "RE-2025-00042"
    assert _one(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == "urn:cen.eu:en16931:2017"
    assert _one(root, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == (
        "DE123456788"
    )
    assert _one(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == (
        BUYER.vat_id
    )
    assert _one(root, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CityName/text()") == "Łódź"
    assert _one(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == "58"
    assert _one(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()") == "DE89370400440532013000"
    assert _one(root, "//ram:DueDateDateTime/udt:DateTimeString/text()") == "20250214"
    assert _one(root, "//ram:BuyerReference/text()") == "PO-4711"
    assert _one(root, "//ram:DuePayableAmount/text()") == format_minor(doc.totals.total, "EUR")
    # unit prices keep all their decimals
    assert _xpath(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount/text()") == ["120", "14.995", "49.9"]


def test_credit_note_cites_the_invoice() -> None:
    root = etree.fromstring(cii_xml(credit_note()))
    assert _one(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == "381"
    assert _one(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == "RE-2025-00042"
    assert _one(root, "//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString/text()") == (
        "20250115"
    )
    assert _xpath(root, "//ram:SpecifiedTradeSettlementPaymentMeans") == []


def test_exemption_reasons_are_written() -> None:
    root = etree.fromstring(cii_xml(CASES["reverse charge"]()))
    assert _one(root, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason/text()") == (
        "Reverse charge: VAT to be accounted for by the recipient"
    )


def test_a_vatex_code_is_written_as_the_exemption_reason_code() -> None:
    root = etree.fromstring(cii_xml(CASES["exempt, with a VATEX code"]()))
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert _one(root, tax + "ram:ExemptionReasonCode/text()") == "VATEX-EU-132-1B"
    assert _one(root, tax + "ram:ExemptionReason/text()") == "Hospital and medical care"


def test_drafts_have_no_e_invoice() -> None:
    with pytest.raises(ValidationError):
        cii_xml(make_document(mark=DocumentMark.DRAFT, number=None))


def test_embedded_pdf_carries_the_same_xml_and_is_reproducible() -> None:
    doc = make_document()
    first = pdf.render_document(doc)
    assert pdf.render_document(doc) == first  # no clock anywhere: same document, same bytes
    name, xml = facturx.get_xml_from_pdf(io.BytesIO(first), check_xsd=True)
    assert name == "factur-x.xml"
    assert xml == cii_xml(doc)
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert b"D:20250115093000+00'00'" in first  # the document's own timestamp, not today's
    assert b"GTS_PDFA1" in first  # PDF/A output intent with the sRGB profile


def test_a_different_document_gives_a_different_pdf_id() -> None:
    def pdf_id(doc: Document) -> bytes:
        data = pdf.render_document(doc)
        return data[data.rindex(b"/ID") :][:80]

    assert pdf_id(make_document()) != pdf_id(replace(make_document(), number="RE-2025-00043"))


def test_schema_errors_become_user_errors() -> None:
    root = build_cii(make_document())
    agreement = root.find(".//ram:ApplicableHeaderTradeAgreement", NSMAP)
    agreement.remove(agreement.find("ram:SellerTradeParty", NSMAP))
    with pytest.raises(ValidationError, match="schema"):
        check_xsd(root)


def test_unit_price_and_quantity_formats() -> None:
    doc = make_document(lines=[("Paper", "2.5", "KGM", "0.0125", "S", "19", None)])
    root = etree.fromstring(cii_xml(doc))
    assert _one(root, "//ram:BilledQuantity/text()") == "2.5"
    assert _one(root, "//ram:BilledQuantity/@unitCode") == "KGM"
    assert _one(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount/text()") == "0.0125"
    line_total = "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()"
    assert Decimal(_one(root, line_total)) == Decimal("0.03")


def test_the_date_of_supply_and_the_service_periods_are_stated() -> None:
    root = etree.fromstring(cii_xml(CASES["date of supply and service periods"]()))
    delivery = "//ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
    assert _one(root, delivery + "udt:DateTimeString/text()") == "20261020"  # BT-72
    period = "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/"
    assert _one(root, period + "ram:StartDateTime/udt:DateTimeString/text()") == "20261001"  # BT-73
    assert _one(root, period + "ram:EndDateTime/udt:DateTimeString/text()") == "20261031"  # BT-74
    line_period = "//ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/"
    assert _xpath(root, line_period + "ram:StartDateTime/udt:DateTimeString/text()") == ["20261001"]  # BT-134
    assert _xpath(root, line_period + "ram:EndDateTime/udt:DateTimeString/text()") == ["20261015"]  # BT-135


def test_an_intra_community_supply_is_dated_by_its_period_or_else_by_the_issue_date() -> None:
    over_a_period = etree.fromstring(cii_xml(CASES["intra-community supply over a period"]()))
    assert _xpath(over_a_period, "//ram:ActualDeliverySupplyChainEvent") == []
    assert _xpath(over_a_period, "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod") != []
    plain = CASES["intra-community supply"]()
    root = etree.fromstring(cii_xml(plain))
    assert _one(root, "//ram:ActualDeliverySupplyChainEvent//udt:DateTimeString/text()") == \
        plain.issue_date.strftime("%Y%m%d")


def test_a_document_without_service_dates_states_none() -> None:
    root = etree.fromstring(cii_xml(CASES["several rates, discounts and charges"]()))
    assert _xpath(root, "//ram:BillingSpecifiedPeriod") == []
    assert _xpath(root, "//ram:ActualDeliverySupplyChainEvent") == []
