"""A customer's statement of account: invoices, credit notes, payments, refunds and write-offs in date order with a
running balance, for all time or a period (opening balance, what happened, closing balance, aged summary), as a
PDF letter and by email."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.aging import BUCKETS
from invoicer.core.errors import N_, ValidationError
from invoicer.db import functions
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, Invoice, Payment
from invoicer.documents.model import Party, Seller
from invoicer.documents.printouts import Letter, letter_wording, render_letter
from invoicer.mail import smtp
from invoicer.services import audit, company, customers, mailing, reports, validation
from invoicer.services.customers import get_customer, recovers_bad_debt, written_off_on
from invoicer.services.views import party


@dataclass(frozen=True)
class StatementEntry:
    on: date
    kind: str  # invoice, credit_note, refund, payment, reversal, write_off, recovered
    reference: str  # document number or payment reference
    invoice_id: int
    amount: int  # + raises what the customer owes, - lowers it
    balance: int


def statement(session: Session, customer_id: int, currency: str | None = None) -> list[StatementEntry]:
    """Everything that changed what the customer owes in ``currency`` (their billing currency by default).

    Applied customer credit moves money between invoices, not from the customer, so it is not listed;
    the balance is therefore what the customer owes less the credit they hold. A write-off takes what was due
    off the balance (it is no longer claimed); money that arrives afterwards recovers it first, so a payment
    after a write-off leaves the balance where it was.
    """
    currency = currency or get_customer(session, customer_id).currency
    raw: list[tuple[date, int, str, str, int, int]] = []
    documents = session.execute(
        select(Invoice.id, Invoice.doc_type, Invoice.number, Invoice.issue_date, Invoice.payable, Invoice.refunded,
               Invoice.corrects_id)
        .where(Invoice.customer_id == customer_id, Invoice.currency == currency,
               Invoice.status.in_(("open", "paid", "uncollectible", "issued")))
    )
    for doc_id, doc_type, number, issued, total, refunded, corrects in documents:
        if doc_type == "invoice":
            raw.append((issued, doc_id, "invoice", number or "", doc_id, total))
        else:
            raw.append((issued, doc_id, "credit_note", number or "", corrects or doc_id, -total))
            if refunded:
                raw.append((issued, doc_id, "refund", number or "", corrects or doc_id, refunded))
    received = session.execute(
        select(Payment.id, Payment.kind, Payment.paid_on, Payment.amount, Payment.reference, Payment.invoice_id,
               Invoice.number, Payment.applied, recovers_bad_debt(Payment))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.customer_id == customer_id, Payment.currency == currency, Payment.kind != "credit_applied")
    )
    for payment_id, kind, paid_on, amount, reference, invoice_id, number, applied, recovery in received:
        # the customer recognises a payment by the invoice it paid (and their bank's reference, if any)
        shown = f"{number} · {reference}" if reference else number or ""
        # money recovering a write-off first reinstates it, then pays it: the balance never dips below zero
        if recovery:
            raw.append((paid_on, 10**12 + 2 * payment_id, "recovered", number or "", invoice_id, applied))
        raw.append((paid_on, 10**12 + 2 * payment_id + 1, kind, shown, invoice_id, -amount))
    changes = audit.minor_unit_changes(session)
    written_on = written_off_on()
    write_offs = session.execute(
        select(AuditEvent.id, written_on, functions.json_int(AuditEvent.payload, "amount_due"), Invoice.id,
               Invoice.number)
        .join(Invoice, Invoice.id == AuditEvent.entity_id)
        .where(AuditEvent.entity == "invoice", AuditEvent.action == "write_off",
               Invoice.customer_id == customer_id, Invoice.currency == currency)
    )
    for event_id, day, due, invoice_id, number in write_offs:
        written_off = audit.counted_today(int(due or 0), currency, event_id, changes)
        raw.append((date.fromisoformat(day), 3 * 10**12 + event_id, "write_off", number or "", invoice_id,
                    -written_off))
    entries = []
    balance = 0
    for on, _order, kind, reference, invoice_id, amount in sorted(raw):
        balance += amount
        entries.append(StatementEntry(on, kind, reference, invoice_id, amount, balance))
    return entries


@dataclass(frozen=True)
class Statement:
    """A statement of account for a period: the balance before it, what happened in it, the balance after it and
    what was owed on its last day by age (minor units of ``currency``)."""

    customer_id: int
    customer_name: str
    currency: str
    date_from: date
    date_to: date
    opening: int
    entries: list[StatementEntry]
    closing: int
    aged: dict[str, int]  # bucket -> what was owed on date_to (or today, if earlier)


def statement_of_account(
    session: Session, customer_id: int, date_from: date, date_to: date, currency: str | None = None,
    today: date | None = None,
) -> Statement:
    """The customer's statement from ``date_from`` to ``date_to``; its aged summary equals the aged receivables
    report for that customer on the same day."""
    if date_from > date_to:
        raise ValidationError(N_("The start date is after the end date."), "date_from")
    customer = get_customer(session, customer_id)
    currency = currency or customer.currency
    everything = statement(session, customer_id, currency)
    before = [e for e in everything if e.on < date_from]
    opening = before[-1].balance if before else 0
    entries = [e for e in everything if date_from <= e.on <= date_to]
    as_of = min(date_to, today or date.today())
    aged = next((row.buckets for row in reports.aged_receivables(session, as_of)
                 if row.customer_id == customer_id and row.currency == currency), dict.fromkeys(BUCKETS, 0))
    return Statement(customer_id, customer.name, currency, date_from, date_to, opening, entries,
                     entries[-1].balance if entries else opening, aged)


# the words of a statement's entries, in the customer's language (documents catalog)
ENTRY_TITLES = {"invoice": N_("Invoice"), "credit_note": N_("Credit note"), "refund": N_("Refund"),
                "payment": N_("Payment"), "reversal": N_("Payment reversed"), "write_off": N_("Written off"),
                "recovered": N_("Written-off amount recovered")}
BUCKET_TITLES = {"current": N_("Not yet due"), "1-30": N_("1–30 days"), "31-60": N_("31–60 days"),
                 "61-90": N_("61–90 days"), "90+": N_("Over 90 days")}


def _letter(session: Session, found: Statement, on: date) -> Letter:
    customer = get_customer(session, found.customer_id)
    recipient = party(Party, customers.snapshot_dict(customer))
    seller = party(Seller, json.loads(company.snapshot(company.get_company(session))))
    words = letter_wording(customer.locale, found.currency)
    rows = [(words.date(found.date_from), words._("Opening balance"), "", "", words.money(found.opening))]
    rows += [(words.date(e.on), words._(ENTRY_TITLES.get(e.kind, e.kind)), e.reference, words.money(e.amount),
              words.money(e.balance)) for e in found.entries]
    rows.append((words.date(found.date_to), words._("Closing balance"), "", "", words.money(found.closing)))
    if found.closing > 0:
        closing = words._("Please pay the balance of {amount}. If you have paid meanwhile, thank you.")
    elif found.closing < 0:
        closing = words._("You have a credit of {amount} with us.")
    else:
        closing = words._("Your account is settled. Thank you.")
    return Letter(
        seller=seller, recipient=recipient, locale=customer.locale, currency=found.currency, on=on,
        subject=words._("Statement of account"),
        info=((words._("Customer number"), str(customer.id)),
              (words._("Period"), f"{words.date(found.date_from)} – {words.date(found.date_to)}")),
        text_before=words._("Here is your statement of account from {start} to {end}.").format(
            start=words.date(found.date_from), end=words.date(found.date_to)),
        headers=(words._("Date"), words._("Entry"), words._("Reference"), words._("Amount"), words._("Balance")),
        rows=tuple(rows), numeric=(3, 4), total_rows=1,
        text_after=closing.format(amount=words.money(abs(found.closing))),
        summary_headers=(*(words._(BUCKET_TITLES[b]) for b in BUCKETS), words._("Total owed")),
        summary=(*(words.money(found.aged[b]) for b in BUCKETS), words.money(sum(found.aged.values()))),
    )


def statement_pdf(session: Session, customer_id: int, date_from: date, date_to: date,
                  today: date | None = None) -> bytes:
    """The statement as a letter to the customer (their language, window-envelope address), as a PDF."""
    day = today or date.today()
    found = statement_of_account(session, customer_id, date_from, date_to, today=day)
    return render_letter(_letter(session, found, day))


@dataclass(frozen=True)
class SentStatement:
    customer_id: int
    to: tuple[str, ...]
    message_id: str
    subject: str


def send_statement(
    db: Database, customer_id: int, date_from: date, date_to: date, *, to: list[str] | None = None,
    password: str | None = None, today: date | None = None,
) -> SentStatement:
    """Email the statement as a PDF to the customer (or ``to``), in their language; recorded in the audit trail.
    Raises MailNotSetUpError, PasswordNeededError or MailError like sending an invoice (nothing recorded then)."""
    day = today or date.today()
    with transaction(db.readonly_sessions) as session:
        config = mailing.mail_settings(session)
        customer = get_customer(session, customer_id)
        if to:
            addresses = tuple(validation.email(a.strip()) or "" for item in to for a in item.split(",") if a.strip())
        elif customer.email:
            addresses = (customer.email,)
        else:
            raise ValidationError(N_("{name} has no email address; add one to the customer or give --to ADDRESS."),
                                  name=customer.name)
    login = mailing.password_for(config, password)
    with smtp.connect(config.smtp, login) as connection, transaction(db.sessions) as session:
        found = statement_of_account(session, customer_id, date_from, date_to, today=day)
        letter = _letter(session, found, day)
        words = letter_wording(letter.locale, found.currency)
        subject = words._("Statement of account from {company}").format(company=letter.seller.name)
        message = mailing.new_message(config, letter.seller.name, subject, addresses)
        body = "\n\n".join((words._("Hello,"), letter.text_before, letter.text_after, words._("Kind regards"))) + (
            f"\n{letter.seller.name}\n")
        message.set_content(body)
        message.add_attachment(render_letter(letter), maintype="application", subtype="pdf",
                               filename=f"statement-{date_from.isoformat()}-{date_to.isoformat()}.pdf")
        message["Content-Language"] = words.locale.split("_")[0]
        sent = SentStatement(customer_id, addresses, message["Message-ID"], subject)
        audit.record(session, "send_statement", "customer", customer_id, payload={
            "message_id": sent.message_id, "to": list(addresses), "from": date_from.isoformat(),
            "to_date": date_to.isoformat()})
        connection.send(message, config.from_address or "", list(addresses))
    return sent
