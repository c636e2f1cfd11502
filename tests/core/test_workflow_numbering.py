"""The lifecycle whitelist, derived statuses, and number patterns."""

from datetime import date

import pytest

from invoicer.core.errors import TransitionError, ValidationError
from invoicer.core.numbering import counter_key, format_number, validate_pattern
from invoicer.core.workflow import (
    TRANSITIONS,
    CreditNoteStatus,
    InvoiceStatus,
    Transition,
    amount_due,
    display_status,
    statuses,
    target_status,
)

ALLOWED = {
    ("invoice", Transition.FINALIZE, "draft"): "open",
    ("invoice", Transition.PAY, "open"): "paid",
    ("invoice", Transition.PAY, "uncollectible"): "paid",
    ("invoice", Transition.VOID, "open"): "void",
    ("invoice", Transition.MARK_UNCOLLECTIBLE, "open"): "uncollectible",
    ("invoice", Transition.REOPEN, "paid"): "open",
    ("invoice", Transition.RESUME_WRITE_OFF, "paid"): "uncollectible",
    ("credit_note", Transition.ISSUE, "draft"): "issued",
}


@pytest.mark.parametrize("transition", list(Transition))
@pytest.mark.parametrize(
    ("doc_type", "status"),
    [("invoice", s.value) for s in InvoiceStatus] + [("credit_note", s.value) for s in CreditNoteStatus],
)
def test_only_whitelisted_transitions(transition: Transition, doc_type: str, status: str) -> None:
    expected = ALLOWED.get((doc_type, transition, status))
    if expected is None:
        with pytest.raises(TransitionError):
            target_status(transition, status, doc_type)
    else:
        assert target_status(transition, status, doc_type) == expected
    assert {t for table in TRANSITIONS.values() for t in table} == set(Transition)
    assert statuses(doc_type) >= {expected or status}


def test_derived_statuses() -> None:
    today = date(2026, 11, 21)
    assert display_status("open", date(2026, 11, 20), 1000, 1000, today) == "overdue"
    assert display_status("open", date(2026, 11, 21), 1000, 1000, today) == "open"
    assert display_status("open", date(2026, 12, 1), 1000, 400, today) == "partially paid"
    assert display_status("paid", date(2026, 1, 1), 1000, 0, today) == "paid"
    assert display_status("uncollectible", date(2026, 1, 1), 1000, 1000, today) == "uncollectible"


def test_amount_due_never_negative_and_zero_when_void() -> None:
    assert amount_due("invoice", "open", 1000, 1500, 0) == 0
    assert amount_due("invoice", "void", 1000, 0, 0) == 0
    assert amount_due("invoice", "open", 1000, 300, 200) == 500
    assert amount_due("credit_note", "issued", 1000, 0, 0) == 0


def test_patterns() -> None:
    assert format_number("INV-{year}-{seq:05}", 2026, 7, 3) == "INV-2026-00007"
    assert format_number("{customer}/{seq}", 2026, 12, 42) == "42/12"
    assert counter_key("invoice", "INV-{year}-{seq:05}", 2026, 3).year == 2026
    assert counter_key("invoice", "INV-{seq:05}", 2026, 3).year == 0  # no {year}: one running sequence
    assert counter_key("invoice", "{customer}-{year}-{seq}", 2026, 3).scope == "3"


@pytest.mark.parametrize("pattern", ["INV-{year}", "{seq}{seq}", "{foo}-{seq}", "INV-{seq", "{seq:x}", "{year:04}{seq}"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError):
        validate_pattern(pattern)
