"""Tests for `buyer_protection.store.OrderStore`: opening a store, adding and reading
orders, editing them under the concurrency guard, the due deadlines and the searches.

Every test runs on SQLite and on PostgreSQL through the ``store_url`` fixture (a fresh,
empty database each), except the few about one database's URLs. A "second writer" is
a second `OrderStore` (or an engine of the test's own) on the same database.
"""

from __future__ import annotations

import pickle
import socket
import sqlite3
import threading
import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import buyer_protection.store
from buyer_protection import (
    ALIEXPRESS,
    BuyerProtectionError,
    Conflict,
    Deadline,
    DisputeState,
    DuplicateOrder,
    InvalidInput,
    Money,
    Order,
    OrderNotFound,
    OrderState,
    Reason,
    StoreError,
    TrackingEvent,
    TrackingStatus,
    dumps,
    to_dict,
)
from buyer_protection.store import STORE_SCHEMA, OrderStore
from strategies import new_order

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TOTAL = Money("100", "USD")


@pytest.fixture
def store(store_url: str) -> Iterator[OrderStore]:
    """A store on the test's empty database, closed afterwards."""
    with OrderStore(store_url) as opened:
        yield opened


@pytest.fixture
def other(store_url: str, store: OrderStore) -> Iterator[OrderStore]:
    """A second store on the same database (after `store` made the tables): another writer."""
    with OrderStore(store_url) as opened:
        yield opened


def impatient(url: str) -> sa.Engine:
    """An engine on *url* that gives up at once on a lock another connection holds."""
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": 0})
    return sa.create_engine(url, connect_args={"options": "-c lock_timeout=500"})


# -- orders to store --------------------------------------------------------------


def unshipped(order_id: str, paid: datetime = PAID) -> Order:
    """An order awaiting shipment, paid at *paid*."""
    return new_order(ALIEXPRESS, TOTAL, paid, order_id)


def shipped(order_id: str, paid: datetime = PAID) -> Order:
    """An order shipped a day after it was paid."""
    order = unshipped(order_id, paid)
    order.ship(paid + DAY)
    return order


