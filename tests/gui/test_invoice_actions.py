"""The invoice window offers what core.workflow allows: each action enabled or disabled with its reason."""

from __future__ import annotations

from gui_helpers import activate, run_modal, toolbar_button
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from invoicer.db.engine import transaction
from invoicer.services import company, credit_notes, customers, invoices, payments
from invoicer.services.invoices import DraftData, LineData


def _two_invoices(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Two open invoices of 119.00 to one customer; the first is overpaid by 50.00 (customer credit)."""
    with transaction(db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        ids = []
        for _ in range(2):
            invoice = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))
            invoices.finalize_invoice(s, invoice)
            ids.append(invoice)
        payments.record_payment(s, ids[0], 16900)
    return ids[0], ids[1]


def test_customer_credit_is_applied_from_the_invoice_window(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _paid, open_id = _two_invoices(gui_db)
    editor = window.open_invoice(open_id)
    activate(qtbot, editor)
    assert editor.apply_credit_action in editor.toolbar.actions() and editor.apply_credit_action.isEnabled()

    def apply(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.amount.text() == "50"
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Apply customer credit…"),
                                              Qt.MouseButton.LeftButton), apply)
    assert dialogs.errors == []
    assert editor.document.balance.amount_due == 6900 and editor.document.customer_credit == 0
    assert not editor.apply_credit_action.isEnabled()  # no credit left
    assert "no credit in EUR" in editor.apply_credit_action.toolTip()


def test_actions_follow_status_and_amounts(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    paid_id, open_id = _two_invoices(gui_db)
    editor = window.open_invoice(paid_id)
    activate(qtbot, editor)
    assert editor.document.status == "paid"
    assert not editor.payment_action.isEnabled() and not editor.void_action.isEnabled()
    assert editor.credit_action.isEnabled() and editor.reverse_button.isEnabled()
    with transaction(gui_db.sessions) as s:
        note = credit_notes.issue_credit_note(s, open_id, amount=1000).credit_note_id
    note_window = window.open_invoice(note)
    activate(qtbot, note_window)
    shown = [a.text() for a in note_window.toolbar.actions() if a is not note_window.more_action]
    assert shown == ["Send by email…", "Preview PDF"] and note_window.send_action.isEnabled()
    assert [a.text() for a in note_window.more_menu.actions()] == ["Save PDF…"]
    assert not note_window.apply_credit_action.isEnabled() and not note_window.duplicate_action.isEnabled()
