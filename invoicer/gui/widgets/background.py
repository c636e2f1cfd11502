"""Reads off the UI thread whose answer may come a moment later (the invoice list's count): the window stays
responsive. Operations that change data, long ones included, run through ``gui.operations``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from invoicer.core.errors import InvoicerError


class LatestRead(QObject):
    """Runs reads one at a time in a background thread; a read asked for while another runs replaces any
    still waiting, and only the answer to the latest one is delivered (``done(result)``, on the UI thread).
    For a figure that follows what the user types, where older answers are of no use. A read refused with an
    InvoicerError (a broken setting…) goes to ``refused(error)`` on the UI thread when given; any other failure is
    logged and the figure stays as it was."""

    _answered = Signal(int, object)

    def __init__(self, parent: QObject, done: Callable[[Any], None],
                 refused: Callable[[InvoicerError], None] | None = None) -> None:
        super().__init__(parent)
        self._done = done
        self._refused = refused
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
            except InvoicerError as refusal:
                if self._refused is None:
                    logging.getLogger("invoicer.gui").warning("background read refused: %s", refusal)
                    continue
                result = refusal
            except Exception:  # a figure that cannot be read stays as it was; the reason goes to the log
                logging.getLogger("invoicer.gui").exception("background read failed")
                continue
            try:
                self._answered.emit(ticket, result)
            except RuntimeError:  # the window was closed meanwhile
                return

    @Slot(int, object)
    def _deliver(self, ticket: int, result: object) -> None:
        if ticket != self._latest:
            return
        if isinstance(result, InvoicerError) and self._refused is not None:
            self._refused(result)
        else:
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
