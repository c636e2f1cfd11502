"""The prepaid amount (BT-113) in the invoice editor: reached from the keyboard (Alt+I) next to the totals, shown in
the live totals with the amount due, explained under the lines while it cannot be, refused in a dialog on save, kept
through a save, paid as the invoice is finalized and shown as issued in the invoice window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import drafts, invoices
from tests.gui.gui_helpers import activate, focused, sidebar
from tests.services.helpers import add_customer, set_up_seller

DRAFT = {"issue_date": "2026-11-20", "rounding_amount": "0.01",
         "lines": [{"description": "Consulting", "quantity": "10", "unit_price": "100.00",
                    "tax": {"category": "S", "rate": "19"}}]}


def test_the_editor_takes_a_prepaid_amount(qtbot, window, gui_db: Database, dialogs) -> None:  # type: ignore[no-untyped-def]
    set_up_seller(gui_db)
    customer_id = add_customer(gui_db)
    with transaction(gui_db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json({"customer": customer_id, **DRAFT}, "draft.json"))

    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    editor.notes.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # the buddy label's shortcut
    assert focused() is editor.prepaid
    qtbot.keyClicks(editor.prepaid, "1200")
    # more than 1190.01 is refused while typing: said under the lines, no totals to trust
    assert "more than the invoice asks" in editor.problem.text()
    editor.prepaid.clear()
    qtbot.keyClicks(editor.prepaid, "500")
    assert editor.problem.text() == ""
    assert editor.totals.values["prepaid"].text().endswith("500.00")
    assert editor.totals.values["amount_due"].text().endswith("690.01")
    editor.prepaid_method.setCurrentIndex(editor.prepaid_method.findData("10"))  # cash
    editor.prepaid_reference.setText("Receipt 17")
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.prepaid, inv.prepaid_method, inv.prepaid_reference) == (50000, "10", "Receipt 17")

    editor.prepaid.setText("-5")  # a negative amount: the save is refused in a dialog, nothing stored
    assert not editor.save()
    assert any("cannot be negative" in e for e in dialogs.errors), dialogs.errors
    with transaction(gui_db.readonly_sessions) as s:
        assert invoices.get_invoice(s, invoice_id).prepaid == 50000
    editor.prepaid.setText("500")
    assert editor.save()
    assert _listed_due(qtbot, window).endswith("690.01")  # the list asks the editor's rule, not total + rounding

    with transaction(gui_db.sessions) as s:
        invoices.finalize_invoice(s, invoice_id)
    editor.close()
    qtbot.waitUntil(lambda: invoice_id not in window.editors)
    assert _listed_due(qtbot, window).endswith("690.01")  # now a payment: counted once
    editor = window.open_invoice(invoice_id)
    assert editor.prepaid.isReadOnly() and editor.prepaid.text() == "500"
    assert editor.totals.values["prepaid"].text().endswith("500.00")
    assert editor.totals.values["amount_due"].text().endswith("690.01")
    assert editor.payment_model.rowCount() == 1  # the payment of the advance, in the payments tab, said so
    assert editor.payment_model.data(editor.payment_model.index(0, 5)) == "Paid in advance"


def _listed_due(qtbot, window) -> str:  # type: ignore[no-untyped-def]
    """The amount due the invoices page shows for its one invoice."""
    page = sidebar(qtbot, window, "Invoices")
    page.table.model().reload()
    model = page.table.model()
    column = next(i for i, c in enumerate(model.columns) if c.key == "amount_due")
    assert model.rowCount() == 1
    return str(model.index(0, column).data())
