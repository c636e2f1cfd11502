"""Sending invoices by email through a real SMTP server on 127.0.0.1: content, language, the frozen PDF,
the audit record, repeat sends, and failures that leave the database exactly as it was."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import keyring
import keyring.backends.fail
import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select

from invoicer.core.errors import StorageError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, Invoice, SentMessage
from invoicer.documents.qr import epc_payload
from invoicer.mail import secrets, smtp
from invoicer.services import credit_notes, customers, documents, invoices, mailing, payments, settings
from invoicer.services.mailing import MailSettings
from tests.mail.smtp_server import HOST, PASSWORD, USER, Server, ServerFactory, free_port

from .helpers import make_draft, make_open


def configure(db: Database, port: int, security: str = "starttls", **changes: object) -> MailSettings:
    """Mail settings pointing at the test server, and the password in the (in-memory) keyring."""
    config = MailSettings(
        host=HOST, port=port, security=security, user=USER, from_address=USER,
        from_name="Müller & Söhne Buchhaltung", reply_to="accounts@example.com", timeout=5,
    )
    for key, value in changes.items():
        config = MailSettings(**{**vars(config), key: value})
    with transaction(db.sessions) as s:
        mailing.save_mail_settings(s, config)
    secrets.store_password(HOST, USER, PASSWORD)
    return config


def dump(db: Database) -> list[str]:
    """Every row of every table, read through a separate connection (what is committed)."""
    conn = sqlite3.connect(db.path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


@pytest.fixture
def invoice_id(seller: Database, customer_id: int, server: Server) -> int:
    configure(seller, server.port)
    return make_open(seller, customer_id)


@pytest.mark.sqlite_only
def test_the_invoice_arrives_in_french_with_the_stored_pdf(seller: Database, invoice_id: int, server: Server) -> None:
    sent = mailing.send_invoice(seller, invoice_id, today=date(2026, 11, 2))

    [received] = server.messages
    assert received.mail_from == USER
    assert received.rcpt_tos == ["ap@acme.example"]
    message = received.message
    assert message["Subject"] == "Facture INV-2026-00001 de Müller & Söhne GmbH"
    assert message["To"] == "ap@acme.example"
    assert message["From"].addresses[0].display_name == "Müller & Söhne Buchhaltung"
    assert message["Reply-To"] == "accounts@example.com"
    assert message["Content-Language"] == "fr"
    assert message["Message-ID"] == sent.message_id
    body = message.get_body(("plain",)).get_content()
    with transaction(seller.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        total, sha256 = inv.total, inv.pdf_sha256
    assert total == 47703
    assert "notre facture INV-2026-00001 du 2 novembre 2026 d'un montant de 477,03\xa0€" in body
    assert "payable au plus tard le 2 décembre 2026" in body
    assert "IBAN: DE89 3704 0044 0532 0130 00" in body and "Référence du paiement: INV-2026-00001" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "INV-2026-00001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    stored = documents.stored_pdf_path(seller.folder, invoice_id, "INV-2026-00001").read_bytes()
    assert pdf == stored and hashlib.sha256(pdf).hexdigest() == sha256

    with transaction(seller.readonly_sessions) as s:
        [row] = s.scalars(select(SentMessage)).all()
        assert (row.invoice_id, row.kind, row.level) == (invoice_id, "invoice", None)
        assert row.message_id == sent.message_id and json.loads(row.recipients) == ["ap@acme.example"]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "send")).one()
        payload = json.loads(event.payload or "{}")
        assert (event.entity, event.entity_id) == ("invoice", invoice_id)
        assert payload["message_id"] == sent.message_id and payload["to"] == ["ap@acme.example"]


def test_sending_again_needs_confirmation(seller: Database, invoice_id: int, server: Server) -> None:
    first = mailing.send_invoice(seller, invoice_id)
    with pytest.raises(mailing.AlreadySentError, match=r"already sent on .* to ap@acme\.example"):
        mailing.send_invoice(seller, invoice_id)
    assert len(server.messages) == 1
    again = mailing.send_invoice(seller, invoice_id, again=True, to=["boss@acme.example, ap@acme.example"])
    assert again.message_id != first.message_id
    assert server.messages[1].rcpt_tos == ["boss@acme.example", "ap@acme.example"]
    with transaction(seller.readonly_sessions) as s:
        assert [json.loads(r.recipients) for r in s.scalars(select(SentMessage).order_by(SentMessage.id))] == [
            ["ap@acme.example"], ["boss@acme.example", "ap@acme.example"],
        ]


def test_copy_to_sender_goes_in_the_envelope_only(seller: Database, customer_id: int, server: Server) -> None:
    configure(seller, server.port, copy_to_sender=True, reply_to=None)
    invoice_id = make_open(seller, customer_id)
    sent = mailing.send_invoice(seller, invoice_id)
    [received] = server.messages
    assert received.rcpt_tos == ["ap@acme.example", USER]
    assert "Bcc" not in received.message and "Reply-To" not in received.message
    assert sent.copies == (USER,)


def test_the_customer_language_and_edited_templates(seller: Database, customer_id: int, server: Server) -> None:
    configure(seller, server.port)
    with transaction(seller.sessions) as s:
        german = customers.add_customer(s, customers.CustomerData(
            name="Kunde GmbH", country="DE", locale="de_DE", email="rechnung@kunde.example", contact="Frau Weber",
        ))
        italian = customers.add_customer(s, customers.CustomerData(
            name="Cliente Srl", country="IT", locale="it_IT", email="fatture@cliente.example",
        ))
        settings.put(s, "mail.templates", {"invoice": {"de": {
            "subject": "Ihre Rechnung {number}", "body": "Hallo {contact},\n\n{amount_due} bis {due_date}.\n",
        }}})
    mailing.send_invoice(seller, make_open(seller, german))
    mailing.send_invoice(seller, make_open(seller, italian))
    german_mail, italian_mail = (m.message for m in server.messages)
    assert german_mail["Subject"] == "Ihre Rechnung INV-2026-00001"
    assert german_mail.get_body(("plain",)).get_content() == "Hallo Frau Weber,\n\n477,03\xa0€ bis 2. Dezember 2026.\n"
    # no Italian template: the English default, with Italian number and date formats
    assert italian_mail["Subject"] == "Invoice INV-2026-00002 from Müller & Söhne GmbH"
    assert "for 477,03\xa0€, payable by 2 dicembre 2026" in italian_mail.get_body(("plain",)).get_content()


def test_a_template_with_an_unknown_placeholder_is_refused(seller: Database) -> None:
    bad = {"invoice": {"en": {"subject": "Invoice {numbr}", "body": "x"}}}
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=r"unknown placeholder \{numbr\}"):
        settings.put(s, "mail.templates", bad)


@pytest.mark.parametrize("failure", ["down", "wrong password", "recipient refused", "message refused"])
def test_a_failed_send_changes_nothing(
    seller: Database, customer_id: int, smtp_server: ServerFactory, failure: str
) -> None:
    server = smtp_server(
        "starttls", users={USER: PASSWORD}, refuse={"ap@acme.example"} if failure == "recipient refused" else None,
        reject_data=failure == "message refused",
    )
    port = free_port() if failure == "down" else server.port
    configure(seller, port)
    if failure == "wrong password":
        secrets.store_password(HOST, USER, "not-the-password")
    invoice_id = make_open(seller, customer_id)
    before = dump(seller)
    expected = {
        "down": smtp.MailUnreachableError, "wrong password": smtp.MailAuthError,
        "recipient refused": smtp.MailRecipientError, "message refused": smtp.MailRejectedError,
    }[failure]
    with pytest.raises(expected):
        mailing.send_invoice(seller, invoice_id)
    assert dump(seller) == before
    assert server.messages == []


def test_what_cannot_be_sent_is_refused_before_connecting(seller: Database, customer_id: int) -> None:
    configure(seller, free_port())  # nobody listens: a connection attempt would fail differently
    draft = make_draft(seller, customer_id)
    with pytest.raises(ValidationError, match="finalize it first"):
        mailing.send_invoice(seller, draft)
    voided = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, voided, "typo")
    with pytest.raises(ValidationError, match="is void"):
        mailing.send_invoice(seller, voided)
    with transaction(seller.sessions) as s:
        no_mail = customers.add_customer(s, customers.CustomerData(name="Walk-in", country="FR"))
    with pytest.raises(ValidationError, match="Walk-in has no email address"):
        mailing.send_invoice(seller, make_open(seller, no_mail))
    with pytest.raises(ValidationError, match="is not an email address"):
        mailing.send_invoice(seller, make_open(seller, customer_id), to=["not-an-address"])


def test_mail_must_be_set_up_first(seller: Database, customer_id: int) -> None:
    with pytest.raises(ValidationError, match="Outgoing mail is not set up yet"):
        mailing.send_invoice(seller, make_open(seller, customer_id))


def test_without_a_stored_password_the_user_is_asked(seller: Database, invoice_id: int, server: Server) -> None:
    secrets.delete_password(HOST, USER)
    with pytest.raises(mailing.PasswordNeededError, match="No mail password is stored") as err:
        mailing.send_invoice(seller, invoice_id)
    assert not err.value.keyring_missing
    mailing.send_invoice(seller, invoice_id, password=PASSWORD)
    assert server.logins == [(USER, PASSWORD)]


def test_without_a_keyring_the_password_is_asked_and_not_kept(
    seller: Database, invoice_id: int, server: Server
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # a headless box (the fixture restores it)
    with pytest.raises(secrets.KeyringUnavailableError, match="No system keyring is available"):
        secrets.store_password(HOST, USER, PASSWORD)
    with pytest.raises(mailing.PasswordNeededError, match="asks for it when sending") as err:
        mailing.send_invoice(seller, invoice_id)
    assert err.value.keyring_missing
    mailing.send_invoice(seller, invoice_id, password=PASSWORD)
    assert len(server.messages) == 1


def test_mail_settings_are_validated(seller: Database) -> None:
    config = MailSettings(host="smtp.example.com", port=587, security="starttls", user=None, from_address=USER)
    for change, message in (
        ({"port": 0}, "mail.port: '0' is not a whole number from 1 to 65535"),
            ({"security": "tls"}, "mail.security: 'tls' is not one of ssl, starttls, none"),
        ({"from_address": "nobody"}, "not an email address"), ({"host": " "}, "Give the outgoing mail server"),
        ({"host": "smtp example"}, "not a mail server name"),
    ):
        with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=message):
            mailing.save_mail_settings(s, MailSettings(**{**vars(config), **change}))
    with transaction(seller.sessions) as s:
        mailing.save_mail_settings(s, MailSettings(**{**vars(config), "user": "  ", "from_name": ""}))
        loaded = mailing.load_mail_settings(s)
    assert loaded.user is None and loaded.from_name is None and loaded.host == "smtp.example.com"


def test_test_connection(seller: Database, server: Server) -> None:
    config = configure(seller, server.port)
    mailing.test_connection(config, PASSWORD)
    with pytest.raises(smtp.MailAuthError):
        mailing.test_connection(config, "wrong")
    assert server.messages == []


@pytest.mark.sqlite_only
def test_the_password_is_in_no_file_the_app_wrote(seller: Database, invoice_id: int, server: Server) -> None:
    """Grep the whole data folder (database, WAL, PDFs, backups, logs) for the password."""
    from invoicer.db import backup
    from invoicer.logs import log, setup_logging

    mailing.send_invoice(seller, invoice_id)
    setup_logging(seller.folder)
    log.info("sent an invoice")
    with pytest.raises(smtp.MailAuthError):
        mailing.send_invoice(seller, invoice_id, again=True, password="wrong")
    backup.create_backup(seller.path, seller.backups_dir, "manual")
    files = [p for p in seller.folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and any("backups" in p.parts for p in files)
    needles = [PASSWORD.encode(), PASSWORD.encode("utf-16-le"), PASSWORD.encode("latin-1")]
    for path in files:
        data = path.read_bytes()
        assert not any(needle in data for needle in needles), f"the password leaked into {path}"
    with transaction(seller.readonly_sessions) as s:
        assert s.scalar(select(Invoice.id)) == invoice_id


@pytest.mark.sqlite_only
def test_a_database_busy_beyond_the_timeout_sends_nothing(seller: Database, invoice_id: int, server: Server) -> None:
    """Another writer (the app, another cron run) holds the write lock: a clear error, no mail."""
    other = sqlite3.connect(seller.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="The database is busy"):
            mailing.send_invoice(seller, invoice_id)
    finally:
        other.rollback()
        other.close()
    assert server.messages == []
    mailing.send_invoice(seller, invoice_id)
    assert len(server.messages) == 1


def test_a_record_failing_after_the_server_took_the_message_says_so(
    seller: Database, invoice_id: int, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = mailing.transaction

    @contextmanager
    def commit_fails(factory: Any) -> Iterator[Any]:
        with real(factory) as session:
            yield session
            if factory is seller.sessions:
                raise OSError("disk I/O error")

    monkeypatch.setattr(mailing, "transaction", commit_fails)
    with pytest.raises(StorageError, match=r"INV-2026-00001 was sent \(Message-ID <.*>\) but the database could not"):
        mailing.send_invoice(seller, invoice_id)
    assert len(server.messages) == 1


def _qr_codes(pdf: bytes) -> list[str]:
    return [
        code.bytes.decode("utf-8")
        for page in pypdfium2.PdfDocument(io.BytesIO(pdf))
        for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    ]


def _sent(server: Server) -> tuple[str, str, bytes]:
    """Subject, body and the one attached PDF of the last message the server took."""
    message = server.messages[-1].message
    [attachment] = message.iter_attachments()
    return message["Subject"], message.get_body(("plain",)).get_content(), attachment.get_content()


def test_a_partly_paid_invoice_is_sent_asking_only_for_what_is_due(
    seller: Database, invoice_id: int, server: Server
) -> None:
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 20000, date(2026, 11, 5))
        credit_notes.issue_credit_note(s, invoice_id, amount=7703, reason="Goodwill", issue_date=date(2026, 11, 6))
        frozen = documents.frozen_pdf(s, invoice_id)
    mailing.send_invoice(seller, invoice_id, today=date(2026, 11, 9))

    _subject, body, pdf = _sent(server)
    assert "d'un montant de 200,00\xa0€" in body
    assert pdf != frozen  # the issued PDF asks for 477.03: the marked copy goes out instead
    assert _qr_codes(pdf) == [epc_payload("Müller & Söhne GmbH", "DE89370400440532013000", 20000, "INV-2026-00001",
                                          "COBADEFFXXX")]


def test_a_settled_invoice_is_sent_as_a_copy_that_asks_for_nothing(
    seller: Database, invoice_id: int, server: Server
) -> None:
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 47703, date(2026, 11, 5))
        assert "(réglée)" in mailing.preview(s, invoice_id, date(2026, 11, 9)).subject
    mailing.send_invoice(seller, invoice_id, today=date(2026, 11, 9))

    subject, body, pdf = _sent(server)
    assert subject == "Facture INV-2026-00001 de Müller & Söhne GmbH (réglée)"
    assert "une copie de notre facture INV-2026-00001 du 2 novembre 2026 d'un montant de 477,03\xa0€" in body
    assert "il ne reste rien à payer" in body
    assert "0,00" not in body and "payable" not in body and "IBAN" not in body
    assert _qr_codes(pdf) == []


def test_a_credit_note_can_be_emailed(seller: Database, invoice_id: int, server: Server) -> None:
    with transaction(seller.sessions) as s:
        note = credit_notes.issue_credit_note(s, invoice_id, amount=10000, reason="Goodwill",
                                              issue_date=date(2026, 11, 6))
        assert mailing.preview(s, note.credit_note_id, date(2026, 11, 9)).subject == (
            "Avoir CN-2026-00001 de Müller & Söhne GmbH")
        frozen = documents.frozen_pdf(s, note.credit_note_id)
    mailing.send_invoice(seller, note.credit_note_id, today=date(2026, 11, 9))

    subject, body, pdf = _sent(server)
    assert subject == "Avoir CN-2026-00001 de Müller & Söhne GmbH"
    assert "notre avoir CN-2026-00001 du 6 novembre 2026 d'un montant de 100,00\xa0€" in body
    assert pdf == frozen and _qr_codes(pdf) == []
