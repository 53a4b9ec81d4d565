"""Tests for tracking on an order: the parcel verdict and the earliest 'not received' opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Parcel,
    Policy,
    Reason,
    TrackingEvent,
    tracking,
)

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SHIPPED = PAID + DAY
SHANGHAI = ZoneInfo("Asia/Shanghai")
STALE = ALIEXPRESS.stalled_after


def _shipped(
    policy: Policy = ALIEXPRESS,
    *,
    promised_days: int | None = None,
    protection_days: int | None = None,
    events: tuple[tuple[timedelta, str], ...] = (),
) -> Order:
    """An order paid at PAID, shipped a day later, with scans at these offsets from shipment."""
    order = Order("T-1", Money("40.00", "USD"), PAID, policy)
    order.ship(SHIPPED, promised_days=promised_days, protection_days=protection_days)
    for offset, status in events:
        order.add_tracking(TrackingEvent(SHIPPED + offset, status))
    return order


def _open(order: Order, at: datetime) -> None:
    order.open_dispute(at, reason=Reason.NO_TRACKING_INFORMATION, refund=order.total)


# -- the verdict ------------------------------------------------------------------


def test_parcel_has_the_values_the_issue_names() -> None:
    """Parcel is the enum of the seven verdicts, by their marketplace-neutral names."""
    assert [p.value for p in Parcel] == [
        "no_information",
        "in_transit",
        "stalled",
        "customs",
        "delivered",
        "delivery_failed",
        "returned_to_sender",
    ]


def test_no_events_means_no_information() -> None:
    """An order with no tracking has no information on its parcel, however long after."""
    order = _shipped()
    assert order.parcel(SHIPPED) is Parcel.NO_INFORMATION
    assert order.parcel(SHIPPED + 400 * DAY) is Parcel.NO_INFORMATION


def test_info_received_alone_is_still_no_information() -> None:
    """A label created (info_received) without any movement is no information, and never stalls."""
    order = _shipped(events=((DAY, "info_received"), (2 * DAY, "info_received")))
    assert order.parcel(SHIPPED + 3 * DAY) is Parcel.NO_INFORMATION
    assert order.parcel(SHIPPED + 2 * DAY + STALE) is Parcel.NO_INFORMATION


def test_info_received_after_movement_does_not_erase_it() -> None:
    """An info_received scan after an in_transit one leaves the parcel in transit."""
    order = _shipped(events=((DAY, "in_transit"), (2 * DAY, "info_received")))
    assert order.parcel(SHIPPED + 3 * DAY) is Parcel.IN_TRANSIT
    # staleness counts from the last moving scan, not the info_received one
    assert order.parcel(SHIPPED + DAY + STALE) is Parcel.STALLED


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("in_transit", Parcel.IN_TRANSIT),
        ("out_for_delivery", Parcel.IN_TRANSIT),
        ("exception", Parcel.IN_TRANSIT),
        ("customs", Parcel.CUSTOMS),
    ],
)
def test_moving_scans_stall_exactly_at_last_event_plus_stalled_after(
    status: str, verdict: Parcel
) -> None:
    """A moving verdict holds until a microsecond before last scan + stalled_after, then stalls."""
    order = _shipped(events=((2 * DAY, status),))
    last = SHIPPED + 2 * DAY
    assert order.parcel(last) is verdict
    assert order.parcel(last + STALE - US) is verdict
    assert order.parcel(last + STALE) is Parcel.STALLED
    assert order.parcel(last + 10 * STALE) is Parcel.STALLED


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        ("delivered", Parcel.DELIVERED),
        ("delivery_failed", Parcel.DELIVERY_FAILED),
        ("returned_to_sender", Parcel.RETURNED_TO_SENDER),
    ],
)
def test_final_scans_never_go_stale(status: str, verdict: Parcel) -> None:
    """Delivered, failed and returned verdicts hold however long no new scan comes."""
    order = _shipped(events=((DAY, "in_transit"), (3 * DAY, status)))
    assert order.parcel(SHIPPED + 3 * DAY) is verdict
    assert order.parcel(SHIPPED + 3 * DAY + 50 * STALE) is verdict


def test_stalled_after_is_read_from_the_policy() -> None:
    """A policy with a shorter stalled_after makes the parcel stall sooner."""
    policy = attrs.evolve(ALIEXPRESS, stalled_after=timedelta(days=3))
    order = _shipped(policy, events=((DAY, "in_transit"),))
    assert order.parcel(SHIPPED + 4 * DAY - US) is Parcel.IN_TRANSIT
    assert order.parcel(SHIPPED + 4 * DAY) is Parcel.STALLED


def test_a_new_scan_revives_a_stalled_parcel() -> None:
    """After a stall, a new moving scan makes the parcel in transit again."""
    order = _shipped(events=((DAY, "in_transit"), (DAY + STALE + DAY, "customs")))
    assert order.parcel(SHIPPED + DAY + STALE) is Parcel.STALLED
    assert order.parcel(SHIPPED + 2 * DAY + STALE) is Parcel.CUSTOMS


def test_only_events_up_to_the_instant_asked_count() -> None:
    """A scan counts from its own instant on: not a microsecond before it."""
    order = _shipped(events=((DAY, "in_transit"), (5 * DAY, "delivered")))
    assert order.parcel(SHIPPED + DAY - US) is Parcel.NO_INFORMATION
    assert order.parcel(SHIPPED + DAY) is Parcel.IN_TRANSIT
    assert order.parcel(SHIPPED + 5 * DAY - US) is Parcel.IN_TRANSIT
    assert order.parcel(SHIPPED + 5 * DAY) is Parcel.DELIVERED


def test_parcel_reads_an_instant_in_any_zone_and_refuses_naive_ones() -> None:
    """parcel(at) compares instants (any zone), and a naive at is InvalidInput."""
    order = _shipped(events=((DAY, "delivered"),))
    assert order.parcel((SHIPPED + DAY).astimezone(SHANGHAI)) is Parcel.DELIVERED
    with pytest.raises(InvalidInput):
        order.parcel(datetime(2026, 3, 10, 12, 0))


def test_parcel_does_not_change_the_order() -> None:
    """Asking for the verdict records nothing, even long after the order's deadlines."""
    order = _shipped(events=((DAY, "in_transit"),))
    before = (order.state, order.history, order.tracking, order.log)
    order.parcel(SHIPPED + 500 * DAY)
    assert (order.state, order.history, order.tracking, order.log) == before


