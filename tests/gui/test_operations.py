"""The operation runner: quick and long operations report a failure once and announce nothing, announce a
success exactly once, and a long one stops at its next progress report when cancelled."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from invoicer.core.errors import ConflictError, InvoicerError, ValidationError
from invoicer.db.migrate import Database
from invoicer.gui import operations
from invoicer.gui.operations import Operations, Progress
from invoicer.services import customers
from tests.gui.conftest import Dialogs


class Stopped(InvoicerError):
    """What the test's cancellable task raises when cancelled."""

    def __init__(self) -> None:
        super().__init__("Stopped.")


@pytest.fixture
def ops(gui_db: Database) -> Operations:
    return Operations(gui_db)


@pytest.fixture
def parent(qtbot) -> Iterator[QWidget]:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget


@pytest.fixture
def changes(ops: Operations) -> list[str]:
    seen: list[str] = []
    ops.changed.connect(seen.append)
    return seen


def test_a_failing_long_operation_shows_its_error_once_and_announces_nothing(
    qtbot, ops: Operations, parent: QWidget, dialogs: Dialogs, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    done: list[object] = []

    def task(progress: Progress) -> None:
        progress(1, 2)
        raise ConflictError("The server said no.")

    job = ops.start(parent, "Working…", task, changes=operations.INVOICES, done=done.append)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    assert dialogs.errors == ["The server said no."] and dialogs.unexpected == 0
    assert changes == [] and done == []


def test_a_bug_in_a_long_operation_is_reported_as_unexpected_once(
    qtbot, ops: Operations, parent: QWidget, dialogs: Dialogs, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    def task(progress: Progress) -> None:
        raise KeyError("oops")

    job = ops.start(parent, "Working…", task, changes=operations.INVOICES)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    assert dialogs.unexpected == 1 and dialogs.errors == [] and changes == []


def test_a_long_operation_that_succeeds_announces_one_change_then_gives_its_result(
    qtbot, ops: Operations, parent: QWidget, dialogs: Dialogs, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    order: list[object] = []
    ops.changed.connect(lambda area: order.append(("changed", area)))

    def task(progress: Progress) -> int:
        for step in range(3):
            progress(step, 3)
        return 42

    job = ops.start(parent, "Working…", task, changes=operations.INVOICES, done=order.append)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    assert changes == [operations.INVOICES]
    assert order == [("changed", operations.INVOICES), 42]
    assert dialogs.errors == [] and dialogs.unexpected == 0


def test_cancel_stops_a_long_operation_at_its_next_progress_report(
    qtbot, ops: Operations, parent: QWidget, dialogs: Dialogs, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    reported: list[int] = []
    started, cancelled = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def task(progress: Progress) -> None:
        for step in range(100):
            progress(step, 100)
            reported.append(step)
            started.set()
            cancelled.wait(10)  # the user presses Cancel while the first step runs

    def failed(error: BaseException) -> bool:
        failures.append(error)
        return isinstance(error, Stopped)

    job = ops.start(parent, "Working…", task, changes=operations.INVOICES, failed=failed, cancel=Stopped)
    assert started.wait(10)
    with qtbot.waitSignal(job.ended, timeout=10000):
        job.cancel()
        cancelled.set()
    assert reported == [0]
    assert [type(error) for error in failures] == [Stopped]
    assert changes == [] and dialogs.errors == [] and dialogs.unexpected == 0


def test_a_task_started_without_cancel_runs_to_its_end(
    qtbot, ops: Operations, parent: QWidget, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    steps: list[int] = []

    def task(progress: Progress) -> None:
        for step in range(3):
            progress(step, 3)
            steps.append(step)

    job = ops.start(parent, "Working…", task, changes=operations.SETTINGS)
    job.cancel()
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    assert steps == [0, 1, 2] and changes == [operations.SETTINGS]


def test_a_quiet_operation_runs_without_a_window(
    qtbot, ops: Operations, dialogs: Dialogs, changes: list[str]  # type: ignore[no-untyped-def]
) -> None:
    """What the app starts by itself (a daily backup): no parent, no progress dialog, errors still told."""
    def full_disk(progress: Progress) -> None:
        raise ValidationError("No space left.")

    job = ops.start(None, None, lambda progress: "ok", changes=operations.SETTINGS)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    failing = ops.start(None, None, full_disk)
    with qtbot.waitSignal(failing.ended, timeout=10000):
        pass
    assert changes == [operations.SETTINGS] and dialogs.errors == ["No space left."]


def test_a_quick_operation_announces_one_change_or_shows_its_error(
    ops: Operations, parent: QWidget, dialogs: Dialogs, changes: list[str]
) -> None:
    def add(session: Session) -> int:
        return customers.add_customer(session, customers.CustomerData(name="ACME", country="FR"))

    done = ops.write(parent, operations.CUSTOMERS, add)
    assert done is not None and isinstance(done.value, int) and changes == [operations.CUSTOMERS]
    refused = ops.write(parent, operations.CUSTOMERS,
                        lambda s: customers.add_customer(s, customers.CustomerData(name="", country="FR")))
    assert refused is None and len(dialogs.errors) == 1 and changes == [operations.CUSTOMERS]
