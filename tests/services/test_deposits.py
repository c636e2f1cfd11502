"""Deposit (386) and partial (326) invoices from an accepted quote, and the final invoice that lists the whole
work and deducts them per VAT rate: every figure checked against a computation by hand, the XML of each against
the official rules, and the journal's revenue, VAT and receivables against the quote."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import (
    company,
    credit_notes,
    customers,
    documents,
    einvoicing,
    integrity,
    invoices,
    ledger,
    payments,
    quotes,
    reminders,
    reports,
    statements,
)
from invoicer.services.invoices import LineData
from invoicer.services.quotes import QuoteData
from tests.services.helpers import refused_by_database, tamper

D = date
# the whole work: 19 % on 4,000.00 + 333.33 = 4,333.33; 7 % on 10 x 29.99 = 299.90
LINES = [LineData("Kitchen fitting", "40", "100.00", "S", "19"), LineData("Design", "1", "333.33", "S", "19"),
         LineData("Cookbooks", "10", "29.99", "S", "7")]


@pytest.fixture
def quote(seller: Database, customer_id: int) -> int:
    with transaction(seller.sessions) as s:
        quote_id = quotes.create_quote(s, QuoteData(customer_id, list(LINES), issue_date=D(2026, 11, 2),
                                                    buyer_reference="PO-4711"), today=D(2026, 11, 2))
        quotes.send_quote(s, quote_id, D(2026, 11, 2))
        quotes.accept_quote(s, quote_id, D(2026, 11, 3))
    return quote_id


def taxes_of(invoice: object) -> dict[tuple[str, Decimal], tuple[int, int]]:
    return {(t.category, t.rate): (t.basis, t.amount) for t in invoice.taxes}  # type: ignore[attr-defined]


def _einvoice_ready(db: Database, customer_id: int) -> None:
    """Seller and buyer with what XRechnung and Peppol ask besides EN 16931: the buyer's address and electronic addresses (the quote
    carries the buyer reference, BT-10, to every invoice made from it), the seller's contact (BR-DE-5)."""
    with transaction(db.sessions) as s:
        company.update_company(s, contact="Jana Müller", phone="+49 30 1234567", endpoint_scheme="9930",
                               endpoint_id="DE123456788")
        data = customers.customer_data(customers.get_customer(s, customer_id))
        customers.update_customer(s, customer_id, customers.CustomerData(
            **{**vars(data), "address": "12 rue de la Paix", "postcode": "75002", "city": "Paris",
               "endpoint_scheme": "0009", "endpoint_id": "12345678200016"}))


def _valid_everywhere(s: Session, invoice: Invoice) -> dict[EInvoiceFormat, bytes]:
    """The document's e-invoice in every format Invoicer issues, each passing that format's official rules (Peppol
    takes a partial invoice, 326, between German parties only: its rule P0112 refuses this French buyer's)."""
    found = {}
    for fmt in EInvoiceFormat:
        if fmt is EInvoiceFormat.PEPPOL and invoice.type_code == "326":
            with pytest.raises(ValidationError, match="PEPPOL-EN16931-P0112"):
                einvoicing.document_einvoice(s, invoice, fmt)
            continue
        _, xml = einvoicing.document_einvoice(s, invoice, fmt)
        check = validate(xml, fmt)
        assert check.ok, (invoice.number, fmt, [(e.rule, e.text) for e in check.errors])
        found[fmt] = xml
    return found


