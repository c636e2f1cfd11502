"""The one wrapper around the OS keyring: the SMTP password and the database key live there and nowhere else.

Where no usable keyring exists (keyring's ``fail``/``null`` backend on a headless Linux box, or a
backend that refuses to work), ``KeyringUnavailableError`` says so; callers then ask for the
password when sending and keep it only in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.errors import KeyringError, PasswordDeleteError

from invoicer import APP_ID
from invoicer.core.errors import N_, InvoicerError

SERVICE = f"{APP_ID}-smtp"
DATABASE_SERVICE = f"{APP_ID}-database"
T = TypeVar("T")


class KeyringUnavailableError(InvoicerError):
    """There is no usable system keyring, so a password can be neither stored nor read back."""


def _no_keyring(reason: str | None = None) -> KeyringUnavailableError:
    if not reason:
        return KeyringUnavailableError(
            N_("No system keyring is available here, so the mail password cannot be stored; Invoicer asks for it "
               "when sending and keeps it only until the program ends.")
        )
    return KeyringUnavailableError(
        N_("No system keyring is available here ({reason}), so the mail password cannot be stored; Invoicer asks "
           "for it when sending and keeps it only until the program ends."),
        reason=reason,
    )


def account(host: str, user: str) -> str:
    """The keyring entry's user name: one password per (server, login)."""
    return f"{user}@{host}"


def keyring_available() -> bool:
    return not isinstance(
        keyring.get_keyring(), keyring.backends.fail.Keyring | keyring.backends.null.Keyring
    )


def _require_keyring() -> None:
    if not keyring_available():
        raise _no_keyring()


def _keyring_call(action: Callable[[], T]) -> T:
    _require_keyring()
    try:
        return action()
    except KeyringError as exc:
        raise _no_keyring(str(exc) or type(exc).__name__) from None


def store_password(host: str, user: str, password: str) -> None:
    _keyring_call(lambda: keyring.set_password(SERVICE, account(host, user), password))


def stored_password(host: str, user: str) -> str | None:
    """The stored password, or None when none was stored for this server and login."""
    return _keyring_call(lambda: keyring.get_password(SERVICE, account(host, user)))


def delete_password(host: str, user: str) -> None:
    """Forget a stored password (nothing happens when there is none or no keyring)."""
    _forget(SERVICE, account(host, user))


def store_database_key(folder: Path, key: str) -> None:
    """Keep the key of the encrypted database in ``folder`` (one entry per data folder)."""
    _keyring_call(lambda: keyring.set_password(DATABASE_SERVICE, _folder_account(folder), key))


def stored_database_key(folder: Path) -> str | None:
    """The key of the database in ``folder``; None when none is stored or there is no keyring to ask."""
    if not keyring_available():
        return None
    return _keyring_call(lambda: keyring.get_password(DATABASE_SERVICE, _folder_account(folder)))


def delete_database_key(folder: Path) -> None:
    _forget(DATABASE_SERVICE, _folder_account(folder))


def _folder_account(folder: Path) -> str:
    return str(folder.resolve())


def _forget(service: str, name: str) -> None:
    if not keyring_available():
        return
    try:
        keyring.delete_password(service, name)
    except PasswordDeleteError:
        return
    except KeyringError as exc:
        raise _no_keyring(str(exc) or type(exc).__name__) from None


SERVER_SERVICE = f"{APP_ID}-server"


def store_server_password(server: str, user: str, password: str) -> None:
    """The password of a PostgreSQL login (``server`` is host:port/database)."""
    _require_keyring()
    _keyring_call(lambda: keyring.set_password(SERVER_SERVICE, account(server, user), password))


def stored_server_password(server: str, user: str) -> str | None:
    if not keyring_available():
        return None
    return _keyring_call(lambda: keyring.get_password(SERVER_SERVICE, account(server, user)))
