"""Finalize with e-invoice generation and validation (not part of the test run).

    python tests/benchmarks/bench_validation.py [--repeat 60] [--cli 5]

On a 10-line invoice with the detail of issue 11 (price base, gross price, line allowances and charges, a
percent document allowance, a rounding amount) for a customer on Factur-X and one on Peppol:
- finalize as the app does it (number, snapshots, XML built and checked against the official rules, PDF kept,
  hash chain), one transaction per invoice: the check runs in the app's checking process (started as the window
  does, its rules compiled before the timing starts) while the PDF renders;
- the same finalize with every check in the finalizing process (the command line, or no checking process);
- the reference in the same run: the same finalize with the official check left out;
- the parts: XML building, each format's check with the compiled XSLT executables kept across finalizes (as
  the app does), and the same check compiling them anew every time; the PDF's EPC payment QR code, with segno's
  own ``make`` (mask search module by module) as its reference in the same run.
- with ``--cli N``: ``invoicer invoice finalize`` as one command each (one process, the rules compiled anew), N
  times per customer, with ``invoicer invoice list`` on the same data as the reference (start-up, database).
Median and p99 in milliseconds, wall time and, for the finalizes, CPU time (which moves less on a busy machine): of
the finalizing process, and with the checking process's added (``cpu median, both processes``);
writes tests/benchmarks/results/validation.json (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import segno

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.db.migrate import Database, open_database  # noqa: E402
from invoicer.documents import einvoice_rules, qr, rule_checker  # noqa: E402
from invoicer.documents.einvoice_rules import EInvoiceFormat  # noqa: E402
from invoicer.documents.model import DocumentMark  # noqa: E402
from invoicer.services import company, customers, documents, drafts, einvoicing, invoices  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.services.helpers import set_up_seller  # noqa: E402

S19 = {"category": "S", "rate": "19"}


def draft_json(customer_id: int) -> dict[str, Any]:
    line = {"description": "Electricity", "quantity": "1500", "unit": "KWH", "unit_price": "25.123456",
            "price_base": "100", "gross_price": "26.00",
            "allowances": [{"percent": "5", "reason": "Volume", "reason_code": "95"}],
            "charges": [{"amount": "2.50", "reason": "Freight", "reason_code": "FC"}], "tax": S19}
    return {"customer": customer_id, "buyer_reference": "PO-4711", "lines": [line] * 10,
            "allowances": [{"percent": "2", "base": "1000", "reason": "Early order", "tax": S19}],
            "rounding_amount": "0.01"}


def stats(runs: list[float], cpu: list[float] | None = None, checker_cpu: float | None = None) -> dict[str, float]:
    ordered = sorted(runs)
    figures = {"median": round(statistics.median(runs), 2), "p99": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)], 2)}
    if cpu:
        figures["cpu median"] = round(statistics.median(cpu), 2)
    if cpu and checker_cpu is not None:
        # the checking process's CPU is counted in clock ticks (10 ms): its mean over the run, not per finalize
        figures["cpu, checking process (mean)"] = round(checker_cpu, 2)
        figures["cpu median, both processes"] = round(statistics.median(cpu) + checker_cpu, 2)
    return figures


def checker_cpu_ms() -> float:
    """CPU time of the checking process so far (Linux /proc; 0 elsewhere or without one)."""
    checker = rule_checker._checker
    if checker is None:
        return 0.0
    total = 0.0
    try:
        fields = Path(f"/proc/{checker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return total


def timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    fn()  # warm: Saxon loaded, rules compiled, fonts registered
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return stats(runs)


def alternated(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, dict[str, float]]:
    """Each function timed ``repeat`` times, taking turns, so that a busy machine weighs on them alike."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - start) * 1000)
    return {name: stats(times) for name, times in runs.items()}


@contextmanager
def without_official_check() -> Iterator[None]:
    original = einvoicing.start_checks
    einvoicing.start_checks = lambda session, invoice, doc=None: einvoicing.Checks(None)  # type: ignore[assignment]
    try:
        yield
    finally:
        einvoicing.start_checks = original  # type: ignore[assignment]


def set_up(folder: Path) -> tuple[Database, dict[str, int]]:
    db = open_database(folder, daily_backup=False)
    set_up_seller(db)
    with transaction(db.sessions) as s:
        company.update_company(s, contact="Jana Müller", phone="+49 30 1234567", endpoint_scheme="9930",
                               endpoint_id="DE123456788")
        ids = {fmt: customers.add_customer(s, customers.CustomerData(
            name=f"Buyer {fmt}", country="FR", vat_id="FR40303265045", address="1 rue de Rivoli", postcode="75001",
            city="Paris", locale="fr_FR", email="ap@buyer.example", einvoice_format=fmt, endpoint_scheme="0009",
            endpoint_id="12345678200016")) for fmt in ("facturx", "peppol")}
    return db, ids


def finalizing(db: Database, customer_id: int) -> Callable[[], object]:
    def finalize_one() -> None:
        with transaction(db.sessions) as s:
            invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft_json(customer_id), "bench"))
        start, cpu = time.perf_counter(), time.process_time()
        with transaction(db.sessions) as s:
            invoices.finalize_invoice(s, invoice_id)
        finalize_one.last = (time.perf_counter() - start) * 1000  # type: ignore[attr-defined]
        finalize_one.cpu = (time.process_time() - cpu) * 1000  # type: ignore[attr-defined]
    return finalize_one


