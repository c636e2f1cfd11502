"""Payment links: made at finalize and printed on the frozen PDF (a clickable link and a QR code), offered in the
email and the reminders, followed to a payment page on 127.0.0.1, marked used by the payment that settles the
invoice, renewed by hand; the frozen PDF stays byte for byte what it was and ``verify`` passes."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, PaymentLink
from invoicer.services import documents, integrity, invoices, mailing, payment_links, payments, settings
from invoicer.services.views import view_of

from .helpers import make_draft, make_open, refused_by_database

TOTAL = 47703  # three_lines(): 477.03


class PaymentPage:
    """A payment provider's page on 127.0.0.1: it answers every GET and keeps the paths and queries asked for."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                body = b"pay here"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/pay/{{token}}?amount={{amount}}&cur={{currency}}&ref={{number}}"


@pytest.fixture
def page() -> Iterator[PaymentPage]:
    server = PaymentPage()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(5)


@pytest.fixture
def linked(seller: Database, page: PaymentPage) -> Database:
    with transaction(seller.sessions) as s:
        settings.put(s, "payments.link_template", page.template())
    return seller


def links_of(db: Database, invoice_id: int) -> list[PaymentLink]:
    with transaction(db.readonly_sessions) as s:
        rows = list(s.scalars(select(PaymentLink).where(PaymentLink.invoice_id == invoice_id)
                              .order_by(PaymentLink.id)))
        s.expunge_all()
        return rows


def frozen(db: Database, invoice_id: int) -> bytes:
    with transaction(db.sessions) as s:
        return documents.frozen_pdf(s, invoice_id)


