"""The command line's side of backups: the daily backup does not fail the command asked for, and a whole
business restores into an empty data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.invocations import ok, run


def test_a_failed_daily_backup_is_a_warning_not_a_failure(data: Path) -> None:
    shutil.rmtree(data / "backups", ignore_errors=True)
    (data / "backups").write_text("a file where the backups folder should be")
    result = run(data, "customer", "list")
    assert result.returncode == 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line, no traceback
    assert "warning: the daily backup could not be made" in result.stderr


def test_restore_into_an_empty_folder(data: Path, tmp_path: Path) -> None:
    ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR")
    archive = ok(data, "backup", "create")["path"]
    empty = tmp_path / "new-machine"
    assert ok(empty, "backup", "restore", archive)["previous_saved_as"] is None
    assert [c["name"] for c in ok(empty, "customer", "list")] == ["ACME SARL"]
    assert ok(empty, "verify")["ok"] is True
