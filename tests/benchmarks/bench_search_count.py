"""Benchmark: the count of a search keystroke whose term matches many customers' documents (not part of the test run).

    python tests/benchmarks/bench_search_count.py --url postgresql://... [--term fischer] [--runs 15] [--rounds 3]
    python tests/benchmarks/bench_search_count.py --data-dir DIR [--term fischer]

Times services.invoices.count_invoices for a search alone (the count under the list while typing) and, as the
reference in the same run, the count it sent before: the distinct ids of every branch of the search (number and
reference prefixes, documents of a matching customer) counted one by one. Both alternate, ``--rounds`` times, the
reference first in every other round. With the demo's 60 customers, "fischer" matches 5 of them: a twelfth of every
document. Point ``--url`` at a database made with ``invoicer db copy --to`` (VACUUM ANALYZE it first: an index-only
scan needs the visibility map) or ``--data-dir`` at a local business. Prints the medians and writes
tests/benchmarks/results/search_count.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from invoicer.db.migrate import Database, open_database, open_server  # noqa: E402
from invoicer.services import invoices  # noqa: E402
from invoicer.services.invoices import InvoiceFilter, _search_ids  # noqa: E402
from tests.benchmarks.bench_engines import median_ms  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402


def compare(db: Database, term: str, runs: int, rounds: int) -> dict[str, object]:
    flt = InvoiceFilter(search=term)

    def now() -> int:
        with db.readonly_sessions() as s:
            return invoices.count_invoices(s, flt)

    def reference() -> int:  # the statement count_invoices sent before
        with db.readonly_sessions() as s:
            return int(s.scalar(select(func.count()).select_from(_search_ids(flt).subquery())) or 0)

    counted = now()
    if counted != reference():
        raise SystemExit(f"the counts differ: {counted} now, {reference()} before")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for turn in range(rounds):
        for state in ("before", "after") if turn % 2 == 0 else ("after", "before"):
            times[state].append(median_ms(reference if state == "before" else now, runs))
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    with db.readonly_sessions() as s:
        total = invoices.count_invoices(s, InvoiceFilter())
    return {"engine": db.engine.dialect.name, "invoices": total, "term": term, "matches": counted,
            "count": f"before {before:.2f} ms | after {after:.2f} ms | after/before {after / before:.2f}",
            "rounds": {state: [round(t, 2) for t in figures] for state, figures in times.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a PostgreSQL database at this version's schema")
    where.add_argument("--data-dir", type=Path, help="a local business")
    parser.add_argument("--term", default="fischer")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    desk = Path(__file__).resolve().parent / "results" / "search_count_desk"
    db = open_server(args.url, desk) if args.url else open_database(args.data_dir, daily_backup=False)
    try:
        results = compare(db, args.term, args.runs, args.rounds)
    finally:
        db.close()
    publish(f"search_count_{results['engine']}", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
