"""A line's own service period (EN 16931 BG-26, BT-134/135): the days its goods or services were supplied in when
they differ from the invoice's period, checked by the service as a draft's save checks them."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import InvoicerError
from invoicer.gui import messages
from invoicer.gui.style import python_date
from invoicer.gui.widgets import pickers
from invoicer.i18n import _
from invoicer.services import invoices


def period_from_row(text: str) -> tuple[date | None, date | None]:
    """The period kept with a line row (``2026-10-01..2026-10-15``; empty: none)."""
    first, _dots, last = text.partition("..")
    return (date.fromisoformat(first), date.fromisoformat(last)) if last else (None, None)


def period_to_row(start: date | None, end: date | None) -> str:
    return f"{start.isoformat()}..{end.isoformat()}" if start is not None and end is not None else ""


class LinePeriodDialog(QDialog):
    """Tick *Own service period* and give its first and last day (prefilled with the invoice's period, else the
    issue date); OK checks it and keeps the dialog open with the service's message when it is refused."""

    def __init__(self, line: int, description: str, period: str, invoice_period: tuple[date | None, date | None],
                 issue_date: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Service period of a line"))
        self.setObjectName("line_period")
        self.line = line
        self.invoice_period = invoice_period
        start, end = period_from_row(period)
        self.own = QCheckBox(_("This line has its &own service period"))
        self.own.setObjectName("own_period")
        self.own.setChecked(start is not None)
        self.start = pickers.date_edit("line_period_start", start or invoice_period[0] or issue_date)
        self.end = pickers.date_edit("line_period_end", end or invoice_period[1] or issue_date)
        for edit in (self.start, self.end):
            edit.setEnabled(self.own.isChecked())
            self.own.toggled.connect(edit.setEnabled)
        title = QLabel(_("Line {line}: {description}").format(line=line, description=description))
        title.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.own)
        first = QLabel(_("&First day"))
        first.setBuddy(self.start)
        last = QLabel(_("&Last day"))
        last.setBuddy(self.end)
        form.addRow(first, self.start)
        form.addRow(last, self.end)
        hint = QLabel(_("State it when this line was supplied in other days than the invoice's service period; "
                        "it must lie within that period."))
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.own.setFocus()
        self.resize(460, 240)

    def period(self) -> tuple[date | None, date | None]:
        """The period as entered (none when not ticked)."""
        if not self.own.isChecked():
            return None, None
        return python_date(self.start.date()), python_date(self.end.date())

    def accept(self) -> None:
        try:
            invoices.line_period(self.line, *self.period(), self.invoice_period)
        except InvoicerError as err:
            messages.show_error(self, err)
            return
        super().accept()

    def row_text(self) -> str:
        """The period as kept with the line row."""
        return period_to_row(*self.period())
