"""Bank reconciliation: importing statements (each booked line stored once), proposing matches to open
invoices, confirming them as payments with the bank reference and value date, and the queue of entries left
over (bank fees, refunds)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.bank_match import REASONS, Allocation, Credit, Matcher, OpenInvoice, Proposal
from invoicer.core.errors import N_, ConflictError, NotFoundError, ValidationError
from invoicer.core.money import exponent, to_minor
from invoicer.db.engine import bulk_page_cache
from invoicer.db.models import (
    BankCsvMapping,
    BankEntry,
    BankEntryPayment,
    BankStatement,
    Customer,
    Invoice,
)
from invoicer.documents.bank_files import Statement, StatementLine, read_statement
from invoicer.services import audit, early_payment, payments, validation

_CHUNK = 2_000  # statement lines stored per executemany (and keys looked up per query)


@dataclass(frozen=True)
class ImportResult:
    statement_id: int
    format: str
    new: int
    known: int  # already imported before (the same or an overlapping statement)
    confirmed: int  # sure matches confirmed at once (--auto)


@dataclass(frozen=True)
class EntryView:
    id: int
    booked_on: date
    value_date: date
    amount: int
    currency: str
    counterparty: str | None
    counterparty_iban: str | None
    remittance: str | None
    bank_reference: str | None
    status: str


@dataclass(frozen=True)
class ProposalView:
    entry: EntryView
    proposal: Proposal | None
    numbers: dict[int, str]  # invoice id -> number, for every invoice the proposal names

    @property
    def reason_text(self) -> str | None:
        return None if self.proposal is None else REASONS[self.proposal.reason]


def _view(e: BankEntry) -> EntryView:
    return EntryView(e.id, e.booked_on, e.value_date, e.amount, e.currency, e.counterparty, e.counterparty_iban,
                     e.remittance, e.bank_reference, e.status)


# -- import -----------------------------------------------------------------------------------------------------


def saved_mapping(session: Session, bank: str) -> dict[str, str]:
    row = session.get(BankCsvMapping, bank)
    return {} if row is None else dict(json.loads(row.mapping))


def parse_mapping(text: str) -> dict[str, str]:
    """``date=Buchungstag,amount=Betrag,decimal=,`` -> a mapping (a comma right after ``=`` is the value)."""
    mapping: dict[str, str] = {}
    rest = text
    while rest:
        key, sep, rest = rest.partition("=")
        if not sep or not key.strip():
            raise ValidationError(N_("The column mapping '{text}' is not FIELD=COLUMN,FIELD=COLUMN."), text=text)
        if rest.startswith(","):
            value, rest = ",", rest[2:] if rest[1:2] == "," else rest[1:]
        else:
            value, _, rest = rest.partition(",")
        mapping[key.strip()] = value.strip() if value != "," else value
    return mapping


def _minor(line: StatementLine) -> int:
    if len(line.currency) != 3 or not line.currency.isalpha():
        raise ValidationError(N_("A statement line has no valid currency ('{currency}')."), currency=line.currency)
    power = line.amount.as_tuple().exponent
    places = -power if isinstance(power, int) else 0
    if places > exponent(line.currency):
        raise ValidationError(N_("The amount {amount} has more decimals than {currency} has."),
                              amount=str(line.amount), currency=line.currency)
    return to_minor(line.amount, line.currency)


def _insert_entries(session: Session, rows: list[tuple[object, ...]]) -> None:
    """New open entries (statement, key, booked, value date as ISO text, amount, currency, counterparty, IBAN,
    remittance, bank reference) with one executemany on the driver's cursor of the session's connection."""
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            "INSERT INTO bank_entries (statement_id, entry_key, booked_on, value_date, amount, currency, counterparty,"
            f" counterparty_iban, remittance, bank_reference, status) VALUES ({', '.join([mark] * 10)}, 'open')",
            rows,
        )
    finally:
        cursor.close()


def entry_keys(statement: Statement, bank: str) -> list[str]:
    """A key per line: the bank's own reference where it gives one, else a hash of what the line says (the
    n-th identical line of a day gets n in its hash, so overlapping statements give the same keys)."""
    account = statement.account or bank
    seen: Counter[str] = Counter()
    keys = []
    for line in statement.lines:
        if line.bank_reference:
            basis = f"ref|{account}|{line.bank_reference}"
        else:
            facts = "|".join(str(x or "") for x in (
                account, line.booked_on, line.value_date, line.amount, line.currency, line.counterparty_iban,
                line.counterparty, line.remittance,
            ))
            seen[facts] += 1
            basis = f"line|{facts}|{seen[facts]}"
        keys.append(hashlib.sha256(basis.encode()).hexdigest())
    return keys


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a larger page cache for the import's connection while it stores (the default 2 MiB spilled the
    entry-key index's pages to disk and back within the transaction: a quarter of the storing time of a year's
    statement), the connection's own setting again afterwards."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    # pysqlite's connection, or SQLCipher's of the same interface for an encrypted file
    with bulk_page_cache(cast(sqlite3.Connection, connection.connection.driver_connection)):
        yield


def _store(session: Session, statement_id: int, statement: Statement, keys: list[str], seen: set[str]) -> None:
    """The lines whose key is not stored yet (nor seen before in the file), added to ``seen``."""
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        known = set(session.scalars(select(BankEntry.entry_key).where(BankEntry.entry_key.in_(chunk))))
        new: list[tuple[object, ...]] = []
        for key, line in zip(chunk, statement.lines[start:start + _CHUNK], strict=True):
            if key in known or key in seen:
                continue
            seen.add(key)
            new.append((statement_id, key, line.booked_on.isoformat(), line.value_date.isoformat(), _minor(line),
                        line.currency.upper(), line.counterparty or None, line.counterparty_iban, line.remittance,
                        line.bank_reference))
        _insert_entries(session, new)


def import_statement(
    session: Session, data: bytes, file_name: str, bank: str | None = None,
    csv_mapping: dict[str, str] | None = None, auto: bool = False,
) -> ImportResult:
    """Store the statement's booked lines that are not stored yet; with ``auto`` confirm the sure matches."""
    bank = validation.optional(bank) or "default"
    if csv_mapping:
        row = session.get(BankCsvMapping, bank)
        if row is None:
            session.add(BankCsvMapping(bank=bank, mapping=json.dumps(csv_mapping, sort_keys=True)))
        else:
            row.mapping = json.dumps(csv_mapping, sort_keys=True)
    statement = read_statement(data, file_name, csv_mapping or saved_mapping(session, bank))
    keys = entry_keys(statement, bank)
    record = BankStatement(
        bank=bank, format=statement.format, file_name=file_name[-260:],
        file_sha256=hashlib.sha256(data).hexdigest(), account=statement.account,
        entries_new=0, entries_known=0, imported_at=audit.now(),
    )
    session.add(record)
    session.flush()
    # a chunk at a time: which of its keys are stored already (one query), then one executemany of the rest on
    # the driver's cursor, in the session's transaction (SQLAlchemy's per-row parameter handling cost twice the
    # insert itself on a year's statement). All chunks are in the import's one transaction: a statement is
    # imported whole or not at all.
    seen: set[str] = set()
    with _page_cache(session):
        _store(session, record.id, statement, keys, seen)
    record.entries_new = len(seen)
    record.entries_known = len(keys) - len(seen)
    audit.record(session, "bank_import", "bank_statement", record.id, payload={
        "bank": bank, "format": statement.format, "file": file_name, "new": record.entries_new,
        "known": record.entries_known,
    })
    confirmed = confirm_sure(session, list(session.scalars(
        select(BankEntry.id).where(BankEntry.statement_id == record.id)))) if auto else 0
    return ImportResult(record.id, statement.format, record.entries_new, record.entries_known, confirmed)


