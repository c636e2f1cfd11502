"""Readable in every language at the default window size: every page and dialog, shown offscreen in English,
German, French and Spanish on demo data, has room for each label, button, tab, column header, badge and chart
label (tests/gui/readability.py measures them)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from invoicer import i18n
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import billing, demo, quotes
from invoicer.services.invoices import InvoiceFilter, LineData, list_invoices
from tests.gui.readability import clipped

LANGUAGES = ("en_US", "de_DE", "fr_FR", "es_ES")


@pytest.fixture
def business(gui_db: Database) -> Database:
    demo.generate(gui_db, invoices=60, seed=7)
    with transaction(gui_db.sessions) as s:  # billing plans, one of them behind: the plans page and due card
        customer = list_invoices(s, InvoiceFilter(status="open"), limit=1)[0].customer_id
        for frequency, start in (("quarterly", date.today()), ("weekly", date.today() - timedelta(weeks=3))):
            billing.add_plan(s, billing.PlanData(customer_id=customer, start=start, frequency=frequency, lines=[
                billing.PlanLineData("Hosting", "1", "49.90", "S", "19")], mode="finalize"))
        for _ in range(2):  # quotes: one sent and accepted, one draft
            quote = quotes.create_quote(s, quotes.QuoteData(customer, [
                LineData("Website design and development", "12.5", "96.00", "S", "19"),
                LineData("Handbook", "3", "24.90", "S", "7")]))
        quotes.send_quote(s, quote)
        quotes.accept_quote(s, quote)
    return gui_db


def _settle(window: QWidget, qtbot=None) -> None:  # type: ignore[no-untyped-def]
    """Laid out with its final texts: a list's count (read in the background) has answered first."""
    if qtbot is not None:
        model = getattr(window.current_page(), "model", None)  # type: ignore[attr-defined]
        if model is not None and hasattr(model, "counting"):
            qtbot.waitUntil(lambda: not model.counting(), timeout=10000)
    for _ in range(4):
        QApplication.processEvents()


def _reminders_counted(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The reminder count (a background read, due 3 s after start) has answered, so its texts are final: an
    answer arriving between laying out and measuring would read as clipped text."""
    window.check_reminders()
    qtbot.waitUntil(lambda: window.reminders_due is not None, timeout=10000)
    _settle(window)


def _read(dialog: Any) -> Any:
    """The reminders dialog once its background read has answered (its texts final, as for the count above)."""
    while dialog.loading():
        QApplication.processEvents()
        time.sleep(0.001)
    QApplication.processEvents()  # the answer is delivered to the dialog
    return dialog


def _dialogs(window) -> Iterator[tuple[str, Callable[[], QWidget]]]:  # type: ignore[no-untyped-def]
    from invoicer.gui.dialogs.catalog import ProductDialog, TaxRateDialog
    from invoicer.gui.dialogs.credit_note import CreditNoteDialog
    from invoicer.gui.dialogs.customer import CustomerDialog
    from invoicer.gui.dialogs.customer_account import CustomerAccountDialog
    from invoicer.gui.dialogs.line_period import LinePeriodDialog
    from invoicer.gui.dialogs.payment import PaymentDialog
    from invoicer.gui.dialogs.plan import DueBillingDialog, PlanDialog, PriceChangeDialog, pause_dialog
    from invoicer.gui.dialogs.quote import DepositDialog, InvoiceLinesDialog, QuoteDialog
    from invoicer.gui.dialogs.reminders_dialog import RemindersDialog
    from invoicer.services import views

    with window.db.readonly_sessions() as s:
        partly = list_invoices(s, InvoiceFilter(status="partially paid"), limit=1) or list_invoices(
            s, InvoiceFilter(status="open"), limit=1)
        draft = list_invoices(s, InvoiceFilter(status="draft"), limit=1)
        document = views.invoice_view(s, partly[0].id, date.today())
        plans = billing.list_plans(s)
        quote_rows = quotes.list_quotes(s)
    yield "new invoice", lambda: window.new_invoice()
    yield "finalized invoice", lambda: window.open_invoice(partly[0].id)
    if draft:
        yield "draft invoice", lambda: window.open_invoice(draft[0].id)
    yield "customer", lambda: CustomerDialog(window.ops, window, partly[0].customer_id)
    yield "customer account", lambda: CustomerAccountDialog(window, partly[0].customer_id, window)
    yield "line service period", lambda: LinePeriodDialog(
        2, "Website design and development", "2026-10-01..2026-10-15", (date(2026, 10, 1), date(2026, 10, 31)),
        date(2026, 11, 2), window)
    yield "product", lambda: ProductDialog(window.ops, window)
    yield "tax rate", lambda: TaxRateDialog(window.ops, window)
    yield "payment", lambda: PaymentDialog(window.ops, document, window)
    yield "credit note", lambda: CreditNoteDialog(window.ops, document, window)
    yield "reminders", lambda: _read(RemindersDialog(window.ops, parent=window))
    yield "billing plan", lambda: PlanDialog(window.ops, window, plans[0].id)
    yield "new billing plan", lambda: PlanDialog(window.ops, window)
    yield "price change", lambda: PriceChangeDialog(window.ops, plans[0].id, window)
    yield "pause plan", lambda: pause_dialog(window)
    yield "due billing", lambda: DueBillingDialog(window.ops, window)
    yield "quote", lambda: QuoteDialog(window.ops, window, quote_rows[-1].id)
    yield "invoice a quote", lambda: InvoiceLinesDialog(window.ops, quote_rows[0].id, window)
    yield "deposit invoice", lambda: DepositDialog(window.ops, quote_rows[0].id, window)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_clipped_on_any_page_or_dialog(qtbot, business, dialogs, language):  # type: ignore[no-untyped-def]
    from invoicer.gui.main_window import MainWindow

    i18n.set_language(language)
    window = MainWindow(business)
    qtbot.addWidget(window)
    window.resize(1200, 760)  # the size a first start opens at
    window.show()
    _reminders_counted(qtbot, window)
    problems = []
    for spec in window.specs:
        window.show_page(spec.key)
        _settle(window, qtbot)
        problems += [f"{language} page {spec.key}: {p}" for p in clipped(window)]
    for name, make in _dialogs(window):
        dialog = make()
        dialog.show()
        _settle(dialog)
        problems += [f"{language} {name}: {p}" for p in clipped(dialog)]
        dialog.close()
    window.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_pages_are_readable_too(qtbot, gui_db, dialogs, language):  # type: ignore[no-untyped-def]
    """An empty folder: the checklist and every list's empty state (message, hint, button) fit."""
    from invoicer.gui.main_window import MainWindow

    i18n.set_language(language)
    window = MainWindow(gui_db)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    _reminders_counted(qtbot, window)
    problems = []
    for spec in window.specs:
        page = window.show_page(spec.key)
        tabs = getattr(page, "tabs", None)
        for tab in range(tabs.count() if tabs is not None else 1):
            if tabs is not None:
                tabs.setCurrentIndex(tab)
            _settle(window, qtbot)
            problems += [f"{language} empty page {spec.key} tab {tab}: {p}" for p in clipped(window)]
    window.close()
    assert not problems, "\n".join(problems)
