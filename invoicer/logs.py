"""Logging to a rotating file in the data folder; unexpected errors land there, never on the user's screen."""

from __future__ import annotations

import logging
import logging.handlers
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