def timed_finalize(db: Database, customer_id: int, repeat: int) -> dict[str, float]:
    """Only the finalize transaction is timed (the draft is made before, untimed)."""
    fn = finalizing(db, customer_id)
    fn()
    runs, cpu = [], []
    checker_before = checker_cpu_ms()
    for _ in range(repeat):
        fn()
        runs.append(fn.last)  # type: ignore[attr-defined]
        cpu.append(fn.cpu)  # type: ignore[attr-defined]
    checker = (checker_cpu_ms() - checker_before) / repeat if rule_checker.running() else None
    return stats(runs, cpu, checker)


def one_command(folder: Path, *command: str) -> tuple[float, float]:
    """Wall and CPU milliseconds of one ``python -m invoicer`` command on ``folder`` (this checkout's code)."""
    before, start = os.times(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), *command], check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    after = os.times()
    return ((time.perf_counter() - start) * 1000,
            (after.children_user + after.children_system - before.children_user - before.children_system) * 1000)


def command_line(db: Database, ids: dict[str, int], times: int) -> dict[str, dict[str, float]]:
    """``invoice finalize`` as one command each, against ``invoice list`` (start-up and database alone)."""
    with transaction(db.sessions) as s:
        drafts_of = {fmt: [drafts.create_draft(s, drafts.draft_from_json(draft_json(customer), "bench"))
                           for _ in range(times)] for fmt, customer in ids.items()}
    results = {}
    for label, commands in (("reference: invoice list", [("invoice", "list")] * times),
                            *((f"invoice finalize, {fmt} customer", [("invoice", "finalize", str(i)) for i in todo])
                              for fmt, todo in drafts_of.items())):
        runs = [one_command(db.folder, *command) for command in commands]
        results[f"command line: {label}"] = stats([wall for wall, _ in runs], [cpu for _, cpu in runs])
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--cli", type=int, default=0, help="time this many one-shot finalize commands per customer")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db, ids = set_up(Path(tmp))
        with without_official_check():
            results["reference: finalize without the official check"] = timed_finalize(db, ids["facturx"], args.repeat)
        einvoicing.start_checking()  # as the app's window does once painted
        with transaction(db.sessions) as s:  # timed once every format's rules are compiled there
            doc = documents.document_data(s, invoices.get_invoice(s, 1), DocumentMark.ISSUED)
            for verdict in [rule_checker.submit(einvoicing.einvoice_xml(doc, fmt), fmt)
                            for fmt in einvoicing.ISSUED_FORMATS]:
                verdict()
        try:
            results["finalize, Factur-X customer (1 check)"] = timed_finalize(db, ids["facturx"], args.repeat)
            results["finalize, Peppol customer (2 checks)"] = timed_finalize(db, ids["peppol"], args.repeat)
        finally:
            einvoicing.stop_checking()
        results["finalize, Factur-X customer, checked in this process"] = timed_finalize(
            db, ids["facturx"], args.repeat)
        results["finalize, Peppol customer, checked in this process"] = timed_finalize(db, ids["peppol"], args.repeat)
        with transaction(db.sessions) as s:
            invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft_json(ids["peppol"]), "bench"))
            invoices.finalize_invoice(s, invoice_id)
            doc = documents.document_data(s, invoices.get_invoice(s, invoice_id), DocumentMark.ISSUED)
        for fmt in (EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL,
                    EInvoiceFormat.PEPPOL):
            xml = einvoicing.einvoice_xml(doc, fmt)
            results[f"{fmt.value}: build XML"] = timed(lambda fmt=fmt: einvoicing.einvoice_xml(doc, fmt), args.repeat)
            results[f"{fmt.value}: check, executables kept"] = timed(
                lambda fmt=fmt, xml=xml: einvoice_rules.validate(xml, fmt), args.repeat)

            def compiled_anew(fmt: EInvoiceFormat = fmt, xml: bytes = xml) -> None:
                einvoice_rules._compiled.cache_clear()
                einvoice_rules.validate(xml, fmt)

            results[f"{fmt.value}: check, compiled anew"] = timed(compiled_anew, max(args.repeat // 10, 3))
        if args.cli:
            results.update(command_line(db, ids, args.cli))
        db.close()
    payload = qr.epc_payload("Müller & Söhne GmbH", "DE89370400440532013000", 48991, "INV-2026-00042", "COBADEFFXXX")
    assert payload is not None
    results.update(alternated({
        "EPC QR code: segno.make (reference)": lambda: segno.make(
            payload, error="m", boost_error=False, micro=False, encoding="utf-8").matrix,
        "EPC QR code: qr_modules (same modules)": lambda: qr.qr_modules(payload),
    }, args.repeat))
    results["EPC QR code: ratio to reference"] = round(
        results["EPC QR code: qr_modules (same modules)"]["median"]
        / results["EPC QR code: segno.make (reference)"]["median"], 2)
    reference = results["reference: finalize without the official check"]["median"]
    for key in ("finalize, Factur-X customer (1 check)", "finalize, Peppol customer (2 checks)",
                "finalize, Factur-X customer, checked in this process",
                "finalize, Peppol customer, checked in this process"):
        results[f"{key}: ratio to reference"] = round(results[key]["median"] / reference, 2)
    publish("validation", results)


if __name__ == "__main__":
    main()