def disputed(order_id: str, paid: datetime = PAID) -> Order:
    """A shipped order with a dispute open (awaiting the seller)."""
    order = shipped(order_id, paid)
    assert order.earliest_dispute is not None
    order.open_dispute(order.earliest_dispute, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    return order


def withdrawn(order_id: str, paid: datetime = PAID) -> Order:
    """A shipped order whose dispute the buyer cancelled: shipped again, dispute closed."""
    order = disputed(order_id, paid)
    assert order.dispute is not None
    order.dispute.cancel(order.last_event_at + DAY)
    return order


def closed(order_id: str, paid: datetime = PAID) -> Order:
    """An order cancelled because it was not shipped in time: no step is due any more."""
    order = unshipped(order_id, paid)
    assert order.next_deadline is not None
    order.advance(order.next_deadline.at)
    assert order.next_deadline is None
    return order


def scan(order: Order, hours: int) -> None:
    """Record a carrier scan *hours* after the order was paid: a change to the order."""
    order.add_tracking(TrackingEvent(order.paid_at + hours * HOUR, TrackingStatus.IN_TRANSIT))


def stored(store: OrderStore, order_id: str) -> dict[str, Any]:
    """The document of the stored order *order_id*."""
    return to_dict(store.get(order_id))


def due_by_hand(orders: list[Order], until: datetime) -> list[tuple[str, Deadline]]:
    """What `OrderStore.due` should yield for *orders*, worked out from each order."""
    found = [
        (order.order_id, order.next_deadline)
        for order in orders
        if order.next_deadline is not None and order.next_deadline.at <= until
    ]
    return [
        (order_id, deadline)
        for order_id, deadline in sorted(found, key=lambda pair: (pair[1].at, pair[0]))
    ]


# -- opening a store ----------------------------------------------------------------


def test_a_new_store_creates_its_two_tables(store_url: str) -> None:
    """A store on an empty database creates its orders and schema tables, and is empty."""
    with OrderStore(store_url) as store:
        assert len(store) == 0
        tables = set(sa.inspect(store.engine).get_table_names())
    assert tables == {"buyer_protection_orders", "buyer_protection_schema"}


def test_reopening_a_store_keeps_its_orders(store_url: str) -> None:
    """A store opened again on the same database finds the orders stored before."""
    with OrderStore(store_url) as store:
        store.add(disputed("A-1"))
    with OrderStore(store_url) as store:
        assert stored(store, "A-1") == to_dict(disputed("A-1"))
        assert len(store) == 1


def test_a_sqlite_file_url_keeps_the_orders_in_that_file(tmp_path: Path) -> None:
    """``sqlite:///path`` stores the orders in the file at path, found again by a new store."""
    path = tmp_path / "orders.db"
    with OrderStore(f"sqlite:///{path}") as store:
        store.add(shipped("F-1"))
    assert path.is_file()
    with OrderStore(f"sqlite:///{path}") as store:
        assert stored(store, "F-1") == to_dict(shipped("F-1"))


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_memory_store_keeps_its_orders_while_it_lives(url: str) -> None:
    """A SQLite store in memory is one database for the life of the store object (every
    operation sees it), and another store in memory is a database of its own."""
    with OrderStore(url) as store:
        store.add(shipped("M-1"))
        store.add(unshipped("M-2"))
        assert stored(store, "M-1") == to_dict(shipped("M-1"))
        with store.edit("M-2") as order:
            order.ship(PAID + DAY)
        assert stored(store, "M-2") == to_dict(shipped("M-2"))
        assert list(store.find()) == ["M-1", "M-2"]
        with OrderStore(url) as elsewhere:
            assert len(elsewhere) == 0


@pytest.mark.parametrize("url", ["sqlite://", "file"])
def test_a_closed_store_refuses_every_call_saying_it_is_closed(url: str, tmp_path: Path) -> None:
    """After `close` (or its `with` block), every call of the store is `StoreError`
    saying it is closed, on a file as in memory (whose database is gone), not a
    "no such table" from a database made anew; closing again is harmless."""
    if url == "file":
        url = f"sqlite:///{tmp_path / 'orders.db'}"
    with OrderStore(url) as store:
        store.add(shipped("C-1"))
    store.close()
    calls: list[Callable[[], object]] = [
        lambda: len(store),
        lambda: "C-1" in store,
        lambda: store.get("C-1"),
        lambda: list(store.find()),
        lambda: list(store.due(PAID)),
        lambda: store.add(shipped("C-2")),
        lambda: store.advance_due(PAID),
    ]
    for call in calls:
        with pytest.raises(StoreError, match=r"^the store is closed"):
            call()


def test_a_memory_store_serves_threads_in_turn() -> None:
    """A store in memory used from several threads at once keeps every order each adds."""
    with OrderStore("sqlite://") as store:
        failures: list[BaseException] = []

        def add(thread: int) -> None:
            try:
                for n in range(20):
                    store.add(shipped(f"T-{thread}-{n:02}"))
                    assert f"T-{thread}-{n:02}" in store
            except BaseException as err:  # pragma: no cover - reported below
                failures.append(err)

        threads = [threading.Thread(target=add, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(store) == 80


def test_a_store_on_an_app_engine_leaves_the_app_tables_alone(store_url: str) -> None:
    """Given an application's own engine, the store adds its tables beside the app's,
    leaves the app's table, rows and SQLite journal mode as they were, and leaves the
    engine's connections to the app when it closes."""
    engine = sa.create_engine(store_url)
    app = sa.MetaData()
    things = sa.Table("things", app, sa.Column("id", sa.Integer, primary_key=True))
    app.create_all(engine)
    with engine.begin() as connection:
        connection.execute(things.insert(), [{"id": 1}, {"id": 2}])
    with OrderStore(engine) as store:
        assert store.engine is engine
        store.add(shipped("E-1"))
    assert engine.pool.checkedin() >= 1  # the pool the store used was not disposed of
    with engine.connect() as connection:
        assert connection.execute(sa.select(things.c.id)).scalars().all() == [1, 2]
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    assert set(sa.inspect(engine).get_table_names()) == {
        "things",
        "buyer_protection_orders",
        "buyer_protection_schema",
    }
    with OrderStore(store_url) as store:
        assert list(store.find()) == ["E-1"]
    engine.dispose()


def test_a_store_of_a_newer_schema_is_refused_naming_both_versions(store_url: str) -> None:
    """A database whose store tables a newer library wrote is refused with `InvalidInput`
    naming its schema version and the one this library reads, and is left as it was."""
    with OrderStore(store_url) as store:
        store.add(shipped("N-1"))
    engine = sa.create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE buyer_protection_schema SET version = :v"), {"v": STORE_SCHEMA + 1}
        )
    with pytest.raises(InvalidInput) as refused:
        OrderStore(store_url)
    message = str(refused.value)
    assert f"schema version {STORE_SCHEMA + 1}" in message
    assert f"up to {STORE_SCHEMA}" in message
    with engine.connect() as connection:
        assert connection.execute(
            sa.text("SELECT order_id FROM buyer_protection_orders")
        ).scalars().all() == ["N-1"]
        assert connection.execute(
            sa.text("SELECT version FROM buyer_protection_schema")
        ).scalars().all() == [STORE_SCHEMA + 1]
    engine.dispose()


@pytest.mark.parametrize("url", ["", "not a url", "://", "sqlite:/orders.db:x:y"])
def test_a_text_that_is_not_a_database_url_is_refused(url: str) -> None:
    """A str that is not a database URL is `InvalidInput` naming url_or_engine and
    showing the URLs accepted."""
    with pytest.raises(InvalidInput, match=r"^url_or_engine: .*sqlite:///"):
        OrderStore(url)


@pytest.mark.parametrize("value", [None, 42, b"sqlite://", Path("orders.db"), ["sqlite://"]])
def test_a_url_or_engine_of_another_type_is_refused(value: object) -> None:
    """Anything but a str or an SQLAlchemy Engine is `InvalidInput` saying what is accepted."""
    with pytest.raises(InvalidInput, match=r"^url_or_engine: expected a database URL"):
        OrderStore(value)  # type: ignore[arg-type]


def test_a_database_other_than_sqlite_or_postgresql_is_refused() -> None:
    """An engine of another database (MySQL here, with a stand-in driver that is never
    called) is `InvalidInput` naming it and the databases supported."""
    driver = types.SimpleNamespace(paramstyle="pyformat", Error=Exception)
    try:
        engine = sa.create_engine("mysql+pymysql://user@localhost/db", module=driver)
    except Exception as err:  # pragma: no cover - depends on SQLAlchemy's internals
        pytest.skip(f"a MySQL engine cannot be made without its driver here: {err}")
    with pytest.raises(
        InvalidInput, match=r"mysql database is not supported.*SQLite or PostgreSQL"
    ):
        OrderStore(engine)


def test_a_url_of_another_database_is_refused() -> None:
    """A URL of a database other than SQLite or PostgreSQL is `InvalidInput`, whether or
    not its driver is installed."""
    with pytest.raises(InvalidInput, match=r"^url_or_engine: "):
        OrderStore("mysql://user@localhost/db")


def closed_port() -> int:
    """A loopback port that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_postgresql_server_is_a_store_error_with_the_drivers_message() -> None:
    """A PostgreSQL URL whose server does not answer is `StoreError` quoting the driver's
    message (the refused connection), never an SQLAlchemy or psycopg exception."""
    pytest.importorskip("psycopg")
    port = closed_port()
    with pytest.raises(BuyerProtectionError) as failed:
        OrderStore(f"postgresql+psycopg://user@127.0.0.1:{port}/orders")
    assert type(failed.value) is StoreError
    message = str(failed.value)
    assert message.startswith("the database failed: ")
    assert f'"127.0.0.1", port {port} failed' in message


def end_connections(url: str) -> int:
    """End, from the server's side, every other connection to the PostgreSQL database of
    *url*; how many it ended."""
    engine = sa.create_engine(url)
    with engine.connect() as admin:
        ended: int = admin.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    engine.dispose()
    return ended


def test_a_store_reconnects_after_the_server_ended_its_connections(store_url: str) -> None:
    """On PostgreSQL, a store whose pooled connections the server ended (a restart, an
    idle timeout) connects again on its next call instead of failing."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to end a connection")
    with OrderStore(store_url) as store:
        store.add(shipped("R-1"))
        assert "R-1" in store
        assert end_connections(store_url) >= 1
        assert stored(store, "R-1") == to_dict(shipped("R-1"))


def test_a_lost_connection_is_a_store_error_with_the_drivers_message(store_url: str) -> None:
    """On PostgreSQL, a call whose connection the server ended (on an application's engine
    that does not check its connections first) is `StoreError` quoting the driver's
    message, never the driver's or SQLAlchemy's exception."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to end a connection")
    engine = sa.create_engine(store_url)
    with OrderStore(engine) as store:
        store.add(shipped("R-1"))
        assert end_connections(store_url) >= 1
        with pytest.raises(BuyerProtectionError) as failed:
            store.get("R-1")
        assert type(failed.value) is StoreError
        assert str(failed.value) == (
            "the database failed: terminating connection due to administrator command"
        )
        assert stored(store, "R-1") == to_dict(shipped("R-1"))  # the pool made a new one
    engine.dispose()


def test_a_lock_held_too_long_is_a_store_error(tmp_path: Path) -> None:
    """On SQLite, a write that waited for another writer's lock longer than the engine
    allows is `StoreError` naming the lock, not the driver's `OperationalError`, and
    nothing is written."""
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    with OrderStore(url) as setup:
        setup.add(unshipped("L-1"))
    engine = sa.create_engine(url, connect_args={"timeout": 0.1})
    with OrderStore(engine) as store, impatient(url).connect() as holder:
        holder.exec_driver_sql("BEGIN IMMEDIATE")  # another writer's lock
        with pytest.raises(StoreError, match="database is locked"):
            store.add(shipped("L-2"))
        with pytest.raises(StoreError, match="database is locked"), store.edit("L-1") as order:
            order.ship(PAID + DAY)
        holder.exec_driver_sql("ROLLBACK")
        assert list(store.find()) == ["L-1"]
        assert stored(store, "L-1") == to_dict(unshipped("L-1"))
    engine.dispose()


def test_a_sqlite_store_waits_for_another_writers_lock(tmp_path: Path) -> None:
    """On SQLite, a write that meets another writer's lock waits for it instead of failing."""
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    with OrderStore(url) as store, impatient(url).connect() as holder:
        holder.exec_driver_sql("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, lambda: holder.exec_driver_sql("ROLLBACK"))
        release.start()
        store.add(shipped("W-1"))
        release.join()
        assert "W-1" in store


# -- add and get --------------------------------------------------------------------


@pytest.mark.parametrize("build", [unshipped, shipped, disputed, withdrawn, closed])
def test_get_returns_the_order_that_was_added(
    store: OrderStore, build: Callable[[str], Order]
) -> None:
    """An added order is read back equal to it (its `to_dict` document)."""
    order = build("G-1")
    store.add(order)
    assert to_dict(store.get("G-1")) == to_dict(order)


def test_adding_an_id_already_stored_is_a_duplicate_and_keeps_the_first(
    store: OrderStore,
) -> None:
    """Adding an order whose id is stored is `DuplicateOrder` (an `InvalidInput`) naming
    the id; the order stored first stays as it was."""
    store.add(unshipped("D-1"))
    with pytest.raises(DuplicateOrder, match="'D-1' is already stored") as refused:
        store.add(disputed("D-1"))
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.order_id == "D-1"
    assert stored(store, "D-1") == to_dict(unshipped("D-1"))
    assert len(store) == 1


@pytest.mark.parametrize("value", [None, "D-1", {"order_id": "D-1"}, 42])
def test_adding_something_other_than_an_order_is_refused(store: OrderStore, value: object) -> None:
    """`add` of anything but an `Order` (its document too) is `InvalidInput`; nothing is added."""
    with pytest.raises(InvalidInput, match=r"^order: expected an Order"):
        store.add(value)  # type: ignore[arg-type]
    assert len(store) == 0


def test_a_document_given_to_add_is_refused(store: OrderStore) -> None:
    """`add` of an order's document instead of the order is `InvalidInput`; nothing is added."""
    with pytest.raises(InvalidInput, match=r"^order: expected an Order"):
        store.add(to_dict(shipped("X-1")))  # type: ignore[arg-type]
    assert "X-1" not in store


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda store: store.get("nowhere"), id="get"),
        pytest.param(lambda store: store.edit("nowhere").__enter__(), id="edit"),
        pytest.param(lambda store: store.apply("nowhere", lambda order: None), id="apply"),
    ],
)
def test_a_missing_order_is_not_found(
    store: OrderStore, call: Callable[[OrderStore], object]
) -> None:
    """`get`, `edit` and `apply` of an id not stored are `OrderNotFound`, a `LookupError`,
    naming the id."""
    store.add(shipped("here"))
    with pytest.raises(OrderNotFound, match="'nowhere' is not in the store") as missing:
        call(store)
    assert isinstance(missing.value, LookupError)
    assert missing.value.order_id == "nowhere"


