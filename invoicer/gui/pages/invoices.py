"""The invoice list (and the credit-note list): search as you type, filters, sortable columns, lazy rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from invoicer.core.listing import InvoiceRow
from invoicer.core.workflow import Action, refusal
from invoicer.gui import messages, operations
from invoicer.gui.models.invoices import InvoiceListModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import FILTER_STATUSES, date_format, day, icon, money, python_date, status_label
from invoicer.gui.widgets.empty_state import Empty, EmptyStateList
from invoicer.gui.widgets.pickers import CustomerPicker
from invoicer.gui.widgets.status_badge import badge_width
from invoicer.gui.widgets.tables import fit_titles, record_table
from invoicer.i18n import _, format_number, ngettext

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


class InvoicesPage(Page):
    """Invoices (``doc_type="invoice"``) or credit notes (``"credit_note"``)."""

    areas = frozenset({operations.INVOICES, operations.CUSTOMERS, operations.COMPANY})

    def __init__(self, window: MainWindow, doc_type: str = "invoice") -> None:
        super().__init__(window)
        self.doc_type = doc_type
        self.model = InvoiceListModel(self.ops, doc_type)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search number, customer or reference"))
        self.search.textChanged.connect(lambda text: self._filter(search=text.strip() or None))

        self.status = QComboBox()
        self.status.setObjectName("status_filter")
        self.status.addItem(_("All statuses"), None)
        for status in FILTER_STATUSES:
            self.status.addItem(status_label(status), status)
        self.status.currentIndexChanged.connect(lambda _i: self._filter(status=self.status.currentData()))

        self.date_from = self._date_filter(_("From"))
        self.date_to = self._date_filter(_("To"))
        self.date_from.dateChanged.connect(self._dates_changed)
        self.date_to.dateChanged.connect(self._dates_changed)

        self.customer = CustomerPicker(_("All customers"))
        self.customer.setObjectName("customer_filter")
        self.customer.setToolTip(_("Show one customer's documents (type to find the customer)"))
        self.customer.setMinimumContentsLength(18)
        self.customer.currentIndexChanged.connect(lambda _i: self._filter(customer_id=self.customer.customer_id()))

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.customer, 2)
        if doc_type == "invoice":
            filters.addWidget(self.status, 1)
        filters.addWidget(QLabel(_("Issued from")))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("to")))
        filters.addWidget(self.date_to)

        status_column = next(i for i, c in enumerate(self.model.columns) if c.key == "status")
        self.table = record_table(self.model, self, status_column=status_column, multi=True)
        self.table.setObjectName("invoice_table")
        header = self.table.horizontalHeader()
        # each column as wide as its title and a typical value, the customer's name gets the rest of the room
        # (the status and currency columns from their widest possible value, not by measuring every row loaded:
        # that is a fifth of the first paint, and the columns would jump as more rows load)
        samples = {"number": "INV-2026-00000", "issue_date": day(date(2026, 12, 28)),
                   "due_date": day(date(2026, 12, 28)), "total": money(123_456_78, "CHF"),
                   "amount_due": money(123_456_78, "CHF"), "currency": "WWW"}
        fit_titles(header, 0, {i: samples[c.key] for i, c in enumerate(self.model.columns) if c.key in samples})
        # a width of its own, not fitted to the rows (which measures, and so formats, every row loaded at each reset)
        header.setSectionResizeMode(status_column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(status_column, max(header.sectionSize(status_column),
                                                badge_width(self.table.fontMetrics())))
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.activated.connect(self._open)
        self.model.counted.connect(self._show_count)
        if self.ops.first_read is not None and not window.painted:
            self.model.hold_counts(window.first_painted, self.ops.opened)
        self.ops.opened.connect(self._list_customers)

        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.count_label.setProperty("muted", True)

        self.clear_action = QAction(_("Clear search and filters"), self)
        self.clear_action.triggered.connect(self.clear_filters)
        self.show_invoices_action = QAction(_("Show invoices"), self)
        self.show_invoices_action.triggered.connect(lambda: self.window_.show_page("invoices"))
        self.list = EmptyStateList(self.table, self._empty)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count_label)

        self.open_action = QAction(icon("open"), _("Open document"), self)
        self.open_action.triggered.connect(lambda: self._open(self.table.currentIndex()))
        self.duplicate_action = QAction(icon("duplicate"), _("Duplicate"), self)
        self.duplicate_action.setShortcut(QKeySequence("Ctrl+D"))
        self.duplicate_action.triggered.connect(self._duplicate)
        self.export_action = QAction(icon("pdf"), _("Export PDFs…"), self)
        self.export_action.setToolTip(_("Write the PDFs of the selected documents into a folder"))
        self.export_action.triggered.connect(self._export)
        if doc_type == "invoice":
            self.dispute_action = self.shortcut_action("dispute", _("Mark disputed…"), lambda: self._dispute_step(
                Action.DISPUTE), "Ctrl+Shift+D", "edit")
            self.close_dispute_action = QAction(icon("finalize"), _("End dispute…"), self)
            self.close_dispute_action.triggered.connect(lambda: self._dispute_step(Action.CLOSE_DISPUTE))
            self.resolve_dispute_action = QAction(icon("credit-note"), _("Resolve dispute by credit note…"), self)
            self.resolve_dispute_action.triggered.connect(lambda: self._dispute_step(Action.RESOLVE_DISPUTE))
            # the rarer actions on the list's context menu (right click, or the menu key), with the common ones
            self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            self.table.addActions([self.open_action, self.duplicate_action, self.export_action, self.dispute_action,
                                   self.close_dispute_action, self.resolve_dispute_action])

    @staticmethod
    def _date_filter(tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(date_format())
        edit.setSpecialValueText(" ")  # shown at the minimum date, which means "no limit"
        edit.setMinimumDate(QDate(1900, 1, 1))
        edit.setDate(edit.minimumDate())
        edit.setToolTip(tip)
        return edit

    def toolbar_actions(self) -> list[QAction]:
        if self.doc_type == "invoice":
            return [self.window_.new_invoice_action, self.open_action, self.duplicate_action, self.export_action]
        return [self.open_action, self.export_action]

    def tables(self) -> list[QTableView]:
        # not findChildren: it makes the Python type of every child (the pickers' completers and models, the scroll
        # bars…), a few ms of the start
        return [self.table]

    def refresh(self) -> None:
        if self.ops.first_read is None:  # else once the store is open: the first paint does not wait for it
            self._list_customers()
        self.model.set_filter(customer_id=self.customer.customer_id())  # a deleted customer's filter goes

    def _list_customers(self) -> None:
        from invoicer.services import customers

        self.customer.set_customers([(c.id, c.name) for c in self.ops.read(customers.customer_choices)])

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def filter_status(self, status: str | None) -> None:
        """Click-through from the dashboard: show only one display status."""
        self.status.setCurrentIndex(max(self.status.findData(status), 0))

    def filter_customer(self, customer: tuple[int, str] | None) -> None:
        """Show only one customer's documents (``(id, name)``), or everyone's."""
        if customer is None:
            self.customer.set_customer(None)
        else:
            self.customer.set_customer(*customer)

    def clear_filters(self) -> None:
        """Every document again: search, status, customer and dates reset (one query)."""
        widgets = (self.search, self.status, self.customer, self.date_from, self.date_to)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        self.status.setCurrentIndex(0)
        self.customer.set_customer(None)
        self.date_from.setDate(self.date_from.minimumDate())
        self.date_to.setDate(self.date_to.minimumDate())
        for widget in widgets:
            widget.blockSignals(False)
        self._filter(search=None, status=None, customer_id=None, date_from=None, date_to=None, overdue=False)
        self.search.setFocus()

    def _empty(self) -> Empty:
        flt = self.model.filter
        invoice = self.doc_type == "invoice"
        if flt.search or flt.status or flt.customer_id or flt.date_from or flt.date_to or flt.overdue:
            if flt.search:
                message = (_("No invoice matches “{search}”.") if invoice
                           else _("No credit note matches “{search}”.")).format(search=flt.search)
            else:
                message = _("No invoice matches these filters.") if invoice else _(
                    "No credit note matches these filters.")
            return Empty(message, _("Search finds numbers and references from their start and customer names "
                                    "anywhere; accents and case do not matter. Check the customer, status and "
                                    "dates too."), self.clear_action)
        if invoice:
            return Empty(_("No invoices yet"), _("A new invoice is a draft: it gets its number when you finalize "
                                                 "it."), self.window_.new_invoice_action)
        return Empty(_("No credit notes yet"), _("To correct a finalized invoice, open it and choose “Issue credit "
                                                 "note…”; the credit note cites the invoice and lowers what is "
                                                 "due."), self.show_invoices_action)

    def selected_rows(self) -> list[InvoiceRow]:
        return [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _filter(self, **changes: object) -> None:
        self.model.set_filter(**changes)

    def _dates_changed(self) -> None:
        self._filter(date_from=self._date_value(self.date_from), date_to=self._date_value(self.date_to))

    @staticmethod
    def _date_value(edit: QDateEdit) -> date | None:
        return None if edit.date() == edit.minimumDate() else python_date(edit.date())

    def _show_count(self, n: int) -> None:
        if self.doc_type == "invoice":
            text = ngettext("{n} invoice", "{n} invoices", n)
        else:
            text = ngettext("{n} credit note", "{n} credit notes", n)
        self.count_label.setText(text.format(n=format_number(n)))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.window_.open_invoice(self.model.row_at(index.row()).id)

    def _duplicate(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        new_id = self.ops.duplicate(self, self.model.row_at(index.row()).id)
        if new_id is not None:
            self.window_.open_invoice(new_id)

    def _dispute_step(self, action: Action) -> None:
        """A dispute action on the chosen invoice, when core.workflow allows it (else why not); its dialogs load
        when first used (not on the start path)."""
        from invoicer.gui.dialogs import dispute
        from invoicer.services.views import invoice_view

        step = {Action.DISPUTE: dispute.mark_disputed, Action.CLOSE_DISPUTE: dispute.end_dispute,
                Action.RESOLVE_DISPUTE: dispute.resolve_dispute}[action]
        index = self.table.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose an invoice in the list first."))
            return
        invoice_id = self.model.row_at(index.row()).id
        doc = self.ops.read(lambda s: invoice_view(s, invoice_id, date.today()))
        why = refusal(doc.state, action)
        if why is not None:
            messages.show_error(self, why.exception())
            return
        step(self, self.ops, doc)

    def _export_ids(self) -> list[int]:
        """The selected numbered documents; every loaded row selected (Ctrl+A) means every matching one, also
        those the list has not loaded yet."""
        selected = self.selected_rows()
        if selected and len(selected) == self.model.rowCount():
            from invoicer.services import invoices

            flt, today = self.model.filter, self.model.today
            return self.ops.read(lambda s: invoices.numbered_ids(s, flt, today))
        return [row.id for row in selected if row.status != "draft"]

    def _export(self) -> None:
        from invoicer.services.documents import export_pdfs

        ids = self._export_ids()
        if not ids:
            messages.show_error(self, _("Select the finalized documents to export (Ctrl+A selects all)."))
            return
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, _("Export PDFs to folder"))
        if not folder:
            return
        database = self.ops.db.path

        def done(result: object) -> None:
            self.window_.statusBar().showMessage(
                ngettext("{n} PDF written to {folder}", "{n} PDFs written to {folder}", len(ids)).format(
                    n=format_number(len(ids)), folder=folder), 10000)

        def cancelled(error: BaseException) -> bool:
            if not isinstance(error, ExportStopped):
                return False
            self.window_.statusBar().showMessage(
                _("PDF export cancelled; the PDFs written so far are in {folder}.").format(folder=folder), 10000)
            return True

        self.export_job = self.ops.start(
            self, _("Writing PDFs…"), lambda progress: export_pdfs(database, ids, Path(folder), progress),
            done=done, failed=cancelled, cancel=ExportStopped)


class ExportStopped(Exception):
    """The user cancelled a PDF export (raised at its next progress report; the files written stay)."""
