"""The invoice list sorted by amount due or by customer (issue sort19): the same rows in the same order as computed
in Python from the documents (core.workflow.amount_due; the customer's name), ties by id, both directions, with and
without filters; and the first page read in index order, not by sorting every document (migration 0038)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from invoicer.core.listing import InvoiceFilter
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import Customer, Invoice
from invoicer.services import credit_notes, demo, invoices, payments, store
from tests.services.helpers import statements_sent

TODAY = date(2026, 11, 20)
LATER = TODAY + timedelta(days=60)  # many open invoices overdue by then


def _mixed(db: Database) -> None:
    """Demo data (paid, open, void, credit notes, drafts, other currencies) and what it has few of: drafts with a
    prepaid amount, partly paid and partly credited invoices, and two customers of the same name (their documents
    then mix in the customer order, by id)."""
    demo.generate(db, invoices=300, seed=11, today=TODAY)
    opened = store.read(db, lambda s: list(s.scalars(select(Invoice).where(
        Invoice.doc_type == "invoice", Invoice.status == "open", Invoice.paid == 0, Invoice.credited == 0)
        .order_by(Invoice.id).limit(3))))
    store.write(db, lambda s: payments.record_payment(s, opened[0].id, opened[0].total // 3, TODAY, None, None))
    store.write(db, lambda s: credit_notes.issue_credit_note(s, opened[1].id, amount=opened[1].total // 4,
                                                             issue_date=TODAY))
    for draft in store.read(db, lambda s: list(s.scalars(select(Invoice.id).where(
            Invoice.doc_type == "invoice", Invoice.status == "draft").order_by(Invoice.id).limit(4)))):
        store.write(db, lambda s, d=draft: _with_prepaid(s, d))
    with transaction(db.sessions) as s:
        first, second = s.scalars(select(Customer.id).order_by(Customer.id).limit(2))
        s.execute(update(Customer).where(Customer.id == second).values(
            name=select(Customer.name).where(Customer.id == first).scalar_subquery()))


def _with_prepaid(s: Session, invoice_id: int) -> None:
    data = invoices.draft_data(invoices.get_invoice(s, invoice_id))
    data.prepaid, data.prepaid_method = "1.00", "10"
    invoices.update_draft(s, invoice_id, data, TODAY)


def _keys(s: Session, doc_type: str) -> dict[int, dict[str, Any]]:
    """Each document's sort keys, computed in Python from its row."""
    return {i.id: {"amount_due": i.amount_due, "customer": i.customer.name}
            for i in s.scalars(select(Invoice).where(Invoice.doc_type == doc_type))}


FILTERS = [
    InvoiceFilter(), InvoiceFilter(doc_type="credit_note"), InvoiceFilter(status="open"),
    InvoiceFilter(status="draft"), InvoiceFilter(status="overdue"), InvoiceFilter(status="partially paid"),
    InvoiceFilter(overdue=True), InvoiceFilter(date_from=TODAY - timedelta(days=200), date_to=TODAY),
    InvoiceFilter(search="INV"),
]


def test_sorted_by_amount_due_or_customer_in_the_reference_order(db: Database) -> None:
    _mixed(db)
    with db.readonly_sessions() as s:
        assert len(set(s.scalars(select(Invoice.status)))) >= 5
        assert s.scalar(select(func.count(func.distinct(Invoice.customer_id))).join(Customer).where(
            Invoice.doc_type == "invoice", Customer.name == select(Customer.name).order_by(Customer.id).limit(1)
            .scalar_subquery())) == 2  # two customers of one name, both with invoices
        for flt in [*FILTERS, InvoiceFilter(customer_id=s.scalar(select(func.min(Invoice.customer_id))))]:
            keys = _keys(s, flt.doc_type)
            chosen = {r.id for r in invoices.list_invoices(s, flt, today=LATER)}
            assert chosen, flt
            for sort in ("amount_due", "customer"):
                for descending in (True, False):
                    expected = sorted(chosen, key=lambda i, so=sort: (keys[i][so], i), reverse=descending)
                    listed = [r.id for r in invoices.list_invoices(s, flt, today=LATER, sort=sort,
                                                                   descending=descending)]
                    assert listed == expected, (flt, sort, descending)
                    pages = [r.id for offset in range(0, len(expected), 40) for r in invoices.list_invoices(
                        s, flt, today=LATER, sort=sort, descending=descending, limit=40, offset=offset)]
                    assert pages == expected, (flt, sort, descending)


def _sent(db: Database, work: Callable[[Session], object]) -> list[tuple[str, Any]]:
    return statements_sent(db, work, lambda statement: "ORDER BY" in statement)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("descending", [True, False])
def test_the_first_page_is_read_in_index_order(db: Database, descending: bool) -> None:
    """The page's ids are read in order from ix_invoices_type_amount_due / the customers' name index and
    ix_invoices_type_customer_id: no temporary b-tree for the whole ORDER BY (one for the ids of customers of
    the same name is allowed: those are one name's documents); the outer statement sorts only the page."""
    demo.generate(db, invoices=60, seed=3, today=TODAY)
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    for sort, reads in (("amount_due", ["ix_invoices_type_amount_due"]),
                        ("customer", ["ix_customers_name", "ix_invoices_type_customer_id"])):
        ((sql, params),) = _sent(db, lambda s, so=sort: invoices.list_invoices(
            s, sort=so, descending=descending, limit=200))
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
        (subquery,) = [node for node, _parent, _, step in plan if "SUBQUERY" in step and "SCALAR" not in step]
        page = [step for _node, parent, _, step in plan if parent == subquery]
        assert all(any(index in step for step in page) for index in reads), plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in page, plan
        # a filter's documents are found from its own index, not by walking those orders (they may be far apart)
        for flt in (InvoiceFilter(status="open"), InvoiceFilter(status="overdue")):
            ((sql, params),) = _sent(db, lambda s, so=sort, f=flt: invoices.list_invoices(
                s, f, today=LATER, sort=so, descending=descending, limit=200))
            with db.engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            assert not any(index in step for *_, step in plan
                           for index in ("ix_invoices_type_amount_due", "ix_invoices_type_customer_id")), plan
