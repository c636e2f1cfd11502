"""Logging to a rotating file in the data folder; unexpected errors land there, never on the user's screen."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from invoicer import paths

log = logging.getLogger("invoicer")


def _private_file_handler(target: Path) -> logging.Handler:
    """A rotating log whose every file (the first and each after rotation) is readable by the user only."""
    import logging.handlers  # here: it imports socket, pickle and queue (10 ms of the app's start)

    class PrivateFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> io.TextIOWrapper:
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, paths.PRIVATE_FILE)
            # self.mode is the handler's text mode "a" (typeshed types it as any str): fdopen gives a text wrapper
            return cast(io.TextIOWrapper, os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors))

    return PrivateFileHandler(target, maxBytes=2_000_000, backupCount=3, encoding="utf-8")


class _LogFile(logging.Handler):
    """The log file, opened with its first record (a start that logs nothing loads no file handler)."""

    def __init__(self, target: Path) -> None:
        super().__init__()
        self.baseFilename = str(target)
        self.file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called under the handler's lock
        if self.file is None:
            self.file = _private_file_handler(Path(self.baseFilename))
            self.file.setFormatter(self.formatter)
        self.file.emit(record)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()


def setup_logging(folder: Path) -> Path:
    """Send the ``invoicer`` logger to ``<data>/logs/invoicer.log`` (rotated); returns the path."""
    target = paths.log_path(folder)
    # a log that cannot be written (a full disk) must not print Python's own traceback to the user's screen
    logging.raiseExceptions = False
    try:
        paths.private_dir(target.parent)
    except OSError:
        return target
    if not any(getattr(h, "baseFilename", None) == str(target) for h in log.handlers):
        handler = _LogFile(target)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return target


@contextmanager
def logging_to(folder: Path) -> Iterator[Path]:
    """``setup_logging`` for one command-line run: the handler it adds is closed afterwards, so a run in the
    same process as others (tests calling ``main``) leaves no open log file behind."""
    before = set(log.handlers)
    target = setup_logging(folder)
    try:
        yield target
    finally:
        for handler in set(log.handlers) - before:
            log.removeHandler(handler)
            handler.close()
