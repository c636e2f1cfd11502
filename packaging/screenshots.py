"""Screenshots for the README: start the app offscreen on demo data and save a PNG of each main page.

Run: ``python packaging/screenshots.py [--out resources/screenshots] [--invoices 2000] [--language en_US]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget

from invoicer import i18n
from invoicer.gui.app import application
from invoicer.db.migrate import open_database
from invoicer.services import demo
from invoicer.services.invoices import InvoiceFilter, list_invoices

SIZE = QSize(1280, 800)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def save(widget: QWidget, app: QApplication, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / "screenshots")
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--language", default="en_US")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="invoicer-shots-"))
    i18n.set_language(args.language)
    app = application()
    db = open_database(folder)
    demo.generate(db, invoices=args.invoices, seed=7)

    from invoicer.gui.main_window import MainWindow

    window = MainWindow(db)
    window.resize(SIZE)
    window.show()
    for key, name in (("dashboard", "dashboard"), ("invoices", "invoices"), ("customers", "customers"),
                      ("settings", "settings")):
        window.show_page(key)
        save(window, app, args.out / f"{name}.png")

    # an invoice that has been partly paid, with its lines and tax breakdown
    with db.readonly_sessions() as session:
        rows = list_invoices(session, InvoiceFilter(status="partially paid"), limit=1)
        rows = rows or list_invoices(session, InvoiceFilter(status="open"), limit=1)
    editor = window.open_invoice(rows[0].id)
    editor.resize(QSize(1100, 760))
    save(editor, app, args.out / "invoice.png")
    editor.close()

    from invoicer.gui.dialogs.customer_account import CustomerAccountDialog

    account = CustomerAccountDialog(window, rows[0].customer_id, window)
    account.resize(QSize(1000, 600))
    account.show()
    save(account, app, args.out / "customer-account.png")
    account.close()
    window.close()
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
