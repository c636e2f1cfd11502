"""Show a PDF: inside the app with QtPdf when this Qt has it, otherwise in the system's PDF viewer."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

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
    """A page view of the PDF with Save and Open buttons (only built when QtPdf is present)."""

    def __init__(self, pdf: bytes, name: str, parent: QWidget | None = None) -> None:
        from PySide6.QtPdf import QPdfDocument  # type: ignore[import-not-found]
        from PySide6.QtPdfWidgets import QPdfView  # type: ignore[import-not-found]

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
        view = QPdfView(self)
        view.setDocument(self.document)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        save = QPushButton(_("Save PDF…"))
        save.clicked.connect(lambda: save_pdf(self, self.pdf, self.name))
        external = QPushButton(_("Open in PDF viewer"))
        external.clicked.connect(lambda: open_externally(self, self.pdf, self.name))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        buttons.addWidget(external)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)
