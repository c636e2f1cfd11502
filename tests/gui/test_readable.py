"""Readable in every language at the default window size: every page and dialog, shown offscreen in English,
German, French and Spanish on demo data, has room for each label, button, tab, column header, badge and chart
label (tests/gui/readability.py measures them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from invoicer import i18n
from invoicer.db.migrate import Database
from invoicer.services import demo
from invoicer.services.invoices import InvoiceFilter, list_invoices
from tests.gui.readability import clipped

LANGUAGES = ("en_US", "de_DE", "fr_FR", "es_ES")


@pytest.fixture
def business(gui_db: Database) -> Database:
    demo.generate(gui_db, invoices=60, seed=7)
    return gui_db


def _settle(window: QWidget) -> None:
    for _ in range(4):
        QApplication.processEvents()


def _dialogs(window) -> Iterator[tuple[str, Callable[[], QWidget]]]:  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.catalog import ProductDialog, TaxRateDialog
    from invoicer.gui.dialogs.credit_note import CreditNoteDialog
    from invoicer.gui.dialogs.customer import CustomerDialog
    from invoicer.gui.dialogs.customer_account import CustomerAccountDialog
    from invoicer.gui.dialogs.payment import PaymentDialog
    from invoicer.gui.dialogs.reminders_dialog import RemindersDialog
    from invoicer.services import views

    with window.db.readonly_sessions() as s:
        partly = list_invoices(s, InvoiceFilter(status="partially paid"), limit=1) or list_invoices(
            s, InvoiceFilter(status="open"), limit=1)
        draft = list_invoices(s, InvoiceFilter(status="draft"), limit=1)
        document = views.invoice_view(s, partly[0].id, date.today())
    yield "new invoice", lambda: window.new_invoice()
    yield "finalized invoice", lambda: window.open_invoice(partly[0].id)
    if draft:
        yield "draft invoice", lambda: window.open_invoice(draft[0].id)
    yield "customer", lambda: CustomerDialog(window.ops, window, partly[0].customer_id)
    yield "customer account", lambda: CustomerAccountDialog(window, partly[0].customer_id, window)
    yield "product", lambda: ProductDialog(window.ops, window)
    yield "tax rate", lambda: TaxRateDialog(window.ops, window)
    yield "payment", lambda: PaymentDialog(window.ops, document, window)
    yield "credit note", lambda: CreditNoteDialog(window.ops, document, window)
    yield "reminders", lambda: RemindersDialog(window.ops, parent=window)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_clipped_on_any_page_or_dialog(qtbot, business, dialogs, language):  # type: ignore[no-untyped-def]
    from invoicer.gui.main_window import MainWindow

    i18n.set_language(language)
    window = MainWindow(business)
    qtbot.addWidget(window)
    window.resize(1200, 760)  # the size a first start opens at
    window.show()
    problems = []
    for spec in window.specs:
        window.show_page(spec.key)
        _settle(window)
        problems += [f"{language} page {spec.key}: {p}" for p in clipped(window)]
    for name, make in _dialogs(window):
        dialog = make()
        dialog.show()
        _settle(dialog)
        problems += [f"{language} {name}: {p}" for p in clipped(dialog)]
        dialog.close()
    window.close()
    assert not problems, "\n".join(problems)
