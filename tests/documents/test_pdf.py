"""Rendered PDFs read back: text and language, fonts, pages, marks, paper size, EPC QR code."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import segno
import zxingcpp
from babel import localedata
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from invoicer.core.totals import Balance
from invoicer.documents import pdf, qr
from invoicer.documents.model import Document, DocumentMark, PaperSize
from invoicer.documents.wording import Wording, paper_for_locale, printable_locale
from tests.documents.samples import BUYER, SELLER, credit_note, make_document, ten_lines


def read(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    """Whitespace (line breaks, Babel's no-break spaces) as single spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def text_of(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in read(data).pages))


def decode_qr_codes(data: bytes) -> list[str]:
    """Render every page to an image and decode the QR codes on it (as a banking app would)."""
    found = []
    document = pypdfium2.PdfDocument(data)
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [code.bytes.decode("utf-8") for code in zxingcpp.read_barcodes(image)]
    return found


@pytest.mark.parametrize(
    ("locale", "labels", "total"),
    [
        ("de_DE", ["Rechnung RE-2025-00042", "Gesamtbetrag", "Fällig am 14.02.2025", "Einzelpreis", "Std."], "477,03 €"),
        ("fr_FR", ["Facture RE-2025-00042", "Total TTC", "Date d'échéance 14 févr. 2025", "Prix unitaire", "heure"],
         "477,03 €"),
        ("es_ES", ["Factura RE-2025-00042", "Importe pendiente", "Vencimiento 14 feb 2025", "Precio unitario", "hora"],
         "477,03 €"),
        ("en_GB", ["Invoice RE-2025-00042", "Amount due", "Due date 14 Feb 2025", "Unit price", "hour"], "€477.03"),
    ],
)
def test_text_is_in_the_customers_language(locale: str, labels: list[str], total: str) -> None:
    text = text_of(pdf.render_pdf(make_document(locale=locale)))
    for expected in [*labels, total, "RE-2025-00042", "PO-4711", "Müller & Söhne GmbH", "Łódź", "Ελλάδα", "Москва"]:
        assert expected in text, expected


def test_every_amount_and_line_is_printed() -> None:
    doc = make_document(adjustments=[(False, "Loyalty", "20.00", "S", "19"), (True, "Shipping", "9.90", "S", "7")])
    text = text_of(pdf.render_pdf(doc))
    words = Wording.for_document(doc)
    for line in doc.lines:
        assert line.description in text
        assert flat(words.money(line.net)) in text
    for minor in (doc.totals.subtotal, doc.totals.tax_basis, doc.totals.tax_total, doc.totals.total, doc.balance.amount_due):
        assert flat(words.money(minor)) in text
    for tax in doc.totals.taxes:
        assert flat(f"USt. {words.percent(tax.rate)} auf {words.money(tax.basis)} {words.money(tax.amount)}") in text
    assert "Zuschlag: Shipping" in text and "Rabatt: Loyalty" in text
    assert "14,995 €" in text  # an exact unit price is not rounded for display
    assert "10 %" in text  # the line discount
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "Seite 1 von 1" in text


def test_jpy_has_no_decimals_and_a_script_the_fonts_lack_falls_back_to_english_formats() -> None:
    doc = make_document(lines=[("Consulting", "3", "HUR", "12000", "S", "10", None)], currency="JPY", locale="ja_JP")
    text = text_of(pdf.render_pdf(doc))
    assert "¥39,600" in text  # 36,000 + 10 % VAT
    assert "Germany" in text and "\x00" not in text
    # English for the customer's territory where Babel knows that locale (en_JP since Babel 2.19), else plain English
    assert printable_locale("ja_JP") == ("en_JP" if localedata.exists("en_JP") else "en")
    assert printable_locale("zh_CN") == ("en_CN" if localedata.exists("en_CN") else "en")
    assert printable_locale("el_GR") == "el_GR"
    assert printable_locale("ru_RU") == "ru_RU"


def test_exemption_wording_for_reverse_charge() -> None:
    doc = make_document(lines=[("Consulting", "8", "HUR", "95.00", "AE", "0", None)], locale="en_GB")
    text = text_of(pdf.render_pdf(doc))
    assert "Reverse charge: VAT to be accounted for by the recipient" in text


def test_fonts_are_embedded_truetype_subsets() -> None:
    reader = read(pdf.render_pdf(make_document()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]
        assert "DejaVuSans" in font["/BaseFont"]


def test_long_invoice_repeats_the_header_and_keeps_totals_with_the_last_line() -> None:
    lines = ten_lines() * 12
    doc = make_document(lines=lines, locale="en_GB")
    reader = read(pdf.render_pdf(doc))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 2
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Unit price" in text  # the table header on every page
        assert "Invoice RE-2025-00042" in text
    last = flat(pages[-1])
    assert "Amount due" in last and "Total net" in last
    assert f"{len(lines)} {lines[-1][0]}" in last  # the last line is on the page of the totals


def test_credit_note_cites_the_invoice() -> None:
    text = text_of(pdf.render_pdf(credit_note(locale="en_GB")))
    assert "Credit note GS-2025-00007" in text
    assert "This credit note corrects invoice RE-2025-00042 of 15 Jan 2025." in text
    assert "Returned goods" in text
    assert "Amount due" not in text and "IBAN: " not in text


def test_draft_has_a_watermark_no_number_and_no_e_invoice() -> None:
    doc = make_document(mark=DocumentMark.DRAFT, number=None, locale="en_GB")
    data = pdf.render_document(doc)
    text = text_of(data)
    assert "DRAFT — not a valid invoice" in text
    assert "RE-2025" not in text
    assert "Invoice (draft)" in text
    assert read(data).attachments == {}
    assert decode_qr_codes(data) == []


def test_void_copy_carries_the_mark_and_no_e_invoice() -> None:
    data = pdf.render_document(make_document(mark=DocumentMark.VOID, locale="fr_FR"))
    assert "ANNULÉE" in text_of(data)
    assert read(data).attachments == {}


def test_balance_copy_shows_payments_and_credits() -> None:
    issued = make_document(locale="en_GB")
    doc = replace(issued, mark=DocumentMark.COPY, balance=Balance(10000, 5000, issued.totals.total - 15000))
    text = text_of(pdf.render_pdf(doc))
    words = Wording.for_document(doc)
    assert "COPY" in text
    assert flat(f"Paid −{words.money(10000)}") in text
    assert flat(f"Credited −{words.money(5000)}") in text
    assert flat(f"Amount due on 15 Jan 2025 {words.money(doc.totals.total - 15000)}") in text


def test_letter_paper_for_us_customers_a4_otherwise() -> None:
    us = make_document(locale="en_US", buyer=replace(BUYER, country="US"))
    assert paper_for_locale("en_US") is PaperSize.LETTER
    assert paper_for_locale("fr_CA") is PaperSize.LETTER
    assert paper_for_locale("de_DE") is PaperSize.A4
    letter = read(pdf.render_pdf(replace(us, paper=PaperSize.LETTER))).pages[0].mediabox
    a4 = read(pdf.render_pdf(make_document())).pages[0].mediabox
    assert (round(letter.width), round(letter.height)) == (612, 792)
    assert (round(a4.width), round(a4.height)) == (595, 842)


def test_epc_qr_code_decodes_to_exactly_the_payload() -> None:
    doc = make_document()
    codes = decode_qr_codes(pdf.render_document(doc))
    amount = f"{doc.balance.amount_due // 100}.{doc.balance.amount_due % 100:02d}"
    assert codes == [
        f"BCD\n002\n1\nSCT\nCOBADEFFXXX\nMüller & Söhne GmbH\nDE89370400440532013000\nEUR{amount}\n\n\nRE-2025-00042"
    ]


@pytest.mark.parametrize(
    "doc",
    [
        make_document(currency="USD"),  # the EPC code is for EUR transfers only
        make_document(seller=replace(SELLER, iban=None)),
        credit_note(),
    ],
    ids=["USD", "no IBAN", "credit note"],
)
def test_no_qr_code_where_it_does_not_apply(doc: Document) -> None:
    assert decode_qr_codes(pdf.render_pdf(doc)) == []


def test_epc_payload_rules() -> None:
    assert qr.epc_payload("A" * 80, "de89 3704 0044 0532 0130 00", 1, "INV-1") == (
        f"BCD\n002\n1\nSCT\n\n{'A' * 70}\nDE89370400440532013000\nEUR0.01\n\n\nINV-1"
    )
    assert qr.epc_payload("Shop", "DE89370400440532013000", 0, "INV-1") is None
    assert qr.epc_payload("Shop", "DE89370400440532013000", 100_000_000_000, "INV-1") is None
    assert qr.epc_payload("", "DE89370400440532013000", 100, "INV-1") is None



@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("ABCXYZabcxyz0189 .-/\näöüß€"), min_size=1, max_size=330))
def test_qr_symbol_is_segnos_module_for_module(payload: str) -> None:
    """A frozen PDF re-rendered to restore a lost file must give the recorded bytes: the faster mask choice picks
    segno's mask and the same modules, on symbols of every size an EPC code reaches (versions 1 to 13)."""
    code = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    assert qr.qr_modules(payload) == tuple(tuple(bool(cell) for cell in row) for row in code.matrix)


