"""A short line table for plans and quotes: description, quantity, net unit price and VAT (from the tax rates),
typed cell to cell with Tab; Ctrl+Enter in the dialog adds a line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from invoicer.gui.style import locale_decimal, plain_decimal
from invoicer.gui.widgets.tables import fit_titles
from invoicer.i18n import N_, _, format_percent
from invoicer.services.taxes import TaxRateRow

COLUMNS = (N_("Description"), N_("Quantity"), N_("Unit price (net)"), N_("VAT"))


@dataclass(frozen=True)
class SimpleLine:
    """A line as typed: texts in plain decimals (``1234.5``), the VAT as category and rate."""

    description: str
    quantity: str
    unit_price: str
    tax_category: str
    tax_rate: Decimal


class SimpleLineTable(QTableWidget):
    def __init__(self, rates: list[TaxRateRow], parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.rates = rates
        self.setObjectName("lines")
        self.setHorizontalHeaderLabels([_(title) for title in COLUMNS])
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.horizontalHeader()
        fit_titles(header, 90, {1: "9.999,99", 2: "99.999,9999"})
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(150)

    def add_line(self, description: str = "", quantity: Decimal | None = None, unit_price: Decimal | None = None,
                 tax: tuple[str, Decimal] | None = None) -> None:
        """Append a line (an empty one gets the focus, ready to type its description)."""
        row = self.rowCount()
        self.insertRow(row)
        texts = (description, locale_decimal(quantity if quantity is not None else Decimal(1)),
                 "" if unit_price is None else locale_decimal(unit_price))
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, column, item)
        vat = QComboBox()
        for rate in self.rates:
            vat.addItem(rate.name, (rate.category, rate.rate))
        if tax is not None:
            found = vat.findData(tax)
            if found < 0:
                vat.addItem(f"{tax[0]} {format_percent(tax[1])}", tax)
                found = vat.count() - 1
            vat.setCurrentIndex(found)
        self.setCellWidget(row, 3, vat)
        if not description:
            self.setCurrentCell(row, 0)
            self.setFocus()

    def remove_line(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.removeRow(row)

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return "" if item is None else item.text().strip()

    def lines(self) -> list[SimpleLine]:
        """The lines typed; an empty row is left out."""
        found = []
        for row in range(self.rowCount()):
            texts = [self._text(row, column) for column in range(3)]
            if not any(texts):
                continue
            vat = self.cellWidget(row, 3)
            category, rate = vat.currentData() if isinstance(vat, QComboBox) and vat.currentData() else (
                "S", Decimal(0))
            found.append(SimpleLine(texts[0], plain_decimal(texts[1]) or "0", plain_decimal(texts[2]) or "0",
                                    category, rate))
        return found
