"""The app's start path loads only what the first painted window needs (issue "Fast at a million invoices")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from invoicer import paths

ROOT = Path(__file__).resolve().parents[2]

# Modules the invoice list does not need: each is loaded by the action that uses it (a migration, a PDF,
# an export, a mail, an import, a credit note), never at start.
NOT_AT_START = (
    "alembic",
    "reportlab",
    "openpyxl",
    "xlsxwriter",
    "saxonche",
    "facturx",
    "pypdf",
    "lxml",
    "keyring",
    "schwifty",
    "stdnum",
    "email_validator",
    "iso4217",  # the minor units the first page formats amounts with are written out in core/reference
    "invoicer.documents",
    "invoicer.mail",
    "invoicer.services.documents",
    "invoicer.services.ledger",
    "invoicer.services.mailing",
    "invoicer.services.credit_notes",
    "invoicer.services.imports",
    "invoicer.services.reports",
    "invoicer.services.statements",
    "invoicer.services.reminders",
    "invoicer.services.integrity",
    "invoicer.gui.dialogs",
    # nor the other pages, a shared server's driver, an encrypted file's library or recurring billing
    "invoicer.gui.pages.dashboard",
    "invoicer.gui.pages.reports",
    "invoicer.gui.pages.settings",
    "psycopg",
    "sqlalchemy.dialects.postgresql",
    "sqlcipher3",
    "invoicer.services.billing",
    "invoicer.services.dashboard",
    # on the local file the window is painted from a plain sqlite3 read: the ORM and the services load after it
    "sqlalchemy",
    "invoicer.db.models",
    "invoicer.db.migrate",
    "invoicer.services.store",
    "invoicer.services.settings",
    "invoicer.services.invoices",
    "invoicer.services.customers",
    # the log file's rotating handler (it imports socket, pickle and queue): loaded with the first record logged
    "logging.handlers",
)

# The real start (invoicer.app.run) in a fresh process; the event loop is replaced by a report of what is
# loaded once the main window has been painted.
CHILD = """
import inspect, json, sys
read_sources = []  # the modules whose source PySide6 reads, to see whether they use it
def getsource(module, getsource=inspect.getsource):
    read_sources.append(getattr(module, "__name__", ""))
    return getsource(module)
inspect.getsource = getsource
from PySide6.QtWidgets import QApplication
def shown(app):
    app.processEvents()
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    page = [w.stack.currentWidget().__class__.__name__ for w in windows if hasattr(w, "stack")]
    titles = [w.windowTitle() for w in windows]
    import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets  # classes are made as Python types when first used
    qt = sorted(name for module in (PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets) for name in vars(module)
                if name.startswith("Q"))
    print(json.dumps({"windows": [type(w).__name__ for w in windows], "page": page, "titles": titles,
                      "modules": sorted(sys.modules), "qt": qt, "read_sources": read_sources}))
    return 0
QApplication.exec = shown
from pathlib import Path
from invoicer.app import run
sys.exit(run(Path(sys.argv[1])))
"""

# Qt classes whose Python type (and every enum of it) the first paint does not need: QStyle's enums alone took about
# 10 ms when the status badges read ``option.state``. The dialogs' classes are imported where a dialog is made (about
# 10 ms at start when the modules imported them); the pages name their tables rather than asking findChildren, which
# makes the type of every child widget (the scroll bars, the pickers' models).
QT_NOT_AT_START = ("QStyle", "QMessageBox", "QDialog", "QDialogButtonBox", "QFileDialog", "QFormLayout", "QInputDialog",
                   "QProgressDialog", "QDesktopServices", "QUrl", "QScrollBar", "QStandardItemModel")


# The same start, its event loop run until the store has opened in the background after the first paint.
LATER = """
import gc, json, sys, time
from PySide6.QtWidgets import QApplication
def shown(app):
    app.processEvents()
    window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "ops"))
    page = window.stack.currentWidget()
    painted = [page.model.row_at(i) for i in range(page.model.rowCount())]
    waited = time.monotonic()
    while window.ops.first_read is not None and time.monotonic() - waited < 60:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    print(json.dumps({"opened": window.ops.first_read is None, "orm": "sqlalchemy" in sys.modules,
                      "frozen": gc.get_freeze_count() > 10000,
                      "same_rows": painted == [page.model.row_at(i) for i in range(page.model.rowCount())],
                      "rows": len(painted), "customers": page.customer.count()}))
    return 0
