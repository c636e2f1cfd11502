"""Payment reminders (dunning): levels relative to the due date, each sent at most once per invoice.

On any day the reminder due for an invoice is its latest level whose date has come (and falls after
the issue date), unless that level or a later one was already sent: a run that was skipped for a
week sends one reminder, not a burst. Running any number of times a day sends nothing twice; the
UNIQUE (invoice, level) record in ``sent_messages`` is the guarantee.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from invoicer.core.errors import InvoicerError, ValidationError
from invoicer.core.workflow import amount_due
from invoicer.db import functions
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Customer, Invoice, InvoiceDispute, SentMessage
from invoicer.documents.model import Party
from invoicer.documents.printouts import Letter, letter_wording, render_letter
from invoicer.i18n import N_, error_text
from invoicer.mail import smtp, templates
from invoicer.services import audit, customers, mailing, settings
from invoicer.services.views import party, view_of

DEFAULT_SCHEDULE: list[dict[str, Any]] = [
    {"level": "friendly", "days": -7, "template": "reminder_friendly"},
    {"level": "due", "days": 0, "template": "reminder_due"},
    {"level": "overdue", "days": 3, "template": "reminder_overdue"},
]
MAX_LEVELS = 10
_LEVEL_NAME = re.compile(r"^[a-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Level:
    """One reminder level: sent ``days`` after the due date (negative: before it)."""

    name: str
    days: int
    template: str


def _levels(value: Any) -> list[Level]:
    if not isinstance(value, list) or len(value) > MAX_LEVELS:
        raise ValidationError(
            N_("The reminder schedule is a list of up to {n} levels such as {example}."),
            n=MAX_LEVELS, example='{"level": "overdue", "days": 3, "template": "reminder_overdue"}',
        )
    levels = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"level", "days", "template"}:
            raise ValidationError(
                N_('Reminder level {level} must have exactly "level", "days" and "template".'), level=repr(item)
            )
        name, days, template = item["level"], item["days"], item["template"]
        if not isinstance(name, str) or not _LEVEL_NAME.match(name):
            raise ValidationError(N_("'{name}' is not a level name (lower-case letters, digits, - and _)."), name=name)
        if not isinstance(days, int) or isinstance(days, bool) or not -365 <= days <= 365:
            raise ValidationError(
                N_("Reminder level '{name}': days must be a whole number from -365 to 365."), name=name
            )
        if not isinstance(template, str) or not template:
            raise ValidationError(N_("Reminder level '{name}': give the name of its mail template."), name=name)
        levels.append(Level(name, days, template))
    if len({lv.name for lv in levels}) != len(levels) or len({lv.days for lv in levels}) != len(levels):
        raise ValidationError(N_("Every reminder level needs its own name and its own number of days."))
    return sorted(levels, key=lambda lv: lv.days)


SCHEDULE = settings.JsonSetting[list[dict[str, Any]]](
    "reminders.schedule", DEFAULT_SCHEDULE, N_("Payment reminder levels (days from the due date)"), _levels,
    '[{"level": "overdue", "days": 3, "template": "reminder_overdue"}]',
)
AUTO_SEND = settings.BoolSetting(
    "reminders.auto_send", False, N_("Send due reminders automatically while Invoicer is open")
)


def schedule(session: Session) -> list[Level]:
    """The levels in date order; every template they name must exist."""
    levels = _levels(SCHEDULE.get(session))
    known = templates.template_names(mailing.TEMPLATES.get(session))
    for level in levels:
        if level.template not in known:
            raise ValidationError(
                N_("Reminder level '{name}' uses the mail template '{template}', which does not exist."),
                name=level.name, template=level.template,
            )
    return levels


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send today."""

    invoice_id: int
    number: str
    customer_id: int
    customer: str
    email: str | None
    level: str
    template: str
    send_on: date  # the level's date (earlier than today when a run was missed)
    due_date: date
    amount_due: int
    currency: str


