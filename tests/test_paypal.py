"""PayPal's Purchase Protection (`PAYPAL`) through the public API: the inquiry that closes
20 days after its opening unless the buyer escalates it to a claim, the claim in which
the seller has 10 days from the escalation (silence refunds it) and the platform may
decide at any time, the 10 days to ship a return after a decision; every duration
elapsed time, across a change of the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from buyer_protection import (
    PAYPAL,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Reason,
    Remedy,
    Resolution,
)
from checks import TICK, dispute_of, refused, resolved_at, round_trips

NEW_YORK = ZoneInfo("America/New_York")
TOTAL = Money("100", "USD")
NOTHING = Money("0", "USD")
OPENED = datetime(2026, 10, 25, 10, tzinfo=NEW_YORK)
"""The inquiry's opening: Sunday 25 October 10:00 EDT, a week before the clocks go back."""
CLOSES = datetime(2026, 11, 14, 14, tzinfo=UTC)
"""20 days of elapsed time after OPENED: 09:00 EST, the clocks having gone back."""
ESCALATED = datetime(2026, 10, 28, 10, tzinfo=NEW_YORK)
"""The buyer turns the inquiry into a claim: Wednesday 28 October 10:00 EDT."""
SELLER_ENDS = datetime(2026, 11, 7, 14, tzinfo=UTC)
"""10 days of elapsed time after ESCALATED: 09:00 EST."""