def test_the_last_event_at_an_instant_counts_as_the_latest() -> None:
    """Of scans that share an instant, verdict reads the last one in the list, either way round."""
    at = SHIPPED + DAY
    moving = TrackingEvent(at, "in_transit")
    customs = TrackingEvent(at, "customs")
    later = at + DAY
    assert tracking.verdict([moving, customs], later, STALE) == (Parcel.CUSTOMS, at + STALE)
    assert tracking.verdict([customs, moving], later, STALE) == (Parcel.IN_TRANSIT, at + STALE)
    delivered = TrackingEvent(at, "delivered")
    assert tracking.verdict([delivered, moving], later, STALE)[0] is Parcel.IN_TRANSIT
    assert tracking.verdict([moving, delivered], later, STALE)[0] is Parcel.DELIVERED


def test_info_received_last_in_a_tie_leaves_the_verdict_to_the_scan_before() -> None:
    """An info_received scan last at an instant is no news: the scan before it decides."""
    at = SHIPPED + DAY
    events = [TrackingEvent(at, "customs"), TrackingEvent(at, "info_received")]
    assert tracking.verdict(events, at, STALE) == (Parcel.CUSTOMS, at + STALE)


@pytest.mark.parametrize("field", ["description", "location"])
def test_a_tracking_event_refuses_non_text_with_a_short_message(field: str) -> None:
    """A description or location that is not a str is InvalidInput, the value quoted bounded."""
    with pytest.raises(InvalidInput, match=f"^{field}: expected a str, got int an int of 5001"):
        TrackingEvent(SHIPPED, "in_transit", **{field: 10**5000})  # type: ignore[arg-type]


# -- add_tracking -----------------------------------------------------------------


def test_add_tracking_accepts_events_in_any_order_and_keeps_them_sorted() -> None:
    """Scans added out of order are kept sorted by instant; a duplicate is refused with False."""
    order = _shipped()
    late, early, middle = (
        TrackingEvent(SHIPPED + 5 * DAY, "customs"),
        TrackingEvent(SHIPPED + DAY, "info_received"),
        TrackingEvent(SHIPPED + 3 * DAY, "in_transit"),
    )
    assert order.add_tracking(late) is True
    assert order.add_tracking(early) is True
    assert order.add_tracking(middle) is True
    same = TrackingEvent((SHIPPED + DAY).astimezone(SHANGHAI), "info_received")
    assert order.add_tracking(same) is False
    assert order.tracking == (early, middle, late)


