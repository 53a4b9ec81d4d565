"""What the carrier says: tracking events, observed rather than acted."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from ._time import utc
from .errors import InvalidInput


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
    if isinstance(value, TrackingStatus):
        return value
    try:
        return TrackingStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in TrackingStatus)
        raise InvalidInput(f"status: {value!r} is not a tracking status; one of {known}") from None


def _text(name: str) -> Any:
    def check(_: Any, __: Any, value: object) -> None:
        if not isinstance(value, str):
            raise InvalidInput(f"{name}: expected a str, got {type(value).__name__} {value!r}")

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