def test_rendering_is_deterministic() -> None:
    doc = make_document(lines=ten_lines())
    assert pdf.render_pdf(doc) == pdf.render_pdf(doc)
    assert b"D:20250115093000+00'00'" in pdf.render_pdf(doc)


def test_same_bytes_in_another_process_at_another_time() -> None:
    """Reproducible across processes (hash seeds) and clock time: nothing random or dated by the clock."""
    script = (
        "import hashlib, sys\n"
        "from tests.documents.samples import make_document, ten_lines\n"
        "from invoicer.documents import pdf\n"
        "sys.stdout.write(hashlib.sha256(pdf.render_document(make_document(lines=ten_lines()))).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert digests == {hashlib.sha256(pdf.render_document(make_document(lines=ten_lines()))).hexdigest()}


@pytest.mark.parametrize("count", [13, 14, 15, 16, 36, 37, 38, 39])  # around both page breaks
def test_totals_never_start_a_page_without_the_last_line(count: int) -> None:
    doc = make_document(lines=ten_lines() * 4, locale="en_GB")
    doc = replace(doc, lines=doc.lines[:count])
    pages = [flat(page.extract_text()) for page in read(pdf.render_pdf(doc)).pages]
    with_totals = next(text for text in pages if "Total net" in text)
    assert f" {count} Consulting work package" in with_totals
    assert "Amount due" in with_totals


def test_logo_is_drawn(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (20, 80, 160)).save(logo)
    with_logo = read(pdf.render_pdf(make_document(seller=replace(SELLER, logo_path=str(logo)))))
    assert list(with_logo.pages[0].images)
    assert "Müller & Söhne GmbH" in flat(with_logo.pages[0].extract_text())
    missing = read(pdf.render_pdf(make_document(seller=replace(SELLER, logo_path=str(tmp_path / "gone.png")))))
    assert not list(missing.pages[0].images)  # an unreadable logo is left out, the document still renders


def test_the_date_of_supply_and_the_service_periods_are_printed() -> None:
    from tests.documents.test_facturx import CASES

    text = text_of(pdf.render_pdf(CASES["date of supply and service periods"]()))
    assert "Leistungsdatum 20.10.2026" in text
    assert "Leistungszeitraum 01.10.2026 – 31.10.2026" in text
    assert "Leistungszeitraum: 01.10.2026 – 15.10.2026" in text  # the last line's own period
    assert "Leistung" not in text_of(pdf.render_pdf(make_document()))
