"""Appeals of the platform's decision (`Dispute.appeal`) through the public API: within
the rules' window (eBay and Amazon 30 days, PayPal 10), only of a decision the platform
took itself, only by a side that lost; the decision set aside, and the next one final.
AliExpress has no appeal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Actor,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Remedy,
    Resolution,
)
from checks import TICK, dispute_of, refused, round_trips

TOTAL = Money("100", "USD")
PAID = datetime(2026, 3, 2, 12, tzinfo=UTC)
ESTIMATED = datetime(2026, 3, 10, 12, tzinfo=UTC)
OPENED = datetime(2026, 3, 13, 12, tzinfo=UTC)
"""Friday 13 March 2026: past every preset's earliest "not received" and contact wait."""
DECIDED = datetime(2026, 3, 25, 12, tzinfo=UTC)
"""The platform's decision, after every preset's seller deadline."""
WINDOWS = {EBAY_US: 30, EBAY_UK: 30, AMAZON_US: 30, PAYPAL: 10}
"""The days to appeal, by the rules."""
APPEALABLE = pytest.mark.parametrize("policy", list(WINDOWS), ids=lambda p: p.name)


def opened(policy: Policy, reason: Reason = Reason.NOT_RECEIVED, refund: Money = TOTAL) -> Order:
    """An order under *policy* with a dispute opened at OPENED, asking *refund*."""
    order = Order("appeal-1", TOTAL, PAID, policy)
    order.ship(PAID + timedelta(days=1), estimated_delivery=ESTIMATED)
    if policy.contact_wait is not None:
        order.contact_seller(ESTIMATED)
    evidence = ["photo.jpg"] if reason.item_received else []
    order.open_dispute(OPENED, reason=reason, refund=refund, evidence=evidence)
    round_trips(order)
    return order


def in_arbitration(policy: Policy, reason: Reason = Reason.NOT_RECEIVED) -> Order:
    """The dispute of `opened` (80 USD asked), taken to the platform the rules' way and
    waiting there for its decision: on eBay once the seller's window is over; on PayPal
    at once, the seller answering the claim (so that silence refunds nothing); on Amazon
    after the seller's counter-offer."""
    order = opened(policy, reason, Money("80", "USD"))
    dispute = dispute_of(order)
    counter = Money("10", "USD")
    if policy is AMAZON_US:
        dispute.seller_reject(OPENED + timedelta(hours=1), counter_offer=counter)
    seller_ends = dispute.seller_deadline
    dispute.escalate(OPENED + timedelta(hours=2) if seller_ends is None else seller_ends)
    if policy is PAYPAL:
        dispute.seller_reject(OPENED + timedelta(hours=3), counter_offer=counter)
    round_trips(order)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None
    return order


def decided(policy: Policy, refund: str) -> Order:
    """The dispute of `in_arbitration`, decided at DECIDED with *refund*."""
    order = in_arbitration(policy)
    dispute_of(order).platform_decide(DECIDED, refund=Money(refund, "USD"))
    round_trips(order)
    return order


@APPEALABLE
def test_the_time_to_appeal_ends_the_rules_days_after_the_decision(policy: Policy) -> None:
    """The appeal deadline is the rules' days after the decision; one microsecond before
    it the buyer appeals; at it the appeal is refused (never possible again) and changes
    nothing."""
    ends = DECIDED + timedelta(days=WINDOWS[policy])
    late, order = decided(policy, "0"), decided(policy, "0")
    assert dispute_of(order).appeal_deadline == ends
    assert order.allowed() == ("appeal",)

    error = refused(late, lambda: dispute_of(late).appeal(ends, by=Actor.BUYER))
    assert isinstance(error, InvalidAction)
    assert error.possible_from is None
    assert "appeal" in str(error)

    dispute_of(order).appeal(ends - TICK, by=Actor.BUYER)
    round_trips(order)
    assert dispute_of(order).state is DisputeState.ARBITRATION


