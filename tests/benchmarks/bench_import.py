"""Benchmark: importing a 100,000-row product list: reading the workbook (python-calamine against openpyxl
read-only, the reader used before, on the same file) and the whole import (reading, numbers, validation).

    .venv/bin/python tests/benchmarks/bench_import.py [--rows 100000] [--skip-import]

Writes the workbook with xlsxwriter and a German CSV of the same rows to a temporary folder; the import is a
dry run into a fresh database whose company locale is de_DE. Target: calamine reads in <= 0.2 x openpyxl's time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.db.migrate import open_database  # noqa: E402
from invoicer.documents.importers import SourceRow, read_table  # noqa: E402
from invoicer.services import company, imports  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402

HEADER = ["Product", "Description", "Unit", "Price", "VAT", "Category"]
UNITS = ("hour", "piece", "day", "kg", "MON", "KWT")


def row(i: int) -> list[Any]:
    return [f"Product {i:06d}", f"Description of product {i}", UNITS[i % len(UNITS)], (i % 9973) / 4 + 0.5,
            "19 %" if i % 3 else "7 %", "S"]


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    xlsx = folder / "products.xlsx"
    workbook = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for i in range(rows):
        sheet.write_row(i + 1, 0, row(i))
    workbook.close()
    csv = folder / "products.csv"
    with csv.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\n")
        for i in range(rows):
            cells = row(i)
            cells[3] = f"{cells[3]:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234,50
            out.write(";".join(str(c) for c in cells) + "\n")
    return xlsx, csv


def read_with_openpyxl(path: Path) -> int:
    """The reader before python-calamine: openpyxl read-only, every cell as text."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [SourceRow(n, tuple("" if v is None else str(v) for v in record))
            for n, record in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1)]
    workbook.close()
    return len(rows) - 1


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return round(time.perf_counter() - start, 2), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true", help="time the readers only")
    args = parser.parse_args()
    results: dict[str, Any] = {"rows": args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx, csv = write_files(folder, args.rows)
        results["read xlsx, openpyxl reference (s)"], _ = timed(lambda: read_with_openpyxl(xlsx))
        results["read_table xlsx (s)"], table = timed(lambda: read_table(xlsx))
        results["read_table / openpyxl"] = round(
            results["read_table xlsx (s)"] / results["read xlsx, openpyxl reference (s)"], 3)
        results["read csv (s)"], csv_table = timed(lambda: read_table(csv))
        if not args.skip_import:
            db = open_database(folder / "data")
            with transaction(db.sessions) as s:
                company.get_company(s).locale = "de_DE"
            for name, source in (("xlsx", table), ("csv", csv_table)):
                with transaction(db.sessions) as s:
                    seconds, report = timed(lambda: imports.import_products(s, source, dry_run=True))  # noqa: B023
                results[f"import {name}, dry run (s)"] = seconds
                results[f"import {name}: would import / errors"] = f"{report.created} / {len(report.errors)}"
            db.close()
    publish("import", results)


if __name__ == "__main__":
    main()
