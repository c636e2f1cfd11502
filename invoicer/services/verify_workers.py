"""Worker processes for ``invoicer verify``: the documents' pass cut into ranges of ids, one process each, every one
reading the same committed state as verify itself.

The same state: on PostgreSQL verify exports its snapshot (REPEATABLE READ) and each worker imports it. SQLite has no
such thing for another connection, so verify holds the write lock for the moment it takes it and its workers to open
their read transactions (they are started and connected before, so that moment is a few milliseconds): nothing can be
committed in between, and every read transaction sees the last commit before it. A file nobody may write needs no lock.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from invoicer.core.errors import N_, InvoicerError, StorageError
from invoicer.db.engine import make_engine, make_server_engine, storage_error
from invoicer.services.integrity import DocumentChecks, Found, Phase, Progress

#: seconds between two looks at the workers while waiting for them (a worker that died is noticed then)
WAIT = 1.0
_SNAPSHOT = re.compile(r"[0-9A-Fa-f-]+")


@dataclass(frozen=True)
class Source:
    """Where a worker opens the database: the SQLite file and its key, or the server's address and password."""

    location: str
    secret: str | None
    server: bool

    @classmethod
    def of(cls, session: Session) -> Source:
        url = session.get_bind().engine.url
        if url.get_backend_name() == "postgresql":
            from invoicer.services import server

            address = "postgresql://" + url.render_as_string(hide_password=False).partition("://")[2]
            return cls(address, server.password_for(address), True)
        from invoicer.services.encryption import file_key

        path = Path(url.database or "")
        return cls(str(path), file_key(path.parent), False)

    def engine(self) -> Engine:
        if self.server:
            return make_server_engine(self.location, self.secret)
        return make_engine(Path(self.location), self.secret)


class Workers:
    """The worker processes of one verify: started, given the snapshot, then each a range of documents."""

    def __init__(self, processes: list[BaseProcess], pipes: list[Connection], events: Queue[Any]) -> None:
        self.processes, self.pipes, self.events = processes, pipes, events
        self.finished: set[int] = set()

    @classmethod
    def start(cls, session: Session, jobs: int, progress: Progress | None) -> Workers:
        """``jobs`` workers reading what ``session`` reads (which has read nothing yet)."""
        phase = Phase(progress, "starting worker processes", "workers", jobs)
        source = Source.of(session)
        snapshot = None
        if source.server:  # verify's transaction is REPEATABLE READ there: its snapshot is the one to share
            snapshot = session.scalar(text("SELECT pg_export_snapshot()"))
        context = get_context("spawn")
        events: Queue[Any] = context.Queue()
        workers = cls([], [], events)
        try:
            for index in range(jobs):
                mine, theirs = context.Pipe()
                process = context.Process(target=_work, args=(index, source, theirs, events), daemon=True)
                process.start()
                theirs.close()
                workers.processes.append(process)
                workers.pipes.append(mine)
            workers._wait_for_all("ready", phase)
            with nullcontext() if source.server else _writes_held(session):
                session.execute(text("SELECT 1 FROM invoices LIMIT 1")).all()  # verify's own read transaction
                for pipe in workers.pipes:
                    pipe.send(snapshot)
                workers._wait_for_all("in", None)
        except BaseException:
            workers.stop()
            raise
        phase.finish()
        return workers

    def check(self, ranges: list[tuple[int, int]], documents: Phase) -> Found:
        """The documents' pass over ``ranges``, handed to the workers one at a time as each is free; the problems
        in the order of the ranges, as one process finds them."""
        waiting = list(enumerate(ranges))
        for index in range(len(self.pipes)):
            self._give(index, waiting)
        results: dict[int, Found] = {}
        while len(results) < len(ranges):
            kind, index, payload = self._next()
            if kind == "read":
                documents.add(payload)
            elif kind == "done":
                part, found = payload
                results[part] = found
                self._give(index, waiting)
        found = Found()
        for part in sorted(results):
            found.extend(results[part])
        return found

    def _give(self, index: int, waiting: list[tuple[int, tuple[int, int]]]) -> None:
        """The next range to the worker ``index``, or the end of its work."""
        if waiting:
            self.pipes[index].send(waiting.pop(0))
        else:
            self.pipes[index].send(None)
            self.finished.add(index)

    def stop(self) -> None:
        for pipe in self.pipes:
            pipe.close()  # a worker still waiting for its work sees the end and leaves
        for index, process in enumerate(self.processes):
            process.join(timeout=WAIT if index in self.finished else 0.2)
            if process.is_alive():
                process.terminate()
                process.join()
        self.events.close()

    def _wait_for_all(self, kind: str, phase: Phase | None) -> None:
        told: set[int] = set()
        while len(told) < len(self.processes):
            got, index, _payload = self._next()
            if got == kind:
                told.add(index)
                if phase is not None:
                    phase.add()

    def _next(self) -> tuple[str, int, Any]:
        while True:
            try:
                kind, index, payload = self.events.get(timeout=WAIT)
            except queue.Empty:
                for index, process in enumerate(self.processes):
                    if process.exitcode is not None and index not in self.finished:
                        raise _failed(f"the process stopped with exit code {process.exitcode}") from None
                continue
            if kind == "error":
                raise _failed(payload)
            return kind, index, payload


def _failed(why: str) -> StorageError:
    return StorageError(N_("verify stopped: a worker process checking documents failed ({reason}). Run it again, "
                           "or with --jobs 1."), reason=why)


@contextmanager
def _writes_held(session: Session) -> Iterator[None]:
    """Nothing is committed to the SQLite file while this holds its write lock (nothing is written either)."""
    raw = session.get_bind().engine.raw_connection()
    cursor = raw.cursor()
    held = True
    try:
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except Exception as exc:
            if "readonly" not in str(exc).lower():
                raise storage_error(exc) or exc from None
            held = False  # a file nobody may write does not change
        yield
    finally:
        if held:
            cursor.execute("ROLLBACK")
        cursor.close()
        raw.close()


def _work(index: int, source: Source, pipe: Connection, events: Queue[Any]) -> None:
    """A worker: connect, open the read transaction when told (with verify's snapshot on a server), then check the
    ranges of documents it is given one after the other, telling how many it has read after each batch."""
    engine = None
    try:
        engine = source.engine()
        bind = engine.execution_options(isolation_level="REPEATABLE READ") if source.server else \
            engine.execution_options(readonly=True)
        with bind.connect() as connection:  # now: a server out of reach or a wrong key is said before any work
            events.put(("ready", index, None))
            snapshot = pipe.recv()
            connection.begin()
            if snapshot is not None:
                if not _SNAPSHOT.fullmatch(snapshot):
                    raise ValueError(f"not a snapshot: {snapshot!r}")
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            connection.exec_driver_sql("SELECT 1 FROM invoices LIMIT 1").all()  # the read transaction starts here
            events.put(("in", index, None))
            work = pipe.recv()
            if work is None:
                return
            with Session(bind=connection) as session:
                checks = DocumentChecks(session)
                while work is not None:
                    part, between = work
                    found = checks.between(between, lambda count: events.put(("read", index, count)))
                    events.put(("done", index, (part, found)))
                    work = pipe.recv()
    except EOFError:
        return  # verify stopped before giving this worker its work
    except InvoicerError as exc:
        events.put(("error", index, exc.message))
    except Exception as exc:  # said in one line by verify, never as a traceback
        first = (str(exc).strip().splitlines() or [""])[0]
        events.put(("error", index, f"{type(exc).__name__}: {first}"))
    finally:
        if engine is not None:
            engine.dispose()
