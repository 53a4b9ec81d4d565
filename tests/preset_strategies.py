"""Hypothesis strategies over orders of every preset: AliExpress's versions, eBay, PayPal
and Amazon.

They add to `strategies` (which they reuse) what orders of the other marketplaces need:
a shipment with an estimated delivery (or none), a contact with the seller, an appeal of
the platform's decision. `play` runs a story of `Move` values against an `Order` through
its public API, treating `InvalidAction` and `InvalidInput` as allowed refusals, as
`strategies.run` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo

import attrs
from hypothesis import strategies as st

from buyer_protection import (
    Actor,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    Policy,
    Reason,
    TrackingEvent,
    TrackingStatus,
    policies,
)
from strategies import (
    ALLOWED,
    WITH_RETURNS,
    Step,
    call_for,
    instants,
    money,
    new_order,
    next_instant,
    remedies,
    steps,
    zones,
)

PRESET_ACTIONS = (*WITH_RETURNS, "contact_seller", "appeal")
"""Every action of an order and its dispute, the new ones of issue 11 too."""
PRESET_MOVES = (*PRESET_ACTIONS, *["track"] * 4, *[ALLOWED] * 3 * len(PRESET_ACTIONS))
"""What a move does: mostly one of the actions allowed at its instant, walking deep into
the lifecycle of each marketplace; now and then a carrier's scan (``track``), or any
action by name."""


JUMPS = (None, None, None, "opening", "clock")
"""Where a move goes before its own wait: nowhere; to the first instant a dispute can be
opened (``opening``); or to one of the order's `clocks_of` (``clock``, the
``days``-th counting round), where a window opens or closes by no automatic step."""


@attrs.frozen
class Move:
    """One move of a preset story: a `strategies.Step`, and what it does not know.
    *estimate*: with ``ship``, the estimated delivery this long after the shipment (None:
    none given). *by*: with ``appeal``, the side that appeals. *jump*: one of `JUMPS`.
    *scan*: with ``track``, the status the carrier scans at the move's instant."""

    step: Step
    estimate: timedelta | None = None
    by: Actor = Actor.BUYER
    jump: str | None = None
    scan: TrackingStatus = TrackingStatus.DELIVERED


def presets() -> st.SearchStrategy[Policy]:
    """One of the presets (`policies`): every marketplace and version, the other
    marketplaces' twice as often as each AliExpress version."""
    others = [p for p in policies() if p.name != "aliexpress"]
    return st.sampled_from([*policies(), *others])