def test_deposit_partial_and_final_add_up_to_the_quote_to_the_cent(seller: Database, quote: int,
                                                                   customer_id: int) -> None:
    _einvoice_ready(seller, customer_id)
    s19, s7 = ("S", Decimal(19)), ("S", Decimal(7))
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, quote, percent="30", today=D(2026, 11, 4))
        dep = invoices.get_invoice(s, deposit)
        # 30 % of 4,633.23 net = 1,389.969 -> 1,389.97, shared 4,333.33 : 299.90 -> 1,300.00 (1299.999 up, the
        # larger remainder) and 89.97; VAT 19 % of 1,300.00 = 247.00, 7 % of 89.97 = 6.2979 -> 6.30
        assert dep.type_code == "386" and taxes_of(dep) == {s19: (130000, 24700), s7: (8997, 630)}
        assert dep.total == 130000 + 24700 + 8997 + 630 == 164327
        assert [ln.description for ln in dep.lines] == ["Acompte de 30 % sur le devis QUO-2026-00001"] * 2
        invoices.finalize_invoice(s, deposit)
        partial = quotes.invoice_quote(s, quote, [3], today=D(2026, 11, 20), partial=True)
        part = invoices.get_invoice(s, partial)
        assert part.type_code == "326" and taxes_of(part) == {s7: (29990, 2099)}  # 7 % of 299.90 = 20.993
        assert part.total == 32089
        with pytest.raises(ConflictError, match="still a draft"):
            quotes.final_invoice(s, quote)
        invoices.finalize_invoice(s, partial)
    _pay(seller, deposit, 164327)
    with transaction(seller.sessions) as s:
        # before the final invoice the work is not delivered: the deposit's net is an advance payment received
        # (1,300.00 + 89.97), not revenue; revenue is the partial invoice's delivered 299.90; VAT is owed on both
        # (247.00 + 6.30 + 20.99); the paid deposit owes nothing
        before = _journal_balances(s, D(2026, 11, 30))
        accounts = ledger.Accounts.load(s)
        assert before[accounts.advances] == 130000 + 8997
        assert before[accounts.revenue] == 29990
        assert before[accounts.tax_payable] == 24700 + 630 + 2099
        assert -before[accounts.receivables] == 32089
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
        fin = invoices.get_invoice(s, final)
        # the whole work (three lines) less 1,300.00 at 19 %, less 89.97 and 299.90 at 7 %
        assert [ln.net for ln in fin.lines] == [400000, 33333, 29990, -130000, -8997, -29990]
        assert fin.lines[3].description.startswith("Moins Facture d'acompte INV-2026-00001 du ")
        assert [a.id for a in invoices.deducted_invoices(s, final)] == [deposit, partial]
        # by hand, per rate: the whole work's VAT less what the advances stated:
        # 19 %: 19 % of 4,333.33 = 823.3327 -> 823.33, less 247.00 = 576.33 on 3,033.33
        # 7 %: 7 % of 299.90 = 20.993 -> 20.99, less 6.30 and 20.99 = -6.30 on 299.90 - 89.97 - 299.90 = -89.97
        assert taxes_of(fin) == {s19: (303333, 57633), s7: (-8997, -630)}
        assert fin.total == 303333 + 57633 - 8997 - 630 == 351339
        invoices.finalize_invoice(s, final)
        docs = [invoices.get_invoice(s, i) for i in (deposit, partial, final)]
        assert [d.number for d in docs] == ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]
        q = quotes.get_quote(s, quote)
        # the quote's VAT: 823.33 at 19 %, 20.99 at 7 %; invoiced over the three documents: 247.00 + 576.33 and
        # 6.30 + 20.99 - 6.30, per rate to the cent, and the totals add up to the quote's 5,477.55
        for key, basis, vat in ((s19, 433333, 82333), (s7, 29990, 2099)):
            assert sum(taxes_of(d).get(key, (0, 0))[0] for d in docs) == basis
            assert sum(taxes_of(d).get(key, (0, 0))[1] for d in docs) == vat
        assert sum(d.total for d in docs) == q.total == 547755
        # what the final invoice asks: its own total; the deposit's payment settled the deposit, not this one
        assert (fin.status, fin.paid, fin.amount_due) == ("open", 0, 351339)
        assert invoices.get_invoice(s, deposit).status == "paid"
        for d in docs:
            xml = _valid_everywhere(s, d)
            assert f"<ram:TypeCode>{d.type_code or '380'}</ram:TypeCode>".encode() in xml[EInvoiceFormat.FACTURX]
        cii, ubl = xml[EInvoiceFormat.XRECHNUNG_CII], xml[EInvoiceFormat.PEPPOL]
        # BG-3: the final invoice names the invoices it deducts (BT-25, BT-26); BT-113 is 0 (nothing was paid on
        # this invoice) and BT-115 = BT-112 - BT-113
        assert cii.count(b"<ram:InvoiceReferencedDocument>") == 2
        assert b"<ram:IssuerAssignedID>INV-2026-00001</ram:IssuerAssignedID>" in cii
        assert b"<ram:IssuerAssignedID>INV-2026-00002</ram:IssuerAssignedID>" in cii
        assert b"<ram:GrandTotalAmount>3513.39</ram:GrandTotalAmount>" in cii
        assert b"<ram:TotalPrepaidAmount>0.00</ram:TotalPrepaidAmount>" in cii
        assert b"<ram:DuePayableAmount>3513.39</ram:DuePayableAmount>" in cii
        assert b"<ram:CalculatedAmount>576.33</ram:CalculatedAmount>" in cii
        assert ubl.count(b"<cac:BillingReference>") == 2 and b"<cbc:IssueDate>2026-11-20</cbc:IssueDate>" in ubl
        assert b'<cbc:PayableAmount currencyID="EUR">3513.39</cbc:PayableAmount>' in ubl
        report = integrity.verify(s)
        assert report.ok, report.problems
        # the journal: receivables carry the open partial and final invoices; revenue and VAT are the quote's
        owed = ledger.receivables_by_invoice(s)
        assert owed[deposit][0] == 0 and owed[partial][0] == 32089 and owed[final][0] == 351339
        # verify reads them a range of invoices at a time: the same for each invoice as the whole journal's
        assert all(ledger.receivables_by_invoice(s, (i, i)).get(i) == owed[i] for i in (deposit, partial, final))
        balance = _journal_balances(s, D(2026, 12, 1))
        accounts = ledger.Accounts.load(s)
        (aged,) = reports.aged_receivables(s, D(2026, 12, 1))
        assert aged.total == 32089 + 351339  # the partial and the final invoice, nothing of the paid deposit
        # the customer's account: the deposit and its payment cancel out; the partial and final invoices are owed
        assert statements.statement(s, customer_id)[-1].balance == 32089 + 351339
        # reminders ask for each invoice's own amount due; none for the paid deposit
        due = {r.invoice_id: r.amount_due for r in reminders.due_reminders(s, D(2026, 12, 31))}
        assert due == {partial: 32089, final: 351339}
    assert balance[accounts.revenue] == q.subtotal == 463323  # the quote's net, booked once over three invoices
    # the final invoice released the deposit's advance to revenue: 3,033.33 - 89.97 (its own net) + 1,389.97
    assert balance[accounts.advances] == 0
    assert balance[accounts.revenue] - before[accounts.revenue] == 303333 - 8997 + 138997
    assert balance[accounts.tax_payable] == q.tax_total == 82333 + 2099
    assert -balance[accounts.receivables] == 32089 + 351339
    # the PDF of the final invoice: its title, the invoices deducted per VAT rate with what was paid, the amount due
    with transaction(seller.sessions) as s:
        text = _pdf_text(documents.frozen_pdf(s, final))
    assert "Facture de solde INV-2026-00003" in text
    assert "Facture d'acompte INV-2026-00001" in text and "Facture partielle INV-2026-00002" in text
    # the reconciliation per VAT rate: the whole work, less each invoice deducted (paid on it), is this invoice
    assert "Ensemble des travaux" in text
    for figure in ("4 333,33", "823,33", "5 477,55", "-1 300,00", "-247,00", "-89,97", "-6,30", "-1 643,27",
                   "-299,90", "-20,99", "-320,89", "3 033,33", "576,33", "3 513,39"):
        assert figure in text, figure
    assert "Reste à payer sur les factures déduites, en plus de cette facture : 320,89" in text
    # a credit of an amount (an early-payment discount, a goodwill credit) on the final invoice comes to that
    # amount: shared over the rates it owes (the 7 % rate is negative here: the partial invoice billed it)
    with transaction(seller.sessions) as s:
        note = credit_notes.issue_credit_note(s, final, amount=7027, reason="Skonto", issue_date=D(2026, 12, 2))
        assert note.total == 7027
        credited = invoices.get_invoice(s, note.credit_note_id, "credit_note")
        assert set(taxes_of(credited)) == {s19}
    # the customer pays the rest: everything is settled, the books and the checks agree
    _pay(seller, partial, 32089, D(2026, 12, 5))
    with transaction(seller.sessions) as s:
        payments.record_payment(s, final, 351339 - 7027, D(2026, 12, 5), "transfer", "FIN-1")
        assert {invoices.get_invoice(s, i).status for i in (deposit, partial, final)} == {"paid"}
        assert reports.aged_receivables(s, D(2026, 12, 5)) == []
        assert _journal_balances(s, D(2026, 12, 5)).get(ledger.Accounts.load(s).receivables, 0) == 0
        report = integrity.verify(s)
        assert report.ok, report.problems


