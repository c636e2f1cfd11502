"""A command that opens a folder at an older schema says on stderr, in a terminal, how far the backup and the migration
are; in --json mode, or when stderr is not a terminal, it says nothing more."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from invoicer.cli import main
from tests.migrations.test_migration_progress import at_revision


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _listed(folder: Path, *options: str, stderr: io.StringIO) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(stderr):
        code = main(["--data-dir", str(folder), "tax", "list", *options])
    return code, out.getvalue()


def test_in_a_terminal_the_backup_then_the_migration_are_shown(template_db: Path, tmp_path: Path) -> None:
    err = Terminal()
    code, out = _listed(at_revision(template_db, tmp_path / "data", "0036"), stderr=err)
    assert code == 0
    lines = [line.rpartition("\r")[2] for line in err.getvalue().split("\n")]  # each as the terminal leaves it
    assert len(lines) == 3 and lines[2] == ""
    assert lines[0].startswith("Updating the database for this version, pre-migration backup: 100 % (")
    assert lines[0].endswith(" bytes)")
    assert lines[1] == "Updating the database for this version, migration: 100 % (2 revisions)"
    assert err.getvalue().count("migration: ") == 3  # 0 of 2, 1 of 2, 2 of 2
    err = Terminal()
    assert _listed(tmp_path / "data", stderr=err) == (code, out)  # migrated: nothing more to say
    assert err.getvalue() == ""


@pytest.mark.parametrize(("options", "stderr"), [(("--json",), Terminal), ((), io.StringIO)])
def test_with_json_or_without_a_terminal_nothing_more_is_said(
    template_db: Path, tmp_path: Path, options: tuple[str, ...], stderr: type[io.StringIO]
) -> None:
    err = stderr()
    code, out = _listed(at_revision(template_db, tmp_path / "data", "0036"), *options, stderr=err)
    assert code == 0 and err.getvalue() == ""
    if options:
        json.loads(out)
