"""Tests for `Order`: shipment, protection, completion, extensions, opening disputes, time."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import attrs
import pytest
from dateutil import tz as dateutil_tz

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    BuyerProtectionError,
    Deadline,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Parcel,
    Policy,
    Reason,
    Resolution,
    TrackingEvent,
    dumps,
    loads,
)
from strategies import (
    EPOCH,
    LOS_ANGELES,
    SHANGHAI,
    all_entries,
    assert_refused,
    new_order,
    snapshot,
)

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
USD = "USD"
SHIP = EPOCH + DAY
EARLIEST = SHIP + ALIEXPRESS.earliest_not_received
PROTECTION_ENDS = SHIP + timedelta(days=ALIEXPRESS.protection_days)
FULL = Money("100", USD)
PHOTO = ("https://example.com/photo.jpg",)


def shipped(policy: Policy = ALIEXPRESS, **kwargs: Any) -> Order:
    """An order paid at EPOCH for 100 USD and shipped a day later."""
    order = new_order(policy)
    order.ship(SHIP, **kwargs)
    return order


def completed(policy: Policy = ALIEXPRESS) -> Order:
    """A shipped order whose buyer confirmed receipt three days after shipment."""
    order = shipped(policy)
    order.confirm_receipt(SHIP + 3 * DAY)
    return order


def disputed(policy: Policy = ALIEXPRESS) -> Order:
    """A shipped order with a 'not received' dispute opened at the earliest instant."""
    order = shipped(policy)
    order.open_dispute(EARLIEST, reason=Reason.NOT_RECEIVED, refund=FULL)
    return order


# -- creating an order ------------------------------------------------------------


def test_a_new_order_awaits_shipment_and_records_the_payment() -> None:
    """A new order awaits shipment, has refunded nothing and one 'pay' entry by the buyer."""
    order = new_order()

    assert order.state is OrderState.AWAITING_SHIPMENT
    assert order.refunded == Money.zero(USD)
    assert order.protection_ends is None
    assert order.dispute is None
    assert order.disputes == ()
    (entry,) = order.history
    assert (entry.at, entry.actor, entry.action) == (EPOCH, Actor.BUYER, "pay")
    assert entry.before is None
    assert entry.after is OrderState.AWAITING_SHIPMENT
    assert entry.details["total"] == FULL


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", FULL, EPOCH), "order_id"),
        ((123, FULL, EPOCH), "order_id"),
        (("o", "100", EPOCH), "total"),
        (("o", 100, EPOCH), "total"),
        (("o", Money.zero(USD), EPOCH), "total"),
        (("o", FULL, datetime(2026, 3, 1)), "paid_at"),
        (("o", FULL, "2026-03-01T00:00:00Z"), "paid_at"),
        (("o", FULL, EPOCH, "aliexpress"), "policy"),
    ],
)
def test_bad_order_arguments_are_refused(args: tuple[Any, ...], field: str) -> None:
    """An order needs a non-empty id, Money above zero, an aware paid_at and a Policy."""
    with pytest.raises(InvalidInput, match=field):
        Order(*args)


# -- shipping and protection ----------------------------------------------------


def test_ship_starts_protection_for_the_policy_days() -> None:
    """Shipping starts protection, which ends protection_days of elapsed time later."""
    order = shipped()

    assert order.state is OrderState.SHIPPED
    assert order.protection_ends == SHIP + timedelta(days=60)
    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (SHIP, Actor.SELLER, "ship")
    assert entry.details["protection_days"] == 60
    assert entry.details["by_platform"] is False


def test_ship_with_own_protection_days_and_by_platform_records_them() -> None:
    """ship() takes the order's protection days and the platform flag, and records both."""
    order = shipped(protection_days=90, by_platform=True)

    assert order.protection_ends == SHIP + timedelta(days=90)
    assert order.history[-1].details["protection_days"] == 90
    assert order.history[-1].details["by_platform"] is True


def test_ship_twice_is_an_invalid_action() -> None:
    """A shipped order cannot be shipped again."""
    error = assert_refused(shipped, lambda o: o.ship(SHIP + DAY), InvalidAction, SHIP + DAY)

    assert error.state == "shipped"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"protection_days": 0},
        {"protection_days": -5},
        {"protection_days": True},
        {"protection_days": 60.0},
        {"protection_days": "60"},
        {"by_platform": "yes"},
        {"by_platform": 1},
        {"by_platform": None},
    ],
)
def test_bad_ship_arguments_are_refused_and_change_nothing(kwargs: dict[str, Any]) -> None:
    """Protection days that are not a positive int, or a non-bool by_platform, are refused."""
    assert_refused(new_order, lambda o: o.ship(SHIP, **kwargs), InvalidInput)


def test_protection_end_completes_an_order_with_no_dispute() -> None:
    """At the instant protection ends, the order completes by itself, recorded at that instant."""
    order = shipped()

    order.advance(PROTECTION_ENDS - US)
    assert order.state is OrderState.SHIPPED

    order.advance(PROTECTION_ENDS + 3 * DAY)
    assert order.state is OrderState.COMPLETED
    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (PROTECTION_ENDS, Actor.SYSTEM, "complete")
    assert (entry.before, entry.after) == (OrderState.SHIPPED, OrderState.COMPLETED)


def test_confirm_receipt_completes_at_once() -> None:
    """A confirmed receipt completes the order immediately, recorded as the buyer's."""
    order = completed()

    assert order.state is OrderState.COMPLETED
    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (SHIP + 3 * DAY, Actor.BUYER, "confirm_receipt")