@APPEALABLE
@pytest.mark.parametrize(
    ("refund", "losers"),
    [("0", {Actor.BUYER}), ("80", {Actor.SELLER}), ("30", {Actor.BUYER, Actor.SELLER})],
    ids=["nothing", "everything", "part"],
)
def test_only_a_side_that_lost_appeals(policy: Policy, refund: str, losers: set[Actor]) -> None:
    """The buyer appeals a refund below its request, the seller one above zero (both, a
    partial refund); the side that won is refused, and nothing changes."""
    for side in (Actor.BUYER, Actor.SELLER):
        order = decided(policy, refund)
        dispute = dispute_of(order)
        if side in losers:
            dispute.appeal(DECIDED + timedelta(days=1), by=side)
            round_trips(order)
            assert dispute.state is DisputeState.ARBITRATION
        else:
            error = refused(order, lambda d=dispute, s=side: d.appeal(DECIDED, by=s))
            assert f"the {side.value} did not lose" in str(error)


@APPEALABLE
def test_an_appeal_sets_the_decision_aside(policy: Policy) -> None:
    """The appeal takes the refund back from the order, which is in dispute again, its
    dispute with the platform; the entry names the side that appealed."""
    order = decided(policy, "30")
    dispute = dispute_of(order)
    assert order.refunded == Money("30", "USD")
    assert order.state is OrderState.CLOSED
    appealed = DECIDED + timedelta(days=2)

    dispute.appeal(appealed, by="seller")
    round_trips(order)

    assert order.refunded == Money("0", "USD")
    assert order.state is OrderState.IN_DISPUTE
    assert dispute.state is DisputeState.ARBITRATION
    assert (dispute.outcome, dispute.agreement) == (None, None)
    assert dispute.appealed_at == appealed
    assert dispute.appeal_deadline is None
    assert dispute.deadline is None  # no clock restarts: the platform decides when it does
    entry = dispute.history[-1]
    assert (entry.action, entry.actor, entry.at) == ("appeal", Actor.SELLER, appealed)
    assert entry.details["by"] is Actor.SELLER


@APPEALABLE
def test_the_decision_after_an_appeal_is_final(policy: Policy) -> None:
    """The next decision replaces the first (its refund is what the order refunded) and
    cannot be appealed: a second appeal is refused as final, and changes nothing."""
    order = decided(policy, "0")
    dispute = dispute_of(order)
    dispute.appeal(DECIDED + timedelta(days=1), by="buyer")

    dispute.platform_decide(DECIDED + timedelta(days=3), refund=Money("50", "USD"))
    round_trips(order)

    assert dispute.outcome is not None
    assert dispute.outcome.refund == Money("50", "USD")
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE
    assert order.refunded == Money("50", "USD")
    assert order.state is OrderState.CLOSED
    assert dispute.appeal_deadline is None
    assert order.allowed() == ()
    for side in ("buyer", "seller"):
        error = refused(order, lambda s=side: dispute.appeal(DECIDED + timedelta(days=4), by=s))
        assert "final" in str(error)


@APPEALABLE
def test_an_agreement_cannot_be_appealed(policy: Policy) -> None:
    """A dispute the seller accepted was not decided by the platform: no appeal deadline,
    and an appeal is refused, saying only a decision of the platform can be."""
    order = opened(policy, refund=Money("80", "USD"))
    dispute = dispute_of(order)
    if policy is PAYPAL:
        dispute.escalate(OPENED)  # accepted in the claim
    dispute.seller_accept(OPENED + timedelta(hours=1))
    round_trips(order)

    assert dispute.appeal_deadline is None
    error = refused(order, lambda: dispute.appeal(OPENED + timedelta(days=1), by="seller"))
    assert "platform_decide" in str(error)


@pytest.mark.parametrize("policy", [AMAZON_US, PAYPAL], ids=lambda p: p.name)
def test_a_refund_by_the_seller_s_silence_cannot_be_appealed(policy: Policy) -> None:
    """A claim refunded because the seller did not answer in time cannot be appealed."""
    order = opened(policy)
    dispute = dispute_of(order)
    if policy is PAYPAL:
        dispute.escalate(OPENED)
    seller_ends = dispute.seller_deadline
    assert seller_ends is not None
    order.advance(seller_ends)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT

    error = refused(order, lambda: dispute.appeal(seller_ends, by="seller"))
    assert "seller_reponse_timeout" in str(error)


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL], ids=lambda p: p.name)
def test_an_expired_dispute_cannot_be_appealed(policy: Policy) -> None:
    """A request or inquiry that closed unescalated (expired) cannot be appealed."""
    order = opened(policy)
    dispute = dispute_of(order)
    closes = dispute.negotiation_deadline
    assert closes is not None
    order.advance(closes)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.EXPIRED

    error = refused(order, lambda: dispute.appeal(closes, by="buyer"))
    assert "expired" in str(error)


