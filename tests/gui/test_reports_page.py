"""The Reports page: period picker, ledger and CSV export off the UI thread with progress and Cancel."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import openpyxl
import pypdf
import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressDialog

from invoicer.db.engine import transaction
from invoicer.documents.tables import ProgressCounter
from invoicer.gui.pages.reports import period
from invoicer.gui.style import day
from invoicer.services import company
from tests.documents.ledger_sample import fill


@pytest.fixture
def page(window, gui_db):  # type: ignore[no-untyped-def]
    with transaction(gui_db.sessions) as s:
        company.update_company(s, name="Muster GmbH", address="Hauptstr. 1", postcode="10115", city="Berlin",
                               country="DE", vat_id="DE123456788", currency="EUR")
    fill(gui_db)
    return window.show_page("reports")


def choose_period(page, start: date, end: date) -> None:  # type: ignore[no-untyped-def]
    page.date_from.setDate(QDate(start.year, start.month, start.day))
    page.date_to.setDate(QDate(end.year, end.month, end.day))


def test_named_periods() -> None:
    today = date(2024, 5, 15)
    assert period("last_month", today) == (date(2024, 4, 1), date(2024, 4, 30))
    assert period("this_month", today) == (date(2024, 5, 1), date(2024, 5, 31))
    assert period("this_quarter", today) == (date(2024, 4, 1), date(2024, 6, 30))
    assert period("last_quarter", today) == (date(2024, 1, 1), date(2024, 3, 31))
    assert period("last_quarter", date(2024, 2, 29)) == (date(2023, 10, 1), date(2023, 12, 31))
    assert period("last_year", today) == (date(2023, 1, 1), date(2023, 12, 31))
    assert period("custom", today) is None


def test_editing_a_date_switches_to_custom(page) -> None:  # type: ignore[no-untyped-def]
    page.period.setCurrentIndex(page.period.findData("this_year"))
    assert page.dates()[0] == date(date.today().year, 1, 1)
    choose_period(page, date(2024, 1, 1), date(2024, 3, 31))
    assert page.period.currentData() == "custom"


def test_export_ledger_in_the_background(qtbot, page, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "q1"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    choose_period(page, date(2024, 1, 1), date(2024, 1, 31))
    page.export_ledger_button.click()
    written = tmp_path / "q1.xlsx"
    qtbot.waitUntil(lambda: "Written" in page.window_.statusBar().currentMessage(), timeout=20000)
    wb = openpyxl.load_workbook(written)
    assert [r[0] for r in wb["Invoices"].iter_rows(min_row=2, max_row=4, values_only=True)] == [
        "INV-2024-00001", "INV-2024-00002", "INV-2024-00003"]
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_export_csv_in_the_background(qtbot, page, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    choose_period(page, date(2024, 1, 1), date(2024, 12, 31))
    page.export_csv_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "journal.csv").exists(), timeout=20000)
    assert (tmp_path / "invoices.csv").read_text(encoding="utf-8").count("INV-2024-") == 8


def test_cancel_stops_the_export(qtbot, page, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("invoicer.documents.tables.PROGRESS_EVERY", 1)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "l.xlsx"), ""))
    cancelled = threading.Event()

    def user_cancels(dialog: QProgressDialog, value: int) -> None:
        dialog.canceled.emit()  # what the Cancel button does
        cancelled.set()

    report = ProgressCounter.report

    def report_then_wait(counter: ProgressCounter) -> None:  # the export waits until the user has cancelled
        report(counter)
        cancelled.wait(10)

    monkeypatch.setattr(QProgressDialog, "setValue", user_cancels)
    monkeypatch.setattr(ProgressCounter, "report", report_then_wait)
    choose_period(page, date(2024, 1, 1), date(2024, 12, 31))
    page.export_ledger_button.click()
    qtbot.waitUntil(lambda: "cancelled" in page.window_.statusBar().currentMessage(), timeout=20000)
    assert list(tmp_path.glob("*.xlsx*")) == []
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_reversed_period_is_refused(page, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: asked.append(args) or ("", ""))
    choose_period(page, date(2024, 3, 1), date(2024, 1, 1))
    page.export_ledger_button.click()
    assert dialogs.errors == ["The start date is after the end date."] and asked == []


def wait_for_report(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.loading is None and page.report is not None
                    and page.report.date_to == page.dates()[1], timeout=20000)


def test_reports_on_screen_for_the_period(qtbot, page, dialogs) -> None:  # type: ignore[no-untyped-def]
    choose_period(page, date(2024, 1, 1), date(2024, 3, 31))
    page._reload.timeout.emit()  # the pause after typing a date, without waiting for it
    wait_for_report(qtbot, page)
    vat = {page.vat_model.data(page.vat_model.index(r, 1)): page.vat_model.data(page.vat_model.index(r, 3))
           for r in range(page.vat_model.rowCount())}
    assert vat["19 %"] == "€178.27"  # 187.08 invoiced, less the bad-debt correction of the JPY write-off
    assert page.customer_model.data(page.customer_model.index(0, 1)) == "€963.65"
    assert [page.aged_model.data(page.aged_model.index(r, 6)) for r in range(2)] == ["€315.32", "$1,000.00"]
    assert page.dso_model.data(page.dso_model.index(0, 4)) == "25.1 days"
    assert page.overdue_model.rowCount() == 2 and page.panes["overdue"].currentIndex() == 0
    assert page.as_of_label.text() == f"Receivables as of {day(date(2024, 3, 31))}"
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_a_period_without_documents_says_so(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    choose_period(page, date(2023, 1, 1), date(2023, 1, 31))
    page._reload.timeout.emit()
    wait_for_report(qtbot, page)
    for key in ("vat", "revenue", "overdue"):
        assert page.panes[key].currentWidget() is page.panes[key].empty


def test_each_report_exports_from_its_tab(qtbot, page, tmp_path: Path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    choose_period(page, date(2024, 1, 1), date(2024, 3, 31))
    page.tabs.setCurrentWidget(page.panes["dso"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "dso"), ""))
    page.export_buttons["pdf"].click()
    qtbot.waitUntil(lambda: (tmp_path / "dso.pdf").exists(), timeout=20000)
    assert "25.1" in pypdf.PdfReader(tmp_path / "dso.pdf").pages[0].extract_text()
    page.tabs.setCurrentIndex(page.tabs.count() - 1)  # the accountant's tab has its own exports
    assert not page.export_buttons["pdf"].isEnabled()
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_the_reports_are_reached_by_keyboard(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    labels = {label.text(): label.buddy() for label in page.findChildren(QLabel) if label.buddy() is not None}
    assert labels == {"&Period": page.period, "&From": page.date_from, "&To": page.date_to}
    assert all("&" in button.text() for button in page.export_buttons.values())
