"""Sending invoices and reminders by email: the message in the customer's language, the PDF attached,
and the send recorded (Message-ID, recipients) in the audit trail in the transaction that sends it.

The SMTP conversation happens inside that write transaction, after the record is written and
before it commits: a refused or failed send rolls everything back, and a reminder level is
claimed under the database's write lock, so two processes never send the same one. The price is
that the lock is held while the server takes the message (usually well under a second; at most the
mail timeout). The one window left is a commit failing after the server accepted the message: that
is reported as such, never silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import ConflictError, InvoicerError, Message, StorageError, ValidationError, reason
from invoicer.core.workflow import Action, DocType, InvoiceStatus
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Customer, Invoice, SentMessage
from invoicer.i18n import N_
from invoicer.mail import secrets, smtp, templates
from invoicer.services import audit, einvoicing, invoices, payment_links, settings, validation
from invoicer.services.actions import require
from invoicer.services.views import InvoiceView, view_of

# ---------------------------------------------------------------- settings


def _host(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]*", value.strip()):
        raise ValidationError(N_("'{value}' is not a mail server name such as smtp.example.com."), "host", value=value)


HOST = settings.TextSetting("mail.host", "", N_("Outgoing mail server (SMTP)"), _host)
PORT = settings.IntSetting("mail.port", 587, N_("Port"), 1, 65535)
SECURITY = settings.ChoiceSetting("mail.security", "starttls", N_("Security (ssl, starttls or none)"),
                                  smtp.SECURITY_MODES)
USER = settings.OptionalTextSetting("mail.user", N_("User name (the password is kept in the system keyring)"))
FROM_ADDRESS = settings.OptionalTextSetting("mail.from_address", N_("Sender address"), validation.email)
FROM_NAME = settings.OptionalTextSetting("mail.from_name", N_("Sender name (empty: the company name)"))
REPLY_TO = settings.OptionalTextSetting("mail.reply_to", N_("Reply-to address"), validation.email)
COPY_TO_SENDER = settings.BoolSetting("mail.copy_to_sender", False, N_("Send a copy of every message to the sender"))
TIMEOUT = settings.IntSetting("mail.timeout", 30, N_("Seconds to wait for the mail server"), 1, 600)
TEMPLATES = settings.JsonSetting[dict[str, Any]](
    "mail.templates", templates.DEFAULT_TEMPLATES, N_("Email templates per language"), templates.check_templates,
    '{"invoice": {"de": {"subject": "...", "body": "..."}}}',
)


@dataclass(frozen=True)
class MailSettings:
    """The outgoing-mail configuration (the password is not part of it: it is in the keyring)."""

    host: str
    port: int
    security: str
    user: str | None
    from_address: str | None
    from_name: str | None = None
    reply_to: str | None = None
    copy_to_sender: bool = False
    timeout: int = TIMEOUT.default

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)

    @property
    def smtp(self) -> smtp.SmtpConfig:
        return smtp.SmtpConfig(self.host, self.port, self.security, self.user or None, float(self.timeout))


def load_mail_settings(session: Session) -> MailSettings:
    return MailSettings(
        host=HOST.get(session), port=PORT.get(session), security=SECURITY.get(session), user=USER.get(session),
        from_address=FROM_ADDRESS.get(session), from_name=FROM_NAME.get(session), reply_to=REPLY_TO.get(session),
        copy_to_sender=COPY_TO_SENDER.get(session), timeout=TIMEOUT.get(session),
    )


class MailNotSetUpError(ValidationError):
    """No mail server or sender yet (the GUI offers its mail settings instead of the command)."""


def mail_settings(session: Session) -> MailSettings:
    """The configuration, refusing to go on when there is no server or sender yet."""
    config = load_mail_settings(session)
    if not config.configured:
        raise MailNotSetUpError(
            N_("Outgoing mail is not set up yet: give the server and the sender address in Settings → Mail or "
               "with 'invoicer mail set --host H --port P --security starttls --from ADDRESS'.")
        )
    return config


def setting_values(config: MailSettings) -> dict[str, Any]:
    """The configuration as cleaned ``mail.*`` setting values; refuses a missing server or sender."""
    clean = replace(
        config,
        host=config.host.strip(),
        user=validation.optional(config.user),
        from_address=validation.optional(config.from_address),
        from_name=validation.optional(config.from_name),
        reply_to=validation.optional(config.reply_to),
    )
    if not clean.host:
        raise ValidationError(N_("Give the outgoing mail server (SMTP host)."), "host")
    if not clean.from_address:
        raise ValidationError(N_("Give the sender address."), "from_address")
    return {f"mail.{field}": value for field, value in vars(clean).items()}


def save_mail_settings(session: Session, config: MailSettings) -> None:
    """Store the configuration; each changed key is validated and audited by the settings service."""
    settings.put_all(session, setting_values(config))


def configure_mail(session: Session, config: MailSettings, password: str | None = None) -> MailSettings:
    """Set up outgoing mail, the one use case behind ``invoicer mail set`` and Settings → Mail: store the
    configuration and, when given, the password in the system keyring; returns what is stored.

    The keyring is written last, inside the caller's transaction: when it fails (no keyring, or it refuses)
    the transaction rolls back, so nothing is saved and the error says why.
    """
    save_mail_settings(session, config)
    saved = load_mail_settings(session)
    if password:
        if not saved.user:
            raise ValidationError(N_("A mail password belongs to a user name: give the user name too."), "user")
        secrets.store_password(saved.host, saved.user, password)
    return saved


# what a settings form offers and shows (front-ends never import invoicer.mail)
SECURITY_MODES = smtp.SECURITY_MODES
SECURITY_TITLES = smtp.SECURITY_TITLES
DEFAULT_PORTS = smtp.DEFAULT_PORTS
PLACEHOLDERS = templates.PLACEHOLDERS
DEFAULT_TEMPLATES = templates.DEFAULT_TEMPLATES
template_names = templates.template_names
keyring_available = secrets.keyring_available


def password_stored(config: MailSettings) -> bool:
    """Whether the keyring holds a password for the configured login (False without a keyring)."""
    if not config.user:
        return False
    try:
        return secrets.stored_password(config.host, config.user) is not None
    except secrets.KeyringUnavailableError:
        return False


# ---------------------------------------------------------------- the password


class PasswordNeededError(InvoicerError):
    """No password is available for the mail login: ask the user (and keep it in memory only)."""

    def __init__(self, message: str | Message, /, keyring_missing: bool, **values: object) -> None:
        super().__init__(message, **values)
        self.keyring_missing = keyring_missing


def password_for(config: MailSettings, given: str | None = None) -> str | None:
    """The password to log in with: the one given, else the keyring's; None when there is no login."""
    if not config.user:
        return None
    if given is not None:
        return given
    try:
        stored = secrets.stored_password(config.host, config.user)
    except secrets.KeyringUnavailableError as exc:
        raise PasswordNeededError(exc.text, keyring_missing=True) from None
    if stored is None:
        raise PasswordNeededError(
            N_("No mail password is stored for {user} at {host}; enter it in Settings → Mail or with "
               "'invoicer mail set ... --password-stdin'."),
            keyring_missing=False, user=config.user, host=config.host,
        )
    return stored


