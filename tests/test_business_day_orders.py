"""An order under a policy that counts in business days, or that has closed periods:
every clock of both lifecycles, the tracking verdict, replay, as_of, the advice and the
status text, end to end through the public API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    BusinessDays,
    Calendar,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Parcel,
    Policy,
    Reason,
    Remedy,
    Resolution,
    TrackingEvent,
    advise,
)
from buyer_protection._cli_render import Clock, status
from buyer_protection.aliexpress import from_issue_detail
from strategies import Step, business_days, calendars, instants, new_order, run, scenarios
from test_aliexpress import agreed_by_silence, issue_of, load, refusal

US = timedelta(microseconds=1)
DAY = timedelta(days=1)
FULL = Money("100", "USD")
LONDON_GB = Calendar("Europe/London", country="GB")
BUSINESS = attrs.evolve(ALIEXPRESS, seller_response_window=BusinessDays(3), calendar=LONDON_GB)
"""The issue's example: the seller has 3 business days on the London calendar."""

PAID = datetime(2026, 4, 20, 9, tzinfo=UTC)  # Monday
SHIPPED = datetime(2026, 4, 21, 9, tzinfo=UTC)
OPENED = SHIPPED + ALIEXPRESS.earliest_not_received  # Friday 1 May, 10:00 in London
SELLER_DEADLINE = datetime(2026, 5, 7, 9, tzinfo=UTC)  # Thursday: Monday 4 May is a holiday


def opened(policy: Policy = BUSINESS) -> Order:
    """An order paid at PAID, shipped at SHIPPED, with a 'not received' dispute at OPENED."""
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)
    order.open_dispute(OPENED, reason=Reason.NOT_RECEIVED, refund=FULL)
    return order


def test_the_seller_deadline_counts_three_business_days_past_a_bank_holiday() -> None:
    """Opened on Friday 10:00 in London before the May bank holiday, the seller's window
    ends on Thursday 10:00, which is the dispute's and the order's next deadline."""
    order = opened()
    dispute = order.dispute
    assert dispute is not None

    assert dispute.seller_deadline == dispute.deadline == SELLER_DEADLINE
    assert order.next_deadline is not None
    assert order.next_deadline.at == SELLER_DEADLINE
    assert order.next_deadline.action == "seller_timeout"


def test_the_seller_timeout_fires_at_the_deadline_and_not_one_microsecond_before() -> None:
    """One microsecond before the deadline the seller may still answer; at it the request
    is refunded by the seller's silence, dated at the deadline."""
    order = opened()
    dispute = order.dispute
    assert dispute is not None

    order.advance(SELLER_DEADLINE - US)
    assert dispute.state is DisputeState.AWAITING_SELLER
    order.advance(SELLER_DEADLINE)

    assert dispute.state is DisputeState.RESOLVED
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
    assert dispute.outcome.at == SELLER_DEADLINE
    assert order.refunded == FULL


def test_the_seller_can_still_answer_one_microsecond_before_the_deadline() -> None:
    """A counter-offer at the last instant before the business-day deadline is accepted."""
    order = opened()
    dispute = order.dispute
    assert dispute is not None

    dispute.seller_reject(SELLER_DEADLINE - US, counter_offer=Money("30", "USD"))

    assert dispute.state is DisputeState.NEGOTIATING
    with pytest.raises(InvalidAction):
        opened().dispute.seller_reject(  # type: ignore[union-attr]
            SELLER_DEADLINE, counter_offer=Money("30", "USD")
        )


def test_replay_and_as_of_agree_with_the_order_under_business_days() -> None:
    """The log replays to the same order, and as_of the deadline sees what advancing does."""
    order = opened()
    ahead = order.as_of(SELLER_DEADLINE)
    before = order.as_of(SELLER_DEADLINE - US)
    order.advance(SELLER_DEADLINE)

    again = Order.replay(order.log)

    assert again.log == order.log
    assert again.state is order.state is OrderState.CLOSED
    assert ahead.log == order.log
    assert before.dispute is not None
    assert before.dispute.state is DisputeState.AWAITING_SELLER


def test_the_buyers_advice_says_business_days() -> None:
    """Before the dispute, the buyer is told the seller then has 3 business days."""
    order = new_order(BUSINESS, paid_at=PAID)
    order.ship(SHIPPED)

    (step,) = [s for s in advise(order, OPENED) if s.action == "open_dispute"]

    assert "The seller then has 3 business days to answer." in step.why


def test_an_elapsed_policy_still_says_days() -> None:
    """The same advice under the preset says 5 days, as before."""
    order = new_order(ALIEXPRESS, paid_at=PAID)
    order.ship(SHIPPED)

    (step,) = [s for s in advise(order, OPENED) if s.action == "open_dispute"]

    assert "The seller then has 5 days to answer." in step.why


