"""Property-based: under any sequence of operations, numbering stays gapless, due is never negative,
credits never exceed an invoice (line credits that cover every line give exactly the invoice, also with document
allowances and charges), receivables agree between aged receivables, the customer list and the journal (per invoice:
what it still owes), output VAT agrees between the VAT report, the ledger's Tax summary and the journal's VAT account
(write-offs and recoveries included), every dated action lies between its document's date and today, a past
period's Invoices sheet rebuilt from dated events reads as the stored amounts, and verify finds nothing wrong."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from invoicer.core.errors import InvoicerError
from invoicer.db.engine import transaction
from invoicer.db.migrate import open_database
from invoicer.db.models import AuditEvent, Invoice, InvoiceLine, Payment
from invoicer.services import (
    company,
    credit_notes,
    customers,
    integrity,
    invoices,
    ledger,
    payments,
    rates,
    reports,
)
from invoicer.services.invoices import AdjustmentData, DraftData, LineData

prices = st.sampled_from(["0.01", "9.99", "14.995", "120.00", "1460.50", "0.3333"])
quantities = st.sampled_from(["1", "2", "0.5", "3", "7.25"])
rates_ = st.sampled_from([("S", "19"), ("S", "7"), ("Z", "0")])
#: a document allowance or charge (amount, is_charge) at one of the rates, or none
adjustments = st.lists(st.tuples(st.sampled_from(["0.01", "5.00", "20.00"]), st.booleans(), rates_), max_size=2)
START = date(2026, 1, 1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inv-template")
    db = open_database(folder, daily_backup=False)
    with transaction(db.sessions) as s:
        company.update_company(s, name="Seller", address="Street 1", postcode="1", city="Town", country="DE",
                               vat_id="DE123456788")
        customers.add_customer(s, customers.CustomerData(name="Buyer", country="DE"))
        rates.set_rate(s, "USD", "0.9137", date(2025, 1, 1))  # locked at finalize: receivables in cents off by rounding
        rates.set_rate(s, "USD", "1.0711", date(2026, 2, 1))  # payments after it carry exchange differences
    db.close()
    return folder / "invoicer.sqlite3"


class Billing(RuleBasedStateMachine):
    template: Path

    @initialize()
    def open_db(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        shutil.copy(self.template, self.folder / "invoicer.sqlite3")
        self.db = open_database(self.folder, daily_backup=False)
        self.day = START
        self.ids: list[int] = []

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _try(self, action) -> None:  # type: ignore[no-untyped-def]
        try:
            with transaction(self.db.sessions) as s:
                action(s)
        except InvoicerError:
            pass  # a refused action changes nothing; the invariants below check that

    @rule(lines=st.lists(st.tuples(quantities, prices, rates_), min_size=1, max_size=4),
          currency=st.sampled_from(["EUR", "USD"]), extra=adjustments)
    def draft(self, lines: list[tuple[str, str, tuple[str, str]]], currency: str,
              extra: list[tuple[str, bool, tuple[str, str]]]) -> None:
        data = DraftData(customer_id=1, issue_date=self.day, currency=currency,
                         lines=[LineData("x", q, p, c, r) for q, p, (c, r) in lines],
                         adjustments=[AdjustmentData(a, c, r, is_charge) for a, is_charge, (c, r) in extra])
        self._try(lambda s: self.ids.append(invoices.create_draft(s, data)))

    @rule(pick=st.integers(0, 50))
    def finalize(self, pick: int) -> None:
        if self.ids:
            self._try(lambda s: invoices.finalize_invoice(s, self.ids[pick % len(self.ids)]))

    @rule(pick=st.integers(0, 50))
    def delete(self, pick: int) -> None:
        if self.ids:
            self._try(lambda s: invoices.delete_draft(s, self.ids[pick % len(self.ids)]))

    @rule(pick=st.integers(0, 50), amount=st.integers(1, 300000))
    def pay(self, pick: int, amount: int) -> None:
        if self.ids:
            self._try(lambda s: payments.record_payment(s, self.ids[pick % len(self.ids)], amount, self.day))

    @rule(pick=st.integers(0, 50), amount=st.one_of(st.none(), st.integers(1, 300000)), refund=st.booleans())
    def credit(self, pick: int, amount: int | None, refund: bool) -> None:
        if self.ids:
            target = self.ids[pick % len(self.ids)]
            self._try(lambda s: credit_notes.issue_credit_note(
                s, target, full=amount is None, amount=amount, refund=refund, issue_date=self.day))

    @rule(pick=st.integers(0, 50), line=st.integers(0, 3), quantity=st.sampled_from(["1", "0.5", "0.25", "all"]))
    def credit_lines(self, pick: int, line: int, quantity: str) -> None:
        if not self.ids:
            return
        target = self.ids[pick % len(self.ids)]

        def credit(s) -> None:  # type: ignore[no-untyped-def]
            lines = invoices.get_invoice(s, target).lines
            if lines:
                chosen = lines[line % len(lines)]
                left = chosen.quantity - sum(s.scalars(
                    select(InvoiceLine.quantity).where(InvoiceLine.source_line_id == chosen.id)))
                amount = left if quantity == "all" else min(left, Decimal(quantity))
                credit_notes.issue_credit_note(s, target, lines=[credit_notes.CreditLine(chosen.id, amount)],
                                               issue_date=self.day)

        self._try(credit)

    @rule(pick=st.integers(0, 50))
    def void(self, pick: int) -> None:
        if self.ids:
            self._try(lambda s: invoices.void_invoice(s, self.ids[pick % len(self.ids)], on=self.day))

    @rule(pick=st.integers(0, 50))
    def write_off(self, pick: int) -> None:
        if self.ids:
            self._try(lambda s: invoices.mark_uncollectible(s, self.ids[pick % len(self.ids)], on=self.day))

    @rule(pick=st.integers(0, 50))
    def reverse(self, pick: int) -> None:
        with transaction(self.db.readonly_sessions) as s:
            ids = [p.id for p in payments.list_payments(s) if p.kind != "reversal"]
        if ids:
            self._try(lambda s: payments.reverse_payment(s, ids[pick % len(ids)], on=self.day))

    @rule(pick=st.integers(0, 50))
    def recover_then_reverse(self, pick: int) -> None:
        """Write off, recover everything still due, then reverse that recovery (the path that once reopened
        the invoice and let it be voided with its write-off still booked)."""
        if not self.ids:
            return
        target = self.ids[pick % len(self.ids)]
        self._try(lambda s: invoices.mark_uncollectible(s, target, on=self.day))
        paid: list[int] = []
        self._try(lambda s: paid.append(
            payments.record_payment(s, target, invoices.get_invoice(s, target).amount_due or 1, self.day)))
        if paid:
            self._try(lambda s: payments.reverse_payment(s, paid[0], on=self.day))

    @rule(pick=st.integers(0, 50))
    def apply_credit(self, pick: int) -> None:
        if self.ids:
            self._try(lambda s: payments.apply_credit(s, self.ids[pick % len(self.ids)], on=self.day))

    @rule(pick=st.integers(0, 50), back=st.integers(1, 30))
    def write_off_dated_back(self, pick: int, back: int) -> None:
        """Part of the amount paid today, then a write-off typed dated earlier (not before the invoice): the
        books may only take it in date order."""
        if not self.ids:
            return
        target = self.ids[pick % len(self.ids)]
        self._try(lambda s: payments.record_payment(
            s, target, max(invoices.get_invoice(s, target).amount_due // 2, 1), self.day))

        def write_off(s) -> None:  # type: ignore[no-untyped-def]
            issued = invoices.get_invoice(s, target).issue_date
            invoices.mark_uncollectible(s, target, on=max(issued, self.day - timedelta(days=back)))

        self._try(write_off)

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.day = min(self.day + timedelta(days=days), date.today())

    @invariant()
    def everything_adds_up(self) -> None:
        if not hasattr(self, "db"):
            return
        with transaction(self.db.readonly_sessions) as s:
            report = integrity.verify(s)
            assert report.ok, report.summary()
            for row in invoices.list_invoices(s, invoices.InvoiceFilter()):
                assert row.amount_due >= 0
                assert credit_notes.credited_total(s, row.id) <= row.total
                if row.number is not None and _fully_credited_by_lines(s, row.id):
                    assert credit_notes.credited_total(s, row.id) == row.total
            # one receivable, three views: aged receivables, the customer list and the journal, on the same day
            # (the journal in EUR: aged receivables valued at each invoice's locked rate, to the cent)
            aged = reports.aged_receivables(s, self.day)
            listed = sum(r.balance for r in customers.list_customers(s, as_of=self.day))
            book = ledger.build_ledger(s, date_to=self.day, today=self.day)
            journal = next(t for t in book.tables if t.name == "journal")
            receivable = sum(int(r[5] or 0) - int(r[6] or 0) for r in journal.rows() if r[4] == "1200")
            assert sum(r.total for r in aged if r.currency == "EUR") == listed
            assert sum(r.company_total for r in aged) == receivable
            # output VAT so far, three ways in the company currency (a write-off takes its VAT back, a recovery
            # puts its share back): the VAT report, the Tax summary sheet and the journal's VAT account
            vat_account = ledger.Accounts.load(s).tax_payable
            vat_booked = sum(int(r[6] or 0) - int(r[5] or 0) for r in journal.rows() if r[4] == vat_account)
            summary = next(t for t in book.tables if t.name == "tax_summary")
            assert sum(r.tax for r in reports.vat_summary(s, START, self.day)) == vat_booked
            assert sum(int(r[11]) for r in summary.rows()) == vat_booked  # type: ignore[call-overload]
            _every_action_is_dated_within_its_document(s, self.day)
            # the Invoices sheet of a period that ended before today rebuilds paid, credited, amount due and status
            # from dated events: nothing here is dated after self.day, so it must read as the stored amounts do
            sheet = next(t for t in book.tables if t.name == "invoices")
            later = ledger.build_ledger(s, date_to=self.day, today=self.day + timedelta(days=1))
            assert [tuple(r) for r in next(t for t in later.tables if t.name == "invoices").rows()] == [
                tuple(r) for r in sheet.rows()]
            # the journal balances, and what was written off never opens again (nor is voided)
            assert sum(int(r[5] or 0) for r in journal.rows()) == sum(int(r[6] or 0) for r in journal.rows())
            written_off = set(s.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "write_off")))
            for invoice_id in written_off:
                assert invoices.get_invoice(s, invoice_id).status in ("uncollectible", "paid")
                _write_offs_follow_the_money(s, invoice_id)


def _write_offs_follow_the_money(s, invoice_id: int) -> None:  # type: ignore[no-untyped-def]
    """Dates decide recovery: in the order things were recorded, a write-off is never dated before money
    already booked for the invoice, and money booked after a write-off is never dated before it."""
    latest_money, written = date.min, date.min
    events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "invoice", AuditEvent.entity_id == invoice_id)
                       .order_by(AuditEvent.id))
    for event in events:
        payload = json.loads(event.payload) if isinstance(event.payload, str) else (event.payload or {})
        if event.action == "write_off":
            written = date.fromisoformat(payload["date"])
            assert written >= latest_money, (invoice_id, written, latest_money)
        elif event.action in ("payment", "apply_credit", "reverse_payment"):
            day = s.get(Payment, payload.get("reversal_id") or payload["payment_id"]).paid_on
            assert event.before_status != "uncollectible" or day >= written, (invoice_id, day, written)
            latest_money = max(latest_money, day)


def _every_action_is_dated_within_its_document(s, today: date) -> None:  # type: ignore[no-untyped-def]
    """Payments, reversals and credit notes are dated from their invoice's issue date (a reversal: its payment's
    date) up to today."""
    issued = dict(s.execute(select(Invoice.id, Invoice.issue_date)).all())
    paid_on = dict(s.execute(select(Payment.id, Payment.paid_on)).all())
    for payment in s.scalars(select(Payment)):
        assert issued[payment.invoice_id] <= payment.paid_on <= today, (payment.id, payment.paid_on)
        if payment.reverses_id is not None:
            assert payment.paid_on >= paid_on[payment.reverses_id], payment.id
    for note in s.scalars(select(Invoice).where(Invoice.corrects_id.is_not(None))):
        assert issued[note.corrects_id] <= note.issue_date <= today, (note.id, note.issue_date)


def _fully_credited_by_lines(s, invoice_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Every line's whole quantity credited, and every credit note of the invoice a credit of lines."""
    notes = list(s.scalars(select(Invoice).where(Invoice.corrects_id == invoice_id)))
    if not notes or any(line.source_line_id is None for note in notes for line in note.lines):
        return False
    for line in invoices.get_invoice(s, invoice_id).lines:
        credited = sum(s.scalars(select(InvoiceLine.quantity).where(InvoiceLine.source_line_id == line.id)))
        if credited != line.quantity:
            return False
    return True


def test_invariants_hold_under_any_sequence(template: Path) -> None:
    Billing.template = template
    run = Billing.TestCase
    # derandomized: the same 25 sequences in every run, so CI never meets a new one by chance; a longer search
    # (more examples, random) is the job of a dedicated run: INVOICER_INVARIANT_EXAMPLES=500 pytest -k invariants
    examples = int(os.environ.get("INVOICER_INVARIANT_EXAMPLES", "25"))
    run.settings = settings(max_examples=examples, stateful_step_count=25, deadline=None,
                            derandomize=examples <= 25, suppress_health_check=[HealthCheck.too_slow])
    run().runTest()
