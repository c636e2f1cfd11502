"""Encrypted database benchmark (not part of the test run): what SQLCipher costs against the plain file.

    python tests/benchmarks/bench_encryption.py [--invoices 5000] [--repeat 5]

Makes demo data once, copies the data folder twice (one copy kept plain, one encrypted with ``db encrypt``'s raw
256-bit key), then times, in the same run and alternating plain/encrypted: start (a new process that opens the
database: ``python -c`` with ``open_database``, including the SQLCipher import for the encrypted one), finalize (a
draft created and finalized, one transaction each), list (the first 200 invoices of the list view) and the full
ledger export (.xlsx). Reports medians and encrypted/plain ratios (target: each <= 1.5). Prints a table and writes
tests/benchmarks/results/encryption.json (ignored by git).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invoicer import paths  # noqa: E402
from invoicer.services import encryption, invoices, ledger, store  # noqa: E402
from invoicer.services.invoices import DraftData, LineData  # noqa: E402

TARGET_RATIO = 1.5
_START = (
    "import sys; from pathlib import Path; from invoicer.services import encryption, store\n"
    "folder = Path(sys.argv[1]); key = sys.stdin.readline()\n"
    "if key.strip(): encryption.give_key(folder, key)\n"
    "store.open_database(folder, daily_backup=False).close()\n"
)


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warms the caches; not counted
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def _measure(folder: Path, key: str, work: Path, repeat: int) -> dict[str, float]:
    def start() -> None:
        subprocess.run([sys.executable, "-c", _START, str(folder)], input=key + "\n", text=True, check=True, cwd=ROOT)

    results = {"start": _median_ms(start, repeat)}
    if key:
        encryption.give_key(folder, key)
    db = store.open_database(folder, daily_backup=False)
    try:
        customer = store.read(db, lambda s: invoices.list_invoices(s, limit=1))[0].customer_id
        line = LineData(description="Consulting", quantity="1", unit_price="100.00", tax_rate="19")

        def finalize() -> None:
            draft = store.write(db, lambda s: invoices.create_draft(
                s, DraftData(customer_id=customer, issue_date=date.today(), lines=[line])))
            store.write(db, lambda s: invoices.finalize_invoice(s, draft))

        results["finalize"] = _median_ms(finalize, repeat * 4)
        results["list"] = _median_ms(lambda: store.read(db, lambda s: invoices.list_invoices(s, limit=200)), repeat * 4)
        results["ledger_export"] = _median_ms(lambda: ledger.export_ledger(db, work / "ledger.xlsx"), repeat)
    finally:
        db.close()
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="invoicer-bench-encryption-") as tmp:
        plain, encrypted, work = Path(tmp) / "plain", Path(tmp) / "encrypted", Path(tmp) / "work"
        work.mkdir()
        subprocess.run([sys.executable, "-m", "invoicer", "--data-dir", str(plain), "demo", "--invoices",
                        str(args.invoices), "--seed", "1"], check=True, cwd=ROOT, capture_output=True)
        shutil.copytree(plain, encrypted)
        shutil.rmtree(paths.backups_dir(encrypted))
        key = secrets.token_hex(32)
        encryption.encrypt(encrypted, key)
        measured = {"plain": _measure(plain, "", work, args.repeat),
                    "encrypted": _measure(encrypted, key, work, args.repeat)}
    from tests.benchmarks.report import publish

    results: dict[str, object] = {"invoices": args.invoices}
    for what in measured["plain"]:
        ratio = measured["encrypted"][what] / measured["plain"][what]
        results[f"{what}_ms_plain"] = measured["plain"][what]
        results[f"{what}_ms_encrypted"] = measured["encrypted"][what]
        results[f"{what}_ratio (target <= {TARGET_RATIO})"] = round(ratio, 2)
    results["target_met"] = all(measured["encrypted"][w] / measured["plain"][w] <= TARGET_RATIO
                                for w in measured["plain"])
    publish("encryption", results)


if __name__ == "__main__":
    main()