def inquiry() -> Order:
    """An order paid 100 USD with a "not received" inquiry opened at OPENED, checked for
    storage and replay at each step."""
    order = Order("paypal-1", TOTAL, OPENED - timedelta(days=5), PAYPAL)
    round_trips(order)
    order.ship(OPENED - timedelta(days=4))
    round_trips(order)
    order.open_dispute(OPENED, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    round_trips(order)
    return order


def claim() -> Order:
    """The inquiry of `inquiry`, escalated to a claim at ESCALATED."""
    order = inquiry()
    dispute_of(order).escalate(ESCALATED)
    round_trips(order)
    return order


def test_the_inquiry_closes_20_days_of_elapsed_time_after_its_opening() -> None:
    """The inquiry's deadline is exactly 20 times 24 hours after its opening, although
    the clocks went back in between (10:00 EDT, then 09:00 EST); the seller has no
    clock in the inquiry."""
    order = inquiry()
    dispute = dispute_of(order)

    assert dispute.negotiation_deadline == dispute.deadline == CLOSES
    elapsed = CLOSES - OPENED
    assert elapsed == timedelta(hours=20 * 24)
    assert CLOSES.astimezone(NEW_YORK).hour == 9
    assert dispute.seller_deadline is None


def test_an_inquiry_not_escalated_closes_with_no_refund() -> None:
    """One microsecond before its close the inquiry still awaits the seller; at it, it
    is resolved with no refund (expired), the order closes, and no new dispute can be
    opened."""
    order = inquiry()

    outcome = resolved_at(order, CLOSES, DisputeState.AWAITING_SELLER)

    assert (outcome.refund, outcome.reached_by) == (NOTHING, Resolution.EXPIRED)
    assert order.state is OrderState.CLOSED
    assert order.refunded == NOTHING
    refused(
        order,
        lambda: order.open_dispute(CLOSES + TICK, reason=Reason.NOT_RECEIVED, refund=TOTAL),
    )


def test_an_inquiry_in_negotiation_closes_at_the_same_instant() -> None:
    """The seller's counter-offer in the inquiry does not move its close."""
    order = inquiry()
    dispute = dispute_of(order)
    dispute.seller_reject(OPENED + timedelta(days=1), counter_offer=Money("40", "USD"))
    round_trips(order)

    assert dispute.deadline == CLOSES
    outcome = resolved_at(order, CLOSES, DisputeState.NEGOTIATING)
    assert outcome.reached_by is Resolution.EXPIRED


def test_the_buyer_escalates_until_one_microsecond_before_the_close() -> None:
    """Escalating one microsecond before the inquiry's close makes it a claim; at the
    close it is too late: the inquiry has closed."""
    late = inquiry()
    refused(late, lambda: dispute_of(late).escalate(CLOSES), at=CLOSES)
    assert dispute_of(late).state is DisputeState.RESOLVED

    order = inquiry()
    dispute_of(order).escalate(CLOSES - TICK)
    round_trips(order)
    assert dispute_of(order).state is DisputeState.ARBITRATION
    assert dispute_of(order).seller_deadline == CLOSES - TICK + timedelta(days=10)


def test_a_cancelled_inquiry_cannot_be_opened_again() -> None:
    """PayPal does not reopen a case the buyer closed: a new dispute after a cancelled
    one is refused and changes nothing."""
    order = inquiry()
    dispute_of(order).cancel(OPENED + timedelta(days=1))
    round_trips(order)

    assert order.state is OrderState.SHIPPED
    error = refused(
        order,
        lambda: order.open_dispute(
            OPENED + timedelta(days=2), reason=Reason.NOT_RECEIVED, refund=TOTAL
        ),
    )
    assert "cancelled" in str(error)


def test_the_seller_s_10_days_start_at_the_escalation() -> None:
    """In the claim the seller's deadline is 10 times 24 hours after the escalation
    (across the change of the clocks), the claim's next automatic step; the inquiry's
    close no longer applies."""
    order = claim()
    dispute = dispute_of(order)

    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.escalated_at == ESCALATED
    assert dispute.seller_deadline == dispute.deadline == SELLER_ENDS
    elapsed = SELLER_ENDS - ESCALATED
    assert elapsed == timedelta(hours=10 * 24)
    next_step = order.next_deadline
    assert next_step is not None
    assert (next_step.at, next_step.action) == (SELLER_ENDS, "seller_timeout")


def test_the_seller_s_silence_in_the_claim_refunds_it() -> None:
    """One microsecond before the seller's deadline the claim waits; at it, the buyer's
    request is refunded by the seller's silence and the order closes."""
    order = claim()

    outcome = resolved_at(order, SELLER_ENDS, DisputeState.ARBITRATION)

    assert (outcome.refund, outcome.reached_by) == (TOTAL, Resolution.SELLER_REPONSE_TIMEOUT)
    assert order.refunded == TOTAL
    assert order.state is OrderState.CLOSED


def test_a_claim_escalated_from_a_negotiation_waits_for_the_seller_too() -> None:
    """A counter-offer in the inquiry, then the buyer's escalation: the seller has 10
    days from the escalation to answer the claim, and silence refunds it."""
    order = inquiry()
    dispute = dispute_of(order)
    dispute.seller_reject(OPENED + timedelta(days=1), counter_offer=Money("40", "USD"))
    dispute.escalate(ESCALATED)
    round_trips(order)

    assert dispute.seller_deadline == dispute.deadline == SELLER_ENDS
    assert "seller_accept" in dispute.allowed()
    outcome = resolved_at(order, SELLER_ENDS, DisputeState.ARBITRATION)
    assert outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT


def test_the_seller_accepts_the_claim() -> None:
    """The seller accepting the claim one microsecond before its deadline refunds the
    request, agreed by the two sides."""
    order = claim()
    dispute = dispute_of(order)

    dispute.seller_accept(SELLER_ENDS - TICK)
    round_trips(order)

    assert dispute.outcome is not None
    assert dispute.outcome.refund == TOTAL
    assert dispute.outcome.reached_by is Resolution.NEGOTIATION_CONSENSUS
    assert order.state is OrderState.CLOSED


def test_the_seller_answers_the_claim_with_a_counter_offer_and_the_platform_decides() -> None:
    """The seller's counter-offer in the claim keeps it with the platform and stops the
    claim's clock: no refund by silence, no second answer, and the platform decides
    whenever it does."""
    order = claim()
    dispute = dispute_of(order)

    dispute.seller_reject(SELLER_ENDS - TICK, counter_offer=Money("30", "USD"))
    round_trips(order)

    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.counter_offer == Money("30", "USD")
    assert dispute.deadline is None
    assert order.next_deadline is None
    assert "seller_accept" not in dispute.allowed()
    refused(order, lambda: dispute.seller_accept(SELLER_ENDS))
    order.advance(SELLER_ENDS + timedelta(days=60))
    assert dispute.state is DisputeState.ARBITRATION
    dispute.platform_decide(SELLER_ENDS + timedelta(days=60), refund=Money("30", "USD"))
    round_trips(order)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE


def test_the_platform_decides_a_claim_at_any_time() -> None:
    """The platform may decide the claim at the instant of the escalation, before the
    seller answered."""
    order = claim()
    dispute = dispute_of(order)

    dispute.platform_decide(ESCALATED, refund=NOTHING)
    round_trips(order)

    assert dispute.outcome is not None
    assert dispute.outcome.refund == NOTHING
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE
    assert order.state is OrderState.CLOSED


def test_a_decision_of_a_return_gives_the_buyer_10_days_to_ship_it() -> None:
    """After a decision on a return the buyer ships it back until 10 times 24 hours later
    (one microsecond before is in time); at that instant the return ends with no refund."""
    decided = datetime(2026, 10, 30, 10, tzinfo=NEW_YORK)
    ends = datetime(2026, 11, 9, 14, tzinfo=UTC)  # 09:00 EST: the clocks went back
    assert ends - decided == timedelta(hours=10 * 24)

    order = _returned_by_decision(decided)
    dispute = dispute_of(order)
    assert dispute.return_ship_deadline == dispute.deadline == ends
    outcome = resolved_at(order, ends, DisputeState.AWAITING_RETURN)
    assert (outcome.refund, outcome.reached_by) == (NOTHING, Resolution.RETURN_NOT_SHIPPED)

    shipped = _returned_by_decision(decided)
    dispute_of(shipped).ship_return(ends - TICK, tracking_number="RR123456789US")
    round_trips(shipped)
    assert dispute_of(shipped).state is DisputeState.RETURN_IN_TRANSIT
    assert dispute_of(shipped).deadline is None  # PayPal publishes no clock for the seller
    dispute_of(shipped).confirm_return(ends + timedelta(days=30))
    assert shipped.refunded == TOTAL


def _returned_by_decision(decided: datetime) -> Order:
    """A "not as described" claim that the platform decides at *decided*: a full refund
    once the item is back."""
    order = Order("paypal-2", TOTAL, OPENED - timedelta(days=5), PAYPAL)
    order.ship(OPENED - timedelta(days=4))
    dispute = order.open_dispute(
        OPENED, reason=Reason.NOT_AS_DESCRIBED, refund=TOTAL, evidence=["photo.jpg"]
    )
    dispute.escalate(ESCALATED)
    dispute.platform_decide(decided, refund=TOTAL, remedy=Remedy.RETURN_AND_REFUND)
    round_trips(order)
    return order


def test_a_claim_refused_before_the_escalation_is_still_an_inquiry() -> None:
    """In the inquiry the platform cannot decide yet: it is refused (changing nothing)
    until the buyer escalates."""
    order = inquiry()
    dispute = dispute_of(order)

    error = refused(order, lambda: dispute.platform_decide(OPENED + TICK, refund=TOTAL))

    assert isinstance(error, InvalidAction)
    assert "awaiting_seller" in str(error)


def test_a_claim_whose_return_was_refused_waits_for_the_platform_alone() -> None:
    """A claim the seller let run out on a return, whose goods the seller then refused,
    goes back to the platform to decide: the claim's clock, long over, does not fire a
    second time, and the seller no longer answers it."""
    order = Order("paypal-3", TOTAL, OPENED - timedelta(days=5), PAYPAL)
    order.ship(OPENED - timedelta(days=4))
    dispute = order.open_dispute(
        OPENED,
        reason=Reason.NOT_AS_DESCRIBED,
        refund=TOTAL,
        remedy=Remedy.RETURN_AND_REFUND,
        evidence=["photo.jpg"],
    )
    dispute.escalate(ESCALATED)
    order.advance(SELLER_ENDS)
    assert dispute.state is DisputeState.AWAITING_RETURN
    dispute.ship_return(SELLER_ENDS + timedelta(days=1), tracking_number="RR123456789US")
    refused_at = SELLER_ENDS + timedelta(days=2)
    dispute.refuse_return(refused_at, note="an empty box")

    order.advance(refused_at + timedelta(days=30))

    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None
    assert dispute.allowed() == ("platform_decide",)
    assert [e.action for e in dispute.history].count("seller_timeout") == 1
    round_trips(order)
