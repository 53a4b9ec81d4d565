"""The order store under real concurrency and failures: processes racing on one order,
a writer killed mid-way, SQLite's lock waits, lost PostgreSQL connections and threads
sharing a store in memory. Child processes run tests/store_worker.py."""

from __future__ import annotations

import json
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa

import buyer_protection._store_tables as store_tables
from buyer_protection import BuyerProtectionError, DuplicateOrder, StoreError, to_dict
from buyer_protection.store import OrderStore
from store_worker import order, scan_after
from tcp_proxy import Proxy

WORKER = Path(__file__).with_name("store_worker.py")
WAIT = 120.0  # seconds: a generous bound on any child's step, never a verdict


def only(database: str) -> pytest.MarkDecorator:
    """Run the test on *database* alone (of the `store_url` fixture's)."""
    return pytest.mark.parametrize("store_url", [database], indirect=True)


class Child:
    """A worker process whose stdout lines are read as they come."""

    def __init__(self, *arguments: str, stderr: IO[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        self._stderr = stderr
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self) -> str:
        """The next line it printed; fails (with its stderr) if it ended instead."""
        try:
            line = self._lines.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"no line from the worker in {WAIT} s") from None
        if line is None:
            self.process.wait(timeout=WAIT)
            self._stderr.seek(0)
            raise AssertionError(
                f"the worker ended ({self.process.returncode}): {self._stderr.read()}"
            )
        return line

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@contextmanager
def children(tmp_path: Path, *commands: tuple[str, ...]) -> Iterator[list[Child]]:
    """Worker processes running *commands*, killed on the way out whatever happened."""
    started: list[Child] = []
    try:
        for number, command in enumerate(commands):
            stderr = open(tmp_path / f"worker-{number}.err", "w+", encoding="utf-8")  # noqa: SIM115
            started.append(Child(*command, stderr=stderr))
        yield started
    finally:
        for child in started:
            child.kill()
            child._stderr.close()


# -- two processes on one order --------------------------------------------------


def test_two_processes_applying_changes_to_one_order_lose_none(
    store_url: str, tmp_path: Path
) -> None:
    """Two processes each adding 200 distinct scans to one order through `apply` at
    once end with all 400 in its log, each once, in the order they were written."""
    with OrderStore(store_url) as store:
        store.add(order("contended"))
    with children(
        tmp_path,
        ("scans", store_url, "contended", "a", "200"),
        ("scans", store_url, "contended", "b", "200"),
    ) as workers:
        for worker in workers:
            assert worker.line() == "ready"
        for worker in workers:  # both were waiting: they start together
            worker.send("go")
        reports = [json.loads(worker.line()) for worker in workers]
        for worker in workers:
            assert worker.process.wait(timeout=WAIT) == 0

    with OrderStore(store_url) as store:
        stored = store.get("contended")
    scans = [entry for entry in stored.log if entry.action == "add_tracking"]
    descriptions = [entry.details["event"].description for entry in scans]
    expected = {f"{worker}-{n}" for worker in "ab" for n in range(200)}
    assert len(descriptions) == 400
    assert set(descriptions) == expected
    # Each change was made on the order as the one before it left it.
    instants = [entry.at for entry in scans]
    assert instants == sorted(set(instants))
    retries = sum(report["runs"] - report["scans"] for report in reports)
    seconds = max(report["seconds"] for report in reports)
    print(
        f"\n{store_url.split(':')[0]}: 400 changes, {retries} retries after a Conflict, "
        f"{seconds:.1f} s"
    )


# -- a writer killed ---------------------------------------------------------------


def test_a_writer_killed_midway_leaves_every_reported_order_and_no_half_written_one(
    store_url: str, tmp_path: Path
) -> None:
    """A process adding orders and killed with SIGKILL leaves every order whose `add`
    returned, each loadable, and no part of a batch (`add_all`) without the rest."""
    with OrderStore(store_url):  # the tables exist before the worker races to them
        pass
    with children(tmp_path, ("add", store_url, "crash")) as (worker,):
        reported = [worker.line() for _ in range(50)]
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=WAIT)
        reported += _lines_left(worker)

    with OrderStore(store_url) as store:
        stored = list(store.find())
        for order_id in stored:
            assert store.get(order_id).order_id == order_id
    numbers = sorted(int(order_id.removeprefix("crash-")) for order_id in stored)
    reached = len(reported)
    assert set(reported) <= set(stored)
    # Beyond what was reported, only the call then running: one add (the next
    # number, a multiple of 4) or the whole batch of three after it.
    assert numbers == list(range(len(numbers)))
    assert len(numbers) - reached in ((0, 1) if reached % 4 == 0 else (0, 3))


