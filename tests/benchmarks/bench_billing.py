"""Benchmark: a billing run over 10,000 due plans against plain sqlite3 writing the same rows in as many commits.

    .venv/bin/python tests/benchmarks/bench_billing.py [--plans 10000]

Makes a data folder with one customer per 10 plans and N monthly plans (two lines each, in draft mode, all due
on the run's day), then runs ``billing.run_billing`` and the reference each in its own child process (so each
peak resident memory is its own) and prints time, peak RSS and the ratio. The reference is the floor a run
cannot beat: per period one transaction inserting the invoice, its lines, its tax row, the billing_runs row and
an audit event with sqlite3's executemany, no ORM, no validation, no schedule. Target: ratio <= 25, peak RSS
< 300 MB (what the run holds is the list of due periods, not the invoices).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from invoicer.db.engine import transaction
from invoicer.db.migrate import open_database
from invoicer.services import billing, customers
from tests.benchmarks.report import publish
from tests.services.helpers import set_up_seller

TODAY = date(2026, 12, 1)


def fill(folder: Path, plans: int) -> None:
    db = open_database(folder, daily_backup=False)
    try:
        set_up_seller(db)
        with transaction(db.sessions) as s:
            ids = [customers.add_customer(s, customers.CustomerData(name=f"Customer {i}", country="DE",
                                                                    locale="de_DE"))
                   for i in range(max(plans // 10, 1))]
            for i in range(plans):
                billing.add_plan(s, billing.PlanData(
                    customer_id=ids[i % len(ids)], start=TODAY, lines=[
                        billing.PlanLineData("Hosting", "1", f"{10 + i % 90}.90", "S", "19"),
                        billing.PlanLineData("Support hours", "2", "85.00", "S", "19"),
                    ]))
    finally:
        db.close()


def run_reference(folder: Path, plans: int) -> int:
    """The same rows per period, one commit each, with plain sqlite3."""
    con = sqlite3.connect(folder / "invoicer.sqlite3", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    rows = con.execute("SELECT id, customer_id FROM billing_plans WHERE id > 0 ORDER BY id").fetchall()
    now = "2026-12-01 08:00:00.000000"
    for plan_id, customer_id in rows:
        con.execute("BEGIN IMMEDIATE")
        cur = con.execute(
            "INSERT INTO invoices (doc_type, status, customer_id, currency, issue_date, due_date, tax_rounding, "
            "subtotal, allowance_total, charge_total, tax_total, total, paid, credited, applied_to_due, "
            "to_customer_credit, refunded, created_at, updated_at) VALUES ('invoice', 'draft', ?, 'EUR', "
            "'2026-12-01', '2026-12-31', 'document', 22090, 0, 0, 4197, 26287, 0, 0, 0, 0, 0, ?, ?)",
            (customer_id, now, now))
        invoice_id = cur.lastrowid
        con.executemany(
            "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit, unit_price, price_base, "
            "tax_category, tax_rate, gross, discount, net) VALUES (?, ?, ?, ?, 'C62', ?, '1', 'S', '19', ?, 0, ?)",
            [(invoice_id, 1, "Hosting", "1", "50.90", 5090, 5090), (invoice_id, 2, "Support hours", "2", "85.00",
                                                                     17000, 17000)])
        con.execute("INSERT INTO invoice_taxes (invoice_id, category, rate, basis, amount) VALUES "
                    "(?, 'S', '19', 22090, 4197)", (invoice_id,))
        con.execute("INSERT INTO billing_runs (plan_id, period_start, period_end, invoice_id, billed_on, emailed, "
                    "created_at) VALUES (?, '2026-12-01', '2026-12-31', ?, '2026-12-01', 0, ?)",
                    (plan_id, invoice_id, now))
        con.execute("INSERT INTO audit_events (at, actor, action, entity, entity_id, after_status, payload) VALUES "
                    "(?, 'bench', 'create', 'invoice', ?, 'draft', '{}')", (now, invoice_id))
        con.execute("COMMIT")
    con.close()
    return len(rows)


def _peak_rss_kb() -> int:
    """This process's own peak resident memory (VmHWM, kB). Not ru_maxrss: Linux keeps that across fork and exec,
    so every child reported the parent's peak (the 10,000 plans it had just filled), the same for both kinds."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def run_child(kind: str, folder: Path, plans: int) -> dict[str, float]:
    started = time.perf_counter()
    if kind == "billing":
        db = open_database(folder, daily_backup=False)
        try:
            result = billing.run_billing(db, TODAY)
        finally:
            db.close()
        assert not result.failures, result.failures[:3]
        count = len(result.billed)
    else:
        count = run_reference(folder, plans)
    seconds = time.perf_counter() - started
    peak_mb = _peak_rss_kb() / 1024
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb, 1), "periods": count}


def measure(kind: str, folder: Path, plans: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_billing", "--child", kind, "--data-dir", str(folder),
         "--plans", str(plans)], check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--child", choices=("billing", "reference"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.data_dir, args.plans)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as tmp:
        template = Path(tmp) / "template"
        started = time.perf_counter()
        fill(template, args.plans)
        setup = time.perf_counter() - started
        figures = {}
        for kind in ("reference", "billing"):
            folder = Path(tmp) / kind
            shutil.copytree(template, folder)
            figures[kind] = measure(kind, folder, args.plans)
        publish("bench_billing", {
            "plans": args.plans,
            "setup_seconds": round(setup, 1),
            "reference_sqlite3": figures["reference"],
            "billing_run": figures["billing"],
            "ratio": round(figures["billing"]["seconds"] / max(figures["reference"]["seconds"], 1e-6), 1),
            "billing_per_period_ms": round(1000 * figures["billing"]["seconds"] / max(args.plans, 1), 2),
        })


if __name__ == "__main__":
    main()
