"""Quotes: their own gapless series, draft -> sent -> accepted | declined | expired, a PDF in the customer's
language, and accepted quotes invoiced (all lines or some, each once) citing the quote, with the totals checked
against a computation by hand and the invoice's XML against the official rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import einvoicing, integrity, invoices, quotes, settings
from invoicer.services.invoices import LineData
from invoicer.services.quotes import QuoteData
from tests.mail.smtp_server import PASSWORD, USER, ServerFactory
from tests.services.test_mailing import configure

D = date
FIRST = D(2026, 12, 1)
LINES = [LineData("Website design", "12.5", "96.00", "S", "19"), LineData("Hosting set-up", "1", "149.995", "S", "19"),
         LineData("Handbook", "3", "24.90", "S", "7")]


def make_quote(db: Database, customer_id: int, on: date = FIRST, **kw: object) -> int:
    with transaction(db.sessions) as s:
        return quotes.create_quote(s, QuoteData(customer_id, list(LINES), issue_date=on, **kw),  # type: ignore[arg-type]
                                   today=on)


def test_a_quote_is_numbered_when_sent_in_its_own_series_and_verify_counts_it(seller: Database,
                                                                                customer_id: int) -> None:
    first, second, third = (make_quote(seller, customer_id) for _ in range(3))
    with transaction(seller.sessions) as s:
        assert quotes.get_quote(s, first).number is None  # a draft has no number
        quotes.delete_quote(s, second)  # a deleted draft leaves no gap
        assert [quotes.send_quote(s, q, D(2026, 12, 2)) for q in (third, first)] == ["QUO-2026-00001",
                                                                                   "QUO-2026-00002"]
        with pytest.raises(ConflictError):
            quotes.update_quote(s, first, QuoteData(customer_id, list(LINES)))
        with pytest.raises(ConflictError):
            quotes.delete_quote(s, first)
        report = integrity.verify(s)
    assert report.ok, report.problems


def test_statuses_accept_decline_and_expiry(seller: Database, customer_id: int) -> None:
    accepted, declined, late = (make_quote(seller, customer_id, valid_until=D(2026, 12, 31)) for _ in range(3))
    with transaction(seller.sessions) as s:
        with pytest.raises(ConflictError):
            quotes.accept_quote(s, accepted, D(2026, 12, 2))  # not sent yet
        for q in (accepted, declined, late):
            quotes.send_quote(s, q, D(2026, 12, 1))
        quotes.accept_quote(s, accepted, D(2026, 12, 31))  # the last valid day
        quotes.decline_quote(s, declined, D(2026, 12, 3))
        with pytest.raises(ConflictError, match="expired on 2026-12-31"):
            quotes.accept_quote(s, late, D(2027, 1, 1))
        statuses = {r.id: r.status for r in quotes.list_quotes(s, D(2027, 1, 1))}
        with pytest.raises(ConflictError):
            quotes.invoice_quote(s, declined)
    assert statuses == {accepted: "accepted", declined: "declined", late: "expired"}


def test_an_accepted_quote_becomes_invoices_line_by_line_each_line_once(seller: Database, customer_id: int) -> None:
    quote = make_quote(seller, customer_id)
    with transaction(seller.sessions) as s:
        number = quotes.send_quote(s, quote, D(2026, 12, 1))
        quotes.accept_quote(s, quote, D(2026, 12, 2))
        partial = quotes.invoice_quote(s, quote, [1, 3], today=D(2026, 12, 3))
        with pytest.raises(ConflictError, match="Line 3"):
            quotes.invoice_quote(s, quote, [3])
        with pytest.raises(ValidationError):
            quotes.invoice_quote(s, quote, [4])
        rest = quotes.invoice_quote(s, quote, today=D(2026, 12, 4))
        with pytest.raises(ConflictError, match="Every line"):
            quotes.invoice_quote(s, quote)
        first, second = invoices.get_invoice(s, partial), invoices.get_invoice(s, rest)
        # by hand: 12.5 x 96.00 = 1200.00 and 3 x 24.90 = 74.70; VAT 19 % of 1200.00 = 228.00, 7 % of 74.70 =
        # 5.229 -> 5.23; then 149.995 -> 150.00 (half up), VAT 28.50
        assert (first.subtotal, first.tax_total, first.total) == (127470, 23323, 150793)
        assert (second.subtotal, second.tax_total, second.total) == (15000, 2850, 17850)
        q = quotes.get_quote(s, quote)
        assert q.total == first.total + second.total  # VAT per rate: 19 % of 1350.00 = 256.50 = 228.00 + 28.50
        assert [ln.description for ln in first.lines] == ["Website design", "Handbook"]
        assert first.buyer_reference is None  # BT-10 is the buyer's routing reference, not the quote number
        # French customer: the citation is in French
        assert (first.notes or "").startswith(f"Devis {number} du ")
        invoices.finalize_invoice(s, partial)
        invoices.finalize_invoice(s, rest)
        for invoice in (first, second):
            for fmt in (EInvoiceFormat.FACTURX, EInvoiceFormat.EN16931_CII):
                _, xml = einvoicing.document_einvoice(s, invoice, fmt)
                check = validate(xml, fmt)
                assert check.ok, check.errors
        assert quotes.list_quotes(s)[0].invoiced == (partial, rest)


def test_deleting_an_invoiced_draft_gives_its_lines_back(seller: Database, customer_id: int) -> None:
    quote = make_quote(seller, customer_id)
    with transaction(seller.sessions) as s:
        quotes.send_quote(s, quote)
        quotes.accept_quote(s, quote)
        draft = quotes.invoice_quote(s, quote)
        invoices.delete_draft(s, draft)
        assert quotes.invoiced_positions(s, quote) == set()
        again = quotes.invoice_quote(s, quote)
        assert len(invoices.get_invoice(s, again).lines) == 3


def test_the_pdf_is_in_the_customers_language_with_validity_and_no_payment_request(seller: Database,
                                                                                    customer_id: int) -> None:
    quote = make_quote(seller, customer_id, valid_until=D(2027, 1, 15))
    with transaction(seller.sessions) as s:
        number = quotes.send_quote(s, quote, D(2026, 12, 1))
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(quotes.quote_pdf(s, quote))).pages)
    assert f"Devis {number}" in text and "N° de devis" in text and "Valable jusqu'au" in text
    assert "Ce devis est valable jusqu'au 15 janv. 2027." in text
    assert "1 686,43" in text.replace("\u202f", " ").replace("\xa0", " ")  # 1424.70 net + 256.50 + 5.23 VAT
    assert "IBAN" not in text.split("Total")[-1] and "Scan" not in text  # no payment request on a quote


def test_a_quote_series_has_its_own_format(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        settings.NUMBERING["quote"].put(s, "A-{seq:03}")
    quote = make_quote(seller, customer_id)
    with transaction(seller.sessions) as s:
        assert quotes.send_quote(s, quote) == "A-001"


def test_emailing_a_draft_numbers_it_and_sends_its_pdf_in_french(seller: Database, customer_id: int,
                                                                  smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls", users={USER: PASSWORD})
    configure(seller, server.port)
    quote = make_quote(seller, customer_id)
    quotes.email_quote(seller, quote, today=D(2026, 12, 1))
    (received,) = server.messages
    message = received.message
    assert received.rcpt_tos == ["ap@acme.example"]
    assert message["Subject"] == "Devis QUO-2026-00001 de Müller & Söhne GmbH"
    body = message.get_body(("plain",))
    assert body is not None and "valable jusqu'au" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "QUO-2026-00001.pdf"
    with transaction(seller.sessions) as s:
        assert quotes.get_quote(s, quote).status == "sent"


def test_a_draft_quote_is_marked_as_not_sent(seller: Database, customer_id: int) -> None:
    quote = make_quote(seller, customer_id)
    with transaction(seller.sessions) as s:
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(quotes.quote_pdf(s, quote))).pages)
    assert "BROUILLON — pas encore envoyé" in text and "Devis (brouillon)" in text


def test_a_quote_lines_service_period_goes_to_the_pdf_and_to_the_invoice_made_from_it(seller: Database,
                                                                                     customer_id: int) -> None:
    october = (D(2026, 10, 1), D(2026, 10, 31))
    lines = [replace(LINES[0], period_start=october[0], period_end=october[1]), LINES[1]]
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError, match=r"line 1: the service period ends \(2026-10-01\) before it starts"):
            quotes.create_quote(s, QuoteData(customer_id, [replace(LINES[0], period_start=october[1],
                                                                   period_end=october[0])], issue_date=FIRST))
        quote = quotes.create_quote(s, QuoteData(customer_id, lines, issue_date=FIRST), today=FIRST)
        assert [(ln.period_start, ln.period_end) for ln in quotes.quote_data(s, quote).lines] == [october, (None, None)]
        quotes.send_quote(s, quote, FIRST)
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(quotes.quote_pdf(s, quote))).pages)
        quotes.accept_quote(s, quote, D(2026, 12, 2))
        invoice_id = quotes.invoice_quote(s, quote, today=D(2026, 12, 3))
        invoice = invoices.get_invoice(s, invoice_id)
        assert [(ln.period_start, ln.period_end) for ln in invoice.lines] == [october, (None, None)]
        invoices.finalize_invoice(s, invoice_id)
        _, xml = einvoicing.document_einvoice(s, invoices.get_invoice(s, invoice_id), EInvoiceFormat.FACTURX)
    assert "Période de prestation" in text and "1 oct. 2026" in text  # the French customer's quote PDF
    assert xml.count(b"BillingSpecifiedPeriod") == 2  # the line's own BG-26: start and end, once
    assert b"20261001" in xml and b"20261031" in xml