def _conflict(store: OrderStore) -> None:
    with store.edit("here") as mine:
        with store.edit("here") as theirs:
            scan(theirs, 30)
        scan(mine, 31)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda store: store.get("nowhere"), id="OrderNotFound"),
        pytest.param(lambda store: store.add(shipped("here")), id="DuplicateOrder"),
        pytest.param(_conflict, id="Conflict"),
    ],
)
def test_the_stores_errors_survive_pickling_with_their_order_id(
    store: OrderStore, call: Callable[[OrderStore], object]
) -> None:
    """`OrderNotFound`, `DuplicateOrder` and `Conflict` pickle and unpickle (as an error
    raised in a worker process is sent back) with their type, message and `order_id`."""
    store.add(shipped("here"))
    with pytest.raises(BuyerProtectionError) as raised:
        call(store)
    again = pickle.loads(pickle.dumps(raised.value))
    assert type(again) is type(raised.value)
    assert str(again) == str(raised.value)
    assert again.order_id == raised.value.order_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda store, key: store.get(key), id="get"),
        pytest.param(lambda store, key: store.edit(key).__enter__(), id="edit"),
        pytest.param(lambda store, key: store.apply(key, lambda order: None), id="apply"),
        pytest.param(lambda store, key: key in store, id="in"),
    ],
)
@pytest.mark.parametrize("key", [42, None, b"A-1", ("A-1",), ""])
def test_an_order_id_that_is_not_a_non_empty_str_is_refused(
    store: OrderStore, call: Callable[[OrderStore, object], object], key: object
) -> None:
    """An order id that is not a non-empty str is `InvalidInput` naming order_id."""
    store.add(shipped("A-1"))
    with pytest.raises(InvalidInput, match=r"^order_id: expected a"):
        call(store, key)


