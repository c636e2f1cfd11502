"""Quote dialogs: a quote's editor, and the lines of an accepted quote to invoice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from invoicer.gui import messages
from invoicer.gui.dialogs.line_period import LinePeriodDialog, period_to_row
from invoicer.gui.operations import Operations
from invoicer.gui.style import locale_decimal, money, plain_decimal, python_date, qt_date
from invoicer.gui.widgets import pickers
from invoicer.gui.widgets.dialog_buttons import dialog_buttons
from invoicer.gui.widgets.simple_lines import SimpleLineTable
from invoicer.gui.widgets.text_box import text_box
from invoicer.i18n import _
from invoicer.services import customers, quotes, taxes
from invoicer.services.invoices import LineData
from invoicer.services.quotes import QuoteData
from invoicer.services.store import Session


class QuoteDialog(QDialog):
    """A new quote, or a draft one to change (a sent quote is fixed: it is declined or left to expire)."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, quote_id: int | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.quote_id = quote_id
        self.setWindowTitle(_("New quote") if quote_id is None else _("Edit quote"))
        people, rates, data = ops.read(lambda s: (
            [(c.id, c.name) for c in customers.customer_choices(s, include_archived=False)], taxes.list_tax_rates(s),
            quotes.quote_data(s, quote_id) if quote_id is not None else None))
        today = date.today()
        self.customer = pickers.CustomerPicker(_("(choose a customer)"))
        self.customer.setObjectName("customer")
        self.customer.set_customers(people)
        self.issue_date = pickers.date_edit("issue_date", today)
        self.valid_until = pickers.date_edit("valid_until", today + timedelta(days=quotes.DEFAULT_VALID_DAYS))
        self.reference = QLineEdit()
        self.reference.setObjectName("reference")
        self.notes = text_box(50)
        self.lines = SimpleLineTable(rates, periods=True)
        add_line = QPushButton(_("&Add line"))
        add_line.setToolTip(_("Add a line (Ctrl+Enter)"))
        add_line.clicked.connect(lambda: self.lines.add_line())
        next_line = QAction(self)
        next_line.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        next_line.triggered.connect(lambda: self.lines.add_line())
        self.addAction(next_line)
        remove_line = QPushButton(_("&Remove line"))
        remove_line.clicked.connect(self.lines.remove_line)
        # a line's own service period, as in the invoice editor (Ctrl+Shift+T); the invoice made from it keeps it
        self.line_period_action = QAction(_("Service period of the line…"), self)
        self.line_period_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.line_period_action.triggered.connect(self.edit_line_period)
        self.addAction(self.line_period_action)
        line_period = QPushButton(self.line_period_action.text())
        line_period.setObjectName("line_period")
        line_period.clicked.connect(self.line_period_action.trigger)
        form = QFormLayout()
        form.addRow(_("&Customer"), self.customer)
        form.addRow(_("&Date"), self.issue_date)
        form.addRow(_("&Valid until"), self.valid_until)
        form.addRow(_("Customer's re&ference"), self.reference)
        form.addRow(_("N&otes"), self.notes)
        buttons = QHBoxLayout()
        buttons.addWidget(add_line)
        buttons.addWidget(remove_line)
        buttons.addWidget(line_period)
        buttons.addStretch(1)
        box = dialog_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        title = QLabel(_("&Lines"))
        title.setBuddy(self.lines)
        layout.addWidget(title)
        layout.addWidget(self.lines, 1)
        layout.addLayout(buttons)
        layout.addWidget(box)
        self.resize(720, 560)
        if data is None:
            self.lines.add_line()
        else:
            self.customer.set_customer(data.customer_id)
            if data.issue_date and data.valid_until:
                self.issue_date.setDate(qt_date(data.issue_date))
                self.valid_until.setDate(qt_date(data.valid_until))
            self.reference.setText(data.buyer_reference or "")
            self.notes.setPlainText(data.notes or "")
            for line in data.lines:
                self.lines.add_line(line.description, Decimal(line.quantity), Decimal(line.unit_price),
                                    (line.tax_category or "S", Decimal(line.tax_rate)),
                                    (line.period_start, line.period_end))
        self.customer.setFocus()

    def data(self) -> QuoteData | None:
        customer_id = self.customer.customer_id()
        if customer_id is None:
            messages.show_error(self, _("Choose the customer of the quote."))
            return None
        return QuoteData(
            customer_id, [LineData(ln.description, ln.quantity, ln.unit_price, ln.tax_category, ln.tax_rate,
                                   period_start=ln.period_start, period_end=ln.period_end)
                          for ln in self.lines.lines()],
            issue_date=python_date(self.issue_date.date()), valid_until=python_date(self.valid_until.date()),
            notes=self.notes.toPlainText(), buyer_reference=self.reference.text(),
        )

    def edit_line_period(self) -> None:
        """The current line's own service period, in the dialog the invoice editor uses (Ctrl+Shift+T)."""
        row = self.lines.currentRow()
        if row < 0:
            return
        description = self.lines.item(row, 0)
        dialog = LinePeriodDialog(row + 1, description.text() if description else "",
                                  period_to_row(*self.lines.period(row)), (None, None),
                                  python_date(self.issue_date.date()), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.lines.set_period(row, *dialog.period())

    def accept(self) -> None:
        data = self.data()
        if data is None:
            return
        if self.quote_id is None:
            self.quote_id = self.ops.add_quote(self, data)
            saved = self.quote_id is not None
        else:
            saved = self.ops.update_quote(self, self.quote_id, data)
        if saved:
            super().accept()


class InvoiceLinesDialog(QDialog):
    """The lines of an accepted quote to put on an invoice (those not invoiced yet are ticked)."""

    def __init__(self, ops: Operations, quote_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.quote_id = quote_id
        self.invoice_id: int | None = None
        def read(s: Session) -> tuple[str, list[tuple[int, str]], set[int]]:
            quote = quotes.get_quote(s, quote_id)
            return quote.number or "", [
                (ln.position, f"{ln.position}. {ln.description} — {locale_decimal(ln.quantity)} × "
                              f"{locale_decimal(ln.unit_price)} = {money(ln.net, quote.currency)}")
                for ln in quote.lines], quotes.invoiced_positions(s, quote_id)

        number, lines, done = ops.read(read)
        self.setWindowTitle(_("Invoice quote {number}").format(number=number))
        self.list = QListWidget()
        self.list.setObjectName("quote_lines")
        for position, text in lines:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, position)
            item.setCheckState(Qt.CheckState.Unchecked if position in done else Qt.CheckState.Checked)
            if position in done:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setText(item.text() + " " + _("(invoiced)"))
            self.list.addItem(item)
        hint = QLabel(_("Space ticks a line. The invoice is a draft and names the quote."))
        hint.setWordWrap(True)
        self.partial = QCheckBox(_("&Partial invoice: the final invoice deducts it"))
        self.partial.setObjectName("partial")
        self.partial.toggled.connect(self._partial_toggled)
        self.invoiced = done
        box = dialog_buttons(self, _("Create invoice"))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.partial)
        layout.addWidget(box)
        self.resize(620, 380)

    def _partial_toggled(self, partial: bool) -> None:
        """A partial invoice may bill any line (the final invoice lists them all again); an ordinary one only those
        not invoiced yet."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if int(item.data(Qt.ItemDataRole.UserRole)) in self.invoiced:
                flags = item.flags()
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if partial else flags & ~Qt.ItemFlag.ItemIsEnabled)
                if not partial:
                    item.setCheckState(Qt.CheckState.Unchecked)

    def positions(self) -> list[int]:
        return [int(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        chosen = self.positions()
        if not chosen:
            messages.show_error(self, _("Tick at least one line."))
            return
        self.invoice_id = self.ops.invoice_quote(self, self.quote_id, chosen, self.partial.isChecked())
        if self.invoice_id is not None:
            super().accept()


class DepositDialog(QDialog):
    """A deposit invoice for a percent of an accepted quote's net amount, or a net amount."""

    def __init__(self, ops: Operations, quote_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.quote_id = quote_id
        self.invoice_id: int | None = None
        self.setWindowTitle(_("Deposit invoice"))
        self.kind = QComboBox()
        self.kind.setObjectName("deposit_kind")
        self.kind.addItem(_("Percent of the net amount"), "percent")
        self.kind.addItem(_("Net amount"), "amount")
        self.value = QLineEdit("30")
        self.value.setObjectName("deposit_value")
        hint = QLabel(_("The deposit is shared over the quote's VAT rates in proportion to their net amounts."))
        hint.setWordWrap(True)
        box = dialog_buttons(self, _("Create invoice"))
        form = QFormLayout(self)
        form.addRow(hint)
        form.addRow(_("&Deposit as"), self.kind)
        form.addRow(_("&Value"), self.value)
        form.addRow(box)
        self.value.setFocus()

    def accept(self) -> None:
        value = plain_decimal(self.value.text())
        percent, amount = (value, None) if self.kind.currentData() == "percent" else (None, value)
        self.invoice_id = self.ops.deposit_invoice(self, self.quote_id, percent, amount)
        if self.invoice_id is not None:
            super().accept()
