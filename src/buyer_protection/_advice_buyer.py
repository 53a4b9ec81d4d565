"""The buyer's steps, following the seed's guide.

Check the tracking; contact the seller; open a dispute as "not received" asking a
full refund with the tracking as evidence, before protection ends; wait for the
seller's answer until the seller's deadline; when refused, escalate or accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import attrs

from ._advice_step import (
    CLOSES,
    ITEM_PROOF,
    TRACKING_PROOF,
    Step,
    closed_why,
    if_not_at,
    postage,
    proposed,
    shipped_back,
)
from ._time import iso
from .calendars import span
from .dispute import Dispute
from .lifecycle import DisputeState, OrderState
from .order import Order
from .terms import Remedy
from .tracking import Parcel

_PARCEL_WORDS = {
    Parcel.NO_INFORMATION: "the tracking has no information on the parcel yet",
    Parcel.IN_TRANSIT: "the parcel is moving normally",
    Parcel.STALLED: "the tracking has not moved for a long time",
    Parcel.CUSTOMS: "the parcel is in customs",
    Parcel.DELIVERED: "the tracking says the parcel was delivered",
    Parcel.DELIVERY_FAILED: "delivery failed",
    Parcel.RETURNED_TO_SENDER: "the parcel is going back to the sender",
}


def buyer(view: Order, at: datetime) -> Iterator[Step]:
    """The buyer's steps for *view* (the order as of *at*), each saying what happens if not."""
    for step in _buyer_steps(view, at):
        yield attrs.evolve(step, if_not=step.if_not or if_not_at(view, step.latest))


def _buyer_steps(view: Order, at: datetime) -> Iterator[Step]:
    state = view.state
    if state is OrderState.AWAITING_SHIPMENT:
        yield from _awaiting_shipment(view, at)
    elif state is OrderState.SHIPPED:
        yield from _protected(view, at)
    elif state is OrderState.IN_DISPUTE:
        assert view.dispute is not None
        yield from _in_dispute(view, view.dispute, at)
    elif state is OrderState.COMPLETED:
        yield from completed(view, at)
    else:
        yield Step("nothing", closed_why(view))


def _awaiting_shipment(view: Order, at: datetime) -> Iterator[Step]:
    deadline = view.shipping_deadline
    cancelled = (
        ""
        if deadline is None
        else f" If it does not ship before {iso(deadline)}, the order is cancelled and "
        f"{view.total} refunded automatically."
    )
    yield Step("wait_for_seller", f"The seller has not shipped yet.{cancelled}", at, deadline)
    yield Step(
        "contact_seller",
        "Ask the seller when the order ships.",
        at,
        deadline,
    )


def _protected(view: Order, at: datetime) -> Iterator[Step]:
    ends = view.protection_ends
    assert ends is not None
    parcel = view.parcel(at)
    can_open = "open_dispute" in view.allowed()
    if parcel is Parcel.DELIVERED:
        yield Step(
            "confirm_receipt",
            f"{_PARCEL_WORDS[parcel].capitalize()}. If the item arrived as described, "
            "confirm receipt.",
            at,
            ends,
        )
        if can_open:
            yield Step(
                "open_dispute",
                "If it is not as described, open a dispute with photos or a video "
                f"before protection ends at {iso(ends)}.",
                at,
                ends,
                ITEM_PROOF + TRACKING_PROOF,
            )
        return
    yield Step(
        "check_tracking",
        f"{_PARCEL_WORDS[parcel].capitalize()}. Check the tracking number with the carrier; "
        "if it shows nothing, take a screenshot.",
        at,
        ends,
    )
    yield Step(
        "contact_seller",
        "Ask the seller where the parcel is; attach the tracking screenshot. "
        "The seller may resend it or offer a refund.",
        at,
        ends,
        TRACKING_PROOF,
    )
    if can_open:
        yield from _open_not_received(view, at, ends, ends)


