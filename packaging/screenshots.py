"""Screenshots for the README: start the app offscreen on demo data and save a PNG of every page and the main
dialogs, at the size a first start opens at, in each language asked for.

Run: ``python packaging/screenshots.py [--out resources/screenshots] [--invoices 2000]
[--language en_US de_DE fr_FR es_ES] [--dark]``: English goes into ``--out``, another language into a folder of
its own below it (``de/``). ``--dark`` paints the app in a dark palette, as a dark system theme would, to check
that it reads well (write those into another folder: the README shows the light ones).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from invoicer import i18n
from invoicer.db.migrate import Database, open_database
from invoicer.gui.app import application
from invoicer.services import demo
from invoicer.services.invoices import InvoiceFilter, list_invoices

SIZE = QSize(1200, 760)  # MainWindow's first-start size


def dark_palette() -> QPalette:
    """What a dark desktop theme hands the app: light text on dark surfaces."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    colours = {
        role.Window: "#202124", role.WindowText: "#e8eaed", role.Base: "#17181a", role.AlternateBase: "#2a2b2e",
        role.Text: "#e8eaed", role.Button: "#2d2e31", role.ButtonText: "#e8eaed", role.BrightText: "#ffffff",
        role.Highlight: "#3b82f6", role.HighlightedText: "#ffffff", role.ToolTipBase: "#2d2e31",
        role.ToolTipText: "#e8eaed", role.PlaceholderText: "#9aa0a6", role.Link: "#8ab4f8",
        role.Light: "#3c3d40", role.Midlight: "#34353a", role.Mid: "#4a4b50", role.Dark: "#111214",
        role.Shadow: "#000000",
    }
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QColor(colour))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QColor("#6b6e73"))
    return palette


def settle(app: QApplication) -> None:
    """Let background results arrive and the layouts they change run before the picture is taken."""
    for _ in range(10):
        app.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, app: QApplication, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"wrote {path}")
    try:
        from tests.gui.readability import clipped  # in a source checkout: say what is cut off
    except ImportError:
        return
    for problem in clipped(widget):
        print(f"  clipped: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / "screenshots")
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--language", nargs="+", default=["en_US", "de_DE", "fr_FR", "es_ES"])
    parser.add_argument("--dark", action="store_true", help="a dark palette, as under a dark desktop theme")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="invoicer-shots-"))
    app = application()
    if args.dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    db = open_database(folder)
    demo.generate(db, invoices=args.invoices, seed=7)
    for language in args.language:
        out = args.out if language.startswith("en") else args.out / language.split("_")[0]
        out.mkdir(parents=True, exist_ok=True)
        i18n.set_language(language)
        shoot(db, app, out)
    db.close()
    return 0


def shoot(db: Database, app: QApplication, out: Path) -> None:
    from invoicer.gui.main_window import MainWindow

    window = MainWindow(db)
    window.resize(SIZE)
    window.show()
    window.check_reminders()  # the first check would otherwise wait for a few seconds after start-up
    for spec in window.specs:
        window.show_page(spec.key)
        window.statusBar().clearMessage()  # not the temporary folder's path
        save(window, app, out / f"{spec.key.replace('_', '-')}.png")

    # an invoice that has been partly paid, with its lines and tax breakdown
    with db.readonly_sessions() as session:
        rows = list_invoices(session, InvoiceFilter(status="partially paid"), limit=1)
        rows = rows or list_invoices(session, InvoiceFilter(status="open"), limit=1)
    editor = window.open_invoice(rows[0].id)
    save(editor, app, out / "invoice.png")
    editor.close()

    from invoicer.gui.dialogs.customer_account import CustomerAccountDialog

    account = CustomerAccountDialog(window, rows[0].customer_id, window)
    account.show()
    save(account, app, out / "customer-account.png")
    account.close()
    window.close()


if __name__ == "__main__":
    raise SystemExit(main())
