"""Searching the invoice list: number and buyer reference from their start (any common capitalisation), the
customer's name anywhere, wildcards typed by the user taken literally, and the same answer whichever plan
(through the search indexes, or row by row in sort order) the list uses."""

from __future__ import annotations

from datetime import date

import pytest

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import customers, invoices
from invoicer.services.invoices import InvoiceFilter
from tests.services.helpers import make_draft, make_open

TODAY = date(2026, 11, 21)


@pytest.fixture
def documents(seller: Database, customer_id: int) -> dict[str, int]:
    with transaction(seller.sessions) as s:
        other = customers.add_customer(s, customers.CustomerData(name="Globex 100% AG", country="DE"))
    return {
        "po": make_open(seller, customer_id, date(2026, 11, 2), buyer_reference="PO-4711"),
        "star": make_open(seller, other, date(2026, 11, 3), buyer_reference="Order *7"),
        "draft": make_draft(seller, other, date(2026, 11, 4), buyer_reference="po-4712"),
    }


def found(db: Database, text: str, **filters: object) -> set[int]:
    flt = InvoiceFilter(search=text, **filters)  # type: ignore[arg-type]
    with transaction(db.readonly_sessions) as s:
        ids = {r.id for r in invoices.list_invoices(s, flt, today=TODAY)}
        assert invoices.count_invoices(s, flt, TODAY) == len(ids)
    return ids


@pytest.mark.parametrize("narrow", [0, 10_000], ids=["row by row", "through the indexes"])
def test_what_a_search_finds(seller: Database, documents: dict[str, int], narrow: int,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invoices, "NARROW_SEARCH", narrow)
    monkeypatch.setattr(invoices, "NARROW_COUNT", narrow)
    po, star, draft = documents["po"], documents["star"], documents["draft"]
    assert found(seller, "INV-2026-0000") == {po, star}
    assert found(seller, "inv-2026-00002") == {star}  # typed in small letters
    assert found(seller, "PO-47") == found(seller, "po-47") == {po, draft}
    assert found(seller, "4711") == set()  # references match from their start
    assert found(seller, "acme") == {po}  # the customer's name anywhere
    assert found(seller, "100%") == {star, draft}  # "%" is a percent sign, not a wildcard
    assert found(seller, "100_") == set()
    assert found(seller, "Order *") == {star} and found(seller, "Order ?") == set()  # nor are * and ?
    assert found(seller, "po-47", status="draft") == {draft}
    assert found(seller, "  ") == {po, star, draft}  # blanks are no search
    assert found(seller, "INV", doc_type="credit_note") == set()


@pytest.mark.parametrize("narrow", [0, 10_000], ids=["row by row", "through the indexes"])
def test_a_document_matched_by_its_customer_and_its_reference_is_counted_once(
        seller: Database, documents: dict[str, int], narrow: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count takes a matching customer's documents from its index and adds the other customers' number and
    reference matches: a document found both ways is one."""
    monkeypatch.setattr(invoices, "NARROW_SEARCH", narrow)
    monkeypatch.setattr(invoices, "NARROW_COUNT", narrow)
    with transaction(seller.sessions) as s:
        trading = customers.add_customer(s, customers.CustomerData(name="PO-47 Trading", country="DE"))
    both = make_open(seller, trading, date(2026, 11, 5), buyer_reference="PO-4713")
    named = make_draft(seller, trading, date(2026, 11, 6))
    assert found(seller, "po-47") == {documents["po"], documents["draft"], both, named}
    assert found(seller, "trading") == {both, named}


@pytest.mark.sqlite_only
def test_a_number_or_reference_prefix_is_read_as_a_range_of_its_index(seller: Database) -> None:
    # "(number GLOB 'x*') = 1" (as a boolean function was written before) walks every document of the type
    from sqlalchemy import select

    from invoicer.db.models import Invoice

    flt = InvoiceFilter(search="INV-20")
    stmt = select(Invoice.id).where(Invoice.id.in_(invoices._search_ids(flt)))
    with transaction(seller.readonly_sessions) as s:
        sql = str(stmt.compile(s.bind, compile_kwargs={"literal_binds": True}))
        plan = [str(row[-1]) for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    prefixes = [step for step in plan if "ix_invoices_type_number" in step or "ix_invoices_type_reference" in step]
    assert len(prefixes) == 6  # INV-20, inv-20 and Inv-20, in both columns
    assert all("number>? AND number<?" in step or "buyer_reference>? AND buyer_reference<?" in step
               for step in prefixes), plan
