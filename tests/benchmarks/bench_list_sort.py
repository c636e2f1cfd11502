"""Benchmark: the invoice list's first page sorted by amount due and by customer (both directions), against the
same SQL run with plain sqlite3 in the same run (not part of the test run).

    python tests/benchmarks/bench_list_sort.py DATA_FILE [--runs 5] [--page 200]

Opens the SQLite file as the app does (no migration: run it on a file at this checkout's head, or on a copy),
times ``list_invoices`` (median of ``--runs`` after a warm-up) and, as floor, the statement it sent executed again
with sqlite3 (statement, cursor, fetch). Prints one line per sort and direction in milliseconds with the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from invoicer.db.engine import make_engine, make_session_factory  # noqa: E402
from invoicer.services import invoices  # noqa: E402
from tests.benchmarks.report import median_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_file", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", type=int, default=200)
    args = parser.parse_args()
    engine = make_engine(args.data_file)
    sent: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, params, _ctx, _many: sent.append((sql, params)))
    factory = make_session_factory(engine, readonly=True)
    plain = sqlite3.connect(f"file:{args.data_file}?mode=ro", uri=True)
    for sort in ("amount_due", "customer"):
        for descending in (True, False):
            def page(sort: str = sort, descending: bool = descending) -> object:
                with factory() as s:
                    return invoices.list_invoices(s, sort=sort, descending=descending, limit=args.page)
            service = median_ms(page, args.runs)
            sql, params = next((q, p) for q, p in reversed(sent) if "ORDER BY" in q)
            floor = median_ms(lambda sql=sql, params=params: plain.execute(sql, params).fetchall(), args.runs)
            way = "desc" if descending else "asc"
            print(f"{sort:<11} {way:<4} service {service:8.1f} ms  sqlite3 {floor:8.1f} ms  ratio {service / floor:5.2f}")


if __name__ == "__main__":
    main()
