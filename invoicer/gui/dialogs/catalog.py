"""Product and tax-rate editors."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.totals import TaxCategory
from invoicer.gui.operations import Operations
from invoicer.gui.style import locale_decimal, plain_decimal, price
from invoicer.gui.widgets import pickers
from invoicer.gui.widgets.dialog_buttons import dialog_buttons
from invoicer.gui.widgets.text_box import text_box
from invoicer.i18n import N_, _
from invoicer.services import company, products, taxes
from invoicer.services.products import ProductData

CATEGORY_NAMES = {
    "S": N_("Standard rate"), "Z": N_("Zero rated"), "E": N_("Exempt"), "AE": N_("Reverse charge"),
    "K": N_("Intra-community supply"), "G": N_("Export outside the EU"), "O": N_("Outside the scope of VAT"),
}


class ProductDialog(QDialog):
    def __init__(self, ops: Operations, parent: QWidget | None = None, product_id: int | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.product_id = product_id
        self.setWindowTitle(_("New product") if product_id is None else _("Edit product"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.description = text_box(70)
        self.unit = QComboBox()
        product = ops.read(lambda s: products.get_product(s, product_id)) if product_id is not None else None
        for code, name in pickers.unit_choices([product.unit] if product is not None else []):
            self.unit.addItem(name, code)
        self.price = QLineEdit()
        self.price.setObjectName("price")
        self.tax = QComboBox()
        self.tax.addItem(_("(none)"), None)
        rates = ops.read(taxes.list_tax_rates)
        for rate in rates:
            self.tax.addItem(rate.name, rate.id)
        form = QFormLayout()
        form.addRow(_("&Name"), self.name)
        form.addRow(_("&Description on invoices"), self.description)
        form.addRow(_("&Unit"), self.unit)
        form.addRow(_("Unit &price (net)"), self.price)
        form.addRow(_("&VAT"), self.tax)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self))
        if product is not None:
            self.name.setText(product.name)
            self.description.setPlainText(product.description or "")
            self.unit.setCurrentIndex(max(self.unit.findData(product.unit), 0))
            self.price.setText(price(product.unit_price, ops.read(lambda s: company.get_company(s).currency)))
            self.tax.setCurrentIndex(max(self.tax.findData(product.tax_rate_id), 0))
        elif rates:
            self.tax.setCurrentIndex(1)

    def data(self) -> ProductData:
        return ProductData(
            name=self.name.text(), unit_price=plain_decimal(self.price.text()), unit=self.unit.currentData(),
            description=self.description.toPlainText(), tax_rate_id=self.tax.currentData(),
        )

    def accept(self) -> None:
        if self.product_id is None:
            self.product_id = self.ops.add_product(self, self.data())
            saved = self.product_id is not None
        else:
            saved = self.ops.update_product(self, self.product_id, self.data())
        if saved:
            super().accept()


class TaxRateDialog(QDialog):
    """A new rate (name, category, percent, exemption reason); an existing one only changes name and reason."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, row: taxes.TaxRateRow | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.row = row
        self.setWindowTitle(_("New tax rate") if row is None else _("Edit tax rate"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.category = QComboBox()
        for category in TaxCategory:
            self.category.addItem(f"{category.value} — {_(CATEGORY_NAMES[category.value])}", category.value)
        self.rate = QLineEdit()
        self.rate.setObjectName("rate")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Printed on invoices for exempt, reverse-charge and export sales"))
        form = QFormLayout()
        form.addRow(_("&Name"), self.name)
        form.addRow(_("&Category"), self.category)
        form.addRow(_("&Rate (%)"), self.rate)
        form.addRow(_("&Exemption reason"), self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self))
        if row is not None:
            self.name.setText(row.name)
            self.category.setCurrentIndex(self.category.findData(row.category))
            self.rate.setText(locale_decimal(row.rate))
            self.reason.setText(row.exemption_reason or "")
            self.category.setEnabled(False)
            self.rate.setReadOnly(True)
        self.category.currentIndexChanged.connect(self._category_changed)

    def _category_changed(self) -> None:
        if self.category.currentData() != "S" and not self.rate.text():
            self.rate.setText(locale_decimal(Decimal(0)))

    def accept(self) -> None:
        reason = self.reason.text() or None
        if self.row is None:
            saved = self.ops.add_tax_rate(self, self.name.text(), plain_decimal(self.rate.text()),
                                          self.category.currentData(), reason) is not None
        else:
            saved = self.ops.update_tax_rate(self, self.row.id, self.name.text(), reason)
        if saved:
            super().accept()
