"""The invoice window with what real invoices contain (issue 11): a draft entered with price bases, gross
prices, line allowances and charges, percent document allowances, a type code and a rounding amount shows them,
keeps every one through a save, and edits a line's allowances and charges in its own dialog (Ctrl+Shift+L)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog

from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.gui.dialogs.line_charges import LineChargesDialog
from invoicer.services import drafts, invoices
from tests.gui.gui_helpers import run_modal
from tests.services.helpers import add_customer, set_up_seller
from tests.services.test_line_detail import rich_draft


def _stored(db: Database, invoice_id: int) -> tuple[Any, ...]:
    with transaction(db.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        return (inv.total, inv.rounding_amount, inv.type_code, inv.preceding_number,
                [(x.price_base, x.gross_price, x.net, [(c.amount, c.percent, c.reason_code) for c in x.allowances])
                 for x in inv.lines],
                [(a.amount, a.percent, a.base, a.reason_code) for a in inv.adjustments])


def test_the_editor_keeps_and_edits_the_line_detail(qtbot, window, gui_db: Database) -> None:  # type: ignore[no-untyped-def]
    set_up_seller(gui_db)
    customer_id = add_customer(gui_db)
    with transaction(gui_db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json(rich_draft(customer_id), "draft.json"))
    before = _stored(gui_db, invoice_id)

    editor = window.open_invoice(invoice_id)
    assert editor.type_code.currentData() == "384" and editor.preceding.text() == "RE-2026-00007"
    assert editor.rounding_amount.text() == "-0.01"
    assert editor.lines.rows[0]["price_base"] == "100" and editor.lines.rows[1]["gross_price"] == "13.00"
    # every unit code, the returned pallets' negative quantity, and the document allowances and charges in percent
    # of their base (and the zero allowance) are in the editor's cells
    assert [(r["quantity"], r["unit"]) for r in editor.lines.rows[:4]] == [
        ("1,500", "KWH"), ("3", "XPP"), ("-2", "XPP"), ("2", "XBX")]
    assert [(r["kind"], r["amount"], r["percent"], r["base"]) for r in editor.adjustments.rows[:3]] == [
        ("discount", "", "2", "400.84"), ("discount", "0", "", ""), ("charge", "", "5", "19.98")]
    shown = [editor.lines.data(editor.lines.index(row, 2)) for row in range(4)]
    assert shown[0] != "KWH" and "kWh" in shown[0], shown  # the picker's friendly name, the code behind it
    editor.buyer_reference.setText("04011000-12345-04")
    assert editor.save()
    assert _stored(gui_db, invoice_id) == before  # nothing the editor does not show in cells is lost

    editor.line_table.setCurrentIndex(editor.lines.index(1, 0))

    def add_a_charge(dialog: QDialog) -> None:
        assert isinstance(dialog, LineChargesDialog)
        assert [r["reason"] for r in dialog.model.rows] == ["Volume discount", "Freight", ""]
        dialog.model.set_cells(2, {"kind": "charge", "reason": "Insurance", "amount": "1.00"})
        dialog.accept()

    run_modal(qtbot, editor.line_detail_action.trigger, add_a_charge)
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        line = invoices.get_invoice(s, invoice_id).lines[1]
        assert [(c.reason, c.amount) for c in line.allowances] == [
            ("Volume discount", 370), ("Freight", 250), ("Insurance", 100)]
        assert line.net == 3584 + 100

    def percent_of_a_base(dialog: QDialog) -> None:  # BT-137: 10 % of a base of 20.00 of its own
        assert isinstance(dialog, LineChargesDialog)
        dialog.model.set_cells(0, {"base": "20.00"})
        dialog.accept()

    editor.line_table.setCurrentIndex(editor.lines.index(1, 0))
    run_modal(qtbot, editor.line_detail_action.trigger, percent_of_a_base)
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        line = invoices.get_invoice(s, invoice_id).lines[1]
        assert (line.allowances[0].amount, line.allowances[0].base) == (200, 2000)
    # the rounding amount is part of the amount due the totals show
    assert editor.totals.values["rounding"].text().endswith("0.01")
    assert "amount_due" in editor.totals.values


def test_the_editor_states_the_date_of_supply_and_the_service_period(qtbot, window, gui_db: Database) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from PySide6.QtCore import QDate

    set_up_seller(gui_db)
    customer_id = add_customer(gui_db)
    with transaction(gui_db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json({
            "customer": customer_id, "issue_date": "2026-11-02",
            "lines": [{"description": "Hosting", "unit_price": "49.90", "tax": {"rate": "19"},
                       "period": {"start": "2026-10-01", "end": "2026-10-15"}}],
        }, "draft.json"))
    editor = window.open_invoice(invoice_id)
    assert not editor.supplied.isChecked() and not editor.delivery_date.isEnabled()
    editor.supplied.setChecked(True)
    assert editor.delivery_date.isEnabled()
    editor.delivery_date.setDate(QDate(2026, 10, 20))
    editor.in_period.setChecked(True)
    editor.period_start.setDate(QDate(2026, 10, 1))
    editor.period_end.setDate(QDate(2026, 10, 31))
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        inv = invoices.get_invoice(s, invoice_id)
        assert (inv.delivery_date, inv.period_start, inv.period_end) == (
            date(2026, 10, 20), date(2026, 10, 1), date(2026, 10, 31))
        # the line's own period, shown in its column, survives the save
        assert (inv.lines[0].period_start, inv.lines[0].period_end) == (date(2026, 10, 1), date(2026, 10, 15))
    editor.in_period.setChecked(False)
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        assert invoices.get_invoice(s, invoice_id).period_start is None


def test_a_line_takes_its_own_service_period_in_a_dialog(qtbot, window, gui_db: Database, dialogs) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from PySide6.QtCore import QDate
    from PySide6.QtGui import QKeySequence

    from invoicer.gui.dialogs.line_period import LinePeriodDialog
    from invoicer.gui.style import day

    set_up_seller(gui_db)
    customer_id = add_customer(gui_db)
    with transaction(gui_db.sessions) as s:
        invoice_id = drafts.create_draft(s, drafts.draft_from_json({
            "customer": customer_id, "issue_date": "2026-11-02", "period": {"start": "2026-10-01", "end": "2026-10-31"},
            "lines": [{"description": "Hosting", "unit_price": "49.90", "tax": {"rate": "19"}},
                      {"description": "Support", "unit_price": "30", "tax": {"rate": "19"}}],
        }, "draft.json"))
    editor = window.open_invoice(invoice_id)
    column = editor.lines.column_of("period_shown")
    assert editor.line_table.isColumnHidden(column)  # no line has a period of its own: no empty column
    assert editor.line_period_action.shortcut() == QKeySequence("Ctrl+Shift+T")
    editor.line_table.setCurrentIndex(editor.lines.index(1, 0))

    def refused_then_given(dialog: QDialog) -> None:
        assert isinstance(dialog, LinePeriodDialog)
        assert not dialog.start.isEnabled()
        dialog.own.setChecked(True)
        assert dialog.start.isEnabled() and dialog.start.date() == QDate(2026, 10, 1)  # the invoice's period
        assert dialog.end.date() == QDate(2026, 10, 31)
        dialog.start.setDate(QDate(2026, 10, 20))
        dialog.end.setDate(QDate(2026, 10, 10))
        dialog.accept()
        assert dialog.isVisible() and dialogs.errors[-1] == (
            "line 2: the service period ends (2026-10-10) before it starts (2026-10-20).")
        dialog.end.setDate(QDate(2026, 11, 5))
        dialog.accept()
        assert dialog.isVisible() and "line 2: its service period (2026-10-20 to 2026-11-05) lies outside" in (
            dialogs.errors[-1])
        dialog.end.setDate(QDate(2026, 10, 25))
        dialog.accept()
        assert not dialog.isVisible()

    run_modal(qtbot, editor.line_period_action.trigger, refused_then_given)
    assert not editor.line_table.isColumnHidden(column)
    shown = f"{day(date(2026, 10, 20))} – {day(date(2026, 10, 25))}"
    assert editor.lines.index(1, column).data() == shown and editor.lines.index(0, column).data() == ""
    assert editor.is_dirty() and editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        lines = invoices.get_invoice(s, invoice_id).lines
        assert [(ln.period_start, ln.period_end) for ln in lines] == [(None, None), (date(2026, 10, 20), date(2026, 10, 25))]
    editor.line_table.setCurrentIndex(editor.lines.index(1, 0))

    def untick(dialog: QDialog) -> None:
        assert isinstance(dialog, LinePeriodDialog) and dialog.own.isChecked()
        assert dialog.start.date() == QDate(2026, 10, 20)
        dialog.own.setChecked(False)
        dialog.accept()

    run_modal(qtbot, editor.line_period_action.trigger, untick)
    assert editor.line_table.isColumnHidden(column)
    editor.undo.undo()  # the period comes back with Ctrl+Z, as any edit of a line
    assert editor.lines.index(1, column).data() == shown
    editor.undo.redo()
    assert editor.save()
    with transaction(gui_db.readonly_sessions) as s:
        assert invoices.get_invoice(s, invoice_id).lines[1].period_start is None


def test_the_unit_picker_names_the_common_units_and_offers_every_other_code() -> None:
    """Issue 11: every UN/ECE Rec 20/21 code can be picked, not a whitelist; the common ones by name."""
    from invoicer.core import reference
    from invoicer.gui.widgets.pickers import unit_choices

    choices = dict(unit_choices(["ZZ"]))
    assert choices["KWH"] == "kWh (KWH)" and choices["XPX"] == "pallet (XPX)" and choices["MWH"] == "MWh (MWH)"
    assert {"XPP", "ZZ", "NAR", "IE", "P1", "KWT"} <= set(choices)
    assert set(choices) == reference.units() - {"H87"}  # H87 is a second "piece": C62 stands for it
    codes = [code for code, _name in unit_choices(["ZZ"])]
    assert codes.index("ZZ") < codes.index("XPP")  # a code in use comes before the rest of the list
