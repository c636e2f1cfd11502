"""Benchmark: the invoice list's search keystroke on PostgreSQL with and without migration 0035's trigram indexes
(not part of the test run).

    python tests/benchmarks/bench_search_trgm.py --data-dir DIR [--customers 100000] [--runs 7] [--rounds 3]

Copies the local business in ``DIR`` with ``db copy`` to a throwaway PostgreSQL cluster (as bench_engines.py does;
stopped and removed at the end) and times bench_engines.py's search keystroke (first page + count, the term taken
from the first customer's name) and the customer list's search with the same term, each against its floor (the
same SQL with plain psycopg), alternately with the trigram indexes (after) and with them dropped (before: the
reference), ``--rounds`` times. Then adds ``--customers`` customers that do not match (no invoices), ANALYZE, and
does it again: the demo data has 60 customers, which the server reads whole in microseconds either way.
Prints the medians and writes tests/benchmarks/results/search_trgm.json.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import select  # noqa: E402

from invoicer.db.migrate import Database, open_database, open_server  # noqa: E402
from invoicer.db.models import Customer  # noqa: E402
from invoicer.services import customers, server  # noqa: E402
from tests.benchmarks.bench_engines import median_ms, plain_runner, reads, sent_sql  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.postgres.cluster import bin_dir, start_cluster  # noqa: E402

TRIGRAMS = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customers' AND indexname LIKE '%\\_trgm'"


def keystrokes(db: Database, runs: int) -> dict[str, tuple[float, float]]:
    """The invoice search keystroke and the customer list's search: median ms and their floors'."""
    keystroke = reads(db)["search_keystroke"]
    with db.readonly_sessions() as s:  # as reads() takes it
        term = (s.scalar(select(Customer.name).order_by(Customer.id)) or "a").split()[0][:3].lower()
    run_plain, close = plain_runner(db)
    found = {}
    try:
        for name, work in (("search_keystroke", keystroke),
                           ("customer_search", lambda s: customers.list_customers(s, search=term))):
            statements = sent_sql(db, lambda w=work: _in_session(db, w))
            found[name] = (median_ms(lambda w=work: _in_session(db, w), runs),
                           median_ms(lambda st=statements: run_plain(st), runs))
    finally:
        close()
    return found


def _in_session(db: Database, work: object) -> None:
    with db.readonly_sessions() as s:
        work(s)  # type: ignore[operator]


def compare(db: Database, url: str, runs: int, rounds: int) -> dict[str, str]:
    """Alternate the indexes dropped (before) and made again (after), ``rounds`` times each."""
    with psycopg.connect(url, autocommit=True) as conn:
        made = conn.execute(TRIGRAMS).fetchall()
    if not made:
        raise SystemExit("no trigram indexes on the server (pg_trgm missing?)")
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for turn in range(rounds):
        for state in ("before", "after") if turn % 2 == 0 else ("after", "before"):  # neither always first
            with psycopg.connect(url, autocommit=True) as conn:
                for name, definition in made:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
                    if state == "after":
                        conn.execute(definition)
                conn.execute("ANALYZE customers")
            for name, figures in keystrokes(db, runs).items():
                times.setdefault((name, state), []).append(figures)
    with psycopg.connect(url, autocommit=True) as conn:  # left as the migration made them
        for name, definition in made:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute(definition)
    out = {}
    for name in ("search_keystroke", "customer_search"):
        before = [statistics.median(f) for f in zip(*times[(name, "before")], strict=True)]
        after = [statistics.median(f) for f in zip(*times[(name, "after")], strict=True)]
        out[name] = (f"before {before[0]:.1f} ms (floor {before[1]:.2g}) | after {after[0]:.1f} ms "
                     f"(floor {after[1]:.2g}) | after/before {after[0] / before[0]:.2f}")
    return out


def add_customers(url: str, count: int) -> None:
    """``count`` customers whose names match no search term of the demo's first customer (no invoices)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO customers (name, search_name, email, address, postcode, city, country, currency, locale,"
            " terms_days, archived, created_at, public_body)"
            " SELECT 'Zeta Handel ' || g, 'zeta handel ' || g, 'ap' || g || '@zeta.example', c.address, c.postcode,"
            " c.city, c.country, c.currency, c.locale, c.terms_days, false, c.created_at, false"
            " FROM generate_series(1, %s) AS g, (SELECT * FROM customers ORDER BY id LIMIT 1) AS c", (count,))
        conn.execute("VACUUM ANALYZE customers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a local business (e.g. of `demo`)")
    parser.add_argument("--customers", type=int, default=100_000, help="customers added for the second part")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work_dir = Path(tempfile.mkdtemp(prefix="invoicer-bench-trgm-"))
    shutil.copytree(args.data_dir, work_dir / "local")
    cluster = start_cluster(bin_dir() or Path("/nonexistent"))
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        local = open_database(work_dir / "local", daily_backup=False)
        server.copy_to_server(local, url)
        local.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            customers_now = conn.execute("SELECT count(*) FROM customers").fetchone()[0]  # type: ignore[index]
            invoices_now = conn.execute("SELECT count(*) FROM invoices").fetchone()[0]  # type: ignore[index]
        shared = open_server(url, work_dir / "desk")
        results: dict[str, object] = {"invoices": invoices_now}
        for name, figure in compare(shared, url, args.runs, args.rounds).items():
            results[f"{name}, {customers_now} customers"] = figure
        if args.customers:
            add_customers(url, args.customers)
            for name, figure in compare(shared, url, args.runs, args.rounds).items():
                results[f"{name}, {customers_now + args.customers} customers"] = figure
        shared.close()
    finally:
        cluster.stop()
        shutil.rmtree(work_dir, ignore_errors=True)
    publish("search_trgm", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
