"""The append-only event log and the SHA-256 hash chain over finalized documents."""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.money import from_minor
from invoicer.db.models import AuditEvent, ChainLink, Invoice, InvoiceLine

GENESIS = "0" * 64


def actor() -> str:
    """Who acts: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


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
            actor=actor(),
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

    def major(payload: dict[str, Any] | None) -> dict[str, Any] | None:
        if payload is None or currency is None:
            return payload
        return {k: from_minor(v, currency) if k in MONEY_KEYS and isinstance(v, int) else v
                for k, v in payload.items()}

    return [DocumentEvent(e.id, e.at, e.actor, e.action, e.before_status, e.after_status, major(p))
            for e, p in zip(events, payloads, strict=True)]


def recent_events(session: Session, limit: int = 20) -> list[AuditEvent]:
    """The newest events by when they happened (bulk-loaded history is not written in time order)."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def document_content(invoice: Invoice) -> dict[str, Any]:
    """Everything frozen about a finalized document, as plain data (what the chain protects).

    The PDF's hash is deliberately not part of it: it is chained separately in ChainLink.pdf_sha256
    (set by ``append_to_chain`` when the PDF is rendered at finalize). Documents made in bulk (demo
    data) get their PDF rendered on first use; ``verify`` then checks the stored file against
    ``invoices.pdf_sha256``, which the database lets be written only once.
    """
    return {
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
            invoice.subtotal,
            invoice.allowance_total,
            invoice.charge_total,
            invoice.tax_total,
            invoice.total,
        ],
        "exchange": [
            str(invoice.exchange_rate) if invoice.exchange_rate is not None else None,
            invoice.company_currency,
            invoice.company_subtotal,
            invoice.company_tax_total,
            invoice.company_total,
        ],
        "corrects_id": invoice.corrects_id,
        "settlement": [invoice.applied_to_due, invoice.to_customer_credit, invoice.refunded],
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
                _discount_text(line, invoice.currency),
                line.tax_category,
                str(line.tax_rate),
                line.gross,
                line.discount,
                line.net,
                line.tax,
                line.source_line_id,
            ]
            for line in invoice.lines
        ],
        "adjustments": [
            [a.position, a.is_charge, a.reason, a.amount, a.tax_category, str(a.tax_rate)]
            for a in invoice.adjustments
        ],
        "taxes": [[t.category, str(t.rate), t.basis, t.amount, t.exemption_reason] for t in invoice.taxes],
    }


def _discount_text(line: InvoiceLine, currency: str) -> str | None:
    """A line's discount amount as chained: the major-unit text it was typed as (``"5.00"``), which its minor
    units give back; lines issued before migration 0008 with a fraction of a minor unit keep their own text."""
    if line.discount_amount is None:
        return None
    return line.legacy_discount_text or str(from_minor(line.discount_amount, currency))


def content_sha256(invoice: Invoice) -> str:
    return sha256_of_content(document_content(invoice))


def sha256_of_content(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, content: str, pdf_sha256: str | None = None) -> str:
    return hashlib.sha256(f"{prev_hash}{content}{pdf_sha256 or ''}".encode("ascii")).hexdigest()


def append_to_chain(session: Session, invoice: Invoice) -> ChainLink:
    """Chain a just-finalized document to the previous one (same transaction as the finalize)."""
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
