"""The business on a shared PostgreSQL server: the connection this desk uses (address saved in the data folder,
password only in the system keyring), creating the schema there, and moving a local file's business onto it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, Date, DateTime, Engine, Table, insert, inspect, select, update
from sqlalchemy.dialects import sqlite as sqlite_dialects
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from invoicer import paths
from invoicer.core.errors import N_, StorageError, ValidationError
from invoicer.db import models, roles, server_backup, triggers
from invoicer.db.backup import BackupInfo
from invoicer.db.base import Base, ScaledRate
from invoicer.db.engine import make_server_engine, server_url, storage_error
from invoicer.db.migrate import Database, continue_ids, known_revisions, open_server, server_revision

USER_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,62}")
BATCH = 5000


def _file(folder: Path) -> Path:
    return paths.server_connection_path(folder)


def _keyring_entry(url: str) -> tuple[str, str]:
    u = make_url(server_url(url))
    return f"{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}", u.username or ""


def saved_url(folder: Path) -> str | None:
    """The server this desk was set to use, or None for the local file."""
    try:
        return str(json.loads(_file(folder).read_text(encoding="utf-8"))["url"])
    except (FileNotFoundError, KeyError, ValueError):
        return None


def save_connection(folder: Path, url: str | None, password: str | None = None) -> None:
    """Use the server at ``url`` from now on (None: the local file again); the password goes to the keyring."""
    if url is None:
        _file(folder).unlink(missing_ok=True)
        return
    _refuse_password_in(url)
    if password:
        from invoicer.mail import secrets

        secrets.store_server_password(*_keyring_entry(url), password)
    paths.private_dir(folder)
    _file(folder).write_text(json.dumps({"url": url}), encoding="utf-8")
    paths.private_file(_file(folder))


def _refuse_password_in(url: str) -> None:
    if make_url(server_url(url)).password:
        raise StorageError(N_("Write the server address without its password: Invoicer keeps the password in the "
                              "system keyring, never in a file."))


def password_for(url: str) -> str | None:
    """The login's password from the keyring (None: the address, PGPASSWORD or ~/.pgpass supply it)."""
    if make_url(server_url(url)).password:
        return None
    from invoicer.mail import secrets

    return secrets.stored_server_password(*_keyring_entry(url))


def open_shared(url: str, folder: Path, *, init: bool = False) -> Database:
    return open_server(url, folder, password_for(url), init=init)


def check_server(url: str, folder: Path, password: str | None = None) -> None:
    """Open the business at ``url`` as this desk would, and close it again: StorageError saying why it cannot be
    used (not a PostgreSQL address, unreachable, login refused, no Invoicer schema yet, a newer version)."""
    open_server(url, folder, password or password_for(url)).close()


def use_server(folder: Path, url: str, password: str | None = None) -> None:
    """Switch this desk to the server at ``url`` once it is known to work; the password goes to the keyring."""
    url = url.strip()
    _refuse_password_in(url)
    check_server(url, folder, password)
    save_connection(folder, url, password)


