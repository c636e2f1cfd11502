"""How a database file is opened, plain (sqlite3) or encrypted (SQLCipher with a key): every opener goes through here.

A file is encrypted when its first 16 bytes are not SQLite's header (SQLCipher encrypts the whole file, header
included). ``sqlcipher3`` is imported only when such a file is opened, so a plain database never loads it and the app
runs plain where the package is missing.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

from invoicer.core.errors import N_, StorageError

SQLITE_HEADER = b"SQLite format 3\x00"
_DRIVER = "sqlcipher3.dbapi2"
# a random 256-bit key in hex is used as it is (SQLCipher's raw key, no key derivation: opening stays as fast as a
# plain file); anything else is a passphrase SQLCipher derives the key from (PBKDF2, about a quarter of a second)
_RAW_KEY = re.compile(r"[0-9a-fA-F]{64}")
_NO_KEY = N_("{path} is encrypted and no key for it was given (the system keyring holds none for this data folder), "
             "or it is not an Invoicer database. Give the database key, or restore a backup. The file was not changed.")
_WRONG_KEY = N_("The key given does not open {path}: it is not this database's key. The file was not changed.")


def is_encrypted(path: Path) -> bool:
    """True for a file whose header is not SQLite's (an empty or missing file is a plain one still to be made)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER


def errors(name: str = "Error", also: tuple[type[Exception], ...] = ()) -> tuple[type[Exception], ...]:
    """The DB-API exception class ``name`` of every driver loaded in this process: sqlite3's, and SQLCipher's once an
    encrypted file was opened (its classes are its own, not sqlite3's); with ``also`` added."""
    loaded = [sqlite3, *([sys.modules[_DRIVER]] if _DRIVER in sys.modules else [])]
    return tuple(getattr(module, name) for module in loaded) + also


def driver() -> ModuleType:
    """The SQLCipher DB-API module; StorageError where it is not installed."""
    try:
        import sqlcipher3.dbapi2 as dbapi
    except ImportError:
        raise StorageError(
            N_("This database is encrypted, and the encryption support (sqlcipher3) is not installed here.")
        ) from None
    module: ModuleType = dbapi
    return module


def key_pragma(key: str) -> str:
    """The value of ``PRAGMA key`` (and of ``ATTACH … KEY``) for ``key``."""
    if _RAW_KEY.fullmatch(key):
        return f"\"x'{key}'\""
    return "'" + key.replace("'", "''") + "'"


def open_file(path: Path, key: str | None, *, readonly: bool = False, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to the database at ``path``: keyed with ``key`` when the file is encrypted, plain otherwise.

    StorageError, saying which, when an encrypted file comes without a key or with one that does not open it.
    """
    if not is_encrypted(path):
        return sqlite3.connect(_target(path, readonly), uri=True, timeout=timeout)
    if key is None:
        raise StorageError(_NO_KEY, path=path)
    return connect_keyed(path, key, readonly=readonly, timeout=timeout)


def connect_keyed(path: Path, key: str, *, readonly: bool = False, timeout: float = 5.0) -> sqlite3.Connection:
    """A SQLCipher connection to ``path`` keyed with ``key`` (a new file is created encrypted with it)."""
    dbapi = driver()
    conn: sqlite3.Connection = dbapi.connect(_target(path, readonly), uri=True, timeout=timeout)
    # SQLCipher logs a wrong key to stderr; the user gets one clear refusal instead
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {key_pragma(key)}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise StorageError(_WRONG_KEY, path=path) from None
        raise
    return conn


def _target(path: Path, readonly: bool) -> str:
    return f"file:{path}?mode=ro" if readonly else str(path)


def convert(source: Path, source_key: str | None, target: Path, target_key: str | None) -> None:
    """Copy the database at ``source`` (keyed with ``source_key``, or plain) into the new file ``target``, encrypted
    with ``target_key`` or plain when it is None: SQLCipher's ``sqlcipher_export``, which rewrites every page."""
    dbapi = driver()
    if source_key is not None:
        conn = connect_keyed(source, source_key)
    else:
        conn = dbapi.connect(str(source))
        conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        target_pragma = key_pragma(target_key) if target_key is not None else "''"
        conn.execute(f"ATTACH DATABASE ? AS converted KEY {target_pragma}", (str(target),))
        conn.execute("SELECT sqlcipher_export('converted')")
        conn.execute("DETACH DATABASE converted")
    finally:
        conn.close()
