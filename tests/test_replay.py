"""Tests for the event log: `Order.log`, `Order.replay` and `Order.ingest`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    DisputeState,
    HistoryEntry,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Reason,
    TrackingEvent,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection.storage import log_to_list
from strategies import SHANGHAI, assert_refused, snapshot
from test_storage import Lifecycle, lifecycles, observe

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
WINDOW = ALIEXPRESS.seller_response_window


def _shipped() -> Order:
    order = Order("r-1", Money("40", "USD"), PAID)
    order.ship(PAID + DAY, meta={"carrier": "Cainiao"})
    return order


def accepted_in_time() -> Order:
    """Paid, shipped, tracked, disputed; the seller accepts a day after the opening."""
    order = _shipped()
    order.add_tracking(TrackingEvent(PAID + 2 * DAY, "in_transit", "left Shenzhen"))
    dispute = order.open_dispute(
        PAID + 12 * DAY, reason=Reason.DAMAGED, refund=Money("15", "USD"), evidence=["a.jpg"]
    )
    dispute.seller_accept(PAID + 13 * DAY)
    return order


def timed_out() -> Order:
    """Paid, shipped, disputed; the seller stays silent and the clock refunds the buyer."""
    order = _shipped()
    order.open_dispute(
        PAID + 12 * DAY, reason=Reason.QUALITY, refund=Money("15", "USD"), evidence=["a.jpg"]
    )
    order.advance(PAID + 40 * DAY)
    return order


def busy() -> Order:
    """An order with an extension, two disputes, late tracking and a completion, in Shanghai."""
    order = Order("r-2", Money("80", "EUR"), PAID.astimezone(SHANGHAI))
    order.ship((PAID + DAY).astimezone(SHANGHAI), promised_days=20)
    order.request_extension(PAID + 2 * DAY, 10)
    order.grant_extension(PAID + 3 * DAY, 10)
    order.add_tracking(TrackingEvent(PAID + DAY + HOUR, "info_received"))
    first = order.open_dispute(
        PAID + 5 * DAY, reason=Reason.WRONG_ITEM, refund=Money("80", "EUR"), evidence=["x.png"]
    )
    first.seller_reject(PAID + 6 * DAY, counter_offer=Money("10", "EUR"))
    first.cancel(PAID + 7 * DAY)
    order.add_tracking(TrackingEvent(PAID + 4 * DAY, "delivered", "", "Lyon"))
    order.confirm_receipt(PAID + 8 * DAY)
    second = order.open_dispute(
        PAID + 9 * DAY, reason=Reason.NOT_WORKING, refund=Money("30", "EUR"), evidence=["v.mp4"]
    )
    second.seller_reject(PAID + 10 * DAY, counter_offer=Money("0", "EUR"))
    second.escalate(PAID + 11 * DAY)
    second.platform_decide(PAID + 12 * DAY, refund=Money("25", "EUR"), meta={"case": 77})
    return order


ORDERS = [accepted_in_time, timed_out, busy]


def _entry(log: tuple[HistoryEntry, ...], action: str) -> tuple[int, HistoryEntry]:
    return next((i, e) for i, e in enumerate(log) if e.action == action)


def _ingest_one_by_one(order: Order) -> None:
    """Check that ingesting *order*'s log after its pay entry rebuilds it.

    An entry is new (True) unless an earlier one already recorded it as its
    consequence (an order following its dispute): then it is in the log already.
    """
    log = order.log
    twin = Order.replay(log[:1])
    for entry in log[1:]:
        known = entry in twin.log
        assert twin.ingest(entry) is not known
        assert not known or entry.actor is Actor.SYSTEM
    assert observe(twin) == observe(order)


# -- the log ------------------------------------------------------------------------------


@pytest.mark.parametrize("build", ORDERS)
def test_log_holds_every_entry_in_recording_order_with_unique_ids(
    build: Callable[[], Order],
) -> None:
    """The log is the history, the disputes' histories and the tracking, by increasing id."""
    order = build()
    log = order.log
    ids = [e.id for e in log]
    assert ids == sorted(set(ids))
    changes = [*order.history, *(e for d in order.disputes for e in d.history)]
    assert [e for e in log if e.action != "add_tracking"] == sorted(changes, key=lambda e: e.id)
    scans = [e.details["event"] for e in log if e.action == "add_tracking"]
    assert sorted(scans, key=TrackingEvent.sort_key) == list(order.tracking)
    assert log[0].action == "pay"


