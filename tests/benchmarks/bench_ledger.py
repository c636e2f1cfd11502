"""Benchmark: the full ledger export (openpyxl write-only) against xlsxwriter constant_memory on the same rows.

    .venv/bin/python tests/benchmarks/bench_ledger.py [--invoices 100000] [--data-dir DIR] [--year 2025]
        [--together] [--rounds N] [--before CHECKOUT] [--no-csv] [--json FILE]

Fills a demo database (``invoicer demo``) unless --data-dir points at one, then runs each writer in its
own child process (so each peak resident memory is its own) and prints wall time, CPU time, peak RSS and the
ratios. Targets: peak RSS < 200 MB, openpyxl time <= 1.5 x xlsxwriter's. Also times the CSV export.
``--year 2025`` exports one year's ledger (the accountant's usual request) instead of the whole history.

On a shared machine: ``--together`` starts the writers at the same moment, one process each, so both run under
the same load (give each a core of its own: on 2 cores, the other work on the machine is what they share); else
they run one after the other, the order alternating from round to round (``--rounds``). CPU time moves much less
with the load than wall time: both ratios are printed and kept, with the load average before and after.
``--before CHECKOUT`` adds the workbook as written by another checkout's code (main's, say) as a third writer.
The JSON result (tests/benchmarks/results/ledger.json unless --json) keeps every run's figures and the ratios.
Like the app, opening a --data-dir migrates a file behind the checkout's schema (once, before the writers start).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
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

# the checkout this file is in, not whichever one the interpreter's editable install points at (before/after
# runs); a child started with --code CHECKOUT imports that checkout's invoicer instead
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else sys.path[0])

from invoicer.core.money import exponent
from invoicer.db.migrate import open_database
from invoicer.documents.ledger import money_format
from invoicer.documents.tables import Kind, Ledger, ProgressCounter
from invoicer.services import demo, ledger


def write_with_xlsxwriter(book: Ledger, path: Path) -> int:
    """The same tables, formats, widths, frozen header and autofilter, written by xlsxwriter (constant_memory),
    a table longer than a sheet going on over further sheets as the workbook's does ("Lines (2)" …; xlsxwriter
    would drop every row past a sheet's last); returns the number of rows read."""
    # here, not at the top: a --before child imports an older checkout's ledger module, which may lack them
    from invoicer.documents.ledger import MAX_SHEET_ROWS, continued_title

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
        sheets = 1
        ws = _xlsxwriter_sheet(workbook, table, table.title, bold)
        r = 0
        for row in table.rows():
            r += 1
            if r >= MAX_SHEET_ROWS:
                ws.autofilter(0, 0, r - 1, len(table.columns) - 1)
                sheets += 1
                ws = _xlsxwriter_sheet(workbook, table, continued_title(table.title, sheets), bold)
                r = 1
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


def _xlsxwriter_sheet(workbook: Any, table: Any, title: str, bold: Any) -> Any:
    """A sheet of ``table`` with its column widths and frozen bold header."""
    ws = workbook.add_worksheet(title)
    for c, column in enumerate(table.columns):
        ws.set_column(c, c, max(column.width, len(column.title) + 2))
        ws.write_string(0, c, column.title, bold)
    ws.freeze_panes(1, 0)
    return ws


def run_child(kind: str, folder: Path, out: Path, year: int | None = None) -> dict[str, Any]:
    """One export in this process (of ``year`` only if given); returns its wall and CPU time, peak resident memory
    and the load average as it started and ended."""
    date_from, date_to = (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    load_before = os.getloadavg()[0]
    db = open_database(folder, daily_backup=False)
    rows = [0]

    def progress(done: int, _total: int) -> None:
        rows[0] = done

    started, cpu = time.perf_counter(), time.process_time()
    if kind == "openpyxl":
        ledger.export_ledger(db, out, date_from, date_to, progress=progress)
    elif kind == "csv":
        ledger.export_csv(db, out, date_from, date_to, progress=progress)
    else:
        with db.readonly_sessions() as session, session.begin():
            rows[0] = write_with_xlsxwriter(ledger.build_ledger(session, date_from, date_to), out)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = _peak_rss_kb() / 1024
    size = out.stat().st_size if out.is_file() else sum(f.stat().st_size for f in out.iterdir())
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1), "peak_rss_mb": round(peak_mb, 1),
            "rows": rows[0], "output_mb": round(size / 1e6, 1),
            "load_start": round(load_before, 2),
            "load_end": round(os.getloadavg()[0], 2), "code": str(Path(ledger.__file__).parents[2])}


