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

Also (issue 13's list): ``verify`` (floor: the SQL it sends, plain driver); finalize with ``--clients`` (8)
processes at once, each finalizing its own drafts, median and p99 of one finalize against the same processes
running the hand-made floor at once; and the demo data load: on SQLite ``invoicer demo`` (timed when this run
makes it; ``--load-s`` passes a time measured before) against ``VACUUM INTO`` of the finished file (the plain
driver writing the same pages), on PostgreSQL ``db copy`` against psycopg's COPY of every table into a copy of
the schema with its indexes (no triggers, no checks, no audit).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import signal
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

from invoicer.core.errors import StorageError  # noqa: E402
from invoicer.db.migrate import Database, open_database, open_server  # noqa: E402
from invoicer.db.models import Customer, Invoice  # noqa: E402
from invoicer.services import integrity, invoices, ledger, reports, server, store  # noqa: E402
from invoicer.services.invoices import DraftData, InvoiceFilter, LineData  # noqa: E402
from tests.benchmarks.report import median_ms, publish  # noqa: E402
from tests.postgres.cluster import bin_dir, start_cluster  # noqa: E402

PAGE = 100
Work = Callable[[Any], object]


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
        "verify": lambda s: integrity.verify(s),
    }


def once_ms(db: Database, work: Callable[[], object]) -> tuple[float, list[tuple[str, Any]]]:
    """One run of a long operation (verify, a year's ledger: minutes at a million invoices), ms, and the SELECTs it
    sent (their floor is timed once too, after it: the pages it read are as warm for the floor as for a second
    run)."""
    began = time.perf_counter()
    statements = sent_sql(db, work)
    return (time.perf_counter() - began) * 1000, statements


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
                   "VALUES ('2026-01-01', session_user, 'finalize', 'invoice', 1)")
        pg.rollback()

    return floor_pg


def _open(url: str | None, folder: Path) -> Database:
    return open_server(url, folder) if url else open_database(folder, daily_backup=False)


def _client(url: str | None, folder: str, drafts: list[int], floor: bool, start_at: float
            ) -> tuple[list[float], list[str]]:
    """One of the concurrent clients: a finalize of each of ``drafts`` after the first (or as many of the floor),
    ms each; and what was refused (a finalize that waited past the busy timeout is told "busy", not timed)."""
    db = _open(url, Path(folder))
    try:
        work: list[Callable[[], object]]
        if floor:
            work = [finalize_floor(db)] * len(drafts)
        else:
            work = [lambda d=d: store.write(db, lambda s: invoices.finalize_invoice(s, d)) for d in drafts]
        for _ in range(20):  # warm-up (ReportLab, fonts, statement caches), before the common start
            try:
                work[0]()
                break
            except (StorageError, sqlite3.OperationalError):  # another client's warm-up holds the file
                time.sleep(0.5)
        time.sleep(max(0.0, start_at - time.time()))
        times, refused = [], []
        for one_op in work[1:]:
            began = time.perf_counter()
            try:
                one_op()
            except (StorageError, sqlite3.OperationalError) as exc:
                refused.append(str(exc))
                continue
            times.append((time.perf_counter() - began) * 1000)
        return times, refused
    finally:
        db.close()


def concurrent_finalize(db: Database, folder: Path, clients: int, each: int
                        ) -> tuple[float, float, float, float, list[str]]:
    """Median and p99 of one finalize with ``clients`` processes finalizing at once, and the floor's; and the
    finalizes refused (SQLite: waited past its busy timeout). The drafts are made before, by this process."""
    customer = store.read(db, lambda s: s.scalar(select(Customer.id).order_by(Customer.id)))
    line = [LineData("Consulting", "1", "100.00", "S", "19")]
    drafts = [[store.write(db, lambda s: invoices.create_draft(s, DraftData(customer_id=customer, lines=line)))
               for _ in range(each + 1)] for _ in range(clients)]
    found: list[float] = []
    refused: list[str] = []
    for floor in (False, True):
        start_at = time.time() + 20 + clients * 3  # every client opened and warmed up
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            per_client = pool.starmap(_client, [(db.url, str(folder / f"desk{c}" if db.url else db.folder),
                                                 drafts[c], floor, start_at) for c in range(clients)])
        times = sorted(t for client, _refused in per_client for t in client)
        refused += [f"{'floor' if floor else 'finalize'}: {r}" for _times, said in per_client for r in said]
        found += [statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]]
    return found[0], found[1], found[2], found[3], refused


def measure(db: Database, runs: int, folder: Path, clients: int = 0, each: int = 0, skip: frozenset[str] = frozenset()
            ) -> dict[str, tuple[float, float]]:
    """Each operation's median and its floor's, in ms (but those in ``skip``)."""
    run_plain, close = plain_runner(db)
    found: dict[str, tuple[float, float]] = {}
    try:
        for name, work in reads(db).items():
            if name in skip:
                continue
            def service(work: Work = work) -> None:
                with db.readonly_sessions() as s:
                    work(s)

            if name == "verify":
                took, statements = once_ms(db, service)
                found[name] = (took, once_ms(db, lambda st=statements: run_plain(st))[0])
                continue
            statements = sent_sql(db, service)
            found[name] = (median_ms(service, runs), median_ms(lambda st=statements: run_plain(st), runs))
        year = max(d for d in store.read(db, lambda s: s.scalars(select(Invoice.issue_date).where(
            Invoice.status != "draft").order_by(Invoice.issue_date.desc()).limit(1)).all()))
        span = (date(year.year, 1, 1), date(year.year, 12, 31))

        def export() -> None:
            ledger.export_ledger(db, folder / "ledger.xlsx", *span)

        if "ledger_export_year" not in skip:
            took, statements = once_ms(db, export)
            found["ledger_export_year"] = (took, once_ms(db, lambda: run_plain(statements))[0])
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
    if clients:
        median, p99, floor_median, floor_p99, refused = concurrent_finalize(db, folder, clients, each)
        found[f"finalize_{clients}_clients_median"] = (median, floor_median)
        found[f"finalize_{clients}_clients_p99"] = (p99, floor_p99)
        found[f"finalize_{clients}_clients_refused"] = (float(len(refused)), float(clients * each))
        for said in sorted(set(refused)):
            print(f"refused ({'postgresql' if db.url else 'sqlite'}): {said}", file=sys.stderr)
    return found


