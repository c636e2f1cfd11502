"""Swiss QR-bill: a Swiss seller's CHF/EUR invoice carries the payment part; its QR code, decoded from the PDF,
holds the Swiss Payments Code with the amount, currency, account, reference, creditor and debtor; QRR with a
QR-IBAN (found again by the bank matching), SCOR with an IBAN; what cannot be issued validly is refused with a
plain reason in the user's language; the frozen PDF stays reproducible."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select

from invoicer.core.errors import ValidationError
from invoicer.core.payment_reference import qr_reference, rf_reference
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice, QrBill
from invoicer.i18n import translator
from invoicer.services import bank, company, customers, documents, integrity, invoices, payments, settings

from .helpers import make_draft, make_open, refused_by_database

QR_IBAN = "CH4431999123000889012"  # institution id 31999: a QR-IBAN
IBAN = "CH9300762011623852957"


def swiss(db: Database, iban: str = QR_IBAN, **changes: object) -> int:
    """A seller in Zurich and a customer in Bern; returns the customer's id."""
    with transaction(db.sessions) as s:
        company.update_company(s, **{
            "name": "Muster AG", "address": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich",
            "country": "CH", "vat_id": "CHE-123.456.788 MWST", "iban": iban, "bic": "", "currency": "CHF",
            "locale": "de_CH", "email": "rechnung@muster.example", **changes})
        return customers.add_customer(s, customers.CustomerData(
            name="Kunde GmbH", address="Weg 2", postcode="3000", city="Bern", country="CH", locale="de_CH",
            email="kunde@example.ch", terms_days=30))


def pdf_of(db: Database, invoice_id: int, copy: bool = False) -> bytes:
    with transaction(db.sessions) as s:
        return documents.document_pdf(s, invoice_id, copy=copy)


def codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [code.text for page in document for code in zxingcpp.read_barcodes(page.render(scale=4).to_pil())]
    finally:
        document.close()


def spc(pdf: bytes) -> list[str]:
    """The Swiss Payments Code's elements (lines), from the one Swiss QR code on the PDF."""
    (payload,) = [c for c in codes(pdf) if c.startswith("SPC")]
    return payload.split("\r\n")


def number_of(db: Database, invoice_id: int) -> str:
    with transaction(db.readonly_sessions) as s:
        return invoices.get_invoice(s, invoice_id).number or ""


def test_a_qr_iban_bill_carries_the_qrr_reference_and_every_party(db: Database) -> None:
    customer = swiss(db)
    invoice_id = make_open(db, customer, currency="CHF")
    fields = spc(pdf_of(db, invoice_id))
    # Swiss Payment Standards, QR-bill 2.3, section 4.3.3: the elements in their order
    assert fields[:3] == ["SPC", "0200", "1"]
    assert fields[3] == QR_IBAN
    assert fields[4:11] == ["S", "Muster AG", "Bahnhofstrasse 1", "", "8001", "Zürich", "CH"]  # creditor
    assert fields[11:18] == [""] * 7  # the ultimate creditor is reserved
    assert fields[18:20] == ["477.03", "CHF"]
    assert fields[20:27] == ["S", "Kunde GmbH", "Weg 2", "", "3000", "Bern", "CH"]  # debtor
    assert fields[27:29] == ["QRR", qr_reference(invoice_id)]
    assert fields[29:] == [number_of(db, invoice_id), "EPD"]
    with transaction(db.readonly_sessions) as s:
        row = s.get(QrBill, invoice_id)
        assert row is not None and (row.reference_type, row.account) == ("QRR", QR_IBAN)


def test_an_iban_bill_in_eur_carries_the_rf_reference_and_no_girocode(db: Database) -> None:
    customer = swiss(db, IBAN, currency="EUR")
    invoice_id = make_open(db, customer, currency="EUR")
    pdf = pdf_of(db, invoice_id)
    fields = spc(pdf)
    number = number_of(db, invoice_id)
    assert fields[3] == IBAN and fields[18:20] == ["477.03", "EUR"]
    assert fields[27:29] == ["SCOR", rf_reference(number)]
    assert not any(c.startswith("BCD") for c in codes(pdf))  # one payment code, the Swiss one