def test_connection(config: MailSettings, password: str | None) -> None:
    """Connect, secure the connection and log in (nothing is sent); raises MailError subclasses."""
    smtp.check_connection(config.smtp, password)


# ---------------------------------------------------------------- composing


class AlreadySentError(ConflictError):
    """The invoice was emailed before; sending it again needs the user's confirmation."""


@dataclass(frozen=True)
class SentMail:
    """A message that went out and was recorded."""

    invoice_id: int
    number: str
    level: str | None
    message_id: str
    to: tuple[str, ...]
    copies: tuple[str, ...]
    subject: str


def _attachment_name(number: str, suffix: str = ".pdf") -> str:
    return (re.sub(r"[^\w.-]+", "-", number).strip("-.") or "invoice") + suffix


def _separate_xml(invoice: Invoice, reminder: bool) -> bool:
    """XRechnung and Peppol buyers get the XML as a file of its own next to the PDF (their systems read the
    file, not a PDF); a reminder carries no XML, which a buyer's system could book as a second invoice."""
    return not reminder and einvoicing.customer_format(invoice.customer) in einvoicing.SEPARATE_XML


def _attachment_names(invoice: Invoice, reminder: bool) -> str:
    names = [_attachment_name(invoice.number or "")]
    if _separate_xml(invoice, reminder):
        names.append(_attachment_name(invoice.number or "", ".xml"))
    return ", ".join(names)


def recipients_for(invoice: Invoice, to: list[str] | None) -> tuple[str, ...]:
    """The addresses given, else the customer's current email address."""
    if to:
        addresses = [a.strip() for item in to for a in item.split(",") if a.strip()]
        return tuple(validation.email(a) or "" for a in addresses)
    if not invoice.customer.email:
        raise ValidationError(
            N_("{name} has no email address; add one to the customer or give --to ADDRESS."),
            name=invoice.customer.name,
        )
    return (invoice.customer.email,)


def _facts(view: InvoiceView, customer: Customer, today: date, payment_link: str | None = None) -> templates.Facts:
    return templates.Facts(
        number=view.number or "",
        currency=view.currency,
        amount_due=view.balance.amount_due,
        total=view.totals.total,
        issue_date=view.issue_date,
        due_date=view.due_date,
        company=view.seller.name,
        customer=view.customer.name or customer.name,
        # the message greets today's contact, to whom it goes; the document shows the buyer as issued
        contact=customer.contact,
        # the bank account printed on the invoice is the one to pay to
        iban=view.seller.iban or None,
        bic=view.seller.bic or None,
        today=today,
        payment_link=payment_link,
    )