def _open_not_received(
    view: Order, at: datetime, latest: datetime, protection_ends: datetime | None
) -> Iterator[Step]:
    """Open "not received" asking a full refund, in the window the rules allow."""
    opens = view._dispute_opens(at)
    if_not = ""
    if protection_ends is not None and opens >= protection_ends:
        # Moving tracking makes the buyer wait past protection: the window after
        # completion is what remains.
        latest = view.policy.deadline("post_completion_window", protection_ends)
        if_not = CLOSES
    if opens >= latest:
        return
    who = (
        "The platform, not the seller, handles it (the order was shipped by the "
        "marketplace's own logistics) and may ask you to wait until protection ends."
        if view.by_platform
        else f"The seller then has {span(view.policy.seller_response_window)} to answer."
    )
    when = "now" if opens <= at else f"from {iso(opens)}"
    yield Step(
        "open_dispute",
        f"Open a dispute {when}: item not received, full refund of {view.refundable}, "
        f"describing the order and the tracking, before {iso(latest)}. {who}",
        opens,
        latest,
        TRACKING_PROOF,
        if_not=if_not,
    )


def _in_dispute(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    state = dispute.state
    if state is DisputeState.AWAITING_SELLER:
        deadline = dispute.seller_deadline
        assert deadline is not None
        silence = (
            "the return is agreed: you then ship the item back for that refund"
            if dispute.remedy is Remedy.RETURN_AND_REFUND
            else "that refund follows automatically"
        )
        yield Step(
            "wait_for_seller",
            f"The seller has until {iso(deadline)} to answer your request of "
            f"{proposed(dispute.request, dispute.remedy)}. If it stays silent, {silence}.",
            at,
            deadline,
        )
    elif state is DisputeState.NEGOTIATING:
        yield from _negotiating(dispute, at)
    elif state is DisputeState.AWAITING_RETURN:
        deadline = dispute.return_ship_deadline
        agreement = dispute.agreement
        assert deadline is not None
        assert agreement is not None
        yield Step(
            "ship_return",
            f"The return is agreed: ship the item back and give the return's tracking number "
            f"before {iso(deadline)}; you are refunded {agreement.refund} once the seller "
            f"confirms it came back.{postage(dispute)} If it is not shipped by then, the "
            "dispute ends with no refund.",
            at,
            deadline,
        )
    elif state is DisputeState.RETURN_IN_TRANSIT:
        deadline = dispute.return_confirm_deadline
        agreement = dispute.agreement
        assert deadline is not None
        assert agreement is not None
        yield Step(
            "wait_for_seller",
            f"The return is on its way ({shipped_back(dispute)}). The seller has until "
            f"{iso(deadline)} to confirm it came back; then, or if it stays silent, you are "
            f"refunded {agreement.refund}. If it refuses the goods, the platform decides.",
            at,
            deadline,
        )
    else:
        ends = view.protection_ends if dispute.by_platform else None
        if ends is not None and ends <= at:
            ends = None
        yield Step(
            "wait_for_platform",
            "The platform is deciding; its decision is final."
            + (
                f" It may ask you to wait until protection ends at {iso(ends)}, then refund."
                if ends is not None
                else ""
            ),
            at,
            ends,
        )


def _negotiating(dispute: Dispute, at: datetime) -> Iterator[Step]:
    deadline = dispute.negotiation_deadline
    offer = dispute.counter_offer
    assert deadline is not None
    assert offer is not None
    offered = proposed(offer, dispute.counter_remedy)
    escalate = Step(
        "escalate",
        f"The seller refused and offers {offered}. Escalate to let the platform decide; "
        f"without agreement by {iso(deadline)} it goes to the platform by itself.",
        at,
        deadline,
        TRACKING_PROOF if not dispute.reason.item_received else ITEM_PROOF,
    )
    then = (
        "then ship the item back for that refund"
        if dispute.counter_remedy is Remedy.RETURN_AND_REFUND
        else "close the dispute with that refund"
    )
    accept = Step(
        "accept_counter_offer",
        f"The seller refused and offers {offered}: accept it before {iso(deadline)} to {then}.",
        at,
        deadline,
    )
    yield from (escalate, accept) if not offer else (accept, escalate)


def completed(view: Order, at: datetime) -> Iterator[Step]:
    """The buyer's steps on a completed order: a late dispute while one can be opened."""
    closes = view.post_completion_ends
    assert closes is not None
    if "open_dispute" not in view.allowed():
        yield Step("nothing", "The order is complete and no new dispute is allowed on it.")
        return
    if view.parcel(at) is Parcel.DELIVERED or view.completed_by_buyer:
        yield Step(
            "open_dispute",
            "The order is complete. If the item is not as described, a dispute can still be "
            f"opened before {iso(closes)}, with evidence.",
            at,
            closes,
            ITEM_PROOF,
        )
        return
    steps = list(_open_not_received(view, at, closes, None))
    yield from steps or [Step("nothing", "No dispute can be opened any more on this order.")]
