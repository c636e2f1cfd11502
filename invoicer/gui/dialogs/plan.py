"""Recurring billing dialogs: a plan's editor, a line's price change, a pause or resume date, and the periods due."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from invoicer.gui import messages
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.operations import Operations
from invoicer.gui.style import day, locale_decimal, plain_decimal, python_date, qt_date
from invoicer.gui.widgets import pickers
from invoicer.gui.widgets.dialog_buttons import dialog_buttons
from invoicer.gui.widgets.simple_lines import SimpleLineTable
from invoicer.gui.widgets.tables import fit_titles, record_table
from invoicer.gui.widgets.text_box import text_box
from invoicer.i18n import N_, _, ngettext
from invoicer.services import billing, customers, taxes
from invoicer.services.billing import Due, PlanData, PlanLineData, RunResult

FREQUENCIES = (("monthly", N_("Monthly")), ("quarterly", N_("Quarterly")), ("yearly", N_("Yearly")),
               ("weekly", N_("Weekly")))
MODES = (("draft", N_("Create drafts for review")), ("finalize", N_("Finalize")),
         ("email", N_("Finalize and send by email")))


def every(frequency: str, interval: int) -> str:
    """"Monthly", "Every 2 weeks"... in the user's language."""
    if interval == 1:
        return _(dict(FREQUENCIES)[frequency])
    texts = {
        "monthly": ngettext("Every {n} month", "Every {n} months", interval),
        "quarterly": ngettext("Every {n} quarter", "Every {n} quarters", interval),
        "yearly": ngettext("Every {n} year", "Every {n} years", interval),
        "weekly": ngettext("Every {n} week", "Every {n} weeks", interval),
    }
    return texts[frequency].format(n=interval)


def mode_name(mode: str) -> str:
    return _(dict(MODES)[mode])


