"""Show a PDF: inside the app with QtPdf when this Qt has it, otherwise in the system's PDF viewer."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from invoicer.gui import messages
from invoicer.i18n import _

HAS_QTPDF = importlib.util.find_spec("PySide6.QtPdfWidgets") is not None


def save_pdf(parent: QWidget | None, pdf: bytes, name: str) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save PDF"), f"{name}.pdf", _("PDF files (*.pdf)"))
    if not path:
        return None
    try:
        Path(path).write_bytes(pdf)
    except OSError as exc:
        messages.show_error(parent, _("The PDF could not be saved: {why}.").format(why=exc.strerror))
        return None
    return Path(path)


def open_externally(parent: QWidget | None, pdf: bytes, name: str) -> Path:
    """Write the PDF to a temporary file and hand it to the system viewer."""
    folder = Path(tempfile.mkdtemp(prefix="invoicer-"))
    target = folder / f"{name}.pdf"
    target.write_bytes(pdf)
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
        messages.show_info(parent, _("The PDF was written to {path}.").format(path=target))
    return target


def show_pdf(parent: QWidget | None, pdf: bytes, name: str) -> QWidget | None:
    """Preview inside the app when QtPdf is available, else open the system viewer."""
    if not HAS_QTPDF:
        open_externally(parent, pdf, name)
        return None
    dialog = PdfPreview(pdf, name, parent)
    dialog.show()
    return dialog


class PdfPreview(QDialog):
    """A page view of the PDF (page indicator, fit width or zoom) with Save and Open buttons; only built when
    QtPdf is present."""

    def __init__(self, pdf: bytes, name: str, parent: QWidget | None = None) -> None:
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(name)
        self.resize(760, 900)
        self.pdf, self.name = pdf, name
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(pdf))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self.buffer)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.page_label = QLabel()
        self.page_label.setObjectName("page_label")
        self.page_label.setProperty("muted", True)
        self.view.pageNavigator().currentPageChanged.connect(self._show_page)
        self.document.statusChanged.connect(self._show_page)
        self._show_page()
        zoom_out = QPushButton(_("Zoom out"))
        zoom_out.clicked.connect(lambda: self._zoom(1 / 1.25))
        fit = QPushButton(_("Fit width"))
        fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        zoom_in = QPushButton(_("Zoom in"))
        zoom_in.clicked.connect(lambda: self._zoom(1.25))
        save = QPushButton(_("Save PDF…"))
        save.clicked.connect(lambda: save_pdf(self, self.pdf, self.name))
        external = QPushButton(_("Open in PDF viewer"))
        external.clicked.connect(lambda: open_externally(self, self.pdf, self.name))
        buttons = QHBoxLayout()
        buttons.addWidget(self.page_label)
        buttons.addStretch(1)
        for button in (zoom_out, fit, zoom_in, save, external):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def _show_page(self) -> None:
        count = self.document.pageCount()
        current = self.view.pageNavigator().currentPage() + 1
        self.page_label.setText(_("Page {page} of {count}").format(page=current, count=count) if count else "")

    def _zoom(self, factor: float) -> None:
        # zoom is a display scale, not money: a float is right here
        from PySide6.QtPdfWidgets import QPdfView

        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(self.view.zoomFactor() * factor, 0.25), 4.0))