def test_tracking_observation_is_a_carrier_entry_dated_at_the_scan() -> None:
    """A tracking scan is logged by the carrier at the scan's instant, with no state change."""
    order = _shipped()
    event = TrackingEvent(PAID - HOUR, "info_received", "label printed")
    assert order.add_tracking(event) is True
    entry = order.log[-1]
    assert entry == HistoryEntry(
        3, PAID - HOUR, Actor.CARRIER, "add_tracking", None, None, {"event": event}
    )
    assert order.add_tracking(event) is False
    assert order.log[-1] == entry


@pytest.mark.parametrize("build", ORDERS)
def test_log_ids_are_stable_across_a_round_trip(build: Callable[[], Order]) -> None:
    """The log of a loaded order has the same entries with the same ids."""
    order = build()
    assert loads(dumps(order)).log == order.log


# -- replay ---------------------------------------------------------------------------


@pytest.mark.parametrize("build", ORDERS)
def test_replay_reaches_the_same_order(build: Callable[[], Order]) -> None:
    """Replaying the log gives the same state, history, disputes, deadlines, refunds, tracking."""
    order = build()
    assert observe(Order.replay(order.log)) == observe(order)


@pytest.mark.parametrize("build", ORDERS)
def test_replaying_a_log_twice_over_gives_the_same_order(build: Callable[[], Order]) -> None:
    """A log followed by itself again replays to the same order: applied ids are skipped."""
    order = build()
    assert observe(Order.replay(order.log + order.log)) == observe(order)


@pytest.mark.parametrize("build", ORDERS)
def test_ingesting_an_applied_entry_changes_nothing(build: Callable[[], Order]) -> None:
    """ingest of an entry already applied returns False and leaves the order as it was."""
    order = build()
    before = observe(order)
    for entry in order.log:
        assert order.ingest(entry) is False
    assert observe(order) == before


@pytest.mark.parametrize("build", ORDERS)
def test_ingesting_entries_one_by_one_reaches_the_same_order(build: Callable[[], Order]) -> None:
    """Starting from the pay entry and ingesting the rest as they come gives the same order."""
    order = build()
    _ingest_one_by_one(order)


def test_ingest_lets_a_copy_catch_up_and_go_on() -> None:
    """A stored copy that ingests the entries it missed equals the original and goes on alike."""
    order = accepted_in_time()
    stored = loads(dumps(_shipped()))
    for entry in order.log:
        stored.ingest(entry)
    assert observe(stored) == observe(order)
    for each in (order, stored):
        each.advance(PAID + 200 * DAY)
    assert observe(stored) == observe(order)


def test_tracking_dated_before_earlier_actions_is_accepted() -> None:
    """A scan dated before actions already recorded replays, and stays where it was logged."""
    order = accepted_in_time()
    late = TrackingEvent(PAID + HOUR, "info_received", "label printed")
    order.add_tracking(late)
    log = order.log
    assert log[-1].at < log[-2].at
    twin = Order.replay(log)
    assert observe(twin) == observe(order)
    assert twin.tracking[0] == late

    fresh = Order.replay(accepted_in_time().log)
    assert fresh.ingest(log[-1]) is True
    assert observe(fresh) == observe(order)