def test_an_order_id_holding_a_nul_character_is_refused_on_every_database(
    store: OrderStore, tmp_path: Path
) -> None:
    """An id holding NUL, which PostgreSQL cannot store, is `InvalidInput` on both
    databases, when added, looked up or imported (with its line), and nothing is stored."""
    order = unshipped("N\x00-1")
    with pytest.raises(InvalidInput, match=r"^order_id: 'N\\x00-1' holds a NUL character"):
        store.add(order)
    with pytest.raises(InvalidInput, match=r"^orders\[1\]: order_id: .* NUL"):
        store.add_all([unshipped("N-0"), order])
    with pytest.raises(InvalidInput, match=r"^order_id: .* NUL"):
        "N\x00-1" in store  # noqa: B015 - the lookup itself is what is tested
    with pytest.raises(InvalidInput, match=r"^order_id: .* NUL"):
        store.get("N\x00-1")
    lines = tmp_path / "orders.jsonl"
    lines.write_text(dumps(unshipped("N-2"), indent=None) + "\n" + dumps(order, indent=None) + "\n")
    with pytest.raises(InvalidInput, match=r"^line 2: order_id: .* NUL"):
        store.import_jsonl(lines)
    assert len(store) == 0


def test_len_counts_the_stored_orders(store: OrderStore) -> None:
    """``len(store)`` is the number of orders stored."""
    assert len(store) == 0
    store.add(shipped("C-1"))
    store.add_all([shipped("C-2"), disputed("C-3")])
    assert len(store) == 3


def test_in_tells_whether_an_id_is_stored(store: OrderStore) -> None:
    """``order_id in store`` is true for a stored id only (exactly, case and all)."""
    store.add(shipped("Order-1"))
    assert "Order-1" in store
    assert "order-1" not in store
    assert "Order-" not in store


def test_add_all_stores_every_order_and_says_how_many(store: OrderStore) -> None:
    """`add_all` stores each order given (any iterable) and returns how many."""
    orders = [unshipped("B-1"), disputed("B-2"), closed("B-3")]
    assert store.add_all(iter(orders)) == 3
    for order in orders:
        assert stored(store, order.order_id) == to_dict(order)
    assert store.add_all([]) == 0


def test_add_all_of_an_id_given_twice_adds_nothing(store: OrderStore) -> None:
    """`add_all` of a batch holding one id twice is `DuplicateOrder` naming it; no order
    of the batch is added."""
    with pytest.raises(DuplicateOrder, match=r"orders\[2\]: order 'B-1' is given twice"):
        store.add_all([unshipped("B-1"), shipped("B-2"), disputed("B-1")])
    assert len(store) == 0


