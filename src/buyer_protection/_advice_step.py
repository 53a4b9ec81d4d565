"""What advice is made of: the `Step` value, and the words for what happens by itself.

Shared by each side's advice (`_advice_buyer`, `_advice_seller`, `_advice_platform`);
`advice` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Literal

import attrs

from ._time import iso
from .calendars import span
from .dispute import Dispute
from .lifecycle import Actor
from .money import Money
from .order import Order
from .policy import Anchor, Consequence, Policy
from .terms import Remedy, Resolution

Action = Literal[
    # the buyer's
    "check_tracking",
    "contact_seller",
    "open_dispute",
    "wait_for_seller",
    "accept_counter_offer",
    "escalate",
    "wait_for_platform",
    "confirm_receipt",
    "ship_return",
    "appeal",
    # the seller's
    "ship",
    "seller_accept",
    "seller_reject",
    "grant_extension",
    "confirm_return",
    "refuse_return",
    # the platform's
    "platform_decide",
    # any side's
    "wait",
    "nothing",
]

TRACKING_PROOF = ("screenshot of the tracking page showing the parcel's last status",)
ITEM_PROOF = ("photos or a video of the item showing the problem",)


@attrs.frozen
class Step:
    """One thing a side can do, why, in which window, and what happens if nobody does.

    ``earliest`` and ``latest`` are aware instants or None; ``latest`` is exclusive
    like every deadline: act before it. ``evidence`` lists what to attach. ``side``
    is whose step it is (`Actor.BUYER`, `Actor.SELLER` or `Actor.PLATFORM`);
    ``if_not`` says what happens by itself at ``latest`` if nobody acts before
    ("the buyer is refunded 25.90 USD"), and is empty when nothing does.
    """

    action: Action
    why: str
    earliest: datetime | None = None
    latest: datetime | None = None
    evidence: tuple[str, ...] = ()
    side: Actor = Actor.BUYER
    if_not: str = ""


def saying(step: Step, if_not: str) -> Step:
    """*step* with *if_not*, as ``attrs.evolve(step, if_not=if_not)`` gives it, made
    directly (advice makes one per step, and `attrs.evolve` looks up the fields each time)."""
    return Step(step.action, step.why, step.earliest, step.latest, step.evidence, step.side, if_not)


# -- what happens by itself ------------------------------------------------------------

COMPLETES = "protection ends: the order completes and the seller is paid"
CLOSES = "the order closes: no dispute can be opened any more"
TO_PLATFORM = "the dispute goes to the platform"
TO_SELLER = "the money goes to the seller"
FILING_ENDS = (
    "the time to open a dispute ends: the order completes, the seller is paid, and no "
    "dispute can be opened any more"
)
EXPIRES = "the dispute closes with no refund, and no new dispute can be opened on the order"
STEP_IN = "the buyer may ask the platform to step in"
FINAL = "the platform's decision becomes final"


def filing(policy: Policy) -> bool:
    """The rules count the time to open a dispute from payment or the estimated delivery
    (PayPal, eBay, Amazon), not as protection days from shipment (AliExpress)."""
    return policy.filing_window_starts is not Anchor.SHIPMENT


def window_end(policy: Policy) -> str:
    """The end of the time to open a dispute, in words: ``protection ends``, or, under
    rules with a filing window, ``the time to open a dispute ends``."""
    return "the time to open a dispute ends" if filing(policy) else "protection ends"


def _completes(view: Order) -> str:
    policy = view.policy
    if filing(policy) and policy.post_completion_window == timedelta(0):
        return FILING_ENDS
    return COMPLETES


def _negotiation_ends(view: Order) -> str:
    return EXPIRES if view.policy.negotiation_window_ends is Consequence.CLOSE else TO_PLATFORM


def _refunded(view: Order) -> str:
    return f"the buyer is refunded {view.refundable}"


def _request_granted(view: Order) -> str:
    dispute = view.dispute
    assert dispute is not None
    if dispute.remedy is Remedy.RETURN_AND_REFUND:
        return (
            "the return is agreed: the buyer ships the item back, then is refunded "
            f"{dispute.request}"
        )
    return f"the buyer is refunded {dispute.request}"


def _return_refunded(view: Order) -> str:
    dispute = view.dispute
    assert dispute is not None
    assert dispute.agreement is not None
    return f"the buyer is refunded {dispute.agreement.refund}"


_BY_ITSELF: dict[str, Callable[[Order], str]] = {
    "cancel_unshipped": lambda view: f"the order is cancelled and {_refunded(view)}",
    "complete": _completes,
    "close": lambda view: CLOSES,
    "seller_timeout": _request_granted,
    "negotiation_timeout": _negotiation_ends,
    "return_timeout": lambda view: TO_SELLER,
    "return_confirm_timeout": _return_refunded,
}


def next_automatic(view: Order) -> tuple[datetime | None, str]:
    """The instant of *view*'s next automatic step and what it does, in words."""
    deadline = view.next_deadline
    if deadline is None:
        return None, ""
    words = _BY_ITSELF.get(deadline.action)
    return deadline.at, deadline.meaning if words is None else words(view)


