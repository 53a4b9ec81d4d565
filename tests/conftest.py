"""Shared pytest configuration: the Hypothesis profiles and the database fixtures.

Choose a Hypothesis profile with the environment variable ``HYPOTHESIS_PROFILE``:
``dev`` (the default, fast enough for the edit loop) or ``ci`` (thorough, for
continuous integration). Neither has a per-example deadline: no test here is timed.

``store_url`` gives each test a new empty database, once SQLite and once PostgreSQL
(a real server started once per run by ``postgres_server``): see tests/databases.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from databases import (
    PostgresNotFound,
    PostgresServer,
    drop_database,
    find_binaries,
    fresh_database,
    running_server,
)

settings.register_profile(
    "dev",
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run (see tests/databases.py).

    Without PostgreSQL installed the tests that need it are skipped, or fail when
    ``CI=true``.
    """
    try:
        binaries = find_binaries()
    except PostgresNotFound as missing:
        binaries, reason = None, str(missing)
    if binaries is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: a missing server is a failure)", pytrace=False)
        pytest.skip(reason)
    with running_server(binaries) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database for this test: a SQLite file or a PostgreSQL one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orders.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = fresh_database(server)
    try:
        yield url
    finally:
        drop_database(server, url)
