"""Qt side of the bootstrap: data folder -> log file -> single-instance lock -> backup + migrate -> language -> main window."""

from __future__ import annotations

import gc
import importlib
import logging
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QLockFile, QObject, QTimer, QTranslator, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow

from invoicer import APP_ID, APP_NAME, __version__, i18n, paths
from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.gui.widgets.background import when_done
from invoicer.i18n import _
from invoicer.logs import setup_logging
from invoicer.services import first_window
from invoicer.services.first_window import FirstRead

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

    from invoicer.gui.main_window import MainWindow
    from invoicer.services.store import Database

log = logging.getLogger("invoicer.gui.app")
#: a start that migrates the database shows its progress once it has taken this long: a quick one flashes nothing
MIGRATION_DIALOG_AFTER_MS = 500

def run(data_dir: Path | None = None) -> int:
    """Start the desktop app on ``data_dir`` (the default data folder when None); returns the exit code."""
    folder = paths.data_dir(data_dir)
    i18n.set_language(None)
    app = application()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        messages.show_error(None, _("The data folder {folder} cannot be created: {why}.").format(
            folder=folder, why=exc.strerror))
        return 1
    messages.set_log_file(setup_logging(folder))
    lock = QLockFile(str(paths.app_lock_path(folder)))
    if not lock.tryLock(100):
        messages.show_error(None, _(
            "Invoicer is already open on {folder}.\n\nSwitch to the window that is open; only one Invoicer "
            "at a time may use a data folder, so that no change is ever lost.").format(folder=folder))
        return 1
    try:
        # the local file at the current schema: the window is painted from a plain sqlite3 read, SQLAlchemy and the
        # services load once it is shown (services/first_window.py); anything else is opened before the window
        first = first_window.first_read(folder)
        db = first or open_business(folder)
        if db is None:
            return 1
        apply_language(db)
        sys.excepthook = _excepthook
        from invoicer.gui.main_window import MainWindow  # after the language is set: labels are translated

        window = MainWindow(db)
        window.show()
        if first is not None:
            OpenAfterPaint(window, folder)
        else:
            if db.url is None:  # a server database is backed up with pg_dump (README), not file by file here
                start_daily_backup(window, folder)
            keep_out_of_collections()
        code = app.exec()
        if window.ops.first_read is None:  # else the store was never opened
            window.ops.db.close()
        return int(code)
    finally:
        lock.unlock()


class OpenAfterPaint(QObject):
    """Once the window has been painted: load SQLAlchemy and the services in a background thread (the window
    answers meanwhile; the first read serves the list), then open the store on the UI thread and start the day's
    backup. Anything that needs the store sooner opens it at once (``Operations.db``)."""

    def __init__(self, window: MainWindow, folder: Path) -> None:
        super().__init__(window)
        self.window, self.folder = window, folder
        window.first_painted.connect(lambda: QTimer.singleShot(0, self.load))  # after this paint has been shown

    def load(self) -> None:
        loaded: Future[None] = Future()

        def work() -> None:
            try:
                for name in first_window.LATER:
                    importlib.import_module(name)
            except BaseException as error:  # reported on the UI thread, where the store is then opened anyway
                loaded.set_exception(error)
            else:
                loaded.set_result(None)

        threading.Thread(target=work, name="invoicer-load", daemon=True).start()
        when_done(self, loaded, self.open)

    def open(self, loaded: Future[None]) -> None:
        if loaded.exception() is not None:
            log.error("loading the services failed", exc_info=loaded.exception())
        try:
            self.window.ops.db  # noqa: B018 (opens the store)
        except InvoicerError as err:  # the file went away or became unreadable since it was read
            messages.show_error(self.window, err)
            self.window.close()
            return
        start_daily_backup(self.window, self.folder)
        keep_out_of_collections()


def keep_out_of_collections() -> None:
    """Once the store is open and the services are loaded: what exists now lives as long as the app (modules,
    classes, the mapped tables, compiled statements), so Python's collector no longer walks it. Its full collections
    had walked all of it now and then, a pause of 100-340 ms in the middle of a keystroke at 100,000 invoices."""
    gc.freeze()


def open_business(folder: Path) -> Database | None:
    """The database this desk is set to: the shared server saved in Settings → Database, else the local file.
    A server that cannot be used is named, and the user may work on the local file this time instead (the desk
    stays set to the server). None when nothing was opened."""
    from invoicer.services import encryption, server

    url = server.saved_url(folder)
    if url is not None:
        try:
            return server.open_shared(url, folder)
        except InvoicerError as err:
            if not messages.confirm(None, _("Shared database"), _(
                    "{problem}\n\nOpen the local database file of this desk instead, this time only?").format(
                    problem=messages.error_message(err)), _("Open the local file")):
                return None
    try:
        if encryption.needs_key(folder) and not ask_database_key(folder):
            return None
        return open_local_file(folder)
    except InvoicerError as err:
        messages.show_error(None, err)
        return None


