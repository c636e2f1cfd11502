"""Benchmark: the full ledger export (openpyxl write-only) against xlsxwriter constant_memory on the same rows.

    .venv/bin/python tests/benchmarks/bench_ledger.py [--invoices 100000] [--data-dir DIR]

Fills a demo database (``invoicer demo``) unless --data-dir points at one, then runs each writer in its
own child process (so each peak resident memory is its own) and prints time, peak RSS and the ratio.
Targets: peak RSS < 200 MB, openpyxl time <= 1.5 x xlsxwriter's. Also times the CSV export.
``--year 2025`` exports one year's ledger (the accountant's usual request) instead of the whole history.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

# the checkout this file is in, not whichever one the interpreter's editable install points at (before/after runs)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from invoicer.core.money import exponent
from invoicer.db.migrate import open_database
from invoicer.documents.ledger import money_format
from invoicer.documents.tables import Kind, Ledger, ProgressCounter
from invoicer.services import demo, ledger


def write_with_xlsxwriter(book: Ledger, path: Path) -> int:
    """The same tables, formats, widths, frozen header and autofilter, written by xlsxwriter (constant_memory);
    returns the number of rows."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    month = workbook.add_format({"num_format": "yyyy-mm"})
    formats: dict[str, Any] = {}

    def money(currency: str) -> Any:
        if currency not in formats:
            formats[currency] = workbook.add_format({"num_format": money_format(currency)})
        return formats[currency]

    counter = ProgressCounter(book.size, None)
    workbook.add_worksheet("Cover").write(0, 0, "Ledger", bold)
    for table in book.tables:
        ws = workbook.add_worksheet(table.title)
        for c, column in enumerate(table.columns):
            ws.set_column(c, c, max(column.width, len(column.title) + 2))
            ws.write_string(0, c, column.title, bold)
        ws.freeze_panes(1, 0)
        r = 0
        for r, row in enumerate(table.rows(), 1):
            for c, (value, column) in enumerate(zip(row, table.columns, strict=True)):
                if value is None:
                    continue
                kind = column.kind
                if kind == Kind.MONEY:
                    currency = str(row[column.currency_column])  # type: ignore[index]
                    ws.write_number(r, c, Decimal(value).scaleb(-exponent(currency)), money(currency))
                elif kind == Kind.COMPANY_MONEY:
                    ws.write_number(r, c, Decimal(value).scaleb(-exponent(book.company_currency)),
                                    money(book.company_currency))
                elif kind == Kind.DATE:
                    ws.write_datetime(r, c, value, day)
                elif kind == Kind.MONTH:
                    ws.write_datetime(r, c, value, month)
                elif kind in (Kind.INT, Kind.DECIMAL):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
            counter.step()
        ws.autofilter(0, 0, r, len(table.columns) - 1)
    workbook.close()
    return counter.done


def run_child(kind: str, folder: Path, out: Path, year: int | None = None) -> dict[str, float]:
    """One export in this process (of ``year`` only if given); prints its time and peak resident memory as JSON."""
    period = (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    db = open_database(folder, daily_backup=False)
    rows = [0]

    def progress(done: int, _total: int) -> None:
        rows[0] = done

    started = time.perf_counter()
    if kind == "openpyxl":
        ledger.export_ledger(db, out, *period, progress=progress)
    elif kind == "csv":
        ledger.export_csv(db, out, *period, progress=progress)
    else:
        with db.readonly_sessions() as session, session.begin():
            rows[0] = write_with_xlsxwriter(ledger.build_ledger(session, *period), out)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb, 1), "rows": rows[0]}


def measure(kind: str, folder: Path, out: Path, year: int | None = None) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data-dir", str(folder), "--out", str(out),
         *(["--year", str(year)] if year else [])],
        check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="an existing data folder (else demo data is made)")
    parser.add_argument("--year", type=int, help="export this year's ledger only")
    parser.add_argument("--child", choices=("openpyxl", "xlsxwriter", "csv"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.data_dir, args.out, args.year)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        work = Path(tmp)
        folder = args.data_dir
        if folder is None:
            folder = work / "data"
            started = time.perf_counter()
            made = demo.generate(open_database(folder, daily_backup=False), invoices=args.invoices, seed=1)
            print(f"demo data: {made} in {time.perf_counter() - started:.0f} s")
        results = {
            "openpyxl": measure("openpyxl", folder, work / "ledger.xlsx", args.year),
            "xlsxwriter": measure("xlsxwriter", folder, work / "xlsxwriter.xlsx", args.year),
            "csv": measure("csv", folder, work / "csv", args.year),
        }
        for kind, figures in results.items():
            print(f"{kind:>10}: {figures['seconds']:7.1f} s, peak RSS {figures['peak_rss_mb']:6.1f} MB, "
                  f"{figures['rows']:,} rows")
        print(f"openpyxl writes with lxml: {openpyxl.LXML}")
        ratio = results["openpyxl"]["seconds"] / results["xlsxwriter"]["seconds"]
        print(f"openpyxl / xlsxwriter time ratio: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
