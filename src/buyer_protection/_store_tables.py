"""The order store's tables, and the engine and schema checks behind `OrderStore`.

Two tables: ``buyer_protection_orders`` (a row per order: its JSON document, the
version that guards concurrent writes, and indexed columns worked out from the
order) and ``buyer_protection_schema`` (the tables' schema version).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ._text import shown
from .errors import InvalidInput, MissingDependency
from .order import Order

try:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.pool import StaticPool
except ImportError:  # pragma: no cover - depends on the environment
    raise MissingDependency(
        "buyer_protection.store needs SQLAlchemy: pip install 'buyer-protection[store]'"
    ) from None

STORE_SCHEMA = 1
"""The version of the store's tables this library writes and reads."""

LOCK_WAIT = 30.0
"""Seconds a SQLite store waits for another writer's lock before giving up."""

DIALECTS = ("sqlite", "postgresql")

# Order ids sort by code point on both databases (PostgreSQL's "C" collation is
# SQLite's default), so "ties by order id" mean the same everywhere.
_ID = sa.String().with_variant(sa.String(collation="C"), "postgresql")

metadata = sa.MetaData()
orders = sa.Table(
    "buyer_protection_orders",
    metadata,
    sa.Column("order_id", _ID, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String, nullable=False),
    sa.Column("dispute_state", sa.String),
    sa.Column("due_at", sa.BigInteger),  # microseconds since 1970-01-01T00:00Z
    sa.Column("due_action", sa.String),
    sa.Column("due_meaning", sa.String),
    sa.Column("due_subject", sa.String),
    sa.Column("schema", sa.Integer, nullable=False),  # the document's schema_version
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("buyer_protection_orders_due", "due_at", "order_id"),
    sa.Index("buyer_protection_orders_state", "state", "order_id"),
    sa.Index("buyer_protection_orders_dispute_state", "dispute_state", "order_id"),
)
schema_table = sa.Table(
    "buyer_protection_schema",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def instant(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def row(order: Order, document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored row of *order*, whose `to_dict` is *document*."""
    deadline = order.next_deadline
    dispute = order.dispute
    return {
        "state": order.state.value,
        "dispute_state": None if dispute is None else dispute.state.value,
        "due_at": None if deadline is None else micros(deadline.at),
        "due_action": None if deadline is None else deadline.action,
        "due_meaning": None if deadline is None else deadline.meaning,
        "due_subject": None if deadline is None else deadline.subject,
        "schema": document["schema_version"],
        "document": json.dumps(document, separators=(",", ":")),
    }


def first_line(err: BaseException | None) -> str:
    words = str(err).strip()
    return words.splitlines()[0] if words else type(err).__name__


def engine_for(url: str | sa.URL) -> sa.Engine:
    """An engine for *url*: a SQLite store waits for locks, one in memory lasts."""
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        raise InvalidInput(
            f"url_or_engine: {shown(str(url))} is not a database URL; expected e.g. "
            "'sqlite:///orders.db' or 'postgresql+psycopg://user@host:5432/db'"
        ) from None
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": LOCK_WAIT, "check_same_thread": False}
        if parsed.database in (None, "", ":memory:"):
            options["poolclass"] = StaticPool
    elif parsed.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True  # a connection the server dropped is replaced
    try:
        return sa.create_engine(parsed, **options)
    except (ImportError, sa_exc.NoSuchModuleError) as err:
        if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
            raise MissingDependency(
                f"{parsed.drivername} needs psycopg 3 ({err}): "
                "pip install 'buyer-protection[postgres]'"
            ) from None
        if parsed.get_backend_name() == "postgresql":
            raise MissingDependency(
                f"{parsed.drivername} needs its driver, which is not installed ({err}); "
                "the store is made for psycopg 3: use 'postgresql+psycopg://...' and "
                "pip install 'buyer-protection[postgres]'"
            ) from None
        raise InvalidInput(
            f"url_or_engine: no driver for {shown(parsed.drivername)}; expected "
            "'sqlite:///...' or 'postgresql+psycopg://...'"
        ) from None


def prepare(engine: sa.Engine, *, wal: bool) -> None:
    """Create the store's tables when missing; refuse a store of a newer schema."""
    if wal:  # readers never wait for the writer, and the writer not for readers
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    found = schema_version(engine)
    if found > STORE_SCHEMA:
        raise InvalidInput(
            f"the store's tables are of schema version {found}; this library reads up to "
            f"{STORE_SCHEMA}: upgrade buyer-protection"
        )


def schema_version(engine: sa.Engine) -> int:
    """The store's schema version, its tables created (at this one) when missing."""
    query = sa.select(schema_table.c.version).where(schema_table.c.name == "store")
    for attempt in range(3):
        try:
            with engine.begin() as connection:
                metadata.create_all(connection, checkfirst=True)
                found = connection.execute(query).scalar()
                if found is None:
                    connection.execute(
                        schema_table.insert().values(name="store", version=STORE_SCHEMA)
                    )
                    return STORE_SCHEMA
                return int(found)
        except sa_exc.DBAPIError:  # another process created them at the same moment
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = [
    "DIALECTS",
    "LOCK_WAIT",
    "STORE_SCHEMA",
    "engine_for",
    "first_line",
    "instant",
    "metadata",
    "micros",
    "orders",
    "prepare",
    "row",
    "sa",
    "sa_exc",
    "schema_table",
]
