"""The bank page: a statement imported, each entry shown with its proposal's invoices, reason and confidence;
Ctrl+Enter confirms every sure match, Enter the chosen one after asking; a fee leaves the list."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt

from invoicer.db.migrate import Database
from invoicer.services import bank, invoices, store
from invoicer.services.bank import ProposalView
from tests.documents.bank_samples import Tx, camt053
from tests.gui.conftest import Dialogs
from tests.gui.gui_helpers import click_cell, press
from tests.services.helpers import add_customer, make_open, set_up_seller


def test_import_then_confirm_sure_matches_with_one_key(qtbot, window, gui_db: Database, dialogs: Dialogs,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path, monkeypatch) -> None:
    set_up_seller(gui_db)
    customer = add_customer(gui_db)
    sure = make_open(gui_db, customer)
    twin_a = make_open(gui_db, customer)
    twin_b = make_open(gui_db, customer)
    number, due = store.read(gui_db, lambda s: (invoices.get_invoice(s, sure).number,
                                               invoices.get_invoice(s, sure).amount_due))
    amount = Decimal(due) / 100
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(camt053([
        Tx(amount, "ACME SARL", "", f"Invoice {number}", ref="G1"),
        Tx(amount, "Somebody", "", "thanks", ref="G2"),  # the twins' amount: a choice
        Tx(Decimal("-4.90"), text="Account fee", ref="G3"),
    ]))
    page = window.show_page("bank")
    page.import_file(statement, "Commerzbank")
    assert dialogs.infos == ["3 new bank entries imported; 0 were imported before."]
    assert page.model.rowCount() == 3
    assert "sure" in page.summary.text() and page.summary.text().startswith("3 bank entries wait; 1 of them")
    first = [page.model.data(page.model.index(0, c)) for c in range(page.model.columnCount())]
    assert first[4] == number and first[5] == "99 %" and "invoice number" in first[6]
    second = [page.model.data(page.model.index(1, c)) for c in range(page.model.columnCount())]
    assert "(or " in second[4] and "choose one" in second[6]

    page.table.setFocus()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.infos[-1] == "1 payments confirmed from the bank statement."
    assert store.read(gui_db, lambda s: invoices.get_invoice(s, sure).status) == "paid"
    assert page.model.rowCount() == 2

    click_cell(qtbot, page.table, 0, 0)  # the ambiguous one: Enter asks which invoice, then records it
    offered: list[list[int]] = []

    def choose(view: ProposalView) -> int:
        assert view.proposal is not None
        offered.append([view.proposal.allocations[0].invoice_id, *view.proposal.alternatives])
        return twin_b

    monkeypatch.setattr(page, "choose_invoice", choose)
    press(qtbot, Qt.Key.Key_Return)
    assert offered == [[twin_a, twin_b]]
    twin_b_number = store.read(gui_db, lambda s: invoices.get_invoice(s, twin_b).number)
    assert dialogs.confirmations and twin_b_number in dialogs.confirmations[-1]
    paid = store.read(gui_db, lambda s: [invoices.get_invoice(s, i).status for i in (twin_a, twin_b)])
    assert paid == ["open", "paid"]
    click_cell(qtbot, page.table, 0, 0)
    page.fee_action.trigger()
    assert page.model.rowCount() == 0 and dialogs.errors == []


def test_a_debit_recorded_as_refund_to_a_customer(qtbot, window, gui_db: Database, dialogs: Dialogs,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path, monkeypatch) -> None:
    set_up_seller(gui_db)
    customer = add_customer(gui_db)
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(camt053([Tx(Decimal("-25.00"), "ACME SARL", "", "Erstattung", ref="R1")]))
    page = window.show_page("bank")
    page.import_file(statement, None)
    click_cell(qtbot, page.table, 0, 0)
    monkeypatch.setattr(page, "ask_refund", lambda: None)  # cancelled: nothing happens
    page.refund_action.trigger()
    assert page.model.rowCount() == 1
    monkeypatch.setattr(page, "ask_refund", lambda: (customer, "credit note CN-1 paid back"))
    page.refund_action.trigger()
    assert page.model.rowCount() == 0 and dialogs.errors == []
    entry = store.read(gui_db, lambda s: bank.get_entry(s, 1))
    assert entry.status == "refund"


def test_the_refund_dialog_offers_the_customers(qtbot, window, gui_db: Database) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QDialog

    from invoicer.gui.widgets.pickers import CustomerPicker

    set_up_seller(gui_db)
    add_customer(gui_db)
    page = window.show_page("bank")

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        picker = dialog.findChild(CustomerPicker)
        picker.setCurrentIndex(1)
        dialog.accept()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(100, answer)
    customer_id, note = page.ask_refund()
    assert customer_id is not None and note is None


def test_the_dashboard_lists_disputed_invoices(qtbot, window, gui_db: Database) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from invoicer.services import disputes

    set_up_seller(gui_db)
    invoice = make_open(gui_db, add_customer(gui_db))
    page = window.show_page("dashboard")
    assert page.disputes.isHidden()
    store.write(gui_db, lambda s: disputes.open_dispute(s, invoice, "wrong hours", date(2026, 11, 20)))
    page.refresh()
    assert not page.disputes.isHidden() and page.disputes_model.rowCount() == 1
    assert page.disputes_model.data(page.disputes_model.index(0, 4)) == "wrong hours"
