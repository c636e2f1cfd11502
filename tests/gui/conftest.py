"""GUI test fixtures: an offscreen Qt, a copy of the migrated template database, the main window, and recorded dialogs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass, field
from datetime import date

import pytest

from invoicer import i18n
from invoicer.db.migrate import Database
from invoicer.gui import messages


@pytest.fixture(autouse=True)
def rules_checked_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows made by tests start no checking process (tests that want one start it): every check runs in the
    test's process, and no test leaves a process behind."""
    from invoicer.gui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "RULE_CHECKER_START_MS", None)


@pytest.fixture
def gui_db(db: Database) -> Database:
    """A fresh database (the migrated template, copied) in its own data folder, in English."""
    i18n.set_language("en_US")
    return db


@dataclass
class Dialogs:
    """What the app told or asked the user; ``answers`` says how confirmations and questions are answered."""

    errors: list[str] = field(default_factory=list)  # as the user reads them, in the interface language
    infos: list[str] = field(default_factory=list)
    confirmations: list[str] = field(default_factory=list)
    unexpected: int = 0
    confirm_answer: bool = True
    reason: str | None = "test"
    day: date | None = None
    rate: str | None = None  # the exchange rate typed at finalize; None keeps the one offered
    rates_offered: list[str] = field(default_factory=list)  # the date given with a reason (void, write-off, reversal); today when None
    save_answer: str = "discard"
    open_settings: bool = False  # the answer to "… in Settings: [Open …] [Cancel]"
    earliest: list[date] = field(default_factory=list)  # the first day each dated-reason dialog offered


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    """Replace the one-line dialogs (messages.*) so tests see and answer them without a modal loop."""
    seen = Dialogs()

    def confirm(parent: object, title: str, text: str, action: str) -> bool:
        seen.confirmations.append(text)
        return seen.confirm_answer

    def unexpected(parent: object, exc_info: object = True) -> None:
        seen.unexpected += 1

    monkeypatch.setattr(messages, "show_error", lambda parent, error: seen.errors.append(messages.error_message(error)))
    monkeypatch.setattr(messages, "show_info", lambda parent, message: seen.infos.append(message))
    monkeypatch.setattr(messages, "offer_settings",
                        lambda parent, text, button: seen.errors.append(text) or seen.open_settings)
    monkeypatch.setattr(messages, "show_unexpected", unexpected)
    monkeypatch.setattr(messages, "confirm", confirm)

    def confirm_with_rate(parent: object, title: str, text: str, action: str, label: str, rate: str) -> str | None:
        seen.confirmations.append(text)
        seen.rates_offered.append(rate)
        return (seen.rate if seen.rate is not None else rate) if seen.confirm_answer else None

    monkeypatch.setattr(messages, "confirm_with_rate", confirm_with_rate)
    monkeypatch.setattr(messages, "ask_dated_reason", lambda parent, title, label, earliest, required=False: (
        seen.earliest.append(earliest),
        None if seen.reason is None else messages.DatedReason(seen.reason, seen.day or date.today()))[1])
    monkeypatch.setattr(messages, "ask_save", lambda parent, what: seen.save_answer)
    return seen


@pytest.fixture
def window(qtbot, gui_db: Database, dialogs: Dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.main_window import MainWindow

    win = MainWindow(gui_db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    for editor in list(win.editors.values()):
        editor.close()
