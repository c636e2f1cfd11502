"""The desktop app on an encrypted database whose key is not in the keyring: it asks for the key, opens with the
right one, and refuses a wrong one with one message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from invoicer.gui import app as app_module
from invoicer.gui import messages
from invoicer.gui.main_window import MainWindow
from invoicer.mail import secrets
from invoicer.services import encryption, store
from tests.gui.conftest import Dialogs
from tests.mail.smtp_server import MemoryKeyring


@pytest.fixture
def locked_folder(tmp_path: Path, memory_keyring: MemoryKeyring) -> tuple[Path, str]:
    """An encrypted data folder whose key is no longer in the keyring, and that key."""
    folder = tmp_path / "data"
    store.open_database(folder, daily_backup=False).close()
    encryption.encrypt(folder)
    return folder, memory_keyring.store.pop((secrets.DATABASE_SERVICE, str(folder.resolve())))


@pytest.mark.parametrize("right", [True, False])
def test_the_app_asks_for_the_key(  # type: ignore[no-untyped-def]
    qtbot, locked_folder: tuple[Path, str], dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, right: bool
) -> None:
    folder, key = locked_folder
    asked: list[str] = []
    shown: list[str] = []

    def exec_once(self: QApplication) -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        shown.extend(w.windowTitle() for w in windows)
        for w in windows:
            w.close()
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(QApplication, "exec", exec_once)
    monkeypatch.setattr(messages, "ask_password", lambda parent, why: asked.append(why) or (key if right else "0" * 64))
    try:
        code = app_module.run(folder)
    finally:
        encryption.forget_keys()
    assert len(asked) == 1 and "is encrypted" in asked[0]
    if right:
        assert code == 0 and shown and dialogs.errors == []
    else:
        assert code == 1 and not shown
        assert len(dialogs.errors) == 1 and "does not open" in dialogs.errors[0]


@pytest.mark.sqlite_only
def test_restoring_an_encrypted_backup_from_another_computer_asks_for_its_key(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, memory_keyring: MemoryKeyring, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from invoicer.services import backups

    made = tmp_path / "made"
    store.open_database(made, daily_backup=False).close()
    encryption.encrypt(made)
    carried = tmp_path / "usb" / backups.create_backup(made).name
    carried.parent.mkdir()
    shutil.copy(made / "backups" / carried.name, carried)
    key = memory_keyring.store.pop((secrets.DATABASE_SERVICE, str(made.resolve())))  # another computer's keyring

    here = tmp_path / "here"
    db = store.open_database(here, daily_backup=False)
    window = MainWindow(db)
    qtbot.addWidget(window)
    answers = iter([None, "0" * 64, key])
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_password", lambda parent, why: asked.append(why) or next(answers))
    assert not window.ops.restore_backup(window, carried)  # cancelled: nothing happens
    assert not window.ops.restore_backup(window, carried)
    assert len(dialogs.errors) == 1 and f"does not open {carried}" in dialogs.errors[0]
    assert not encryption.is_encrypted(here)
    assert window.ops.restore_backup(window, carried)
    assert len(asked) == 3 and f"The backup {carried.name} holds an encrypted database" in asked[0]
    assert encryption.is_encrypted(here) and memory_keyring.store[(secrets.DATABASE_SERVICE, str(here.resolve()))] == key
    window.close()
