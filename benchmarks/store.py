"""How fast `OrderStore` keeps many orders: SQLite, a file in a temporary folder.

N orders (default 100,000) of mixed states are built through the public API under
five presets (AliExpress, eBay US and UK, PayPal, Amazon US), all brought to one
instant NOW: about a tenth awaiting shipment, a quarter shipped, half in dispute
(the seller to answer, or negotiating, or escalated) and a sixth closed (the seller
agreed, or the seller's time ran out). The stages, in this order:

1. **add**: `add_all` in batches (``--batch``, 1,000 orders a call); orders per second
   (building the orders is not timed) and the size of the database.
2. **due**: ``list(store.due(NOW + 1 day))`` over the N stored orders, ``--repeat``
   times after one warm-up; median and p95 milliseconds, the rows it returned, and the
   database's query plan for the store's statements (the index
   ``buyer_protection_orders_due``).
3. **find**, ``len``, **get**: ``find(state=...)`` and ``find(dispute_state=...)`` in
   full; `get` of ``--sample`` orders picked at random.
4. **export** to a JSON Lines file, **import** it into a fresh, empty store.
5. **advance_due**: at NOW + 1 day, then at NOW + 7 days, then again at NOW + 7 days
   (nothing left due: what a worker's idle call costs); orders changed per second.
6. **edit**: ``--sample`` orders, each given a carrier scan in `edit` (written
   back), then the same with nothing changed (nothing written).

advance_due and edit change the stored orders, so they come last. Each stage checks
that it did the work it claims (the counts agree with the orders as built). Times are
time.perf_counter; the figures move with the machine's load, which is printed.

``--profile`` runs the same stages under cProfile and shows, for each, where the time
goes (the times it prints are inflated by the profiler: read the shares). ``--url``
runs against PostgreSQL instead: the store's tables are made in two schemas of their
own, dropped at the end (the database must exist and let the user create schemas), and
analysed once the orders are in (as autovacuum soon would), so that the plans shown
are those of a table the server knows.
Run::

    python benchmarks/store.py                   # 100,000 orders, SQLite
    python benchmarks/store.py --orders 10000 --profile
    python benchmarks/store.py --url postgresql+psycopg://user@localhost:5432/bench
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    DisputeState,
    Money,
    Order,
    OrderState,
    Reason,
    TrackingEvent,
)
from buyer_protection.store import OrderStore

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NEXT_DAY = NOW + DAY
NEXT_WEEK = NOW + 7 * DAY
SCANNED = NOW + 8 * DAY  # the carrier scan each edit records
PRESETS = (ALIEXPRESS, EBAY_US, EBAY_UK, PAYPAL, AMAZON_US)
TOTAL = Money("25.90", "USD")
COUNTER = Money("10.00", "USD")
GOAL_DUE_MS = 50.0
DUE_INDEX = "buyer_protection_orders_due"


# -- the orders ----------------------------------------------------------------------


def build(i: int) -> Order:
    """Order *i*, of a state drawn at random (seeded by *i*), brought to NOW."""
    rng = random.Random(i)
    policy = PRESETS[i % len(PRESETS)]
    order_id = f"BP{i:08d}"
    roll = rng.random()
    if roll < 0.10:  # awaiting shipment
        order = Order(order_id, TOTAL, NOW - rng.uniform(0, 4) * DAY, policy)
    elif roll < 0.35:  # shipped, protection running
        paid = NOW - rng.uniform(2, 45) * DAY
        order = Order(order_id, TOTAL, paid, policy)
        shipped = paid + rng.uniform(0.5, 2) * DAY
        order.ship(shipped, estimated_delivery=shipped + 10 * DAY)
    else:  # a dispute opened in the last four days; the seller answers some
        opened = NOW - rng.uniform(0, 4) * DAY
        paid = opened - (14 + rng.uniform(0, 5)) * DAY
        order = Order(order_id, TOTAL, paid, policy)
        shipped = paid + DAY
        order.ship(shipped, estimated_delivery=shipped + 7 * DAY)
        if policy is AMAZON_US:  # the buyer must write to the seller first
            order.contact_seller(shipped + 8 * DAY)
        earliest = order.earliest_dispute
        assert earliest is not None
        opened = max(opened, earliest, order.contact_wait_ends or earliest)
        dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
        deadline = dispute.deadline or NOW
        answered = opened + rng.random() * min(NOW - opened, deadline - opened) * 0.99
        if roll >= 0.85:
            dispute.seller_accept(answered)
        elif rng.random() < 0.5:
            dispute.seller_reject(answered, counter_offer=COUNTER)
            if rng.random() < 0.3 and "escalate" in dispute.allowed():
                dispute.escalate(answered + (NOW - answered) * rng.random())
    order.advance(NOW)
    return order


@dataclass
class Built:
    """What the orders as built say the store must answer."""

    states: Counter[str] = field(default_factory=Counter)
    disputes: Counter[str] = field(default_factory=Counter)
    due_next_day: int = 0
    due_next_week: int = 0

    def count(self, order: Order) -> None:
        self.states[order.state.value] += 1
        if order.dispute is not None:
            self.disputes[order.dispute.state.value] += 1
        deadline = order.next_deadline
        if deadline is not None:
            self.due_next_day += deadline.at <= NEXT_DAY
            self.due_next_week += deadline.at <= NEXT_WEEK


def expect(ok: bool, what: str) -> None:
    """Stop the benchmark when a stage did not do the work it claims (kept under -O)."""
    if not ok:
        raise SystemExit(f"benchmark check failed: {what}")


# -- measuring -----------------------------------------------------------------------


class Profiles:
    """One cProfile per stage, switched on around that stage's measured work only."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.profiles: dict[str, cProfile.Profile] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if not self.on:
            yield
            return
        profile = self.profiles.setdefault(name, cProfile.Profile())
        profile.enable()
        try:
            yield
        finally:
            profile.disable()


