"""The detail of one invoice line: its further allowances and charges (EN 16931 BG-27 / BG-28), each an amount
or a percent of the line's amount or of a base amount of its own (BT-137 / BT-142), with a reason and its
UNTDID 5189 / 7161 code."""

from __future__ import annotations

import json

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QToolBar, QVBoxLayout, QWidget

from invoicer.core import reference
from invoicer.gui.models.lines import EditableRowsModel, EditColumn, Row
from invoicer.gui.style import icon, locale_decimal, plain_decimal
from invoicer.gui.widgets.line_table import LineTable
from invoicer.i18n import N_, _
from invoicer.services.invoices import LineChargeData

#: the reason codes offered first (the list holds every code of both code lists)
COMMON_ALLOWANCE_REASONS = {"95": N_("Discount"), "100": N_("Special rebate"), "102": N_("Fixed long term"),
                            "104": N_("Standard")}
COMMON_CHARGE_REASONS = {"FC": N_("Freight service"), "ABL": N_("Packaging"), "AAA": N_("Telecommunication")}


def charges_from_row(text: str) -> list[LineChargeData]:
    """The allowances and charges kept with a line row (JSON text), as the service takes them."""
    return [LineChargeData(bool(c["is_charge"]), c.get("amount") or None, c.get("percent") or None,
                           c.get("reason", ""), c.get("reason_code") or None, c.get("base") or None)
            for c in json.loads(text or "[]")]


def charges_to_row(charges: list[dict[str, str | bool | None]]) -> str:
    return json.dumps(charges) if charges else ""


def _reason_choices() -> list[tuple[str, str]]:
    common = [("", "—")] + [(code, f"{code} {_(name)}") for code, name in
                            {**COMMON_ALLOWANCE_REASONS, **COMMON_CHARGE_REASONS}.items()]
    known = {code for code, _label in common}
    return common + [(code, code) for code in sorted(reference.allowance_reasons() | reference.charge_reasons())
                     if code not in known]


class LineChargesDialog(QDialog):
    """Edit the allowances and charges of one line; ``charges`` is the JSON text kept with the line row."""

    def __init__(self, description: str, charges: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Allowances and charges of a line"))
        self.setObjectName("line_charges")
        self.undo = QUndoStack(self)
        self.model = EditableRowsModel([
            EditColumn("kind", N_("Discount or charge"),
                       choices=lambda: [("discount", _("Discount")), ("charge", _("Charge"))]),
            EditColumn("reason", N_("Reason")),
            EditColumn("reason_code", N_("Reason code"), choices=_reason_choices),
            EditColumn("amount", N_("Amount"), numeric=True),
            EditColumn("percent", N_("Percent"), numeric=True),
            EditColumn("base", N_("of base"), numeric=True),
        ], self._blank, self.undo)
        self.model.load([
            {"kind": "charge" if c.get("is_charge") else "discount", "reason": str(c.get("reason") or ""),
             "reason_code": str(c.get("reason_code") or ""), "amount": locale_decimal(c.get("amount")),
             "percent": locale_decimal(c.get("percent")), "base": locale_decimal(c.get("base"))}
            for c in json.loads(charges or "[]")
        ] + [self._blank()])
        self.table = LineTable(self.model, stretch=1)  # the reason
        self.table.setObjectName("line_charges_table")
        tools = QToolBar()
        add = tools.addAction(icon("new"), _("Add"))
        add.triggered.connect(lambda: self.table.start(self.model.add_row()))
        remove = tools.addAction(icon("delete"), _("Delete"))
        remove.triggered.connect(lambda: self.model.remove_row(self.table.currentIndex().row()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        hint = QLabel(_("Each is an amount, or a percent of the line's quantity × price or of the base given. A "
                        "discount on a negative line takes it towards zero."))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        title = QLabel(description)
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(760, 320)

    @staticmethod
    def _blank() -> Row:
        return {"kind": "discount", "reason": "", "reason_code": "", "amount": "", "percent": "", "base": ""}

    def charges(self) -> str:
        """The rows as the JSON text kept with the line (blank rows left out)."""
        return charges_to_row([
            {"is_charge": row["kind"] == "charge", "reason": row["reason"], "reason_code": row["reason_code"] or None,
             "amount": plain_decimal(row["amount"]) or None, "percent": plain_decimal(row["percent"]) or None,
             "base": plain_decimal(row["base"]) or None}
            for row in self.model.rows if not self.model.is_blank(row)
        ])
