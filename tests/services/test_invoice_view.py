"""The invoice view: every figure of a document with discounts, charges, a payment and credit notes,
checked against arithmetic done here by hand, and the view of a draft and of a credit note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicer.core.errors import NotFoundError
from invoicer.core.totals import Balance, TaxSubtotal
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services.views import InvoiceView, invoice_view
from tests.services.helpers import make_draft, settled_invoice

DAY = date(2026, 11, 10)


def view(db: Database, invoice_id: int, today: date = DAY) -> InvoiceView:
    with transaction(db.readonly_sessions) as s:
        return invoice_view(s, invoice_id, today)


def test_the_view_of_a_settled_invoice_adds_up(db: Database) -> None:
    shown = view(db, settled_invoice(db))
    totals = shown.totals
    # lines: 3 x 120.00 less 10 % = 324.00; 2 x 14.995 = 29.99; 49.90
    assert [line.net for line in shown.lines] == [32400, 2999, 4990]
    assert [line.discount for line in shown.lines] == [3600, 0, 0]
    assert totals.subtotal == 32400 + 2999 + 4990
    assert (totals.allowance_total, totals.charge_total) == (2000, 590)
    assert [(a.reason, a.amount, a.is_charge) for a in shown.adjustments] == [
        ("Loyalty", 2000, False), ("Shipping", 590, True)
    ]
    # 19 %: 324.00 + 49.90 - 20.00 = 353.90 -> 67.241 -> 67.24; 7 %: 29.99 + 5.90 = 35.89 -> 2.5123 -> 2.51
    assert totals.taxes == (
        TaxSubtotal("S", Decimal("7"), 3589, 251), TaxSubtotal("S", Decimal("19"), 35390, 6724),
    )
    assert totals.tax_basis == 35390 + 3589
    assert totals.tax_total == 6724 + 251
    assert totals.total == 35390 + 3589 + 6724 + 251 == 45954
    # credit notes: 50.00, and one of the two books with its share of the 7 % rate's shipping charge:
    # 14.995 -> 15.00, + 5.90 / 2 = 2.95 -> 17.95, + 7 % = 1.2565 -> 1.26 -> 19.21
    assert [(n.total, n.reason) for n in shown.credit_notes] == [(5000, "Goodwill"), (1921, "Returned")]
    assert shown.balance == Balance(paid=10000, credited=5000 + 1921, amount_due=45954 - 10000 - 6921)
    assert [p.amount for p in shown.payments] == [10000]
    assert [shown.left_to_credit(line) for line in shown.lines] == [Decimal(3), Decimal(1), Decimal(1)]
    assert shown.customer_credit == 0
    assert (shown.status, shown.display_status, shown.partially_paid, shown.overdue) == (
        "open", "partially paid", True, False
    )
    assert (shown.customer.name, shown.customer.locale, shown.seller.iban) == (
        "ACME SARL", "fr_FR", "DE89370400440532013000"
    )
    assert [e.action for e in shown.history][:2] == ["create", "finalize"]


def test_overdue_is_derived_from_the_day_asked(db: Database) -> None:
    invoice_id = settled_invoice(db)
    late = view(db, invoice_id, date(2027, 1, 4))  # due on 2 Dec 2026
    assert (late.display_status, late.overdue) == ("overdue", True)


def test_a_credit_note_names_the_invoice_it_corrects(db: Database) -> None:
    invoice_id = settled_invoice(db)
    invoice = view(db, invoice_id)
    note = view(db, invoice.credit_notes[1].id)
    assert note.doc_type == "credit_note" and note.corrects is not None
    assert (note.corrects.id, note.corrects.number) == (invoice_id, invoice.number)
    assert note.totals.total == 1921 and note.balance.amount_due == 0  # the book with its share of shipping
    assert note.settlement.applied_to_due == 1921
    assert note.payments == () and note.credit_notes == ()


def test_a_draft_shows_todays_customer_and_no_number(db: Database, customer_id: int) -> None:
    shown = view(db, make_draft(db, customer_id))
    assert shown.is_draft and shown.number is None
    assert shown.customer.name == "ACME SARL" and shown.seller.name == "Müller & Söhne GmbH"
    assert shown.balance == Balance(0, 0, shown.totals.total)
    assert shown.payments == ()


def test_an_unknown_document_is_refused(db: Database) -> None:
    with pytest.raises(NotFoundError), transaction(db.readonly_sessions) as s:
        invoice_view(s, 999, DAY)
