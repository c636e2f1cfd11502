"""Settings: the company profile (with logo preview), number formats with a live example, invoice and document
defaults, the ledger's accounts, outgoing mail and reminders, the interface language, backups, and the database
this desk uses (the local file or a shared server)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from invoicer import paths
from invoicer.core.errors import InvoicerError
from invoicer.core.numbering import format_number, validate_pattern
from invoicer.documents.model import PaperSize
from invoicer.gui import messages, operations
from invoicer.gui.pages.accounting_settings import AccountingSettings
from invoicer.gui.pages.base import Page
from invoicer.gui.pages.database_settings import DatabaseSettingsWidget
from invoicer.gui.pages.mail_settings import MailSettingsWidget
from invoicer.gui.style import day, icon, warning_style
from invoicer.gui.widgets.checked_field import CheckedLineEdit
from invoicer.gui.widgets.pickers import CountryPicker, CurrencyPicker, LocalePicker
from invoicer.gui.widgets.text_box import text_box
from invoicer.i18n import N_, _, error_text
from invoicer.i18n import format_number as format_count
from invoicer.services import company, documents, qr_bills, settings, taxes, validation
from invoicer.services.company import CompanyData
from invoicer.services.store import Session
from invoicer.services.taxes import TaxRateRow

if TYPE_CHECKING:
    from invoicer.gui.main_window import MainWindow


#: why a backup was made, as the list of backups says it
BACKUP_REASONS = {"manual": N_("made by hand"), "daily": N_("daily"), "pre-migration": N_("before an update"),
                  "pre-restore": N_("before a restore"), "pre-encrypt": N_("before encrypting"),
                  "pre-decrypt": N_("before decrypting")}


class SettingsPage(Page):
    areas = frozenset({operations.COMPANY, operations.SETTINGS, operations.CATALOG})  # catalog: VAT rates

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.logo_path: str | None = None
        self._as_read: tuple[object, ...] | None = None  # what the page showed when last read or saved
        self.tabs = QTabWidget()
        self.tabs.addTab(self._scroll(self._company_tab()), _("Company"))
        self.tabs.addTab(self._invoices_tab(), _("Invoices"))
        self.accounting = AccountingSettings()
        self.accounting.setObjectName("accounting")
        self.accounting_tab = self.tabs.addTab(self._scroll(self.accounting), _("Accounting"))
        self.mail = MailSettingsWidget(self.ops)
        self.mail.setObjectName("mail")
        self.mail_tab = self.tabs.addTab(self._scroll(self.mail), _("Mail"))
        self.tabs.addTab(self._language_tab(), _("Language"))
        self.tabs.addTab(self._backups_tab(), _("Backups"))
        self.database = DatabaseSettingsWidget(self.ops, self.window_.close)
        self.database.setObjectName("database")
        self.database_tab = self.tabs.addTab(self._scroll(self.database), _("Database"))
        self.save_button = QPushButton(icon("save"), _("Save settings"))
        self.save_button.setObjectName("save_settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.save_action = QAction(icon("save"), _("Save settings"), self)
        self.save_action.triggered.connect(self.save)
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        # Ctrl+S wherever the focus is on the page (the toolbar button alone would need the toolbar focused)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.save_action)

    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(widget)
        return area

    # ------------------------------------------------------------ tabs

    def _company_tab(self) -> QWidget:
        self.name = QLineEdit()
        self.name.setObjectName("company_name")
        self.address = text_box(name="company_address")
        self.postcode = QLineEdit()
        self.postcode.setObjectName("company_postcode")
        self.city = QLineEdit()
        self.city.setObjectName("company_city")
        self.country = CountryPicker()
        self.country.setObjectName("company_country")
        self.vat_id = CheckedLineEdit(lambda text: validation.vat_id(text, self.country.code()))
        self.vat_id.setObjectName("company_vat_id")
        self.tax_number = QLineEdit()
        self.email = CheckedLineEdit(validation.email)
        self.phone = QLineEdit()
        self.contact = QLineEdit()
        self.contact.setObjectName("company_contact")
        self.endpoint = CheckedLineEdit(validation.peppol_id)
        self.endpoint.setObjectName("company_endpoint")
        self.endpoint.edit.setPlaceholderText(_("SCHEME:ID, e.g. 9930:DE123456788 (needed for XRechnung and Peppol)"))
        self.iban = CheckedLineEdit(validation.iban)
        self.iban.setObjectName("company_iban")
        self.bic = CheckedLineEdit(validation.bic)
        self.currency = CurrencyPicker()
        self.document_locale = LocalePicker()  # not ``locale``: that would hide QWidget.locale()
        self.legal = text_box()
        self.legal.setPlaceholderText(_("Register court and number, managing director… (printed in the footer)"))
        self.logo = QLabel(_("No logo"))
        self.logo.setObjectName("logo_preview")
        self.logo.setFixedSize(220, 90)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet("border: 1px dashed palette(mid);")
        choose = QPushButton(_("Choose logo…"))
        choose.clicked.connect(self._choose_logo)
        remove = QPushButton(_("Remove logo"))
        remove.clicked.connect(lambda: self._show_logo(None))
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        buttons = QVBoxLayout()
        buttons.addWidget(choose)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        logo_row.addLayout(buttons)
        logo_row.addStretch(1)

        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(_("Company &name"), self.name)
        form.addRow(_("&Address"), self.address)
        form.addRow(_("&Postcode"), self.postcode)
        form.addRow(_("C&ity"), self.city)
        form.addRow(_("Coun&try"), self.country)
        form.addRow(_("&VAT ID"), self.vat_id)
        form.addRow(_("Ta&x number"), self.tax_number)
        form.addRow(_("&Email"), self.email)
        form.addRow(_("P&hone"), self.phone)
        form.addRow(_("Contact per&son"), self.contact)
        form.addRow(_("Electronic add&ress (Peppol ID)"), self.endpoint)
        form.addRow(_("I&BAN"), self.iban)
        form.addRow(_("BI&C"), self.bic)
        form.addRow(_("&Currency"), self.currency)
        form.addRow(_("Document &language"), self.document_locale)
        form.addRow(_("Legal &details"), self.legal)
        form.addRow(_("Logo"), logo_row)
        return widget

    def _invoices_tab(self) -> QWidget:
        self.invoice_pattern = QLineEdit()
        self.invoice_pattern.setObjectName("invoice_pattern")
        self.credit_pattern = QLineEdit()
        self.credit_pattern.setObjectName("credit_pattern")
        self.quote_pattern = QLineEdit()
        self.quote_pattern.setObjectName("quote_pattern")
        self.invoice_example = QLabel()
        self.credit_example = QLabel()
        self.quote_example = QLabel()
        self.quote_pattern.textChanged.connect(lambda t: self._example(t, self.quote_example))
        self.invoice_pattern.textChanged.connect(lambda t: self._example(t, self.invoice_example))
        self.credit_pattern.textChanged.connect(lambda t: self._example(t, self.credit_example))
        self.terms = QSpinBox()
        self.terms.setObjectName("terms")
        self.terms.setRange(0, 3650)
        self.terms.setSuffix(_(" days"))
        # finalize refuses an issue date further ahead than this (issue 10: one invoice dated ahead blocks every
        # earlier one, since numbers follow dates)
        self.future_days = QSpinBox()
        self.future_days.setObjectName("future_days")
        self.future_days.setRange(settings.FUTURE_DAYS.low, settings.FUTURE_DAYS.high)
        self.future_days.setSuffix(_(" days"))
        self.default_rate = QComboBox()
        self.default_rate.setObjectName("default_tax_rate")
        self.rounding = QComboBox()
        self.rounding.addItem(_("Per VAT rate over the document (EN 16931)"), "document")
        self.rounding.addItem(_("Per line"), "line")
        self.paper = QComboBox()
        self.paper.setObjectName("paper_size")
        self.paper.addItem(_("Automatic: Letter for customers in the US and Canada, A4 for all others"),
                           documents.PAPER_AUTO)
        self.paper.addItem(_("A4 for everyone"), PaperSize.A4.value)
        self.paper.addItem(_("US Letter for everyone"), PaperSize.LETTER.value)
        self.link_template = QLineEdit()
        self.link_template.setObjectName("payment_link_template")
        self.link_template.setPlaceholderText("https://pay.example.com/{token}?amount={amount}&cur={currency}")
        self.link_template.setToolTip(_("Placeholders: {token} (required), {amount}, {currency}, {number}"))
        self.link_days = QSpinBox()
        self.link_days.setObjectName("payment_link_days")
        self.link_days.setRange(1, 3650)
        self.link_days.setSuffix(_(" days after the due date"))
        self.qr_bill = QComboBox()
        self.qr_bill.setObjectName("qr_bill")
        self.qr_bill.addItem(_("For CHF and EUR invoices of a Swiss or Liechtenstein company"), qr_bills.AUTO)
        self.qr_bill.addItem(_("On every invoice (refuse one that cannot carry it)"), qr_bills.REQUIRED)
        self.qr_bill.addItem(_("Never"), qr_bills.OFF)
        help_text = QLabel(_("Tokens: {year} the issue year (numbers restart every year), {seq:05} the running "
                             "number with five digits, {customer} the customer number (one sequence each)."))
        help_text.setWordWrap(True)
        help_text.setProperty("muted", True)
        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(_("&Invoice numbers"), self.invoice_pattern)
        form.addRow("", self.invoice_example)
        form.addRow(_("C&redit note numbers"), self.credit_pattern)
        form.addRow("", self.credit_example)
        form.addRow(_("&Quote numbers"), self.quote_pattern)
        form.addRow("", self.quote_example)
        form.addRow("", help_text)
        form.addRow(_("Default payment &terms"), self.terms)
        form.addRow(_(settings.FUTURE_DAYS.title), self.future_days)
        form.addRow(_("Default &VAT rate"), self.default_rate)
        form.addRow(_("VAT &rounding on new invoices"), self.rounding)
        form.addRow(_("&Paper size of PDFs"), self.paper)
        form.addRow(_("Payment lin&k"), self.link_template)
        form.addRow(_("Payment links valid &for"), self.link_days)
        form.addRow(_("Swiss QR-&bill"), self.qr_bill)
        return widget

    def _language_tab(self) -> QWidget:
        self.language = LocalePicker(allow_system=_("Follow the system"), languages_only=True)
        self.language.setObjectName("language")
        note = QLabel(_("The interface language changes the next time Invoicer starts. Documents are written "
                        "in each customer's own language."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(_("Interface &language"), self.language)
        form.addRow("", note)
        return widget

    def _backups_tab(self) -> QWidget:
        self.keep = QSpinBox()
        self.keep.setRange(1, 1000)
        self.backups = QListWidget()
        self.backups.setObjectName("backups")
        create = QPushButton(_("Back up now"))
        create.setObjectName("backup_now")
        create.clicked.connect(self._backup)
        restore = QPushButton(_("Restore selected…"))
        restore.clicked.connect(self._restore)
        row = QHBoxLayout()
        row.addWidget(create)
        row.addWidget(restore)
        row.addStretch(1)
        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(_("&Backups to keep"), self.keep)
        form.addRow(_("Backups"), self.backups)
        form.addRow("", row)
        return widget

    # ------------------------------------------------------------ data

    def toolbar_actions(self) -> list[QAction]:
        return [self.save_action]

    def refresh(self) -> None:
        def query(session: Session) -> tuple[CompanyData, dict[str, Any], list[TaxRateRow]]:
            profile = company.company_data(company.get_company(session))
            company.logo_file(session, profile.logo_path)  # a server's logo: this desk's copy, for the preview
            values = {key: definition.get(session) for key, definition in settings.all_settings().items()}
            return profile, values, taxes.list_tax_rates(session)

        profile, values, rates = self.ops.read(query)
        self.name.setText(profile.name)
        self.address.setPlainText(profile.address)
        self.postcode.setText(profile.postcode)
        self.city.setText(profile.city)
        self.country.set_code(profile.country)
        self.vat_id.setText(profile.vat_id)
        self.tax_number.setText(profile.tax_number or "")
        self.email.setText(profile.email)
        self.phone.setText(profile.phone or "")
        self.contact.setText(profile.contact or "")
        self.endpoint.setText(validation.address_text(profile.endpoint_scheme, profile.endpoint_id))
        self.iban.setText(profile.iban)
        self.bic.setText(profile.bic)
        self.currency.set_code(profile.currency)
        self.document_locale.set_value(profile.locale)
        self.legal.setPlainText(profile.legal_details or "")
        self._show_logo(profile.logo_path)
        self.invoice_pattern.setText(values["numbering.invoice"])
        self.credit_pattern.setText(values["numbering.credit_note"])
        self.quote_pattern.setText(values["numbering.quote"])
        self.terms.setValue(values["invoice.terms_days"])
        self.future_days.setValue(values[settings.FUTURE_DAYS.key])
        self.default_rate.clear()
        for rate in rates:
            if rate.category == "S":
                self.default_rate.addItem(rate.name, f"{rate.rate.normalize():f}")
        default_rate = f"{values['invoice.default_tax_rate'].normalize():f}"
        self.default_rate.setCurrentIndex(max(self.default_rate.findData(default_rate), 0))
        self.rounding.setCurrentIndex(max(self.rounding.findData(values["invoice.tax_rounding"]), 0))
        self.paper.setCurrentIndex(max(self.paper.findData(values["documents.paper_size"]), 0))
        self.link_template.setText(values["payments.link_template"] or "")
        self.link_days.setValue(values["payments.link_days"])
        self.qr_bill.setCurrentIndex(max(self.qr_bill.findData(values["payments.qr_bill"]), 0))
        self.accounting.show_values(values, rates)
        self.language.set_value(values["ui.language"])
        self.keep.setValue(values["backup.keep"])
        self._list_backups()
        self._as_read = self._entered()

    def company_data(self) -> CompanyData:
        scheme, identifier = validation.split_address(self.endpoint.text())
        return CompanyData(
            name=self.name.text(), address=self.address.toPlainText(), postcode=self.postcode.text(),
            city=self.city.text(), country=self.country.code(), vat_id=self.vat_id.text(),
            tax_number=self.tax_number.text(), email=self.email.text(), phone=self.phone.text(),
            iban=self.iban.text(), bic=self.bic.text(), currency=self.currency.code(), locale=self.document_locale.value() or "",
            logo_path=self.logo_path, legal_details=self.legal.toPlainText(), contact=self.contact.text(),
            endpoint_scheme=scheme, endpoint_id=identifier,
        )

    def _entered(self) -> tuple[object, ...]:
        """What the page shows now, as typed; compared with what it showed when read, it tells whether the user
        changed anything."""
        return self.company_data(), self._values(), self.accounting.shown(), self.mail.shown()

    def data_changed(self, area: str) -> None:
        """Settings changed elsewhere (another window or desk) while the user is typing here: what they typed is
        kept, and they are told that saving replaces the other change; leaving without saving shows it."""
        if area in self.areas and self.isVisible() and self.has_changes():
            self._stale = True
            self.window_.statusBar().showMessage(
                _("Settings were changed elsewhere. Saving keeps what you typed here; leaving without saving shows the new values."),
                30000)
            return
        super().data_changed(area)

    def has_changes(self) -> bool:
        return self._as_read is not None and self._entered() != self._as_read

    def can_leave(self) -> bool:
        if not self.has_changes():
            return True
        answer = messages.ask_save(self, _("Settings"))
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.mail.load()
            self.refresh()
            return True
        return False

    def _values(self) -> dict[str, Any]:
        values = {
            "numbering.invoice": self.invoice_pattern.text().strip(),
            "numbering.credit_note": self.credit_pattern.text().strip(),
            "numbering.quote": self.quote_pattern.text().strip(),
            "invoice.terms_days": self.terms.value(),
            settings.FUTURE_DAYS.key: self.future_days.value(),
            "invoice.tax_rounding": self.rounding.currentData(),
            "documents.paper_size": self.paper.currentData(),
            "payments.link_template": self.link_template.text().strip(),
            "payments.link_days": self.link_days.value(),
            "payments.qr_bill": self.qr_bill.currentData(),
            "ui.language": self.language.value(),
            "backup.keep": self.keep.value(),
        }
        if self.default_rate.count():  # no standard rate entered yet: nothing to choose from
            values["invoice.default_tax_rate"] = self.default_rate.currentData()
        return values

    def save(self) -> bool:
        """Store every tab (company, settings, then mail and its keyring password); True when all is saved."""
        values = self._values()
        try:
            values |= self.accounting.values()
        except InvoicerError as err:
            self.tabs.setCurrentIndex(self.accounting_tab)
            messages.show_error(self, err)
            return False
        if not (self.ops.save_company(self, self.company_data()) and self.ops.save_settings(self, values)
                and self.mail.save()):
            return False
        self.window_.statusBar().showMessage(_("Settings saved."), 4000)
        self._as_read = self._entered()
        return True

    def _example(self, pattern: str, label: QLabel) -> None:
        try:
            validate_pattern(pattern)
        except InvoicerError as err:
            label.setText(error_text(err))
            label.setStyleSheet(warning_style())
            return
        label.setText(_("Next numbers look like {example}").format(
            example=format_number(pattern, date.today().year, 1, 42)))
        label.setStyleSheet("")

    def _choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose logo"), "", _("Images (*.png *.jpg *.jpeg)"))
        if path:
            self._show_logo(path)

    def _show_logo(self, path: str | None) -> None:
        self.logo_path = path
        found = paths.logo_file(self.ops.db.folder, path)  # stored relative to the data folder
        pixmap = QPixmap(str(found)) if found else QPixmap()
        if pixmap.isNull():
            self.logo.setPixmap(QPixmap())
            self.logo.setText(_("No logo") if not path else _("Cannot read {path}").format(path=Path(path).name))
            return
        self.logo.setPixmap(pixmap.scaled(self.logo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def _list_backups(self) -> None:
        self.backups.clear()
        for info in self.ops.list_backups():
            item = QListWidgetItem(_("{when} · {reason} · {size} KB").format(
                when=f"{day(info.created.date())} {info.created:%H:%M}",
                reason=_(BACKUP_REASONS[info.reason]) if info.reason in BACKUP_REASONS else info.reason,
                size=format_count(info.size // 1024)))
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.backups.addItem(item)

    def _backup(self) -> None:
        def done(target: Path) -> None:
            self._list_backups()
            self.window_.statusBar().showMessage(_("Backup written to {path}").format(path=target), 8000)

        self.ops.create_backup(self, done)

    def _restore(self) -> None:
        item = self.backups.currentItem()
        if item is None:
            messages.show_error(self, _("Choose the backup to restore in the list first."))
            return
        source = Path(item.data(Qt.ItemDataRole.UserRole))
        if not messages.confirm(self, _("Restore backup"), _(
                "Replace all current data with the backup {name}? The current data is backed up first. "
                "Invoicer closes afterwards; start it again to continue.").format(name=source.name), _("Restore")):
            return
        if self.ops.restore_backup(self, source):
            self._as_read = self._entered()  # what was typed belongs to the data replaced: nothing to ask about
            self.window_.close()
