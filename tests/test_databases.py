"""Tests for the test harness itself (`tests/databases.py`): the real databases the store runs on.

They use psycopg and SQLAlchemy directly, not the store, so that a store bug cannot
hide a harness bug (or the other way round).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import databases
from databases import (
    BIN_VARIABLE,
    PostgresNotFound,
    PostgresServer,
    drop_database,
    empty_database,
    find_binaries,
    fresh_database,
)

ROOT = Path(__file__).parent.parent


def _tables(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _make_table(url: str, name: str) -> None:
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        sa.Table(name, metadata, sa.Column("order_id", sa.String(40), primary_key=True))
        metadata.create_all(engine)
    finally:
        engine.dispose()


def test_the_server_answers_as_postgresql_15_or_later(postgres_server: PostgresServer) -> None:
    """The session server is a real PostgreSQL, version 15 or later, reached through psycopg."""
    with psycopg.connect(
        host="127.0.0.1", port=postgres_server.port, user="postgres", dbname="postgres"
    ) as connection:
        row = connection.execute("select version()").fetchone()
    assert row is not None
    words = str(row[0]).split()
    assert words[0] == "PostgreSQL"
    assert int(words[1].split(".")[0]) >= 15


def test_a_store_url_is_an_empty_database(store_url: str) -> None:
    """Each test's database starts without tables, on SQLite and on PostgreSQL."""
    assert _tables(store_url) == []
    _make_table(store_url, "buyer_protection_orders")
    assert _tables(store_url) == ["buyer_protection_orders"]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_sqlite_url_is_a_file_in_the_tests_own_folder(store_url: str, tmp_path: Path) -> None:
    """The SQLite database is the file orders.db in the test's tmp_path, made on first use."""
    assert make_url(store_url).database == str(tmp_path / "orders.db")
    _make_table(store_url, "buyer_protection_orders")
    assert (tmp_path / "orders.db").is_file()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_two_postgresql_databases_are_separate(
    store_url: str, postgres_server: PostgresServer
) -> None:
    """A table made in one fresh PostgreSQL database does not appear in another."""
    other = fresh_database(postgres_server)
    try:
        assert make_url(other).database != make_url(store_url).database
        _make_table(store_url, "buyer_protection_orders")
        assert _tables(other) == []
        assert _tables(store_url) == ["buyer_protection_orders"]
    finally:
        drop_database(postgres_server, other)


def test_dropping_a_database_ends_its_open_connections(postgres_server: PostgresServer) -> None:
    """drop_database removes the database even while a connection to it is still open."""
    url = fresh_database(postgres_server)
    name = str(make_url(url).database)
    left_open = postgres_server.connect(name)
    try:
        left_open.execute("select 1")
        drop_database(postgres_server, url)
    finally:
        left_open.close()
    with postgres_server.connect() as admin:
        row = admin.execute("select count(*) from pg_database where datname = %s", [name])
        assert row.fetchone() == (0,)


def test_emptying_a_database_drops_its_tables(store_url: str) -> None:
    """empty_database leaves no table behind, on SQLite and on PostgreSQL, and may run twice."""
    _make_table(store_url, "buyer_protection_orders")
    _make_table(store_url, "buyer_protection_schema")
    empty_database(store_url)
    assert _tables(store_url) == []
    empty_database(store_url)
    _make_table(store_url, "buyer_protection_orders")
    assert _tables(store_url) == ["buyer_protection_orders"]


def test_the_newest_installed_version_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off PATH, the binaries of the highest /usr/lib/postgresql/<version> are used."""
    for version in ("9.6", "13", "15", "notaversion"):
        folder = tmp_path / "versions" / version / "bin"
        folder.mkdir(parents=True)
        for program in ("initdb", "pg_ctl"):
            (folder / program).write_text("#!/bin/sh\n")
            (folder / program).chmod(0o755)
    monkeypatch.setattr(databases, "VERSIONS", tmp_path / "versions")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv(BIN_VARIABLE, raising=False)
    assert find_binaries().pg_ctl == tmp_path / "versions" / "15" / "bin" / "pg_ctl"


def test_a_folder_without_the_binaries_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With BUYER_PROTECTION_PG_BIN naming a folder without them, the error names the folder."""
    monkeypatch.setenv(BIN_VARIABLE, str(tmp_path))
    with pytest.raises(PostgresNotFound, match="no PostgreSQL server binaries") as raised:
        find_binaries()
    assert str(tmp_path) in str(raised.value)


def _run_without_postgres(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment[BIN_VARIABLE] = str(tmp_path)
    if ci is not None:
        environment["CI"] = ci
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"),
            *("-k", "answers_as_postgresql", str(Path(__file__))),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_without_postgresql_its_tests_are_skipped_outside_ci(tmp_path: Path) -> None:
    """When no server can be found and CI is not "true", the PostgreSQL tests are skipped."""
    done = _run_without_postgres(tmp_path, ci=None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert "no PostgreSQL server binaries (pg_ctl and initdb) were found" in done.stdout


def test_without_postgresql_its_tests_fail_in_ci(tmp_path: Path) -> None:
    """When no server can be found and CI is "true", the PostgreSQL tests fail, saying why."""
    done = _run_without_postgres(tmp_path, ci="true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout
    assert "no PostgreSQL server binaries (pg_ctl and initdb) were found" in done.stdout
