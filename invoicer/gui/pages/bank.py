"""Bank reconciliation: import a statement, see each waiting entry with the invoices proposed for it (reason,
confidence), confirm one or all sure matches in one key, take bank fees and what needs nothing off the queue."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from invoicer.core.bank_match import Allocation
from invoicer.core.errors import ValidationError
from invoicer.gui import messages, operations
from invoicer.gui.models.records import Field, RecordTableModel
from invoicer.gui.pages.base import Page
from invoicer.gui.style import day, icon, money
from invoicer.gui.widgets.pickers import CustomerPicker
from invoicer.gui.widgets.tables import record_table
from invoicer.i18n import N_, _, format_percent
from invoicer.services import bank, customers
from invoicer.services.bank import ProposalView

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


def _invoices(view: ProposalView) -> str:
    if view.proposal is None:
        return ""
    named = ", ".join(view.numbers[a.invoice_id] for a in view.proposal.allocations)
    if view.proposal.alternatives:
        named += " " + _("(or {numbers})").format(numbers=", ".join(view.numbers[i] for i in view.proposal.alternatives))
    return named


def _confidence(view: ProposalView) -> str:
    if view.proposal is None:
        return ""
    return format_percent(Decimal(round(view.proposal.confidence * 100)))


class BankPage(Page):
    areas = frozenset({operations.INVOICES})

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.model: RecordTableModel[ProposalView] = RecordTableModel([
            Field(N_("Value date"), lambda v: day(v.entry.value_date)),
            Field(N_("Amount"), lambda v: money(v.entry.amount, v.entry.currency), numeric=True,
                  warn=lambda v: v.entry.amount < 0),
            Field(N_("From / to"), lambda v: v.entry.counterparty or ""),
            Field(N_("Transfer text"), lambda v: v.entry.remittance or ""),
            Field(N_("Proposed invoices"), _invoices),
            Field(N_("Confidence"), _confidence, numeric=True, warn=lambda v: v.proposal is not None and not v.proposal.sure),
            Field(N_("Reason"), lambda v: _(v.reason_text) if v.reason_text else _("no match: waiting")),
        ])
        self.table = record_table(self.model, self, stretch_column=6)
        self.table.setObjectName("bank_table")
        # the reason gets the width that is left; a column never narrower than its (translated) title
        for column in range(6):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(lambda _index: self._confirm())
        self.summary = QLabel()
        self.summary.setObjectName("bank_summary")
        self.summary.setWordWrap(True)
        note = QLabel(_("Enter confirms the chosen entry's proposal; Ctrl+Enter confirms every sure match."))
        note.setProperty("muted", True)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        self.import_action = QAction(icon("import"), _("Import statement…"), self)
        self.import_action.triggered.connect(self._choose_file)
        self.confirm_all_action = QAction(icon("finalize"), _("Confirm sure matches"), self)
        self.confirm_all_action.setObjectName("confirm_sure")
        self.confirm_all_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.confirm_all_action.triggered.connect(self.confirm_sure)
        self.addAction(self.confirm_all_action)
        self.confirm_action = QAction(icon("payment"), _("Confirm"), self)
        self.confirm_action.triggered.connect(self._confirm)
        self.fee_action = QAction(_("Bank fee"), self)
        self.fee_action.triggered.connect(lambda: self._settle("fee"))
        self.refund_action = QAction(_("Refund…"), self)
        self.refund_action.triggered.connect(self._refund)
        self.ignore_action = QAction(_("Nothing to record"), self)
        self.ignore_action.triggered.connect(lambda: self._settle("ignored"))

    def toolbar_actions(self) -> list[QAction]:
        return [self.import_action, self.confirm_all_action, self.confirm_action, self.fee_action, self.refund_action,
                self.ignore_action]

    def refresh(self) -> None:
        views = self.ops.read(bank.proposals)
        self.model.set_records(views)
        sure = sum(1 for v in views if v.proposal is not None and v.proposal.sure)
        self.summary.setText(_("{waiting} bank entries wait; {sure} of them are sure matches.").format(
            waiting=len(views), sure=sure))
        self.confirm_all_action.setEnabled(sure > 0)

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import bank statement"), "", _("Bank statements (*.xml *.sta *.mt940 *.txt *.csv)"))
        if not path:
            return
        name, ok = QInputDialog.getText(self, _("Import bank statement"), _("Bank (its CSV columns are saved under "
                                                                            "this name):"), text="default")
        if ok:
            self.import_file(Path(path), name)

    def import_file(self, path: Path, bank_name: str | None) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            messages.show_error(self, ValidationError(N_("{path} cannot be read: {reason}."), path=str(path),
                                                      reason=exc.strerror))
            return
        result = self.ops.import_statement(self, data, path.name, bank_name)
        if result is not None:
            messages.show_info(self, _("{new} new bank entries imported; {known} were imported before.").format(
                new=result.new, known=result.known))

    def confirm_sure(self) -> None:
        count = self.ops.confirm_sure_matches(self)
        if count is not None:
            messages.show_info(self, _("{count} payments confirmed from the bank statement.").format(count=count))

    def _current(self) -> ProposalView | None:
        index = self.table.currentIndex()
        if not index.isValid():
            messages.show_error(self, _("Choose a bank entry in the list first."))
            return None
        return self.model.record(index.row())

    def _confirm(self) -> None:
        view = self._current()
        if view is None:
            return
        if view.proposal is None:
            messages.show_error(self, _("Nothing matches this entry; record the payment on the invoice, or take "
                                        "the entry off the list."))
            return
        allocations = list(view.proposal.allocations)
        if view.proposal.alternatives:  # the same amount is due on several invoices: the user says which
            chosen = self.choose_invoice(view)
            if chosen is None:
                return
            if chosen != allocations[0].invoice_id:
                allocations = [Allocation(chosen, view.entry.amount)]
        text = _("Record {amount} from {date} as payment of {invoices}?").format(
            amount=money(view.entry.amount, view.entry.currency), date=day(view.entry.value_date),
            invoices=", ".join(view.numbers[a.invoice_id] for a in allocations))
        if messages.confirm(self, _("Confirm match"), text, _("Confirm")):
            self.ops.confirm_bank_entry(self, view.entry.id, allocations)

    def choose_invoice(self, view: ProposalView) -> int | None:
        """Which of the invoices with the entry's amount it pays; None when cancelled."""
        assert view.proposal is not None
        ids = [view.proposal.allocations[0].invoice_id, *view.proposal.alternatives]
        labels = [view.numbers[i] for i in ids]
        label, ok = QInputDialog.getItem(self, _("Choose the invoice"), _("Several invoices have this amount due; "
                                                                          "which one does the transfer pay?"),
                                         labels, 0, False)
        return ids[labels.index(label)] if ok and label in labels else None

    def _settle(self, kind: str, customer_id: int | None = None, note: str | None = None) -> None:
        view = self._current()
        if view is not None:
            self.ops.settle_bank_entry(self, view.entry.id, kind, note, customer_id)

    def _refund(self) -> None:
        if self._current() is None:
            return
        chosen = self.ask_refund()
        if chosen is not None:
            self._settle("refund", *chosen)

    def ask_refund(self) -> tuple[int | None, str | None] | None:
        """The customer the money was paid back to, and a note; None when cancelled."""
        picker = CustomerPicker(_("Choose a customer"), self)
        picker.set_customers([(c.id, c.name) for c in self.ops.read(customers.customer_choices)])
        note = QLineEdit(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        dialog = QDialog(self)
        dialog.setWindowTitle(_("Refund"))
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form = QFormLayout(dialog)
        form.addRow(QLabel(_("Record this debit as money paid back to a customer.")))
        form.addRow(_("Customer:"), picker)
        form.addRow(_("Note:"), note)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return picker.customer_id(), note.text() or None
