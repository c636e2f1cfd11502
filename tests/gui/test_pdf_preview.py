"""The in-app PDF preview (QtPdf): Ctrl+P on a finalized invoice shows the stored PDF, every page of it."""

from __future__ import annotations

from io import BytesIO

import pytest
from gui_helpers import activate, toolbar_button
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdf import QPdfDocument

from invoicer.db.engine import transaction
from invoicer.gui.widgets import pdf_view
from invoicer.gui.widgets.pdf_view import PdfPreview
from invoicer.services import company, customers, documents, invoices
from invoicer.services.invoices import DraftData, LineData


def _finalized(db, lines: int) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """A finalized invoice with ``lines`` lines and its stored PDF."""
    with transaction(db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        invoice = invoices.create_draft(s, DraftData(customer, [
            LineData(f"Consulting, week {n}", "1", "100", "S", "19") for n in range(1, lines + 1)]))
        invoices.finalize_invoice(s, invoice)
    with transaction(db.readonly_sessions) as s:
        return invoice, documents.frozen_pdf(s, invoice)


def _preview(qtbot, editor) -> PdfPreview:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: bool(editor.findChildren(PdfPreview)), timeout=10000)
    preview = editor.findChildren(PdfPreview)[-1]
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready, timeout=10000)
    return preview


def test_ctrl_p_shows_the_stored_pdf_with_all_its_pages(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    invoice_id, stored = _finalized(gui_db, 60)
    pages = len(PdfReader(BytesIO(stored)).pages)
    assert pages >= 2  # long enough to prove more than the first page is shown
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = _preview(qtbot, editor)
    assert preview.isVisible() and preview.pdf == stored
    assert preview.document.pageCount() == pages
    assert preview.page_label.text() == f"Page 1 of {pages}"
    assert preview.windowTitle() == editor.document.number
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_the_toolbar_button_previews_a_one_page_invoice(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    invoice_id, stored = _finalized(gui_db, 2)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Preview PDF"), Qt.MouseButton.LeftButton)
    preview = _preview(qtbot, editor)
    assert preview.document.pageCount() == 1 and preview.pdf == stored
    preview.close()


def test_without_qtpdf_the_system_viewer_opens_the_pdf(qtbot, window, gui_db, dialogs, monkeypatch):  # type: ignore[no-untyped-def]
    invoice_id, stored = _finalized(gui_db, 2)
    opened: list[str] = []
    monkeypatch.setattr(pdf_view, "HAS_QTPDF", False)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert not editor.findChildren(PdfPreview)
    with open(opened[0], "rb") as shown:
        assert shown.read() == stored


@pytest.fixture(autouse=True)
def _no_external_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may start the desktop's PDF viewer."""
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
