"""A PayPal claim (an inquiry the buyer escalated): the seller's answer to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from buyer_protection import PAYPAL, DisputeState, Money, Order, Reason, dumps, loads

PAID = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CLAIMED = PAID + timedelta(days=20)


def _claim() -> Order:
    """A PayPal order whose "not received" inquiry the buyer escalated to a claim."""
    order = Order("PP-1", Money("120.00", "USD"), PAID, policy=PAYPAL)
    order.ship(PAID + timedelta(days=2))
    dispute = order.open_dispute(
        PAID + timedelta(days=18), reason=Reason.NOT_RECEIVED, refund=order.total
    )
    dispute.escalate(CLAIMED)
    return order


def test_a_seller_answering_a_claim_leaves_it_with_the_platform() -> None:
    """The seller's counter-offer to a claim is recorded, the claim stays in arbitration
    for the platform to decide, and the seller's silence no longer refunds it."""
    order = _claim()
    dispute = order.dispute
    assert dispute is not None
    answered = CLAIMED + timedelta(days=3)
    dispute.seller_reject(answered, counter_offer=Money("20.00", "USD"))
    assert dispute.state is DisputeState.ARBITRATION
    assert (dispute.counter_offer, dispute.countered_at) == (Money("20.00", "USD"), answered)
    assert dispute.deadline is None
    assert order.next_deadline is None
    assert dispute.allowed() == ("cancel", "platform_decide")
    later = order.as_of(CLAIMED + timedelta(days=30))
    assert later.dispute is not None
    assert later.dispute.state is DisputeState.ARBITRATION
    kept = loads(dumps(order)).dispute
    assert kept is not None
    assert (kept.state, kept.countered_at, kept.deadline) == (
        DisputeState.ARBITRATION,
        answered,
        None,
    )
