"""Property tests for tracking feeds, advice and timelines over random orders (Hypothesis)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil import tz as dateutil_tz
from hypothesis import assume, given
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    Policy,
    Reason,
    Remedy,
    Step,
    TrackingEvent,
    TrackingStatus,
    advise,
    parse_tracking,
)
from buyer_protection.advice import ITEM_PROOF
from strategies import snapshot

US = timedelta(microseconds=1)
ZONES: tuple[tzinfo, ...] = (
    UTC,
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/Los_Angeles"),
    ZoneInfo("Europe/London"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour daylight-saving shift
    timezone(timedelta(hours=-9, minutes=-30)),
    dateutil_tz.gettz("America/New_York") or UTC,
)

# -- random orders ----------------------------------------------------------------


def _days(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda n: timedelta(days=n))


def _durations(low_days: int, high_days: int) -> st.SearchStrategy[timedelta]:
    """Whole days, or any duration to the microsecond, in the range."""
    return st.one_of(
        _days(low_days, high_days),
        st.timedeltas(min_value=timedelta(days=low_days), max_value=timedelta(days=high_days)),
    )


@st.composite
def _policies(draw: st.DrawFn) -> Policy:
    """The default policy, or one with other windows, switches and caps."""
    if draw(st.booleans()):
        return ALIEXPRESS
    return attrs.evolve(
        ALIEXPRESS,
        protection_days=draw(st.integers(1, 90)),
        protection_from_payment=draw(st.booleans()),
        processing_time=draw(_durations(1, 10)),
        seller_response_window=draw(_durations(1, 7)),
        negotiation_window=draw(_durations(1, 7)),
        post_completion_window=draw(_durations(0, 20)),
        reopen_after_cancel=draw(st.booleans()),
        earliest_not_received=draw(_durations(0, 15)),
        fast_delivery_days=draw(st.integers(1, 7)),
        wait_for_promised_delivery=draw(st.booleans()),
        max_extension_days=draw(st.none() | st.integers(1, 30)),
        stalled_after=draw(_durations(1, 15)),
        return_shipping_window=draw(_durations(1, 15)),
        return_confirm_window=draw(_durations(1, 40)),
    )


@attrs.frozen
class _Move:
    """One move of a random story: wait, then do something (maybe refused)."""

    # an int: that many microseconds around the next deadline; "opening": the earliest
    # instant a 'not received' dispute can be opened
    wait: timedelta | int | str
    action: str
    choice: int = 0
    days: int | None = None
    promised: int | None = None
    by_platform: bool = False
    percent: int = 100
    reason: Reason = Reason.NOT_RECEIVED
    status: TrackingStatus = TrackingStatus.IN_TRANSIT
    offset: timedelta = timedelta(0)
    remedy: Remedy = Remedy.REFUND


_TRIGGERS = (
    "ship",
    "confirm_receipt",
    "request_extension",
    "grant_extension",
    "open_dispute",
    "seller_accept",
    "seller_reject",
    "buyer_accept",
    "buyer_modify",
    "escalate",
    "cancel",
    "platform_decide",
    "ship_return",
    "confirm_return",
    "refuse_return",
    "advance",
)
# "act": one of the actions the order allows at that instant (chosen by ``choice``);
# "track": a carrier scan, maybe dated before the last action; else that trigger as is.
_ACTIONS = ("act", "act", "act", "track", "track", *_TRIGGERS)


_moves = st.builds(
    _Move,
    wait=st.one_of(
        st.just(timedelta(0)),
        _durations(0, 3),
        st.integers(-1, 1),
        st.just("opening"),
        _days(4, 20),
    ),
    action=st.sampled_from(_ACTIONS),
    choice=st.integers(0, 20),
    days=st.none() | st.integers(1, 90),
    promised=st.none() | st.integers(1, 30),
    by_platform=st.booleans(),
    percent=st.integers(0, 100),
    reason=st.sampled_from(Reason),
    status=st.sampled_from(TrackingStatus),
    offset=st.timedeltas(min_value=timedelta(days=-5), max_value=timedelta(days=20)),
    remedy=st.sampled_from(Remedy),
)


def _share(total: Money, percent: int) -> Money:
    return Money.rounded(total.amount * percent / 100, total.currency)


def _perform(order: Order, move: _Move, at: datetime) -> None:
    """Do *move* on *order* at *at*; refusals are part of the story."""
    total = order.total
    dispute = order.dispute
    calls: dict[str, Callable[[], object]] = {
        "advance": lambda: order.advance(at),
        "ship": lambda: order.ship(
            at, protection_days=move.days, promised_days=move.promised, by_platform=move.by_platform
        ),
        "track": lambda: order.add_tracking(TrackingEvent(at + move.offset, move.status)),
        "confirm_receipt": lambda: order.confirm_receipt(at),
        "request_extension": lambda: order.request_extension(at, move.days or 1),
        "grant_extension": lambda: order.grant_extension(at, move.days or 1),
        "open_dispute": lambda: order.open_dispute(
            at,
            reason=move.reason,
            refund=_share(total, max(move.percent, 1)),
            remedy=move.remedy,
            evidence=("photo.jpg",) if move.percent % 2 else (),
        ),
    }
    if dispute is not None:
        calls.update(
            {
                "seller_accept": lambda: dispute.seller_accept(at),
                "seller_reject": lambda: dispute.seller_reject(
                    at, counter_offer=_share(dispute.request, move.percent), remedy=move.remedy
                ),
                "buyer_accept": lambda: dispute.buyer_accept(at),
                "buyer_modify": lambda: dispute.buyer_modify(
                    at, refund=_share(total, max(move.percent, 1)), remedy=move.remedy
                ),
                "escalate": lambda: dispute.escalate(at),
                "cancel": lambda: dispute.cancel(at),
                "platform_decide": lambda: dispute.platform_decide(
                    at, refund=_share(total, move.percent), remedy=move.remedy
                ),
                "ship_return": lambda: dispute.ship_return(
                    at, tracking_number="RR123456785CN", carrier="China Post"
                ),
                "confirm_return": lambda: dispute.confirm_return(at),
                "refuse_return": lambda: dispute.refuse_return(at, note="the box came back empty"),
            }
        )
    action = move.action
    if action == "act":
        with contextlib.suppress(InvalidInput):
            order.advance(at)
        allowed = order.allowed()
        action = allowed[move.choice % len(allowed)] if allowed else "advance"
    call = calls.get(action)
    if call is None:
        return
    with contextlib.suppress(InvalidAction, InvalidInput):
        call()


def _next(order: Order, now: datetime, wait: timedelta | int | str) -> datetime:
    if isinstance(wait, timedelta):
        return now + wait
    if isinstance(wait, str):
        return max(now, order.earliest_dispute or now)
    deadline = order.next_deadline
    if deadline is None:
        return now
    return max(now, deadline.at + wait * US)


@attrs.frozen
class _Story:
    """A random order's story: its policy, payment, moves, and when to look after each."""

    policy: Policy
    paid: datetime
    total: Money
    ship: _Move | None
    ship_after: float
    moves: list[tuple[_Move, timedelta | int]]

    def play(self) -> Iterator[tuple[Order, datetime]]:
        """Play the story; after each move, the order and an instant to look at it.

        The order goes on changing: check what it yields before asking for the next.
        Half the stories ship within the processing time, so that tracking and disputes
        happen; the others may ship late, or never.
        """
        order = Order("P-1", self.total, self.paid, self.policy)
        now = self.paid
        if self.ship is not None:
            now += self.policy.processing_time * self.ship_after
            _perform(order, self.ship, now)
        yield order, now
        for move, look in self.moves:
            now = _next(order, now, move.wait)
            _perform(order, move, now)
            now = max(now, order.last_event_at)
            yield order, _next(order, now, look)


