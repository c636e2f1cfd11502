"""Benchmark: a 100,000-entry CAMT.053 statement: reading it, importing it, proposing matches for the whole queue
and importing it again (every entry known), with time and peak memory.

    .venv/bin/python tests/benchmarks/bench_bank.py [--entries 100000] [--invoices 2000]

References measured in the same run: lxml parsing the same file and visiting every entry (the floor of reading),
and plain sqlite3 inserting the same number of rows of the same shape in one transaction (the floor of storing).
Peak memory: what Python allocates while reading (tracemalloc, a separate run), and the process's peak RSS.
Targets: reading <= 6x the lxml floor, importing <= 10x the sqlite3 floor, re-import <= import.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.db.migrate import open_database  # noqa: E402
from invoicer.documents.bank_files import read_statement  # noqa: E402
from invoicer.services import bank, customers, invoices  # noqa: E402
from invoicer.services.invoices import LineData  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.documents.bank_samples import Tx, camt053  # noqa: E402
from tests.services.helpers import set_up_seller  # noqa: E402

T = TypeVar("T")


def peak_memory(work: Callable[[], object]) -> float:
    """Peak MiB Python allocated while ``work`` ran (a separate run: tracemalloc slows Python down several times)."""
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def rss() -> int:
    """The process's peak resident memory so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def statement(entries: int, numbers: list[str]) -> bytes:
    """Every 20th entry pays an invoice by its number; the rest is what a business account sees in a year."""
    txs = []
    first = date(2026, 1, 2)
    for i in range(entries):
        booked = first + timedelta(days=i % 300)
        if i % 20 == 0 and i // 20 < len(numbers):
            txs.append(Tx(Decimal("119.00"), "ACME SARL", "FR7630006000011234567890189",
                          f"Rechnung {numbers[i // 20]}", ref=f"B{i:07d}", booked=booked))
        elif i % 3 == 0:
            txs.append(Tx(Decimal(-(i % 5000)) / 100 - 1, f"Supplier {i % 700}", "", f"Order {i}", ref=f"B{i:07d}",
                          booked=booked))
        else:
            txs.append(Tx(Decimal(i % 90000) / 100 + 1, f"Payer {i % 1300}", "", f"Transfer {i}", ref=f"B{i:07d}",
                          booked=booked))
    return camt053(txs, validate=False)  # 53 MB: the tests check the same builder against the schema


def lxml_floor(data: bytes) -> int:
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    return sum(1 for _ in root.iter("{*}Ntry"))


def sqlite_floor(folder: Path, rows: int) -> None:
    con = sqlite3.connect(folder / "floor.sqlite3")
    con.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, k TEXT UNIQUE, d1 TEXT, d2 TEXT, amount INTEGER, ccy TEXT,"
                " name TEXT, iban TEXT, text TEXT, ref TEXT, status TEXT)")
    with con:
        con.executemany("INSERT INTO e (k, d1, d2, amount, ccy, name, iban, text, ref, status) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ((f"{i:064d}", "2026-01-02", "2026-01-02", i, "EUR", f"Payer {i}", None, f"Transfer {i}",
                          f"B{i:07d}", "open") for i in range(rows)))
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        db = open_database(folder, daily_backup=False)
        set_up_seller(db)
        with transaction(db.sessions) as s:
            customer = customers.add_customer(s, customers.CustomerData(name="ACME SARL", country="FR"))
            numbers = []
            for _ in range(args.invoices):
                draft = invoices.create_draft(s, invoices.DraftData(
                    customer_id=customer, issue_date=date(2026, 1, 2),
                    lines=[LineData("Service", "1", "100.00", "S", "19")]))
                numbers.append(invoices.finalize_invoice(s, draft))
        data = statement(args.entries, numbers)
        results: dict[str, Any] = {"entries": args.entries, "open invoices": args.invoices,
                                   "file MiB": round(len(data) / 2**20, 1)}

        count, floor_s = timed(lambda: lxml_floor(data))
        parsed, read_s = timed(lambda: read_statement(data))
        floor_mem, read_mem = peak_memory(lambda: lxml_floor(data)), peak_memory(lambda: read_statement(data))
        assert count == len(parsed.lines) == args.entries
        results |= {"lxml floor s": round(floor_s, 2), "lxml floor peak MiB": round(floor_mem),
                    "read s": round(read_s, 2), "read peak MiB": round(read_mem),
                    "read / floor": round(read_s / floor_s, 1)}

        _, sqlite_s = timed(lambda: sqlite_floor(Path(tmp), args.entries))

        def do_import() -> bank.ImportResult:
            with transaction(db.sessions) as s:
                return bank.import_statement(s, data, "year.xml", "Commerzbank")

        before = rss()
        first, import_s = timed(do_import)
        import_mem = rss()
        assert first.new == args.entries
        with transaction(db.readonly_sessions) as s:
            (views, propose_s) = timed(lambda: bank.proposals(s))
        sure = sum(1 for v in views if v.proposal is not None and v.proposal.sure)
        again, reimport_s = timed(do_import)
        assert (again.new, again.known) == (0, args.entries)
        with transaction(db.sessions) as s:
            confirmed, confirm_s = timed(lambda: bank.confirm_sure(s))
        results |= {"sqlite3 floor s": round(sqlite_s, 2), "import s": round(import_s, 2),
                    "process peak RSS MiB before / after import": f"{before} / {import_mem}", "import / sqlite3": round(import_s / sqlite_s, 1),
                    "proposals s (whole queue)": round(propose_s, 2), "sure proposals": sure,
                    "re-import s (all known)": round(reimport_s, 2), "confirm sure s": round(confirm_s, 2),
                    "confirmed": confirmed}
        db.close()
    publish("bank", results)


if __name__ == "__main__":
    main()
