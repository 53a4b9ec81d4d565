"""Tests for `buyer_protection.aliexpress.sync`: an imported order brought up to a newer snapshot.

The snapshots are those a seller's system polling ``aliexpress.issue.detail.get``
would have seen (tests/snapshots.py): for every fixture, every pair of them, and the
chain of all, syncing must end where importing the newer snapshot directly ends.
"""

from __future__ import annotations

from typing import Any

import pytest

from buyer_protection import (
    Dispute,
    DisputeState,
    HistoryEntry,
    Money,
    Order,
    OrderState,
    Outcome,
    dumps,
    loads,
    to_dict,
)
from buyer_protection.aliexpress import from_issue_detail, sync
from snapshots import holds_order, snapshots
from test_aliexpress import ISSUES, load

Detail = dict[str, Any]
Seen = tuple[object, ...]


def order_detail_for(name: str) -> Detail | None:
    """The order-detail fixture when it holds the issue's order, else None."""
    detail = load("order_detail")
    return detail if holds_order(detail, load(name)) else None


# Every fixture without an order detail, and with it where it holds the issue's order.
SOURCES = [(name, None) for name in ISSUES] + [
    (name, "order_detail") for name in ISSUES if order_detail_for(name) is not None
]
SNAPSHOTS = {name: snapshots(load(name)) for name in ISSUES}
PAIRS = [
    (name, given, i, j)
    for name, given in SOURCES
    for j in range(len(SNAPSHOTS[name]))
    for i in range(j)
]


def _id(case: tuple[str, str | None, int, int]) -> str:
    name, given, i, j = case
    return f"{name}-{i}-{j}" + ("-with-order-detail" if given else "")


def fresh(name: str, k: int) -> Detail:
    """Snapshot *k* of fixture *name*, a fresh copy (sync must not rely on sharing)."""
    return snapshots(load(name))[k]


def given_detail(name: str, given: str | None) -> Detail | None:
    """The order detail a case passes (None: it passes none)."""
    return order_detail_for(name) if given else None


def dispute_seen(dispute: Dispute) -> Seen:
    """What a dispute's state and deadlines say."""
    return (
        dispute.state,
        dispute.deadline,
        dispute.seller_deadline,
        dispute.negotiation_deadline,
        dispute.return_ship_deadline,
        dispute.return_confirm_deadline,
        dispute.outcome,
    )


def seen(order: Order) -> dict[str, object]:
    """Everything sync must bring to what a direct import says, by name (for the diff)."""
    dispute = order.dispute
    assert dispute is not None
    return {
        "state": order.state,
        "dispute.state": dispute.state,
        "refunded": order.refunded,
        "outcome": dispute.outcome,
        "next_deadline": order.next_deadline,
        "disputes": tuple(dispute_seen(d) for d in order.disputes),
    }


def direct(name: str, given: str | None, k: int) -> Order:
    """Snapshot *k* imported directly."""
    return from_issue_detail(fresh(name, k), order_detail=given_detail(name, given))


def reloaded(order: Order) -> Order:
    """The order saved as a document and loaded again."""
    return loads(dumps(order))


def new_entries(
    before: tuple[HistoryEntry, ...], after: tuple[HistoryEntry, ...]
) -> list[HistoryEntry]:
    """The entries of *after* whose event ids *before* did not have (in *after*'s order).

    An automatic step has no event id: as sync's docstring says, it is new when
    *before* has no step of that action at that instant.
    """
    ids = {e.event_id for e in before if e.event_id is not None}
    steps = {(e.action, e.at) for e in before if e.event_id is None}
    return [
        e
        for e in after
        if (e.event_id not in ids if e.event_id is not None else (e.action, e.at) not in steps)
    ]


def synced(order: Order, name: str, given: str | None, k: int) -> tuple[HistoryEntry, ...]:
    """``sync(order, snapshot k)``, checking that it acts on *order* in place and returns
    exactly the entries that are new."""
    before = order.log
    returned = sync(order, fresh(name, k), order_detail=given_detail(name, given))
    assert isinstance(returned, tuple)
    assert list(returned) == new_entries(before, order.log)
    assert all(d.order is order for d in order.disputes)
    return returned


# -- every pair ---------------------------------------------------------------------


@pytest.mark.parametrize("case", PAIRS, ids=_id)
def test_sync_to_a_newer_snapshot_ends_as_importing_it(
    case: tuple[str, str | None, int, int],
) -> None:
    """Importing snapshot i, then syncing snapshot j, ends as importing j directly."""
    name, given, i, j = case
    order = direct(name, given, i)
    synced(order, name, given, j)
    expected = seen(direct(name, given, j))
    assert seen(order) == expected
    assert seen(reloaded(order)) == expected


@pytest.mark.parametrize("case", PAIRS, ids=_id)
def test_sync_of_a_loaded_order_ends_as_importing_the_newer_snapshot(
    case: tuple[str, str | None, int, int],
) -> None:
    """An order imported from snapshot i, saved and loaded, then synced to j, ends as j."""
    name, given, i, j = case
    order = reloaded(direct(name, given, i))
    synced(order, name, given, j)
    expected = seen(direct(name, given, j))
    assert seen(order) == expected
    assert seen(reloaded(order)) == expected