def test_replay_rederives_the_automatic_steps() -> None:
    """Replay applies the clock's steps itself and finds them where the log has them."""
    order = timed_out()
    log = order.log
    without_the_ending = tuple(e for e in log if e.actor is not Actor.SYSTEM)
    twin = Order.replay(without_the_ending)
    assert twin.dispute is not None
    assert twin.dispute.state is DisputeState.AWAITING_SELLER
    twin.advance(PAID + 40 * DAY)
    assert observe(twin) == observe(order)


@given(lifecycles())
def test_replay_of_any_lifecycle_reaches_the_same_order_at_every_step(life: Lifecycle) -> None:
    """After every move, replaying the log, or the log twice over, gives the same order."""
    order = life.new()
    for _ in life.play(order):
        log = order.log
        seen = observe(order)
        assert observe(Order.replay(log)) == seen
        assert observe(Order.replay(log + log)) == seen


@given(lifecycles())
def test_replay_gives_back_the_log_it_was_given(life: Lifecycle) -> None:
    """The rebuilt order's log is exactly the log replayed, entry for entry, ids included."""
    log = life.build().log
    assert Order.replay(log).log == log
    assert Order.replay(log + log).log == log


@given(lifecycles())
def test_ingesting_any_log_entry_again_changes_nothing(life: Lifecycle) -> None:
    """Every entry of a random order's log, ingested again, returns False and changes nothing."""
    order = life.build()
    seen = observe(order)
    assert [order.ingest(entry) for entry in order.log] == [False] * len(order.log)
    assert observe(order) == seen


@given(lifecycles())
def test_ingesting_any_log_one_entry_at_a_time_reaches_the_same_order(life: Lifecycle) -> None:
    """Ingesting a random order's log entry by entry after its pay entry gives the same order."""
    _ingest_one_by_one(life.build())


# -- refusals ---------------------------------------------------------------------------


def _refused(log: tuple[HistoryEntry, ...] | list[HistoryEntry]) -> str:
    with pytest.raises(InvalidInput) as raised:
        Order.replay(log)
    return str(raised.value)


def test_replay_refuses_an_action_dated_before_the_previous_action() -> None:
    """An action entry dated before the previous action is refused, naming the entry."""
    log = list(accepted_in_time().log)
    i, opened = _entry(tuple(log), "open_dispute")
    log[i] = attrs.evolve(opened, at=PAID + DAY - HOUR)
    message = _refused(log)
    assert f"log[{i}] (id {opened.id}, open_dispute at " in message
    assert "before the last recorded event" in message


def test_replay_refuses_an_action_the_rules_refuse() -> None:
    """A seller_accept after the seller's deadline, where the log lacks the timeout, is refused."""
    order = accepted_in_time()
    log = list(order.log)
    _, opened = _entry(tuple(log), "open_dispute")
    late = opened.at + WINDOW + HOUR
    i, accept = _entry(tuple(log), "seller_accept")
    j, resolved = _entry(tuple(log), "dispute_resolved")
    log[i] = attrs.evolve(accept, at=late)
    log[j] = attrs.evolve(resolved, at=late)
    message = _refused(log)
    assert f"log[{i}] (id {accept.id}, seller_accept at " in message
    assert "seller_timeout" in message


def test_replay_refuses_an_action_the_state_does_not_allow() -> None:
    """A confirm_receipt logged before shipment is refused, naming the state and what is allowed."""
    log = list(_shipped().log)
    log[1] = HistoryEntry(
        2,
        PAID + DAY,
        Actor.BUYER,
        "confirm_receipt",
        OrderState.AWAITING_SHIPMENT,
        OrderState.COMPLETED,
    )
    message = _refused(log)
    assert "log[1] (id 2, confirm_receipt at " in message
    assert "awaiting_shipment" in message
    assert "allowed now: ship" in message