def _journal_balances(s: Session, today: date, date_to: date | None = None) -> dict[str, int]:
    """Credit minus debit per account over the journal the ledger workbook carries (it must balance)."""
    balance: dict[str, int] = {}
    journal = next(t for t in ledger.build_ledger(s, date_to=date_to, today=today).tables if t.name == "journal")
    for _entry, _day, _doc, _text, account, debit, credit in journal.rows():
        balance[str(account)] = balance.get(str(account), 0) + int(credit or 0) - int(debit or 0)
    assert sum(balance.values()) == 0
    return balance


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_final_invoice_states_the_whole_works_vat_less_the_deposits_to_the_cent(
    seller: Database, customer_id: int
) -> None:
    """Recomputing VAT on what is left would lose a cent here; the final invoice states the rest of the whole
    work's VAT instead (within EN 16931's tolerance), so deposit and final add up to the quote."""
    _einvoice_ready(seller, customer_id)
    with transaction(seller.sessions) as s:
        quote_id = quotes.create_quote(s, QuoteData(customer_id, [LineData("Work", "1", "100.03", "S", "19")],
                                                    issue_date=D(2026, 11, 2), buyer_reference="PO-4711"),
                                       today=D(2026, 11, 2))
        quotes.send_quote(s, quote_id, D(2026, 11, 2))
        quotes.accept_quote(s, quote_id, D(2026, 11, 3))
        deposit = quotes.deposit_invoice(s, quote_id, percent="50", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)
        final = quotes.final_invoice(s, quote_id, today=D(2026, 12, 1))
        # by hand: the quote's VAT is 19 % of 100.03 = 19.0057 -> 19.01; the deposit 50 % of 100.03 = 50.015 ->
        # 50.02 net, 9.5038 -> 9.50 VAT; what is left, 50.01, taxed alone gives 9.5019 -> 9.50 (a cent short of
        # 19.01 over both), so the final invoice states 19.01 - 9.50 = 9.51
        assert taxes_of(invoices.get_invoice(s, deposit)) == {("S", Decimal(19)): (5002, 950)}
        assert taxes_of(invoices.get_invoice(s, final)) == {("S", Decimal(19)): (5001, 951)}
        # editing the draft keeps the rule
        invoices.update_draft(s, final, invoices.draft_data(invoices.get_invoice(s, final)))
        assert taxes_of(invoices.get_invoice(s, final)) == {("S", Decimal(19)): (5001, 951)}
        invoices.finalize_invoice(s, final)
        fin = invoices.get_invoice(s, final)
        assert fin.total + invoices.get_invoice(s, deposit).total == quotes.get_quote(s, quote_id).total == 11904
        xml = _valid_everywhere(s, fin)
        assert b"<ram:CalculatedAmount>9.51</ram:CalculatedAmount>" in xml[EInvoiceFormat.XRECHNUNG_CII]
        report = integrity.verify(s)
        assert report.ok, report.problems
    # credited in full, the final invoice's VAT comes back as it stated it: 9.51, not 9.50 (its lines alone)
    with transaction(seller.sessions) as s:
        note = credit_notes.issue_credit_note(s, final, full=True, reason="Storno", issue_date=D(2026, 12, 2))
        credited = invoices.get_invoice(s, note.credit_note_id, "credit_note")
        assert taxes_of(credited) == {("S", Decimal(19)): (5001, 951)} and credited.total == 5952
        assert invoices.get_invoice(s, final).amount_due == 0
        report = integrity.verify(s)
        assert report.ok, report.problems
    # the link is frozen with the final invoice, on either engine
    assert "finalized document is frozen" in refused_by_database(
        seller, f"DELETE FROM invoice_deductions WHERE invoice_id = {final}")
    # a VAT altered behind the triggers to what the rest alone would give (9.50) is found
    tamper(seller, f"UPDATE invoice_taxes SET amount = 950 WHERE invoice_id = {final}")
    with transaction(seller.sessions) as s:
        assert any("VAT breakdown" in problem for problem in integrity.verify(s).problems)