def timed(profiles: Profiles, name: str, work: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds *work* takes (profiled under *name* when profiling), and what it returned."""
    with profiles.stage(name):
        start = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - start
    return elapsed, result


def spread(seconds: list[float]) -> dict[str, float]:
    """Median and 95th percentile of *seconds*, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"median_ms": statistics.median(ms), "p95_ms": p95, "runs": len(ms)}


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and parameters) sent through *engine* inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def query_plan(engine: sa.Engine, statement: str, parameters: Any) -> list[str]:
    """The database's plan for *statement* (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN)."""
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return [str(row[-1]) for row in rows]


# -- the databases -------------------------------------------------------------------


class Databases:
    """Where the stores live: SQLite files in a temporary folder, or schemas of a
    PostgreSQL database made for the run and dropped after it."""

    def __init__(self, url: str | None, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.schemas: list[str] = []
        self.engines: list[sa.Engine] = []

    def open(self, name: str) -> OrderStore:
        """A new, empty store called *name*."""
        if self.url is None:
            return OrderStore(f"sqlite:///{self.folder / name}.db")
        schema = f"bp_bench_{os.getpid()}_{name}"
        engine = sa.create_engine(
            self.url, pool_pre_ping=True, connect_args={"options": f"-csearch_path={schema}"}
        )
        with engine.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        self.engines.append(engine)
        return OrderStore(engine)

    def size(self, store: OrderStore) -> int:
        """Bytes the store's tables and indexes take (SQLite: the file, WAL written back)."""
        engine = store.engine
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                database = engine.url.database
                assert database is not None
                return sum(
                    os.path.getsize(path)
                    for path in (database, f"{database}-wal")
                    if os.path.exists(path)
                )
            found = connection.exec_driver_sql(
                "SELECT pg_total_relation_size('buyer_protection_orders')"
                " + pg_total_relation_size('buyer_protection_schema')"
            ).scalar()
            return int(found or 0)

    def analyze(self, store: OrderStore) -> None:
        """PostgreSQL: gather the table's statistics now, as autovacuum soon would."""
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE buyer_protection_orders")

    def settings(self, store: OrderStore) -> str:
        """The database and the settings that bound its writes."""
        with store.engine.connect() as connection:
            if store.engine.dialect.name == "sqlite":
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
                names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
                return (
                    f"SQLite {sqlite3.sqlite_version}, journal_mode={mode}, "
                    f"synchronous={names.get(int(sync or 0), sync)}, a file in {self.folder}"
                )
            server = connection.exec_driver_sql("SHOW server_version").scalar()
            sync = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
            return f"PostgreSQL {server}, synchronous_commit={sync}, psycopg {version('psycopg')}"

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas and self.url is not None:
            engine = sa.create_engine(self.url)
            with engine.begin() as connection:
                for schema in self.schemas:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            engine.dispose()


# -- the stages ----------------------------------------------------------------------


def stage_add(store: OrderStore, n: int, batch: int, profiles: Profiles) -> dict[str, Any]:
    """Build N orders a batch at a time and store each batch with one add_all."""
    built = Built()
    building = storing = 0.0
    for start in range(0, n, batch):
        began = time.perf_counter()
        orders = [build(i) for i in range(start, min(n, start + batch))]
        building += time.perf_counter() - began
        for order in orders:
            built.count(order)
        seconds, added = timed(profiles, "add_all", partial(store.add_all, orders))
        expect(added == len(orders), f"add_all returned {added} for {len(orders)}")
        storing += seconds
    expect(len(store) == n, f"the store holds {len(store)} orders, not {n}")
    return {
        "built": built,
        "orders": n,
        "batch": batch,
        "seconds": storing,
        "orders_per_s": n / storing,
        "build_us_per_order": building / n * 1e6,
    }


def stage_due(store: OrderStore, repeat: int, built: Built, profiles: Profiles) -> dict[str, Any]:
    """``due(NOW + 1 day)`` in full, *repeat* times after a warm-up; the query plans."""
    with statements(store.engine) as sent:
        rows = list(store.due(NEXT_DAY))
    expect(len(rows) == built.due_next_day, f"due gave {len(rows)}, {built.due_next_day} due")
    expect(rows == sorted(rows, key=lambda r: (r[1].at, r[0])), "due is not earliest first")
    runs = [timed(profiles, "due", lambda: list(store.due(NEXT_DAY)))[0] for _ in range(repeat)]
    plans = {}
    pages = {"first page": sent[0]}
    if len(sent) > 1:
        pages[f"page {len(sent)} (after the last row of page {len(sent) - 1})"] = sent[-1]
    for label, (statement, parameters) in pages.items():
        plans[label] = {
            "sql": " ".join(statement.split()),
            "plan": query_plan(store.engine, statement, parameters),
        }
    return {
        **spread(runs),
        "rows": len(rows),
        "queries": len(sent),
        "plans": plans,
        "uses_index": all(any(DUE_INDEX in line for line in p["plan"]) for p in plans.values()),
    }


def stage_reads(
    store: OrderStore, n: int, sample: int, built: Built, profiles: Profiles
) -> dict[str, Any]:
    """len, find by state and by dispute state (each in full, 5 times), get of a sample."""
    figures: dict[str, Any] = {}
    seconds = [timed(profiles, "len", lambda: len(store))[0] for _ in range(5)]
    figures["len"] = spread(seconds) | {"rows": n}
    searches: list[tuple[str, dict[str, Any], int]] = [
        ("find(state=SHIPPED)", {"state": OrderState.SHIPPED}, built.states["shipped"]),
        (
            "find(dispute_state='negotiating')",
            {"dispute_state": "negotiating"},
            built.disputes["negotiating"],
        ),
        (
            "find(state=IN_DISPUTE, dispute_state=AWAITING_SELLER)",
            {"state": OrderState.IN_DISPUTE, "dispute_state": DisputeState.AWAITING_SELLER},
            built.disputes["awaiting_seller"],
        ),
        ("find() (every id)", {}, n),
    ]
    for label, criteria, count in searches:
        with statements(store.engine) as sent:
            next(iter(store.find(**criteria)))
        statement, parameters = sent[0]
        plan = query_plan(store.engine, statement, parameters)
        runs = []
        for _ in range(5):
            seconds_taken, ids = timed(profiles, "find", partial(find_all, store, criteria))
            runs.append(seconds_taken)
            expect(len(ids) == count, f"{label} gave {len(ids)} ids, {count} expected")
        figures[label] = spread(runs) | {"rows": count, "plan": plan}
    ids = random.Random(1).sample(range(n), min(sample, n))
    gets = []
    for i in ids:
        seconds_taken, order = timed(profiles, "get", partial(store.get, f"BP{i:08d}"))
        gets.append(seconds_taken)
        expect(order.order_id == f"BP{i:08d}", "get gave another order")
    figures["get"] = per_order(gets)
    return figures


def find_all(store: OrderStore, criteria: dict[str, Any]) -> list[str]:
    """Every id `find` gives for *criteria*."""
    return list(store.find(**criteria))


def per_order(seconds: list[float]) -> dict[str, float]:
    """Median, p95 and mean microseconds of one call each, and calls per second."""
    us = sorted(s * 1e6 for s in seconds)
    return {
        "median_us": statistics.median(us),
        "p95_us": statistics.quantiles(us, n=20, method="inclusive")[18] if len(us) > 1 else us[0],
        "per_s": len(us) / sum(seconds),
        "calls": len(us),
    }


def stage_jsonl(
    store: OrderStore, fresh: OrderStore, n: int, folder: Path, profiles: Profiles
) -> dict[str, Any]:
    """Export every order to a file, then import the file into an empty store."""
    path = folder / "orders.jsonl"
    seconds_out, written = timed(profiles, "export_jsonl", lambda: store.export_jsonl(path))
    expect(written == n, f"export wrote {written} of {n}")
    size = path.stat().st_size
    seconds_in, read = timed(profiles, "import_jsonl", lambda: fresh.import_jsonl(path))
    expect(read == n and len(fresh) == n, f"import read {read} of {n}")
    path.unlink()
    return {
        "export": {"seconds": seconds_out, "orders_per_s": n / seconds_out},
        "import": {"seconds": seconds_in, "orders_per_s": n / seconds_in},
        "file_bytes": size,
    }


def stage_advance(store: OrderStore, built: Built, profiles: Profiles) -> dict[str, Any]:
    """advance_due at NOW + 1 day, at NOW + 7 days, and again with nothing due."""
    figures: dict[str, Any] = {}
    runs = [
        ("advance_due(NOW + 1 day)", NEXT_DAY, built.due_next_day),
        ("advance_due(NOW + 7 days)", NEXT_WEEK, None),
        ("advance_due(NOW + 7 days) again", NEXT_WEEK, 0),
    ]
    for label, at, expected in runs:
        due = sum(1 for _ in store.due(at))
        seconds, changed = timed(profiles, "advance_due", partial(store.advance_due, at))
        expect(changed == due, f"{label} changed {changed} of the {due} due")
        if expected is not None:
            expect(changed == expected, f"{label} changed {changed}, {expected} expected")
        expect(next(iter(store.due(at)), None) is None, f"{label} left orders due")
        figures[label] = {
            "seconds": seconds,
            "changed": changed,
            "orders_per_s": changed / seconds if changed else None,
        }
    return figures


def stage_edit(store: OrderStore, n: int, sample: int, profiles: Profiles) -> dict[str, Any]:
    """edit of a sample of orders: a carrier scan added (one write each), then nothing."""
    ids = [f"BP{i:08d}" for i in random.Random(2).sample(range(n), min(sample, n))]
    scan = TrackingEvent(SCANNED, "in_transit", "", "Hub")

    def scanned(order_id: str) -> None:
        with store.edit(order_id) as order:
            expect(order.add_tracking(scan), "the scan was already there")

    def untouched(order_id: str) -> None:
        with store.edit(order_id) as order:
            order.parcel  # noqa: B018 - read, change nothing

    writes = [timed(profiles, "edit", partial(scanned, k))[0] for k in ids]
    reads = [timed(profiles, "edit", partial(untouched, k))[0] for k in ids]
    expect(store.get(ids[0]).tracking[-1] == scan, "the edit was not written")
    return {"edit (a scan added)": per_order(writes), "edit (nothing changed)": per_order(reads)}


# -- the run -------------------------------------------------------------------------


def environment(settings: str) -> dict[str, str]:
    """Python, the machine, the versions and the database measured."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "sqlalchemy": version("sqlalchemy"),
        "buyer_protection": version("buyer-protection"),
        "database": settings,
    }


def measure(args: argparse.Namespace, profiles: Profiles) -> dict[str, Any]:
    """Every stage, in order, on stores made for the run."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bp-store-bench-") as name:
        folder = Path(name)
        databases = Databases(args.url, folder)
        try:
            store = databases.open("orders")
            env = environment(databases.settings(store))
            add = stage_add(store, args.orders, args.batch, profiles)
            built: Built = add.pop("built")
            add["database_bytes"] = databases.size(store)
            databases.analyze(store)
            due = stage_due(store, args.repeat, built, profiles)
            reads = stage_reads(store, args.orders, args.sample, built, profiles)
            fresh = databases.open("imported")
            jsonl = stage_jsonl(store, fresh, args.orders, folder, profiles)
            advance = stage_advance(store, built, profiles)
            edit = stage_edit(store, args.orders, args.sample, profiles)
            store.close()
            fresh.close()
        finally:
            databases.close()
    env["load_average_1min"] = f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    return {
        "environment": env,
        "profiled": profiles.on,
        "mix": {"states": dict(built.states), "disputes": dict(built.disputes)},
        "add": add,
        "due": due,
        "reads": reads,
        "jsonl": jsonl,
        "advance_due": advance,
        "edit": edit,
        "goal": {
            "due_p95_ms": due["p95_ms"],
            "goal_ms": GOAL_DUE_MS,
            "pass": due["p95_ms"] < GOAL_DUE_MS and due["uses_index"],
        },
    }


