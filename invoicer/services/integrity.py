"""``invoicer verify``: database integrity, the hash chain, gapless numbering and balances that add up."""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Select, case, func, select, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from invoicer.core.errors import InvoicerError
from invoicer.core.money import exponent, from_minor
from invoicer.core.totals import TaxKey, final_taxes, owed_in_company_currency, totals_of
from invoicer.core.workflow import receivable, status_word, statuses
from invoicer.db.models import (
    ChainLink,
    CreditEntry,
    Invoice,
    InvoiceAdjustment,
    InvoiceDeduction,
    InvoiceLine,
    InvoiceLineAllowance,
    InvoiceTax,
    NumberCounter,
    Payment,
    Quote,
)
from invoicer.services.audit import GENESIS, content_sha256, link_hash, places_as_issued, rounded_like
from invoicer.services.invoices import deducted_taxes
from invoicer.services.ledger import receivables_by_invoice

BATCH = 2000


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        if self.ok:
            return f"OK: checked {counts}. Everything adds up."
        return "\n".join([f"{len(self.problems)} problem(s) found (checked {counts}):", *[f"- {p}" for p in self.problems]])


#: ``progress(phase, unit, done, total)``: how far verify is in each of its phases, named in the order they run
Progress = Callable[[str, str, int, int], None]
#: SQLite's steps per progress call in its integrity check: about one page of the file each on the demo data
CHECK_STEPS = 1000