_looks = st.one_of(st.just(timedelta(0)), _durations(0, 2), st.integers(-1, 1), _durations(0, 80))
_stories = st.builds(
    _Story,
    policy=_policies(),
    paid=st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
    total=st.sampled_from(["25.90", "0.05", "1000"]).map(lambda a: Money(a, "USD")),
    ship=st.none() | _moves.map(lambda m: attrs.evolve(m, action="ship")),
    ship_after=st.floats(0, 0.99),
    moves=st.lists(st.tuples(_moves, _looks), max_size=15),
)


def _snapshot(order: Order) -> tuple[object, ...]:
    """The shared snapshot, plus the tracking and the whole log."""
    return (snapshot(order), order.tracking, order.log)


def _act(order: Order, step: Step, at: datetime) -> None:
    """Carry out the advised *step* on *order* at *at*, as a buyer following it would."""
    if step.action == "open_dispute":
        received = ITEM_PROOF[0] in step.evidence
        order.open_dispute(
            at,
            reason=Reason.NOT_AS_DESCRIBED if received else Reason.NOT_RECEIVED,
            refund=order.refundable,
            evidence=step.evidence,
        )
    elif step.action == "confirm_receipt":
        order.confirm_receipt(at)
    else:
        dispute = order.dispute
        assert dispute is not None, f"{step.action} advised with no dispute"
        if step.action == "escalate":
            dispute.escalate(at)
        elif step.action == "ship_return":
            dispute.ship_return(at, tracking_number="RR123456785CN")
        else:
            dispute.buyer_accept(at)


CHECKED = frozenset(
    {"open_dispute", "confirm_receipt", "escalate", "accept_counter_offer", "ship_return"}
)


# -- advice and timeline ----------------------------------------------------------


@given(_stories)
def test_advice_never_contradicts_the_lifecycle(story: _Story) -> None:
    """Every advised action succeeds when done at max(at, its earliest) on the order as of then."""
    for order, at in story.play():
        for step in advise(order, at):
            if step.action not in CHECKED:
                continue
            when = at if step.earliest is None else max(at, step.earliest)
            _act(order.as_of(when), step, when)


@given(_stories)
def test_advised_windows_are_open_windows(story: _Story) -> None:
    """Every step's earliest is not before at, and its latest is after both at and its earliest."""
    for order, at in story.play():
        for step in advise(order, at):
            if step.earliest is not None:
                assert step.earliest >= at, step
            if step.latest is not None:
                assert step.latest > at, step
                assert step.earliest is None or step.earliest < step.latest, step


