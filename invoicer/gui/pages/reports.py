"""Reports: the ledger workbook and CSV files for the accountant over a chosen period (written off the UI
thread, with progress and Cancel), and importing customers and products from other tools."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from invoicer.gui import messages
from invoicer.gui.operations import Progress
from invoicer.gui.pages.base import Page
from invoicer.gui.style import date_format, python_date, qt_date
from invoicer.i18n import N_, _, error_text

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow

PERIODS = (
    ("last_month", N_("Last month")),
    ("this_month", N_("This month")),
    ("last_quarter", N_("Last quarter")),
    ("this_quarter", N_("This quarter")),
    ("last_year", N_("Last year")),
    ("this_year", N_("This year")),
    ("custom", N_("Custom")),
)


def period(key: str, today: date) -> tuple[date, date] | None:
    """The first and last day of a named period around ``today``; None for "custom"."""
    month_start = today.replace(day=1)
    quarter_start = month_start.replace(month=(today.month - 1) // 3 * 3 + 1)
    if key == "this_month":
        return month_start, _month_end(month_start)
    if key == "last_month":
        start = (month_start - timedelta(days=1)).replace(day=1)
        return start, month_start - timedelta(days=1)
    if key == "this_quarter":
        return quarter_start, _month_end(quarter_start.replace(month=quarter_start.month + 2))
    if key == "last_quarter":
        end = quarter_start - timedelta(days=1)
        return end.replace(month=end.month - 2, day=1), end
    if key == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if key == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class ReportsPage(Page):
    """Nothing here shows data that changes, so the page never refreshes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.period = QComboBox()
        self.period.setObjectName("period")
        for key, title in PERIODS:
            self.period.addItem(_(title), key)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "date_from"), (self.date_to, "date_to")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format())
            edit.dateChanged.connect(self._dates_edited)
        self.period.currentIndexChanged.connect(self._period_chosen)
        self._period_chosen()

        self.export_ledger_button = QPushButton(_("Export &ledger…"))
        self.export_ledger_button.setObjectName("export_ledger")
        self.export_ledger_button.clicked.connect(self.export_ledger)
        self.export_csv_button = QPushButton(_("Export &CSV…"))
        self.export_csv_button.setObjectName("export_csv")
        self.export_csv_button.clicked.connect(self.export_csv)
        ledger_box = QGroupBox(_("For the accountant"))
        form = QFormLayout(ledger_box)
        form.addRow(_("&Period"), self.period)
        form.addRow(_("&From"), self.date_from)
        form.addRow(_("&To"), self.date_to)
        explain = QLabel(_(
            "One workbook with invoices, lines, payments, credit notes, the tax summary per month and rate, "
            "aged receivables at the end of the period and a double-entry journal (account codes in Settings). "
            "CSV writes the same tables as one file each."))
        explain.setWordWrap(True)
        explain.setProperty("muted", True)
        form.addRow(explain)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_ledger_button)
        buttons.addWidget(self.export_csv_button)
        buttons.addStretch(1)
        form.addRow(buttons)

        self.import_customers_button = QPushButton(_("Import c&ustomers…"))
        self.import_customers_button.setObjectName("import_customers")
        self.import_customers_button.clicked.connect(lambda: self.import_records("customers"))
        self.import_products_button = QPushButton(_("Import p&roducts…"))
        self.import_products_button.setObjectName("import_products")
        self.import_products_button.clicked.connect(lambda: self.import_records("products"))
        import_box = QGroupBox(_("From another tool"))
        import_layout = QHBoxLayout(import_box)
        import_layout.addWidget(self.import_customers_button)
        import_layout.addWidget(self.import_products_button)
        import_layout.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(ledger_box)
        layout.addWidget(import_box)
        layout.addStretch(1)

    # ------------------------------------------------------------ period

    def _period_chosen(self) -> None:
        found = period(self.period.currentData(), date.today())
        if found is None:
            return
        for edit, day in ((self.date_from, found[0]), (self.date_to, found[1])):
            edit.blockSignals(True)
            edit.setDate(qt_date(day))
            edit.blockSignals(False)

    def _dates_edited(self) -> None:
        self.period.blockSignals(True)
        self.period.setCurrentIndex(self.period.findData("custom"))
        self.period.blockSignals(False)

    def dates(self) -> tuple[date, date]:
        return python_date(self.date_from.date()), python_date(self.date_to.date())

    # ------------------------------------------------------------ exports

    def export_ledger(self) -> None:
        from invoicer.services import ledger  # openpyxl loads when first used: the app starts fast

        dates = self._period()
        if dates is None:
            return
        suggested = f"ledger-{dates[0].isoformat()}-{dates[1].isoformat()}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self, _("Export ledger"), suggested, _("Workbooks (*.xlsx)"))
        if not path:
            return
        target = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        self._run(_("Writing the ledger…"), target,
                  lambda progress: ledger.export_ledger(self.ops.db, target, *dates, progress))

    def export_csv(self) -> None:
        from invoicer.services import ledger

        dates = self._period()
        if dates is None:
            return
        folder = QFileDialog.getExistingDirectory(self, _("Export CSV files to folder"))
        if not folder:
            return
        target = Path(folder)
        self._run(_("Writing the CSV files…"), target,
                  lambda progress: ledger.export_csv(self.ops.db, target, *dates, progress))

    def _period(self) -> tuple[date, date] | None:
        start, end = self.dates()
        if start > end:
            messages.show_error(self, _("The start date is after the end date."))
            return None
        return start, end

    def _run(self, label: str, target: Path, task: Callable[[Progress], object]) -> None:
        from invoicer.services.ledger import ExportCancelled

        def done(_result: object) -> None:
            self.window_.statusBar().showMessage(_("Written: {path}").format(path=target), 10000)

        def handle(error: BaseException) -> bool:
            if isinstance(error, ExportCancelled):
                self.window_.statusBar().showMessage(error_text(error), 10000)
                return True
            return False

        self.export_job = self.ops.start(self, label, task, done=done, failed=handle, cancel=ExportCancelled)

    # ------------------------------------------------------------ imports

    def import_records(self, kind: str) -> None:
        self.import_dialog = self.window_.import_records(kind)

