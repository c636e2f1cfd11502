"""Deposit (386) and partial (326) invoices from an accepted quote, and the final invoice that lists the whole
work and deducts them per VAT rate: every figure checked against a computation by hand, the XML of each against
the official rules, and the journal's revenue, VAT and receivables against the quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.documents.einvoice_rules import EInvoiceFormat, validate
from invoicer.services import einvoicing, integrity, invoices, ledger, payments, quotes
from invoicer.services.invoices import LineData
from invoicer.services.quotes import QuoteData

D = date
# the whole work: 19 % on 4,000.00 + 333.33 = 4,333.33; 7 % on 10 x 29.99 = 299.90
LINES = [LineData("Kitchen fitting", "40", "100.00", "S", "19"), LineData("Design", "1", "333.33", "S", "19"),
         LineData("Cookbooks", "10", "29.99", "S", "7")]


@pytest.fixture
def quote(seller: Database, customer_id: int) -> int:
    with transaction(seller.sessions) as s:
        quote_id = quotes.create_quote(s, QuoteData(customer_id, list(LINES), issue_date=D(2026, 11, 2)),
                                       today=D(2026, 11, 2))
        quotes.send_quote(s, quote_id, D(2026, 11, 2))
        quotes.accept_quote(s, quote_id, D(2026, 11, 3))
    return quote_id


def taxes_of(invoice: object) -> dict[tuple[str, Decimal], tuple[int, int]]:
    return {(t.category, t.rate): (t.basis, t.amount) for t in invoice.taxes}  # type: ignore[attr-defined]


def test_deposit_partial_and_final_add_up_to_the_quote_to_the_cent(seller: Database, quote: int) -> None:
    s19, s7 = ("S", Decimal(19)), ("S", Decimal(7))
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, quote, percent="30", today=D(2026, 11, 4))
        dep = invoices.get_invoice(s, deposit)
        # 30 % of 4,633.23 net = 1,389.969 -> 1,389.97, shared 4,333.33 : 299.90 -> 1,300.00 (1299.999 up, the
        # larger remainder) and 89.97
        assert dep.type_code == "386" and taxes_of(dep) == {s19: (130000, 24700), s7: (8997, 630)}
        assert [ln.description for ln in dep.lines] == ["Acompte de 30 % sur le devis QUO-2026-00001"] * 2
        invoices.finalize_invoice(s, deposit)
        partial = quotes.invoice_quote(s, quote, [3], today=D(2026, 11, 20), partial=True)
        part = invoices.get_invoice(s, partial)
        assert part.type_code == "326" and taxes_of(part) == {s7: (29990, 2099)}  # 7 % of 299.90 = 20.993
        with pytest.raises(ConflictError, match="still a draft"):
            quotes.final_invoice(s, quote)
        invoices.finalize_invoice(s, partial)
    _pay(seller, deposit, dep.total)
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
        fin = invoices.get_invoice(s, final)
        # the whole work (7 lines' worth) less 1,300.00 at 19 %, less 89.97 and 299.90 at 7 %
        assert [ln.net for ln in fin.lines] == [400000, 33333, 29990, -130000, -8997, -29990]
        assert fin.lines[3].description.startswith("Moins Facture d'acompte INV-2026-00001 du ")
        # by hand: 19 % of 3,033.33 = 576.3327 -> 576.33; 7 % of 299.90 - 89.97 - 299.90 = -89.97 -> -6.2979 -> -6.30
        assert taxes_of(fin) == {s19: (303333, 57633), s7: (-8997, -630)}
        assert fin.total == 303333 + 57633 - 8997 - 630
        invoices.finalize_invoice(s, final)
        # what was invoiced over the three documents is the quote: per rate, to the cent
        docs = [invoices.get_invoice(s, i) for i in (deposit, partial, final)]
        q = quotes.get_quote(s, quote)
        # by hand: the quote's VAT is 19 % of 4,333.33 = 823.3327 -> 823.33 and 7 % of 299.90 = 20.993 -> 20.99;
        # invoiced: 247.00 + 576.33 = 823.33 and 6.30 + 20.99 - 6.30 = 20.99
        for key, basis, vat in ((s19, 433333, 82333), (s7, 29990, 2099)):
            assert sum(taxes_of(d).get(key, (0, 0))[0] for d in docs) == basis
            assert sum(taxes_of(d).get(key, (0, 0))[1] for d in docs) == vat
        assert sum(d.total for d in docs) == q.total == 547755
        for d in docs:
            for fmt in (EInvoiceFormat.FACTURX, EInvoiceFormat.EN16931_CII):
                _, xml = einvoicing.document_einvoice(s, d, fmt)
                check = validate(xml, fmt)
                assert check.ok, (d.type_code, check.errors)
                assert f"<ram:TypeCode>{d.type_code or '380'}</ram:TypeCode>".encode() in xml
        report = integrity.verify(s)
        assert report.ok, report.problems
        # the journal: receivables carry the open final invoice only; revenue and VAT are the quote's
        owed = ledger.receivables_by_invoice(s)
        assert owed[deposit][0] == 0 and owed[partial][0] == docs[1].total and owed[final][0] == docs[2].total
        accounts = ledger.Accounts.load(s)
        balance: dict[str, int] = {}
        journal = next(t for t in ledger.build_ledger(s, today=D(2026, 12, 1)).tables if t.name == "journal")
        for _entry, _day, _doc, _text, account, debit, credit in journal.rows():
            balance[str(account)] = balance.get(str(account), 0) + int(credit or 0) - int(debit or 0)
    assert balance[accounts.revenue] == q.subtotal == 463323  # the quote's net, booked once over three invoices
    assert balance[accounts.tax_payable] == q.tax_total == 82333 + 2099
    assert -balance[accounts.receivables] == docs[1].total + docs[2].total  # the deposit is paid


def _pay(db: Database, invoice_id: int, amount: int) -> None:
    with transaction(db.sessions) as s:
        payments.record_payment(s, invoice_id, amount, D(2026, 11, 10), "transfer", "DEP-1")


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
