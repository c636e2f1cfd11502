"""Settings → Database: which database this desk uses, a connection test, switching to a shared server (the
password to the keyring) and back to the local file, the start on the saved server, readable in every language."""

from __future__ import annotations

import json

import pytest
from gui_helpers import replace_text, sidebar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from invoicer import i18n, paths
from invoicer.gui import app
from invoicer.services import server
from tests.gui.readability import clipped


def _database_tab(qtbot, window):  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Settings")
    page.tabs.setCurrentIndex(page.database_tab)
    return page.database


def test_the_local_file_is_named_and_going_back_to_it_is_offered_only_when_set_to_a_server(
        qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    tab = _database_tab(qtbot, window)
    assert str(paths.database_path(gui_db.folder)) in tab.in_use.text() and "local database file" in tab.in_use.text()
    assert not tab.use_local_button.isEnabled()
    qtbot.mouseClick(tab.use_server_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == ["Enter the server's address first, like postgresql://user@host/database."]


def test_a_wrong_address_is_explained_and_nothing_is_saved(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    tab = _database_tab(qtbot, window)
    replace_text(qtbot, tab.address, "mysql://owner@server/books")
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.testing is None and tab.result.text() != "")
    assert "is not a PostgreSQL address" in tab.result.text()
    replace_text(qtbot, tab.address, "postgresql://owner:secret@server/books")
    qtbot.mouseClick(tab.use_server_button, Qt.MouseButton.LeftButton)
    assert len(dialogs.errors) == 1 and "keyring" in dialogs.errors[0]
    assert server.saved_url(gui_db.folder) is None and window.isVisible()


def test_connecting_to_a_server_tests_it_saves_it_with_the_password_in_the_keyring_and_restarts(
        qtbot, window, gui_db, dialogs, pg_business_url):  # type: ignore[no-untyped-def]
    tab = _database_tab(qtbot, window)
    replace_text(qtbot, tab.address, pg_business_url)
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.testing is None and tab.result.text() != "", timeout=20000)
    assert tab.result.text() == "The server answers and holds a current Invoicer database."
    qtbot.keyClicks(tab.password, "s3cret")
    qtbot.mouseClick(tab.use_server_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == [] and dialogs.infos and "Invoicer closes" in dialogs.infos[0]
    assert server.saved_url(gui_db.folder) == pg_business_url
    assert "s3cret" not in paths.server_connection_path(gui_db.folder).read_text(encoding="utf-8")
    assert json.loads(paths.server_connection_path(gui_db.folder).read_text(encoding="utf-8")) == {"url": pg_business_url}
    assert server.password_for(pg_business_url) == "s3cret"
    qtbot.waitUntil(lambda: not window.isVisible())

    # the next start opens the server, and Settings says so
    db = app.open_business(gui_db.folder)
    assert db is not None and db.url == pg_business_url
    db.close()


def test_a_server_that_cannot_be_used_at_start_offers_the_local_file_this_time(
        qtbot, gui_db, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    # qtbot: the app exists at start (the local file is opened while its events are handled)
    server.save_connection(gui_db.folder, "postgresql://owner@127.0.0.1:9/books")
    dialogs.confirm_answer = False
    assert app.open_business(gui_db.folder) is None
    assert "cannot be reached" in dialogs.confirmations[0]
    dialogs.confirm_answer = True
    db = app.open_business(gui_db.folder)
    assert db is not None and db.url is None
    db.close()
    assert server.saved_url(gui_db.folder) is not None  # still set to the server for the next start


@pytest.mark.parametrize("language", ["en_US", "de_DE", "fr_FR", "es_ES"])
def test_the_database_tab_is_readable(qtbot, gui_db, dialogs, language):  # type: ignore[no-untyped-def]
    from invoicer.gui.main_window import MainWindow

    i18n.set_language(language)
    window = MainWindow(gui_db)
    qtbot.addWidget(window)
    window.resize(1200, 760)  # the size a first start opens at
    window.show()
    page = window.show_page("settings")
    page.tabs.setCurrentIndex(page.database_tab)
    page.database.result.setText(page.database.in_use.text())  # a long line where the test's answer goes
    for _ in range(4):
        QApplication.processEvents()
    assert clipped(window) == []
    window.close()


def test_the_first_run_checklist_offers_the_companys_server(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    page = window.show_page("dashboard")
    offer = page.checklist.server
    assert offer.isVisible()
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    settings = window.stack.currentWidget()
    assert settings.tabs.currentIndex() == settings.database_tab


@pytest.mark.parametrize("language", ["de_DE", "fr_FR", "es_ES"])
def test_the_first_run_checklist_is_readable(qtbot, gui_db, dialogs, language):  # type: ignore[no-untyped-def]
    from invoicer.gui.main_window import MainWindow

    i18n.set_language(language)
    window = MainWindow(gui_db)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.show_page("dashboard")
    for _ in range(4):
        QApplication.processEvents()
    assert clipped(window) == []
    window.close()