def test_add_tracking_accepts_scans_older_than_the_last_action() -> None:
    """A scan dated before shipment or before the last action is accepted and counts."""
    order = _shipped()
    _open(order, SHIPPED + 20 * DAY)
    assert order.last_event_at == SHIPPED + 20 * DAY
    before = TrackingEvent(PAID + timedelta(hours=2), "info_received")
    moving = TrackingEvent(SHIPPED + 2 * DAY, "in_transit")
    assert order.add_tracking(moving)
    assert order.add_tracking(before)
    assert order.tracking == (before, moving)
    assert order.state is OrderState.IN_DISPUTE
    assert order.last_event_at == SHIPPED + 20 * DAY
    assert order.parcel(SHIPPED + 3 * DAY) is Parcel.IN_TRANSIT


def test_add_tracking_does_not_change_the_orders_state_or_history() -> None:
    """A scan is an observation: the order's state, history and last action stay as they were."""
    order = _shipped()
    before = (order.state, order.history, order.last_event_at)
    order.add_tracking(TrackingEvent(SHIPPED + 900 * DAY, "delivered"))
    assert (order.state, order.history, order.last_event_at) == before


def test_add_tracking_refuses_what_is_not_a_tracking_event() -> None:
    """Only TrackingEvent values are accepted."""
    order = _shipped()
    with pytest.raises(InvalidInput):
        order.add_tracking({"at": SHIPPED, "status": "delivered"})  # type: ignore[arg-type]
    assert order.tracking == ()


def test_tracking_added_to_a_look_ahead_copy_leaves_the_order_alone() -> None:
    """add_tracking on order.as_of(...) changes neither the order's tracking nor its log."""
    order = _shipped()
    before = (order.tracking, order.log)
    view = order.as_of(SHIPPED + 2 * DAY)
    view.add_tracking(TrackingEvent(SHIPPED + DAY, "in_transit"))
    assert (order.tracking, order.log) == before


# -- the earliest 'not received' opening ------------------------------------------


def test_not_received_opens_earliest_not_received_after_shipment() -> None:
    """With no tracking, 'not received' is refused a microsecond before shipment + 10 days."""
    order = _shipped()
    earliest = SHIPPED + ALIEXPRESS.earliest_not_received
    assert order.earliest_dispute == earliest
    history = order.history
    with pytest.raises(InvalidAction) as refused:
        _open(order, earliest - US)
    assert refused.value.possible_from == earliest
    assert refused.value.action == "open_dispute"
    assert earliest.isoformat() in str(refused.value)
    assert order.history == history
    assert order.state is OrderState.SHIPPED
    _open(order, earliest)
    assert order.state is OrderState.IN_DISPUTE


def test_the_refusal_gives_the_instant_in_iso_8601_utc_whatever_the_input_zone() -> None:
    """The refusal message carries the opening instant in ISO 8601 (UTC), to the microsecond."""
    order = Order("T-2", Money("40.00", "USD"), PAID)
    shipped = datetime(2026, 3, 2, 17, 45, 3, 120, tzinfo=SHANGHAI).astimezone(UTC)
    order.ship(shipped.astimezone(SHANGHAI))
    earliest = shipped + ALIEXPRESS.earliest_not_received
    with pytest.raises(InvalidAction) as refused:
        _open(order, (earliest - US).astimezone(SHANGHAI))
    text = earliest.astimezone(UTC).isoformat()
    assert text == "2026-03-12T09:45:03.000120+00:00"
    assert text in str(refused.value)
    assert refused.value.possible_from == earliest


@pytest.mark.parametrize("promised", [1, 3, ALIEXPRESS.fast_delivery_days])
def test_fast_delivery_opens_at_once(promised: int) -> None:
    """A promised delivery of fast_delivery_days or less opens 'not received' at shipment."""
    order = _shipped(promised_days=promised)
    assert order.earliest_dispute == SHIPPED
    _open(order, SHIPPED)
    assert order.state is OrderState.IN_DISPUTE


def test_one_day_more_than_fast_delivery_waits_the_full_time() -> None:
    """A promised delivery of fast_delivery_days + 1 waits earliest_not_received as usual."""
    order = _shipped(promised_days=ALIEXPRESS.fast_delivery_days + 1)
    assert order.earliest_dispute == SHIPPED + ALIEXPRESS.earliest_not_received


def test_short_protection_counts_as_the_promised_delivery() -> None:
    """With no promised_days, the protection days given at shipping are the promise."""
    order = _shipped(protection_days=ALIEXPRESS.fast_delivery_days)
    assert order.promised_delivery == SHIPPED + ALIEXPRESS.fast_delivery_days * DAY
    assert order.earliest_dispute == SHIPPED


