"""An order's milestones, past and future: what `Order.timeline` returns.

A pure read of the order. It depends on nothing above the core: it reads the
order through `OrderView`, the few members it needs, so that the order can use
it without an import circle. The calendar of deadlines (`to_ical`) is an edge
and lives in the module ``buyer_protection.timeline``.

A milestone's words follow the order's rules (`label_for`): the seller's deadline
refunds the request where silence refunds (AliExpress, Amazon, PayPal's claims), and
only lets the buyer ask the platform to step in where it does not (eBay).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar, Literal, Protocol

import attrs

from ._time import utc
from .calendars import span
from .dispute import Dispute
from .history import HistoryEntry
from .lifecycle import LIFECYCLES, Actor, DisputeState, Lifecycle, OrderState, State, Transition
from .policy import ALIEXPRESS, Anchor, Consequence, Policy
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
    "contact_seller": "buyer contacted the seller",
    "appeal": "the platform's decision appealed (it decides again, finally)",
    "estimated_delivery": "latest estimated delivery",
    "filing_ends": "last moment to open a dispute",
    "contact_wait_ends": "the wait after contacting the seller ends (a dispute can be opened)",
    "appeal_deadline": "last moment to appeal the platform's decision (then it is final)",
}
"""A short sentence for each milestone's ``what`` under the default (AliExpress) rules;
tracking milestones say the status. `label_for` gives the words of other rules."""

OPENINGS = frozenset({"earliest_dispute", "contact_wait_ends"})
"""Milestones that open a possibility rather than end one (under any rules; see
`opens` for those of some rules only)."""

DATES = frozenset({"estimated_delivery"})
"""Milestones that only mark a date: neither a deadline nor an opening."""

_CLOCKS = (
    OPENINGS
    | DATES
    | {"filing_ends", "appeal_deadline"}
    | {row.clock for lc in LIFECYCLES for row in lc.table if row.clock}
)


def _seller_deadline(policy: Policy) -> str | None:
    if policy.seller_window_ends is Consequence.ALLOW_ESCALATION:
        return "the seller's time to resolve ends; the buyer may ask the platform to step in"
    if policy.seller_window_starts is Anchor.ESCALATION:
        return "the seller's time to answer the claim ends (silence refunds the claim)"
    return None


def _negotiation_deadline(policy: Policy) -> str | None:
    if policy.negotiation_window_ends is Consequence.CLOSE:
        return "the time to escalate ends (else the dispute closes with no refund)"
    return None


def _escalate(policy: Policy) -> str | None:
    if policy.seller_window_starts is Anchor.ESCALATION:
        return "escalated to a claim (the seller's time to answer starts)"
    return None


def _earliest_dispute(policy: Policy) -> str | None:
    wait = policy.contact_wait
    if wait is None:
        return None
    return (
        f"a 'not received' dispute can be opened (after contacting the seller and waiting "
        f"{span(wait)})"
    )


_BY_RULES = {
    "seller_deadline": _seller_deadline,
    "negotiation_deadline": _negotiation_deadline,
    "escalate": _escalate,
    "earliest_dispute": _earliest_dispute,
}
"""The milestones whose words differ with the rules: each one's words under *policy*,
or None for `LABELS`'."""


def label_for(what: str, policy: Policy) -> str:
    """The milestone *what* in words under *policy*'s rules.

    >>> from buyer_protection import ALIEXPRESS, EBAY_UK
    >>> label_for("seller_deadline", ALIEXPRESS)
    "the seller's time to answer ends (silence refunds the request)"
    >>> label_for("seller_deadline", EBAY_UK)
    "the seller's time to resolve ends; the buyer may ask the platform to step in"
    """
    if what.startswith("tracking_"):
        return "tracking: " + what.removeprefix("tracking_").replace("_", " ")
    words = _BY_RULES.get(what)
    special = None if words is None else words(policy)
    return special or LABELS.get(what, what.replace("_", " "))


