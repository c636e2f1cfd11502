"""Recurring billing plans: the list, a plan's editor, pause and resume, price changes, and the periods due."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QVBoxLayout

from invoicer.gui import messages, operations
from invoicer.gui.dialogs.plan import (
    DueBillingDialog,
    PlanDialog,
    PriceChangeDialog,
    every,
    mode_name,
    pause_dialog,
    resume_dialog,
)
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import day
from invoicer.gui.widgets.tables import fit_titles, record_table
from invoicer.i18n import N_, _, format_number
from invoicer.services import billing
from invoicer.services.billing import PlanRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


class PlansPage(Page):
    areas = frozenset({operations.PLANS, operations.INVOICES, operations.CUSTOMERS})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.model: RecordTableModel[PlanRow] = RecordTableModel([
            Field(N_("Plan"), lambda p: p.name),
            Field(N_("Customer"), lambda p: p.customer_name),
            Field(N_("Schedule"), lambda p: every(p.frequency, p.interval)),
            Field(N_("Next billing"), lambda p: day(p.next_bill_on) if p.next_bill_on else "—"),
            Field(N_("When billed"), lambda p: mode_name(p.mode)),
            Field(N_("Status"), lambda p: _("paused") if p.paused else _("active") if p.next_bill_on else _("ended")),
            Field(N_("Invoices"), lambda p: format_number(p.billed), numeric=True),
        ])
        self.table = record_table(self.model, self, stretch_column=1)
        self.table.setObjectName("plan_table")
        fit_titles(self.table.horizontalHeader(), 110, {2: every("quarterly", 12),
                                                        3: day(date(2026, 12, 31)),
                                                        4: _("Finalize and send by email")})
        self.table.activated.connect(lambda _index: self.edit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)

        action = self.shortcut_action
        self.new_action = action("new_plan", _("New plan"), self.add, "Ctrl+Shift+N", "new")
        self.edit_action = action("edit_plan", _("Edit"), self.edit, "Ctrl+Shift+E", "edit")
        self.pause_action = action("pause_plan", _("Pause / resume"), self.pause_or_resume, "Ctrl+Shift+P", "void")
        self.price_action = action("change_price", _("Change price…"), self.change_price, "Ctrl+Shift+R", "edit")
        self.due_action = action("due_billing", _("Due billing…"), self.show_due, "Ctrl+Shift+B", "plan")

    def toolbar_actions(self) -> list[QAction]:
        return [self.new_action, self.edit_action, self.pause_action, self.price_action, self.due_action]

    def focus_search(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        chosen = self._chosen(quiet=True)
        self.model.set_records(self.ops.read(billing.list_plans))
        rows = [r.id for r in self.model.records()]
        if chosen is not None and chosen.id in rows:
            self.table.selectRow(rows.index(chosen.id))
        elif rows:
            self.table.selectRow(0)

    def _chosen(self, quiet: bool = False) -> PlanRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            if not quiet:
                messages.show_error(self, _("Choose a plan in the list first."))
            return None
        return self.model.record(index.row())

    def add(self) -> QDialog:
        dialog = PlanDialog(self.ops, self)
        dialog.open()
        return dialog

    def edit(self) -> QDialog | None:
        plan = self._chosen()
        if plan is None:
            return None
        dialog = PlanDialog(self.ops, self, plan.id)
        dialog.open()
        return dialog

    def pause_or_resume(self) -> None:
        plan = self._chosen()
        if plan is None:
            return
        dialog = resume_dialog(self) if plan.paused else pause_dialog(self)
        if dialog.exec():
            if plan.paused:
                self.ops.resume_plan(self, plan.id, dialog.day())
            else:
                self.ops.pause_plan(self, plan.id, dialog.day())

    def change_price(self) -> None:
        plan = self._chosen()
        if plan is not None:
            PriceChangeDialog(self.ops, plan.id, self).exec()

    def show_due(self) -> QDialog:
        dialog = DueBillingDialog(self.ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