def test_add_all_of_an_id_already_stored_adds_nothing(
    store: OrderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`add_all` of a batch holding an id already stored, even past the first page of
    ids checked, is `DuplicateOrder` naming it; no order of the batch is added and the
    stored one is unchanged."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    store.add(unshipped("B-7"))
    batch = [shipped(f"B-{n}") for n in range(10)]
    with pytest.raises(DuplicateOrder, match=r"orders\[7\]: order 'B-7' is already stored"):
        store.add_all(batch)
    assert list(store.find()) == ["B-7"]
    assert stored(store, "B-7") == to_dict(unshipped("B-7"))


def test_add_all_of_something_not_an_order_adds_nothing(store: OrderStore) -> None:
    """`add_all` of a batch holding something that is not an `Order` is `InvalidInput`
    naming its position; no order of the batch is added."""
    with pytest.raises(InvalidInput, match=r"orders\[1\]: expected an Order"):
        store.add_all([shipped("B-1"), "B-2", shipped("B-3")])  # type: ignore[list-item]
    assert len(store) == 0


@pytest.mark.parametrize("value", [None, 5, unshipped("B-1")])
def test_add_all_of_something_not_iterable_is_refused(store: OrderStore, value: object) -> None:
    """`add_all` of something that is not an iterable of orders (None, a number, a lone
    order) is `InvalidInput` naming the argument, not a raw TypeError."""
    with pytest.raises(InvalidInput, match=r"^orders: expected an iterable of Order"):
        store.add_all(value)  # type: ignore[arg-type]
    assert len(store) == 0


def test_add_all_of_many_orders_works_on_a_sqlite_of_999_parameters_a_statement(
    tmp_path: Path,
) -> None:
    """`add_all` of more than 999 orders works on a SQLite whose statements take at most
    999 parameters (the limit of SQLite before 3.32, still on some systems)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'orders.db'}")

    @sa.event.listens_for(engine, "connect")
    def older_limit(connection: sqlite3.Connection, _: object) -> None:
        connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    with OrderStore(engine) as store:
        assert store.add_all(unshipped(f"P-{n:04}") for n in range(1001)) == 1001
        assert len(store) == 1001
    engine.dispose()


# -- edit ---------------------------------------------------------------------------


def test_edit_writes_the_changed_order_back(store: OrderStore) -> None:
    """A change made in an `edit` block that ends normally is stored."""
    store.add(unshipped("E-1"))
    with store.edit("E-1") as order:
        order.ship(PAID + DAY)
    assert stored(store, "E-1") == to_dict(shipped("E-1"))


class Boom(Exception):
    """An error of the caller's own, raised inside an edit."""


def test_edit_writes_nothing_when_its_block_raises(store: OrderStore) -> None:
    """An `edit` block that raises writes nothing, and its exception comes out unchanged."""
    store.add(unshipped("E-1"))
    boom = Boom("the caller's own failure")
    with pytest.raises(Boom) as raised, store.edit("E-1") as order:  # noqa: PT012
        order.ship(PAID + DAY)
        raise boom
    assert raised.value is boom
    assert stored(store, "E-1") == to_dict(unshipped("E-1"))


def test_an_edit_that_changes_nothing_never_conflicts(store: OrderStore, other: OrderStore) -> None:
    """An `edit` whose block changes nothing writes nothing and raises no `Conflict`, even
    when another writer changed the order meanwhile (its change stays)."""
    store.add(unshipped("E-1"))
    with store.edit("E-1") as order:
        assert order.allowed()  # only looks
        with other.edit("E-1") as theirs:
            theirs.ship(PAID + DAY)
    assert stored(store, "E-1") == to_dict(shipped("E-1"))


def test_edit_conflicts_when_another_writer_wrote_in_between(
    store: OrderStore, other: OrderStore
) -> None:
    """An `edit` whose order another writer changed after it was read is `Conflict`
    naming the id; nothing of the edit is written and the other change stays."""
    store.add(unshipped("E-1"))
    changed = "'E-1' was changed by another writer"
    with pytest.raises(Conflict, match=changed) as refused, store.edit("E-1") as order:  # noqa: PT012
        other.apply("E-1", lambda theirs: theirs.ship(PAID + DAY))
        order.ship(PAID + 2 * DAY)
    assert refused.value.order_id == "E-1"
    assert not isinstance(refused.value, InvalidInput)
    assert stored(store, "E-1") == to_dict(shipped("E-1"))


def test_an_edit_after_another_writers_edit_is_written(
    store: OrderStore, other: OrderStore
) -> None:
    """An `edit` that reads the order after another writer's change is written: the
    guard refuses only changes made in between."""
    store.add(unshipped("E-1"))
    with other.edit("E-1") as theirs:
        theirs.ship(PAID + DAY)
    with store.edit("E-1") as order:
        scan(order, 30)
    expected = shipped("E-1")
    scan(expected, 30)
    assert stored(other, "E-1") == to_dict(expected)


def test_edit_holds_no_transaction_while_its_block_runs(store: OrderStore, store_url: str) -> None:
    """While an `edit` block runs, the store holds no transaction or lock: a writer that
    will not wait for a lock adds orders and changes the edited one meanwhile."""
    store.add(unshipped("E-1"))
    engine = impatient(store_url)
    with OrderStore(engine) as hasty:
        with pytest.raises(Conflict), store.edit("E-1") as order:  # noqa: PT012
            hasty.add(shipped("E-2"))
            with hasty.edit("E-1") as theirs:
                theirs.ship(PAID + DAY)
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    busy = connection.execute(
                        sa.text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                            " current_database() AND state LIKE 'idle in transaction%'"
                        )
                    ).scalar_one()
                assert busy == 0
            order.ship(PAID + 2 * DAY)
        assert list(hasty.find()) == ["E-1", "E-2"]
        assert stored(hasty, "E-1") == to_dict(shipped("E-1"))
    engine.dispose()


