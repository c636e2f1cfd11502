"""The invoice lifecycle: stored statuses, the whitelist of transitions, and derived flags.

draft -> open (finalize) -> paid | void | uncollectible, uncollectible -> paid. A payment
reversal on a paid invoice reopens it (the money is no longer there). "Overdue" and
"partially paid" are derived from dates and amounts and never stored.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from invoicer.core.errors import N_, Message, TransitionError


class InvoiceStatus(StrEnum):
    """Statuses stored on an invoice."""

    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class Transition(StrEnum):
    """Named transitions; one service function each."""

    FINALIZE = "finalize"
    PAY = "pay"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    REOPEN = "reopen"


S = InvoiceStatus
TRANSITIONS: dict[Transition, tuple[frozenset[InvoiceStatus], InvoiceStatus]] = {
    Transition.FINALIZE: (frozenset({S.DRAFT}), S.OPEN),
    Transition.PAY: (frozenset({S.OPEN, S.UNCOLLECTIBLE}), S.PAID),
    Transition.VOID: (frozenset({S.OPEN}), S.VOID),
    Transition.MARK_UNCOLLECTIBLE: (frozenset({S.OPEN}), S.UNCOLLECTIBLE),
    Transition.REOPEN: (frozenset({S.PAID}), S.OPEN),
}

_REFUSALS = {
    Transition.FINALIZE: N_("Only a draft can be finalized; this invoice is {status}."),
    Transition.PAY: N_("Only an open or uncollectible invoice can become paid; this invoice is {status}."),
    Transition.VOID: N_("Only an open invoice can be voided; this invoice is {status}."),
    Transition.MARK_UNCOLLECTIBLE: N_("Only an open invoice can be marked uncollectible; this invoice is {status}."),
    Transition.REOPEN: N_("Only a paid invoice can be reopened; this invoice is {status}."),
}

#: the stored statuses as words in a sentence ("this invoice is void")
_STATUS_WORDS: dict[str, str] = {
    S.DRAFT: N_("draft"),
    S.OPEN: N_("open"),
    S.PAID: N_("paid"),
    S.VOID: N_("void"),
    S.UNCOLLECTIBLE: N_("uncollectible"),
}


def status_word(status: str) -> Message:
    """A stored status for a message, translated where the message is shown."""
    return Message(_STATUS_WORDS.get(status, status))


def target_status(transition: Transition, current: InvoiceStatus | str) -> InvoiceStatus:
    """The status after ``transition``; raises TransitionError when it is not allowed."""
    sources, target = TRANSITIONS[transition]
    status = InvoiceStatus(current)
    if status not in sources:
        raise TransitionError(_REFUSALS[transition], status=status_word(status))
    return target


def amount_due(doc_type: str, status: str, total: int, paid: int, credited: int) -> int:
    """What the customer still owes: total - paid - credited, never negative; nothing on a void
    invoice or a credit note (excess payments and credits are customer credit, not negative due)."""
    if doc_type != "invoice" or status == S.VOID:
        return 0
    return max(total - paid - credited, 0)


def is_overdue(status: str, due_date: date | None, amount_due: int, today: date) -> bool:
    """Open, something still due, and the due date has passed."""
    return status == S.OPEN and amount_due > 0 and due_date is not None and due_date < today


def is_partially_paid(status: str, total: int, amount_due: int) -> bool:
    """Open with something paid or credited but not all of it."""
    return status == S.OPEN and 0 < amount_due < total


def display_status(status: str, due_date: date | None, total: int, amount_due: int, today: date) -> str:
    """The status users see: stored status refined by the derived overdue / partially paid."""
    if is_overdue(status, due_date, amount_due, today):
        return "overdue"
    if is_partially_paid(status, total, amount_due):
        return "partially paid"
    return str(status)