def _lines_left(worker: Child) -> list[str]:
    """The lines a killed worker printed that were not read yet."""
    left = []
    while (line := worker._lines.get(timeout=WAIT)) is not None:
        left.append(line)
    return left


# -- SQLite's lock -----------------------------------------------------------------


def _sqlite_file(url: str) -> str:
    database = sa.make_url(url).database
    assert database
    return database


@only("sqlite")
def test_a_sqlite_store_waits_for_another_writers_lock(store_url: str) -> None:
    """A write while another connection holds SQLite's write lock for a second waits
    for it and succeeds."""
    with OrderStore(store_url) as store:
        holder = sqlite3.connect(
            _sqlite_file(store_url), isolation_level=None, check_same_thread=False
        )
        holder.execute("BEGIN IMMEDIATE")
        released = threading.Event()

        def release() -> None:
            time.sleep(1)
            released.set()
            holder.execute("COMMIT")

        thread = threading.Thread(target=release)
        thread.start()
        try:
            store.add(order("waited"))
            assert released.is_set()  # it was written once the lock was given up
        finally:
            thread.join()
            holder.close()
        assert "waited" in store


@only("sqlite")
def test_a_sqlite_lock_held_past_the_wait_is_a_store_error(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that waits longer than the store's lock wait for another connection's
    lock raises `StoreError` quoting SQLite's "database is locked", writes nothing,
    and reads go on meanwhile."""
    with OrderStore(store_url) as store:
        store.add(order("kept"))
    monkeypatch.setattr(store_tables, "LOCK_WAIT", 0.1)
    with OrderStore(store_url) as store:
        holder = sqlite3.connect(_sqlite_file(store_url), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreError) as raised:
                store.add(order("refused"))
            with pytest.raises(StoreError):
                store.apply("kept", lambda kept: scan_after(kept, "refused"))
            assert store.get("kept").tracking == ()  # readers do not wait (WAL)
            assert len(store) == 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert "refused" not in store
        store.add(order("refused"))  # the lock is free again
    assert isinstance(raised.value, BuyerProtectionError)
    assert "database is locked" in str(raised.value)


# -- another writer adding the same id ----------------------------------------------


@contextmanager
def added_just_before_the_insert(store: OrderStore, url: str, order_id: str) -> Iterator[None]:
    """Another writer adds and commits *order_id* once *store* has checked the ids it is
    adding, just before its INSERT: the race the check alone cannot see."""
    done: list[str] = []

    def race(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and not done:
            done.append(order_id)
            with OrderStore(url) as writer:
                writer.add(order(order_id))

    sa.event.listen(store.engine, "before_cursor_execute", race)
    try:
        yield
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", race)
    assert done  # the race did happen


def test_add_all_racing_another_writer_names_the_id_it_added(store_url: str) -> None:
    """`add_all` of a batch one of whose ids another writer added after the check is
    `DuplicateOrder` naming that id and its position; no order of the batch is added."""
    with OrderStore(store_url) as store:
        with (
            added_just_before_the_insert(store, store_url, "R-2"),
            pytest.raises(
                DuplicateOrder, match=r"^orders\[2\]: order 'R-2' is already stored"
            ) as raised,
        ):
            store.add_all([order(f"R-{n}") for n in range(4)])
        assert raised.value.order_id == "R-2"
        assert list(store.find()) == ["R-2"]


def test_import_racing_another_writer_names_the_line_of_the_id_it_added(
    store_url: str, tmp_path: Path
) -> None:
    """`import_jsonl` of a file one of whose ids another writer added after the check
    is `DuplicateOrder` starting ``line N:`` of that id; no order of the file is added."""
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(to_dict(order(f"R-{n}"))) + "\n" for n in range(4)))
    with OrderStore(store_url) as store:
        with (
            added_just_before_the_insert(store, store_url, "R-3"),
            pytest.raises(
                DuplicateOrder, match=r"^line 4: order 'R-3' is already stored"
            ) as raised,
        ):
            store.import_jsonl(path)
        assert raised.value.order_id == "R-3"
        assert list(store.find()) == ["R-3"]


# -- lost connections --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_an_unreachable_database_is_a_store_error(database: str, tmp_path: Path) -> None:
    """A store whose database cannot be reached (a SQLite file in no folder, a
    PostgreSQL port nothing listens on) raises `StoreError` quoting the driver."""
    if database == "sqlite":
        url, words = f"sqlite:///{tmp_path / 'gone' / 'store.db'}", "unable to open database"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/postgres"
        words = "refused"
    with pytest.raises(StoreError) as raised:
        OrderStore(url)
    assert words in str(raised.value)
    assert str(raised.value).startswith("the database failed: ")


def _terminate_others(url: str) -> int:
    """End every other connection to *url*'s database; how many were ended."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            ended = connection.exec_driver_sql(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            ).all()
    finally:
        engine.dispose()
    return len(ended)


@only("postgresql")
def test_a_store_replaces_connections_the_server_ended(store_url: str) -> None:
    """After the server ends the store's connections, its next calls reconnect and
    work."""
    with OrderStore(store_url) as store:
        store.add(order("before"))
        assert _terminate_others(store_url) >= 1
        assert store.get("before").order_id == "before"
        store.add(order("after"))
        store.apply("before", lambda before: scan_after(before, "after"))
        assert sorted(store.find()) == ["after", "before"]


@only("postgresql")
def test_a_server_gone_away_is_a_store_error(store_url: str) -> None:
    """When the server is gone (every connection cut, new ones refused) each call
    raises `StoreError` quoting the driver, and nothing the calls asked is written."""
    url = sa.make_url(store_url)
    assert url.host
    assert url.port
    proxy = Proxy(url.host, url.port)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with OrderStore(through) as store, closing(proxy):
        store.add(order("stored"))
        proxy.close()
        calls: list[Any] = [
            lambda: store.get("stored"),
            lambda: store.add(order("lost")),
            lambda: store.apply("stored", lambda stored: scan_after(stored, "lost")),
            lambda: list(store.due(datetime(2030, 1, 1, tzinfo=UTC))),
            lambda: len(store),
        ]
        for call in calls:
            with pytest.raises(StoreError) as raised:
                call()
            assert str(raised.value).startswith("the database failed: ")
            assert "refused" in str(raised.value)
    with OrderStore(store_url) as store:
        assert list(store.find()) == ["stored"]
        assert store.get("stored").tracking == ()


# -- imports -----------------------------------------------------------------------


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=WAIT
    )