def if_not_at(view: Order, latest: datetime | None) -> str:
    """What happens by itself at *latest*: the next automatic step's words, if it is then."""
    when, words = next_automatic(view)
    return words if latest is not None and latest == when else ""


def closed_why(view: Order) -> str:
    """Why nothing can be done on a closed order, for every side."""
    last = view.dispute
    if last is not None and last.outcome is not None:
        outcome = last.outcome
        if outcome.reached_by is Resolution.EXPIRED:
            return (
                f"The dispute closed on {iso(outcome.at)} with no refund: it was not escalated "
                f"in time ({outcome.reached_by.value}); no further dispute is possible on this "
                "order."
            )
        return (
            f"The dispute ended on {iso(outcome.at)} with a refund of {outcome.refund} "
            f"({outcome.reached_by.value}); no further dispute is possible on this order."
        )
    if view.shipped_at is None:
        return (
            f"The seller did not ship in time: the order was cancelled and {view.refunded} "
            "refunded."
        )
    closes = view.post_completion_ends
    if filing(view.policy) and closes is not None:
        return f"The time to open a dispute ended at {iso(closes)}: nothing more can be done."
    return (
        "The order is complete and the time to open a dispute after completion has ended: "
        "nothing more can be done."
    )


def reason_words(dispute: Dispute) -> str:
    """The dispute's reason in words: ``item not received: lost``, ``not as described``."""
    words = dispute.reason.value.replace("_", " ")
    what = "not as described" if dispute.reason.item_received else "item not received"
    return what if words in ("not received", what) else f"{what}: {words}"


def proposed(amount: Money | None, remedy: Remedy | None) -> str:
    """A proposal in words: ``25.90 USD``, or ``25.90 USD with the item's return``."""
    return f"{amount} with the item's return" if remedy is Remedy.RETURN_AND_REFUND else f"{amount}"


def postage(dispute: Dispute) -> str:
    """Who pays the return's postage, as a sentence ('' when no return is agreed or asked)."""
    payer = dispute.return_postage_by
    return "" if payer is None else f" The {payer.value} pays the return's postage."


def shipped_back(dispute: Dispute) -> str:
    """The return's tracking in words: ``tracking LP123 with Cainiao``."""
    carrier = f" with {dispute.return_carrier}" if dispute.return_carrier else ""
    return f"tracking {dispute.return_tracking}{carrier}"


def escalation(view: Order) -> tuple[str, str]:
    """Escalating under *view*'s rules: the verb ("escalate it to a claim"), and what
    follows as a sentence ('' when the platform simply decides)."""
    policy = view.policy
    if policy.seller_window_starts is Anchor.ESCALATION:
        return (
            "escalate it to a claim",
            f" In a claim the seller has {span(policy.seller_response_window)} to answer, and "
            "its silence refunds it.",
        )
    return "escalate to let the platform decide", ""


def appealable(view: Order, dispute: Dispute) -> str | None:
    """How final the platform's decision of *dispute* is under rules with appeals, as the
    end of a sentence ("the side that loses may appeal it within 30 days"); None under
    rules whose decisions are final."""
    window = view.policy.appeal_window
    if window is None:
        return None
    if dispute.appealed_at is not None:
        return "its decision after the appeal is final"
    return f"the side that loses may appeal its decision within {span(window)}"


def closed(view: Order, at: datetime, side: Actor) -> Iterator[Step]:
    """*side*'s steps on a closed order: under rules with appeals, while the platform's
    decision can be appealed, the appeal (for a side that lost) or the wait; else nothing."""
    dispute = view.dispute
    ends = None if dispute is None else dispute.appeal_deadline
    if dispute is None or ends is None or ends <= at:
        yield Step("nothing", closed_why(view), side=side)
        return
    outcome = dispute.outcome
    assert outcome is not None
    decided = (
        f"The platform decided on {iso(outcome.at)} to refund {outcome.refund} of the "
        f"{dispute.request} asked."
    )
    losers = dispute._losers()
    if side in losers:
        yield Step(
            "appeal",
            f"{decided} If you disagree, appeal before {iso(ends)}: the decision is set aside "
            "and the platform decides again, finally.",
            at,
            ends,
            side=side,
            if_not=FINAL,
        )
        return
    others = " or the ".join(who.value for who in losers if who is not side)
    yield Step(
        "wait",
        f"{decided} The {others} may appeal it until {iso(ends)}; then it is final.",
        at,
        ends,
        side=side,
        if_not=FINAL,
    )
