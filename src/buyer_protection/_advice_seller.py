"""The seller's steps: what it must answer, and before which deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._advice_buyer import completed
from ._advice_step import (
    Action,
    Step,
    closed_why,
    if_not_at,
    postage,
    proposed,
    reason_words,
    shipped_back,
)
from ._time import iso
from .calendars import span
from .dispute import Dispute
from .lifecycle import Actor, DisputeState, OrderState
from .order import Order
from .terms import Remedy


def seller(view: Order, at: datetime) -> Iterator[Step]:
    """The seller's steps for *view* (the order as of *at*), in the order listed."""
    state = view.state
    if state is OrderState.AWAITING_SHIPMENT:
        deadline = view.shipping_deadline
        said = (
            "Ship the order."
            if deadline is None
            else f"Ship the order before {iso(deadline)}. If it is not shipped by then, the "
            f"order is cancelled and the buyer refunded {view.refundable}."
        )
        yield _seller_step(view, "ship", said, at, deadline)
    elif state is OrderState.SHIPPED:
        yield from _seller_protected(view, at)
    elif state is OrderState.IN_DISPUTE:
        assert view.dispute is not None
        yield from _seller_in_dispute(view, view.dispute, at)
    elif state is OrderState.COMPLETED and _buyer_may_open(view, at):
        closes = view.post_completion_ends
        assert closes is not None
        yield _seller_step(
            view,
            "wait",
            f"The order is complete and you are paid. The buyer may still open a dispute "
            f"until {iso(closes)}.",
            at,
            closes,
        )
    elif state is OrderState.COMPLETED:
        why = "The order is complete and no dispute can be opened on it any more."
        yield Step("nothing", why, side=Actor.SELLER)
    else:
        yield Step("nothing", closed_why(view), side=Actor.SELLER)


def _seller_step(
    view: Order,
    action: Action,
    why: str,
    at: datetime,
    latest: datetime | None,
    side: Actor = Actor.SELLER,
) -> Step:
    """A seller's step possible now, until *latest*, saying what happens then by itself."""
    return Step(action, why, at, latest, side=side, if_not=if_not_at(view, latest))


def _seller_protected(view: Order, at: datetime) -> Iterator[Step]:
    ends = view.protection_ends
    assert ends is not None
    wanted = view.extension_requested
    if wanted is not None and "grant_extension" in view.allowed():
        room = view._extension_cap - view.extension_days
        yield _seller_step(
            view,
            "grant_extension",
            f"The buyer asks to extend protection by {wanted} days (the policy allows "
            f"{room} more). Grant it before protection ends at {iso(ends)}; if you do not, "
            "protection ends then as planned.",
            at,
            ends,
        )
        return
    yield _seller_step(
        view,
        "wait",
        f"The order is shipped and protected until {iso(ends)}: the buyer may confirm "
        "receipt, or open a dispute. If nothing happens, the order completes then and you "
        "are paid.",
        at,
        ends,
    )


