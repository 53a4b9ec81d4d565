"""A worker process for tests/test_store_concurrency.py: it uses an `OrderStore` the
way another program would, and tells the test what it did on its stdout.

    python store_worker.py scans URL ORDER_ID WORKER COUNT
        Open the store, print ``ready``, wait for a line on stdin (the start signal),
        then add COUNT carrier scans to ORDER_ID through `OrderStore.apply`, each with
        the description ``WORKER-<n>``; print one JSON line: how many scans, how
        many times the change ran (every run beyond one per scan is a retry after a
        `Conflict`) and the seconds taken.

    python store_worker.py add URL PREFIX
        Add orders until killed, alternating one `add` with an `add_all` of three;
        print each id (``PREFIX-<n>``) once the call that stored it returned.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial

from buyer_protection import Money, Order, TrackingEvent
from buyer_protection.store import OrderStore

PAID_AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def scan_after(order: Order, description: str) -> None:
    """Add an in-transit scan one second after the order's latest event or scan."""
    latest = max([order.last_event_at, *(event.at for event in order.tracking)])
    event = TrackingEvent(latest + timedelta(seconds=1), "in_transit", description)
    if not order.add_tracking(event):
        raise AssertionError(f"the scan {description!r} was already known")


def scans(url: str, order_id: str, worker: str, count: int) -> None:
    runs = 0

    def change(order: Order, description: str) -> None:
        nonlocal runs
        runs += 1
        scan_after(order, description)

    with OrderStore(url) as store:
        store.get(order_id)  # connected, and the order is there
        print("ready", flush=True)
        sys.stdin.readline()
        start = time.monotonic()
        for n in range(count):
            change_n = partial(change, description=f"{worker}-{n}")
            store.apply(order_id, change_n, retries=1000)
        seconds = time.monotonic() - start
    print(json.dumps({"scans": count, "runs": runs, "seconds": seconds}), flush=True)


def order(order_id: str) -> Order:
    made = Order(order_id, Money("19.99", "EUR"), PAID_AT)
    made.ship(PAID_AT + timedelta(days=1))
    return made


def add(url: str, prefix: str) -> None:
    n = 0
    with OrderStore(url) as store:
        while True:
            store.add(order(f"{prefix}-{n}"))
            print(f"{prefix}-{n}", flush=True)
            batch = [f"{prefix}-{n + k}" for k in (1, 2, 3)]
            store.add_all([order(order_id) for order_id in batch])
            print("\n".join(batch), flush=True)
            n += 4


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "scans":
        url, order_id, worker, count = arguments
        scans(url, order_id, worker, int(count))
    elif command == "add":
        add(*arguments)
    else:
        raise SystemExit(f"unknown command {command!r}")