def test_the_bank_matching_finds_the_invoice_by_its_qr_reference(db: Database) -> None:
    from tests.documents.bank_samples import Tx, camt053

    customer = swiss(db)
    invoice_id = make_open(db, customer, currency="CHF")
    reference = spc(pdf_of(db, invoice_id))[28]
    statement = camt053([Tx(Decimal("477.03"), "Someone", "", "", structured=reference, ref="QR1")], currency="CHF")
    with transaction(db.sessions) as s:
        bank.import_statement(s, statement, "statement")
    with transaction(db.sessions) as s:
        (view,) = bank.proposals(s)
        assert view.proposal is not None and view.proposal.sure
        assert [a.invoice_id for a in view.proposal.allocations] == [invoice_id]
        bank.confirm(s, view.entry.id)
    with transaction(db.readonly_sessions) as s:
        assert invoices.get_invoice(s, invoice_id).status == "paid"


def test_a_copy_asks_for_the_amount_due_now_and_the_issued_pdf_stays_as_it_was(db: Database) -> None:
    customer = swiss(db)
    invoice_id = make_open(db, customer, currency="CHF")
    issued = pdf_of(db, invoice_id)
    with transaction(db.sessions) as s:
        payments.record_payment(s, invoice_id, 17703, date(2026, 11, 5), "bank transfer")
    assert spc(pdf_of(db, invoice_id, copy=True))[18] == "300.00"
    assert pdf_of(db, invoice_id) == issued
    with transaction(db.sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        assert documents.render_document(documents.document_data(s, invoice)) == issued
        assert integrity.verify(s, db.folder).ok
    assert "qr_bills is append-only" in refused_by_database(
        db, "UPDATE qr_bills SET reference_type = 'NON' WHERE invoice_id = :i", i=invoice_id)


def test_a_long_invoice_puts_the_payment_part_on_a_page_of_its_own(db: Database) -> None:
    from invoicer.services.invoices import LineData

    customer = swiss(db)
    lines = [LineData(f"Item {n}", "1", "10.00", "S", "8.1") for n in range(1, 26)]
    invoice_id = make_open(db, customer, currency="CHF", lines=lines)
    pdf = pdf_of(db, invoice_id)
    document = pypdfium2.PdfDocument(pdf)
    try:
        last = document[len(document) - 1]
        assert any(c.text.startswith("SPC") for c in zxingcpp.read_barcodes(last.render(scale=4).to_pil()))
        text = last.get_textpage().get_text_range()
        assert "Zahlteil" in text and "Empfangsschein" in text
    finally:
        document.close()


def finalize_refused(db: Database, invoice_id: int, **kw: object) -> ValidationError:
    with pytest.raises(ValidationError) as refused, transaction(db.sessions) as s:
        invoices.finalize_invoice(s, invoice_id, **kw)  # type: ignore[arg-type]
    with transaction(db.readonly_sessions) as s:  # nothing was numbered
        invoice = s.get(Invoice, invoice_id)
        assert invoice is not None and invoice.status == "draft" and invoice.number is None
    return refused.value


def test_what_cannot_be_issued_validly_is_refused_with_a_plain_reason(db: Database) -> None:
    customer = swiss(db, "DE89370400440532013000")
    error = finalize_refused(db, make_draft(db, customer, currency="CHF"))
    assert "DE89370400440532013000 is not a valid Swiss or Liechtenstein IBAN" in str(error)
    german = error.text.render(translator("de_DE").gettext)
    assert german.startswith("Diese Rechnung kann keine gültige Schweizer QR-Rechnung tragen: die IBAN")

    with transaction(db.sessions) as s:
        company.update_company(s, iban=QR_IBAN, city="Zürich-Oerlikon, Quartier Neu-Oerlikon Nord")
    error = finalize_refused(db, make_draft(db, customer, currency="CHF"))
    assert "the company's city has more than the 35 characters the QR-bill takes" in str(error)
    assert "das Feld „Ort“ des Unternehmens hat mehr als die 35 Zeichen" in error.text.render(translator("de_DE").gettext)


def test_other_currencies_go_without_a_bill_unless_one_is_required(db: Database) -> None:
    customer = swiss(db)
    usd = make_draft(db, customer, currency="USD")
    with transaction(db.sessions) as s:
        invoices.finalize_invoice(s, usd, exchange_rate="0.80")
        assert s.get(QrBill, usd) is None
        settings.put(s, "payments.qr_bill", "required")
    error = finalize_refused(db, make_draft(db, customer, currency="USD"), exchange_rate="0.80")
    assert "it asks for CHF or EUR only, and the invoice is in USD" in str(error)
    assert "CHF oder EUR" in error.text.render(translator("de_DE").gettext)
    with transaction(db.sessions) as s:
        settings.put(s, "payments.qr_bill", "off")
    chf = make_open(db, customer, currency="CHF")
    assert not any(c.startswith("SPC") for c in codes(pdf_of(db, chf)))
    with transaction(db.readonly_sessions) as s:
        assert s.scalars(select(QrBill.invoice_id)).all() == []


def test_a_short_invoice_carries_the_payment_part_at_the_foot_of_its_only_page(db: Database) -> None:
    from invoicer.services.invoices import LineData

    customer = swiss(db)
    invoice_id = make_open(db, customer, currency="CHF", lines=[LineData("Beratung", "2", "150.00", "S", "8.1")])
    document = pypdfium2.PdfDocument(pdf_of(db, invoice_id))
    try:
        assert len(document) == 1
        page = document[0]
        text = page.get_textpage().get_text_range()
        assert "Empfangsschein" in text and "Seite 1 von 1" not in text  # the bill takes the footer's place
        (code,) = [c for c in zxingcpp.read_barcodes(page.render(scale=4).to_pil()) if c.text.startswith("SPC")]
        assert code.position.top_left.y > page.render(scale=4).to_pil().height * 0.6  # in the lower part
    finally:
        document.close()


def test_the_payment_part_follows_the_style_guide_in_an_embedded_allowed_font(db: Database) -> None:
    """Swiss Payment Standards style guide: Arial, Frutiger, Helvetica or Liberation Sans (here Liberation Sans,
    embedded as PDF/A requires); titles 11 pt bold; in the receipt headings 6 pt bold and values 8 pt, in the
    payment part headings 8 pt bold and values 10 pt; the scissors on the separation line, 105 mm above the foot;
    the receipt 62 mm wide, the QR code in the payment part 5 mm from its edge."""
    from io import BytesIO

    from pypdf import PdfReader

    customer = swiss(db)
    pdf = pdf_of(db, make_open(db, customer, currency="CHF"))
    page = PdfReader(BytesIO(pdf)).pages[0]
    mm = 72 / 25.4
    runs: list[tuple[str, float, float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip() and font is not None:
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), x, y, str(font["/BaseFont"]), size))  # type: ignore[index]

    page.extract_text(visitor_text=visit)
    bill = [r for r in runs if r[2] < 105 * mm + 2]
    assert {font.split("+")[-1] for text, *_, font, _ in bill if text != "\u2702"} == {
        "LiberationSans", "LiberationSans-Bold"}
    (scissors,) = [r for r in bill if r[0] == "\u2702"]
    assert abs(scissors[2] - (105 * mm - 1.3 * mm)) < 1  # on the line between the invoice and the bill

    def run(text: str, receipt: bool) -> tuple[str, float, float, str, float]:
        (found,) = [r for r in bill if r[0].startswith(text) and (r[1] < 62 * mm) == receipt]
        return found

    for title, receipt in (("Empfangsschein", True), ("Zahlteil", False)):
        found = run(title, receipt)
        assert found[3].endswith("LiberationSans-Bold") and found[4] == 11
    for receipt, heading, value in ((True, 6, 8), (False, 8, 10)):
        konto = run("Konto / Zahlbar an", receipt)
        assert konto[3].endswith("LiberationSans-Bold") and konto[4] == heading
        assert run("Betrag", receipt)[4] == heading
        (iban,) = [r for r in bill if r[0].startswith("CH44 3199") and (r[1] < 62 * mm) == receipt]
        assert iban[3].endswith("LiberationSans") and iban[4] == value
    assert abs(run("Zahlteil", False)[1] - 67 * mm) < 1  # 5 mm into the payment part, which starts at 62 mm
    fonts = page["/Resources"]["/Font"]  # type: ignore[index]
    for ref in fonts.values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]  # every font embedded (PDF/A)


def test_the_bill_asks_for_what_is_left_after_the_prepaid_amount_and_the_rounding(db: Database) -> None:
    """477.03 less 100.00 paid in advance (BT-113), rounded by -0.03 (BT-114): the bill asks 377.00, once."""
    customer = swiss(db)
    invoice_id = make_open(db, customer, currency="CHF", prepaid="100.00", prepaid_method="cash",
                           rounding_amount="-0.03")
    assert spc(pdf_of(db, invoice_id))[18:20] == ["377.00", "CHF"]
    with transaction(db.readonly_sessions) as s:
        assert invoices.get_invoice(s, invoice_id).amount_due == 37700
