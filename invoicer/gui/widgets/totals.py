"""The totals box of a document: subtotal, discounts and charges, VAT per rate, total, and what is still due."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from invoicer.core.totals import Balance, Totals
from invoicer.gui.style import money
from invoicer.i18n import _, format_percent


class TotalsBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(24)
        self.values: dict[str, QLabel] = {}

    def show_totals(self, totals: Totals | None, currency: str = "", balance: Balance | None = None) -> None:
        """Show a document's totals (none: a dash), and with ``balance`` what is paid, credited and due."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater alone leaves it painted until the next loop turn
                widget.deleteLater()
        self.values = {}
        if totals is None:
            self._row("total", _("Total"), "—", bold=True)
            return
        c = currency
        self._row("subtotal", _("Subtotal"), money(totals.subtotal, c))
        if totals.allowance_total:
            self._row("allowances", _("Discounts"), money(-totals.allowance_total, c))
        if totals.charge_total:
            self._row("charges", _("Charges"), money(totals.charge_total, c))
        for tax in totals.taxes:
            label = _("VAT {rate} on {basis}").format(rate=format_percent(tax.rate), basis=money(tax.basis, c))
            if tax.category != "S":
                label = _("{category} {rate} on {basis}").format(
                    category=tax.category, rate=format_percent(tax.rate), basis=money(tax.basis, c))
            self._row(f"tax_{tax.category}_{tax.rate}", label, money(tax.amount, c))
        self._row("total", _("Total"), money(totals.total, c), bold=True)
        if totals.prepaid:  # BT-113: paid as the invoice is finalized
            self._row("prepaid", _("Paid in advance"), money(-totals.prepaid, c))
        if totals.rounding_amount:  # BT-114: part of the amount due
            self._row("rounding", _("Rounding"), money(totals.rounding_amount, c))
        if balance is None and (totals.rounding_amount or totals.prepaid):  # a draft: what it will ask
            self._row("amount_due", _("Amount due"), money(totals.payable, c), bold=True)
        if balance is not None:
            # the payment of the prepaid amount is shown on its own row above
            self._row("paid", _("Paid"), money(totals.prepaid - balance.paid, c))
            if balance.credited:
                self._row("credited", _("Credited"), money(-balance.credited, c))
            self._row("amount_due", _("Amount due"), money(balance.amount_due, c), bold=True)

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
