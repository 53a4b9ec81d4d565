"""An order's milestones, past and future: what `Order.timeline` returns.

A pure read of the order. It depends on nothing above the core: it reads the
order through `OrderView`, the few members it needs, so that the order can use
it without an import circle. The calendar of deadlines (`to_ical`) is an edge
and lives in the module ``buyer_protection.timeline``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar, Literal, Protocol

import attrs

from ._time import utc
from .dispute import Dispute
from .history import HistoryEntry
from .lifecycle import LIFECYCLES, Actor, Lifecycle, OrderState
from .tracking import TrackingEvent

Status = Literal["done", "due", "expired"]

LABELS: dict[str, str] = {
    "pay": "paid",
    "ship": "shipped",
    "confirm_receipt": "receipt confirmed",
    "request_extension": "extension of protection asked",
    "grant_extension": "extension of protection granted",
    "open_dispute": "dispute opened",
    "seller_accept": "seller accepted the request",
    "seller_reject": "seller refused with a counter-offer",
    "buyer_accept": "buyer accepted the counter-offer",
    "buyer_modify": "buyer changed the request",
    "escalate": "escalated to the platform",
    "cancel": "dispute cancelled",
    "platform_decide": "platform decided",
    "ship_return": "buyer shipped the return",
    "confirm_return": "seller confirmed the return",
    "refuse_return": "seller refused the returned goods (the platform decides)",
    "outcome": "dispute outcome",
    "shipping_deadline": "last moment to ship (else cancelled and refunded)",
    "earliest_dispute": "a 'not received' dispute can be opened",
    "protection_ends": "buyer protection ends",
    "post_completion_ends": "last moment for a dispute after completion",
    "seller_deadline": "the seller's time to answer ends (silence refunds the request)",
    "negotiation_deadline": "negotiation ends (the platform takes the dispute)",
    "return_ship_deadline": "the buyer's time to ship the return ends (else the money goes "
    "to the seller)",
    "return_confirm_deadline": "the seller's time to confirm the return ends (silence pays "
    "the refund)",
}
"""A short sentence for each milestone's ``what``; tracking milestones say the status."""

OPENINGS = frozenset({"earliest_dispute"})
"""Milestones that open a possibility rather than end one."""

_CLOCKS = OPENINGS | {row.clock for lc in LIFECYCLES for row in lc.table if row.clock}


@attrs.frozen
class Milestone:
    """One point of an order's timeline.

    ``status`` is ``done`` (it happened), ``due`` (still ahead) or ``expired`` (its
    time passed without it, or it became moot). ``what`` is a short name: an
    action (``ship``), a deadline (``protection_ends``) or ``tracking_<status>``.
    """

    at: datetime
    what: str
    status: Status
    detail: str = ""

    @property
    def label(self) -> str:
        """The milestone in words."""
        if self.what.startswith("tracking_"):
            return "tracking: " + self.what.removeprefix("tracking_").replace("_", " ")
        return LABELS.get(self.what, self.what.replace("_", " "))


class OrderView(Protocol):
    """What the milestones read of an order (`Order` has all of it)."""

    _lifecycle: ClassVar[Lifecycle]
    state: OrderState
    completed_at: datetime | None

    @property
    def disputes(self) -> tuple[Dispute, ...]: ...

    @property
    def history(self) -> tuple[HistoryEntry, ...]: ...

    @property
    def tracking(self) -> tuple[TrackingEvent, ...]: ...

    @property
    def earliest_dispute(self) -> datetime | None: ...

    def as_of(self, at: datetime) -> OrderView: ...

    def allowed(self) -> tuple[str, ...]: ...

    def _dispute_opens(self, start: datetime) -> datetime: ...

    def _disputes_close(self) -> datetime: ...


def milestones(order: OrderView, at: datetime) -> tuple[Milestone, ...]:
    """Every milestone of *order*, past and future, in time order, as seen at *at*.

    The order does not change: it is looked at as it would be at *at*.
    """
    view = order.as_of(at)
    at = utc(at)
    found = [*_actions(view), *_tracking(view, at), *_deadlines(view, at)]
    # At one instant, a deadline or an opening comes before what it made happen.
    return tuple(sorted(found, key=lambda m: (m.at, m.what not in _CLOCKS)))


def _actions(view: OrderView) -> Iterator[Milestone]:
    for number, dispute in enumerate(view.disputes, 1):
        for entry in dispute.history:
            if entry.actor is not Actor.SYSTEM:
                yield Milestone(entry.at, entry.action, "done", f"dispute {number}")
        if dispute.outcome is not None:
            outcome = dispute.outcome
            detail = f"dispute {number}: {outcome.refund} by {outcome.reached_by.value}"
            yield Milestone(outcome.at, "outcome", "done", detail)
    for entry in view.history:
        if entry.actor is not Actor.SYSTEM:
            yield Milestone(entry.at, entry.action, "done", _describe(entry.details))


def _describe(details: object) -> str:
    if not isinstance(details, dict):
        return ""
    shown = ("refund", "reason", "days", "protection_days", "total")
    return ", ".join(
        f"{key} {getattr(details[key], 'value', details[key])}" for key in shown if key in details
    )


def _tracking(view: OrderView, at: datetime) -> Iterator[Milestone]:
    for event in view.tracking:
        if event.at <= at:
            detail = " - ".join(part for part in (event.description, event.location) if part)
            yield Milestone(event.at, f"tracking_{event.status.value}", "done", detail)


def _deadlines(view: OrderView, at: datetime) -> Iterator[Milestone]:
    state = view.state
    if state is OrderState.IN_DISPUTE:  # the order's own clocks wait for the dispute
        state = OrderState.SHIPPED if view.completed_at is None else OrderState.COMPLETED
    yield from _clocks(view, state, at, "")
    for number, dispute in enumerate(view.disputes, 1):
        yield from _clocks(dispute, dispute.state, at, f"dispute {number}")
    earliest = view.earliest_dispute
    if earliest is None:
        return
    can_open = view.state in (OrderState.SHIPPED, OrderState.COMPLETED)
    if can_open and (opens := view._dispute_opens(at)) > at:
        earliest = opens  # not open now (a late scan may close it again): when it opens
    yield Milestone(earliest, "earliest_dispute", _window(view, earliest, at))


def _clocks(
    model: OrderView | Dispute, state: object, at: datetime, detail: str
) -> Iterator[Milestone]:
    """One milestone for each automatic step of *model*'s lifecycle that has an instant."""
    happened = {e.action: e.at for e in model.history if e.actor is Actor.SYSTEM}
    seen: set[str] = set()
    for row in model._lifecycle.table:
        if row.clock is None or row.trigger in seen:
            continue  # a trigger's rows told apart by condition share one clock
        seen.add(row.trigger)
        when: datetime | None = getattr(model, row.clock)
        if row.trigger in happened:
            yield Milestone(happened[row.trigger], row.clock, "done", detail)
        elif when is not None:
            status: Status = "due" if state in row.sources and when > at else "expired"
            yield Milestone(when, row.clock, status, detail)


def _window(view: OrderView, opens: datetime, at: datetime) -> Status:
    """Whether the dispute window opening at *opens* is ahead, opened, or never did."""
    if opens > at:
        open_now = view.state in (OrderState.SHIPPED, OrderState.COMPLETED)
        ahead = open_now and "open_dispute" in view.allowed() and opens < view._disputes_close()
        return "due" if ahead else "expired"
    before = [e.after for e in view.history if e.at <= opens]
    open_states = (OrderState.SHIPPED, OrderState.IN_DISPUTE, OrderState.COMPLETED)
    return "done" if before and before[-1] in open_states else "expired"
