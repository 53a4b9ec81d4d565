"""The order: the aggregate that buyer protection is about.

An `Order` is paid, shipped, protected for a number of days, maybe disputed, and
in the end completed or closed. It owns its disputes, its history and its
tracking, and it is the one place where the clock is applied: every action (its
own or its dispute's) first calls `Order.advance` for its ``at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from ._copies import copier
from ._text import NAME_LIMIT, kind, text
from ._time import days as _days
from ._time import iso, member, utc
from .assumptions import PAY_FACTS, SHIP_FACTS, Assumptions, assumed_names
from .calendars import span
from .clock import Clock, Deadline
from .dispute import Dispute
from .errors import InvalidInput
from .history import (
    ACTION,
    AT,
    NO_DETAILS,
    HistoryEntry,
    Record,
    record,
    with_meta,
)
from .history import entry as entry_of
from .lifecycle import (
    DISPUTE,
    ORDER,
    Actor,
    DisputeState,
    Lifecycle,
    OrderState,
    Transition,
    actor,
)
from .milestones import Milestone, milestones
from .money import Money
from .policy import ALIEXPRESS, Policy
from .repeats import Repeats
from .replay import Replay
from .scans import Scans
from .terms import Reason, Remedy, evidence_of, proposal, proposal_details, refund_amount
from .tracking import TrackingEvent
from .windows import Windows

__all__ = ["Deadline", "Order"]

_CLOSINGS = frozenset(row.trigger for row in ORDER.table if row.dest is OrderState.CLOSED)


def _entry_id(entry: HistoryEntry) -> int:
    return entry.id


def _optional_days(value: object, name: str) -> int | None:
    return None if value is None else _days(value, name)


@attrs.define(eq=False, init=False)
class Order(Assumptions, Clock, Replay, Scans, Repeats, Windows):
    """One paid order under a marketplace's buyer protection `Policy`.

    *assumed* names the facts of the order's creation that were assumed, not given
    by its source (``paid_at``, ``total``): see `assumed`.

    >>> from datetime import datetime, UTC
    >>> order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 1, tzinfo=UTC))
    >>> order.ship(datetime(2026, 3, 2, tzinfo=UTC))
    >>> order.protection_ends
    datetime.datetime(2026, 5, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """

    _lifecycle: ClassVar[Lifecycle] = ORDER

    order_id: str
    total: Money
    paid_at: datetime
    policy: Policy
    state: OrderState
    shipped_at: datetime | None
    protection_days: int | None
    promised_days: int | None
    by_platform: bool
    extension_days: int
    extension_requested: int | None
    completed_at: datetime | None
    refunded: Money
    estimated_delivery: datetime | None
    contacted_at: datetime | None
    _dispute: Dispute | None  # the open or last dispute
    _earlier: tuple[Dispute, ...]  # the disputes before it (cancelled ones)
    _entries: list[Record]  # the order's and its disputes' entries after 'pay', as kept
    _tracking: list[TrackingEvent] | tuple[()]  # () until the first scan: most orders
    _observations: list[HistoryEntry] | tuple[()]  # never have one, and lists cost
    _last_at: datetime
    _now: datetime  # the instant the order was last brought to: what allowed() is as of
    _next_id: int
    _pay_id: int
    # The next automatic step, kept up to date by every recorded change (see _entry):
    # every action asks for it first, so it is not recomputed each time.
    _due_row: Transition | None  # the next automatic step and its instant, kept up to
    _due_at: datetime | None  # date by every recorded change (see clock.py)
    _assumed: frozenset[str]  # the facts given by assumption (see assumptions.py)

    def __init__(
        self,
        order_id: str,
        total: Money,
        paid_at: datetime,
        policy: Policy = ALIEXPRESS,
        *,
        assumed: Iterable[str] = (),
    ) -> None:
        text(order_id, "order_id", limit=NAME_LIMIT, empty=False)
        if not isinstance(total, Money) or not total:
            raise InvalidInput(f"total: expected Money above zero, got {kind(total)}")
        if not isinstance(policy, Policy):
            raise InvalidInput(f"policy: expected a Policy, got {type(policy).__name__}")
        paid_at = utc(paid_at, "paid_at")
        self._assumed = assumed_names(assumed, PAY_FACTS)
        self.order_id = order_id
        self.total = total
        self.paid_at = paid_at
        self.policy = policy
        self.state = OrderState.AWAITING_SHIPMENT
        self.shipped_at = None
        self.protection_days = None
        self.promised_days = None
        self.by_platform = False
        self.extension_days = 0
        self.extension_requested = None
        self.completed_at = None
        self.refunded = Money.zero(total.currency)
        self.estimated_delivery = None
        self.contacted_at = None
        self._dispute = None
        self._earlier = ()
        self._tracking = ()
        self._observations = ()
        self._pay_id = self._next_id = 1
        self._last_at = self._now = paid_at
        self._entries = []
        self._refresh_due()

    # The public names of the clock and the log, listed here so that the class shows
    # (and documents) its whole API in one place.
    advance = Clock.advance
    next_deadline = Clock.next_deadline
    ingest = Replay.ingest
    protection_ends = Windows.protection_ends
    post_completion_ends = Windows.post_completion_ends
    earliest_dispute = Windows.earliest_dispute
    promised_delivery = Windows.promised_delivery
    filing_ends = Windows.filing_ends
    contact_wait_ends = Windows.contact_wait_ends
    assumed = Assumptions.assumed
    assumed_for = Assumptions.assumed_for
    tracking = Scans.tracking
    parcel = Scans.parcel
    add_tracking = Scans.add_tracking

    @classmethod
    def replay(cls, log: Iterable[HistoryEntry]) -> Order:
        """Rebuild an order from its event log (`Order.log`) alone.

        The first entry is the order's ``pay`` entry. Actions are applied again
        through the rules; automatic (``system``) entries are derived again and
        checked against the log, not trusted. An entry whose ``id`` was already
        applied is skipped, so a log can be ingested twice. A refused or
        inconsistent entry raises `InvalidInput` naming it.
        """
        return cls._rebuild(log)

    # -- reads -----------------------------------------------------------------

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """The order's own changes, oldest first (its disputes keep theirs)."""
        ours = (entry_of(r) for r in self._entries if r[ACTION] not in DISPUTE.triggers)
        return (self._pay_entry(), *ours)

    def _pay_entry(self) -> HistoryEntry:
        # Made from the order's own fields when read: one object less to keep per order.
        details = {"order_id": self.order_id, "total": self.total, "policy": self.policy}
        if self._assumed and (assumed := self._assumed & PAY_FACTS):
            details["assumed"] = tuple(sorted(assumed))
        first = OrderState.AWAITING_SHIPMENT
        return HistoryEntry(self._pay_id, self.paid_at, Actor.BUYER, "pay", None, first, details)

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        """Every dispute opened on this order, oldest first."""
        return (*self._earlier, self._dispute) if self._dispute is not None else ()

    @property
    def dispute(self) -> Dispute | None:
        """The open dispute, or the last one, or None."""
        return self._dispute

    @property
    def log(self) -> tuple[HistoryEntry, ...]:
        """The whole event log in the order it was recorded: the order's history, its
        disputes', and the tracking observations (actor ``carrier``, dated at the scan).

        `Order.replay` rebuilds the order from it alone.
        """
        entries = [self._pay_entry(), *map(entry_of, self._entries), *self._observations]
        return tuple(sorted(entries, key=_entry_id))

    @property
    def last_event_at(self) -> datetime:
        """The instant of the last recorded change; an action cannot be dated earlier."""
        return self._last_at

    @property
    def refundable(self) -> Money:
        """What can still be refunded: the total less what was refunded."""
        return self.total - self.refunded

    @property
    def shipping_deadline(self) -> datetime | None:
        """The first instant at which the order is too late to ship (and is cancelled);
        None under rules with no such clock (`Policy.processing_time` None)."""
        return self.policy.ends("processing_time", self.paid_at)

    @property
    def completed_by_buyer(self) -> bool:
        """True when the buyer confirmed receipt."""
        return any(r[ACTION] == "confirm_receipt" for r in self._entries)

    def as_of(self, at: datetime) -> Order:
        """A copy of this order with every automatic step due up to *at* applied.

        The order itself does not change: this is how to look ahead ("where will it
        stand on the 20th?") without recording anything.
        """
        twin = _copy(self)
        twin._entries = list(self._entries)
        twin._tracking = list(self._tracking)
        twin._observations = list(self._observations)
        twin._earlier = tuple(dispute._copy_for(twin) for dispute in self._earlier)
        if self._dispute is not None:
            twin._dispute = self._dispute._copy_for(twin)
        twin.advance(at)
        return twin

    def timeline(self, at: datetime) -> tuple[Milestone, ...]:
        """Every milestone of the order, past and future, in time order, as seen at *at*."""
        return milestones(self, at)

    def allowed(self) -> tuple[str, ...]:
        """The actions a person may take on the order and its open dispute now: as of the
        instant it was last brought to (its last action, `advance` or `as_of`). A
        "not received" dispute listed may still be too early (see `earliest_dispute`)."""
        actions = ORDER.allowed(self)
        if "grant_extension" in actions and self.extension_days >= self._extension_cap:
            # Any grant would pass the cap: InvalidInput if tried, so not offered.
            actions = tuple(a for a in actions if a != "grant_extension")
        if self.state is OrderState.IN_DISPUTE:
            assert self._dispute is not None
            actions += DISPUTE.allowed(self._dispute)
        elif self.state is OrderState.CLOSED and self._dispute is not None:
            actions += DISPUTE.allowed(self._dispute)  # an appeal of its decision
        return actions

    # -- actions ---------------------------------------------------------------

    def ship(
        self,
        at: datetime,
        *,
        protection_days: int | None = None,
        by_platform: bool = False,
        promised_days: int | None = None,
        estimated_delivery: datetime | None = None,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
        assumed: Iterable[str] = (),
    ) -> None:
        """The seller ships: protection runs *protection_days* (default: the policy's).

        *by_platform*: the marketplace's own logistics shipped it, so the platform,
        not the seller, handles disputes. *promised_days*: the promised delivery
        time (default: the protection days). *estimated_delivery*: the latest estimated
        delivery instant the marketplace showed (aware, not before the shipment), which
        the rules of eBay and Amazon count their dispute window from (see
        `Policy.filing_window_starts`). *assumed*: the facts of the shipment
        that the caller assumed, not given by its source (names from ``shipped_at``
        and ``protection_days``); see `assumed`.
        """
        protection = _optional_days(protection_days, "protection_days")
        promised = _optional_days(promised_days, "promised_days")
        if not isinstance(by_platform, bool):
            raise InvalidInput(f"by_platform: expected True or False, got {kind(by_platform)}")
        protection = protection or self.policy.protection_days
        estimate = estimated_delivery
        if estimate is not None:
            estimate = utc(estimate, "estimated_delivery")
        facts = assumed_names(assumed, SHIP_FACTS)
        given: dict[str, Any] = {
            "protection_days": protection,
            "by_platform": by_platform,
            "promised_days": promised,
        }
        if estimate is not None:  # only when given: documents without one stay as they were
            given["estimated_delivery"] = estimate
        if facts:
            given["assumed"] = tuple(sorted(facts))
        details = with_meta(given, meta)
        if (started := self._start("ship", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        if estimate is not None and estimate < at:
            raise InvalidInput(
                f"estimated_delivery: {iso(estimate)} is before the shipment at {iso(at)}; "
                "expected the latest estimated delivery the marketplace showed"
            )
        self.shipped_at = at
        self.estimated_delivery = estimate
        self.protection_days = protection
        self.promised_days = promised
        self.by_platform = by_platform
        if facts:
            self._assumed = self._assumed | facts
        self._apply(row, at, details, event)
        # Protection counted from payment may have ended before the parcel left: the
        # order then completes at once, dated at the shipment (never in the past).
        self._begin(at)

    def confirm_receipt(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer confirms receipt: the order completes at once."""
        details = with_meta(NO_DETAILS, meta)
        if (started := self._start("confirm_receipt", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.completed_at = at
        self._apply(row, at, details, event)
        self._begin(at)  # a post-completion window of zero closes the order at once

    def request_extension(
        self,
        at: datetime,
        days: int,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer asks the seller to extend protection by *days*."""
        wanted = _days(days, "days")
        details = with_meta({"days": wanted}, meta)
        if (started := self._start("request_extension", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.extension_requested = wanted
        self._apply(row, at, details, event)

    def grant_extension(
        self,
        at: datetime,
        days: int,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The seller extends protection by *days*, answering the buyer's request."""
        granted = _days(days, "days")
        details = with_meta({"days": granted}, meta)
        if (started := self._start("grant_extension", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        cap = self._extension_cap
        if self.extension_days + granted > cap:
            raise InvalidInput(
                f"days: {granted} more days would extend protection by "
                f"{self.extension_days + granted} days in all; the policy allows at most {cap} "
                f"({cap - self.extension_days} more)"
            )
        self.extension_days += granted
        self.extension_requested = None
        self._apply(row, at, details, event)

    def contact_seller(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer contacts the seller about the order: under rules with a
        `Policy.contact_wait` (Amazon), the first step before a claim, which can be filed
        from `contact_wait_ends` on. Allowed before the shipment (asking when it ships)
        and while the order is shipped; after completion too under rules with a contact
        wait (a buyer who confirmed receipt may still claim). The first contact is
        `contacted_at`."""
        details = with_meta(NO_DETAILS, meta)
        if (started := self._start("contact_seller", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        if self.contacted_at is None:
            self.contacted_at = at
        self._apply(row, at, details, event)

    def open_dispute(
        self,
        at: datetime,
        *,
        reason: Reason | str,
        refund: Money,
        remedy: Remedy | str = Remedy.REFUND,
        return_postage_by: Actor | str | None = None,
        evidence: Iterable[str] = (),
        description: str = "",
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> Dispute:
        """The buyer opens a dispute asking *refund*; returns it.

        *remedy*: keep the item (``"refund"``, the default) or send it back first
        (``"return_and_refund"``, only for an item received); *return_postage_by*:
        who pays a return's postage, when not the seller. *evidence* are references
        (file paths or URLs) to screenshots, photos or video; the policy requires
        some when the item was received.
        """
        why = member(Reason, reason, "reason")
        asked = refund_amount(refund, self.total.currency)
        how, payer = proposal(why, asked, remedy, return_postage_by)
        proofs = evidence_of(evidence)
        text(description, "description")
        given = {"reason": why, "refund": asked}
        details = with_meta(
            {
                **proposal_details(given, how, payer),
                "evidence": proofs,
                "description": description,
            },
            meta,
        )
        if why.item_received and not proofs and self.policy.evidence_required_when_received:
            raise InvalidInput(
                f"evidence: a {why.value!r} dispute needs evidence (photos, video) of the item"
            )
        event, again = self._again(event_id, "open_dispute", self, at, details)
        if again is not None:
            return next(d for d in self.disputes if d._first_id == again.id)
        at = self._begin(at)
        row = ORDER.row(self, "open_dispute")
        self._check_refund(asked, positive=True)
        refused = self._not_yet(at, not why.item_received)
        if refused is not None:
            why_not, possible_from = refused
            raise ORDER.refusal(self, "open_dispute", why_not, possible_from=possible_from)
        dispute = Dispute(
            self,
            why,
            asked,
            at,
            proofs,
            description,
            self.by_platform,
            DisputeState.ARBITRATION if self.by_platform else DisputeState.AWAITING_SELLER,
            how,
            payer,
        )
        self._apply(row, at, details, event)
        if self._dispute is not None:
            self._earlier = (*self._earlier, self._dispute)
        dispute._first_id = self._next_id
        self._dispute = dispute
        self._refresh_due()
        return dispute

    # -- internals -------------------------------------------------------------

    def _start(
        self, action: str, at: object, details: Mapping[str, Any], event_id: object
    ) -> tuple[datetime, Transition, str | None] | None:
        """Begin *action*: None when it repeats an event already recorded (see
        `_again`), else its instant (every step due by then applied), its row and the
        checked event id; `InvalidAction` when it is not allowed now."""
        event, first = self._again(event_id, action, self, at, details)
        if first is not None:
            return None
        when = self._begin(at)
        return when, ORDER.row(self, action), event

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _apply(
        self,
        row: Transition,
        at: datetime,
        details: Mapping[str, Any],
        event: str | None = None,
    ) -> None:
        before = self.state
        ORDER.fire(self, row.trigger)
        self._append(row, at, before, self.state, details, event=event)

    def _actor_of(self, trigger: str) -> Actor:
        """Who takes *trigger* now: its dispute's actions as the dispute says."""
        if trigger in DISPUTE.triggers and self._dispute is not None:
            return self._dispute._actor_of(trigger)
        return actor(trigger)

    def _state_note(self) -> str:
        """How a closed order came to be closed, for refusals ('' while it is not)."""
        if self.state is not OrderState.CLOSED:
            return ""
        last = next(r for r in reversed(self._entries) if r[ACTION] in _CLOSINGS)
        at, action = iso(last[AT]), last[ACTION]
        if action == "cancel_unshipped":
            assert self.policy.processing_time is not None  # its clock cancelled it
            limit = span(self.policy.processing_time)
            return (
                f"the order was cancelled at {at}: the seller did not ship within the "
                f"processing time ({limit} after payment)"
            )
        if action == "dispute_resolved":
            return f"the order was closed at {at}, when its dispute was resolved"
        return f"the order was closed at {at}, when the time to dispute after completion ended"

    # -- for its disputes: the whole interface dispute.py uses (see dispute.OrderLink) --

    def _append(
        self,
        row: Transition,
        at: datetime,
        before: OrderState | DisputeState,
        after: OrderState | DisputeState,
        details: Mapping[str, Any],
        actor: Actor | None = None,
        event: str | None = None,
    ) -> None:
        """Record a change of the order or one of its disputes (by *actor*, if not the
        row's; for the caller's *event* id, if it gave one)."""
        self._last_at = at
        number = self._take_id()
        by = row.actor if actor is None else actor
        self._entries.append(record(number, at, by, row.trigger, before, after, details, event))
        self._refresh_due()  # after the entry: a clock may read the history's order

    def _records(self) -> list[Record]:
        """The entries recorded after 'pay', as kept (a dispute picks its own)."""
        return self._entries

    def _step(self, row: Transition, at: datetime) -> None:
        """Apply the automatic step *row* at *at*."""
        if row.trigger == "cancel_unshipped":
            refund = self.refundable
            self.refunded = self.total
            self._apply(row, at, {"refund": refund})
            return
        if row.trigger == "complete":
            self.completed_at = at
        self._apply(row, at, NO_DETAILS)

    def _check_refund(self, refund: Money, *, positive: bool) -> None:
        if positive and not refund:
            raise InvalidInput(f"refund: {refund} asks for nothing; ask for more than zero")
        if refund.amount > self.total.amount - self.refunded.amount:  # no Money made: hot path
            raise InvalidInput(
                f"refund: {refund} is more than can be refunded: {self.refundable} "
                f"(paid {self.total}, refunded {self.refunded})"
            )

    def _dispute_appealed(self, dispute: Dispute, refund: Money, at: datetime) -> None:
        """Follow the dispute whose decision was appealed at *at*: its *refund* is taken
        back, and the order waits for the new decision."""
        self.refunded = self.refunded - refund
        self._apply(ORDER.row(self, "dispute_appealed"), at, NO_DETAILS)

    def _dispute_refusal(self) -> str | None:
        """Why a new dispute cannot be opened now, or None."""
        last = self.dispute
        if last is not None and not self.policy.reopen_after_cancel:
            return "the policy does not allow a new dispute after one was cancelled"
        return None

    def _dispute_ended(self, dispute: Dispute, at: datetime) -> None:
        """Follow the dispute that just ended at *at*."""
        if dispute._refund is not None:  # resolved with a refund (maybe of zero)
            self.refunded = self.refunded + dispute._refund
            self._apply(ORDER.row(self, "dispute_resolved"), at, NO_DETAILS)
            return
        trigger = "dispute_cancelled"
        if self.completed_at is not None:
            trigger = "dispute_cancelled_after_completion"
        self._apply(ORDER.row(self, trigger), at, NO_DETAILS)
        self._begin(at)


_copy = copier(Order)
