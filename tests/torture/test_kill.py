"""Kill the app at random moments, hundreds of times, and check that nothing it promised is lost.

Not part of the default run (marker ``torture``). CI runs a short version; the long run is

    INVOICER_TORTURE_ROUNDS=300 pytest -m torture

After every SIGKILL: the database opens, ``verify`` passes (hash chain, gapless numbers, balances),
every commit the driver logged is present, and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from invoicer.services import backups, customers, integrity, invoices, payments, store

pytestmark = pytest.mark.torture

ROUNDS = int(os.environ.get("INVOICER_TORTURE_ROUNDS", "12"))
ROOT = Path(__file__).resolve().parents[2]
#: temporary files a crash may leave; opening the data folder must clean them (SQLite's own WAL and journal
#: files are how it recovers, and stay its business)
LEFTOVER_PATTERNS = ("*.partial*", "*.tmp", "tmp*")


class Driver:
    """The driver process and its log of committed operations."""

    def __init__(self, folder: Path, log: Path, seed: int, mode: str) -> None:
        self.log = log
        self.before = self.entries()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.torture.driver", str(folder), str(log), str(seed), mode],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def entries(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        found = []
        for line in self.log.read_text().splitlines():
            # the line being written when the kill came is cut short: its commit may or may not be there
            with contextlib.suppress(json.JSONDecodeError):
                found.append(json.loads(line))
        return found

    def wait_started(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("op") == "started" for e in self.entries()[len(self.before):]):
            if self.process.poll() is not None:
                raise AssertionError(f"the driver died by itself: {self.process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("the driver did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"the driver died by itself: {self.process.stderr.read().decode()[-2000:]}")
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process.stderr.close()


def leftovers(folder: Path) -> list[Path]:
    return [p for pattern in LEFTOVER_PATTERNS for p in folder.rglob(pattern)]


def check_promises(folder: Path, entries: list[dict[str, Any]]) -> None:
    """The database opens, verify passes, every logged commit is there, and opening it left no temporary file."""
    db = store.open_database(folder, daily_backup=False)
    assert not leftovers(folder), leftovers(folder)
    try:
        report = store.read(db, lambda s: integrity.verify(s, folder))
        assert report.ok, report.problems
        deleted = {e["id"] for e in entries if e["op"] == "delete"}

        def present(s: store.Session) -> None:
            payment_ids = {p.id for p in payments.list_payments(s)}
            customer_ids = {c.id for c in customers.list_customers(s, None, True)}
            for e in entries:
                op = e["op"]
                if op == "customer":
                    assert e["id"] in customer_ids, e
                elif op == "draft" and e["id"] not in deleted:
                    invoices.get_invoice(s, e["id"])
                elif op == "finalize":
                    assert invoices.get_invoice(s, e["id"]).number == e["number"], e
                elif op in ("payment", "reversal"):
                    assert e["id"] in payment_ids, e
                elif op == "credit":
                    assert invoices.get_invoice(s, e["id"], "credit_note").number == e["number"], e
                elif op == "void":
                    assert invoices.get_invoice(s, e["id"]).status == "void", e

        store.read(db, present)
        newest = backups.list_backups(folder)
        if newest:
            backups.check_backup(newest[0].path)
    finally:
        db.close()


def seller_folder(folder: Path, template: Path) -> Path:
    folder.mkdir()
    shutil.copy(template, folder / "invoicer.sqlite3")
    db = store.open_database(folder, daily_backup=False)
    from invoicer.services import company

    store.write(db, lambda s: company.update_company(
        s, name="Torture AG", address="Teststraße 1", postcode="10115", city="Berlin", country="DE",
        vat_id="DE123456788", iban="DE89370400440532013000", currency="EUR", locale="de_DE"))
    db.close()
    return folder


@pytest.mark.parametrize("mode", ["work", "restore"])
def test_kills_lose_nothing_committed(template_db: Path, tmp_path: Path, mode: str) -> None:
    folder = seller_folder(tmp_path / "data", template_db)
    log = tmp_path / "committed.jsonl"
    rng = random.Random(f"{mode}-{ROUNDS}")
    commits = 0
    for round_no in range(ROUNDS):
        driver = Driver(folder, log, round_no, mode)
        if rng.random() < 0.15:
            time.sleep(rng.uniform(0, 0.8))  # now and then during start-up: imports, opening the database
        else:
            driver.wait_started()
            time.sleep(rng.uniform(0, 1.5))
        driver.kill()
        entries = driver.entries()
        commits += len(entries) - len(driver.before)
        if mode == "work":
            check_promises(folder, entries)
        else:  # a restore legitimately goes back in time: the promise is a database that opens and adds up
            check_promises(folder, [])
    print(f"torture[{mode}]: {ROUNDS} kills, {commits} logged commits, 0 failures")
    assert commits > ROUNDS  # the kills landed while work was being done, not only before it started


def test_a_kill_during_the_first_migration_leaves_a_database_that_opens(tmp_path: Path) -> None:
    rng = random.Random(7)
    for round_no in range(max(ROUNDS // 2, 3)):
        folder = tmp_path / f"data{round_no}"
        log = tmp_path / f"log{round_no}"
        driver = Driver(folder, log, round_no, "work")
        time.sleep(rng.uniform(0.3, 2.5))  # imports take most of the first second; then the schema is built
        driver.kill()
        check_promises(folder, [])


def test_several_writers_at_once_then_killed_lose_nothing_and_never_clash(template_db: Path, tmp_path: Path) -> None:
    """Three processes (think: the app, a cron reminder run and a script) write at once. Waiting for the write
    lock is bounded and reported as 'busy' (a refusal the driver shrugs off); any other failure kills a driver
    and fails the test. Then all are killed at once: every commit any of them logged is there, numbers gapless."""
    folder = seller_folder(tmp_path / "data", template_db)
    rng = random.Random(3)
    logs = [tmp_path / f"writer{n}.jsonl" for n in range(3)]
    for round_no in range(max(ROUNDS // 3, 3)):
        drivers = [Driver(folder, log, round_no * 10 + n, "work") for n, log in enumerate(logs)]
        for driver in drivers:
            driver.wait_started()
        time.sleep(rng.uniform(0.5, 2.0))
        for driver in drivers:
            driver.kill()
        check_promises(folder, [e for driver in drivers for e in driver.entries()])