def test_confirm_receipt_a_microsecond_before_protection_ends_is_accepted() -> None:
    """Confirming just before protection ends is the buyer's own completion."""
    order = shipped()

    order.confirm_receipt(PROTECTION_ENDS - US)

    assert order.history[-1].action == "confirm_receipt"


def test_confirm_receipt_at_protection_end_is_refused() -> None:
    """At the instant protection ends the order has already completed by itself."""
    error = assert_refused(
        shipped, lambda o: o.confirm_receipt(PROTECTION_ENDS), InvalidAction, PROTECTION_ENDS
    )

    assert error.state == "completed"


def test_confirm_receipt_before_shipment_is_refused() -> None:
    """An unshipped order cannot be confirmed as received."""
    error = assert_refused(new_order, lambda o: o.confirm_receipt(SHIP), InvalidAction, SHIP)

    assert error.state == "awaiting_shipment"
    assert error.allowed == ("ship", "contact_seller")


def test_protection_counted_from_payment_when_the_policy_says_so() -> None:
    """With protection_from_payment, protection ends protection_days after payment."""
    order = shipped(attrs.evolve(ALIEXPRESS, protection_from_payment=True))

    assert order.protection_ends == EPOCH + timedelta(days=60)


# -- unshipped orders -------------------------------------------------------------


def test_unshipped_order_is_closed_and_fully_refunded_at_the_processing_deadline() -> None:
    """Past processing_time without shipment, the system closes the order with a full refund."""
    order = new_order()
    deadline = EPOCH + ALIEXPRESS.processing_time

    due = order.next_deadline
    assert isinstance(due, Deadline)
    assert (due.at, due.action, due.subject) == (deadline, "cancel_unshipped", "order")
    order.advance(deadline + 10 * DAY)

    assert order.state is OrderState.CLOSED
    assert order.refunded == FULL
    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (deadline, Actor.SYSTEM, "cancel_unshipped")
    assert entry.details["refund"] == FULL
    assert order.next_deadline is None


def test_ship_a_microsecond_before_the_processing_deadline_is_accepted() -> None:
    """Shipping just before the processing time runs out is in time."""
    order = new_order()

    order.ship(EPOCH + ALIEXPRESS.processing_time - US)

    assert order.state is OrderState.SHIPPED
    assert order.refunded == Money.zero(USD)


def test_ship_at_the_processing_deadline_is_refused_after_the_automatic_close() -> None:
    """Shipping at the deadline is refused because the automatic close has happened then."""
    deadline = EPOCH + ALIEXPRESS.processing_time
    order = new_order()

    with pytest.raises(InvalidAction) as info:
        order.ship(deadline)

    assert info.value.state == "closed"
    assert order.state is OrderState.CLOSED
    assert order.refunded == FULL
    assert [e.action for e in order.history] == ["pay", "cancel_unshipped"]
    assert order.history[-1].at == deadline


def test_processing_time_comes_from_the_policy() -> None:
    """A custom processing time moves the automatic cancellation."""
    policy = attrs.evolve(ALIEXPRESS, processing_time=timedelta(days=3))
    order = new_order(policy)

    order.advance(EPOCH + timedelta(days=3) - US)
    assert order.state is OrderState.AWAITING_SHIPMENT
    order.advance(EPOCH + timedelta(days=3))
    assert order.state is OrderState.CLOSED


# -- after completion -----------------------------------------------------------


def test_dispute_after_completion_within_the_post_completion_window() -> None:
    """A dispute can be opened after completion until just before the window ends."""
    order = completed()
    window_ends = SHIP + 3 * DAY + ALIEXPRESS.post_completion_window

    dispute = order.open_dispute(
        window_ends - US, reason=Reason.DAMAGED, refund=Money("30", USD), evidence=PHOTO
    )

    assert order.state is OrderState.IN_DISPUTE
    assert dispute.state is DisputeState.AWAITING_SELLER


def test_after_the_post_completion_window_the_order_is_closed_for_good() -> None:
    """At the end of the post-completion window the order closes and refuses every action."""
    window_ends = SHIP + 3 * DAY + ALIEXPRESS.post_completion_window

    error = assert_refused(
        completed,
        lambda o: o.open_dispute(window_ends, reason=Reason.DAMAGED, refund=FULL, evidence=PHOTO),
        InvalidAction,
        window_ends,
    )
    assert error.state == "closed"

    order = completed()
    order.advance(window_ends + 100 * DAY)
    assert order.state is OrderState.CLOSED
    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (window_ends, Actor.SYSTEM, "close")
    assert order.refunded == Money.zero(USD)
    assert order.next_deadline is None
    assert order.allowed() == ()


def test_post_completion_window_runs_from_automatic_completion_too() -> None:
    """When protection ends by itself, the post-completion window counts from that instant."""
    order = shipped()
    order.advance(PROTECTION_ENDS)

    assert order.next_deadline is not None
    assert order.next_deadline.at == PROTECTION_ENDS + ALIEXPRESS.post_completion_window
    assert order.next_deadline.action == "close"