def _peak_rss_kb() -> int:
    """This process's own peak resident memory: VmHWM (getrusage's ru_maxrss keeps the parent's across exec)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def start(kind: str, folder: Path, out: Path, year: int | None, code: Path | None = None) -> subprocess.Popen[str]:
    """A child process exporting with ``kind`` (from the checkout ``code`` if given)."""
    return subprocess.Popen(
        [sys.executable, __file__, "--child", kind, "--data-dir", str(folder), "--out", str(out),
         *(["--year", str(year)] if year else []), *(["--code", str(code)] if code else [])],
        stdout=subprocess.PIPE, text=True,
    )


def finish(child: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"a writer failed (exit {child.returncode})")
    figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return figures


def one_round(writers: dict[str, Path | None], folder: Path, work: Path, year: int | None, together: bool,
              order: list[str]) -> dict[str, Any]:
    """Each writer once: all started at the same moment (``together``) or one after the other in ``order``."""
    load = os.getloadavg()[0]
    out = {kind: work / (f"{kind}.csv.d" if kind == "csv" else f"{kind}.xlsx") for kind in writers}
    for kind in out:
        if kind == "csv":
            out[kind].mkdir(exist_ok=True)
    figures: dict[str, Any] = {}
    if together:
        children = {kind: start(kind.split("_")[0], folder, out[kind], year, writers[kind]) for kind in order}
        figures = {kind: finish(child) for kind, child in children.items()}
    else:
        for kind in order:
            figures[kind] = finish(start(kind.split("_")[0], folder, out[kind], year, writers[kind]))
    for path in out.values():  # a 1,000,000-invoice workbook is 400 MB: keep the disk free between rounds
        for f in (path.iterdir() if path.is_dir() else [path]):
            f.unlink(missing_ok=True)
    figures["load_before"], figures["load_after"] = round(load, 2), round(os.getloadavg()[0], 2)
    for key in ("seconds", "cpu_seconds"):
        for kind in writers:
            if kind != "xlsxwriter":
                figures[f"{kind}/xlsxwriter {key}"] = round(figures[kind][key] / figures["xlsxwriter"][key], 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="an existing data folder (else demo data is made)")
    parser.add_argument("--year", type=int, help="export this year's ledger only")
    parser.add_argument("--together", action="store_true", help="start the writers at the same moment")
    parser.add_argument("--rounds", type=int, default=1, help="rounds (the order alternates when not together)")
    parser.add_argument("--before", type=Path, help="also the workbook as another checkout's code writes it")
    parser.add_argument("--no-csv", action="store_true", help="leave out the CSV export")
    parser.add_argument("--json", type=Path, help="where the JSON result goes (else results/ledger.json)")
    parser.add_argument("--child", choices=("openpyxl", "xlsxwriter", "csv"), help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.data_dir, args.out, args.year)))
        return
    writers: dict[str, Path | None] = {"openpyxl": None, "xlsxwriter": None}
    if args.before:
        writers["openpyxl_before"] = args.before.resolve()
    if not args.no_csv:
        writers["csv"] = None
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        work = Path(tmp)
        folder = args.data_dir
        if folder is None:
            folder = work / "data"
            started = time.perf_counter()
            made = demo.generate(open_database(folder, daily_backup=False), invoices=args.invoices, seed=1)
            print(f"demo data: {made} in {time.perf_counter() - started:.0f} s")
        else:
            # opened once here, before any writer: a file behind the schema is migrated now (with its pre-migration
            # backup) and not by two writers at once, one of them finding it locked
            open_database(folder, daily_backup=False).engine.dispose()
        rounds = []
        for number in range(args.rounds):
            order = list(writers) if number % 2 == 0 else list(reversed(writers))
            figures = one_round(writers, folder, work, args.year, args.together, order)
            rounds.append(figures)
            print(f"round {number + 1} ({'together' if args.together else ' then '.join(order)}), "
                  f"load {figures['load_before']} -> {figures['load_after']}:")
            for kind in writers:
                f = figures[kind]
                print(f"  {kind:>15}: {f['seconds']:7.1f} s, CPU {f['cpu_seconds']:7.1f} s, peak RSS "
                      f"{f['peak_rss_mb']:6.1f} MB, {f['rows']:,} rows, {f['output_mb']} MB")
            for key, value in figures.items():
                if "/" in key:
                    print(f"  {key}: {value:.2f}")
    ratios = sorted({key for figures in rounds for key in figures if "/" in key})
    result: dict[str, Any] = {
        "data_dir": str(folder) if args.data_dir else f"demo {args.invoices}", "year": args.year,
        "together": args.together, "openpyxl_lxml": openpyxl.LXML, "rounds": rounds,
        "median": {key: round(statistics.median(r[key] for r in rounds), 3) for key in ratios},
        "peak_rss_mb_max": {kind: max(r[kind]["peak_rss_mb"] for r in rounds) for kind in writers},
        "targets": {"openpyxl/xlsxwriter seconds": 1.5, "peak_rss_mb": 200},
    }
    print(f"medians: {result['median']} (target openpyxl/xlsxwriter <= 1.5; peak RSS < 200 MB: "
          f"{result['peak_rss_mb_max']})")
    target = args.json or Path(__file__).resolve().parent / "results" / "ledger.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
