"""The totals box of a document: subtotal, discounts and charges, VAT per rate, total, and what is still due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from invoicer.gui.style import money
from invoicer.i18n import _, format_percent


@dataclass(frozen=True)
class TaxLine:
    category: str
    rate: Decimal
    basis: int
    amount: int


@dataclass(frozen=True)
class TotalsView:
    """What the box shows (minor units); ``settled`` is (paid, credited, amount due) for finalized invoices."""

    currency: str
    subtotal: int
    allowances: int
    charges: int
    taxes: Sequence[TaxLine]
    total: int
    settled: tuple[int, int, int] | None = None


class TotalsBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(24)
        self.values: dict[str, QLabel] = {}

    def show_totals(self, view: TotalsView | None) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater alone leaves it painted until the next loop turn
                widget.deleteLater()
        self.values = {}
        if view is None:
            self._row("total", _("Total"), "—", bold=True)
            return
        c = view.currency
        self._row("subtotal", _("Subtotal"), money(view.subtotal, c))
        if view.allowances:
            self._row("allowances", _("Discounts"), money(-view.allowances, c))
        if view.charges:
            self._row("charges", _("Charges"), money(view.charges, c))
        for tax in view.taxes:
            label = _("VAT {rate} on {basis}").format(rate=format_percent(tax.rate), basis=money(tax.basis, c))
            if tax.category != "S":
                label = _("{category} {rate} on {basis}").format(
                    category=tax.category, rate=format_percent(tax.rate), basis=money(tax.basis, c))
            self._row(f"tax_{tax.category}_{tax.rate}", label, money(tax.amount, c))
        self._row("total", _("Total"), money(view.total, c), bold=True)
        if view.settled is not None:
            paid, credited, due = view.settled
            self._row("paid", _("Paid"), money(-paid, c))
            if credited:
                self._row("credited", _("Credited"), money(-credited, c))
            self._row("amount_due", _("Amount due"), money(due, c), bold=True)

    def _row(self, key: str, label: str, value: str, bold: bool = False) -> None:
        row = self.grid.rowCount()
        name = QLabel(label)
        amount = QLabel(value)
        amount.setObjectName(f"total_{key}")
        amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        amount.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            for widget in (name, amount):
                font = widget.font()
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 1.1)
                widget.setFont(font)
        self.grid.addWidget(name, row, 0)
        self.grid.addWidget(amount, row, 1)
        self.values[key] = amount
