"""The command line's side of backups: the daily backup does not fail the command asked for, and a whole
business restores into an empty data folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from invoicer import paths
from invoicer.cli import main
from invoicer.db import backup
from tests.cli.invocations import ok, user_error


@pytest.mark.sqlite_only
def test_a_failed_daily_backup_is_a_warning_not_a_failure(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    shutil.rmtree(data / "backups", ignore_errors=True)  # today's backup is due
    monkeypatch.setattr(backup, "_write_archive", disk_full)
    assert main(["--data-dir", str(data), "customer", "list"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "invoicer: warning: the daily backup could not be made: The backup could not be written: "
        "[Errno 28] No space left on device."
    ]


@pytest.mark.sqlite_only
def test_restore_into_an_empty_folder(data: Path, tmp_path: Path) -> None:
    ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR")
    archive = ok(data, "backup", "create")["path"]
    empty = tmp_path / "new-machine"
    assert ok(empty, "backup", "restore", archive)["previous_saved_as"] is None
    assert [c["name"] for c in ok(empty, "customer", "list")] == ["ACME SARL"]
    assert ok(empty, "verify")["ok"] is True


@pytest.mark.sqlite_only
def test_restore_and_encrypt_wait_until_the_desktop_app_on_the_folder_is_closed(data: Path) -> None:
    ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR")
    archive = ok(data, "backup", "create")["path"]
    holder = subprocess.Popen(  # the desktop app's lock, held by a live process as the app holds it
        [sys.executable, "-c", HOLD_LOCK, str(paths.app_lock_path(data))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        for command in (["backup", "restore", archive], ["db", "encrypt"], ["db", "decrypt"]):
            line = user_error(data, *command)
            assert f"Invoicer is open on {data}" in line and str(holder.pid) in line, line
        assert ok(data, "verify")["ok"] is True
    finally:
        holder.kill()
        holder.wait()
    assert ok(data, "backup", "restore", archive)["previous_saved_as"]  # a lock left by a dead app does not count


HOLD_LOCK = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
assert lock.tryLock(1000)
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.sqlite_only  # a local business: its archive holds the SQLite file, the PDFs and the logo
def test_restore_to_an_empty_folder_brings_every_pdf_and_the_logo_back_byte_identical(
    data: Path, tmp_path: Path
) -> None:
    from PIL import Image

    logo = tmp_path / "elsewhere" / "logo.png"
    logo.parent.mkdir()
    Image.new("RGB", (200, 80), (200, 30, 30)).save(logo)
    ok(data, "company", "set", "--logo", str(logo))
    customer = ok(data, "customer", "add", "--name", "ACME SARL", "--country", "FR")["id"]
    for _ in range(2):
        draft = ok(data, "invoice", "create", "--customer", str(customer), "--line", "Widget|2|50.00|19")["id"]
        ok(data, "invoice", "finalize", str(draft))
    archive = ok(data, "backup", "create")["path"]
    logo.unlink()  # the original is gone: the data folder's copy, archived, is what comes back
    target = tmp_path / "new-machine"

    assert ok(data, "backup", "restore", Path(archive).name, "--to", str(target))["previous_saved_as"] is None

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    pdfs = files(paths.documents_dir(data))
    assert len(pdfs) == 2 and files(paths.documents_dir(target)) == pdfs
    assert files(paths.logo_dir(target)) == files(paths.logo_dir(data)) != {}
    assert ok(target, "verify")["ok"] is True
    assert [c["name"] for c in ok(target, "customer", "list")] == ["ACME SARL"]
