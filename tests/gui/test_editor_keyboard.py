"""The line table is driven by the keyboard alone, totals follow live, and edits undo."""

from __future__ import annotations

from gui_helpers import activate, fill_line, focused, press
from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.services import customers, taxes


def _customer(db) -> int:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        taxes.add_tax_rate(s, "VAT 19 %", "19", "S")
        return customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))


def test_three_lines_by_keyboard_with_live_totals_and_undo(qtbot, window, gui_db):  # type: ignore[no-untyped-def]
    customer_id = _customer(gui_db)
    editor = window.new_invoice(customer_id)
    activate(qtbot, editor)
    editor.line_table.start()
    fill_line(qtbot, "Consulting", "3", "100")
    fill_line(qtbot, "Travel", "1", "49.90")
    fill_line(qtbot, "Workshop", "2", "250")
    rows = [r for r in editor.lines.rows if not editor.lines.is_blank(r)]
    assert [(r["description"], r["quantity"], r["unit_price"]) for r in rows] == [
        ("Consulting", "3", "100"), ("Travel", "1", "49.90"), ("Workshop", "2", "250")]
    assert editor.totals.values["subtotal"].text() == "€849.90"
    assert editor.totals.values["total"].text() == "€1,011.38"  # 849.90 + 161.481 -> 161.48 VAT

    press(qtbot, Qt.Key.Key_Escape)
    for _ in range(2):  # the blank line Enter added, then the last price typed
        qtbot.keyClick(focused(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.lines.rows[2]["unit_price"] == ""
    assert editor.problem.text() == "line 3 unit price: enter a number."  # plain words, not "'' is not a number"
    for _ in range(2):
        qtbot.keyClick(focused(), Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert editor.totals.values["total"].text() == "€1,011.38"
