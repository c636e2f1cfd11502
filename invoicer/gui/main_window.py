"""The main window: sidebar of pages, per-page toolbar, menu bar with shortcuts, status bar, remembered layout."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from invoicer import APP_NAME, __version__, paths
from invoicer.gui import operations
from invoicer.gui.operations import Operations
from invoicer.gui.pages.base import Page
from invoicer.gui.style import STYLE_SHEET, icon
from invoicer.i18n import N_, _, current_locale, ngettext
from invoicer.services.first_window import FirstRead

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from invoicer.gui.dialogs.reminders_dialog import ReminderWatcher
    from invoicer.gui.pages.customers import CustomersPage
    from invoicer.gui.pages.invoices import InvoicesPage
    from invoicer.gui.pages.plans import PlansPage
    from invoicer.gui.pages.products import ProductsPage
    from invoicer.gui.pages.settings import SettingsPage
    from invoicer.services.store import Database

WINDOW_STATE_FILE = "window.ini"


@dataclass(frozen=True)
class PageSpec:
    """A sidebar entry; its module is imported when the page is first shown (fast start)."""

    key: str
    title: str  # untranslated
    icon: str
    module: str
    cls: str
    args: tuple[str, ...] = ()

    def exists(self) -> bool:
        return importlib.util.find_spec(f"invoicer.gui.pages.{self.module}") is not None

    def make(self, window: MainWindow) -> Page:
        module = importlib.import_module(f"invoicer.gui.pages.{self.module}")
        page: Page = getattr(module, self.cls)(window, *self.args)
        return page


PAGES = (
    PageSpec("dashboard", N_("Dashboard"), "dashboard", "dashboard", "DashboardPage"),
    PageSpec("invoices", N_("Invoices"), "invoice", "invoices", "InvoicesPage", ("invoice",)),
    PageSpec("credit_notes", N_("Credit notes"), "credit-note", "invoices", "InvoicesPage", ("credit_note",)),
    PageSpec("quotes", N_("Quotes"), "quote", "quotes", "QuotesPage"),
    PageSpec("payments", N_("Payments"), "payment", "payments", "PaymentsPage"),
    PageSpec("customers", N_("Customers"), "customer", "customers", "CustomersPage"),
    PageSpec("products", N_("Products"), "product", "products", "ProductsPage"),
    PageSpec("plans", N_("Billing plans"), "plan", "plans", "PlansPage"),
    PageSpec("reports", N_("Reports"), "report", "reports", "ReportsPage"),
    PageSpec("settings", N_("Settings"), "settings", "settings", "SettingsPage"),
    PageSpec("bank", N_("Bank"), "payment", "bank", "BankPage"),
)


#: how long the window waits after another desk's notification before it refreshes (a burst makes one refresh)
OTHER_DESK_DELAY_MS = 300


def open_file(path: Path) -> None:
    """A file or folder in the system's app for it (QDesktopServices is loaded when first used, not at start)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class MainWindow(QMainWindow):
    """The app's window; also counts the payment reminders due (``reminders_counted``)."""

    reminders_counted = Signal(int)
    #: another desk committed a change on the shared server (emitted from the listening thread)
    other_desk_changed = Signal()
    #: the window's first paint is done (the app then loads what the first window did not need); a signal from
    #: paintEvent rather than an event filter, which made the Python type of every event class the window was sent
    first_painted = Signal()
    #: the first reminder check waits until the window is up (start-up stays fast), then one runs every hour
    REMINDERS_FIRST_CHECK_MS = 3000
    #: the process that checks e-invoices against the official rules starts once the window is painted (None: never,
    #: every check runs in the app's process)
    RULE_CHECKER_START_MS: int | None = 1000

    def __init__(self, db: Database | FirstRead) -> None:
        """The window on an open store, or on the first read of the local file (painted before SQLAlchemy is
        loaded; the store opens at the first need of it, or once the app has loaded it in the background)."""
        super().__init__()
        self.painted = False  # until the window's first paint
        self.ops = Operations(db, self)
        self.state = QSettings(str(db.folder / WINDOW_STATE_FILE), QSettings.Format.IniFormat)
        self.specs = [spec for spec in PAGES if spec.exists()]
        self.pages: dict[str, Page] = {}
        self.editors: dict[int, QWidget] = {}
        self.setWindowTitle(APP_NAME)
        self.setStyleSheet(STYLE_SHEET)
        self.setMinimumSize(QSize(900, 600))
        self.setUnifiedTitleAndToolBarOnMac(True)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        for spec in self.specs:
            item = QListWidgetItem(icon(spec.icon), _(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setSizeHint(QSize(170, 36))
            self.sidebar.addItem(item)
        # wide enough for the longest title in this language (icon, paddings and margins around it)
        longest = max(self.sidebar.fontMetrics().horizontalAdvance(_(spec.title)) for spec in self.specs)
        self.sidebar.setFixedWidth(max(190, longest + 100))
        self.stack = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.toolbar = QToolBar(_("Actions"))
        self.toolbar.setObjectName("actions")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(self.toolbar)
        self._make_actions()
        self._make_menus()
        self.statusBar().showMessage(str(db.path), 4000)
        self.reminders_due: int | None = None  # not counted yet
        self.reminders: ReminderWatcher | None = None
        self._closed = False  # set when the window closed: pending timers do nothing then
        self.reminders_button = QToolButton()
        self.reminders_button.setObjectName("reminders_due")
        self.reminders_button.setIcon(icon("mail"))
        self.reminders_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reminders_button.setAutoRaise(True)
        self.reminders_button.clicked.connect(self.show_reminders)
        self.reminders_button.hide()
        self.statusBar().addPermanentWidget(self.reminders_button)
        self._recount = QTimer(self)  # many changes in a row: one recount
        self._recount.setSingleShot(True)
        self._recount.setInterval(500)
        self._recount.timeout.connect(self.check_reminders)
        QTimer.singleShot(self.REMINDERS_FIRST_CHECK_MS, self, self._start_reminders)
        if self.RULE_CHECKER_START_MS is not None:
            QTimer.singleShot(self.RULE_CHECKER_START_MS, self, self._start_rule_checker)

        self.ops.changed.connect(self._data_changed)
        # another desk's changes: its commits arrive as notifications, several in a row make one refresh
        self._from_other_desk = QTimer(self)
        self._from_other_desk.setSingleShot(True)
        self._from_other_desk.setInterval(OTHER_DESK_DELAY_MS)
        self._from_other_desk.timeout.connect(self._other_desk_changed)
        self.other_desk_changed.connect(self._from_other_desk.start)
        self._stop_listening = self._listen(db)
        self.ops.mail_settings_wanted.connect(self.show_mail_settings)
        self.sidebar.currentRowChanged.connect(self._row_changed)
        self._restore_state()

    @property
    def db(self) -> Database:
        return self.ops.db

    def _listen(self, db: Database | FirstRead) -> Callable[[], None]:
        """Another desk's commits on a shared server (a first read is never of a server: nothing to listen to)."""
        if isinstance(db, FirstRead):
            return lambda: None
        from invoicer.services import store

        return store.listen_for_other_desks(db, self.other_desk_changed.emit)

    # ------------------------------------------------------------ actions and menus

    def _make_actions(self) -> None:
        self.new_invoice_action = QAction(icon("new"), _("New invoice"), self)
        self.new_invoice_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_invoice_action.setToolTip(_("Create a new draft invoice (Ctrl+N)"))
        self.new_invoice_action.triggered.connect(lambda: self.new_invoice())
        self.find_action = QAction(_("Find"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._focus_search)
        self.reminders_action = QAction(icon("mail"), _("Payment reminders…"), self)
        self.reminders_action.setObjectName("reminders")
        self.reminders_action.triggered.connect(self.show_reminders)
        self.backup_action = QAction(_("Back up now"), self)
        self.backup_action.triggered.connect(self._backup)
        self.quit_action = QAction(_("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        file_menu.addAction(self.new_invoice_action)
        file_menu.addSeparator()
        for kind, text in (("customers", _("Import customers…")), ("products", _("Import products…"))):
            action = file_menu.addAction(icon("import"), text)
            action.setObjectName(f"import_{kind}")
            action.triggered.connect(lambda _checked=False, k=kind: self.import_records(k))
        file_menu.addSeparator()
        file_menu.addAction(self.reminders_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        open_folder = file_menu.addAction(_("Open data folder"))
        open_folder.triggered.connect(lambda: open_file(self.ops.folder))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(_("&Edit"))
        edit_menu.addAction(self.find_action)
        view_menu = bar.addMenu(_("&View"))
        for n, spec in enumerate(self.specs, 1):
            action = view_menu.addAction(icon(spec.icon), _(spec.title))
            if n <= 9:  # Ctrl+1…9; the last page (Settings) is in the menu
                action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_page(key))
        help_menu = bar.addMenu(_("&Help"))
        log_action = help_menu.addAction(_("Open log file"))
        log_action.triggered.connect(lambda: open_file(paths.log_path(self.ops.folder)))
        about = help_menu.addAction(_("About Invoicer"))
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._about)

    # ------------------------------------------------------------ pages

    # the pages other code reaches into, typed by their key as PAGES makes them (imported lazily, at first use)
    @overload
    def show_page(self, key: Literal["invoices"]) -> InvoicesPage: ...
    @overload
    def show_page(self, key: Literal["customers"]) -> CustomersPage: ...
    @overload
    def show_page(self, key: Literal["products"]) -> ProductsPage: ...
    @overload
    def show_page(self, key: Literal["plans"]) -> PlansPage: ...
    @overload
    def show_page(self, key: Literal["settings"]) -> SettingsPage: ...
    @overload
    def show_page(self, key: str) -> Page: ...

    def show_page(self, key: str) -> Page:
        """Switch to a page (created on first use) and return it."""
        row = next(i for i, spec in enumerate(self.specs) if spec.key == key)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)  # calls _row_changed
        return self.pages[key]

    def page(self, key: str) -> Page:
        if key not in self.pages:
            spec = next(s for s in self.specs if s.key == key)
            page = spec.make(self)
            page.setObjectName(f"page_{key}")
            self.pages[key] = page
            self.stack.addWidget(page)
            self._restore_columns(key, page)
        return self.pages[key]

    # ------------------------------------------------------------ column widths, kept between sessions

    @staticmethod
    def _sized_columns(page: Page) -> list[tuple[str, QHeaderView]]:
        """The named tables' headers, with the key their widths are kept under: per language, as the titles'
        widths differ (German widths would squeeze a Spanish list's customer column)."""
        return [(f"columns/{current_locale()}/{view.objectName()}", view.horizontalHeader())
                for view in page.tables()]

    def _restore_columns(self, key: str, page: Page) -> None:
        """The widths the user gave the columns last time; never narrower than the title (as fitted now, in this
        language), and a column that stretches or follows its content keeps doing so."""
        for name, header in self._sized_columns(page):
            saved = str(self.state.value(f"{key}/{name}", "") or "").split(",")
            for column, width in enumerate(saved[:header.count()]):
                if width.isdigit() and header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
                    header.resizeSection(column, max(int(width), header.sectionSize(column)))

    def _save_columns(self) -> None:
        for key, page in self.pages.items():
            for name, header in self._sized_columns(page):
                widths = ",".join(str(header.sectionSize(c)) for c in range(header.count()))
                self.state.setValue(f"{key}/{name}", widths)

    def _row_of(self, page: Page) -> int:
        return next(i for i, spec in enumerate(self.specs) if self.pages.get(spec.key) is page)

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        page = self.page(spec.key)
        leaving = self.current_page()
        if leaving is not None and leaving is not page and not leaving.can_leave():
            self.sidebar.blockSignals(True)  # stay where the unsaved changes are
            self.sidebar.setCurrentRow(self._row_of(leaving))
            self.sidebar.blockSignals(False)
            return
        self.stack.setCurrentWidget(page)
        self.setWindowTitle(f"{_(spec.title)} — {APP_NAME}")
        self.toolbar.clear()
        for action in page.toolbar_actions():
            self.toolbar.addAction(action)

    def _data_changed(self, area: str) -> None:
        for page in self.pages.values():
            page.data_changed(area)
        if area in (operations.INVOICES, operations.SETTINGS) and self.reminders is not None:
            self._recount.start()

    def _other_desk_changed(self) -> None:
        """What another desk changed may be anything: every page refreshes (a hidden one when it is shown)."""
        for area in (operations.COMPANY, operations.SETTINGS, operations.CUSTOMERS, operations.CATALOG,
                     operations.INVOICES):
            self._data_changed(area)

    def _focus_search(self) -> None:
        page = self.current_page()
        if page is not None:
            page.focus_search()

    # ------------------------------------------------------------ invoices

    def new_invoice(self, customer_id: int | None = None) -> QWidget:
        from invoicer.gui.dialogs.invoice_editor import InvoiceEditor

        editor = InvoiceEditor(self, None, customer_id=customer_id)
        editor.show()
        return editor

    def open_invoice(self, invoice_id: int) -> QWidget:
        """Show a document: the editor for a draft, the read-only view for a finalized one."""
        from invoicer.gui.dialogs.invoice_editor import InvoiceEditor

        editor = self.editors.get(invoice_id)
        if editor is None:
            editor = InvoiceEditor(self, invoice_id)
            self.editors[invoice_id] = editor
            editor.destroyed.connect(lambda _obj=None, i=invoice_id: self.editors.pop(i, None))
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def import_records(self, kind: str) -> QDialog:
        """Open the import dialog for "customers" or "products" (from the menu, the page or Reports)."""
        from invoicer.gui.dialogs.import_dialog import open_import  # loaded when used: keeps start-up fast

        return open_import(self.ops, kind, self)

    # ------------------------------------------------------------ payment reminders

    def _start_reminders(self) -> None:
        from invoicer.gui.dialogs.reminders_dialog import ReminderWatcher  # mail modules load after start-up

        if self.reminders is not None or self._closed:
            return
        self.reminders = ReminderWatcher(self.ops, self)
        self.reminders.due_changed.connect(self._show_reminders_due)
        self.reminders.auto_sent.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.reminders.auto_failed.connect(lambda problem: self.statusBar().showMessage(
            _("Payment reminders: {problem}").format(problem=problem), 15000))
        self.reminders.start()

    def _start_rule_checker(self) -> None:
        from invoicer.services import einvoicing

        if not self._closed:
            einvoicing.start_checking()

    def check_reminders(self) -> None:
        """Count the reminders due now (and send them when automatic sending is on)."""
        if self.reminders is None:
            self._start_reminders()
        elif self.reminders.sending is None:
            self.reminders.check()

    def _show_reminders_due(self, count: int) -> None:
        self.reminders_due = count
        self.reminders_button.setText(
            ngettext("{count} reminder due", "{count} reminders due", count).format(count=count))
        self.reminders_button.setToolTip(_("Show the payment reminders due and send them"))
        self.reminders_button.setVisible(count > 0)
        self.reminders_counted.emit(count)

    def show_mail_settings(self) -> None:
        page = self.show_page("settings")
        page.tabs.setCurrentIndex(page.mail_tab)
        self.activateWindow()

    def show_database_settings(self) -> None:
        page = self.show_page("settings")
        page.tabs.setCurrentIndex(page.database_tab)
        self.activateWindow()

    def show_reminders(self) -> QDialog:
        """The reminders due, to send after confirmation (window-modal); recounted when it closes."""
        from invoicer.gui.dialogs.reminders_dialog import RemindersDialog

        dialog = RemindersDialog(self.ops, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.check_reminders())
        dialog.open()
        return dialog

    # ------------------------------------------------------------ misc

    def _backup(self) -> None:
        self.ops.create_backup(self, lambda target: self.statusBar().showMessage(
            _("Backup written to {path}").format(path=target), 8000))

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            _("About Invoicer"),
            _("<h3>Invoicer {version}</h3><p>Offline invoicing for small businesses.</p>"
              "<p>Data folder: {folder}</p>").format(version=__version__, folder=self.ops.folder),
        )

    def _restore_state(self) -> None:
        geometry = self.state.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        keys = [s.key for s in self.specs]
        last = self.state.value("window/page", "dashboard")
        self.show_page(last if last in keys else keys[0])

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            self.first_painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        for editor in list(self.editors.values()):
            if not editor.close():
                event.ignore()
                return
        current = self.current_page()
        if current is not None and not current.can_leave():
            event.ignore()
            return
        self.state.setValue("window/geometry", self.saveGeometry())
        self._save_columns()
        if current is not None:
            self.state.setValue("window/page", current.objectName().removeprefix("page_"))
        self.state.sync()
        self._stop_listening()
        if self.RULE_CHECKER_START_MS is not None:
            from invoicer.services import einvoicing

            einvoicing.stop_checking()
        self._closed = True  # timers still pending (the first reminder check) find the window gone
        super().closeEvent(event)
