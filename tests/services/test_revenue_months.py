"""The dashboard's revenue per month, read from the months the database keeps (db/summaries.py), equals the revenue
added up afresh from the documents after any mix of operations, on both engines (issue "Fast at a million
invoices")."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from invoicer.core.errors import InvoicerError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Invoice, RevenueMonth
from invoicer.services import credit_notes, customers, dashboard, invoices, payments, reports
from tests.services.helpers import make_draft

START = date(2025, 9, 1)


def from_scratch(db: Database, as_of: date, months: int) -> list[tuple[date, int]]:
    starts = dashboard.month_starts(as_of, months)
    with transaction(db.readonly_sessions) as s:
        return reports.revenue_by_month(reports.revenue(s, starts[0], as_of), starts)


def kept(db: Database) -> dict[str, int]:
    with transaction(db.readonly_sessions) as s:
        return {m: n for m, n in s.execute(select(RevenueMonth.month, RevenueMonth.net)).all() if n}


def every_month(db: Database) -> dict[str, int]:
    with transaction(db.readonly_sessions) as s:
        cells = reports.revenue(s, None, None)
    totals: dict[str, int] = {}
    for cell in cells:
        totals[f"{cell.month:%Y-%m}"] = totals.get(f"{cell.month:%Y-%m}", 0) + cell.net
    return {m: n for m, n in totals.items() if n}


@pytest.mark.parametrize("seed", [1, 2])
def test_the_kept_months_equal_the_documents_after_random_operations(seller: Database, seed: int) -> None:
    rng = random.Random(seed)
    with transaction(seller.sessions) as s:
        buyers = [customers.add_customer(s, customers.CustomerData(name=f"Buyer {n}", country="DE"))
                  for n in range(3)]
    day = START
    finalized: list[int] = []
    for _ in range(60):
        day += timedelta(days=rng.randint(0, 9))
        action = rng.random()
        target = rng.choice(finalized) if finalized else None
        if action < 0.45 or target is None:
            invoice_id = make_draft(seller, rng.choice(buyers), day)
            if rng.random() < 0.8:  # some stay drafts
                with transaction(seller.sessions) as s:
                    invoices.finalize_invoice(s, invoice_id)
                finalized.append(invoice_id)
            continue
        try:
            with transaction(seller.sessions) as s:
                invoice = s.get(Invoice, target)
                assert invoice is not None
                if action < 0.6:
                    payments.record_payment(s, target, max(invoice.total // rng.randint(1, 3), 1), day, None, None)
                elif action < 0.72:
                    credit_notes.issue_credit_note(s, target, amount=max(invoice.total // 5, 1), issue_date=day)
                elif action < 0.8:
                    credit_notes.issue_credit_note(s, target, full=True, issue_date=day)
                elif action < 0.9:
                    invoices.mark_uncollectible(s, target, "gone", day)
                else:
                    invoices.void_invoice(s, target, "mistake", day)
        except InvoicerError:  # not allowed in the document's state (a paid invoice voided...): nothing changed
            pass
        if rng.random() < 0.2:
            assert kept(seller) == every_month(seller)
    assert kept(seller) == every_month(seller) != {}
    for as_of in (day, day - timedelta(days=20), START + timedelta(days=45)):
        with transaction(seller.readonly_sessions) as s:
            assert dashboard.revenue_per_month(s, as_of) == from_scratch(seller, as_of, dashboard.MONTHS)


def test_the_demo_bulk_load_keeps_them_too_and_the_migration_fills_them_alike(seller: Database) -> None:
    from invoicer.db import summaries
    from invoicer.services import demo

    demo.generate(seller, invoices=150, seed=5, today=date(2026, 11, 20))
    assert kept(seller) == every_month(seller) != {}
    with seller.engine.begin() as conn:
        summaries.refill(conn, summaries.CURRENT)  # what migration 0029 writes from the stored documents
    assert kept(seller) == every_month(seller)


def test_a_documents_contribution_reads_only_its_own_deductions_not_every_credit_note(seller: Database) -> None:
    """Each status change of any invoice runs the triggers' rule: SQLite keeps no statistics, and under 0029's plain
    joins it began the deposits' credit notes with every credit note of the file (by an index on doc_type), so a
    change cost time in proportion to the credit notes (the demo load took 6 minutes at 100,000). Rule 0037 reads
    the document's own deductions first, then their deposits, then those deposits' credit notes by their index."""
    from invoicer.db import summaries

    if seller.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    with seller.engine.connect() as conn:
        installed = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'revenue_months_kept_update'").scalar()
        assert summaries.contribution("NEW") in installed  # the head's triggers run the current rule
        for revision, reads_every_credit_note in (("0029", True), (summaries.CURRENT, False)):
            plan = [row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT {summaries.contribution('i', revision)} FROM invoices i WHERE i.id = 1")]
            assert not any(step.startswith("SCAN") for step in plan)
            by_type = [step for step in plan if step.startswith("SEARCH c ") and step.endswith("(doc_type=?)")]
            assert bool(by_type) is reads_every_credit_note
            assert ("SEARCH c USING INDEX ix_invoices_corrects_id (corrects_id=?)" in plan) is not reads_every_credit_note