@pytest.mark.parametrize(
    "call",
    [
        lambda o: o.ship(EPOCH + 200 * DAY),
        lambda o: o.confirm_receipt(EPOCH + 200 * DAY),
        lambda o: o.request_extension(EPOCH + 200 * DAY, 5),
        lambda o: o.grant_extension(EPOCH + 200 * DAY, 5),
        lambda o: o.open_dispute(
            EPOCH + 200 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("1", USD)
        ),
    ],
    ids=["ship", "confirm_receipt", "request_extension", "grant_extension", "open_dispute"],
)
def test_a_closed_order_refuses_every_action(call: Callable[[Order], object]) -> None:
    """Once closed, every order action is an InvalidAction and the order does not change."""

    def closed() -> Order:
        order = completed()
        order.advance(EPOCH + 100 * DAY)
        assert order.state is OrderState.CLOSED
        return order

    error = assert_refused(closed, call, InvalidAction)

    assert error.state == "closed"
    assert error.allowed == ()


# -- extensions -------------------------------------------------------------------


def test_request_then_grant_extends_protection() -> None:
    """A granted extension moves the end of protection by the days granted."""
    order = shipped()

    order.request_extension(SHIP + 50 * DAY, 10)
    order.grant_extension(SHIP + 51 * DAY, 7)

    assert order.protection_ends == PROTECTION_ENDS + 7 * DAY
    assert [e.action for e in order.history][-2:] == ["request_extension", "grant_extension"]
    assert order.history[-2].actor is Actor.BUYER
    assert order.history[-1].actor is Actor.SELLER
    assert order.history[-2].details["days"] == 10
    assert order.history[-1].details["days"] == 7

    order.advance(PROTECTION_ENDS + 7 * DAY - US)
    assert order.state is OrderState.SHIPPED
    order.advance(PROTECTION_ENDS + 7 * DAY)
    assert order.state is OrderState.COMPLETED


def test_a_grant_uses_up_the_request() -> None:
    """After one grant, a second grant needs a new request."""

    def granted() -> Order:
        order = shipped()
        order.request_extension(SHIP + 5 * DAY, 10)
        order.grant_extension(SHIP + 6 * DAY, 10)
        return order

    assert_refused(granted, lambda o: o.grant_extension(SHIP + 7 * DAY, 5), InvalidAction)

    order = granted()
    order.request_extension(SHIP + 7 * DAY, 5)
    order.grant_extension(SHIP + 8 * DAY, 5)
    assert order.protection_ends == PROTECTION_ENDS + 15 * DAY


def test_grant_without_request_is_refused() -> None:
    """Only the buyer's request opens the way to a grant."""
    error = assert_refused(shipped, lambda o: o.grant_extension(SHIP + DAY, 5), InvalidAction)

    assert "grant_extension" not in error.allowed
    assert "request_extension" in error.allowed


def test_extension_cap_refuses_a_grant_past_it_without_clamping() -> None:
    """A grant past max_extension_days raises InvalidInput and changes nothing (no clamping)."""
    policy = attrs.evolve(ALIEXPRESS, max_extension_days=15)

    def requested() -> Order:
        order = shipped(policy)
        order.request_extension(SHIP + DAY, 10)
        order.grant_extension(SHIP + 2 * DAY, 10)
        order.request_extension(SHIP + 3 * DAY, 10)
        return order

    error = assert_refused(requested, lambda o: o.grant_extension(SHIP + 4 * DAY, 6), InvalidInput)
    assert "15" in str(error)

    order = requested()
    order.grant_extension(SHIP + 4 * DAY, 5)
    assert order.protection_ends == PROTECTION_ENDS + 15 * DAY


def test_a_used_up_extension_cap_is_not_offered_as_allowed() -> None:
    """When the cap is reached no grant can succeed, so allowed() does not offer grant_extension."""
    order = shipped(attrs.evolve(ALIEXPRESS, max_extension_days=10))
    order.request_extension(SHIP + DAY, 10)
    order.grant_extension(SHIP + DAY, 10)
    order.request_extension(SHIP + 2 * DAY, 3)

    with pytest.raises(InvalidInput):
        order.grant_extension(SHIP + 2 * DAY, 1)
    assert "grant_extension" not in order.allowed()


def test_with_no_cap_any_positive_grant_is_accepted() -> None:
    """The default policy knows no cap, so a long extension is granted as asked."""
    order = shipped()
    order.request_extension(SHIP + DAY, 365)
    order.grant_extension(SHIP + DAY, 365)

    assert order.protection_ends == PROTECTION_ENDS + 365 * DAY


@pytest.mark.parametrize("days", [0, -1, True, 1.5, "3", None])
@pytest.mark.parametrize("action", ["request_extension", "grant_extension"])
def test_extension_days_must_be_a_positive_int(action: str, days: object) -> None:
    """Days that are not a positive int raise InvalidInput and change nothing."""

    def requested() -> Order:
        order = shipped()
        order.request_extension(SHIP + DAY, 5)
        return order

    assert_refused(requested, lambda o: getattr(o, action)(SHIP + 2 * DAY, days), InvalidInput)


@pytest.mark.parametrize("action", ["request_extension", "grant_extension"])
def test_no_extension_while_a_dispute_is_open(action: str) -> None:
    """Protection cannot be extended while a dispute holds the order."""

    def requested_then_disputed() -> Order:
        order = shipped()
        order.request_extension(SHIP + DAY, 5)
        order.open_dispute(EARLIEST, reason=Reason.NOT_RECEIVED, refund=FULL)
        return order

    error = assert_refused(
        requested_then_disputed, lambda o: getattr(o, action)(EARLIEST + DAY, 5), InvalidAction
    )
    assert error.state == "in_dispute"


