"""What the customer is asked to pay, and what the books say is owed, read by every reader of one invoice that has a
line discount, a document discount and charge, a payment, a credit note of an amount and one crediting a line (its
share of the document discount and charge): the invoice view, `invoice show`, the customer list, aged receivables, the
ledger workbook (Invoices and Aged receivables sheets), the statement of account, the email (its EPC QR code), the
reminder email and the printed reminder letter. Then on the later paths: a payment after the period end (the period's
figures stay as they were on its last day) and a write-off (owed, but no longer a receivable)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pypdfium2
import pytest

from invoicer.cli import main
from invoicer.core.money import format_minor
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents.qr import epc_payload
from invoicer.i18n import format_money
from invoicer.services import customers, invoices, ledger, mailing, payments, reminders, reports, statements
from invoicer.services.views import invoice_view
from tests.mail.smtp_server import PASSWORD, USER, Server, ServerFactory

from .helpers import settled_invoice
from .test_mailing import _qr_codes, configure

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


def _qr(amount: int, number: str) -> list[str]:
    code = epc_payload("Müller & Söhne GmbH", "DE89370400440532013000", amount, number, "COBADEFFXXX")
    assert code is not None
    return [code]


def _sheet(book: ledger.Ledger, name: str) -> list[tuple[object, ...]]:
    found = next(t for t in book.tables if t.name == name)
    return [tuple(row) for row in found.rows()]


def _books(db: Database, invoice_id: int, date_to: date, today: date) -> tuple[int, int, int, int]:
    """What the customer list, aged receivables and the ledger (its Invoices sheet's amount due, its Aged
    receivables sheet) say is owed on ``date_to`` (the list and aged receivables as of that day)."""
    with transaction(db.readonly_sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        listed = next(c.balance for c in customers.list_customers(s, as_of=date_to) if c.id == invoice.customer_id)
        aged = sum(r.total for r in reports.aged_receivables(s, date_to))
        book = ledger.build_ledger(s, date_from=NOVEMBER[0], date_to=date_to, today=today)
        [sheet_due] = [row[12] for row in _sheet(book, "invoices") if row[0] == invoice.number]
        sheet_aged = sum(int(row[7]) for row in _sheet(book, "aged_receivables"))  # type: ignore[call-overload]
    return listed, aged, int(sheet_due), sheet_aged  # type: ignore[call-overload]


def _pdf_text(path: Path) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(path.read_bytes())))


@pytest.mark.sqlite_only
def test_every_reader_asks_for_the_same_amount_after_payments_and_credits(
    db: Database, server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice_id = settled_invoice(db)
    configure(db, server.port)
    today = date(2026, 12, 2)
    with transaction(db.readonly_sessions) as s:
        view = invoice_view(s, invoice_id, today)
        due, number, customer_id = view.balance.amount_due, view.number or "", view.customer_id
        closing = statements.statement_of_account(s, customer_id, *NOVEMBER, today=today).closing
        [reminder] = reminders.due_reminders(s, today)  # the "due today" level
    assert 0 < due < view.totals.total and view.balance.paid and view.balance.credited
    assert due == view.totals.total - view.balance.paid - view.balance.credited == closing == reminder.amount_due

    capsys.readouterr()
    assert main(["--data-dir", str(db.folder), "invoice", "show", str(invoice_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["amount_due"] == format_minor(due, "EUR")
    assert _books(db, invoice_id, NOVEMBER[1], today) == (due, due, due, due)

    mailing.send_invoice(db, invoice_id, today=today)
    [attachment] = server.messages[-1].message.iter_attachments()
    assert _qr_codes(attachment.get_content()) == _qr(due, number)

    letter = reminders.print_letter(db, reminder, tmp_path, today)
    assert letter is not None and format_money(due, "EUR", "fr_FR").replace("\xa0", " ") in _pdf_text(letter)
    run = reminders.run_reminders(db, date(2026, 12, 5))  # the "overdue" level, by email
    assert [r.outcome for r in run.results] == ["sent"]
    message = server.messages[-1].message
    assert format_money(due, "EUR", "fr_FR") in message.get_body(("plain",)).get_content()
    [attachment] = message.iter_attachments()
    assert _qr_codes(attachment.get_content()) == _qr(due, number)


def test_a_payment_after_the_period_end_and_a_write_off_leave_the_periods_figures_as_they_were(db: Database) -> None:
    invoice_id = settled_invoice(db)
    today = date(2026, 12, 5)
    with transaction(db.sessions) as s:
        due = invoices.get_invoice(s, invoice_id).amount_due
        payments.record_payment(s, invoice_id, 1000, date(2026, 12, 3))
    # November's ledger, exported after the payment: every figure is what was owed on 30 November
    assert _books(db, invoice_id, NOVEMBER[1], today) == (due, due, due, due)
    assert _books(db, invoice_id, today, today) == (due - 1000,) * 4

    with transaction(db.sessions) as s:
        invoices.mark_uncollectible(s, invoice_id, "Insolvent", date(2026, 12, 4))
        view = invoice_view(s, invoice_id, today)
        assert view.status == "uncollectible" and view.balance.amount_due == due - 1000  # still owed...
        assert reminders.due_reminders(s, today) == []  # ...but never reminded of
    listed, aged, sheet_due, sheet_aged = _books(db, invoice_id, today, today)
    assert (listed, aged, sheet_aged) == (0, 0, 0)  # bad debt, no longer a receivable
    assert sheet_due == due - 1000
    assert _books(db, invoice_id, NOVEMBER[1], today) == (due, due, due, due)


@pytest.mark.sqlite_only
def test_a_line_credit_note_with_its_share_of_the_document_discount_reads_alike_everywhere(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """The credit note of one book (7 %) carries its share of the 7 % shipping charge: its view, `invoice show`,
    its XML (381, citing the invoice), its PDF and the ledger's Credit notes sheet state the same amounts."""
    from lxml import etree

    from invoicer.services import documents

    invoice_id = settled_invoice(db)
    today = date(2026, 12, 2)
    with transaction(db.sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        [note_id] = [n.id for n in invoice_view(s, invoice_id, today).credit_notes if n.reason == "Returned"]
        view = invoice_view(s, note_id, today)
        root = etree.fromstring(documents.invoice_xml(s, note_id))
        pdf = documents.frozen_pdf(s, note_id)
        book = ledger.build_ledger(s, *NOVEMBER, today=today)
        [sheet] = [row for row in _sheet(book, "credit_notes") if row[0] == view.number]
    totals = view.totals
    assert totals.charge_total > 0 and len(view.lines) == 1  # one book, and its share of the shipping charge
    ns = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
          "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
    sums = root.xpath("//ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=ns)[0]
    stated = {child.tag.rpartition("}")[2]: child.text for child in sums}
    assert {k: stated[k] for k in ("LineTotalAmount", "ChargeTotalAmount", "TaxBasisTotalAmount", "GrandTotalAmount")} == {
        "LineTotalAmount": format_minor(totals.subtotal, "EUR"), "ChargeTotalAmount": format_minor(totals.charge_total, "EUR"),
        "TaxBasisTotalAmount": format_minor(totals.tax_basis, "EUR"), "GrandTotalAmount": format_minor(totals.total, "EUR")}
    assert root.xpath("string(//rsm:ExchangedDocument/ram:TypeCode)", namespaces=ns) == "381"
    assert root.xpath("string(//ram:InvoiceReferencedDocument/ram:IssuerAssignedID)", namespaces=ns) == invoice.number
    assert (sheet[7], sheet[8], sheet[9]) == (totals.tax_basis, totals.tax_total, totals.total)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(pdf)))
    assert format_money(totals.total, "EUR", "fr_FR").replace("\xa0", " ") in text.replace("\xa0", " ")

    capsys.readouterr()
    assert main(["--data-dir", str(db.folder), "invoice", "show", str(note_id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["charge_total"], shown["tax_total"], shown["total"]) == (
        format_minor(totals.charge_total, "EUR"), format_minor(totals.tax_total, "EUR"), format_minor(totals.total, "EUR"))
