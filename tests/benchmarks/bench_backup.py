"""Daily-backup benchmark (not part of the test run): the day's first start must not wait for the backup.

    python tests/benchmarks/bench_backup.py --data DIR [--repeat 5]
    python tests/benchmarks/bench_backup.py --invoices 100000   # makes the demo data in a temp folder first

Measures, in the same run and on the same file, ``open_database`` when the daily backup is due (no backup from
today) against ``open_database`` when it is not (the reference). Target: due / not due <= 1.1. Also reports how
long the background backup takes to finish and the archive's size against the raw database file. A first,
uncounted round warms the caches (the first open of a process is slower either way). Deletes only
the backups it made. Prints a table and writes tests/benchmarks/results/backup.json (ignored by git).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer import paths  # noqa: E402
from invoicer.db.migrate import open_database  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402

TARGET_RATIO = 1.1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, help="data folder with an Invoicer database (default: make demo data)")
    ap.add_argument("--invoices", type=int, default=100_000, help="demo invoices when no --data is given")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    folder = args.data or Path(tempfile.mkdtemp(prefix="invoicer-bench-backup-"))
    if not paths.database_path(folder).exists():
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo", "--invoices",
                        str(args.invoices), "--seed", "1"], check=True, cwd=ROOT)
    backups_dir = paths.backups_dir(folder)
    existing = set(backups_dir.iterdir()) if backups_dir.is_dir() else set()
    aside = Path(tempfile.mkdtemp(prefix="invoicer-bench-aside-", dir=folder))
    for path in existing:  # the user's backups would make today "already backed up"
        path.replace(aside / path.name)

    due, not_due, finished, archive_sizes = [], [], [], []
    try:
        for run in range(args.repeat + 1):  # run 0 warms the caches and is not counted
            start = time.perf_counter()
            db = open_database(folder)
            due.append((time.perf_counter() - start) * 1000)
            made = db.daily_backup.result() if db.daily_backup is not None else None
            finished.append((time.perf_counter() - start) * 1000)
            db.close()
            if made is not None:
                archive_sizes.append(made.stat().st_size)

            start = time.perf_counter()
            db = open_database(folder)  # today's backup exists now: nothing is due
            not_due.append((time.perf_counter() - start) * 1000)
            db.close()
            for made_now in backups_dir.iterdir():
                made_now.unlink()
            if run == 0:
                due, not_due, finished, archive_sizes = [], [], [], []
    finally:
        for path in aside.iterdir():
            path.replace(backups_dir / path.name)
        shutil.rmtree(aside)

    raw = paths.database_path(folder).stat().st_size
    ratio = statistics.median(due) / statistics.median(not_due)
    publish("backup", {
        "database_bytes": raw,
        "open_with_daily_backup_due_ms_median": round(statistics.median(due), 1),
        "open_without_backup_due_ms_median (reference)": round(statistics.median(not_due), 1),
        "ratio (target <= 1.1)": round(ratio, 2),
        "target_met": ratio <= TARGET_RATIO,
        "daily_backup_finished_after_ms_median": round(statistics.median(finished), 1),
        "archive_bytes": archive_sizes[-1] if archive_sizes else None,
        "archive_to_database": round(archive_sizes[-1] / raw, 3) if archive_sizes else None,
        "runs": {"due": [round(x, 1) for x in due], "not_due": [round(x, 1) for x in not_due]},
    })


if __name__ == "__main__":
    main()
