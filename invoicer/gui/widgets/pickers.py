"""Searchable pickers for customers, countries, currencies, units and languages (codes from
:mod:`invoicer.core.reference`, names from Babel in the user's language), and the date picker of actions on a
document."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QDateEdit, QWidget

from invoicer.core import reference
from invoicer.core.units import UNIT_NAMES
from invoicer.gui.style import date_format, python_date, qt_date
from invoicer.i18n import SUPPORTED_LANGUAGES, _, current_locale

COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD")


@lru_cache(maxsize=8)
def _countries(locale: str) -> list[tuple[str, str]]:
    from babel import Locale  # here: the first window shows no country (i18n.py: no Babel at start)

    names = Locale.parse(locale).territories
    return sorted(((code, reference.country_name(code, names)) for code in reference.countries()),
                  key=lambda item: item[1])


def unit_choices(in_use: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) of the common units, then every other UN/ECE Rec 20/21 code (those in use first), shown as
    its code; a code typed on the keyboard selects it."""
    common = [(code, f"{_(name)} ({code})") for code, name in UNIT_NAMES.items() if code != "H87"]
    used = sorted(set(in_use) - set(UNIT_NAMES) - {""})
    return common + [(code, code) for code in used] + [
        (code, code) for code in _other_units() if code not in set(used)]


@lru_cache(maxsize=1)
def _other_units() -> tuple[str, ...]:
    return tuple(sorted(reference.units() - set(UNIT_NAMES)))


def _searchable(combo: QComboBox) -> None:
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    assert completer is not None  # an editable combo box has one
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)


class CountryPicker(QComboBox):
    """Countries by name; the value is the ISO code (``DE``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _searchable(self)
        for code, name in _countries(current_locale()):
            self.addItem(f"{name} ({code})", code)

    def code(self) -> str:
        """The chosen country's code; text typed that names no country is passed on for validation."""
        index = self.findText(self.currentText())
        return str(self.itemData(index)) if index >= 0 else self.currentText().strip().upper()

    def set_code(self, code: str | None) -> None:
        index = self.findData((code or "").upper())
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText(code or "")


class CustomerPicker(QComboBox):
    """Customers by name, found by typing any part of it; ``everyone`` names the first entry, which means
    no customer in particular (value None)."""

    def __init__(self, everyone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _searchable(self)
        self.everyone = everyone
        self.addItem(everyone, None)
        line_edit = self.lineEdit()
        assert line_edit is not None  # editable (_searchable)
        line_edit.editingFinished.connect(self._settle)

    def _settle(self) -> None:
        # text that names no customer is put back to the one chosen: what is shown is what filters
        if self.findText(self.currentText()) < 0:
            self.setEditText(self.itemText(self.currentIndex()))

    def customer_id(self) -> int | None:
        data = self.currentData()
        return None if data is None else int(data)

    def set_customers(self, customers: list[tuple[int, str]]) -> None:
        """Fill the list, keeping the customer chosen (without announcing a change)."""
        chosen = self.customer_id()
        self.blockSignals(True)
        self.clear()
        self.addItem(self.everyone, None)
        for customer_id, name in customers:
            self.addItem(name, customer_id)
        self.setCurrentIndex(max(self.findData(chosen), 0) if chosen is not None else 0)
        self.blockSignals(False)

    def set_customer(self, customer_id: int | None, name: str = "") -> None:
        index = self.findData(customer_id) if customer_id is not None else 0
        if index < 0:
            self.addItem(name, customer_id)
            index = self.count() - 1
        self.setCurrentIndex(index)


class CurrencyPicker(QComboBox):
    """The common currencies first, then every other one a new invoice may be in; a stored code that is no
    longer valid (HRK) is still shown, and refused when the record is saved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.addItems(COMMON_CURRENCIES)
        self.addItems(sorted(reference.currencies() - set(COMMON_CURRENCIES)))

    def code(self) -> str:
        return self.currentText().strip().upper()

    def set_code(self, code: str) -> None:
        if self.findText(code) < 0:
            self.addItem(code)
        self.setCurrentText(code)


class LocalePicker(QComboBox):
    """Document/interface locales; ``allow_system`` adds "follow the system" (value None)."""

    def __init__(self, parent: QWidget | None = None, allow_system: str | None = None,
                 languages_only: bool = False) -> None:
        from babel import Locale  # here: the first window has no locale picker (i18n.py: no Babel at start)

        super().__init__(parent)
        if allow_system is not None:
            self.addItem(allow_system, None)
        here = Locale.parse(current_locale())
        codes = list(SUPPORTED_LANGUAGES) if languages_only else [
            "en_US", "en_GB", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_BE", "fr_CH", "es_ES", "it_IT", "nl_NL",
        ]
        for code in codes:
            # the interface language by its own name ("Deutsch", "Français"): whoever cannot read the current one
            # still finds theirs; a document language in the reader's
            locale = Locale.parse(code)
            name = locale.get_display_name(locale if languages_only else here) or code
            self.addItem(name[:1].upper() + name[1:], code)

    def value(self) -> str | None:
        data = self.currentData()
        return None if data is None else str(data)

    def set_value(self, value: str | None) -> None:
        index = self.findData(value)
        if index < 0 and value:
            self.addItem(value, value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


def date_edit(name: str, value: date | None = None) -> QDateEdit:
    """A date field in the locale's format with a calendar, on ``value`` (default today)."""
    edit = QDateEdit(qt_date(value) if value else QDate.currentDate())
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(date_format())
    return edit


class ActionDatePicker(QDateEdit):
    """The date of an action on a document: today by default, from the document's issue date to today."""

    def __init__(self, earliest: date, parent: QWidget | None = None) -> None:
        super().__init__(QDate.currentDate(), parent)
        self.setObjectName("action_date")
        self.setCalendarPopup(True)
        self.setDisplayFormat(date_format())
        self.setDateRange(qt_date(earliest), QDate.currentDate())

    def day(self) -> date:
        return python_date(self.date())
