"""A dispute: the buyer's request, the seller's answer, the platform's decision.

A `Dispute` is opened with `Order.open_dispute` and belongs to its order: every
action first brings the whole order up to its ``at``, then acts.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

from ._text import kind
from ._time import iso
from .errors import InvalidInput
from .history import ACTION, ID, NO_DETAILS, HistoryEntry, Record, entry, keep_enums, with_meta
from .lifecycle import DISPUTE, DisputeState, Lifecycle, OrderState, Transition
from .money import Money
from .policy import Policy

if TYPE_CHECKING:
    from .order import Order


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
    """How an outcome was reached, in the seller API's own words (``reponse`` sic)."""

    NEGOTIATION_CONSENSUS = "negotiation_consensus"
    PLATFORM_ARBITRATE = "platform_arbitrate"
    SELLER_REPONSE_TIMEOUT = "seller_reponse_timeout"
    SELLER_RESPONSE_TIMEOUT = "seller_reponse_timeout"  # noqa: PIE796 - an alias, spelled right


keep_enums(Reason, Resolution)


@attrs.frozen
class Outcome:
    """How a dispute ended: the refund, how it was reached, and when."""

    refund: Money
    reached_by: Resolution
    at: datetime


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


class OrderLink(Protocol):
    """What a dispute uses of its order: this small interface, and nothing else.

    `Order` implements it (its section "for its disputes"): a dispute's action
    brings the order up to its instant (``_begin``), checks a refund against what
    is left (``_check_refund``), records its change in the order's one log
    (``_append``, ``_records``) and hands the order its end (``_dispute_ended``);
    ``advance`` is `Dispute.advance`'s.
    """

    policy: Policy
    total: Money

    @property
    def disputes(self) -> tuple[Dispute, ...]: ...

    def advance(self, at: datetime) -> None: ...

    def _begin(self, at: object) -> datetime: ...

    def _check_refund(self, refund: Money, *, positive: bool) -> None: ...

    def _append(
        self,
        row: Transition,
        at: datetime,
        before: OrderState | DisputeState,
        after: OrderState | DisputeState,
        details: Mapping[str, Any],
    ) -> None: ...

    def _records(self) -> list[Record]: ...

    def _dispute_ended(self, dispute: Dispute, at: datetime) -> None: ...


