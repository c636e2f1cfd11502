"""Disputes: an open invoice disputed pauses its reminders, the dashboard lists it, it ends by a credit note or by
closing it, and every step is audited."""

from __future__ import annotations

import json
from datetime import date

import pytest

from invoicer.core.errors import ConflictError, ValidationError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent
from invoicer.services import dashboard, disputes, invoices, reminders

from .helpers import make_open

LATE = date(2026, 12, 5)  # the invoice of 2026-11-02 is long overdue by then


def test_a_dispute_pauses_reminders_until_it_ends(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        assert [r.invoice_id for r in reminders.due_reminders(s, LATE)] == [inv]
        disputes.open_dispute(s, inv, "Two of the hours were not worked", date(2026, 11, 20))
        assert reminders.due_reminders(s, LATE) == []
        with pytest.raises(ConflictError):
            disputes.open_dispute(s, inv, "again")
        (row,) = dashboard.dashboard(s, LATE).disputes
        assert (row.invoice_id, row.reason, row.opened_on) == (inv, "Two of the hours were not worked",
                                                              date(2026, 11, 20))
    with transaction(seller.sessions) as s:
        disputes.close_dispute(s, inv, "customer agreed after all", date(2026, 11, 25))
        assert [r.invoice_id for r in reminders.due_reminders(s, LATE)] == [inv]
        assert dashboard.dashboard(s, LATE).disputes == []
        (closed,) = disputes.list_disputes(s, open_only=False)
        assert (closed.resolution, closed.closed_on, closed.credit_note_id) == ("closed", date(2026, 11, 25), None)
        actions = [e.action for e in s.query(AuditEvent).filter_by(entity="invoice", entity_id=inv)]
        assert actions[-2:] == ["dispute_open", "dispute_close"]


def test_a_dispute_settled_by_a_credit_note(seller: Database, customer_id: int) -> None:
    inv = make_open(seller, customer_id)
    with transaction(seller.sessions) as s:
        with pytest.raises(ValidationError):
            disputes.open_dispute(s, inv, "  ")  # a dispute says why
        disputes.open_dispute(s, inv, "Damaged delivery", date(2026, 11, 20))
        due = invoices.get_invoice(s, inv).amount_due
        note = disputes.close_dispute(s, inv, "5 % off for the damage", date(2026, 11, 21), credit_amount=1000)
        assert note is not None and invoices.get_invoice(s, note, "credit_note").total == 1000
        assert invoices.get_invoice(s, inv).amount_due == due - 1000
        assert disputes.list_disputes(s, open_only=False)[0].resolution == "credit_note"
        # audited: the dispute, its end by that credit note, and the credit note itself
        events = {e.action: json.loads(e.payload or "{}")
                  for e in s.query(AuditEvent).filter_by(entity="invoice", entity_id=inv)}
        assert events["dispute_open"]["reason"] == "Damaged delivery"
        assert (events["dispute_close"]["resolution"], events["dispute_close"]["credit_note"]) == ("credit_note", note)
        with pytest.raises(ConflictError):
            disputes.close_dispute(s, inv)  # nothing open any more
