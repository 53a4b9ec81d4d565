"""The buyer's steps, following the seed's guide.

Check the tracking; contact the seller; open a dispute as "not received" asking a
full refund with the tracking as evidence, before protection ends; wait for the
seller's answer until the seller's deadline; when refused, escalate or accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._advice_step import (
    CLOSES,
    ITEM_PROOF,
    STEP_IN,
    TRACKING_PROOF,
    Step,
    appealable,
    closed,
    escalation,
    next_automatic,
    postage,
    proposed,
    saying,
    shipped_back,
    window_end,
)
from ._time import iso
from .calendars import span
from .dispute import Dispute
from .lifecycle import Actor, DisputeState, OrderState
from .order import Order
from .policy import Anchor, Consequence
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
    automatic = None  # the next automatic step, found once for the steps that need it
    for step in _buyer_steps(view, at):
        if step.if_not or step.latest is None:
            yield step
            continue
        if automatic is None:
            automatic = next_automatic(view)
        when, words = automatic
        yield saying(step, words) if words and step.latest == when else step


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
        yield from closed(view, at, Actor.BUYER)


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
    first = contact_first(view)
    if parcel is Parcel.DELIVERED:
        yield Step(
            "confirm_receipt",
            f"{_PARCEL_WORDS[parcel].capitalize()}. If the item arrived as described, "
            "confirm receipt.",
            at,
            ends,
        )
        if can_open and first:
            yield _contact_first(
                view, at, ends, "If it is not as described, contact the seller first", ITEM_PROOF
            )
        elif can_open:
            yield from _open_not_as_described(
                view,
                at,
                ends,
                "If it is not as described, open a dispute with photos or a video "
                f"before {window_end(view.policy)} at {iso(ends)}.",
                ITEM_PROOF + TRACKING_PROOF,
            )
        return
    unknown = _no_estimate(view)
    yield Step(
        "check_tracking",
        f"{_PARCEL_WORDS[parcel].capitalize()}. Check the tracking number with the carrier; "
        f"if it shows nothing, take a screenshot.{unknown}",
        at,
        ends,
    )
    if first:
        yield _contact_first(
            view,
            at,
            ends,
            "Contact the seller first, asking where the parcel is (attach the tracking screenshot)",
            TRACKING_PROOF,
        )
    elif view.policy.contact_wait is None:
        yield Step(
            "contact_seller",
            "Ask the seller where the parcel is; attach the tracking screenshot. "
            "The seller may resend it or offer a refund.",
            at,
            ends,
            TRACKING_PROOF,
        )
    if can_open and not first and not unknown:
        yield from _open_not_received(view, at, ends, ends)


def contact_first(view: Order) -> bool:
    """The rules ask the buyer to contact the seller before a dispute, and it has not."""
    return view.policy.contact_wait is not None and view.contacted_at is None


def _contact_first(
    view: Order, at: datetime, latest: datetime, ask: str, evidence: tuple[str, ...]
) -> Step:
    """Contact the seller, as the rules ask before a dispute (*ask*: what to do, as the
    beginning of the sentence)."""
    wait = view.policy.contact_wait
    assert wait is not None
    return Step(
        "contact_seller",
        f"{ask}: the rules let you open a dispute only {span(wait)} after the first contact, "
        f"and before {iso(latest)}.",
        at,
        latest,
        evidence,
    )


def _no_estimate(view: Order) -> str:
    """Why the advice cannot say when "not received" opens ('' when it can)."""
    if not view._without_estimate():
        return ""
    return (
        " These rules count a 'not received' dispute from the estimated delivery, and the "
        "order has none: when one can be opened cannot be told (give the order the latest "
        "estimated delivery the marketplace showed)."
    )


def _waited(view: Order, at: datetime) -> datetime:
    """From when a dispute of any reason can be opened, as far as the contact the rules
    ask first goes (*at* when they ask none)."""
    ends = view.contact_wait_ends  # None under rules with no contact wait
    return at if ends is None else max(at, ends)


def _open_not_as_described(
    view: Order, at: datetime, latest: datetime, why: str, evidence: tuple[str, ...]
) -> Iterator[Step]:
    """Open a dispute about the item received, from when the rules allow until *latest*."""
    opens = _waited(view, at)
    if opens < latest:
        when = "" if opens <= at else f" It can be opened from {iso(opens)}."
        yield Step("open_dispute", why + when, opens, latest, evidence)


def _open_not_received(
    view: Order, at: datetime, latest: datetime, protection_ends: datetime | None
) -> Iterator[Step]:
    """Open "not received" asking a full refund, in the window the rules allow."""
    opens = view._dispute_opens(_waited(view, at))
    if_not = ""
    if protection_ends is not None and opens >= protection_ends:
        # Moving tracking makes the buyer wait past protection: the window after
        # completion is what remains.
        latest = view.policy.deadline("post_completion_window", protection_ends)
        if_not = CLOSES
    if opens >= latest:
        return
    when = "now" if opens <= at else f"from {iso(opens)}"
    yield Step(
        "open_dispute",
        f"Open a dispute {when}: item not received, full refund of {view.refundable}, "
        f"describing the order and the tracking, before {iso(latest)}. {_then(view)}",
        opens,
        latest,
        TRACKING_PROOF,
        if_not=if_not,
    )


def _then(view: Order) -> str:
    """Who answers a dispute once opened, and in which time, as a sentence."""
    policy = view.policy
    if view.by_platform:
        return (
            "The platform, not the seller, handles it (the order was shipped by the "
            "marketplace's own logistics) and may ask you to wait until protection ends."
        )
    window = span(policy.seller_response_window)
    if policy.seller_window_ends is Consequence.ALLOW_ESCALATION:
        return (
            f"The seller then has {window} to resolve it; after that you may ask the "
            "platform to step in."
        )
    if policy.seller_window_starts is Anchor.ESCALATION:
        length = policy.negotiation_window
        within = "" if length is None else f" within {span(length)} of the opening"
        closes = policy.negotiation_window_ends is Consequence.CLOSE and length is not None
        return (
            "The seller may answer it; if it does not resolve it, escalate it to a claim"
            f"{within}{', else the dispute closes with no refund' if closes else ''}. In a "
            f"claim the seller has {window} to answer, and its silence refunds it."
        )
    return f"The seller then has {window} to answer."


def _in_dispute(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    state = dispute.state
    if state is DisputeState.AWAITING_SELLER:
        yield from _awaiting_seller(view, dispute, at)
    elif state is DisputeState.NEGOTIATING:
        yield from _negotiating(view, dispute, at)
    elif state is DisputeState.AWAITING_RETURN:
        deadline = dispute.return_ship_deadline
        agreement = dispute.agreement
        assert agreement is not None
        before = "" if deadline is None else f" before {iso(deadline)}"
        late = (
            ""
            if deadline is None
            else " If it is not shipped by then, the dispute ends with no refund."
        )
        yield Step(
            "ship_return",
            f"The return is agreed: ship the item back and give the return's tracking number"
            f"{before}; you are refunded {agreement.refund} once the seller confirms it came "
            f"back.{postage(dispute)}{late}",
            at,
            deadline,
        )
    elif state is DisputeState.RETURN_IN_TRANSIT:
        deadline = dispute.return_confirm_deadline
        agreement = dispute.agreement
        assert agreement is not None
        confirm = (
            f"You are refunded {agreement.refund} once the seller confirms it came back."
            if deadline is None
            else f"The seller has until {iso(deadline)} to confirm it came back; then, or if "
            f"it stays silent, you are refunded {agreement.refund}."
        )
        yield Step(
            "wait_for_seller",
            f"The return is on its way ({shipped_back(dispute)}). {confirm} If it refuses the "
            "goods, the platform decides.",
            at,
            deadline,
        )
    elif "seller_accept" in dispute.allowed():  # a claim the seller has to answer
        deadline = dispute.seller_deadline
        assert deadline is not None
        yield Step(
            "wait_for_seller",
            f"Your claim is open: the seller has until {iso(deadline)} to answer your request "
            f"of {proposed(dispute.request, dispute.remedy)}. If it stays silent, "
            f"{_silence(dispute)}. The platform may decide at any time; "
            f"{appealable(view, dispute) or 'its decision is final'}.",
            at,
            deadline,
        )
    else:
        ends = view.protection_ends if dispute.by_platform else None
        if ends is not None and ends <= at:
            ends = None
        final = appealable(view, dispute)
        deciding = (
            "The platform is deciding; its decision is final."
            if final is None
            else f"The platform is deciding; {final}."
        )
        yield Step(
            "wait_for_platform",
            deciding
            + (
                f" It may ask you to wait until protection ends at {iso(ends)}, then refund."
                if ends is not None
                else ""
            ),
            at,
            ends,
        )


def _silence(dispute: Dispute) -> str:
    """What the seller's silence does under rules where it refunds."""
    if dispute.remedy is Remedy.RETURN_AND_REFUND:
        return "the return is agreed: you then ship the item back for that refund"
    return "that refund follows automatically"


