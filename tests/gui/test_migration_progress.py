"""A start that migrates the database shows its progress in a modal dialog (the backup, then the migration), then
the main window; a folder that cannot be opened still shows the error and no window."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from invoicer import APP_NAME, paths
from invoicer.core.errors import N_, StorageError
from invoicer.db import backup, migrate
from invoicer.gui import app as app_module
from invoicer.gui import messages
from invoicer.gui.main_window import MainWindow
from tests.migrations.test_migration_progress import at_revision

BACKUP_LABEL = "Making a backup before updating the database…"
MIGRATION_LABEL = "Updating the database for this version of Invoicer…"
WAIT_SECONDS = 30  # for the dialog to be seen; a start that never shows it fails the asserts below, not a timer


def _visible_progress() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


class Watcher:
    """Looks at the progress dialog from the UI thread while the app starts, and holds the worker at the end of each
    phase until the dialog has shown it: what is seen does not depend on how fast the machine is."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[str, str, bool, int]] = []  # (title, label, modal, visible buttons), as it changed
        self.stayed_after_close = False
        self.backup_shown, self.migration_shown = threading.Event(), threading.Event()
        self.timer = QTimer()
        self.timer.timeout.connect(self.look)
        self.timer.start(5)
        real_backup, real_migrate = backup.create_backup, migrate.migrate

        def create_backup(*args: Any, **kwargs: Any) -> Path:
            archive: Path = real_backup(*args, **kwargs)
            self.backup_shown.wait(WAIT_SECONDS)
            return archive

        def migrated(*args: Any, **kwargs: Any) -> None:
            self.migration_shown.wait(WAIT_SECONDS)
            real_migrate(*args, **kwargs)

        monkeypatch.setattr(backup, "create_backup", create_backup)
        monkeypatch.setattr(migrate, "migrate", migrated)
        monkeypatch.setattr(app_module, "MIGRATION_DIALOG_AFTER_MS", 0)

    def look(self) -> None:
        for dialog in _visible_progress():
            buttons = sum(1 for b in dialog.findChildren(QPushButton) if b.isVisible())
            shown = (dialog.windowTitle(), dialog.labelText(), dialog.isModal(), buttons)
            if not self.seen or self.seen[-1] != shown:
                self.seen.append(shown)
            if dialog.labelText() == BACKUP_LABEL and not self.backup_shown.is_set():
                dialog.close()  # as the window's close button does: a migration cannot be interrupted
                self.stayed_after_close = dialog.isVisible()
                self.backup_shown.set()
            if dialog.labelText() == MIGRATION_LABEL:
                self.migration_shown.set()


@pytest.fixture
def start(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], tuple[int, list[str]]]:
    """Run the app on a folder: its exit code, and the titles of the main windows shown once the event loop runs."""
    monkeypatch.setenv("LANGUAGE", "en_US")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def run(folder: Path) -> tuple[int, list[str]]:
        windows: list[str] = []

        def exec_once(self: QApplication) -> int:
            assert not _visible_progress()  # gone before the window shows
            for window in QApplication.topLevelWidgets():
                if isinstance(window, MainWindow) and window.isVisible():
                    windows.append(window.windowTitle())
                    window.close()
            return 0

        monkeypatch.setattr(QApplication, "exec", exec_once)
        return app_module.run(folder), windows

    return run


def test_a_start_that_migrates_shows_the_backup_then_the_migration_then_the_window(
    start: Callable[[Path], tuple[int, list[str]]], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = at_revision(template_db, tmp_path / "data", "0036")
    watcher = Watcher(monkeypatch)
    code, windows = start(folder)
    watcher.timer.stop()
    assert code == 0 and len(windows) == 1 and APP_NAME in windows[0]
    assert [label for _title, label, _modal, _buttons in watcher.seen] == [BACKUP_LABEL, MIGRATION_LABEL]
    assert all(title == APP_NAME and modal and buttons == 0 for title, _label, modal, buttons in watcher.seen)
    assert watcher.stayed_after_close
    assert any(p.name.endswith("-pre-migration.zip") for p in paths.backups_dir(folder).iterdir())


def test_a_folder_from_a_newer_version_shows_the_error_and_no_window(
    start: Callable[[Path], tuple[int, list[str]]], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(template_db, paths.database_path(folder))
    with sqlite3.connect(paths.database_path(folder)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, error: errors.append(messages.error_message(error)))
    assert start(folder) == (1, [])
    assert len(errors) == 1 and "written by a newer version of Invoicer" in errors[0]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]  # none was made


def test_a_migration_that_fails_closes_the_progress_and_shows_the_error(
    start: Callable[[Path], tuple[int, list[str]]], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = at_revision(template_db, tmp_path / "data", "0036")
    watcher = Watcher(monkeypatch)

    def refused(*args: Any, **kwargs: Any) -> None:
        watcher.migration_shown.wait(WAIT_SECONDS)
        raise StorageError(N_("{path} is locked by another program; close it and try again."), path=folder)

    monkeypatch.setattr(migrate, "migrate", refused)
    errors: list[tuple[str, int]] = []  # (message, progress dialogs still visible)
    monkeypatch.setattr(messages, "show_error", lambda parent, error: errors.append(
        (messages.error_message(error), len(_visible_progress()))))
    assert start(folder) == (1, [])
    watcher.timer.stop()
    assert [label for _title, label, _modal, _buttons in watcher.seen] == [BACKUP_LABEL, MIGRATION_LABEL]
    assert len(errors) == 1 and "is locked by another program" in errors[0][0] and errors[0][1] == 0
