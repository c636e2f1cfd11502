"""Each dialog's validation when a field is left (and while a problem is being corrected), and the actions the
app refuses with a readable message."""

from __future__ import annotations

import logging
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from gui_helpers import activate, more_action, press, replace_text, run_modal, toolbar_button
from PySide6.QtCore import QLockFile, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import update

from invoicer import paths
from invoicer.db.engine import transaction
from invoicer.db.models import Customer
from invoicer.gui import app as app_module
from invoicer.gui import messages
from invoicer.gui.dialogs.customer import CustomerDialog
from invoicer.logs import setup_logging
from invoicer.services import company, credit_notes, customers, invoices, ledger, payments, products, taxes
from invoicer.services.invoices import DraftData, LineData

REAL_SHOW_UNEXPECTED = messages.show_unexpected  # taken before the fixture replaces it


def _seed(db, finalize: bool = True, with_company: bool = True) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A customer and an invoice of 119.00 (100 + 19 % VAT); returns (customer id, invoice id)."""
    with transaction(db.sessions) as s:
        if with_company:
            company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin",
                                   country="DE", vat_id="DE123456788")
        rate = taxes.add_tax_rate(s, "VAT 19 %", "19", "S")
        products.add_product(s, products.ProductData(name="Support hour", unit_price="80", unit="HUR",
                                                     tax_rate_id=rate))
        customer = customers.add_customer(s, customers.CustomerData(name="Globex AG", country="DE"))
        invoice = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")]))
        if finalize:
            invoices.finalize_invoice(s, invoice)
    return customer, invoice


def test_customer_dialog_checks_email_and_vat_id_as_you_type(qtbot, window, dialogs):  # type: ignore[no-untyped-def]
    dialog = CustomerDialog(window.ops, window)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    dialog.email.setFocus()
    qtbot.keyClicks(dialog.email.edit, "not-an-email")
    assert not dialog.email.message.isVisibleTo(dialog)  # nothing said while typing
    press(qtbot, Qt.Key.Key_Tab)  # said when the field is left
    assert dialog.email.message.isVisibleTo(dialog) and "not an email" in dialog.email.message.text()
    replace_text(qtbot, dialog.email.edit, "ok@exam")
    assert dialog.email.message.isVisibleTo(dialog)  # a problem shown is re-checked while correcting...
    qtbot.keyClicks(dialog.email.edit, "ple.com")
    assert not dialog.email.message.isVisibleTo(dialog)  # ...and goes as soon as the text is right
    dialog.country.set_code("DE")
    dialog.vat_id.setFocus()
    qtbot.keyClicks(dialog.vat_id.edit, "DE123")
    press(qtbot, Qt.Key.Key_Tab)
    assert "not a valid VAT ID" in dialog.vat_id.message.text()
    # saving without a name is refused with the service's message; the dialog stays open
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialogs.errors and "Name is required" in dialogs.errors[-1]
    assert dialog.isVisible() and dialog.customer_id is None


def test_customer_dialog_checks_iban_as_you_type_and_saves_the_account(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    dialog = CustomerDialog(window.ops, window)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    qtbot.keyClicks(dialog.name, "Bank Kunde")
    dialog.iban.setFocus()
    qtbot.keyClicks(dialog.iban.edit, "DE89 3704 0044 0532 0130 01")  # wrong check digits
    press(qtbot, Qt.Key.Key_Tab)
    assert dialog.iban.message.isVisibleTo(dialog) and "not a valid IBAN" in dialog.iban.message.text()
    replace_text(qtbot, dialog.iban.edit, "DE89 3704 0044 0532 0130 00")
    assert not dialog.iban.message.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialogs.errors and dialog.customer_id is not None
    with transaction(gui_db.readonly_sessions) as s:
        assert customers.get_customer(s, dialog.customer_id).iban == "DE89370400440532013000"


def test_payment_dialog_refuses_junk_and_explains_overpayment(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)

    def check(dialog) -> None:  # type: ignore[no-untyped-def]
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        replace_text(qtbot, dialog.amount, "abc")
        assert not ok.isEnabled() and "not a number" in dialog.effect.text()
        replace_text(qtbot, dialog.amount, "1.234")
        assert not ok.isEnabled() and "decimal places" in dialog.effect.text()
        replace_text(qtbot, dialog.amount, "150")
        assert ok.isEnabled() and "€31.00" in dialog.effect.text() and "customer credit" in dialog.effect.text()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Record payment…"),
                                              Qt.MouseButton.LeftButton), check)
    assert editor.document.status == "paid"
    with transaction(gui_db.readonly_sessions) as s:
        assert payments.customer_credit(s, editor.document.customer_id, "EUR") == 3100


def test_credit_note_dialog_refuses_more_than_the_total(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)

    def check(dialog) -> None:  # type: ignore[no-untyped-def]
        replace_text(qtbot, dialog.amount, "500")
        assert not dialog.issue_button.isEnabled() and "cannot exceed" in dialog.effect.text()
        replace_text(qtbot, dialog.amount, "119")
        assert dialog.issue_button.isEnabled() and "€119.00" in dialog.effect.text()
        dialog.reject()

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Issue credit note…"),
                                              Qt.MouseButton.LeftButton), check)
    with transaction(gui_db.readonly_sessions) as s:  # the previews were rolled back: nothing was issued
        assert invoices.count_invoices(s, invoices.InvoiceFilter(doc_type="credit_note")) == 0


def test_finalize_without_company_profile_is_refused(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db, finalize=False, with_company=False)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Finalize…"), Qt.MouseButton.LeftButton)
    assert dialogs.errors and "company profile" in dialogs.errors[-1]
    assert editor.document.status == "draft"


def test_declined_confirmation_takes_no_number(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db, finalize=False)
    dialogs.confirm_answer = False
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Finalize…"), Qt.MouseButton.LeftButton)
    assert f"INV-{date.today().year}-00001" in dialogs.confirmations[-1]
    assert editor.document.status == "draft" and editor.document.number is None


def test_void_after_a_payment_is_refused(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db)
    with transaction(gui_db.sessions) as s:
        payments.record_payment(s, invoice_id, 1000)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    # the workflow refuses it before the click: disabled, with the reason where the pointer rests
    assert not editor.void_action.isEnabled() and "cannot be voided" in editor.void_action.toolTip()
    more_action(editor, "Void…").trigger()
    assert editor.document.status == "open"


def test_saving_a_draft_without_customer_is_refused(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _seed(gui_db)
    editor = window.new_invoice()
    activate(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.errors and "Choose a customer" in dialogs.errors[-1]
    assert editor.invoice_id is None


def test_deleting_a_customer_with_invoices_is_refused(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _seed(gui_db)
    page = window.show_page("customers")
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.mouseClick(toolbar_button(window.toolbar, "Delete"), Qt.MouseButton.LeftButton)
    assert dialogs.errors and "archive the customer instead" in dialogs.errors[-1]


def test_the_customer_list_shows_credit_in_every_currency(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    """A EUR customer overpays a USD invoice by 10.00: the list showed a credit of 0.00."""
    from invoicer.gui.style import money
    from invoicer.services import rates

    customer, invoice_id = _seed(gui_db)
    with transaction(gui_db.sessions) as s:
        payments.record_payment(s, invoice_id, 11900)
        rates.set_rate(s, "USD", "0.9", date.today() - timedelta(days=1))
        usd = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "S", "19")], currency="USD"))
        invoices.finalize_invoice(s, usd)
        payments.record_payment(s, usd, 12900)
    page = window.show_page("customers")
    credit = next(c for c in range(page.model.columnCount()) if page.model.headerData(c, Qt.Orientation.Horizontal)
                  == "Credit")
    assert page.model.index(0, credit).data() == money(1000, "USD")


def test_product_name_fills_price_and_tax(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    customer, _invoice = _seed(gui_db)
    editor = window.new_invoice(customer)
    activate(qtbot, editor)
    editor.line_table.start()
    qtbot.keyClicks(editor.focusWidget(), "Support hour")
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    row = editor.lines.rows[0]
    assert (row["unit_price"], row["unit"], row["tax"], row["quantity"]) == ("80.00", "HUR", "S|19", "1")  # the currency's decimals
    assert editor.totals.values["total"].text() == "€95.20"


def test_unexpected_error_is_logged_and_the_app_goes_on(qtbot, window, gui_db, dialogs, monkeypatch,
                                                        tmp_path):  # type: ignore[no-untyped-def]
    _seed(gui_db)
    log_file = setup_logging(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_unexpected", REAL_SHOW_UNEXPECTED)
    monkeypatch.setattr(messages, "_log_file", log_file)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in archiving")

    monkeypatch.setattr(customers, "archive_customer", broken)
    page = window.show_page("customers")
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.mouseClick(toolbar_button(window.toolbar, "Archive / restore"), Qt.MouseButton.LeftButton)
    assert shown and str(log_file) in shown[0] and "Your data is safe" in shown[0]
    for handler in logging.getLogger("invoicer").handlers:
        handler.flush()
    assert "RuntimeError: a bug in archiving" in log_file.read_text(encoding="utf-8")
    assert window.isVisible() and dialogs.errors == []


def test_second_instance_explains_and_exits(qtbot, gui_db, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, error: shown.append(messages.error_message(error)))
    lock = QLockFile(str(paths.app_lock_path(gui_db.folder)))
    assert lock.tryLock(100)
    try:
        assert app_module.run(gui_db.folder) == 1
    finally:
        lock.unlock()
    assert shown and "already open" in shown[0]


def test_sending_without_email_settings_is_explained(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Send by email…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialogs.errors or dialogs.unexpected), timeout=10000)
    assert dialogs.unexpected == 0 and "not set up" in dialogs.errors[-1]


def test_app_run_opens_the_main_window(qtbot, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from invoicer.gui.main_window import MainWindow

    seen: list[str] = []

    def exec_once(self: QApplication) -> int:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(w.windowTitle() for w in windows)
        for w in windows:
            w.close()
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(QApplication, "exec", exec_once)
    assert app_module.run(tmp_path / "data") == 0
    assert seen and "Invoicer" in seen[0]
    assert (tmp_path / "data" / "invoicer.sqlite3").exists()
    assert not QLockFile(str(paths.app_lock_path(tmp_path / "data"))).isLocked()


def test_customer_dialog_flags_a_withdrawn_currency_and_opens(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    customer, _invoice = _seed(gui_db, finalize=False)
    with transaction(gui_db.sessions) as s:  # stored when the kuna was still legal tender
        s.execute(update(Customer).where(Customer.id == customer).values(currency="HRK"))
    dialog = CustomerDialog(window.ops, window, customer)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.currency.code() == "HRK"
    assert dialog.outdated.isVisibleTo(dialog) and "HRK is no longer a valid currency" in dialog.outdated.text()
    dialog.currency.set_code("EUR")
    assert not dialog.outdated.isVisibleTo(dialog)


def _seed_dated(db, days_ago: int) -> int:  # type: ignore[no-untyped-def]
    """An open invoice of 119.00 issued ``days_ago`` days ago."""
    _customer, invoice_id = _seed(db, finalize=False)
    with transaction(db.sessions) as s:
        data = invoices.draft_data(invoices.get_invoice(s, invoice_id))
        data.issue_date = date.today() - timedelta(days=days_ago)
        data.due_date = None
        invoices.update_draft(s, invoice_id, data)
        invoices.finalize_invoice(s, invoice_id)
    return invoice_id


def test_credit_note_dialog_dates_the_note_between_the_invoice_and_today(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    invoice_id = _seed_dated(gui_db, 10)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    chosen = date.today() - timedelta(days=3)

    def issue(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.issue_date.minimumDate().toPython() == date.today() - timedelta(days=10)
        assert dialog.issue_date.maximumDate().toPython() == date.today()
        replace_text(qtbot, dialog.amount, "10")
        dialog.issue_date.setDate(chosen)
        assert dialog.issue_button.isEnabled(), dialog.effect.text()
        dialog.issue_button.click()

    run_modal(qtbot, lambda: qtbot.mouseClick(toolbar_button(editor.toolbar, "Issue credit note…"),
                                              Qt.MouseButton.LeftButton), issue)
    with transaction(gui_db.readonly_sessions) as s:
        (note,) = credit_notes.list_credit_notes(s, invoice_id)
        assert note.issue_date == chosen


def test_write_off_offers_no_day_before_the_last_payment(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    invoice_id = _seed_dated(gui_db, 10)
    paid_on = date.today() - timedelta(days=4)
    with transaction(gui_db.sessions) as s:
        payments.record_payment(s, invoice_id, 1000, paid_on)
    dialogs.day = date.today() - timedelta(days=6)  # typed anyway: the service refuses it, saying why
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    more_action(editor, "Mark uncollectible…").trigger()
    assert dialogs.earliest == [paid_on]
    assert editor.document.status == "open"
    assert "cannot be written off earlier" in dialogs.errors[-1]


@pytest.mark.parametrize(("country", "vat_id", "tax"), [("US", None, "G|0"), ("FR", "FR40303265045", "AE|0")])
def test_a_foreign_customers_lines_take_the_derived_zero_rate(qtbot, window, gui_db, dialogs, country, vat_id, tax):  # type: ignore[no-untyped-def]
    _seed(gui_db)
    with transaction(gui_db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Abroad", country=country, vat_id=vat_id))
    editor = window.new_invoice(customer)
    activate(qtbot, editor)
    assert editor.lines.rows[0]["tax"] == tax.replace("AE", "K")  # a blank line is goods until a unit says else
    editor.line_table.start()
    qtbot.keyClicks(editor.focusWidget(), "Support hour")  # sold by the hour: a service
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    assert editor.lines.rows[0]["tax"] == tax


PDF_ONLY = ("No e-invoice (XML) is attached: the EN 16931 standard states amounts with at most two decimals and BHD "
            "has 3, so this document is a PDF only.")


@pytest.mark.parametrize(("currency", "country", "price", "company_total"), [("USD", "US", "100", 9200),
                                                                           ("BHD", "BH", "10.125", 932)])
def test_finalizing_a_foreign_currency_invoice_asks_the_rate(qtbot, window, gui_db, dialogs,  # type: ignore[no-untyped-def]
                                                             currency, country, price, company_total):
    _seed(gui_db)
    with transaction(gui_db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Abroad", country=country, currency=currency))
        draft = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", price, "G", "0")]))
    dialogs.rate = "0.92"
    editor = window.open_invoice(draft)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Finalize…"), Qt.MouseButton.LeftButton)
    assert dialogs.rates_offered == [""] and not dialogs.errors  # no stored rate: the user typed one
    # a currency EN 16931 cannot state is said to be issued as a PDF only before it is finalized
    assert (PDF_ONLY in dialogs.confirmations[-1]) == (currency == "BHD")
    with transaction(gui_db.readonly_sessions) as s:
        invoice = invoices.get_invoice(s, draft)
        assert (invoice.status, invoice.exchange_rate, invoice.company_total) == ("open", Decimal("0.92"),
                                                                                  company_total)


def test_finalize_offers_the_stored_rate_of_the_issue_date(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.services import rates

    _seed(gui_db)
    with transaction(gui_db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Acme Inc.", country="US", currency="USD"))
        draft = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "G", "0")]))
        issued = invoices.get_invoice(s, draft).issue_date
        rates.set_rate(s, "USD", "0.8", issued - timedelta(days=30))
        rates.set_rate(s, "USD", "0.9150", issued - timedelta(days=1))
        rates.set_rate(s, "USD", "1.5", issued + timedelta(days=1))  # not yet valid on the issue date
    editor = window.open_invoice(draft)
    activate(qtbot, editor)
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Finalize…"), Qt.MouseButton.LeftButton)
    assert dialogs.rates_offered == ["0.915"] and not dialogs.errors  # accepted as offered
    with transaction(gui_db.readonly_sessions) as s:
        invoice = invoices.get_invoice(s, draft)
        assert (invoice.status, invoice.exchange_rate, invoice.company_total) == ("open", Decimal("0.915"), 9150)


def test_a_foreign_currency_payment_takes_the_days_rate_offered_or_typed(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.payment import PaymentDialog
    from invoicer.services import rates, views

    _seed(gui_db)
    today = date.today()
    with transaction(gui_db.sessions) as s:
        customer = customers.add_customer(s, customers.CustomerData(name="Acme Inc.", country="US", currency="USD"))
        draft = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "100", "G", "0")]))
        invoices.finalize_invoice(s, draft, "0.9")  # locked as typed, not the table's
        rates.set_rate(s, "USD", "0.925", today - timedelta(days=2))
        document = views.invoice_view(s, draft, today)
    dialog = PaymentDialog(window.ops, document, window)
    qtbot.addWidget(dialog)
    assert dialog.rate is not None and dialog.rate.text() == "0.925"  # the rates table's, on the payment day
    replace_text(qtbot, dialog.rate, "0.95")
    dialog.accept()
    assert not dialogs.errors
    with transaction(gui_db.readonly_sessions) as s:
        (paid,) = payments.list_payments(s, draft)
        journal = next(t for t in ledger.build_ledger(s).tables if t.name == "journal")
        postings = [tuple(r) for r in journal.rows() if r[3] == "Payment 1"]
    assert paid.amount == 10000
    assert {r[4]: (r[5], r[6]) for r in postings} == {"1000": (9500, None), "1200": (None, 9000),
                                                       "2660": (None, 500)}


def test_customer_dialog_shows_the_default_format_and_saves_format_and_address(  # type: ignore[no-untyped-def]
    qtbot, window, gui_db, dialogs
):
    dialog = CustomerDialog(window.ops, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Bundesamt")
    dialog.country.set_code("DE")
    assert dialog.einvoice_format.itemText(0) == "Default: Factur-X (PDF with embedded XML)"
    dialog.public_body.setChecked(True)
    assert dialog.einvoice_format.itemText(0) == "Default: XRechnung (CII)"
    qtbot.keyClicks(dialog.endpoint.edit, "12:345")
    assert "not an electronic address scheme" in dialog.endpoint.message.text()
    replace_text(qtbot, dialog.endpoint.edit, "0204:991-12345-67")
    assert not dialog.endpoint.message.isVisibleTo(dialog)
    dialog.einvoice_format.setCurrentIndex(dialog.einvoice_format.findData("xrechnung-ubl"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialogs.errors and dialog.customer_id is not None
    with transaction(gui_db.readonly_sessions) as s:
        saved = customers.get_customer(s, dialog.customer_id)
        assert (saved.einvoice_format, saved.public_body, saved.endpoint_scheme, saved.endpoint_id) == (
            "xrechnung-ubl", True, "0204", "991-12345-67")
    again = CustomerDialog(window.ops, window, dialog.customer_id)
    qtbot.addWidget(again)
    assert again.einvoice_format.currentData() == "xrechnung-ubl" and again.public_body.isChecked()
    assert again.endpoint.text() == "0204:991-12345-67"


def test_mail_not_set_up_offers_the_mail_settings(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _customer, invoice_id = _seed(gui_db)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    dialogs.open_settings = True
    qtbot.mouseClick(toolbar_button(editor.toolbar, "Send by email…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pages.get("settings"), timeout=10000)
    page = window.pages["settings"]
    assert page.tabs.currentIndex() == page.mail_tab
    assert "Settings → Mail" in dialogs.errors[-1] and "invoicer mail set" not in dialogs.errors[-1]


@pytest.mark.parametrize(("action", "status", "event"), [("Void…", "void", "void"),
                                                      ("Mark uncollectible…", "uncollectible", "write_off")])
def test_void_and_write_off_take_the_date_given_from_the_issue_date_on(qtbot, window, gui_db, dialogs,  # type: ignore[no-untyped-def]
                                                                       action, status, event):
    import json

    from sqlalchemy import select

    from invoicer.db.models import AuditEvent

    invoice_id = _seed_dated(gui_db, 10)
    dialogs.day = date.today() - timedelta(days=3)
    editor = window.open_invoice(invoice_id)
    activate(qtbot, editor)
    more_action(editor, action).trigger()
    assert editor.document.status == status, dialogs.errors
    assert dialogs.earliest == [date.today() - timedelta(days=10)]  # no day before the invoice is offered
    with transaction(gui_db.readonly_sessions) as s:
        (payload,) = s.scalars(select(AuditEvent.payload).where(AuditEvent.action == event)).all()
        table = next(t for t in ledger.build_ledger(s).tables if t.name == "journal")
        written_off = {row[1] for row in table.rows() if row[3] == "Written off as uncollectible"}
    assert json.loads(payload)["date"] == dialogs.day.isoformat()
    assert written_off == ({dialogs.day} if status == "uncollectible" else set())


@pytest.mark.parametrize("where", ["invoice window", "payments page"])
def test_a_reversal_takes_the_date_given_from_its_payment_on(qtbot, window, gui_db, dialogs, where):  # type: ignore[no-untyped-def]
    invoice_id = _seed_dated(gui_db, 10)
    paid_on = date.today() - timedelta(days=6)
    with transaction(gui_db.sessions) as s:
        payments.record_payment(s, invoice_id, 5000, paid_on)
    dialogs.day = date.today() - timedelta(days=2)
    if where == "invoice window":
        editor = window.open_invoice(invoice_id)
        activate(qtbot, editor)
        editor.payment_table.setCurrentIndex(editor.payment_model.index(0, 0))
        editor.reverse_button.click()
    else:
        page = window.show_page("payments")
        page.table.setCurrentIndex(page.model.index(0, 0))
        page.reverse_action.trigger()
    assert dialogs.earliest == [paid_on] and not dialogs.errors
    with transaction(gui_db.readonly_sessions) as s:
        listed = payments.list_payments(s, invoice_id)
    assert [(p.kind, p.paid_on) for p in listed if p.kind == "reversal"] == [("reversal", dialogs.day)]


def test_apply_credit_and_payment_dialogs_date_from_the_issue_date_to_today(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.payment import ApplyCreditDialog, PaymentDialog
    from invoicer.services import views

    invoice_id = _seed_dated(gui_db, 10)
    with transaction(gui_db.sessions) as s:
        customer = invoices.get_invoice(s, invoice_id).customer_id
        later = invoices.create_draft(s, DraftData(customer, [LineData("Work", "1", "10", "S", "19")],
                                                   issue_date=date.today() - timedelta(days=5)))
        invoices.finalize_invoice(s, later)
        payments.record_payment(s, later, 5000, date.today() - timedelta(days=5))  # 38.10 over: customer credit
        document = views.invoice_view(s, invoice_id, date.today())
    issued = date.today() - timedelta(days=10)
    for dialog_type in (PaymentDialog, ApplyCreditDialog):
        dialog = dialog_type(window.ops, document, window)
        qtbot.addWidget(dialog)
        picker = dialog.paid_on if dialog_type is PaymentDialog else dialog.applied_on
        assert (picker.minimumDate().toPython(), picker.maximumDate().toPython()) == (issued, date.today())
    chosen = date.today() - timedelta(days=4)
    dialog.applied_on.setDate(chosen)
    dialog.accept()
    assert not dialogs.errors
    with transaction(gui_db.readonly_sessions) as s:
        assert [p.paid_on for p in payments.list_payments(s, invoice_id)] == [chosen]