@pytest.mark.parametrize("action", ["request_extension", "grant_extension"])
def test_no_extension_after_completion(action: str) -> None:
    """A completed order cannot be extended."""

    def requested_then_completed() -> Order:
        order = shipped()
        order.request_extension(SHIP + DAY, 5)
        order.confirm_receipt(SHIP + 2 * DAY)
        return order

    error = assert_refused(
        requested_then_completed, lambda o: getattr(o, action)(SHIP + 3 * DAY, 5), InvalidAction
    )
    assert error.state == "completed"


# -- opening a dispute ------------------------------------------------------------


def test_not_received_opens_ten_days_after_shipment() -> None:
    """'Not received' is refused until earliest_not_received after shipment, then accepted."""
    order = shipped()
    assert order.earliest_dispute == SHIP + 10 * DAY

    error = assert_refused(
        shipped,
        lambda o: o.open_dispute(EARLIEST - US, reason=Reason.NOT_RECEIVED, refund=FULL),
        InvalidAction,
    )
    assert error.possible_from == EARLIEST
    assert EARLIEST.isoformat() in str(error)
    assert error.state == "shipped"

    dispute = order.open_dispute(EARLIEST, reason=Reason.NOT_RECEIVED, refund=FULL)
    assert dispute.state is DisputeState.AWAITING_SELLER
    assert order.state is OrderState.IN_DISPUTE


@pytest.mark.parametrize(
    ("post_completion_days", "protection_days", "confirm"),
    [(15, 60, True), (3, 60, True), (15, 8, True), (1, 8, True), (15, 8, False), (1, 8, False)],
)
def test_possible_from_is_an_instant_at_which_opening_succeeds(
    post_completion_days: int, protection_days: int, confirm: bool
) -> None:
    """A refused 'not received' opening names a possible_from only if opening then really works."""
    policy = attrs.evolve(ALIEXPRESS, post_completion_window=timedelta(days=post_completion_days))

    def build() -> Order:
        order = shipped(policy, protection_days=protection_days)
        if confirm:
            order.confirm_receipt(SHIP + DAY)
        return order

    error = assert_refused(
        build,
        lambda o: o.open_dispute(SHIP + 2 * DAY, reason=Reason.LOST, refund=FULL),
        InvalidAction,
        SHIP + 2 * DAY,
    )
    assert isinstance(error, InvalidAction)
    if error.possible_from is not None:
        order = build()
        order.open_dispute(error.possible_from, reason=Reason.LOST, refund=FULL)
        assert order.state is OrderState.IN_DISPUTE


def test_earliest_dispute_is_none_before_shipment() -> None:
    """Before shipment there is no earliest opening instant yet."""
    assert new_order().earliest_dispute is None


@pytest.mark.parametrize("promised_days", [1, 5])
def test_fast_promised_delivery_opens_not_received_at_once(promised_days: int) -> None:
    """With a promised delivery of fast_delivery_days or less, 'not received' opens at shipment."""
    order = shipped(promised_days=promised_days)

    assert order.earliest_dispute == SHIP
    order.open_dispute(SHIP, reason=Reason.NOT_RECEIVED, refund=FULL)
    assert order.state is OrderState.IN_DISPUTE


def test_promised_delivery_just_over_the_fast_limit_waits_the_usual_time() -> None:
    """A promised delivery of fast_delivery_days + 1 waits earliest_not_received as usual."""
    order = shipped(promised_days=ALIEXPRESS.fast_delivery_days + 1)

    assert order.earliest_dispute == EARLIEST
    with pytest.raises(InvalidAction) as info:
        order.open_dispute(SHIP, reason=Reason.NOT_RECEIVED, refund=FULL)
    assert info.value.possible_from == EARLIEST


def test_short_protection_counts_as_the_promised_delivery() -> None:
    """With no promised_days, the protection days are the promise: 5 or less opens at once."""
    order = shipped(protection_days=5)

    assert order.earliest_dispute == SHIP


def test_earliest_not_received_comes_from_the_policy() -> None:
    """A custom earliest_not_received moves the first opening instant."""
    order = shipped(attrs.evolve(ALIEXPRESS, earliest_not_received=timedelta(days=5)))

    assert order.earliest_dispute == SHIP + 5 * DAY


def test_not_as_described_can_be_opened_any_time_after_shipment() -> None:
    """The earliest-opening rule applies only to 'not received' reasons."""
    order = shipped()

    dispute = order.open_dispute(
        SHIP, reason=Reason.NOT_AS_DESCRIBED, refund=Money("40", USD), evidence=PHOTO
    )

    assert dispute.reason is Reason.NOT_AS_DESCRIBED
    assert dispute.evidence == PHOTO


def test_open_dispute_records_everything_it_was_given() -> None:
    """The history entry of an opening holds reason, refund, evidence and description."""
    order = shipped()
    order.open_dispute(
        EARLIEST,
        reason="lost",
        refund=Money("99.50", USD),
        evidence=["a.png", "https://example.com/b.mp4"],
        description="tracking stopped in Shenzhen",
    )

    entry = order.history[-1]
    assert (entry.at, entry.actor, entry.action) == (EARLIEST, Actor.BUYER, "open_dispute")
    assert entry.details["reason"] is Reason.LOST
    assert entry.details["refund"] == Money("99.50", USD)
    assert tuple(entry.details["evidence"]) == ("a.png", "https://example.com/b.mp4")
    assert entry.details["description"] == "tracking stopped in Shenzhen"
    assert order.dispute is not None
    assert order.dispute.request == Money("99.50", USD)
    assert order.disputes == (order.dispute,)


