"""eBay's Money Back Guarantee (`EBAY_US`, `EBAY_UK`) through the public API: the seller's
3 business days, after which the buyer may ask eBay to step in (nothing happens by
itself), and the request that closes 21 business days after its opening unless
escalated; business days counted on the site's calendar, across weekends, public
holidays and a change of the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buyer_protection import (
    EBAY_UK,
    EBAY_US,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Resolution,
)
from checks import TICK, dispute_of, money, refused, resolved_at, round_trips

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")


def request(policy: Policy, opened: datetime) -> Order:
    """An order of 100 (USD on eBay US, GBP on eBay UK) with a "not received" request
    opened at *opened*, two days after the estimated delivery; checked for storage and
    replay at each step."""
    currency = "GBP" if policy is EBAY_UK else "USD"
    order = Order("ebay-1", Money("100", currency), opened - timedelta(days=10), policy)
    round_trips(order)
    order.ship(opened - timedelta(days=9), estimated_delivery=opened - timedelta(days=2))
    round_trips(order)
    order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=order.total)
    round_trips(order)
    return order


# (the rules, the request's opening, the seller's deadline, the request's close)
CALENDARS = {
    "us-thanksgiving-and-christmas": (
        EBAY_US,
        # Wednesday 25 Nov 10:00 in Los Angeles; Thanksgiving is Thursday 26.
        datetime(2026, 11, 25, 10, tzinfo=LOS_ANGELES),
        # Friday 27 (1), Monday 30 (2), Tuesday 1 Dec (3), at 10:00.
        datetime(2026, 12, 1, 18, tzinfo=UTC),
        # 21 business days: Christmas (Friday 25 Dec) skipped, Monday 28 Dec.
        datetime(2026, 12, 28, 18, tzinfo=UTC),
    ),
    "us-independence-day-observed": (
        EBAY_US,
        # Thursday 2 Jul 10:00 PDT; Independence Day (Saturday) is observed Friday 3.
        datetime(2026, 7, 2, 10, tzinfo=LOS_ANGELES),
        # Monday 6 (1), Tuesday 7 (2), Wednesday 8 (3).
        datetime(2026, 7, 8, 17, tzinfo=UTC),
        datetime(2026, 8, 3, 17, tzinfo=UTC),
    ),
    "uk-may-bank-holidays": (
        EBAY_UK,
        # Friday 1 May 10:00 BST; Monday 4 May is the early May bank holiday.
        datetime(2026, 5, 1, 10, tzinfo=LONDON),
        # Tuesday 5 (1), Wednesday 6 (2), Thursday 7 (3).
        datetime(2026, 5, 7, 9, tzinfo=UTC),
        # 21 business days, the spring bank holiday (Monday 25 May) skipped too.
        datetime(2026, 6, 3, 9, tzinfo=UTC),
    ),
    "uk-christmas-and-boxing-day": (
        EBAY_UK,
        # Thursday 24 Dec 10:00 GMT: Christmas Friday 25, Boxing Day (Saturday 26) is
        # observed Monday 28.
        datetime(2026, 12, 24, 10, tzinfo=LONDON),
        # Tuesday 29 (1), Wednesday 30 (2), Thursday 31 (3).
        datetime(2026, 12, 31, 10, tzinfo=UTC),
        # 21 business days, New Year's Day 2027 skipped too.
        datetime(2027, 1, 27, 10, tzinfo=UTC),
    ),
}
CASES = pytest.mark.parametrize(
    ("policy", "opened", "seller_ends", "closes"), CALENDARS.values(), ids=CALENDARS.keys()
)


@CASES
def test_the_seller_has_three_business_days_on_the_site_s_calendar(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """The seller's deadline is 3 business days after the opening, at its wall-clock time,
    skipping the weekend and the site's public holidays; the request's next automatic
    step is its close, 21 business days after the opening."""
    order = request(policy, opened)
    dispute = dispute_of(order)

    assert dispute.seller_deadline == seller_ends
    assert dispute.negotiation_deadline == closes
    assert dispute.deadline == closes
    next_step = order.next_deadline
    assert next_step is not None
    assert (next_step.at, next_step.action) == (closes, "negotiation_timeout")


@CASES
def test_the_seller_s_deadline_passes_with_no_automatic_step(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """At the seller's deadline nothing happens by itself: the request still awaits the
    seller, nothing is recorded, and the seller can still resolve it after it."""
    order = request(policy, opened)
    dispute = dispute_of(order)
    history = order.log

    order.advance(seller_ends + timedelta(hours=1))

    assert dispute.state is DisputeState.AWAITING_SELLER
    assert order.log == history
    dispute.seller_accept(seller_ends + timedelta(hours=1))
    round_trips(order)
    assert dispute.outcome is not None
    assert dispute.outcome.refund == order.total
    assert dispute.outcome.reached_by is Resolution.NEGOTIATION_CONSENSUS


@CASES
def test_escalation_is_refused_until_the_seller_s_deadline_and_allowed_at_it(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """One microsecond before the seller's deadline, asking eBay to step in is refused
    (possible from the deadline) and changes nothing; at the deadline it is allowed."""
    order = request(policy, opened)
    dispute = dispute_of(order)

    error = refused(order, lambda: dispute.escalate(seller_ends - TICK))

    assert isinstance(error, InvalidAction)
    assert error.possible_from == seller_ends
    assert "escalate" in str(error)
    dispute.escalate(seller_ends)
    round_trips(order)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.escalated_at == seller_ends


@CASES
def test_escalate_is_listed_as_allowed_only_from_the_seller_s_deadline(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """The actions allowed as of an instant never list an escalation eBay would refuse
    then: not one microsecond before the seller's deadline, and from it on; the refusal
    does not list it either."""
    order = request(policy, opened)

    assert "escalate" not in order.allowed()
    assert "escalate" not in order.as_of(seller_ends - TICK).allowed()
    error = refused(order, lambda: dispute_of(order).escalate(seller_ends - TICK))
    assert "escalate (buyer)" not in str(error)
    assert "escalate" in order.as_of(seller_ends).allowed()
    order.advance(seller_ends)
    assert "escalate" in order.allowed()


@CASES
def test_escalation_from_a_counter_offer_waits_for_the_seller_s_deadline_too(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """After the seller's counter-offer the buyer may still not escalate before the
    seller's deadline (possible from it), and may at it."""
    order = request(policy, opened)
    dispute = dispute_of(order)
    dispute.seller_reject(opened + timedelta(hours=1), counter_offer=money("20", order))
    round_trips(order)

    error = refused(order, lambda: dispute.escalate(seller_ends - TICK))

    assert isinstance(error, InvalidAction)
    assert error.possible_from == seller_ends
    dispute.escalate(seller_ends)
    round_trips(order)
    assert dispute.state is DisputeState.ARBITRATION


