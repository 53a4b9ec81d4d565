"""The carrier's scans an order keeps: adding one, reading them, and the parcel's verdict.

`Scans` is the part of `Order` that holds its tracking: the events sorted by instant
(scans at one instant in the order they came), each recorded in the log as a
``carrier`` observation.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import TYPE_CHECKING

from ._time import utc
from .errors import InvalidInput
from .history import HistoryEntry
from .lifecycle import Actor
from .policy import Policy
from .repeats import Repeats
from .tracking import Parcel, TrackingEvent, verdict


def _event_at(event: TrackingEvent) -> datetime:
    return event.at


def _entry_id(entry: HistoryEntry) -> int:
    return entry.id


class Scans(Repeats):
    """The tracking of an order (a mixin of `Order`, with no state of its own): a scan
    delivered again is recognised by `Repeats`."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them as attrs fields.
    policy: Policy
    _tracking: list[TrackingEvent] | tuple[()]
    _observations: list[HistoryEntry] | tuple[()]

    def _take_id(self) -> int:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @property
    def tracking(self) -> tuple[TrackingEvent, ...]:
        """The tracking events known, oldest first, without duplicates.

        Scans at one instant keep the order they were added in (a feed's order, as
        `parse_tracking` gives it): the last of them is the latest.
        """
        return tuple(self._tracking)

    def _observed(self) -> list[HistoryEntry]:
        """The log's tracking observations (``add_tracking`` entries), in its order (by id)."""
        return sorted(self._observations, key=_entry_id)

    def parcel(self, at: datetime) -> Parcel:
        """The verdict on the parcel at *at*, from the tracking events up to *at*."""
        return verdict(self._tracking, utc(at), self.policy.stalled_after, self.policy.calendar)[0]

    def add_tracking(self, event: TrackingEvent, *, event_id: str | None = None) -> bool:
        """Record a carrier scan; events may come in any order. False if already known
        (the same scan, or a delivery of it whose *event_id* was already recorded)."""
        if not isinstance(event, TrackingEvent):
            raise InvalidInput(f"event: expected a TrackingEvent, got {type(event).__name__}")
        delivery, again = self._again(event_id, "add_tracking", self, event.at, {"event": event})
        if again is not None:
            return False
        # Sorted by instant; scans at one instant in the order they came (the feed's
        # order: the last is the latest), a repeated one keeping its first place.
        first = bisect.bisect_left(self._tracking, event.at, key=_event_at)
        i = bisect.bisect_right(self._tracking, event.at, lo=first, key=_event_at)
        if event in self._tracking[first:i]:
            return False
        if not isinstance(self._tracking, list):
            self._tracking = []
        if not isinstance(self._observations, list):
            self._observations = []
        self._tracking.insert(i, event)
        self._observations.append(
            HistoryEntry(
                self._take_id(),
                event.at,
                Actor.CARRIER,
                "add_tracking",
                None,
                None,
                {"event": event},
                delivery,
            )
        )
        return True