def test_changing_the_order_id_inside_edit_is_refused(store: OrderStore) -> None:
    """An `edit` block that changes the order's id is `InvalidInput` naming both ids;
    nothing is written under either id."""
    store.add(unshipped("E-1"))
    renamed = "'E-1' now has the id 'E-2'"
    with pytest.raises(InvalidInput, match=renamed), store.edit("E-1") as order:  # noqa: PT012
        order.ship(PAID + DAY)
        order.order_id = "E-2"
    assert list(store.find()) == ["E-1"]
    assert stored(store, "E-1") == to_dict(unshipped("E-1"))


# -- apply --------------------------------------------------------------------------


def test_apply_stores_the_change_and_returns_what_fn_returned(store: OrderStore) -> None:
    """`apply` runs fn on the stored order, stores its change and returns fn's result."""
    store.add(shipped("P-1"))

    def dispute(order: Order) -> str:
        assert order.earliest_dispute is not None
        opened = order.open_dispute(order.earliest_dispute, reason="not_received", refund=TOTAL)
        return opened.state.value

    assert store.apply("P-1", dispute) == "awaiting_seller"
    assert stored(store, "P-1") == to_dict(disputed("P-1"))


def test_apply_writes_nothing_when_fn_raises(store: OrderStore) -> None:
    """An exception of fn comes out of `apply` unchanged, fn is not run again and nothing
    is written."""
    store.add(unshipped("P-1"))
    calls: list[Order] = []
    boom = Boom("fn failed")

    def fail(order: Order) -> None:
        calls.append(order)
        order.ship(PAID + DAY)
        raise boom

    with pytest.raises(Boom) as raised:
        store.apply("P-1", fail)
    assert raised.value is boom
    assert len(calls) == 1
    assert stored(store, "P-1") == to_dict(unshipped("P-1"))


class Contested:
    """A fn for `apply` that records a scan, but the first *times* times it runs another
    writer (*other*) records a scan of its own first: a conflict each of those times."""

    def __init__(self, other: OrderStore, times: int) -> None:
        self.other, self.times, self.calls = other, times, 0

    def __call__(self, order: Order) -> int:
        self.calls += 1
        if self.calls <= self.times:
            self.other.apply(order.order_id, lambda theirs: scan(theirs, self.calls))
        scan(order, 100)
        return self.calls


def test_apply_runs_fn_again_after_a_conflict(store: OrderStore, other: OrderStore) -> None:
    """`apply` reads the order again and reruns fn after each `Conflict`; when a run is
    not contested its change is stored on top of the other writer's, and its result is
    returned."""
    store.add(shipped("P-1"))
    fn = Contested(other, times=3)
    assert store.apply("P-1", fn, retries=3) == 4
    expected = shipped("P-1")
    for hours in (1, 2, 3, 100):
        scan(expected, hours)
    assert stored(store, "P-1") == to_dict(expected)


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_apply_raises_the_last_conflict_after_retries_plus_one_runs(
    store: OrderStore, other: OrderStore, retries: int
) -> None:
    """`apply` whose every run is contested runs fn *retries* + 1 times, then raises the
    `Conflict`; only the other writer's changes are stored."""
    store.add(shipped("P-1"))
    fn = Contested(other, times=1000)
    with pytest.raises(Conflict) as refused:
        store.apply("P-1", fn, retries=retries)
    assert refused.value.order_id == "P-1"
    assert fn.calls == retries + 1
    expected = shipped("P-1")
    for hours in range(1, retries + 2):
        scan(expected, hours)
    assert stored(store, "P-1") == to_dict(expected)


def test_apply_retries_three_times_by_default(store: OrderStore, other: OrderStore) -> None:
    """`apply` without *retries* runs a contested fn four times before the `Conflict`."""
    store.add(shipped("P-1"))
    fn = Contested(other, times=1000)
    with pytest.raises(Conflict):
        store.apply("P-1", fn)
    assert fn.calls == 4


@pytest.mark.parametrize("retries", [-1, 1.0, True, "3", None])
def test_apply_refuses_retries_that_are_not_a_count(store: OrderStore, retries: object) -> None:
    """*retries* that is not an int 0 or more is `InvalidInput` naming it; fn is not run."""
    store.add(unshipped("P-1"))
    calls: list[Order] = []
    with pytest.raises(InvalidInput, match=r"^retries: expected an int 0 or more"):
        store.apply("P-1", calls.append, retries=retries)  # type: ignore[arg-type]
    assert calls == []


@pytest.mark.parametrize("fn", [None, "ship", 42])
def test_apply_refuses_a_fn_that_cannot_be_called(store: OrderStore, fn: object) -> None:
    """A *fn* that is not callable is `InvalidInput` naming fn; nothing is written."""
    store.add(unshipped("P-1"))
    with pytest.raises(InvalidInput, match=r"^fn: expected a function"):
        store.apply("P-1", fn)  # type: ignore[arg-type]
    assert stored(store, "P-1") == to_dict(unshipped("P-1"))


# -- due ----------------------------------------------------------------------------


def varied(count: int) -> list[Order]:
    """*count* orders of every kind, paid an hour apart in turns of 4, so that each kind
    shares its deadline with a few others; ids are neither in time nor in id order."""
    builders = [unshipped, shipped, disputed, withdrawn, closed]
    return [
        builders[n % len(builders)](f"V-{(n * 7) % count:03}", PAID + (n % 4) * HOUR)
        for n in range(count)
    ]


def test_due_lists_orders_earliest_first_with_ties_by_id(store: OrderStore) -> None:
    """`due` yields ``(order_id, next_deadline)`` of every order due by *until*, earliest
    first and by id among equal deadlines, each deadline equal to the stored order's."""
    orders = varied(20)
    store.add_all(orders)
    until = PAID + 400 * DAY
    found = list(store.due(until))
    assert found == due_by_hand(orders, until)
    assert len({deadline.at for _, deadline in found}) < len(found)  # ties happened
    for order_id, deadline in found:
        assert deadline == store.get(order_id).next_deadline
        assert deadline.at.utcoffset() == timedelta(0)