# -- matching ---------------------------------------------------------------------------------------------------


def open_invoices(session: Session) -> list[OpenInvoice]:
    rows = session.execute(
        select(Invoice, Customer.name, Customer.iban)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.doc_type == "invoice", Invoice.status == "open", Invoice.number.is_not(None))
    )
    found = [(inv, name, iban) for inv, name, iban in rows if inv.amount_due > 0]
    offered = early_payment.offers(session, [inv for inv, _name, _iban in found])
    return [OpenInvoice(inv.id, inv.number or "", inv.customer_id, name, iban, inv.currency, inv.amount_due,
                        inv.issue_date, offered.get(inv.id)) for inv, name, iban in found]


def _credit(e: BankEntry) -> Credit:
    return Credit(e.id, e.amount, e.currency, e.value_date, e.counterparty, e.counterparty_iban, e.remittance)


def queue(session: Session) -> list[BankEntry]:
    return list(session.scalars(
        select(BankEntry).where(BankEntry.status == "open").order_by(BankEntry.value_date, BankEntry.id)
    ))


def proposals(session: Session, entry_ids: Sequence[int] | None = None) -> list[ProposalView]:
    """A proposal (or none) for every open entry, oldest first; what one proposes is not proposed again."""
    invoices = open_invoices(session)
    matcher = Matcher(invoices)
    numbers = {inv.id: inv.number for inv in invoices}
    wanted = None if entry_ids is None else set(entry_ids)
    views = []
    for e in queue(session):
        if wanted is not None and e.id not in wanted:
            continue
        proposal = matcher.propose(_credit(e))
        named = {} if proposal is None else {
            i: numbers[i] for i in (*(a.invoice_id for a in proposal.allocations), *proposal.alternatives)
        }
        views.append(ProposalView(_view(e), proposal, named))
    return views