def test_extensions_do_not_move_the_promised_delivery() -> None:
    """Granting an extension moves protection_ends but not promised_delivery or earliest_dispute."""
    order = _shipped(promised_days=20)
    promised, earliest, ends = (
        order.promised_delivery,
        order.earliest_dispute,
        order.protection_ends,
    )
    assert promised == SHIPPED + 20 * DAY
    assert ends is not None
    order.request_extension(SHIPPED + DAY, 15)
    order.grant_extension(SHIPPED + 2 * DAY, 15)
    assert order.protection_ends == ends + 15 * DAY
    assert (order.promised_delivery, order.earliest_dispute) == (promised, earliest)


@pytest.mark.parametrize("status", ["in_transit", "customs", "out_for_delivery", "exception"])
def test_moving_tracking_waits_for_the_promised_delivery(status: str) -> None:
    """While the parcel moves normally, 'not received' is refused until the promised delivery."""
    moving = ((2 * DAY, "in_transit"), (9 * DAY, status), (15 * DAY, status))
    order = _shipped(promised_days=20, events=moving)
    assert order.parcel(SHIPPED + 19 * DAY) is not Parcel.STALLED
    promised = SHIPPED + 20 * DAY
    assert order.earliest_dispute == promised
    with pytest.raises(InvalidAction) as refused:
        _open(order, promised - US)
    assert refused.value.possible_from == promised
    assert promised.isoformat() in str(refused.value)
    _open(order, promised)
    assert order.state is OrderState.IN_DISPUTE


def test_fast_delivery_with_moving_tracking_waits_for_the_promise() -> None:
    """A fast promise opens at once only if the tracking does not move normally at shipment."""
    order = _shipped(promised_days=3, events=((-timedelta(hours=2), "in_transit"),))
    assert order.earliest_dispute == SHIPPED + 3 * DAY


def test_stalled_tracking_opens_at_the_stall() -> None:
    """Tracking that dies before the promised delivery allows opening exactly when it stalls."""
    order = _shipped(events=((DAY, "in_transit"), (4 * DAY, "in_transit")))
    stall = SHIPPED + 4 * DAY + STALE
    assert stall < order.promised_delivery  # type: ignore[operator]
    assert order.earliest_dispute == stall
    with pytest.raises(InvalidAction) as refused:
        _open(order, stall - US)
    assert refused.value.possible_from == stall
    _open(order, stall)
    assert order.parcel(stall) is Parcel.STALLED


def test_tracking_that_stalls_before_ten_days_does_not_open_earlier() -> None:
    """A stall before earliest_not_received still waits for earliest_not_received."""
    order = _shipped(events=((-DAY, "in_transit"),))
    assert order.parcel(SHIPPED + 9 * DAY) is Parcel.STALLED
    assert order.earliest_dispute == SHIPPED + ALIEXPRESS.earliest_not_received


@pytest.mark.parametrize("status", ["delivery_failed", "returned_to_sender", "delivered"])
def test_final_verdicts_do_not_wait_for_the_promise(status: str) -> None:
    """A failed, returned or delivered parcel does not hold 'not received' back to the promise."""
    order = _shipped(events=((2 * DAY, "in_transit"), (3 * DAY, status)))
    assert order.earliest_dispute == SHIPPED + ALIEXPRESS.earliest_not_received


def test_a_late_scan_can_move_the_earliest_instant_later() -> None:
    """Tracking added later (an older scan) is taken into account by earliest_dispute."""
    order = _shipped()
    assert order.earliest_dispute == SHIPPED + 10 * DAY
    order.add_tracking(TrackingEvent(SHIPPED + 9 * DAY, "in_transit"))
    assert order.earliest_dispute == SHIPPED + 9 * DAY + STALE


def test_the_wait_for_the_promise_is_a_policy_switch() -> None:
    """With wait_for_promised_delivery off, moving tracking does not delay the opening."""
    policy = attrs.evolve(ALIEXPRESS, wait_for_promised_delivery=False)
    order = _shipped(policy, promised_days=30, events=((9 * DAY, "in_transit"),))
    assert order.earliest_dispute == SHIPPED + policy.earliest_not_received


def test_received_reasons_are_not_held_by_the_not_received_rule() -> None:
    """A 'not as described' dispute with evidence opens before the 'not received' instant."""
    order = _shipped(events=((2 * DAY, "delivered"),))
    order.open_dispute(
        SHIPPED + 3 * DAY,
        reason=Reason.DAMAGED,
        refund=Money("10.00", "USD"),
        evidence=["photo.jpg"],
    )
    assert order.state is OrderState.IN_DISPUTE


def test_earliest_dispute_is_none_before_shipment() -> None:
    """An order not shipped yet has no earliest dispute instant or promised delivery."""
    order = Order("T-3", Money("40.00", "USD"), PAID)
    assert order.earliest_dispute is None
    assert order.promised_delivery is None