def report(f: dict[str, Any]) -> str:
    """The figures as a text table, then the query plans and the goal."""
    env = f["environment"]
    add, due, reads, jsonl = f["add"], f["due"], f["reads"], f["jsonl"]
    n = add["orders"]
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(f["mix"]["states"].items()))
    disputes = ", ".join(f"{k} {v:,}" for k, v in sorted(f["mix"]["disputes"].items()))
    lines = [
        f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs, "
        f"load average (1 min) {env['load_average_1min']}",
        f"SQLAlchemy {env['sqlalchemy']}, buyer-protection {env['buyer_protection']}",
        env["database"],
        f"{n:,} orders: {mix}; their (last) disputes: {disputes}",
        *(["(profiled: times are inflated by cProfile; read the shares below)"] * f["profiled"]),
        "",
        f"{'stage':<56} {'rows':>9}  figure",
        f"{'add_all, ' + format(add['batch'], ',') + ' orders a call':<56} {n:>9,}  "
        f"{add['orders_per_s']:,.0f} orders/s ({add['seconds']:.1f} s; building them "
        f"{add['build_us_per_order']:.0f} us/order, not counted)",
        f"{'  database size':<56} {'':>9}  {add['database_bytes'] / 2**20:,.1f} MiB "
        f"({add['database_bytes'] / n:,.0f} bytes/order)",
        f"{'due(NOW + 1 day), ' + str(due['runs']) + ' runs':<56} {due['rows']:>9,}  "
        f"median {due['median_ms']:.1f} ms, p95 {due['p95_ms']:.1f} ms "
        f"({due['queries']} queries)",
    ]
    for label, r in reads.items():
        if label == "get":
            continue
        lines.append(
            f"{label:<56} {r['rows']:>9,}  median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms"
        )
    for label, r in [("get", reads["get"]), *f["edit"].items()]:
        lines.append(
            f"{label + ', ' + format(r['calls'], ',') + ' orders at random':<56} {'':>9}  "
            f"median {r['median_us']:,.0f} us, p95 {r['p95_us']:,.0f} us "
            f"({r['per_s']:,.0f}/s)"
        )
    for label in ("export", "import"):
        r = jsonl[label]
        lines.append(
            f"{label + '_jsonl':<56} {n:>9,}  {r['orders_per_s']:,.0f} orders/s "
            f"({r['seconds']:.1f} s; file {jsonl['file_bytes'] / 2**20:,.1f} MiB)"
        )
    for label, r in f["advance_due"].items():
        rate = "nothing due" if r["orders_per_s"] is None else f"{r['orders_per_s']:,.0f} orders/s"
        lines.append(
            f"{label:<56} {r['changed']:>9,}  {rate} ({r['seconds'] * 1000:,.0f} ms, "
            f"changed {r['changed']:,})"
        )
    lines.append("")
    lines.append("due's statements and the database's plans for them:")
    for label, p in due["plans"].items():
        lines.append(f"  {label}: {p['sql']}")
        lines.extend(f"    {line}" for line in p["plan"])
    lines.append("find's first page, the database's plans:")
    for label, r in reads.items():
        if "plan" in r:
            steps = [line.strip() for line in r["plan"] if "Scan" in line or "SCAN" in line]
            lines.append(f"  {label}: " + "; ".join(steps or r["plan"]))
    goal = f["goal"]
    lines += [
        "",
        f"{'PASS' if goal['pass'] else 'FAIL'}  due(NOW + 1 day) over {n:,} orders: p95 "
        f"{goal['due_p95_ms']:.1f} ms (goal < {goal['goal_ms']:g} ms), "
        f"{'through' if due['uses_index'] else 'NOT through'} the index {DUE_INDEX}",
    ]
    return "\n".join(lines)


