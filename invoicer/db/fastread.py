"""What the first window shows, read from the SQLite file with the standard library alone (no SQLAlchemy).

Importing SQLAlchemy and mapping the models takes longer than Qt needs to paint a window, so the window first
shows what it reads here: whether the file is at this version's schema, the interface language, and the first
rows and count of the document lists (unfiltered, in any column's order). The ORM path (services/invoices.py)
answers everything else and takes over once loaded; both make their rows with ``core.listing.invoice_row``, and
tests/services/test_fastread.py holds them to the same pages. Every statement of this read path is in this module.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from invoicer.core.listing import InvoiceRow, invoice_row
from invoicer.db import cipher

# The newest revision in migrations/versions; tests/migrations keeps it equal to Alembic's own head.
HEAD_REVISION = "0038"

_REVISION = "SELECT version_num FROM alembic_version"
_SETTING = "SELECT value FROM settings WHERE key = ?"
_COUNT = "SELECT count(*) FROM invoices WHERE doc_type = ?"
#: the SQL of each sort key, as services/invoices.py orders by it (amount due as customers.due_expression)
_SORTS = {
    "number": "i.number",
    "customer": "c.name",
    "issue_date": "i.issue_date",
    "due_date": "i.due_date",
    "total": "i.total",
    "status": "i.status",
    "currency": "i.currency",
    # the expression ix_invoices_type_amount_due holds (models.amount_due_sql), constants and all: the index is read
    # only for the same expression
    "amount_due": "CASE WHEN (i.doc_type != 'invoice' OR i.status = 'void') THEN 0 "
                  "ELSE max((((i.total + i.rounding_amount) - CASE WHEN (i.status = 'draft') THEN i.prepaid ELSE 0 END) "
                  "- i.paid) - i.credited, 0) END",
}
#: where the page's ids are read from: by customer, the customers by name and each one's documents in id order
#: (CROSS JOIN: SQLite reads the customers first), as list_invoices does
_SOURCES = {"customer": "customers AS c CROSS JOIN invoices AS i ON c.id = i.customer_id"}
# the page's ids first, then their columns (as the ORM path does: a sort without an index of its own reads the few
# columns it needs from a covering index, not every whole row)
_PAGE = """
SELECT i.id, i.doc_type, i.number, i.status, i.customer_id, c.name, i.currency, i.issue_date, i.due_date,
       i.total, i.paid, i.credited, i.buyer_reference, i.rounding_amount, i.prepaid,
       EXISTS (SELECT 1 FROM invoice_disputes AS d WHERE d.invoice_id = i.id AND d.closed_on IS NULL)
FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id
WHERE i.id IN (SELECT i.id FROM {source} WHERE i.doc_type = ? ORDER BY {order} LIMIT ? OFFSET ?)
ORDER BY {order}
"""


def sorts() -> frozenset[str]:
    """The sort keys this read path answers."""
    return frozenset(_SORTS)


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection of its own (so any thread may read; nothing is shared between calls)."""
    conn = cipher.open_file(path, None, readonly=True)
    try:
        yield conn
    finally:
        conn.close()


def readable(path: Path) -> bool:
    """Can the first window read this file here: a plain (not encrypted) SQLite file at ``HEAD_REVISION``? False for
    anything else (missing, encrypted, damaged, to be migrated): the normal path opens those and says what is wrong."""
    if not path.is_file() or path.stat().st_size == 0 or cipher.is_encrypted(path):
        return False
    try:
        with _reading(path) as conn:
            row = conn.execute(_REVISION).fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == HEAD_REVISION


def setting(path: Path, key: str) -> object:
    """A setting's stored value (decoded JSON), None when it is not stored."""
    with _reading(path) as conn:
        row = conn.execute(_SETTING, (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def invoice_page(path: Path, doc_type: str, *, today: date, sort: str = "issue_date", descending: bool = True,
                 limit: int, offset: int = 0) -> list[InvoiceRow]:
    """Every document of ``doc_type`` in the order of ``sort`` (one of ``sorts()``, then by id), ``limit`` rows from
    ``offset``: the rows services.invoices.list_invoices gives for an unfiltered list."""
    way = "DESC" if descending else "ASC"
    sql = _PAGE.format(order=f"{_SORTS[sort]} {way}, i.id {way}",
                       source=_SOURCES.get(sort, "invoices AS i"))
    with _reading(path) as conn:
        found = conn.execute(sql, (doc_type, limit, offset)).fetchall()
    return [
        invoice_row(
            id=id_, doc_type=kind, number=number, status=status, customer_id=customer_id, customer_name=name,
            currency=currency, issue_date=date.fromisoformat(issued), due_date=date.fromisoformat(due) if due else None,
            total=total, paid=paid, credited=credited, buyer_reference=reference, today=today,
            rounding=rounding, prepaid=prepaid, disputed=bool(disputed),
        )
        for (id_, kind, number, status, customer_id, name, currency, issued, due, total, paid, credited, reference,
             rounding, prepaid, disputed)
        in found
    ]


def count_documents(path: Path, doc_type: str) -> int:
    """How many documents of ``doc_type`` there are (an unfiltered list's count)."""
    with _reading(path) as conn:
        return int(conn.execute(_COUNT, (doc_type,)).fetchone()[0])
