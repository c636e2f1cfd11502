"""A process that runs random business operations on a data folder until it is killed.

Each operation is one user action (one transaction, through the services, as the GUI and the CLI
run them). Only after a commit has returned does the driver append one JSON line to its log, so
every line of the log names something the database promised to keep. The harness in
``test_kill.py`` kills this process at random moments and checks those promises.

    python -m tests.torture.driver DATA_FOLDER LOG_FILE SEED [work|restore]
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from invoicer.core.errors import InvoicerError
from invoicer.services import backups, credit_notes, customers, invoices, payments, store
from invoicer.services.invoices import DraftData, LineData

COUNTRIES = (("DE", "EUR", "de_DE"), ("FR", "EUR", "fr_FR"), ("US", "USD", "en_US"))


class Log:
    """Append-only, one JSON object a line; written after the commit it describes."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def committed(self, **entry: Any) -> None:
        os.write(self.fd, (json.dumps(entry) + "\n").encode())


def _lines(rng: random.Random) -> list[LineData]:
    return [
        LineData(f"Item {rng.randint(1, 99)}", str(rng.randint(1, 5)), f"{rng.randint(1, 50000) / 100:.2f}",
                 "S", rng.choice(("19", "7")))
        for _ in range(rng.randint(1, 4))
    ]


def _first(ids: list[int]) -> int | None:
    return ids[0] if ids else None


def _ids(db: store.Database, status: str) -> list[int]:
    flt = invoices.InvoiceFilter(status=status)
    return store.read(db, lambda s: [row.id for row in invoices.list_invoices(s, flt, limit=200)])


def work(db: store.Database, log: Log, rng: random.Random) -> None:
    """Customers, drafts, finalize, pay, credit, void, reverse, delete, backups — forever."""
    if not store.read(db, lambda s: customers.list_customers(s)):
        country, currency, locale = COUNTRIES[0]
        cid = store.write(db, lambda s: customers.add_customer(
            s, customers.CustomerData(name="Torture GmbH", country=country, currency=currency, locale=locale)))
        log.committed(op="customer", id=cid)
    today = date.today()

    def customer() -> None:
        country, currency, locale = rng.choice(COUNTRIES)
        data = customers.CustomerData(name=f"Customer {rng.randint(1, 10**6)}", country=country,
                                      currency=currency if currency == "EUR" else "EUR", locale=locale)
        log.committed(op="customer", id=store.write(db, lambda s: customers.add_customer(s, data)))

    def draft() -> None:
        cids = store.read(db, lambda s: [c.id for c in customers.list_customers(s)])
        data = DraftData(customer_id=rng.choice(cids), issue_date=today, lines=_lines(rng))
        log.committed(op="draft", id=store.write(db, lambda s: invoices.create_draft(s, data)))

    def finalize() -> None:
        invoice_id = _first(_ids(db, "draft"))
        if invoice_id is not None:
            number = store.write(db, lambda s: invoices.finalize_invoice(s, invoice_id))
            log.committed(op="finalize", id=invoice_id, number=number)

    def delete() -> None:
        drafts = _ids(db, "draft")
        if len(drafts) > 2:
            invoice_id = rng.choice(drafts)
            store.write(db, lambda s: invoices.delete_draft(s, invoice_id))
            log.committed(op="delete", id=invoice_id)

    def pay() -> None:
        invoice_id = _first(_ids(db, "open"))
        if invoice_id is not None:
            due = store.read(db, lambda s: invoices.get_invoice(s, invoice_id).amount_due)
            amount = rng.choice((due, max(due // 2, 1), due + 500))
            pid = store.write(db, lambda s: payments.record_payment(s, invoice_id, amount, today))
            log.committed(op="payment", id=pid, invoice=invoice_id)

    def reverse() -> None:
        rows = store.read(db, lambda s: [p.id for p in payments.list_payments(s) if p.kind == "payment"])
        if rows:
            payment_id = rng.choice(rows[-20:])
            rid = store.write(db, lambda s: payments.reverse_payment(s, payment_id, "torture"))
            log.committed(op="reversal", id=rid)

    def credit() -> None:
        invoice_id = _first(_ids(db, "open") + _ids(db, "paid"))
        if invoice_id is not None:
            done = store.write(db, lambda s: credit_notes.issue_credit_note(s, invoice_id, full=True))
            log.committed(op="credit", id=done.credit_note_id, number=done.number)

    def void() -> None:
        invoice_id = _first(_ids(db, "open"))
        if invoice_id is not None:
            store.write(db, lambda s: invoices.void_invoice(s, invoice_id, "torture"))
            log.committed(op="void", id=invoice_id)

    def backup() -> None:
        log.committed(op="backup", path=str(backups.create_backup(db.folder)))

    operations: list[tuple[Callable[[], None], int]] = [
        (customer, 1), (draft, 8), (finalize, 6), (delete, 1), (pay, 4), (reverse, 1), (credit, 1), (void, 1),
        (backup, 1),
    ]
    chosen = [op for op, weight in operations for _ in range(weight)]
    while True:
        # a refusal (e.g. crediting what is fully credited) changes nothing; the loop goes on
        with contextlib.suppress(InvoicerError):
            rng.choice(chosen)()


def restore(db: store.Database, log: Log, rng: random.Random) -> None:
    """Back up and restore, over and over: a kill may land in the middle of either."""
    while True:
        if rng.random() < 0.5 or not backups.list_backups(db.folder):
            log.committed(op="backup", path=str(backups.create_backup(db.folder)))
        else:
            chosen = rng.choice(backups.list_backups(db.folder))
            db.close()
            backups.restore_backup(db.folder, chosen.path)
            log.committed(op="restore", path=str(chosen.path))
            db = store.open_database(db.folder, daily_backup=False)


def main(argv: list[str]) -> int:
    folder, log_path, seed = Path(argv[0]), Path(argv[1]), int(argv[2])
    mode = argv[3] if len(argv) > 3 else "work"
    db = store.open_database(folder, daily_backup=False)
    log = Log(log_path)
    log.committed(op="started")
    (restore if mode == "restore" else work)(db, log, random.Random(seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