# -- profiling (--profile) -----------------------------------------------------------

# What a stage's time is spent on, by cumulative time (they nest: from_dict's share
# includes Order.replay's): a label, the end of the file the functions live in ("~" for
# C functions), and their names.
_COSTS = (
    ("from_dict (cattrs, replay, check)", "storage.py", ("from_dict",)),
    ("  Order.replay", "order.py", ("replay",)),
    ("to_dict", "storage.py", ("to_dict",)),
    ("json.loads", f"json{os.sep}__init__.py", ("loads",)),
    ("json.dumps", f"json{os.sep}__init__.py", ("dumps",)),
    ("Order.advance", "clock.py", ("advance",)),
    ("sqlite3 commit (fsync)", "~", ("<method 'commit' of 'sqlite3.Connection' objects>",)),
    (
        "sqlite3 execute",
        "~",
        (
            "<method 'execute' of 'sqlite3.Cursor' objects>",
            "<method 'executemany' of 'sqlite3.Cursor' objects>",
        ),
    ),
    ("psycopg execute", f"psycopg{os.sep}cursor.py", ("execute", "executemany")),
    ("psycopg commit", f"psycopg{os.sep}connection.py", ("commit",)),
)
_OWN = (
    ("buyer_protection", f"{os.sep}buyer_protection{os.sep}"),
    ("sqlalchemy", f"{os.sep}sqlalchemy{os.sep}"),
    ("cattrs", f"{os.sep}cattrs{os.sep}"),
    ("cattrs/attrs generated", "<cattrs generated"),
    ("json", f"{os.sep}json{os.sep}"),
    ("psycopg", f"{os.sep}psycopg"),
)


