"""Document lifecycles: stored statuses, the whitelist of transitions, the actions a document allows.

Invoice: draft -> open (finalize) -> paid | void | uncollectible, uncollectible -> paid. A payment
reversal on a paid invoice takes it back to where the money left it: open, or uncollectible when it
was written off (the reversed money was a recovery of bad debt). "Overdue" and "partially paid" are
derived from dates and amounts and never stored.

Credit note: draft -> issued. A credit note exists as a draft only inside the transaction that
issues it; once issued it is final: it is never edited, voided or deleted (a credit note given in
error is corrected by a new invoice), only printed or emailed.

``refusal`` is the one place that says whether an action is possible on a document now, and why
not: the GUI enables its toolbar from it, the services raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from invoicer.core.errors import (
    N_,
    ConflictError,
    FrozenError,
    InvoicerError,
    Message,
    TransitionError,
    ValidationError,
)


class DocType(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    """Statuses stored on an invoice."""

    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class CreditNoteStatus(StrEnum):
    """Statuses stored on a credit note."""

    DRAFT = "draft"
    ISSUED = "issued"


class Transition(StrEnum):
    """Named transitions; one service function each."""

    FINALIZE = "finalize"
    PAY = "pay"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    REOPEN = "reopen"
    RESUME_WRITE_OFF = "resume_write_off"
    ISSUE = "issue"


S = InvoiceStatus
C = CreditNoteStatus
#: per document type: transition -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[DocType, dict[Transition, tuple[frozenset[str], str]]] = {
    DocType.INVOICE: {
        Transition.FINALIZE: (frozenset({S.DRAFT}), S.OPEN),
        Transition.PAY: (frozenset({S.OPEN, S.UNCOLLECTIBLE}), S.PAID),
        Transition.VOID: (frozenset({S.OPEN}), S.VOID),
        Transition.MARK_UNCOLLECTIBLE: (frozenset({S.OPEN}), S.UNCOLLECTIBLE),
        Transition.REOPEN: (frozenset({S.PAID}), S.OPEN),
        Transition.RESUME_WRITE_OFF: (frozenset({S.PAID}), S.UNCOLLECTIBLE),
    },
    DocType.CREDIT_NOTE: {
        Transition.ISSUE: (frozenset({C.DRAFT}), C.ISSUED),
    },
}

#: the transition that numbers and freezes a document of each type
FREEZING = {DocType.INVOICE: Transition.FINALIZE, DocType.CREDIT_NOTE: Transition.ISSUE}

_REFUSALS = {
    Transition.FINALIZE: N_("Only a draft can be finalized; this invoice is {status}."),
    Transition.PAY: N_("Only an open or uncollectible invoice can become paid; this invoice is {status}."),
    Transition.VOID: N_("Only an open invoice can be voided; this invoice is {status}."),
    Transition.MARK_UNCOLLECTIBLE: N_("Only an open invoice can be marked uncollectible; this invoice is {status}."),
    Transition.REOPEN: N_("Only a paid invoice can be reopened; this invoice is {status}."),
    Transition.RESUME_WRITE_OFF: N_("Only a paid invoice can be reopened; this invoice is {status}."),
    Transition.ISSUE: N_("Only a draft can be finalized; this invoice is {status}."),
}
_NOT_ON_CREDIT_NOTES = N_("This is not possible on a credit note.")

#: the stored statuses as words in a sentence ("this invoice is void")
_STATUS_WORDS: dict[str, str] = {
    S.DRAFT: N_("draft"),
    S.OPEN: N_("open"),
    S.PAID: N_("paid"),
    S.VOID: N_("void"),
    S.UNCOLLECTIBLE: N_("uncollectible"),
    C.ISSUED: N_("issued"),
}


def status_word(status: str) -> Message:
    """A stored status for a message, translated where the message is shown."""
    return Message(_STATUS_WORDS.get(status, status))


def statuses(doc_type: str) -> frozenset[str]:
    """Every status a document of this type may have stored."""
    return frozenset(InvoiceStatus if doc_type == DocType.INVOICE else CreditNoteStatus)


def target_status(transition: Transition, current: str, doc_type: str = DocType.INVOICE) -> str:
    """The status after ``transition``; raises TransitionError when it is not allowed."""
    allowed = TRANSITIONS[DocType(doc_type)]
    if transition not in allowed:
        raise TransitionError(_NOT_ON_CREDIT_NOTES)
    sources, target = allowed[transition]
    if current not in sources:
        raise TransitionError(_REFUSALS[transition], status=status_word(current))
    return target


def amount_due(doc_type: str, status: str, total: int, paid: int, credited: int, *, prepaid: int) -> int:
    """What the customer still owes: total - paid - credited, never negative; nothing on a void
    invoice or a credit note (excess payments and credits are customer credit, not negative due).

    ``total`` is what the invoice asks to be paid: its grand total plus its rounding amount (BT-112 + BT-114),
    so paying the rounded amount settles it. ``prepaid`` is the amount it states as paid in advance (BT-113): a
    draft already asks that much less; finalize records it as a payment (then part of ``paid``), so from then on
    it is not subtracted again."""
    if doc_type != "invoice" or status == S.VOID:
        return 0
    advance = prepaid if status == S.DRAFT else 0
    return max(total - advance - paid - credited, 0)


def receivable(doc_type: str, status: str, amount_due: int) -> int:
    """What the books carry as owed on a finalized document: its amount due, except that a written-off
    invoice moved it to bad debt (money recovered later is booked there, not in receivables)."""
    if doc_type != "invoice" or status in (S.DRAFT, S.UNCOLLECTIBLE):
        return 0
    return amount_due


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


def status_badges(display: str, partially_paid: bool, disputed: bool = False) -> tuple[str, ...]:
    """The badges a document shows: its display status, with "partially paid" beside "overdue" when both
    apply (so the "partially paid" filter shows partially paid badges, and overdue ones as overdue too), and
    "disputed" while the customer contests it (not a status: it pauses reminders, the invoice stays open)."""
    shown: tuple[str, ...] = ("partially paid", "overdue") if display == "overdue" and partially_paid else (display,)
    return (*shown, "disputed") if disputed else shown


# ---------------------------------------------------------------- actions


class Action(StrEnum):
    """What a user can ask for on a document."""

    SAVE_DRAFT = "save_draft"
    FINALIZE = "finalize"
    DELETE_DRAFT = "delete_draft"
    DUPLICATE = "duplicate"
    PREVIEW_PDF = "preview_pdf"
    SAVE_PDF = "save_pdf"
    SEND = "send"
    RECORD_PAYMENT = "record_payment"
    APPLY_CREDIT = "apply_credit"
    REVERSE_PAYMENT = "reverse_payment"
    ISSUE_CREDIT_NOTE = "issue_credit_note"
    VOID = "void"
    WRITE_OFF = "write_off"
    DISPUTE = "dispute"
    CLOSE_DISPUTE = "close_dispute"  # as it stands (the customer owes the invoice)
    RESOLVE_DISPUTE = "resolve_dispute"  # by a credit note


@dataclass(frozen=True)
class DocumentState:
    """A document's stored status and the amounts its actions depend on (minor units of ``currency``)."""

    doc_type: str
    status: str
    number: str | None
    currency: str
    total: int
    paid: int = 0
    credited: int = 0  # credit notes' part that reduced the amount due
    credit_notes_total: int = 0  # everything credited on it, whatever the credit notes settled
    customer_credit: int = 0  # the customer's credit balance in the document's currency
    reversible_payments: int = 0  # payments (or applied credit) not reversed yet
    rounding: int = 0  # the rounding amount (BT-114): part of what is owed, not of what can be credited
    disputed: bool = False  # the customer contests it (an open dispute)
    prepaid: int = 0  # the prepaid amount (BT-113) the document states

    @property
    def amount_due(self) -> int:
        return amount_due(self.doc_type, self.status, self.total + self.rounding, self.paid, self.credited,
                          prepaid=self.prepaid)

    @property
    def left_to_credit(self) -> int:
        return self.total - self.credit_notes_total


