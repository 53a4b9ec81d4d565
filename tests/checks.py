"""Checks the tests of the marketplace presets share: an order survives storage and
replay, a refused action changes nothing, and the instants around a deadline.

Kept apart from `strategies` (the Hypothesis strategies) because these are plain
assertions on one order, used at each step of the worked scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from buyer_protection import (
    Dispute,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    Outcome,
    dumps,
    loads,
)
from strategies import snapshot

TICK = timedelta(microseconds=1)
"""The smallest step of time: one microsecond before a deadline is still before it."""

USD = "USD"
TOTAL = Money("100", USD)
"""Every order of these tests is paid 100 USD (GBP on eBay UK: see `money`)."""


def money(amount: str, like: Order) -> Money:
    """*amount* in the currency of the order *like*."""
    return Money(amount, like.total.currency)


def round_trips(order: Order) -> None:
    """*order* is the same after `dumps`/`loads` and after `Order.replay` of its log:
    the same document, and the same state, deadlines and history."""
    text = dumps(order)
    for twin in (loads(text), Order.replay(order.log)):
        assert dumps(twin) == text
        assert snapshot(twin) == snapshot(order)


def refused(
    order: Order,
    call: Callable[[], object],
    error: type[Exception] = InvalidAction,
    *,
    at: datetime | None = None,
) -> Exception:
    """*call* raises *error* and leaves *order* as it was (as ``as_of(at)`` would have
    left it, when *at* is given: the automatic steps due by then apply anyway), its
    document included. Returns the error."""
    before = dumps(order if at is None else order.as_of(at))
    with pytest.raises(error) as caught:
        call()
    assert dumps(order) == before
    return caught.value


def dispute_of(order: Order) -> Dispute:
    """The order's open (or last) dispute, which the test expects to be there."""
    dispute = order.dispute
    assert dispute is not None
    return dispute


def resolved_at(order: Order, at: datetime, waiting: DisputeState) -> Outcome:
    """One microsecond before *at* the order's dispute still is *waiting*; at *at* an
    automatic step resolves it (the order then checked for storage and replay). Returns
    its outcome, which is dated *at*."""
    dispute = dispute_of(order)
    order.advance(at - TICK)
    assert dispute.state is waiting
    assert dispute.outcome is None
    order.advance(at)
    round_trips(order)
    outcome = dispute.outcome
    assert outcome is not None
    assert outcome.at == at
    return outcome
