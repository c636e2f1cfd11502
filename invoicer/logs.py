"""Logging to a rotating file in the data folder; unexpected errors land there, never on the user's screen."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from invoicer import paths

log = logging.getLogger("invoicer")


def setup_logging(folder: Path) -> Path:
    """Send the ``invoicer`` logger to ``<data>/logs/invoicer.log`` (rotated); returns the path."""
    target = paths.log_path(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return target
    if not any(getattr(h, "baseFilename", None) == str(target) for h in log.handlers):
        handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
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
