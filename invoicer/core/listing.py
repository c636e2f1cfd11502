"""A document as the lists show it, and the filter a list asks for: plain data, made the same way by every read
path (the ORM's queries in services/invoices.py and the first window's plain sqlite3 read in db/fastread.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from invoicer.core.workflow import amount_due, display_status, is_partially_paid


@dataclass
class InvoiceFilter:
    doc_type: str = "invoice"
    status: str | None = None  # a stored status, or "overdue" / "partially paid"
    customer_id: int | None = None
    overdue: bool = False
    search: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def is_everything(self) -> bool:
        """No search and no filter: every document of its type."""
        return self == InvoiceFilter(doc_type=self.doc_type)


@dataclass(frozen=True)
class InvoiceRow:
    """A document as listed (invoices page, CLI list)."""

    id: int
    doc_type: str
    number: str | None
    status: str
    display_status: str
    overdue: bool
    partially_paid: bool
    customer_id: int
    customer_name: str
    currency: str
    issue_date: date
    due_date: date | None
    total: int
    amount_due: int
    buyer_reference: str | None
    disputed: bool = False  # the customer contests it (an open dispute)


def invoice_row(
    *, id: int, doc_type: str, number: str | None, status: str, customer_id: int, customer_name: str, currency: str,
    issue_date: date, due_date: date | None, total: int, paid: int, credited: int, buyer_reference: str | None,
    today: date, rounding: int, prepaid: int, disputed: bool = False,
) -> InvoiceRow:
    """The listed row of a stored document: its amount due and the statuses its badges show, derived as
    ``core.workflow`` says (never stored)."""
    payable = total + rounding  # what the invoice asks: its total with the rounding amount (BT-114)
    due = amount_due(doc_type, status, payable, paid, credited, prepaid=prepaid)
    shown = display_status(status, due_date, payable, due, today)
    return InvoiceRow(
        id=id, doc_type=doc_type, number=number, status=status, display_status=shown, overdue=shown == "overdue",
        partially_paid=is_partially_paid(status, payable, due), customer_id=customer_id, customer_name=customer_name,
        currency=currency, issue_date=issue_date, due_date=due_date, total=total, amount_due=due,
        buyer_reference=buyer_reference, disputed=disputed,
    )