def test_importing_buyer_protection_does_not_import_sqlalchemy() -> None:
    """``import buyer_protection`` leaves SQLAlchemy unimported."""
    done = _python("import buyer_protection, sys; assert 'sqlalchemy' not in sys.modules")
    assert done.returncode == 0, done.stderr


def test_the_store_without_sqlalchemy_is_a_missing_dependency_naming_its_extra() -> None:
    """Importing `buyer_protection.store` where SQLAlchemy cannot be imported raises
    `MissingDependency` naming the ``store`` extra."""
    done = _python(
        "import sys\n"
        "sys.modules['sqlalchemy'] = None\n"
        "from buyer_protection import MissingDependency\n"
        "try:\n"
        "    import buyer_protection.store\n"
        "except MissingDependency as err:\n"
        "    print(err)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'buyer-protection[store]'" in done.stdout


# -- threads sharing a store in memory ---------------------------------------------


def test_threads_sharing_a_store_in_memory_all_succeed() -> None:
    """Eight threads adding and editing their own orders in one ``sqlite://`` store at
    once all succeed, and every order holds its thread's changes."""
    threads, each = 8, 20
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            start.wait(timeout=WAIT)
            for n in range(each):
                order_id = f"t{thread}-{n}"
                store.add(order(order_id))
                with store.edit(order_id) as editing:
                    scan_after(editing, f"{order_id} edited")
                store.apply(order_id, partial(scan_after, description=f"{order_id} applied"))
                assert order_id in store
                list(store.find(limit=5))
        except BaseException as err:  # reported by the test, in the main thread
            failures.append(err)

    with OrderStore("sqlite://") as store:
        running = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join(timeout=WAIT)
        assert not failures, failures
        assert len(store) == threads * each
        for number in range(threads):
            for n in range(each):
                order_id = f"t{number}-{n}"
                descriptions = [event.description for event in store.get(order_id).tracking]
                assert descriptions == [f"{order_id} edited", f"{order_id} applied"]
