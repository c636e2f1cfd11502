"""Opening a folder at an older schema tells how far it is: the pre-migration backup in bytes, then each revision
applied; opening a current folder tells nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from invoicer import paths
from invoicer.db.engine import make_engine
from invoicer.db.migrate import BACKUP, HEAD_REVISION, MIGRATION, known_revisions, migrate, open_database

Report = tuple[str, int, int]


def at_revision(template_db: Path, folder: Path, revision: str) -> Path:
    """``folder`` holding a copy of the template business taken down to ``revision`` (as an older version left it)."""
    folder.mkdir(parents=True)
    shutil.copy(template_db, paths.database_path(folder))
    engine = make_engine(paths.database_path(folder))
    migrate(engine, revision, downgrade=True)
    engine.dispose()
    return folder


def _opened(folder: Path) -> list[Report]:
    told: list[Report] = []
    open_database(folder, daily_backup=False, progress=lambda *report: told.append(report)).close()
    return told


@pytest.mark.parametrize("revision", ["0036", "0001"])
def test_the_backup_then_each_revision_applied_are_told_in_order(
    template_db: Path, tmp_path: Path, revision: str
) -> None:
    told = _opened(at_revision(template_db, tmp_path / "data", revision))
    assert [phase for phase, _done, _total in told] == sorted((phase for phase, _done, _total in told),
                                                              key=[BACKUP, MIGRATION].index)
    backup = [(done, total) for phase, done, total in told if phase == BACKUP]
    assert len(backup) > 1
    assert all(0 < done <= total for done, total in backup)
    assert [done for done, _total in backup] == sorted(done for done, _total in backup)
    assert backup[0][0] < backup[-1][0]
    assert backup[-1][0] == backup[-1][1]  # ends at its total
    applied = sorted(r for r in known_revisions() if r > revision)
    assert applied[-1] == HEAD_REVISION
    assert [(done, total) for phase, done, total in told if phase == MIGRATION] == [
        (done, len(applied)) for done in range(len(applied) + 1)]


def test_a_current_folder_and_a_new_one_tell_nothing(template_db: Path, tmp_path: Path) -> None:
    current = tmp_path / "current"
    current.mkdir()
    shutil.copy(template_db, paths.database_path(current))
    assert _opened(current) == []
    assert _opened(tmp_path / "new") == []  # its schema is made in a moment, with no backup of nothing
