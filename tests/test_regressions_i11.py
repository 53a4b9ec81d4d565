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
from checks import refused

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
