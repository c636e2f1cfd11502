"""Start the desktop app. The Qt work lives in ``invoicer.gui.app`` (only ``invoicer/gui`` imports Qt);
this module is the entry the CLI and the packaged app call."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoicer.core.errors import N_, InvoicerError


def run(data_dir: Path | None = None) -> int:
    """Start the desktop app on ``data_dir`` (the default data folder when None); returns the exit code."""
    if not has_display():
        # Qt would abort the process with a core dump; say what is going on instead
        raise InvoicerError(
            N_("No graphical display was found, so the desktop app cannot start here. Every operation is also "
               "available on the command line: invoicer --help.")
        )
    # The layers under the GUI load before Qt: once PySide6 is imported, it reads the source of every module that
    # imports anything (looking for "from __feature__ import"). The local file at the current schema needs only the
    # first window's read (SQLAlchemy loads after the first paint); anything else opens the store before the window.
    import invoicer.i18n
    from invoicer import paths
    from invoicer.services import first_window

    if first_window.first_read(paths.data_dir(data_dir)) is None:
        import invoicer.services.settings
        import invoicer.services.store  # noqa: F401
    from invoicer.gui.app import run as run_gui

    return run_gui(data_dir)


def has_display() -> bool:
    """On Linux and BSD the app needs X11 or Wayland (or an explicit Qt platform such as offscreen)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
