"""Payment links of invoices: the template setting, the link made at finalize (printed on the frozen PDF), the one
a message or a copy carries now, renewing (a later expiry or a new token), and marking it used when the invoice is
paid, in the transaction of that payment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, NotFoundError, ValidationError
from invoicer.core.payment_links import LinkFacts, check_template, link_url
from invoicer.db import locks
from invoicer.db.models import Invoice, PaymentLink
from invoicer.services import audit, settings

TEMPLATE = settings.OptionalTextSetting(
    "payments.link_template",
    N_("Payment link, a payment provider's page with {token} and any of {amount}, {currency}, {number} (empty: none)"),
    check_template,
)
VALID_DAYS = settings.IntSetting("payments.link_days", 30, N_("Payment links stay valid this many days after the "
                                                              "due date"), 1, 3650)
TOKEN_BYTES = 16  # 22 URL-safe characters, 128 random bits: a link cannot be guessed from another one

#: active: pays now; expired: renew it; used: the invoice was paid; replaced: a newer token took its place; closed:
#: the invoice has nothing to pay any more (void, credited in full) without a payment through the link
LinkState = Literal["active", "expired", "used", "replaced", "closed"]


@dataclass(frozen=True)
class LinkInfo:
    """An invoice's current link as the CLI and the invoice window show it."""

    invoice_id: int
    number: str
    url: str
    token: str
    expires_on: date
    state: LinkState
    used_at: datetime | None


def _payable(invoice: Invoice) -> bool:
    return invoice.doc_type == "invoice" and invoice.status in ("open", "uncollectible") and invoice.amount_due > 0


def _expiry(session: Session, invoice: Invoice, today: date) -> date:
    return max(invoice.due_date or invoice.issue_date, today) + timedelta(days=VALID_DAYS.get(session))


def _new_link(session: Session, invoice: Invoice, template: str, issued: bool, today: date) -> PaymentLink:
    link = PaymentLink(invoice_id=invoice.id, token=secrets.token_urlsafe(TOKEN_BYTES), url_template=template,
                       issued=issued, created_at=audit.now(), expires_on=_expiry(session, invoice, today))
    session.add(link)
    session.flush()
    return link


def issue_at_finalize(session: Session, invoice: Invoice) -> None:
    """The link an invoice is issued with, when a template is set and something is to be paid: made before the
    PDF is rendered, which prints it (and so keeps it, byte for byte)."""
    template = TEMPLATE.get(session)
    if template and _payable(invoice):
        _new_link(session, invoice, template, issued=True, today=invoice.issue_date)


def _url(link: PaymentLink, invoice: Invoice, amount: int) -> str:
    return link_url(LinkFacts(link.url_template, link.token, amount, invoice.currency, invoice.number or ""))


def printed_link(session: Session, invoice: Invoice, amount: int) -> str | None:
    """The link the issued PDF carries (the one made at finalize, for the amount as issued), whatever happened to
    it since: the frozen PDF stays as it was issued."""
    link = session.scalar(select(PaymentLink).where(PaymentLink.invoice_id == invoice.id, PaymentLink.issued))
    return None if link is None else _url(link, invoice, amount)


def _current(session: Session, invoice_id: int) -> PaymentLink | None:
    return session.scalar(select(PaymentLink).where(PaymentLink.invoice_id == invoice_id,
                                                    PaymentLink.replaced_at.is_(None))
                          .order_by(PaymentLink.id.desc()).limit(1))


def _state(link: PaymentLink, invoice: Invoice, today: date) -> LinkState:
    if link.replaced_at is not None:
        return "replaced"
    if link.used_at is not None:
        return "used"
    if not _payable(invoice):
        return "closed"
    return "expired" if link.expires_on < today else "active"


def active_link(session: Session, invoice: Invoice, amount: int, today: date) -> str | None:
    """The link a message or a copy offers now, for ``amount`` (the amount due now): only one that still pays."""
    link = _current(session, invoice.id)
    if link is None or _state(link, invoice, today) != "active":
        return None
    return _url(link, invoice, amount)


def issued_link_pays(session: Session, invoice: Invoice, today: date) -> bool:
    """Whether the link printed on the issued PDF (if any) still pays: once it was replaced or expired, a message
    sends the marked copy, which carries the link that pays now."""
    link = session.scalar(select(PaymentLink).where(PaymentLink.invoice_id == invoice.id, PaymentLink.issued))
    return link is None or _state(link, invoice, today) == "active"


def _invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.doc_type != "invoice":
        raise NotFoundError(N_("There is no invoice {id}."), id=invoice_id)
    return invoice


def find_invoice(session: Session, reference: str) -> int:
    """An invoice by its number, else by its id."""
    found = session.scalar(select(Invoice.id).where(Invoice.number == reference.strip(),
                                                    Invoice.doc_type == "invoice"))
    if found is not None:
        return found
    if reference.strip().isdigit():
        return _invoice(session, int(reference.strip())).id
    raise NotFoundError(N_("There is no invoice {id}."), id=reference)


def link_info(session: Session, invoice_id: int, today: date) -> LinkInfo | None:
    """The invoice's current link and its state, for the amount due now; None when it has none."""
    invoice = _invoice(session, invoice_id)
    link = _current(session, invoice_id)
    if link is None:
        return None
    amount = invoice.amount_due
    return LinkInfo(invoice.id, invoice.number or "", _url(link, invoice, amount), link.token, link.expires_on,
                    _state(link, invoice, today), link.used_at)


def renew(session: Session, invoice_id: int, today: date, new_token: bool = False) -> LinkInfo:
    """An explicit renewal: a link that still has its token valid again for ``payments.link_days`` from the due
    date or today, whichever is later; with ``new_token`` (or when there is none yet) a new link from the template
    set now, and the old token stops paying. Only for an invoice with something to pay."""
    invoice = _invoice(session, invoice_id)
    locks.locked(session, Invoice, invoice_id)  # two desks renewing at once: one after the other
    if not _payable(invoice):
        raise ValidationError(N_("Invoice {number} has nothing left to pay, so it gets no payment link."),
                              number=invoice.number or invoice.id)
    link = _current(session, invoice_id)
    if link is None or new_token:
        template = TEMPLATE.get(session)
        if not template:
            raise ValidationError(N_("No payment link is set up: enter the payment provider's link in Settings → "
                                     "Invoices (setting payments.link_template) first."))
        if link is not None:
            link.replaced_at = audit.now()
        link = _new_link(session, invoice, template, issued=False, today=today)
        action = "payment_link_new"
    else:
        link.expires_on = _expiry(session, invoice, today)
        action = "payment_link_extend"
    audit.record(session, action, "invoice", invoice_id, payload={"expires_on": link.expires_on.isoformat()})
    session.flush()
    info = link_info(session, invoice_id, today)
    assert info is not None
    return info


def settled(session: Session, invoice: Invoice) -> None:
    """Called as the invoice's status is settled (services.invoices.settle_status): a paid invoice's links are
    used, in the same transaction as the payment or credit that paid it; one open again (a reversal) pays again."""
    paid = invoice.status == "paid"
    for link in session.scalars(select(PaymentLink).where(PaymentLink.invoice_id == invoice.id)):
        if paid and link.used_at is None:
            link.used_at = audit.now()
        elif not paid and link.used_at is not None:
            link.used_at = None
