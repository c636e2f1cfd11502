"""Period-end agreement over demo data: for any period end, the ledger's aged receivables, the journal's
receivables account and the customer list as of that day are the same money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database, open_database
from invoicer.services import credit_notes, customers, demo, invoices, ledger, payments
from invoicer.services.invoices import LineData
from tests.cli.invocations import ok

from .helpers import make_open

TODAY = date(2026, 12, 4)
PERIOD_ENDS = [date(2025, 6, 30), date(2025, 12, 31), date(2026, 3, 31), date(2026, 10, 31), date(2026, 11, 30)]
# as of today the reports read the amounts kept on each invoice (customers.current_receivables), not the events
AS_OF_TODAY = max(TODAY, date.today())


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = open_database(tmp_path_factory.mktemp("demo"), daily_backup=False)
    demo.generate(db, invoices=400, seed=7, today=TODAY)
    yield db
    db.close()


def table(tables: tuple[object, ...], name: str) -> list[tuple[object, ...]]:
    found = next(t for t in tables if t.name == name)  # type: ignore[attr-defined]
    return [tuple(row) for row in found.rows()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("end", [*PERIOD_ENDS, AS_OF_TODAY], ids=str)
def test_aged_receivables_journal_and_customer_list_agree_at_the_period_end(books: Database, end: date) -> None:
    with transaction(books.readonly_sessions) as s:
        book = ledger.build_ledger(s, date_to=end, today=TODAY)
        company = book.company_currency
        receivables = str(ledger.Accounts.load(s).receivables)
        currency_of = {row[0]: row[6] for row in table(book.tables, "invoices")}
        currency_of.update({row[0]: row[6] for row in table(book.tables, "credit_notes")})
        journal = sum(int(row[5] or 0) - int(row[6] or 0) for row in table(book.tables, "journal")
                      if row[4] == receivables and currency_of[row[2]] == company)
        aged = sum(int(row[7]) for row in table(book.tables, "aged_receivables") if row[1] == company)  # type: ignore[call-overload]
        listed = sum(r.balance for r in customers.list_customers(s, include_archived=True, as_of=end)
                     if r.currency == company)
        # every currency, at the rates locked at finalize: the receivables account itself, to the cent
        whole_journal = sum(int(row[5] or 0) - int(row[6] or 0) for row in table(book.tables, "journal")
                            if row[4] == receivables)
        whole_aged = sum(int(row[8]) for row in table(book.tables, "aged_receivables"))  # type: ignore[call-overload]
    assert journal > 0
    assert aged == journal == listed
    assert whole_aged == whole_journal > journal


@pytest.mark.parametrize("end", [PERIOD_ENDS[-1], AS_OF_TODAY], ids=str)
def test_aged_receivables_are_one_query_and_value_each_foreign_invoice_on_its_own(books: Database, end: date) -> None:
    """One statement on a past day as on today (a second one for the foreign-currency invoices read every dated
    event again: 53 -> 80 ms at 20,000 invoices), and each foreign invoice valued on its own at its locked rate."""
    from sqlalchemy import event

    from invoicer.core.totals import owed_in_company_currency
    from invoicer.db.models import Invoice
    from invoicer.services import reports
    from invoicer.services.customers import receivables_on

    sent: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    with transaction(books.readonly_sessions) as s:
        company = s.execute(select(Invoice.company_currency).where(Invoice.company_currency.is_not(None))).scalar()
        event.listen(books.engine, "before_cursor_execute", keep)
        try:
            rows = reports.aged_receivables(s, end)
        finally:
            event.remove(books.engine, "before_cursor_execute", keep)
        owed = receivables_on(end)
        expected: dict[tuple[int, str], int] = {}
        for customer_id, currency, due, total, company_total, rate in s.execute(
                select(owed.c.customer_id, owed.c.currency, owed.c.due, Invoice.total, Invoice.company_total,
                       Invoice.exchange_rate).join(Invoice, Invoice.id == owed.c.invoice_id)):
            value = due if currency == company else owed_in_company_currency(
                int(due), total, company_total, currency, company, rate)
            expected[(customer_id, currency)] = expected.get((customer_id, currency), 0) + value
    assert [q for q in sent if q.lstrip().upper().startswith(("SELECT", "WITH"))] == sent and len(sent) == 1
    assert {r.currency for r in rows} - {company}, "some customer owes in another currency"
    assert {(r.customer_id, r.currency): r.company_total for r in rows} == {k: v for k, v in expected.items() if v}
    assert all(r.total == sum(r.buckets.values()) > 0 for r in rows)


@pytest.mark.parametrize("end", PERIOD_ENDS[-2:], ids=str)
def test_tax_summary_in_the_company_currency_equals_the_journals_vat(books: Database, end: date) -> None:
    start = end.replace(day=1)
    with transaction(books.readonly_sessions) as s:
        book = ledger.build_ledger(s, date_from=start, date_to=end, today=TODAY)
        vat = str(ledger.Accounts.load(s).tax_payable)
        summary = table(book.tables, "tax_summary")
        # the whole VAT account: documents, write-offs (the bad-debt correction) and recovery payments
        journal = sum(int(row[6] or 0) - int(row[5] or 0) for row in table(book.tables, "journal") if row[4] == vat)
    assert {row[1] for row in summary} - {book.company_currency}, "the month has foreign-currency documents"
    assert sum(int(row[11]) for row in summary) == journal  # type: ignore[call-overload]
    # in the company currency itself both columns are the same money, but for the bad-debt correction
    assert all(row[9] + row[13] == row[11] for row in summary if row[1] == book.company_currency)  # type: ignore[operator]


def test_what_invoices_owe_now_equals_what_their_dated_events_leave_owing(books: Database) -> None:
    with transaction(books.readonly_sessions) as s:
        now, dated = customers.current_receivables(), customers.dated_receivables(AS_OF_TODAY)
        kept = set(s.execute(select(now).where(now.c.due > 0)))
        from_events = set(s.execute(select(dated).where(dated.c.due > 0)))
    assert len(kept) > 10
    assert kept == from_events


SEPT, OCT_END, NOV_END = date(2026, 9, 15), date(2026, 10, 31), date(2026, 11, 30)


def _widget(price: str = "100.00") -> list[LineData]:
    return [LineData("Widget", "1", price, "S", "19")]


@pytest.fixture
def october(seller: Database, customer_id: int) -> Database:
    """A September invoice paid in part in October; four October invoices, each settled after the period end by a
    different path (payment, credit note, write-off, overpayment); one November invoice."""
    sept = make_open(seller, customer_id, SEPT, lines=_widget())
    paid, credited, written_off, overpaid = (make_open(seller, customer_id, date(2026, 10, day), lines=_widget(price))
                                             for day, price in ((5, "100.00"), (10, "200.00"), (15, "100.00"),
                                                                (25, "100.00")))
    make_open(seller, customer_id, date(2026, 11, 3), lines=_widget())
    with transaction(seller.sessions) as s:
        payments.record_payment(s, sept, 1900, date(2026, 10, 2))
        payments.record_payment(s, paid, 5000, date(2026, 10, 20))
        payments.record_payment(s, paid, 6900, date(2026, 11, 10))
        credit_notes.issue_credit_note(s, credited, amount=3800, reason="Goodwill", issue_date=date(2026, 11, 5))
        invoices.mark_uncollectible(s, written_off, "insolvent", on=date(2026, 11, 20))
        payments.record_payment(s, overpaid, 15000, date(2026, 11, 3))  # 31.00 over: customer credit
    return seller


def _three_figures(db: Database, end: date) -> tuple[tuple[int, int, int], tuple[int, int]]:
    """What is owed on ``end`` by the ledger's aged receivables for the month ending then, the journal's receivables
    account posted by then, and ``customer list --as-of``; and the customer's credit by the journal's customer-credit
    account and by the list."""
    with transaction(db.readonly_sessions) as s:
        month = ledger.build_ledger(s, date_from=end.replace(day=1), date_to=end, today=TODAY)
        aged = sum(int(row[7]) for row in table(month.tables, "aged_receivables"))  # type: ignore[call-overload]
        history = ledger.build_ledger(s, date_to=end, today=TODAY)
        accounts = ledger.Accounts.load(s)
        posted = [row for row in table(history.tables, "journal") if row[1] <= end]  # type: ignore[operator]
    receivables = sum(int(r[5] or 0) - int(r[6] or 0) for r in posted if r[4] == str(accounts.receivables))
    credit = sum(int(r[6] or 0) - int(r[5] or 0) for r in posted if r[4] == str(accounts.customer_credit))
    (listed,) = ok(db.folder, "customer", "list", "--as-of", end.isoformat())
    return (aged, receivables, minor(listed["balance"])), (credit, minor(listed["credit"]))


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


def test_the_ledger_journal_and_customer_list_agree_when_money_arrives_after_the_period_end(october: Database) -> None:
    # 100.00 left of September's, 69.00 of the one paid in part in October, three October invoices in full:
    # nothing dated after 31 October counts yet
    assert _three_figures(october, OCT_END) == ((10000 + 6900 + 23800 + 11900 + 11900,) * 3, (0, 0))
    # by 30 November: September's 100.00, the credited one less 38.00 and November's; the overpayment is credit
    assert _three_figures(october, NOV_END) == ((10000 + 20000 + 11900,) * 3, (3100, 3100))


@pytest.mark.sqlite_only
def test_aged_receivables_as_of_today_read_the_open_invoices_index_alone(books: Database) -> None:
    """Every part of today's report reads ix_invoices_open (0031), never the invoices' table: the foreign-currency
    invoices one by one, the company currency's sums one range of due dates per bucket. Reading the foreign ones
    from the table made the report 16-24 ms at 100,000 invoices; walking the whole index per bucket, 18 ms."""
    from invoicer.services import reports

    with transaction(books.readonly_sessions) as s:
        compiled = reports._aged_now().compile(s.bind)
        given = compiled.construct_params({edge.key: TODAY.isoformat() for edge in reports.EDGES})
        parameters = tuple(given[key] for key in compiled.positiontup or ())
        plan = [str(row[-1]) for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                                                       parameters)]
    reads = [step for step in plan if step.startswith(("SCAN invoices", "SEARCH invoices"))]
    assert len(reads) == 6, plan  # the foreign-currency invoices, then one part per bucket
    assert all(step.startswith("SEARCH invoices USING COVERING INDEX ix_invoices_open (doc_type=? AND status=? AND "
                               "due_date>") for step in reads), plan
    assert all("due_date>? AND due_date<?" in step for step in reads[2:5]), plan  # a bucket's range, not the rest


@pytest.mark.sqlite_only
def test_receivables_on_a_past_day_read_only_the_invoices_that_can_owe_then(books: Database) -> None:
    """A past period end reads the invoices open or written off now and those with money or a credit note dated
    after it, each by its id, and the payments after it through ix_payments_paid_on (0031): not every invoice ever
    issued and every payment (410 -> 72 ms at 100,000 invoices)."""
    from sqlalchemy.dialects import sqlite

    owed = customers.dated_receivables(PERIOD_ENDS[-1])
    sql = str(select(owed).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with transaction(books.readonly_sessions) as s:
        plan = [str(row[-1]) for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    assert "SEARCH payments USING COVERING INDEX ix_payments_paid_on (paid_on>?)" in plan, plan
    assert not [step for step in plan if step.startswith("SCAN payments")], plan
    invoices = [step for step in plan if step.startswith(("SCAN invoices", "SEARCH invoices"))
                and "issue_date>?" not in step and "status=?" not in step and "issue_date<?" not in step]
    assert invoices == ["SEARCH invoices USING INTEGER PRIMARY KEY (rowid=?)"], plan