def test_open_dispute_before_shipment_is_refused() -> None:
    """No dispute can be opened on an order not yet shipped."""
    error = assert_refused(
        new_order,
        lambda o: o.open_dispute(EPOCH + DAY, reason=Reason.DAMAGED, refund=FULL, evidence=PHOTO),
        InvalidAction,
    )
    assert error.state == "awaiting_shipment"


def test_a_second_dispute_while_one_is_open_is_refused() -> None:
    """One open dispute per order at a time."""
    error = assert_refused(
        disputed,
        lambda o: o.open_dispute(EARLIEST + DAY, reason=Reason.LOST, refund=FULL),
        InvalidAction,
    )
    assert error.state == "in_dispute"


BAD_OPENINGS: dict[str, tuple[Callable[[Order], object], type[Exception]]] = {
    "naive datetime": (
        lambda o: o.open_dispute(datetime(2026, 3, 20), reason="lost", refund=FULL),
        InvalidInput,
    ),
    "float refund": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=100.0),
        InvalidInput,
    ),
    "str refund": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund="100"),
        InvalidInput,
    ),
    "Decimal refund": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=Decimal(100)),
        InvalidInput,
    ),
    "refund over the total": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=Money("100.01", USD)),
        InvalidInput,
    ),
    "zero refund": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=Money.zero(USD)),
        InvalidInput,
    ),
    "wrong currency": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=Money("10", "EUR")),
        InvalidInput,
    ),
    "unknown reason string": (
        lambda o: o.open_dispute(EARLIEST, reason="broken", refund=FULL),
        InvalidInput,
    ),
    "reason of the wrong type": (
        lambda o: o.open_dispute(EARLIEST, reason=3, refund=FULL),
        InvalidInput,
    ),
    "evidence as a single str": (
        lambda o: o.open_dispute(
            EARLIEST, reason=Reason.DAMAGED, refund=FULL, evidence="photo.jpg"
        ),
        InvalidInput,
    ),
    "evidence with an empty item": (
        lambda o: o.open_dispute(EARLIEST, reason=Reason.DAMAGED, refund=FULL, evidence=["", "a"]),
        InvalidInput,
    ),
    "evidence with a non-str item": (
        lambda o: o.open_dispute(EARLIEST, reason=Reason.DAMAGED, refund=FULL, evidence=[3]),
        InvalidInput,
    ),
    "received item without evidence": (
        lambda o: o.open_dispute(EARLIEST, reason=Reason.DAMAGED, refund=FULL),
        InvalidInput,
    ),
    "description not a str": (
        lambda o: o.open_dispute(EARLIEST, reason="lost", refund=FULL, description=None),
        InvalidInput,
    ),
    "time going backwards": (
        lambda o: o.open_dispute(SHIP - US, reason="lost", refund=FULL),
        InvalidInput,
    ),
    "at not a datetime": (
        lambda o: o.open_dispute("2026-03-20", reason="lost", refund=FULL),
        InvalidInput,
    ),
}


@pytest.mark.parametrize("case", BAD_OPENINGS, ids=list(BAD_OPENINGS))
def test_bad_dispute_openings_raise_and_change_nothing(case: str) -> None:
    """Each bad input to open_dispute raises its error and leaves the order as it was."""
    call, error = BAD_OPENINGS[case]

    raised = assert_refused(shipped, call, error, EARLIEST)

    assert isinstance(raised, BuyerProtectionError)
    assert isinstance(raised, ValueError)


def test_unknown_reason_message_lists_the_known_reasons() -> None:
    """An unknown reason names itself and the reasons that are accepted."""
    error = assert_refused(
        shipped, lambda o: o.open_dispute(EARLIEST, reason="broken", refund=FULL), InvalidInput
    )

    assert "broken" in str(error)
    assert "not_received" in str(error)
    assert "not_as_described" in str(error)


def test_reason_given_as_its_string_value_is_accepted() -> None:
    """A reason can be given as the marketplace's word."""
    order = shipped()

    dispute = order.open_dispute(EARLIEST, reason="not_received", refund=FULL)

    assert dispute.reason is Reason.NOT_RECEIVED


def test_evidence_is_optional_when_the_policy_does_not_require_it() -> None:
    """With evidence_required_when_received off, a received-item dispute needs no evidence."""
    order = shipped(attrs.evolve(ALIEXPRESS, evidence_required_when_received=False))

    dispute = order.open_dispute(SHIP, reason=Reason.DAMAGED, refund=FULL)

    assert dispute.evidence == ()


# -- time -------------------------------------------------------------------------


ACTIONS_AT: dict[str, Callable[[Order, Any], object]] = {
    "advance": lambda o, at: o.advance(at),
    "confirm_receipt": lambda o, at: o.confirm_receipt(at),
    "request_extension": lambda o, at: o.request_extension(at, 3),
    "open_dispute": lambda o, at: o.open_dispute(at, reason="lost", refund=FULL),
}


@pytest.mark.parametrize("name", ACTIONS_AT)
@pytest.mark.parametrize(
    "at",
    [datetime(2026, 4, 1), "2026-04-01T00:00:00+00:00", 1775001600, EPOCH.date()],
    ids=["naive", "str", "int", "date"],
)
def test_every_action_refuses_an_at_that_is_not_an_aware_datetime(name: str, at: object) -> None:
    """A naive datetime, a string, a number or a date as ``at`` raises InvalidInput."""
    error = assert_refused(shipped, lambda o: ACTIONS_AT[name](o, at), InvalidInput)

    assert "at" in str(error)


