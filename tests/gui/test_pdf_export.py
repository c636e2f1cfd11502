"""Batch PDF export from the invoice list: off the UI thread with progress, and Cancel stops it after the
PDFs being written, leaving only whole files."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import sidebar, toolbar_button
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from invoicer.db.engine import transaction
from invoicer.services import company, customers, invoices
from invoicer.services.invoices import DraftData, LineData

DOCUMENTS = 12


@pytest.fixture
def page(qtbot, window, gui_db, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        for n in range(DOCUMENTS):
            draft = invoices.create_draft(s, DraftData(customer, [LineData(f"Work {n}", "1", "100", "S", "19")]))
            invoices.finalize_invoice(s, draft)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "out"))
    shown = sidebar(qtbot, window, "Invoices")
    shown.table.setFocus()
    qtbot.keyClick(shown.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(shown.selected_rows()) == DOCUMENTS
    return shown


def test_export_writes_every_selected_pdf(qtbot, page, tmp_path: Path, dialogs) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(toolbar_button(page.window_.toolbar, "Export PDFs…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "written to" in page.window_.statusBar().currentMessage(), timeout=60000)
    assert len(list((tmp_path / "out").glob("*.pdf"))) == DOCUMENTS and dialogs.errors == []


def test_cancel_stops_after_the_pdfs_being_written(qtbot, page, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QProgressDialog, "setValue", lambda dialog, value: dialog.canceled.emit())  # Cancel at once
    qtbot.mouseClick(toolbar_button(page.window_.toolbar, "Export PDFs…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in page.window_.statusBar().currentMessage(), timeout=60000)
    written = list((tmp_path / "out").glob("*.pdf"))
    assert len(written) < DOCUMENTS
    for pdf in written:  # whole files only
        assert len(PdfReader(pdf).pages) == 1
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_select_all_exports_every_matching_document_with_n_of_m(qtbot, window, gui_db, monkeypatch, tmp_path: Path,
                                                                 dialogs) -> None:  # type: ignore[no-untyped-def]
    from invoicer.services import demo, documents

    demo.generate(gui_db, invoices=450, seed=3)
    with transaction(gui_db.readonly_sessions) as s:
        numbered = invoices.numbered_ids(s)
    exported: list[list[int]] = []
    labels: list[str] = []

    def export(database: Path, ids: list[int], out_dir: Path, progress) -> None:  # type: ignore[no-untyped-def]
        exported.append(list(ids))
        progress(len(ids), len(ids))

    monkeypatch.setattr(documents, "export_pdfs", export)
    monkeypatch.setattr(QProgressDialog, "setLabelText", lambda dialog, text: labels.append(text))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "out"))
    page = sidebar(qtbot, window, "Invoices")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_rows()) < len(numbered)  # only the first page is loaded
    qtbot.mouseClick(toolbar_button(window.toolbar, "Export PDFs…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "written to" in window.statusBar().currentMessage())
    assert exported == [numbered] and dialogs.errors == []
    assert labels[-1].endswith(f"{len(numbered)} of {len(numbered)}")
    assert f"{len(numbered)} PDFs written" in window.statusBar().currentMessage()


def test_a_few_selected_rows_export_only_those(qtbot, page, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    from invoicer.services import documents

    exported: list[list[int]] = []
    monkeypatch.setattr(documents, "export_pdfs", lambda database, ids, out_dir, progress: exported.append(list(ids)))
    page.table.clearSelection()
    page.table.selectRow(0)
    qtbot.mouseClick(toolbar_button(page.window_.toolbar, "Export PDFs…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "written to" in page.window_.statusBar().currentMessage())
    assert exported == [[page.selected_rows()[0].id]]
