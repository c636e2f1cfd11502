"""The encrypted database as a use case: its key (in the system keyring, or given for this run only), and
converting the business's file to encrypted and back.

The key of a folder is looked for only when its file is encrypted, so a plain database never touches the keyring
(nor imports SQLCipher) at start.
"""

from __future__ import annotations

import secrets as random_source
from collections.abc import Callable
from pathlib import Path

from invoicer import paths
from invoicer.core.errors import N_, StorageError, ValidationError
from invoicer.db import cipher
from invoicer.db.engine import make_engine, make_session_factory, transaction

__all__ = ["database_key", "decrypt", "encrypt", "file_key", "forget_keys", "give_key", "is_encrypted", "known_key",
           "needs_key", "take_given_key"]

# keys given for this run (typed at a prompt, read from stdin, entered in a dialog): kept in memory only
_given: dict[Path, str] = {}


def give_key(folder: Path, key: str) -> None:
    """Use ``key`` for the database in ``folder`` until the program ends (or ``forget_keys``)."""
    if not key.strip():
        raise ValidationError(N_("No database key was given."))
    _given[folder.resolve()] = key.strip()


def take_given_key(folder: Path) -> str | None:
    """The key given for ``folder`` this run, which no longer stands for its database: a restore gives the backup's
    key so (the database it replaces keeps opening with the keyring's)."""
    return _given.pop(folder.resolve(), None)


def forget_keys() -> None:
    _given.clear()


def is_encrypted(folder: Path) -> bool:
    return cipher.is_encrypted(paths.database_path(folder))


def needs_key(folder: Path) -> bool:
    """The database in ``folder`` is encrypted and no key for it is known: the front-end asks the user."""
    return is_encrypted(folder) and known_key(folder) is None


def file_key(folder: Path) -> str | None:
    """The key that opens the database in ``folder``: None for a plain file (the keyring is not asked then)."""
    return known_key(folder) if is_encrypted(folder) else None


def known_key(folder: Path) -> str | None:
    """The key known for ``folder`` (given for this run, else in the keyring), whatever its file is now."""
    given = _given.get(folder.resolve())
    if given is not None:
        return given
    from invoicer.mail import secrets

    return secrets.stored_database_key(folder)


def encrypt(folder: Path, key: str | None = None) -> Path:
    """Encrypt the database in ``folder`` with ``key``, or with a new random 256-bit key kept in the system keyring.

    A backup of the plain file is made first; the encrypted copy must open and pass ``verify`` as the plain one does
    before it replaces the file. Returns that backup.
    """
    from invoicer.mail import secrets

    _require_database(folder)
    if is_encrypted(folder):
        raise ValidationError(N_("The database in {folder} is encrypted already."), folder=folder)
    if key is None and not secrets.keyring_available():
        raise ValidationError(
            N_("No system keyring is available here to keep the database key: give a key of your own (--key-stdin) "
               "and keep it safe; Invoicer asks for it at every start. Nothing was changed.")
        )
    new_key = key or random_source.token_hex(32)
    saved = _backup(folder, "pre-encrypt")

    def keep_key() -> None:
        if key is None:
            secrets.store_database_key(folder, new_key)

    _convert(folder, None, new_key, keep_key)
    return saved


def decrypt(folder: Path) -> Path:
    """Turn the encrypted database in ``folder`` back into a plain file (after a backup, which stays encrypted; the
    plain copy must pass ``verify`` first); the key leaves the keyring. Returns the backup."""
    from invoicer.mail import secrets

    _require_database(folder)
    if not is_encrypted(folder):
        raise ValidationError(N_("The database in {folder} is not encrypted."), folder=folder)
    key = known_key(folder)
    saved = _backup(folder, "pre-decrypt")
    _convert(folder, key, None, lambda: None)
    secrets.delete_database_key(folder)
    return saved


def database_key(folder: Path) -> str:
    """The key of the encrypted database in ``folder`` (from the keyring, or as given for this run), checked against the
    file: to keep somewhere safe, and to restore its backups on another computer or after ``decrypt``."""
    path = paths.database_path(folder)
    if not is_encrypted(folder):
        raise ValidationError(N_("The database in {folder} is not encrypted: it has no key."), folder=folder)
    key = known_key(folder)
    if key is None:
        raise StorageError(N_("No key for the database in {folder} is known here: the system keyring holds none, and "
                              "none was given."), folder=folder)
    cipher.open_file(path, key, readonly=True).close()  # a key given for this run may be wrong: say so
    return key


def _require_database(folder: Path) -> None:
    from invoicer.services.store import require_sole_user

    require_sole_user(folder)
    path = paths.database_path(folder)
    if not path.is_file() or path.stat().st_size == 0:
        raise ValidationError(N_("There is no database in {folder} yet."), folder=folder)


def _backup(folder: Path, reason: str) -> Path:
    from invoicer.services import backups

    return backups.create_backup(folder, reason)


def _convert(folder: Path, old_key: str | None, new_key: str | None, before_replace: Callable[[], None]) -> None:
    """Write the converted copy beside the file, check it, then rename it over the file (all or nothing)."""
    path = paths.database_path(folder)
    converted = paths.private_file(paths.partial_path(path))
    try:
        expected = _problems(folder, path, old_key)
        cipher.convert(path, old_key, converted, new_key)
        found = _problems(folder, converted, new_key)
        if found != expected:
            raise StorageError(
                N_("The converted database does not pass verify as the original does ({problem}); nothing was "
                   "changed."),
                problem="; ".join(found) or "-",
            )
        before_replace()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        converted.replace(path)
    finally:
        converted.unlink(missing_ok=True)


def _problems(folder: Path, path: Path, key: str | None) -> list[str]:
    from invoicer.services import integrity

    engine = make_engine(path, key)
    try:
        with transaction(make_session_factory(engine, readonly=True)) as session:
            return integrity.verify(session, folder).problems
    finally:
        engine.dispose()