def test_a_deducted_deposit_is_not_voided_and_a_final_invoice_is_never_negative(seller: Database,
                                                                                 quote: int) -> None:
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, quote, percent="100", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)
        partial = quotes.invoice_quote(s, quote, [1], today=D(2026, 11, 20), partial=True)
        invoices.finalize_invoice(s, partial)
    # the whole quote as deposit plus line 1 again as a partial invoice: 4,000.00 more than the work
    with pytest.raises(ConflictError, match="cannot be negative"), transaction(seller.sessions) as s:
        quotes.final_invoice(s, quote, today=D(2026, 12, 1))
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, partial, "billed twice")
        first = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
    with transaction(seller.sessions) as s:  # (one user action each, as the GUI and the CLI do)
        # a final invoice's draft deleted takes its links with it; the quote gets a final invoice again
        invoices.delete_draft(s, first)
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
        assert [a.id for a in invoices.deducted_invoices(s, final)] == [deposit]  # not the void partial invoice
        assert invoices.get_invoice(s, final).total == 0  # the deposit was the whole work
        with pytest.raises(ConflictError, match="deducted on the final invoice"):
            invoices.void_invoice(s, deposit, "by mistake")
        invoices.finalize_invoice(s, final)
        assert invoices.get_invoice(s, final).status == "paid"  # nothing to pay: settled as issued
        with pytest.raises(ConflictError, match="deducted on the final invoice INV-2026-00003"):
            invoices.void_invoice(s, deposit, "by mistake")
        report = integrity.verify(s)
        assert report.ok, report.problems


