"""Other desks see changes: each commit on a shared server notifies the desks listening (LISTEN/NOTIFY), not the
one that wrote; an open window refreshes its lists without polling."""

from __future__ import annotations

import threading
from pathlib import Path

from invoicer.db.migrate import Database, open_server
from invoicer.services import customers, store
from tests.services.helpers import set_up_seller


def _add_customer(db: Database, name: str) -> int:
    return store.write(db, lambda s: customers.add_customer(s, customers.CustomerData(name=name, country="DE")))


def _until(event: threading.Event, write: object, attempts: int = 20) -> bool:
    """Write until the event is set (the listener's LISTEN may not be in place before the first write)."""
    for _ in range(attempts):
        write()  # type: ignore[operator]
        if event.wait(0.5):
            return True
    return False


def test_a_desk_hears_the_others_commits_not_its_own(pg_business_url: str, tmp_path: Path) -> None:
    here, there = open_server(pg_business_url, tmp_path), open_server(pg_business_url, tmp_path)
    heard = threading.Event()
    calls: list[int] = []

    def changed() -> None:
        calls.append(1)
        heard.set()

    stop = store.listen_for_other_desks(here, changed)
    try:
        assert _until(heard, lambda: _add_customer(there, "Other desk GmbH"))
        heard.clear()
        before = len(calls)
        _add_customer(here, "This desk GmbH")
        _add_customer(there, "Other desk again GmbH")  # committed after this desk's own change
        assert heard.wait(10)
        assert len(calls) == before + 1  # the own change called nothing
    finally:
        stop()
        here.close()
        there.close()


def test_a_local_file_listens_to_nothing(db: Database) -> None:
    assert store.listen_for_other_desks(db, lambda: None)() is None


def test_an_open_window_shows_another_desks_customer(qtbot, pg_business_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                     monkeypatch) -> None:
    from invoicer import i18n
    from invoicer.gui.main_window import MainWindow

    i18n.set_language("en_US")
    # no reminder count after the test: its database is dropped then
    monkeypatch.setattr(MainWindow, "REMINDERS_FIRST_CHECK_MS", 10**8)
    monkeypatch.setattr(MainWindow, "RULE_CHECKER_START_MS", None)
    here, there = open_server(pg_business_url, tmp_path), open_server(pg_business_url, tmp_path)
    set_up_seller(here)
    window = MainWindow(here)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("customers")
    shown = page.model.rowCount()
    try:
        for attempt in range(20):  # until the window's LISTEN is in place
            _add_customer(there, f"Other desk {attempt} GmbH")
            try:
                qtbot.waitUntil(lambda: page.model.rowCount() > shown, timeout=1000)
                break
            except AssertionError:
                continue
        assert page.model.rowCount() > shown
    finally:
        window.close()
        here.close()
        there.close()
