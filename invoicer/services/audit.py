"""The append-only event log and the SHA-256 hash chain over finalized documents."""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from invoicer.core.money import exponent, from_minor
from invoicer.db import locks
from invoicer.db.models import AuditEvent, ChainLink, Invoice, InvoiceLine, MinorUnitChange

GENESIS = "0" * 64


def actor() -> str:
    """Who acts: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _actor(session: Session) -> str:
    """On a shared server the database login acting (the server refuses any other name: migration 0032), asked
    once per connection; else the OS user."""
    if session.get_bind().dialect.name == "postgresql":
        conn = session.connection()
        login = conn.info.get("invoicer_login")
        if login is None:
            login = conn.info["invoicer_login"] = str(conn.exec_driver_sql("SELECT session_user").scalar_one())
        return str(login)
    return actor()


_fixed_clock: datetime | None = None


def now() -> datetime:
    """The wall clock in UTC without tzinfo (what SQLite stores)."""
    if _fixed_clock is not None:
        return _fixed_clock
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Record everything done inside as happening at ``moment``: only for loading a made-up history
    (demo data); real operations always carry the wall clock."""
    global _fixed_clock
    previous, _fixed_clock = _fixed_clock, moment
    try:
        yield
    finally:
        _fixed_clock = previous


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: str | None = None,
    after: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append one event; it is written in the caller's transaction, so it exists iff the change does."""
    session.add(
        AuditEvent(
            at=now(),
            actor=_actor(session),
            action=action,
            entity=entity,
            entity_id=entity_id,
            before_status=before,
            after_status=after,
            payload=json.dumps(payload, default=str, sort_keys=True) if payload else None,
        )
    )


def history(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))


# keys of an invoice's or credit note's event payloads that hold money (minor units of its currency)
MONEY_KEYS = frozenset({"total", "amount", "applied", "excess", "amount_due", "applied_to_due", "to_customer_credit",
                        "refunded"})


@dataclass(frozen=True)
class DocumentEvent:
    """One event of a document's audit trail; money in ``payload`` as Decimal in major units."""

    id: int
    at: datetime
    actor: str
    action: str
    before: str | None
    after: str | None
    payload: dict[str, Any] | None


def document_history(session: Session, document_id: int) -> list[DocumentEvent]:
    """The audit trail of invoice or credit note ``document_id`` (a deleted draft's too), oldest first."""
    events = sorted(history(session, "invoice", document_id) + history(session, "credit_note", document_id),
                    key=lambda e: e.id)
    payloads = [json.loads(e.payload) if e.payload else None for e in events]
    document = session.get(Invoice, document_id)
    # a deleted draft's currency is in its own events (create, edit)
    currency = document.currency if document is not None else next(
        (p["currency"] for p in payloads if p and isinstance(p.get("currency"), str)), None
    )
    changes = minor_unit_changes(session)

    def major(event: AuditEvent, payload: dict[str, Any] | None) -> dict[str, Any] | None:
        if payload is None or currency is None:
            return payload
        return {k: from_minor(counted_today(v, currency, event.id, changes), currency)
                if k in MONEY_KEYS and isinstance(v, int) else v
                for k, v in payload.items()}

    return [DocumentEvent(e.id, e.at, e.actor, e.action, e.before_status, e.after_status, major(e, p))
            for e, p in zip(events, payloads, strict=True)]


def minor_unit_changes(session: Session) -> dict[str, MinorUnitChange]:
    """Currencies whose minor unit changed under stored data (migration 0010), by code."""
    return {change.currency: change for change in session.scalars(select(MinorUnitChange))}


def counted_today(minor: int, currency: str, event_id: int, changes: Mapping[str, MinorUnitChange]) -> int:
    """An amount an audit event holds, in today's minor units of its currency. Events are never rewritten: one
    written before its currency's minor unit grew (migration 0010) counts in the old, coarser unit."""
    change = changes.get(currency)
    if change is None or event_id >= change.event_id:
        return minor
    # migration 0010 only adds digits, so a whole factor (typeshed types int ** int as Any)
    grown: int = 10 ** (change.places_after - change.places_before)
    return minor * grown


