"""E-invoice formats on the command line: each customer's format and electronic address, `invoice xml` in any
format, `einvoice check` on own and received files, and finalize refusing what the official rules reject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from invoicer.documents import einvoice_rules, rule_checker
from invoicer.documents.einvoice_rules import EInvoiceFormat
from tests.cli.invocations import ok, run, user_error

OFFICIAL = Path(__file__).resolve().parents[1] / "documents" / "official"
UBL_EXAMPLE = OFFICIAL / "en16931" / "ubl-tc434-example1.xml"


def _invoice(data: Path, customer: int, reference: str | None = None) -> int:
    draft_file = data.parent / "draft.json"
    draft_file.write_text(json.dumps({
        "customer": customer, "issue_date": "2026-11-02", "buyer_reference": reference,
        "lines": [{"description": "Consulting", "quantity": "3", "unit_price": "120.00",
                   "tax": {"category": "S", "rate": "19"}}]}))
    return int(ok(data, "invoice", "create", "--from-json", str(draft_file))["id"])


def test_a_german_public_body_gets_xrechnung_and_its_rules_are_applied_at_finalize(data: Path, tmp_path: Path) -> None:
    ok(data, "company", "set", "--contact", "Erika Mustermann", "--phone", "+49 30 123456",
       "--email", "billing@example.com", "--peppol-id", "9930:DE123456788")
    office = ok(data, "customer", "add", "--name", "Bundesamt", "--country", "DE", "--public-body",
                "--peppol-id", "0204:991-12345-67", "--address", "Alt-Moabit 140", "--postcode", "10557",
                "--city", "Berlin")["id"]
    draft = _invoice(data, office)
    # XRechnung needs the buyer reference (Leitweg-ID): refused at finalize, naming the format and the rule
    refusal = user_error(data, "invoice", "finalize", str(draft))
    assert "XRechnung (CII)" in refusal and "BR-DE-15" in refusal
    assert ok(data, "invoice", "show", str(draft))["number"] is None
    fixed = _invoice(data, office, "991-12345-67")
    ok(data, "invoice", "finalize", str(fixed))
    out = tmp_path / "x.xml"
    written = ok(data, "invoice", "xml", str(fixed), "-o", str(out))
    assert written["format"] == "xrechnung-cii"
    assert b"xrechnung_3.0" in out.read_bytes() and b"991-12345-67" in out.read_bytes()
    assert ok(data, "einvoice", "check", str(out))["valid"] is True
    ubl = tmp_path / "u.xml"
    assert ok(data, "invoice", "xml", str(fixed), "--format", "xrechnung-ubl", "-o", str(ubl))["format"] == "xrechnung-ubl"
    endpoints = etree.fromstring(ubl.read_bytes()).findall(".//{*}EndpointID")
    assert [(e.get("schemeID"), e.text) for e in endpoints] == [("9930", "DE123456788"), ("0204", "991-12345-67")]


def test_customer_edit_sets_the_format_and_refuses_what_is_not_one(data: Path, tmp_path: Path) -> None:
    ok(data, "company", "set", "--peppol-id", "9930:DE123456788")
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    assert "'ubl' is not an e-invoice format" in user_error(data, "customer", "edit", str(customer),
                                                            "--einvoice-format", "ubl")
    assert "'12' is not an electronic address scheme" in user_error(data, "customer", "edit", str(customer),
                                                                    "--peppol-id", "12:345")
    assert "SCHEME:ID" in user_error(data, "customer", "edit", str(customer), "--peppol-id", "0088")
    ok(data, "customer", "edit", str(customer), "--einvoice-format", "peppol", "--peppol-id", "0009:12345678200016")
    invoice = _invoice(data, customer, "PO-4711")
    ok(data, "invoice", "finalize", str(invoice))
    out = tmp_path / "p.xml"
    assert ok(data, "invoice", "xml", str(invoice), "-o", str(out))["format"] == "peppol"
    assert b"poacc:billing:3.0" in out.read_bytes()


def test_einvoice_check_lists_the_failed_rules_in_words(data: Path, tmp_path: Path) -> None:
    good = run(data, "einvoice", "check", str(UBL_EXAMPLE))
    assert good.returncode == 0 and good.stdout.startswith("Valid EN 16931 (UBL)")
    root = etree.fromstring(UBL_EXAMPLE.read_bytes())
    payable = root.find(".//{*}LegalMonetaryTotal/{*}PayableAmount")
    payable.text = str(float(payable.text) + 1)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(etree.tostring(root))
    result = run(data, "einvoice", "check", str(bad))
    assert result.returncode == 1
    # the failed rule in plain words, then in the rule's own
    assert ("BR-CO-16: The amount due is not the total with VAT minus what was paid in advance plus the rounding "
            "amount.\n      (Amount due for payment (BT-115) = Invoice total amount with VAT") in result.stdout
    peppol = run(data, "einvoice", "check", str(UBL_EXAMPLE), "--format", "peppol", "--json")
    assert peppol.returncode == 1
    assert "PEPPOL-EN16931-R001" in {e["rule"] for e in json.loads(peppol.stdout)["errors"]}


def test_einvoice_check_tells_xrechnung_rules_in_plain_english(data: Path, tmp_path: Path) -> None:
    root = etree.fromstring((OFFICIAL / "xrechnung" / "01.01a-INVOICE_ubl.xml").read_bytes())
    reference = root.find("{*}BuyerReference")
    root.remove(reference)
    bad = tmp_path / "no-leitweg.xml"
    bad.write_bytes(etree.tostring(root))
    result = run(data, "einvoice", "check", str(bad))
    assert result.returncode == 1 and result.stdout.startswith("Not a valid XRechnung (UBL)")
    assert "BR-DE-15: The buyer reference (BT-10) is missing: XRechnung needs it on every invoice" in result.stdout
    assert '(Das Element "Buyer reference" (BT-10) muss übermittelt werden.)' in result.stdout
    failed = json.loads(run(data, "einvoice", "check", str(bad), "--json").stdout)["errors"]
    assert {"rule": "BR-DE-15", "explanation": "The buyer reference (BT-10) is missing: XRechnung needs it on every "
            "invoice; for a German public body it is the Leitweg-ID it gave you.",
            "text": 'Das Element "Buyer reference" (BT-10) muss übermittelt werden.'}.items() <= failed[0].items()


def test_einvoice_check_reads_a_received_zugferd_pdf(data: Path, tmp_path: Path) -> None:
    # a supplier's PDF with the XRechnung CII of KoSIT's test case 01.01a inside, as another program makes it
    xml = (OFFICIAL / "xrechnung" / "01.01a-INVOICE_uncefact.xml").read_bytes()
    checked = ok(data, "einvoice", "check", str(_received_pdf(xml, tmp_path / "received.pdf")))
    assert checked["valid"] is True and checked["format"] == "xrechnung-cii"


def _received_pdf(xml: bytes, path: Path, **flavor: str) -> Path:
    """A supplier's Factur-X / ZUGFeRD PDF as another program makes it: a one-line page with ``xml`` embedded."""
    import io

    from facturx import generate_from_binary
    from reportlab.pdfgen.canvas import Canvas

    page = io.BytesIO()
    canvas = Canvas(page)
    canvas.drawString(72, 720, "Invoice TOSL108")
    canvas.save()
    path.write_bytes(generate_from_binary(page.getvalue(), xml, check_xsd=False, **flavor))
    return path


