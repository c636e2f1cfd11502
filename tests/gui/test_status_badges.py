"""Filters and badges agree: a partially paid invoice past its due date shows both badges ("Partially paid",
"Overdue") in the list, on the dashboard, in the customer's account and in the invoice window."""

from __future__ import annotations

from datetime import date, timedelta

from gui_helpers import sidebar
from PySide6.QtWidgets import QStyleOptionViewItem

from invoicer.core.workflow import status_badges
from invoicer.db.engine import transaction
from invoicer.gui.widgets.status_badge import STATUS_ROLE
from invoicer.services import customers, invoices, payments, setup
from invoicer.services.invoices import DraftData, LineData


def test_overdue_and_partially_paid_are_two_badges() -> None:
    assert status_badges("overdue", True) == ("partially paid", "overdue")
    assert status_badges("overdue", False) == ("overdue",)
    assert status_badges("partially paid", True) == ("partially paid",)
    assert status_badges("paid", False) == ("paid",)


def _invoices(db) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """Three open invoices of 119.00: partly paid and overdue, partly paid and not yet due, unpaid and overdue."""
    today = date.today()
    with transaction(db.sessions) as s:
        setup.save_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        ids = []
        for issued, due in ((40, 10), (40, 10), (5, -20)):  # numbers follow dates
            invoice = invoices.create_draft(s, DraftData(
                customer, [LineData("Work", "1", "100", "S", "19")], issue_date=today - timedelta(days=issued),
                due_date=today - timedelta(days=due)))
            invoices.finalize_invoice(s, invoice)
            ids.append(invoice)
        payments.record_payment(s, ids[0], 5000)
        payments.record_payment(s, ids[2], 5000)
    return ids[0], ids[2], ids[1]


def _badges_by_id(page) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    model = page.model
    column = next(i for i, c in enumerate(model.columns) if c.key == "status")
    return {model.row_at(r).id: model.index(r, column).data(STATUS_ROLE) for r in range(model.rowCount())}


def test_the_list_filters_and_badges_agree(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    both, partly, overdue = _invoices(gui_db)
    page = sidebar(qtbot, window, "Invoices")
    assert _badges_by_id(page) == {both: ["partially paid", "overdue"], partly: ["partially paid"],
                                   overdue: ["overdue"]}
    column = next(i for i, c in enumerate(page.model.columns) if c.key == "status")
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).id == both)
    assert page.model.index(row, column).data() == "Partially paid, Overdue"
    page.filter_status("partially paid")
    assert _badges_by_id(page) == {both: ["partially paid", "overdue"], partly: ["partially paid"]}
    page.filter_status("overdue")
    assert _badges_by_id(page) == {both: ["partially paid", "overdue"], overdue: ["overdue"]}
    # the status column is as wide as two badges
    option = QStyleOptionViewItem()
    option.initFrom(page.table)
    delegate = page.table.itemDelegateForColumn(column)
    width = {page.model.row_at(r).id: delegate.sizeHint(option, page.model.index(r, column)).width()
             for r in range(page.model.rowCount())}
    assert width[both] > width[overdue] and page.table.columnWidth(column) >= width[both]


def test_the_invoice_window_and_the_dashboard_show_both(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    both, partly, _overdue = _invoices(gui_db)
    editor = window.open_invoice(both)
    assert editor.status_badges.texts() == ["Partially paid", "Overdue"]
    editor.close()
    editor = window.open_invoice(partly)
    assert editor.status_badges.texts() == ["Partially paid"]
    editor.close()
    board = sidebar(qtbot, window, "Dashboard")
    board.refresh()  # the first page shown, read before the invoices were made
    model = board.attention_model
    shown = {model.record(r).id: model.index(r, 4).data(STATUS_ROLE) for r in range(model.rowCount())}
    assert shown.get(both) == ["partially paid", "overdue"], shown


def test_a_selected_rows_badges_are_drawn_on_the_selection_colour(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The delegate asks the view whether the cell is selected (not ``option.state``, which would build QStyle's
    enums at the start's first paint): a selected row's status cell is painted in the highlight colour."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    from invoicer.gui.widgets.status_badge import StatusBadgeDelegate

    model = QStandardItemModel(2, 1)
    for row in range(2):
        item = QStandardItem()
        item.setData(["paid"], STATUS_ROLE)
        model.setItem(row, 0, item)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setColumnWidth(0, 300)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setItemDelegateForColumn(0, StatusBadgeDelegate(view))
    view.resize(400, 200)
    view.show()
    view.selectRow(0)
    image = view.viewport().grab().toImage()
    highlight = view.palette().color(QPalette.ColorRole.Highlight)
    right = view.visualRect(model.index(0, 0)).right() - 3  # right of the pill, inside the cell
    assert image.pixelColor(QPoint(right, view.visualRect(model.index(0, 0)).center().y())) == highlight
    assert image.pixelColor(QPoint(right, view.visualRect(model.index(1, 0)).center().y())) != highlight
