"""Benchmark: each issued format's check with its rules compiled as the app compiles them (no fired-rule element for
every node a rule matches: SchXslt's compact report for the Schematron rules, einvoice_rules.FIRED_RULE left out of
CEN's) against the same rules with the full report, the reference, in the same run (not part of the test run).

    python tests/benchmarks/bench_compact_rules.py [--repeat 25] [--rounds 8]

On bench_validation.py's 10-line invoice: each format's rule sets applied to the document parsed into Saxon once, as
einvoice_rules does, alternately with the full-report rules (the Schematron ones compiled into a temporary folder by
packaging/compile_schematron.py with ``compact=False``, CEN's compiled from their files as published) and the app's,
``--rounds`` times; each figure is the CPU time of this thread per check (Saxon runs in the calling thread; the clock
ticks in milliseconds, so each sample is ``--repeat`` checks), which a busy machine moves less than the wall time,
and the wall time. Prints the medians and writes tests/benchmarks/results/compact_rules.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from invoicer.db.engine import transaction  # noqa: E402
from invoicer.documents import einvoice_rules as rules  # noqa: E402
from invoicer.documents.einvoice_rules import EInvoiceFormat  # noqa: E402
from invoicer.documents.model import DocumentMark  # noqa: E402
from invoicer.services import documents, drafts, einvoicing, invoices  # noqa: E402
from tests.benchmarks.bench_validation import draft_json, set_up  # noqa: E402
from tests.benchmarks.report import publish  # noqa: E402

FORMATS = (EInvoiceFormat.FACTURX, EInvoiceFormat.PEPPOL, EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL)


def _thread_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_THREAD)
    return used.ru_utime + used.ru_stime


def _per_check(check: object, repeat: int) -> tuple[float, float]:
    """CPU and wall milliseconds per check, over ``repeat`` checks."""
    cpu, wall = _thread_cpu(), time.perf_counter()
    for _ in range(repeat):
        check()  # type: ignore[operator]
    return (_thread_cpu() - cpu) * 1000 / repeat, (time.perf_counter() - wall) * 1000 / repeat


def check_with(executables: list[Any], root: etree._Element) -> list[str]:
    """The failed rules' fields, as einvoice_rules._schematron_all reads them: one parse, each rule set in turn."""
    node = rules._processor().parse_xml(xml_text=etree.tostring(root, encoding=str))
    return [field for executable in executables
            for field in rules._failed_fields(executable.transform_to_value(xdm_node=node))]


def full_report_rules(folder: Path) -> dict[str, Any]:
    """Every rule set with the full report: the Schematron ones compiled so into ``folder`` (with their code lists
    beside them), CEN's compiled from their files."""
    spec = importlib.util.spec_from_file_location("compile_schematron", ROOT / "packaging" / "compile_schematron.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    pipeline = tool.compiler(rules._processor(), compact=False)

    def executable(path: Path) -> Any:
        return rules._processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))

    found = {name: executable(rules._artefacts() / name)
             for sets in rules.RULE_SETS.values() for name in sets if name.startswith("en16931/")}
    for name in tool.SOURCES:
        source = rules._artefacts() / name
        target = (folder / name).with_suffix(".xsl")
        target.parent.mkdir(parents=True, exist_ok=True)
        for code_list in source.parent.glob("*_codedb.xml"):
            shutil.copy(code_list, target.parent / code_list.name)
        target.write_text(tool.compiled_rules(pipeline, source), encoding="utf-8")
        found[str(Path(name).with_suffix(".xsl"))] = executable(target)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db, ids = set_up(Path(tmp) / "data")
        with transaction(db.sessions) as s:
            invoice_id = drafts.create_draft(s, drafts.draft_from_json(draft_json(ids["peppol"]), "bench"))
            invoices.finalize_invoice(s, invoice_id)
            doc = documents.document_data(s, invoices.get_invoice(s, invoice_id), DocumentMark.ISSUED)
        db.close()
        full = full_report_rules(Path(tmp) / "full")
        for fmt in FORMATS:
            root = etree.fromstring(einvoicing.einvoice_xml(doc, fmt))
            compact = [rules._compiled(name) for name in rules.RULE_SETS[fmt]]
            reference = [full[name] for name in rules.RULE_SETS[fmt]]
            assert check_with(reference, root) == check_with(compact, root)
            times: dict[str, list[tuple[float, float]]] = {"full": [], "compact": []}
            for turn in range(args.rounds):
                for side in ("full", "compact") if turn % 2 == 0 else ("compact", "full"):
                    sets = reference if side == "full" else compact
                    times[side].append(_per_check(lambda s=sets, r=root: check_with(s, r), args.repeat))
            (full_cpu, full_wall), (compact_cpu, compact_wall) = (
                tuple(statistics.median(f) for f in zip(*times[side], strict=True)) for side in ("full", "compact"))
            results[f"{fmt.value}: check"] = (
                f"full report {full_cpu:.2f} ms CPU ({full_wall:.2f} wall) | compact {compact_cpu:.2f} ms CPU "
                f"({compact_wall:.2f} wall) | compact/full {compact_cpu / full_cpu:.2f} CPU, "
                f"{compact_wall / full_wall:.2f} wall")
    publish("compact_rules", results)


if __name__ == "__main__":
    main()