#: the messages a document itself is sent with; every other template is a reminder's
DOCUMENT_TEMPLATES = frozenset({"invoice", "invoice_paid", "credit_note"})


def own_template(invoice: Invoice) -> str:
    """The message an invoice or credit note is sent with: a credit note's, a paid (or fully credited)
    invoice's copy/receipt wording (never "0,00 € payable by"), else the invoice's."""
    if invoice.doc_type == DocType.CREDIT_NOTE:
        return "credit_note"
    return "invoice_paid" if invoice.amount_due == 0 else "invoice"


def _attachment(session: Session, invoice: Invoice, today: date) -> bytes:
    """The frozen PDF; once payments or credits changed what is due, the marked copy showing the amount
    due now instead: the frozen PDF's EPC QR code asks for the original total, and the email must never
    ask for more than is due (the copy's code asks for the amount due now, a settled one has none). So too
    once the payment link printed on it was replaced or expired: the copy carries the link that pays now."""
    # imported here: rendering pulls in ReportLab and factur-x, which a cron run with nothing to send
    # (most of them) should not pay for at start-up
    from invoicer.services import documents

    if invoice.doc_type == DocType.INVOICE and (
            invoice.amount_due != invoice.due_as_issued or not payment_links.issued_link_pays(session, invoice, today)):
        return documents.document_pdf(session, invoice.id, copy=True)
    return documents.frozen_pdf(session, invoice.id)


def message_text(session: Session, view: InvoiceView, customer: Customer, template: str, today: date) -> templates.Rendered:
    """The message from ``template`` in the language of the buyer as issued (else the customer's now)."""
    invoice = session.get(Invoice, view.id)
    assert invoice is not None
    due_now = view.balance.amount_due
    link = payment_links.active_link(session, invoice, due_now, today) if due_now > 0 else None
    facts = _facts(view, customer, today, link)
    return templates.render(TEMPLATES.get(session), template, facts, view.customer.locale or customer.locale)


def new_message(config: MailSettings, company: str, subject: str, to: tuple[str, ...]) -> EmailMessage:
    """A message's headers: from the configured sender (or the company), to ``to``, with a new Message-ID."""
    domain = (config.from_address or "").rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((config.from_name or company, config.from_address or ""))
    message["To"] = ", ".join(to)
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["Date"] = formatdate(localtime=True)
    # an explicit domain: make_msgid would otherwise ask DNS for this machine's name
    message["Message-ID"] = make_msgid(domain=domain)
    return message


def compose(
    session: Session, config: MailSettings, invoice: Invoice, template: str, to: tuple[str, ...], today: date,
) -> EmailMessage:
    """The message for ``invoice`` from ``template`` in the customer's language, PDF attached (and the XML
    for a customer whose format travels as a file of its own)."""
    view = view_of(session, invoice, today)
    text = message_text(session, view, invoice.customer, template, today)
    message = new_message(config, view.seller.name, text.subject, to)
    message.set_content(text.body)
    message.add_attachment(
        _attachment(session, invoice, today), maintype="application", subtype="pdf",
        filename=_attachment_name(invoice.number or ""),
    )
    if _separate_xml(invoice, reminder=template not in DOCUMENT_TEMPLATES):
        _fmt, xml = einvoicing.document_einvoice(session, invoice)
        message.add_attachment(xml, maintype="application", subtype="xml",
                               filename=_attachment_name(invoice.number or "", ".xml"))
    # after the content: set_content and add_attachment rearrange the Content-* headers
    message["Content-Language"] = text.language
    return message


@dataclass(frozen=True)
class Preview:
    """What "Send invoice" will send, shown before the user confirms."""

    invoice_id: int
    number: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachment: str
    last_sent: str | None  # "2026-11-21 14:03 to ap@acme.example" when it was sent before


def preview(session: Session, invoice_id: int, today: date | None = None) -> Preview:
    """The invoice email as it would go out now (no PDF rendered, nothing written)."""
    invoice = invoices.get_invoice(session, invoice_id, doc_type=None)
    require(session, invoice, Action.SEND)
    day = today or date.today()
    text = message_text(session, view_of(session, invoice, day), invoice.customer, own_template(invoice), day)
    previous = last_invoice_send(session, invoice_id)
    return Preview(
        invoice_id=invoice.id, number=invoice.number or "", to=(invoice.customer.email,) if invoice.customer.email
        else (), subject=text.subject, body=text.body, attachment=_attachment_names(invoice, False),
        last_sent=None if previous is None
        else f"{previous.sent_at:%Y-%m-%d %H:%M} UTC, {', '.join(json.loads(previous.recipients))}",
    )