def test_the_sellers_advice_and_the_status_text_say_business_days() -> None:
    """The seller is told that without agreement within 2 business days the platform decides,
    and the status text says so too."""
    policy = attrs.evolve(BUSINESS, negotiation_window=BusinessDays(2))
    order = opened(policy)

    (reject,) = [s for s in advise(order, OPENED, side="seller") if s.action == "seller_reject"]
    shown = status(order, OPENED, Clock(None), as_json=False, side="seller")

    assert "without agreement within 2 business days the platform decides" in reject.why
    assert "2 business days" in shown


def test_negotiation_ends_on_the_business_day_deadline() -> None:
    """After a counter-offer on Friday, 2 business days end on Wednesday (Monday is a
    holiday), and the platform takes the dispute then."""
    order = opened(attrs.evolve(BUSINESS, negotiation_window=BusinessDays(2)))
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(OPENED, counter_offer=Money("30", "USD"))
    ends = datetime(2026, 5, 6, 9, tzinfo=UTC)

    assert dispute.negotiation_deadline == ends
    order.advance(ends - US)
    assert dispute.state is DisputeState.NEGOTIATING
    order.advance(ends)
    assert dispute.state is DisputeState.ARBITRATION


def test_an_unshipped_order_is_cancelled_after_its_business_day_processing_time() -> None:
    """Paid on Friday before the bank holiday, 5 business days end on Monday 11 May; the
    refusal to ship then says 5 business days."""
    paid = datetime(2026, 5, 1, 9, tzinfo=UTC)
    policy = attrs.evolve(BUSINESS, processing_time=BusinessDays(5))
    ends = datetime(2026, 5, 11, 9, tzinfo=UTC)
    order = new_order(policy, paid_at=paid)

    assert order.shipping_deadline == ends
    order.advance(ends - US)
    assert order.state is OrderState.AWAITING_SHIPMENT
    with pytest.raises(InvalidAction, match="processing time \\(5 business days after payment\\)"):
        order.ship(ends)
    assert order.state is OrderState.CLOSED


def test_a_parcel_stalls_after_business_days_without_a_scan() -> None:
    """A scan on Friday with stalled_after of 2 business days stalls on Wednesday 10:00."""
    policy = attrs.evolve(BUSINESS, stalled_after=BusinessDays(2))
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)
    scan = datetime(2026, 5, 1, 9, tzinfo=UTC)
    order.add_tracking(TrackingEvent(scan, "in_transit"))
    stalls = datetime(2026, 5, 6, 9, tzinfo=UTC)

    assert order.parcel(stalls - US) is Parcel.IN_TRANSIT
    assert order.parcel(stalls) is Parcel.STALLED


def test_not_received_opens_after_business_days_from_shipment() -> None:
    """A shipment on Tuesday 21 April can be disputed as not received 8 business days
    later, on Friday 1 May; 9 business days skip the bank holiday to Tuesday 5 May."""
    policy = attrs.evolve(BUSINESS, earliest_not_received=BusinessDays(8))
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)  # Tuesday 21 April

    assert order.earliest_dispute == datetime(2026, 5, 1, 9, tzinfo=UTC)
    policy = attrs.evolve(policy, earliest_not_received=BusinessDays(9))
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)
    assert order.earliest_dispute == datetime(2026, 5, 5, 9, tzinfo=UTC)


def test_the_time_to_dispute_after_completion_counts_business_days() -> None:
    """Confirmed on Friday 1 May, 3 business days after completion end on Thursday."""
    policy = attrs.evolve(BUSINESS, post_completion_window=BusinessDays(3))
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)
    order.confirm_receipt(OPENED)
    ends = datetime(2026, 5, 7, 9, tzinfo=UTC)

    assert order.post_completion_ends == ends
    order.advance(ends - US)
    assert order.state is OrderState.COMPLETED
    order.advance(ends)
    assert order.state is OrderState.CLOSED


def test_the_return_clocks_count_business_days() -> None:
    """An agreed return on Friday: 3 business days to ship it back (Thursday), then 2 to
    confirm it after it was shipped on Tuesday (Thursday again)."""
    policy = attrs.evolve(
        BUSINESS, return_shipping_window=BusinessDays(3), return_confirm_window=BusinessDays(2)
    )
    order = new_order(policy, paid_at=PAID)
    order.ship(SHIPPED)
    dispute = order.open_dispute(
        datetime(2026, 4, 30, 9, tzinfo=UTC),
        reason=Reason.DAMAGED,
        refund=FULL,
        remedy=Remedy.RETURN_AND_REFUND,
        evidence=("photo.jpg",),
    )
    dispute.seller_accept(OPENED)

    assert dispute.return_ship_deadline == datetime(2026, 5, 7, 9, tzinfo=UTC)
    dispute.ship_return(datetime(2026, 5, 5, 9, tzinfo=UTC), tracking_number="RR123456785CN")
    assert dispute.return_confirm_deadline == datetime(2026, 5, 7, 9, tzinfo=UTC)
    order.advance(datetime(2026, 5, 7, 9, tzinfo=UTC))
    assert dispute.outcome is not None
    assert dispute.outcome.at == datetime(2026, 5, 7, 9, tzinfo=UTC)


