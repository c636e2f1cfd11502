"""Engine benchmark on `invoicer demo` data (not part of the test run).

    python tests/benchmarks/bench_engine.py [--invoices 100000] [--keep DIR]

Measures: demo-data creation (wall time, peak memory of the process), finalize latency (median
and p99: with the e-invoice XML checked against the official rules and the frozen PDF, with the PDF
only, and the engine alone), the first compilation of the rules, listing one customer's open invoices, the
first page of the invoice list, and the aged-receivables aggregate. Prints a table and writes
tests/benchmarks/results/engine.json (ignored by git).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.db.migrate import open_database  # noqa: E402
from invoicer.db.models import Invoice  # noqa: E402
from invoicer.documents.einvoice_rules import EInvoiceFormat  # noqa: E402
from invoicer.services import documents, einvoicing, invoices, reports  # noqa: E402
from invoicer.services.invoices import DraftData, InvoiceFilter, LineData  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=100_000)
    ap.add_argument("--finalize", type=int, default=300, help="drafts to finalize per variant")
    ap.add_argument("--keep", type=Path, help="data folder to use/keep (default: a temp folder)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="invoicer-bench-"))
    results: dict[str, object] = {"invoices": args.invoices}

    if not (folder / "invoicer.sqlite3").exists():
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(folder), "demo",
                        "--invoices", str(args.invoices)], check=True, cwd=ROOT)
        results["demo_seconds"] = round(time.perf_counter() - start, 2)
        results["demo_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)

    db = open_database(folder, daily_backup=False)
    today = date.today()
    with transaction(db.readonly_sessions) as s:
        results["lines"] = s.scalar(select(func.count()).select_from(invoices.InvoiceLine))
        busiest = s.execute(
            select(Invoice.customer_id, func.count()).where(Invoice.status == "open")
            .group_by(Invoice.customer_id).order_by(func.count().desc()).limit(1)
        ).first()
        assert busiest is not None
        customer_id = busiest[0]

        def open_for_customer() -> None:
            invoices.list_invoices(s, InvoiceFilter(customer_id=customer_id, status="open"), today=today)

        def first_page() -> None:
            invoices.list_invoices(s, InvoiceFilter(), today=today, limit=100)
            invoices.count_invoices(s, InvoiceFilter(), today)

        def aged() -> None:
            reports.aged_receivables(s, today)

        for name, fn in (("list_open_for_customer", open_for_customer), ("list_first_page_and_count", first_page),
                         ("aged_receivables", aged)):
            fn()  # warm the page cache
            runs = timed(fn, 20)
            results[f"{name}_ms_median"] = round(statistics.median(runs), 2)
        results["open_invoices_of_that_customer"] = busiest[1]

    def finalize_run(label: str) -> None:
        with transaction(db.sessions) as s:
            drafts = [
                invoices.create_draft(s, DraftData(customer_id=customer_id, issue_date=today, lines=[
                    LineData(f"Item {i}", "2", "19.99", "S", "19") for i in range(10)
                ])) for _ in range(args.finalize)
            ]
        runs = []
        for draft in drafts:
            start = time.perf_counter()
            with transaction(db.sessions) as s:
                invoices.finalize_invoice(s, draft)
            runs.append((time.perf_counter() - start) * 1000)
        results[f"finalize_{label}_ms_median"] = round(statistics.median(runs), 2)
        results[f"finalize_{label}_ms_p99"] = round(p99(runs), 2)

    # the first check compiles the Factur-X rule sets (Saxon, once per process): timed on its own
    start = time.perf_counter()
    with transaction(db.readonly_sessions) as s:
        issued = s.scalar(select(Invoice.id).where(Invoice.status == "open").limit(1))
        einvoicing.document_einvoice(s, invoices.get_invoice(s, issued), EInvoiceFormat.FACTURX)
    results["rules_first_compile_seconds"] = round(time.perf_counter() - start, 2)
    finalize_run("with_pdf_xml_and_validation")
    original_check = einvoicing.start_checks
    einvoicing.start_checks = lambda session, invoice, doc=None: einvoicing.Checks(None)  # type: ignore[assignment]
    try:
        finalize_run("with_pdf")
        original = documents.store_frozen_pdf
        documents.store_frozen_pdf = lambda session, invoice, *args, **kwargs: None  # type: ignore[assignment]
        try:
            finalize_run("engine_only")
        finally:
            documents.store_frozen_pdf = original
    finally:
        einvoicing.start_checks = original_check
    db.close()

    publish("engine", results)


if __name__ == "__main__":
    main()
