"""A throwaway PostgreSQL cluster for the session, and a fresh database per test.

Skipped when PostgreSQL is not installed, unless INVOICER_REQUIRE_PG=1 (CI), where its absence fails."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest

from tests.postgres.cluster import Cluster, bin_dir, start_cluster

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
def pg_url(pg_cluster: Cluster) -> str:
    """The address of a new, empty database on the test cluster."""
    name = f"t{os.getpid()}_{next(_names)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_cluster.url(name)
