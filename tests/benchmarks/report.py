"""What every benchmark does at the end: print its figures and keep them as JSON (ignored by git)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def publish(name: str, results: dict[str, Any]) -> Path:
    """Print ``results`` as an aligned table and write ``results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    target.write_text(json.dumps(results, indent=2, default=str))
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    return target


def median_ms(work: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls of ``work`` in milliseconds, after one call not counted (statement
    caches, pages in memory)."""
    work()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)
