"""Benchmark: the same business on SQLite and on PostgreSQL side by side, each operation against its floor measured
in the same run (not part of the test run).

    python tests/benchmarks/bench_engines.py [--invoices 100000] [--data-dir DIR] [--runs 5]

Makes (or reuses, with --data-dir) a local business of ``invoicer demo``, copies it with ``db copy`` to a
throwaway PostgreSQL cluster (as tests/postgres does; stopped and removed at the end), and times on each engine:
the invoice list's first page, a search keystroke, a sort by customer, the count, one customer's open invoices,
aged receivables, a year's ledger export (.xlsx) and finalize. The floor of a read is the SQL the service sent,
executed again with the plain driver (``sqlite3`` on the file, ``psycopg`` on the server): statement, cursor and
fetch, nothing else; the ratio is what the service adds. The floor of finalize is its locking done by hand in one
transaction (lock and raise the counter row, number a draft, append an audit row; rolled back), as in
bench_server.py. Medians of ``--runs``; prints a table and writes tests/benchmarks/results/engines.json.
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
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from invoicer.db.migrate import Database, open_database, open_server  # noqa: E402
from invoicer.db.models import Customer, Invoice  # noqa: E402
from invoicer.services import invoices, ledger, reports, server, store  # noqa: E402
from invoicer.services.invoices import DraftData, InvoiceFilter, LineData  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.postgres.cluster import bin_dir, start_cluster  # noqa: E402

PAGE = 100
Work = Callable[[Any], object]


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()  # warm-up: statement caches, pages in memory
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def reads(db: Database) -> dict[str, Work]:
    """The read operations, as the app's pages call them (the search term and customer taken from the data)."""
    with db.readonly_sessions() as s:
        name = s.scalar(select(Customer.name).order_by(Customer.id)) or "a"
        busiest = s.scalar(select(Invoice.customer_id).where(Invoice.status == "open").group_by(Invoice.customer_id)
                           .order_by(func.count().desc()).limit(1))
    term = name.split()[0][:3].lower()
    today = date.today()
    return {
        "list_first_page": lambda s: invoices.list_invoices(s, limit=PAGE),
        "search_keystroke": lambda s: (invoices.list_invoices(s, InvoiceFilter(search=term), limit=PAGE),
                                       invoices.count_invoices(s, InvoiceFilter(search=term))),
        "sort_by_customer": lambda s: invoices.list_invoices(s, sort="customer", descending=False, limit=PAGE),
        "count": lambda s: invoices.count_invoices(s),
        "customer_open_invoices": lambda s: invoices.list_invoices(
            s, InvoiceFilter(customer_id=busiest, status="open")),
        "aged_receivables": lambda s: reports.aged_receivables(s, today),
    }


def sent_sql(db: Database, work: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECTs ``work`` sends, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def plain_runner(db: Database) -> tuple[Callable[[list[tuple[str, Any]]], None], Callable[[], None]]:
    """Run statements with the engine's plain driver; and close it."""
    if db.url is None:
        conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)

        def run_sqlite(statements: list[tuple[str, Any]]) -> None:
            for sql, params in statements:
                conn.execute(sql, params).fetchall()

        return run_sqlite, conn.close
    pg = psycopg.connect(server.server_url(db.url).replace("+psycopg", ""), autocommit=True)

    def run_pg(statements: list[tuple[str, Any]]) -> None:
        for sql, params in statements:
            pg.execute(sql, params).fetchall()

    return run_pg, pg.close


