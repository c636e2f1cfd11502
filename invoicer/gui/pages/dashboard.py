"""The dashboard: outstanding and overdue at a glance, aged receivables and revenue charts, what needs doing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from babel.dates import format_skeleton
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.aging import BUCKETS
from invoicer.core.money import exponent
from invoicer.gui import operations
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import action_label, day, local_time, money, warning_style
from invoicer.gui.widgets.charts import BarChart
from invoicer.gui.widgets.status_badge import badge_text, badges
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _, current_locale, format_number, ngettext
from invoicer.services import dashboard, setup
from invoicer.services.dashboard import Activity, Dashboard
from invoicer.services.disputes import DisputeRow
from invoicer.services.invoices import InvoiceRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow

BUCKET_LABELS = {"current": N_("Current"), "1-30": N_("1–30"), "31-60": N_("31–60"),
                 "61-90": N_("61–90"), "90+": N_("90+")}
ENTITIES = {"invoice": N_("Invoice"), "credit_note": N_("Credit note"), "customer": N_("Customer"),
            "product": N_("Product"), "company": N_("Company profile"), "setting": N_("Setting"),
            "tax_rate": N_("Tax rate"), "exchange_rate": N_("Exchange rate"), "billing_plan": N_("Billing plan")}
#: The first-run checklist: FirstSteps field, what to do, in order.
STEPS = (("company", N_("Enter your company profile")), ("vat_rates", N_("Check your VAT rates")),
         ("customer", N_("Add your first customer")), ("invoice", N_("Write your first invoice")))


class Card(QFrame):
    """A headline figure; clicking it opens the list behind it."""

    clicked = Signal()

    def __init__(self, name: str, title: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("card", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = QLabel(title)
        self.title.setProperty("muted", True)
        self.title.setWordWrap(True)  # a long translated title takes two lines, not the page's width
        self.value = QLabel()
        self.value.setObjectName(f"{name}_value")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = QLabel()
        self.detail.setProperty("muted", True)
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class Checklist(QFrame):
    """What a new user does before the first invoice, each step a button taking them there; done steps are
    ticked."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("checklist")
        self.setProperty("card", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.window_ = window
        heading = DashboardPage._heading(_("Getting started"))
        hint = QLabel(_("Four steps to your first invoice; this list goes away once they are done."))
        hint.setProperty("muted", True)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        self.buttons: dict[str, QPushButton] = {}
        for key, _text in STEPS:
            button = QPushButton()
            button.setObjectName(f"step_{key}")
            button.setFlat(True)
            button.setStyleSheet("text-align: left")
            button.clicked.connect(lambda _checked=False, step=key: self._go(step))
            self.buttons[key] = button
            layout.addWidget(button)
        # the first-run choice between this desk's own file and the business's shared server
        self.server = QPushButton(_("Several desks on one business? Use your company's server…"))
        self.server.setObjectName("step_server")
        self.server.setFlat(True)
        self.server.setStyleSheet("text-align: left")
        self.server.clicked.connect(window.show_database_settings)
        self.server.setVisible(window.ops.db.url is None)
        layout.addWidget(self.server)
        layout.addStretch(1)

    def show_steps(self, steps: setup.FirstSteps) -> None:
        for key, text in STEPS:
            done = bool(getattr(steps, key))
            self.buttons[key].setText(f"{'✓' if done else '○'}  {_(text)}")
            self.buttons[key].setEnabled(not done)

    def _go(self, step: str) -> None:
        if step == "company":
            self.window_.show_page("settings")
        elif step == "vat_rates":
            self.window_.show_page("products").tabs.setCurrentIndex(1)
        elif step == "customer":
            self.window_.show_page("customers").add()
        else:
            self.window_.new_invoice()


class DashboardPage(Page):
    areas = frozenset({operations.INVOICES, operations.COMPANY, operations.CUSTOMERS, operations.CATALOG,
                       operations.PLANS})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.figures: Dashboard | None = None
        self.outstanding = Card("outstanding", _("Outstanding"))
        self.overdue = Card("overdue", _("Overdue"))
        self.revenue_card = Card("revenue", _("Revenue, last 12 months (net)"))
        self.outstanding.clicked.connect(lambda: self._show_invoices("open"))
        self.overdue.clicked.connect(lambda: self._show_invoices("overdue"))
        self.revenue_card.clicked.connect(lambda: self._show_invoices(None))
        self.reminders_card = Card("reminders", _("Payment reminders"))
        self.reminders_card.clicked.connect(window.show_reminders)
        window.reminders_counted.connect(self._show_reminders)
        self.billing_card = Card("due_billing", _("Due billing"))
        self.billing_card.setToolTip(_("Bill the periods of recurring plans that are due (Ctrl+Shift+B)"))
        self.billing_card.clicked.connect(self.show_due_billing)
        self.billing_card.hide()  # shown once there is a billing plan
        self.due_billing_action = QAction(_("Due billing…"), self)
        self.due_billing_action.setShortcut("Ctrl+Shift+B")
        self.due_billing_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.due_billing_action.triggered.connect(self.show_due_billing)
        self.addAction(self.due_billing_action)
        self._show_reminders(window.reminders_due)
        self.aging_chart = BarChart(_("Aged receivables (days overdue)"), "#dc2626", first_color="#16a34a")
        self.aging_chart.setObjectName("aging_chart")
        self.aging_chart.on_click = lambda index: self._show_invoices("overdue" if index else "open")
        self.revenue_chart = BarChart(_("Revenue per month (net)"), "#2563eb")
        self.revenue_chart.setObjectName("revenue_chart")
        self.attention_model: RecordTableModel[InvoiceRow] = RecordTableModel([
            Field(N_("Number"), lambda r: r.number or ""),
            Field(N_("Customer"), lambda r: r.customer_name),
            Field(N_("Due"), lambda r: day(r.due_date), warn=lambda r: r.overdue),
            Field(N_("Amount due"), lambda r: money(r.amount_due, r.currency), numeric=True),
            Field(N_("Status"), badge_text, status=badges),
        ])
        self.attention = record_table(self.attention_model, self, status_column=4)
        self.attention.setObjectName("attention")
        # half the page wide: each column as wide as its content, the customer's name takes what is left
        self.attention.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.attention.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.attention.activated.connect(
            lambda index: self.window_.open_invoice(self.attention_model.record(index.row()).id))
        self.attention.setMinimumHeight(220)
        self.disputes_model: RecordTableModel[DisputeRow] = RecordTableModel([
            Field(N_("Number"), lambda r: r.number),
            Field(N_("Customer"), lambda r: r.customer),
            Field(N_("Disputed since"), lambda r: day(r.opened_on)),
            Field(N_("Amount due"), lambda r: money(r.amount_due, r.currency), numeric=True),
            Field(N_("Reason"), lambda r: r.reason),
        ])
        self.disputes = record_table(self.disputes_model, self, stretch_column=4)
        self.disputes.setObjectName("disputes")
        for column in range(4):
            self.disputes.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.disputes.activated.connect(
            lambda index: self.window_.open_invoice(self.disputes_model.record(index.row()).invoice_id))
        self.disputes_heading = self._heading(_("Disputed invoices (reminders paused)"))
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        self.recent.setFrameShape(QFrame.Shape.NoFrame)
        self.recent.setWordWrap(True)  # "Setting “…” updated" in full, on two lines if need be

        cards = QHBoxLayout()
        for card in (self.outstanding, self.overdue, self.revenue_card, self.reminders_card):
            cards.addWidget(card)
        charts = QHBoxLayout()
        charts.addWidget(self.aging_chart, 1)  # five buckets with words ("Nicht fällig") need the room of 12 months
        charts.addWidget(self.revenue_chart, 1)
        lists = QGridLayout()
        lists.addWidget(self._heading(_("Needs attention: overdue or due this week")), 0, 0)
        lists.addWidget(self._heading(_("Recent activity")), 0, 1)
        lists.addWidget(self.attention, 1, 0)
        # the billing card above the activity (a fifth card in the row would crowd the four); the activity list
        # takes the height the attention table gives the row, so the card never makes the page scroll
        self.recent.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        side = QVBoxLayout()
        side.addWidget(self.billing_card)
        side.addWidget(self.recent, 1)
        lists.addLayout(side, 1, 1)
        lists.setColumnStretch(0, 3)
        lists.setColumnStretch(1, 2)

        self.checklist = Checklist(window)
        self.overview = QWidget()  # the figures, once there is something to show
        figures = QVBoxLayout(self.overview)
        figures.setContentsMargins(0, 0, 0, 0)
        figures.addLayout(cards)
        figures.addLayout(charts)
        figures.addLayout(lists, 1)
        figures.addWidget(self.disputes_heading)
        figures.addWidget(self.disputes)
        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(self.checklist)
        body.addWidget(self.overview, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def toolbar_actions(self) -> list[QAction]:
        return [self.window_.new_invoice_action]

    def refresh(self) -> None:
        steps = self.ops.read(setup.first_steps)
        self.checklist.show_steps(steps)
        self.checklist.setVisible(not steps.done)
        self.overview.setVisible(steps.done)  # an empty folder shows what to do, not a page of zeros
        figures = self.ops.read(dashboard.dashboard)
        self.figures = figures
        home = figures.currency
        currencies = sorted(figures.outstanding, key=lambda c: (c != home, c))
        self.outstanding.value.setText(money(figures.outstanding.get(home, 0), home))
        others = [money(figures.outstanding[c], c) for c in currencies if c != home]
        self.outstanding.detail.setText(_("plus {amounts}").format(amounts=", ".join(others)) if others else
                                        _("on open invoices"))
        self.overdue.value.setText(money(figures.overdue.get(home, 0), home))
        self.overdue.value.setStyleSheet(warning_style() if figures.overdue_count else "")
        self.overdue.detail.setText(
            ngettext("{n} invoice past its due date", "{n} invoices past their due date",
                     figures.overdue_count).format(n=figures.overdue_count))
        self.revenue_card.value.setText(money(sum(v for _m, v in figures.revenue), home))
        this_month = figures.revenue[-1][1] if figures.revenue else 0
        self.revenue_card.detail.setText(_("{amount} this month").format(amount=money(this_month, home)))

        buckets = figures.aging.get(home, dict.fromkeys(BUCKETS, 0))
        per_major = 10 ** exponent(home)
        self.aging_chart.show_values(
            [_(BUCKET_LABELS[b]) for b in BUCKETS], [buckets[b] for b in BUCKETS],
            [money(buckets[b], home) for b in BUCKETS], per_major)
        locale = current_locale()
        self.revenue_chart.show_values(
            [format_skeleton("MMM", month, locale=locale) for month, _v in figures.revenue],
            [max(v, 0) for _m, v in figures.revenue],
            [f"{format_skeleton('yMMMM', month, locale=locale)}: {money(v, home)}" for month, v in figures.revenue],
            per_major)
        self.attention_model.set_records(figures.attention)
        self._show_due_billing()
        self.disputes_model.set_records(figures.disputes)
        self.disputes_heading.setVisible(bool(figures.disputes))
        self.disputes.setVisible(bool(figures.disputes))
        self.recent.clear()
        for event in figures.recent:
            self.recent.addItem(describe(event))

    def _show_reminders(self, count: int | None) -> None:
        """``count`` None: not counted yet (the first check runs just after start-up)."""
        self.reminders_card.value.setText("…" if count is None else format_number(count))
        self.reminders_card.detail.setText(
            _("checking…") if count is None else _("due to be sent") if count else _("none due today"))

    def _show_due_billing(self) -> None:
        from invoicer.services import billing  # schedules load when a dashboard is painted, not at import

        today = date.today()
        plans, due = self.ops.read(lambda s: (billing.plan_count(s), billing.due_periods(s, today)))
        self.billing_card.setVisible(plans > 0)
        missed = sum(1 for d in due if d.bill_on < today)
        self.billing_card.value.setText(format_number(len(due)))
        self.billing_card.value.setStyleSheet(warning_style() if missed else "")
        self.billing_card.detail.setText(
            ngettext("{n} missed period to catch up", "{n} missed periods to catch up", missed).format(n=missed)
            if missed else _("periods to bill today") if due else _("nothing due today"))

    def show_due_billing(self) -> QWidget:
        """The periods due, billed on request (window-modal)."""
        from invoicer.gui.dialogs.plan import DueBillingDialog

        dialog = DueBillingDialog(self.ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _show_invoices(self, status: str | None) -> None:
        self.window_.show_page("invoices").filter_status(status)


def describe(event: Activity) -> str:
    """One line of recent activity: "28.12.2026  Invoice INV-2026-00042 finalized", "… Customer “Müller GmbH”
    created", "… Setting “Default payment terms (days)” updated"."""
    what = _(ENTITIES.get(event.entity, event.entity.replace("_", " ")))
    if event.number:
        what = f"{what} {event.number}"
    elif event.name:
        what = _("{what} “{name}”").format(what=what, name=_(event.name) if event.entity == "setting" else event.name)
    action = action_label(event.action)
    return f"{day(local_time(event.at).date())}  {what} {action}"
