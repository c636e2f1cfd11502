"""Add or edit a customer, with email, VAT ID (python-stdnum), country and electronic address checked as the
user types, and the e-invoice format they get."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from invoicer.core.errors import ValidationError
from invoicer.gui.operations import Operations
from invoicer.gui.style import warning_style
from invoicer.gui.widgets.checked_field import CheckedLineEdit
from invoicer.gui.widgets.pickers import CountryPicker, CurrencyPicker, LocalePicker
from invoicer.gui.widgets.text_box import text_box
from invoicer.i18n import _, error_text
from invoicer.services import company, customers, einvoicing, settings, validation
from invoicer.services.customers import CustomerData
from invoicer.services.store import Session


class CustomerDialog(QDialog):
    """``customer_id`` None adds a customer; afterwards ``customer_id`` holds the saved one."""

    def __init__(self, ops: Operations, parent: QWidget | None = None, customer_id: int | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.customer_id = customer_id
        self.setWindowTitle(_("New customer") if customer_id is None else _("Edit customer"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.contact = QLineEdit()
        self.email = CheckedLineEdit(validation.email)
        self.email.setObjectName("email")
        self.address = text_box()
        self.postcode = QLineEdit()
        self.city = QLineEdit()
        self.country = CountryPicker()
        self.country.setObjectName("country")
        self.vat_id = CheckedLineEdit(lambda text: validation.vat_id(text, self.country.code()))
        self.vat_id.setObjectName("vat_id")
        self.country.currentIndexChanged.connect(self.vat_id.validate)
        self.iban = CheckedLineEdit(validation.iban)
        self.iban.setObjectName("iban")
        self.bic = CheckedLineEdit(validation.bic)
        self.bic.setObjectName("bic")
        self.currency = CurrencyPicker()
        self.document_locale = LocalePicker()  # not ``locale``: that would hide QWidget.locale()
        self.terms = QSpinBox()
        self.terms.setRange(0, 3650)
        self.terms.setSuffix(_(" days"))
        self.notes = text_box()
        self.einvoice_format = QComboBox()
        self.einvoice_format.setObjectName("einvoice_format")
        self.einvoice_format.addItem("", None)  # "Default (…)": named by _show_default_format
        for fmt in einvoicing.ISSUED_FORMATS:
            self.einvoice_format.addItem(_(einvoicing.FORMAT_NAMES[fmt]), fmt.value)
        self.public_body = QCheckBox(_("Public administration (German ones receive XRechnung)"))
        self.public_body.setObjectName("public_body")
        self.endpoint = CheckedLineEdit(validation.peppol_id)
        self.endpoint.setObjectName("endpoint")
        self.endpoint.edit.setPlaceholderText(_("SCHEME:ID, e.g. 0204:991-12345-67 or 0088:4035811991021"))
        self.outdated = QLabel()
        self.outdated.setObjectName("outdated")
        self.outdated.setWordWrap(True)
        self.outdated.setStyleSheet(warning_style())
        self.outdated.hide()

        form = QFormLayout()
        form.addRow(_("&Name"), self.name)
        form.addRow(_("C&ontact person"), self.contact)
        form.addRow(_("&Email"), self.email)
        form.addRow(_("&Address"), self.address)
        form.addRow(_("&Postcode"), self.postcode)
        form.addRow(_("C&ity"), self.city)
        form.addRow(_("Coun&try"), self.country)
        form.addRow(_("&VAT ID"), self.vat_id)
        form.addRow(_("I&BAN"), self.iban)
        form.addRow(_("BI&C"), self.bic)
        form.addRow(_("Billing c&urrency"), self.currency)
        form.addRow(_("Document &language"), self.document_locale)
        form.addRow(_("Payment &terms"), self.terms)
        form.addRow(_("Note&s"), self.notes)
        form.addRow("", self.public_body)
        form.addRow(_("E-invoice &format"), self.einvoice_format)
        form.addRow(_("Electronic add&ress (Peppol ID)"), self.endpoint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outdated)
        layout.addWidget(buttons)
        self._load()
        self._flag_outdated()
        self.country.currentTextChanged.connect(self._flag_outdated)
        self.currency.currentTextChanged.connect(self._flag_outdated)
        self._show_default_format()
        for changed in (self.country.currentIndexChanged, self.public_body.toggled, self.endpoint.edit.textChanged):
            changed.connect(self._show_default_format)

    def _show_default_format(self) -> None:
        """Name the format the customer gets when none is chosen, as country, public body and address say."""
        fmt = einvoicing.default_format(self.country.code() or "", self.public_body.isChecked(),
                                        bool(validation.split_address(self.endpoint.text())[1]))
        self.einvoice_format.setItemText(0, _("Default: {format}").format(format=_(einvoicing.FORMAT_NAMES[fmt])))

    def _flag_outdated(self) -> None:
        """Name a code stored when it was still accepted (a customer in HRK): the customer opens, but saving
        and finalizing refuse it until a current one is chosen."""
        try:
            validation.still_valid(self.name.text(), self.country.code(), self.currency.code())
        except ValidationError as error:
            self.outdated.setText(error_text(error))
            self.outdated.show()
        else:
            self.outdated.hide()

    def _load(self) -> None:
        def query(session: Session) -> tuple[str | None, str | None, str | None, int, CustomerData | None]:
            seller = company.get_company(session)
            terms = settings.TERMS_DAYS.get(session)
            existing = None if self.customer_id is None else customers.get_customer(session, self.customer_id)
            data = None if existing is None else customers.customer_data(existing)
            return seller.country, seller.currency, seller.locale, terms, data

        country, currency, locale, terms, data = self.ops.read(query)
        if data is None:
            self.country.set_code(country or "DE")
            self.currency.set_code(currency or "EUR")
            self.document_locale.set_value(locale)
            self.terms.setValue(int(terms))
            return
        self.name.setText(data.name)
        self.contact.setText(data.contact or "")
        self.email.setText(data.email)
        self.address.setPlainText(data.address)
        self.postcode.setText(data.postcode)
        self.city.setText(data.city)
        self.country.set_code(data.country)
        self.vat_id.setText(data.vat_id)
        self.iban.setText(data.iban)
        self.bic.setText(data.bic)
        self.currency.set_code(data.currency or "EUR")
        self.document_locale.set_value(data.locale)
        self.terms.setValue(data.terms_days or 0)
        self.notes.setPlainText(data.notes or "")
        self.public_body.setChecked(data.public_body)
        self.einvoice_format.setCurrentIndex(max(0, self.einvoice_format.findData(data.einvoice_format)))
        self.endpoint.setText(validation.address_text(data.endpoint_scheme, data.endpoint_id))

    def data(self) -> CustomerData:
        scheme, identifier = validation.split_address(self.endpoint.text())
        return CustomerData(
            name=self.name.text(), country=self.country.code(), contact=self.contact.text(),
            email=self.email.text(), address=self.address.toPlainText(), postcode=self.postcode.text(),
            city=self.city.text(), vat_id=self.vat_id.text(), iban=self.iban.text(), bic=self.bic.text(),
            currency=self.currency.code(),
            locale=self.document_locale.value(), terms_days=self.terms.value(), notes=self.notes.toPlainText(),
            einvoice_format=self.einvoice_format.currentData(), public_body=self.public_body.isChecked(),
            endpoint_scheme=scheme, endpoint_id=identifier,
        )

    def accept(self) -> None:
        if self.customer_id is None:
            new_id = self.ops.add_customer(self, self.data())
            if new_id is None:
                return
            self.customer_id = new_id
        elif not self.ops.update_customer(self, self.customer_id, self.data()):
            return
        super().accept()