@CASES
def test_a_request_not_escalated_closes_21_business_days_after_its_opening(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """One microsecond before the close the request still awaits the seller; at it, it
    is resolved with no refund (expired), the order closes, and no new dispute can be
    opened."""
    order = request(policy, opened)

    outcome = resolved_at(order, closes, DisputeState.AWAITING_SELLER)

    assert (outcome.refund, outcome.reached_by) == (money("0", order), Resolution.EXPIRED)
    assert order.state is OrderState.CLOSED
    assert order.refunded == money("0", order)
    last = order.log[-1]
    assert (last.action, last.actor.value, last.at) == ("dispute_resolved", "system", closes)
    refused(
        order,
        lambda: order.open_dispute(
            closes + TICK, reason=Reason.NOT_AS_DESCRIBED, refund=order.total, evidence=["a.jpg"]
        ),
    )


@CASES
def test_a_request_in_negotiation_closes_at_the_same_instant(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """A counter-offer the buyer neither accepts nor escalates does not move the close:
    the request still expires 21 business days after its opening."""
    order = request(policy, opened)
    dispute = dispute_of(order)
    dispute.seller_reject(opened + timedelta(days=1), counter_offer=money("20", order))
    dispute.buyer_modify(opened + timedelta(days=2), refund=money("90", order))
    dispute.seller_reject(opened + timedelta(days=3), counter_offer=money("30", order))
    round_trips(order)

    assert dispute.deadline == closes
    outcome = resolved_at(order, closes, DisputeState.NEGOTIATING)
    assert outcome.reached_by is Resolution.EXPIRED


@CASES
def test_escalating_one_microsecond_before_the_close_keeps_the_request(
    policy: Policy, opened: datetime, seller_ends: datetime, closes: datetime
) -> None:
    """Escalated one microsecond before its close, the request goes to eBay and does not
    expire; escalating at the close is too late: the request has closed."""
    late = request(policy, opened)
    refused(late, lambda: dispute_of(late).escalate(closes), at=closes)
    assert dispute_of(late).state is DisputeState.RESOLVED
    order = request(policy, opened)
    dispute = dispute_of(order)

    dispute.escalate(closes - TICK)
    round_trips(order)
    order.advance(closes + timedelta(days=400))

    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None
    assert order.state is OrderState.IN_DISPUTE


def test_business_days_keep_the_wall_clock_time_across_a_change_of_the_clocks() -> None:
    """Counted in business days, the seller's deadline keeps the opening's local time in
    Los Angeles across the end of daylight saving time (1 November 2026): 10:00 PDT on
    Thursday, 10:00 PST on Tuesday, which is 5 days and 1 hour of elapsed time."""
    opened = datetime(2026, 10, 29, 10, tzinfo=LOS_ANGELES)
    order = request(EBAY_US, opened)
    dispute = dispute_of(order)

    assert dispute.seller_deadline == datetime(2026, 11, 3, 18, tzinfo=UTC)
    assert dispute.seller_deadline - opened == timedelta(days=5, hours=1)
    refused(order, lambda: dispute.escalate(datetime(2026, 11, 3, 18, tzinfo=UTC) - TICK))
    dispute.escalate(datetime(2026, 11, 3, 10, tzinfo=LOS_ANGELES))
    assert dispute.state is DisputeState.ARBITRATION


def test_a_changed_request_does_not_move_the_close() -> None:
    """The buyer changing the request starts the seller's 3 business days again, but the
    request still closes 21 business days after its opening."""
    opened, closes = datetime(2026, 5, 1, 10, tzinfo=LONDON), datetime(2026, 6, 3, 9, tzinfo=UTC)
    order = request(EBAY_UK, opened)
    dispute = dispute_of(order)

    dispute.buyer_modify(datetime(2026, 5, 5, 10, tzinfo=LONDON), refund=money("80", order))
    round_trips(order)

    assert dispute.seller_deadline == datetime(2026, 5, 8, 9, tzinfo=UTC)
    assert dispute.deadline == closes


def test_an_escalation_the_close_comes_before_is_refused_with_no_possible_from() -> None:
    """A request changed so late that the seller's new 3 business days end after the
    request closes: escalation is refused with no ``possible_from`` (the close comes
    first), the refusal saying when the request closes."""
    opened, closes = datetime(2026, 5, 1, 10, tzinfo=LONDON), datetime(2026, 6, 3, 9, tzinfo=UTC)
    order = request(EBAY_UK, opened)
    dispute = dispute_of(order)
    changed = closes - timedelta(hours=2)
    dispute.buyer_modify(changed, refund=money("80", order))
    assert dispute.seller_deadline is not None
    assert dispute.seller_deadline > closes

    error = refused(order, lambda: dispute.escalate(changed + TICK))

    assert isinstance(error, InvalidAction)
    assert error.possible_from is None
    assert "2026-06-03T09:00:00+00:00" in str(error)
