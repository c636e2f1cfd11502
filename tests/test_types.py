"""The whole package type-checks under ``mypy --strict`` as configured in pyproject.toml (issue 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_is_clean(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    # mypy's incremental cache lives in pytest's cache folder (gitignored): a warm run takes seconds, a cold
    # one (fresh clone, CI) 20-50 s on the shared 2-core machine
    pytest_cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    cache = pytest_cache.mkdir("mypy") if pytest_cache is not None else tmp_path
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--cache-dir", str(cache)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"mypy --strict reports:\n{result.stdout}{result.stderr}"