@given(_stories)
def test_advise_and_timeline_never_change_the_order(story: _Story) -> None:
    """advise() and timeline() at any instant leave the order and its disputes as they were."""
    for order, at in story.play():
        before = _snapshot(order)
        advise(order, at)
        order.timeline(at)
        assert _snapshot(order) == before


@given(_stories)
def test_every_timeline_is_sorted_with_due_items_ahead(story: _Story) -> None:
    """A timeline is in time order; due milestones are after at, done ones not after it."""
    for order, at in story.play():
        milestones = order.timeline(at)
        instants = [m.at for m in milestones]
        assert instants == sorted(instants)
        for milestone in milestones:
            assert milestone.status in ("done", "due", "expired")
            if milestone.status == "due":
                assert milestone.at > at, milestone
            if milestone.status == "done":
                assert milestone.at <= at, milestone


@given(_stories)
def test_a_due_dispute_opening_in_the_timeline_can_be_used(story: _Story) -> None:
    """When the timeline shows the 'not received' opening as due, opening then succeeds."""
    for order, at in story.play():
        for milestone in order.timeline(at):
            if milestone.what == "earliest_dispute" and milestone.status == "due":
                view = order.as_of(milestone.at)
                view.open_dispute(milestone.at, reason=Reason.NOT_RECEIVED, refund=view.refundable)


# -- feeds ------------------------------------------------------------------------

_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_instants = st.datetimes(datetime(2001, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))


def _written(status: TrackingStatus, form: int) -> str:
    words = status.value.replace("_", " ")
    return (status.value, words.upper(), words.title(), f" {words} ")[form]


_events = st.builds(
    TrackingEvent,
    _instants,
    st.sampled_from(TrackingStatus),
    _texts.map(str.strip),
    _texts.map(str.strip),
)


def _rows(events: list[TrackingEvent], zone: tzinfo, forms: list[int]) -> list[dict[str, str]]:
    return [
        {
            "time": e.at.astimezone(zone).isoformat(),
            "status": _written(e.status, form),
            "description": e.description,
            "location": e.location,
        }
        for e, form in zip(events, forms, strict=False)
    ]


@given(
    st.lists(_events, max_size=12),
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.lists(st.integers(0, 3), min_size=12, max_size=12),
)
def test_parsing_then_reparsing_a_feed_changes_nothing(
    events: list[TrackingEvent], zone: tzinfo, default: tzinfo, forms: list[int]
) -> None:
    """A feed parsed, written back as rows with isoformat, and parsed again gives the same."""
    once = parse_tracking(_rows(events, zone, forms), default_tz=default)
    assert len(once) == len(set(once))
    assert set(once) == set(events)
    assert [e.at for e in once] == sorted(e.at for e in once)
    again = parse_tracking(
        [
            {
                "time": e.at.isoformat(),
                "status": e.status.value,
                "description": e.description,
                "location": e.location,
            }
            for e in once
        ],
        default_tz=default,
    )
    assert again == once


def _local(at: datetime, zone: tzinfo, form: int) -> tuple[str, bool]:
    """*at* written in *zone* in one of several carrier forms; and whether it has no offset."""
    local = at.astimezone(zone)
    if form == 0:
        return local.isoformat(), False
    if form == 1:
        return local.strftime("%d %b %Y %H:%M:%S.%f %z"), False
    if form == 2:
        return local.strftime("%Y/%m/%d %H:%M:%S.%f"), True
    return local.strftime("%Y-%m-%d %H:%M:%S.%f"), True


@given(
    st.lists(st.tuples(_instants, st.sampled_from(TrackingStatus)), min_size=1, max_size=8),
    st.lists(st.sampled_from(ZONES), min_size=2, max_size=2),
    st.lists(st.integers(0, 3), min_size=8, max_size=8),
)
def test_feeds_in_different_zones_for_the_same_instants_give_the_same_events(
    scans: list[tuple[datetime, TrackingStatus]], zones: list[tzinfo], forms: list[int]
) -> None:
    """The same scans written in two zones (with offsets or as local time) parse alike."""
    results = []
    for zone in zones:
        rows, repeated = [], False
        for (at, status), form in zip(scans, forms, strict=False):
            text, naive = _local(at, zone, form)
            local = at.astimezone(zone).replace(tzinfo=None)
            repeated |= naive and dateutil_tz.datetime_ambiguous(local, tz=zone)
            rows.append({"time": text, "status": _written(status, form)})
        if repeated:
            # a wall time that happens twice is refused rather than guessed
            with pytest.raises(InvalidInput, match="happens twice"):
                parse_tracking(rows, default_tz=zone)
            continue
        results.append(parse_tracking(rows, default_tz=zone))
    assume(results)
    expected = {TrackingEvent(at, s) for at, s in scans}
    assert all(len(result) == len(expected) and set(result) == expected for result in results)
    assert all(result == results[0] for result in results)  # ties too: the feed's order