@APPEALABLE
def test_a_decision_of_a_return_cannot_be_appealed(policy: Policy) -> None:
    """A decision on a return, its refund paid when the item came back, cannot be
    appealed, and the refusal does not pretend it was not the platform's decision."""
    order = in_arbitration(policy, Reason.NOT_AS_DESCRIBED)
    dispute = dispute_of(order)
    dispute.platform_decide(DECIDED, refund=Money("80", "USD"), remedy=Remedy.RETURN_AND_REFUND)
    dispute.ship_return(DECIDED + timedelta(days=1), tracking_number="RR1")
    dispute.confirm_return(DECIDED + timedelta(days=5))
    round_trips(order)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE

    assert dispute.appeal_deadline is None
    error = refused(order, lambda: dispute.appeal(DECIDED + timedelta(days=6), by="seller"))
    assert "return" in str(error)


def test_aliexpress_decisions_are_final() -> None:
    """Under AliExpress's rules a decision of the platform cannot be appealed: refused,
    saying the decision is final, and no appeal is offered."""
    order = Order("appeal-1", TOTAL, PAID, ALIEXPRESS)
    order.ship(PAID + timedelta(days=1))
    dispute = order.open_dispute(OPENED, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(OPENED + timedelta(hours=1), counter_offer=Money("10", "USD"))
    dispute.escalate(OPENED + timedelta(hours=2))
    dispute.platform_decide(DECIDED, refund=Money("0", "USD"))

    assert dispute.appeal_deadline is None
    assert order.allowed() == ()
    error = refused(order, lambda: dispute.appeal(DECIDED + TICK, by="buyer"))
    assert "final" in str(error)
    assert "aliexpress" in str(error)


@pytest.mark.parametrize("by", ["platform", "system", "carrier", Actor.PLATFORM, "judge", 3, None])
def test_an_appeal_by_anyone_but_buyer_or_seller_is_invalid_input(by: object) -> None:
    """`by` must be the buyer or the seller: the platform, the system, a word that is not
    an actor, or not a string at all is InvalidInput naming `by` and the two sides it
    takes (not every actor), and changes nothing."""
    order = decided(EBAY_US, "30")
    dispute = dispute_of(order)

    error = refused(
        order,
        lambda: dispute.appeal(DECIDED + TICK, by=by),  # type: ignore[arg-type]
        InvalidInput,
    )

    assert str(error).startswith("by: expected 'buyer' or 'seller' (the side that lost)")


@APPEALABLE
def test_the_buyer_cannot_withdraw_an_appealed_dispute(policy: Policy) -> None:
    """Once a decision is appealed the platform decides again: the buyer's cancel is
    refused (it would reopen the order to a new dispute) and changes nothing."""
    order = decided(policy, "80")
    dispute = dispute_of(order)
    dispute.appeal(DECIDED + timedelta(days=1), by="seller")
    assert "cancel" not in order.allowed()

    error = refused(order, lambda: dispute.cancel(DECIDED + timedelta(days=2)))

    assert "appealed" in str(error)
    assert order.state is OrderState.IN_DISPUTE


@APPEALABLE
def test_the_side_listed_for_an_appeal_is_the_one_that_lost(policy: Policy) -> None:
    """Refusals list ``appeal (seller)`` when the buyer got all it asked, and
    ``appeal (buyer)`` when the buyer got less."""
    full, part = decided(policy, "80"), decided(policy, "30")
    late = DECIDED + timedelta(days=1)
    for order, side in ((full, "seller"), (part, "buyer")):
        error = refused(order, lambda o=order: o.open_dispute(late, reason="lost", refund=TOTAL))
        assert f"appeal ({side})" in str(error)


@APPEALABLE
def test_an_appeal_is_listed_as_allowed_only_before_its_deadline(policy: Policy) -> None:
    """The actions allowed as of an instant list the appeal one microsecond before its
    deadline and not at it, where it would be refused."""
    order = decided(policy, "0")
    ends = dispute_of(order).appeal_deadline
    assert ends is not None

    assert "appeal" in order.as_of(ends - TICK).allowed()
    assert "appeal" not in order.as_of(ends).allowed()
    order.advance(ends)
    assert order.allowed() == ()