def uris(pdf: bytes) -> list[str]:
    """The addresses the PDF's links open (a link broken over two lines is two areas with one address)."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and action.get("/S") == "/URI":
                assert annot.get_object()["/F"] == 4  # PDF/A: the annotation's flags, Print set
                found.append(str(action["/URI"]))
    return list(dict.fromkeys(found))


def qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [code.text for page in document for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    finally:
        document.close()


def follow(page: PaymentPage, url: str) -> dict[str, list[str]]:
    with urlopen(url, timeout=5) as answer:  # the test's own server on 127.0.0.1
        assert answer.status == 200 and answer.read() == b"pay here"
    parts = urlsplit(page.seen[-1])
    return {"path": [parts.path], **parse_qs(parts.query)}


def test_the_link_made_at_finalize_is_on_the_pdf_and_leads_to_the_payment_page(
    linked: Database, customer_id: int, page: PaymentPage
) -> None:
    invoice_id = make_open(linked, customer_id)
    (link,) = links_of(linked, invoice_id)
    assert link.issued and len(link.token) == 22 and link.used_at is None
    assert link.expires_on == date(2026, 12, 2) + timedelta(days=30)  # the due date + payments.link_days
    pdf = frozen(linked, invoice_id)
    # the clickable link and the QR code on the PDF are the same address
    (clickable,) = uris(pdf)
    assert clickable in qr_codes(pdf)
    assert follow(page, clickable) == {"path": [f"/pay/{link.token}"], "amount": ["477.03"], "cur": ["EUR"],
                                       "ref": ["INV-2026-00001"]}
    # the EPC code is still there beside it
    assert any(code.startswith("BCD\n") for code in qr_codes(pdf))


def test_each_invoice_gets_its_own_token(linked: Database, customer_id: int) -> None:
    first, second = make_open(linked, customer_id), make_open(linked, customer_id)
    assert links_of(linked, first)[0].token != links_of(linked, second)[0].token
    with transaction(linked.sessions) as s:
        token = s.scalar(select(PaymentLink.token).where(PaymentLink.invoice_id == first))
        s.add(PaymentLink(invoice_id=second, token=token, url_template="x", created_at=links_of(linked, first)[0]
                          .created_at, expires_on=date(2027, 1, 1)))
        with pytest.raises(Exception, match=r"(?i)unique"):
            s.flush()
        s.rollback()


def test_no_template_no_link_and_the_pdf_is_as_before(seller: Database, customer_id: int) -> None:
    invoice_id = make_open(seller, customer_id)
    assert links_of(seller, invoice_id) == []
    assert uris(frozen(seller, invoice_id)) == []
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="No payment link is set up"):
        payment_links.renew(s, invoice_id, date(2026, 11, 3))


def test_the_email_and_the_reminder_carry_the_link_for_the_amount_due_now(
    linked: Database, customer_id: int, page: PaymentPage
) -> None:
    invoice_id = make_open(linked, customer_id)
    with transaction(linked.sessions) as s:
        body = mailing.preview(s, invoice_id, date(2026, 11, 3)).body
    line = next(x for x in body.splitlines() if x.startswith("Payer en ligne: "))  # the customer is French
    assert follow(page, line.removeprefix("Payer en ligne: "))["amount"] == ["477.03"]
    with transaction(linked.sessions) as s:
        payments.record_payment(s, invoice_id, 17703, date(2026, 11, 10), "bank transfer")
    with transaction(linked.sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        view = view_of(s, invoice, date(2026, 12, 5))
        reminder = mailing.message_text(s, view, invoice.customer, "reminder_overdue", date(2026, 12, 5)).body
    line = next(x for x in reminder.splitlines() if x.startswith("Payer en ligne: "))
    asked = follow(page, line.removeprefix("Payer en ligne: "))
    assert asked["amount"] == ["300.00"] and asked["path"] == [f"/pay/{links_of(linked, invoice_id)[0].token}"]
    # the copy attached now asks for 300.00 through the same link; the frozen PDF stays as issued
    with transaction(linked.sessions) as s:
        copy = documents.document_pdf(s, invoice_id, copy=True)
    assert "amount=300.00" in uris(copy)[0] and "amount=477.03" in uris(frozen(linked, invoice_id))[0]


def test_the_payment_that_settles_the_invoice_uses_the_link_and_a_reversal_frees_it(
    linked: Database, customer_id: int
) -> None:
    invoice_id = make_open(linked, customer_id)
    with transaction(linked.sessions) as s:
        payments.record_payment(s, invoice_id, 10000, date(2026, 11, 5), "bank transfer")
    assert links_of(linked, invoice_id)[0].used_at is None
    with transaction(linked.sessions) as s:
        payment_id = payments.record_payment(s, invoice_id, TOTAL - 10000, date(2026, 11, 6), "bank transfer")
        # in the payment's own transaction
        assert s.scalar(select(PaymentLink.used_at).where(PaymentLink.invoice_id == invoice_id)) is not None
    with transaction(linked.readonly_sessions) as s:
        assert payment_links.link_info(s, invoice_id, date(2026, 11, 7)).state == "used"  # type: ignore[union-attr]
        body = mailing.message_text(s, view_of(s, invoices.get_invoice(s, invoice_id), date(2026, 11, 7)),
                                    invoices.get_invoice(s, invoice_id).customer, "invoice_paid", date(2026, 11, 7))
        assert "127.0.0.1" not in body.body
    with transaction(linked.sessions) as s:
        payments.reverse_payment(s, payment_id, "bounced", date(2026, 11, 8))
    assert links_of(linked, invoice_id)[0].used_at is None
    with transaction(linked.sessions) as s:
        assert integrity.verify(s).ok


def test_a_payment_rolled_back_leaves_the_link_unused(linked: Database, customer_id: int) -> None:
    invoice_id = make_open(linked, customer_id)
    with pytest.raises(RuntimeError), transaction(linked.sessions) as s:
        payments.record_payment(s, invoice_id, TOTAL, date(2026, 11, 5), "bank transfer")
        raise RuntimeError("the desk crashed before the commit")
    assert links_of(linked, invoice_id)[0].used_at is None


def test_renewing_extends_or_replaces_and_the_frozen_pdf_stays_byte_for_byte(
    linked: Database, customer_id: int, page: PaymentPage
) -> None:
    invoice_id = make_open(linked, customer_id)
    issued = frozen(linked, invoice_id)
    with transaction(linked.sessions) as s:
        extended = payment_links.renew(s, invoice_id, date(2027, 3, 1))
    assert extended.expires_on == date(2027, 3, 31) and extended.state == "active"
    assert extended.token == links_of(linked, invoice_id)[0].token
    with transaction(linked.sessions) as s:
        replaced = payment_links.renew(s, invoice_id, date(2027, 3, 1), new_token=True)
    old, new = links_of(linked, invoice_id)
    assert old.replaced_at is not None and new.token == replaced.token != old.token and not new.issued
    assert follow(page, replaced.url)["path"] == [f"/pay/{new.token}"]
    with transaction(linked.sessions) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == invoice_id,
                                                                 AuditEvent.action.like("payment_link%"))))
        assert actions == ["payment_link_extend", "payment_link_new"]
    # the issued PDF still prints the link it was issued with, and re-rendering it gives the same bytes; an email
    # now sends the marked copy, which carries the link that pays
    assert frozen(linked, invoice_id) == issued
    with transaction(linked.sessions) as s:
        config = mailing.MailSettings(host="127.0.0.1", port=25, security="none", user=None,
                                      from_address="billing@example.com")
        message = mailing.compose(s, config, invoices.get_invoice(s, invoice_id), "invoice", ("ap@acme.example",),
                                  date(2027, 3, 1))
    (attached,) = [part.get_content() for part in message.iter_attachments() if part.get_content_type().endswith("pdf")]
    assert attached != issued and uris(attached) == [replaced.url]
    assert f"Payer en ligne: {replaced.url}" in message.get_body().get_content()  # type: ignore[union-attr]
    with transaction(linked.sessions) as s:
        invoice = invoices.get_invoice(s, invoice_id)
        assert documents.render_document(documents.document_data(s, invoice)) == issued
        assert integrity.verify(s, linked.folder).ok


def test_what_cannot_get_a_link_is_refused(linked: Database, customer_id: int) -> None:
    draft = make_draft(linked, customer_id)
    paid = make_open(linked, customer_id)
    with transaction(linked.sessions) as s:
        payments.record_payment(s, paid, TOTAL, date(2026, 11, 5), "bank transfer")
    voided = make_open(linked, customer_id)
    with transaction(linked.sessions) as s:
        invoices.void_invoice(s, voided, "typo")
        assert payment_links.link_info(s, voided, date(2026, 11, 6)).state == "closed"  # type: ignore[union-attr]
        assert mailing.preview(s, paid, date(2026, 11, 6)).body.count("127.0.0.1") == 0
    for invoice_id, why in ((draft, "nothing left to pay"), (paid, "nothing left to pay"),
                            (voided, "nothing left to pay"), (999, "no invoice")):
        with transaction(linked.sessions) as s, pytest.raises(Exception, match=why):
            payment_links.renew(s, invoice_id, date(2026, 11, 6))


def test_a_bad_template_is_refused_under_its_key(seller: Database) -> None:
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=r"payments\.link_template") as err:
        settings.put(s, "payments.link_template", "https://pay.example.com/?amount={amount}")
    assert "{token}" in str(err.value)


def test_the_database_keeps_tokens_and_rows(linked: Database, customer_id: int) -> None:
    invoice_id = make_open(linked, customer_id)
    assert "tokens are fixed" in refused_by_database(
        linked, "UPDATE payment_links SET token = 'guessable' WHERE invoice_id = :i", i=invoice_id)
    assert "payment links are kept" in refused_by_database(
        linked, "DELETE FROM payment_links WHERE invoice_id = :i", i=invoice_id)


def test_an_expired_link_is_left_out_of_reminders_until_renewed(
    linked: Database, customer_id: int, page: PaymentPage
) -> None:
    """Past its expiry a link no longer pays: its state says so and a reminder leaves it out; renewing makes the
    same token pay again."""
    invoice_id = make_open(linked, customer_id)
    (link,) = links_of(linked, invoice_id)
    after = link.expires_on + timedelta(days=1)

    def reminder(today: date) -> str:
        with transaction(linked.readonly_sessions) as s:
            invoice = invoices.get_invoice(s, invoice_id)
            return mailing.message_text(s, view_of(s, invoice, today), invoice.customer, "reminder_overdue",
                                        today).body

    with transaction(linked.readonly_sessions) as s:
        assert payment_links.link_info(s, invoice_id, link.expires_on).state == "active"  # type: ignore[union-attr]
        assert payment_links.link_info(s, invoice_id, after).state == "expired"  # type: ignore[union-attr]
        invoice = invoices.get_invoice(s, invoice_id)
        assert payment_links.issued_link_pays(s, invoice, link.expires_on)
        assert not payment_links.issued_link_pays(s, invoice, after)
    assert link.token in reminder(link.expires_on)
    assert "Payer en ligne" not in reminder(after) and link.token not in reminder(after)
    with transaction(linked.sessions) as s:
        renewed = payment_links.renew(s, invoice_id, after)
    assert (renewed.state, renewed.token, renewed.expires_on) == ("active", link.token, after + timedelta(days=30))
    line = next(x for x in reminder(after).splitlines() if x.startswith("Payer en ligne: "))
    assert follow(page, line.removeprefix("Payer en ligne: "))["path"] == [f"/pay/{link.token}"]
