"""Documents from the database: frozen at finalize, reprints, XML equal to the engine, export, integrity."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import pypdf
import pytest
from lxml import etree
from sqlalchemy import select

from invoicer.core.errors import StorageError, ValidationError
from invoicer.core.money import format_minor, from_minor
from invoicer.core.totals import AdjustmentInput, LineInput, TaxKey, TaxRounding, compute_totals
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import ChainLink, Invoice
from invoicer.documents.facturx import NSMAP
from invoicer.services import (
    company,
    credit_notes,
    customers,
    documents,
    integrity,
    invoices,
    payments,
    rates,
    settings,
)
from invoicer.services.invoices import AdjustmentData, LineData
from tests.services.helpers import make_draft, make_open

from .test_pdf import decode_qr_codes, flat, text_of


def stored_file(db: Database, invoice_id: int) -> Path:
    with transaction(db.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id, doc_type=None)
        return documents.stored_pdf_path(db.folder, inv.id, inv.number)


def embedded_xml(pdf: bytes) -> etree._Element:
    name, xml = facturx.get_xml_from_pdf(io.BytesIO(pdf), check_xsd=True)
    assert name == "factur-x.xml"
    return etree.fromstring(xml)


def assert_verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s, db.folder)
    assert report.ok, report.summary()


def test_finalize_keeps_the_pdf_and_chains_its_hash(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    path = stored_file(seller, invoice_id)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        link = s.scalar(select(ChainLink).where(ChainLink.invoice_id == invoice_id))
        assert inv.pdf_sha256 == documents.sha256_hex(path.read_bytes())
        assert link is not None and link.pdf_sha256 == inv.pdf_sha256
        assert documents.frozen_pdf(s, invoice_id) == path.read_bytes()
        assert documents.document_pdf(s, invoice_id) == path.read_bytes()
    text = text_of(path.read_bytes())
    assert "Facture INV-2026-00001" in text  # the customer is French
    assert "ACME SARL" in text and "Müller & Söhne GmbH" in text
    assert_verified(seller)


def test_reprint_is_the_same_file_even_after_the_company_changes(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    original = stored_file(seller, invoice_id).read_bytes()
    with transaction(seller.sessions) as s:
        company.update_company(s, name="Renamed GmbH")
        customers.update_customer(s, customer_id, customers.CustomerData(name="Renamed SARL", country="FR"))
    with transaction(seller.sessions) as s:
        assert documents.frozen_pdf(s, invoice_id) == original
        assert documents.invoice_xml(s, invoice_id) == embedded_xml_bytes(original)
    assert "Renamed" not in text_of(original)


def embedded_xml_bytes(pdf: bytes) -> bytes:
    return facturx.get_xml_from_pdf(io.BytesIO(pdf), check_xsd=False)[1]


def _customer(db: Database, name: str, country: str, **kw: object) -> int:
    with transaction(db.sessions) as s:
        return customers.add_customer(s, customers.CustomerData(name=name, country=country, **kw))  # type: ignore[arg-type]


def _engine_totals(inv: Invoice) -> tuple[int, int, int, list[tuple[str, Decimal, int, int]]]:
    totals = compute_totals(
        [LineInput(x.quantity, x.unit_price, TaxKey(x.tax_category, x.tax_rate), x.discount_percent,
                   x.discount_amount, x.price_base) for x in inv.lines],
        [AdjustmentInput(from_minor(a.amount, inv.currency), TaxKey(a.tax_category, a.tax_rate), a.is_charge)
         for a in inv.adjustments],
        inv.currency, TaxRounding(inv.tax_rounding),
    )
    return totals.subtotal, totals.tax_total, totals.total, [(t.category, t.rate, t.basis, t.amount)
                                                             for t in totals.taxes]


def _range_of_documents(db: Database, customer_id: int) -> list[int]:
    """Invoices and credit notes covering the cases EN 16931 validators care about."""
    ids = [make_open(db, customer_id)]  # 19 % and 7 %, a line discount
    ids.append(make_open(db, customer_id, adjustments=[
        AdjustmentData("25.00", "S", "19", False, "Loyalty discount"),
        AdjustmentData("9.90", "S", "19", True, "Shipping"),
        AdjustmentData("1.50", "S", "7", True, "Book packaging"),
    ]))
    ids.append(make_open(db, customer_id, tax_rounding="line"))
    with transaction(db.sessions) as s:
        settlement = credit_notes.issue_credit_note(s, ids[0], amount=10000, reason="Goodwill",
                                                    issue_date=date(2026, 11, 3))
        full = credit_notes.issue_credit_note(s, ids[1], full=True, issue_date=date(2026, 11, 3))
    ids += [settlement.credit_note_id, full.credit_note_id]
    zero = _customer(db, "Buchhandlung Zero", "DE", locale="de_DE")
    ids.append(make_open(db, zero, issue=date(2026, 11, 4), lines=[LineData("Printed matter", "10", "4.99", "Z", "0")]))
    reverse = _customer(db, "Wiener Handel GmbH", "AT", vat_id="ATU13585627", locale="de_AT")
    ids.append(make_open(db, reverse, issue=date(2026, 11, 4),
                         lines=[LineData("Consulting", "8", "95.00", "AE", "0", "HUR")]))
    japan = _customer(db, "Tanaka KK", "JP", currency="JPY", locale="ja_JP")
    with transaction(db.sessions) as s:
        rates.set_rate(s, "JPY", "0.0061", date(2026, 11, 1))
    ids.append(make_open(db, japan, issue=date(2026, 11, 4), lines=[
        LineData("Consulting", "3", "12000", "G", "0", "HUR"), LineData("Hosting", "1", "4999", "G", "0", "MON"),
    ]))
    return ids


def test_xml_in_the_pdf_equals_the_database_and_the_engine(seller: Database, customer_id: int) -> None:
    ids = _range_of_documents(seller, customer_id)
    with transaction(seller.sessions) as s:
        for invoice_id in ids:
            inv = s.get(Invoice, invoice_id)
            assert inv is not None
            root = embedded_xml(documents.frozen_pdf(s, invoice_id))
            currency = inv.currency

            def money(minor: int, currency: str = currency) -> str:
                return format_minor(minor, currency)

            def one(path: str, root: etree._Element = root) -> str:
                (found,) = root.xpath(path, namespaces=NSMAP)
                return str(found)

            subtotal, tax_total, total, breakdown = _engine_totals(inv)
            assert (subtotal, tax_total, total) == (inv.subtotal, inv.tax_total, inv.total)
            assert one("//ram:TypeCode[parent::rsm:ExchangedDocument]/text()") == (
                "381" if inv.doc_type == "credit_note" else "380"
            )
            assert one("//rsm:ExchangedDocument/ram:ID/text()") == inv.number
            assert one("//ram:LineTotalAmount[parent::ram:SpecifiedTradeSettlementHeaderMonetarySummation]/text()") \
                == money(inv.subtotal)
            assert one(f"//ram:TaxTotalAmount[@currencyID='{inv.currency}']/text()") == money(inv.tax_total)
            if inv.currency != inv.company_currency:  # BT-111: the VAT total in the company currency as well
                assert one(f"//ram:TaxTotalAmount[@currencyID='{inv.company_currency}']/text()") == format_minor(
                    inv.company_tax_total, inv.company_currency)
            assert one("//ram:GrandTotalAmount/text()") == money(inv.total)
            assert one("//ram:AllowanceTotalAmount/text()") == money(inv.allowance_total)
            assert one("//ram:ChargeTotalAmount/text()") == money(inv.charge_total)
            xml_taxes = [
                (t.findtext("ram:CategoryCode", namespaces=NSMAP), t.findtext("ram:BasisAmount", namespaces=NSMAP),
                 t.findtext("ram:CalculatedAmount", namespaces=NSMAP))
                for t in root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NSMAP)
            ]
            assert xml_taxes == [(t.category, money(t.basis), money(t.amount)) for t in inv.taxes]
            assert [(c, money(b), money(a)) for c, _, b, a in breakdown] == xml_taxes
            if inv.doc_type == "credit_note":
                corrected = s.get(Invoice, inv.corrects_id)
                assert corrected is not None
                assert one("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == corrected.number
            else:
                assert one("//ram:DuePayableAmount/text()") == money(inv.total)
                assert one("//ram:IBANID/text()") == "DE89370400440532013000"
            assert documents.invoice_xml(s, invoice_id) == etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", pretty_print=True
            )
    assert_verified(seller)


def test_xml_of_every_document_passes_the_business_rules(seller: Database, customer_id: int, schematron) -> None:  # type: ignore[no-untyped-def]
    ids = _range_of_documents(seller, customer_id)
    with transaction(seller.sessions) as s:
        for invoice_id in ids:
            inv = s.get(Invoice, invoice_id)
            assert inv is not None
            errors = schematron(documents.invoice_xml(s, invoice_id))
            if inv.tax_rounding == "line" or inv.currency == "JPY":
                # per-line VAT and zero-decimal currencies are outside EN 16931's two-decimal VAT rule
                errors = [e for e in errors if not e.startswith(("BR-S-09", "BR-DEC"))]
            assert errors == [], (inv.number, errors)


def test_credit_note_pdf_cites_the_invoice_and_its_settlement(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        settlement = credit_notes.issue_credit_note(s, invoice_id, amount=10000, reason="Goodwill",
                                                    issue_date=date(2026, 11, 3))
        text = text_of(documents.frozen_pdf(s, settlement.credit_note_id))
        invoice = invoices.get_invoice(s, invoice_id)
    assert f"Avoir {settlement.number}" in text
    assert f"Cet avoir se rapporte à la facture {invoice.number} du 2 nov. 2026." in text
    assert flat("Déduit du montant dû de la facture 100,00 €") in text
    assert "Motif: Goodwill" in text
    assert_verified(seller)


def test_draft_renders_on_demand_with_watermark_and_no_xml(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    with transaction(seller.sessions) as s:
        pdf = documents.document_pdf(s, draft)
        with pytest.raises(ValidationError, match="finalize"):
            documents.invoice_xml(s, draft)
    text = text_of(pdf)
    assert "BROUILLON — facture non valable" in text and "INV-" not in text
    assert pypdf.PdfReader(io.BytesIO(pdf)).attachments == {}
    assert not (seller.folder / "documents").exists() or not list((seller.folder / "documents").iterdir())


def test_void_reprint_is_marked_and_the_frozen_file_stays(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    original = stored_file(seller, invoice_id).read_bytes()
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, invoice_id, "typo")
    with transaction(seller.sessions) as s:
        reprint = documents.document_pdf(s, invoice_id)
        assert documents.frozen_pdf(s, invoice_id) == original
    assert "ANNULÉE" in text_of(reprint)
    assert decode_qr_codes(reprint) == []
    assert stored_file(seller, invoice_id).read_bytes() == original
    assert_verified(seller)


def test_balance_copy_shows_what_was_paid(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 10000, date(2026, 11, 5))
    with transaction(seller.sessions) as s:
        copy = documents.document_pdf(s, invoice_id, copy=True)
        due = invoices.get_invoice(s, invoice_id).amount_due
    text = text_of(copy)
    assert "COPIE" in text and flat("Payé −100,00 €") in text
    assert f"EUR{format_minor(due, 'EUR')}" in decode_qr_codes(copy)[0]


def test_finalized_without_pdf_is_rendered_once_on_first_use(
    seller: Database, customer_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bulk-made documents (demo data) are finalized without rendering
    monkeypatch.setattr(documents, "store_frozen_pdf", lambda session, invoice, *args, **kwargs: None)
    invoice_id = make_open(seller, customer_id)
    monkeypatch.undo()
    path = stored_file(seller, invoice_id)
    assert not path.exists()
    with transaction(seller.sessions) as s:
        first = documents.frozen_pdf(s, invoice_id)
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, invoice_id).pdf_sha256 == documents.sha256_hex(first)
        assert documents.frozen_pdf(s, invoice_id) == first == path.read_bytes()
    assert_verified(seller)


def test_a_changed_or_missing_file_is_found_and_restored_only_if_exact(
    seller: Database, customer_id: int
) -> None:
    invoice_id = make_open(seller, customer_id)
    path = stored_file(seller, invoice_id)
    original = path.read_bytes()
    path.write_bytes(original[:-40] + b"%" * 40)
    with transaction(seller.readonly_sessions) as s:
        problems = documents.check_pdfs(s, seller.folder)
    assert len(problems) == 1 and "was changed" in problems[0]
    with transaction(seller.sessions) as s:
        assert documents.frozen_pdf(s, invoice_id) == original  # rendering is deterministic: restored
    assert path.read_bytes() == original
    path.unlink()
    with transaction(seller.readonly_sessions) as s:
        assert "is missing" in documents.check_pdfs(s, seller.folder)[0]
    with transaction(seller.sessions) as s, pytest.raises(StorageError, match="cannot be restored"):
        settings.put(s, "documents.paper_size", "Letter")  # the same data would now render differently
        documents.frozen_pdf(s, invoice_id)


def test_paper_size_setting(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        settings.put(s, "documents.paper_size", "Letter")
        with pytest.raises(ValidationError):
            settings.put(s, "documents.paper_size", "A5")
    invoice_id = make_open(seller, customer_id)
    box = pypdf.PdfReader(stored_file(seller, invoice_id)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


def test_export_writes_every_document_in_parallel(seller: Database, customer_id: int, tmp_path: Path) -> None:
    ids = [make_open(seller, customer_id, issue=date(2026, 11, day)) for day in (2, 3, 20)]
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, ids[1])
        chosen = documents.documents_to_export(s, date(2026, 11, 1), date(2026, 11, 10))
        numbers = [invoices.get_invoice(s, i).number for i in chosen]
    assert chosen == ids[:2]
    seen: list[tuple[int, int]] = []
    result = documents.export_pdfs(seller.path, chosen, tmp_path / "out", lambda d, t: seen.append((d, t)), workers=2)
    assert [p.name for p in result.files] == sorted(f"{n}.pdf" for n in numbers)
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert (tmp_path / "out" / f"{numbers[0]}.pdf").read_bytes() == stored_file(seller, ids[0]).read_bytes()
    assert "ANNULÉE" in text_of((tmp_path / "out" / f"{numbers[1]}.pdf").read_bytes())


def test_a_rolled_back_finalize_leaves_no_trace_that_matters(seller: Database, customer_id: int) -> None:
    draft = make_draft(seller, customer_id)
    with pytest.raises(RuntimeError), transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, draft)
        raise RuntimeError("power cut")
    folder = seller.folder / "documents"
    orphans = list(folder.iterdir())  # the rolled-back render: unreferenced
    with transaction(seller.sessions) as s:
        assert invoices.get_invoice(s, draft).pdf_sha256 is None
        invoices.finalize_invoice(s, draft)  # takes the same number again and overwrites that file
    path = stored_file(seller, draft)
    assert list(folder.iterdir()) == orphans == [path]
    with transaction(seller.readonly_sessions) as s:
        assert invoices.get_invoice(s, draft).pdf_sha256 == documents.sha256_hex(path.read_bytes())
    assert_verified(seller)
