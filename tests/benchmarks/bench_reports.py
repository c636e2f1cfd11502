"""Reports that don't scan: aged receivables, customer balances and the dashboard on a large database, each
against its floor measured in the same run. Run: ``python tests/benchmarks/bench_reports.py --data-dir DIR``
(a data folder made by ``invoicer demo --invoices 100000``; made here when empty).

The floor of a report is the SQL it sends, executed with plain ``sqlite3`` on the same file (statement, cursor
and fetch, nothing else): the ratio is what the service adds (sessions, building the statement, rows to
objects). Targets (issue "Fast at a million invoices"): aged receivables <= 20 ms at 100,000 invoices (in proportion beyond:
200 ms at 1,000,000) and <= 3x its SQL; times are medians of several runs. ``aged_receivables_past`` is the same report on the last day of
the previous month (a period end: from dated payments, credit notes and write-offs), one statement like today's.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.report import publish  # noqa: E402

AGED_TARGET_MS = 20.0  # at 100,000 invoices; growing no faster than the invoices beyond (linear for a full report)
AGED_TARGET_AT = 100_000
RATIO_TARGET = 3.0


def median_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``work`` (the CPU time of this process: all of the work is in it, so on a
    busy shared machine it is the steadier figure)."""
    work()  # warm-up: statement caches, pages in memory
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="invoicer-bench-reports-"))
    if not (folder / "invoicer.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo", "--invoices",
                        str(args.invoices)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    from sqlalchemy import event

    from invoicer.db.migrate import open_database
    from invoicer.services import customers, dashboard, reports

    db = open_database(folder, daily_backup=False)
    today = date.today()
    month_end = today.replace(day=1) - timedelta(days=1)
    work: dict[str, Callable[[Any], object]] = {
        "aged_receivables": lambda s: reports.aged_receivables(s, today),
        # a period end (the ledger of last month): read from dated events, not from the open invoices
        "aged_receivables_past": lambda s: reports.aged_receivables(s, month_end),
        "customer_balances": lambda s: customers.list_customers(s),
        "dashboard": lambda s: dashboard.dashboard(s, today),
    }
    plain = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    figures: dict[str, object] = {"invoices": plain.execute(
        "SELECT count(*) FROM invoices WHERE doc_type = 'invoice'").fetchone()[0]}
    ok = True
    for name, report in work.items():
        sent: list[tuple[str, Any]] = []

        def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            sent.append((statement, parameters))  # noqa: B023 (each report's own list, read right after)

        event.listen(db.engine, "before_cursor_execute", keep)
        with db.readonly_sessions() as session:
            report(session)
        event.remove(db.engine, "before_cursor_execute", keep)
        statements = [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith(("SELECT", "WITH"))]

        def run_service(report: Callable[[Any], object] = report) -> None:
            with db.readonly_sessions() as session:
                report(session)

        def run_sql(statements: list[tuple[str, Any]] = statements) -> None:
            for sql, params in statements:
                plain.execute(sql, params).fetchall()

        service_ms, service_cpu = median_ms(run_service, args.runs)
        sql_ms, sql_cpu = median_ms(run_sql, args.runs)
        ratio = service_ms / sql_ms
        figures |= {f"{name}_ms_median": round(service_ms, 2), f"{name}_sql_ms_median": round(sql_ms, 2),
                    f"{name}_ratio": round(ratio, 2), f"{name}_cpu_ms_median": round(service_cpu, 2),
                    f"{name}_sql_cpu_ms_median": round(sql_cpu, 2), f"{name}_cpu_ratio": round(service_cpu / sql_cpu, 2),
                    f"{name}_statements": len(statements)}
        if name == "aged_receivables":
            target_ms = AGED_TARGET_MS * max(1.0, int(figures["invoices"]) / AGED_TARGET_AT)  # type: ignore[call-overload]
            met = service_ms <= target_ms and ratio <= RATIO_TARGET
            figures |= {"aged_receivables_target_ms": round(target_ms, 1), "aged_receivables_target_ratio": RATIO_TARGET,
                        "aged_receivables_target_met": met}
            ok &= met
    plain.close()
    db.close()
    publish("reports", figures)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
