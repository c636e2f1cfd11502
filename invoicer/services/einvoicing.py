"""E-invoicing: the format each customer gets, the XML of a finalized document in any format, and the check
against the official rules before a document is issued or sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session
from stdnum.eu import vat as eu_vat

from invoicer.core.errors import N_, Message, ValidationError
from invoicer.core.money import exponent
from invoicer.db.models import Customer, Invoice
from invoicer.documents.einvoice_rules import Check, EInvoiceFormat
from invoicer.documents.model import Document, DocumentMark
from invoicer.services import documents
from invoicer.services.rule_explanations import explanation

#: the formats a customer can be given (the plain-standard ones are for checking received files only)
ISSUED_FORMATS = (EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL,
                  EInvoiceFormat.PEPPOL)

FORMAT_NAMES = {
    EInvoiceFormat.FACTURX: N_("Factur-X (PDF with embedded XML)"),
    EInvoiceFormat.XRECHNUNG_CII: N_("XRechnung (CII)"),
    EInvoiceFormat.XRECHNUNG_UBL: N_("XRechnung (UBL)"),
    EInvoiceFormat.PEPPOL: N_("Peppol BIS Billing 3.0"),
    EInvoiceFormat.EN16931_CII: N_("EN 16931 (CII)"),
    EInvoiceFormat.EN16931_UBL: N_("EN 16931 (UBL)"),
}

#: formats that travel as an XML file next to the PDF (Factur-X travels inside it)
SEPARATE_XML = frozenset({EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL, EInvoiceFormat.PEPPOL})


def default_format(country: str, public_body: bool, has_peppol_id: bool) -> EInvoiceFormat:
    """The format a customer gets unless one is chosen for them.

    German public bodies must receive XRechnung (E-Rechnungsverordnung); its CII syntax is the one of the
    Factur-X inside every PDF, and both federal portals (ZRE, OZG-RE) and Peppol take it. Other EU public
    bodies reachable on Peppol receive Peppol BIS there (Directive 2014/55/EU). Everyone else gets Factur-X:
    a PDF a person can read, with the EN 16931 XML inside for software that wants it.
    """
    if public_body and country == "DE":
        return EInvoiceFormat.XRECHNUNG_CII
    if public_body and has_peppol_id and (country.lower() in eu_vat.MEMBER_STATES):
        return EInvoiceFormat.PEPPOL
    return EInvoiceFormat.FACTURX


def customer_format(customer: Customer) -> EInvoiceFormat:
    """The customer's chosen format, else the default for them."""
    if customer.einvoice_format:
        return EInvoiceFormat(customer.einvoice_format)
    return default_format(customer.country, customer.public_body, bool(customer.endpoint_id))


def issued_format(value: str | None) -> str | None:
    """A format as typed (``None`` or empty: the default), refused when Invoicer does not issue it."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in {f.value for f in ISSUED_FORMATS}:
        raise ValidationError(N_("'{value}' is not an e-invoice format; choose one of {choices}."), "einvoice_format",
                              value=value, choices=", ".join(f.value for f in ISSUED_FORMATS))
    return text


def einvoice_xml(doc: Document, fmt: EInvoiceFormat) -> bytes:
    """The XML of an issued document in ``fmt``. The plain-standard formats are written as Factur-X (CII) and
    Peppol (UBL), whose CIUS conform to the standard itself."""
    from invoicer.documents import facturx, ubl  # lxml trees, loaded when an e-invoice is made

    if fmt is EInvoiceFormat.FACTURX or fmt is EInvoiceFormat.EN16931_CII:
        return facturx.cii_xml(doc)
    if fmt is EInvoiceFormat.XRECHNUNG_CII:
        return facturx.cii_xml(doc, facturx.XRECHNUNG_GUIDELINE)
    if fmt is EInvoiceFormat.XRECHNUNG_UBL:
        return ubl.ubl_xml(doc, ubl.XRECHNUNG_CUSTOMIZATION)
    return ubl.ubl_xml(doc, ubl.PEPPOL_CUSTOMIZATION)


def document_einvoice(session: Session, invoice: Invoice, fmt: EInvoiceFormat | None = None) -> tuple[EInvoiceFormat, bytes]:
    """The e-invoice of a finalized document in ``fmt`` or its customer's format, checked against the rules."""
    if invoice.status == "draft":
        raise ValidationError(N_("A draft has no e-invoice yet; finalize it first."))
    fmt = fmt or customer_format(invoice.customer)
    return fmt, _checked(documents.document_data(session, invoice, DocumentMark.ISSUED), fmt)