@pytest.mark.parametrize("name", ACTIONS_AT)
def test_every_action_refuses_time_going_backwards(name: str) -> None:
    """An ``at`` before the last recorded event raises InvalidInput and changes nothing."""
    error = assert_refused(shipped, lambda o: ACTIONS_AT[name](o, SHIP - US), InvalidInput)

    assert SHIP.isoformat() in str(error)


def test_an_action_at_the_same_instant_as_the_last_event_is_accepted() -> None:
    """Two events may share an instant: only earlier times are refused."""
    order = shipped()

    order.confirm_receipt(SHIP)

    assert order.state is OrderState.COMPLETED


def test_ship_refuses_backwards_time_before_payment() -> None:
    """Shipping before the payment instant is time going backwards."""
    assert_refused(new_order, lambda o: o.ship(EPOCH - US), InvalidInput)


def test_automatic_steps_are_recorded_at_their_deadline_not_at_the_call() -> None:
    """advance() long after two deadlines records each step at its own instant, by the system."""
    order = shipped()
    order.advance(EPOCH + 400 * DAY)

    steps = [(e.action, e.at, e.actor) for e in order.history if e.actor is Actor.SYSTEM]
    assert steps == [
        ("complete", PROTECTION_ENDS, Actor.SYSTEM),
        ("close", PROTECTION_ENDS + ALIEXPRESS.post_completion_window, Actor.SYSTEM),
    ]
    assert order.last_event_at == PROTECTION_ENDS + ALIEXPRESS.post_completion_window


def test_advance_twice_is_the_same_as_once() -> None:
    """advance(at) is idempotent."""
    order = disputed()
    order.advance(EARLIEST + 30 * DAY)
    once = snapshot(order)

    order.advance(EARLIEST + 30 * DAY)

    assert snapshot(order) == once


def test_advance_with_nothing_due_changes_nothing() -> None:
    """Advancing to an instant before the next deadline records nothing."""
    order = shipped()
    before = snapshot(order)

    order.advance(PROTECTION_ENDS - US)

    assert snapshot(order) == before


def test_history_ids_and_times_increase_in_recording_order() -> None:
    """Order and dispute entries are numbered in recording order and never go back in time."""
    order = disputed()
    order.advance(EARLIEST + 100 * DAY)

    entries = all_entries(order)
    assert [e.id for e in entries] == sorted({e.id for e in entries})
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def _run_in(zone: tzinfo, paid: datetime, ship: datetime, opened: datetime) -> Order:
    order = Order("z", FULL, paid.astimezone(zone))
    order.ship(ship.astimezone(zone))
    order.open_dispute(opened.astimezone(zone), reason=Reason.LOST, refund=FULL)
    return order


ZONE_IDS = ["UTC", "Asia/Shanghai", "America/Los_Angeles", "dateutil America/Los_Angeles"]
DST_ZONES = [UTC, SHANGHAI, LOS_ANGELES, dateutil_tz.gettz("America/Los_Angeles")]


@pytest.mark.parametrize("zone", DST_ZONES, ids=ZONE_IDS)
def test_deadlines_are_the_same_instants_whatever_the_zone_across_dst(zone: tzinfo) -> None:
    """UTC, Shanghai or Los Angeles inputs give the same deadlines across the 2026 DST change."""
    # Los Angeles moves from PST to PDT on 2026-03-08; every window below spans that night.
    paid = datetime(2026, 2, 20, 20, 0, tzinfo=UTC)  # 12:00 PST
    ship = datetime(2026, 2, 22, 20, 0, tzinfo=UTC)
    opened = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)  # 12:00 PST, 3 days before the change

    order = _run_in(zone, paid, ship, opened)
    reference = _run_in(UTC, paid, ship, opened)

    assert order.protection_ends == ship + 60 * DAY
    assert order.dispute is not None
    assert order.dispute.deadline == opened + 5 * DAY
    assert order.dispute.deadline == datetime(2026, 3, 10, 13, 0, tzinfo=LOS_ANGELES)  # 13:00 PDT
    assert snapshot(order) == snapshot(reference)
    assert [e.at.utcoffset() for e in order.history] == [timedelta(0)] * len(order.history)


def test_a_dst_change_does_not_shorten_the_sellers_window() -> None:
    """Five days from 12:00 PST end at 13:00 PDT: 12:30 PDT is in time, 13:00 PDT is not."""
    opened = datetime(2026, 3, 5, 12, 0, tzinfo=LOS_ANGELES)

    def build() -> Order:
        order = Order("la", FULL, datetime(2026, 2, 20, 12, 0, tzinfo=LOS_ANGELES))
        order.ship(datetime(2026, 2, 22, 12, 0, tzinfo=LOS_ANGELES))
        order.open_dispute(opened, reason=Reason.LOST, refund=FULL)
        return order

    in_time = build()
    assert in_time.dispute is not None
    in_time.dispute.seller_accept(datetime(2026, 3, 10, 12, 30, tzinfo=LOS_ANGELES))
    assert in_time.dispute.outcome is not None
    assert in_time.dispute.outcome.at == datetime(2026, 3, 10, 19, 30, tzinfo=UTC)

    too_late = datetime(2026, 3, 10, 13, 0, tzinfo=LOS_ANGELES)
    assert_refused(build, lambda o: o.dispute.seller_accept(too_late), InvalidAction, too_late)  # type: ignore[union-attr]