PAID_ON = D(2026, 11, 10)


def _pay(db: Database, invoice_id: int, amount: int, on: date = PAID_ON) -> None:
    with transaction(db.sessions) as s:
        payments.record_payment(s, invoice_id, amount, on, "transfer", f"PAY-{invoice_id}")


def test_deposit_by_amount_and_refusals(seller: Database, quote: int) -> None:
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError):
            quotes.deposit_invoice(s, quote, percent="30", amount="100")
        with pytest.raises(ValidationError):
            quotes.deposit_invoice(s, quote, percent="0")
        with pytest.raises(ValidationError):
            quotes.deposit_invoice(s, quote, amount="4633.24")  # a cent more than the quote's net
        deposit = invoices.get_invoice(s, quotes.deposit_invoice(s, quote, amount="1000"))
        assert sum(t.basis for t in deposit.taxes) == 100000  # 935.27 + 64.73, shared by net amount per rate
        assert {t.rate: t.basis for t in deposit.taxes} == {Decimal(19): 93527, Decimal(7): 6473}
        regular = quotes.invoice_quote(s, quote, [1])
        assert regular
        with pytest.raises(ConflictError, match="whole work"):
            quotes.final_invoice(s, quote)


def test_a_deposit_credited_in_part_is_deducted_for_the_rest(seller: Database, quote: int, customer_id: int) -> None:
    _einvoice_ready(seller, customer_id)
    s19, s7 = ("S", Decimal(19)), ("S", Decimal(7))
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, quote, percent="30", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)
        partial = quotes.invoice_quote(s, quote, [3], today=D(2026, 11, 20), partial=True)
        invoices.finalize_invoice(s, partial)
        # the deposit's 7 % line (89.97 + 6.30) is taken back by a credit note
        line = next(ln for ln in invoices.get_invoice(s, deposit).lines if ln.tax_rate == 7)
        credit_notes.issue_credit_note(s, deposit, lines=[credit_notes.CreditLine(line.id, "1")],
                                       issue_date=D(2026, 11, 21))
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
        fin = invoices.get_invoice(s, final)
        # only what the deposit still stands for is deducted: 1,300.00 at 19 %; and the partial invoice's 299.90
        assert [ln.net for ln in fin.lines] == [400000, 33333, 29990, -130000, -29990]
        # by hand: 19 % 823.33 - 247.00 = 576.33 on 3,033.33; 7 %: 20.99 - 20.99 = 0.00 on 0.00
        assert taxes_of(fin) == {s19: (303333, 57633), s7: (0, 0)} and fin.total == 360966
        invoices.finalize_invoice(s, final)
        # deposit less its credit note, partial and final invoice: the quote's 5,477.55
        assert quotes.get_quote(s, quote).total == 164327 - 9627 + 32089 + 360966
        xml = _valid_everywhere(s, fin)[EInvoiceFormat.XRECHNUNG_UBL]
        assert b'<cbc:PayableAmount currencyID="EUR">3609.66</cbc:PayableAmount>' in xml
        (advance, _partial) = documents.document_data(s, fin).advances
        assert (advance.total, advance.paid, advance.open) == (130000 + 24700, 0, 164327 - 9627)
        # now deducted, the deposit is credited through the final invoice only
        with pytest.raises(ConflictError, match="credit the final invoice instead"):
            credit_notes.issue_credit_note(s, deposit, amount=100, issue_date=D(2026, 12, 2))
        report = integrity.verify(s)
        assert report.ok, report.problems
        # the journal: the credit note took back 89.97 of the advance (not revenue); the final invoice released
        # the rest, 1,300.00, so revenue is the whole work's 4,633.23 and no advance is left
        balance = _journal_balances(s, D(2026, 12, 1))
        accounts = ledger.Accounts.load(s)
        assert balance[accounts.advances] == 0
        assert balance[accounts.revenue] == 303333 + 29990 + 130000 == 463323
        assert balance[accounts.tax_payable] == 24700 + 630 - 630 + 2099 + 57633
        (aged,) = reports.aged_receivables(s, D(2026, 12, 1))
        assert -balance[accounts.receivables] == aged.total == 164327 - 9627 + 32089 + 360966
        before = _journal_balances(s, D(2026, 11, 30), D(2026, 11, 30))
        assert before[accounts.advances] == 130000 and before[accounts.revenue] == 29990