@pytest.mark.parametrize("shift", [HOUR, -HOUR])
def test_replay_refuses_an_automatic_step_the_rules_do_not_give(shift: timedelta) -> None:
    """A system entry whose time was changed does not follow from the rules: refused, named."""
    log = list(timed_out().log)
    i, timeout = _entry(tuple(log), "seller_timeout")
    j, resolved = _entry(tuple(log), "dispute_resolved")
    log[i] = attrs.evolve(timeout, at=timeout.at + shift)
    log[j] = attrs.evolve(resolved, at=resolved.at + shift)
    message = _refused(log)
    assert f"(id {timeout.id}, seller_timeout at " in message
    assert "does not follow from the rules" in message


def test_replay_refuses_an_automatic_step_with_other_details() -> None:
    """A system entry whose details differ from what the rules record (a refund) is refused."""
    log = list(timed_out().log)
    i, timeout = _entry(tuple(log), "seller_timeout")
    log[i] = attrs.evolve(timeout, details={**timeout.details, "refund": Money("39", "USD")})
    assert f"log[{i}] (id {timeout.id}, seller_timeout at " in _refused(log)


def test_replay_refuses_an_automatic_step_under_another_id() -> None:
    """A system entry whose id is not the one the rules give it is refused, naming it."""
    log = list(timed_out().log)
    i, timeout = _entry(tuple(log), "seller_timeout")
    log[i] = attrs.evolve(timeout, id=timeout.id + 100)
    assert f"(id {timeout.id + 100}, seller_timeout at " in _refused(log)


def test_replay_refuses_an_automatic_step_that_never_falls_due() -> None:
    """A made-up system entry (a completion while a dispute is open) is refused."""
    log = list(timed_out().log)
    i, opened = _entry(tuple(log), "open_dispute")
    fake = HistoryEntry(
        opened.id + 1,
        opened.at + DAY,
        Actor.SYSTEM,
        "complete",
        OrderState.SHIPPED,
        OrderState.COMPLETED,
    )
    message = _refused([*log[: i + 1], fake])
    assert f"log[{i + 1}] (id {fake.id}, complete at " in message


def test_replay_refuses_an_id_reused_by_a_different_entry() -> None:
    """An entry with the id of another, different entry is refused, naming both."""
    log = list(accepted_in_time().log)
    i, opened = _entry(tuple(log), "open_dispute")
    log[i] = attrs.evolve(opened, id=log[i - 1].id)
    message = _refused(log)
    assert f"log[{i}] (id {log[i - 1].id}, open_dispute at " in message
    assert f"already used by {log[i - 1].action}" in message


def test_replay_refuses_an_entry_whose_record_differs() -> None:
    """An action logged with the wrong actor or the wrong states is refused, naming the entry."""
    log = list(_shipped().log)
    log[1] = attrs.evolve(log[1], actor=Actor.BUYER)
    assert "log[1] (id 2, ship at " in _refused(log)
    log = list(_shipped().log)
    log[1] = attrs.evolve(log[1], after=OrderState.COMPLETED)
    assert "log[1] (id 2, ship at " in _refused(log)


def test_replay_refuses_details_that_do_not_fit_the_action() -> None:
    """An action entry whose details the action does not take is refused, naming the entry."""
    log = list(_shipped().log)
    log[1] = attrs.evolve(log[1], details={"reason": Reason.LOST})
    assert "log[1] (id 2, ship at " in _refused(log)


def test_replay_refuses_an_unknown_action() -> None:
    """An action this library does not have is refused, naming the entry and the action."""
    log = [
        *_shipped().log,
        HistoryEntry(3, PAID + 2 * DAY, Actor.BUYER, "refund_everything", None, None),
    ]
    message = _refused(log)
    assert "log[2] (id 3, refund_everything at " in message


@pytest.mark.parametrize(
    "log",
    [
        (),
        pytest.param(_shipped().log[1:], id="starts-with-ship"),
        pytest.param(["pay"], id="not-an-entry"),
    ],
)
def test_replay_refuses_a_log_that_does_not_start_with_pay(log: tuple[HistoryEntry, ...]) -> None:
    """A log whose first entry is not the order's 'pay' entry is refused at log[0]."""
    assert "log[0]" in _refused(log)