def test_a_closed_period_stretches_an_elapsed_seller_window() -> None:
    """Five elapsed days from Friday 10:00 hold the closed Saturday and Sunday whole:
    the seller's window ends two days later."""
    closed = Calendar("Europe/London", closed=((date(2026, 5, 2), date(2026, 5, 3)),))
    order = opened(attrs.evolve(ALIEXPRESS, calendar=closed))
    dispute = order.dispute
    assert dispute is not None

    assert dispute.seller_deadline == OPENED + 7 * DAY
    order.advance(OPENED + 7 * DAY - US)
    assert dispute.state is DisputeState.AWAITING_SELLER


def test_the_preset_calendar_gives_todays_deadlines() -> None:
    """Under the preset (elapsed days, nothing closed) the seller's window is 5 days."""
    dispute = opened(ALIEXPRESS).dispute
    assert dispute is not None

    assert dispute.seller_deadline == OPENED + 5 * DAY


# -- the AliExpress import --------------------------------------------------------------


def test_import_widens_a_business_day_processing_time_the_shipment_came_after() -> None:
    """Shipped about a day and a half after payment: one business day is too short, so
    the order's processing time becomes the elapsed time to the shipment and a second."""
    policy = attrs.evolve(ALIEXPRESS, processing_time=BusinessDays(1))

    order = from_issue_detail(
        load("issue_awaiting_seller"), order_detail=load("order_detail"), policy=policy
    )

    assert order.shipped_at is not None
    assert order.policy.processing_time == order.shipped_at - order.paid_at + timedelta(seconds=1)


def test_import_keeps_a_business_day_processing_time_that_covers_the_shipment() -> None:
    """Two business days from payment end after the shipment: the policy keeps them."""
    policy = attrs.evolve(ALIEXPRESS, processing_time=BusinessDays(2))

    order = from_issue_detail(
        load("issue_awaiting_seller"), order_detail=load("order_detail"), policy=policy
    )

    assert order.policy.processing_time == BusinessDays(2)


def test_import_counts_the_sellers_window_in_business_days() -> None:
    """An imported dispute opened on Thursday 18:00 UTC under the London calendar waits
    for the seller until Tuesday 18:00 (3 business days)."""
    order = from_issue_detail(load("issue_awaiting_seller"), policy=BUSINESS)

    assert order.dispute is not None
    assert order.dispute.deadline == datetime(2026, 3, 10, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reached", "agreed"), [("2026-09-24 19:44:59", False), ("2026-09-24 19:45:00", True)]
)
def test_import_checks_silence_against_the_business_day_window_and_says_so(
    reached: str, agreed: bool
) -> None:
    """An issue opened on Tuesday 02:45 UTC: the seller's 3 business days end on Friday
    02:45 UTC; silence reported a second before is refused in words that say business days."""
    doc = agreed_by_silence(reached)
    issue_of(doc)["gmt_modified"] = reached
    policy = attrs.evolve(ALIEXPRESS, seller_response_window=BusinessDays(3))

    if agreed:
        dispute = from_issue_detail(doc, policy=policy).dispute
        assert dispute is not None
        assert dispute.agreement is not None
        assert dispute.agreement.at == datetime(2026, 9, 25, 2, 45, tzinfo=UTC)
    else:
        assert str(refusal(doc, policy=policy)).endswith(
            "is before the seller's window ends at 2026-09-24 19:45:00 PDT under the policy "
            "(seller_response_window 3 business days)"
        )


# -- properties ---------------------------------------------------------------------------


@given(calendars(), business_days(10), instants(), scenarios(max_size=12))
def test_an_order_under_business_days_replays_and_looks_ahead_to_itself(
    calendar: Calendar, duration: BusinessDays, paid: datetime, scenario: list[Step]
) -> None:
    """Under business-day windows and closed periods, every automatic step is dated on a
    business day's deadline, the log replays to the same order, and as_of agrees."""
    policy = attrs.evolve(
        ALIEXPRESS,
        calendar=calendar,
        processing_time=duration,
        seller_response_window=duration,
        negotiation_window=BusinessDays(duration.n + 1),
        return_shipping_window=duration,
        return_confirm_window=duration,
        stalled_after=duration,
        post_completion_window=timedelta(days=duration.n),
    )
    order = new_order(policy, paid_at=paid)
    for _ in run(order, scenario):
        pass
    end = order.last_event_at + 60 * DAY
    ahead = order.as_of(end)
    order.advance(end)

    assert Order.replay(order.log).log == order.log
    assert ahead.log == order.log
    zone = ZoneInfo(calendar.timezone)
    for entry in order.log:
        if entry.actor is Actor.SYSTEM and entry.action in ("seller_timeout", "cancel_unshipped"):
            assert calendar.is_business_day(entry.at.astimezone(zone).date())
