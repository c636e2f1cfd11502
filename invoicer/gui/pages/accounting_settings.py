"""Settings → Accounting: the account codes the ledger's journal posts to, revenue accounts per VAT rate, and
whether a write-off reduces VAT payable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from invoicer.core.errors import InvoicerError, ValidationError
from invoicer.core.totals import TaxKey
from invoicer.gui.widgets.checked_field import CheckedLineEdit
from invoicer.i18n import _
from invoicer.services import ledger, settings, taxes
from invoicer.services.taxes import TaxRateRow

CODE_WIDTH = 260  # account codes are short; a full-width field would look like a text box


def _rate_text(category: str, rate: object) -> str:
    """A rate as the setting keys it: ``"S 19"``."""
    key = taxes.tax_key(category, str(rate))
    return f"{key.category} {key.rate.normalize():f}"


def _checker(name: str) -> Callable[[str], None]:
    """The rule of an account setting, for the field as the user types (its message without the key)."""
    rule = ledger.ACCOUNT_SETTINGS[name].check

    def check(text: str) -> None:
        if rule is not None:
            rule(text.strip())

    return check


class AccountingSettings(QWidget):
    """The ``ledger.account.*`` settings; ``values()`` returns them checked, ready to store."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts: dict[str, CheckedLineEdit] = {}
        accounts_box = QGroupBox(_("Journal accounts"))
        form = QFormLayout(accounts_box)
        for name in ledger.ACCOUNTS:
            field = CheckedLineEdit(_checker(name))
            field.setObjectName(f"account_{name}")
            field.edit.setMaxLength(30)
            field.setMaximumWidth(CODE_WIDTH)
            self.accounts[name] = field
            form.addRow(self._title(f"ledger.account.{name}"), field)
        self.accounts["revenue"].edit.textChanged.connect(self._show_revenue_default)
        self.writeoff_corrects_vat = QCheckBox(_(ledger.WRITE_OFF_CORRECTS_VAT.title))
        self.writeoff_corrects_vat.setObjectName("writeoff_corrects_vat")
        form.addRow(self.writeoff_corrects_vat)
        self.by_rate: dict[str, CheckedLineEdit] = {}
        self.rates_box = QGroupBox(_("Revenue account per VAT rate"))
        self.rates_form = QFormLayout(self.rates_box)
        note = QLabel(_("The ledger export writes a double-entry journal with these account codes (your "
                        "accountant's chart of accounts). A VAT rate left empty posts to the revenue account."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(accounts_box)
        layout.addWidget(self.rates_box)
        layout.addStretch(1)

    @staticmethod
    def _title(key: str) -> str:
        # "Journal account: receivables" -> "Receivables": the group box already says what they are
        title = _(settings.setting(key).title)
        short = title.split(":", 1)[-1].strip()
        return short[:1].upper() + short[1:]

    def show_values(self, values: dict[str, Any], rates: list[TaxRateRow]) -> None:
        """Show the stored codes; one revenue row per VAT rate in the catalog (and any other rate stored)."""
        for name, field in self.accounts.items():
            field.setText(str(values[f"ledger.account.{name}"]))
        self.writeoff_corrects_vat.setChecked(bool(values[ledger.WRITE_OFF_CORRECTS_VAT.key]))
        stored: dict[TaxKey, str] = {}
        for text, code in dict(values[ledger.REVENUE_BY_RATE]).items():
            category, _sep, rate = str(text).partition(" ")
            stored[taxes.tax_key(category, rate.strip())] = str(code)
        rows = [(_rate_text(r.category, r.rate), r.name) for r in rates if not r.archived]
        rows += [(_rate_text(k.category, k.rate), "") for k in stored
                 if _rate_text(k.category, k.rate) not in {text for text, _name in rows}]
        while self.rates_form.rowCount():
            self.rates_form.removeRow(0)
        self.by_rate = {}
        for text, name in rows:
            field = CheckedLineEdit(_checker("revenue"))
            field.setObjectName(f"revenue_{text.replace(' ', '_')}")
            field.edit.setMaxLength(30)
            field.setMaximumWidth(CODE_WIDTH)
            category, _sep, rate = text.partition(" ")
            field.setText(stored.get(taxes.tax_key(category, rate), ""))
            self.by_rate[text] = field
            self.rates_form.addRow(f"{name} ({text} %)" if name else f"{text} %", field)
        if not rows:
            self.rates_form.addRow(QLabel(_("No VAT rates yet (Products → Tax rates).")))
        self._show_revenue_default()

    def _show_revenue_default(self) -> None:
        default = _("{code} (the revenue account)").format(code=self.accounts["revenue"].text().strip())
        for field in self.by_rate.values():
            field.edit.setPlaceholderText(default)

    def shown(self) -> tuple[dict[str, str], dict[str, str], bool]:
        """The codes as typed, unchecked (to tell whether the user changed anything)."""
        return ({name: f.text() for name, f in self.accounts.items()},
                {text: f.text() for text, f in self.by_rate.items()}, self.writeoff_corrects_vat.isChecked())

    def values(self) -> dict[str, Any]:
        """The codes as setting values; ValidationError names the first field that is wrong (and focuses it)."""
        found: dict[str, Any] = {}
        for name, field in self.accounts.items():
            key = f"ledger.account.{name}"
            code = field.text().strip()
            if not code:
                field.setFocus()
                raise ValidationError(_("Enter an account code for “{title}”.").format(title=self._title(key)))
            self._check(field, name, code)
            found[key] = code
        by_rate: dict[str, str] = {}
        for text, field in self.by_rate.items():
            code = field.text().strip()
            if code:
                self._check(field, "revenue", code)
                by_rate[text] = code
        found[ledger.REVENUE_BY_RATE] = by_rate
        found[ledger.WRITE_OFF_CORRECTS_VAT.key] = self.writeoff_corrects_vat.isChecked()
        return found

    @staticmethod
    def _check(field: CheckedLineEdit, name: str, code: str) -> None:
        try:
            _checker(name)(code)
        except InvoicerError:
            field.setFocus()
            raise