def _own_group(filename: str, name: str) -> str:
    if "sqlite3." in name:
        return "sqlite3 (the C library)"
    if filename.startswith("<attrs generated"):
        return "cattrs/attrs generated"
    return next((g for g, mark in _OWN if mark in filename), "other (builtins, stdlib)")


def profile_report(profiles: Profiles, top: int) -> str:
    """Per stage: its profiled time, the shares of the costs above, own time by package."""
    lines = []
    for stage, profile in profiles.profiles.items():
        raw: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        total = sum(tottime for (_, _, tottime, _, _) in raw.values())
        if total == 0:
            continue
        lines.append(f"{stage}: {total:.2f} s profiled")
        for label, where, names in _COSTS:
            cumulative = sum(
                v[3] for (file, _, name), v in raw.items() if file.endswith(where) and name in names
            )
            if cumulative / total >= 0.01:
                lines.append(f"  {label:<36} {cumulative / total:6.1%} (cumulative)")
        own: Counter[str] = Counter()
        for (file, _, name), (_, _, tottime, _, _) in raw.items():
            own[_own_group(file, name)] += tottime
        shares = ", ".join(
            f"{group} {seconds / total:.0%}"
            for group, seconds in own.most_common()
            if seconds / total >= 0.01
        )
        lines.append(f"  own time: {shares}")
        heaviest = sorted(raw.items(), key=lambda item: -item[1][2])[:top]
        lines.append(f"  top {top} by own time:")
        for (file, line, name), (_, calls, tottime, _, _) in heaviest:
            where = f"{Path(file).name}:{line}({name})" if line else name
            lines.append(f"    {tottime / total:6.1%} {calls:>9,} calls  {where[:90]}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, measure, print; exit status 1 when the due goal is missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders stored")
    parser.add_argument("--batch", type=int, default=1_000, help="orders per add_all call")
    parser.add_argument("--repeat", type=int, default=30, help="runs of due (after a warm-up)")
    parser.add_argument("--sample", type=int, default=1_000, help="orders for get and edit")
    parser.add_argument(
        "--url", default=None, help="a PostgreSQL URL (postgresql+psycopg://...) instead of SQLite"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="profile each stage (cProfile)")
    parser.add_argument("--top", type=int, default=8, help="functions per --profile stage")
    args = parser.parse_args(argv)
    if min(args.orders, args.batch, args.repeat, args.sample) < 1:
        parser.error("--orders, --batch, --repeat and --sample must be at least 1")
    if args.url is not None and not args.url.startswith("postgresql"):
        parser.error("--url must be a PostgreSQL URL (SQLite is the default)")
    profiles = Profiles(args.profile)
    figures = measure(args, profiles)
    print(json.dumps(figures, indent=2, default=str) if args.json else report(figures))
    if args.profile:
        print()
        print(profile_report(profiles, args.top))
    return 0 if figures["goal"]["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