def test_the_repeated_hour_of_a_fall_dst_change_is_two_instants() -> None:
    """01:30 in Los Angeles on 2026-11-01 happens twice; deadlines follow the instant."""
    first = datetime(2026, 11, 1, 1, 30, tzinfo=LOS_ANGELES)
    second = first.replace(fold=1)
    deadlines = []
    for opened in (first, second):
        order = Order("fold", FULL, datetime(2026, 10, 1, tzinfo=UTC))
        order.ship(datetime(2026, 10, 2, tzinfo=UTC))
        dispute = order.open_dispute(opened, reason=Reason.LOST, refund=FULL)
        deadlines.append(dispute.deadline)

    assert deadlines[0] == datetime(2026, 11, 1, 8, 30, tzinfo=UTC) + 5 * DAY
    assert deadlines[1] == datetime(2026, 11, 1, 9, 30, tzinfo=UTC) + 5 * DAY


def test_two_instants_sharing_one_tzinfo_compare_by_instant() -> None:
    """Backwards time is judged by instant, not wall clock, even across a fall-back hour."""
    order = Order("fold", FULL, datetime(2026, 10, 30, tzinfo=UTC))
    order.ship(datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=LOS_ANGELES))  # 09:30 UTC

    with pytest.raises(InvalidInput):
        order.confirm_receipt(datetime(2026, 11, 1, 1, 45, fold=0, tzinfo=LOS_ANGELES))  # 08:45 UTC
    order.confirm_receipt(datetime(2026, 11, 1, 1, 45, fold=1, tzinfo=LOS_ANGELES))
    assert order.state is OrderState.COMPLETED


# -- the ends of the calendar ---------------------------------------------------------


@pytest.mark.parametrize("days", [10**7, 10**10])
def test_protection_days_past_the_end_of_the_calendar_are_refused(days: int) -> None:
    """Protection days whose end cannot be a datetime raise InvalidInput at ship, not later."""
    assert_refused(new_order, lambda o: o.ship(SHIP, protection_days=days), InvalidInput)


def test_an_extension_past_the_end_of_the_calendar_is_refused() -> None:
    """Extension days past the ten-year bound are InvalidInput, asked or granted, unchanged."""

    def requested() -> Order:
        order = shipped()
        order.request_extension(SHIP + DAY, 3650)
        return order

    assert_refused(shipped, lambda o: o.request_extension(SHIP + DAY, 10**7), InvalidInput)
    assert_refused(requested, lambda o: o.grant_extension(SHIP + DAY, 10**7), InvalidInput)


def test_grants_cannot_add_up_past_the_ten_year_bound() -> None:
    """With no cap in the policy, grants stop at 3650 days in all, so no deadline overflows."""

    def granted() -> Order:
        order = shipped()
        order.request_extension(SHIP + DAY, 3650)
        order.grant_extension(SHIP + DAY, 3650)
        order.request_extension(SHIP + DAY, 1)
        return order

    assert "grant_extension" not in granted().allowed()
    assert_refused(granted, lambda o: o.grant_extension(SHIP + DAY, 1), InvalidInput)


def test_a_payment_too_close_to_the_end_of_time_is_refused_or_works() -> None:
    """An order paid just before datetime.max is refused at once or works; it never overflows."""
    paid = datetime(9999, 12, 25, tzinfo=UTC)
    try:
        order = Order("late", FULL, paid)
    except InvalidInput:
        return
    order.advance(datetime(9999, 12, 31, tzinfo=UTC))


def test_a_window_too_long_for_the_calendar_is_refused_or_works() -> None:
    """A policy window of timedelta.max is refused as a Policy or works; nothing overflows."""
    try:
        policy = attrs.evolve(ALIEXPRESS, seller_response_window=timedelta.max)
    except InvalidInput:
        return
    order = shipped(policy)
    try:
        order.open_dispute(SHIP, reason=Reason.DAMAGED, refund=FULL, evidence=PHOTO)
    except InvalidInput:
        return
    order.advance(SHIP + DAY)


# -- unbounded and unsaveable input -----------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Order(10**5000, FULL, EPOCH), "order_id: expected a str, got int an int of 5001"),
        (lambda: Order("x" * 201, FULL, EPOCH), "order_id: 201 characters is too long"),
        (lambda: Order("a\ud800", FULL, EPOCH), "order_id: .* lone surrogate"),
        (lambda: Order("1", 10**5000, EPOCH), "total: expected Money above zero, got int an int"),
        (lambda: new_order().ship(SHIP, protection_days=10**5000), "an int of 5001 digits"),
        (lambda: shipped().request_extension(SHIP, 10**5000), "days: .*an int of 5001 digits"),
    ],
)
def test_huge_or_unwritable_values_are_refused_with_a_bounded_message(
    call: Callable[[], object], message: str
) -> None:
    """Ints of thousands of digits and strings UTF-8 cannot write are InvalidInput, briefly."""
    with pytest.raises(InvalidInput, match=message) as info:
        call()
    assert len(str(info.value)) < 400


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"evidence": ["a\udcff.jpg"]}, r"evidence\[0\]: .*lone surrogate"),
        ({"evidence": ["x" * 10_001]}, r"evidence\[0\]: 10001 characters is too long"),
        ({"evidence": {"a.jpg": 1}}, "evidence: expected a sequence of str"),
        ({"evidence": [""]}, r"evidence\[0\]: expected a non-empty str"),
        ({"description": "\ud83d"}, "description: .*lone surrogate"),
        ({"description": 10**5000}, "description: expected a str, got int an int of 5001"),
    ],
)
def test_dispute_texts_that_cannot_be_saved_are_refused(
    kwargs: dict[str, Any], message: str
) -> None:
    """Evidence and descriptions must be texts a document can hold; nothing changes."""
    arguments = {"reason": Reason.DAMAGED, "refund": FULL, "evidence": PHOTO, **kwargs}
    refusal = assert_refused(
        shipped, lambda order: order.open_dispute(SHIP + DAY, **arguments), InvalidInput
    )
    assert re.search(message, str(refusal))


