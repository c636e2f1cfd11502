"""``invoicer verify --jobs N``: worker processes give the report one process gives, and a worker's failure is one
line on stderr with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from invoicer.db.migrate import open_database
from tests.cli.invocations import ok, run, user_error
from tests.services.helpers import tamper


def _finalized(data: Path, count: int) -> list[int]:
    customer = ok(data, "customer", "add", "--name", "ACME", "--country", "DE")["id"]
    ids = []
    for _ in range(count):
        invoice = ok(data, "invoice", "create", "--customer", str(customer), "--line", "X|1|10|19")["id"]
        ok(data, "invoice", "finalize", str(invoice))
        ids.append(invoice)
    return ids


def _tamper(data: Path, *sql: str) -> None:
    db = open_database(data, daily_backup=False)
    try:
        tamper(db, *sql)
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_workers_report_as_one_process_does(data: Path) -> None:
    ids = _finalized(data, 5)
    _tamper(data, f"UPDATE invoices SET total = total + 1 WHERE id IN ({ids[0]}, {ids[2]}, {ids[-1]})")
    alone = run(data, "verify", "--jobs", "1", "--json")
    assert alone.returncode == 1 and alone.stdout.count("stored totals") == 3
    side_by_side = run(data, "verify", "--jobs", "2", "--json")
    assert (side_by_side.returncode, side_by_side.stdout) == (alone.returncode, alone.stdout)


@pytest.mark.sqlite_only
def test_a_failing_worker_is_one_line_and_exit_2(data: Path) -> None:
    ids = _finalized(data, 4)
    _tamper(data, f"UPDATE invoice_lines SET quantity = 'a lot' WHERE invoice_id = {ids[-1]}")
    assert "verify stopped: a worker process checking documents failed (" in user_error(data, "verify", "--jobs", "2")


def test_jobs_is_a_positive_number(data: Path) -> None:
    assert "--jobs" in user_error(data, "verify", "--jobs", "0")
