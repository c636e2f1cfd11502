"""Outgoing mail: ``invoicer mail set|test``, ``invoice send`` and ``invoicer reminders run`` (cron-safe).

The password never is an argument (other users could read it in the process list): it comes from the
keyring, from standard input with ``--password-stdin``, or is asked on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from invoicer.cli.base import EXIT_USER_ERROR, Commands, Context, date_arg, money, positive_int, table
from invoicer.core.errors import N_, ValidationError

T = TypeVar("T")


def _password_from_stdin() -> str:
    """The mail password piped in (or typed without echo on a terminal)."""
    password = getpass.getpass("Mail password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError(N_("No password was given on standard input."))
    return password


def with_mail_password(a: argparse.Namespace, action: Callable[[str | None], T]) -> T:
    """Run ``action`` with the password from --password-stdin, else the keyring's; when there is
    none, ask on the terminal (kept in memory only)."""
    from invoicer.services.mailing import PasswordNeededError

    try:
        return action(_password_from_stdin() if a.password_stdin else None)
    except PasswordNeededError as exc:
        if not sys.stdin.isatty():
            raise PasswordNeededError(
                N_("{problem} Without a terminal, pipe the password with --password-stdin."),
                keyring_missing=exc.keyring_missing, problem=exc.text,
            ) from None
        print(f"invoicer: {exc}", file=sys.stderr)
        return action(getpass.getpass("Mail password: "))


def cmd_mail_set(ctx: Context, a: argparse.Namespace) -> int:
    from dataclasses import replace

    from invoicer.services import mailing
    from invoicer.services.store import Session

    password = _password_from_stdin() if a.password_stdin else None
    given = {
        "host": a.host, "port": a.port, "security": a.security, "user": a.user, "from_address": a.from_address,
        "from_name": a.from_name, "reply_to": a.reply_to, "copy_to_sender": a.copy_to_sender, "timeout": a.timeout,
    }

    def configure(s: Session) -> mailing.MailSettings:
        config = replace(mailing.load_mail_settings(s), **{k: v for k, v in given.items() if v is not None})
        return mailing.configure_mail(s, config, password)

    config = ctx.write(configure)
    data = {**vars(config), "password_stored": password is not None}
    note = " The password is in the system keyring." if password is not None else ""
    ctx.out(data, f"Mail settings saved.{note}")
    return 0


def cmd_mail_test(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import mailing

    config = ctx.read(mailing.mail_settings)
    with_mail_password(a, lambda password: mailing.test_connection(config, mailing.password_for(config, password)))
    login = f", logged in as {config.user}" if config.user else ""
    data = {"ok": True, "host": config.host, "port": config.port, "security": config.security, "user": config.user}
    ctx.out(data, f"Connected to {config.host}:{config.port} ({mailing.SECURITY_TITLES[config.security]}){login}.")
    return 0


def cmd_invoice_send(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import mailing

    try:
        sent = with_mail_password(
            a, lambda password: mailing.send_invoice(ctx.db, a.id, to=a.to, again=a.again, password=password)
        )
    except mailing.AlreadySentError as exc:
        raise mailing.AlreadySentError(N_("{problem} Add --again to send it once more."), problem=exc.text) from None
    data = {"id": sent.invoice_id, "number": sent.number, "message_id": sent.message_id, "to": list(sent.to),
            "copies": list(sent.copies), "subject": sent.subject}
    ctx.out(data, f"Sent {sent.number} to {', '.join(sent.to)}.")
    return 0


def cmd_reminders_run(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import reminders

    run = with_mail_password(
        a, lambda password: reminders.run_reminders(
            ctx.db, a.today, dry_run=a.dry_run, password=password, letters=Path(a.letters) if a.letters else None)
    )
    rows: list[dict[str, Any]] = [
        {
            "invoice_id": r.reminder.invoice_id, "number": r.reminder.number, "customer": r.reminder.customer,
            "level": r.reminder.level, "to": r.reminder.email, "due_date": r.reminder.due_date.isoformat(),
            "amount_due": money(r.reminder.amount_due, r.reminder.currency), "currency": r.reminder.currency,
            "outcome": r.outcome, "detail": r.detail, "message_id": r.message_id,
        }
        for r in run.results
    ]
    data = {"today": run.today.isoformat(), "dry_run": run.dry_run, "reminders": rows, "stopped": run.stopped}

    def text() -> str:
        if not rows:
            return f"No reminders due on {run.today.isoformat()}."
        head = (f"{len(rows)} reminder(s) due on {run.today.isoformat()} (dry run: nothing sent)" if run.dry_run
                else f"Sent {run.count('sent')} of {len(rows)} reminder(s) due on {run.today.isoformat()}"
                + (f"; {run.count('printed')} letter(s) to print" if run.count("printed") else ""))
        listed = table(
            ["Invoice", "Customer", "Level", "To", "Amount due", "Cur", "Result"],
            [[d["number"], d["customer"], d["level"], d["to"] or "-", d["amount_due"], d["currency"],
              d["outcome"] + (f": {d['detail']}" if d["detail"] else "")] for d in rows],
        )
        return f"{head}\n{listed}"

    ctx.out(data, text)
    if run.stopped:
        print(f"invoicer: {run.stopped} The reminders not sent stay due for the next run.", file=sys.stderr)
        return EXIT_USER_ERROR
    return 1 if run.count("failed") else 0


def register(commands: Commands) -> None:
    c = commands.group("invoice").command("send", cmd_invoice_send,
                                          "email a finalized invoice or credit note with its PDF to the customer")
    c.add_argument("id", type=positive_int, help="the document's id (an invoice's or a credit note's)")
    c.add_argument("--to", action="append", metavar="ADDRESS", help="instead of the customer's address (repeatable)")
    c.add_argument("--again", action="store_true", help="send an invoice that was already sent")
    c.add_argument("--password-stdin", action="store_true", help="read the mail password from standard input")


def register_mail(commands: Commands) -> None:
    g = commands.group("mail", "outgoing mail (the password is kept in the system keyring)")
    c = g.command("set", cmd_mail_set, "set the outgoing mail server and sender (options left out keep their value)")
    c.add_argument("--host", required=True)
    c.add_argument("--port", required=True, type=int)
    c.add_argument("--security", required=True, choices=["ssl", "starttls", "none"])
    c.add_argument("--user", help="login name ('' for none)")
    c.add_argument("--from", dest="from_address", required=True, metavar="ADDRESS")
    c.add_argument("--from-name", metavar="NAME", help="sender name (default: the company name)")
    c.add_argument("--reply-to", metavar="ADDRESS")
    c.add_argument("--copy-to-sender", action=argparse.BooleanOptionalAction, help="a copy of every message to you")
    c.add_argument("--timeout", type=int, help="seconds to wait for the server (default 30)")
    c.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input into the keyring")
    c = g.command("test", cmd_mail_test, "connect and log in to the mail server (nothing is sent)")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    g = commands.group("reminders", "payment reminders")
    c = g.command("run", cmd_reminders_run, "send the reminders due today (safe to run from cron any number of times)")
    c.add_argument("--today", type=date_arg, help="act as if it were this date")
    c.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")
    c.add_argument("--letters", metavar="DIR",
                   help="write the reminders of customers without an email address as PDF letters to print here")
    c.add_argument("--password-stdin", action="store_true", help="read the mail password from standard input")
