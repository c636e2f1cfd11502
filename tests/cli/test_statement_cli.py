"""`invoicer customer statement`: the statement of account as a PDF letter and by email (in-process, with a real
SMTP server on 127.0.0.1), and its figures against the aged receivables report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdf

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import reports, statements
from tests.cli.invocations import ok, user_error
from tests.cli.test_mail_cli import cli, mail_set, server  # noqa: F401  # the fixture
from tests.documents.ledger_sample import fill
from tests.mail.smtp_server import PASSWORD, Server

ANNA, KENJI = 1, 3


def test_statement_balances_agree_with_the_aged_receivables(seller: Database) -> None:
    fill(seller)
    with transaction(seller.readonly_sessions) as s:
        found = statements.statement_of_account(s, ANNA, date(2024, 2, 1), date(2024, 3, 31))
        aged = {r.customer_id: r for r in reports.aged_receivables(s, date(2024, 3, 31))}
        january = statements.statement_of_account(s, ANNA, date(2024, 1, 1), date(2024, 1, 31))
    assert found.opening == january.closing  # one period ends where the next begins
    assert found.closing == aged[ANNA].total == 31532 and found.aged == aged[ANNA].buckets
    assert found.opening + sum(e.amount for e in found.entries) == found.closing
    assert all(date(2024, 2, 1) <= e.on <= date(2024, 3, 31) for e in found.entries)


def test_a_write_off_and_its_recovery_on_the_statement(seller: Database) -> None:
    fill(seller)
    with transaction(seller.readonly_sessions) as s:
        found = statements.statement_of_account(s, KENJI, date(2024, 1, 1), date(2024, 3, 31))
    assert [(e.kind, e.amount, e.balance) for e in found.entries] == [
        ("invoice", 11899, 11899), ("payment", -1000, 10899), ("write_off", -10899, 0),
        ("recovered", 2000, 2000), ("payment", -2000, 0)]
    assert found.closing == 0 and sum(found.aged.values()) == 0


def test_statement_pdf_from_the_command_line(seller: Database, tmp_path: Path) -> None:
    fill(seller)
    out = ok(seller.folder, "customer", "statement", str(ANNA), "--from", "2024-01-01", "--to", "2024-03-31",
             "-o", str(tmp_path / "s.pdf"))
    text = pypdf.PdfReader(out["path"]).pages[0].extract_text()
    # the customer's language (German) and formats; opening, entries, closing balance and the aged summary
    for expected in ("Kontoauszug", "Anfangssaldo", "INV-2024-00008", "Endsaldo", "315,32 €", "Nicht fällig",
                     "Bitte überweisen Sie den offenen Betrag von 315,32 €"):
        assert expected in text, expected
    assert "Give -o FILE, --email or both." in user_error(
        seller.folder, "customer", "statement", str(ANNA), "--from", "2024-01-01", "--to", "2024-03-31")
    assert "start date is after the end date" in user_error(
        seller.folder, "customer", "statement", str(ANNA), "--from", "2024-04-01", "--to", "2024-03-31",
        "-o", str(tmp_path / "x.pdf"))


def test_statement_by_email(seller: Database, server: Server) -> None:  # noqa: F811  # the fixture
    fill(seller)
    cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    sent = ok(seller.folder, "customer", "statement", str(ANNA), "--from", "2024-01-01", "--to", "2024-03-31",
              "--email")
    assert sent["to"] == ["anna@example.com"]
    message = server.messages[0].message
    assert message["Message-ID"] == sent["message_id"] and "Kontoauszug" in message["Subject"]
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_filename() == "statement-2024-01-01-2024-03-31.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_payload(decode=True)))
    assert "315,32 €" in pdf.pages[0].extract_text()
    assert "has no email address" in user_error(
        seller.folder, "customer", "statement", str(KENJI), "--from", "2024-01-01", "--to", "2024-03-31", "--email")
    history = [e for e in ok(seller.folder, "customer", "list") if e["id"] == ANNA]
    assert history  # the customer is still there, nothing else changed