def test_a_dollar_quote_deposit_and_final_invoice_each_locked_at_its_own_rate(seller: Database,
                                                                               customer_id: int) -> None:
    """A quote in US dollars (the seller books in euros): the deposit is locked at 0.90 when finalized, the final
    invoice at 0.80 a month later. The documents state dollars to the cent as in euros; the books carry each at its
    own locked rate, so the advance the final invoice releases is the deposit's euros as booked, not re-converted."""
    from invoicer.services import rates

    _einvoice_ready(seller, customer_id)
    s19, s7 = ("S", Decimal(19)), ("S", Decimal(7))
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", D(2026, 10, 1))
        rates.set_rate(s, "USD", "0.92", D(2026, 11, 10))  # the day the deposit is paid
        quote_id = quotes.create_quote(s, QuoteData(customer_id, list(LINES), currency="USD",
                                                    issue_date=D(2026, 11, 2), buyer_reference="PO-4711"),
                                       today=D(2026, 11, 2))
        quotes.send_quote(s, quote_id, D(2026, 11, 2))
        quotes.accept_quote(s, quote_id, D(2026, 11, 3))
        deposit = quotes.deposit_invoice(s, quote_id, percent="30", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)  # the rates table's 0.90 of 1 October
        dep = invoices.get_invoice(s, deposit)
        assert dep.currency == "USD" and dep.type_code == "386" and dep.exchange_rate == Decimal("0.9")
        assert taxes_of(dep) == {s19: (130000, 24700), s7: (8997, 630)} and dep.total == 164327
        # by hand, in euros at 0.90: net 1,389.97 -> 1,250.973 = 1,250.97; VAT 253.30 -> 227.97; total 1,478.94
        assert (dep.company_subtotal, dep.company_tax_total, dep.company_total) == (125097, 22797, 147894)
    _pay(seller, deposit, 164327)  # at 0.92: 1,511.81 EUR received for 1,478.94 booked, 32.87 exchange gain
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, quote_id, today=D(2026, 12, 1))
        invoices.finalize_invoice(s, final, exchange_rate="0.8")  # typed at finalize (the app's question)
        fin = invoices.get_invoice(s, final)
        assert fin.currency == "USD" and fin.exchange_rate == Decimal("0.8")
        assert [ln.net for ln in fin.lines] == [400000, 33333, 29990, -130000, -8997]
        # 19 %: 823.33 - 247.00 = 576.33 on 3,033.33; 7 %: 20.99 - 6.30 = 14.69 on 299.90 - 89.97 = 209.93
        assert taxes_of(fin) == {s19: (303333, 57633), s7: (20993, 1469)}
        assert fin.total == 303333 + 57633 + 20993 + 1469 == 383428 == quotes.get_quote(s, quote_id).total - 164327
        # in euros at 0.80: net 3,243.26 -> 2,594.608 = 2,594.61; VAT 591.02 -> 472.816 = 472.82
        assert (fin.company_subtotal, fin.company_tax_total) == (259461, 47282)
        assert (fin.status, fin.amount_due) == ("open", 383428)
        # a later rate changes nothing issued: the rates stay locked
        rates.set_rate(s, "USD", "1.1", D(2026, 12, 2))
    with transaction(seller.sessions) as s:
        fin, dep = invoices.get_invoice(s, final), invoices.get_invoice(s, deposit)
        assert (fin.exchange_rate, fin.company_subtotal, dep.exchange_rate) == (Decimal("0.8"), 259461, Decimal("0.9"))
        xml = _valid_everywhere(s, fin)
        cii, ubl = xml[EInvoiceFormat.FACTURX], xml[EInvoiceFormat.PEPPOL]
        assert b"<ram:InvoiceCurrencyCode>USD</ram:InvoiceCurrencyCode>" in cii
        assert b"<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>" in cii  # BT-6
        assert b'<ram:TaxTotalAmount currencyID="USD">591.02</ram:TaxTotalAmount>' in cii
        assert b'<ram:TaxTotalAmount currencyID="EUR">472.82</ram:TaxTotalAmount>' in cii  # BT-111 at 0.80
        assert b"<ram:GrandTotalAmount>3834.28</ram:GrandTotalAmount>" in cii
        assert b"<ram:TotalPrepaidAmount>0.00</ram:TotalPrepaidAmount>" in cii
        assert b"<ram:IssuerAssignedID>INV-2026-00001</ram:IssuerAssignedID>" in cii
        assert b'<cbc:PayableAmount currencyID="USD">3834.28</cbc:PayableAmount>' in ubl
        assert b"<cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>" in ubl  # BT-6 and BT-111 in UBL too
        assert b'<cbc:TaxAmount currencyID="EUR">472.82</cbc:TaxAmount>' in ubl
        _valid_everywhere(s, dep)
        report = integrity.verify(s)
        assert report.ok, report.problems
        text = _pdf_text(documents.frozen_pdf(s, final))
        # the journal, in euros: the deposit's advance booked at 0.90 (1,250.97) and released at that amount by
        # the final invoice; revenue is the final invoice's own net at 0.80 plus that release
        balance = _journal_balances(s, D(2026, 12, 1))
        accounts = ledger.Accounts.load(s)
        (aged,) = reports.aged_receivables(s, D(2026, 12, 1))
    assert balance[accounts.advances] == 0
    assert balance[accounts.revenue] == 259461 + 125097
    assert balance[accounts.tax_payable] == 22797 + 47282
    assert balance[accounts.exchange_gain] == 151181 - 147894  # 1,643.27 USD at 0.92 less as booked at 0.90
    assert -balance[accounts.receivables] == aged.company_total == 306743  # the final invoice, at 0.80
    assert aged.currency == "USD" and aged.total == 383428
    assert "Facture de solde INV-2026-00002" in text and "Facture d'acompte INV-2026-00001" in text
    for figure in ("4 333,33", "823,33", "-1 300,00", "-247,00", "-89,97", "-6,30", "3 033,33", "576,33",
                   "209,93", "14,69", "3 834,28"):
        assert figure in text, figure
    assert "$US" in text