def estimates() -> st.SearchStrategy[timedelta | None]:
    """How long after the shipment the marketplace estimates the delivery: whole days
    mostly, any duration now and then, or no estimate at all (one time in six)."""
    return st.one_of(
        st.integers(0, 40).map(lambda n: timedelta(days=n)),
        st.integers(0, 40).map(lambda n: timedelta(days=n)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
        st.integers(0, 9).map(lambda n: timedelta(days=n)),
        st.none(),
        st.none(),
    )


def moves(actions: Sequence[str] = PRESET_MOVES) -> st.SearchStrategy[Move]:
    """One random `Move` among *actions*."""
    return st.builds(
        Move,
        steps(actions, remedies()),
        estimates(),
        st.sampled_from([Actor.BUYER, Actor.SELLER]),
        st.sampled_from(JUMPS),
        st.sampled_from([TrackingStatus.DELIVERED, *TrackingStatus]),
    )


def preset_scenarios(max_size: int = 25) -> st.SearchStrategy[list[Move]]:
    """A sequence of moves; most ship at once (with or without an estimated delivery), and
    then maybe scan the parcel, contact the seller, open a dispute as soon as the rules
    allow (about an item received, or not) and have the seller answer or the buyer
    escalate within hours, so that each marketplace's dispute clocks run."""
    ship = moves(["ship"]).map(
        lambda m: attrs.evolve(m, step=attrs.evolve(m.step, wait=timedelta(hours=m.step.days)))
    )
    contact = moves(["contact_seller"])
    opening = st.builds(
        lambda move, reason: attrs.evolve(
            move,
            step=attrs.evolve(
                move.step,
                reason=reason,
                percent=100,
                remedy=None if not reason.item_received else move.step.remedy,
                postage=None,
            ),
            jump="opening",
        ),
        moves(["open_dispute"]),
        st.sampled_from(Reason),
    )
    track = moves(["track"]).map(lambda m: attrs.evolve(m, jump=None))
    answer = moves(["seller_reject", "seller_accept", "escalate"]).map(
        lambda m: attrs.evolve(m, step=attrs.evolve(m.step, wait=timedelta(hours=m.step.days % 48)))
    )

    def maybe(moves: st.SearchStrategy[Move]) -> st.SearchStrategy[tuple[Move, ...]]:
        return st.one_of(st.just(()), moves.map(lambda m: (m,)))

    head = st.one_of(
        st.just(()),
        st.builds(
            lambda *parts: tuple(m for part in parts for m in part),
            ship.map(lambda m: (m,)),
            maybe(track),
            maybe(contact),
            maybe(opening),
            maybe(answer),
        ),
    )
    return st.builds(lambda h, tail: [*h, *tail], head, st.lists(moves(), max_size=max_size))


def preset_call(order: Order, move: Move, at: datetime) -> Callable[[], object] | None:
    """The public call that *move* makes on *order* at *at* (None: no dispute to act on)."""
    step = move.step
    if step.action == "ship":
        estimate = None if move.estimate is None else at + move.estimate
        return lambda: order.ship(
            at, protection_days=step.days, by_platform=step.by_platform, estimated_delivery=estimate
        )
    if step.action == "contact_seller":
        return lambda: order.contact_seller(at)
    if step.action == "track":
        return lambda: order.add_tracking(TrackingEvent(at, move.scan))
    if step.action == "appeal":
        dispute = order.dispute
        return None if dispute is None else (lambda: dispute.appeal(at, by=move.by))
    return call_for(order, step, at)


def play(
    order: Order, story: Sequence[Move], zone: tzinfo
) -> Iterator[tuple[Move, datetime, Exception | None]]:
    """Play *story* on *order*, writing every instant in *zone*; yields each move (an
    `ALLOWED` one as the action chosen), its instant and the refusal it met (or None)."""
    now = order.last_event_at
    for move in story:
        now = next_instant(order, _jump(order, now, move), move.step.wait)
        if move.step.action == ALLOWED:
            allowed = order.as_of(now).allowed() or ("advance",)
            chosen = allowed[move.step.days % len(allowed)]
            move = attrs.evolve(move, step=attrs.evolve(move.step, action=chosen))
        call = preset_call(order, move, now.astimezone(zone))
        error: Exception | None = None
        if call is not None:
            try:
                call()
            except (InvalidAction, InvalidInput) as refusal:
                error = refusal
        yield move, now, error


def _jump(order: Order, now: datetime, move: Move) -> datetime:
    """Where *move* goes before its wait (see `JUMPS`); never before *now*."""
    if move.jump == "opening":
        found = [t for t in (order.earliest_dispute, order.contact_wait_ends) if t is not None]
        return max([now, *found])
    if move.jump == "clock":
        ahead = [t for t in clocks_of(order.as_of(now)) if t >= now]
        return ahead[move.step.days % len(ahead)] if ahead else now
    return now


PresetStory = tuple[Policy, Money, datetime, list[Move], tzinfo]


def preset_stories(max_size: int = 25) -> st.SearchStrategy[PresetStory]:
    """A preset, a total, the instant of payment, a scenario and the zone it is written in."""
    return st.tuples(
        presets(),
        money(positive=True),
        instants(),
        preset_scenarios(max_size),
        zones(),
    )


def clocks_of(order: Order) -> list[datetime]:
    """The instants at which something changes for *order* as it stands: its next automatic
    step, and the openings and ends that happen by no step (the first instant a dispute can
    be opened, the end of the wait after contacting the seller, the time to open one, the
    seller's window where it only lets the buyer escalate, an appeal's end)."""
    found = [
        order.earliest_dispute,
        order.contact_wait_ends,
        order.filing_ends,
        order.estimated_delivery,
    ]
    deadline = order.next_deadline
    if deadline is not None:
        found.append(deadline.at)
    for dispute in order.disputes:
        found += [dispute.seller_deadline, dispute.negotiation_deadline, dispute.appeal_deadline]
    return sorted({at for at in found if at is not None})


def looks(story: PresetStory) -> Iterator[tuple[Order, datetime]]:
    """Play *story*; after each move, the order and each instant to look at it: the move's
    instant, and a microsecond before and at each of `clocks_of` still ahead."""
    policy, total, paid, scenario, zone = story
    order = new_order(policy, total, paid)
    yield order, paid
    for _, now, _ in play(order, scenario, zone):
        start = max(now, order.last_event_at)
        yield order, start
        for clock in clocks_of(order.as_of(start)):
            for at in (clock - timedelta(microseconds=1), clock):
                if at > start:
                    yield order, at
