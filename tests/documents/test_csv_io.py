"""The ledger as CSV files: RFC 4180, UTF-8, ISO dates, '.' decimals, the same figures as the database."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from invoicer.core.money import format_minor
from invoicer.db.models import Invoice
from invoicer.services.ledger import ExportCancelled, export_csv, export_ledger
from tests.documents.ledger_sample import fill

NAMES = ["invoices", "lines", "payments", "credit_notes", "tax_summary", "aged_receivables", "journal"]


@pytest.fixture
def exported(seller: Any, tmp_path: Path) -> tuple[Any, Path]:
    db = fill(seller)
    export_csv(db, tmp_path / "csv", today=date(2024, 3, 31))
    return db, tmp_path / "csv"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_file_per_table_rfc4180_utf8(exported: tuple[Any, Path]) -> None:
    _db, folder = exported
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.csv" for n in NAMES)
    raw = (folder / "invoices.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF record ends
    assert '"Anna, ""Die Bäckerei"""'.encode() in raw  # comma and quotes quoted, UTF-8
    lines = read(folder / "lines.csv")
    assert "Beratung\nvor Ort" in {row["description"] for row in lines}  # an embedded newline survives


def test_figures_equal_the_database(exported: tuple[Any, Path]) -> None:
    db, folder = exported
    rows = {row["number"]: row for row in read(folder / "invoices.csv")}
    with db.readonly_sessions() as s:
        stored = list(s.scalars(select(Invoice).where(Invoice.doc_type == "invoice")))
    assert set(rows) == {inv.number for inv in stored}
    for inv in stored:
        row = rows[inv.number]
        assert row["issue_date"] == inv.issue_date.isoformat()
        assert row["total"] == format_minor(inv.total, inv.currency)
        assert row["amount_due"] == format_minor(inv.amount_due, inv.currency)
        assert row["company_total"] == format_minor(inv.company_total, "EUR")
        assert row["exchange_rate"] == str(inv.exchange_rate)
    assert rows["INV-2024-00007"]["total"] == "11899"  # JPY has no decimals
    assert rows["INV-2024-00004"]["exchange_rate"] == "0.9123"
    assert rows["INV-2024-00004"]["net"] == "1000.00"


def test_dates_months_and_empty_cells(exported: tuple[Any, Path]) -> None:
    _db, folder = exported
    assert {row["month"] for row in read(folder / "tax_summary.csv")} == {"2024-01", "2024-02", "2024-03"}
    journal = read(folder / "journal.csv")
    assert all(len(row["date"]) == 10 and row["date"][4] == "-" for row in journal)
    assert all((row["debit"] == "") != (row["credit"] == "") for row in journal)  # one side per posting
    payments = read(folder / "payments.csv")
    assert [row["amount"] for row in payments if row["reverses"]] == ["-400.00"]


def test_csv_and_workbook_hold_the_same_rows(exported: tuple[Any, Path], tmp_path: Path) -> None:
    db, folder = exported
    wb = openpyxl.load_workbook(export_ledger(db, tmp_path / "l.xlsx", today=date(2024, 3, 31)))
    counts = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r and isinstance(r[1], int)}
    titles = ["Invoices", "Lines", "Payments", "Credit notes", "Tax summary", "Aged receivables", "Journal"]
    for name, title in zip(NAMES, titles, strict=True):
        assert len(read(folder / f"{name}.csv")) == counts[title], name


def test_cancelled_export_leaves_no_partial_file(seller: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = fill(seller)
    monkeypatch.setattr("invoicer.documents.tables.PROGRESS_EVERY", 5)

    def stop(done: int, total: int) -> None:
        if done >= 12:
            raise ExportCancelled()

    with pytest.raises(ExportCancelled):
        export_csv(db, tmp_path / "csv", progress=stop)
    assert list((tmp_path / "csv").iterdir()) == []  # no partial set of files
