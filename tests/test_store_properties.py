"""Properties of `OrderStore.due` and `OrderStore.advance_due` over random orders of
every preset and random instants: the store's indexed columns answer as loading every
order and asking it would, on SQLite and on PostgreSQL.

Each example starts on an emptied database (`databases.empty_database`): a pytest
fixture runs once for all the examples of a test, not once per example.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import buyer_protection.store
from buyer_protection import Deadline, InvalidInput, Order, to_dict
from buyer_protection.store import OrderStore
from databases import empty_database
from preset_strategies import play, preset_stories
from strategies import instants, new_order, order_ids

MICROSECOND = timedelta(microseconds=1)

EXAMPLES = {"sqlite": 150, "postgresql": 80}
"""The most examples a test runs on each database (fewer under a profile of fewer):
each example plays up to 8 stories and empties the database, and the ci profile's 300
would make this file take minutes instead of under one."""


@st.composite
def stored_orders(draw: st.DrawFn, max_orders: int = 8) -> list[Order]:
    """A few orders of random presets, each with a random story played on it; orders
    often share a story (so their deadlines tie, and only their ids order them)."""
    stories = draw(st.lists(preset_stories(max_size=8), min_size=1, max_size=4))
    orders = []
    for order_id in draw(st.lists(order_ids(), max_size=max_orders, unique=True)):
        policy, total, paid, scenario, zone = draw(st.sampled_from(stories))
        order = new_order(policy, total, paid, order_id)
        for _ in play(order, scenario, zone):
            pass
        orders.append(order)
    return orders


@st.composite
def moments(draw: st.DrawFn, orders: list[Order]) -> datetime:
    """An instant to ask at: any, or one of the orders' next deadlines, or a microsecond
    either side of one."""
    deadlines = [o.next_deadline.at for o in orders if o.next_deadline is not None]
    if not deadlines or draw(st.integers(0, 3)) == 0:
        return draw(instants())
    deadline = draw(st.sampled_from(deadlines))
    return deadline + draw(st.sampled_from([-1, 0, 0, 1])) * MICROSECOND


def examples(store_url: str) -> int:
    """How many examples a test runs on the database of *store_url*."""
    cap = EXAMPLES["postgresql" if store_url.startswith("postgresql") else "sqlite"]
    return min(settings().max_examples, cap)


def fresh_store(store_url: str, orders: list[Order]) -> OrderStore:
    """A store on the emptied database of *store_url*, holding *orders*."""
    empty_database(store_url)
    store = OrderStore(store_url)
    store.add_all(orders)
    return store


def loaded(store: OrderStore) -> Iterator[Order]:
    """Every stored order, loaded (and by id)."""
    for order_id in store.find():
        yield store.get(order_id)


def test_due_agrees_with_each_loaded_orders_next_deadline(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`due(until)` yields ``(order_id, next_deadline)`` of exactly the stored orders
    whose loaded order's next deadline is at or before *until*, earliest first and by id
    among equal deadlines (read a few rows a page)."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)

    @settings(max_examples=examples(store_url))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        orders = data.draw(stored_orders(), "orders")
        until = data.draw(moments(orders), "until")
        with fresh_store(store_url, orders) as store:
            expected: list[tuple[str, Deadline]] = sorted(
                (
                    (order.order_id, order.next_deadline)
                    for order in loaded(store)
                    if order.next_deadline is not None and order.next_deadline.at <= until
                ),
                key=lambda pair: (pair[1].at, pair[0]),
            )
            assert list(store.due(until)) == expected

    check()


def test_advance_due_leaves_each_order_as_advancing_it_by_hand(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`advance_due(at)` leaves every stored order equal to loading it and advancing it
    to *at* by hand (an order that cannot go back to *at* stays as it was), returns how
    many orders changed, and then nothing is due by *at* and a second call changes
    nothing."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)

    @settings(max_examples=examples(store_url))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        orders = data.draw(stored_orders(), "orders")
        at = data.draw(moments(orders), "at")
        with fresh_store(store_url, orders) as store:
            before: dict[str, dict[str, Any]] = {}
            expected: dict[str, dict[str, Any]] = {}
            for order in loaded(store):
                before[order.order_id] = to_dict(order)
                with contextlib.suppress(InvalidInput):  # at is before its last event
                    order.advance(at)
                expected[order.order_id] = to_dict(order)
            changed = sum(expected[key] != before[key] for key in expected)
            assert store.advance_due(at) == changed
            assert {order.order_id: to_dict(order) for order in loaded(store)} == expected
            assert list(store.due(at)) == []
            assert store.advance_due(at) == 0

    check()
