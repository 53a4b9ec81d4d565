"""The windows of an order: when protection ends, and when a dispute may be opened.

Computed from the order's facts (shipment, protection days, extension, completion,
promised delivery and the tracking known so far) and its `Policy`, never stored.
`Windows` is the part of `Order` that computes them.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._time import iso
from .policy import Policy
from .tracking import MOVING, TrackingEvent, verdict


def _event_at(event: TrackingEvent) -> datetime:
    return event.at


class Windows:
    """The dispute windows of an order (a mixin of `Order`, with no state of its own)."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them as attrs fields.
    paid_at: datetime
    policy: Policy
    shipped_at: datetime | None
    protection_days: int | None
    promised_days: int | None
    extension_days: int
    completed_at: datetime | None
    _tracking: list[TrackingEvent] | tuple[()]

    @property
    def protection_ends(self) -> datetime | None:
        """The first instant the order is no longer protected (None before shipment)."""
        if self.shipped_at is None or self.protection_days is None:
            return None
        start = self.paid_at if self.policy.protection_from_payment else self.shipped_at
        return start + timedelta(days=self.protection_days + self.extension_days)

    @property
    def post_completion_ends(self) -> datetime | None:
        """The first instant no dispute can be opened after completion (None before)."""
        if self.completed_at is None:
            return None
        return self.policy.deadline("post_completion_window", self.completed_at)

    @property
    def earliest_dispute(self) -> datetime | None:
        """The first instant a "not received" dispute can be opened (None before shipment).

        As the tracking known so far implies it: `Policy.earliest_not_received` after
        shipment (at once for a promised delivery of `Policy.fast_delivery_days` or
        less), and, while the parcel moves normally, not before the promised delivery.
        """
        return None if self.shipped_at is None else self._dispute_opens(self.shipped_at)

    @property
    def promised_delivery(self) -> datetime | None:
        """The promised delivery instant: shipment plus the promised days (None before)."""
        if self.shipped_at is None or self.protection_days is None:
            return None
        promised = self.promised_days if self.promised_days is not None else self.protection_days
        return self.shipped_at + timedelta(days=promised)

    def _dispute_opens(self, start: datetime) -> datetime:
        """The first instant from *start* on at which "not received" may be opened."""
        shipped_at, protection_days = self.shipped_at, self.protection_days
        assert shipped_at is not None
        assert protection_days is not None
        policy = self.policy
        promised = self.promised_days if self.promised_days is not None else protection_days
        when = shipped_at
        if promised > policy.fast_delivery_days:
            when = policy.deadline("earliest_not_received", shipped_at)
        when = max(when, start)
        if not policy.wait_for_promised_delivery or not self._tracking:
            return when  # without a scan the tracking cannot be moving
        promised_at = self.promised_delivery
        assert promised_at is not None
        events = self._tracking
        while when < promised_at:
            parcel, changes = verdict(events, when, policy.stalled_after, policy.calendar)
            if parcel not in MOVING:
                return when
            i = bisect.bisect_right(events, when, key=_event_at)
            nxt = events[i].at if i < len(events) else None
            upcoming = [t for t in (changes, nxt) if t is not None]
            when = min([*upcoming, promised_at])
        return when

    def _not_received_yet(self, at: datetime) -> tuple[str, datetime | None] | None:
        """Why a "not received" dispute cannot be opened at *at*, and the instant it can
        (None when it never can), or None when it can."""
        earliest = self._dispute_opens(at)
        if at >= earliest:
            return None
        closes = self._disputes_close()
        if earliest >= closes:
            return (
                f"a 'not received' dispute could be opened from {iso(earliest)}, "
                f"but disputes close at {iso(closes)}",
                None,
            )
        return f"a 'not received' dispute can be opened from {iso(earliest)}", earliest

    def _disputes_close(self) -> datetime:
        """When opening a dispute stops being possible, if nothing else happens first."""
        end = self.post_completion_ends
        if end is None:
            protection = self.protection_ends
            assert protection is not None
            end = self.policy.deadline("post_completion_window", protection)
        return end