def opens(what: str, policy: Policy) -> bool:
    """True when the milestone *what* opens a possibility under *policy*'s rules rather
    than ends one: `OPENINGS`, and the seller's deadline where it only lets the buyer
    escalate (eBay)."""
    return what in OPENINGS or (
        what == "seller_deadline" and policy.seller_window_ends is Consequence.ALLOW_ESCALATION
    )


def _default_label(milestone: Milestone) -> str:
    return label_for(milestone.what, ALIEXPRESS)


@attrs.frozen
class Milestone:
    """One point of an order's timeline.

    ``status`` is ``done`` (it happened), ``due`` (still ahead) or ``expired`` (its
    time passed without it, or it became moot). ``what`` is a short name: an
    action (``ship``), a deadline (``protection_ends``) or ``tracking_<status>``.
    ``label`` is the milestone in words, under the order's rules (by default,
    `LABELS`' words: see `label_for`).
    """

    at: datetime
    what: str
    status: Status
    detail: str = ""
    label: str = attrs.field(default=attrs.Factory(_default_label, takes_self=True))


class OrderView(Protocol):
    """What the milestones read of an order (`Order` has all of it)."""

    _lifecycle: ClassVar[Lifecycle]
    policy: Policy
    state: OrderState
    completed_at: datetime | None
    estimated_delivery: datetime | None

    @property
    def disputes(self) -> tuple[Dispute, ...]: ...

    @property
    def history(self) -> tuple[HistoryEntry, ...]: ...

    @property
    def tracking(self) -> tuple[TrackingEvent, ...]: ...

    @property
    def earliest_dispute(self) -> datetime | None: ...

    @property
    def filing_ends(self) -> datetime | None: ...

    @property
    def contact_wait_ends(self) -> datetime | None: ...

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


def _milestone(
    policy: Policy, at: datetime, what: str, status: Status, detail: str = ""
) -> Milestone:
    return Milestone(at, what, status, detail, label_for(what, policy))


def _actions(view: OrderView) -> Iterator[Milestone]:
    policy = view.policy
    for number, dispute in enumerate(view.disputes, 1):
        for entry in dispute.history:
            if entry.actor is not Actor.SYSTEM:
                yield _milestone(policy, entry.at, entry.action, "done", f"dispute {number}")
        if dispute.outcome is not None:
            outcome = dispute.outcome
            detail = f"dispute {number}: {outcome.refund} by {outcome.reached_by.value}"
            yield _milestone(policy, outcome.at, "outcome", "done", detail)
    for entry in view.history:
        if entry.actor is not Actor.SYSTEM:
            yield _milestone(policy, entry.at, entry.action, "done", _describe(entry.details))


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
            yield _milestone(
                view.policy, event.at, f"tracking_{event.status.value}", "done", detail
            )


def _deadlines(view: OrderView, at: datetime) -> Iterator[Milestone]:
    state = view.state
    if state is OrderState.IN_DISPUTE:  # the order's own clocks wait for the dispute
        state = OrderState.SHIPPED if view.completed_at is None else OrderState.COMPLETED
    yield from _clocks(view, state, at, "")
    for number, dispute in enumerate(view.disputes, 1):
        yield from _clocks(dispute, dispute.state, at, f"dispute {number}")
        yield from _appeal(view.policy, dispute, at, f"dispute {number}")
    yield from _windows(view, at)
    earliest = view.earliest_dispute
    if earliest is None:
        return
    can_open = view.state in (OrderState.SHIPPED, OrderState.COMPLETED)
    if can_open and (opens := view._dispute_opens(at)) > at:
        earliest = opens  # not open now (a late scan may close it again): when it opens
    yield _milestone(view.policy, earliest, "earliest_dispute", _window(view, earliest, at))