QApplication.exec = shown
from pathlib import Path
from invoicer.app import run
sys.exit(run(Path(sys.argv[1])))
"""


def loaded(name: str, modules: list[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for module in modules)


def start(template_db: Path, folder: Path, child: str, **environ: str) -> dict[str, Any]:
    """What the child reports of a start on a copy of the template database (unless ``folder`` has one already),
    the invoice list remembered."""
    folder.mkdir(exist_ok=True)
    if not paths.database_path(folder).exists():
        shutil.copy(template_db, paths.database_path(folder))  # at the head revision: nothing to migrate
    (folder / "window.ini").write_text("[window]\npage=invoices\n", encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"} | environ
    result = subprocess.run([sys.executable, "-c", child, str(folder)], capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=120, check=True)
    shown: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return shown


def test_the_first_window_is_shown_without_the_modules_it_does_not_need(template_db: Path, tmp_path: Path) -> None:
    english = {"LANGUAGE": "en_US", "LANG": "en_US.UTF-8", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = start(template_db, tmp_path / "data", CHILD, **english)
    assert loaded("babel", first["modules"])  # the first start takes what formatting needs from Babel once
    assert list((tmp_path / "cache").rglob("en_US-babel-*.json"))
    shown = start(template_db, tmp_path / "data", CHILD, **english)
    assert shown["windows"] == ["MainWindow"]
    assert shown["page"] == ["InvoicesPage"]
    # Babel too: amounts and dates are written from the locale's record (i18n.py)
    assert [name for name in (*NOT_AT_START, "babel") if loaded(name, shown["modules"])] == []
    assert [name for name in QT_NOT_AT_START if name in shown["qt"]] == []
    # PySide6 read the source of each of the app's modules imported after it (4-6 ms of CPU at start; this child
    # imports PySide6 first, the app imports its other layers before it)
    assert [name for name in shown["read_sources"] if name.startswith("invoicer.gui")] == []


def test_pyside_reads_no_source_of_the_app_or_the_standard_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its check for ``from __feature__ import`` reads the source of each module imported after it (logging, typing,
    the app's own): the app's are taken as using PySide6 and the standard library's as not, unread; others are read."""
    import inspect
    from types import ModuleType

    import platformdirs

    import invoicer
    import invoicer.gui.style  # with invoicer.gui, which puts the check in place

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not hasattr(feature, "_mod_uses_pyside"):
        pytest.skip("this PySide6 has no such check")
    read: list[str] = []
    getsource = inspect.getsource

    def reading(module: ModuleType) -> str:
        read.append(module.__name__)
        return getsource(module)

    monkeypatch.setattr(inspect, "getsource", reading)
    answers = [feature._mod_uses_pyside(module) for module in (invoicer, invoicer.gui.style, json, platformdirs)]
    assert answers == [True, True, False, False]
    assert read == ["platformdirs"]


def test_after_the_first_paint_the_store_opens_and_the_list_stays_as_painted(template_db: Path, tmp_path: Path) -> None:
    from invoicer.db.migrate import open_database
    from tests.services.helpers import add_customer, make_draft, make_open, set_up_seller

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(template_db, paths.database_path(folder))
    db = open_database(folder, daily_backup=False)
    set_up_seller(db)
    customer = add_customer(db)
    make_open(db, customer)
    make_draft(db, customer)
    db.close()
    shown = start(template_db, folder, LATER)
    # what the start loaded is kept out of the collector's walks (its full collections paused keystrokes)
    assert shown == {"opened": True, "orm": True, "frozen": True, "same_rows": True, "rows": 2, "customers": 2}


def test_a_start_in_another_language_reads_the_compiled_catalog_not_the_po_files(template_db: Path,
                                                                                tmp_path: Path) -> None:
    german = {"LANGUAGE": "de_DE", "LANG": "de_DE.UTF-8", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = start(template_db, tmp_path / "data", CHILD, **german)
    assert loaded("babel.messages", first["modules"])  # the first start compiles the catalogs once
    [compiled] = (tmp_path / "cache").rglob("de-*.json")
    again = start(template_db, tmp_path / "data", CHILD, **german)
    assert [name for name in (*NOT_AT_START, "babel") if loaded(name, again["modules"])] == []
    assert again["titles"] == first["titles"]
    english = start(template_db, tmp_path / "data", CHILD, LANGUAGE="en_US", LANG="C.UTF-8")
    assert again["titles"] != english["titles"]  # the window is painted in German
    compiled.write_bytes(b"damaged")  # a damaged cache compiles again
    assert start(template_db, tmp_path / "data", CHILD, **german)["titles"] == first["titles"]
