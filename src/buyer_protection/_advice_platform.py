"""The platform's steps: the disputes it has to decide."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._advice_seller import returned
from ._advice_step import (
    Step,
    closed,
    next_automatic,
    proposed,
    reason_words,
    shipped_back,
)
from ._time import iso
from .calendars import span
from .dispute import Dispute
from .lifecycle import Actor, DisputeState, OrderState
from .order import Order


def platform(view: Order, at: datetime) -> Iterator[Step]:
    """The platform's steps for *view* (the order as of *at*): decide, wait or nothing."""
    dispute = view.dispute
    if view.state is OrderState.CLOSED:
        yield from closed(view, at, Actor.PLATFORM)
        return
    if (
        view.state is OrderState.IN_DISPUTE
        and dispute is not None
        and dispute.state is DisputeState.ARBITRATION
    ):
        offer = dispute.counter_offer
        offered = (
            ""
            if offer is None
            else f"; the seller offered {proposed(offer, dispute.counter_remedy)}"
        )
        if dispute.return_tracking is not None:
            offered += (
                f"; the seller refused the goods the buyer shipped back ({shipped_back(dispute)})"
            )
        handled = (
            "The order was shipped by the marketplace's own logistics, so its dispute is "
            "the platform's. "
            if dispute.by_platform
            else ""
        )
        then = f"{_finality(view, dispute)}; nothing happens until it is made."
        if "seller_accept" in dispute.allowed():  # a claim the seller has yet to answer
            deadline = dispute.seller_deadline
            assert deadline is not None
            then = (
                f"The seller has until {iso(deadline)} to answer the claim, and its silence "
                f"refunds it; you may decide before. {_finality(view, dispute)}."
            )
        yield Step(
            "platform_decide",
            f"{handled}Decide the dispute: the buyer asks "
            f"{proposed(dispute.request, dispute.remedy)} "
            f"({reason_words(dispute)}){offered}. {then}",
            at,
            side=Actor.PLATFORM,
        )
        return
    if (
        view.state is OrderState.IN_DISPUTE
        and dispute is not None
        and dispute.by_platform
        and dispute.state is DisputeState.RETURN_IN_TRANSIT
    ):
        yield from returned(view, dispute, at, Actor.PLATFORM)  # to the platform's warehouse
        return
    latest, if_not = next_automatic(view)
    yield Step(
        "wait",
        f"Nothing for the platform to do now: {_whose_turn(view)}.",
        at,
        latest,
        side=Actor.PLATFORM,
        if_not=if_not,
    )


def _finality(view: Order, dispute: Dispute) -> str:
    """How final the platform's decision is, as a sentence without its full stop."""
    window = view.policy.appeal_window
    if window is None:
        return "The decision is final"
    if dispute.appealed_at is not None:
        return "This decision, after an appeal, is final"
    return f"The side that loses may appeal the decision within {span(window)}"


def _whose_turn(view: Order) -> str:
    """Where the order stands, for a side with nothing to do now."""
    state, dispute = view.state, view.dispute
    if state is OrderState.AWAITING_SHIPMENT:
        return "the seller has to ship the order"
    if state is OrderState.SHIPPED:
        return "the order is shipped and protected; no dispute is open"
    if state is OrderState.COMPLETED:
        return "the order is complete"
    assert dispute is not None
    return _TURNS[dispute.state]


_TURNS = {
    DisputeState.AWAITING_SELLER: "the seller has to answer the buyer's dispute",
    DisputeState.NEGOTIATING: "buyer and seller are negotiating the dispute",
    DisputeState.AWAITING_RETURN: "the buyer has to ship the agreed return",
    DisputeState.RETURN_IN_TRANSIT: "the seller has to confirm the return came back",
}
