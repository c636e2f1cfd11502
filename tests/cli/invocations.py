"""Running the `invoicer` command in-process through ``main(argv)``, as the entry point does (exit code,
stdout, stderr), and, for the few smoke tests that need a real process, as a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from invoicer.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``invoicer --data-dir DATA ARGS…`` in this process; stdin is empty unless given."""
    out, err = io.StringIO(), io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin or "")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(["--data-dir", str(data), *args])
            except SystemExit as exit_:  # --help and --version exit through argparse, as in a real run
                code = exit_.code if isinstance(exit_.code, int) else 0
    finally:
        sys.stdin = saved
    return subprocess.CompletedProcess(["invoicer", *args], code, out.getvalue(), err.getvalue())


def run_process(data: Path, *args: str, stdin: str | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m invoicer ARGS…`` as a real subprocess (this tree's invoicer) with INVOICER_DATA_DIR set."""
    environment = {**os.environ, **(env or {}), "INVOICER_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "invoicer", *args], capture_output=True, text=True,
                          env=environment, input=stdin, timeout=120)


def ok(data: Path, *args: str) -> Any:
    result = run(data, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def user_error(data: Path, *args: str) -> str:
    result = run(data, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def company_folder(folder: Path) -> Path:
    """A data folder with a German seller set up through the CLI."""
    ok(folder, "company", "set", "--name", "Müller & Söhne GmbH", "--address", "Hauptstraße 1", "--postcode", "10115",
       "--city", "Berlin", "--country", "DE", "--vat-id", "DE123456788", "--iban", "DE89370400440532013000",
       "--currency", "EUR", "--locale", "de_DE")
    return folder
