"""The invoice window: a draft is edited (lines by keyboard, live totals, undo); a finalized document is
shown read-only with its actions (payment, credit note, void, write-off, history)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from invoicer.core.errors import InvoicerError
from invoicer.core.money import format_minor, from_minor
from invoicer.core.payment_methods import METHODS, method_label
from invoicer.core.workflow import Action, offered_actions, refusal, status_badges
from invoicer.documents.model import AdvanceInvoice
from invoicer.gui import messages, operations
from invoicer.gui.dialogs.line_charges import LineChargesDialog, charges_from_row, charges_to_row
from invoicer.gui.dialogs.line_period import LinePeriodDialog, period_from_row, period_to_row
from invoicer.gui.models.lines import EditableRowsModel, EditColumn, Row
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.style import (
    action_label,
    day,
    icon,
    locale_decimal,
    moment,
    money,
    plain_decimal,
    price,
    python_date,
    qt_date,
    status_label,
    warning_style,
)
from invoicer.gui.widgets import pickers
from invoicer.gui.widgets.line_table import LineTable
from invoicer.gui.widgets.status_badge import StatusBadges
from invoicer.gui.widgets.tables import record_table
from invoicer.gui.widgets.text_box import text_box
from invoicer.gui.widgets.totals import TotalsBox
from invoicer.i18n import N_, _, error_text
from invoicer.services import company as company_service
from invoicer.services import customers, invoices, products, rates, settings, taxes
from invoicer.services.customers import CustomerChoice
from invoicer.services.invoices import AdjustmentData, DraftData, LineData
from invoicer.services.payments import PaymentRow
from invoicer.services.products import ProductRow
from invoicer.services.store import Session
from invoicer.services.taxes import TaxRateRow
from invoicer.services.views import CreditNoteView, HistoryEntry, InvoiceView, invoice_view

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose Alt+letter shortcut focuses ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def tax_value(category: str, rate: Decimal | str | int) -> str:
    """A tax rate as stored in a cell: ``"S|19"``."""
    return f"{category}|{Decimal(str(rate)).normalize():f}"


#: actions the toolbar keeps under "More": used less often, so that every other one is shown in full at the
#: default size in every language (no hidden "»" overflow)
MORE_ACTIONS = frozenset({Action.SAVE_PDF, Action.DUPLICATE, Action.VOID, Action.WRITE_OFF, Action.DISPUTE,
                          Action.CLOSE_DISPUTE, Action.RESOLVE_DISPUTE})


class InvoiceEditor(QWidget):
    """One invoice or credit note. ``invoice_id`` None starts a new draft."""

    def __init__(self, window: MainWindow, invoice_id: int | None, customer_id: int | None = None) -> None:
        super().__init__(window, Qt.WindowType.Window)
        self.window_ = window
        self.ops = window.ops
        self.invoice_id = invoice_id
        self.document: InvoiceView | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 720)
        self.undo = QUndoStack(self)
        self._header_dirty = False
        self._loading = False
        self.rounding = self._read_lookups()

        self.customer = QComboBox()
        self.customer.setObjectName("customer")
        self.customer.setEditable(True)
        self.customer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._fill_customers(None)
        completer = self.customer.completer()
        assert completer is not None  # an editable combo box has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line_edit = self.customer.lineEdit()
        assert line_edit is not None  # editable
        line_edit.setPlaceholderText(_("Type to find a customer"))
        self.customer.currentIndexChanged.connect(self._customer_changed)
        self.new_customer = QPushButton(_("New customer…"))
        self.new_customer.setObjectName("new_customer")
        self.new_customer.clicked.connect(self._add_customer)
        self.ops.changed.connect(self._data_changed)
        self.currency = QLabel()
        self.issue_date = pickers.date_edit("issue_date")
        self.due_date = pickers.date_edit("due_date")
        self.issue_date.dateChanged.connect(self._issue_date_changed)
        # the date of supply and the service period (EU VAT Art. 226(7)): each stated only when ticked
        self.supplied = QCheckBox(_("Date of s&upply"))
        self.supplied.setObjectName("supplied")
        self.delivery_date = pickers.date_edit("delivery_date")
        self.in_period = QCheckBox(_("Service peri&od"))
        self.in_period.setObjectName("in_period")
        self.period_start = pickers.date_edit("period_start")
        self.period_end = pickers.date_edit("period_end")
        self.supplied.toggled.connect(self.delivery_date.setEnabled)
        for period_edit in (self.period_start, self.period_end):
            self.in_period.toggled.connect(period_edit.setEnabled)
        for box in (self.supplied, self.in_period):
            box.toggled.connect(self._header_edited)
        for date_edit in (self.delivery_date, self.period_start, self.period_end):
            date_edit.setEnabled(False)
            date_edit.dateChanged.connect(self._header_edited)
        self.buyer_reference = QLineEdit()
        self.buyer_reference.setObjectName("buyer_reference")
        self.buyer_reference.setPlaceholderText(_("Purchase order or reference the customer asked for"))
        self.type_code = QComboBox()
        self.type_code.setObjectName("type_code")
        # deposit and partial invoices are made from a quote (Quotes page); listed so editing one keeps its type
        for code, label in ((None, _("Invoice")), ("384", _("Corrected invoice (384)")),
                            ("389", _("Self-billed invoice (389)")), ("386", _("Deposit invoice (386)")),
                            ("326", _("Partial invoice (326)"))):
            self.type_code.addItem(label, code)
        self.preceding = QLineEdit()
        self.preceding.setObjectName("preceding_number")
        self.preceding.setPlaceholderText(_("Number of the invoice this one replaces"))
        self.preceding_date: date | None = None
        self.rounding_amount = QLineEdit()
        self.rounding_amount.setObjectName("rounding_amount")
        self.rounding_amount.setPlaceholderText(_("e.g. -0.02"))
        self.rounding_amount.setMaximumWidth(110)
        self.type_code.currentIndexChanged.connect(self._header_edited)
        for edit in (self.preceding, self.rounding_amount):
            edit.textChanged.connect(self._header_edited)
        self.rounding_amount.textChanged.connect(self._rounding_edited)
        # BT-113: money received before the invoice, paid as it is finalized (by this method; customer credit: from
        # the customer's credit balance)
        self.prepaid = QLineEdit()
        self.prepaid.setObjectName("prepaid")
        self.prepaid.setPlaceholderText(_("e.g. 500.00"))
        self.prepaid.setMaximumWidth(110)
        self.prepaid.setToolTip(_("Money the customer paid before this invoice: recorded as a payment on the issue "
                                  "date when the invoice is finalized, so the invoice asks only for the rest"))
        self.prepaid_method = QComboBox()
        self.prepaid_method.setObjectName("prepaid_method")
        self.prepaid_method.addItem(_("Method not stated"), None)
        for code, label in METHODS.items():
            self.prepaid_method.addItem(_(label), code)
        self.prepaid_reference = QLineEdit()
        self.prepaid_reference.setObjectName("prepaid_reference")
        self.prepaid_reference.setPlaceholderText(_("Receipt or bank reference of the advance"))
        self.prepaid.textChanged.connect(self._rounding_edited)
        self.prepaid.textChanged.connect(self._header_edited)
        self.prepaid_method.currentIndexChanged.connect(self._header_edited)
        self.prepaid_reference.textChanged.connect(self._header_edited)
        self.notes = text_box(70)
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText(_("Printed on the invoice, e.g. thanks or delivery details"))
        for signal in (self.due_date.dateChanged, self.buyer_reference.textChanged, self.notes.textChanged):
            signal.connect(self._header_edited)

        self.lines = EditableRowsModel(self._line_columns(), self._blank_line, self.undo)
        self.lines.autofill = self._autofill
        self.line_table = LineTable(self.lines)
        self.line_table.setObjectName("lines")
        self.adjustments = EditableRowsModel(self._adjustment_columns(), self._blank_adjustment, self.undo)
        self.adjustment_table = LineTable(self.adjustments, stretch=1)  # the reason
        self.adjustment_table.setObjectName("adjustments")
        self.adjustment_table.setMaximumHeight(110)
        self.lines.edited.connect(self._recompute)
        self.adjustments.edited.connect(self._recompute)
        self.undo.cleanChanged.connect(self._clean_changed)

        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet(warning_style())
        self.problem.setWordWrap(True)
        self.totals = TotalsBox()
        self.totals.setObjectName("totals")
        self.status_badges = StatusBadges()
        self.dispute_note = QLabel()  # why and since when the customer contests the invoice
        self.dispute_note.setObjectName("dispute_note")
        self.dispute_note.setWordWrap(True)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_menu = QMenu(self)
        self.more_menu.setToolTipsVisible(True)  # a disabled action says why
        self.more_button = QToolButton()
        self.more_button.setObjectName("more_actions")
        self.more_button.setText(_("More"))
        self.more_button.setToolTip(_("More actions"))
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.more_action = QWidgetAction(self)  # added and removed with the toolbar's other actions
        self.more_action.setDefaultWidget(self.more_button)
        self._make_actions()
        self._build_layout()
        self._set_tab_order()
        self._load(customer_id)

    # ------------------------------------------------------------ lookups

    def _read_lookups(self) -> str:
        """Read the pickers' choices; returns the VAT rounding new invoices take."""
        def query(session: Session) -> tuple[list[CustomerChoice], list[TaxRateRow], list[ProductRow], str, Decimal]:
            return (
                customers.customer_choices(session, include_archived=False),
                taxes.list_tax_rates(session),
                products.list_products(session),
                settings.TAX_ROUNDING.get(session),
                settings.DEFAULT_TAX_RATE.get(session),
            )

        self.customer_rows, rates, self.product_rows, rounding, default_rate = self.ops.read(query)
        self.default_standard = tax_value("S", default_rate)
        self.tax_rows = [(tax_value(r.category, r.rate), r.name) for r in rates]
        self.tax_by_id = {r.id: tax_value(r.category, r.rate) for r in rates}
        self.products_by_name = {p.name.lower(): p for p in self.product_rows}
        return str(rounding)

    def _fill_customers(self, chosen: int | None) -> None:
        """Refill the customer picker, showing ``chosen`` (none when None); it does not count as a change."""
        self.customer.blockSignals(True)
        self.customer.clear()
        for row in self.customer_rows:
            self.customer.addItem(row.name, row.id)
        if self.document is not None and self.customer.findData(self.document.customer_id) < 0:
            self.customer.addItem(self.document.customer.name, self.document.customer_id)  # archived meanwhile
        self.customer.setCurrentIndex(-1 if chosen is None else self.customer.findData(chosen))
        self.customer.blockSignals(False)

    def _data_changed(self, area: str) -> None:
        """Customers, products and VAT rates added elsewhere show up in the pickers of an open editor."""
        if area in (operations.CUSTOMERS, operations.CATALOG, operations.SETTINGS, operations.COMPANY):
            self._read_lookups()
            self._fill_customers(self.customer.currentData())

    def tax_choices(self) -> list[tuple[str, str]]:
        known = dict(self.tax_rows)
        extra = {
            row.get("tax", "") for model in (self.lines, self.adjustments) for row in model.rows
        } - set(known) - {""}
        return self.tax_rows + [(v, v.replace("|", " ") + " %") for v in sorted(extra)]

    def unit_choices(self) -> list[tuple[str, str]]:
        return pickers.unit_choices(row.get("unit", "") for row in self.lines.rows)

    def _line_columns(self) -> list[EditColumn]:
        return [
            EditColumn("description", N_("Description"), completions=lambda: [p.name for p in self.product_rows]),
            EditColumn("quantity", N_("Quantity"), numeric=True),
            EditColumn("unit", N_("Unit"), choices=self.unit_choices),
            EditColumn("unit_price", N_("Unit price"), numeric=True),
            EditColumn("price_base", N_("Per"), numeric=True),
            EditColumn("gross_price", N_("Gross price"), numeric=True),
            EditColumn("discount", N_("Discount %"), numeric=True),
            EditColumn("tax", N_("VAT"), choices=self.tax_choices),
            # a line's own service period (Ctrl+Shift+T), shown while some line has one
            EditColumn("period_shown", N_("Service period"), editable=False),
            EditColumn("amount", N_("Amount"), numeric=True, editable=False),
        ]

    def _adjustment_columns(self) -> list[EditColumn]:
        return [
            EditColumn("kind", N_("Discount or charge"),
                       choices=lambda: [("discount", _("Discount")), ("charge", _("Charge"))]),
            EditColumn("reason", N_("Reason")),
            EditColumn("amount", N_("Amount (net)"), numeric=True),
            EditColumn("percent", N_("Percent"), numeric=True),
            EditColumn("base", N_("of base"), numeric=True),
            EditColumn("tax", N_("VAT"), choices=self.tax_choices),
        ]

    def _default_tax(self, unit: str = "C62") -> str:
        zero_rated = self._zero_rated(unit)
        if zero_rated is not None:
            return zero_rated
        standard = [v for v, _name in self.tax_rows if v.startswith("S|")]
        if self.default_standard in standard:
            return self.default_standard
        # the configured rate is not in the list (archived, or never entered): the highest, listed first
        return standard[0] if standard else (self.tax_rows[0][0] if self.tax_rows else "")

    def _zero_rated(self, unit: str) -> str | None:
        """The 0 % category the customer's lines take (export, intra-EU goods or services), as the service derives
        it; None for a customer charged the usual VAT."""
        row = self._customer_row()
        if row is None:
            return None
        category = self.ops.read(lambda s: taxes.derived_category(s, row.id, Decimal(0), unit))
        return None if category == "Z" else tax_value(category, 0)

    def _blank_line(self) -> Row:
        return {"description": "", "quantity": "", "unit": "C62", "unit_price": "", "price_base": "",
                "gross_price": "", "discount": "", "tax": self._default_tax(), "product_id": "", "discount_amount": "",
                "charges": ""}

    def _blank_adjustment(self) -> Row:
        return {"kind": "discount", "reason": "", "amount": "", "percent": "", "base": "", "tax": self._default_tax(),
                "reason_code": ""}

    def _autofill(self, key: str, row: Row) -> Row:
        """Typing a product's name fills its unit, price and VAT (a price already typed is kept)."""
        if key != "description":
            return {}
        product = self.products_by_name.get(row["description"].strip().lower())
        if product is None:
            return {"product_id": ""} if row.get("product_id") else {}
        filled: Row = {"product_id": str(product.id), "unit": product.unit}
        if not row.get("unit_price"):
            filled["unit_price"] = price(product.unit_price, self.currency.text())
        if not row.get("quantity"):
            filled["quantity"] = "1"
        if product.tax_rate_id in self.tax_by_id:
            filled["tax"] = self.tax_by_id[product.tax_rate_id]
        zero_rated = self._zero_rated(product.unit)
        if zero_rated is not None:  # the product's usual VAT does not apply to this customer
            filled["tax"] = zero_rated
        if product.description and product.description != product.name:
            filled["description"] = product.description
        return filled

    # ------------------------------------------------------------ layout

    def _make_actions(self) -> None:
        def action(name: str, text: str, slot: object,
                   shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                   icon_name: str | None = None) -> QAction:
            act = QAction(icon(icon_name) if icon_name else icon(name), text, self)
            act.setObjectName(name)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.save_action = action("save", _("Save draft"), self.save, QKeySequence.StandardKey.Save)
        self.finalize_action = action("finalize", _("Finalize…"), self.finalize, "Ctrl+Shift+F")
        self.delete_action = action("delete", _("Delete draft"), self._delete, None)
        self.duplicate_action = action("duplicate", _("Duplicate"), self._duplicate, "Ctrl+D")
        self.payment_action = action("payment", _("Record payment…"), self._record_payment, "Ctrl+Shift+P")
        self.apply_credit_action = action("apply_credit", _("Apply customer credit…"), self._apply_credit, None,
                                          "payment")
        self.credit_action = action("credit_note", _("Issue credit note…"), self._issue_credit_note, None,
                                    "credit-note")
        self.void_action = action("void", _("Void…"), self._void, None)
        self.write_off_action = action("write_off", _("Mark uncollectible…"), self._write_off, None, "void")
        self.dispute_action = action("dispute", _("Mark disputed…"), self._dispute, "Ctrl+Shift+D", "edit")
        self.close_dispute_action = action("close_dispute", _("End dispute…"), self._close_dispute, None,
                                           "finalize")
        self.resolve_dispute_action = action("resolve_dispute", _("Resolve dispute by credit note…"),
                                             self._resolve_dispute, None, "credit-note")
        self.preview_action = action("preview", _("Preview PDF"), self._preview, QKeySequence.StandardKey.Print,
                                     "pdf")
        self.save_pdf_action = action("save_pdf", _("Save PDF…"), self._save_pdf, None, "pdf")
        self.send_action = action("send", _("Send by email…"), self._send, "Ctrl+E", "mail")
        self.copy_link_action = action("copy_payment_link", _("Copy payment link"), self._copy_payment_link,
                                       "Ctrl+Shift+K", "payment")
        self.renew_link_action = action("renew_payment_link", _("Renew payment link"), self._renew_payment_link,
                                        None, "payment")
        #: the toolbar's actions by what core.workflow calls them: it decides which are possible
        self.workflow_actions = {
            Action.SAVE_DRAFT: self.save_action, Action.FINALIZE: self.finalize_action,
            Action.DELETE_DRAFT: self.delete_action, Action.DUPLICATE: self.duplicate_action,
            Action.PREVIEW_PDF: self.preview_action, Action.SAVE_PDF: self.save_pdf_action,
            Action.SEND: self.send_action, Action.RECORD_PAYMENT: self.payment_action,
            Action.APPLY_CREDIT: self.apply_credit_action, Action.ISSUE_CREDIT_NOTE: self.credit_action,
            Action.VOID: self.void_action, Action.WRITE_OFF: self.write_off_action,
            Action.DISPUTE: self.dispute_action, Action.CLOSE_DISPUTE: self.close_dispute_action,
            Action.RESOLVE_DISPUTE: self.resolve_dispute_action,
        }
        self.undo_action = self.undo.createUndoAction(self, _("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = self.undo.createRedoAction(self, _("Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setIcon(icon("redo"))
        self.addActions([self.undo_action, self.redo_action])
        self.add_line_action = action("add_line", _("Add line"), lambda: self._add_line(), "Ctrl+Return", "new")
        self.remove_line_action = action("remove_line", _("Delete line"), self._remove_line, "Ctrl+Delete",
                                         "delete")
        self.line_detail_action = action("line_detail", _("Allowances and charges of the line…"), self._line_detail,
                                         "Ctrl+Shift+L", "edit")
        self.line_period_action = action("line_period", _("Service period of the line…"), self._line_period,
                                         "Ctrl+Shift+T", "period")
        self.line_up_action = action("line_up", _("Move line up"), lambda: self._move_line(-1), "Ctrl+Shift+Up", "up")
        self.line_down_action = action("line_down", _("Move line down"), lambda: self._move_line(1),
                                       "Ctrl+Shift+Down", "down")
        close = QAction(self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)

    def _build_layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.heading)
        head.addWidget(self.status_badges)
        head.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        customer_row = QHBoxLayout()
        customer_row.addWidget(self.customer, 1)
        customer_row.addWidget(self.new_customer)
        customer_row.addWidget(self.currency)
        form.addRow(buddy(_("&Customer"), self.customer), customer_row)
        dates = QHBoxLayout()
        dates.addWidget(self.issue_date)
        dates.addWidget(QLabel(_("Due")))
        dates.addWidget(self.due_date)
        dates.addStretch(1)
        form.addRow(buddy(_("Issue &date"), self.issue_date), dates)
        supply = QHBoxLayout()
        supply.addWidget(self.supplied)
        supply.addWidget(self.delivery_date)
        supply.addSpacing(12)
        supply.addWidget(self.in_period)
        supply.addWidget(self.period_start)
        supply.addWidget(QLabel("–"))
        supply.addWidget(self.period_end)
        supply.addStretch(1)
        form.addRow(_("Supply"), supply)
        form.addRow(_("Buyer &reference"), self.buyer_reference)
        kind = QHBoxLayout()
        kind.addWidget(self.type_code)
        kind.addWidget(buddy(_("Re&places"), self.preceding))
        kind.addWidget(self.preceding, 1)
        kind.addWidget(buddy(_("Roundin&g"), self.rounding_amount))
        kind.addWidget(self.rounding_amount)
        form.addRow(buddy(_("Invoice t&ype"), self.type_code), kind)

        line_buttons = QToolBar()
        line_buttons.setIconSize(self.toolbar.iconSize())
        for act in (self.add_line_action, self.remove_line_action, self.line_up_action, self.line_down_action,
                    self.line_detail_action, self.line_period_action, self.undo_action, self.redo_action):
            line_buttons.addAction(act)
        self.line_buttons = line_buttons

        bottom = QHBoxLayout()
        left = QVBoxLayout()
        self.adjustment_label = QLabel(_("Document discounts and charges"))
        left.addWidget(self.adjustment_label)
        left.addWidget(self.adjustment_table)
        left.addWidget(buddy(_("&Notes"), self.notes))
        left.addWidget(self.notes)
        bottom.addLayout(left, 3)
        bottom.addSpacing(24)
        right = QVBoxLayout()
        right.addWidget(self.totals)
        advance = QHBoxLayout()
        advance.addWidget(buddy(_("Paid &in advance"), self.prepaid))
        advance.addWidget(self.prepaid)
        advance.addWidget(self.prepaid_method, 1)
        right.addLayout(advance)
        right.addWidget(self.prepaid_reference)
        right.addStretch(1)
        bottom.addLayout(right, 2)

        editor = QWidget()
        body = QVBoxLayout(editor)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(form)
        body.addWidget(line_buttons)
        body.addWidget(self.line_table, 1)
        body.addWidget(self.problem)
        body.addLayout(bottom)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(editor, _("Invoice"))
        self.payment_model: RecordTableModel[PaymentRow] = RecordTableModel([
            Field(N_("Date"), lambda p: day(p.paid_on)),
            Field(N_("Kind"), lambda p: {"payment": _("Payment"), "reversal": _("Reversal"),
                                         "credit_applied": _("Customer credit")}.get(p.kind, p.kind)),
            Field(N_("Amount"), lambda p: money(p.amount, p.currency), numeric=True),
            Field(N_("Method"), lambda p: _(method_label(p.method))),
            Field(N_("Reference"), lambda p: p.reference or ""),
            Field(N_("Note"), lambda p: _("reversed") if p.reversed_by else _("Paid in advance") if p.prepaid else (
                p.reason or "")),
        ])
        self.payment_table = record_table(self.payment_model, self, stretch_column=5)
        self.reverse_button = QPushButton(_("Reverse payment…"))
        self.reverse_button.clicked.connect(self._reverse_payment)
        payments_tab = QWidget()
        payments_layout = QVBoxLayout(payments_tab)
        payments_layout.addWidget(self.payment_table)
        payments_layout.addWidget(self.reverse_button, 0, Qt.AlignmentFlag.AlignRight)
        self.payments_index = self.tabs.addTab(payments_tab, _("Payments"))
        self.notes_model: RecordTableModel[CreditNoteView] = RecordTableModel([
            Field(N_("Number"), lambda n: n.number or ""),
            Field(N_("Date"), lambda n: day(n.issue_date)),
            Field(N_("Total"), lambda n: money(n.total, self.document.currency if self.document else "EUR"),
                  numeric=True),
            Field(N_("Reason"), lambda n: n.reason or ""),
        ])
        self.notes_table = record_table(self.notes_model, self, stretch_column=3)
        self.notes_table.activated.connect(
            lambda index: self.window_.open_invoice(self.notes_model.record(index.row()).id))
        self.notes_index = self.tabs.addTab(self.notes_table, _("Credit notes"))
        # a final invoice: the deposit and partial invoices its lines deduct, with what was paid on them
        self.deducted_model: RecordTableModel[AdvanceInvoice] = RecordTableModel([
            Field(N_("Number"), lambda a: a.number),
            Field(N_("Date"), lambda a: day(a.issue_date)),
            Field(N_("Kind"), lambda a: _(invoices.INVOICE_TYPE_CODES.get(a.type_code, "Invoice"))),
            Field(N_("Net"), lambda a: self._money(sum(t.basis for t in a.taxes)), numeric=True),
            Field(N_("VAT"), lambda a: self._money(sum(t.amount for t in a.taxes)), numeric=True),
            Field(N_("Total"), lambda a: self._money(a.total), numeric=True),
            Field(N_("Paid"), lambda a: self._money(a.paid), numeric=True),
        ])
        self.deducted_table = record_table(self.deducted_model, self, stretch_column=2)
        self.deducted_table.activated.connect(
            lambda index: self.window_.open_invoice(self.deducted_model.record(index.row()).id))
        self.deducted_index = self.tabs.addTab(self.deducted_table, _("Deducted invoices"))
        self.history_model: RecordTableModel[HistoryEntry] = RecordTableModel([
            Field(N_("When"), lambda h: moment(h.at)),
            Field(N_("Who"), lambda h: h.actor),
            Field(N_("What"), lambda h: action_label(h.action)),
            Field(N_("Status"), lambda h: " → ".join(status_label(s) for s in (h.before, h.after) if s)),
        ])
        self.history_index = self.tabs.addTab(record_table(self.history_model, self, stretch_column=3), _("History"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(head)
        layout.addWidget(self.dispute_note)
        layout.addWidget(self.tabs, 1)

    def _money(self, minor: int) -> str:
        return money(minor, self.document.currency if self.document else "EUR")

    def _set_tab_order(self) -> None:
        chain = [self.customer, self.new_customer, self.issue_date, self.due_date, self.supplied, self.delivery_date,
                 self.in_period, self.period_start, self.period_end, self.buyer_reference,
                 self.type_code, self.preceding, self.rounding_amount, self.line_table, self.adjustment_table,
                 self.notes, self.prepaid, self.prepaid_method, self.prepaid_reference]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------ loading and modes

    def _load(self, customer_id: int | None = None) -> None:
        self._loading = True
        self.undo.clear()
        if self.invoice_id is None:
            self.document = None
            if customer_id is not None:  # first: the blank line's VAT follows the customer
                self.customer.setCurrentIndex(self.customer.findData(customer_id))
            self.lines.load([self._blank_line()])
            self.adjustments.load([])
        else:
            invoice_id = self.invoice_id
            document = self.ops.read(lambda s: invoice_view(s, invoice_id, date.today()))
            self.document = document
            self._fill(document)
        self._loading = False
        self._header_dirty = False
        self._apply_mode()
        self._recompute()
        self._update_title()

    def _fill(self, doc: InvoiceView) -> None:
        if self.customer.findData(doc.customer_id) < 0:  # archived customers are not in the picker
            self.customer.addItem(doc.customer.name, doc.customer_id)
        self.customer.setCurrentIndex(self.customer.findData(doc.customer_id))
        self.currency.setText(doc.currency)
        self.issue_date.setDate(qt_date(doc.issue_date))
        if doc.due_date:
            self.due_date.setDate(qt_date(doc.due_date))
        self.buyer_reference.setText(doc.buyer_reference or "")
        self.supplied.setChecked(doc.delivery_date is not None)
        self.delivery_date.setDate(qt_date(doc.delivery_date or doc.issue_date))
        self.in_period.setChecked(doc.period_start is not None)
        self.period_start.setDate(qt_date(doc.period_start or doc.issue_date))
        self.period_end.setDate(qt_date(doc.period_end or doc.issue_date))
        self.notes.setPlainText(doc.notes or "")
        self.rounding = doc.tax_rounding
        rows = [
            {
                "description": line.description,
                "quantity": locale_decimal(line.quantity),
                "unit": line.unit,
                "unit_price": price(line.unit_price, doc.currency),
                "price_base": locale_decimal(line.price_base) if line.price_base != 1 else "",
                "gross_price": price(line.gross_price, doc.currency),
                "discount": locale_decimal(line.discount_percent),
                "tax": tax_value(line.tax_category, line.tax_rate),
                "product_id": str(line.product_id or ""),
                # a line discount not in percent is an amount: the stored discount
                "discount_amount": format_minor(line.own_discount, doc.currency)
                if line.own_discount and line.discount_percent is None else "",
                "charges": charges_to_row([
                    {"is_charge": c.is_charge, "reason": c.reason, "reason_code": c.reason_code,
                     "amount": None if c.percent is not None else format_minor(abs(c.amount), doc.currency),
                     "percent": None if c.percent is None else str(c.percent),
                     "base": None if c.base is None else format_minor(abs(c.base), doc.currency)}
                    for c in line.allowances
                ]),
                "period": period_to_row(line.period_start, line.period_end),  # the line's own service period
            }
            for line in doc.lines
        ]
        if doc.is_draft:
            rows.append(self._blank_line())
        self.lines.load(rows)
        self.adjustments.load([
            {"kind": "charge" if a.is_charge else "discount", "reason": a.reason,
             "amount": "" if a.percent is not None else locale_decimal(from_minor(a.amount, doc.currency)),
             "percent": locale_decimal(a.percent),
             "base": "" if a.base is None else locale_decimal(from_minor(a.base, doc.currency)),
             "tax": tax_value(a.tax_category, a.tax_rate), "reason_code": a.reason_code or ""}
            for a in doc.adjustments
        ])
        self.type_code.setCurrentIndex(max(self.type_code.findData(doc.type_code), 0))
        self.preceding.setText(doc.preceding_number or "")
        self.preceding_date = doc.preceding_date
        rounding = doc.totals.rounding_amount
        self.rounding_amount.setText(locale_decimal(from_minor(rounding, doc.currency)) if rounding else "")
        prepaid = doc.totals.prepaid
        self.prepaid.setText(locale_decimal(from_minor(prepaid, doc.currency)) if prepaid else "")
        self.prepaid_method.setCurrentIndex(max(self.prepaid_method.findData(doc.prepaid_method), 0))
        self.prepaid_reference.setText(doc.prepaid_reference or "")
        self.payment_model.set_records(list(doc.payments))
        self.notes_model.set_records(list(doc.credit_notes))
        self.deducted_model.set_records(list(doc.advances))
        self.history_model.set_records(list(doc.history))

    def _apply_mode(self) -> None:
        doc = self.document
        draft = doc is None or refusal(doc.state, Action.SAVE_DRAFT) is None
        for widget in (self.customer, self.new_customer, self.issue_date, self.due_date):
            widget.setEnabled(draft)
        self.new_customer.setVisible(draft)
        for box, dates in ((self.supplied, (self.delivery_date,)), (self.in_period, (self.period_start, self.period_end))):
            box.setEnabled(draft)
            for date_edit in dates:
                date_edit.setEnabled(draft and box.isChecked())
        self.buyer_reference.setReadOnly(not draft)
        self.type_code.setEnabled(draft)
        self.preceding.setReadOnly(not draft)
        self.rounding_amount.setReadOnly(not draft)
        self.prepaid.setReadOnly(not draft)
        self.prepaid_reference.setReadOnly(not draft)
        self.prepaid_method.setEnabled(draft)
        self.notes.setReadOnly(not draft)
        self.lines.read_only = self.adjustments.read_only = not draft
        frozen: tuple[QWidget, ...] = (self.buyer_reference, self.notes, self.line_table, self.adjustment_table)
        for field in frozen:
            field.setProperty("frozen", not draft)  # drawn on the window's grey, not as white fields to type in
            field.style().unpolish(field)
            field.style().polish(field)
        self.line_buttons.setVisible(draft)
        self.adjustment_table.setVisible(draft or bool(self.adjustments.rows))
        self.adjustment_label.setVisible(self.adjustment_table.isVisibleTo(self))
        self.notes.setPlaceholderText(_("Printed on the invoice, e.g. thanks or delivery details") if draft else "")
        is_invoice = doc is None or doc.doc_type == "invoice"
        status = doc.status if doc else "draft"
        offered = offered_actions(doc.doc_type if doc else "invoice", status)
        self.toolbar.clear()  # (the More button's action goes with it; the button is kept by the editor)
        self.more_menu.clear()
        for action in offered:
            if action in MORE_ACTIONS:
                self.more_menu.addAction(self.workflow_actions[action])
            else:
                self.toolbar.addAction(self.workflow_actions[action])
        payable = doc is not None and is_invoice and status in ("open", "uncollectible") and doc.balance.amount_due > 0
        for act in (self.copy_link_action, self.renew_link_action):
            act.setEnabled(payable)
            if payable:
                self.more_menu.addAction(act)
        if not self.more_menu.isEmpty():
            self.toolbar.addAction(self.more_action)
        for action, act in self.workflow_actions.items():
            why = refusal(doc.state, action) if doc else None
            unsaved = doc is None and action in (Action.DELETE_DRAFT, Action.DUPLICATE)
            act.setEnabled(why is None and not unsaved)
            act.setToolTip(error_text(why.exception()) if why else act.text())
        for act in (self.add_line_action, self.remove_line_action, self.line_up_action, self.line_down_action):
            act.setEnabled(draft)
        self.tabs.setTabVisible(self.payments_index, not draft and is_invoice)
        self.tabs.setTabVisible(self.notes_index, not draft and is_invoice)
        self.tabs.setTabVisible(self.deducted_index, doc is not None and bool(doc.advances))
        self.tabs.setTabVisible(self.history_index, doc is not None)
        self.tabs.setTabText(0, _("Invoice") if is_invoice else _("Credit note"))
        self.reverse_button.setEnabled(doc is not None and refusal(doc.state, Action.REVERSE_PAYMENT) is None)
        self.status_badges.show_statuses(status_badges(doc.display_status, doc.partially_paid, doc.disputed) if doc
                                         else ["draft"])
        dispute = doc.dispute if doc else None
        self.dispute_note.setVisible(dispute is not None)
        if dispute is not None:
            self.dispute_note.setText(_("Disputed since {date}: {reason}. No reminder goes out until the dispute "
                                        "ends.").format(date=day(dispute.opened_on), reason=dispute.reason))

    def _clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        doc = self.document
        if doc is None:
            title = _("New invoice")
        elif doc.doc_type == "credit_note":
            title = _("Credit note {number}").format(number=doc.number)
            if doc.corrects:
                title += "  " + _("(corrects {number})").format(number=doc.corrects.number)
        elif doc.number:
            title = _("Invoice {number}").format(number=doc.number)
        else:
            title = _("Draft invoice")
        self.heading.setText(title)
        dirty = "*" if self.is_dirty() else ""
        customer = self.customer.currentText() or _("no customer yet")  # (inside an f-string it escaped extraction)
        self.setWindowTitle(f"{title}{dirty} — {customer}")

    # ------------------------------------------------------------ editing

    def is_dirty(self) -> bool:
        draft = self.document is None or self.document.is_draft
        return draft and (self._header_dirty or not self.undo.isClean())

    def _rounding_edited(self) -> None:
        if not self._loading:  # the rounding amount is part of the amount due the totals show
            self._recompute()

    def _header_edited(self) -> None:
        if not self._loading:
            self._header_dirty = True
            self._update_title()

    def _customer_row(self) -> customers.CustomerChoice | None:
        customer_id = self.customer.currentData()
        return next((c for c in self.customer_rows if c.id == customer_id), None)

    def _customer_changed(self) -> None:
        row = self._customer_row()
        self.currency.setText(row.currency if row else "")
        if row is not None and not self._loading:
            terms = self.ops.read(lambda s: customers.get_customer(s, row.id).terms_days)
            self.due_date.setDate(self.issue_date.date().addDays(terms))
        self._header_edited()
        self._recompute()

    def _issue_date_changed(self, new: QDate) -> None:
        if self._loading:
            return
        row = self._customer_row()
        if row is not None:
            terms = self.ops.read(lambda s: customers.get_customer(s, row.id).terms_days)
            self.due_date.setDate(new.addDays(terms))
        self._header_edited()

    def _add_customer(self) -> None:
        from invoicer.gui.dialogs.customer import CustomerDialog

        dialog = CustomerDialog(self.ops, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.customer_id is not None:
            # the picker was refilled quietly (also by the `changed` notification): apply the new customer here,
            # whichever index it got
            self._read_lookups()
            self._fill_customers(dialog.customer_id)
            self._customer_changed()
            self.line_table.start()

    def _add_line(self) -> None:
        row = self.lines.add_row()
        self.line_table.start(row)

    def _remove_line(self) -> None:
        row = self.line_table.currentIndex().row()
        self.lines.remove_row(row)
        if not self.lines.rows:
            self.lines.add_row()

    def _line_detail(self) -> None:
        """The current line's further allowances and charges, in a dialog (Ctrl+Shift+L)."""
        row = self.line_table.currentIndex().row()
        if not 0 <= row < len(self.lines.rows) or self.lines.read_only:
            return
        values = self.lines.rows[row]
        dialog = LineChargesDialog(values.get("description", ""), values.get("charges", ""), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.lines.set_cells(row, {"charges": dialog.charges()})

    def _line_period(self) -> None:
        """The current line's own service period, in a dialog (Ctrl+Shift+T)."""
        row = self.line_table.currentIndex().row()
        if not 0 <= row < len(self.lines.rows) or self.lines.read_only:
            return
        values = self.lines.rows[row]
        invoice_period = ((python_date(self.period_start.date()), python_date(self.period_end.date()))
                          if self.in_period.isChecked() else (None, None))
        dialog = LinePeriodDialog(row + 1, values.get("description", ""), values.get("period", ""), invoice_period,
                                  python_date(self.issue_date.date()), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.lines.set_cells(row, {"period": dialog.row_text()})

    def _move_line(self, offset: int) -> None:
        index = self.line_table.currentIndex()
        target = self.lines.move_row(index.row(), offset)
        self.line_table.setCurrentIndex(self.lines.index(target, index.column()))

    def draft_data(self) -> DraftData:
        """The draft as typed; InvoicerError when the picker has no customer."""
        row = self._customer_row()
        if row is None:
            raise InvoicerError(_("Choose a customer for the invoice (or add a new one)."))
        lines = []
        for values in self.lines.rows:
            if self.lines.is_blank(values):
                continue
            category, _sep, rate = values["tax"].partition("|")
            lines.append(LineData(
                description=values["description"],
                quantity=plain_decimal(values["quantity"]),
                unit_price=plain_decimal(values["unit_price"]),
                tax_category=category or "S",
                tax_rate=rate or "0",
                unit=values["unit"] or "C62",
                discount_percent=plain_decimal(values["discount"]) or None,
                discount_amount=values.get("discount_amount") or None,
                product_id=int(values["product_id"]) if values.get("product_id") else None,
                price_base=plain_decimal(values.get("price_base", "")) or "1",
                gross_price=plain_decimal(values.get("gross_price", "")) or None,
                charges=charges_from_row(values.get("charges", "")),
                **dict(zip(("period_start", "period_end"), period_from_row(values.get("period", "")), strict=True)),
            ))
        adjustments = []
        for values in self.adjustments.rows:
            if self.adjustments.is_blank(values):
                continue
            category, _sep, rate = values["tax"].partition("|")
            adjustments.append(AdjustmentData(
                amount=plain_decimal(values["amount"]) or None, tax_category=category or "S", tax_rate=rate or "0",
                is_charge=values["kind"] == "charge", reason=values["reason"],
                percent=plain_decimal(values.get("percent", "")) or None,
                base=plain_decimal(values.get("base", "")) or None, reason_code=values.get("reason_code") or None,
            ))
        return DraftData(
            customer_id=row.id,
            lines=lines,
            currency=self.document.currency if self.document else None,
            issue_date=python_date(self.issue_date.date()),
            due_date=python_date(self.due_date.date()),
            tax_rounding=self.rounding,
            adjustments=adjustments,
            notes=self.notes.toPlainText(),
            buyer_reference=self.buyer_reference.text(),
            delivery_date=python_date(self.delivery_date.date()) if self.supplied.isChecked() else None,
            period_start=python_date(self.period_start.date()) if self.in_period.isChecked() else None,
            period_end=python_date(self.period_end.date()) if self.in_period.isChecked() else None,
            type_code=self.type_code.currentData(),
            preceding_number=self.preceding.text(),
            preceding_date=self.preceding_date,
            rounding_amount=plain_decimal(self.rounding_amount.text()) or None,
            prepaid=plain_decimal(self.prepaid.text()) or None,
            prepaid_method=self.prepaid_method.currentData(),
            prepaid_reference=self.prepaid_reference.text(),
        )

    def _recompute(self) -> None:
        """Live totals while typing; a line the service would refuse is explained under the table."""
        doc = self.document
        self._show_line_periods()
        if doc is not None and not doc.is_draft:
            self.lines.set_computed("amount", [money(line.net, doc.currency) for line in doc.lines])
            self.totals.show_totals(doc.totals, doc.currency, doc.balance if doc.is_invoice else None)
            self.problem.clear()
            return
        row = self._customer_row()
        currency = doc.currency if doc else (row.currency if row else None)
        if currency is None:
            self.totals.show_totals(None)
            self.problem.setText("")
            return
        try:
            data = self.draft_data()
            totals = invoices.preview_totals(data.lines, data.adjustments, currency, self.rounding,
                                             data.rounding_amount, data.prepaid)
        except InvoicerError as err:
            self.totals.show_totals(None)
            self.problem.setText(error_text(err))
            return
        self.problem.clear()
        amounts = iter(totals.lines)
        self.lines.set_computed("amount", [
            "" if self.lines.is_blank(values) else money(next(amounts).net, currency) for values in self.lines.rows
        ])
        self.totals.show_totals(totals, currency)

    def _show_line_periods(self) -> None:
        """The lines' own service periods in their column, shown only while some line has one."""
        periods = [period_from_row(values.get("period", "")) for values in self.lines.rows]
        self.lines.set_computed("period_shown", [
            f"{day(start)} – {day(end)}" if start and end else "" for start, end in periods])
        column = self.lines.column_of("period_shown")
        hidden = not any(start for start, _end in periods)
        if hidden != self.line_table.isColumnHidden(column):
            self.line_table.setColumnHidden(column, hidden)
            if not hidden:
                self.line_table.resizeColumnToContents(column)

    # ------------------------------------------------------------ draft actions

    def save(self) -> bool:
        """Save the draft (Ctrl+S); True when it is saved."""
        if self.document is not None and not self.document.is_draft:
            return True
        try:
            data = self.draft_data()
        except InvoicerError as err:
            messages.show_error(self, err)
            return False
        if self.invoice_id is None:
            new_id = self.ops.create_draft(self, data)
            if new_id is None:
                return False
            self.invoice_id = new_id
            self.window_.editors[new_id] = self
            self.destroyed.connect(lambda _obj=None, i=new_id: self.window_.editors.pop(i, None))
        elif not self.ops.update_draft(self, self.invoice_id, data):
            return False
        self._load()
        self.window_.statusBar().showMessage(_("Draft saved."), 4000)
        return True

    def finalize(self) -> None:
        if (self.is_dirty() or self.invoice_id is None) and not self.save():
            return
        assert self.invoice_id is not None and self.document is not None
        doc = self.document
        try:
            number, company_currency, stored_rate = self.ops.read(lambda s: (
                invoices.next_number(s, "invoice", doc.issue_date, doc.customer_id),
                company_service.get_company(s).currency, rates.rate_on(s, doc.currency, doc.issue_date)))
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        text = _(
            "Finalize this invoice to {customer} over {total}?\n\n"
            "It will take the number {number} and be frozen: it can no longer be edited or deleted, "
            "only corrected with a credit note."
        ).format(customer=doc.customer.name, total=money(doc.totals.total, doc.currency), number=number)
        from invoicer.services.documents import without_einvoice  # the PDF machinery loads only when needed

        pdf_only = without_einvoice(doc.currency)
        if pdf_only is not None:  # a currency EN 16931 cannot state (BHD, KWD, ...): said before, not after
            text += "\n\n" + pdf_only.render(_)
        rate: str | None = None
        if doc.currency == company_currency:
            if not messages.confirm(self, _("Finalize invoice"), text, _("Finalize")):
                return
        else:  # the rate is locked for good: shown, prefilled from the rates table, and typed if there is none
            rate = messages.confirm_with_rate(
                self, _("Finalize invoice"), text, _("Finalize"),
                _("1 {currency} = … {company_currency}").format(currency=doc.currency,
                                                                  company_currency=company_currency),
                "" if stored_rate is None else f"{stored_rate.normalize():f}")
            if rate is None:
                return
        if self.ops.finalize(self, self.invoice_id, rate) is not None:
            self._load()

    def _delete(self) -> None:
        if self.invoice_id is None:
            return
        if not messages.confirm(self, _("Delete draft"), _("Delete this draft invoice? This cannot be undone."),
                                _("Delete")):
            return
        if self.ops.delete_draft(self, self.invoice_id):
            self.undo.clear()
            self._header_dirty = False
            self.close()

    def _duplicate(self) -> None:
        if self.invoice_id is None:
            return
        if self.is_dirty() and not self.save():
            return
        new_id = self.ops.duplicate(self, self.invoice_id)
        if new_id is not None:
            self.window_.open_invoice(new_id)

    def _pdf(self) -> bytes | None:
        """The document's PDF; a draft is saved first so the preview shows what was typed."""
        if (self.is_dirty() or self.invoice_id is None) and not self.save():
            return None
        assert self.invoice_id is not None
        return self.ops.document_pdf(self, self.invoice_id)

    def _pdf_name(self) -> str:
        doc = self.document
        return (doc.number if doc and doc.number else _("draft-{id}").format(id=self.invoice_id)).replace("/", "-")

    def _preview(self) -> None:
        from invoicer.gui.widgets.pdf_view import show_pdf

        pdf = self._pdf()
        if pdf is not None:
            show_pdf(self, pdf, self._pdf_name())

    def _send(self) -> None:
        from invoicer.gui.dialogs.send_invoice import open_send_invoice  # mail modules load when first used

        if self.invoice_id is None:
            return
        dialog = open_send_invoice(self.ops, self, self.invoice_id)
        if dialog is not None:
            dialog.accepted.connect(self._load)  # the history shows the email sent

    def _save_pdf(self) -> None:
        from invoicer.gui.widgets.pdf_view import save_pdf

        pdf = self._pdf()
        if pdf is not None:
            save_pdf(self, pdf, self._pdf_name())

    # ------------------------------------------------------------ finalized actions

    def _copy_payment_link(self) -> None:
        from invoicer.services import payment_links

        invoice_id = self.invoice_id
        if invoice_id is None:
            return
        info = self.ops.read(lambda s: payment_links.link_info(s, invoice_id, date.today()))
        if info is None or info.state != "active":
            messages.show_error(self, _("This invoice has no payment link that pays now: choose Renew payment link "
                                        "(a payment link must be set in Settings → Invoices)."))
            return
        self._to_clipboard(info.url)

    def _renew_payment_link(self) -> None:
        if self.invoice_id is None:
            return
        info = self.ops.renew_payment_link(self, self.invoice_id)
        if info is not None:
            self._to_clipboard(info.url)
            self._load()  # the history shows the renewal

    def _to_clipboard(self, url: str) -> None:
        QApplication.clipboard().setText(url)
        self.window_.statusBar().showMessage(_("Payment link copied: {link}").format(link=url), 8000)

    def _record_payment(self) -> None:
        from invoicer.gui.dialogs.payment import PaymentDialog

        if self.document is not None and PaymentDialog(self.ops, self.document, self).exec():
            self._load()

    def _apply_credit(self) -> None:
        from invoicer.gui.dialogs.payment import ApplyCreditDialog

        if self.document is not None and ApplyCreditDialog(self.ops, self.document, self).exec():
            self._load()

    def _issue_credit_note(self) -> None:
        from invoicer.gui.dialogs.credit_note import CreditNoteDialog

        if self.document is not None and CreditNoteDialog(self.ops, self.document, self).exec():
            self._load()

    def _void(self) -> None:
        doc = self.document
        if doc is None:
            return
        answer = messages.ask_dated_reason(self, _("Void invoice"), _(
            "Void {number}? It stays in the records, marked void, and is no longer owed.").format(
            number=doc.number), doc.issue_date)
        if answer is not None and self.ops.void(self, doc.id, answer.text or None, answer.day):
            self._load()

    def _write_off(self) -> None:
        doc = self.document
        if doc is None:
            return
        answer = messages.ask_dated_reason(self, _("Mark uncollectible"), _(
            "Write off {due} on {number}? A payment that arrives later is still recorded.").format(
            due=money(doc.balance.amount_due, doc.currency), number=doc.number), doc.earliest_write_off)
        if answer is not None and self.ops.mark_uncollectible(self, doc.id, answer.text or None, answer.day):
            self._load()

    def _dispute(self) -> None:
        from invoicer.gui.dialogs.dispute import mark_disputed

        if self.document is not None and mark_disputed(self, self.ops, self.document):
            self._load()

    def _close_dispute(self) -> None:
        from invoicer.gui.dialogs.dispute import end_dispute

        if self.document is not None and end_dispute(self, self.ops, self.document):
            self._load()

    def _resolve_dispute(self) -> None:
        from invoicer.gui.dialogs.dispute import resolve_dispute

        if self.document is not None and resolve_dispute(self, self.ops, self.document):
            self._load()

    def _reverse_payment(self) -> None:
        index = self.payment_table.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose the payment to reverse in the list first."))
            return
        payment = self.payment_model.record(index.row())
        answer = messages.ask_dated_reason(self, _("Reverse payment"), _(
            "Reverse the payment of {amount} from {date}? A reversal entry is recorded; the original stays.").format(
            amount=money(payment.amount, payment.currency), date=day(payment.paid_on)), payment.paid_on)
        if answer is not None and self.ops.reverse_payment(self, payment.id, answer.text or None,
                                                           answer.day) is not None:
            self._load()

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        answer = messages.ask_save(self, self.heading.text()) if self.is_dirty() else "discard"
        if answer == "cancel" or (answer == "save" and not self.save()):
            event.ignore()
            return
        super().closeEvent(event)