def load_floor(local: Database, url: str | None, folder: Path) -> float:
    """The plain driver writing the same data, s: SQLite ``VACUUM INTO``; PostgreSQL COPY of every table into a
    copy of the schema (indexes included)."""
    began = time.perf_counter()
    source = sqlite3.connect(f"file:{local.path}?mode=ro", uri=True)
    try:
        if url is None:
            source.execute("VACUUM INTO ?", (str(folder / "floor.sqlite3"),))
            return time.perf_counter() - began
        tables = [t for (t,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                               " AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'")]
        with psycopg.connect(server.server_url(url).replace("+psycopg", "")) as pg:
            pg.execute("CREATE SCHEMA floor")
            for table in tables:
                pg.execute(f'CREATE TABLE floor."{table}" (LIKE public."{table}" INCLUDING DEFAULTS INCLUDING INDEXES)')
            began = time.perf_counter()
            for table in tables:
                columns = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
                types = {r[0]: r[1] for r in pg.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'floor'"
                    " AND table_name = %s", (table,))}
                names = ", ".join(f'"{c}"' for c in columns)
                with pg.cursor().copy(f'COPY floor."{table}" ({names}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row([bool(v) if types.get(c) == "boolean" and v is not None else v
                                        for c, v in zip(columns, row, strict=True)])
            took = time.perf_counter() - began
            pg.rollback()
            return took
    finally:
        source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="a local business to copy (made by demo when empty)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8, help="concurrent finalizing processes (0: none)")
    parser.add_argument("--each", type=int, default=25, help="finalizes per concurrent client")
    parser.add_argument("--load-s", type=float, help="the demo load's time when --data-dir was made before")
    parser.add_argument("--server-url", help="a database already made by `db copy` of --data-dir (with --copy-s)")
    parser.add_argument("--copy-s", type=float, help="that `db copy`'s time")
    parser.add_argument("--skip", default="", help="operations left out, comma-separated (e.g. verify,ledger_export_year"
                        " at a million invoices: each runs for many minutes)")
    args = parser.parse_args()
    skip = frozenset(filter(None, args.skip.split(",")))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # killed: the cluster and the copies still go
    work_dir = Path(tempfile.mkdtemp(prefix="invoicer-bench-engines-"))
    folder = work_dir / "local"
    if args.data_dir:  # measured on a copy: the run finalizes drafts and migrates the file
        shutil.copytree(args.data_dir, folder)
    load_s = args.load_s
    if not (folder / "invoicer.sqlite3").exists():
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo", "--invoices",
                        str(args.invoices), "--seed", "1"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        load_s = time.perf_counter() - began
    cluster = None if args.server_url else start_cluster(bin_dir() or Path("/nonexistent"))
    try:
        local = open_database(folder, daily_backup=False)
        copy_s = args.copy_s or float("nan")
        if cluster is not None:
            with psycopg.connect(cluster.url(), autocommit=True) as conn:
                conn.execute("CREATE DATABASE bench")
            url = cluster.url("bench")
            began = time.perf_counter()
            server.copy_to_server(local, url)
            copy_s = time.perf_counter() - began
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        else:
            url = args.server_url
        results: dict[str, object] = {"invoices": store.read(local, lambda s: invoices.count_invoices(s))}
        sqlite_floor, pg_floor = load_floor(local, None, work_dir), load_floor(local, url, work_dir)
        results["demo_load"] = (f"sqlite demo {load_s or float('nan'):.0f} s (floor VACUUM INTO {sqlite_floor:.1f} s)"
                                f" | postgresql db copy {copy_s:.0f} s (floor COPY {pg_floor:.1f} s,"
                                f" {copy_s / pg_floor:.1f}x)")
        on_sqlite = measure(local, args.runs, work_dir, args.clients, args.each, skip)
        local.close()
        shared = open_server(url, work_dir / "desk")
        on_pg = measure(shared, args.runs, work_dir, args.clients, args.each, skip)
        shared.close()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work_dir, ignore_errors=True)
    for name, (ms, floor) in on_sqlite.items():
        pg_ms, pg_floor = on_pg[name]
        if name.endswith("_refused"):
            results[name] = f"sqlite {ms:.0f} of {floor:.0f} | postgresql {pg_ms:.0f} of {pg_floor:.0f}"
            continue
        results[name] = (f"sqlite {ms:.1f} ms (floor {floor:.2g}, {ms / floor:.1f}x) | postgresql {pg_ms:.1f} ms "
                         f"(floor {pg_floor:.2g}, {pg_ms / pg_floor:.1f}x) | postgresql/sqlite {pg_ms / ms:.2f}")
    publish("engines", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
