"""Running the real `invoicer` command in a subprocess, as users and scripts do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INVOICER_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "invoicer", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=120)


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
