"""Real databases for the tests: a throwaway PostgreSQL server and empty databases on it.

`tests/conftest.py` registers two fixtures built on this module:

- ``postgres_server`` (session): one PostgreSQL server for the whole run, started by
  `running_server` in a temporary folder (``initdb`` and ``pg_ctl``, no service, no
  password, a free port on 127.0.0.1, durability off for speed) and stopped with
  ``pg_ctl stop -m immediate`` at the end. When no PostgreSQL is installed, the tests
  that need it are skipped, except under continuous integration (``CI=true``), where
  they fail: there a missing server is a broken set-up, not a reason to test less.
- ``store_url``, parametrized ``sqlite`` and ``postgresql``: a fresh, empty database
  URL for each test (`fresh_database` on the session server, dropped afterwards).

A Hypothesis test gets one ``store_url`` for all its examples (a function-scoped
fixture is not run per example), so it empties the database at the start of each
example with `empty_database`, after closing every store of the previous example::

    def test_something(store_url: str) -> None:
        @given(orders())
        def check(order: Order) -> None:
            empty_database(store_url)
            with OrderStore(store_url) as store:
                ...

        check()

Where the server binaries are looked for (`find_binaries`): the folder named by the
environment variable ``BUYER_PROTECTION_PG_BIN`` when it is set (and then only
there: point it at an empty folder to run the tests as if PostgreSQL were missing),
otherwise ``PATH``, otherwise the newest ``/usr/lib/postgresql/<version>/bin``
(Debian and Ubuntu keep them there, off ``PATH``). ``initdb`` refuses to run as root,
so as root the server runs as the ``postgres`` user (through ``runuser``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

BIN_VARIABLE = "BUYER_PROTECTION_PG_BIN"
"""The environment variable naming the folder of ``initdb`` and ``pg_ctl``."""

VERSIONS = Path("/usr/lib/postgresql")
"""Where Debian and Ubuntu install each PostgreSQL version (``<version>/bin``)."""

PROGRAMS = ("initdb", "pg_ctl")
HOST = "127.0.0.1"
SUPERUSER = "postgres"
SERVER_SETTINGS = (
    "listen_addresses=127.0.0.1",
    # Nothing here has to survive a crash: skip the writes that would make it.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
)
START_ATTEMPTS = 3  # another process may take the free port before the server binds it
START_WAIT = 60  # seconds pg_ctl waits for the server to accept connections
TIMEOUT = 120  # seconds for one initdb or pg_ctl call


class PostgresNotFound(Exception):
    """No PostgreSQL server binaries (``initdb`` and ``pg_ctl``) were found."""


class ServerFailed(Exception):
    """The test server could not be set up, started or stopped."""


@attrs.frozen
class Binaries:
    """The two programs that make and run a server."""

    initdb: Path
    pg_ctl: Path


@attrs.frozen
class PostgresServer:
    """A running test server: connect as the superuser, without a password."""

    folder: Path
    port: int
    binaries: Binaries
    run_as: tuple[str, ...]  # the command prefix that runs a program as the server's owner

    @property
    def data(self) -> Path:
        """The server's data folder."""
        return self.folder / "data"

    @property
    def log(self) -> Path:
        """The server's log file."""
        return self.folder / "log"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of the server's databases (driver psycopg 3)."""
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """A psycopg connection in autocommit mode (CREATE/DROP DATABASE need it)."""
        return psycopg.connect(
            host=HOST, port=self.port, user=SUPERUSER, dbname=database, autocommit=True
        )


# -- finding the programs -------------------------------------------------------


def find_binaries() -> Binaries:
    """The server's programs, or `PostgresNotFound` saying where they were looked for."""
    chosen = os.environ.get(BIN_VARIABLE)
    if chosen is not None:
        found = _in_folder(Path(chosen))
        if found is None:
            raise PostgresNotFound(
                f"no PostgreSQL server binaries (pg_ctl and initdb) were found: looked only"
                f" in {chosen!r}, the folder named by {BIN_VARIABLE}"
            )
        return found
    on_path = [shutil.which(name) for name in PROGRAMS]
    if on_path[0] is not None and on_path[1] is not None:
        return Binaries(Path(on_path[0]), Path(on_path[1]))
    for folder in _versions_newest_first():
        found = _in_folder(folder)
        if found is not None:
            return found
    raise PostgresNotFound(
        "no PostgreSQL server binaries (pg_ctl and initdb) were found: looked on PATH"
        f" ({os.environ.get('PATH', '')}) and in {VERSIONS}/*/bin; install PostgreSQL"
        f" (e.g. apt-get install postgresql) or set {BIN_VARIABLE} to the folder holding"
        " pg_ctl and initdb"
    )


def _in_folder(folder: Path) -> Binaries | None:
    initdb, pg_ctl = (folder / name for name in PROGRAMS)
    if all(path.is_file() and os.access(path, os.X_OK) for path in (initdb, pg_ctl)):
        return Binaries(initdb, pg_ctl)
    return None


def _versions_newest_first() -> list[Path]:
    def version(folder: Path) -> tuple[int, ...]:
        parts = folder.parent.name.split(".")
        return tuple(int(part) for part in parts) if all(p.isdigit() for p in parts) else ()

    return sorted(VERSIONS.glob("*/bin"), key=version, reverse=True)


# -- running the server -------------------------------------------------------


@contextlib.contextmanager
def running_server(binaries: Binaries) -> Iterator[PostgresServer]:
    """A new server in a new temporary folder, stopped and removed on leaving."""
    server = start_server(binaries)
    try:
        yield server
    finally:
        stop_server(server)


