"""The catalog: products and services, and the tax rates they use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QLineEdit, QTabWidget, QVBoxLayout, QWidget

from invoicer.core.units import UNIT_NAMES
from invoicer.gui import messages, operations
from invoicer.gui.dialogs.catalog import CATEGORY_NAMES, ProductDialog, TaxRateDialog
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import icon, price
from invoicer.gui.widgets.empty_state import Empty, EmptyStateList
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _, format_percent
from invoicer.services import company, products, taxes
from invoicer.services.products import ProductRow
from invoicer.services.taxes import TaxRateRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


class ProductsPage(Page):
    areas = frozenset({operations.CATALOG, operations.COMPANY})  # saving the company seeds VAT rates

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.rate_names: dict[int, str] = {}
        self.currency = ""  # the company's: products are priced in it
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search products"))
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.show_archived = QCheckBox(_("Show archived"))
        self.show_archived.toggled.connect(lambda _on: self.refresh())
        self.product_model: RecordTableModel[ProductRow] = RecordTableModel([
            Field(N_("Name"), lambda p: p.name + (_(" (archived)") if p.archived else "")),
            Field(N_("Unit"), lambda p: _(UNIT_NAMES.get(p.unit, p.unit))),
            Field(N_("Unit price (net)"), lambda p: price(p.unit_price, self.currency), numeric=True),
            Field(N_("VAT"), lambda p: self.rate_names.get(p.tax_rate_id or 0, "")),
        ])
        self.products = record_table(self.product_model, self, stretch_column=0)
        self.products.setObjectName("product_table")
        self.products.activated.connect(lambda _i: self._edit())
        self.rate_model: RecordTableModel[TaxRateRow] = RecordTableModel([
            Field(N_("Name"), lambda r: r.name + (_(" (archived)") if r.archived else "")),
            Field(N_("Category"), lambda r: f"{r.category} — {_(CATEGORY_NAMES.get(r.category, r.category))}"),
            Field(N_("Rate"), lambda r: format_percent(r.rate), numeric=True),
            Field(N_("Exemption reason"), lambda r: r.exemption_reason or ""),
        ])
        self.rates = record_table(self.rate_model, self, stretch_column=3)
        self.rates.setObjectName("rate_table")
        self.rates.activated.connect(lambda _i: self._edit())
        self.new_action = QAction(icon("new"), _("New"), self)
        self.new_action.triggered.connect(self._new)
        self.new_product_action = QAction(_("New product or service"), self)
        self.new_product_action.triggered.connect(lambda: ProductDialog(self.ops, self).exec())
        self.new_rate_action = QAction(_("New tax rate"), self)
        self.new_rate_action.triggered.connect(lambda: TaxRateDialog(self.ops, self).exec())
        self.clear_action = QAction(_("Clear search"), self)
        self.clear_action.triggered.connect(self._clear_search)
        self.product_list = EmptyStateList(self.products, self._no_products)
        self.rate_list = EmptyStateList(self.rates, lambda: Empty(
            _("No tax rates yet"), _("Saving the company profile with its country adds that country's usual VAT "
                                     "rates; add others here."), self.new_rate_action))
        product_tab = QWidget()
        product_layout = QVBoxLayout(product_tab)
        product_layout.addWidget(self.search)
        product_layout.addWidget(self.product_list, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(product_tab, _("Products and services"))
        self.tabs.addTab(self.rate_list, _("Tax rates"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.show_archived)
        self.edit_action = QAction(icon("edit"), _("Edit"), self)
        self.edit_action.triggered.connect(self._edit)
        self.archive_action = QAction(icon("archive"), _("Archive / restore"), self)
        self.archive_action.triggered.connect(self._archive)
        self.import_action = QAction(icon("import"), _("Import…"), self)
        self.import_action.setToolTip(_("Import products from a .csv or .xlsx file"))
        self.import_action.triggered.connect(lambda: window.import_records("products"))

    def toolbar_actions(self) -> list[QAction]:
        return [self.new_action, self.edit_action, self.archive_action, self.import_action]

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        search, archived = self.search.text().strip() or None, self.show_archived.isChecked()
        rates, items, self.currency = self.ops.read(lambda s: (
            taxes.list_tax_rates(s, True), products.list_products(s, search, archived), company.get_company(s).currency))
        self.rate_names = {r.id: r.name for r in rates}
        self.rate_model.set_records([r for r in rates if archived or not r.archived])
        self.product_model.set_records(items)

    def _clear_search(self) -> None:
        self.search.clear()
        self.search.setFocus()

    def _no_products(self) -> Empty:
        search = self.search.text().strip()
        if search:
            return Empty(_("No product matches “{search}”.").format(search=search),
                         _("Accents and case do not matter; a line can also be typed without a product."),
                         self.clear_action)
        return Empty(_("No products or services yet"), _("A product fills a line's description, price and VAT "
                                                         "as you type its name; lines can also be typed freely."),
                     self.new_product_action)

    def _on_rates(self) -> bool:
        return self.tabs.currentIndex() == 1

    def _new(self) -> None:
        (TaxRateDialog(self.ops, self) if self._on_rates() else ProductDialog(self.ops, self)).exec()

    def _selected(self) -> int | None:
        view = self.rates if self._on_rates() else self.products
        index = view.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose an entry in the list first."))
            return None
        return index.row()

    def _edit(self) -> None:
        row = self._selected()
        if row is None:
            return
        if self._on_rates():
            TaxRateDialog(self.ops, self, self.rate_model.record(row)).exec()
        else:
            ProductDialog(self.ops, self, self.product_model.record(row).id).exec()

    def _archive(self) -> None:
        row = self._selected()
        if row is None:
            return
        if self._on_rates():
            rate = self.rate_model.record(row)
            self.ops.archive_tax_rate(self, rate.id, not rate.archived)
        else:
            product = self.product_model.record(row)
            self.ops.archive_product(self, product.id, not product.archived)