def level_due(levels: list[Level], issue_date: date, due_date: date, today: date, sent: set[str]) -> Level | None:
    """The level to send today: the latest one whose date has come and falls after the issue date,
    unless it or a later level was already sent."""
    current = None
    for level in levels:
        on = due_date + timedelta(days=level.days)
        if issue_date < on <= today:
            current = level
    if current is None:
        return None
    later = {lv.name for lv in levels if lv.days >= current.days}
    return None if later & sent else current


def due_reminders(session: Session, today: date) -> list[DueReminder]:
    """Reminders due on ``today`` for open invoices with something left to pay, by due date."""
    levels = schedule(session)
    if not levels:
        return []
    latest_due = today - timedelta(days=levels[0].days)
    remindable = (
        Invoice.doc_type == "invoice",
        Invoice.status == "open",
        Invoice.due_date.is_not(None),
        Invoice.due_date <= latest_due,
        Invoice.payable - Invoice.paid - Invoice.credited > 0,
        ~exists().where(InvoiceDispute.invoice_id == Invoice.id, InvoiceDispute.closed_on.is_(None)),  # paused
    )
    # plain columns, not ORM objects: the hourly check of a large database stays a quick read
    rows = session.execute(
        select(
            Invoice.id, Invoice.number, Invoice.customer_id, Invoice.issue_date, Invoice.due_date,
            Invoice.currency, Invoice.payable, Invoice.paid, Invoice.credited,
            functions.json_text(Invoice.customer_snapshot, "name"), Customer.email,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(*remindable)
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    sent: dict[int, set[str]] = defaultdict(set)
    for invoice_id, level_name in session.execute(
        select(SentMessage.invoice_id, SentMessage.level)
        .join(Invoice, Invoice.id == SentMessage.invoice_id)
        .where(SentMessage.kind == "reminder", *remindable)
    ):
        sent[invoice_id].add(cast(str, level_name))  # a reminder always has its level (CHECK in SentMessage)
    found = []
    for invoice_id, number, customer_id, issued, due, currency, payable, paid, credited, name, email in rows:
        level = level_due(levels, issued, due, today, sent[invoice_id])
        if level is None:
            continue
        found.append(DueReminder(
            invoice_id=invoice_id, number=number or "", customer_id=customer_id, customer=name or "", email=email,
            level=level.name, template=level.template, send_on=due + timedelta(days=level.days), due_date=due,
            amount_due=amount_due("invoice", "open", payable, paid, credited, prepaid=0), currency=currency,
        ))
    return found


@dataclass(frozen=True)
class ReminderResult:
    """What happened to one due reminder: sent, due (dry run), skipped or failed."""

    reminder: DueReminder
    outcome: str  # sent, due, skipped, failed or printed (a letter)
    detail: str | None = None  # why it was skipped or failed (a failure in the interface language), or the letter
    message_id: str | None = None


@dataclass
class ReminderRun:
    today: date
    dry_run: bool
    results: list[ReminderResult] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (server gone; the rest stays due), interface language

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def run_reminders(
    db: Database, today: date | None = None, *, dry_run: bool = False, password: str | None = None,
    letters: Path | None = None, emailed: bool = True,
) -> ReminderRun:
    """Send every reminder due on ``today`` (or list them with ``dry_run``); with ``letters``, the reminders of
    customers without an email address are written there as PDF letters to print (``print_letter``); without
    ``emailed`` only those letters (the app's "Print letters", which sends nothing).

    Safe to run any number of times a day. A refused recipient fails that reminder only; a server
    that cannot be reached or logged in to raises MailError before anything is sent; a connection
    lost midway stops the run (``stopped``) with what was sent recorded and the rest still due.
    """
    today = today or date.today()
    run = ReminderRun(today, dry_run)
    with transaction(db.readonly_sessions) as session:
        due = due_reminders(session, today)
        # letters need no mail server: the settings are asked for only when there is something to email
        emailing = emailed and any(r.email is not None for r in due)
        config = mailing.mail_settings(session) if emailing and not dry_run else None
    for reminder in due:
        if reminder.email is None and letters is not None and not dry_run:
            path = print_letter(db, reminder, letters, today)
            run.results.append(ReminderResult(reminder, "printed", str(path)) if path is not None
                               else ReminderResult(reminder, "skipped", "no longer due"))
        elif reminder.email is None:
            run.results.append(ReminderResult(reminder, "skipped", "the customer has no email address"))
    sendable = [r for r in due if r.email is not None] if emailed else []
    if dry_run:
        run.results += [ReminderResult(r, "due") for r in sendable]
        return run
    if not sendable or config is None:
        return run
    login = mailing.password_for(config, password)
    with smtp.connect(config.smtp, login) as connection:
        for reminder in sendable:
            try:
                sent = mailing.deliver(
                    db, connection, config, reminder.invoice_id, today=today,
                    level=reminder.level, template=reminder.template,
                )
            except (smtp.MailRecipientError, smtp.MailRejectedError) as exc:
                run.results.append(ReminderResult(reminder, "failed", error_text(exc)))
                continue
            except smtp.MailError as exc:
                run.stopped = error_text(exc)
                break
            except InvoicerError as exc:  # this invoice's own problem (no PDF, bad template): the rest go on
                run.results.append(ReminderResult(reminder, "failed", error_text(exc)))
                continue
            if sent is None:
                run.results.append(ReminderResult(reminder, "skipped", "no longer due"))
            else:
                run.results.append(ReminderResult(reminder, "sent", None, sent.message_id))
    return run


def _letter(session: Session, invoice: Invoice, reminder: DueReminder, today: date) -> Letter:
    """The reminder's text (its mail template, in the customer's language) as a letter listing what the customer
    still owes in the invoice's currency."""
    view = view_of(session, invoice, today)
    text = mailing.message_text(session, view, invoice.customer, reminder.template, today)
    owed = session.scalars(
        select(Invoice).where(Invoice.customer_id == invoice.customer_id, Invoice.currency == invoice.currency,
                              Invoice.doc_type == "invoice", Invoice.status == "open",
                              Invoice.payable - Invoice.paid - Invoice.credited > 0)
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    words = letter_wording(view.customer.locale or invoice.customer.locale, invoice.currency)
    rows = [(i.number or "", words.date(i.issue_date), words.date(i.due_date) if i.due_date else "",
             words.money(i.total), words.money(i.amount_due)) for i in owed]
    rows.append((words._("Total owed"), "", "", "", words.money(sum(i.amount_due for i in owed))))
    return Letter(
        seller=view.seller, recipient=party(Party, customers.snapshot_dict(invoice.customer)),
        locale=words.locale, currency=invoice.currency, on=today, subject=text.subject,
        info=((words._("Customer number"), str(invoice.customer_id)), (words._("Invoice"), invoice.number or "")),
        text_before=text.body,
        headers=(words._("Invoice"), words._("Issue date"), words._("Due date"), words._("Total"),
                 words._("Amount due")),
        rows=tuple(rows), numeric=(3, 4), total_rows=1,
    )


def print_letter(db: Database, reminder: DueReminder, folder: Path, today: date) -> Path | None:
    """Write the reminder as a PDF letter into ``folder`` and record it as sent (the level is then done, as after
    an email); None when it is no longer due."""
    from invoicer.services.documents import write_atomically  # ReportLab loads only when letters are printed

    with transaction(db.sessions) as session:
        invoice = session.get(Invoice, reminder.invoice_id)
        if invoice is None or not mailing.still_remindable(invoice) or mailing.reminder_sent(
                session, invoice.id, reminder.level):
            return None
        letter = _letter(session, invoice, reminder, today)
        stem = re.sub(r"[^\w.-]+", "-", reminder.number)
        path = folder / f"reminder-{stem}-{reminder.level}.pdf"
        session.add(SentMessage(
            invoice_id=invoice.id, kind="reminder", level=reminder.level,
            message_id=f"letter-{invoice.id}-{reminder.level}-{today.isoformat()}", recipients="[]",
            subject=letter.subject, sent_at=audit.now(),
        ))
        session.flush()
        audit.record(session, "remind", "invoice", invoice.id,
                     payload={"letter": path.name, "level": reminder.level, "subject": letter.subject})
        write_atomically(path, render_letter(letter))
    return path
