"""The seller's steps: what it must answer, and before which deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._advice_buyer import completed
from ._advice_step import (
    STEP_IN,
    Action,
    Step,
    appealable,
    closed,
    filing,
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
from .policy import Anchor, Consequence
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
        yield from closed(view, at, Actor.SELLER)


def _seller_step(
    view: Order,
    action: Action,
    why: str,
    at: datetime,
    latest: datetime | None,
    side: Actor = Actor.SELLER,
    if_not: str = "",
) -> Step:
    """A seller's step possible now, until *latest*, saying what happens then by itself
    (*if_not*, or the next automatic step's words when it is at *latest*)."""
    return Step(action, why, at, latest, side=side, if_not=if_not or if_not_at(view, latest))


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
    protected = (
        f"The order is shipped; the buyer may confirm receipt, or open a dispute until "
        f"{iso(ends)}, when the time to open one ends."
        if filing(view.policy)
        else f"The order is shipped and protected until {iso(ends)}: the buyer may confirm "
        "receipt, or open a dispute."
    )
    yield _seller_step(
        view,
        "wait",
        f"{protected} If nothing happens, the order completes then and you are paid.",
        at,
        ends,
    )


def _seller_in_dispute(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    state = dispute.state
    if state is DisputeState.AWAITING_SELLER:
        yield from _answer(view, dispute, at)
    elif state is DisputeState.NEGOTIATING:
        yield from _countered(view, dispute, at)
    elif state is DisputeState.AWAITING_RETURN:
        deadline = dispute.return_ship_deadline
        late = (
            ""
            if deadline is None
            else f" has until {iso(deadline)} to ship the item back and give its tracking number"
        )
        shipped = (
            f"The return is agreed: the buyer{late}.{postage(dispute)} If it does not, the "
            "dispute ends with no refund."
            if deadline is not None
            else "The return is agreed: the buyer ships the item back and gives its tracking "
            f"number.{postage(dispute)}"
        )
        yield _seller_step(view, "wait", shipped, at, deadline)
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
    elif "seller_accept" in dispute.allowed():  # a claim the seller has to answer
        yield from _answer_claim(view, dispute, at)
    else:
        yield Step("wait", _platform_decides(view, dispute), at, side=Actor.SELLER)


def _countered(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    """The seller's counter-offer waits for the buyer: accept the request instead, or wait."""
    deadline = dispute.negotiation_deadline
    asked = proposed(dispute.request, dispute.remedy)
    offered = proposed(dispute.counter_offer, dispute.counter_remedy)
    policy = view.policy
    if policy.negotiation_window_ends is Consequence.ESCALATE and deadline is not None:
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
        return
    yield _seller_step(
        view,
        "wait",
        f"You offered {offered} against the buyer's request of {asked}. "
        f"{_buyer_may(view, dispute, deadline, at)}",
        at,
        deadline,
    )
    before = "" if deadline is None else f" before {iso(deadline)}"
    yield _seller_step(
        view,
        "seller_accept",
        f"Or accept the buyer's request of {asked}{before} {_accepting(dispute)}.",
        at,
        deadline,
    )


def _buyer_may(view: Order, dispute: Dispute, closes: datetime | None, at: datetime) -> str:
    """What the buyer may do with a counter-offer, and what the end of the negotiation
    does, as sentences."""
    policy = view.policy
    claim = policy.seller_window_starts is Anchor.ESCALATION
    escalate = "escalate it to a claim" if claim else "escalate"
    opens = dispute.seller_deadline
    if policy.seller_window_ends is Consequence.ALLOW_ESCALATION and opens is not None:
        if closes is not None and opens >= closes:
            escalate = ""  # the request closes before the platform may step in
        elif opens > at:
            escalate += f" (from {iso(opens)})"
    may = (
        f"The buyer may accept it, change the request or {escalate}"
        if escalate
        else "The buyer may accept it or change the request"
    )
    if closes is None:
        return f"{may}, and the platform then decides."
    if policy.negotiation_window_ends is Consequence.CLOSE:
        return (
            f"{may} before {iso(closes)}; without agreement or escalation by then, the "
            "dispute closes with no refund."
        )
    return (
        f"{may} before {iso(closes)}; without agreement by then the dispute goes to the platform."
    )


def _answer(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    """The seller's answer to the buyer's request: accept it, or refuse it with a counter-offer."""
    policy = view.policy
    deadline = dispute.seller_deadline
    request = dispute.request
    asked = (
        f"The buyer opened a dispute ({reason_words(dispute)}) asking "
        f"{proposed(request, dispute.remedy)}."
    )
    other = ""
    if dispute.remedy is Remedy.RETURN_AND_REFUND:
        other = " or of the same amount without the return"
    elif dispute.reason.item_received:
        other = " or of the same amount with the item's return"
    if policy.seller_window_ends is Consequence.REFUND and deadline is not None:
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
        length = policy.negotiation_window
        then = (
            "escalate, and without agreement within "
            f"{'the negotiation window' if length is None else span(length)} the platform "
            "decides"
            if policy.negotiation_window_ends is Consequence.ESCALATE and length is not None
            else f"escalate{_until(dispute.negotiation_deadline)}"
        )
        yield _seller_step(
            view,
            "seller_reject",
            f"{asked} Or refuse it before {iso(deadline)} with a counter-offer below {request} "
            f"(zero for no refund){other}: the buyer may then accept it, change the request or "
            f"{then}.",
            at,
            deadline,
        )
        return
    closes = dispute.negotiation_deadline
    refuse = (
        f"with a counter-offer below {request} (zero for no refund){other}. "
        f"{_buyer_may(view, dispute, closes, at)}"
    )
    if deadline is not None and deadline > at and (closes is None or deadline < closes):
        # eBay: resolve it before the platform may step in
        accept = f"Accept it before {iso(deadline)} {_accepting(dispute)}: from then the buyer "
        accept += "may ask the platform to step in."
        yield _seller_step(view, "seller_accept", f"{asked} {accept}", at, deadline, if_not=STEP_IN)
        yield _seller_step(
            view,
            "seller_reject",
            f"{asked} Or refuse it before {iso(deadline)} {refuse}",
            at,
            deadline,
            if_not=STEP_IN,
        )
        return
    if deadline is not None and deadline > at:  # eBay: the request closes first
        now = "The request closes before the buyer may ask the platform to step in."
    elif deadline is not None:  # eBay, once the seller's time is over
        now = (
            f"Your time to resolve it ended at {iso(deadline)}: the buyer may ask the platform "
            "to step in at any time."
        )
    else:  # an inquiry (PayPal): the seller's window starts with a claim
        window = span(view.policy.seller_response_window)
        now = (
            f"The buyer may escalate it to a claim at any time{_before(closes)}; in a claim "
            f"you have {window} to answer, and your silence refunds it."
        )
    yield _seller_step(
        view,
        "seller_accept",
        f"{asked} {now} Accept it{_before(closes)} {_accepting(dispute)}.",
        at,
        closes,
    )
    yield _seller_step(
        view, "seller_reject", f"{asked} Or refuse it{_before(closes)} {refuse}", at, closes
    )


def _before(closes: datetime | None) -> str:
    return "" if closes is None else f" before {iso(closes)}"


def _until(closes: datetime | None) -> str:
    """The end of a negotiation that closes, as the end of a sentence."""
    if closes is None:
        return " to the platform"
    return f" before {iso(closes)}, else the dispute closes with no refund"


def _answer_claim(view: Order, dispute: Dispute, at: datetime) -> Iterator[Step]:
    """The seller's answer to a claim (PayPal): accept it, or refuse it for the platform
    to decide, before its deadline, when its silence refunds it."""
    deadline = dispute.seller_deadline
    assert deadline is not None
    request = dispute.request
    asked = (
        f"The buyer escalated the dispute ({reason_words(dispute)}) to a claim asking "
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
        f"{asked} Accept it before {iso(deadline)} {_accepting(dispute)}. If you do not answer "
        f"by then, {silence}.",
        at,
        deadline,
    )
    yield _seller_step(
        view,
        "seller_reject",
        f"{asked} Or answer it before {iso(deadline)} with a counter-offer below {request} "
        "(zero for no refund), with your evidence: the platform then decides.",
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
    assert agreement is not None
    before = "" if deadline is None else f" before {iso(deadline)}"
    anyway = (
        ""
        if deadline is None
        else " If you do not confirm or refuse it by then, that refund is paid anyway."
    )
    yield _seller_step(
        view,
        "confirm_return",
        f"The buyer shipped the item back ({shipped_back(dispute)}). When it has come back "
        f"as agreed, confirm it{before}: the buyer is refunded {agreement.refund}.{anyway}",
        at,
        deadline,
        side,
    )
    yield _seller_step(
        view,
        "refuse_return",
        f"If the goods came back wrong, empty, or not at all, refuse them{before}, saying "
        "why: the agreement is set aside and the platform decides.",
        at,
        deadline,
        side,
    )


def _buyer_may_open(view: Order, at: datetime) -> bool:
    """True when the buyer's advice on a completed order still includes a dispute (or the
    contact with the seller that the rules ask before one)."""
    return any(step.action in ("open_dispute", "contact_seller") for step in completed(view, at))


def _platform_decides(view: Order, dispute: Dispute) -> str:
    """Why the seller waits while the platform holds the dispute."""
    final = appealable(view, dispute)
    if dispute.by_platform:
        return (
            "The order was shipped by the marketplace's own logistics: the platform handles "
            f"the dispute and decides it; {final or 'its decision is final'}."
        )
    return f"The platform is deciding the dispute; {final or 'its decision is final'}."
