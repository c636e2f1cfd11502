"""Work off the UI thread: a long task with a progress dialog (PDF and ledger export), and quick reads whose
answer may come a moment later (the invoice list's count): the window stays responsive."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.i18n import _

Progress = Callable[[int, int], None]


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, task: Callable[[Progress], Any], stop: threading.Event,
                 cancel: Callable[[], BaseException] | None) -> None:
        super().__init__()
        self.task = task
        self.stop = stop
        self.cancel = cancel

    def progress(self, done: int, total: int) -> None:
        if self.cancel is not None and self.stop.is_set():
            raise self.cancel()  # the task stops at its next progress call and cleans up after itself
        self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            result = self.task(self.progress)
        except Exception as exc:  # handed to the UI thread, which reports it
            self.failed.emit(exc)
            return
        self.finished.emit(result)


class _Relay(QObject):
    """Lives in the UI thread and receives the worker's signals there (queued): a plain Python function
    connected to a signal would run in the worker thread and touch widgets from it."""

    def __init__(self, parent: QObject, progressed: Callable[[int, int], None], finished: Callable[[object], None],
                 failed: Callable[[BaseException], None]) -> None:
        super().__init__(parent)
        self._progressed, self._finished, self._failed = progressed, finished, failed

    @Slot(int, int)
    def progressed(self, done: int, total: int) -> None:
        self._progressed(done, total)

    @Slot(object)
    def finished(self, result: object) -> None:
        self._finished(result)

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        self._failed(error)


def run_with_progress(parent: QWidget, label: str, task: Callable[[Progress], Any],
                      done: Callable[[Any], None],
                      handle: Callable[[BaseException], bool] | None = None,
                      cancel: Callable[[], BaseException] | None = None) -> QThread:
    """Start ``task(progress)`` in a thread; ``done(result)`` runs on the UI thread when it succeeds.
    ``handle(error)`` may deal with an expected error itself (returns True); others are reported.

    Without ``cancel`` the dialog cannot cancel (a task that could not stop safely). With it, a Cancel button
    makes the task's next ``progress`` call raise ``cancel()``, which then reaches ``handle`` like any error
    (the ledger export writes nothing then; the PDF export keeps the whole PDFs written so far).
    """
    dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)
    if cancel is None:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    stop = threading.Event()
    dialog.canceled.connect(stop.set)
    thread = QThread(parent)
    worker = _Worker(task, stop, cancel)
    worker.moveToThread(thread)

    def progressed(current: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(current)

    def finish(result: object) -> None:
        dialog.close()
        thread.quit()
        done(result)

    def fail(error: BaseException) -> None:
        dialog.close()
        thread.quit()
        if handle is not None and handle(error):
            return
        if isinstance(error, InvoicerError):
            messages.show_error(parent, error)
        else:
            messages.show_unexpected(parent, (type(error), error, error.__traceback__))

    relay = _Relay(thread, progressed, finish, fail)
    worker.progressed.connect(relay.progressed)
    worker.finished.connect(relay.finished)
    worker.failed.connect(relay.failed)
    thread.started.connect(worker.run)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    thread.worker = worker  # type: ignore[attr-defined]  # keep the Python wrappers alive with the thread
    thread.relay = relay  # type: ignore[attr-defined]
    thread.start()
    return thread


class LatestRead(QObject):
    """Runs reads one at a time in a background thread; a read asked for while another runs replaces any
    still waiting, and only the answer to the latest one is delivered (``done(result)``, on the UI thread).
    For a figure that follows what the user types, where older answers are of no use."""

    _answered = Signal(int, object)

    def __init__(self, parent: QObject, done: Callable[[Any], None]) -> None:
        super().__init__(parent)
        self._done = done
        self._lock = threading.Lock()
        self._latest = 0
        self._waiting: tuple[int, Callable[[], Any]] | None = None
        self._running = False
        self._answered.connect(self._deliver)  # a slot of this UI-thread object: queued from the worker

    def ask(self, read: Callable[[], Any]) -> None:
        with self._lock:
            self._latest += 1
            self._waiting = (self._latest, read)
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._work, name="invoicer-read", daemon=True).start()

    def busy(self) -> bool:
        with self._lock:
            return self._running

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._waiting is None:
                    self._running = False
                    return
                ticket, read = self._waiting
                self._waiting = None
            try:
                result = read()
            except Exception:  # a figure that cannot be read stays as it was; the reason goes to the log
                logging.getLogger("invoicer.gui").exception("background read failed")
                continue
            try:
                self._answered.emit(ticket, result)
            except RuntimeError:  # the window was closed meanwhile
                return

    @Slot(int, object)
    def _deliver(self, ticket: int, result: object) -> None:
        if ticket == self._latest:
            self._done(result)


class _Arrival(QObject):
    """Lives in the UI thread; the signal emitted from the worker's thread is queued to it."""

    _arrived = Signal(object)

    def __init__(self, parent: QObject, done: Callable[[Future[Any]], None]) -> None:
        super().__init__(parent)
        self._done = done
        self._arrived.connect(self._deliver)

    def arrive(self, future: Future[Any]) -> None:
        try:
            self._arrived.emit(future)
        except RuntimeError:  # the window was closed meanwhile: nobody is left to tell
            return

    @Slot(object)
    def _deliver(self, future: Future[Any]) -> None:
        self.deleteLater()
        self._done(future)


def when_done(parent: QObject, future: Future[Any], done: Callable[[Future[Any]], None]) -> None:
    """Call ``done(future)`` on the UI thread once ``future`` (work running in a plain thread) has finished."""
    future.add_done_callback(_Arrival(parent, done).arrive)