def copy_to_server(source: Database, url: str,
                   progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Copy every row of the local business (documents, hash chain, audit trail, numbering) and its frozen PDFs
    to an empty database on the server, in one transaction: all of it arrives, or nothing does.

    The rows go with PostgreSQL's COPY (the plain drivers on both sides, the SQLite file read in one snapshot),
    each stored value converted as the column's SQLAlchemy type would read and write it (``_converters``).
    ``progress(table, rows copied, rows in all)`` is called after each table and every PROGRESS_EVERY rows within
    one. A database that has the Invoicer schema but no rows yet (``db init``, or a copy that failed) is
    accepted."""
    engine = make_server_engine(url, password_for(url))
    try:
        if server_revision(engine) is not None and _has_rows(engine):
            raise StorageError(N_("The database at {url} is not empty: copy only into a new, empty database. "
                                  "Nothing was copied."), url=url)
        target = open_server(url, source.folder, password_for(url), init=True)
    except OperationalError as exc:
        raise StorageError(N_("The server at {url} cannot be reached: {reason}."), url=url,
                           reason=str(exc.orig).strip().splitlines()[0]) from None
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    table_name = ""
    try:
        with source.readonly_sessions() as reading, target.engine.begin() as conn, triggers.triggers_set_aside(conn):
            sqlite: Any = reading.connection().connection.driver_connection
            pg: Any = conn.connection.driver_connection

            def report(rows: int) -> None:
                if progress is not None:
                    progress(table_name, done + rows, total)

            tables = [t for t in Base.metadata.sorted_tables if t.name != models.FrozenPdf.__tablename__]
            total = sum(sqlite.execute(f"SELECT count(*) FROM `{t.name}`").fetchone()[0] for t in tables)
            done = 0
            with _indexes_set_aside(conn):
                for table in tables:
                    table_name = table.name
                    counts[table.name] = _copy_rows(table, sqlite, pg, report)
                    done += counts[table.name]
                    report(0)
                table_name = "(indexes, foreign keys)"
            table_name = models.FrozenPdf.__tablename__
            counts["frozen_pdfs"] = _copy_pdfs(source, reading, conn)
            table_name = models.CompanyLogo.__tablename__
            counts["company_logos"] = _copy_logo(source, reading, conn)
            continue_ids(conn)
    except (DBAPIError, psycopg.Error, ValueError, TypeError) as exc:  # the server's refusal, or a stored value
        orig = getattr(exc, "orig", None) or exc  # that SQLAlchemy could not read either
        raise storage_error(orig) or StorageError(
            N_("The server refused a row of {table}: {reason}. Nothing was copied."), table=table_name,
            reason=str(orig).strip().splitlines()[0]) from None
    finally:
        target.close()
    return counts


#: rows between two progress reports within a table
PROGRESS_EVERY = 50_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")


@contextmanager
def _indexes_set_aside(conn: Connection) -> Iterator[None]:
    """pg_restore's order: the rows first, then each secondary index built once over them and each foreign key
    checked in one pass (dropped and made again with their own definitions, in the copy's transaction), instead
    of every row updating every index and looking up (and locking) the row it refers to. Primary keys and the
    indexes of unique constraints stay."""
    pg: Any = conn.connection.driver_connection  # no parameters: a definition's % stays as it is
    pg.execute("SET LOCAL maintenance_work_mem = '256MB'")
    keys = pg.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2").fetchall()
    indexes = pg.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1").fetchall()
    for table, name, _definition in keys:
        pg.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        pg.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        pg.execute(definition)
    for table, name, definition in keys:
        pg.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def _has_rows(engine: Engine) -> bool:
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        return any(conn.exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{t.name}")').scalar()
                   for t in Base.metadata.sorted_tables if t.name in present)


def _converters(table: Table) -> list[Callable[[Any], Any] | None]:
    """For each column, what turns the value SQLite stored into the one COPY sends: the column type's result
    processor on SQLite, then its bind processor on PostgreSQL, as a select and an insert through SQLAlchemy
    would (DecimalText normalised by Decimal, booleans from 0/1, dates parsed); None where that is the identity.

    A date or timestamp already in the ISO form PostgreSQL reads is passed on as text, as is an integer in an
    integer column (a rate, a count of cents): the same value, without a Python object per field."""
    sqlite_dialect, pg_dialect = sqlite_dialects.dialect(), psycopg_dialect.dialect()  # type: ignore[no-untyped-call]
    found: list[Callable[[Any], Any] | None] = []
    for column in table.columns:
        read = column.type.dialect_impl(sqlite_dialect).result_processor(sqlite_dialect, None)
        write = column.type.dialect_impl(pg_dialect).bind_processor(pg_dialect)
        if read is None and write is None:
            found.append(None)
            continue
        full = _composed(read, write)
        kind = column.type.dialect_impl(sqlite_dialect)
        if isinstance(kind, DateTime):
            found.append(_unless(lambda v: type(v) is str and _ISO_DATETIME.fullmatch(v) is not None, full))
        elif isinstance(kind, Date):
            found.append(_unless(lambda v: type(v) is str and _ISO_DATE.fullmatch(v) is not None, full))
        elif isinstance(column.type, ScaledRate):
            found.append(_unless(lambda v: type(v) is int, full))
        else:
            found.append(full)
    return found


def _composed(read: Callable[[Any], Any] | None, write: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if read is None:
        assert write is not None
        return write
    if write is None:
        return read
    return lambda value: write(read(value))


def _unless(kept: Callable[[Any], bool], convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: value if kept(value) else convert(value)


def _copy_rows(table: Table, sqlite: Any, pg: psycopg.Connection[Any], step: Callable[[int], None]) -> int:
    """One table's rows from the SQLite file into the server's table with COPY FROM STDIN; the count."""
    names = [c.name for c in table.columns]
    converters = [(i, f) for i, f in enumerate(_converters(table)) if f is not None]
    copied = 0
    # `name`: SQLite reads a "name" that is no column as a string, and would copy it into every row
    rows = sqlite.execute(f"SELECT {', '.join(f'`{n}`' for n in names)} FROM `{table.name}`")
    columns = ", ".join(f'"{n}"' for n in names)
    with pg.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        while batch := rows.fetchmany(BATCH):
            for row in batch:
                if converters:
                    row = list(row)
                    for i, convert in converters:
                        if row[i] is not None:
                            row[i] = convert(row[i])
                copy.write_row(row)
            copied += len(batch)
            if copied % PROGRESS_EVERY < BATCH and copied >= PROGRESS_EVERY:
                step(copied)
    return copied


def _copy_logo(source: Database, reading: Session, conn: Connection) -> int:
    """The logo file beside the local database goes into the server's ``company_logos``, and the copied profile
    names it there (also a logo an earlier version stored as an absolute path)."""
    from invoicer.services import company

    stored = reading.scalar(select(models.Company.logo_path))
    found = paths.logo_file(source.folder, stored) if stored else None
    if found is None:
        return 0  # none, or missing: the server prints without it, as the local file did
    content = found.read_bytes()
    name = company.logo_name(found, content)
    conn.execute(insert(models.CompanyLogo), {"name": name, "sha256": hashlib.sha256(content).hexdigest(),
                                               "content": content})
    conn.execute(update(models.Company).values(logo_path=name))
    return 1


def _copy_pdfs(source: Database, reading: Session, conn: Connection) -> int:
    from invoicer.services import (
        documents,  # ReportLab and the PDF code load for a copy, not at the app's start
    )

    copied = 0
    stmt = select(models.Invoice.id, models.Invoice.number, models.Invoice.pdf_sha256).where(
        models.Invoice.pdf_sha256.is_not(None))
    for invoice_id, number, sha256 in reading.execute(stmt):
        path = documents.stored_pdf_path(source.folder, invoice_id, number)
        try:
            pdf = path.read_bytes()
        except FileNotFoundError:
            continue  # verify names it; the server renders it again byte for byte when it is first asked for
        conn.execute(insert(models.FrozenPdf), {"invoice_id": invoice_id, "sha256": sha256, "pdf": pdf})
        copied += 1
    return copied


server_backups_dir = paths.server_backups_dir


def back_up_server(url: str, folder: Path) -> Path:
    """A ``pg_dump`` of the shared database (custom format) in this desk's backups folder."""
    return server_backup.dump(url, server_backups_dir(folder), password_for(url))


def list_server_backups(folder: Path) -> list[BackupInfo]:
    """The dumps this desk made of the server database, newest first."""
    return [BackupInfo(path, datetime.fromtimestamp(path.stat().st_mtime), "server", path.stat().st_size)
            for path in server_backup.list_dumps(server_backups_dir(folder))]


def restore_server(url: str, folder: Path, source: str | Path) -> None:
    """Load a dump into the empty database at ``url`` and bring its schema to the current one; a damaged dump,
    one written by a newer Invoicer, or a database that is not empty is refused before anything changes."""
    chosen = Path(source)
    if not chosen.is_absolute() and not chosen.exists():
        chosen = server_backups_dir(folder) / chosen
    stored = server_backup.revision(chosen)
    if stored not in known_revisions():
        raise StorageError(N_("{path} was written by a newer version of Invoicer; update Invoicer to open it."),
                           path=chosen)
    engine = make_server_engine(url, password_for(url))
    try:
        if server_revision(engine) is not None:
            raise StorageError(N_("The database at {url} is not empty: restore only into a new, empty database "
                                  "(createdb NAME). Nothing was changed."), url=url)
    except OperationalError as exc:
        # libpq says it before any result, so without a SQLSTATE: 'FATAL:  database "x" does not exist'
        if re.search(r'database ".*" does not exist', str(exc.orig)):
            raise StorageError(N_("There is no database at {url}: create a new, empty one there first (createdb "
                                  "--owner USER NAME). Nothing was changed."), url=url) from None
        raise StorageError(N_("The server at {url} cannot be reached: {reason}."), url=url,
                           reason=str(exc.orig).strip().splitlines()[0]) from None
    finally:
        engine.dispose()
    server_backup.restore(chosen, url, password_for(url))
    open_shared(url, folder, init=True).close()


def add_user(url: str, name: str, role: str, password: str | None = None) -> None:
    """A login on the shared database with the rights of ``role`` (owner, accountant, clerk), enforced by the
    server; run by the owner's login (it needs the right to create roles)."""
    if role not in roles.ROLES:
        raise ValidationError(N_("The role must be one of {roles}."), "role", roles=", ".join(roles.ROLES))
    if not USER_NAME.fullmatch(name):
        raise ValidationError(N_("A user name is 1 to 63 small letters, digits, '_', '.' or '-', starting with a "
                                 "letter: {name} is not."), "name", name=name)
    engine = make_server_engine(url, password_for(url))
    try:
        with engine.begin() as conn:
            roles.add_user(conn, name, role, password)
    except OperationalError as exc:
        raise StorageError(N_("The server at {url} cannot be reached: {reason}."), url=url,
                           reason=str(exc.orig).strip().splitlines()[0]) from None
    except DBAPIError as exc:
        raise storage_error(exc.orig) or exc from None
    finally:
        engine.dispose()