def test_due_includes_a_deadline_exactly_at_until(store: OrderStore) -> None:
    """An order whose next deadline is exactly *until* is due; a microsecond before is not."""
    order = shipped("U-1")
    deadline = order.next_deadline
    assert deadline is not None
    store.add(order)
    assert list(store.due(deadline.at)) == [("U-1", deadline)]
    assert list(store.due(deadline.at - MICROSECOND)) == []


def test_due_reads_until_in_any_zone(store: OrderStore) -> None:
    """*until* written in another zone means the same instant."""
    order = shipped("U-1")
    deadline = order.next_deadline
    assert deadline is not None
    store.add(order)
    zone = timezone(timedelta(hours=-7))
    assert list(store.due(deadline.at.astimezone(zone))) == [("U-1", deadline)]
    assert list(store.due((deadline.at - MICROSECOND).astimezone(zone))) == []


def test_due_skips_orders_with_nothing_due(store: OrderStore) -> None:
    """An order with no next deadline (closed) is never due."""
    store.add(closed("Z-1"))
    assert list(store.due(datetime(9900, 1, 1, tzinfo=UTC))) == []


@pytest.mark.parametrize(
    "until", [datetime(2026, 3, 1), "2026-03-01T00:00:00+00:00", None, 1_772_323_200]
)
def test_due_refuses_an_until_that_is_not_an_aware_datetime(
    store: OrderStore, until: object
) -> None:
    """*until* naive or not a datetime is `InvalidInput` naming until, raised by the call
    itself (before anything is iterated)."""
    with pytest.raises(InvalidInput, match=r"^until: "):
        store.due(until)  # type: ignore[arg-type]


