"""verify in phases from its first second, and its documents' pass in worker processes: the same report as in one
process, read from the same committed state as verify's own, and a worker's failure said in one line."""

from __future__ import annotations

import pytest

from invoicer.core.errors import StorageError
from invoicer.db.engine import transaction
from invoicer.db.migrate import Database
from invoicer.services import integrity, invoices

from .helpers import make_draft, make_open, tamper


def verify(db: Database, jobs: int, progress: integrity.Progress | None = None) -> integrity.Report:
    with transaction(db.readonly_sessions) as s:
        return integrity.verify(s, db.folder, progress, jobs=jobs)


def test_each_phase_is_told_as_it_starts_and_as_it_ends(seller: Database, customer_id: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        make_open(seller, customer_id)
    make_draft(seller, customer_id)
    monkeypatch.setattr(integrity, "BATCH", 1)  # a report after every unit
    told: list[tuple[str, str, int, int]] = []
    assert verify(seller, 1, lambda *step: told.append(step)).ok
    phases = list(dict.fromkeys(phase for phase, *_ in told))
    sqlite = ["SQLite integrity check", "references"] if seller.url is None else []
    assert phases == [*sqlite, "hash chain", "documents", "number series", "payments and customer credit",
                      "stored PDFs"]
    for phase in phases:
        steps = [(done, total) for name, _unit, done, total in told if name == phase]
        assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1], (phase, steps)
    assert [(done, total) for name, _unit, done, total in told if name == "documents"] == [
        (0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert [(done, total) for name, _unit, done, total in told if name == "hash chain"] == [
        (0, 3), (1, 3), (2, 3), (3, 3)]


def test_workers_report_tampered_documents_as_one_process_does(seller: Database, customer_id: int) -> None:
    ids = [make_open(seller, customer_id) for _ in range(6)]
    make_draft(seller, customer_id)
    first, middle, last = ids[0], ids[3], ids[-1]
    tamper(seller, f"UPDATE invoices SET total = total + 1 WHERE id = {first}",
           f"UPDATE invoice_lines SET quantity = '7' WHERE invoice_id = {middle} AND position = 1",
           f"UPDATE invoices SET paid = 5 WHERE id = {last}")
    alone = verify(seller, 1)
    assert not alone.ok
    for number in (first, middle, last):
        assert any(f"INV-2026-{number:05}" in problem for problem in alone.problems), alone.problems
    for jobs in (2, 3):
        side_by_side = verify(seller, jobs)
        assert side_by_side.problems == alone.problems
        assert side_by_side.checked == alone.checked


@pytest.mark.parametrize("jobs", [1, 2])
def test_verify_reads_one_committed_state_whatever_is_committed_meanwhile(
        seller: Database, customer_id: int, jobs: int) -> None:
    make_open(seller, customer_id)
    draft = make_draft(seller, customer_id)
    make_open(seller, customer_id)

    def finalize_the_draft_meanwhile(phase: str, _unit: str, done: int, _total: int) -> None:
        if phase == "documents" and done == 0:  # the workers have not read a document yet
            with transaction(seller.sessions) as s:
                invoices.finalize_invoice(s, draft)

    report = verify(seller, jobs, finalize_the_draft_meanwhile)
    # the chain was checked before the draft was finalized: its documents are what verify sees, not a newer state
    assert report.ok, report.problems
    assert report.checked["chain links"] == report.checked["finalized documents"] == 2
    assert verify(seller, jobs).checked["finalized documents"] == 3


@pytest.mark.sqlite_only
def test_a_worker_that_fails_is_one_clear_error(seller: Database, customer_id: int) -> None:
    for _ in range(4):
        broken = make_open(seller, customer_id)
    tamper(seller, f"UPDATE invoice_lines SET quantity = 'a lot' WHERE invoice_id = {broken}")
    with pytest.raises(StorageError) as caught:
        verify(seller, 2)
    message = str(caught.value)
    assert message.startswith("verify stopped: a worker process checking documents failed (")
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.sqlite_only
def test_a_phase_of_few_units_is_told_after_each(seller: Database, customer_id: int) -> None:
    """The foreign-key check goes a table at a time (seconds each at a million invoices): each is told."""
    make_open(seller, customer_id)
    told: list[tuple[str, str, int, int]] = []
    verify(seller, 1, lambda *step: told.append(step))
    references = [done for name, _unit, done, _total in told if name == "references"]
    assert references == list(range(references[-1] + 1)) and references[-1] > 30
