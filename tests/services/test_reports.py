"""The Reports page's figures for a period agree to the cent with the ledger workbook of the same period, and the
exports carry them."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest

from invoicer.core.errors import ValidationError
from invoicer.core.money import to_minor
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import dashboard, ledger, reports
from tests.documents.ledger_sample import build

START, END = date(2024, 1, 1), date(2024, 3, 31)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return build(tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def workbook(sample: Database, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("ledger") / "ledger.xlsx"
    ledger.export_ledger(sample, path, START, END, today=date(2024, 6, 1))
    return openpyxl.load_workbook(path)


def report(db: Database, start: date = START, end: date = END) -> reports.PeriodReport:
    with transaction(db.readonly_sessions) as s:
        return reports.period_report(s, start, end, today=date(2024, 6, 1))


def minor(value: object, currency: str = "EUR") -> int:
    return to_minor(Decimal(str(value)), currency)


def sheet_rows(wb: openpyxl.Workbook, title: str) -> list[tuple[object, ...]]:
    """The data rows of a ledger sheet (up to the blank row before its totals)."""
    rows = list(wb[title].iter_rows(min_row=2, values_only=True))
    return rows[:rows.index(next(r for r in rows if all(v is None for v in r)))] if any(
        all(v is None for v in r) for r in rows) else rows


def test_vat_summary_equals_the_ledgers_tax_summary_in_the_company_currency(sample, workbook) -> None:  # type: ignore[no-untyped-def]
    expected: dict[tuple[str, Decimal], list[int]] = {}
    for _month, _currency, category, rate, *_rest, company_basis, company_tax, _bad_debt_basis, _bad_debt_tax in sheet_rows(
            workbook, "Tax summary"):
        found = expected.setdefault((str(category), Decimal(str(rate))), [0, 0])
        found[0] += minor(company_basis)
        found[1] += minor(company_tax)
    got = {(r.category, r.rate): [r.basis, r.tax] for r in report(sample).vat}
    assert got == expected
    # the sample's 19 % basis and VAT, worked out by hand once (98468, 18708), less its write-off's 46.36 and 8.81
    assert got[("S", Decimal(19))] == [98468 - 4636, 18708 - 881]


def test_revenue_adds_up_to_the_taxable_basis_and_the_invoices_net(sample, workbook) -> None:  # type: ignore[no-untyped-def]
    found = report(sample)
    # revenue is invoiced less credited: the taxable basis before the bad-debt correction
    basis = sum(minor(row[-4]) - minor(row[-2]) for row in sheet_rows(workbook, "Tax summary"))
    assert sum(net for _month, net in found.by_month) == sum(r.net for r in found.by_customer) == basis
    assert [m for m, _net in found.by_month] == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert found.by_customer[0].customer_name.startswith("Anna")  # the largest first


def test_aged_receivables_equal_the_ledgers_sheet(sample, workbook) -> None:  # type: ignore[no-untyped-def]
    expected = [(name, currency, *(minor(v, str(currency)) for v in amounts))
                for name, currency, *amounts in sheet_rows(workbook, "Aged receivables")]
    found = report(sample)
    assert [(r.customer_name, r.currency, *r.buckets.values(), r.total, r.company_total)
            for r in found.aged] == expected
    assert found.as_of == END


def test_dso_is_receivables_over_gross_sales_times_days(sample) -> None:  # type: ignore[no-untyped-def]
    rows = {r.currency: r for r in report(sample).dso}
    eur = rows["EUR"]
    assert eur.days == 91
    assert eur.receivables == 31532  # the aged total
    assert eur.dso == (Decimal(31532) / Decimal(eur.sales) * 91).quantize(Decimal("0.1"))
    assert rows["USD"].dso == Decimal("91.0")  # nothing paid: everything sold is still outstanding
    with transaction(sample.readonly_sessions) as s:
        empty = reports.period_report(s, date(2023, 1, 1), date(2023, 1, 31), today=date(2024, 6, 1))
    assert [r.dso for r in empty.dso] == [None] * len(empty.dso)
    assert empty.vat == [] and empty.by_customer == [] and [n for _m, n in empty.by_month] == [0]


def test_top_overdue_leaves_out_what_is_not_yet_due(sample) -> None:  # type: ignore[no-untyped-def]
    found = report(sample)
    assert [(r.customer_name, r.total - r.buckets["current"]) for r in found.overdue] == [
        ('Anna, "Die Bäckerei"', 1782), ("Bob Inc.", 100000)]
    assert reports.top_overdue(found.aged, "EUR", limit=1) == found.overdue[:1]


def test_dashboard_revenue_reads_the_same_figures(sample) -> None:  # type: ignore[no-untyped-def]
    with transaction(sample.readonly_sessions) as s:
        months = dashboard.revenue_per_month(s, END, 3)
    assert months == report(sample).by_month


def test_a_reversed_period_and_an_unknown_report_are_refused(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="start date is after"), transaction(sample.readonly_sessions) as s:
        reports.period_report(s, END, START)
    with pytest.raises(ValidationError, match="no report 'x'"):
        reports.export_report(sample, "x", tmp_path / "x.csv", "csv", START, END)
    with pytest.raises(ValidationError, match="not an export format"):
        reports.export_report(sample, "vat", tmp_path / "x.doc", "doc", START, END)


def test_exports_carry_the_figures(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    found = report(sample)
    xlsx = reports.export_report(sample, "aged", tmp_path / "aged.xlsx", "xlsx", START, END, today=date(2024, 6, 1))
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Cover" and wb["Cover"]["A1"].value == "Aged receivables"
    rows = list(wb.worksheets[1].iter_rows(min_row=2, max_row=3, values_only=True))
    assert [(r[0], minor(r[-1], str(r[1]))) for r in rows] == [(r.customer_name, r.total) for r in found.aged]
    path = reports.export_report(sample, "revenue", tmp_path / "rev.csv", "csv", START, END)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert lines[0] == ["month", "customer", "net"]
    assert sum(minor(line[2]) for line in lines[1:]) == sum(r.net for r in found.by_customer)
    pdf = reports.export_report(sample, "vat", tmp_path / "vat.pdf", "pdf", START, END)
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "VAT summary" in text and "€938.32" in text and "€178.27" in text  # less the JPY write-off, plus its recovery
    empty = reports.export_report(sample, "overdue", tmp_path / "none.pdf", "pdf", date(2023, 1, 1),
                                  date(2023, 1, 31))
    assert "Nothing to show for this period." in pypdf.PdfReader(empty).pages[0].extract_text()