def test_einvoice_check_reads_a_received_factur_x_pdf_and_names_what_it_breaks(data: Path, tmp_path: Path) -> None:
    """Issue 11: an accountant checks a supplier's Factur-X PDF (CEN/TC 434's CII example 1 inside, whose EN 16931
    profile names only the standard): valid under the Factur-X rules; the same PDF with a payable amount one unit
    too high fails BR-CO-16, told in plain words, exit 1."""
    xml = (OFFICIAL / "en16931" / "CII_example1.xml").read_bytes()
    factur_x = {"flavor": "factur-x", "level": "en16931"}
    checked = ok(data, "einvoice", "check", str(_received_pdf(xml, tmp_path / "supplier.pdf", **factur_x)))
    assert checked["valid"] is True and checked["format"] == "facturx"
    root = etree.fromstring(xml)
    due = root.find(".//{*}SpecifiedTradeSettlementHeaderMonetarySummation/{*}DuePayableAmount")
    due.text = str(float(due.text) + 1)
    bad = _received_pdf(etree.tostring(root), tmp_path / "tampered.pdf", **factur_x)
    result = run(data, "einvoice", "check", str(bad))
    assert result.returncode == 1 and result.stdout.startswith("Not a valid Factur-X")
    assert "BR-CO-16: The amount due is not the total with VAT minus what was paid in advance" in result.stdout


def test_einvoice_check_reads_the_xml_inside_an_issued_pdf(data: Path, tmp_path: Path) -> None:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "FR", "--vat-id", "FR40303265045")["id"]
    invoice = _invoice(data, customer)
    ok(data, "invoice", "finalize", str(invoice))
    pdf = tmp_path / "i.pdf"
    ok(data, "invoice", "pdf", str(invoice), "-o", str(pdf))
    checked = ok(data, "einvoice", "check", str(pdf))  # the EN 16931 profile inside a PDF: Factur-X's rules
    assert checked["valid"] is True and checked["format"] == "facturx"


def test_unreadable_input_is_exit_2(data: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert "is no e-invoice: not well-formed XML" in user_error(data, "einvoice", "check", str(text))
    assert "cannot be read" in user_error(data, "einvoice", "check", str(tmp_path / "missing.xml"))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing")
    assert "is no e-invoice: the PDF cannot be read" in user_error(data, "einvoice", "check", str(broken))


def test_finalize_checks_the_customers_format_in_a_second_process_beside_the_factur_x(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(data, "company", "set", "--contact", "Erika Mustermann", "--phone", "+49 30 123456",
       "--email", "billing@example.com", "--peppol-id", "9930:DE123456788")
    office = ok(data, "customer", "add", "--name", "Bundesamt", "--country", "DE", "--public-body",
                "--peppol-id", "0204:991-12345-67", "--address", "Alt-Moabit 140", "--postcode", "10557",
                "--city", "Berlin")["id"]
    checked_here: list[EInvoiceFormat] = []
    validate = einvoice_rules.validate

    def recorded(xml: bytes, fmt: EInvoiceFormat | None = None, in_pdf: bool = False) -> einvoice_rules.Check:
        checked_here.append(fmt)  # type: ignore[arg-type]
        return validate(xml, fmt, in_pdf)

    monkeypatch.setattr(einvoice_rules, "validate", recorded)  # this process's; the second one has its own
    refusal = user_error(data, "invoice", "finalize", str(_invoice(data, office)))
    assert "XRechnung (CII)" in refusal and "BR-DE-15" in refusal  # the second process's verdict
    ok(data, "invoice", "finalize", str(_invoice(data, office, "991-12345-67")))
    assert checked_here == [EInvoiceFormat.FACTURX] * 2 and not rule_checker.running()
