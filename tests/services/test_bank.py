"""Bank reconciliation: statements in each format imported once, matches proposed with reasons, confirmed as
payments with the bank's reference and value date, the queue of what is left."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from invoicer.core.bank_match import Allocation
from invoicer.core.errors import ConflictError, InvoicerError, ValidationError
from invoicer.core.payment_reference import qr_reference, rf_reference
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import BankEntry
from invoicer.services import bank, customers, integrity, invoices, ledger, payments
from invoicer.services.actions import customer_credit
from invoicer.services.invoices import LineData
from tests.documents.bank_samples import Tx, camt053, camt054, csv_export, mt940

from .helpers import make_open

TOTAL = Decimal("477.03")  # three_lines()
BETA_IBAN = "CH9300762011623852957"


def beta(db: Database) -> int:
    with transaction(db.sessions) as s:
        return customers.add_customer(s, customers.CustomerData(
            name="Beta Trading AG", country="DE", iban=BETA_IBAN, locale="de_DE", terms_days=14))


def one_line(amount: str) -> dict[str, object]:
    return {"lines": [LineData("Service", "1", amount, "S", "19")]}


def numbers(db: Database, *ids: int) -> list[str]:
    with transaction(db.sessions) as s:
        return [invoices.get_invoice(s, i).number or "" for i in ids]


def status(db: Database, invoice_id: int) -> tuple[str, int]:
    with transaction(db.sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        return inv.status, inv.amount_due


def do_import(db: Database, data: bytes, **kw: object) -> bank.ImportResult:
    with transaction(db.sessions) as s:
        return bank.import_statement(s, data, "statement", **kw)  # type: ignore[arg-type]


def proposals(db: Database) -> list[bank.ProposalView]:
    with transaction(db.readonly_sessions) as s:
        return bank.proposals(s)


def test_camt053_references_amounts_ibans_batches_and_fees(seller: Database, customer_id: int) -> None:
    first = make_open(seller, customer_id)
    second = make_open(seller, customer_id, issue=date(2026, 11, 3))
    b = beta(seller)
    third = make_open(seller, b, issue=date(2026, 11, 4), **one_line("100.00"))  # 119.00
    fourth = make_open(seller, b, issue=date(2026, 11, 5), **one_line("200.00"))  # 238.00
    n1, n2, _, _ = numbers(seller, first, second, third, fourth)
    statement = camt053([
        Tx(TOTAL, "ACME SARL", "FR7630006000011234567890189", f"Rechnung {n1} danke", ref="2026112000001",
           value=date(2026, 11, 19)),
        Tx(TOTAL, "Someone paying for ACME", "", "", structured=rf_reference(n2), ref="2026112000002"),
        Tx(Decimal("0"), ref="2026112000003", batch=[
            Tx(Decimal("119.00"), "BETA TRADING", BETA_IBAN, "Sammelzahlung", ref="2026112000003-1"),
            Tx(Decimal("238.00"), "BETA TRADING", BETA_IBAN, "Sammelzahlung", ref="2026112000003-2"),
        ]),
        Tx(Decimal("-4.90"), text="Kontoführungsgebühr November", ref="2026112000004"),
        Tx(Decimal("55.55"), "Unknown Person", "DE02120300000000202051", "Spende", ref="2026112000005"),
    ])
    result = do_import(seller, statement, bank="Commerzbank")
    assert (result.format, result.new, result.known) == ("camt.053", 6, 0)

    views = {v.entry.bank_reference: v for v in proposals(seller)}
    by_number = views["2026112000001"].proposal
    assert by_number is not None and by_number.reason == "reference" and by_number.sure
    assert by_number.allocations == (Allocation(first, 47703),)
    by_rf = views["2026112000002"].proposal
    assert by_rf is not None and by_rf.reason == "reference" and by_rf.allocations[0].invoice_id == second
    batch = [views["2026112000003-1"].proposal, views["2026112000003-2"].proposal]
    assert [(p.reason, p.allocations[0].invoice_id) for p in batch if p] == [("amount_iban", third),
                                                                             ("amount_iban", fourth)]
    assert views["2026112000004"].proposal is None  # a debit: the queue
    assert views["2026112000005"].proposal is None  # nothing fits: the queue

    with transaction(seller.sessions) as s:
        assert bank.confirm_sure(s) == 4
    assert [status(seller, i) for i in (first, second, third, fourth)] == [("paid", 0)] * 4
    with transaction(seller.sessions) as s:
        paid = payments.list_payments(s, first)
        assert [(p.reference, p.paid_on, p.method) for p in paid] == [
            ("2026112000001", date(2026, 11, 19), "30")]
        left = bank.queue(s)
        assert [e.bank_reference for e in left] == ["2026112000004", "2026112000005"]
        bank.settle_other(s, left[0].id, "fee", "account fee")
        with pytest.raises(ValidationError):
            bank.settle_other(s, left[1].id, "fee")  # money received is no fee
    with transaction(seller.sessions) as s:
        assert [e.bank_reference for e in bank.queue(s)] == ["2026112000005"]
        assert integrity.verify(s).ok


def test_reimport_and_overlapping_statements_record_nothing_twice(seller: Database, customer_id: int) -> None:
    first = make_open(seller, customer_id)
    second = make_open(seller, customer_id, issue=date(2026, 11, 3), **one_line("10.00"))
    n1, n2 = numbers(seller, first, second)
    monday = Tx(TOTAL, "ACME SARL", "", n1, booked=date(2026, 11, 23))
    tuesday = Tx(Decimal("11.90"), "ACME SARL", "", n2, booked=date(2026, 11, 24))
    twin = Tx(Decimal("-1.00"), text="Gebühr", booked=date(2026, 11, 24))  # two identical lines, no references
    # MT940 lines without a bank reference: keyed by a hash of what they say
    assert do_import(seller, mt940([monday]), auto=True).confirmed == 1
    again = do_import(seller, mt940([monday]), auto=True)
    assert (again.new, again.known, again.confirmed) == (0, 1, 0)
    overlap = do_import(seller, mt940([monday, tuesday, twin, twin]), auto=True)
    assert (overlap.new, overlap.known, overlap.confirmed) == (3, 1, 1)
    assert do_import(seller, mt940([tuesday, twin, twin])).new == 0
    assert do_import(seller, mt940([tuesday, twin, twin, twin])).new == 1  # a third fee that day is new
    with transaction(seller.sessions) as s:
        assert len(payments.list_payments(s)) == 2
        assert s.query(BankEntry).count() == 5
    assert status(seller, first) == ("paid", 0) and status(seller, second) == ("paid", 0)


def test_ambiguous_amounts_wait_for_a_choice(seller: Database, customer_id: int) -> None:
    b = beta(seller)
    older = make_open(seller, customer_id, **one_line("50.00"))
    newer = make_open(seller, b, issue=date(2026, 11, 3), **one_line("50.00"))
    do_import(seller, camt053([Tx(Decimal("59.50"), "Somebody", "", "thanks", ref="X1")]), auto=True)
    (view,) = proposals(seller)
    assert view.proposal is not None
    assert (view.proposal.reason, view.proposal.sure) == ("ambiguous", False)
    assert view.proposal.allocations[0].invoice_id == older and view.proposal.alternatives == (newer,)
    assert status(seller, older) == ("open", 5950)  # --auto left it alone
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError):
            bank.confirm(s, view.entry.id, [Allocation(newer, 5000)])  # not the entry's amount
        bank.confirm(s, view.entry.id, [Allocation(newer, 5950)])
    assert status(seller, newer) == ("paid", 0) and status(seller, older) == ("open", 5950)
    with transaction(seller.sessions) as s, pytest.raises(ConflictError):
        bank.confirm(s, view.entry.id, [Allocation(older, 5950)])


def test_name_and_iban_narrow_equal_amounts(seller: Database, customer_id: int) -> None:
    b = beta(seller)
    make_open(seller, customer_id, **one_line("50.00"))
    theirs = make_open(seller, b, issue=date(2026, 11, 3), **one_line("50.00"))
    do_import(seller, camt053([Tx(Decimal("59.50"), "Beta Trading", "", "payment", ref="N1")]))
    (view,) = proposals(seller)
    assert view.proposal is not None
    assert (view.proposal.reason, view.proposal.allocations[0].invoice_id) == ("amount_name", theirs)
    assert not view.proposal.sure  # a name alone is a good guess, not proof


def test_partial_payments_and_one_transfer_for_several_invoices(seller: Database) -> None:
    b = beta(seller)
    a = make_open(seller, b, **one_line("100.00"))  # 119.00
    c = make_open(seller, b, issue=date(2026, 11, 3), **one_line("10.00"))  # 11.90
    d = make_open(seller, b, issue=date(2026, 11, 4), **one_line("1000.00"))  # 1190.00
    na, nc, nd = numbers(seller, a, c, d)
    do_import(seller, camt053([
        Tx(Decimal("500.00"), "Beta", BETA_IBAN, f"Anzahlung {nd}", ref="P1"),
        Tx(Decimal("130.90"), "Beta", BETA_IBAN, "", ref="P2"),  # a + c, no reference: their sum
        Tx(Decimal("690.00"), "Beta", BETA_IBAN, f"Rest {nd}", ref="P3", booked=date(2026, 11, 21)),
    ]))
    views = {v.entry.bank_reference: v.proposal for v in proposals(seller)}
    assert views["P1"] is not None and (views["P1"].reason, views["P1"].sure) == ("reference_partial", True)
    assert views["P2"] is not None and views["P2"].reason == "customer_sum"
    assert {x.invoice_id for x in views["P2"].allocations} == {a, c}
    # the second transfer for the same invoice is matched against what the first leaves due
    assert views["P3"] is not None and views["P3"].reason == "reference"
    assert views["P3"].allocations == (Allocation(d, 69000),)
    with transaction(seller.sessions) as s:
        assert bank.confirm_sure(s) == 3
        assert [p.reference for p in payments.list_payments(s, a)] == [f"P2/{na}"]
        assert [p.reference for p in payments.list_payments(s, c)] == [f"P2/{nc}"]
    assert [status(seller, i)[0] for i in (a, c, d)] == ["paid", "paid", "paid"]


def test_qr_reference_and_overpayment(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, **one_line("10.00"))
    do_import(seller, camt053([Tx(Decimal("20.00"), "X", "", "", structured=qr_reference(inv), ref="Q1")]))
    (view,) = proposals(seller)
    assert view.proposal is not None and view.proposal.reason == "reference_over"
    with transaction(seller.sessions) as s:
        bank.confirm(s, view.entry.id)
        assert customer_credit(s, customer_id, "EUR") == 810
    assert status(seller, inv) == ("paid", 0)


def test_csv_mapping_is_saved_per_bank(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id, **one_line("10.00"))
    (number,) = numbers(seller, inv)
    data = csv_export([Tx(Decimal("11.90"), "ACME", "", f"Invoice {number}")])
    with pytest.raises(InvoicerError, match="Which column holds the amount"):
        do_import(seller, data.replace(b"Betrag", b"Summe"), bank="Sparkasse")
    mapping = {"amount": "Summe", "text": "Verwendungszweck", "decimal": ","}
    do_import(seller, data.replace(b"Betrag", b"Summe"), bank="Sparkasse", csv_mapping=mapping)
    with transaction(seller.sessions) as s:
        assert bank.saved_mapping(s, "Sparkasse") == mapping
    # the next month's file needs no mapping; the same line again is known
    result = do_import(seller, data.replace(b"Betrag", b"Summe"), bank="Sparkasse", auto=True)
    assert (result.new, result.known) == (0, 1)
    with transaction(seller.sessions) as s:
        assert bank.confirm_sure(s) == 1
    assert status(seller, inv) == ("paid", 0)


def test_refund_from_the_queue_names_the_customer(seller: Database, customer_id: int) -> None:
    do_import(seller, camt053([Tx(Decimal("-25.00"), "ACME SARL", "", "Erstattung", ref="R1")]))
    with transaction(seller.sessions) as s:
        (entry,) = bank.queue(s)
        with pytest.raises(ValidationError):
            bank.settle_other(s, entry.id, "refund")
        bank.settle_other(s, entry.id, "refund", "credit note refund", customer_id=customer_id)
        assert bank.queue(s) == []


def test_import_confirm_ledger(seller: Database, customer_id: int, tmp_path: Path) -> None:
    """End to end: a statement in, the payments in the accountant's ledger with the bank's reference."""
    inv = make_open(seller, customer_id)
    (number,) = numbers(seller, inv)
    do_import(seller, camt053([Tx(TOTAL, "ACME SARL", "", f"{number}", ref="LEDGER-1",
                                  value=date(2026, 11, 18))]), auto=True)
    written = ledger.export_csv(seller, tmp_path / "csv", today=date(2026, 11, 30))
    payments_csv = next(p for p in written if "payment" in p.name.lower())
    with payments_csv.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert any("LEDGER-1" in row and "2026-11-18" in row for row in rows), rows


def test_bad_files_are_refused_in_words(seller: Database) -> None:
    with pytest.raises(InvoicerError, match="not a CAMT"):
        do_import(seller, b"<?xml version='1.0'?><Document xmlns='urn:other'/>")
    with pytest.raises(InvoicerError, match="not well-formed"):
        do_import(seller, b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'><unclosed>")
    with pytest.raises(InvoicerError, match="ambiguous"):
        do_import(seller, b"Datum;Betrag\n01.11.2026;1.000\n", bank="x", csv_mapping={"date": "Datum",
                                                                                      "currency_code": "EUR"})


def test_camt054_notifications_then_the_days_camt053_record_nothing_twice(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    (number,) = numbers(seller, inv)
    morning = Tx(TOTAL, "ACME SARL", "", f"Rechnung {number}", ref="CH-0001")
    assert do_import(seller, camt054([morning]), bank="PostFinance", auto=True).confirmed == 1
    evening = do_import(seller, camt053([morning, Tx(Decimal("-2.00"), text="Gebühr", ref="CH-0002")]),
                        bank="PostFinance", auto=True)
    assert (evening.new, evening.known, evening.confirmed) == (1, 1, 0)
    with transaction(seller.sessions) as s:
        assert len(payments.list_payments(s, inv)) == 1


def _with_discount(db: Database, customer_id: int, percent: str, days: int) -> int:
    from invoicer.services import early_payment

    from .helpers import make_draft

    draft = make_draft(db, customer_id)
    with transaction(db.sessions) as s:
        early_payment.set_terms(s, draft, percent, days)
        invoices.finalize_invoice(s, draft)
    return draft


def test_early_payment_discount_within_the_period_settles_the_invoice(seller: Database, customer_id: int) -> None:
    inv = _with_discount(seller, customer_id, "2", 10)  # 477.03, issued 2026-11-02: 467.49 until 2026-11-12
    late = _with_discount(seller, customer_id, "2", 10)
    n1, n2 = numbers(seller, inv, late)
    do_import(seller, camt053([
        Tx(Decimal("467.49"), "ACME SARL", "", f"{n1} abzgl. 2 % Skonto", ref="S1", value=date(2026, 11, 12)),
        Tx(Decimal("467.49"), "ACME SARL", "", f"{n2} abzgl. 2 % Skonto", ref="S2", value=date(2026, 11, 13)),
    ]))
    views = {v.entry.bank_reference: v.proposal for v in proposals(seller)}
    assert views["S1"] is not None and (views["S1"].reason, views["S1"].sure) == ("reference_discount", True)
    assert views["S1"].allocations == (Allocation(inv, 46749, 954),)
    assert views["S2"] is not None and views["S2"].reason == "reference_partial"  # a day too late: no discount
    with transaction(seller.sessions) as s:
        bank.confirm(s, next(v.entry.id for v in bank.proposals(s) if v.entry.bank_reference == "S1"))
        (note,) = [c for c in invoices.list_invoices(s, invoices.InvoiceFilter(doc_type="credit_note"))]
        credited = invoices.get_invoice(s, note.id, "credit_note")
        assert credited.total == 954
        # the VAT the discount contains is corrected: the credit note carries its share of each rate's VAT
        assert credited.tax_total > 0 and credited.tax_total < 954
        # exactly: the 9.54 shared by each rate's gross (444.94 at 19 %, 32.09 at 7 % of 477.03) is 8.90 and 0.64,
        # which hold 1.42 and 0.04 of VAT: 1.46 less VAT owed
        assert [(t.rate, t.basis, t.amount) for t in credited.taxes] == [(Decimal(7), 60, 4), (Decimal(19), 748, 142)]
        assert credited.tax_total == 146
        # in the customer's language (ACME SARL reads French), dated on the day the money came, not today
        assert credited.reason == "Escompte pour paiement anticipé"
        # its lines too (one per VAT rate of the invoice)
        assert {ln.description.split(" (")[0] for ln in credited.lines} == {f"Avoir sur la facture {n1}"}
        assert credited.issue_date == date(2026, 11, 12)
    assert status(seller, inv) == ("paid", 0)


def test_a_discount_credit_note_follows_the_last_credit_note_of_its_series(seller: Database,
                                                                           customer_id: int) -> None:
    from invoicer.services import credit_notes

    inv = _with_discount(seller, customer_id, "2", 10)
    other = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        credit_notes.issue_credit_note(s, other, amount=100, reason="Rabatt", issue_date=date(2026, 11, 20))
    (n1,) = numbers(seller, inv)
    do_import(seller, camt053([Tx(Decimal("467.49"), "ACME SARL", "", f"{n1} abzgl. 2 % Skonto", ref="S1",
                                  value=date(2026, 11, 12))]))
    with transaction(seller.sessions) as s:
        bank.confirm(s, bank.proposals(s)[0].entry.id)
        notes = invoices.list_invoices(s, invoices.InvoiceFilter(doc_type="credit_note"))
        latest = max(notes, key=lambda n: n.id)
        # numbers follow dates: the payment's day (12 Nov) is before the credit note of 20 Nov, so that day
        assert latest.issue_date == date(2026, 11, 20) and latest.total == 954
    assert status(seller, inv) == ("paid", 0)


def test_discount_terms_are_printed_and_in_the_xml(seller: Database, customer_id: int) -> None:
    from pypdf import PdfReader

    from invoicer.documents.facturx import cii_xml
    from invoicer.services import documents

    inv = _with_discount(seller, customer_id, "2", 10)
    with transaction(seller.sessions) as s:
        doc = documents.document_data(s, invoices.get_invoice(s, inv))
        assert (doc.discount_percent, doc.discount_until, doc.discount_payable) == (
            Decimal(2), date(2026, 11, 12), 46749)
        xml = cii_xml(doc)
        pdf = documents.document_pdf(s, inv)
    assert b"#SKONTO#TAGE=10#PROZENT=2.00#" in xml
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Escompte de 2" in text and "467,49" in text, text  # the French customer's language
