"""Advice: what each side of an order must do next, and by when.

`advise` gives the buyer's, the seller's or the platform's next steps, most urgent
first. The buyer's follow the seed's guide: check the tracking; contact the seller;
open a dispute as "not received" asking a full refund with the tracking as evidence,
before protection ends; wait for the seller's answer until the seller's deadline;
when refused, escalate or accept. The seller's say what it must answer and before
which deadline; the platform's, which disputes it has to decide. Each step says what
happens by itself if nobody acts before its ``latest`` (``if_not``). `advise` looks
at the order as it would be at the instant asked, and never advises an action the
lifecycle would refuse then: an action whose ``earliest`` is later is refused until it.

The steps follow the order's rules, not AliExpress's: where the seller's silence only
lets the buyer ask the platform to step in (eBay), the buyer escalates from the seller's
deadline; where a dispute closes unless escalated (PayPal's inquiry, eBay's request), the
advice says to escalate before then; where the rules ask a contact with the seller
first (Amazon), that comes before a claim; a decision that can be appealed is, by the
side that lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ._advice_buyer import buyer
from ._advice_platform import platform
from ._advice_seller import seller
from ._advice_step import ITEM_PROOF as ITEM_PROOF
from ._advice_step import TRACKING_PROOF as TRACKING_PROOF
from ._advice_step import Action as Action
from ._advice_step import Step as Step
from ._text import kind, shown
from ._time import member, utc
from .errors import InvalidInput
from .lifecycle import Actor
from .order import Order

SIDES = (Actor.BUYER, Actor.SELLER, Actor.PLATFORM)
"""The sides `advise` speaks to."""


def advise(order: Order, at: datetime, *, side: Actor | str = Actor.BUYER) -> tuple[Step, ...]:
    """*side*'s next steps for *order* at *at*, most urgent first.

    *side* is `Actor.BUYER` (the default), `Actor.SELLER` or `Actor.PLATFORM`, or
    its value. The step with the earliest ``latest`` comes first, steps without a
    ``latest`` last; ``advise(...)[0]`` is the one thing to do now.

    >>> from datetime import datetime, UTC
    >>> from buyer_protection import Money, Order
    >>> order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 1, tzinfo=UTC))
    >>> [step.action for step in advise(order, datetime(2026, 3, 2, tzinfo=UTC))]
    ['wait_for_seller', 'contact_seller']
    >>> (ship,) = advise(order, datetime(2026, 3, 2, tzinfo=UTC), side="seller")
    >>> ship.action, ship.latest == order.shipping_deadline, ship.if_not
    ('ship', True, 'the order is cancelled and the buyer is refunded 25.90 USD')
    """
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order, got {kind(order)}")
    who = side_of(side)
    return advised(order.as_of(at), utc(at), who)


def advised(view: Order, at: datetime, side: Actor) -> tuple[Step, ...]:
    """`advise` for *view*, an order already brought to *at* (`Order.as_of`), *at* in
    UTC and *side* checked: for callers that have the view already."""
    return tuple(sorted(_SIDES[side](view, at), key=_urgency))


def side_of(value: object) -> Actor:
    """*value* as one of `SIDES`, else `InvalidInput` naming them."""
    try:
        found = member(Actor, value, "side")
    except InvalidInput:
        found = None
    if found not in SIDES:
        known = ", ".join(repr(s.value) for s in SIDES)
        raise InvalidInput(f"side: {shown(value)} is not one of {known} (or an Actor of those)")
    assert found is not None
    return found


_NEVER = datetime.max.replace(tzinfo=UTC)


def _urgency(step: Step) -> tuple[bool, datetime]:
    """Earliest ``latest`` first, no ``latest`` last; sorted() keeps ties as listed."""
    return (step.latest is None, _NEVER if step.latest is None else step.latest)


_SIDES: dict[Actor, Callable[[Order, datetime], Iterable[Step]]] = {
    Actor.BUYER: buyer,
    Actor.SELLER: seller,
    Actor.PLATFORM: platform,
}
