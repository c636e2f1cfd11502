"""A short line table for plans and quotes: description, quantity, net unit price and VAT (from the tax rates),
typed cell to cell with Tab; Ctrl+Enter in the dialog adds a line. A quote's lines may also have their own service
period (shown in a last column while some line has one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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

from invoicer.gui.style import day, locale_decimal, plain_decimal
from invoicer.gui.widgets.tables import fit_titles
from invoicer.i18n import N_, _, format_percent
from invoicer.services.taxes import TaxRateRow

COLUMNS = (N_("Description"), N_("Quantity"), N_("Unit price (net)"), N_("VAT"))
PERIOD_COLUMN = len(COLUMNS)
#: where a row keeps its own service period (on its description cell)
PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class SimpleLine:
    """A line as typed: texts in plain decimals (``1234.5``), the VAT as category and rate."""

    description: str
    quantity: str
    unit_price: str
    tax_category: str
    tax_rate: Decimal
    period_start: date | None = None
    period_end: date | None = None


class SimpleLineTable(QTableWidget):
    def __init__(self, rates: list[TaxRateRow], parent: QWidget | None = None, periods: bool = False) -> None:
        super().__init__(0, len(COLUMNS) + periods, parent)
        self.rates = rates
        self.periods = periods
        self.setObjectName("lines")
        self.setHorizontalHeaderLabels([_(title) for title in COLUMNS] + ([_("Service period")] if periods else []))
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.horizontalHeader()
        fit_titles(header, 90, {1: "9.999,99", 2: "99.999,9999"})
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(150)
        if periods:
            self.setColumnHidden(PERIOD_COLUMN, True)

    def add_line(self, description: str = "", quantity: Decimal | None = None, unit_price: Decimal | None = None,
                 tax: tuple[str, Decimal] | None = None,
                 period: tuple[date | None, date | None] = (None, None)) -> None:
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
        if self.periods:
            shown = QTableWidgetItem()
            shown.setFlags(shown.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, PERIOD_COLUMN, shown)
            self.set_period(row, *period)
        if not description:
            self.setCurrentCell(row, 0)
            self.setFocus()

    def remove_line(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.removeRow(row)

    def period(self, row: int) -> tuple[date | None, date | None]:
        """Row ``row``'s own service period; (None, None) when it has none."""
        item = self.item(row, 0)
        value = None if item is None else item.data(PERIOD_ROLE)
        return value if isinstance(value, tuple) else (None, None)

    def set_period(self, row: int, start: date | None, end: date | None) -> None:
        """Give row ``row`` its own service period (None, None: none); the column shows while some row has one."""
        item = self.item(row, 0)
        if item is None:
            item = QTableWidgetItem("")
            self.setItem(row, 0, item)
        item.setData(PERIOD_ROLE, (start, end) if start is not None and end is not None else None)
        shown = self.item(row, PERIOD_COLUMN)
        if shown is not None:
            shown.setText(f"{day(start)} – {day(end)}" if start and end else "")
        self.setColumnHidden(PERIOD_COLUMN, not any(self.period(r)[0] for r in range(self.rowCount())))

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
                                    category, rate, *self.period(row)))
        return found