#: the actions a document's window offers at each stage, in toolbar order (each enabled when allowed)
_DRAFT_ACTIONS = (Action.SAVE_DRAFT, Action.FINALIZE, Action.PREVIEW_PDF, Action.DUPLICATE, Action.DELETE_DRAFT)
_INVOICE_ACTIONS = (
    Action.RECORD_PAYMENT, Action.APPLY_CREDIT, Action.ISSUE_CREDIT_NOTE, Action.SEND, Action.PREVIEW_PDF,
    Action.SAVE_PDF, Action.DUPLICATE, Action.VOID, Action.WRITE_OFF, Action.DISPUTE, Action.CLOSE_DISPUTE,
    Action.RESOLVE_DISPUTE,
)
_CREDIT_NOTE_ACTIONS = (Action.SEND, Action.PREVIEW_PDF, Action.SAVE_PDF)
#: what a credit note allows at all: it is only ever printed or emailed
_CREDIT_NOTE_ALLOWS = frozenset(_CREDIT_NOTE_ACTIONS)


def offered_actions(doc_type: str, status: str) -> tuple[Action, ...]:
    """The actions shown for a document of this type at this stage (draft or finalized), in order."""
    if status == S.DRAFT:
        return _DRAFT_ACTIONS
    return _INVOICE_ACTIONS if doc_type == DocType.INVOICE else _CREDIT_NOTE_ACTIONS


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible now, as the error a service raises for it."""

    error: type[InvoicerError]
    message: Message

    def exception(self) -> InvoicerError:
        return self.error(self.message)


def _transition(state: DocumentState, transition: Transition) -> Refusal | None:
    try:
        target_status(transition, state.status, state.doc_type)
    except TransitionError as exc:
        return Refusal(TransitionError, exc.text)
    return None


def _status_refusal(state: DocumentState, action: Action) -> Refusal | None:
    """Refusals that follow from the stored status alone."""
    number, draft = state.number, state.status == S.DRAFT
    if action is Action.SAVE_DRAFT and not draft:
        return Refusal(FrozenError, Message(N_(
            "Invoice {number} is finalized and cannot be changed; issue a credit note to correct it."), number=number))
    if action is Action.DELETE_DRAFT and not draft:
        return Refusal(FrozenError, Message(N_(
            "Invoice {number} is finalized and is never deleted; void it or issue a credit note."), number=number))
    if action is Action.FINALIZE:
        return _transition(state, Transition.FINALIZE)
    if action in (Action.RECORD_PAYMENT, Action.APPLY_CREDIT) and state.status not in (S.OPEN, S.UNCOLLECTIBLE):
        if draft:
            return Refusal(ValidationError, Message(N_("A draft cannot be paid; finalize it first.")))
        return Refusal(ValidationError, Message(
            N_("Invoice {number} is {status}; it takes no payments."), number=number, status=status_word(state.status)))
    if action is Action.ISSUE_CREDIT_NOTE and state.status not in (S.OPEN, S.PAID):
        if draft:
            return Refusal(ValidationError, Message(
                N_("Only an open or paid invoice can be credited; this draft is {status}."),
                status=status_word(state.status)))
        return Refusal(ValidationError, Message(
            N_("Only an open or paid invoice can be credited; {number} is {status}."),
            number=number, status=status_word(state.status)))
    if action is Action.VOID:
        return _transition(state, Transition.VOID)
    if action is Action.WRITE_OFF:
        return _transition(state, Transition.MARK_UNCOLLECTIBLE)
    if action is Action.SEND and draft:
        return Refusal(ValidationError, Message(N_("A draft cannot be sent; finalize it first.")))
    if action is Action.SEND and state.status == S.VOID:
        return Refusal(ValidationError, Message(N_("Invoice {number} is void and is not sent."), number=number))
    if action is Action.REVERSE_PAYMENT and state.status in (S.DRAFT, S.VOID):
        return Refusal(ValidationError, Message(N_("Invoice {number} has no payment to reverse."), number=number))
    if action is Action.DISPUTE and state.status != S.OPEN:
        return Refusal(ConflictError, Message(N_("Only an open invoice can be disputed; this one is {status}."),
                                              status=status_word(state.status)))
    if action is Action.DISPUTE and state.disputed:
        return Refusal(ConflictError, Message(N_("Invoice {number} is already disputed."), number=number))
    if action in (Action.CLOSE_DISPUTE, Action.RESOLVE_DISPUTE) and not state.disputed:
        return Refusal(ConflictError, Message(N_("Invoice {number} is not disputed."), number=number))
    if action is Action.RESOLVE_DISPUTE:
        return _status_refusal(state, Action.ISSUE_CREDIT_NOTE)
    return None


def _amount_refusal(state: DocumentState, action: Action) -> Refusal | None:
    """Refusals that follow from the amounts, once the status allows the action."""
    if action is Action.APPLY_CREDIT and state.customer_credit <= 0:
        return Refusal(ValidationError, Message(
            N_("The customer has no credit in {currency} to apply."), currency=state.currency))
    if action in (Action.ISSUE_CREDIT_NOTE, Action.RESOLVE_DISPUTE) and state.left_to_credit <= 0:
        return Refusal(ValidationError, Message(N_("Invoice {number} is fully credited already."),
                                                number=state.number))
    if action is Action.VOID and (state.paid or state.credited):
        return Refusal(ValidationError, Message(
            N_("Invoice {number} has payments or credit notes and cannot be voided; issue a credit note for the "
               "rest instead."), number=state.number))
    if action is Action.REVERSE_PAYMENT and state.reversible_payments <= 0:
        return Refusal(ValidationError, Message(N_("Invoice {number} has no payment to reverse."),
                                                number=state.number))
    return None


def refusal(state: DocumentState, action: Action) -> Refusal | None:
    """Why ``action`` is not possible on the document now, or None when it is."""
    if state.doc_type == DocType.CREDIT_NOTE and action not in _CREDIT_NOTE_ALLOWS:
        return Refusal(TransitionError, Message(_NOT_ON_CREDIT_NOTES))
    return _status_refusal(state, action) or _amount_refusal(state, action)


def available_actions(state: DocumentState) -> frozenset[Action]:
    """Every action possible on the document now."""
    return frozenset(action for action in Action if refusal(state, action) is None)


def require(state: DocumentState, action: Action) -> None:
    """Raise the typed error that explains why ``action`` is not possible now (nothing when it is)."""
    found = refusal(state, action)
    if found is not None:
        raise found.exception()
