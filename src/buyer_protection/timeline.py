"""An order's timeline and a calendar of its deadlines (iCalendar).

The milestones themselves are worked out by the core (`Order.timeline`, module
``milestones``); this edge turns them into a calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ._text import kind
from ._time import utc
from .errors import InvalidInput, MissingDependency
from .milestones import DATES, opens
from .milestones import LABELS as LABELS  # still importable from here, as before
from .milestones import Milestone as Milestone  # still importable from here
from .order import Order

__all__ = ["timeline", "to_ical"]


def timeline(order: Order, at: datetime) -> tuple[Milestone, ...]:
    """Every milestone of *order*, past and future, in time order, as seen at *at*.

    The same as ``order.timeline(at)``; the order does not change.
    """
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order, got {kind(order)}")
    return order.timeline(at)


def to_ical(order: Order, at: datetime) -> bytes:
    """An iCalendar document of *order*'s future deadlines, each with a reminder a day before.

    Needs the optional ``icalendar`` package (``pip install 'buyer-protection[calendar]'``).
    Deadlines are exclusive: the event starts at the first instant the late action
    is refused, so act before it. An opening (the first instant a dispute, or under
    eBay's rules an escalation, is possible) says so, and the estimated delivery is
    only a date. Each event's words follow the order's rules (see `Milestone.label`).
    """
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order, got {kind(order)}")
    try:
        import icalendar
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingDependency(
            "to_ical needs the icalendar package: pip install 'buyer-protection[calendar]'"
        ) from None
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
        hint = _hint(milestone.what, order)
        event.add("description", f"{milestone.label} ({milestone.detail or 'order'}): {hint}.")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -timedelta(days=1))
        alarm.add("description", f"Tomorrow: {milestone.label} (order {order.order_id})")
        event.add_component(alarm)
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document


def _hint(what: str, order: Order) -> str:
    """What an event of the milestone *what* asks of the reader."""
    if opens(what, order.policy):
        return "possible from this moment"
    if what in DATES:
        return "expected by this moment"
    return "act before it"
