"""Import customers or products from a .csv or .xlsx file: choose the file, map its columns, check every row
(with line numbers and reasons), then import all of them, or only the valid ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.documents.importers import SourceTable, read_table
from invoicer.gui import messages
from invoicer.gui.operations import Operations
from invoicer.i18n import _, error_text, ngettext
from invoicer.services import imports
from invoicer.services.imports import ImportReport

PREVIEW_ROWS = 100
KINDS = {
    "customers": (imports.CUSTOMER_FIELDS, imports.CUSTOMER_KEYS),
    "products": (imports.PRODUCT_FIELDS, ("name",)),
}


class ImportDialog(QDialog):
    """``kind`` is "customers" or "products"; ``report`` holds the result once the import ran."""

    def __init__(self, ops: Operations, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.kind = kind
        self.fields, keys = KINDS[kind]
        self.table: SourceTable | None = None
        self.report: ImportReport | None = None
        self.setWindowTitle(_("Import customers") if kind == "customers" else _("Import products"))
        self.resize(900, 640)

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        choose = QPushButton(_("&Choose file…"))
        choose.clicked.connect(self._choose)
        self.file_info = QLabel(_("A .csv file (any delimiter; UTF-8 or Windows-1252) or an .xlsx workbook, "
                                  "with a header row."))
        self.file_info.setProperty("muted", True)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(choose)

        self.columns: dict[str, QComboBox] = {}
        mapping_box = QGroupBox(_("Columns"))
        form = QFormLayout(mapping_box)
        for key, field in self.fields.items():
            combo = QComboBox()
            combo.setObjectName(f"column_{key}")
            combo.currentIndexChanged.connect(self._changed)
            self.columns[key] = combo
            form.addRow(_(field.title) + (" *" if field.required else ""), combo)
        self.key = QComboBox()
        self.key.setObjectName("match_key")
        titles = {"email": _("Email"), "vat_id": _("VAT ID"), "name": _("Name")}
        for key in keys:
            self.key.addItem(titles[key], key)
        self.key.currentIndexChanged.connect(self._changed)
        self.key.setEnabled(len(keys) > 1)
        form.addRow(_("Match existing records by"), self.key)

        self.preview = QTableWidget()
        self.preview.setObjectName("preview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("problems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(120)
        self.valid_only = QCheckBox(_("Import the &valid rows and leave out the rows with errors"))
        self.valid_only.setObjectName("valid_only")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(_("&Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        buttons.accepted.connect(self._import)
        buttons.rejected.connect(self.reject)

        preview_side = QVBoxLayout()
        preview_side.addWidget(self.preview, 1)
        preview_side.addWidget(self.summary)
        preview_side.addWidget(self.problems)
        middle = QHBoxLayout()
        middle.addWidget(mapping_box)
        middle.addLayout(preview_side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.file_info)
        layout.addLayout(middle, 1)
        layout.addWidget(self.valid_only)
        layout.addWidget(buttons)

    # ------------------------------------------------------------ file and mapping

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.windowTitle(), "", _("Tables (*.csv *.txt *.tsv *.xlsx *.xls *.ods);;All files (*)"))
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        """Read the file, guess the columns from its header and check every row."""
        try:
            table = read_table(path)
        except InvoicerError as err:
            messages.show_error(self, err)
            return False
        self.table = table
        self.path.setText(str(path))
        details = [ngettext("{n} row", "{n} rows", len(table.rows)).format(n=len(table.rows))]
        if table.encoding:
            names = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("bar")}
            details += [table.encoding.upper(), names.get(table.delimiter or ",", "")]
        self.file_info.setText(", ".join(details))
        guessed = imports.guess_columns(table, self.fields)
        for key, combo in self.columns.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("(not in the file)"), None)
            for index, header in enumerate(table.headers):
                combo.addItem(header or _("column {n}").format(n=index + 1), index)
            combo.setCurrentIndex(combo.findData(guessed[key]) if key in guessed else 0)
            combo.blockSignals(False)
        self.check()
        return True

    def mapping(self) -> dict[str, int]:
        return {key: combo.currentData() for key, combo in self.columns.items() if combo.currentData() is not None}

    def _changed(self) -> None:
        if self.table is not None:
            self.check()

    # ------------------------------------------------------------ check and import

    def check(self) -> None:
        """Validate every row without importing (the same services, rolled back) and show the outcome."""
        assert self.table is not None
        table, mapping, key = self.table, self.mapping(), self.key.currentData()
        run = imports.import_customers if self.kind == "customers" else imports.import_products
        try:
            report = self.ops.dry_run(lambda s: run(s, table, mapping, key=key, dry_run=True))
        except InvoicerError as err:  # a required column is not chosen
            self.summary.setText(error_text(err))
            self.problems.clear()
            self.import_button.setEnabled(False)
            self._show_preview({})
            return
        self._show_report(report)
        self.import_button.setEnabled(report.created > 0)

    def _show_report(self, report: ImportReport) -> None:
        self.summary.setText(report.summary())
        self.problems.setPlainText("\n".join(str(p) for p in report.errors + report.warnings + report.existing))
        notes = {p.line: p.message for p in report.existing + report.warnings}
        notes.update({p.line: p.message for p in report.errors})
        self._show_preview(notes)

    def _show_preview(self, notes: dict[int, str]) -> None:
        assert self.table is not None
        mapping = self.mapping()
        shown = [key for key in self.fields if key in mapping]
        self.preview.clear()
        self.preview.setColumnCount(len(shown) + 2)
        self.preview.setHorizontalHeaderLabels(
            [_("Line in file")] + [_(self.fields[key].title) for key in shown] + [_("Problem")])
        rows = self.table.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [str(row.line)] + [row.get(mapping[key]) for key in shown] + [notes.get(row.line, "")]
            for c, text in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        self.preview.resizeColumnsToContents()

    def _import(self) -> None:
        if self.table is None:
            return
        report = self.ops.import_records(self, self.kind, self.table, self.mapping(), self.key.currentData(),
                                         self.valid_only.isChecked())
        if report is None:
            return
        self._show_report(report)
        if report.imported:
            self.report = report
            messages.show_info(self, report.summary())
            self.accept()


def open_import(ops: Operations, kind: str, parent: QWidget | None) -> ImportDialog:
    """The "Import customers…" / "Import products…" action: a window-modal dialog, deleted when closed."""
    dialog = ImportDialog(ops, kind, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
