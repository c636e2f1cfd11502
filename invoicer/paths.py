"""Where things live: the data folder (platformdirs, or --data-dir / INVOICER_DATA_DIR) and bundled files;
and how files inside it are made: readable by the user only, written whole or not at all."""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from pathlib import Path

from platformdirs import user_cache_path, user_data_path

from invoicer import APP_ID, APP_NAME

DB_FILENAME = "invoicer.sqlite3"
APP_LOCK_FILENAME = f"{APP_ID}.lock"
LOGO_DIRNAME = "logo"
ENV_DATA_DIR = "INVOICER_DATA_DIR"


def _bundle_root() -> Path:
    """The source tree, or the PyInstaller bundle (sys._MEIPASS) in the frozen app."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """``resources/``: fonts, icons, locale catalogs, templates."""
    bundled = _bundle_root() / "resources"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent / "_resources"


def migrations_dir() -> Path:
    """``migrations/``: the Alembic environment and versions."""
    bundled = _bundle_root() / "migrations"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent / "_migrations"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: explicit override, then $INVOICER_DATA_DIR, then the platform default."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    path = Path(chosen).expanduser() if chosen else user_data_path(APP_NAME, appauthor=False)
    return path


def cache_dir() -> Path:
    """The user's cache folder (compiled translation catalogs): anything in it can be made again."""
    return user_cache_path(APP_NAME, appauthor=False)


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def backups_dir(folder: Path) -> Path:
    return folder / "backups"


def server_backups_dir(folder: Path) -> Path:
    """Where this desk keeps the dumps it made of a server database (beside the local file's archives)."""
    return backups_dir(folder) / "server"


def server_connection_path(folder: Path) -> Path:
    """Where a desk set to a shared server keeps the server's address (services/server.py)."""
    return folder / "server.json"


def documents_dir(folder: Path) -> Path:
    """Frozen PDFs of finalized documents."""
    return folder / "documents"


def log_path(folder: Path) -> Path:
    return folder / "logs" / f"{APP_ID}.log"


def logo_dir(folder: Path) -> Path:
    """The company logo, copied in when it is set (backups carry it with the business)."""
    return folder / LOGO_DIRNAME


def logo_file(folder: Path, stored: str | None) -> Path | None:
    """The logo file the company profile names, or None when there is none or it cannot be found.

    The profile stores a path relative to the data folder; profiles saved before logos were copied in hold an
    absolute path, which is used while the file is there, else its copy under ``logo/`` (a restored backup).
    """
    if not stored:
        return None
    named = Path(stored)
    for candidate in (folder / named, logo_dir(folder) / named.name):
        if candidate.is_file():
            return candidate
    return None


#: folders of the data folder are the user's alone (POSIX modes; Windows keeps the profile's own ACLs)
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_PARTIAL = re.compile(r"\.(\d+)-\d+\.partial")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed, readable by the user only; an existing folder of the
    user's loses any access others had."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _restrict(path)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, readable by the user only (SQLite gives its WAL and journal
    files the database file's mode); an existing file loses any access others had, nothing else."""
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE))
    _restrict(path)
    return path


def _restrict(path: Path) -> None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def partial_path(target: Path) -> Path:
    """Where ``target`` is written before it is renamed into place; the name says which process writes it."""
    return target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.partial")


def is_partial(path: Path) -> bool:
    """A file still being written (or abandoned half-way), never one to read or copy."""
    return ".partial" in path.name


def remove_abandoned(folder: Path) -> None:
    """Delete what a write killed half-way left in ``folder`` (the file and any SQLite journal of it) once its
    process is gone; a file another live process is still writing stays."""
    if not folder.is_dir():
        return
    for partial in folder.glob("*.partial*"):
        writer = _PARTIAL.search(partial.name)
        if writer is None or not process_alive(int(writer.group(1))):
            if partial.is_dir():  # a restore unpacks its archive into a folder named this way
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)


def app_lock_path(folder: Path) -> Path:
    """The lock file the desktop app holds (a Qt ``QLockFile``) while it has ``folder`` open."""
    return folder / APP_LOCK_FILENAME


def open_in_other_app(folder: Path) -> int | None:
    """The process id of a desktop app (not this process) that has ``folder`` open on this machine, else None.

    ``QLockFile`` writes the holder's pid, application name and host name on the first three lines; a lock left by
    a crashed app, or held by this very process (a restore started from the window), does not count.
    """
    try:
        lines = app_lock_path(folder).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if len(lines) < 3 or not lines[0].strip().isdigit():
        return None
    import socket  # here: only when another app may hold the folder

    pid, host = int(lines[0]), lines[2].strip()
    if pid == os.getpid() or (host and host != socket.gethostname()) or not process_alive(pid):
        return None
    return pid


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a lock's holder, a partial file's writer)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
