"""Backups of a business on a PostgreSQL server: ``pg_dump`` in its custom format (the whole database, frozen PDFs
included, as one consistent snapshot) and ``pg_restore`` into an empty database."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from invoicer.core.errors import N_, StorageError, reason
from invoicer.db.engine import server_url

SUFFIX = ".dump"
#: how a custom-format dump (pg_dump --format=custom) begins
DUMP_MAGIC = b"PGDMP"
# Debian and Ubuntu keep the client tools of each installed version out of PATH
_DEBIAN_BINS = Path("/usr/lib/postgresql")


def tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: from PATH, else the newest one Debian installed; refused when absent."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for candidate in sorted(_DEBIAN_BINS.glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]), reverse=True):
        return candidate
    raise StorageError(N_("{tool} was not found: a business on a server is backed up with PostgreSQL's own "
                          "tools; install them (the postgresql-client package) and try again."), tool=name)


def _conninfo(url: str) -> str:
    """The address as libpq reads it (postgresql://...), whatever scheme the user wrote."""
    return "postgresql://" + server_url(url).partition("://")[2]


def _run(args: list[str], password: str | None) -> str:
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password  # for the child only; never on its command line or in a file
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        name = Path(args[0]).name
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        # "pg_dump: error: connection to server ... failed": the tool is named once, in the message
        said = lines[0].removeprefix(f"{name}: ").removeprefix("error: ") if lines else f"exit code {done.returncode}"
        raise StorageError(N_("{tool} failed: {reason}"), tool=name, reason=said)
    return done.stdout


def dump(url: str, folder: Path, password: str | None = None) -> Path:
    """A custom-format dump of the database at ``url`` in ``folder``, named after the database and the moment."""
    folder.mkdir(parents=True, exist_ok=True)
    name = make_url(server_url(url)).database or "invoicer"
    target = folder / f"{name}-{datetime.now():%Y%m%d-%H%M%S}{SUFFIX}"
    partial = target.with_suffix(".partial")
    try:
        _run([str(tool("pg_dump")), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
              f"--dbname={_conninfo(url)}"], password)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def revision(source: Path) -> str:
    """The schema revision stored in a dump, read without restoring it; refused when ``pg_restore`` cannot read
    the file as a dump, or it holds no Invoicer database."""
    if source.is_dir():
        raise StorageError(N_("{path} is a folder: name the backup file in it."), path=source)
    if not source.is_file():
        raise StorageError(N_("{path} does not exist."), path=source)
    if not is_dump(source) and is_local_backup(source):
        raise StorageError(N_("{path} is not a server backup: it is the backup of a local data folder. Restore it "
                              "without --db (invoicer backup restore FILE --to FOLDER), then move that business "
                              "onto the server with invoicer db copy --to ADDRESS."), path=source)
    try:
        listed = _run([str(tool("pg_restore")), "--data-only", "--table=alembic_version", "--file=-", str(source)],
                      None)
    except StorageError as exc:
        raise StorageError(N_("{path} is not a server backup Invoicer can restore ({reason})."), path=source,
                           reason=reason(exc)) from None
    lines = listed.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("COPY ") and "alembic_version" in line:
            return lines[i + 1].strip()
    raise StorageError(N_("{path} is not a server backup Invoicer can restore (it holds no Invoicer database)."),
                       path=source)


def _starts_with(path: Path, *magic: bytes) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False  # what cannot be read is said by whoever reads it next
    return head.startswith(magic)


def is_dump(path: Path) -> bool:
    """Whether ``path`` is a custom-format dump (what ``backup create`` makes of a server database)."""
    return _starts_with(path, DUMP_MAGIC)


def is_local_backup(path: Path) -> bool:
    """Whether ``path`` is a backup of a local data folder: a zip archive, or a plain copy of the SQLite file (what
    earlier versions made)."""
    return _starts_with(path, b"PK\x03\x04", b"SQLite format 3\x00")


def restore(source: Path, url: str, password: str | None = None) -> None:
    """Load the dump into the (empty) database at ``url`` in one transaction: all of it, or nothing."""
    _run([str(tool("pg_restore")), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={_conninfo(url)}", str(source)], password)


def list_dumps(folder: Path) -> list[Path]:
    """The dumps in ``folder``, newest first."""
    return sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
