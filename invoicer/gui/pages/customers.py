"""Customers: search, what each owes and has overdue, add/edit/archive, and each customer's account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QVBoxLayout

from invoicer.gui import messages, operations
from invoicer.gui.dialogs.customer import CustomerDialog
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import icon, money
from invoicer.gui.widgets.empty_state import Empty, EmptyStateList
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _
from invoicer.services import customers
from invoicer.services.customers import CustomerRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


class CustomersPage(Page):
    areas = frozenset({operations.CUSTOMERS, operations.INVOICES})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search name, email or VAT ID"))
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.show_archived = QCheckBox(_("Show archived"))
        self.show_archived.toggled.connect(lambda _on: self.refresh())
        self.model: RecordTableModel[CustomerRow] = RecordTableModel([
            Field(N_("Name"), lambda c: c.name + (_(" (archived)") if c.archived else "")),
            Field(N_("Email"), lambda c: c.email or ""),
            Field(N_("Country"), lambda c: c.country),
            Field(N_("VAT ID"), lambda c: c.vat_id or ""),
            Field(N_("Balance"), lambda c: money(c.balance, c.currency), numeric=True),
            Field(N_("Overdue"), lambda c: money(c.overdue, c.currency), numeric=True, warn=lambda c: c.overdue > 0),
            # credit in every currency the customer has some in, not only the billing currency
            Field(N_("Credit"), lambda c: ", ".join(money(amount, currency) for currency, amount in c.credits)
                  or money(0, c.currency), numeric=True),
        ])
        self.table = record_table(self.model, self, stretch_column=0)
        self.table.setObjectName("customer_table")
        self.table.activated.connect(lambda _index: self._account())
        self.new_action = self._action("new", _("New customer"), self.add)
        self.clear_action = QAction(_("Clear search"), self)
        self.clear_action.triggered.connect(self._clear_search)
        self.list = EmptyStateList(self.table, self._empty)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_archived)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)

        self.edit_action = self._action("edit", _("Edit"), self.edit)
        self.account_action = self._action("customer", _("Account"), self._account)
        self.invoices_action = self._action("invoice", _("Invoices"), self._invoices)
        self.invoice_action = self._action("new", _("New invoice"), self._new_invoice)
        self.archive_action = self._action("archive", _("Archive / restore"), self._archive)
        self.delete_action = self._action("delete", _("Delete"), self._delete)
        self.import_action = self._action("import", _("Import…"), lambda: window.import_records("customers"))
        self.import_action.setToolTip(_("Import customers from a .csv or .xlsx file"))

    def _action(self, icon_name: str, text: str, slot: object) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.triggered.connect(slot)
        return action

    def toolbar_actions(self) -> list[QAction]:
        return [self.new_action, self.edit_action, self.account_action, self.invoices_action, self.invoice_action,
                self.archive_action, self.delete_action, self.import_action]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self) -> None:
        search, archived = self.search.text().strip() or None, self.show_archived.isChecked()
        self.model.set_records(self.ops.read(lambda s: customers.list_customers(s, search, archived)))

    def _clear_search(self) -> None:
        self.search.clear()
        self.search.setFocus()

    def _empty(self) -> Empty:
        search = self.search.text().strip()
        if search:
            return Empty(_("No customer matches “{search}”.").format(search=search),
                         _("Search looks at names, email addresses and VAT IDs; accents and case do not matter."),
                         self.clear_action)
        return Empty(_("No customers yet"), _("Add the people and companies you invoice, or import them from a "
                                              "spreadsheet (File → Import customers…)."), self.new_action)

    def current(self) -> CustomerRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose a customer in the list first."))
            return None
        return self.model.record(index.row())

    def add(self) -> None:
        CustomerDialog(self.ops, self).exec()

    def edit(self) -> None:
        customer = self.current()
        if customer is not None:
            CustomerDialog(self.ops, self, customer.id).exec()

    def _account(self) -> None:
        from invoicer.gui.dialogs.customer_account import CustomerAccountDialog

        customer = self.current()
        if customer is not None:
            CustomerAccountDialog(self.window_, customer.id, self).show()

    def _invoices(self) -> None:
        customer = self.current()
        if customer is not None:
            self.window_.show_page("invoices").filter_customer((customer.id, customer.name))

    def _new_invoice(self) -> None:
        customer = self.current()
        if customer is not None:
            self.window_.new_invoice(customer.id)

    def _archive(self) -> None:
        customer = self.current()
        if customer is not None:
            self.ops.archive_customer(self, customer.id, not customer.archived)

    def _delete(self) -> None:
        customer = self.current()
        if customer is not None and messages.confirm(
            self, _("Delete customer"), _("Delete {name}? This cannot be undone.").format(name=customer.name),
            _("Delete"),
        ):
            self.ops.delete_customer(self, customer.id)
