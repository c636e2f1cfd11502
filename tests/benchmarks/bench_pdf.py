"""PDF and Factur-X benchmark (not part of the test run).

    python tests/benchmarks/bench_pdf.py [--repeat 200] [--batch 1000] [--workers 2]

Measures, on the same one-page, 10-line EUR invoice (with EPC QR code):
- the PDF without the e-invoice, and the Factur-X PDF/A-3 (XML built, XSD-checked, embedded);
- the parts: CII XML + XSD check, embedding, and the factur-x library's default call
  (``check_xsd=True`` compiles the schema files on every call: the reason we check with a cached schema);
- a batch export of N demo invoices never rendered before (render + store + export) across the
  cores, and the same export again (frozen files are only copied).
Prints a table and writes tests/benchmarks/results/pdf.json (ignored by git).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import facturx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.db.migrate import open_database  # noqa: E402
from invoicer.documents import facturx as cii  # noqa: E402
from invoicer.documents import pdf, qr  # noqa: E402
from invoicer.services import demo, documents  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402
from tests.documents.samples import make_document, ten_lines  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    """Wall-clock median and p95, and the median CPU time (steadier on a machine shared with others)."""
    fn()  # warm: fonts registered, schema compiled, caches filled
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return summary(wall) | {"cpu_median": round(statistics.median(cpu), 2)}


def summary(runs: list[float]) -> dict[str, float]:
    ordered = sorted(runs)
    return {"median": round(statistics.median(runs), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def rendering(results: dict[str, object], repeat: int) -> None:
    doc = make_document(lines=ten_lines())
    plain = pdf.render_pdf(doc)
    xml = cii.cii_xml(doc)
    payload = qr.epc_payload(doc.seller.name, doc.seller.iban or "", doc.balance.amount_due, doc.number or "", doc.seller.bic)
    assert payload is not None
    results["pdf_bytes"] = len(plain)
    results["facturx_pdf_bytes"] = len(pdf.render_document(doc))
    results["pdf_ms"] = timed(lambda: pdf.render_pdf(doc), repeat)
    results["facturx_pdf_ms"] = timed(lambda: pdf.render_document(doc), repeat)
    results["part_epc_qr_ms"] = timed(lambda: qr.qr_modules(payload), repeat)
    results["part_cii_xml_and_xsd_ms"] = timed(lambda: cii.cii_xml(doc), repeat)
    results["part_embed_ms"] = timed(lambda: cii.embed(plain, xml, doc, "t", "s"), repeat)
    results["library_default_embed_with_xsd_ms"] = timed(
        lambda: facturx.generate_from_binary(plain, xml, flavor="factur-x", level="en16931", check_xsd=True),
        max(10, repeat // 10),
    )


def batch(results: dict[str, object], folder: Path, count: int, workers: int) -> None:
    db = open_database(folder, daily_backup=False)
    with transaction(db.readonly_sessions) as s:
        ids = documents.documents_to_export(s, None, None)[:count]
    out = folder / "export"
    for label in ("first_export_renders", "second_export_copies"):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = documents.export_pdfs(db.path, ids, out, workers=workers)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        results[f"batch_{len(ids)}_{label}_s"] = round(time.perf_counter() - start, 2)
        # CPU seconds of the worker processes (their start-up included), whatever else runs here
        results[f"batch_{len(ids)}_{label}_worker_cpu_s"] = round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
        )
        assert len(result.files) == len(ids)
    results["batch_workers"] = workers
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--batch", type=int, default=1000, help="demo invoices to export")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    results: dict[str, object] = {}
    rendering(results, args.repeat)
    folder = Path(tempfile.mkdtemp(prefix="invoicer-bench-pdf-"))
    try:
        db = open_database(folder, daily_backup=False)
        demo.generate(db, invoices=args.batch, seed=7)  # bulk-made: no PDF rendered yet
        db.close()
        batch(results, folder, args.batch, args.workers)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    publish("pdf", results)


if __name__ == "__main__":
    main()
