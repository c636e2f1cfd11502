"""Paths through the lifecycle that must keep the books right: write-off, recovery and its reversal; what
verify checks of the journal; credit notes' own statuses; the guards services take from core.workflow."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from invoicer.core.errors import TransitionError, ValidationError
from invoicer.core.workflow import Action
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent, Invoice
from invoicer.services import actions, credit_notes, demo, integrity, invoices, payments, settings
from invoicer.services.ledger import Accounts, build_ledger, receivables_by_invoice

from .helpers import make_open

TOTAL = 47703  # three_lines(): 403.89 net + 73.14 VAT
TAX = 7314


def verify(db: Database) -> integrity.Report:
    with transaction(db.readonly_sessions) as s:
        return integrity.verify(s)


def books(db: Database, invoice_id: int) -> tuple[str, int]:
    """The invoice's status and the journal's receivables balance for it."""
    with transaction(db.readonly_sessions) as s:
        return invoices.get_invoice(s, invoice_id).status, receivables_by_invoice(s).get(invoice_id, (0, 0))[0]


def written_off_and_recovered(db: Database, customer_id: int) -> tuple[int, int]:
    """An invoice written off, then paid in full by a recovery payment: (invoice id, payment id)."""
    inv = make_open(db, customer_id)
    with transaction(db.sessions) as s:
        invoices.mark_uncollectible(s, inv, "insolvent")
        payment = payments.record_payment(s, inv, TOTAL)
    return inv, payment


def test_reversing_a_recovery_returns_the_invoice_to_uncollectible(seller: Database, customer_id: int) -> None:
    inv, payment = written_off_and_recovered(seller, customer_id)
    assert books(seller, inv) == ("paid", 0)
    with transaction(seller.sessions) as s:
        payments.reverse_payment(s, payment, "bounced")
    assert books(seller, inv) == ("uncollectible", 0)  # the bad debt stays written off
    with transaction(seller.sessions) as s:
        with pytest.raises(TransitionError):
            invoices.void_invoice(s, inv)
        with pytest.raises(ValidationError, match="Only an open or paid invoice can be credited"):
            credit_notes.issue_credit_note(s, inv, full=True)
    assert verify(seller).ok, verify(seller).summary()


def test_a_second_recovery_after_the_reversal_is_again_a_recovery(seller: Database, customer_id: int) -> None:
    inv, payment = written_off_and_recovered(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.reverse_payment(s, payment, "bounced")
        payments.record_payment(s, inv, TOTAL)
    with transaction(seller.sessions) as s:
        accounts = Accounts.load(s)
        bad_debt = _balance(s, accounts.bad_debt)
    assert books(seller, inv) == ("paid", 0)
    assert bad_debt == 0  # written off, recovered, reversed, recovered again: nothing lost in the end
    assert verify(seller).ok, verify(seller).summary()


def _balance(session: Session, account: str) -> int:
    """An account's balance over the whole journal, as the ledger export writes it."""
    journal = next(table for table in build_ledger(session).tables if table.name == "journal")
    return sum(int(row[5] or 0) - int(row[6] or 0) for row in journal.rows() if row[4] == account)


def test_verify_finds_journal_receivables_that_differ_from_the_amount_due(seller: Database, customer_id: int) -> None:
    # what the old reversal did: a written-off invoice back to open, then voided; the write-off stays booked
    inv, payment = written_off_and_recovered(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.reverse_payment(s, payment)
        s.execute(text("UPDATE invoices SET status = 'open' WHERE id = :id"), {"id": inv})
    report = verify(seller)
    assert any("journal's receivables are 0.00 EUR but 477.03 EUR is owed" in p for p in report.problems), report.problems
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, inv)
    assert books(seller, inv) == ("void", -TOTAL)
    report = verify(seller)
    assert any("journal's receivables are -477.03 EUR but 0.00 EUR is owed (void" in p for p in report.problems)


def test_verify_accepts_the_receivables_of_every_ordinary_path(seller: Database, customer_id: int) -> None:
    paid, partly, credited, written_off = (make_open(seller, customer_id) for _ in range(4))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, paid, TOTAL + 500)  # overpaid: the excess is customer credit
        payments.record_payment(s, partly, 10000)
        credit_notes.issue_credit_note(s, credited, amount=20000)
        payments.apply_credit(s, credited)
        invoices.mark_uncollectible(s, written_off)
        payments.record_payment(s, written_off, 5000)  # a partial recovery
    with transaction(seller.sessions) as s:
        booked = receivables_by_invoice(s)
    assert booked[paid][0] == 0 and booked[partly][0] == TOTAL - 10000 and booked[written_off][0] == 0
    with transaction(seller.sessions) as s:  # a range of invoices alone (as verify reads them): the same
        assert all(receivables_by_invoice(s, (i, i)).get(i) == booked[i] for i in (paid, partly, credited, written_off))
    assert verify(seller).ok, verify(seller).summary()


