"""The desktop app (PySide6): the only package that imports Qt."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6  # noqa: F401 (loads shiboken's support modules: the check set below is one of them)


def _take_own_modules_as_using_pyside() -> None:
    """PySide6 reads the source of every module imported after it, to see whether it uses PySide6 (and so may switch
    on ``from __feature__ import …`` for itself). The app uses no such feature; reading its own modules took 4–6 ms of
    CPU at start, and more for each page, dialog and service loaded later. They are taken as using PySide6, as the
    GUI's modules do, without reading them; other modules are read as before (and nothing changes if PySide6 no longer
    has this check)."""
    feature = sys.modules.get("shibokensupport.feature")
    scan = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or scan is None:
        return

    def uses_pyside(module: ModuleType) -> bool:
        name = getattr(module, "__name__", None)
        return True if isinstance(name, str) and name.startswith("invoicer.") else bool(scan(module))

    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 (a module's private function)


_take_own_modules_as_using_pyside()