def recent_events(session: Session, limit: int = 20) -> list[AuditEvent]:
    """The newest events by when they happened (bulk-loaded history is not written in time order)."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def places_as_issued(session: Session) -> dict[int, dict[str, int]]:
    """Documents chained before one of their currencies' minor unit changed (migration 0010): document id ->
    {currency: the digits it was computed, rounded and hashed with}. Documents not listed count in today's."""
    issued: dict[int, dict[str, int]] = {}
    for change in session.scalars(select(MinorUnitChange)):
        chained = session.execute(
            select(Invoice.id)
            .join(ChainLink, ChainLink.invoice_id == Invoice.id)
            .where(ChainLink.seq <= change.chained_through,
                   or_(Invoice.currency == change.currency, Invoice.company_currency == change.currency))
        ).scalars()
        for document_id in chained:
            issued.setdefault(document_id, {})[change.currency] = change.places_before
    return issued


def rounded_like(invoice: Invoice) -> int:
    """The document whose rounding a document keeps: a credit note the invoice's it corrects, so crediting an
    invoice issued before its currency's minor unit changed gives back exactly what it charged."""
    return invoice.corrects_id if invoice.doc_type == "credit_note" and invoice.corrects_id else invoice.id


def rounding_as_issued(session: Session, invoice: Invoice) -> int | None:
    """The digits a document is rounded to when it follows one issued before its currency's minor unit changed
    (migration 0010); None: the currency's own today."""
    change = session.get(MinorUnitChange, invoice.currency)
    if change is None:
        return None
    seq = session.scalar(select(ChainLink.seq).where(ChainLink.invoice_id == rounded_like(invoice)))
    return change.places_before if seq is not None and seq <= change.chained_through else None