def test_verify_knows_which_statuses_each_kind_of_document_has(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        note = credit_notes.issue_credit_note(s, inv, amount=1000).credit_note_id
        assert invoices.get_invoice(s, note, "credit_note").status == "issued"
    assert verify(seller).ok
    with transaction(seller.sessions) as s:
        s.execute(text("UPDATE invoices SET status = 'open' WHERE id = :id"), {"id": note})
        s.execute(text("UPDATE invoices SET status = 'issued' WHERE id = :id"), {"id": inv})
    problems = verify(seller).problems
    assert any("has the status 'open', which its kind of document never has" in p for p in problems)
    assert any("has the status 'issued', which its kind of document never has" in p for p in problems)


def test_services_refuse_with_the_workflow_reason(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError, match="no credit in EUR"):
            payments.apply_credit(s, inv)
        note = credit_notes.issue_credit_note(s, inv, amount=1000).credit_note_id
        document = invoices.get_invoice(s, note, "credit_note")
        with pytest.raises(TransitionError, match="not possible on a credit note"):
            actions.require(s, document, Action.VOID)
        state = actions.document_state(s, invoices.get_invoice(s, inv))
    assert (state.status, state.credited, state.credit_notes_total, state.amount_due) == ("open", 1000, 1000, TOTAL - 1000)


def test_demo_data_is_numbered_by_the_number_formats_and_verifies(db: Database) -> None:
    # demo documents are frozen by the same freeze_document as finalize, so they follow the settings too
    with transaction(db.sessions) as s:
        settings.put(s, "numbering.invoice", "R{seq:04}/{year}")
        settings.put(s, "numbering.credit_note", "G-{customer}-{seq}")
    made = demo.generate(db, invoices=150, seed=2, today=date(2026, 11, 20))
    assert made["credit_notes"] > 0
    with transaction(db.readonly_sessions) as s:
        numbers = s.execute(select(Invoice.doc_type, Invoice.number, Invoice.customer_id, Invoice.issue_date)
                            .where(Invoice.number.is_not(None))).all()
        history = s.scalars(select(AuditEvent.after_status).where(AuditEvent.action == "issue")).all()
    assert all(re.fullmatch(rf"R\d{{4}}/{day.year}", number) for kind, number, _c, day in numbers if kind == "invoice")
    assert all(re.fullmatch(rf"G-{customer}-\d+", number) for kind, number, customer, _d in numbers
               if kind == "credit_note")
    assert set(history) == {"issued"}
    assert verify(db).ok, verify(db).summary()


def test_a_payment_from_before_the_write_off_reversed_afterwards_adds_to_the_bad_debt(
    seller: Database, customer_id: int
) -> None:
    # found by the state machine: 0.01 paid, written off, the rest recovered, then both payments reversed
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        early = payments.record_payment(s, inv, 1)
        invoices.mark_uncollectible(s, inv)
        recovery = payments.record_payment(s, inv, TOTAL - 1)
        payments.reverse_payment(s, recovery)
        payments.reverse_payment(s, early)
    assert books(seller, inv) == ("uncollectible", 0)
    with transaction(seller.sessions) as s:
        accounts = Accounts.load(s)
        # all of it is written off in the end: the net amount as bad debt, the VAT taken back from VAT payable
        assert (_balance(s, accounts.bad_debt), _balance(s, accounts.tax_payable)) == (TOTAL - TAX, 0)
    assert verify(seller).ok, verify(seller).summary()


def test_a_write_off_reduces_output_vat_and_a_recovery_restores_its_share(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv)
    with transaction(seller.sessions) as s:
        accounts = Accounts.load(s)
        # debit bad debt net, debit VAT payable the tax part, credit receivables gross: no VAT owed any more
        assert (_balance(s, accounts.bad_debt), _balance(s, accounts.tax_payable)) == (TOTAL - TAX, 0)
        payments.record_payment(s, inv, 11900)  # a partial recovery: its VAT share (18.25) is owed again
    with transaction(seller.sessions) as s:
        assert (_balance(s, accounts.bad_debt), _balance(s, accounts.tax_payable)) == (TOTAL - TAX - 10075, -1825)
        assert _balance(s, accounts.receivables) == 0
    assert verify(seller).ok, verify(seller).summary()


def test_the_vat_correction_of_a_write_off_is_a_setting(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        settings.put(s, "ledger.writeoff_corrects_vat", "false")
        invoices.mark_uncollectible(s, inv)
    with transaction(seller.sessions) as s:
        accounts = Accounts.load(s)
        assert (_balance(s, accounts.bad_debt), _balance(s, accounts.tax_payable)) == (TOTAL, -TAX)
    assert verify(seller).ok, verify(seller).summary()


def test_a_write_off_is_not_dated_before_money_already_booked(seller: Database, customer_id: int) -> None:
    """Recovery or not is decided by dates: a payment of 12 November typed before a write-off dated
    10 November would be booked as an ordinary payment and the write-off as what was left, so that on
    11 November the books showed money owed that was already written off."""
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 5000, date(2026, 11, 12))
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError, match=r"has a payment or credit note dated 2026-11-12; it cannot be "
                                                  r"written off earlier \(2026-11-10\)"):
            invoices.mark_uncollectible(s, inv, "insolvent", date(2026, 11, 10))
        invoices.mark_uncollectible(s, inv, "insolvent", date(2026, 11, 12))
    assert books(seller, inv) == ("uncollectible", 0)
    assert verify(seller).ok, verify(seller).summary()


