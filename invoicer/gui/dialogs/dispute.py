"""Disputes from the invoice list and the invoice window: mark an invoice disputed (reason and date), end the
dispute as the invoice stands, or resolve it by a credit note (the credit-note dialog)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from invoicer.gui import messages
from invoicer.gui.operations import Operations
from invoicer.gui.style import money
from invoicer.i18n import _
from invoicer.services.views import InvoiceView


def mark_disputed(parent: QWidget, ops: Operations, doc: InvoiceView) -> bool:
    """Ask why and since when the customer contests ``doc``, and record it; True when recorded."""
    answer = messages.ask_dated_reason(parent, _("Mark disputed"), _(
        "Mark {number} disputed? No reminder goes out for it until the dispute ends; the dashboard lists it.").format(
        number=doc.number), doc.issue_date, required=True)
    return answer is not None and ops.open_dispute(parent, doc.id, answer.text, answer.day)


def end_dispute(parent: QWidget, ops: Operations, doc: InvoiceView) -> bool:
    """End the dispute over ``doc`` as the invoice stands (a note and the day); True when ended."""
    if doc.dispute is None:
        return False
    answer = messages.ask_dated_reason(parent, _("End dispute"), _(
        "End the dispute over {number} as the invoice stands? The customer owes {due}; reminders resume.").format(
        number=doc.number, due=money(doc.balance.amount_due, doc.currency)), doc.dispute.opened_on)
    return answer is not None and ops.close_dispute(parent, doc.id, answer.text or None, answer.day)


def resolve_dispute(parent: QWidget, ops: Operations, doc: InvoiceView) -> bool:
    """Resolve the dispute over ``doc`` by a credit note chosen in the credit-note dialog; True when issued."""
    from invoicer.gui.dialogs.credit_note import CreditNoteDialog

    return bool(CreditNoteDialog(ops, doc, parent, resolves_dispute=True).exec())
