"""Many orders in a database: SQLite embedded, PostgreSQL in production.

`OrderStore` keeps each order as its JSON document (`to_dict`) beside a few indexed
columns worked out from it: the state, the dispute's state and the next deadline.
Those columns answer "which orders have a step due by then?" (`OrderStore.due`) and
"which orders are in dispute?" (`OrderStore.find`) without loading any order. Every
write is one short transaction; none is held while the caller's code runs. Each
stored order has a version, and a write whose order was changed by another writer
since it was read is refused with `Conflict` (optimistic concurrency).

Built on SQLAlchemy Core (the optional extra ``store``), one code path for SQLite and
PostgreSQL through psycopg 3 (the extra ``postgres``). The store's two tables,
``buyer_protection_orders`` and ``buyer_protection_schema``, can live beside an
application's own: the store touches nothing else.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from ._lines import parsed, path_of, reading, replacing
from ._store_tables import (
    DIALECTS,
    LOCK_WAIT,
    STORE_SCHEMA,
    engine_for,
    first_line,
    instant,
    micros,
    orders,
    prepare,
    row,
    sa,
    sa_exc,
)
from ._text import NAME_LIMIT, kind, shown, text
from ._time import utc
from .clock import Deadline
from .errors import (
    BuyerProtectionError,
    Conflict,
    DuplicateOrder,
    InvalidInput,
    OrderNotFound,
    StoreError,
)
from .lifecycle import DisputeState, OrderState
from .order import Order
from .storage import SCHEMA_VERSION, from_dict, to_dict

T = TypeVar("T")

PAGE = 1000
"""How many rows one query of `OrderStore.due`, `find` or `export_jsonl` reads."""

_IDS_A_QUERY = 500  # a parameter each: SQLite before 3.32 takes at most 999 a statement


def _order_id(value: object, where: str = "") -> str:
    """*value* if it can be an order id in the store, else `InvalidInput`."""
    key = text(value, f"{where}order_id", limit=NAME_LIMIT, empty=False)
    if "\x00" in key:
        raise InvalidInput(
            f"{where}order_id: {shown(key)} holds a NUL character (at position "
            f"{key.index(chr(0))}), which PostgreSQL cannot store; the store refuses it on "
            "every database"
        )
    return key


def _member(value: object, enum: type[Enum], name: str) -> str | None:
    """The stored value of an `OrderState` or `DisputeState` given as a member or value."""
    if value is None or isinstance(value, enum):
        return None if value is None else str(value.value)
    for member in enum:
        if value == member.value and isinstance(value, str):
            return value
    accepted = ", ".join(str(member.value) for member in enum)
    raise InvalidInput(
        f"{name}: expected a member of {enum.__name__} or one of {accepted}; got {kind(value)}"
    )


class OrderStore:
    """Orders kept in a SQLite or PostgreSQL database.

    *url_or_engine* is a database URL (``"sqlite:///orders.db"``, ``"sqlite://"`` for a
    database in memory that lasts as long as the store,
    ``"postgresql+psycopg://user@host:5432/db"``) or an `sqlalchemy.Engine` the
    application already has (the store then leaves the engine's settings and its
    disposal to the application, WAL mode or not). The store's tables are created
    when missing.

    ``store.engine`` is the engine the store uses. A store is a context manager:
    ``with OrderStore(url) as store:`` closes it when the block ends.
    """

    def __init__(self, url_or_engine: str | sa.Engine) -> None:
        if isinstance(url_or_engine, sa.Engine):
            engine, self._owned = url_or_engine, False
        elif isinstance(url_or_engine, str | sa.URL):
            engine, self._owned = engine_for(url_or_engine), True
        else:
            raise InvalidInput(
                "url_or_engine: expected a database URL (str) or an SQLAlchemy Engine, "
                f"got {kind(url_or_engine)}"
            )
        if engine.dialect.name not in DIALECTS:
            raise InvalidInput(
                f"url_or_engine: the {engine.dialect.name} database is not supported; "
                "expected SQLite or PostgreSQL"
            )
        self.engine = engine
        self._closed = False
        memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
        # One connection serves a store in memory: its users take turns.
        self._turns: AbstractContextManager[object] = threading.RLock() if memory else nullcontext()
        try:
            with self._database():
                prepare(engine, wal=self._owned and engine.dialect.name == "sqlite" and not memory)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"OrderStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Close the database connections the store opened (not those of an engine it
        was given); every later call of the store is `StoreError`."""
        self._closed = True
        if self._owned:
            self.engine.dispose()

    def __enter__(self) -> OrderStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        """The stored order *order_id*; `OrderNotFound` when there is none."""
        return self._checkout(_order_id(order_id))[0]

    def __len__(self) -> int:
        """How many orders are stored."""
        with self._database() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one()
            )

    def __contains__(self, order_id: object) -> bool:
        """Whether an order with the id *order_id* is stored."""
        key = _order_id(order_id)
        query = sa.select(orders.c.order_id).where(orders.c.order_id == key)
        with self._database() as connection:
            return connection.execute(query).first() is not None

    def find(
        self,
        *,
        state: OrderState | str | None = None,
        dispute_state: DisputeState | str | None = None,
        limit: int | None = None,
    ) -> Iterator[str]:
        """The ids of the orders in *state* whose dispute (the open or last one) is in
        *dispute_state*, by id; every id when neither is given. States are members
        or their values; *limit* is the most ids yielded."""
        wanted = _member(state, OrderState, "state")
        disputed = _member(dispute_state, DisputeState, "dispute_state")
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidInput(f"limit: expected None or an int 0 or more, got {kind(limit)}")
        query = sa.select(orders.c.order_id)
        if wanted is not None:
            query = query.where(orders.c.state == wanted)
        if disputed is not None:
            query = query.where(orders.c.dispute_state == disputed)
        return self._ids(query, limit)

    def _ids(self, query: sa.Select[Any], limit: int | None) -> Iterator[str]:
        """The ids *query* selects, by id, at most *limit*."""
        for rows in self._pages(query, (orders.c.order_id,), limit):
            yield from (found.order_id for found in rows)

    def _pages(
        self, query: sa.Select[Any], keys: tuple[sa.Column[Any], ...], limit: int | None = None
    ) -> Iterator[Sequence[Any]]:
        """The rows *query* selects in the order of *keys* (which it selects, and which
        tell rows apart), at most *limit*, a page of `PAGE` rows at a time; each page is
        read on its own, so no transaction is held between pages."""
        ordered = query.order_by(*keys)
        after: tuple[Any, ...] | None = None
        left = limit
        while left is None or left > 0:
            page = ordered.limit(PAGE if left is None else min(PAGE, left))
            if after is not None:
                page = page.where(
                    keys[0] > after[0] if len(keys) == 1 else sa.tuple_(*keys) > after
                )
            with self._database() as connection:
                rows = connection.execute(page).all()
            yield rows
            if len(rows) < PAGE:
                return
            after = tuple(rows[-1]._mapping[key] for key in keys)
            if left is not None:
                left -= len(rows)

    def due(self, until: datetime) -> Iterator[tuple[str, Deadline]]:
        """``(order_id, next_deadline)`` of every order whose next automatic step falls
        at or before *until*, earliest first (ties by id), read from an index."""
        limit = micros(utc(until, "until"))
        return self._due(limit)

    def _due(self, limit: int) -> Iterator[tuple[str, Deadline]]:
        c = orders.c
        query = sa.select(c.order_id, c.due_at, c.due_action, c.due_meaning, c.due_subject).where(
            c.due_at <= limit
        )
        for rows in self._pages(query, (c.due_at, c.order_id)):
            for order_id, at, action, meaning, subject in rows:
                yield order_id, Deadline(instant(at), action, meaning, subject)

    # -- writing ---------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Store *order*; `DuplicateOrder` (keeping the stored one) if its id is taken."""
        if not isinstance(order, Order):
            raise InvalidInput(f"order: expected an Order, got {kind(order)}")
        with self._database() as connection, connection.begin():
            self._insert(connection, [self._new_row(order)], lambda _: "")

    def add_all(self, orders: Iterable[Order]) -> int:
        """Store every order of *orders* in one transaction, all or none; returns how
        many. `DuplicateOrder` names the first id already stored or given twice."""
        if isinstance(orders, str | bytes) or not isinstance(orders, Iterable):
            raise InvalidInput(f"orders: expected an iterable of Order, got {kind(orders)}")
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for position, order in enumerate(orders):
            if not isinstance(order, Order):
                raise InvalidInput(f"orders[{position}]: expected an Order, got {kind(order)}")
            if order.order_id in seen:
                raise DuplicateOrder(
                    f"orders[{position}]: order {shown(order.order_id)} is given twice",
                    order_id=order.order_id,
                )
            seen.add(order.order_id)
            rows.append(self._new_row(order, f"orders[{position}]: "))
        with self._database() as connection, connection.begin():
            self._insert(connection, rows, lambda index: f"orders[{index}]: ")
        return len(rows)

    @staticmethod
    def _new_row(order: Order, where: str = "") -> dict[str, Any]:
        """The row of a new order; *where* names it in an error."""
        key = _order_id(order.order_id, where)
        return {"order_id": key, "version": 1, **row(order, to_dict(order))}

    def _insert(
        self, connection: sa.Connection, rows: list[dict[str, Any]], where: Callable[[int], str]
    ) -> None:
        """Insert *rows*; `DuplicateOrder` for an id already stored, named by *where*."""
        if not rows:
            return
        ids = [row["order_id"] for row in rows]
        self._refuse_stored(connection, ids, where)
        try:
            connection.execute(orders.insert(), rows)
        except sa_exc.IntegrityError:  # added by another writer since the check
            # This transaction failed (on PostgreSQL it takes no more statements):
            # look again on a connection of its own, which sees that writer's order.
            with self.engine.connect() as fresh:
                self._refuse_stored(fresh, ids, where)
            raise DuplicateOrder(
                "an order of these is already stored (added by another writer just now)",
                order_id=ids[0],
            ) from None

    @staticmethod
    def _refuse_stored(
        connection: sa.Connection, ids: list[str], where: Callable[[int], str]
    ) -> None:
        """`DuplicateOrder` for the first of *ids* already stored, named by *where*."""
        step = min(PAGE, _IDS_A_QUERY)
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            found = connection.execute(
                sa.select(orders.c.order_id).where(orders.c.order_id.in_(chunk))
            ).scalars()
            taken = set(found)
            if taken:
                index = next(i for i, key in enumerate(ids) if key in taken)
                raise DuplicateOrder(
                    f"{where(index)}order {shown(ids[index])} is already stored",
                    order_id=ids[index],
                )

    @contextmanager
    def edit(self, order_id: str) -> Iterator[Order]:
        """``with store.edit(order_id) as order:`` act on the stored order; it is
        written back when the block ends without an exception and the order changed.

        No transaction or lock is held while the block runs. `Conflict` when another
        writer changed the order in between (nothing is written); `OrderNotFound`
        when there is no such order.
        """
        key = _order_id(order_id)
        order, version = self._checkout(key)
        before = to_dict(order)
        yield order
        self._checkin(key, version, before, order)

    def apply(self, order_id: str, fn: Callable[[Order], T], *, retries: int = 3) -> T:
        """``fn(order)`` on the stored order in `edit`, read and run again on
        `Conflict`, at most *retries* + 1 times (then the last `Conflict` is raised);
        returns what *fn* returned."""
        return self._apply(_order_id(order_id), fn, retries)[0]

    def _apply(self, key: str, fn: Callable[[Order], T], retries: int) -> tuple[T, bool]:
        """What *fn* returned, and whether the order changed."""
        if type(retries) is not int or retries < 0:
            raise InvalidInput(f"retries: expected an int 0 or more, got {kind(retries)}")
        if not callable(fn):
            raise InvalidInput(f"fn: expected a function of the order, got {kind(fn)}")
        attempt = 0
        while True:
            order, version = self._checkout(key)
            before = to_dict(order)
            result = fn(order)
            try:
                return result, self._checkin(key, version, before, order)
            except Conflict:
                if attempt == retries:
                    raise
                attempt += 1

    def advance_due(self, at: datetime) -> int:
        """Apply every automatic step due by *at* (`Order.advance`), each order in its
        own transaction with the same guard as `edit`; returns how many orders changed.

        An order another writer keeps changing (still in `Conflict` after 3 retries)
        is left for the next call.
        """
        instant = utc(at, "at")
        changed = 0
        for order_id, _ in self._due(micros(instant)):
            try:
                changed += self._apply(order_id, lambda order: order.advance(instant), 3)[1]
            except (Conflict, OrderNotFound):
                continue
        return changed

    # -- JSON Lines ------------------------------------------------------------

    def import_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Add the orders of a JSON Lines file (one `to_dict` document a line, blank
        lines skipped), all or none; returns how many. A bad line is `InvalidInput`
        starting ``line N:``."""
        lines: dict[str, int] = {}
        rows: list[dict[str, Any]] = []
        with reading(path) as file, self._database() as connection, connection.begin():
            for number, line in enumerate(file, 1):
                if not line.strip():
                    continue
                order = parsed(line, number)
                first = lines.setdefault(order.order_id, number)
                if first != number:
                    raise DuplicateOrder(
                        f"line {number}: order {shown(order.order_id)} is also on line {first}",
                        order_id=order.order_id,
                    )
                rows.append(self._new_row(order, f"line {number}: "))
                if len(rows) == PAGE:
                    self._insert(connection, rows, _line_of(rows, lines))
                    rows = []
            self._insert(connection, rows, _line_of(rows, lines))
        return len(lines)

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every stored order to a JSON Lines file, one `to_dict` document a
        line, by id; returns how many. The file is replaced only once all is written."""
        target = path_of(path)
        count = 0
        query = sa.select(orders.c.order_id, orders.c.schema, orders.c.document)
        try:
            with replacing(target) as partial, open(partial, "x", encoding="utf-8") as file:
                for rows in self._pages(query, (orders.c.order_id,)):
                    for order_id, schema, document in rows:
                        if schema != SCHEMA_VERSION:  # written by an earlier library
                            document = json.dumps(to_dict(self._load(order_id, document)))
                        file.write(document)
                        file.write("\n")
                    count += len(rows)
        except OSError as err:
            raise InvalidInput(f"path: cannot write {shown(target)}: {err.strerror}") from None
        return count

    def _documents(self) -> Iterator[str]:
        """Every stored order's document (JSON text), by id, a page at a time."""
        query = sa.select(orders.c.order_id, orders.c.document)
        for rows in self._pages(query, (orders.c.order_id,)):
            for _, document in rows:
                yield document

    # -- the rows --------------------------------------------------------------

    def _checkout(self, key: str) -> tuple[Order, int]:
        """The stored order *key* and its version."""
        query = sa.select(orders.c.version, orders.c.document).where(orders.c.order_id == key)
        with self._database() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise OrderNotFound(f"order {shown(key)} is not in the store", order_id=key)
        return self._load(key, row.document), row.version

    @staticmethod
    def _load(key: str, document: str) -> Order:
        try:
            return from_dict(json.loads(document))
        except (InvalidInput, ValueError) as err:
            raise StoreError(f"the stored order {shown(key)} cannot be read: {err}") from None

    def _checkin(self, key: str, version: int, before: dict[str, Any], order: Order) -> bool:
        """Write *order* back if it changed since it was read at *version*; whether
        it was written. `Conflict` when another writer wrote it in between."""
        if order.order_id != key:
            raise InvalidInput(
                f"order_id: the order read as {shown(key)} now has the id "
                f"{shown(order.order_id)}; an order's id cannot change"
            )
        document = to_dict(order)
        if document == before:
            return False
        update = (
            orders.update()
            .where(orders.c.order_id == key, orders.c.version == version)
            .values(version=version + 1, **row(order, document))
        )
        with self._database() as connection, connection.begin():
            written = connection.execute(update).rowcount
        if written != 1:
            raise Conflict(
                f"order {shown(key)} was changed by another writer after it was read "
                f"(version {version}); read it again and redo the change",
                order_id=key,
            )
        return True

    @contextmanager
    def _database(self) -> Iterator[sa.Connection]:
        """A connection, with every database failure as `StoreError`."""
        if self._closed:
            raise StoreError("the store is closed; open a new OrderStore to use the database")
        with self._turns:
            try:
                with self.engine.connect() as connection:
                    yield connection
            except BuyerProtectionError:
                raise
            except sa_exc.DBAPIError as err:
                raise StoreError(f"the database failed: {first_line(err.orig)}") from err
            except sa_exc.SQLAlchemyError as err:
                raise StoreError(f"the database failed: {first_line(err)}") from err


def _line_of(rows: list[dict[str, Any]], lines: Mapping[str, int]) -> Callable[[int], str]:
    return lambda index: f"line {lines[rows[index]['order_id']]}: "


__all__ = ["LOCK_WAIT", "PAGE", "STORE_SCHEMA", "OrderStore"]
