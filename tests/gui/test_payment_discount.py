"""The payment dialog offers an invoice's early-payment discount: "Pay X by D (discount Y)"; typing the discounted
amount on a day within the period ticks the discount, which settles the invoice with a credit note; the tick
can be taken off (a part payment), and after the period it is not offered."""

from __future__ import annotations

from datetime import date

from gui_helpers import activate, run_modal, toolbar_button
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import early_payment, invoices, store
from tests.gui.conftest import Dialogs
from tests.services.helpers import add_customer, make_draft, set_up_seller


def _with_discount(db: Database) -> int:
    set_up_seller(db)
    draft = make_draft(db, add_customer(db))  # 477.03 of 2026-11-02: 467.49 until 2026-11-12
    with transaction(db.sessions) as s:
        early_payment.set_terms(s, draft, "2", 10)
        invoices.finalize_invoice(s, draft)
    return draft


def test_the_payment_dialog_takes_the_discount(qtbot, window, gui_db: Database, dialogs: Dialogs) -> None:  # type: ignore[no-untyped-def]
    invoice = _with_discount(gui_db)
    editor = window.open_invoice(invoice)
    activate(qtbot, editor)

    def pay(dialog) -> None:  # type: ignore[no-untyped-def]
        terms = dialog.findChild(QLabel, "discount_terms")
        assert terms.text() == "Pay €467.49 by 11/12/2026 (discount €9.54)"
        assert not dialog.take_discount.isEnabled()  # paid today: after the period
        dialog.paid_on.setDate(QDate(2026, 11, 10))
        assert dialog.take_discount.isEnabled() and not dialog.take_discount.isChecked()
        dialog.take_discount.setChecked(True)  # fills in the discounted amount
        assert dialog.amount.text() == "467.49"
        assert "Paid in full" in dialog.effect.text() and "€9.54" in dialog.effect.text()
        dialog.take_discount.setChecked(False)
        assert "Amount due after this: €9.54" in dialog.effect.text()  # a part payment
        dialog.amount.setText("467.49")
        dialog.take_discount.setChecked(True)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Record payment…"),
                                              Qt.MouseButton.LeftButton), pay)
    assert dialogs.errors == []
    paid = store.read(gui_db, lambda s: invoices.get_invoice(s, invoice))
    assert (paid.status, paid.paid, paid.credited) == ("paid", 46749, 954)
    assert editor.document.status == "paid" and len(editor.document.credit_notes) == 1
    assert editor.document.credit_notes[0].issue_date == date(2026, 11, 10)
