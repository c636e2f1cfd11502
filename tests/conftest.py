"""Shared fixtures: a migrated template database copied per test (Anki's getEmptyCol idea), and a
company profile set up the way a user would.

``--engine postgresql`` (or INVOICER_TEST_ENGINE=postgresql) gives the ``db`` fixture a business on the test
session's throwaway PostgreSQL server instead of a SQLite file, so the service suites run against both engines;
a test about the file itself is marked ``sqlite_only``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from invoicer.db.migrate import Database, open_database, open_server
from tests.services.helpers import add_customer, set_up_seller

# the SMTP test server and an in-memory keyring (autouse: no test ever touches the machine's keyring)
pytest_plugins = ["tests.mail.smtp_server", "tests.postgres.fixtures"]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head, made once per test session."""
    folder = tmp_path_factory.mktemp("template")
    db = open_database(folder, daily_backup=False)
    db.close()
    return folder / "invoicer.sqlite3"


ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--engine", choices=ENGINES, default=os.environ.get("INVOICER_TEST_ENGINE", "sqlite"),
                     help="the database engine of the db fixture (default sqlite; env INVOICER_TEST_ENGINE)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself; skipped with --engine postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("engine") == "postgresql":
        skip = pytest.mark.skip(reason="about the SQLite file itself (--engine postgresql)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty, migrated database in its own data folder (on the test server with --engine postgresql)."""
    folder = tmp_path / "data"
    folder.mkdir()
    if request.config.getoption("engine") == "postgresql":
        from invoicer.services import server

        url = request.getfixturevalue("pg_business_url")
        server.save_connection(folder, url)  # the command line on this folder reaches the same business
        database = open_server(url, folder)
    else:
        shutil.copy(request.getfixturevalue("template_db"), folder / "invoicer.sqlite3")
        database = open_database(folder, daily_backup=False)
    yield database
    database.close()


@pytest.fixture
def seller(db: Database) -> Database:
    """The database with a complete company profile (a German seller with IBAN)."""
    set_up_seller(db)
    return db


@pytest.fixture
def data(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A data folder for CLI tests, with the company set up through the CLI itself; with --engine postgresql the
    folder is connected to a fresh business on the test server (``db connect``), so every command uses it."""
    from tests.cli.invocations import company_folder

    folder = tmp_path / "data"
    if request.config.getoption("engine") == "postgresql":
        from invoicer.services import server

        server.save_connection(folder, request.getfixturevalue("pg_business_url"))
    return company_folder(folder)


@pytest.fixture
def customer_id(seller: Database) -> int:
    return add_customer(seller)
