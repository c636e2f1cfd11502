"""The desktop app (PySide6): the only package that imports Qt."""

from __future__ import annotations

import sys
from types import ModuleType


def _keep_none_alive() -> None:
    """PySide6 6.12's bindings return None from each void method (``setText``, ``setRowCount``, ``setItem``…)
    without a reference of its own, which is harmless from Python 3.12 on, where None is immortal. On 3.11 each such
    call takes one reference from None, and after some thousands of calls Python stops the app with "Fatal Python
    error: none_dealloc: deallocating None". Filling the reminders list of a million invoices (333,000 calls) did it
    at once; an ordinary day of work would have in time. None is made as good as immortal here, as Python 3.12
    does: its reference count (the first field of every object in CPython) is raised far beyond what any run can
    take (tests/gui/test_qt_none.py)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < 1 << 60:
        count.value += 1 << 60


_keep_none_alive()  # before the first call into Qt

import PySide6  # noqa: E402, F401 (loads shiboken's support modules: the check set below is one of them)


def _take_own_modules_as_using_pyside() -> None:
    """PySide6 reads the source of every module imported after it, to see whether it uses PySide6 (and so may switch
    on ``from __feature__ import …`` for itself). The app uses no such feature; reading its own modules took 4–6 ms of
    CPU at start, and more for each page, dialog and service loaded later. They are taken as using PySide6, as the
    GUI's modules do, without reading them; the standard library's modules (``logging``, ``typing``, ``datetime``…,
    named by the app's imports after PySide6: 2–4 ms more) as not using it, which none does; other modules are read as
    before (and nothing changes if PySide6 no longer has this check)."""
    feature = sys.modules.get("shibokensupport.feature")
    scan = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or scan is None:
        return

    def uses_pyside(module: ModuleType) -> bool:
        name = getattr(module, "__name__", None)
        if not isinstance(name, str):
            return bool(scan(module))
        if name == "invoicer" or name.startswith("invoicer."):
            return True
        return False if name.partition(".")[0] in sys.stdlib_module_names else bool(scan(module))

    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 (a module's private function)


_take_own_modules_as_using_pyside()
