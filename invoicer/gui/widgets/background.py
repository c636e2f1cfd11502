"""Run a long task off the UI thread with a progress dialog (PDF export): the window stays responsive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages

Progress = Callable[[int, int], None]


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, task: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        try:
            result = self.task(lambda done, total: self.progressed.emit(done, total))
        except Exception as exc:  # handed to the UI thread, which reports it
            self.failed.emit(exc)
            return
        self.finished.emit(result)


def run_with_progress(parent: QWidget, label: str, task: Callable[[Progress], Any],
                      done: Callable[[Any], None],
                      handle: Callable[[BaseException], bool] | None = None) -> QThread:
    """Start ``task(progress)`` in a thread; ``done(result)`` runs on the UI thread when it succeeds.
    ``handle(error)`` may deal with an expected error itself (returns True); others are reported.

    The dialog cannot cancel: the task writes files in worker processes that finish their chunk anyway.
    """
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    thread = QThread(parent)
    worker = _Worker(task)
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
            messages.show_error(parent, str(error))
        else:
            messages.show_unexpected(parent, (type(error), error, error.__traceback__))

    worker.progressed.connect(progressed)
    worker.finished.connect(finish)
    worker.failed.connect(fail)
    thread.started.connect(worker.run)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    thread.worker = worker  # type: ignore[attr-defined]  # keep the Python wrapper alive with the thread
    thread.start()
    return thread
