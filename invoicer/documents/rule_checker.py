"""The official e-invoice check in a process of its own, beside the app: it keeps the compiled rules and checks
a document's XML while the app renders the document's PDF.

Saxon holds the interpreter lock while it runs the rules (15–60 ms a check), so a thread cannot overlap it with
the PDF; a second process can, and it compiles the rules (0.2–1 s per rule set) at the app's start instead of at
its first finalize. The app writes each XML straight into the pipe and reads the verdict when it needs it (no
helper thread: one waiting for the interpreter lock while the PDF renders would delay both). Without that process
(the command line, a process that could not start or stopped answering) every check runs here, in this process,
as before: a document is never issued unchecked.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterable
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from invoicer.documents import einvoice_rules
from invoicer.documents.einvoice_rules import Check, EInvoiceFormat

log = logging.getLogger(__name__)

#: how long a finalize waits for the process's verdict before checking here itself (a check takes milliseconds;
#: the first ones after start-up wait for the rules of their format being compiled, a second or two)
ANSWER_WITHIN_S = 60.0


class _Checker:
    """The checking process and the app's end of its pipe; answers come in the order of the questions."""

    def __init__(self, formats: Iterable[EInvoiceFormat]) -> None:
        self.formats = tuple(dict.fromkeys(formats))
        # spawn, not fork: the GUI process has threads (and Qt), which a fork would copy half-way
        context = get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(theirs, [fmt.value for fmt in self.formats]), name="invoicer-rule-checker", daemon=True)
        self.process.start()
        theirs.close()
        self.asked = itertools.count()
        self.answers: dict[int, Check | None] = {}

    def ask(self, xml: bytes, fmt: EInvoiceFormat) -> int:
        number = next(self.asked)
        self.pipe.send((number, xml, fmt.value))
        return number

    def answer(self, number: int) -> Check | None:
        """The verdict on question ``number`` (None: the process could not check it); OSError/EOFError when the
        process is gone, TimeoutError when it does not answer."""
        while number not in self.answers:
            if not self.pipe.poll(ANSWER_WITHIN_S):
                raise TimeoutError("no answer from the e-invoice checking process")
            answered, check = self.pipe.recv()
            self.answers[answered] = check
        return self.answers.pop(number)

    def end(self) -> None:
        self.pipe.close()
        self.process.terminate()
        self.process.join(1)


_lock = threading.Lock()
_checker: _Checker | None = None


def start(formats: Iterable[EInvoiceFormat]) -> None:
    """Start the checking process (once) for the documents in ``formats`` (those of other formats are checked
    here) and have it compile their rules, in that order, between checks (a check asked for meanwhile comes
    first)."""
    global _checker
    with _lock:
        if _checker is not None:
            return
        try:
            _checker = _Checker(formats)
        except (OSError, RuntimeError):
            log.warning("the e-invoice checking process cannot start; documents are checked in the app", exc_info=True)


def stop() -> None:
    """End the checking process (at the app's end, or after it failed)."""
    global _checker
    with _lock:
        checker, _checker = _checker, None
    if checker is not None:
        checker.end()


def running() -> bool:
    return _checker is not None


def submit(xml: bytes, fmt: EInvoiceFormat) -> Callable[[], Check]:
    """Start checking ``xml`` against the rules of ``fmt``; the returned function gives the verdict, waiting for
    the checking process. Without one for ``fmt`` the check is made here and now, and when the process fails to
    answer, here when the verdict is asked for."""
    with _lock:
        checker = _checker if _checker is not None and fmt in _checker.formats else None
        number = None
        if checker is not None:
            try:
                number = checker.ask(xml, fmt)
            except OSError:
                log.warning("the e-invoice checking process is gone; checking in the app", exc_info=True)

    if checker is None:
        here = check(xml, fmt)
        return lambda: here

    def verdict() -> Check:
        if number is not None:
            try:
                with _lock:
                    answer = checker.answer(number)
                if answer is not None:
                    return answer
            except (OSError, EOFError, TimeoutError):
                log.warning("the e-invoice checking process did not answer; checking in the app", exc_info=True)
                stop()
        else:
            stop()
        return check(xml, fmt)

    return verdict


def check(xml: bytes, fmt: EInvoiceFormat) -> Check:
    """One check, in whichever process calls it (Saxon loads with the first)."""
    return einvoice_rules.validate(xml, fmt)


def _serve(pipe: Connection, formats: list[str]) -> None:
    """The checking process: answer each question in turn; compile the formats' rules while none is waiting."""
    to_compile = [EInvoiceFormat(value) for value in formats]
    while True:
        if to_compile and not pipe.poll():
            einvoice_rules.prepare(to_compile.pop(0))
            continue
        try:
            number, xml, fmt = pipe.recv()
        except (EOFError, OSError):  # the app ended or stopped this process
            return
        try:
            answer: Check | None = check(xml, EInvoiceFormat(fmt))
        except Exception:  # the app checks it itself and meets the same problem there
            answer = None
        pipe.send((number, answer))