def test_due_reads_more_than_a_page(store: OrderStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """`due` over more orders than one query reads yields them all, in order, ties
    spanning pages included."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    orders = varied(23)
    store.add_all(orders)
    until = PAID + 400 * DAY
    assert list(store.due(until)) == due_by_hand(orders, until)


def test_due_holds_no_transaction_between_pages(
    store: OrderStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between two pages of `due`, a writer that will not wait for a lock can change the
    orders; the pages read afterwards see the change."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 2)
    orders = [shipped(f"H-{n}", PAID + n * HOUR) for n in range(6)]
    store.add_all(orders)
    found = store.due(PAID + 400 * DAY)
    assert [next(found)[0], next(found)[0]] == ["H-0", "H-1"]
    engine = impatient(store_url)
    with OrderStore(engine) as hasty, hasty.edit("H-4") as order:
        order.confirm_receipt(PAID + 5 * DAY)
    engine.dispose()
    assert [order_id for order_id, _ in found] == ["H-2", "H-3", "H-5"]


# -- find ---------------------------------------------------------------------------


@pytest.fixture
def kinds(store: OrderStore) -> OrderStore:
    """The store holding two orders of each kind, added out of id order."""
    store.add_all(
        [
            disputed("K-4"),
            unshipped("K-9"),
            shipped("K-2"),
            withdrawn("K-7"),
            closed("K-1"),
            shipped("K-5"),
            disputed("K-3"),
            withdrawn("K-6"),
            unshipped("K-0"),
            closed("K-8"),
        ]
    )
    return store


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (OrderState.AWAITING_SHIPMENT, ["K-0", "K-9"]),
        (OrderState.SHIPPED, ["K-2", "K-5", "K-6", "K-7"]),
        (OrderState.IN_DISPUTE, ["K-3", "K-4"]),
        (OrderState.CLOSED, ["K-1", "K-8"]),
        (OrderState.COMPLETED, []),
    ],
)
def test_find_by_state(kinds: OrderStore, state: OrderState, expected: list[str]) -> None:
    """`find(state=...)` yields the ids of the orders in that state, by id, whether the
    state is given as a member or as its value."""
    assert list(kinds.find(state=state)) == expected
    assert list(kinds.find(state=state.value)) == expected


@pytest.mark.parametrize(
    ("dispute_state", "expected"),
    [
        (DisputeState.AWAITING_SELLER, ["K-3", "K-4"]),
        (DisputeState.CANCELLED, ["K-6", "K-7"]),
        (DisputeState.RESOLVED, []),
    ],
)
def test_find_by_dispute_state_of_the_last_dispute(
    kinds: OrderStore, dispute_state: DisputeState, expected: list[str]
) -> None:
    """`find(dispute_state=...)` yields the orders whose dispute (the open one, or the
    last one even when it is closed) is in that state, as a member or its value."""
    assert list(kinds.find(dispute_state=dispute_state)) == expected
    assert list(kinds.find(dispute_state=dispute_state.value)) == expected


def test_find_by_state_and_dispute_state_together(kinds: OrderStore) -> None:
    """Both filters given yield the orders that meet both."""
    found = kinds.find(state=OrderState.SHIPPED, dispute_state="cancelled")
    assert list(found) == ["K-6", "K-7"]
    found = kinds.find(state="shipped", dispute_state=DisputeState.AWAITING_SELLER)
    assert list(found) == []


def test_find_follows_the_orders_changes(kinds: OrderStore) -> None:
    """An order's state and dispute state are found as they are after its last edit."""
    with kinds.edit("K-3") as order:
        assert order.dispute is not None
        order.dispute.cancel(order.last_event_at + DAY)
    assert list(kinds.find(dispute_state="cancelled")) == ["K-3", "K-6", "K-7"]
    assert list(kinds.find(state="in_dispute")) == ["K-4"]


def test_find_without_filters_yields_every_id_in_code_point_order(store: OrderStore) -> None:
    """`find()` yields every stored id, sorted by code point (capitals before small
    letters, digits as text, accented letters last) on either database."""
    ids = ["b", "B", "a", "é", "Z", "10", "9", "a-1", "a 1", "ä", "日本"]
    store.add_all(shipped(order_id) for order_id in ids)
    assert list(store.find()) == sorted(ids)


def test_find_reads_more_than_a_page(store: OrderStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """`find` over more ids than one query reads yields them all, by id."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    orders = varied(20)
    store.add_all(orders)
    assert list(store.find()) == sorted(order.order_id for order in orders)
    assert list(store.find(state="shipped")) == sorted(
        order.order_id for order in orders if order.state is OrderState.SHIPPED
    )


@pytest.mark.parametrize("page", [3, 1000])
@pytest.mark.parametrize("limit", [0, 1, 3, 4, 6, 10, 100])
def test_find_yields_at_most_limit_ids(
    kinds: OrderStore, monkeypatch: pytest.MonkeyPatch, page: int, limit: int
) -> None:
    """`find(limit=n)` yields the first n ids that match (all of them when fewer), read
    in one page or several."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", page)
    assert list(kinds.find(limit=limit)) == [f"K-{n}" for n in range(10)][:limit]
    assert list(kinds.find(state="shipped", limit=limit)) == ["K-2", "K-5", "K-6", "K-7"][:limit]


@pytest.mark.parametrize(
    ("arguments", "name", "accepted"),
    [
        ({"state": "shipping"}, "state", "awaiting_shipment, shipped, in_dispute"),
        ({"state": DisputeState.RESOLVED}, "state", "completed, closed"),
        ({"state": "SHIPPED"}, "state", "completed, closed"),
        ({"state": 1}, "state", "completed, closed"),
        ({"dispute_state": "open"}, "dispute_state", "awaiting_seller, negotiating"),
        ({"dispute_state": OrderState.SHIPPED}, "dispute_state", "resolved, cancelled"),
        ({"dispute_state": ["resolved"]}, "dispute_state", "resolved, cancelled"),
    ],
)
def test_find_refuses_an_unknown_state_listing_those_accepted(
    store: OrderStore, arguments: dict[str, object], name: str, accepted: str
) -> None:
    """A state or dispute state that is neither a member nor a value of its enum is
    `InvalidInput` naming the argument and listing the values accepted, at the call."""
    with pytest.raises(InvalidInput, match=f"^{name}: expected a ") as refused:
        store.find(**arguments)  # type: ignore[arg-type]
    assert accepted in str(refused.value)


@pytest.mark.parametrize("limit", [-1, 1.0, True, "2"])
def test_find_refuses_a_limit_that_is_not_a_count(store: OrderStore, limit: object) -> None:
    """A *limit* that is not None or an int 0 or more is `InvalidInput` naming limit, at
    the call."""
    with pytest.raises(InvalidInput, match=r"^limit: expected None or an int 0 or more"):
        store.find(limit=limit)  # type: ignore[arg-type]


# -- advance_due --------------------------------------------------------------------


def advanced(order: Order, at: datetime) -> dict[str, Any]:
    """The document of *order* after `Order.advance` to *at* (the order is left as it was)."""
    twin = order.as_of(at)
    return to_dict(twin)


def test_advance_due_applies_every_due_step_and_counts_the_orders_changed(
    store: OrderStore,
) -> None:
    """`advance_due(at)` leaves each stored order as loading it and advancing it to *at*
    by hand would, returns how many changed, and then nothing is due by *at*."""
    orders = varied(20)
    store.add_all(orders)
    at = PAID + 20 * DAY
    expected = {order.order_id: advanced(order, at) for order in orders}
    changed = sum(expected[order.order_id] != to_dict(order) for order in orders)
    assert 0 < changed < len(orders)
    assert store.advance_due(at) == changed
    assert list(store.due(at)) == []
    for order in orders:
        assert stored(store, order.order_id) == expected[order.order_id]


def test_a_second_advance_due_to_the_same_instant_changes_nothing(store: OrderStore) -> None:
    """`advance_due` again to the same instant returns 0 and changes no order."""
    store.add_all(varied(10))
    at = PAID + 20 * DAY
    assert store.advance_due(at) > 0
    before = {order_id: stored(store, order_id) for order_id in store.find()}
    assert store.advance_due(at) == 0
    assert {order_id: stored(store, order_id) for order_id in store.find()} == before


def test_advance_due_over_more_than_a_page(
    store: OrderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`advance_due` applies the steps of more due orders than one query reads."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    orders = [unshipped(f"A-{n:02}", PAID + (n % 3) * HOUR) for n in range(11)]
    store.add_all(orders)
    at = PAID + 30 * DAY
    assert store.advance_due(at) == 11
    assert list(store.find(state="closed")) == [order.order_id for order in orders]
    assert list(store.due(at)) == []


@pytest.mark.parametrize("at", [datetime(2026, 4, 1), "2026-04-01T00:00:00+00:00", None])
def test_advance_due_refuses_an_at_that_is_not_an_aware_datetime(
    store: OrderStore, at: object
) -> None:
    """*at* naive or not a datetime is `InvalidInput` naming at; no order changes."""
    store.add(unshipped("A-1"))
    with pytest.raises(InvalidInput, match=r"^at: "):
        store.advance_due(at)  # type: ignore[arg-type]
    assert stored(store, "A-1") == to_dict(unshipped("A-1"))
