"""The first window's read without SQLAlchemy (db/fastread.py) gives the pages the ORM path gives: same rows, order,
amounts due and badges, in every sort, for invoices and credit notes (issue "Fast at a million invoices")."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicer.core.listing import InvoiceFilter
from invoicer.db.migrate import Database, open_database
from invoicer.db.models import Invoice
from invoicer.services import credit_notes, demo, disputes, first_window, invoices, payments, store

pytestmark = pytest.mark.sqlite_only

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def business(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """Demo data, and on top of it what the demo has few of: open invoices partly paid (one in USD), partly
    credited, disputed, written off, overdue and partly paid."""
    folder = tmp_path_factory.mktemp("fastread")
    shutil.copy(template_db, folder / "invoicer.sqlite3")
    db = open_database(folder, daily_backup=False)
    demo.generate(db, invoices=400, seed=7, today=TODAY)

    def open_ones(currency: str) -> list[Invoice]:
        return list(store.read(db, lambda s: s.scalars(select(Invoice).where(
            Invoice.doc_type == "invoice", Invoice.status == "open", Invoice.paid == 0, Invoice.credited == 0,
            Invoice.currency == currency).order_by(Invoice.id)).all()))

    eur, usd = open_ones("EUR"), open_ones("USD")
    assert len(eur) >= 5 and usd
    partly, credited, disputed, written_off = eur[:4]
    store.write(db, lambda s: payments.record_payment(s, partly.id, partly.total // 3, TODAY, None, None))
    store.write(db, lambda s: payments.record_payment(s, usd[0].id, usd[0].total // 2, TODAY, None, None,
                                                      "1.1"))
    store.write(db, lambda s: credit_notes.issue_credit_note(s, credited.id, amount=credited.total // 4,
                                                             issue_date=TODAY))
    store.write(db, lambda s: disputes.open_dispute(s, disputed.id, "wrong quantity", TODAY))
    store.write(db, lambda s: invoices.mark_uncollectible(s, written_off.id, "gone", TODAY))
    for draft in store.read(db, lambda s: s.scalars(select(Invoice).where(
            Invoice.doc_type == "invoice", Invoice.status == "draft").order_by(Invoice.id).limit(3)).all()):
        store.write(db, lambda s, d=draft: _with_prepaid(s, d.id))  # a draft asks its prepaid amount less
    return db


def _with_prepaid(s: Session, invoice_id: int) -> None:
    data = invoices.draft_data(invoices.get_invoice(s, invoice_id))
    data.prepaid, data.prepaid_method = "1.00", "10"
    invoices.update_draft(s, invoice_id, data, TODAY)


def test_every_sort_gives_the_same_pages(business: Database) -> None:
    first = first_window.first_read(business.folder)
    assert first is not None
    later = TODAY + timedelta(days=60)  # many open invoices are overdue by then, some of them partly paid
    for doc_type in ("invoice", "credit_note"):
        flt = InvoiceFilter(doc_type=doc_type)
        for sort in ("number", "customer", "issue_date", "due_date", "total", "amount_due", "status", "currency"):
            for descending in (True, False):
                for offset in (0, 150):
                    fast = first.invoice_page(flt, today=later, sort=sort, descending=descending, limit=100,
                                              offset=offset)
                    orm = store.read(business, lambda s, f=flt, o=offset, so=sort, d=descending: invoices.list_invoices(
                        s, f, today=later, sort=so, descending=d, limit=100, offset=o))
                    assert fast == orm, (doc_type, sort, descending, offset)
        assert first.count(flt) == store.read(business, lambda s, f=flt: invoices.count_invoices(s, f, later))


def test_the_pages_hold_every_kind_of_document(business: Database) -> None:
    first = first_window.first_read(business.folder)
    assert first is not None
    rows = [row for day in (TODAY, TODAY + timedelta(days=60)) for row in first.invoice_page(
        InvoiceFilter(), today=day, sort="issue_date", descending=True, limit=1000)]
    shown = {row.display_status for row in rows}
    assert {"draft", "open", "paid", "overdue", "void", "uncollectible"} <= shown
    assert any(row.partially_paid and row.overdue for row in rows)
    assert any(row.partially_paid and row.currency == "USD" for row in rows)
    prepaid = store.read(business, lambda s: {i.id: i.payable - i.prepaid for i in s.scalars(select(Invoice).where(
        Invoice.status == "draft", Invoice.prepaid > 0))})
    assert len(prepaid) == 3 and {row.id: row.amount_due for row in rows if row.id in prepaid} == prepaid
    assert len({row.currency for row in rows}) > 2


def test_what_the_first_read_leaves_to_the_store(business: Database, tmp_path: Path) -> None:
    first = first_window.first_read(business.folder)
    assert first is not None
    assert not first.answers(InvoiceFilter(search="INV"), "issue_date")
    assert not first.answers(InvoiceFilter(status="open"), "issue_date")
    assert first.answers(InvoiceFilter(doc_type="credit_note"), "amount_due")
    assert first_window.first_read(tmp_path) is None  # no database yet: the normal path creates it
    behind = tmp_path / "behind"
    behind.mkdir()
    shutil.copy(business.path, behind / "invoicer.sqlite3")
    import sqlite3

    with sqlite3.connect(behind / "invoicer.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0018'")
    assert first_window.first_read(behind) is None  # to migrate: the normal path backs it up and migrates
