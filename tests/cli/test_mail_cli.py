"""The mail and reminder commands: `mail set/test`, `invoice send`, `reminders run` (in-process, and once
as the real process cron starts), with a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.mail import secrets
from invoicer.services import credit_notes, settings
from tests.cli.invocations import run, run_process
from tests.mail.smtp_server import HOST, PASSWORD, USER, MemoryKeyring, RefusingKeyring, Server, ServerFactory
from tests.services.helpers import make_open


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


def cli(folder: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    result = run(folder, *args, stdin=stdin)
    return result.returncode, result.stdout, result.stderr


def mail_set(server: Server) -> list[str]:
    return ["mail", "set", "--host", HOST, "--port", str(server.port), "--security", "starttls", "--user", USER,
            "--from", USER, "--from-name", "Buchhaltung", "--timeout", "5"]


def test_mail_set_stores_the_password_in_the_keyring_only(
    seller: Database, server: Server, memory_keyring: MemoryKeyring,
) -> None:
    code, out, err = cli(seller.folder, *mail_set(server), "--password-stdin", "--json",
                         stdin=PASSWORD + "\n")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["host"] == HOST and shown["password_stored"] is True and PASSWORD not in out
    assert memory_keyring.store == {(secrets.SERVICE, f"{USER}@{HOST}"): PASSWORD}
    with transaction(seller.readonly_sessions) as s:
        assert settings.get(s, "mail.from_name") == "Buchhaltung" and settings.get(s, "mail.port") == server.port

    code, out, _ = cli(seller.folder, "mail", "test")
    assert (code, out) == (0, f"Connected to {HOST}:{server.port} (STARTTLS), logged in as {USER}.\n")
    assert server.logins == [(USER, PASSWORD)] and server.messages == []

    # options left out keep their value; an empty one clears it
    code, _, _ = cli(seller.folder, "mail", "set", "--host", HOST, "--port", str(server.port),
                     "--security", "starttls", "--from", USER, "--from-name", "")
    with transaction(seller.readonly_sessions) as s:
        assert settings.get(s, "mail.user") == USER and settings.get(s, "mail.from_name") is None


def test_send_an_invoice_then_again_only_on_purpose(
    seller: Database, customer_id: int, server: Server,
) -> None:
    cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    invoice_id = make_open(seller, customer_id)
    code, out, _ = cli(seller.folder, "invoice", "send", str(invoice_id), "--json")
    assert code == 0
    sent = json.loads(out)
    assert sent["number"] == "INV-2026-00001" and sent["to"] == ["ap@acme.example"]
    assert server.messages[0].message["Message-ID"] == sent["message_id"]

    code, out, err = cli(seller.folder, "invoice", "send", str(invoice_id))
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "--again" in err
    code, out, _ = cli(seller.folder, "invoice", "send", str(invoice_id), "--again",
                       "--to", "boss@acme.example")
    assert (code, out) == (0, "Sent INV-2026-00001 to boss@acme.example.\n")
    assert [m.rcpt_tos for m in server.messages] == [["ap@acme.example"], ["boss@acme.example"]]
    code, out, _ = cli(seller.folder, "invoice", "history", str(invoice_id), "--json")
    sends = [e["payload"] for e in json.loads(out) if e["action"] == "send"]
    assert [(p["to"], p["again"]) for p in sends] == [(["ap@acme.example"], None), (["boss@acme.example"], True)]


def test_a_credit_note_is_sent_like_an_invoice(seller: Database, customer_id: int, server: Server) -> None:
    cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    invoice_id = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        note = credit_notes.issue_credit_note(s, invoice_id, amount=10000, reason="Goodwill",
                                              issue_date=date(2026, 11, 6)).credit_note_id
    code, out, err = cli(seller.folder, "invoice", "send", str(note), "--json")
    assert (code, err) == (0, "")
    sent = json.loads(out)
    assert sent["number"] == "CN-2026-00001" and sent["subject"].startswith("Avoir CN-2026-00001")
    [attachment] = server.messages[0].message.iter_attachments()
    assert attachment.get_filename().startswith("CN-2026-00001")


def test_without_a_keyring_the_password_comes_from_stdin(
    seller: Database, customer_id: int, server: Server,
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code, _, err = cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "No system keyring is available" in err
    with transaction(seller.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == ""  # nothing was saved either
    code, _, _ = cli(seller.folder, *mail_set(server))
    assert code == 0
    invoice_id = str(make_open(seller, customer_id))
    code, _, err = cli(seller.folder, "invoice", "send", invoice_id)
    assert code == 2 and "pipe the password with --password-stdin" in err and len(err.splitlines()) == 1
    code, _, _ = cli(seller.folder, "invoice", "send", invoice_id, "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert code == 0 and len(server.messages) == 1


def test_reminders_run_lists_what_was_or_would_be_sent(
    seller: Database, customer_id: int, server: Server,
) -> None:
    cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    invoice_id = make_open(seller, customer_id, date(2026, 3, 2), due_date=date(2026, 4, 1))
    code, out, _ = cli(seller.folder, "reminders", "run", "--today", "2026-04-01", "--dry-run")
    assert code == 0 and server.messages == []
    assert out.splitlines()[0] == "1 reminder(s) due on 2026-04-01 (dry run: nothing sent)"
    assert "INV-2026-00001" in out and "ap@acme.example" in out and "477.03" in out
    code, out, _ = cli(seller.folder, "reminders", "run", "--today", "2026-04-01", "--json")
    report: dict[str, Any] = json.loads(out)
    assert code == 0 and report["dry_run"] is False and report["stopped"] is None
    [row] = report["reminders"]
    assert (row["invoice_id"], row["level"], row["outcome"], row["amount_due"]) == (invoice_id, "due", "sent", "477.03")
    assert row["message_id"] == server.messages[0].message["Message-ID"]
    code, out, _ = cli(seller.folder, "reminders", "run", "--today", "2026-04-01")
    assert (code, out) == (0, "No reminders due on 2026-04-01.\n")


def test_cron_runs_day_by_day(
    seller: Database, customer_id: int, server: Server,
) -> None:
    """Headless: no keyring, the password piped in; every day twice; each level goes out once."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert cli(seller.folder, *mail_set(server))[0] == 0
    make_open(seller, customer_id, date(2026, 3, 2), due_date=date(2026, 3, 30))
    sent = []
    day = date(2026, 3, 22)
    while day <= date(2026, 4, 4):
        again = True
        while again:  # a day that sent something runs once more: the second run must send nothing
            code, out, err = cli(seller.folder, "reminders", "run", "--today", day.isoformat(),
                                 "--password-stdin", "--json", stdin=PASSWORD + "\n")
            assert code == 0, err
            today_sent = [(day, r["level"]) for r in json.loads(out)["reminders"] if r["outcome"] == "sent"]
            sent += today_sent
            again = bool(today_sent)
        day += timedelta(days=1)
    assert sent == [(date(2026, 3, 23), "friendly"), (date(2026, 3, 30), "due"), (date(2026, 4, 2), "overdue")]
    assert len(server.messages) == 3

    # the server going away: one line on stderr, exit 2, and the next run still has it due
    server.stop()
    make_open(seller, customer_id, date(2026, 4, 1), due_date=date(2026, 4, 10))
    code, _, err = cli(seller.folder, "reminders", "run", "--today", "2026-04-10",
                       "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "refused the connection" in err
    assert len(err.strip().splitlines()) == 1

    files = [p for p in seller.folder.rglob("*") if p.is_file()]
    assert all(PASSWORD.encode() not in p.read_bytes() for p in files)


def test_cron_starts_a_real_process(seller: Database, customer_id: int, server: Server) -> None:
    """What cron runs: a new process without a keyring, the password piped in, JSON for the log."""
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert run(seller.folder, *mail_set(server)).returncode == 0
    invoice_id = make_open(seller, customer_id, date(2026, 3, 2), due_date=date(2026, 3, 30))
    result = run_process(seller.folder, "reminders", "run", "--today", "2026-03-30", "--password-stdin", "--json",
                         stdin=PASSWORD + "\n", env=env)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["reminders"]
    assert (row["invoice_id"], row["level"], row["outcome"]) == (invoice_id, "due", "sent")
    assert [m.rcpt_tos for m in server.messages] == [["ap@acme.example"]] and server.logins == [(USER, PASSWORD)]


def test_mail_set_saves_nothing_when_the_keyring_refuses(
    seller: Database, server: Server,
) -> None:
    keyring.set_keyring(RefusingKeyring())
    code, out, err = cli(seller.folder, *mail_set(server), "--password-stdin", stdin=PASSWORD)
    assert (code, out) == (2, "")
    assert err == ("invoicer: No system keyring is available here (the keyring is locked), so the mail password "
                   "cannot be stored; Invoicer asks for it when sending and keeps it only until the program ends.\n")
    with transaction(seller.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == "" and settings.get(s, "mail.user") is None


def test_a_password_needs_a_user_name(
    seller: Database, server: Server, memory_keyring: MemoryKeyring,
) -> None:
    args = mail_set(server)
    del args[args.index("--user"):args.index("--user") + 2]
    code, _, err = cli(seller.folder, *args, "--password-stdin", stdin=PASSWORD)
    assert (code, err) == (2, "invoicer: A mail password belongs to a user name: give the user name too.\n")
    assert memory_keyring.store == {}
    with transaction(seller.readonly_sessions) as s:
        assert settings.get(s, "mail.host") == ""
