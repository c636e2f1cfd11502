"""The lifecycle whitelist, derived statuses, and number patterns."""

from datetime import date

import pytest

from invoicer.core.errors import FrozenError, TransitionError, ValidationError
from invoicer.core.numbering import counter_key, format_number, validate_pattern
from invoicer.core.workflow import (
    TRANSITIONS,
    Action,
    CreditNoteStatus,
    DocumentState,
    InvoiceStatus,
    Transition,
    amount_due,
    available_actions,
    display_status,
    offered_actions,
    receivable,
    refusal,
    require,
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
    assert amount_due("invoice", "open", 1000, 1500, 0, prepaid=0) == 0
    assert amount_due("invoice", "void", 1000, 0, 0, prepaid=0) == 0
    assert amount_due("invoice", "open", 1000, 300, 200, prepaid=0) == 500
    assert amount_due("credit_note", "issued", 1000, 0, 0, prepaid=0) == 0


def test_a_prepaid_amount_counts_once_before_and_after_finalize() -> None:
    # a draft asks its total less what was paid in advance; finalize records that as a payment (part of paid)
    assert amount_due("invoice", "draft", 1000, 0, 0, prepaid=300) == 700
    assert amount_due("invoice", "open", 1000, 300, 0, prepaid=300) == 700
    assert amount_due("invoice", "paid", 1000, 1000, 0, prepaid=300) == 0
    assert amount_due("invoice", "void", 1000, 300, 0, prepaid=300) == 0
    assert DocumentState("invoice", "draft", None, "EUR", 1000, rounding=2, prepaid=300).amount_due == 702


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


def _invoice(status: str, **amounts: int) -> DocumentState:
    return DocumentState("invoice", status, "INV-1", "EUR", 11900, **amounts)


def test_actions_an_invoice_allows_follow_its_status_and_amounts() -> None:
    A = Action
    assert available_actions(_invoice("draft")) == {A.SAVE_DRAFT, A.FINALIZE, A.DELETE_DRAFT, A.DUPLICATE,
                                                     A.PREVIEW_PDF, A.SAVE_PDF}
    assert available_actions(_invoice("open")) == {A.RECORD_PAYMENT, A.ISSUE_CREDIT_NOTE, A.SEND, A.PREVIEW_PDF,
                                                    A.SAVE_PDF, A.DUPLICATE, A.VOID, A.WRITE_OFF, A.DISPUTE}
    # a disputed invoice ends its dispute as it stands or by a credit note; it is not disputed twice
    disputed = available_actions(_invoice("open", disputed=True))
    assert {A.CLOSE_DISPUTE, A.RESOLVE_DISPUTE} <= disputed and A.DISPUTE not in disputed
    assert A.RESOLVE_DISPUTE not in available_actions(_invoice("open", disputed=True, credit_notes_total=11900))
    assert A.CLOSE_DISPUTE in available_actions(_invoice("paid", paid=11900, disputed=True))
    # customer credit on an open invoice: it can be applied (the invoice window used to leave it out)
    assert A.APPLY_CREDIT in available_actions(_invoice("open", customer_credit=500))
    assert A.APPLY_CREDIT in available_actions(_invoice("uncollectible", customer_credit=500))
    assert A.APPLY_CREDIT not in available_actions(_invoice("paid", paid=11900, customer_credit=500))
    paid = available_actions(_invoice("paid", paid=11900, reversible_payments=1))
    assert {A.REVERSE_PAYMENT, A.ISSUE_CREDIT_NOTE} <= paid and not {A.RECORD_PAYMENT, A.VOID, A.WRITE_OFF} & paid
    assert A.ISSUE_CREDIT_NOTE not in available_actions(_invoice("paid", credited=11900, credit_notes_total=11900))
    assert available_actions(_invoice("void")) == {A.PREVIEW_PDF, A.SAVE_PDF, A.DUPLICATE}


def test_refusals_carry_the_error_services_raise() -> None:
    with pytest.raises(ValidationError, match="cannot be voided"):
        require(_invoice("open", paid=100, reversible_payments=1), Action.VOID)
    with pytest.raises(TransitionError, match="Only an open invoice can be voided; this invoice is paid"):
        require(_invoice("paid", paid=11900), Action.VOID)
    with pytest.raises(FrozenError):
        require(_invoice("open"), Action.SAVE_DRAFT)
    refused = refusal(_invoice("open"), Action.APPLY_CREDIT)
    assert refused is not None and str(refused.message) == "The customer has no credit in EUR to apply."


def test_an_issued_credit_note_is_only_printed_or_emailed() -> None:
    note = DocumentState("credit_note", "issued", "CN-1", "EUR", 1000)
    assert available_actions(note) == {Action.SEND, Action.PREVIEW_PDF, Action.SAVE_PDF}
    assert offered_actions("credit_note", "issued") == (Action.SEND, Action.PREVIEW_PDF, Action.SAVE_PDF)
    with pytest.raises(TransitionError, match="not possible on a credit note"):
        require(note, Action.VOID)
    assert statuses("credit_note") == {"draft", "issued"}
    assert amount_due("credit_note", "issued", 1000, 0, 0, prepaid=0) == 0 and receivable("credit_note", "issued", 0) == 0


def test_a_written_off_invoice_owes_nothing_on_the_books() -> None:
    assert receivable("invoice", "uncollectible", 11900) == 0
    assert receivable("invoice", "open", 11900) == 11900
    assert receivable("invoice", "void", 0) == 0
