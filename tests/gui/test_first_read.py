"""The window painted from the first read (plain sqlite3, before SQLAlchemy loads) shows what the store shows, and
nothing moves when the store takes over: same rows, texts, badges and order, the selection kept."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from invoicer.gui.main_window import MainWindow
from invoicer.gui.pages.invoices import InvoicesPage
from invoicer.gui.widgets.status_badge import STATUS_ROLE
from invoicer.services import demo, first_window


def cells(page: InvoicesPage) -> list[list[object]]:
    model = page.model
    return [[(model.index(r, c).data(), model.index(r, c).data(STATUS_ROLE),
              model.index(r, c).data(Qt.ItemDataRole.ForegroundRole)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def invoice_list(qtbot, db) -> tuple[MainWindow, InvoicesPage]:  # type: ignore[no-untyped-def]
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("invoices")
    qtbot.waitUntil(lambda: page.count_label.text() != "", timeout=5000)
    return window, page


def test_the_store_takes_over_without_a_visible_change(qtbot, gui_db, dialogs):  # type: ignore[no-untyped-def]
    demo.generate(gui_db, invoices=300, seed=3)
    (gui_db.folder / "window.ini").write_text("[window]\npage=invoices\n", encoding="utf-8")
    first = first_window.first_read(gui_db.folder)
    assert first is not None
    _orm_window, orm = invoice_list(qtbot, gui_db)
    window, page = invoice_list(qtbot, first)
    assert window.ops.first_read is first
    assert cells(page) == cells(orm) and page.count_label.text() == orm.count_label.text() == "300 invoices"
    for key in ("customer", "amount_due"):  # a sort is answered by the first read too, as the store answers it
        column = next(i for i, c in enumerate(page.model.columns) if c.key == key)
        for view in (page, orm):
            view.table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)
        assert cells(page) == cells(orm)
    assert window.ops.first_read is first

    page.table.selectionModel().select(page.model.index(7, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                       | QItemSelectionModel.SelectionFlag.Rows)
    selected = page.selected_rows()
    assert window.ops.first_read is first and page.customer.count() == 1  # the customers are listed by the store
    assert window.ops.db.path == gui_db.path  # asking for the store opens it
    qtbot.waitUntil(lambda: page.customer.count() > 1)
    assert window.ops.first_read is None
    assert cells(page) == cells(orm) and page.selected_rows() == selected

    page.search.setFocus()  # a search needs the store
    qtbot.keyClicks(page.search, orm.model.row_at(0).customer_name[:4])
    assert page.model.rowCount() > 0
    window.ops.db.close()


def test_the_first_windows_count_waits_for_its_first_paint(qtbot, gui_db, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    """At a million invoices the count takes 35 ms of CPU: it starts once the window is painted, not beside it."""
    demo.generate(gui_db, invoices=30, seed=3)
    (gui_db.folder / "window.ini").write_text("[window]\npage=invoices\n", encoding="utf-8")
    first = first_window.first_read(gui_db.folder)
    assert first is not None
    painted_when_counted = []
    count = first_window.FirstRead.count
    monkeypatch.setattr(first_window.FirstRead, "count",
                        lambda read, flt: painted_when_counted.append(window.painted) or count(read, flt))
    window = MainWindow(first)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("invoices")
    qtbot.waitUntil(lambda: page.count_label.text() == "30 invoices", timeout=5000)
    assert painted_when_counted == [True] and window.ops.first_read is first