class Phase:
    """One phase of verify and how far it is: told as it starts, every BATCH units (every unit when there are few), and
    as it ends."""

    def __init__(self, progress: Progress | None, name: str, unit: str, total: int) -> None:
        self.progress, self.name, self.unit = progress, name, unit
        self.total, self.done, self.told = max(total, 1), 0, 0
        # every BATCH units, or every unit of a phase of few (tables, workers)
        self.every = max(1, min(BATCH, self.total // 100))
        self._tell()

    def add(self, count: int = 1) -> None:
        # a total known only as an estimate (the integrity check's pages) is not passed before the phase ends
        self.done = min(self.done + count, self.total - 1)
        if self.done - self.told >= self.every:
            self._tell()

    def finish(self) -> None:
        self.done = self.total
        self._tell()

    def _tell(self) -> None:
        self.told = self.done
        if self.progress is not None:
            self.progress(self.name, self.unit, self.done, self.total)


def verify(session: Session, folder: Path | None = None, progress: Progress | None = None, jobs: int = 1) -> Report:
    """Check everything; ``progress(phase, unit, done, total)`` is told how far each phase is from its first second
    (at a million invoices verify takes minutes). ``jobs`` > 1: the documents are checked by that many worker
    processes, each a range of them, reading the same committed state as ``session`` (which must not have read
    anything yet), with the same report."""
    report = Report()
    if session.get_bind().dialect.name == "postgresql":
        # every phase (and every worker) reads one snapshot, as a SQLite read transaction does; a session that has
        # read already keeps its level (SQLAlchemy warns that it cannot change it then)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    workers = None
    if jobs > 1:
        from invoicer.services.verify_workers import Workers

        workers = Workers.start(session, jobs, progress)
    try:
        _sqlite(session, report, progress)
        _chain(session, report, progress)
        counts = _counts(session)
        documents = Phase(progress, "documents", "documents", counts.documents)
        if workers is not None and counts.documents:
            found = workers.check(_ranges(session, counts.documents, parts_of(counts.documents, jobs)), documents)
        else:
            found = DocumentChecks(session).between(None, documents.add)
        documents.finish()
    finally:
        if workers is not None:
            workers.stop()
    # the problems are reported in the order of the checks: every altered document, then numbering, then totals
    report.problems += found.altered
    report.checked["finalized documents"] = found.finalized
    _numbering(session, report, Phase(progress, "number series", "numbers", counts.numbered))
    report.problems += found.problems
    report.checked["documents"] = found.read
    _payments_and_credit(session, report, Phase(progress, "payments and customer credit", "payments",
                                                    counts.payments))
    if folder is not None:
        _pdfs(session, folder, report, progress)
    return report


@dataclass
class _Counts:
    documents: int
    numbered: int
    payments: int


def _counts(session: Session) -> _Counts:
    """How much each phase has to read (under a second each at a million invoices, mostly through covering indexes)."""
    documents = session.scalar(select(func.count()).select_from(Invoice)) or 0
    numbered = (session.scalar(select(func.count(Invoice.number))) or 0) + (
        session.scalar(select(func.count(Quote.number))) or 0)
    payments = session.scalar(select(func.count()).where(Payment.kind == "payment")) or 0
    return _Counts(documents, numbered, payments)


def _ranges(session: Session, documents: int, parts: int) -> list[tuple[int, int]]:
    """The documents' ids cut into ``parts`` ranges of about as many documents each (fewer when there are few)."""
    parts = max(1, min(parts, documents))
    ids = select(Invoice.id).order_by(Invoice.id).limit(1)
    starts = [session.scalar(ids.offset(documents * k // parts)) or 0 for k in range(parts)]
    last = session.scalar(select(func.max(Invoice.id))) or 0
    return [(start, end - 1) for start, end in pairwise(starts)] + [(starts[-1], last)]


@dataclass
class Found:
    """What the documents' pass found over a range of documents (problems in the order of their ids)."""

    altered: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    finalized: int = 0
    read: int = 0

    def extend(self, other: Found) -> None:
        self.altered += other.altered
        self.problems += other.problems
        self.finalized += other.finalized
        self.read += other.read


def parts_of(documents: int, jobs: int) -> int:
    """How many ranges the documents are cut into for ``jobs`` workers: several each, handed out as workers are free,
    so that one slowed down by other work on the machine is not left with a large part at the end."""
    return max(1, min(jobs * 8, documents))


def _sqlite(session: Session, report: Report, progress: Progress | None) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return  # a server checks its own pages; references are enforced there at every statement
    pages = session.scalar(text("PRAGMA page_count")) or 0
    phase = Phase(progress, "SQLite integrity check", "pages", pages)
    # the whole file in one statement (a table at a time would leave out its free and unused pages): SQLite tells
    # how far it is through its progress handler, which the estimate in pages follows
    connection = session.connection().connection.dbapi_connection
    handler = getattr(connection, "set_progress_handler", None)

    def step() -> int:
        phase.add()
        return 0  # go on

    if handler is not None:
        handler(step, CHECK_STEPS)
    try:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
    finally:
        if handler is not None:
            handler(None, 0)
    phase.finish()
    if result != ["ok"]:
        report.problems += [f"SQLite integrity: {r}" for r in result[:20]]
    tables = session.execute(text("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                  "ORDER BY name")).scalars().all()
    phase = Phase(progress, "references", "tables", len(tables))
    broken: list[str] = []
    for table in tables:
        for row in session.execute(text(f'PRAGMA foreign_key_check("{table}")')).all():
            broken.append(f"Broken reference in table {row[0]} row {row[1]} -> {row[2]}")
        phase.add()
    phase.finish()
    report.problems += broken[:20]


def _label(inv: Any) -> str:
    kind = "credit note" if inv.doc_type == "credit_note" else "invoice"
    return f"{kind} {inv.number or '#' + str(inv.id)}"


def _chain(session: Session, report: Report, progress: Progress | None) -> None:
    """The links follow each other and each hash is what its link's parts give (the documents' contents are
    checked against their links as they are read, in DocumentChecks)."""
    phase = Phase(progress, "hash chain", "links", session.scalar(select(func.count()).select_from(ChainLink)) or 0)
    prev = GENESIS
    count = 0
    last_seq = 0
    stmt = select(ChainLink.seq, ChainLink.prev_hash, ChainLink.content_sha256, ChainLink.pdf_sha256, ChainLink.hash)
    for seq, prev_hash, content, pdf, hash_ in session.execute(stmt.order_by(ChainLink.seq)).yield_per(BATCH):
        count += 1
        if seq != last_seq + 1:
            report.problems.append(f"Hash chain: link {last_seq + 1} is missing (next is {seq}).")
        last_seq = seq
        if prev_hash != prev:
            report.problems.append(f"Hash chain: link {seq} does not follow link {seq - 1}.")
        if hash_ != link_hash(prev_hash, content, pdf):
            report.problems.append(f"Hash chain: link {seq} has a wrong hash.")
        prev = hash_
        phase.add()
    phase.finish()
    report.checked["chain links"] = count


def _numbering(session: Session, report: Report, phase: Phase) -> None:
    seqs: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    rows = session.execute(
        select(Invoice.doc_type, Invoice.counter_year, Invoice.counter_scope, Invoice.number_seq, Invoice.number)
        .where(Invoice.number.is_not(None))
    ).yield_per(BATCH)
    for doc_type, year, scope, seq, number in rows:
        if seq is None:
            report.problems.append(f"{number} has no sequence number recorded.")
            continue
        seqs[(doc_type, year or 0, scope or "")].append(seq)
        phase.add()
    # quotes take numbers from their own series ("quote") the same gapless way (services.quotes.send_quote)
    for year, scope, seq, number in session.execute(
        select(Quote.counter_year, Quote.counter_scope, Quote.number_seq, Quote.number).where(Quote.number.is_not(None))
    ):
        if seq is None:
            report.problems.append(f"{number} has no sequence number recorded.")
            continue
        seqs[("quote", year or 0, scope or "")].append(seq)
        phase.add()
    counters = {(c.series, c.year, c.scope): c.last_seq for c in session.scalars(select(NumberCounter))}
    for key in sorted(set(seqs) | set(counters)):
        got = sorted(seqs.get(key, []))
        expected = list(range(1, counters.get(key, 0) + 1))
        series, year, scope = key
        where = f"series {series}" + (f" {year}" if year else "") + (f" (customer {scope})" if scope else "")
        if got != expected:
            missing = sorted(set(expected) - set(got))
            dupes = sorted({n for n in got if got.count(n) > 1})
            extra = sorted(set(got) - set(expected))
            detail = []
            if missing:
                detail.append(f"missing {_short(missing)}")
            if dupes:
                detail.append(f"repeated {_short(dupes)}")
            if extra:
                detail.append(f"beyond the counter {_short(extra)}")
            report.problems.append(f"Numbering gap in {where}: " + "; ".join(detail) + ".")
    report.checked["number series"] = len(set(seqs) | set(counters))
    phase.finish()


def _short(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def _deducted(session: Session) -> dict[int, dict[TaxKey, tuple[int, int]]]:
    """Per final invoice, the basis and VAT per rate of the advance invoices it deducts (as they stated them, less
    their credit notes)."""
    links: dict[int, list[int]] = defaultdict(list)
    for final_id, deducted_id in session.execute(select(InvoiceDeduction.invoice_id, InvoiceDeduction.deducted_id)):
        links[final_id].append(deducted_id)
    return {final_id: deducted_taxes(session, [session.get_one(Invoice, i) for i in ids])
            for final_id, ids in links.items()}


class _Document(SimpleNamespace):
    """A document (or one of its lines) read as plain data: its columns as attributes, with the amounts the model
    derives from them by the model's own rules (reading documents as ORM objects was most of verify's time)."""

    payable: Any = property(Invoice.__dict__["payable"].fget)
    company_payable: Any = Invoice.company_payable
    amount_due: Any = Invoice.amount_due


def _plain(session: Session, stmt: Select[Any], **more: Any) -> list[_Document]:
    """The rows of ``stmt`` as plain objects (one fetch; a row mapping per row cost more than the row)."""
    result = session.execute(stmt)
    keys = tuple(result.keys())
    found = []
    for row in result.all():
        item = _Document()
        item.__dict__.update(zip(keys, row, strict=True), **{name: list(value) for name, value in more.items()})
        found.append(item)
    return found


def _batches(session: Session, between: tuple[int, int] | None) -> Iterator[list[_Document]]:
    """Every document (with its id in ``between``) in the order of its id, BATCH at a time, each with its lines (and
    their allowances and charges), adjustments and VAT breakdown in the order the model's relationships give them."""
    invoices, lines, allowances = Invoice.__table__, InvoiceLine.__table__, InvoiceLineAllowance.__table__
    adjustments, taxes = InvoiceAdjustment.__table__, InvoiceTax.__table__
    after, until = (between[0] - 1, between[1]) if between else (0, None)
    while True:
        stmt = select(invoices).where(invoices.c.id > after)
        if until is not None:
            stmt = stmt.where(invoices.c.id <= until)
        docs = _plain(session, stmt.order_by(invoices.c.id).limit(BATCH), lines=(), adjustments=(), taxes=())
        if not docs:
            return
        first, after = docs[0].id, docs[-1].id
        by_id = {doc.id: doc for doc in docs}
        by_line: dict[int, _Document] = {}
        for line in _plain(session, select(lines).where(lines.c.invoice_id.between(first, after))
                           .order_by(lines.c.invoice_id, lines.c.position, lines.c.id), allowances=()):
            by_line[line.id] = line
            by_id[line.invoice_id].lines.append(line)
        for charge in _plain(session, select(allowances).join(lines, lines.c.id == allowances.c.line_id)
                             .where(lines.c.invoice_id.between(first, after))
                             .order_by(allowances.c.line_id, allowances.c.position, allowances.c.id)):
            by_line[charge.line_id].allowances.append(charge)
        for table, kept, order in ((adjustments, "adjustments", adjustments.c.position),
                                   (taxes, "taxes", taxes.c.category)):
            for part in _plain(session, select(table).where(table.c.invoice_id.between(first, after))
                               .order_by(table.c.invoice_id, order, table.c.id)):
                getattr(by_id[part.invoice_id], kept).append(part)
        yield docs


class DocumentChecks:
    """Each document against its chain link (content and PDF hashes) and its stored totals against a fresh
    computation from its lines; statuses agree with the amounts."""

    def __init__(self, session: Session) -> None:
        # documents issued before their currency's minor unit changed are checked in the unit they were issued in
        self.session, self.issued = session, places_as_issued(session)
        self.booked: dict[int, tuple[int, int]] = {}
        self.deducted = _deducted(session)
        self.found = Found()
        self.altered, self.problems = self.found.altered, self.found.problems

    def between(self, between: tuple[int, int] | None, read: Callable[[int], None]) -> Found:
        """Check the documents with ids in ``between`` (None: all); ``read(count)`` after each batch of them."""
        self.found = Found()
        self.altered, self.problems = self.found.altered, self.found.problems
        for batch in _batches(self.session, between):
            self.check(batch)
            read(len(batch))
        return self.found

    def check(self, docs: list[_Document]) -> None:
        first, last = docs[0].id, docs[-1].id
        # the journal's receivables of the batch's invoices alone: the whole journal at once took a minute before
        # the first document at a million invoices, and its memory
        self.booked = receivables_by_invoice(self.session, (first, last))
        chained = {invoice_id: (content, pdf) for invoice_id, content, pdf in self.session.execute(
            select(ChainLink.invoice_id, ChainLink.content_sha256, ChainLink.pdf_sha256)
            .where(ChainLink.invoice_id.between(first, last)))}
        # one grouped query per table and batch: the credit notes' totals and what they applied, the payments'
        # applied amounts and those of the prepaid amount's settlement
        credits, applied = _sums_of(self.session, Invoice.corrects_id, (Invoice.total, Invoice.applied_to_due),
                                    Invoice.doc_type == "credit_note", Invoice.corrects_id.between(first, last))
        paid, prepaid = _sums_of(self.session, Payment.invoice_id,
                                 (Payment.applied, case((Payment.prepaid, Payment.amount), else_=0)),
                                 Payment.invoice_id.between(first, last))
        for doc in docs:
            if doc.status != "draft":
                self.found.finalized += 1
                self._chained(doc, chained.get(doc.id))
            self.found.read += 1
            self._totals(doc, credits, applied, paid, prepaid)

    def _chained(self, inv: _Document, expected: tuple[str, str | None] | None) -> None:
        if expected is None:
            self.altered.append(f"{_label(inv)} is finalized but not in the hash chain.")
            return
        if content_sha256(cast(Invoice, inv), self.issued.get(inv.id)) != expected[0]:
            self.altered.append(f"{_label(inv)} was altered after it was finalized (content hash differs).")
        if expected[1] is not None and inv.pdf_sha256 != expected[1]:
            self.altered.append(f"{_label(inv)}: its PDF hash differs from the one chained at finalize.")

    def _totals(self, inv: _Document, credits: dict[int, int], applied: dict[int, int], paid: dict[int, int],
                prepaid: dict[int, int]) -> None:
        report, label, issued = self.problems, _label(inv), self.issued
        if inv.status not in statuses(inv.doc_type):
            report.append(f"{label} has the status '{inv.status}', which its kind of document never has.")
        try:
            # a credit note states its share of the invoice's VAT (within the tolerance totals_of checks)
            stated = ({TaxKey(t.category, t.rate): t.amount for t in inv.taxes}
                      if inv.doc_type == "credit_note" else None)
            round_to = issued.get(rounded_like(cast(Invoice, inv)), {}).get(inv.currency)
            totals = totals_of(inv.lines, inv.adjustments, inv.currency, inv.tax_rounding, stated, round_to=round_to)
            if inv.id in self.deducted and inv.tax_rounding == "document":
                # a final invoice: the whole work's VAT less what its advance invoices stated, per rate
                stated = final_taxes({TaxKey(t.category, t.rate): t.basis for t in totals.taxes},
                                     self.deducted[inv.id], inv.currency)
                totals = totals_of(inv.lines, inv.adjustments, inv.currency, inv.tax_rounding, stated,
                                   round_to=round_to)
        except InvoicerError as exc:
            report.append(f"{label}: its lines cannot be computed ({exc}).")
            return
        stored = (inv.subtotal, inv.allowance_total, inv.charge_total, inv.tax_total, inv.total)
        fresh = (totals.subtotal, totals.allowance_total, totals.charge_total, totals.tax_total, totals.total)
        if stored != fresh:
            report.append(f"{label}: stored totals {stored} differ from its lines {fresh}.")
        if [(t.category, t.rate, t.basis, t.amount) for t in inv.taxes] != [
            (t.category, t.rate, t.basis, t.amount) for t in totals.taxes
        ]:
            report.append(f"{label}: the VAT breakdown does not match its lines.")
        if [x.net for x in inv.lines] != [x.net for x in totals.lines]:
            report.append(f"{label}: a line net amount does not match quantity x price.")
        if inv.doc_type == "invoice":
            if inv.paid != paid.get(inv.id, 0):
                report.append(f"{label}: paid {inv.paid} but its payments add up to {paid.get(inv.id, 0)}.")
            if inv.credited != applied.get(inv.id, 0):
                report.append(f"{label}: credited amount does not match its credit notes.")
            if credits.get(inv.id, 0) > inv.total:
                report.append(f"{label}: credit notes exceed the invoice total.")
            due = inv.amount_due
            if inv.status == "paid" and due != 0:
                report.append(f"{label} is marked paid but {due} is still due.")
            if inv.status == "open" and due == 0:
                report.append(f"{label} is open but nothing is due.")
            if inv.status == "void" and (inv.paid or inv.credited):
                report.append(f"{label} is void but has payments or credits.")
            if inv.status != "draft" and inv.number is None:
                report.append(f"{label} is finalized without a number.")
            _prepaid_agrees(inv, label, prepaid.get(inv.id, 0), report)
            if inv.status != "draft":
                _receivable_agrees(inv, self.booked.get(inv.id, (0, 0)), report, issued.get(inv.id, {}))
        elif inv.applied_to_due + inv.to_customer_credit + inv.refunded != inv.payable:
            report.append(f"{label}: its settlement does not add up to its total.")


def _prepaid_agrees(inv: Any, label: str, settled: int, problems: list[str]) -> None:
    """The prepaid amount (BT-113) the invoice states is within what it asks, and was paid once, by the payment
    recorded as it was finalized (``settled``: the payments marked so; none on a draft)."""
    if not 0 <= inv.prepaid <= max(inv.payable, 0):
        problems.append(f"{label}: its prepaid amount {inv.prepaid} is outside 0 to its total {inv.payable}.")
    expected = 0 if inv.status == "draft" else inv.prepaid
    if settled != expected:
        problems.append(f"{label}: it states {expected} prepaid but the payments recorded for it as it was "
                        f"finalized come to {settled}.")


def _receivable_agrees(inv: Any, booked: tuple[int, int], problems: list[str], issued: dict[str, int]) -> None:
    """The journal's receivables for the invoice equal what the invoice says is still owed on the books.

    In another currency than the company's the books carry what is owed at the locked rate (the stored company
    total while nothing is settled): each settlement's rounding went to exchange gain or loss. Only an invoice
    booked in another unit than today's (``issued``: a whole forint for one finalized before forints were counted
    in fillér, 0010) may be off by one such unit per posting.
    """
    balance, postings = booked
    owed = receivable(inv.doc_type, inv.status, inv.amount_due)
    company = inv.company_currency or inv.currency
    expected = owed_in_company_currency(owed, inv.payable, inv.company_payable, inv.currency, company,
                                        inv.exchange_rate or Decimal(1))
    unit = 10 ** (exponent(company) - issued[company]) if company in issued else 1
    slack = 0 if company == inv.currency or unit == 1 else postings * unit
    if abs(balance - expected) > slack:
        problems.append(
            f"{_label(inv)}: the journal's receivables are {from_minor(balance, company)} {company} but "
            f"{from_minor(expected, company)} {company} is owed ({status_word(inv.status)}, amount due "
            f"{from_minor(inv.amount_due, inv.currency)} {inv.currency})."
        )


def _payments_and_credit(session: Session, report: Report, phase: Phase) -> None:
    for customer_id, currency, balance in session.execute(
        select(CreditEntry.customer_id, CreditEntry.currency, func.sum(CreditEntry.amount))
        .group_by(CreditEntry.customer_id, CreditEntry.currency)
    ):
        if balance < 0:
            report.problems.append(f"Customer {customer_id} has a negative {currency} credit balance ({balance}).")
    overpaid = _sums(session, CreditEntry.payment_id, CreditEntry.amount, CreditEntry.kind == "overpayment")
    n = 0
    # plain rows, streamed: every payment as an ORM object, all at once, took 1.6 GB at 1,000,000 invoices
    for payment_id, applied, excess, amount in session.execute(
            select(Payment.id, Payment.applied, Payment.excess, Payment.amount).where(Payment.kind == "payment")
    ).yield_per(BATCH):
        n += 1
        phase.add()
        if applied + excess != amount:
            report.problems.append(f"Payment {payment_id}: applied + excess differ from its amount.")
        if excess and int(overpaid.get(payment_id) or 0) != excess:
            report.problems.append(f"Payment {payment_id}: its overpayment is not in the customer's credit.")
    from_notes = _sums(session, CreditEntry.invoice_id, CreditEntry.amount, CreditEntry.kind == "credit_note")
    for note_id, number, to_credit in session.execute(
        select(Invoice.id, Invoice.number, Invoice.to_customer_credit).where(Invoice.doc_type == "credit_note")
    ):
        if int(from_notes.get(note_id) or 0) != to_credit:
            report.problems.append(f"Credit note {number}: the customer credit it gave is not in the credit ledger.")
    report.checked["payments"] = n
    phase.finish()


def _sums(session: Session, key: Any, value: Any, *where: Any) -> dict[int, int]:
    """``{key: sum(value)}`` over the rows matching ``where``, in one grouped query."""
    return _sums_of(session, key, (value,), *where)[0]


def _sums_of(session: Session, key: Any, values: tuple[Any, ...], *where: Any) -> list[dict[int, int]]:
    """``{key: sum(value)}`` for each of ``values`` over the rows matching ``where``, in one grouped query."""
    found: list[dict[int, int]] = [{} for _ in values]
    for k, *sums in session.execute(select(key, *(func.sum(v) for v in values)).where(*where).group_by(key)):
        for kept, total in zip(found, sums, strict=True):
            kept[k] = int(total or 0)
    return found


def _pdfs(session: Session, folder: Path, report: Report, progress: Progress | None) -> None:
    try:
        from invoicer.services.documents import check_pdfs
    except ImportError:
        return
    phase = Phase(progress, "stored PDFs", "PDFs",
                  session.scalar(select(func.count(Invoice.pdf_sha256))) or 0)
    problems = check_pdfs(session, folder, phase.add)
    phase.finish()
    report.problems += problems
