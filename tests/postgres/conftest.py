"""The server tests: no keyring of the machine's, and a local business with demo data copied to the server (the
cluster and its databases come from the ``tests.postgres.fixtures`` plugin)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres.invocations import run


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture
def copied(tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """A local business with demo data, copied to the server."""
    folder = str(tmp_path / "data")
    assert run(capsys, "--data-dir", folder, "demo", "--invoices", "40")[0] == 0
    code, _out, err = run(capsys, "--data-dir", folder, "db", "copy", "--to", pg_url)
    assert code == 0, err
    return tmp_path / "data", pg_url