def test_a_payment_typed_after_the_write_off_but_dated_before_it_is_refused(seller: Database, customer_id: int) -> None:
    """The other order of typing: the write-off of 10 November is entered first, then money received on
    8 November. Booked as it was typed it would be a recovery of money that arrived before the write-off."""
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv, "insolvent", date(2026, 11, 10))
    refusal = r"was written off on 2026-11-10; money for it cannot be dated earlier \(2026-11-08\)"
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=refusal):
        payments.record_payment(s, inv, 5000, date(2026, 11, 8))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, inv, 5000, date(2026, 11, 10))  # the same day: a recovery
    assert books(seller, inv) == ("uncollectible", 0)
    assert verify(seller).ok, verify(seller).summary()


def test_a_credit_note_after_a_recovery_is_not_dated_before_the_write_off(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv, "insolvent", date(2026, 11, 10))
        payments.record_payment(s, inv, TOTAL, date(2026, 11, 12))  # recovered: paid
    refusal = r"written off on 2026-11-10; a credit note for it cannot be dated earlier \(2026-11-09\)"
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=refusal):
        credit_notes.issue_credit_note(s, inv, amount=1000, issue_date=date(2026, 11, 9))


def test_a_reversal_before_its_payment_names_the_payment(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        payment = payments.record_payment(s, inv, 5000, date(2026, 11, 12))
    refusal = r"^The date 2026-11-11 is before the payment it reverses \(2026-11-12\)\.$"
    with transaction(seller.sessions) as s, pytest.raises(ValidationError, match=refusal):
        payments.reverse_payment(s, payment, "bounced", date(2026, 11, 11))


def _vat_of_the_period(db: Database, start: date, end: date) -> tuple[int, int, int, dict[tuple[str, str], int]]:
    """Output VAT of [start, end] in the company currency three ways: the VAT report (Reports page and `invoicer
    report`), the ledger's Tax summary sheet and the movement of the journal's VAT account; and the report per
    rate."""
    from invoicer.services import reports

    with transaction(db.readonly_sessions) as s:
        vat = reports.vat_summary(s, start, end)
        book = build_ledger(s, start, end, today=date(2026, 12, 5))
        account = Accounts.load(s).tax_payable
        sheets = {table.name: [tuple(row) for row in table.rows()] for table in book.tables}
    journal = sum(int(row[6] or 0) - int(row[5] or 0) for row in sheets["journal"] if row[4] == account)
    summary = sum(int(row[11]) for row in sheets["tax_summary"])  # type: ignore[call-overload]
    return sum(r.tax for r in vat), summary, journal, {(r.category, str(r.rate)): r.tax for r in vat}


def test_the_vat_report_takes_the_write_off_out_of_output_vat_and_a_recovery_puts_its_share_back(
    seller: Database, customer_id: int
) -> None:
    """Issued in October, written off in November, 119.00 recovered in December: the VAT report showed 73.14 owed
    for October and nothing for November and December, while the journal took it back in November."""
    inv = make_open(seller, customer_id, date(2026, 10, 5))
    with transaction(seller.sessions) as s:
        invoices.mark_uncollectible(s, inv, "insolvent", date(2026, 11, 10))
        payments.record_payment(s, inv, 11900, date(2026, 12, 2))
    october, november, december = ((date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 30)),
                                   (date(2026, 12, 1), date(2026, 12, 5)))
    reported, summary, journal, by_rate = _vat_of_the_period(seller, *october)
    assert reported == summary == journal == TAX
    reported, summary, journal, by_rate = _vat_of_the_period(seller, *november)
    assert reported == summary == journal == -TAX
    assert by_rate == {("S", "7"): -210, ("S", "19"): -(TAX - 210)}  # as invoiced per rate: 2.10 and 71.04
    reported, summary, journal, _by_rate = _vat_of_the_period(seller, *december)
    assert reported == summary == journal == 1825  # 119.00 of 477.03 recovered: its VAT share
    reported, summary, journal, _by_rate = _vat_of_the_period(seller, date(2026, 10, 1), date(2026, 12, 5))
    assert reported == summary == journal == 1825
    with transaction(seller.sessions) as s:
        settings.put(s, "ledger.writeoff_corrects_vat", "false")
    assert _vat_of_the_period(seller, *november)[:3] == (0, 0, 0)  # the setting: output VAT stays owed
