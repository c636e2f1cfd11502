"""The encrypted database from the service side: opening with the keyring's key, a clear StorageError without the
right one, converting back and forth, and a plain database that never loads SQLCipher."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoicer.core.errors import StorageError, ValidationError
from invoicer.db.migrate import Database
from invoicer.mail import secrets
from invoicer.services import customers, encryption, integrity, store
from tests.cli.invocations import ROOT
from tests.mail.smtp_server import MemoryKeyring
from tests.services.helpers import make_open

# about the local file and the files beside it (a server's backups: tests/postgres/test_backup.py)
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def encrypted(seller: Database, customer_id: int) -> Iterator[Path]:
    """The seller's business with a finalized invoice, encrypted with a key kept in the (test) keyring."""
    make_open(seller, customer_id)
    seller.close()
    encryption.encrypt(seller.folder)
    yield seller.folder
    encryption.forget_keys()


def test_the_keyring_key_opens_it_and_nothing_else_does(encrypted: Path, memory_keyring: MemoryKeyring) -> None:
    db = store.open_database(encrypted, daily_backup=False)
    try:
        assert [c.name for c in store.read(db, customers.list_customers)] == ["ACME SARL"]
        assert store.read(db, lambda s: integrity.verify(s, encrypted)).ok
    finally:
        db.close()
    key = memory_keyring.store.pop((secrets.DATABASE_SERVICE, str(encrypted.resolve())))
    with pytest.raises(StorageError, match="is encrypted and no key"):
        store.open_database(encrypted, daily_backup=False)
    encryption.give_key(encrypted, key[::-1])
    with pytest.raises(StorageError, match="does not open"):
        store.open_database(encrypted, daily_backup=False)
    encryption.give_key(encrypted, key)
    store.open_database(encrypted, daily_backup=False).close()


def test_decrypt_gives_back_a_plain_file_and_each_direction_is_refused_twice(encrypted: Path) -> None:
    with pytest.raises(ValidationError, match="encrypted already"):
        encryption.encrypt(encrypted)
    encryption.decrypt(encrypted)
    assert not encryption.is_encrypted(encrypted)
    with pytest.raises(ValidationError, match="not encrypted"):
        encryption.decrypt(encrypted)
    db = store.open_database(encrypted, daily_backup=False)
    try:
        assert store.read(db, lambda s: integrity.verify(s, encrypted)).ok
    finally:
        db.close()


def test_a_plain_database_never_loads_sqlcipher(seller: Database) -> None:
    # the app starts without SQLCipher's import cost, and runs plain where the package is missing
    seller.close()
    code = (
        "import sys; from pathlib import Path; from invoicer.services import store, backups\n"
        f"db = store.open_database(Path({str(seller.folder)!r}), daily_backup=False)\n"
        "backups.create_backup(db.folder); db.close()\n"
        "print('sqlcipher3' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.stdout.strip() == "False", done.stderr
