"""UBL 2.1 Invoice and CreditNote (EN 16931) for Peppol BIS Billing 3.0 and XRechnung, built with lxml.

The same document data as the Factur-X CII (``documents.facturx``), in the other syntax EN 16931 allows.
Element order follows the UBL 2.1 schema, which is strict about sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lxml import etree

from invoicer.core.errors import N_, ValidationError
from invoicer.core.money import exponent, format_minor, from_minor
from invoicer.core.reference import split_exemption_reason
from invoicer.documents.facturx import (
    BILLING_PROCESS,
    PAYMENT_CLEARING,
    PAYMENT_SEPA_TRANSFER,
    PAYMENT_TRANSFER,
    XRECHNUNG_GUIDELINE,
    decimal_text,
    preceding_invoices,
    prepaid_and_due,
    supply_date,
    type_code,
)
from invoicer.documents.model import Document, Party

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#: XRechnung names itself alike in both syntaxes
XRECHNUNG_CUSTOMIZATION = XRECHNUNG_GUIDELINE
#: electronic address scheme (EAS) for an e-mail address
EMAIL_SCHEME = "EM"


def _cac(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def _cbc(parent: etree._Element, tag: str, text: str, **attrib: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrib)
    child.text = text
    return child


def electronic_address(party: Party, role: str, email_allowed: bool) -> tuple[str, str]:
    """The party's electronic address and its scheme (BT-34 / BT-49), which Peppol and XRechnung require:
    the one set for the party, else (XRechnung only; Peppol has no such scheme) its e-mail address."""
    if party.endpoint_id and party.endpoint_scheme:
        return party.endpoint_scheme, party.endpoint_id
    if email_allowed and party.email:
        return EMAIL_SCHEME, party.email
    raise ValidationError(
        N_("This e-invoice format needs the {role}'s electronic address (a Peppol ID{or_email}): set it for {name}."),
        role=role, name=party.name, or_email=" or an e-mail address" if email_allowed else "",
    )


def build_ubl(doc: Document, customization: str) -> etree._Element:
    """The UBL tree of an issued invoice (380) or credit note (381, citing the invoice it corrects)."""
    if not doc.is_valid_document:
        raise ValidationError(N_("Only a finalized document has an e-invoice; finalize the draft first."))
    email_allowed = customization == XRECHNUNG_CUSTOMIZATION
    if customization == PEPPOL_CUSTOMIZATION:
        refuse_whole_unit_amounts(doc)
    cur = doc.currency
    credit = doc.is_credit_note
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: namespace, "cac": CAC, "cbc": CBC})

    def amount(parent: etree._Element, tag: str, minor: int) -> None:
        _cbc(parent, tag, format_minor(minor, cur), currencyID=cur)

    _cbc(root, "CustomizationID", customization)
    _cbc(root, "ProfileID", BILLING_PROCESS)
    _cbc(root, "ID", doc.number or "")
    _cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.due_date and not credit:
        _cbc(root, "DueDate", doc.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", type_code(doc))
    notes = "\n".join(note for note in (doc.reason, doc.notes) if note)
    if notes:
        _cbc(root, "Note", notes)  # one note only (PEPPOL-EN16931-R002)
    _cbc(root, "DocumentCurrencyCode", cur)
    foreign = doc.tax_currency is not None and doc.tax_currency != cur and doc.tax_total_in_tax_currency is not None
    if foreign:
        _cbc(root, "TaxCurrencyCode", doc.tax_currency or "")  # BT-6: the VAT return's currency
    if doc.buyer_reference:
        _cbc(root, "BuyerReference", doc.buyer_reference)
    _period(root, doc.period_start, doc.period_end)  # BG-14
    for number, issued in preceding_invoices(doc):
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", number)
        if issued:
            _cbc(reference, "IssueDate", issued.isoformat())

    categories = {t.category for t in doc.totals.taxes}
    with_vat_ids = "O" not in categories  # "not subject to VAT" carries no VAT IDs (BR-O-02)
    _party(_cac(root, "AccountingSupplierParty"), doc.seller, with_vat_ids, True, email_allowed)
    _party(_cac(root, "AccountingCustomerParty"), doc.buyer, with_vat_ids, False, email_allowed)

    supplied = supply_date(doc, categories)
    if supplied is not None or "K" in categories:
        delivery = _cac(root, "Delivery")
        if supplied is not None:  # BT-72
            _cbc(delivery, "ActualDeliveryDate", supplied.isoformat())
        if "K" in categories:  # intra-community supplies need the deliver-to country (BR-IC-12)
            address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
            if doc.buyer.city:
                _cbc(address, "CityName", doc.buyer.city)
            if doc.buyer.postcode:
                _cbc(address, "PostalZone", doc.buyer.postcode)
            _cbc(_cac(address, "Country"), "IdentificationCode", doc.buyer.country)

    if credit:
        # XRechnung asks payment instructions of credit notes too (BR-DE-1), and so does Peppol between German
        # parties (DE-R-001): settled between the parties
        _cbc(_cac(root, "PaymentMeans"), "PaymentMeansCode", PAYMENT_CLEARING)
    if doc.seller.iban and not credit:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", PAYMENT_SEPA_TRANSFER if cur == "EUR" else PAYMENT_TRANSFER)
        _cbc(means, "PaymentID", doc.number or "")
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", doc.seller.iban)
        if doc.seller.bic:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", doc.seller.bic)

    for adj in doc.adjustments:
        node = _allowance_charge(root, adj.is_charge, adj.percent, adj.base, adj.amount, adj.reason_code, adj.reason,
                                 amount)
        _category(node, "TaxCategory", adj.tax_category, adj.tax_rate)

    total = _cac(root, "TaxTotal")
    amount(total, "TaxAmount", doc.totals.tax_total)
    for tax in doc.totals.taxes:
        sub = _cac(total, "TaxSubtotal")
        amount(sub, "TaxableAmount", tax.basis)
        amount(sub, "TaxAmount", tax.amount)
        # XRechnung asks the rate of every breakdown, 0 outside the scope of VAT (BR-DE-14, KoSIT case 01.04a)
        _category(sub, "TaxCategory", tax.category, tax.rate, tax.exemption_reason, with_rate=email_allowed)
    if foreign:  # BT-111, converted with the rate locked at finalize: a second total without subtotals (R054)
        assert doc.tax_currency is not None and doc.tax_total_in_tax_currency is not None
        _cbc(_cac(root, "TaxTotal"), "TaxAmount", format_minor(doc.tax_total_in_tax_currency, doc.tax_currency),
             currencyID=doc.tax_currency)

    prepaid, due = prepaid_and_due(doc)
    sums = _cac(root, "LegalMonetaryTotal")
    amount(sums, "LineExtensionAmount", doc.totals.subtotal)
    amount(sums, "TaxExclusiveAmount", doc.totals.tax_basis)
    amount(sums, "TaxInclusiveAmount", doc.totals.total)
    amount(sums, "AllowanceTotalAmount", doc.totals.allowance_total)
    amount(sums, "ChargeTotalAmount", doc.totals.charge_total)
    amount(sums, "PrepaidAmount", prepaid)
    if doc.totals.rounding_amount:
        amount(sums, "PayableRoundingAmount", doc.totals.rounding_amount)  # BT-114
    amount(sums, "PayableAmount", due)

    for line in doc.lines:
        node = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(node, "ID", str(line.position))
        _cbc(node, "CreditedQuantity" if credit else "InvoicedQuantity", decimal_text(line.quantity),
             unitCode=line.unit)
        amount(node, "LineExtensionAmount", line.net)
        _period(node, line.period_start, line.period_end)  # BG-26
        for extra in line.allowance_charges:
            _allowance_charge(node, extra.is_charge, extra.percent, line.base_of(extra), extra.amount,
                              extra.reason_code, extra.reason, amount)
        item = _cac(node, "Item")
        _cbc(item, "Name", line.description)
        _category(item, "ClassifiedTaxCategory", line.tax_category, line.tax_rate)
        price = _cac(node, "Price")
        _cbc(price, "PriceAmount", decimal_text(line.unit_price), currencyID=cur)
        if line.price_base != 1:
            _cbc(price, "BaseQuantity", decimal_text(line.price_base), unitCode=line.unit)
        if line.gross_price is not None and line.price_discount is not None:  # BT-147, BT-148
            price_allowance = _cac(price, "AllowanceCharge")
            _cbc(price_allowance, "ChargeIndicator", "false")
            _cbc(price_allowance, "Amount", decimal_text(line.price_discount), currencyID=cur)
            _cbc(price_allowance, "BaseAmount", decimal_text(line.gross_price), currencyID=cur)
    return root


def _allowance_charge(
    parent: etree._Element, is_charge: bool, percent: Decimal | None, base: int | None, minor: int,
    reason_code: str | None, reason: str, amount: Callable[[etree._Element, str, int], None],
) -> etree._Element:
    """A line or document allowance/charge (BG-20/21, BG-27/28) in the UBL element order."""
    node = _cac(parent, "AllowanceCharge")
    _cbc(node, "ChargeIndicator", "true" if is_charge else "false")
    if reason_code:
        _cbc(node, "AllowanceChargeReasonCode", reason_code)
    _cbc(node, "AllowanceChargeReason", reason or ("Charge" if is_charge else "Discount"))
    if percent is not None and base is not None:
        _cbc(node, "MultiplierFactorNumeric", decimal_text(percent))
    amount(node, "Amount", minor)
    if percent is not None and base is not None:
        amount(node, "BaseAmount", base)
    return node


#: how far Peppol lets a line amount be from quantity x price / base + charges - allowances (PEPPOL-EN16931-R120),
#: and a percent allowance or charge from base x percent / 100 (PEPPOL-EN16931-R040)
R120_SLACK = Decimal("0.02")


def refuse_whole_unit_amounts(doc: Document) -> None:
    """Peppol checks each line amount (R120) and each percent allowance or charge (R040) to the cent; in a
    currency without cents (JPY, KRW, ISK…) an amount rounded to whole units may be further off than that, and
    would be rejected: say why, before the rules do."""
    cur = doc.currency
    if exponent(cur) >= 2:
        return
    for line in doc.lines:
        extras = sum((from_minor(a.amount, cur) * (1 if a.is_charge else -1) for a in line.allowance_charges),
                     Decimal(0))
        exact = line.quantity * line.unit_price / line.price_base + extras
        if abs(exact - from_minor(line.net, cur)) > R120_SLACK:
            raise ValidationError(
                N_("Peppol checks each line amount to the cent (rule PEPPOL-EN16931-R120), but {currency} amounts "
                   "are whole units: line {line} comes to {exact}, stated as {net}. Choose a quantity and price "
                   "that give a whole amount, or send this customer Factur-X or XRechnung."),
                "lines", currency=cur, line=line.position, exact=decimal_text(exact.quantize(Decimal("0.0001"))),
                net=format_minor(line.net, cur),
            )
    # R040 checks the line allowances and charges in percent as well as the document's
    in_percent = [(percent, base, amount, "adjustments") for percent, base, amount in (
        (a.percent, a.base, a.amount) for a in doc.adjustments)]
    in_percent += [(extra.percent, line.base_of(extra), extra.amount, "lines")
                   for line in doc.lines for extra in line.allowance_charges]
    for percent, base, amount, field in in_percent:
        if percent is None or base is None:
            continue
        exact = from_minor(base, cur) * percent / 100
        if abs(exact - from_minor(amount, cur)) > R120_SLACK:
            raise ValidationError(
                N_("Peppol checks each percent discount or charge to the cent (rule PEPPOL-EN16931-R040), but "
                   "{currency} amounts are whole units: {percent} percent of {base} is {exact}, stated as {amount}. Give "
                   "the discount or charge as an amount, or send this customer Factur-X or XRechnung."),
                field, currency=cur, percent=decimal_text(percent), base=format_minor(base, cur),
                exact=decimal_text(exact.quantize(Decimal("0.0001"))), amount=format_minor(amount, cur),
            )


def _period(parent: etree._Element, start: date | None, end: date | None) -> None:
    """An invoicing period (BG-14, BG-26) with the days that are known (BR-CO-19, BR-CO-20)."""
    if start is None and end is None:
        return
    period = _cac(parent, "InvoicePeriod")
    if start is not None:
        _cbc(period, "StartDate", start.isoformat())
    if end is not None:
        _cbc(period, "EndDate", end.isoformat())


def ubl_xml(doc: Document, customization: str) -> bytes:
    xml: bytes = etree.tostring(build_ubl(doc, customization), xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return xml


def _party(holder: etree._Element, party: Party, with_vat_id: bool, seller: bool, email_allowed: bool) -> None:
    node = _cac(holder, "Party")
    scheme, endpoint = electronic_address(party, "seller" if seller else "buyer", email_allowed)
    _cbc(node, "EndpointID", endpoint, schemeID=scheme)
    if seller and not with_vat_id and (party.vat_id or party.tax_number):
        # without a VAT ID (not-subject invoices) the seller is still identified (BR-CO-26), as BT-29
        _cbc(_cac(node, "PartyIdentification"), "ID", party.vat_id or party.tax_number or "")
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    lines = party.address_lines
    if lines:
        _cbc(address, "StreetName", lines[0])
    if len(lines) > 1:
        _cbc(address, "AdditionalStreetName", ", ".join(lines[1:]))
    if party.city:
        _cbc(address, "CityName", party.city)
    if party.postcode:
        _cbc(address, "PostalZone", party.postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    if party.vat_id and with_vat_id:
        tax_scheme = _cac(node, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", party.vat_id)
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    if seller and party.tax_number and (not party.vat_id or not with_vat_id):
        # the seller's tax registration (BT-32) identifies a seller without VAT ID (BR-CO-26)
        tax_scheme = _cac(node, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", party.tax_number)
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "FC")
    _cbc(_cac(node, "PartyLegalEntity"), "RegistrationName", party.name)
    if party.contact or party.phone or party.email:
        contact = _cac(node, "Contact")
        if party.contact:
            _cbc(contact, "Name", party.contact)
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)


def _category(parent: etree._Element, tag: str, category: str, rate: Decimal, reason: str | None = None,
              with_rate: bool = False) -> None:
    node = _cac(parent, tag)
    _cbc(node, "ID", category)
    if category != "O" or with_rate:  # "not subject to VAT" carries no rate on lines and allowances (BR-O-05)
        _cbc(node, "Percent", decimal_text(rate))
    code, words = split_exemption_reason(reason or "")
    if code:
        _cbc(node, "TaxExemptionReasonCode", code)
    if words:
        _cbc(node, "TaxExemptionReason", words)
    _cbc(_cac(node, "TaxScheme"), "ID", "VAT")