def _awaiting_seller(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    """Waiting for the seller's answer: its silence refunds (AliExpress, Amazon), lets
    the buyer ask the platform to step in (eBay), or, in an inquiry (PayPal), nothing
    until the buyer escalates it to a claim."""
    policy = view.policy
    deadline = dispute.seller_deadline
    asked = proposed(dispute.request, dispute.remedy)
    closes = dispute.negotiation_deadline
    if policy.seller_window_ends is Consequence.REFUND and deadline is not None:
        yield Step(
            "wait_for_seller",
            f"The seller has until {iso(deadline)} to answer your request of "
            f"{asked}. If it stays silent, {_silence(dispute)}.",
            at,
            deadline,
        )
        return
    ending = _ending(closes)
    verb, claim = escalation(view)
    if deadline is None:  # an inquiry (PayPal): the seller's window starts with a claim
        yield Step(
            "wait_for_seller",
            f"The seller may answer your request of {asked}. If it does not resolve it, "
            f"{verb}{_before(closes)}.{claim}{ending}",
            at,
            closes,
        )
        escalate_from = at
    else:  # the seller's silence only lets the buyer ask the platform to step in (eBay)
        if deadline > at and (closes is None or deadline < closes):
            yield Step(
                "wait_for_seller",
                f"The seller has until {iso(deadline)} to resolve your request of {asked}. "
                "Nothing happens by itself then: if it has not resolved it, ask the platform "
                f"to step in (escalate) from {iso(deadline)}{_before(closes)}.{ending}",
                at,
                deadline,
                if_not=STEP_IN,
            )
        escalate_from = max(at, deadline)
        if closes is not None and escalate_from >= closes:  # changed too late to escalate
            yield Step(
                "wait_for_seller",
                f"The seller may resolve your request of {asked}; the request closes with no "
                f"refund at {iso(closes)}, before the platform can be asked to step in.",
                at,
                closes,
            )
    if closes is None or escalate_from < closes:
        yield Step(
            "escalate",
            f"If the seller does not resolve your request of {asked}, {verb}"
            f"{_from(escalate_from, at)}{_before(closes)}.{claim}{ending}",
            escalate_from,
            closes,
            _proof(dispute),
        )


def _before(closes: datetime | None) -> str:
    return "" if closes is None else f" before {iso(closes)}"


def _from(start: datetime, at: datetime) -> str:
    return "" if start <= at else f", from {iso(start)}"


def _ending(closes: datetime | None) -> str:
    """What happens at the end of a negotiation that closes, as a sentence ('' if none)."""
    if closes is None:
        return ""
    return f" Without that, the dispute closes with no refund at {iso(closes)}."


def _proof(dispute: Dispute) -> tuple[str, ...]:
    return TRACKING_PROOF if not dispute.reason.item_received else ITEM_PROOF


def _negotiating(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    deadline = dispute.negotiation_deadline
    offer = dispute.counter_offer
    assert offer is not None
    offered = proposed(offer, dispute.counter_remedy)
    then = (
        "then ship the item back for that refund"
        if dispute.counter_remedy is Remedy.RETURN_AND_REFUND
        else "close the dispute with that refund"
    )
    policy = view.policy
    if policy.negotiation_window_ends is Consequence.ESCALATE and deadline is not None:
        escalate = Step(
            "escalate",
            f"The seller refused and offers {offered}. Escalate to let the platform decide; "
            f"without agreement by {iso(deadline)} it goes to the platform by itself.",
            at,
            deadline,
            _proof(dispute),
        )
        accept = Step(
            "accept_counter_offer",
            f"The seller refused and offers {offered}: accept it before {iso(deadline)} to {then}.",
            at,
            deadline,
        )
        yield from (escalate, accept) if not offer else (accept, escalate)
        return
    start = at
    opens = dispute.seller_deadline
    if policy.seller_window_ends is Consequence.ALLOW_ESCALATION and opens is not None:
        start = max(at, opens)  # eBay: the platform steps in once the seller's time is over
    ending = "" if policy.negotiation_window_ends is Consequence.ESCALATE else _ending(deadline)
    steps = [
        Step(
            "accept_counter_offer",
            f"The seller refused and offers {offered}: accept it{_before(deadline)} to {then}.",
            at,
            deadline,
        )
    ]
    if deadline is None or start < deadline:
        verb, claim = escalation(view)
        escalate = Step(
            "escalate",
            f"The seller refused and offers {offered}. {verb.capitalize()}"
            f"{_from(start, at)}{_before(deadline)}.{claim}{ending}",
            start,
            deadline,
            _proof(dispute),
        )
        steps.insert(0 if not offer else 1, escalate)
    yield from steps


def completed(view: Order, at: datetime) -> Iterator[Step]:
    """The buyer's steps on a completed order: a late dispute while one can be opened."""
    closes = view.post_completion_ends
    assert closes is not None
    if "open_dispute" not in view.allowed():
        yield Step("nothing", "The order is complete and no new dispute is allowed on it.")
        return
    if contact_first(view):
        if view.policy.deadline("contact_wait", at) < closes:
            ask = "The order is complete. To open a dispute, contact the seller first"
            yield _contact_first(view, at, closes, ask, ITEM_PROOF)
        else:
            yield Step("nothing", _too_late(view, closes))
        return
    if view.parcel(at) is Parcel.DELIVERED or view.completed_by_buyer:
        steps = list(
            _open_not_as_described(
                view,
                at,
                closes,
                "The order is complete. If the item is not as described, a dispute can still be "
                f"opened before {iso(closes)}, with evidence.",
                ITEM_PROOF,
            )
        )
        yield from steps or [Step("nothing", _too_late(view, closes))]
        return
    unknown = _no_estimate(view)
    steps = [] if unknown else list(_open_not_received(view, at, closes, None))
    yield from steps or [
        Step("nothing", f"No dispute can be opened any more on this order.{unknown}")
    ]


def _too_late(view: Order, closes: datetime) -> str:
    """Why the contact the rules ask before a dispute comes too late for one."""
    wait = view.policy.contact_wait
    assert wait is not None
    return (
        f"The order is complete, and the time to open a dispute ends at {iso(closes)}: too "
        f"soon for one, which the rules allow only {span(wait)} after contacting the seller."
    )