@attrs.define(eq=False)
class Dispute:
    """One dispute on an order.

    Reads: ``state``, ``deadline`` (the instant of its next automatic step, or
    None), ``request`` (the refund the buyer asks), ``counter_offer``,
    ``outcome`` and ``history``. Every action takes the instant it happens.
    """

    _lifecycle: ClassVar[Lifecycle] = DISPUTE

    order: Order = attrs.field(repr=False)
    reason: Reason
    request: Money
    opened_at: datetime
    evidence: tuple[str, ...] = ()
    description: str = ""
    by_platform: bool = False
    state: DisputeState = DisputeState.AWAITING_SELLER
    requested_at: datetime = attrs.field(init=False)
    counter_offer: Money | None = attrs.field(init=False, default=None)
    countered_at: datetime | None = attrs.field(init=False, default=None)
    # The outcome's parts, kept apart so that a dispute holds one object less.
    _refund: Money | None = attrs.field(init=False, default=None, repr=False)
    _reached_by: Resolution | None = attrs.field(init=False, default=None, repr=False)
    _reached_at: datetime | None = attrs.field(init=False, default=None, repr=False)
    _first_id: int = attrs.field(init=False, default=0, repr=False)  # its opening's entry

    def __attrs_post_init__(self) -> None:
        self.requested_at = self.opened_at

    # -- reads -----------------------------------------------------------------

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """Every change of this dispute after its opening, oldest first."""
        later = [d._first_id for d in self.order.disputes if d._first_id > self._first_id]
        end = min(later, default=None)
        return tuple(
            entry(r)
            for r in self.order._records()
            if self._first_id < r[ID]
            and (end is None or r[ID] < end)
            and r[ACTION] in DISPUTE.triggers
        )

    @property
    def outcome(self) -> Outcome | None:
        """How the dispute ended (refund, how it was reached, when), or None while it runs."""
        if self._refund is None or self._reached_by is None or self._reached_at is None:
            return None
        return Outcome(self._refund, self._reached_by, self._reached_at)

    @property
    def is_open(self) -> bool:
        """True until the dispute is resolved or cancelled."""
        return self.state not in (DisputeState.RESOLVED, DisputeState.CANCELLED)

    @property
    def seller_deadline(self) -> datetime | None:
        """When the seller's window to answer the current request ends (exclusive)."""
        if self.by_platform:
            return None
        return self.requested_at + self.order.policy.seller_response_window

    @property
    def negotiation_deadline(self) -> datetime | None:
        """When negotiation after the counter-offer ends and the platform takes over."""
        if self.countered_at is None:
            return None
        return self.countered_at + self.order.policy.negotiation_window

    def allowed(self) -> tuple[str, ...]:
        """The actions a person may take on this dispute now."""
        return DISPUTE.allowed(self)

    @property
    def deadline(self) -> datetime | None:
        """The instant of this dispute's next automatic step, or None if it has none."""
        due = DISPUTE.due(self)
        return None if due is None else due[1]

    # -- actions ---------------------------------------------------------------

    def seller_accept(self, at: datetime, *, meta: Mapping[str, object] | None = None) -> None:
        """The seller accepts the buyer's request: it is refunded."""
        extra = with_meta(NO_DETAILS, meta)
        at = self.order._begin(at)
        row = DISPUTE.row(self, "seller_accept")
        self._settle(row, at, self.request, Resolution.NEGOTIATION_CONSENSUS, extra)

    def seller_reject(
        self, at: datetime, *, counter_offer: Money, meta: Mapping[str, object] | None = None
    ) -> None:
        """The seller refuses, offering *counter_offer* instead (zero: no refund)."""
        offer = refund_amount(counter_offer, self.order.total.currency, "counter_offer")
        details = with_meta({"counter_offer": offer}, meta)
        at = self.order._begin(at)
        row = DISPUTE.row(self, "seller_reject")
        if offer >= self.request:
            raise InvalidInput(
                f"counter_offer: {offer} is not less than the buyer's request {self.request}; "
                "to give what the buyer asks, use seller_accept"
            )
        self.counter_offer = offer
        self.countered_at = at
        self._apply(row, at, details)

    def buyer_accept(self, at: datetime, *, meta: Mapping[str, object] | None = None) -> None:
        """The buyer accepts the seller's counter-offer."""
        extra = with_meta(NO_DETAILS, meta)
        at = self.order._begin(at)
        row = DISPUTE.row(self, "buyer_accept")
        assert self.counter_offer is not None  # negotiating always has one
        self._settle(row, at, self.counter_offer, Resolution.NEGOTIATION_CONSENSUS, extra)

    def buyer_modify(
        self, at: datetime, *, refund: Money, meta: Mapping[str, object] | None = None
    ) -> None:
        """The buyer changes the request to *refund*; the seller's window starts again."""
        refund = refund_amount(refund, self.order.total.currency)
        details = with_meta({"refund": refund}, meta)
        at = self.order._begin(at)
        row = DISPUTE.row(self, "buyer_modify")
        self.order._check_refund(refund, positive=True)
        self.request = refund
        self.requested_at = at
        self.counter_offer = None
        self.countered_at = None
        self._apply(row, at, details)

    def escalate(self, at: datetime, *, meta: Mapping[str, object] | None = None) -> None:
        """The buyer asks the platform to decide."""
        details = with_meta(NO_DETAILS, meta)
        at = self.order._begin(at)
        self._apply(DISPUTE.row(self, "escalate"), at, details)

    def cancel(self, at: datetime, *, meta: Mapping[str, object] | None = None) -> None:
        """The buyer withdraws the dispute; the order goes on where it was."""
        details = with_meta(NO_DETAILS, meta)
        at = self.order._begin(at)
        self._apply(DISPUTE.row(self, "cancel"), at, details)
        self.order._dispute_ended(self, at)

    def platform_decide(
        self, at: datetime, *, refund: Money, meta: Mapping[str, object] | None = None
    ) -> None:
        """The platform decides the dispute with *refund* (zero: no refund); final."""
        refund = refund_amount(refund, self.order.total.currency)
        details = with_meta({"refund": refund}, meta)
        at = self.order._begin(at)
        row = DISPUTE.row(self, "platform_decide")
        self.order._check_refund(refund, positive=False)
        self._settle(row, at, refund, Resolution.PLATFORM_ARBITRATE, details)

    def advance(self, at: datetime) -> None:
        """Apply every automatic step of the order and this dispute due up to *at*."""
        self.order.advance(at)

    # -- internals -------------------------------------------------------------

    def _copy_for(self, order: Order) -> Dispute:
        twin = copy.copy(self)
        twin.order = order
        return twin

    def _apply(self, row: Transition, at: datetime, details: Mapping[str, Any]) -> None:
        before = self.state
        DISPUTE.fire(self, row.trigger)
        self.order._append(row, at, before, self.state, details)

    def _settle(
        self,
        row: Transition,
        at: datetime,
        refund: Money,
        how: Resolution,
        details: Mapping[str, Any],
    ) -> None:
        self._refund, self._reached_by, self._reached_at = refund, how, at
        self._apply(row, at, details)
        self.order._dispute_ended(self, at)

    def _state_note(self) -> str:
        """How a finished dispute ended, for refusals ('' while it runs)."""
        if self._reached_at is not None and self._reached_by is not None:
            how = self._reached_by.value
            return f"the dispute was resolved at {iso(self._reached_at)} ({how})"
        if self.state is DisputeState.CANCELLED:
            return "the buyer cancelled the dispute"
        return ""

    def _step(self, row: Transition, at: datetime) -> None:
        """Apply the automatic step *row* at *at*."""
        if row.trigger == "seller_timeout":
            details = {"refund": self.request, "reached_by": Resolution.SELLER_REPONSE_TIMEOUT}
            self._settle(row, at, self.request, Resolution.SELLER_REPONSE_TIMEOUT, details)
        else:
            self._apply(row, at, NO_DETAILS)
