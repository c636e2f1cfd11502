"""Desks working on one server database at the same moment: each process finalizes, pays and credits through the
services (``store.write``, as the GUI and the CLI do), on the same few invoices as the others, and reports what
it did and every error it saw."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from invoicer.core.errors import InvoicerError
from invoicer.db.migrate import open_server
from invoicer.db.models import Invoice
from invoicer.services import credit_notes, invoices, payments, store
from invoicer.services.invoices import DraftData, LineData

DAY = date(2026, 11, 2)


@dataclass
class Outcome:
    """What one desk did: numbers it was given, payments and credit notes recorded, errors seen."""

    numbers: list[str] = field(default_factory=list)
    finalized_shared: dict[int, str] = field(default_factory=dict)
    paid: dict[int, int] = field(default_factory=dict)
    credited: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def draft_for(customer_id: int, price: str = "100.00") -> DraftData:
    return DraftData(customer_id=customer_id, issue_date=DAY, lines=[LineData("Consulting", "1", price, "S", "19")])


def desk(url: str, folder: str, seed: int, operations: int, customer_id: int, shared: list[int],
         drafts: list[int]) -> Outcome:
    """Run ``operations`` random finalize/pay/credit actions; ``shared`` are open invoices every desk pays and
    credits, ``drafts`` drafts every desk tries to finalize."""
    rng = random.Random(seed)
    outcome = Outcome()
    db = open_server(url, Path(folder))
    try:
        for _ in range(operations + len(drafts)):
            kind = "shared" if len(outcome.finalized_shared) < len(drafts) else rng.choice(
                ("finalize", "pay", "credit"))
            target = rng.choice(shared)
            try:
                if kind == "shared":
                    draft = drafts[len(outcome.finalized_shared)]
                    outcome.finalized_shared[draft] = store.write(
                        db, lambda s, d=draft: invoices.finalize_invoice(s, d))
                elif kind == "finalize":
                    draft = store.write(db, lambda s: invoices.create_draft(s, draft_for(customer_id), DAY))
                    outcome.numbers.append(store.write(db, lambda s, d=draft: invoices.finalize_invoice(s, d)))
                elif kind == "pay":
                    store.write(db, lambda s, t=target: payments.record_payment(s, t, 100, DAY, "bank transfer"))
                    outcome.paid[target] = outcome.paid.get(target, 0) + 100
                else:
                    note = store.write(db, lambda s, t=target: credit_notes.issue_credit_note(
                        s, t, amount=100, reason="Goodwill", issue_date=DAY))
                    outcome.numbers.append(str(note.number))
                    outcome.credited[target] = outcome.credited.get(target, 0) + 100
            except InvoicerError as exc:
                outcome.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            except Exception as exc:  # a raw driver error is exactly what must never reach a user
                outcome.errors.append(f"{kind}: RAW {type(exc).__name__}: {exc}")
    finally:
        db.close()
    return outcome


def same_reference_desk(url: str, folder: str, invoice_id: int, references: list[str], start_at: float
                        ) -> dict[str, str]:
    """Record a payment of ``invoice_id`` with each of ``references`` (every desk the same ones, each on its own
    invoice of one customer), all desks starting at ``start_at``; what each attempt gave: "recorded" or the error
    ("RAW ..." for anything but a message for the user)."""
    db = open_server(url, Path(folder))
    results: dict[str, str] = {}
    try:
        store.read(db, lambda s: s.get(Invoice, invoice_id))  # connected before the start
        time.sleep(max(0.0, start_at - time.time()))
        for reference in references:
            try:
                store.write(db, lambda s, r=reference: payments.record_payment(s, invoice_id, 100, DAY, None, r))
                results[reference] = "recorded"
            except InvoicerError as exc:
                results[reference] = f"{type(exc).__name__}: {exc}"
            except Exception as exc:
                results[reference] = f"RAW {type(exc).__name__}: {exc}"
    finally:
        db.close()
    return results