class PlanDialog(QDialog):
    """A new plan, or an existing one: once a period is billed its customer, currency and schedule are shown but
    fixed (the service refuses to move periods under invoices already written)."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, plan_id: int | None = None,
                 customer_id: int | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.plan_id = plan_id
        self.setWindowTitle(_("New billing plan") if plan_id is None else _("Edit billing plan"))
        people, self.rates, data, billed = ops.read(lambda s: (
            [(c.id, c.name) for c in customers.customer_choices(s, include_archived=False)], taxes.list_tax_rates(s),
            billing.plan_data(s, plan_id) if plan_id is not None else None,
            billing.billed_periods(s, plan_id) if plan_id is not None else 0))
        self.customer = pickers.CustomerPicker(_("(choose a customer)"))
        self.customer.setObjectName("customer")
        self.customer.set_customers(people)
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setPlaceholderText(_("The customer's name"))
        self.frequency = QComboBox()
        self.frequency.setObjectName("frequency")
        for code, text in FREQUENCIES:
            self.frequency.addItem(_(text), code)
        self.interval = QSpinBox()
        self.interval.setObjectName("interval")
        self.interval.setRange(1, 99)
        self.day = QSpinBox()
        self.day.setObjectName("day_of_month")
        self.day.setRange(0, 31)
        self.day.setSpecialValueText(_("as the start date"))
        self.day.setToolTip(_("29–31 fall on the last day of shorter months"))
        self.start = pickers.date_edit("start")
        self.ends = QCheckBox(_("&Ends on"))
        self.ends.setObjectName("ends")
        self.end = pickers.date_edit("end")
        self.end.setEnabled(False)
        self.ends.toggled.connect(self.end.setEnabled)
        self.count = QSpinBox()
        self.count.setObjectName("count")
        self.count.setRange(0, 9999)
        self.count.setSpecialValueText(_("no limit"))
        self.timing = QComboBox()
        self.timing.setObjectName("timing")
        self.timing.addItem(_("In advance, on the period's first day"), False)
        self.timing.addItem(_("In arrears, the day after the period ends"), True)
        self.prorate = QCheckBox(_("Charge a partial first or last period by its &days"))
        self.prorate.setObjectName("prorate")
        self.mode = QComboBox()
        self.mode.setObjectName("mode")
        for code, text in MODES:
            self.mode.addItem(_(text), code)
        self.currency = pickers.CurrencyPicker()
        self.currency.setObjectName("currency")
        self.notes = text_box(50)
        self.lines = SimpleLineTable(self.rates)
        add_line = QPushButton(_("&Add line"))
        add_line.setObjectName("add_line")
        add_line.setToolTip(_("Add a line (Ctrl+Enter)"))
        add_line.clicked.connect(lambda: self.add_line())
        next_line = QAction(self)
        next_line.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        next_line.triggered.connect(lambda: self.add_line())
        self.addAction(next_line)
        remove_line = QPushButton(_("&Remove line"))
        remove_line.setObjectName("remove_line")
        remove_line.clicked.connect(self.remove_line)

        form = QFormLayout()
        form.addRow(_("&Customer"), self.customer)
        form.addRow(_("&Name"), self.name)
        form.addRow(_("&Frequency"), self.frequency)
        form.addRow(_("Every N &periods"), self.interval)
        form.addRow(_("Day of the &month"), self.day)
        form.addRow(_("&Start"), self.start)
        form.addRow(self.ends, self.end)
        form.addRow(_("Number of &invoices"), self.count)
        form.addRow(_("&Billed"), self.timing)
        form.addRow("", self.prorate)
        form.addRow(_("&When billed"), self.mode)
        form.addRow(_("C&urrency"), self.currency)
        form.addRow(_("N&otes on each invoice"), self.notes)
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(add_line)
        line_buttons.addWidget(remove_line)
        line_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        lines_title = QLabel(_("&Lines"))
        lines_title.setBuddy(self.lines)
        layout.addWidget(lines_title)
        layout.addWidget(self.lines, 1)
        layout.addLayout(line_buttons)
        self.fixed = QLabel(ngettext(
            "{n} period is billed: the customer, currency and schedule stay as they are.",
            "{n} periods are billed: the customer, currency and schedule stay as they are.", billed).format(n=billed))
        self.fixed.setWordWrap(True)
        self.fixed.setProperty("muted", True)
        self.fixed.setVisible(billed > 0)
        layout.addWidget(self.fixed)
        layout.addWidget(dialog_buttons(self))
        self.resize(720, 640)

        if data is not None:
            self._show(data)
            for widget in (self.customer, self.currency, self.frequency, self.interval, self.day, self.start,
                           self.timing):
                widget.setEnabled(billed == 0)
        else:
            self.customer.set_customer(customer_id)
            self.start.setDate(QDate.currentDate())
            self.add_line()
        self.customer.setFocus()

    # ------------------------------------------------------------ lines

    def add_line(self, line: PlanLineData | None = None) -> None:
        if line is None:
            self.lines.add_line()
        else:
            self.lines.add_line(line.description, Decimal(line.quantity), Decimal(line.unit_price),
                                (line.tax_category or "S", Decimal(line.tax_rate)))

    def remove_line(self) -> None:
        self.lines.remove_line()

    def _lines(self) -> list[PlanLineData]:
        return [PlanLineData(ln.description, ln.quantity, ln.unit_price, ln.tax_category, ln.tax_rate)
                for ln in self.lines.lines()]

    # ------------------------------------------------------------ plan

    def _show(self, data: PlanData) -> None:
        self.customer.set_customer(data.customer_id)
        self.name.setText(data.name)
        self.frequency.setCurrentIndex(max(self.frequency.findData(data.frequency), 0))
        self.interval.setValue(data.interval)
        self.day.setValue(data.day_of_month or 0)
        self.start.setDate(qt_date(data.start))
        self.ends.setChecked(data.end is not None)
        if data.end is not None:
            self.end.setDate(qt_date(data.end))
        self.count.setValue(data.count or 0)
        self.timing.setCurrentIndex(1 if data.in_arrears else 0)
        self.prorate.setChecked(data.prorate)
        self.mode.setCurrentIndex(max(self.mode.findData(data.mode), 0))
        if data.currency:
            self.currency.set_code(data.currency)
        self.notes.setPlainText(data.notes or "")
        for line in data.lines:
            self.add_line(line)

    def data(self) -> PlanData | None:
        customer_id = self.customer.customer_id()
        if customer_id is None:
            messages.show_error(self, _("Choose the customer to bill."))
            self.customer.setFocus()
            return None
        return PlanData(
            customer_id=customer_id, start=python_date(self.start.date()), lines=self._lines(),
            frequency=self.frequency.currentData(), interval=self.interval.value(),
            day_of_month=self.day.value() or None, end=python_date(self.end.date()) if self.ends.isChecked() else None,
            count=self.count.value() or None, in_arrears=bool(self.timing.currentData()),
            prorate=self.prorate.isChecked(), mode=self.mode.currentData(), currency=self.currency.code() or None,
            name=self.name.text(), notes=self.notes.toPlainText(),
        )

    def accept(self) -> None:
        data = self.data()
        if data is None:
            return
        if self.plan_id is None:
            self.plan_id = self.ops.add_plan(self, data)
            saved = self.plan_id is not None
        else:
            saved = self.ops.update_plan(self, self.plan_id, data)
        if saved:
            super().accept()


class PriceChangeDialog(QDialog):
    """A new unit price for one line of a plan, for the periods starting on or after a day."""

    def __init__(self, ops: Operations, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.plan_id = plan_id
        self.setWindowTitle(_("Change a price"))
        data = ops.read(lambda s: billing.plan_data(s, plan_id))
        self.line = QComboBox()
        self.line.setObjectName("line")
        for position, line in enumerate(data.lines, 1):
            self.line.addItem(f"{position}. {line.description} ({locale_decimal(Decimal(line.unit_price))})",
                              position)
        self.valid_from = pickers.date_edit("valid_from")
        self.price = QLineEdit()
        self.price.setObjectName("unit_price")
        hint = QLabel(_("Periods starting on this day or later are billed at the new price."))
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(hint)
        form.addRow(_("&Line"), self.line)
        form.addRow(_("&From"), self.valid_from)
        form.addRow(_("New unit &price (net)"), self.price)
        form.addRow(dialog_buttons(self))

    def accept(self) -> None:
        if self.ops.change_plan_price(self, self.plan_id, int(self.line.currentData()),
                                      python_date(self.valid_from.date()), plain_decimal(self.price.text())):
            super().accept()


class PlanDateDialog(QDialog):
    """The day a pause starts or a plan resumes (today by default)."""

    def __init__(self, title: str, text: str, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        message = QLabel(text)
        message.setWordWrap(True)
        self.on = pickers.date_edit("on")
        form = QFormLayout(self)
        form.addRow(message)
        form.addRow(_("&Date"), self.on)
        form.addRow(dialog_buttons(self, action))

    def day(self) -> date:
        return python_date(self.on.date())


def pause_dialog(parent: QWidget | None = None) -> PlanDateDialog:
    return PlanDateDialog(_("Pause plan"), _("Periods starting on this day or later are not billed until the plan "
                                             "is resumed."), _("Pause"), parent)


def resume_dialog(parent: QWidget | None = None) -> PlanDateDialog:
    return PlanDateDialog(_("Resume plan"), _("Periods starting on this day or later are billed again; those in the "
                                              "pause are not."), _("Resume"), parent)


class DueBillingDialog(QDialog):
    """The periods due for billing today, billed on request; a catch-up of periods whose day has passed is
    confirmed first. ``outcome`` holds what the run did."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.today = today or date.today()
        self.outcome: RunResult | None = None
        self.setWindowTitle(_("Due billing"))
        self.model: RecordTableModel[Due] = RecordTableModel([
            Field(N_("Plan"), lambda d: d.plan_name),
            Field(N_("Customer"), lambda d: d.customer_name),
            Field(N_("Service period"), lambda d: f"{day(d.period_start)} – {day(d.period_end)}"),
            Field(N_("Billing day"), lambda d: day(d.bill_on), warn=lambda d: d.bill_on < self.today),
        ])
        self.table = record_table(self.model, self, stretch_column=1)
        self.table.setObjectName("due_periods")
        fit_titles(self.table.horizontalHeader(), 100, {2: f"{day(self.today)} – {day(self.today)}",
                                                        3: day(self.today)})
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.bill_button = buttons.addButton(_("&Bill now"), QDialogButtonBox.ButtonRole.ActionRole)
        self.bill_button.setObjectName("bill_now")
        self.bill_button.clicked.connect(self.bill)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.refresh()
        self.bill_button.setFocus()

    def refresh(self) -> None:
        due = self.ops.read(lambda s: billing.due_periods(s, self.today))
        self.model.set_records(due)
        self.bill_button.setEnabled(bool(due))
        self.summary.setText(ngettext("{n} period is due for billing.", "{n} periods are due for billing.",
                                      len(due)).format(n=len(due)) if due else _("Nothing is due for billing."))

    def missed(self) -> list[Due]:
        return [d for d in self.model.records() if d.bill_on < self.today]

    def bill(self) -> None:
        missed = self.missed()
        if len(missed) > 1 and not messages.confirm(
            self, _("Catch up missed periods?"),
            ngettext("{n} period should have been billed before today (the oldest on {day}). Bill it now, with "
                     "the others due?",
                     "{n} periods should have been billed before today (the oldest on {day}). Bill each of them "
                     "once now, with the others due?", len(missed)).format(n=len(missed), day=day(missed[0].bill_on)),
            _("Bill them"),
        ):
            return
        self.bill_button.setEnabled(False)
        self.ops.run_billing(self, self.today, self._billed)

    def _billed(self, result: RunResult) -> None:
        self.outcome = result
        self.refresh()
        text = ngettext("{n} period billed.", "{n} periods billed.", len(result.billed)).format(n=len(result.billed))
        if result.failures:
            text += "\n\n" + _("Not billed (left for the next run):") + "\n" + "\n".join(
                f"{d.plan_name} {day(d.period_start)}: {why}" if d else why for d, why in result.failures)
        messages.show_info(self, text)