def test_replay_refuses_a_pay_entry_whose_details_do_not_fit() -> None:
    """A 'pay' entry without what the order's constructor needs is refused at log[0]."""
    pay = _shipped().log[0]
    assert "log[0]" in _refused([attrs.evolve(pay, details={"order_id": "x"})])
    assert "log[0]" in _refused(
        [attrs.evolve(pay, details={**pay.details, "total": Money("0", "USD")})]
    )


def test_replay_refuses_something_that_is_not_an_entry() -> None:
    """A log item that is not a HistoryEntry is refused, naming its place."""
    log = [*_shipped().log, {"action": "confirm_receipt"}]
    assert "log[2]" in _refused(log)  # type: ignore[arg-type]


# -- ingest -----------------------------------------------------------------------------


def test_ingest_refuses_an_id_reused_by_a_different_entry() -> None:
    """ingest of an entry whose id is taken by a different entry is InvalidInput naming it."""
    order = accepted_in_time()
    entry = attrs.evolve(order.log[1], at=PAID + 2 * DAY)
    with pytest.raises(InvalidInput, match=r"entry \(id 2, ship at .*already used by ship"):
        order.ingest(entry)


def test_ingest_refuses_a_new_action_with_an_old_id() -> None:
    """A new action entry must have an id above every id recorded so far."""
    order = _shipped()
    entry = HistoryEntry(
        0, PAID + 2 * DAY, Actor.BUYER, "confirm_receipt", OrderState.SHIPPED, OrderState.COMPLETED
    )
    with pytest.raises(InvalidInput, match=r"id: expected an int from 1 to 2\*\*63 - 1, got int 0"):
        order.ingest(entry)


def _shipping_entry(order: Order, **changes: object) -> HistoryEntry:
    """The 'ship' entry the order would record next, with *changes*."""
    twin = Order.replay(order.log)
    twin.ship(PAID + DAY)
    return attrs.evolve(twin.log[-1], **changes)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"actor": Actor.BUYER}, id="wrong-actor"),
        pytest.param({"after": OrderState.COMPLETED}, id="wrong-state"),
        pytest.param({"id": 50, "action": "confirm_receipt"}, id="refused-action"),
    ],
)
def test_refused_ingest_leaves_no_trace(changes: dict[str, object]) -> None:
    """An ingest that is refused changes nothing, and the next action gets the id it would have."""

    def paid() -> Order:
        return Order("r-3", Money("40", "USD"), PAID)

    entry = _shipping_entry(paid(), **changes)
    assert_refused(paid, lambda order: order.ingest(entry), InvalidInput)
    order = paid()
    with pytest.raises(InvalidInput):
        order.ingest(entry)
    assert order.log == paid().log
    order.ship(PAID + DAY)
    assert order.log[-1].id == 2


def test_refused_tracking_ingest_leaves_no_trace() -> None:
    """A tracking entry dated apart from its scan is refused and the scan is not recorded."""
    order = _shipped()
    event = TrackingEvent(PAID + 2 * DAY, "in_transit")
    entry = HistoryEntry(
        3, PAID + 5 * DAY, Actor.CARRIER, "add_tracking", None, None, {"event": event}
    )
    with pytest.raises(InvalidInput, match="id 3"):
        order.ingest(entry)
    assert order.tracking == ()
    assert order.log == _shipped().log


