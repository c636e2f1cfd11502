"""Settings: the ledger's journal accounts (with revenue per VAT rate), the paper size, and the Mail tab, all
saved by the page's one Save button with validation."""

from __future__ import annotations

from gui_helpers import replace_text, sidebar
from PySide6.QtCore import Qt

from invoicer.db.engine import transaction
from invoicer.gui.pages.mail_settings import MailSettingsWidget
from invoicer.mail import secrets
from invoicer.services import company, ledger, settings, taxes
from tests.mail.smtp_server import HOST, PASSWORD, USER


def _company_and_rates(db) -> None:  # type: ignore[no-untyped-def]
    with transaction(db.sessions) as s:
        company.update_company(s, name="Acme", address="Main St 1", postcode="10115", city="Berlin", country="DE",
                               vat_id="DE123456788")
        taxes.add_tax_rate(s, "VAT 19 %", "19", "S")
        taxes.add_tax_rate(s, "VAT 7 %", "7.0", "S")
        settings.put(s, ledger.REVENUE_BY_RATE, {"S 7": "4300", "Z 0": "4100"})


def _stored(db, *keys: str) -> list[object]:  # type: ignore[no-untyped-def]
    with transaction(db.readonly_sessions) as s:
        return [settings.get(s, key) for key in keys]


def test_journal_accounts_and_paper_size_are_edited_and_saved(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _company_and_rates(gui_db)
    page = sidebar(qtbot, window, "Settings")
    page.tabs.setCurrentIndex(page.accounting_tab)
    accounting = page.accounting
    assert [f.text() for f in accounting.accounts.values()] == ["1200", "4000", "2200", "1000", "2300", "6900",
                                                                 "2660", "2150", "4990", "2350"]
    # a row per VAT rate of the catalog, plus a stored rate the catalog no longer has
    assert {k: f.text() for k, f in accounting.by_rate.items()} == {"S 7": "4300", "S 19": "", "Z 0": "4100"}
    replace_text(qtbot, accounting.accounts["receivables"].edit, "1400")
    qtbot.keyClicks(accounting.by_rate["S 19"].edit, "4400")
    replace_text(qtbot, accounting.by_rate["Z 0"].edit, "")
    qtbot.keyClick(accounting.by_rate["Z 0"].edit, Qt.Key.Key_Delete)
    assert page.paper.currentData() == "auto"
    page.paper.setCurrentIndex(page.paper.findData("Letter"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    assert _stored(gui_db, "ledger.account.receivables", "ledger.account.revenue_by_rate", "documents.paper_size") == [
        "1400", {"S 7": "4300", "S 19": "4400"}, "Letter"]
    assert window.statusBar().currentMessage() == "Settings saved."

    page.refresh()  # what is shown is what was stored
    assert page.paper.currentData() == "Letter" and accounting.accounts["receivables"].text() == "1400"


def test_an_empty_account_is_refused_and_nothing_is_saved(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _company_and_rates(gui_db)
    page = sidebar(qtbot, window, "Settings")
    page.tabs.setCurrentIndex(0)
    page.paper.setCurrentIndex(page.paper.findData("A4"))
    replace_text(qtbot, page.accounting.accounts["bank"].edit, "   ")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == ["Enter an account code for “Cash / bank”."]
    assert page.tabs.currentIndex() == page.accounting_tab
    assert _stored(gui_db, "ledger.account.bank", "documents.paper_size") == ["1000", "auto"]


def test_the_mail_tab_is_saved_with_the_page(qtbot, window, gui_db, dialogs, memory_keyring):  # type: ignore[no-untyped-def]
    _company_and_rates(gui_db)
    page = sidebar(qtbot, window, "Settings")
    mail = page.findChild(MailSettingsWidget, "mail")
    assert mail is page.mail and page.tabs.tabText(page.tabs.indexOf(mail.parentWidget().parentWidget())) == "Mail"
    qtbot.keyClicks(mail.host, HOST)
    qtbot.keyClicks(mail.user, USER)
    mail.password.setText(PASSWORD)  # QTest cannot type its "ä"
    qtbot.keyClicks(mail.from_address.edit, USER)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    assert _stored(gui_db, "mail.host", "mail.user") == [HOST, USER]
    assert memory_keyring.store == {(secrets.SERVICE, f"{USER}@{HOST}"): PASSWORD}
    assert mail.password.text() == ""  # never kept in the form


def test_ctrl_s_saves_the_settings(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    page = sidebar(qtbot, window, "Settings")
    page.name.setFocus()
    qtbot.keyClicks(page.name, "Acme")
    qtbot.keyClick(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Settings saved."
    with transaction(gui_db.readonly_sessions) as s:
        assert company.get_company(s).name == "Acme"


def test_the_quote_number_format_is_edited_with_its_example(qtbot, window, gui_db, dialogs):  # type: ignore[no-untyped-def]
    _company_and_rates(gui_db)
    page = sidebar(qtbot, window, "Settings")
    assert page.quote_pattern.text() == "QUO-{year}-{seq:05}"
    replace_text(qtbot, page.quote_pattern, "ANG-{year}-{seq:04}")
    assert "-0001" in page.quote_example.text()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == [] and _stored(gui_db, "numbering.quote") == ["ANG-{year}-{seq:04}"]


def test_the_write_off_vat_treatment_and_the_days_an_invoice_may_be_dated_ahead_are_set_here(  # type: ignore[no-untyped-def]
        qtbot, window, gui_db, dialogs):
    """Both were settings only `invoicer settings` could change (issue 10: a setting for the VAT treatment of a
    write-off, correcting by default; a tolerance for issue dates ahead, 0 days by default)."""
    _company_and_rates(gui_db)
    page = sidebar(qtbot, window, "Settings")
    assert page.accounting.writeoff_corrects_vat.isChecked() and page.future_days.value() == 0
    page.accounting.writeoff_corrects_vat.setChecked(False)
    page.future_days.setValue(3)
    assert page.has_changes()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    assert _stored(gui_db, ledger.WRITE_OFF_CORRECTS_VAT.key, settings.FUTURE_DAYS.key) == [False, 3]
    page.refresh()
    assert not page.accounting.writeoff_corrects_vat.isChecked() and page.future_days.value() == 3