@pytest.mark.parametrize("case", PAIRS, ids=_id)
def test_without_local_actions_the_synced_order_is_the_newer_import(
    case: tuple[str, str | None, int, int],
) -> None:
    """With no local action to apply again, the synced order's document is snapshot j's import."""
    name, given, i, j = case
    expected = to_dict(direct(name, given, j))
    for order in (direct(name, given, i), reloaded(direct(name, given, i))):
        synced(order, name, given, j)
        assert to_dict(order) == expected


@pytest.mark.parametrize("case", PAIRS, ids=_id)
def test_syncing_the_same_snapshot_twice_adds_nothing_the_second_time(
    case: tuple[str, str | None, int, int],
) -> None:
    """A second sync of the same snapshot returns () and leaves the log as it was."""
    name, given, i, j = case
    order = direct(name, given, i)
    synced(order, name, given, j)
    log = order.log
    assert synced(order, name, given, j) == ()
    assert order.log == log


@pytest.mark.parametrize("case", PAIRS, ids=_id)
def test_an_older_snapshot_after_a_newer_one_adds_nothing(
    case: tuple[str, str | None, int, int],
) -> None:
    """Snapshot i synced after snapshot j (imported or synced) returns () and changes nothing."""
    name, given, i, j = case
    for order in (direct(name, given, j), reloaded(direct(name, given, j))):
        log, was = order.log, seen(order)
        assert synced(order, name, given, i) == ()
        assert order.log == log
        assert seen(order) == was


@pytest.mark.parametrize(("name", "given"), SOURCES)
def test_syncing_every_snapshot_in_turn_ends_as_importing_each(
    name: str, given: str | None
) -> None:
    """Snapshot 1 imported and 2, 3, ... synced in turn agrees with each imported directly."""
    count = len(SNAPSHOTS[name])
    in_memory = direct(name, given, 0)
    stored = dumps(direct(name, given, 0))
    for k in range(1, count):
        synced(in_memory, name, given, k)
        loaded = loads(stored)
        synced(loaded, name, given, k)
        stored = dumps(loaded)
        expected = seen(direct(name, given, k))
        assert seen(in_memory) == expected, k
        assert seen(loaded) == expected, k
        assert seen(loads(stored)) == expected, k


# -- the fixtures' own stories ------------------------------------------------------


def test_the_platforms_check_in_a_later_snapshot_takes_the_sellers_window_away() -> None:
    """A snapshot showing the platform's check after the opening makes the dispute its own."""
    order = direct("issue_platform_handled", None, 1)
    dispute = order.dispute
    assert dispute is not None
    assert dispute.seller_deadline is not None
    added = synced(order, "issue_platform_handled", None, 2)
    assert order.dispute is not None
    assert order.dispute.by_platform
    assert order.dispute.seller_deadline is None
    assert order.dispute.state is DisputeState.ARBITRATION
    assert order.next_deadline is None
    assert added == ()  # the check changes no state: it is kept in the opening's meta


def test_the_platforms_decision_read_as_decided_then_performed_adds_nothing_more() -> None:
    """Synced to the decision (still processing), the order is resolved; performing adds nothing."""
    order = direct("issue_platform_handled", None, 2)
    added = synced(order, "issue_platform_handled", None, 3)
    assert [e.action for e in added] == ["platform_decide", "dispute_resolved"]
    assert order.refunded == Money("30.00", "USD")
    assert synced(order, "issue_platform_handled", None, 4) == ()
    assert order.refunded == Money("30.00", "USD")


def test_a_return_shipped_after_the_last_log_entry_is_shipped_by_sync() -> None:
    """A newer snapshot with the same log but the return's number ships the return."""
    order = direct("issue_return_shipped", None, 2)
    assert seen(order)["dispute.state"] is DisputeState.AWAITING_RETURN
    added = synced(order, "issue_return_shipped", None, 3)
    assert [e.action for e in added] == ["ship_return"]
    assert seen(order)["dispute.state"] is DisputeState.RETURN_IN_TRANSIT
    assert order.dispute is not None
    assert order.dispute.return_tracking == "RR482913576BR"


def test_sync_to_the_agreement_pays_the_accepted_counter_offer() -> None:
    """Synced from the seller's counter-proposal to the buyer's acceptance, it is refunded."""
    order = direct("issue_agreement", None, 1)
    assert order.refunded == Money("0.00", "USD")
    added = synced(order, "issue_agreement", None, 2)
    assert [e.action for e in added] == ["buyer_accept", "dispute_resolved"]
    assert order.state is OrderState.CLOSED
    assert order.refunded == Money("12.50", "USD")
    assert synced(order, "issue_agreement", None, 3) == ()


def test_sync_returns_the_steps_of_the_policys_clock_that_the_newer_snapshot_brings() -> None:
    """The seller's timeout the final snapshot reports comes back as automatic steps."""
    order = direct("issue_seller_timeout", None, 0)
    added = synced(order, "issue_seller_timeout", None, 1)
    assert [(e.action, e.event_id) for e in added] == [
        ("seller_timeout", None),
        ("dispute_resolved", None),
    ]
    assert order.dispute is not None
    assert isinstance(order.dispute.outcome, Outcome)
    assert order.refunded == Money("25.40", "USD")