# ---------------------------------------------------------------- sending


def last_invoice_send(session: Session, invoice_id: int) -> SentMessage | None:
    stmt = (
        select(SentMessage)
        .where(SentMessage.invoice_id == invoice_id, SentMessage.kind == "invoice")
        .order_by(SentMessage.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _refuse_repeat(session: Session, invoice: Invoice) -> None:
    previous = last_invoice_send(session, invoice.id)
    if previous is not None:
        to = ", ".join(json.loads(previous.recipients))
        raise AlreadySentError(
            N_("Invoice {number} was already sent on {when} (UTC) to {to}."),
            number=invoice.number, when=f"{previous.sent_at:%Y-%m-%d %H:%M}", to=to,
        )


def reminder_sent(session: Session, invoice_id: int, level: str) -> bool:
    stmt = select(SentMessage.id).where(SentMessage.invoice_id == invoice_id, SentMessage.level == level)
    return session.scalars(stmt).first() is not None


def still_remindable(invoice: Invoice) -> bool:
    """Open with something due: paid, void, written-off and fully credited invoices get no reminders."""
    return invoice.status == InvoiceStatus.OPEN and invoice.amount_due > 0


def deliver(
    db: Database, connection: smtp.SmtpConnection, config: MailSettings, invoice_id: int, *,
    today: date, to: list[str] | None = None, again: bool = False,
    level: str | None = None, template: str | None = None,
) -> SentMail | None:
    """Compose, record and send one message in one write transaction (``template`` None: the document's
    own, see ``own_template``); None when a reminder is no longer due (paid meanwhile, or its level
    already sent by another run)."""
    sent: SentMail | None = None
    handed_over = False
    try:
        with transaction(db.sessions) as session:
            invoice = invoices.get_invoice(session, invoice_id, doc_type=None)
            require(session, invoice, Action.SEND)
            if level is None:
                if not again:
                    _refuse_repeat(session, invoice)
            elif not still_remindable(invoice) or reminder_sent(session, invoice_id, level):
                return None
            addresses = recipients_for(invoice, to)
            copies = (config.from_address,) if config.copy_to_sender and config.from_address else ()
            message = compose(session, config, invoice, template or own_template(invoice), addresses, today)
            sent = SentMail(
                invoice_id=invoice.id, number=invoice.number or "", level=level, message_id=message["Message-ID"],
                to=addresses, copies=tuple(c for c in copies if c not in addresses), subject=message["Subject"],
            )
            # written first: the UNIQUE (invoice, level) record exists before anything leaves
            session.add(SentMessage(
                invoice_id=invoice.id, kind="invoice" if level is None else "reminder", level=level,
                message_id=sent.message_id, recipients=json.dumps([*sent.to, *sent.copies]),
                subject=sent.subject, sent_at=audit.now(),
            ))
            session.flush()
            audit.record(
                session, "send" if level is None else "remind", "invoice", invoice.id,
                payload={"message_id": sent.message_id, "to": list(sent.to), "copies": list(sent.copies),
                         "subject": sent.subject, "level": level, "again": again or None},
            )
            connection.send(message, config.from_address or "", [*sent.to, *sent.copies])
            handed_over = True
    except Exception as exc:
        if not handed_over or sent is None:
            raise  # nothing left: a busy database is already a StorageError from transaction()
        raise StorageError(
            N_("{number} was sent (Message-ID {message_id}) but the database could not record it ({reason}); "
               "check the database before sending it again."),
            number=sent.number, message_id=sent.message_id, reason=reason(exc),
        ) from exc
    return sent


def check_sendable(db: Database, invoice_id: int, to: list[str] | None, again: bool) -> MailSettings:
    """Everything that can be refused before connecting: mail set up, invoice sendable, a recipient,
    and (unless ``again``) not sent before."""
    with transaction(db.readonly_sessions) as session:
        config = mail_settings(session)
        invoice = invoices.get_invoice(session, invoice_id, doc_type=None)
        require(session, invoice, Action.SEND)
        recipients_for(invoice, to)
        if not again:
            _refuse_repeat(session, invoice)
    return config


def send_invoice(
    db: Database, invoice_id: int, *, to: list[str] | None = None, again: bool = False,
    password: str | None = None, today: date | None = None,
) -> SentMail:
    """Email a finalized invoice with its frozen PDF. Raises AlreadySentError unless ``again``,
    PasswordNeededError when no password is known, MailError when sending fails (nothing recorded)."""
    config = check_sendable(db, invoice_id, to, again)
    login = password_for(config, password)
    with smtp.connect(config.smtp, login) as connection:
        sent = deliver(db, connection, config, invoice_id, today=today or date.today(), to=to, again=again)
    assert sent is not None  # only reminders can turn out not to be due
    return sent
