"""Secrecy on disk: everything Invoicer writes in the data folder is readable by the user only (POSIX)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from invoicer import paths
from invoicer.db.migrate import Database, open_database
from invoicer.logs import log, setup_logging
from invoicer.services import backups, documents, store

from .helpers import make_open

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}


@pytest.mark.sqlite_only
def test_database_backups_documents_and_logs_are_the_users_alone(seller: Database, customer_id: int) -> None:
    old_umask = os.umask(0o022)  # a usual desktop umask: without care, files come out 0644 and folders 0755
    try:
        invoice_id = make_open(seller, customer_id)
        store.write(seller, lambda s: documents.document_pdf(s, invoice_id))
        backups.create_backup(seller.folder)
        setup_logging(seller.folder)
        log.error("a line in the log")
    finally:
        os.umask(old_umask)
    found = modes(seller.folder)
    kinds = {name.split("/")[0] for name in found}
    assert {"invoicer.sqlite3", "backups", "documents", "logs"} <= kinds
    assert any(name.startswith("documents/") for name in found) and any(n.startswith("backups/") for n in found)
    loose = {
        name: oct(mode) for name, mode in found.items()
        if mode & 0o077 or ((seller.folder / name).is_dir() and mode != 0o700)
    }
    assert not loose


def test_an_existing_data_folder_is_tightened_when_opened(template_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    db_file = paths.database_path(folder)
    db_file.write_bytes(template_db.read_bytes())
    os.chmod(db_file, 0o644)
    open_database(folder, daily_backup=False).close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
