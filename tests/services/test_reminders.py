"""Payment reminders: which level is due when, exactly once per (invoice, level) across a simulated
month run twice a day, none for settled invoices, and failures that leave the database unchanged."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from invoicer.core.errors import ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import SentMessage
from invoicer.documents.qr import epc_payload
from invoicer.mail import secrets, smtp
from invoicer.services import credit_notes, customers, documents, invoices, payments, reminders, settings
from invoicer.services.audit import now
from invoicer.services.reminders import Level, level_due
from tests.mail.smtp_server import HOST, PASSWORD, USER, Server, ServerFactory, free_port

from .helpers import make_open
from .test_mailing import configure, dump

LEVELS = [Level("friendly", -7, "reminder_friendly"), Level("due", 0, "reminder_due"),
          Level("overdue", 3, "reminder_overdue")]


@pytest.fixture
def server(smtp_server: ServerFactory) -> Server:
    return smtp_server("starttls", users={USER: PASSWORD})


def open_invoice(db: Database, customer_id: int, issue: date, due: date) -> int:
    return make_open(db, customer_id, issue, due_date=due)


def test_the_level_due_is_the_latest_reached_and_never_repeated() -> None:
    issue, due = date(2026, 3, 1), date(2026, 3, 31)
    assert level_due(LEVELS, issue, due, date(2026, 3, 23), set()) is None
    assert level_due(LEVELS, issue, due, date(2026, 3, 24), set()) == LEVELS[0]
    assert level_due(LEVELS, issue, due, date(2026, 3, 24), {"friendly"}) is None
    assert level_due(LEVELS, issue, due, date(2026, 3, 31), {"friendly"}) == LEVELS[1]
    # a run missed for a week sends the latest level only, and the earlier ones never afterwards
    assert level_due(LEVELS, issue, due, date(2026, 4, 5), set()) == LEVELS[2]
    assert level_due(LEVELS, issue, due, date(2026, 4, 6), {"overdue"}) is None
    # a level that falls on or before the issue date makes no sense for that invoice
    assert level_due(LEVELS, date(2026, 3, 28), due, date(2026, 3, 29), set()) is None
    assert level_due(LEVELS, due, due, due, set()) is None


def test_a_simulated_month_sends_each_reminder_exactly_once(
    seller: Database, customer_id: int, server: Server
) -> None:
    configure(seller, server.port)
    with transaction(seller.sessions) as s:
        german = customers.add_customer(s, customers.CustomerData(
            name="Kunde GmbH", country="DE", locale="de_DE", email="buchhaltung@kunde.example"))
        no_email = customers.add_customer(s, customers.CustomerData(name="Walk-in", country="FR"))
    d = date
    open_invoice(seller, customer_id, d(2026, 3, 2), d(2026, 4, 1))  # 00001
    open_invoice(seller, german, d(2026, 3, 2), d(2026, 3, 12))  # 00002
    paid_early = open_invoice(seller, customer_id, d(2026, 3, 2), d(2026, 3, 30))  # 00003
    paid_late = open_invoice(seller, german, d(2026, 3, 2), d(2026, 3, 20))  # 00004
    voided = open_invoice(seller, customer_id, d(2026, 3, 2), d(2026, 3, 15))  # 00005
    written_off = open_invoice(seller, customer_id, d(2026, 3, 2), d(2026, 3, 15))  # 00006
    credited = open_invoice(seller, customer_id, d(2026, 3, 2), d(2026, 3, 15))  # 00007
    nobody = open_invoice(seller, no_email, d(2026, 3, 2), d(2026, 3, 15))  # 00008
    open_invoice(seller, customer_id, d(2026, 3, 10), d(2026, 3, 14))  # 00009: 4 days' terms
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, voided, "duplicate")
        invoices.mark_uncollectible(s, written_off, "insolvent")
        credit_notes.issue_credit_note(s, credited, full=True, issue_date=d(2026, 3, 10))
        total = invoices.get_invoice(s, paid_late).total

    events = {
        d(2026, 3, 3): lambda s: payments.record_payment(s, paid_early, 50000, d(2026, 3, 3)),
        d(2026, 3, 16): lambda s: payments.record_payment(s, paid_late, total, d(2026, 3, 16)),
    }
    log: list[tuple[date, str, str]] = []
    day = d(2026, 3, 1)
    while day <= d(2026, 4, 10):
        if day in events:
            with transaction(seller.sessions) as s:
                events[day](s)
        for _ in range(2):  # cron may run it any number of times a day
            before = len(server.messages)
            run = reminders.run_reminders(seller, day)
            assert run.stopped is None and run.count("failed") == 0
            sent = [r for r in run.results if r.outcome == "sent"]
            assert len(server.messages) - before == len(sent)
            log += [(day, r.reminder.number, r.reminder.level) for r in sent]
            if any(r.reminder.invoice_id == nobody for r in run.results):
                assert {r.outcome for r in run.results if r.reminder.invoice_id == nobody} == {"skipped"}
        day += timedelta(days=1)

    n = "INV-2026-0000"
    assert log == [
        (d(2026, 3, 5), f"{n}2", "friendly"),
        (d(2026, 3, 12), f"{n}2", "due"),
        (d(2026, 3, 13), f"{n}4", "friendly"),
        (d(2026, 3, 14), f"{n}9", "due"),  # its friendly date (7 March) was before it was issued
        (d(2026, 3, 15), f"{n}2", "overdue"),
        (d(2026, 3, 17), f"{n}9", "overdue"),
        (d(2026, 3, 25), f"{n}1", "friendly"),
        (d(2026, 4, 1), f"{n}1", "due"),
        (d(2026, 4, 4), f"{n}1", "overdue"),
    ]
    assert [m.rcpt_tos for m in server.messages] == [
        ["buchhaltung@kunde.example"], ["buchhaltung@kunde.example"], ["buchhaltung@kunde.example"],
        ["ap@acme.example"], ["buchhaltung@kunde.example"], ["ap@acme.example"],
        ["ap@acme.example"], ["ap@acme.example"], ["ap@acme.example"],
    ]
    subjects = [m.message["Subject"] for m in server.messages]
    assert subjects[0] == "Erinnerung: Rechnung INV-2026-00002 ist am 12. März 2026 fällig"
    assert subjects[3] == "La facture INV-2026-00009 arrive à échéance aujourd'hui"
    assert subjects[4] == "Zahlungserinnerung: Rechnung INV-2026-00002 ist überfällig"
    assert subjects[8] == "Relance : facture INV-2026-00001 échue"
    overdue_body = server.messages[8].message.get_body(("plain",)).get_content()
    assert "IBAN: DE89 3704 0044 0532 0130 00" in overdue_body and "BIC: COBADEFFXXX" in overdue_body
    with transaction(seller.readonly_sessions) as s:
        rows = s.execute(select(SentMessage.invoice_id, SentMessage.level, SentMessage.message_id)).all()
        assert len(rows) == 9 and {r.message_id for r in rows} == {m.message["Message-ID"] for m in server.messages}
        # what is still due: only the reminder that has no address to go to
        assert [r.invoice_id for r in reminders.due_reminders(s, d(2026, 4, 10))] == [nobody]


def test_a_partly_paid_invoice_is_reminded_of_what_is_left(
    seller: Database, customer_id: int, server: Server
) -> None:
    configure(seller, server.port)
    invoice_id = open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, invoice_id, 20000, date(2026, 3, 20))
        invoice = invoices.get_invoice(s, invoice_id)
        left, frozen = invoice.amount_due, documents.frozen_pdf(s, invoice_id)
    run = reminders.run_reminders(seller, date(2026, 4, 4))
    assert [(r.reminder.level, r.outcome) for r in run.results] == [("overdue", "sent")]
    message = server.messages[0].message
    assert "277,03\xa0€ restent dus" in message.get_body(("plain",)).get_content()
    [attachment] = message.iter_attachments()
    pdf = attachment.get_content()
    assert pdf != frozen  # the marked copy with today's balance, not the original
    codes = [
        code.bytes.decode("utf-8")
        for page in pypdfium2.PdfDocument(io.BytesIO(pdf))
        for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    ]
    assert codes == [epc_payload("Müller & Söhne GmbH", "DE89370400440532013000", left, "INV-2026-00001",
                                 "COBADEFFXXX")]


def test_an_unpaid_overdue_invoice_gets_the_frozen_pdf_with_its_qr_code(
    seller: Database, customer_id: int, server: Server
) -> None:
    configure(seller, server.port)
    invoice_id = open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    reminders.run_reminders(seller, date(2026, 4, 4))
    [attachment] = server.messages[0].message.iter_attachments()
    with transaction(seller.sessions) as s:
        assert attachment.get_content() == documents.frozen_pdf(s, invoice_id)


def test_dry_run_lists_and_sends_nothing(seller: Database, customer_id: int) -> None:
    invoice_id = open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    before = dump(seller)
    run = reminders.run_reminders(seller, date(2026, 3, 25), dry_run=True)  # no mail set up: not needed
    assert [(r.reminder.invoice_id, r.reminder.level, r.outcome) for r in run.results] == [
        (invoice_id, "friendly", "due")
    ]
    assert run.results[0].reminder.send_on == date(2026, 3, 25) and run.results[0].reminder.amount_due == 47703
    assert dump(seller) == before


@pytest.mark.parametrize("failure", ["down", "wrong password"])
def test_a_server_that_fails_leaves_the_database_unchanged(
    seller: Database, customer_id: int, smtp_server: ServerFactory, failure: str
) -> None:
    server = smtp_server("starttls", users={USER: PASSWORD})
    configure(seller, free_port() if failure == "down" else server.port)
    if failure == "wrong password":
        secrets.store_password(HOST, USER, "wrong")
    open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    before = dump(seller)
    with pytest.raises(smtp.MailUnreachableError if failure == "down" else smtp.MailAuthError):
        reminders.run_reminders(seller, date(2026, 4, 4))
    assert dump(seller) == before
    assert server.messages == []


def test_a_refused_recipient_fails_that_reminder_only_and_it_stays_due(
    seller: Database, customer_id: int, smtp_server: ServerFactory
) -> None:
    server = smtp_server("starttls", users={USER: PASSWORD}, refuse={"ap@acme.example"})
    configure(seller, server.port)
    with transaction(seller.sessions) as s:
        other = customers.add_customer(s, customers.CustomerData(
            name="Other", country="DE", locale="de_DE", email="pay@other.example"))
    refused = open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    fine = open_invoice(seller, other, date(2026, 3, 2), date(2026, 4, 1))
    run = reminders.run_reminders(seller, date(2026, 4, 1))
    assert {(r.reminder.invoice_id, r.outcome) for r in run.results} == {(refused, "failed"), (fine, "sent")}
    assert "ap@acme.example" in next(r.detail or "" for r in run.results if r.outcome == "failed")
    with transaction(seller.readonly_sessions) as s:
        assert [r.invoice_id for r in reminders.due_reminders(s, date(2026, 4, 1))] == [refused]


def test_the_database_refuses_a_second_record_of_a_level(seller: Database, customer_id: int) -> None:
    invoice_id = open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))

    def row(message_id: str) -> SentMessage:
        return SentMessage(invoice_id=invoice_id, kind="reminder", level="due", message_id=message_id,
                           recipients="[]", subject="x", sent_at=now())

    with transaction(seller.sessions) as s:
        s.add(row("<a@example.com>"))
    with pytest.raises(IntegrityError), transaction(seller.sessions) as s:
        s.add(row("<b@example.com>"))


def test_the_schedule_is_editable_with_more_levels(seller: Database, customer_id: int, server: Server) -> None:
    configure(seller, server.port)
    schedule = [*reminders.DEFAULT_SCHEDULE, {"level": "final", "days": 14, "template": "final_notice"}]
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match="does not exist"):
        settings.put(s, "reminders.schedule", schedule)
        reminders.schedule(s)
    with transaction(seller.sessions) as s:
        settings.put(s, "mail.templates", {"final_notice": {"en": {
            "subject": "Final notice: {number}", "body": "{amount_due} is {days_overdue} days overdue.\n"}}})
        settings.put(s, "reminders.schedule", schedule)
    open_invoice(seller, customer_id, date(2026, 3, 2), date(2026, 4, 1))
    reminders.run_reminders(seller, date(2026, 4, 20))
    message = server.messages[0].message
    assert message["Subject"] == "Final notice: INV-2026-00001"  # no French version: the English one
    assert message.get_body(("plain",)).get_content() == "477,03\xa0€ is 19 days overdue.\n"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"level": "x"}, "list of up to"),
        ([{"level": "a", "days": 1}], 'exactly "level", "days" and "template"'),
        ([{"level": "A b", "days": 1, "template": "t"}], "not a level name"),
        ([{"level": "a", "days": 400, "template": "t"}], "-365 to 365"),
        ([{"level": "a", "days": 1, "template": "t"}, {"level": "b", "days": 1, "template": "t"}], "its own"),
    ],
)
def test_bad_schedules_are_refused(seller: Database, schedule: object, message: str) -> None:
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=message):
        settings.put(s, "reminders.schedule", schedule)
