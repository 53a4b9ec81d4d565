"""The windows of an order: when protection ends, when a dispute may be opened, and
which of the lifecycle's rows the order's rules have.

Computed from the order's facts (shipment, protection days, extension, completion,
promised delivery and the tracking known so far) and its `Policy`, never stored.
`Windows` is the part of `Order` that computes them.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._time import MAX_DAYS, iso
from .errors import InvalidInput
from .policy import Anchor, Policy
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
    extension_requested: int | None
    completed_at: datetime | None
    estimated_delivery: datetime | None
    contacted_at: datetime | None
    _tracking: list[TrackingEvent] | tuple[()]

    @property
    def protection_ends(self) -> datetime | None:
        """The first instant the order is no longer protected (None before shipment).

        The protection days (and any extension) from shipment or payment; under rules
        whose filing window is counted from payment or the estimated delivery, the end
        of that window (`filing_ends`) when it is known.
        """
        if self.shipped_at is None or self.protection_days is None:
            return None
        filing = self.filing_ends
        if filing is not None:
            return filing + timedelta(days=self.extension_days)
        start = self.paid_at if self.policy.protection_from_payment else self.shipped_at
        return start + timedelta(days=self.protection_days + self.extension_days)

    @property
    def filing_ends(self) -> datetime | None:
        """The end of the window to open a dispute under rules that count it from payment
        (PayPal) or the estimated delivery (eBay, Amazon): `Policy.filing_window` after it;
        None under rules that count protection days from shipment, before shipment, or
        with no estimated delivery given."""
        policy = self.policy
        anchor = policy.filing_window_starts
        if anchor is Anchor.SHIPMENT or self.shipped_at is None:
            return None
        start = self.paid_at if anchor is Anchor.PAYMENT else self.estimated_delivery
        return None if start is None else policy.ends("filing_window", start)

    @property
    def contact_wait_ends(self) -> datetime | None:
        """From when a dispute can be opened after the buyer first contacted the seller,
        under rules with a `Policy.contact_wait` (Amazon); None otherwise or before."""
        if self.contacted_at is None:
            return None
        return self.policy.ends("contact_wait", self.contacted_at)

    @property
    def post_completion_ends(self) -> datetime | None:
        """The first instant no dispute can be opened after completion (None before).

        Under rules that count the filing window from payment or the estimated
        delivery, never before that window ends: confirming receipt does not shorten it.
        """
        if self.completed_at is None:
            return None
        end = self.policy.deadline("post_completion_window", self.completed_at)
        filing = self.filing_ends
        return end if filing is None else max(end, filing + timedelta(days=self.extension_days))

    @property
    def earliest_dispute(self) -> datetime | None:
        """The first instant a "not received" dispute can be opened (None before shipment).

        As the tracking known so far implies it: `Policy.earliest_not_received` after
        shipment (at once for a promised delivery of `Policy.fast_delivery_days` or
        less), and, while the parcel moves normally, not before the promised delivery.
        Under rules that count from the estimated delivery (eBay, Amazon):
        `Policy.earliest_not_received` after it, and None when the order has none.
        """
        if self.shipped_at is None or self._without_estimate():
            return None
        return self._dispute_opens(self.shipped_at)

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
        estimate = self.estimated_delivery
        if policy.filing_window_starts is Anchor.ESTIMATED_DELIVERY and estimate is not None:
            when = policy.deadline("earliest_not_received", estimate)
        elif promised > policy.fast_delivery_days:
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

    def _without_estimate(self) -> bool:
        """The rules count "not received" from the estimated delivery, and there is none."""
        anchor = self.policy.filing_window_starts
        return anchor is Anchor.ESTIMATED_DELIVERY and self.estimated_delivery is None

    def _not_yet(self, at: datetime, not_received: bool) -> tuple[str, datetime | None] | None:
        """Why a dispute (a *not_received* one, or not) cannot be opened at *at* yet,
        and the first instant it can (None when unknown or never), or None when it can.

        The contact the rules ask for first (`Policy.contact_wait`), and for "not
        received", the earliest instant; an order with no estimated delivery under rules
        that count from it is `InvalidInput` naming ``estimated_delivery``.
        """
        found: list[tuple[str, datetime | None]] = []
        wait = self.policy.contact_wait
        if wait is not None:
            ends = self.contact_wait_ends
            if ends is None:
                found.append(("the buyer must contact the seller first (contact_seller)", None))
            elif at < ends:
                why = f"the buyer may file from {iso(ends)}, after contacting the seller"
                found.append((why, ends))
        if not_received:
            if self._without_estimate():
                raise InvalidInput(
                    f"estimated_delivery: the rules {self.policy.name} {self.policy.version} "
                    "count a 'not received' dispute from the estimated delivery, and the "
                    "order was shipped without one; give ship(..., estimated_delivery=...)"
                )
            if (refused := self._not_received_yet(at)) is not None:
                found.append(refused)
        if not found:
            return None
        starts = [when for _, when in found]
        first = None if None in starts else max(w for w in starts if w is not None)
        return "; ".join(why for why, _ in found), first

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

    # -- which rows the order's rules have (the lifecycle's consequences and guards) --

    def _extensions(self) -> bool:
        return self.policy.extensions

    def _appeals(self) -> bool:
        return self.policy.appeal_window is not None

    def _contact_first(self) -> bool:
        return self.policy.contact_wait is not None

    def _policy_note(self, trigger: str) -> str:
        """Why the order's rules have no *trigger* from its state."""
        rules = f"the rules {self.policy.name} {self.policy.version}"
        if trigger in ("request_extension", "grant_extension"):
            return f"{rules} have no extension of protection"
        if trigger == "contact_seller":
            return ""  # asked for nothing after completion: the state says it all
        return f"{rules} have no {trigger}"  # pragma: no cover - the rows above

    @property
    def _extension_cap(self) -> int:
        cap = self.policy.max_extension_days
        return MAX_DAYS if cap is None else min(cap, MAX_DAYS)

    def _extension_refusal(self) -> str | None:
        if self.extension_requested is None:
            return "the buyer has not asked for an extension"
        return None
