"""A throwaway PostgreSQL cluster for the session, and a fresh database per test.

Skipped when PostgreSQL is not installed, unless INVOICER_REQUIRE_PG=1 (CI), where its absence fails."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.postgres.cluster import Cluster, bin_dir, start_cluster
from tests.postgres.invocations import run

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    found = bin_dir()
    if found is None:
        if os.environ.get("INVOICER_REQUIRE_PG") == "1":
            pytest.fail("INVOICER_REQUIRE_PG=1 but PostgreSQL's initdb was not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed (no initdb in PATH or /usr/lib/postgresql/*/bin)")
    cluster = start_cluster(found)
    yield cluster
    cluster.stop()


@pytest.fixture
def new_pg_database(pg_cluster: Cluster) -> Callable[[], str]:
    """Make a new, empty database on the test cluster; returns its address."""
    def create() -> str:
        name = f"t{os.getpid()}_{next(_names)}"
        with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return pg_cluster.url(name)

    return create


@pytest.fixture
def pg_url(new_pg_database: Callable[[], str]) -> str:
    """The address of a new, empty database on the test cluster."""
    return new_pg_database()


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture
def copied(tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """A local business with demo data, copied to the server."""
    folder = str(tmp_path / "data")
    assert run(capsys, "--data-dir", folder, "demo", "--invoices", "40")[0] == 0
    code, _out, err = run(capsys, "--data-dir", folder, "db", "copy", "--to", pg_url)
    assert code == 0, err
    return tmp_path / "data", pg_url