def _clocks(
    model: OrderView | Dispute, state: State, at: datetime, detail: str
) -> Iterator[Milestone]:
    """One milestone for each clock of *model*'s lifecycle that has an instant: done when
    its automatic step happened, due while a row of it is ahead from *model*'s state
    under its rules, else expired (moot)."""
    policy = model.order.policy if isinstance(model, Dispute) else model.policy
    happened = {e.action: e.at for e in model.history if e.actor is Actor.SYSTEM}
    rows: dict[str, list[Transition]] = {}
    for row in model._lifecycle.table:
        if row.clock is not None:  # a trigger's rows told apart by condition share one clock
            rows.setdefault(row.trigger, []).append(row)
    for trigger, same in rows.items():
        clock = same[0].clock
        assert clock is not None
        when: datetime | None = getattr(model, clock)
        if trigger in happened:
            yield _milestone(policy, happened[trigger], clock, "done", detail)
        elif when is None:
            continue
        elif isinstance(model, Dispute) and opens(clock, policy):
            yield _milestone(policy, when, clock, _escalation(model, when, at), detail)
        else:
            ahead = when > at and any(state in r.sources and r.holds(model) for r in same)
            yield _milestone(policy, when, clock, "due" if ahead else "expired", detail)


_ESCALATING = (DisputeState.AWAITING_SELLER, DisputeState.NEGOTIATING)
"""Where the buyer may ask the platform to step in once the seller's time is over."""


def _escalation(dispute: Dispute, opens: datetime, at: datetime) -> Status:
    """Whether the buyer's escalation opening at *opens* (the seller's deadline where it
    does nothing by itself) is ahead, opened, or became moot."""
    if opens > at:
        closes = dispute.negotiation_deadline
        ahead = dispute.state in _ESCALATING and (closes is None or opens < closes)
        return "due" if ahead else "expired"
    before = [e.after for e in dispute.history if e.at < opens]
    state = before[-1] if before else DisputeState.AWAITING_SELLER
    return "done" if state in _ESCALATING else "expired"


def _appeal(policy: Policy, dispute: Dispute, at: datetime, detail: str) -> Iterator[Milestone]:
    """The last moment to appeal the platform's decision, under rules that allow it."""
    ends = dispute.appeal_deadline
    if ends is not None:
        yield _milestone(policy, ends, "appeal_deadline", "due" if ends > at else "expired", detail)


_OPEN = (OrderState.SHIPPED, OrderState.IN_DISPUTE, OrderState.COMPLETED)


def _windows(view: OrderView, at: datetime) -> Iterator[Milestone]:
    """The order's dates under rules that count from them: its estimated delivery, the end
    of the time to open a dispute, and the end of the wait after contacting the seller."""
    policy = view.policy
    estimate = view.estimated_delivery
    if estimate is not None:
        if estimate <= at:
            status: Status = "done"
        else:
            status = (
                "due" if view.state in (OrderState.SHIPPED, OrderState.IN_DISPUTE) else "expired"
            )
        yield _milestone(policy, estimate, "estimated_delivery", status)
    ends = view.filing_ends
    if ends is not None:
        if ends > at:
            status = "due" if view.state in _OPEN else "expired"
        else:
            opened = any(d.opened_at < ends for d in view.disputes)
            status = "done" if opened else "expired"
        yield _milestone(policy, ends, "filing_ends", status)
    waited = view.contact_wait_ends
    if waited is not None:
        yield _milestone(policy, waited, "contact_wait_ends", _window(view, waited, at))


def _window(view: OrderView, opens: datetime, at: datetime) -> Status:
    """Whether the dispute window opening at *opens* is ahead, opened, or never did."""
    if opens > at:
        open_now = view.state in (OrderState.SHIPPED, OrderState.COMPLETED)
        ahead = open_now and "open_dispute" in view.allowed() and opens < view._disputes_close()
        return "due" if ahead else "expired"
    before = [e.after for e in view.history if e.at <= opens]
    return "done" if before and before[-1] in _OPEN else "expired"
