"""Disputes in the app: Ctrl+Shift+D on the invoice list (or in the invoice window) marks the chosen invoice
disputed with a reason and a date; it shows a "Disputed" badge in the list and the window; the window's More menu
ends the dispute as it stands or resolves it by a credit note (the credit-note dialog). Each through the
disputes service, audited."""

from __future__ import annotations

from datetime import date

from gui_helpers import activate, more_action, press, run_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from invoicer.db.migrate import Database
from invoicer.db.models import AuditEvent
from invoicer.gui import messages
from invoicer.gui.widgets.status_badge import STATUS_ROLE
from invoicer.services import disputes, invoices, store
from tests.gui.conftest import Dialogs
from tests.services.helpers import add_customer, make_open, set_up_seller


def _open_invoice(db: Database) -> int:
    set_up_seller(db)
    return make_open(db, add_customer(db))


def _events(db: Database, invoice_id: int) -> list[str]:
    return store.read(db, lambda s: [e.action for e in s.query(AuditEvent).filter_by(entity="invoice",
                                                                                       entity_id=invoice_id)])


def test_ctrl_shift_d_on_the_list_marks_the_invoice_disputed(qtbot, window, gui_db: Database,  # type: ignore[no-untyped-def]
                                                              dialogs: Dialogs) -> None:
    invoice = _open_invoice(gui_db)
    page = window.show_page("invoices")
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.setFocus()
    page.table.selectRow(0)
    dialogs.reason, dialogs.day = "Two of the hours were not worked", date(2026, 11, 20)
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert dialogs.errors == [] and dialogs.earliest == [date(2026, 11, 2)]  # not before the invoice
    (row,) = store.read(gui_db, disputes.list_disputes)
    assert (row.invoice_id, row.reason, row.opened_on) == (invoice, "Two of the hours were not worked",
                                                          date(2026, 11, 20))
    assert _events(gui_db, invoice)[-1] == "dispute_open"
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.row_at(0).disputed)
    status = next(i for i, c in enumerate(page.model.columns) if c.key == "status")
    assert page.model.data(page.model.index(0, status), STATUS_ROLE)[-1] == "disputed"
    # again: refused with the reason core.workflow gives, nothing recorded twice
    page.table.setFocus()
    page.table.selectRow(0)
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert dialogs.errors[-1].endswith("is already disputed.")
    assert len(store.read(gui_db, disputes.list_disputes)) == 1
    # the list's context menu ends it as the invoice stands
    assert page.close_dispute_action in page.table.actions()
    dialogs.reason = "customer agreed after all"
    page.table.selectRow(0)
    page.close_dispute_action.trigger()
    assert store.read(gui_db, disputes.list_disputes) == []
    assert _events(gui_db, invoice)[-1] == "dispute_close"


def test_the_invoice_window_shows_the_dispute_and_resolves_it_by_a_credit_note(  # type: ignore[no-untyped-def]
        qtbot, window, gui_db: Database, dialogs: Dialogs) -> None:
    invoice = _open_invoice(gui_db)
    editor = window.open_invoice(invoice)
    activate(qtbot, editor)
    assert not editor.dispute_note.isVisibleTo(editor)
    assert not more_action(editor, "End dispute…").isEnabled()
    dialogs.reason, dialogs.day = "Damaged delivery", date(2026, 11, 20)
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert dialogs.errors == []
    assert editor.status_badges.texts()[-1] == "Disputed"
    assert editor.dispute_note.isVisibleTo(editor) and "Damaged delivery" in editor.dispute_note.text()
    assert not editor.dispute_action.isEnabled() and "already disputed" in editor.dispute_action.toolTip()
    due = editor.document.balance.amount_due

    def credit_ten(dialog) -> None:  # type: ignore[no-untyped-def]
        assert "Resolve the dispute" in dialog.windowTitle()
        assert dialog.reason.placeholderText() == "Damaged delivery"  # the credit note's reason unless typed
        dialog.amount.setText("10.00")
        assert "The dispute ends with it" in dialog.effect.text()
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)

    run_modal(qtbot, more_action(editor, "Resolve dispute by credit note…").trigger, credit_ten)
    assert dialogs.errors == []
    assert editor.document.balance.amount_due == due - 1000
    assert "Disputed" not in editor.status_badges.texts() and not editor.dispute_note.isVisibleTo(editor)
    (ended,) = store.read(gui_db, lambda s: disputes.list_disputes(s, open_only=False))
    assert ended.resolution == "credit_note" and ended.credit_note_id is not None
    note = store.read(gui_db, lambda s: invoices.get_invoice(s, ended.credit_note_id, "credit_note"))
    assert (note.total, note.reason) == (1000, "Damaged delivery")
    assert _events(gui_db, invoice)[-2:] == ["credit", "dispute_close"]


def test_the_dispute_dialog_wants_a_reason(qtbot) -> None:  # type: ignore[no-untyped-def]
    answers: list[messages.DatedReason | None] = []

    def type_reason(dialog) -> None:  # type: ignore[no-untyped-def]
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        reason = dialog.findChild(QLineEdit, "reason")
        assert not ok.isEnabled()  # a dispute says why
        reason.setText("  ")
        assert not ok.isEnabled()
        reason.setText("wrong hours")
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: answers.append(messages.ask_dated_reason(
        None, "Mark disputed", "Mark it disputed?", date(2026, 11, 2), required=True)), type_reason)
    assert answers[0] is not None and answers[0].text == "wrong hours"
