"""Settings shows the logo stored in the data folder (and says when it cannot be read); a daily backup that fails
is reported in the status bar while the app goes on."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import sidebar
from PIL import Image

from invoicer.db import backup
from invoicer.db.engine import transaction
from invoicer.gui.app import start_daily_backup
from invoicer.services import company


def _set_logo(db, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (20, 80, 160)).save(logo)
    with transaction(db.sessions) as s:
        company.update_company(s, logo_path=str(logo))
        return db.folder / str(company.get_company(s).logo_path)


def test_settings_show_the_copied_logo_and_say_when_it_is_missing(qtbot, window, gui_db, tmp_path):  # type: ignore[no-untyped-def]
    copied = _set_logo(gui_db, tmp_path)
    page = sidebar(qtbot, window, "Settings")
    page.refresh()
    assert not page.logo.pixmap().isNull()
    copied.unlink()
    page.refresh()
    assert page.logo.pixmap().isNull()
    assert page.logo.text() == f"Cannot read {copied.name}"


def test_a_failed_daily_backup_shows_in_the_status_bar(qtbot, window, gui_db, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_write_archive", disk_full)
    start_daily_backup(window, gui_db.folder)
    qtbot.waitUntil(lambda: "daily backup could not be made" in window.statusBar().currentMessage())
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_the_daily_backup_is_made_after_the_window_shows(qtbot, window, gui_db):  # type: ignore[no-untyped-def]
    from invoicer.services import backups

    for old in backups.list_backups(gui_db.folder):
        old.path.unlink()
    start_daily_backup(window, gui_db.folder)
    qtbot.waitUntil(lambda: [b.reason for b in backups.list_backups(gui_db.folder)] == ["daily"])


def test_back_up_now_runs_in_the_background_with_its_progress_and_lists_the_archive(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from invoicer.services import backups

    page = sidebar(qtbot, window, "Settings")
    page.refresh()
    before = page.backups.count()
    qtbot.mouseClick(page.findChild(QPushButton, "backup_now"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Backup written to"))
    made = backups.list_backups(gui_db.folder)[0]
    assert made.reason == "manual" and str(made.path) in window.statusBar().currentMessage()
    assert page.backups.count() == before + 1
    assert dialogs.errors == [] and dialogs.unexpected == 0
