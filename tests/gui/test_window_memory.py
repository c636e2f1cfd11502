"""The window remembers what the user arranged: its size, the page, and each list's column widths (never
narrower than a column's title)."""

from __future__ import annotations

from invoicer.gui.main_window import MainWindow


def _open(qtbot, db) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_column_widths_come_back_next_time(qtbot, gui_db, dialogs):  # type: ignore[no-untyped-def]
    window = _open(qtbot, gui_db)
    header = window.show_page("customers").table.horizontalHeader()
    fitted = header.sectionSize(1)
    header.resizeSection(1, fitted + 140)  # Email, widened by the user
    invoices = window.show_page("invoices").table.horizontalHeader()
    number = invoices.sectionSize(0)
    invoices.resizeSection(0, 5)  # narrower than its title: not kept
    assert window.close()

    again = _open(qtbot, gui_db)
    assert again.current_page() is again.pages["invoices"]
    assert again.show_page("customers").table.horizontalHeader().sectionSize(1) == fitted + 140
    assert again.show_page("invoices").table.horizontalHeader().sectionSize(0) == number
    again.close()


def test_widths_are_kept_per_language(qtbot, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer import i18n

    window = _open(qtbot, gui_db)
    header = window.show_page("customers").table.horizontalHeader()
    header.resizeSection(1, header.sectionSize(1) + 300)
    assert window.close()
    i18n.set_language("de_DE")
    try:
        again = _open(qtbot, gui_db)
        german = again.show_page("customers").table.horizontalHeader()
        assert german.sectionSize(1) < header.sectionSize(1)  # the English width stays with English
        again.close()
    finally:
        i18n.set_language("en_US")
