"""Small builders for service tests."""

from __future__ import annotations

from datetime import date

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import invoices
from invoicer.services.invoices import DraftData, LineData


def three_lines() -> list[LineData]:
    return [
        LineData("Consulting", "3", "120.00", "S", "19", "HUR", discount_percent="10"),
        LineData("Book", "2", "14.995", "S", "7"),
        LineData("Hosting", "1", "49.90", "S", "19", "MON"),
    ]


def make_draft(db: Database, customer_id: int, issue: date = date(2026, 11, 2), **kw: object) -> int:
    with transaction(db.sessions) as s:
        data = DraftData(customer_id=customer_id, issue_date=issue, lines=kw.pop("lines", three_lines()), **kw)  # type: ignore[arg-type]
        return invoices.create_draft(s, data)


def make_open(db: Database, customer_id: int, issue: date = date(2026, 11, 2), **kw: object) -> int:
    invoice_id = make_draft(db, customer_id, issue, **kw)
    with transaction(db.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)
    return invoice_id
