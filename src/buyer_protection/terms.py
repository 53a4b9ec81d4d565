"""The terms of a dispute: why it is opened, what it asks, how it ends.

`Reason` says why; a proposal (the buyer's request, the seller's counter-offer, the
platform's decision) is an amount of `Money` and a `Remedy`, checked here; buyer and
seller reach an `Agreement` (or the platform decides one), and the dispute ends with
an `Outcome` reached in one of the `Resolution` ways.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._text import NAME_LIMIT, kind, shown, text
from ._time import member
from .errors import InvalidInput
from .history import keep_enums
from .lifecycle import Actor
from .money import Money


class Reason(enum.Enum):
    """Why the buyer opens a dispute: the item was not received, or not as described."""

    NOT_RECEIVED = "not_received"
    NO_TRACKING_INFORMATION = "no_tracking_information"
    STILL_IN_TRANSIT = "still_in_transit"
    HELD_BY_CUSTOMS = "held_by_customs"
    RETURNED_TO_SENDER = "returned_to_sender"
    DELIVERED_TO_WRONG_ADDRESS = "delivered_to_wrong_address"
    LOST = "lost"
    SHIPPING_METHOD_NOT_AS_DESCRIBED = "shipping_method_not_as_described"
    NOT_AS_DESCRIBED = "not_as_described"
    QUALITY = "quality"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    QUANTITY_SHORT = "quantity_short"
    COUNTERFEIT = "counterfeit"
    NOT_WORKING = "not_working"

    @property
    def item_received(self) -> bool:
        """True for the "not as described" reasons: the buyer has the item."""
        return self not in _NOT_RECEIVED


_NOT_RECEIVED = frozenset(list(Reason)[: list(Reason).index(Reason.NOT_AS_DESCRIBED)])


class Resolution(enum.Enum):
    """How an outcome was reached, in the seller API's own words (``reponse`` sic).

    `RETURN_NOT_SHIPPED` is the library's own word, not the seller API's: the buyer
    did not ship an agreed return in time, and the money went to the seller.
    `EXPIRED` is also the library's own: the dispute was not escalated in time and
    closed with no refund (a PayPal inquiry, an eBay request).
    """

    NEGOTIATION_CONSENSUS = "negotiation_consensus"
    PLATFORM_ARBITRATE = "platform_arbitrate"
    SELLER_REPONSE_TIMEOUT = "seller_reponse_timeout"
    SELLER_RESPONSE_TIMEOUT = "seller_reponse_timeout"  # noqa: PIE796 - an alias, spelled right
    RETURN_NOT_SHIPPED = "return_not_shipped"
    EXPIRED = "expired"


class Remedy(enum.Enum):
    """What a proposal asks besides its amount, in the seller API's words (``solution_type``).

    `REFUND`: the buyer keeps the item. `RETURN_AND_REFUND`: the buyer ships it back
    first, and the refund is paid when the seller confirms it came back.
    """

    REFUND = "refund"
    RETURN_AND_REFUND = "return_and_refund"


keep_enums(Reason, Resolution, Remedy, Actor)

POSTAGE_PAYERS = (Actor.SELLER, Actor.BUYER, Actor.PLATFORM)
"""Who may pay a return's postage (the seller API's ``logistics_fee_bear_role``)."""


@attrs.frozen
class Outcome:
    """How a dispute ended: the refund, how it was reached, and when."""

    refund: Money
    reached_by: Resolution
    at: datetime


@attrs.frozen
class Agreement:
    """What buyer and seller agreed (or the platform decided): the refund and the remedy.

    ``reached_by`` says how, ``at`` when. With `Remedy.RETURN_AND_REFUND` the refund
    follows the return; ``return_postage_by`` is then who pays its postage (None for
    a refund-only agreement).
    """

    refund: Money
    remedy: Remedy
    reached_by: Resolution
    at: datetime
    return_postage_by: Actor | None = None


def proposal(
    reason: Reason, amount: Money, remedy: object, postage: object
) -> tuple[Remedy, Actor | None]:
    """The remedy and the postage payer of a proposal of *amount*, checked.

    The payer is None when it is the default (the seller pays a return: every reason
    the library knows is the seller's fault), so that a log records it only when a
    proposal says otherwise.
    """
    how = member(Remedy, remedy, "remedy")
    payer = None if postage is None else _payer_of(postage)
    if how is Remedy.REFUND:
        if payer is not None:
            raise InvalidInput(
                "return_postage_by: given with the remedy 'refund', where the buyer keeps "
                "the item; give it only with remedy='return_and_refund'"
            )
        return how, None
    if not reason.item_received:
        raise InvalidInput(
            f"remedy: a return needs an item the buyer has, and a {reason.value!r} dispute "
            "is about an item not received; ask remedy='refund'"
        )
    if not amount:
        raise InvalidInput(
            f"remedy: a return with a refund of {amount} would send the item back for "
            "nothing; a return's refund is above zero"
        )
    return how, None if payer is Actor.SELLER else payer


def _payer_of(value: object) -> Actor:
    """The side *value* names as the return's postage payer, else `InvalidInput`."""
    for payer in POSTAGE_PAYERS:
        if value is payer or (isinstance(value, str) and value == payer.value):
            return payer
    names = ", ".join(repr(payer.value) for payer in POSTAGE_PAYERS)
    raise InvalidInput(
        f"return_postage_by: {shown(value)} cannot pay a return's postage; one of {names} "
        "(or an Actor of those), or None for the seller"
    )


def label(value: object, name: str, *, empty: bool) -> str:
    """*value* if it is a printed label (a tracking number, a carrier), else `InvalidInput`."""
    label = str.__str__(text(value, name, limit=NAME_LIMIT, empty=empty))
    if label and not label.strip():
        raise InvalidInput(f"{name}: {shown(label)} has no visible character")
    for i, char in enumerate(label):
        if not char.isprintable() and char != " ":
            raise InvalidInput(
                f"{name}: the character at position {i} ({shown(char)}) is a control or "
                "separator character; give it as printed on the label"
            )
    return label


def proposal_details(
    details: Mapping[str, Any], remedy: Remedy, payer: Actor | None
) -> Mapping[str, Any]:
    """*details* with the remedy and the postage payer, each only when not the default."""
    if remedy is Remedy.REFUND:
        return details
    extra: dict[str, Any] = {"remedy": remedy}
    if payer is not None:
        extra["return_postage_by"] = payer
    return {**details, **extra}


def refund_amount(value: object, currency: str, name: str = "refund") -> Money:
    """*value* if it is `Money` in *currency*, else `InvalidInput`."""
    if not isinstance(value, Money):
        raise InvalidInput(
            f"{name}: expected Money, got {kind(value)} (write Money('12.34', '{currency}'))"
        )
    if value.currency != currency:
        raise InvalidInput(
            f"{name}: {value} is not in the order's currency {currency}; "
            f"give the amount in {currency}"
        )
    return value


def evidence_of(value: object) -> tuple[str, ...]:
    """*value* as a dispute's evidence: references (file paths or URLs), each a
    non-empty str; else `InvalidInput` naming ``evidence``."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(
            f"evidence: expected a sequence of str (file paths or URLs), got {kind(value)}"
        )
    items = tuple(value)
    for i, item in enumerate(items):
        text(item, f"evidence[{i}]", empty=False)
    return items
