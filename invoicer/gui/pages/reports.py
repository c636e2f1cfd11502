"""Reports: VAT per rate, revenue by month and customer (charts), aged receivables, DSO and the customers most
overdue for a chosen period, each exportable; the ledger workbook and CSV files for the accountant (written off
the UI thread, with progress and Cancel); importing customers and products from other tools."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_skeleton
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.money import exponent
from invoicer.gui import messages, operations
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.operations import Job, Progress
from invoicer.gui.pages.base import Page
from invoicer.gui.style import date_format, day, money, python_date, qt_date
from invoicer.gui.widgets.charts import BarChart
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _, current_locale, error_text, format_number, format_percent
from invoicer.services import reports

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow
    from invoicer.gui.pages.invoices import InvoicesPage

PERIODS = (
    ("last_month", N_("Last month")),
    ("this_month", N_("This month")),
    ("last_quarter", N_("Last quarter")),
    ("this_quarter", N_("This quarter")),
    ("last_year", N_("Last year")),
    ("this_year", N_("This year")),
    ("custom", N_("Custom")),
)


BUCKET_TITLES = (("current", N_("Current")), ("1-30", N_("1–30 days")), ("31-60", N_("31–60 days")),
                 ("61-90", N_("61–90 days")), ("90+", N_("Over 90 days")))
CHART_CUSTOMERS = 10


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


class ReportPane(QStackedWidget):
    """One report on screen: its content, or a short note when the period has nothing to show."""

    def __init__(self, key: str, content: QWidget, note: str | None = None) -> None:
        super().__init__()
        self.setObjectName(f"report_{key}")
        self.key = key
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        if note:
            explain = QLabel(note)
            explain.setWordWrap(True)
            explain.setProperty("muted", True)
            layout.addWidget(explain)
        layout.addWidget(content, 1)
        self.empty = QLabel(_("Nothing to show for this period. Choose another period above."))
        self.empty.setObjectName("empty")
        self.empty.setProperty("muted", True)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(page)
        self.addWidget(self.empty)

    def show_content(self, any_data: bool) -> None:
        self.setCurrentIndex(0 if any_data else 1)


class ReportsPage(Page):
    """On-screen reports for a period (worked out off the UI thread), each exportable; the accountant's ledger
    and CSV exports; importing customers and products."""

    areas = frozenset({operations.INVOICES, operations.COMPANY, operations.CUSTOMERS})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.report: reports.PeriodReport | None = None
        self.loading: Job | None = None
        self._again = False  # the period changed while a report was being worked out
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
        self.period.setCurrentIndex(self.period.findData("this_year"))
        self.period.currentIndexChanged.connect(self._period_chosen)
        self._period_chosen()
        self._reload = QTimer(self)  # typing a date changes it digit by digit: one report when the typing stops
        self._reload.setSingleShot(True)
        self._reload.setInterval(400)
        self._reload.timeout.connect(self.refresh)

        choose = QHBoxLayout()
        for text, widget in ((_("&Period"), self.period), (_("&From"), self.date_from), (_("&To"), self.date_to)):
            label = QLabel(text)
            label.setBuddy(widget)
            choose.addWidget(label)
            choose.addWidget(widget)
        choose.addStretch(1)
        self.as_of_label = QLabel()
        self.as_of_label.setObjectName("as_of")
        self.as_of_label.setProperty("muted", True)
        choose.addWidget(self.as_of_label)

        self.panes: dict[str, ReportPane] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("report_tabs")
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setUsesScrollButtons(True)
        self._make_reports()
        self.tabs.addTab(self._accountant_tab(), _("For the accountant"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.export_buttons: dict[str, QPushButton] = {}
        exports = QHBoxLayout()
        exports.addStretch(1)
        for fmt, text in (("xlsx", _("Export as &Excel…")), ("csv", _("Export as CS&V…")),
                          ("pdf", _("Export as P&DF…"))):
            button = QPushButton(text)
            button.setObjectName(f"export_report_{fmt}")
            button.clicked.connect(lambda _checked=False, f=fmt: self.export_report(f))
            self.export_buttons[fmt] = button
            exports.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(exports)

    def _make_reports(self) -> None:
        self.vat_model: RecordTableModel[reports.VatRow] = RecordTableModel([
            Field(N_("VAT category"), lambda r: r.category),
            Field(N_("Rate"), lambda r: format_percent(r.rate), numeric=True),
            Field(N_("Taxable basis"), lambda r: self._company_money(r.basis), numeric=True),
            Field(N_("VAT"), lambda r: self._company_money(r.tax), numeric=True),
        ])
        self._add_pane("vat", N_("VAT summary"), record_table(self.vat_model, self, stretch_column=0), _(
            "Invoices less credit notes issued in the period, per VAT rate, in the company currency at each "
            "document's locked exchange rate: the figures of the ledger's tax summary."))

        self.month_chart = BarChart(_("Net revenue per month"), "#2563eb")
        self.month_chart.setObjectName("month_chart")
        self.customer_chart = BarChart(_("Net revenue of the largest customers"), "#059669")
        self.customer_chart.setObjectName("customer_chart")
        self.customer_model: RecordTableModel[reports.CustomerRevenue] = RecordTableModel([
            Field(N_("Customer"), lambda r: r.customer_name),
            Field(N_("Net revenue"), lambda r: self._company_money(r.net), numeric=True),
        ])
        self.customer_table = record_table(self.customer_model, self, stretch_column=0)
        self.customer_table.activated.connect(lambda index: self._show_invoices_of(
            self.customer_model.record(index.row()).customer_id, self.customer_model.record(index.row()).customer_name))
        revenue = QWidget()
        grid = QGridLayout(revenue)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.month_chart, 0, 0)
        grid.addWidget(self.customer_chart, 0, 1)
        grid.addWidget(self.customer_table, 1, 0, 1, 2)
        grid.setRowStretch(1, 1)
        self._add_pane("revenue", N_("Revenue"), revenue, _(
            "Net revenue (excluding VAT) of invoices less credit notes, in the company currency."))

        self.aged_model: RecordTableModel[reports.AgedRow] = RecordTableModel([
            Field(N_("Customer"), lambda r: r.customer_name),
            *(Field(title, self._bucket(bucket), numeric=True) for bucket, title in BUCKET_TITLES),
            Field(N_("Total"), lambda r: money(r.total, r.currency), numeric=True),
        ])
        self._add_pane("aged", N_("Aged receivables"), record_table(self.aged_model, self, stretch_column=0), _(
            "What each customer owed at the end of the period, by days past the due date; written-off "
            "invoices are not receivables."))

        self.dso_model: RecordTableModel[reports.DsoRow] = RecordTableModel([
            Field(N_("Currency"), lambda r: r.currency),
            Field(N_("Receivables"), lambda r: money(r.receivables, r.currency), numeric=True),
            Field(N_("Sales incl. VAT"), lambda r: money(r.sales, r.currency), numeric=True),
            Field(N_("Days"), lambda r: format_number(r.days), numeric=True),
            Field(N_("DSO"), lambda r: _("{days} days").format(days=format_number(r.dso)) if r.dso is not None
                  else _("no sales"), numeric=True),
        ])
        self._add_pane("dso", N_("DSO"), record_table(self.dso_model, self, stretch_column=None), _(
            "Days sales outstanding: the receivables at the end of the period divided by the sales of the "
            "period (VAT included, less credit notes), times the days of the period. How many days of sales "
            "are still unpaid."))

        self.overdue_model: RecordTableModel[reports.AgedRow] = RecordTableModel([
            Field(N_("Customer"), lambda r: r.customer_name),
            Field(N_("Overdue"), lambda r: money(r.total - r.buckets["current"], r.currency), numeric=True,
                  warn=lambda r: True),
            *(Field(title, self._bucket(bucket), numeric=True) for bucket, title in BUCKET_TITLES[1:]),
        ])
        self.overdue_table = record_table(self.overdue_model, self, stretch_column=0)
        self.overdue_table.activated.connect(self._show_overdue_invoices)
        self._add_pane("overdue", N_("Overdue customers"), self.overdue_table, _(
            "The customers owing the most past the due date at the end of the period. Enter shows their "
            "overdue invoices."))

    def _add_pane(self, key: str, title: str, content: QWidget, note: str) -> None:
        pane = ReportPane(key, content, note)
        self.panes[key] = pane
        self.tabs.addTab(pane, _(title))

    def _accountant_tab(self) -> QWidget:
        self.export_ledger_button = QPushButton(_("Export &ledger…"))
        self.export_ledger_button.setObjectName("export_ledger")
        self.export_ledger_button.clicked.connect(self.export_ledger)
        self.export_csv_button = QPushButton(_("Export &CSV…"))
        self.export_csv_button.setObjectName("export_csv")
        self.export_csv_button.clicked.connect(self.export_csv)
        ledger_box = QGroupBox(_("For the accountant"))
        form = QVBoxLayout(ledger_box)
        explain = QLabel(_(
            "One workbook with invoices, lines, payments, credit notes, the tax summary per month and rate, "
            "aged receivables at the end of the period and a double-entry journal (account codes in Settings). "
            "CSV writes the same tables as one file each."))
        explain.setWordWrap(True)
        explain.setProperty("muted", True)
        form.addWidget(explain)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_ledger_button)
        buttons.addWidget(self.export_csv_button)
        buttons.addStretch(1)
        form.addLayout(buttons)

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
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(ledger_box)
        layout.addWidget(import_box)
        layout.addStretch(1)
        return tab

    # ------------------------------------------------------------ figures

    def _company_money(self, minor: int) -> str:
        return money(minor, self.report.company_currency if self.report else "EUR")

    @staticmethod
    def _bucket(bucket: str) -> Callable[[reports.AgedRow], str]:
        return lambda r: money(r.buckets[bucket], r.currency)

    def refresh(self) -> None:
        """Work the period's reports out in the background (a year of a large business takes a moment)."""
        if self.loading is not None:
            self._again = True
            return
        start, end = self.dates()
        if start > end:
            self.as_of_label.setText(_("The start date is after the end date."))
            return

        def done(found: reports.PeriodReport) -> None:
            self.show_report(found)

        def ended() -> None:
            self.loading = None
            if self._again:
                self._again = False
                self.refresh()

        self.loading = self.ops.start(
            self, _("Working out the reports…"),
            lambda _progress: self.ops.read(lambda s: reports.period_report(s, start, end)), done=done)
        self.loading.ended.connect(ended)

    def show_report(self, found: reports.PeriodReport) -> None:
        self.report = found
        home = found.company_currency
        self.as_of_label.setText(_("Receivables as of {day}").format(day=day(found.as_of)))
        self.vat_model.set_records(found.vat)
        self.panes["vat"].show_content(bool(found.vat))
        per_major = 10 ** exponent(home)
        locale = current_locale()
        self.month_chart.show_values(
            [format_skeleton("MMM", month, locale=locale) for month, _v in found.by_month[-12:]],
            [max(v, 0) for _m, v in found.by_month[-12:]],
            [f"{format_skeleton('yMMMM', m, locale=locale)}: {money(v, home)}" for m, v in found.by_month[-12:]],
            per_major)
        largest = found.by_customer[:CHART_CUSTOMERS]
        self.customer_chart.show_values(
            [format_number(rank) for rank in range(1, len(largest) + 1)],  # names are in the table below
            [max(r.net, 0) for r in largest], [f"{r.customer_name}: {money(r.net, home)}" for r in largest], per_major)
        self.customer_model.set_records(found.by_customer)
        self.panes["revenue"].show_content(bool(found.by_customer))
        self.aged_model.set_records(found.aged)
        self.panes["aged"].show_content(bool(found.aged))
        self.dso_model.set_records(found.dso)
        self.panes["dso"].show_content(bool(found.dso))
        self.overdue_model.set_records(found.overdue)
        self.panes["overdue"].show_content(bool(found.overdue))

    def _show_overdue_invoices(self, index: QModelIndex) -> None:
        row = self.overdue_model.record(index.row())
        self._show_invoices_of(row.customer_id, row.customer_name).filter_status("overdue")

    def _show_invoices_of(self, customer_id: int, name: str) -> InvoicesPage:
        invoices = self.window_.show_page("invoices")
        invoices.filter_customer((customer_id, name))
        invoices.filter_status(None)
        return invoices

    def _tab_changed(self) -> None:
        on_report = isinstance(self.tabs.currentWidget(), ReportPane)
        for button in self.export_buttons.values():
            button.setEnabled(on_report)

    def current_report(self) -> str | None:
        pane = self.tabs.currentWidget()
        return pane.key if isinstance(pane, ReportPane) else None

    def export_report(self, fmt: str) -> None:
        which = self.current_report()
        dates = self._period()
        if which is None or dates is None:
            return
        suggested = f"{which}-{dates[0].isoformat()}-{dates[1].isoformat()}.{fmt}"
        filters = {"xlsx": _("Workbooks (*.xlsx)"), "csv": _("CSV files (*.csv)"), "pdf": _("PDF files (*.pdf)")}
        path, _filter = QFileDialog.getSaveFileName(self, _("Export report"), suggested, filters[fmt])
        if not path:
            return
        target = Path(path) if path.lower().endswith(f".{fmt}") else Path(f"{path}.{fmt}")
        self._run(_("Writing the report…"), target,
                  lambda progress: reports.export_report(self.ops.db, which, target, fmt, *dates, progress))

    # ------------------------------------------------------------ period

    def _period_chosen(self) -> None:
        found = period(self.period.currentData(), date.today())
        if found is None:
            return
        for edit, first_or_last in ((self.date_from, found[0]), (self.date_to, found[1])):
            edit.blockSignals(True)
            edit.setDate(qt_date(first_or_last))
            edit.blockSignals(False)
        self._period_changed()

    def _dates_edited(self) -> None:
        self.period.blockSignals(True)
        self.period.setCurrentIndex(self.period.findData("custom"))
        self.period.blockSignals(False)
        self._period_changed()

    def _period_changed(self) -> None:
        if hasattr(self, "_reload") and self.isVisible():
            self._reload.start()
        else:
            self._stale = True

    def dates(self) -> tuple[date, date]:
        return python_date(self.date_from.date()), python_date(self.date_to.date())

    # ------------------------------------------------------------ exports

    def export_ledger(self) -> None:
        from invoicer.services import ledger  # openpyxl loads when first used

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

