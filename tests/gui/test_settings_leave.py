"""Settings on leaving: unsaved changes are asked about (save, discard or stay), what is saved is validated first,
and saving what did not change writes no audit event."""

from __future__ import annotations

from gui_helpers import press, replace_text, sidebar
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from invoicer.db.engine import transaction
from invoicer.db.models import AuditEvent
from invoicer.services import company, settings, setup


def _events(db) -> int:  # type: ignore[no-untyped-def]
    with transaction(db.readonly_sessions) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _profile(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        setup.save_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")


def _stored_name(db) -> str:  # type: ignore[no-untyped-def]
    with transaction(db.readonly_sessions) as s:
        return company.get_company(s).name


def test_unchanged_settings_leave_without_a_question_and_saving_them_writes_no_event(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    before = _events(gui_db)
    assert not page.has_changes()
    page.name.setFocus()
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.errors == [] and window.statusBar().currentMessage() == "Settings saved."
    assert _events(gui_db) == before
    dialogs.save_answer = "cancel"  # would keep the page, were it asked
    sidebar(qtbot, window, "Invoices")
    assert window.current_page() is window.pages["invoices"]


def test_leaving_with_changes_asks_cancel_stays_discard_forgets_save_stores(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    replace_text(qtbot, page.name, "Acme Renamed")
    assert page.has_changes()
    dialogs.save_answer = "cancel"
    sidebar(qtbot, window, "Invoices")
    assert window.current_page() is page and page.name.text() == "Acme Renamed"
    assert window.sidebar.currentRow() == window.specs.index(next(s for s in window.specs if s.key == "settings"))
    dialogs.save_answer = "discard"
    sidebar(qtbot, window, "Invoices")
    assert window.current_page() is window.pages["invoices"] and page.name.text() == "Acme"
    assert _stored_name(gui_db) == "Acme"

    page = window.show_page("settings")
    replace_text(qtbot, page.name, "Acme Saved")
    dialogs.save_answer = "save"
    window.show_page("invoices")
    assert _stored_name(gui_db) == "Acme Saved"
    assert window.current_page() is window.pages["invoices"]


def test_a_change_on_another_tab_counts_and_is_validated_before_leaving(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    page.tabs.setCurrentIndex(page.accounting_tab)
    replace_text(qtbot, page.accounting.accounts["bank"].edit, " ")
    qtbot.keyClick(page.accounting.accounts["bank"].edit, Qt.Key.Key_Backspace)
    dialogs.save_answer = "save"
    sidebar(qtbot, window, "Customers")
    assert dialogs.errors == ["Enter an account code for “Cash / bank”."]
    assert window.current_page() is page and page.tabs.currentIndex() == page.accounting_tab
    with transaction(gui_db.readonly_sessions) as s:
        assert settings.get(s, "ledger.account.bank") == "1000"


def test_closing_the_window_with_unsaved_settings_asks_too(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    page.mail.host.setFocus()
    qtbot.keyClicks(page.mail.host, "smtp.example.com")
    dialogs.save_answer = "cancel"
    assert not window.close() and window.isVisible()
    dialogs.save_answer = "discard"
    assert window.close()


def test_a_profile_saved_unchanged_writes_no_audit_event(gui_db):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    before = _events(gui_db)
    with transaction(gui_db.sessions) as s:
        company.update_company(s, **vars(company.company_data(company.get_company(s))))
    assert _events(gui_db) == before
    with transaction(gui_db.sessions) as s:
        company.update_company(s, city="Hamburg")
    assert _events(gui_db) == before + 1


def test_a_change_made_elsewhere_while_typing_keeps_what_the_user_typed(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    replace_text(qtbot, page.name, "Acme Typed")
    with transaction(gui_db.sessions) as s:  # another desk changes the city meanwhile
        company.update_company(s, city="Hamburg")
    window.ops.changed.emit("company")
    assert page.name.text() == "Acme Typed" and page.city.text() == "Berlin"
    assert "changed elsewhere" in window.statusBar().currentMessage()
    dialogs.save_answer = "discard"
    sidebar(qtbot, window, "Invoices")
    assert page.name.text() == "Acme" and page.city.text() == "Hamburg"


def test_a_change_made_elsewhere_without_typing_shows_at_once(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _profile(gui_db)
    page = sidebar(qtbot, window, "Settings")
    with transaction(gui_db.sessions) as s:
        company.update_company(s, city="Hamburg")
    window.ops.changed.emit("company")
    assert page.city.text() == "Hamburg"
