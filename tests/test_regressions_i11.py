"""Regression tests for core bugs the stateful test found in the rules of issue 11
(eBay, PayPal and Amazon on the same API), each a plain scenario through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from buyer_protection import (
    PAYPAL,
    DisputeState,
    Money,
    Order,
    Reason,
    Remedy,
)
from checks import refused, round_trips

DAY = timedelta(days=1)
PAID = datetime(2026, 3, 1, tzinfo=UTC)
ESCALATED = PAID + 2 * DAY
"""When the buyer turns the PayPal inquiry into a claim; the seller's 10 days end at
ESCALATED + 10 days."""


def refused_return_in_a_claim(refused_at: datetime) -> Order:
    """A PayPal claim of a return of 50 USD, which the seller accepts; the buyer ships
    the item back and the seller refuses it at *refused_at*."""
    order = Order("claim-1", Money("100", "USD"), PAID, PAYPAL)
    order.ship(PAID)
    dispute = order.open_dispute(
        PAID + DAY,
        reason=Reason.QUALITY,
        refund=Money("50", "USD"),
        remedy=Remedy.RETURN_AND_REFUND,
        evidence=("photo.jpg",),
    )
    dispute.escalate(ESCALATED)
    dispute.seller_accept(ESCALATED + DAY)
    dispute.ship_return(ESCALATED + 2 * DAY, tracking_number="RR123456785CN")
    dispute.refuse_return(refused_at, note="the box came back empty")
    return order


def test_a_return_refused_in_a_paypal_claim_waits_for_the_platform() -> None:
    """A claim whose return the seller accepted and then refused is the platform's to
    decide: no seller's clock runs again (it agreed the return anew at once when the
    claim's ten days were over, or at their end), and the seller cannot answer it again."""
    for refused_at in (ESCALATED + 3 * DAY, ESCALATED + 20 * DAY):
        order = refused_return_in_a_claim(refused_at)
        dispute = order.dispute
        assert dispute is not None

        assert dispute.state is DisputeState.ARBITRATION
        assert order.next_deadline is None
        assert dispute.allowed() == ("platform_decide",)
        refused(order, lambda: dispute.seller_accept(refused_at + DAY))  # noqa: B023

        order.advance(refused_at + 60 * DAY)
        assert dispute.state is DisputeState.ARBITRATION
        assert [e.action for e in dispute.history][-1] == "refuse_return"


def test_a_claim_escalated_at_the_instant_of_the_counter_offer_awaits_the_seller() -> None:
    """An inquiry the seller counters and the buyer escalates at the same instant is a
    claim the seller has not answered: its ten days run and silence refunds it, and the
    seller may answer it (the counter-offer, made in the inquiry, was taken for an answer
    to the claim because it bore the escalation's instant)."""
    order = Order("claim-2", Money("100", "USD"), PAID, PAYPAL)
    order.ship(PAID)
    dispute = order.open_dispute(PAID, reason=Reason.NOT_RECEIVED, refund=Money("100", "USD"))
    dispute.seller_reject(ESCALATED, counter_offer=Money("10", "USD"))
    dispute.escalate(ESCALATED)

    round_trips(order)  # a stored or replayed claim awaits the seller too
    ends = ESCALATED + 10 * DAY
    assert dispute.seller_deadline == ends
    deadline = order.next_deadline
    assert deadline is not None
    assert (deadline.at, deadline.action) == (ends, "seller_timeout")
    assert set(dispute.allowed()) >= {"seller_accept", "seller_reject"}

    order.advance(ends)
    outcome = dispute.outcome
    assert outcome is not None
    assert (outcome.refund, outcome.at) == (Money("100", "USD"), ends)


def test_a_counter_offer_at_the_instant_of_the_escalation_answers_the_paypal_claim() -> None:
    """The seller's counter-offer made in the claim, at the very instant the buyer
    escalated, answers it: no seller's clock runs any more, the platform decides."""
    order = Order("claim-3", Money("100", "USD"), PAID, PAYPAL)
    order.ship(PAID)
    dispute = order.open_dispute(PAID, reason=Reason.NOT_RECEIVED, refund=Money("100", "USD"))
    dispute.escalate(ESCALATED)
    dispute.seller_reject(ESCALATED, counter_offer=Money("10", "USD"))

    round_trips(order)
    assert order.next_deadline is None
    assert "seller_reject" not in dispute.allowed()