def _seller_in_dispute(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    state = dispute.state
    if state is DisputeState.AWAITING_SELLER:
        yield from _answer(view, dispute, at)
    elif state is DisputeState.NEGOTIATING:
        deadline = dispute.negotiation_deadline
        assert deadline is not None
        asked = proposed(dispute.request, dispute.remedy)
        offered = proposed(dispute.counter_offer, dispute.counter_remedy)
        yield _seller_step(
            view,
            "wait",
            f"You offered {offered} against the buyer's request of {asked}. The buyer may "
            f"accept it, change the request or escalate before {iso(deadline)}; without "
            "agreement by then the dispute goes to the platform.",
            at,
            deadline,
        )
        yield _seller_step(
            view,
            "seller_accept",
            f"Or accept the buyer's request of {asked} before {iso(deadline)} "
            f"{_accepting(dispute)}.",
            at,
            deadline,
        )
    elif state is DisputeState.AWAITING_RETURN:
        deadline = dispute.return_ship_deadline
        assert deadline is not None
        yield _seller_step(
            view,
            "wait",
            f"The return is agreed: the buyer has until {iso(deadline)} to ship the item back "
            f"and give its tracking number.{postage(dispute)} If it does not, the dispute "
            "ends with no refund.",
            at,
            deadline,
        )
    elif state is DisputeState.RETURN_IN_TRANSIT and dispute.by_platform:
        deadline = dispute.return_confirm_deadline
        yield _seller_step(
            view,
            "wait",
            "The order was shipped by the marketplace's own logistics: the return goes to "
            "the platform, which confirms or refuses it.",
            at,
            deadline,
        )
    elif state is DisputeState.RETURN_IN_TRANSIT:
        yield from returned(view, dispute, at, Actor.SELLER)
    else:
        yield Step("wait", _platform_decides(dispute), at, side=Actor.SELLER)


def _answer(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    """The seller's answer to the buyer's request: accept it, or refuse it with a counter-offer."""
    deadline = dispute.seller_deadline
    assert deadline is not None
    request = dispute.request
    asked = (
        f"The buyer opened a dispute ({reason_words(dispute)}) asking "
        f"{proposed(request, dispute.remedy)}."
    )
    silence = (
        "the return is agreed by itself"
        if dispute.remedy is Remedy.RETURN_AND_REFUND
        else "that refund follows automatically"
    )
    yield _seller_step(
        view,
        "seller_accept",
        f"{asked} Accept it before {iso(deadline)} {_accepting(dispute)}. If you do not "
        f"answer by then, {silence}.",
        at,
        deadline,
    )
    other = ""
    if dispute.remedy is Remedy.RETURN_AND_REFUND:
        other = " or of the same amount without the return"
    elif dispute.reason.item_received:
        other = " or of the same amount with the item's return"
    length = view.policy.negotiation_window
    window = "the negotiation window" if length is None else span(length)
    yield _seller_step(
        view,
        "seller_reject",
        f"{asked} Or refuse it before {iso(deadline)} with a counter-offer below {request} "
        f"(zero for no refund){other}: the buyer may then accept it, change the request or "
        f"escalate, and without agreement within {window} the platform decides.",
        at,
        deadline,
    )


def _accepting(dispute: Dispute) -> str:
    """What accepting the buyer's request does."""
    if dispute.remedy is Remedy.RETURN_AND_REFUND:
        return (
            f"to agree to the return: the buyer ships the item back, and {dispute.request} "
            "is refunded once you confirm it came back"
        )
    return f"to refund {dispute.request} and close the dispute"


def returned(view: Order, dispute: Dispute, at: datetime, side: Actor) -> Iterator[Step]:
    """The return is on its way back to *side* (the seller, or the platform on an order
    it shipped): confirm it came back as agreed, or refuse the goods."""
    deadline = dispute.return_confirm_deadline
    agreement = dispute.agreement
    assert deadline is not None
    assert agreement is not None
    yield _seller_step(
        view,
        "confirm_return",
        f"The buyer shipped the item back ({shipped_back(dispute)}). When it has come back "
        f"as agreed, confirm it before {iso(deadline)}: the buyer is refunded "
        f"{agreement.refund}. If you do not confirm or refuse it by then, that refund is "
        "paid anyway.",
        at,
        deadline,
        side,
    )
    yield _seller_step(
        view,
        "refuse_return",
        f"If the goods came back wrong, empty, or not at all, refuse them before "
        f"{iso(deadline)}, saying why: the agreement is set aside and the platform decides.",
        at,
        deadline,
        side,
    )


def _buyer_may_open(view: Order, at: datetime) -> bool:
    """True when the buyer's advice on a completed order still includes a dispute."""
    return any(step.action == "open_dispute" for step in completed(view, at))


def _platform_decides(dispute: Dispute) -> str:
    """Why the seller waits while the platform holds the dispute."""
    if dispute.by_platform:
        return (
            "The order was shipped by the marketplace's own logistics: the platform handles "
            "the dispute and decides it; its decision is final."
        )
    return "The platform is deciding the dispute; its decision is final."
