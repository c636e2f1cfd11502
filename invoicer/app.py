"""Start the desktop app. The Qt work lives in ``invoicer.gui.app`` (only ``invoicer/gui`` imports Qt);
this module is the entry the CLI and the packaged app call."""

from __future__ import annotations

from pathlib import Path


def run(data_dir: Path | None = None) -> int:
    """Start the desktop app on ``data_dir`` (the default data folder when None); returns the exit code."""
    from invoicer.gui.app import run as run_gui

    return run_gui(data_dir)
