"""The official e-invoice check in a process of its own, beside the app: it keeps the compiled rules and checks
a document's XML while the app renders the document's PDF.

Saxon holds the interpreter lock while it runs the rules (15–60 ms a check), so a thread cannot overlap it with
the PDF; a second process can, and it compiles the rules (0.2–1 s per rule set) at the app's start instead of at
its first finalize. Without that process (the command line, a process that could not start or stopped
answering) every check runs here, in this process, as before: a document is never issued unchecked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from invoicer.documents import einvoice_rules
from invoicer.documents.einvoice_rules import Check, EInvoiceFormat

log = logging.getLogger(__name__)

#: how long a finalize waits for the process's verdict before checking here itself (a check takes milliseconds;
#: the first ones after start-up wait for the rules being compiled, a few seconds on a slow machine)
ANSWER_WITHIN_S = 60.0

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def start(formats: Iterable[EInvoiceFormat]) -> None:
    """Start the checking process (once) and have it compile the rules of ``formats``, in that order."""
    global _pool
    with _lock:
        if _pool is not None:
            return
        try:
            # spawn, not fork: the GUI process has threads (and Qt), which a fork would copy half-way
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            _pool.submit(_compile, tuple(formats))
        except (OSError, RuntimeError):
            log.warning("the e-invoice checking process cannot start; documents are checked in the app", exc_info=True)
            _pool = None


def stop() -> None:
    """End the checking process (at the app's end, or after it failed): nothing waits for its queue."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        processes = list(pool._processes.values())  # the executor offers no way to end a busy worker
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


def running() -> bool:
    return _pool is not None


def submit(xml: bytes, fmt: EInvoiceFormat) -> Callable[[], Check]:
    """Start checking ``xml`` against the rules of ``fmt``; the returned function gives the verdict, waiting for
    the checking process, or checks here when there is none (or it fails to answer)."""
    with _lock:
        pool = _pool
    future: Future[Check] | None = None
    if pool is not None:
        try:
            future = pool.submit(check, xml, fmt)
        except RuntimeError:  # the process broke (BrokenProcessPool) or was stopped meanwhile
            log.warning("the e-invoice checking process is gone; checking in the app", exc_info=True)
            stop()

    def verdict() -> Check:
        if future is not None:
            try:
                return future.result(timeout=ANSWER_WITHIN_S)
            except (BrokenProcessPool, CancelledError, TimeoutError):  # the check is made here instead
                log.warning("the e-invoice checking process did not answer; checking in the app", exc_info=True)
                stop()
        return check(xml, fmt)

    return verdict


def check(xml: bytes, fmt: EInvoiceFormat) -> Check:
    """One check, in whichever process calls it (Saxon loads with the first)."""
    return einvoice_rules.validate(xml, fmt)


def _compile(formats: tuple[EInvoiceFormat, ...]) -> None:
    for fmt in formats:
        einvoice_rules.prepare(fmt)
