"""Shared fixtures: a migrated template database copied per test (Anki's getEmptyCol idea), and a
company profile set up the way a user would."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from invoicer.db.migrate import Database, open_database
from tests.services.helpers import add_customer, set_up_seller

# the SMTP test server and an in-memory keyring (autouse: no test ever touches the machine's keyring)
pytest_plugins = ["tests.mail.smtp_server"]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head, made once per test session."""
    folder = tmp_path_factory.mktemp("template")
    db = open_database(folder, daily_backup=False)
    db.close()
    return folder / "invoicer.sqlite3"


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty, migrated database in its own data folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(template_db, folder / "invoicer.sqlite3")
    database = open_database(folder, daily_backup=False)
    yield database
    database.close()


@pytest.fixture
def seller(db: Database) -> Database:
    """The database with a complete company profile (a German seller with IBAN)."""
    set_up_seller(db)
    return db


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder for CLI tests, with the company set up through the CLI itself."""
    from tests.cli.invocations import company_folder

    return company_folder(tmp_path / "data")


@pytest.fixture
def customer_id(seller: Database) -> int:
    return add_customer(seller)
