"""A throwaway PostgreSQL cluster for the test session (a pytest plugin every test directory may use): a new,
empty database per test, and a migrated business copied from a template database (the server-side twin of the
SQLite template the service tests copy).

Skipped when PostgreSQL is not installed, unless INVOICER_REQUIRE_PG=1 (CI), where its absence fails."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import psycopg
import pytest

from tests.postgres.cluster import Cluster, bin_dir, start_cluster

TEMPLATE = "invoicer_template"

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


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once per session; each business on the server is a copy of it."""
    from invoicer.db.migrate import open_server

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    open_server(pg_cluster.url(TEMPLATE), tmp_path_factory.mktemp("pg-template"), init=True).close()
    return TEMPLATE


@pytest.fixture
def pg_business_url(pg_cluster: Cluster, pg_template: str) -> Iterator[str]:
    """The address of a fresh copy of the migrated template, dropped after the test."""
    name = f"b{os.getpid()}_{next(_names)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield pg_cluster.url(name)
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