def start_server(binaries: Binaries) -> PostgresServer:
    """Make a data folder with ``initdb`` and start a server on it; `stop_server` ends it."""
    # Not under pytest's tmp_path: that is private to the user running pytest (0700),
    # and as root the server runs as another user, who must be able to enter it.
    folder = Path(tempfile.mkdtemp(prefix="buyer-protection-pg-"))
    server = PostgresServer(folder, 0, binaries, ())
    try:
        server = attrs.evolve(server, run_as=_run_as_owner(folder))
        _run(
            server,
            "initdb",
            [
                str(binaries.initdb),
                *("-D", str(server.data), "-U", SUPERUSER, "--auth=trust"),
                *("-E", "UTF8", "--no-locale", "--no-sync"),
            ],
        )
        for attempt in range(1, START_ATTEMPTS + 1):
            server = attrs.evolve(server, port=_free_port())
            options = [f"-p {server.port}", f"-k {shlex.quote(str(folder))}"]
            options += [f"-c {setting}" for setting in SERVER_SETTINGS]
            started = _call(
                server,
                [
                    str(binaries.pg_ctl),
                    *("start", "-D", str(server.data), "-w", "-t", str(START_WAIT)),
                    *("-l", str(server.log), "-o", " ".join(options)),
                ],
            )
            if started.returncode == 0:
                return server
            tail = log_tail(server)
            if attempt == START_ATTEMPTS or "could not bind" not in tail:
                raise ServerFailed(
                    f"the test PostgreSQL server did not start ({binaries.pg_ctl} start exited"
                    f" {started.returncode}): {started.stdout.strip()}\n"
                    f"--- the end of its log (removed with its folder):\n{tail}"
                )
    except BaseException:
        # pg_ctl gives up waiting after its timeout but leaves a slow server starting.
        if (server.data / "postmaster.pid").exists():
            _call(server, [str(binaries.pg_ctl), "stop", "-D", str(server.data), "-m", "i"])
        shutil.rmtree(folder, ignore_errors=True)
        raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def stop_server(server: PostgresServer) -> None:
    """Stop the server at once (nothing in it is kept) and remove its folder."""
    try:
        _run(
            server,
            "pg_ctl stop",
            [str(server.binaries.pg_ctl), "stop", "-D", str(server.data), "-m", "immediate", "-w"],
        )
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


def log_tail(server: PostgresServer, lines: int = 30) -> str:
    """The last lines of the server's log (what it said when it refused to start)."""
    try:
        text = server.log.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(text.splitlines()[-lines:])


def _run_as_owner(folder: Path) -> tuple[str, ...]:
    """The command prefix that runs the server's programs; as root, hands them the folder."""
    if os.geteuid() != 0:
        return ()
    try:
        owner = pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise ServerFailed(
            f"running as root, and initdb refuses root: there is no {SUPERUSER!r} user to run"
            " the test server as (installing PostgreSQL's package creates one)"
        ) from None
    # Root's programs may be off a user's PATH: look where util-linux installs it too.
    searched = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    runuser = shutil.which("runuser", path=searched)
    if runuser is None:
        raise ServerFailed(
            "running as root, and initdb refuses root: runuser (util-linux), which would run"
            f" it as {SUPERUSER!r}, was not found on PATH nor in /usr/sbin and /sbin"
        )
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    return (runuser, "-u", SUPERUSER, "--")


def _call(server: PostgresServer, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*server.run_as, *command],
        cwd=server.folder,  # the server's owner may not be allowed into the current folder
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _run(server: PostgresServer, what: str, command: Sequence[str]) -> None:
    done = _call(server, command)
    if done.returncode != 0:
        raise ServerFailed(
            f"{what} for the test PostgreSQL server failed (exit {done.returncode}):"
            f" {' '.join(done.args)}\n{done.stdout.strip()}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# -- databases ------------------------------------------------------------------


def fresh_database(server: PostgresServer) -> str:
    """Create a new empty database on the server; its URL (`drop_database` removes it)."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    with server.connect() as admin:
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if admin.info.server_version >= 150000:
            # Copying template1's few files is a little quicker than writing them
            # through the WAL (the default since 15): 9 ms instead of 15 when measured.
            create += sql.SQL(" STRATEGY FILE_COPY")
        admin.execute(create)
    return server.url(name)


def drop_database(server: PostgresServer, url: str) -> None:
    """Drop the database of a `fresh_database` URL, ending the connections still open to it."""
    name = make_url(url).database
    if not name:
        raise ValueError(f"the URL {url!r} names no database")
    with server.connect() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def empty_database(url: str) -> None:
    """Drop every table of a SQLite or PostgreSQL (schema public) test database.

    Quicker than a new database for each Hypothesis example; the store creates its
    tables again. Close the stores that use the database first: an open transaction
    would hold a lock the drop waits for.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(f"the URL {url!r} names no database file")
        with contextlib.closing(sqlite3.connect(parsed.database)) as connection:
            names = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            ]
            for name in names:
                quoted = name.replace('"', '""')
                connection.execute(f'DROP TABLE IF EXISTS "{quoted}"')
            connection.commit()
    elif backend == "postgresql":
        with psycopg.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            dbname=parsed.database,
            autocommit=True,
        ) as connection:
            names = [
                name
                for (name,) in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            if names:
                tables = sql.SQL(", ").join(sql.Identifier("public", name) for name in names)
                connection.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(tables))
    else:
        raise ValueError(f"the URL {url!r} is neither sqlite nor postgresql")
