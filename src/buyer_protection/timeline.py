"""The order's milestones, past and future, and a calendar of its deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import attrs

from ._time import utc
from .errors import MissingDependency
from .lifecycle import LIFECYCLES, Actor, OrderState

if TYPE_CHECKING:
    from .dispute import Dispute
    from .order import Order

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
    "outcome": "dispute outcome",
    "shipping_deadline": "last moment to ship (else cancelled and refunded)",
    "earliest_dispute": "a 'not received' dispute can be opened",
    "protection_ends": "buyer protection ends",
    "post_completion_ends": "last moment for a dispute after completion",
    "seller_deadline": "the seller's time to answer ends (silence refunds the request)",
    "negotiation_deadline": "negotiation ends (the platform takes the dispute)",
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


def timeline(order: Order, at: datetime) -> tuple[Milestone, ...]:
    """Every milestone of *order*, past and future, in time order, as seen at *at*.

    The order does not change: it is looked at as it would be at *at*.
    """
    view = order.as_of(at)
    at = utc(at)
    found = [*_actions(view), *_tracking(view, at), *_deadlines(view, at)]
    # At one instant, a deadline or an opening comes before what it made happen.
    return tuple(sorted(found, key=lambda m: (m.at, m.what not in _CLOCKS)))


def _actions(view: Order) -> Iterator[Milestone]:
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


def _tracking(view: Order, at: datetime) -> Iterator[Milestone]:
    for event in view.tracking:
        if event.at <= at:
            detail = " - ".join(part for part in (event.description, event.location) if part)
            yield Milestone(event.at, f"tracking_{event.status.value}", "done", detail)


def _deadlines(view: Order, at: datetime) -> Iterator[Milestone]:
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
    model: Order | Dispute, state: object, at: datetime, detail: str
) -> Iterator[Milestone]:
    """One milestone for each automatic step of *model*'s lifecycle that has an instant."""
    happened = {e.action: e.at for e in model.history if e.actor is Actor.SYSTEM}
    for row in model._lifecycle.table:
        if row.clock is None:
            continue
        when: datetime | None = getattr(model, row.clock)
        if row.trigger in happened:
            yield Milestone(happened[row.trigger], row.clock, "done", detail)
        elif when is not None:
            status: Status = "due" if state in row.sources and when > at else "expired"
            yield Milestone(when, row.clock, status, detail)


def _window(view: Order, opens: datetime, at: datetime) -> Status:
    """Whether the dispute window opening at *opens* is ahead, opened, or never did."""
    if opens > at:
        open_now = view.state in (OrderState.SHIPPED, OrderState.COMPLETED)
        ahead = open_now and "open_dispute" in view.allowed() and opens < view._disputes_close()
        return "due" if ahead else "expired"
    before = [e.after for e in view.history if e.at <= opens]
    open_states = (OrderState.SHIPPED, OrderState.IN_DISPUTE, OrderState.COMPLETED)
    return "done" if before and before[-1] in open_states else "expired"


def to_ical(order: Order, at: datetime) -> bytes:
    """An iCalendar document of *order*'s future deadlines, each with a reminder a day before.

    Needs the optional ``icalendar`` package (``pip install 'buyer-protection[calendar]'``).
    Deadlines are exclusive: the event starts at the first instant the late action
    is refused, so act before it.
    """
    try:
        import icalendar
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingDependency(
            "to_ical needs the icalendar package: pip install 'buyer-protection[calendar]'"
        ) from None
    from datetime import timedelta

    stamp = utc(at)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//buyer-protection//deadlines//EN")
    calendar.add("version", "2.0")
    for milestone in timeline(order, at):
        if milestone.status != "due":
            continue
        event = icalendar.Event()
        event.add(
            "uid",
            f"{order.order_id}-{milestone.what}-{int(milestone.at.timestamp())}@buyer-protection",
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", milestone.at)
        event.add("summary", f"Order {order.order_id}: {milestone.label}")
        hint = "possible from this moment" if milestone.what in OPENINGS else "act before it"
        event.add("description", f"{milestone.label} ({milestone.detail or 'order'}): {hint}.")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -timedelta(days=1))
        alarm.add("description", f"Tomorrow: {milestone.label} (order {order.order_id})")
        event.add_component(alarm)
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document