def get_entry(session: Session, entry_id: int) -> EntryView:
    return _view(_entry(session, entry_id))


def _entry(session: Session, entry_id: int) -> BankEntry:
    entry = session.get(BankEntry, entry_id)
    if entry is None:
        raise NotFoundError(N_("There is no bank entry {id}."), id=entry_id)
    return entry


def _open_entry(session: Session, entry_id: int) -> BankEntry:
    entry = _entry(session, entry_id)
    if entry.status != "open":
        raise ConflictError(N_("Bank entry {id} is already settled ({status})."), id=entry_id, status=entry.status)
    return entry


def confirm(session: Session, entry_id: int, allocations: Sequence[Allocation] | None = None) -> list[int]:
    """Record the entry as payments of the invoices (the proposal's, unless given): dated on the value date,
    referenced by the bank's reference. Returns the payment ids."""
    entry = _open_entry(session, entry_id)
    if allocations is None:
        found = proposals(session, [entry_id])
        proposal = found[0].proposal if found else None
        if proposal is None:
            raise ValidationError(N_("Nothing matches bank entry {id}; choose the invoice."), id=entry_id)
        allocations = proposal.allocations
    if not allocations or any(a.amount <= 0 for a in allocations):
        raise ValidationError(N_("Allocate a positive amount to at least one invoice."))
    if sum(a.amount for a in allocations) != entry.amount:
        raise ValidationError(
            N_("The amounts allocated do not add up to the bank entry's amount."), "amount",
        )
    base = entry.bank_reference or f"bank-entry-{entry.id}"
    # a value date after today (banks announce weekend value dates) is not a payment day yet: the booking day is
    paid_on = entry.value_date if entry.value_date <= date.today() else min(entry.booked_on, date.today())
    ids = []
    for a in allocations:
        invoice = session.get(Invoice, a.invoice_id)
        if invoice is None or invoice.currency != entry.currency:
            raise ValidationError(N_("Invoice {id} is not in the bank entry's currency."), id=a.invoice_id)
        reference = base if len(allocations) == 1 else f"{base}/{invoice.number}"
        payment_id = payments.record_payment(session, a.invoice_id, a.amount, paid_on, "30",
                                             reference[:200])
        session.add(BankEntryPayment(entry_id=entry.id, payment_id=payment_id, invoice_id=a.invoice_id,
                                     amount=a.amount))
        if a.discount:
            # the discount is taken on the day the money came (never before the last credit note of the series)
            early_payment.take_discount(session, a.invoice_id, a.discount, paid_on)
        ids.append(payment_id)
    entry.status, entry.settled_at = "matched", audit.now()
    audit.record(session, "bank_confirm", "bank_entry", entry.id, before="open", after="matched",
                 payload={"payments": ids, "invoices": [a.invoice_id for a in allocations]})
    return ids


def confirm_sure(session: Session, entry_ids: Sequence[int] | None = None) -> int:
    """Confirm every sure proposal (of ``entry_ids``, else of the whole queue); returns how many entries."""
    sure = [v for v in proposals(session, entry_ids) if v.proposal is not None and v.proposal.sure]
    for v in sure:
        assert v.proposal is not None
        confirm(session, v.entry.id, v.proposal.allocations)
    return len(sure)


def settle_other(session: Session, entry_id: int, kind: str, note: str | None = None,
                 customer_id: int | None = None) -> None:
    """Take an entry off the queue as a bank fee, a refund paid to a customer, or as nothing to record."""
    if kind not in ("fee", "refund", "ignored"):
        raise ValidationError(N_("An entry is settled as fee, refund or ignored, not '{kind}'."), kind=kind)
    entry = _open_entry(session, entry_id)
    if kind == "refund":
        if customer_id is None or session.get(Customer, customer_id) is None:
            raise ValidationError(N_("A refund names the customer it was paid to."), "customer")
        if entry.amount >= 0:
            raise ValidationError(N_("A refund is money paid out: the bank entry must be a debit."))
    if kind == "fee" and entry.amount >= 0:
        raise ValidationError(N_("A bank fee is money paid out: the bank entry must be a debit."))
    entry.status, entry.settled_at = kind, audit.now()
    entry.note = validation.optional(note, multiline=True)
    entry.customer_id = customer_id if kind == "refund" else None
    audit.record(session, f"bank_{kind}", "bank_entry", entry.id, before="open", after=kind,
                 payload={"amount": entry.amount, "currency": entry.currency, "customer_id": entry.customer_id,
                          "note": entry.note})
