"""Benchmark: finalize on a shared PostgreSQL server, one client against four at once, and the floor with plain
psycopg (not part of the test run).

    python tests/benchmarks/bench_server.py [--finalizes 40] [--clients 4]

Starts a throwaway cluster (as tests/postgres does; stopped and removed at the end), makes a business with
drafts, and times ``finalize_invoice`` through ``store.write`` (number from the locked counter row, the PDF
rendered and kept in the database, the chain link, the audit event) with one client and with N processes at
once; each figure is its own median and p99 per finalize, and the throughput of the whole round. The reference
does the same locking with plain psycopg in the same run: per finalize one transaction that locks the counter
row, increments it, numbers a row and appends an audit row (no PDF, no ORM). Prints a table and writes
tests/benchmarks/results/server.json (ignored by git).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from invoicer.db.migrate import open_server  # noqa: E402
from invoicer.services import invoices, store  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.postgres.cluster import bin_dir, start_cluster  # noqa: E402
from tests.postgres.concurrency import DAY, draft_for  # noqa: E402
from tests.services.helpers import add_customer, set_up_seller  # noqa: E402

Timed = tuple[list[float], float, float]  # each finalize's seconds, and when the first began and the last ended


def finalize_all(url: str, folder: str, ids: list[int]) -> Timed:
    """Finalize ``ids``; the first one warms the process up (ReportLab, fonts) and is not counted."""
    db = open_server(url, Path(folder))
    took = []
    try:
        store.write(db, lambda s: invoices.finalize_invoice(s, ids[0]))
        began = time.time()
        for invoice_id in ids[1:]:
            start = time.perf_counter()
            store.write(db, lambda s, i=invoice_id: invoices.finalize_invoice(s, i))
            took.append(time.perf_counter() - start)
    finally:
        db.close()
    return took, began, time.time()


def reference_all(url: str, count: int) -> Timed:
    took = []
    with psycopg.connect(url) as conn:
        began = time.time()
        for _ in range(count):
            start = time.perf_counter()
            with conn.transaction():
                seq = conn.execute("SELECT last_seq FROM ref_counter WHERE id = 1 FOR UPDATE").fetchone()
                assert seq is not None
                conn.execute("UPDATE ref_counter SET last_seq = %s WHERE id = 1", (seq[0] + 1,))
                conn.execute("INSERT INTO ref_docs (number) VALUES (%s)", (f"INV-{seq[0] + 1:05}",))
                conn.execute("INSERT INTO ref_events (action, payload) VALUES ('finalize', %s)", (str(seq[0] + 1),))
            took.append(time.perf_counter() - start)
    return took, began, time.time()


def _round(pool: multiprocessing.pool.Pool, job: object, args: list[tuple[object, ...]]) -> dict[str, float]:
    parts: list[Timed] = pool.starmap(job, args)  # type: ignore[arg-type]
    took = [t for part, _began, _ended in parts for t in part]
    wall = max(ended for _t, _b, ended in parts) - min(began for _t, began, _e in parts)
    ordered = sorted(took)
    return {"per_second": round(len(took) / wall, 1), "median_ms": round(statistics.median(took) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--finalizes", type=int, default=40, help="finalizes per round")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    found = bin_dir()
    if found is None:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
    cluster = start_cluster(found)
    folder = tempfile.mkdtemp(prefix="invoicer-bench-server-")
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "bench"')
        url = cluster.url("bench")
        db = open_server(url, Path(folder), init=True)
        try:
            set_up_seller(db)
            customer_id = add_customer(db)
            drafts = [store.write(db, lambda s: invoices.create_draft(s, draft_for(customer_id), DAY))
                      for _ in range(2 * args.finalizes + 1 + args.clients)]  # and one per process to warm up
        finally:
            db.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE ref_counter (id int PRIMARY KEY, last_seq int NOT NULL)")
            conn.execute("INSERT INTO ref_counter VALUES (1, 0)")
            conn.execute("CREATE TABLE ref_docs (id serial PRIMARY KEY, number text UNIQUE NOT NULL)")
            conn.execute("CREATE TABLE ref_events (id serial PRIMARY KEY, action text, payload text)")
        n, k = args.finalizes, args.clients
        single, together = drafts[:n + 1], drafts[n + 1:]
        results: dict[str, object] = {"finalizes per round": n, "clients": k}
        with multiprocessing.get_context("spawn").Pool(k) as pool:
            app_1 = _round(pool, finalize_all, [(url, folder, single)])
            app_k = _round(pool, finalize_all, [(url, folder, together[i::k]) for i in range(k)])
            # each worker counts n/k after its warm-up one: together holds n + k drafts
            ref_1 = _round(pool, reference_all, [(url, n)])
            ref_k = _round(pool, reference_all, [(url, n // k) for _ in range(k)])
        results |= {"app, 1 client": app_1, f"app, {k} clients": app_k, "psycopg, 1 client": ref_1,
                    f"psycopg, {k} clients": ref_k,
                    f"app throughput {k} vs 1": round(app_k["per_second"] / app_1["per_second"], 2),
                    f"psycopg throughput {k} vs 1": round(ref_k["per_second"] / ref_1["per_second"], 2),
                    "app / psycopg time per finalize (1 client)": round(app_1["median_ms"] / ref_1["median_ms"], 1)}
        db = open_server(url, Path(folder))
        try:
            from invoicer.services import integrity

            results["verify"] = store.read(db, lambda s: integrity.verify(s).ok)
        finally:
            db.close()
        publish("server", results)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
