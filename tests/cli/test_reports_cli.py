"""`invoicer report …` in-process: the same figures as the service, printed, as JSON and written to files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pypdf

from tests.cli.invocations import ok, run, user_error
from tests.documents.ledger_sample import build

PERIOD = ("--from", "2024-01-01", "--to", "2024-03-31")


def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    build(folder).close()
    return folder


def test_report_json_and_text(tmp_path: Path) -> None:
    data = sample(tmp_path)
    vat = ok(data, "report", "vat", *PERIOD)
    assert {(r["category"], r["rate"]): (r["basis"], r["tax"]) for r in vat["rows"]}[("S", "19")] == (
        "938.32", "178.27")  # 984.68 and 187.08 invoiced, less the bad-debt correction (46.36, 8.81)
    revenue = ok(data, "report", "revenue", *PERIOD)
    assert [m["net"] for m in revenue["by_month"]] == ["442.22", "1245.72", "250.00"]
    assert revenue["by_customer"][0]["customer"] == 'Anna, "Die Bäckerei"'
    aged = ok(data, "report", "aged", *PERIOD)
    assert aged["as_of"] == "2024-03-31" and [r["total"] for r in aged["rows"]] == ["315.32", "1000.00"]
    dso = ok(data, "report", "dso", *PERIOD)
    assert {r["currency"]: r["dso"] for r in dso["rows"]} == {"EUR": "25.1", "JPY": "0.0", "USD": "91.0"}
    overdue = ok(data, "report", "overdue", *PERIOD)
    assert [(r["customer"], r["overdue"]) for r in overdue["rows"]] == [
        ('Anna, "Die Bäckerei"', "17.82"), ("Bob Inc.", "1000.00")]
    text = run(data, "report", "overdue", *PERIOD)
    assert text.returncode == 0 and "Bob Inc." in text.stdout and "1000.00" in text.stdout
    nothing = run(data, "report", "vat", "--from", "2023-01-01", "--to", "2023-01-31")
    assert nothing.stdout.strip() == "Nothing to report from 2023-01-01 to 2023-01-31."


def test_report_files(tmp_path: Path) -> None:
    data = sample(tmp_path)
    xlsx = ok(data, "report", "vat", *PERIOD, "--format", "xlsx", "-o", str(tmp_path / "vat.xlsx"))["path"]
    assert openpyxl.load_workbook(xlsx)["Cover"]["A1"].value == "VAT summary"
    pdf = ok(data, "report", "dso", *PERIOD, "--format", "pdf", "-o", str(tmp_path / "dso.pdf"))["path"]
    assert "25.1" in pypdf.PdfReader(pdf).pages[0].extract_text()
    ok(data, "report", "aged", *PERIOD, "--format", "csv", "-o", str(tmp_path / "aged.csv"))
    assert (tmp_path / "aged.csv").read_text(encoding="utf-8").splitlines()[1].endswith(",315.32")
    assert user_error(data, "report", "vat", "-o", str(tmp_path / "x.pdf")) == (
        "invoicer: Give --format and -o FILE together.")
    assert "start date is after the end date" in user_error(data, "report", "vat", "--from", "2024-05-01",
                                                            "--to", "2024-04-01")
