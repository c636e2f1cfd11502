"""The import dialog: file, column mapping, preview with per-row problems, import all or only the valid rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import sidebar, toolbar_button
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QPushButton
from sqlalchemy import select

from invoicer.db.engine import transaction
from invoicer.db.models import Customer, Product
from invoicer.gui.dialogs.import_dialog import ImportDialog
from invoicer.services import company

CSV = (
    "Firma;E-Mail;Land;Ort\n"
    "Bäckerei Süß;info@baeckerei.example;DE;Berlin\n"
    "Bad Mail;not-an-email;DE;Köln\n"
    "Dupont SARL;compta@dupont.example;FR;Paris\n"
)


@pytest.fixture
def ops(window, gui_db):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Muster GmbH", country="DE", currency="EUR")
    return window.ops


def names(db, model) -> list[str]:  # type: ignore[no-untyped-def]
    with db.readonly_sessions() as s:
        return sorted(s.scalars(select(model.name)))


def cell(dialog: ImportDialog, row: int, column: int) -> str:
    return dialog.preview.item(row, column).text()


def test_guessed_columns_preview_and_problems(qtbot, ops, tmp_path: Path, dialogs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(path), ""))
    dialog = ImportDialog(ops, "customers")
    qtbot.addWidget(dialog)
    dialog._choose()
    assert "3 rows" in dialog.file_info.text() and "semicolon" in dialog.file_info.text()
    assert dialog.columns["name"].currentText() == "Firma"
    assert dialog.columns["email"].currentText() == "E-Mail"
    assert dialog.columns["city"].currentText() == "Ort"
    assert dialog.columns["vat_id"].currentData() is None
    headers = [dialog.preview.horizontalHeaderItem(c).text() for c in range(dialog.preview.columnCount())]
    assert headers == ["Line in file", "Name", "Email", "City", "Country", "Problem"]
    assert (cell(dialog, 1, 0), cell(dialog, 1, 5)) == ("3", "'not-an-email' is not an email address.")
    assert cell(dialog, 0, 5) == ""
    assert "line 3: 'not-an-email' is not an email address." in dialog.problems.toPlainText()
    assert "2 would be imported, 1 with errors" in dialog.summary.text()
    assert names(ops.db, Customer) == []  # checking imported nothing


def test_import_all_or_only_the_valid_rows(qtbot, ops, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    dialog = ImportDialog(ops, "customers")
    qtbot.addWidget(dialog)
    assert dialog.load_file(path)
    dialog.import_button.click()
    assert names(ops.db, Customer) == [] and dialog.report is None
    assert "Nothing was imported" in dialog.summary.text()
    dialog.valid_only.setChecked(True)
    dialog.import_button.click()
    assert names(ops.db, Customer) == ["Bäckerei Süß", "Dupont SARL"]
    assert dialog.report is not None and dialog.report.created == 2
    assert dialogs.infos == ["3 rows: 2 imported, 1 with errors."]
    again = ImportDialog(ops, "customers")
    qtbot.addWidget(again)
    again.load_file(path)
    assert "0 would be imported, 2 already there, 1 with errors" in again.summary.text()
    assert not again.import_button.isEnabled()


def test_mapping_a_column_by_hand_and_matching_by_name(qtbot, ops, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text("Who,Where\nACME,FR\nACME,FR\n", encoding="utf-8")
    dialog = ImportDialog(ops, "customers")
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    assert "No column is chosen for: Name, Country" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    dialog.columns["name"].setCurrentIndex(dialog.columns["name"].findText("Who"))
    dialog.columns["country"].setCurrentIndex(dialog.columns["country"].findText("Where"))
    assert "there is no email to match on" in dialog.problems.toPlainText()
    dialog.key.setCurrentIndex(dialog.key.findData("name"))
    assert dialog.problems.toPlainText() == "line 3: the same name (ACME) as line 2"


def test_products_from_a_workbook(qtbot, ops, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Product", "Price", "VAT"])
    wb.active.append(["Consulting", 120, 19])
    wb.save(path)
    dialog = ImportDialog(ops, "products")
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    assert not dialog.key.isEnabled()
    dialog.import_button.click()
    assert names(ops.db, Product) == ["Consulting"]


def test_unreadable_file_is_explained(qtbot, ops, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.pdf"
    path.write_bytes(b"%PDF")
    dialog = ImportDialog(ops, "customers")
    qtbot.addWidget(dialog)
    assert not dialog.load_file(path)
    assert dialogs.errors == ["c.pdf: only .csv, .xlsx, .xls and .ods files can be imported."]


def test_reports_page_opens_the_dialogs(qtbot, window, ops) -> None:  # type: ignore[no-untyped-def]
    page = window.show_page("reports")
    page.import_products_button.click()
    assert isinstance(page.import_dialog, ImportDialog) and page.import_dialog.kind == "products"
    page.import_dialog.reject()


def _choose_file(qtbot, dialog: ImportDialog, path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(path), ""))
    choose = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Choose file…")
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)


def test_customers_page_imports_from_its_toolbar(qtbot, window, ops, tmp_path: Path, dialogs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    page = sidebar(qtbot, window, "Customers")
    qtbot.mouseClick(toolbar_button(window.toolbar, "Import…"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible() and dialog.kind == "customers"
    assert dialog.isModal()  # window-modal: the list stays visible behind it
    _choose_file(qtbot, dialog, path, monkeypatch)
    qtbot.keyClick(dialog.valid_only, Qt.Key.Key_Space)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialogs.infos == ["3 rows: 2 imported, 1 with errors."] and not dialog.isVisible()
    assert [page.model.record(r).name for r in range(page.model.rowCount())] == ["Bäckerei Süß", "Dupont SARL"]
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is None)  # deleted once closed


def test_products_page_and_file_menu_import_products(qtbot, window, ops, tmp_path: Path, dialogs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.csv"
    path.write_text("Product,Price,VAT\nConsulting,120,19\nHosting,9.90,19\n", encoding="utf-8")
    page = sidebar(qtbot, window, "Products")
    qtbot.mouseClick(toolbar_button(window.toolbar, "Import…"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.kind == "products"
    dialog.reject()
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is None)

    menu_action = window.findChild(QAction, "import_products")
    assert menu_action.text() == "Import products…"
    menu_action.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.kind == "products"
    _choose_file(qtbot, dialog, path, monkeypatch)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert [page.product_model.record(r).name for r in range(page.product_model.rowCount())] == [
        "Consulting", "Hosting"]
    assert window.findChild(QAction, "import_customers").text() == "Import customers…"