def test_ingesting_a_known_scan_under_a_new_id_leaves_other_scans_alone() -> None:
    """A scan already known, sent again under a new id, never renumbers another scan."""
    order = _shipped()
    first = TrackingEvent(PAID + 2 * DAY, "in_transit")
    order.add_tracking(first)
    order.add_tracking(TrackingEvent(PAID + 3 * DAY, "customs"))
    log = order.log
    again = HistoryEntry(10, first.at, Actor.CARRIER, "add_tracking", None, None, {"event": first})
    with contextlib.suppress(InvalidInput):
        order.ingest(again)
    assert [e for e in order.log if e.id in {e.id for e in log}] == list(log)
    assert snapshot(order) == snapshot(Order.replay(log))


# -- entries from elsewhere: checked before anything is used -------------------------------


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        ("complete", Actor.BUYER),
        ("close", Actor.SELLER),
        ("seller_timeout", Actor.BUYER),
        ("cancel_unshipped", Actor.PLATFORM),
        ("dispute_resolved", Actor.SELLER),
        ("negotiation_timeout", Actor.BUYER),
    ],
)
def test_an_automatic_step_taken_by_a_person_is_refused(action: str, actor: Actor) -> None:
    """An entry naming an automatic step with a person as its actor is InvalidInput everywhere."""
    order = _shipped()
    entry = HistoryEntry(3, PAID + 2 * DAY, actor, action, OrderState.SHIPPED, OrderState.CLOSED)
    before = snapshot(order)
    with pytest.raises(InvalidInput, match=rf"'{action}' is taken by the system"):
        order.ingest(entry)
    assert snapshot(order) == before
    with pytest.raises(InvalidInput, match=rf"log\[2\].*'{action}' is taken by the system"):
        Order.replay([*order.log, entry])
    document = to_dict(order)
    document["history"].append(log_to_list([entry])[0])
    with pytest.raises(InvalidInput, match=f"'{action}' is taken by the system"):
        from_dict(document)
    with pytest.raises(InvalidInput, match=f"'{action}' is taken by the system"):
        loads(json.dumps(document))


def test_a_person_action_recorded_as_the_system_is_refused() -> None:
    """'ship' with the system as actor is refused: people's actions are not automatic."""
    order = Order("r-2", Money("40", "USD"), PAID)
    entry = HistoryEntry(2, PAID + DAY, Actor.SYSTEM, "ship", OrderState.AWAITING_SHIPMENT, None)
    with pytest.raises(InvalidInput, match="'ship' is taken by seller, not by system"):
        order.ingest(entry)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"at": "x"}, r"entry: at: expected a timezone-aware datetime, got str 'x'"),
        ({"at": datetime(2026, 3, 5)}, "entry: at: naive datetime"),
        ({"id": "9"}, "entry: id: expected an int"),
        ({"id": 10**5000}, "an int of 5001 digits"),
        ({"id": True}, "entry: id: expected an int"),
        ({"actor": "buyer"}, "actor: expected an Actor"),
        ({"action": 5}, "action: expected a str"),
        ({"before": "shipped"}, "before: expected a state or None"),
        ({"details": None}, "details: expected a mapping with str keys"),
        ({"details": {1: 2}}, "details: expected a mapping with str keys"),
        ({"action": "x" * 10_000}, r"\(10002 characters\) is not an action of this library"),
    ],
)
def test_a_malformed_entry_is_refused_and_the_next_id_does_not_move(
    changes: dict[str, object], message: str
) -> None:
    """A malformed entry is InvalidInput before it is used, and the next action's id is next."""
    order = _shipped()
    entry = attrs.evolve(
        HistoryEntry(9, PAID + 2 * DAY, Actor.BUYER, "confirm_receipt", None, None), **changes
    )
    before = snapshot(order)
    with pytest.raises(InvalidInput, match=message):
        order.ingest(entry)
    assert snapshot(order) == before
    order.confirm_receipt(PAID + 3 * DAY)
    assert order.log[-1].id == 3


