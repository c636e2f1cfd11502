"""``invoicer verify`` on a data folder, against plain sqlite3 reading the same rows and hashing them in the same run.

Each measured run is its own process (its workers with it), the folder opened read-only as it is (never migrated or
backed up): wall and CPU time (the run's and its workers'), the peak of the resident memory of all its processes
together, the load, the time from the process's start to its first progress call and the longest time without one.
The reference reads every document, line, line allowance, adjustment, VAT row, chain link and payment with plain
sqlite3 and feeds their bytes to SHA-256, in one process: a floor for a pass that reads and checks each row once.
``--before TREE`` runs the same harness on another source tree (e.g. ``git archive`` of main) in the same rounds.

    python tests/benchmarks/bench_verify.py --data-dir DIR [--jobs 1,2] [--rounds 2] [--before TREE]

Target (issue 19): no phase silent for more than a few seconds at 1,000,000 invoices; the first progress within a
second of the start (plus the imports); with --jobs 2 on two cores, the wall time well under one process's.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

TABLES = ("invoices", "invoice_lines", "invoice_line_allowances", "invoice_adjustments", "invoice_taxes",
          "document_chain", "payments")


def reference(database: Path) -> dict[str, Any]:
    """Plain sqlite3: every row of the tables verify reads, in id order, its bytes through SHA-256."""
    started, cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    digest, rows = hashlib.sha256(), 0
    for table in TABLES:
        for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
            rows += 1
    connection.close()
    return {"wall_s": round(time.perf_counter() - started, 1), "cpu_s": round(time.process_time() - cpu, 1),
            "rows": rows}


def child(tree: str, folder: str, jobs: int) -> None:
    """One verify in this process (``tree``'s invoicer), its figures as JSON on stdout."""
    born = time.perf_counter()
    sys.path.insert(0, tree)
    import inspect

    from invoicer.db.engine import make_engine, make_session_factory, transaction
    from invoicer.services import integrity

    calls: list[float] = []
    phases: dict[str, float] = {}

    def progress(*step: Any) -> None:
        now = time.perf_counter() - born
        calls.append(now)
        if len(step) == 4:
            phases.setdefault(step[0], now)

    engine = make_engine(Path(folder) / "invoicer.sqlite3")
    options = {"jobs": jobs} if "jobs" in inspect.signature(integrity.verify).parameters else {}
    start = time.perf_counter() - born
    with transaction(make_session_factory(engine, readonly=True)) as session:
        report = integrity.verify(session, Path(folder), progress, **options)
    end = time.perf_counter() - born
    marks = [start, *calls, end]
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "ok": report.ok, "problems": len(report.problems), "checked": report.checked,
        "verify_s": round(end - start, 1), "first_progress_s": round(calls[0], 2) if calls else None,
        "longest_silence_s": round(max(b - a for a, b in itertools.pairwise(marks)), 2),
        "cpu_s": round(own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime, 1),
        "phases_start_s": {name: round(at, 1) for name, at in phases.items()},
    }))


def _tree_rss(root: int) -> int:
    """Resident memory (kB) of ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def measured(tree: str, folder: str, jobs: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--child", tree, "--data-dir", folder, "--jobs", str(jobs)],
                               stdout=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    sampler.join()
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall_s=round(time.perf_counter() - started, 1), peak_rss_mb=round(peak[0] / 1024),
                  load=[round(load, 1), round(os.getloadavg()[0], 1)])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", help="another source tree to measure in the same rounds (jobs 1)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        child(a.child, a.data_dir, int(a.jobs))
        return
    database = Path(a.data_dir) / "invoicer.sqlite3"
    runs: dict[str, list[dict[str, Any]]] = {}
    for _round in range(a.rounds):
        runs.setdefault("reference", []).append(reference(database))
        print("reference", runs["reference"][-1], flush=True)
        if a.before:
            runs.setdefault("before", []).append(measured(a.before, a.data_dir, 1))
            print("before", runs["before"][-1], flush=True)
        for jobs in (int(j) for j in a.jobs.split(",")):
            name = f"jobs {jobs}"
            runs.setdefault(name, []).append(measured(str(ROOT), a.data_dir, jobs))
            print(name, runs[name][-1], flush=True)
    base = statistics.median(r["wall_s"] for r in runs["reference"])
    results: dict[str, Any] = {"data_dir": a.data_dir, "cores": os.cpu_count(), "reference_wall_s": base}
    for name, found in runs.items():
        if name == "reference":
            continue
        wall = statistics.median(r["wall_s"] for r in found)
        results[name] = {"wall_s": wall, "ratio_to_reference": round(wall / base, 1),
                         "cpu_s": statistics.median(r["cpu_s"] for r in found),
                         "peak_rss_mb": max(r["peak_rss_mb"] for r in found),
                         "first_progress_s": max(r["first_progress_s"] or 0 for r in found),
                         "longest_silence_s": max(r["longest_silence_s"] for r in found),
                         "runs": found}
    from report import publish

    publish("verify", results)


if __name__ == "__main__":
    main()
