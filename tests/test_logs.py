"""The log file: opened with its first record, readable by the user only, rotated at 2 MB keeping three old files."""

from __future__ import annotations

import stat
from pathlib import Path

from invoicer import paths
from invoicer.logs import log, logging_to


def test_the_log_file_is_made_by_its_first_record_private_and_rotated(tmp_path: Path) -> None:
    with logging_to(tmp_path) as target:
        assert target == paths.log_path(tmp_path) and not target.exists()  # a run that logs nothing writes no file
        log.info("first line")
        assert "INFO invoicer: first line" in target.read_text(encoding="utf-8")
        for n in range(2_500):
            log.info("line %d %s", n, "x" * 1_000)
    rotated = sorted(p.name for p in target.parent.iterdir())
    assert rotated == ["invoicer.log", "invoicer.log.1"]
    assert target.stat().st_size < 2_000_000 and (target.parent / "invoicer.log.1").stat().st_size <= 2_000_000
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.parent.iterdir()} == {0o600}