class _BrokenZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("broken")

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


class _FarZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)  # out of range: datetime refuses it

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


@pytest.mark.parametrize("zone", [_BrokenZone(), _FarZone()])
def test_a_broken_time_zone_is_invalid_input_and_changes_nothing(zone: tzinfo) -> None:
    """A tzinfo whose utcoffset() raises or is out of range gives InvalidInput."""
    with pytest.raises(InvalidInput, match=r"paid_at: the time zone .* gives no valid UTC offset"):
        Order("1", FULL, EPOCH.replace(tzinfo=zone))
    refusal = assert_refused(
        shipped,
        lambda order: order.confirm_receipt(datetime(2026, 3, 3, tzinfo=zone)),
        InvalidInput,
    )
    assert "no valid UTC offset" in str(refusal)


# -- protection counted from payment, shipped after it ended ----------------------------


def test_shipped_after_protection_from_payment_ended_completes_at_the_shipment() -> None:
    """A late shipment under protection-from-payment completes at once, dated at the shipment."""
    policy = attrs.evolve(ALIEXPRESS, protection_from_payment=True, protection_days=1)
    order = new_order(policy)
    late = EPOCH + 2 * DAY
    order.ship(late)
    assert order.protection_ends == EPOCH + DAY
    assert order.state is OrderState.COMPLETED
    assert order.completed_at == late
    assert [(e.action, e.at) for e in order.history[1:]] == [("ship", late), ("complete", late)]
    deadline = order.next_deadline
    assert deadline is not None
    assert deadline.action == "close"
    assert deadline.at == late + policy.post_completion_window
    assert deadline.at >= order.last_event_at


# -- a refusal says how a closed order closed -------------------------------------------


def test_ship_after_the_automatic_cancellation_says_the_order_was_cancelled() -> None:
    """Refusing ship on an order cancelled at its shipping deadline says so, and when."""
    deadline = EPOCH + ALIEXPRESS.processing_time
    order = new_order()
    with pytest.raises(InvalidAction) as info:
        order.ship(deadline + DAY)
    assert (
        f"the order was cancelled at {deadline.isoformat()}: the seller did not ship within "
        "the processing time (7 days after payment)"
    ) in str(info.value)


def test_acting_on_a_resolved_dispute_says_when_it_was_resolved() -> None:
    """A finished dispute's refusal names how and when it ended."""
    order = disputed()
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_accept(EARLIEST + DAY)
    with pytest.raises(
        InvalidAction, match=r"the dispute was resolved at .* \(negotiation_consensus\)"
    ):
        dispute.escalate(EARLIEST + 2 * DAY)


# -- tracking scans at one instant --------------------------------------------------------


def test_scans_at_one_instant_keep_the_order_they_came_in() -> None:
    """Ties keep their arrival order, the last is the latest, a repeat keeps its first place."""
    order = shipped()
    at = SHIP + 2 * DAY
    transit = TrackingEvent(at, "in_transit", "departed")
    customs = TrackingEvent(at, "customs", "handed to customs")
    earlier = TrackingEvent(at - DAY, "info_received")
    assert order.add_tracking(transit)
    assert order.add_tracking(customs)
    assert order.add_tracking(earlier)
    assert not order.add_tracking(transit)
    assert order.tracking == (earlier, transit, customs)
    assert order.parcel(at) is Parcel.CUSTOMS
    assert Order.replay(order.log).tracking == order.tracking
    assert loads(dumps(order)).tracking == order.tracking


def test_returned_to_sender_after_normal_movement_opens_not_received_at_once() -> None:
    """In transit on day 9, returned to sender on day 12: 'not received' opens on day 12."""
    order = shipped(promised_days=20)
    order.add_tracking(TrackingEvent(SHIP + 9 * DAY, "in_transit"))
    order.add_tracking(TrackingEvent(SHIP + 12 * DAY, "returned_to_sender"))
    assert order.earliest_dispute == SHIP + 12 * DAY
    with pytest.raises(InvalidAction) as info:
        order.open_dispute(SHIP + 12 * DAY - US, reason=Reason.RETURNED_TO_SENDER, refund=FULL)
    assert info.value.possible_from == SHIP + 12 * DAY
    order.open_dispute(SHIP + 12 * DAY, reason=Reason.RETURNED_TO_SENDER, refund=FULL)
    assert order.state is OrderState.IN_DISPUTE


def test_the_spelled_right_alias_of_the_seller_timeout_resolution() -> None:
    """Resolution.SELLER_RESPONSE_TIMEOUT is the member the seller API spells 'reponse'."""
    assert Resolution.SELLER_RESPONSE_TIMEOUT is Resolution.SELLER_REPONSE_TIMEOUT
    assert Resolution.SELLER_RESPONSE_TIMEOUT.value == "seller_reponse_timeout"
    # the three of the seller API, and the library's own return_not_shipped and expired
    assert [r.value for r in Resolution] == [
        "negotiation_consensus",
        "platform_arbitrate",
        "seller_reponse_timeout",
        "return_not_shipped",
        "expired",
    ]