def open_local_file(folder: Path) -> Database:
    """The local database file, opened in a worker thread while events are handled here: a migration (the file backed
    up, then brought to this version's schema) shows its progress in a dialog. The dialog waits
    ``MIGRATION_DIALOG_AFTER_MS`` to appear and has no Cancel: a migration cannot be stopped halfway safely. What
    opening raised is raised here, on the UI thread."""
    from PySide6.QtCore import QEventLoop

    from invoicer.services import store

    shown = MigrationProgress()
    opened: Future[Database] = Future()

    def work() -> None:
        try:  # the day's backup starts once the window shows, not before
            opened.set_result(store.open_database(folder, daily_backup=False, progress=shown.progress))
        except BaseException as error:  # raised again on the UI thread
            opened.set_exception(error)

    waiting = QEventLoop()
    when_done(shown, opened, lambda _opened: waiting.quit())
    worker = threading.Thread(target=work, name="invoicer-open")
    worker.start()
    waiting.exec()
    # the worker ends at once; joined so that it lets go of its references to the QObjects here first: the last one
    # goes on this thread, which owns them (a QObject deleted on another thread corrupted memory)
    worker.join()
    shown.close()
    return opened.result()


class MigrationProgress(QObject):
    """The progress of a migration at start, told from the worker thread (``progress``) and shown on the UI thread in
    a modal dialog, made at the first report: nothing is made when there is nothing to migrate."""

    _progressed = Signal(str, int)  # (phase, percent; -1 when unknown): a file's bytes exceed a Qt int

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[str, int] | None = None
        self.dialog: QProgressDialog | None = None
        self._progressed.connect(self._show)

    def progress(self, phase: str, done: int, total: int) -> None:
        """Called by the worker; only a change of phase or of whole percent reaches the dialog."""
        report = (phase, 100 * done // total if total > 0 else -1)
        if report != self._last:
            self._last = report
            self._progressed.emit(*report)

    @Slot(str, int)
    def _show(self, phase: str, percent: int) -> None:
        from invoicer.services import store

        if self.dialog is None:
            self.dialog = _uninterruptible_progress_dialog()
        self.dialog.setLabelText(_("Making a backup before updating the database…") if phase == store.BACKUP
                                 else _("Updating the database for this version of Invoicer…"))
        self.dialog.setMaximum(0 if percent < 0 else 100)
        self.dialog.setValue(max(percent, 0))

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.hide()  # not close(): the dialog refuses that
            self.dialog.deleteLater()
            self.dialog = None


def _uninterruptible_progress_dialog() -> QProgressDialog:
    """A modal progress dialog without Cancel that neither Escape nor the window's close button hides."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QProgressDialog

    class Uninterruptible(QProgressDialog):
        def closeEvent(self, event: QCloseEvent) -> None:
            event.ignore()

        def reject(self) -> None:
            pass

    dialog = Uninterruptible()
    dialog.setWindowTitle(APP_NAME)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setAutoReset(False)  # 100 % of the backup is not the end: the migration follows in the same dialog
    dialog.setAutoClose(False)
    dialog.setMinimumDuration(MIGRATION_DIALOG_AFTER_MS)
    return dialog


def ask_database_key(folder: Path) -> bool:
    """The key of an encrypted database the keyring has none for, typed by the user for this run only (a wrong one is
    refused when the database opens); False when the user cancels."""
    from invoicer.services import encryption

    key = messages.ask_password(None, _(
        "The database in {folder} is encrypted, and the system keyring has no key for it. Enter the database key:"
    ).format(folder=folder))
    if key is None:
        return False
    encryption.give_key(folder, key)
    return True


def start_daily_backup(window: QMainWindow, folder: Path) -> None:
    """The day's first backup, in the background once the window is shown; a failure shows in the status bar
    (the reason goes to the log) and the next start tries again."""

    from invoicer.services import backups

    def finished(future: Future[Path | None]) -> None:
        error = future.exception()
        if error is None:
            return
        log.error("daily backup failed", exc_info=error)
        why = messages.error_message(error) if isinstance(error, InvoicerError) else _("details are in the log file")
        window.statusBar().showMessage(_("The daily backup could not be made: {why}").format(why=why))

    when_done(window, backups.start_daily_backup(folder), finished)


def application() -> QApplication:
    """The QApplication (created once) with the app's name, version and icon."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = paths.resources_dir() / "icons" / "invoicer.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


_qt_translators: list[QTranslator] = []


def apply_language(db: Database | FirstRead) -> str:
    """Use the ``ui.language`` setting, or the system's language; Qt's own buttons follow too."""
    if isinstance(db, FirstRead):
        chosen = db.language()
    else:
        from invoicer.services import settings, store

        chosen = store.read(db, settings.UI_LANGUAGE.get)
    locale = i18n.set_language(chosen)
    app = QApplication.instance()
    if app is not None:
        for old in _qt_translators:
            app.removeTranslator(old)
        _qt_translators.clear()
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(QLocale(locale), "qtbase", "_", folder):
            app.installTranslator(translator)
            _qt_translators.append(translator)
        QLocale.setDefault(QLocale(locale))
    return locale


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Unexpected exceptions in the event loop: log the traceback, tell the user calmly, keep running."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    if isinstance(error, InvoicerError):
        messages.show_error(QApplication.activeWindow(), error)
        return
    messages.show_unexpected(QApplication.activeWindow(), (kind, error, tb))