def document_content(invoice: Invoice, issued: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Everything frozen about a finalized document, as plain data (what the chain protects).

    ``issued`` gives, for a currency whose minor unit changed after the document was chained, the digits it
    was chained with (``places_as_issued``): its amounts are hashed in that unit again, exactly; an amount that
    is no whole number of it (altered since) hashes differently.

    The PDF's hash is deliberately not part of it: it is chained separately in ChainLink.pdf_sha256
    (set by ``append_to_chain`` when the PDF is rendered at finalize). Documents made in bulk (demo
    data) get their PDF rendered on first use; ``verify`` then checks the stored file against
    ``invoices.pdf_sha256``, which the database lets be written only once.
    """
    issued = issued or {}

    def money(minor: int | None, currency: str | None) -> int | str | None:
        if minor is None or currency is None or currency not in issued:
            return minor
        counted = Decimal(minor).scaleb(issued[currency] - exponent(currency))
        return int(counted) if counted == counted.to_integral_value() else str(counted)

    cur, company = invoice.currency, invoice.company_currency
    content: dict[str, Any] = {
        "id": invoice.id,
        "doc_type": invoice.doc_type,
        "number": invoice.number,
        "counter": [invoice.counter_year, invoice.counter_scope, invoice.number_seq],
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "tax_rounding": invoice.tax_rounding,
        "notes": invoice.notes,
        "buyer_reference": invoice.buyer_reference,
        "seller": invoice.seller_snapshot,
        "customer": invoice.customer_snapshot,
        "totals": [
            money(invoice.subtotal, cur),
            money(invoice.allowance_total, cur),
            money(invoice.charge_total, cur),
            money(invoice.tax_total, cur),
            money(invoice.total, cur),
        ],
        "exchange": [
            str(invoice.exchange_rate) if invoice.exchange_rate is not None else None,
            company,
            money(invoice.company_subtotal, company),
            money(invoice.company_tax_total, company),
            money(invoice.company_total, company),
        ],
        "corrects_id": invoice.corrects_id,
        "settlement": [money(invoice.applied_to_due, cur), money(invoice.to_customer_credit, cur),
                       money(invoice.refunded, cur)],
        "reason": invoice.reason,
        "lines": [
            [
                line.position,
                line.description,
                str(line.quantity),
                line.unit,
                str(line.unit_price),
                str(line.price_base),
                None if line.discount_percent is None else str(line.discount_percent),
                _discount_text(line, cur, issued.get(cur)),
                line.tax_category,
                str(line.tax_rate),
                money(line.gross, cur),
                money(line.discount, cur),
                money(line.net, cur),
                money(line.tax, cur),
                line.source_line_id,
            ]
            for line in invoice.lines
        ],
        "adjustments": [
            [a.position, a.is_charge, a.reason, money(a.amount, cur), a.tax_category, str(a.tax_rate)]
            for a in invoice.adjustments
        ],
        "taxes": [[t.category, str(t.rate), money(t.basis, cur), money(t.amount, cur), t.exemption_reason]
                  for t in invoice.taxes],
    }
    # the date of supply and the service periods (migration 0012) are chained where given, so the hashes of
    # documents issued before them stay what they were
    service = [_day(invoice.delivery_date), _day(invoice.period_start), _day(invoice.period_end)]
    if any(service):
        content["service"] = service
    periods = [[line.position, _day(line.period_start), _day(line.period_end)]
               for line in invoice.lines if line.period_start is not None]
    if periods:
        content["line_periods"] = periods
    detail = _en16931_detail(invoice, cur, money)
    if detail is not None:  # only documents that carry it: the links of every other document stay as they were
        content["en16931"] = detail
    if invoice.prepaid:  # BT-113 (0033), only where stated: other links stay as they were
        content["prepaid"] = [money(invoice.prepaid, cur), invoice.prepaid_method, invoice.prepaid_reference]
    return content


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _en16931_detail(
    invoice: Invoice, cur: str, money: Callable[[int | None, str | None], int | str | None]
) -> dict[str, Any] | None:
    """What migration 0013 added to a document (type code, corrected invoice, rounding, gross prices, further
    line allowances and charges, percent document allowances), or None when it has none of it."""
    lines = [
        [line.position, None if line.gross_price is None else str(line.gross_price), money(line.charge, cur),
         [[c.position, c.is_charge, money(c.amount, cur), None if c.percent is None else str(c.percent), c.reason,
           c.reason_code] for c in line.allowances]]
        for line in invoice.lines if line.gross_price is not None or line.allowances
    ]
    adjustments = [
        [a.position, None if a.percent is None else str(a.percent), money(a.base, cur), a.reason_code]
        for a in invoice.adjustments if a.percent is not None or a.reason_code is not None
    ]
    header = [invoice.type_code, invoice.preceding_number,
              invoice.preceding_date.isoformat() if invoice.preceding_date else None,
              money(invoice.rounding_amount, cur)]
    if not lines and not adjustments and header == [None, None, None, money(0, cur)]:
        return None
    return {"header": header, "lines": lines, "adjustments": adjustments}


def _discount_text(line: InvoiceLine, currency: str, places: int | None) -> str | None:
    """A line's discount amount as chained: the major-unit text it was typed as (``"5.00"``), which its minor
    units give back (with the digits it was issued with, ``"1000"`` for a forint amount before migration 0010);
    lines issued before migration 0008 with a fraction of a minor unit keep their own text."""
    if line.discount_amount is None:
        return None
    if line.legacy_discount_text:
        return line.legacy_discount_text
    amount = from_minor(line.discount_amount, currency)
    if places is not None and amount == amount.quantize(Decimal(1).scaleb(-places)):
        amount = amount.quantize(Decimal(1).scaleb(-places))
    return str(amount)


def content_sha256(invoice: Invoice, issued: Mapping[str, int] | None = None) -> str:
    return sha256_of_content(document_content(invoice, issued))


def sha256_of_content(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, content: str, pdf_sha256: str | None = None) -> str:
    return hashlib.sha256(f"{prev_hash}{content}{pdf_sha256 or ''}".encode("ascii")).hexdigest()


def append_to_chain(session: Session, invoice: Invoice) -> ChainLink:
    """Chain a just-finalized document to the previous one (same transaction as the finalize); the chain's end
    stays locked until the transaction ends, so two desks never link to the same previous document."""
    locks.serialize(session, "document_chain")
    last = session.scalars(select(ChainLink).order_by(ChainLink.seq.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    content = content_sha256(invoice)
    link = ChainLink(
        invoice_id=invoice.id,
        content_sha256=content,
        pdf_sha256=invoice.pdf_sha256,
        prev_hash=prev,
        hash=link_hash(prev, content, invoice.pdf_sha256),
        created_at=now(),
    )
    session.add(link)
    return link
