"""SIGKILL a billing run at random moments, again and again, then let one finish: every due (plan, period) is
invoiced exactly once, numbers are gapless (``verify``), and no invoice is left without its period or twice.

Marker ``torture`` (not in the default run): ``pytest -m torture tests/torture/test_billing_kill.py``;
INVOICER_TORTURE_ROUNDS sets the number of kills.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from invoicer.db.engine import transaction
from invoicer.db.models import BillingRun, Invoice
from invoicer.services import billing, integrity, store
from invoicer.services.billing import PlanData, PlanLineData
from tests.services.helpers import add_customer, set_up_seller

pytestmark = pytest.mark.torture

ROUNDS = int(os.environ.get("INVOICER_TORTURE_ROUNDS", "12"))
ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 5)


def start_run(folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "INVOICER_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "invoicer", "billing", "run", "--today", TODAY.isoformat()],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_killed_billing_runs_bill_each_period_exactly_once(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    db = store.open_database(folder, daily_backup=False)
    try:
        set_up_seller(db)
        customer = add_customer(db)
        rng = random.Random(14)
        with transaction(db.sessions) as s:
            for i in range(8):
                billing.add_plan(s, PlanData(
                    customer_id=customer, start=date(2026, rng.randint(1, 10), rng.randint(1, 28)),
                    frequency=rng.choice(["monthly", "weekly"]), mode=rng.choice(["finalize", "draft"]),
                    lines=[PlanLineData(f"Plan {i}", "1", f"{rng.randint(1000, 99999) / 100}", "S", "19")],
                ))
        with transaction(db.sessions) as s:
            expected = {(d.plan_id, d.period_start) for d in billing.due_periods(s, TODAY)}
    finally:
        db.close()
    assert len(expected) > 100

    killed = 0
    for _ in range(ROUNDS):
        process = start_run(folder)
        time.sleep(rng.uniform(0.5, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
    with sqlite3.connect(folder / "invoicer.sqlite3") as raw:
        billed_before_last_run = raw.execute("SELECT count(*) FROM billing_runs").fetchone()[0]
    final = start_run(folder)
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err.decode()

    db = store.open_database(folder, daily_backup=False)
    try:
        with transaction(db.sessions) as s:
            runs = s.execute(select(BillingRun.plan_id, BillingRun.period_start, BillingRun.invoice_id)).all()
            assert {(p, start) for p, start, _ in runs} == expected
            assert len(runs) == len(expected)  # UNIQUE(plan, period): never twice
            invoice_ids = [i for *_, i in runs]
            assert None not in invoice_ids and len(set(invoice_ids)) == len(runs)
            assert s.scalar(select(func.count()).select_from(Invoice)) == len(runs)  # no invoice without its period
            report = integrity.verify(s)
            assert report.ok, report
            assert billing.due_periods(s, TODAY) == []
    finally:
        db.close()
    # the kills came in the middle of the work, not all before it started or after it ended
    assert killed > 0 and 0 < billed_before_last_run < len(expected), (killed, billed_before_last_run)
