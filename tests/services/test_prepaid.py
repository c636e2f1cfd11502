"""The prepaid amount (BT-113) entered on a draft: paid as the invoice is finalized (a payment dated on its issue
date, or the customer's credit applied), so the invoice opens with total - prepaid + rounding due and every balance,
report, the journal and verify count the money once, exactly as a payment of the same amount recorded after
finalize; the documents state it (PDF, every e-invoice format, the payment link) as issued, whatever is paid later."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from sqlalchemy import select

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Payment
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.documents.model import DocumentMark
from invoicer.services import (
    credit_notes,
    customers,
    dashboard,
    documents,
    drafts,
    einvoicing,
    integrity,
    invoices,
    ledger,
    payment_links,
    payments,
    reminders,
    reports,
    settings,
    statements,
    views,
)
from tests.services.helpers import refused_by_database, tamper
from tests.services.test_line_detail import FORMATS, _public_buyer

DAY = date(2026, 11, 20)
S19 = {"category": "S", "rate": "19"}


def draft(customer_id: int, **changes: Any) -> dict[str, Any]:
    """10 x 100.00 + 19 % = 1190.00, rounded up by 0.01: 1190.01 asked; 500.00 of it paid in cash beforehand."""
    raw = {
        "customer": customer_id, "issue_date": DAY.isoformat(), "buyer_reference": "04011000-12345-03",
        "lines": [{"description": "Consulting", "quantity": "10", "unit": "HUR", "unit_price": "100.00", "tax": S19}],
        "rounding_amount": "0.01",
        "prepaid": {"amount": "500.00", "method": "cash", "reference": "Receipt 17"},
        **changes,
    }
    return {key: value for key, value in raw.items() if value is not None}


def _issue(db: Database, raw: dict[str, Any]) -> int:
    with transaction(db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(raw, "draft.json"))
        invoices.finalize_invoice(s, invoice_id)
    return invoice_id


def _verified(db: Database) -> None:
    with transaction(db.readonly_sessions) as s:
        report = integrity.verify(s)
    assert report.ok, report.summary()


def _sheets(db: Database) -> dict[str, list[dict[str, object]]]:
    with transaction(db.readonly_sessions) as s:
        found = {}
        for table in ledger.build_ledger(s).tables:
            keys = [column.key for column in table.columns]
            found[table.name] = [dict(zip(keys, row, strict=True)) for row in table.rows()]
        return found


def _amounts(xml: bytes) -> tuple[str, str]:
    """BT-113 and BT-115 as the XML states them (CII or UBL)."""
    text = xml.decode()
    prepaid = re.search(r"<(?:ram:TotalPrepaidAmount|cbc:PrepaidAmount)[^>]*>([^<]+)<", text)
    due = re.search(r"<(?:ram:DuePayableAmount|cbc:PayableAmount)[^>]*>([^<]+)<", text)
    assert prepaid and due, text
    return prepaid.group(1), due.group(1)


def test_a_prepaid_amount_from_json_is_stated_in_every_format_and_stays_as_issued(
        seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.total, inv.rounding_amount, inv.prepaid, inv.prepaid_method) == (119000, 1, 50000, "10")
        assert (inv.status, inv.paid, inv.amount_due) == ("open", 50000, 69001)
        (payment,) = payments.list_payments(s, invoice_id=invoice_id)
        assert (payment.amount, payment.paid_on, payment.method, payment.reference) == (50000, DAY, "10", "Receipt 17")
        for fmt in FORMATS:
            _, xml = einvoicing.document_einvoice(s, inv, fmt)
            check = validate(xml, fmt)
            assert check.ok, (fmt, [str(e) for e in check.errors])
            assert _amounts(xml) == ("500.00", "690.01"), fmt  # BT-115 = 1190.00 - 500.00 + 0.01
        issued = documents.invoice_xml(s, invoice_id)
        payments.record_payment(s, invoice_id, 20000, DAY, "bank transfer")
    with transaction(seller.sessions) as s:
        # a later payment changes the balance, never what the issued documents say
        assert documents.invoice_xml(s, invoice_id) == issued
        assert _amounts(issued) == ("500.00", "690.01")
        assert views.invoice_view(s, invoice_id, DAY).balance.amount_due == 49001
        pdf = documents.document_pdf(s, invoice_id)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    # the customer reads French: paid in advance, amount due (1 190,00 - 500,00 + 0,01)
    assert "Payé d'avance" in text and "500,00" in text and "690,01" in text
    _verified(seller)


def test_the_prepaid_amount_counts_once_like_a_payment_recorded_after_finalize(
        seller: Database, customer_id: int) -> None:
    prepaid_id = _issue(seller, draft(customer_id))
    paid_later_id = _issue(seller, draft(customer_id, prepaid=None))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, paid_later_id, 50000, DAY, "cash", "Receipt 18")
        a, b = (invoices.get_invoice(s, i) for i in (prepaid_id, paid_later_id))
        assert (a.paid, a.amount_due, a.status) == (b.paid, b.amount_due, b.status) == (50000, 69001, "open")
        (balance,) = customers.list_customers(s)
        assert balance.balance == 2 * 69001 and balance.credit == 0
        (aged,) = reports.aged_receivables(s, DAY)
        assert sum(aged.buckets.values()) == 2 * 69001
        late = DAY + timedelta(days=40)
        due = {r.invoice_id: r.amount_due for r in reminders.due_reminders(s, late)}
        assert due == {prepaid_id: 69001, paid_later_id: 69001}
        (dso,) = reports.days_sales_outstanding(s, DAY, DAY, reports.aged_receivables(s, DAY))
        assert dso.receivables == 2 * 69001
        assert dashboard.dashboard(s, DAY).outstanding == {"EUR": 2 * 69001}
        listed = {row.id: row.amount_due for row in invoices.list_invoices(s)}
        assert listed == {prepaid_id: 69001, paid_later_id: 69001}
        entries = statements.statement(s, customer_id)
        assert entries[-1].balance == 2 * 69001 and [e.amount for e in entries].count(-50000) == 2
    sheets = _sheets(seller)
    rows = {r["number"]: r for r in sheets["invoices"]}
    a_row, b_row = (rows[n] for n in sorted(rows))
    assert (a_row["paid"], a_row["amount_due"], a_row["prepaid"]) == (50000, 69001, 50000)
    assert (b_row["paid"], b_row["amount_due"], b_row["prepaid"]) == (50000, 69001, 0)

    def posted(number: object) -> dict[object, tuple[int, int]]:
        sums: dict[object, tuple[int, int]] = {}
        for r in sheets["journal"]:
            if r["document"] == number:
                debit, credit = sums.get(r["account"], (0, 0))
                sums[r["account"]] = (debit + int(r["debit"] or 0), credit + int(r["credit"] or 0))  # type: ignore[call-overload]
        return sums

    # the same postings for both: receivables 1190.01 debited, 500.00 credited; the bank 500.00 debited, once
    assert posted(a_row["number"]) == posted(b_row["number"])
    assert posted(a_row["number"])[ledger.ACCOUNTS["bank"][0]] == (50000, 0)
    assert len(sheets["payments"]) == 2
    _verified(seller)


def test_prepaid_from_the_customers_credit_uses_the_credit_once(seller: Database, customer_id: int) -> None:
    earlier = _issue(seller, draft(customer_id, prepaid=None, rounding_amount="0"))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, earlier, 119000 + 30000, DAY, "bank transfer")  # 300.00 overpaid: credit
    raw = draft(customer_id, rounding_amount="0", prepaid={"amount": "300.00", "method": "customer credit"})
    invoice_id = _issue(seller, raw)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.paid, inv.amount_due) == (30000, 89000)
        assert customers.list_customers(s)[0].credit == 0
        (applied,) = payments.list_payments(s, invoice_id=invoice_id)
        assert (applied.kind, applied.amount) == ("credit_applied", 30000)
        _, xml = einvoicing.document_einvoice(s, inv, EInvoiceFormat.FACTURX)
        assert _amounts(xml) == ("300.00", "890.00")
    _verified(seller)


def test_prepaid_from_credit_the_customer_does_not_have_is_refused_at_finalize(
        seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(
            draft(customer_id, prepaid={"amount": "300.00", "method": "97"}), "draft.json"))
    with pytest.raises(ValidationError, match="customer's credit"), transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.status, inv.number, inv.paid) == ("draft", None, 0)  # nothing numbered, nothing paid


@pytest.mark.parametrize(("prepaid", "message"), [
    ({"amount": "-1.00"}, "cannot be negative"),
    ({"amount": "1190.02"}, r"more than the invoice asks \(1190.01\)"),
    ({"amount": "1.001"}, "prepaid amount"),
    ({"amount": "10.00", "method": "barter"}, "not a payment method"),
])
def test_a_prepaid_amount_that_cannot_be_is_refused(seller: Database, customer_id: int, prepaid: dict[str, str],
                                                    message: str) -> None:
    with pytest.raises(ValidationError, match=message), transaction(seller.sessions) as s:
        drafts.create_draft(s, drafts.draft_from_json(draft(customer_id, prepaid=prepaid), "draft.json"))


def test_the_whole_amount_prepaid_opens_paid_without_a_payment_link(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        settings.put(s, "payments.link_template", "https://pay.example.com/{token}?amount={amount}")
    invoice_id = _issue(seller, draft(customer_id, prepaid={"amount": "1190.01"}))
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.status, inv.amount_due) == ("paid", 0)
        assert payment_links.link_info(s, invoice_id, DAY) is None
        data = documents.document_data(s, inv, DocumentMark.ISSUED)
        assert (data.amount_payable, data.payment_link) == (0, None)
    _verified(seller)


def test_the_payment_link_and_the_qr_code_ask_for_the_amount_due(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        settings.put(s, "payments.link_template", "https://pay.example.com/{token}?amount={amount}")
    invoice_id = _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        data = documents.document_data(s, invoices.get_invoice(s, invoice_id), DocumentMark.ISSUED)
        assert data.amount_payable == 69001  # what the EPC QR code asks
        assert data.payment_link is not None and data.payment_link.endswith("amount=690.01")
        info = payment_links.link_info(s, invoice_id, DAY)
        assert info is not None and info.url.endswith("amount=690.01")


def test_a_final_invoice_takes_no_prepaid_amount(seller: Database, customer_id: int) -> None:
    from invoicer.services import quotes

    with transaction(seller.sessions) as s:
        quote_id = quotes.create_quote(s, quotes.QuoteData(customer_id, [invoices.LineData(
            "Build", "1", "1000.00", "S", "19")], issue_date=DAY))
        quotes.send_quote(s, quote_id, DAY)
        quotes.accept_quote(s, quote_id, DAY)
        deposit = quotes.deposit_invoice(s, quote_id, percent="30")
        invoices.finalize_invoice(s, deposit)
        final = quotes.final_invoice(s, quote_id)
        data = invoices.draft_data(invoices.get_invoice(s, final))
        data.prepaid = "100.00"
    with pytest.raises(ValidationError, match="final invoice already deducts"), transaction(seller.sessions) as s:
        invoices.update_draft(s, final, data)


def test_a_credit_note_type_is_no_draft_and_carries_no_prepaid_amount(seller: Database, customer_id: int) -> None:
    with pytest.raises(ValidationError), transaction(seller.sessions) as s:
        drafts.create_draft(s, drafts.draft_from_json(draft(customer_id, type_code="381"), "draft.json"))


def test_a_full_credit_of_a_prepaid_invoice_gives_the_prepaid_money_back_as_credit(
        seller: Database, customer_id: int) -> None:
    _public_buyer(seller, customer_id)
    invoice_id = _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        settled = credit_notes.issue_credit_note(s, invoice_id, full=True, issue_date=DAY)
        # the 690.01 still due is cancelled; the 500.00 paid in advance is the customer's credit, as for any payment
        assert (settled.applied_to_due, settled.to_customer_credit) == (69001, 50000)
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.status, inv.amount_due) == ("paid", 0)
        assert customers.list_customers(s)[0].credit == 50000
        note = invoices.get_invoice(s, settled.credit_note_id, "credit_note")
        assert note.prepaid == 0
        for fmt in FORMATS:
            _, xml = einvoicing.document_einvoice(s, note, fmt)
            assert validate(xml, fmt).ok, fmt
            assert _amounts(xml) == ("0.00", "1190.01")
    with transaction(seller.sessions) as s:  # refunded instead, on request
        other = drafts.create_draft(s, drafts.draft_from_json(
            draft(customer_id, prepaid={"amount": "100.00", "reference": "R-2"}), "draft.json"))
        invoices.finalize_invoice(s, other)
        refund = credit_notes.issue_credit_note(s, other, full=True, refund=True, issue_date=DAY)
        assert (refund.applied_to_due, refund.refunded) == (109001, 10000)
    _verified(seller)


def test_the_prepaid_reference_is_never_recorded_twice(seller: Database, customer_id: int) -> None:
    _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft(customer_id), "draft.json"))
    with pytest.raises(ConflictError, match="Receipt 17"), transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)


def test_a_duplicate_does_not_carry_the_money_received_for_the_original(seller: Database, customer_id: int) -> None:
    invoice_id = _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        copy = invoices.duplicate_invoice(s, invoice_id, DAY)
        assert invoices.get_invoice(s, copy).prepaid == 0


def test_the_prepaid_amount_is_frozen_and_verify_checks_its_payment(seller: Database, customer_id: int) -> None:
    invoice_id = _issue(seller, draft(customer_id))
    assert "frozen" in refused_by_database(seller, f"UPDATE invoices SET prepaid = 0 WHERE id = {invoice_id}")
    with transaction(seller.sessions) as s:
        payment_id = s.scalar(select(Payment.id).where(Payment.invoice_id == invoice_id))
    tamper(seller, f"UPDATE payments SET prepaid = {'false' if seller.engine.dialect.name == 'postgresql' else 0} "
                   f"WHERE id = {payment_id}")
    with transaction(seller.readonly_sessions) as s:
        report = integrity.verify(s)
    assert any("500" in p and "prepaid" in p for p in report.problems), report.problems


def test_a_draft_shows_what_it_will_ask(seller: Database, customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft(customer_id), "draft.json"))
        view = views.invoice_view(s, invoice_id, DAY)
        assert (view.totals.prepaid, view.totals.payable, view.balance.amount_due) == (50000, 69001, 69001)
        again = invoices.draft_data(invoices.get_invoice(s, invoice_id))
        assert (str(again.prepaid), again.prepaid_method, again.prepaid_reference) == ("500.00", "10", "Receipt 17")


def test_the_list_shows_and_sorts_a_drafts_amount_due_as_its_view_does(seller: Database, customer_id: int) -> None:
    eight = [{"description": "Consulting", "quantity": "8", "unit": "HUR", "unit_price": "100.00", "tax": S19}]
    with transaction(seller.sessions) as s:
        prepaid = drafts.create_draft(s, drafts.draft_from_json(draft(customer_id), "draft.json"))  # 690.01 due
        plain = drafts.create_draft(s, drafts.draft_from_json(draft(customer_id, prepaid=None, lines=eight),
                                                              "draft.json"))  # 952.01 due
    with transaction(seller.readonly_sessions) as s:
        listed = [(r.id, r.amount_due) for r in invoices.list_invoices(s, sort="amount_due", descending=False)]
        assert listed == [(prepaid, 69001), (plain, 95201)]
        assert views.invoice_view(s, prepaid, DAY).balance.amount_due == 69001
    with transaction(seller.sessions) as s:
        invoices.finalize_invoice(s, prepaid)
    with transaction(seller.readonly_sessions) as s:
        listed = [(r.id, r.amount_due) for r in invoices.list_invoices(s, sort="amount_due", descending=False)]
        assert listed == [(prepaid, 69001), (plain, 95201)]  # the payment made at finalize, not counted again


def test_a_prepaid_amount_in_another_currency_is_booked_at_the_locked_rate(seller: Database, customer_id: int) -> None:
    from invoicer.services import rates

    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", date(2026, 10, 1))
        rates.set_rate(s, "USD", "0.8", DAY)  # the day's rate is the rate locked at finalize: no exchange difference
    invoice_id = _issue(seller, draft(customer_id, currency="USD"))
    with transaction(seller.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.exchange_rate, inv.amount_due) == (Decimal("0.8"), 69001)
        (aged,) = reports.aged_receivables(s, DAY)
        assert aged.company_total == 55201  # 690.01 USD at 0.8
    journal = _sheets(seller)["journal"]
    assert sum(int(r["debit"] or 0) for r in journal if r["account"] == ledger.ACCOUNTS["bank"][0]) == 40000
    assert not [r for r in journal if r["account"] in (ledger.ACCOUNTS["exchange_gain"][0],
                                                       ledger.ACCOUNTS["exchange_loss"][0])]
    _verified(seller)


def test_an_early_payment_discount_is_taken_off_what_is_left(seller: Database, customer_id: int) -> None:
    from invoicer.services import early_payment

    with transaction(seller.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft(customer_id, rounding_amount="0"),
                                                                   "draft.json"))
        early_payment.set_terms(s, invoice_id, "2", 10)
        invoices.finalize_invoice(s, invoice_id)
        offered = early_payment.offer_of(s, invoice_id)
        # 2 % of the total 1190.00 is 23.80, taken off the 690.00 left after the 500.00 paid in advance
        assert offered is not None and (offered.amount, offered.discount) == (69000 - 2380, 2380)
        data = documents.document_data(s, invoices.get_invoice(s, invoice_id), DocumentMark.ISSUED)
        assert data.discount_payable == 69000 - 2380


def test_a_past_periods_workbook_shows_what_was_owed_then(seller: Database, customer_id: int) -> None:
    """The Invoices sheet of a period that ended before today reads payments dated by its end: the prepaid amount
    (paid on the issue date) is in, a payment after it is not, and the rounding amount counts as everywhere."""
    invoice_id = _issue(seller, draft(customer_id))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 10000, DAY + timedelta(days=1))
    with transaction(seller.readonly_sessions) as s:
        table = next(t for t in ledger.build_ledger(s, DAY, DAY).tables if t.name == "invoices")
        keys = [column.key for column in table.columns]
        (row,) = [dict(zip(keys, r, strict=True)) for r in table.rows()]
    assert (row["paid"], row["prepaid"], row["amount_due"]) == (50000, 50000, 69001)
