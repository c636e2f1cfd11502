"""Revenue per month on the dashboard, on the Reports page and in the months the database keeps agrees with the
journal's revenue account for every month (issue 14): a deposit invoice's net is an advance payment received until
the final invoice releases it, in euros as it was booked; partial invoices and their credit notes are revenue when
issued. One rule (db/summaries.py), asked by the dashboard, the reports and the triggers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from invoicer.db import summaries
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice, RevenueMonth
from invoicer.services import credit_notes, dashboard, invoices, ledger, quotes, rates, reports
from invoicer.services.invoices import LineData
from invoicer.services.quotes import QuoteData
from tests.services.helpers import make_open

D = date
LINES = [LineData("Kitchen fitting", "40", "100.00", "S", "19"), LineData("Design", "1", "333.33", "S", "19"),
         LineData("Cookbooks", "10", "29.99", "S", "7")]
NOV, DEC = D(2026, 11, 1), D(2026, 12, 1)


def _accepted_quote(db: Database, customer_id: int, currency: str | None = None) -> int:
    with transaction(db.sessions) as s:
        quote_id = quotes.create_quote(s, QuoteData(customer_id, list(LINES), currency=currency,
                                                    issue_date=D(2026, 11, 2)), today=D(2026, 11, 2))
        quotes.send_quote(s, quote_id, D(2026, 11, 2))
        quotes.accept_quote(s, quote_id, D(2026, 11, 3))
    return quote_id


def _journal_revenue(db: Database, month: date) -> dict[str, int]:
    """Credit less debit of the revenue and advance accounts over the journal of one month."""
    end = D(month.year + month.month // 12, month.month % 12 + 1, 1).toordinal() - 1
    with transaction(db.readonly_sessions) as s:
        accounts = ledger.Accounts.load(s)
        book = ledger.build_ledger(s, date_from=month, date_to=D.fromordinal(end), today=D(2027, 1, 31))
        rows = [r for t in book.tables if t.name == "journal" for r in t.rows()]
    found = {"revenue": 0, "advances": 0}
    for _entry, _day, _doc, _text, account, debit, credit in rows:
        key = "revenue" if account == accounts.revenue else "advances" if account == accounts.advances else None
        if key:
            found[key] += int(credit or 0) - int(debit or 0)  # type: ignore[call-overload]
    return found


def _figures(db: Database) -> dict[str, dict[date, int]]:
    """Revenue of November and December 2026 as each front-end reads it."""
    with transaction(db.readonly_sessions) as s:
        shown = dict(dashboard.revenue_per_month(s, D(2026, 12, 31), 2))
        report = dict(reports.period_report(s, NOV, D(2026, 12, 31), today=D(2027, 1, 31)).by_month)
        kept = {D.fromisoformat(f"{m}-01"): int(n) for m, n in s.execute(select(RevenueMonth.month, RevenueMonth.net))}
    return {"dashboard": shown, "reports": report, "kept": {m: kept.get(m, 0) for m in (NOV, DEC)}}


def test_revenue_per_month_is_the_journals_deposits_included_in_any_currency(seller: Database,
                                                                                customer_id: int) -> None:
    with transaction(seller.sessions) as s:
        rates.set_rate(s, "USD", "0.9", D(2026, 10, 1))
        rates.set_rate(s, "USD", "0.8", D(2026, 12, 1))
    euro, dollar = _accepted_quote(seller, customer_id), _accepted_quote(seller, customer_id, "USD")
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, euro, percent="30", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)  # 1,300.00 at 19 %, 89.97 at 7 %
        usd_deposit = quotes.deposit_invoice(s, dollar, amount="1000", today=D(2026, 11, 6))
        invoices.finalize_invoice(s, usd_deposit)  # 1,000.00 USD at 0.90: 900.00 EUR
        partial = quotes.invoice_quote(s, euro, [3], today=D(2026, 11, 20), partial=True)
        invoices.finalize_invoice(s, partial)  # 299.90 delivered
    ordinary = make_open(seller, customer_id, D(2026, 11, 25), lines=[LineData("Repair", "1", "250.00", "S", "19")])
    with transaction(seller.sessions) as s:
        # the deposit's 7 % line taken back (an advance returned, not revenue); 50.00 of the partial invoice
        # credited (revenue taken back)
        line = next(ln for ln in invoices.get_invoice(s, deposit).lines if ln.tax_rate == 7)
        credit_notes.issue_credit_note(s, deposit, lines=[credit_notes.CreditLine(line.id, "1")],
                                       issue_date=D(2026, 11, 21))
    with transaction(seller.sessions) as s:
        credit_notes.issue_credit_note(s, partial, amount=5350, issue_date=D(2026, 11, 22))  # 50.00 + 3.50 VAT
    november = 25000 + 29990 - 5000
    assert _journal_revenue(seller, NOV) == {"revenue": november, "advances": 130000 + 90000}
    for name, months in _figures(seller).items():
        assert months[NOV] == november, name  # deposits are not revenue yet
    with transaction(seller.sessions) as s:
        final = quotes.final_invoice(s, euro, today=D(2026, 12, 1))
        invoices.finalize_invoice(s, final)
        usd_final = quotes.final_invoice(s, dollar, today=D(2026, 12, 2))
        invoices.finalize_invoice(s, usd_final)  # at 0.80
        fin, usd_fin = invoices.get_invoice(s, final), invoices.get_invoice(s, usd_final)
        assert usd_fin.exchange_rate == Decimal("0.8")
        # the whole work less the partial invoice (what it still stands for, 249.90) and the 1,300.00 deposit
        assert fin.company_subtotal == 463323 - 24990 - 130000
        # the whole work less 1,000.00 USD, at 0.80: 3,633.23 USD = 2,906.584 -> 2,906.58 EUR
        assert usd_fin.company_subtotal == 290658
    # December: both final invoices' own net plus the advances they release, as booked (1,300.00 and 900.00)
    december = fin.company_subtotal + 130000 + usd_fin.company_subtotal + 90000
    assert _journal_revenue(seller, DEC) == {"revenue": december, "advances": -(130000 + 90000)}
    for name, months in _figures(seller).items():
        assert (months[NOV], months[DEC]) == (november, december), name
    # what the Reports page shows per customer adds up to the same, and the migration's refill agrees
    with transaction(seller.readonly_sessions) as s:
        assert sum(r.net for r in reports.revenue_by_customer(reports.revenue(s, NOV, D(2026, 12, 31)))) == (
            november + december)
    with seller.engine.begin() as conn:
        summaries.refill(conn, summaries.CURRENT)
    assert _figures(seller)["kept"] == {NOV: november, DEC: december}
    # a final invoice voided releases nothing: its month loses its net and the release, the advance stands again
    with transaction(seller.sessions) as s:
        invoices.void_invoice(s, usd_final, "wrong rate", D(2026, 12, 3))
    december -= usd_fin.company_subtotal + 90000
    assert _journal_revenue(seller, DEC) == {"revenue": december, "advances": -130000}
    for name, months in _figures(seller).items():
        assert (months[NOV], months[DEC]) == (november, december), name
    with transaction(seller.readonly_sessions) as s:
        assert s.scalar(select(Invoice.status).where(Invoice.id == ordinary)) == "open"


def test_migration_0029_counts_the_stored_deposits_afresh_and_its_downgrade_as_before(seller: Database,
                                                                                      customer_id: int) -> None:
    from invoicer.db.migrate import migrate

    quote = _accepted_quote(seller, customer_id)
    with transaction(seller.sessions) as s:
        deposit = quotes.deposit_invoice(s, quote, percent="30", today=D(2026, 11, 4))
        invoices.finalize_invoice(s, deposit)
    make_open(seller, customer_id, D(2026, 11, 25), lines=[LineData("Repair", "1", "250.00", "S", "19")])
    assert _figures(seller)["kept"][NOV] == 25000
    migrate(seller.engine, "0028", downgrade=True)  # the triggers of 0023 again: the deposit's net counted
    assert _figures(seller)["kept"][NOV] == 25000 + 138997
    migrate(seller.engine)
    assert _figures(seller)["kept"][NOV] == 25000
    with transaction(seller.sessions) as s:  # and the triggers keep it so
        final = quotes.final_invoice(s, quote, today=D(2026, 12, 1))
        invoices.finalize_invoice(s, final)
    assert _figures(seller)["kept"] == {NOV: 25000, DEC: 463323 - 138997 + 138997}
