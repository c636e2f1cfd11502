"""Bulk load against the storage's own speed (not part of the test run).

    python tests/benchmarks/bench_load.py [--invoices 100000] [--keep DIR]

Makes ``invoicer demo --invoices N`` (every invariant kept: totals from core, gapless numbers, hash chain,
audit) and then, in the same run, the reference: plain ``sqlite3`` ``executemany`` of exactly the same rows
into an empty database of the same schema, one transaction per 10,000 rows. Only the time inside
``executemany`` and ``COMMIT`` counts for the reference, so it is the floor of what any loader can do.

Target (issue "Fast at a million invoices"): demo load <= 8x the reference; peak memory flat in N. For comparison
only, the same rows are also written into bare tables (no index, no trigger): "ratio_to_bare_tables".
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.report import publish  # noqa: E402

TARGET_RATIO = 8.0
CHUNK = 10_000


def demo(folder: Path, invoices: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``invoicer demo`` in its own process."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo", "--invoices",
                    str(invoices)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - began
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def empty_copy_of_schema(source: Path, target: Path, tables_only: bool = False) -> None:
    """An empty database with the source's tables, indexes and triggers (the same work per row); with
    ``tables_only``, bare tables: the least any store of these rows does."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode = WAL")
    kinds = "('table')" if tables_only else "('table', 'index', 'trigger')"
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                              f"AND type IN {kinds} "
                              "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"):
        dst.execute(sql)
    dst.commit()
    src.close()
    dst.close()


def reference(source: Path, target: Path, tables_only: bool = False) -> tuple[float, int]:
    """Seconds spent in executemany + COMMIT writing every row of ``source`` into ``target``; rows written."""
    empty_copy_of_schema(source, target, tables_only)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA synchronous = NORMAL")
    tables = [name for (name,) in src.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    spent, rows = 0.0, 0
    for table in tables:
        if dst.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            continue  # filled by the triggers as the rows above went in (revenue_months), as in the demo load
        columns = [row[1] for row in src.execute(f'PRAGMA table_info("{table}")')]
        insert = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        cursor = src.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY rowid')
        while batch := cursor.fetchmany(CHUNK):
            began = time.perf_counter()
            dst.execute("BEGIN")
            dst.executemany(insert, batch)
            dst.execute("COMMIT")
            spent += time.perf_counter() - began
            rows += len(batch)
    src.close()
    dst.close()
    return spent, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="folder to work in and keep (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="invoicer-bench-load-"))
    folder = work / "data"
    seconds, peak_mb = demo(folder, args.invoices)
    ref_seconds, rows = reference(folder / "invoicer.sqlite3", work / "reference.sqlite3")
    ratio = seconds / ref_seconds
    bare_seconds, _rows = reference(folder / "invoicer.sqlite3", work / "reference-bare.sqlite3", tables_only=True)
    publish("load", {
        "invoices": args.invoices,
        "rows": rows,
        "demo_seconds": round(seconds, 2),
        "demo_peak_rss_mb": round(peak_mb, 1),
        "reference_executemany_seconds": round(ref_seconds, 2),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
        # the same rows into bare tables (no index, no trigger): for comparison, not the target's floor
        "reference_bare_tables_seconds": round(bare_seconds, 2),
        "ratio_to_bare_tables": round(seconds / bare_seconds, 2),
    })
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