def start_checking() -> None:
    """Start the process that checks e-invoices against the official rules while the app renders their PDFs
    (the app's window does, once painted); it compiles every issued format's rules, Factur-X first."""
    from invoicer.documents import rule_checker

    rule_checker.start(ISSUED_FORMATS)


def check_beside(session: Session, invoice_id: int) -> bool:
    """Before one finalize in a process of its own (a command): when the customer's format is not the Factur-X
    every PDF carries, start a checking process for that format, which compiles its rules (0.2–1 s per rule set)
    while this process compiles those of Factur-X and renders the PDF. Returns whether one was started (end it
    with ``stop_checking``)."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.status != "draft" or exponent(invoice.currency) > 2:
        return False
    fmt = customer_format(invoice.customer)
    if fmt is EInvoiceFormat.FACTURX:
        return False
    from invoicer.documents import rule_checker

    rule_checker.start([fmt])
    return rule_checker.running()


def stop_checking() -> None:
    from invoicer.documents import rule_checker

    rule_checker.stop()


@dataclass(frozen=True)
class Checks:
    """A document's e-invoices built and their check against the official rules: under way in the checking
    process while the PDF renders, or made here already when there is none for their format."""

    facturx: bytes | None  # the Factur-X XML the PDF embeds, None when it carries none
    verdicts: tuple[tuple[EInvoiceFormat, Callable[[], Check]], ...] = ()

    def refuse_invalid(self) -> None:
        """Wait for the verdicts and refuse, with the first failed rule and its explanation, the first format that
        fails (the customer's format first, then the PDF's Factur-X)."""
        for fmt, verdict in self.verdicts:
            _refuse(fmt, verdict())


def start_checks(session: Session, invoice: Invoice, doc: Document | None = None) -> Checks:
    """Build the e-invoices a document is issued with, the customer's format and the Factur-X every PDF carries,
    and start checking them; called inside finalize once the document's data is frozen (``doc``, when the caller
    has it already). Nothing may be issued before ``refuse_invalid()`` of the result has returned."""
    from invoicer.documents import rule_checker

    doc = doc or documents.document_data(session, invoice, DocumentMark.ISSUED)
    facturx = None
    verdicts = []
    for fmt in dict.fromkeys((customer_format(invoice.customer), EInvoiceFormat.FACTURX)):
        if fmt is EInvoiceFormat.FACTURX and exponent(doc.currency) > 2:
            # EN 16931 carries amounts with at most 2 decimals (BR-DEC-*): a BHD or KWD invoice cannot pass, and
            # its PDF is rendered as before (its bytes are frozen); such customers cannot be sent XRechnung/Peppol
            continue
        xml = einvoice_xml(doc, fmt)
        verdicts.append((fmt, rule_checker.submit(xml, fmt)))
        if fmt is EInvoiceFormat.FACTURX:
            facturx = xml
    return Checks(facturx, tuple(verdicts))


def _checked(doc: Document, fmt: EInvoiceFormat) -> bytes:
    """The XML of ``fmt``, checked (by the checking process when the app has one for it)."""
    from invoicer.documents import rule_checker

    xml = einvoice_xml(doc, fmt)
    _refuse(fmt, rule_checker.submit(xml, fmt)())
    return xml


def _refuse(fmt: EInvoiceFormat, check: Check) -> None:
    if not check.ok:
        first = check.errors[0]
        raise ValidationError(
            N_("The {format} e-invoice would be rejected by the official rules ({count} failed), first {rule}: "
               "{text}"),
            format=Message(FORMAT_NAMES[fmt]), count=len(check.errors), rule=first.rule, text=explanation(first),
        )


def check_file(path: Path, fmt: EInvoiceFormat | None = None) -> Check:
    """Check an e-invoice file, own or received: an XML, or the XML inside a Factur-X / ZUGFeRD PDF."""
    from invoicer.documents import einvoice_rules

    try:
        return einvoice_rules.validate(einvoice_rules.read_einvoice(path), fmt, einvoice_rules.is_pdf(path))
    except OSError as exc:
        raise ValidationError(N_("{path} cannot be read: {reason}."), path=path, reason=exc.strerror) from None
    except einvoice_rules.NotAnEInvoice as exc:
        raise ValidationError(N_("{path} is no e-invoice: {reason}."), path=path, reason=str(exc)) from None