def test_a_refused_ingest_does_not_move_the_id_counter() -> None:
    """The issue's reproducer: after ingest(HistoryEntry(9, "x", ...)) the next id is 3."""
    order = _shipped()
    with pytest.raises(InvalidInput):
        order.ingest(HistoryEntry(9, "x", Actor.BUYER, "confirm_receipt", None, None))  # type: ignore[arg-type]
    order.confirm_receipt(PAID + 3 * DAY)
    assert [e.id for e in order.log] == [1, 2, 3]


@pytest.mark.parametrize("log", [None, 5, "log", b"log", {"a": 1}, [], [None], [5]])
def test_replay_of_junk_is_invalid_input(log: object) -> None:
    """Order.replay of anything but a log is InvalidInput naming what it got."""
    with pytest.raises(InvalidInput, match="log"):
        Order.replay(log)  # type: ignore[arg-type]


def test_a_tracking_entry_by_another_actor_is_refused() -> None:
    """'add_tracking' entries are the carrier's; another actor is InvalidInput."""
    order = _shipped()
    event = TrackingEvent(PAID + 2 * DAY, "in_transit")
    entry = HistoryEntry(3, event.at, Actor.BUYER, "add_tracking", None, None, {"event": event})
    with pytest.raises(InvalidInput, match="'add_tracking' is the carrier's"):
        order.ingest(entry)


def test_an_automatic_entry_under_another_id_is_refused_naming_the_id() -> None:
    """The rules give each automatic step its id; the same step under another id is refused."""
    order = timed_out()
    log = list(order.log)
    step = next(i for i, e in enumerate(log) if e.action == "seller_timeout")
    log[step] = attrs.evolve(log[step], id=log[step].id + 100)
    with pytest.raises(
        InvalidInput, match=f"the rules record this step with id {log[step].id - 100}"
    ):
        Order.replay(log)


def test_meta_on_request_extension_is_kept_through_replay() -> None:
    """meta given to request_extension is in its entry, and replay keeps it."""
    order = _shipped()
    order.request_extension(PAID + 3 * DAY, 5, meta={"ticket": "T-1", "n": 2**63 - 1})
    entry = order.log[-1]
    assert entry.action == "request_extension"
    assert entry.details == {"days": 5, "meta": {"ticket": "T-1", "n": 2**63 - 1}}
    assert Order.replay(order.log).log == order.log


def test_ids_from_elsewhere_leave_room_for_the_steps_that_follow() -> None:
    """An id may jump to 2**53 at most: then the order can still act, and be saved."""
    event = TrackingEvent(PAID + 2 * DAY, "in_transit")
    for number, accepted in ((2**53 + 1, False), (2**53, True)):
        order = _shipped()
        entry = HistoryEntry(
            number, event.at, Actor.CARRIER, "add_tracking", None, None, {"event": event}
        )
        if not accepted:
            with pytest.raises(InvalidInput, match=r"an id may jump to at most 9007199254740992"):
                order.ingest(entry)
            continue
        assert order.ingest(entry)
        order.confirm_receipt(PAID + 3 * DAY)
        order.advance(PAID + 90 * DAY)
        assert to_dict(loads(dumps(order))) == to_dict(order)


def test_replay_of_an_empty_log_says_it_is_empty() -> None:
    """An empty log is refused at log[0], saying the log is empty."""
    with pytest.raises(InvalidInput, match=r"log\[0\]: missing: the log is empty"):
        Order.replay([])


def test_a_second_pay_entry_is_refused_as_such() -> None:
    """Only the first entry of a log is the order's 'pay' entry."""
    order = _shipped()
    with pytest.raises(InvalidInput, match="only the log's first entry is the order's 'pay' entry"):
        order.ingest(attrs.evolve(order.log[0], id=5))


def test_a_pay_entry_that_the_rules_record_otherwise_is_refused() -> None:
    """The 'pay' entry is compared whole: a different state after it is refused."""
    pay = _shipped().log[0]
    with pytest.raises(InvalidInput, match="the rules record the 'pay' entry differently"):
        Order.replay([attrs.evolve(pay, after=OrderState.CLOSED)])
