"""What the carrier says: tracking events, observed rather than acted.

Tracking is read sorted by instant; of several events at one instant, the last
counts as the latest (see `verdict`).
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from ._text import text
from ._time import member, utc
from .calendars import Calendar, Duration


class TrackingStatus(enum.Enum):
    """A carrier scan's meaning, in a carrier-neutral vocabulary."""

    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED_TO_SENDER = "returned_to_sender"
    EXCEPTION = "exception"


def _status(value: object) -> TrackingStatus:
    return member(TrackingStatus, value, "status")


def _text(name: str) -> Any:
    def check(_: Any, __: Any, value: object) -> None:
        text(value, name)  # a str a document can hold: bounded, UTF-8 writable

    return check


@attrs.frozen(order=False)
class TrackingEvent:
    """One carrier scan: when (an aware instant, kept in UTC), what, and where.

    >>> from datetime import datetime, UTC
    >>> TrackingEvent(datetime(2026, 3, 1, 8, tzinfo=UTC), "in_transit").status
    <TrackingStatus.IN_TRANSIT: 'in_transit'>
    """

    at: datetime = attrs.field(converter=utc)
    status: TrackingStatus = attrs.field(converter=_status)
    description: str = attrs.field(default="", validator=_text("description"))
    location: str = attrs.field(default="", validator=_text("location"))

    def sort_key(self) -> tuple[datetime, str, str, str]:
        """Events sort by instant, then by their other fields, so a feed has one order."""
        return (self.at, self.status.value, self.description, self.location)


class Parcel(enum.Enum):
    """A verdict on the parcel at an instant, read from the tracking known then."""

    NO_INFORMATION = "no_information"
    IN_TRANSIT = "in_transit"
    STALLED = "stalled"
    CUSTOMS = "customs"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED_TO_SENDER = "returned_to_sender"


# What the last meaningful scan says, before staleness is considered.
_VERDICT = {
    TrackingStatus.IN_TRANSIT: Parcel.IN_TRANSIT,
    TrackingStatus.OUT_FOR_DELIVERY: Parcel.IN_TRANSIT,
    TrackingStatus.EXCEPTION: Parcel.IN_TRANSIT,
    TrackingStatus.CUSTOMS: Parcel.CUSTOMS,
    TrackingStatus.DELIVERED: Parcel.DELIVERED,
    TrackingStatus.DELIVERY_FAILED: Parcel.DELIVERY_FAILED,
    TrackingStatus.RETURNED_TO_SENDER: Parcel.RETURNED_TO_SENDER,
}
ELAPSED = Calendar()
"""The default calendar: UTC, nothing closed (elapsed durations are exactly elapsed)."""

MOVING = frozenset({Parcel.IN_TRANSIT, Parcel.CUSTOMS})
"""Verdicts that mean the tracking still moves normally."""


def verdict(
    events: Sequence[TrackingEvent],
    at: datetime,
    stalled_after: Duration,
    calendar: Calendar = ELAPSED,
) -> tuple[Parcel, datetime | None]:
    """The verdict on *events* at *at*, and the instant it would next change by itself.

    *events* are sorted by instant; of several at one instant, the last in *events*
    counts as the latest (the one a carrier's feed lists on its newest side). Only
    events up to *at* count. ``info_received`` alone is no information; a parcel
    moving (in transit, out for delivery, exception, customs) with no new scan for
    *stalled_after* (counted on *calendar*, as a policy's durations are) is stalled from
    that instant on. Delivered, failed and returned
    are final verdicts and never go stale.
    """
    end = bisect.bisect_right(events, at, key=lambda e: e.at)
    last = next(
        (e for e in reversed(events[:end]) if e.status is not TrackingStatus.INFO_RECEIVED), None
    )
    if last is None:
        return Parcel.NO_INFORMATION, None
    found = _VERDICT[last.status]
    if found not in MOVING:
        return found, None
    stale = calendar.after(last.at, stalled_after)
    if at >= stale:
        return Parcel.STALLED, None
    return found, stale