def finalize_floor(db: Database) -> Callable[[], None]:
    """Finalize's locking by hand, rolled back (the counter row never goes back: nothing was kept)."""
    year = date.today().year
    if db.url is None:
        conn = sqlite3.connect(str(db.path), isolation_level=None)

        def floor_sqlite() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE number_counters SET last_seq = last_seq + 1 WHERE series = 'invoice' AND year = ?",
                         (year,))
            conn.execute("SELECT last_seq FROM number_counters WHERE series = 'invoice' AND year = ?", (year,))
            conn.execute("UPDATE invoices SET notes = notes WHERE id = (SELECT max(id) FROM invoices)")
            conn.execute("INSERT INTO audit_events (at, actor, action, entity, entity_id) "
                         "VALUES ('2026-01-01', 'bench', 'finalize', 'invoice', 1)")
            conn.execute("ROLLBACK")

        return floor_sqlite
    pg = psycopg.connect(server.server_url(db.url).replace("+psycopg", ""))

    def floor_pg() -> None:
        pg.execute("SELECT last_seq FROM number_counters WHERE series = 'invoice' AND year = %s FOR UPDATE", (year,))
        pg.execute("UPDATE number_counters SET last_seq = last_seq + 1 WHERE series = 'invoice' AND year = %s",
                   (year,))
        pg.execute("UPDATE invoices SET notes = notes WHERE id = (SELECT max(id) FROM invoices)")
        pg.execute("INSERT INTO audit_events (at, actor, action, entity, entity_id) "
                   "VALUES ('2026-01-01', 'bench', 'finalize', 'invoice', 1)")
        pg.rollback()

    return floor_pg


def measure(db: Database, runs: int, folder: Path) -> dict[str, tuple[float, float]]:
    """Each operation's median and its floor's, in ms."""
    run_plain, close = plain_runner(db)
    found: dict[str, tuple[float, float]] = {}
    try:
        for name, work in reads(db).items():
            def service(work: Work = work) -> None:
                with db.readonly_sessions() as s:
                    work(s)

            statements = sent_sql(db, service)
            found[name] = (median_ms(service, runs), median_ms(lambda st=statements: run_plain(st), runs))
        year = max(d for d in store.read(db, lambda s: s.scalars(select(Invoice.issue_date).where(
            Invoice.status != "draft").order_by(Invoice.issue_date.desc()).limit(1)).all()))
        span = (date(year.year, 1, 1), date(year.year, 12, 31))

        def export() -> None:
            ledger.export_ledger(db, folder / "ledger.xlsx", *span)

        statements = sent_sql(db, export)
        ledger_runs = max(1, runs // 3)
        found["ledger_export_year"] = (median_ms(export, ledger_runs),
                                       median_ms(lambda: run_plain(statements), ledger_runs))
        customer = store.read(db, lambda s: s.scalar(select(Customer.id).order_by(Customer.id)))
        line = [LineData("Consulting", "1", "100.00", "S", "19")]
        drafts = [store.write(db, lambda s: invoices.create_draft(s, DraftData(customer_id=customer, lines=line)))
                  for _ in range(runs + 1)]
        finalize_times = []
        for i, draft in enumerate(drafts):
            began = time.perf_counter()
            store.write(db, lambda s, d=draft: invoices.finalize_invoice(s, d))
            if i:  # the first warms up ReportLab and the fonts
                finalize_times.append((time.perf_counter() - began) * 1000)
        found["finalize"] = (statistics.median(finalize_times), median_ms(finalize_floor(db), runs * 4))
    finally:
        close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="a local business to copy (made by demo when empty)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="invoicer-bench-engines-"))
    folder = args.data_dir or work_dir / "local"
    if not (folder / "invoicer.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo", "--invoices",
                        str(args.invoices), "--seed", "1"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    cluster = start_cluster(bin_dir() or Path("/nonexistent"))
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        local = open_database(folder, daily_backup=False)
        began = time.perf_counter()
        server.copy_to_server(local, url)
        copy_s = time.perf_counter() - began
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        results: dict[str, object] = {"invoices": store.read(local, lambda s: invoices.count_invoices(s)),
                                      "db_copy_s": round(copy_s, 1)}
        on_sqlite = measure(local, args.runs, work_dir)
        local.close()
        shared = open_server(url, work_dir / "desk")
        on_pg = measure(shared, args.runs, work_dir)
        shared.close()
    finally:
        cluster.stop()
    for name, (ms, floor) in on_sqlite.items():
        pg_ms, pg_floor = on_pg[name]
        results[name] = (f"sqlite {ms:.1f} ms (floor {floor:.1f}, {ms / floor:.1f}x) | postgresql {pg_ms:.1f} ms "
                         f"(floor {pg_floor:.1f}, {pg_ms / pg_floor:.1f}x) | postgresql/sqlite {pg_ms / ms:.2f}")
    publish("engines", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
