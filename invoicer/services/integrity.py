"""``invoicer verify``: database integrity, the hash chain, gapless numbering and balances that add up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from invoicer.core.errors import InvoicerError
from invoicer.core.money import exponent, from_minor
from invoicer.core.totals import TaxKey, final_taxes, owed_in_company_currency, totals_of
from invoicer.core.workflow import receivable, status_word, statuses
from invoicer.db.models import (
    ChainLink,
    CreditEntry,
    Invoice,
    InvoiceDeduction,
    InvoiceLine,
    NumberCounter,
    Payment,
    Quote,
)
from invoicer.documents.tables import Progress
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


class _Steps:
    """How far verify is, in documents read: every document for its totals, and a finalized one before that
    for its chain link."""

    def __init__(self, session: Session, progress: Progress | None) -> None:
        self.progress = progress
        self.total = 0
        if progress is not None:
            every = session.scalar(select(func.count()).select_from(Invoice)) or 0
            drafts = session.scalar(select(func.count()).where(Invoice.status == "draft")) or 0
            self.total = 2 * every - drafts
        self.done = 0

    def read(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % BATCH == 0:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None and self.done % BATCH:  # the last, partial batch
            self.progress(self.done, self.total)


#: a document with everything its content and totals are made of, read per batch (the lines' allowances too: loaded
#: one line at a time they were most of verify's time)
WHOLE_DOCUMENT = (selectinload(Invoice.lines).selectinload(InvoiceLine.allowances), selectinload(Invoice.adjustments),
                  selectinload(Invoice.taxes))


def verify(session: Session, folder: Path | None = None, progress: Progress | None = None) -> Report:
    """Check everything; ``progress(done, total)`` is told how many documents have been read so far (at a
    million invoices verify takes minutes)."""
    report = Report()
    steps = _Steps(session, progress)
    _sqlite(session, report)
    # documents issued before their currency's minor unit changed are checked in the unit they were issued in
    issued = places_as_issued(session)
    _chain(session, report, issued, steps)
    _numbering(session, report)
    _documents(session, report, issued, steps)
    _payments_and_credit(session, report)
    if folder is not None:
        _pdfs(session, folder, report)
    steps.finish()
    return report


def _sqlite(session: Session, report: Report) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return  # a server checks its own pages; references are enforced there at every statement
    result = session.execute(text("PRAGMA integrity_check")).scalars().all()
    if result != ["ok"]:
        report.problems += [f"SQLite integrity: {r}" for r in result[:20]]
    for row in session.execute(text("PRAGMA foreign_key_check")).all()[:20]:
        report.problems.append(f"Broken reference in table {row[0]} row {row[1]} -> {row[2]}")


def _label(inv: Invoice) -> str:
    kind = "credit note" if inv.doc_type == "credit_note" else "invoice"
    return f"{kind} {inv.number or '#' + str(inv.id)}"


def _chain(session: Session, report: Report, issued: dict[int, dict[str, int]], steps: _Steps) -> None:
    prev = GENESIS
    linked: set[int] = set()
    count = 0
    last_seq = 0
    stmt = select(ChainLink).order_by(ChainLink.seq)
    for link in session.scalars(stmt).yield_per(BATCH):
        count += 1
        if link.seq != last_seq + 1:
            report.problems.append(f"Hash chain: link {last_seq + 1} is missing (next is {link.seq}).")
        last_seq = link.seq
        if link.prev_hash != prev:
            report.problems.append(f"Hash chain: link {link.seq} does not follow link {link.seq - 1}.")
        if link.hash != link_hash(link.prev_hash, link.content_sha256, link.pdf_sha256):
            report.problems.append(f"Hash chain: link {link.seq} has a wrong hash.")
        prev = link.hash
        linked.add(link.invoice_id)
    # content of every finalized document must still match what was chained
    frozen = (
        select(Invoice)
        .where(Invoice.status != "draft")
        .options(*WHOLE_DOCUMENT)
        .order_by(Invoice.id)
    )
    chained = {
        invoice_id: (content, pdf)
        for invoice_id, content, pdf in session.execute(
            select(ChainLink.invoice_id, ChainLink.content_sha256, ChainLink.pdf_sha256)
        )
    }
    docs = 0
    for inv in session.scalars(frozen).yield_per(BATCH):
        docs += 1
        steps.read()
        expected = chained.get(inv.id)
        if expected is None:
            report.problems.append(f"{_label(inv)} is finalized but not in the hash chain.")
        else:
            if content_sha256(inv, issued.get(inv.id)) != expected[0]:
                report.problems.append(f"{_label(inv)} was altered after it was finalized (content hash differs).")
            if expected[1] is not None and inv.pdf_sha256 != expected[1]:
                report.problems.append(f"{_label(inv)}: its PDF hash differs from the one chained at finalize.")
        session.expunge(inv)
    report.checked["chain links"] = count
    report.checked["finalized documents"] = docs


def _numbering(session: Session, report: Report) -> None:
    seqs: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    rows = session.execute(
        select(Invoice.doc_type, Invoice.counter_year, Invoice.counter_scope, Invoice.number_seq, Invoice.number)
        .where(Invoice.number.is_not(None))
    )
    for doc_type, year, scope, seq, number in rows:
        if seq is None:
            report.problems.append(f"{number} has no sequence number recorded.")
            continue
        seqs[(doc_type, year or 0, scope or "")].append(seq)
    # quotes take numbers from their own series ("quote") the same gapless way (services.quotes.send_quote)
    for year, scope, seq, number in session.execute(
        select(Quote.counter_year, Quote.counter_scope, Quote.number_seq, Quote.number).where(Quote.number.is_not(None))
    ):
        if seq is None:
            report.problems.append(f"{number} has no sequence number recorded.")
            continue
        seqs[("quote", year or 0, scope or "")].append(seq)
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


def _documents(session: Session, report: Report, issued: dict[int, dict[str, int]], steps: _Steps) -> None:
    """Stored totals equal a fresh computation from the lines; statuses agree with the amounts."""
    stmt = (
        select(Invoice)
        .options(*WHOLE_DOCUMENT)
        .order_by(Invoice.id)
    )
    is_note = Invoice.doc_type == "credit_note"
    credits = _sums(session, Invoice.corrects_id, Invoice.total, is_note)
    applied = _sums(session, Invoice.corrects_id, Invoice.applied_to_due, is_note)
    paid = _sums(session, Payment.invoice_id, Payment.applied)
    prepaid = _sums(session, Payment.invoice_id, Payment.amount, Payment.prepaid)
    booked = receivables_by_invoice(session)
    deducted = _deducted(session)
    n = 0
    for inv in session.scalars(stmt).yield_per(BATCH):
        n += 1
        steps.read()
        label = _label(inv)
        if inv.status not in statuses(inv.doc_type):
            report.problems.append(f"{label} has the status '{inv.status}', which its kind of document never has.")
        try:
            # a credit note states its share of the invoice's VAT (within the tolerance totals_of checks)
            stated = ({TaxKey(t.category, t.rate): t.amount for t in inv.taxes}
                      if inv.doc_type == "credit_note" else None)
            round_to = issued.get(rounded_like(inv), {}).get(inv.currency)
            totals = totals_of(inv.lines, inv.adjustments, inv.currency, inv.tax_rounding, stated, round_to=round_to)
            if inv.id in deducted and inv.tax_rounding == "document":
                # a final invoice: the whole work's VAT less what its advance invoices stated, per rate
                stated = final_taxes({TaxKey(t.category, t.rate): t.basis for t in totals.taxes}, deducted[inv.id],
                                     inv.currency)
                totals = totals_of(inv.lines, inv.adjustments, inv.currency, inv.tax_rounding, stated,
                                   round_to=round_to)
        except InvoicerError as exc:
            report.problems.append(f"{label}: its lines cannot be computed ({exc}).")
            session.expunge(inv)
            continue
        stored = (inv.subtotal, inv.allowance_total, inv.charge_total, inv.tax_total, inv.total)
        fresh = (totals.subtotal, totals.allowance_total, totals.charge_total, totals.tax_total, totals.total)
        if stored != fresh:
            report.problems.append(f"{label}: stored totals {stored} differ from its lines {fresh}.")
        if [(t.category, t.rate, t.basis, t.amount) for t in inv.taxes] != [
            (t.category, t.rate, t.basis, t.amount) for t in totals.taxes
        ]:
            report.problems.append(f"{label}: the VAT breakdown does not match its lines.")
        if [x.net for x in inv.lines] != [x.net for x in totals.lines]:
            report.problems.append(f"{label}: a line net amount does not match quantity x price.")
        if inv.doc_type == "invoice":
            if inv.paid != int(paid.get(inv.id) or 0):
                report.problems.append(
                    f"{label}: paid {inv.paid} but its payments add up to {int(paid.get(inv.id) or 0)}."
                )
            if inv.credited != int(applied.get(inv.id) or 0):
                report.problems.append(f"{label}: credited amount does not match its credit notes.")
            if int(credits.get(inv.id) or 0) > inv.total:
                report.problems.append(f"{label}: credit notes exceed the invoice total.")
            due = inv.amount_due
            if inv.status == "paid" and due != 0:
                report.problems.append(f"{label} is marked paid but {due} is still due.")
            if inv.status == "open" and due == 0:
                report.problems.append(f"{label} is open but nothing is due.")
            if inv.status == "void" and (inv.paid or inv.credited):
                report.problems.append(f"{label} is void but has payments or credits.")
            if inv.status != "draft" and inv.number is None:
                report.problems.append(f"{label} is finalized without a number.")
            _prepaid_agrees(inv, label, int(prepaid.get(inv.id) or 0), report)
            if inv.status != "draft":
                _receivable_agrees(inv, booked.get(inv.id, (0, 0)), report, issued.get(inv.id, {}))
        elif inv.applied_to_due + inv.to_customer_credit + inv.refunded != inv.payable:
            report.problems.append(f"{label}: its settlement does not add up to its total.")
        session.expunge(inv)
    report.checked["documents"] = n


def _prepaid_agrees(inv: Invoice, label: str, settled: int, report: Report) -> None:
    """The prepaid amount (BT-113) the invoice states is within what it asks, and was paid once, by the payment
    recorded as it was finalized (``settled``: the payments marked so; none on a draft)."""
    if not 0 <= inv.prepaid <= max(inv.payable, 0):
        report.problems.append(f"{label}: its prepaid amount {inv.prepaid} is outside 0 to its total {inv.payable}.")
    expected = 0 if inv.status == "draft" else inv.prepaid
    if settled != expected:
        report.problems.append(f"{label}: it states {expected} prepaid but the payments recorded for it as it was "
                               f"finalized come to {settled}.")


def _receivable_agrees(inv: Invoice, booked: tuple[int, int], report: Report, issued: dict[str, int]) -> None:
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
        report.problems.append(
            f"{_label(inv)}: the journal's receivables are {from_minor(balance, company)} {company} but "
            f"{from_minor(expected, company)} {company} is owed ({status_word(inv.status)}, amount due "
            f"{from_minor(inv.amount_due, inv.currency)} {inv.currency})."
        )


def _payments_and_credit(session: Session, report: Report) -> None:
    for customer_id, currency, balance in session.execute(
        select(CreditEntry.customer_id, CreditEntry.currency, func.sum(CreditEntry.amount))
        .group_by(CreditEntry.customer_id, CreditEntry.currency)
    ):
        if balance < 0:
            report.problems.append(f"Customer {customer_id} has a negative {currency} credit balance ({balance}).")
    overpaid = _sums(session, CreditEntry.payment_id, CreditEntry.amount, CreditEntry.kind == "overpayment")
    n = 0
    for p in session.scalars(select(Payment).where(Payment.kind == "payment")):
        n += 1
        if p.applied + p.excess != p.amount:
            report.problems.append(f"Payment {p.id}: applied + excess differ from its amount.")
        if p.excess and int(overpaid.get(p.id) or 0) != p.excess:
            report.problems.append(f"Payment {p.id}: its overpayment is not in the customer's credit.")
    from_notes = _sums(session, CreditEntry.invoice_id, CreditEntry.amount, CreditEntry.kind == "credit_note")
    for note_id, number, to_credit in session.execute(
        select(Invoice.id, Invoice.number, Invoice.to_customer_credit).where(Invoice.doc_type == "credit_note")
    ):
        if int(from_notes.get(note_id) or 0) != to_credit:
            report.problems.append(f"Credit note {number}: the customer credit it gave is not in the credit ledger.")
    report.checked["payments"] = n


def _sums(session: Session, key: Any, value: Any, *where: Any) -> dict[int, int]:
    """``{key: sum(value)}`` over the rows matching ``where``, in one grouped query."""
    stmt = select(key, func.sum(value)).where(*where).group_by(key)
    return {k: int(v or 0) for k, v in session.execute(stmt)}


def _pdfs(session: Session, folder: Path, report: Report) -> None:
    try:
        from invoicer.services.documents import check_pdfs
    except ImportError:
        return
    problems = check_pdfs(session, folder)
    report.problems += problems
