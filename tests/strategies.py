"""Hypothesis strategies and small helpers shared by the tests.

Strategies build valid values (instants, zones, money, policies) and random
scenarios: sequences of `Step` values that `run` plays against an `Order`
through its public API, treating `InvalidAction` and `InvalidInput` as allowed
refusals. `snapshot` captures everything a refused call must leave unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil import tz as dateutil_tz
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    Anchor,
    BusinessDays,
    Calendar,
    Consequence,
    Dispute,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Outcome,
    Policy,
    Reason,
    Remedy,
    Resolution,
)
from buyer_protection import policies as presets
from buyer_protection._text import shown
from buyer_protection._time import LATEST

# -- instants and zones ---------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ZONES: tuple[tzinfo, ...] = (
    UTC,
    SHANGHAI,
    LOS_ANGELES,
    ZoneInfo("Europe/London"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour daylight-saving shift
    timezone(timedelta(hours=-9, minutes=-30)),
    dateutil_tz.gettz("America/New_York") or UTC,
)
"""Zones the same instants are written in: UTC, fixed offsets, DST zones."""

EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
"""A fixed reference instant, a week before the US switches to daylight saving."""


def zones() -> st.SearchStrategy[tzinfo]:
    """A time zone from `ZONES`."""
    return st.sampled_from(ZONES)


def instants(
    min_value: datetime = datetime(2024, 1, 1), max_value: datetime = datetime(2030, 12, 31)
) -> st.SearchStrategy[datetime]:
    """An aware instant in UTC, to the microsecond."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=st.just(UTC))


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """An aware datetime written in any zone of `ZONES`."""
    return st.builds(lambda at, zone: at.astimezone(zone), instants(), zones())


def windows(
    min_value: timedelta = timedelta(hours=1), max_value: timedelta = timedelta(days=30)
) -> st.SearchStrategy[timedelta]:
    """A positive duration: whole days (as policies usually say) or any to the microsecond."""
    whole = st.integers(
        max(1, min_value.days + (1 if min_value.seconds else 0)), max_value.days
    ).map(lambda n: timedelta(days=n))
    return st.one_of(whole, st.timedeltas(min_value=min_value, max_value=max_value))


# -- money ----------------------------------------------------------------------

MINOR_DIGITS = {"USD": 2, "EUR": 2, "BRL": 2, "CNY": 2, "JPY": 0, "KWD": 3}


def currencies() -> st.SearchStrategy[str]:
    """An ISO 4217 code, with zero, two or three minor digits."""
    return st.sampled_from(sorted(MINOR_DIGITS))


def amounts(
    currency: str, min_units: int = 0, max_units: int = 10**9
) -> st.SearchStrategy[Decimal]:
    """A Decimal amount with exactly *currency*'s minor digits."""
    digits = MINOR_DIGITS[currency]
    return st.integers(min_units, max_units).map(lambda n: Decimal(n).scaleb(-digits))


def money(currency: str | None = None, *, positive: bool = False) -> st.SearchStrategy[Money]:
    """Money in *currency* (or any of `currencies`), above zero when *positive*."""
    codes = st.just(currency) if currency else currencies()
    return codes.flatmap(
        lambda code: amounts(code, 1 if positive else 0).map(lambda a: Money(a, code))
    )


def share(total: Money, percent: int) -> Money:
    """*percent* of *total*, rounded (half to even) to the currency's minor unit."""
    return Money.rounded(total.amount * percent / 100, total.currency)


# -- policies -------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """A valid Policy: the default preset with random windows, switches and caps."""
    return attrs.evolve(
        ALIEXPRESS,
        protection_days=draw(st.integers(1, 120)),
        protection_from_payment=draw(st.booleans()),
        processing_time=draw(windows()),
        seller_response_window=draw(windows()),
        negotiation_window=draw(windows()),
        post_completion_window=draw(windows()),
        reopen_after_cancel=draw(st.booleans()),
        earliest_not_received=draw(windows(timedelta(0), timedelta(days=20))),
        fast_delivery_days=draw(st.integers(1, 10)),
        max_extension_days=draw(st.none() | st.integers(1, 60)),
        return_shipping_window=draw(windows()),
        return_confirm_window=draw(windows()),
    )


PRESETS: tuple[Policy, ...] = presets()
"""Every preset: each marketplace's rules (AliExpress, eBay US and UK, PayPal, Amazon US),
each version."""

MARKETPLACES: dict[str, tuple[Policy, ...]] = {
    name: tuple(p for p in PRESETS if p.name == name)
    for name in dict.fromkeys(p.name for p in PRESETS)
}
"""The presets by marketplace (their name), each marketplace's versions oldest first."""


def marketplace_presets() -> st.SearchStrategy[Policy]:
    """A preset: a marketplace drawn evenly, then one of its versions."""
    return st.sampled_from(list(MARKETPLACES)).flatmap(lambda n: st.sampled_from(MARKETPLACES[n]))


OPTIONAL_CLOCKS = (
    "processing_time",
    "negotiation_window",
    "return_shipping_window",
    "return_confirm_window",
    "filing_window",
    "contact_wait",
    "appeal_window",
)
"""The durations of a policy that may be None (no such clock)."""

SWITCHES: dict[str, tuple[Anchor | Consequence, ...]] = {
    "seller_window_starts": (Anchor.REQUEST, Anchor.ESCALATION),
    "seller_window_ends": (Consequence.REFUND, Consequence.ALLOW_ESCALATION),
    "negotiation_window_starts": (Anchor.COUNTER_OFFER, Anchor.OPENING),
    "negotiation_window_ends": (Consequence.ESCALATE, Consequence.CLOSE),
    "filing_window_starts": (Anchor.SHIPMENT, Anchor.PAYMENT, Anchor.ESTIMATED_DELIVERY),
}
"""What starts a policy's clocks and what their end does, with the values each may take."""


@st.composite
def varied_presets(draw: st.DrawFn) -> Policy:
    """A preset of any marketplace with random clocks: each duration kept, drawn anew
    (elapsed) or, where it may be, left out (None); its anchors and consequences kept
    (mostly) or drawn anew, so that every combination the rules allow is played."""
    base = draw(marketplace_presets())
    changes: dict[str, Any] = {}
    for name in ("seller_response_window", *OPTIONAL_CLOCKS):
        how = draw(st.sampled_from(["keep", "keep", "draw", "none"]))
        if how == "draw":
            changes[name] = draw(windows())
        elif how == "none" and name in OPTIONAL_CLOCKS:
            changes[name] = None
    for name, values in SWITCHES.items():
        if draw(rarely()):
            changes[name] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        changes["earliest_not_received"] = draw(windows(timedelta(0), timedelta(days=20)))
        changes["post_completion_window"] = draw(st.just(timedelta(0)) | windows())
        changes["protection_days"] = draw(st.integers(1, 120))
        changes["reopen_after_cancel"] = draw(st.booleans())
        changes["extensions"] = draw(st.booleans())
    return attrs.evolve(base, **changes)


def any_policies() -> st.SearchStrategy[Policy]:
    """A Policy of any marketplace: a preset as it is (`marketplace_presets`), a preset
    with random clocks and switches (`varied_presets`), or AliExpress's with random
    windows (`policies`)."""
    return st.one_of(marketplace_presets(), varied_presets(), policies())


# -- calendars ------------------------------------------------------------------

CALENDAR_ZONES = (
    "UTC",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Lord_Howe",  # a half-hour daylight-saving shift, on Sundays
    "Africa/Cairo",  # daylight saving starts on a Friday at midnight
    "America/Santiago",  # daylight saving changes at midnight
)
"""Zones a `Calendar` counts its days in: without daylight saving, with it on Sundays,
and with it on other days."""
HOLIDAYS = (
    None,
    ("GB", None),
    ("GB", "SCT"),
    ("US", None),
    ("US", "CA"),
    ("CN", None),
    ("DE", "BY"),
)
"""Public holidays of a calendar: none, or a country (and a subdivision)."""


def business_days(most: int = 40) -> st.SearchStrategy[BusinessDays]:
    """A count of business days from 1 to *most*."""
    return st.integers(1, most).map(BusinessDays)


def closed_periods(*, far: bool = False) -> st.SearchStrategy[tuple[tuple[date, date], ...]]:
    """Up to four inclusive closed periods of up to three weeks, around 2024 to 2031 (or,
    when *far*, anywhere up to the latest date a calendar accepts)."""
    first, last = (date.min, LATEST.date()) if far else (date(2023, 12, 1), date(2031, 6, 30))
    period = st.builds(
        lambda begins, length: (begins, min(begins + timedelta(days=length), LATEST.date())),
        st.dates(first, last),
        st.integers(0, 20),
    )
    return st.lists(period, max_size=4).map(tuple)


@st.composite
def calendars(
    draw: st.DrawFn,
    zones: Sequence[str] = CALENDAR_ZONES,
    closed: bool = True,
    weekdays: Sequence[int] = range(7),
    far: bool = False,
) -> Calendar:
    """A valid Calendar in one of *zones*: business weekdays among *weekdays*, maybe public
    holidays, and (when *closed*) closed periods (see `closed_periods` for *far*)."""
    holidays = draw(st.sampled_from(HOLIDAYS))
    country, subdivision = holidays if holidays else (None, None)
    return Calendar(
        draw(st.sampled_from(zones)),
        draw(st.frozensets(st.sampled_from(weekdays), min_size=1)),
        country,
        subdivision,
        draw(closed_periods(far=far)) if closed else (),
    )


DEFAULT_CALENDAR = {
    "timezone": "UTC",
    "weekdays": [0, 1, 2, 3, 4],
    "country": None,
    "subdivision": None,
    "closed": [],
}
"""How a document of schema 5 writes ``Calendar()``, the calendar of every policy of a
document written before it."""


def durations(*, zero: bool = False) -> st.SearchStrategy[timedelta | BusinessDays]:
    """A duration a policy field may hold: elapsed time to the microsecond (up to ten
    years; from zero if *zero*) or business days."""
    elapsed = st.timedeltas(
        min_value=timedelta(0) if zero else timedelta(microseconds=1),
        max_value=timedelta(days=3650),
    )
    return st.one_of(elapsed, st.integers(1, 3650).map(BusinessDays))


def storable_texts(max_size: int = 200) -> st.SearchStrategy[str]:
    """A non-empty text a policy can hold: any characters but lone surrogates."""
    return st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=max_size)


def order_ids() -> st.SearchStrategy[str]:
    """A short order id of a few characters, so that ids often share a prefix, and of
    characters whose code point order differs from the alphabet's (capitals, digits,
    punctuation, a space, accented and CJK letters): how the store sorts them."""
    return st.text(st.sampled_from("aAbZ09-_ é日"), min_size=1, max_size=4)


@st.composite
def rule_sets(draw: st.DrawFn) -> Policy:
    """Any valid Policy, for round trips through documents and policy files: any name and
    version, an effective date or none, every duration elapsed (to the microsecond) or in
    business days, a random calendar. (Lifecycle tests draw `policies`, elapsed only.)"""
    clocks = {
        name: draw(durations())
        for name in (
            "processing_time",
            "seller_response_window",
            "negotiation_window",
            "return_shipping_window",
            "return_confirm_window",
            "stalled_after",
        )
    }
    return Policy(
        name=draw(storable_texts()),
        version=draw(storable_texts()),
        effective_from=draw(
            st.none() | st.datetimes(datetime(1900, 1, 1), datetime(9000, 1, 1), timezones=zones())
        ),
        protection_days=draw(st.integers(1, 3650)),
        protection_from_payment=draw(st.booleans()),
        post_completion_window=draw(durations(zero=True)),
        reopen_after_cancel=draw(st.booleans()),
        evidence_required_when_received=draw(st.booleans()),
        earliest_not_received=draw(durations(zero=True)),
        fast_delivery_days=draw(st.integers(1, 3650)),
        wait_for_promised_delivery=draw(st.booleans()),
        max_extension_days=draw(st.none() | st.integers(1, 3650)),
        calendar=draw(calendars(far=True)),
        **clocks,
    )


# -- snapshots ------------------------------------------------------------------


def dispute_snapshot(dispute: Dispute) -> tuple[Any, ...]:
    """Everything observable about *dispute*."""
    return (
        dispute.state,
        dispute.history,
        dispute.request,
        dispute.counter_offer,
        dispute.outcome,
        dispute.deadline,
        dispute.reason,
        dispute.evidence,
        dispute.remedy,
        dispute.counter_remedy,
        dispute.agreement,
        dispute.return_postage_by,
        dispute.return_tracking,
        dispute.return_carrier,
        dispute.return_shipped_at,
        dispute.return_ship_deadline,
        dispute.return_confirm_deadline,
        dispute.seller_deadline,
        dispute.negotiation_deadline,
        dispute.escalated_at,
        dispute.appealed_at,
        dispute.appeal_deadline,
    )


def snapshot(order: Order) -> tuple[Any, ...]:
    """Everything observable about *order* and its disputes (tracking aside)."""
    return (
        order.state,
        order.history,
        order.refunded,
        order.protection_ends,
        order.next_deadline,
        order.last_event_at,
        order.extension_days,
        order.extension_requested,
        order.assumed,
        order.estimated_delivery,
        order.contacted_at,
        order.filing_ends,
        order.contact_wait_ends,
        tuple(dispute_snapshot(d) for d in order.disputes),
    )


def all_entries(order: Order) -> list[Any]:
    """Every history entry of *order* and its disputes, in the order they were recorded."""
    entries = list(order.history)
    for dispute in order.disputes:
        entries.extend(dispute.history)
    return sorted(entries, key=lambda e: e.id)


# -- the rules of refunds and returns ------------------------------------------------

RETURN_STATES = (DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT)
"""The states of a return under way."""

RETURN_CLOCKS = {
    DisputeState.AWAITING_RETURN: "return_timeout",
    DisputeState.RETURN_IN_TRANSIT: "return_confirm_timeout",
}
"""The automatic step each return state waits for."""

NO_AGREEMENT = (
    DisputeState.AWAITING_SELLER,
    DisputeState.NEGOTIATING,
    DisputeState.ARBITRATION,
    DisputeState.CANCELLED,
)
"""The states in which no agreement holds (arbitration: also after a refused return)."""


def assert_refunded_once(order: Order) -> None:
    """*order* refunded exactly its disputes' outcomes (or all, cancelled unshipped), once
    each: a dispute is resolved once, or twice when its first decision was appealed (and
    its refund taken back)."""
    zero = Money.zero(order.total.currency)
    paid = sum((d.outcome.refund for d in order.disputes if d.outcome is not None), start=zero)
    if any(e.action == "cancel_unshipped" for e in order.history):
        paid = order.total
    assert order.refunded == paid
    assert order.refunded <= order.total
    for dispute in order.disputes:
        ends = [e for e in dispute.history if e.after is DisputeState.RESOLVED]
        appeals = [e for e in dispute.history if e.action == "appeal"]
        assert len(appeals) <= 1
        assert len(ends) == (dispute.state is DisputeState.RESOLVED) + len(appeals)


def assert_return_rules(order: Order) -> None:
    """Every dispute of *order* keeps the rules of agreements and returns.

    An agreement is held exactly in the states that follow one. While a return
    runs the order is in dispute, its next deadline is the return's clock and
    nothing is refunded. A dispute resolved on a return agreement ended with the
    buyer's ``ship_return`` then ``confirm_return`` or ``return_confirm_timeout``
    (the agreed refund), or with ``return_timeout`` (no refund, the money to the
    seller); one resolved on a refund agreement has exactly that refund. A dispute that
    expired (closed unescalated) holds no agreement. A return's clocks are the policy's,
    when it has them (see `Policy.return_shipping_window`).
    """
    policy = order.policy
    for dispute in order.disputes:
        agreement, state = dispute.agreement, dispute.state
        history = dispute.history
        shipped = [e.details["tracking_number"] for e in history if e.action == "ship_return"]
        last_tracking = shipped[-1] if shipped else None
        in_transit = state is DisputeState.RETURN_IN_TRANSIT
        outcome = dispute.outcome
        expired = outcome is not None and outcome.reached_by is Resolution.EXPIRED
        assert (agreement is None) == (state in NO_AGREEMENT or expired), (state, agreement)
        if state is not DisputeState.RESOLVED:
            assert dispute.outcome is None
        if agreement is None:
            assert (dispute.return_postage_by is not None) == (
                dispute.remedy is Remedy.RETURN_AND_REFUND
            )
            assert dispute.return_tracking == last_tracking
            continue
        is_return = agreement.remedy is Remedy.RETURN_AND_REFUND
        assert (agreement.return_postage_by is not None) == is_return
        assert dispute.return_postage_by == agreement.return_postage_by
        assert agreement.refund <= order.total
        ship_by = policy.ends("return_shipping_window", agreement.at)
        assert (dispute.return_ship_deadline is not None) == (is_return and ship_by is not None)
        if not is_return:
            # A refused return's number is kept when the platform then decides a refund.
            assert dispute.return_tracking == last_tracking
        else:
            assert agreement.refund.amount > 0
            assert dispute.return_ship_deadline == ship_by
            sent_back = in_transit or (
                state is DisputeState.RESOLVED
                and history[-1].action in ("confirm_return", "return_confirm_timeout")
            )
            assert (dispute.return_tracking is not None) == sent_back
            assert (dispute.return_shipped_at is not None) == sent_back
            if dispute.return_shipped_at is not None:
                assert dispute.return_tracking == last_tracking
                confirm_by = policy.ends("return_confirm_window", dispute.return_shipped_at)
                assert dispute.return_confirm_deadline == confirm_by
        if state in RETURN_STATES:
            assert is_return
            assert order.state is OrderState.IN_DISPUTE
            assert order.dispute is dispute
            clock = dispute.return_confirm_deadline if in_transit else dispute.return_ship_deadline
            due = order.next_deadline
            if clock is None:  # the rules have no such clock: nothing happens by itself
                assert due is None
            else:
                assert due is not None
                assert (due.action, due.at) == (RETURN_CLOCKS[state], clock)
            assert dispute.deadline == clock
            expected = ("ship_return",) if not in_transit else ("confirm_return", "refuse_return")
            assert order.allowed() == dispute.allowed() == expected
            continue
        assert state is DisputeState.RESOLVED
        assert outcome is not None
        if not is_return:
            assert outcome == Outcome(agreement.refund, agreement.reached_by, agreement.at)
            continue
        # The steps since the last agreement on a return (a refused return may come before).
        agreed = max(i for i, e in enumerate(history) if e.after is DisputeState.AWAITING_RETURN)
        assert history[agreed].at == agreement.at
        since = [(e.action, e.at) for e in history[agreed + 1 :]]
        if since[0][0] == "return_timeout":
            assert since == [("return_timeout", ship_by)]
            zero = Money.zero(order.total.currency)
            ends = since[0][1]
            assert outcome == Outcome(zero, Resolution.RETURN_NOT_SHIPPED, ends)
        else:
            (ship, shipped_at), (end, paid_at) = since
            assert ship == "ship_return"
            assert shipped_at == dispute.return_shipped_at
            assert end in ("confirm_return", "return_confirm_timeout")
            if end == "return_confirm_timeout":
                assert paid_at == dispute.return_confirm_deadline
            assert outcome == Outcome(agreement.refund, agreement.reached_by, paid_at)


# -- scenarios ------------------------------------------------------------------

ORDER_ACTIONS = (
    "advance",
    "ship",
    "confirm_receipt",
    "request_extension",
    "grant_extension",
    "contact_seller",
    "open_dispute",
)
DISPUTE_ACTIONS = (
    "seller_accept",
    "seller_reject",
    "buyer_accept",
    "buyer_modify",
    "escalate",
    "cancel",
    "platform_decide",
    "appeal",
)
ACTIONS = ORDER_ACTIONS + DISPUTE_ACTIONS
RETURN_ACTIONS = ("ship_return", "confirm_return", "refuse_return")
WITH_RETURNS = ACTIONS + RETURN_ACTIONS
"""Every action, the return's too (scenarios with `remedies` reach the return's states)."""
ALLOWED = "allowed"
"""A step's action that `run` replaces by one of the actions the order allows at its
instant (the ``days``-th, counting round): a scenario of these walks deep into the
lifecycle, where random actions are mostly refused."""
MOVES = (*WITH_RETURNS, *[ALLOWED] * 8)
"""What a step does by default: any action by name (allowed now or not), or `ALLOWED`."""

WAITS: tuple[str, ...] = ("before-deadline", "at-deadline", "after-deadline")

CLOCKS: tuple[str, ...] = (
    "shipping_deadline",
    "protection_ends",
    "post_completion_ends",
    "earliest_dispute",
    "estimated_delivery",
    "filing_ends",
    "contact_wait_ends",
    "seller_deadline",
    "negotiation_deadline",
    "return_ship_deadline",
    "return_confirm_deadline",
    "appeal_deadline",
)
"""The instants an order or its last dispute reads (None when it has no such clock):
beside the next deadline, where a rule changes (the seller's window over, the time to
appeal ended, the first instant a claim may be filed)."""

REMEDIES: tuple[Remedy | str | None, ...] = (
    None,
    None,
    None,
    Remedy.REFUND,
    Remedy.RETURN_AND_REFUND,
    Remedy.RETURN_AND_REFUND,
    "return_and_refund",
    "refund",
    "exchange",
)
"""A proposal's remedy: not given (mostly), either member or its value, or a wrong word."""

POSTAGE_PAYERS: tuple[Actor | str | None, ...] = (
    None,
    None,
    Actor.SELLER,
    Actor.BUYER,
    Actor.PLATFORM,
    "buyer",
    Actor.SYSTEM,
)
"""Who pays a return's postage: not given, each side that may, or one that may not."""

TRACKING_NUMBERS = ("RR123456785CN", "LP00123456789012", "1Z999AA10123456784", "RR 1234 CN")
BAD_TRACKING_NUMBERS = ("", " ", "x" * 201, "RR\ud800", "RR\n1")
CARRIERS = ("", "", "Cainiao", "China Post", "x" * 201)
NOTES = ("the box came back empty", "the wrong item came back", "nothing arrived", "", "\ud800")
"""Return arguments: mostly valid, some too long, empty or unwritable (refused)."""

APPELLANTS: tuple[Actor | str, ...] = (
    Actor.BUYER,
    Actor.SELLER,
    "buyer",
    "seller",
    Actor.PLATFORM,
    "nobody",
)
"""Who appeals a decision: each side that may (the one that lost, if it did), written as a
member or its value, or one that may not (refused)."""


@attrs.frozen
class Step:
    """One move of a scenario: wait, then do *action* with these arguments.

    *wait* is a duration, or one of `WAITS`: a microsecond before, exactly at, or
    a microsecond after the order's next deadline. *percent* sizes amounts (of
    the total, or of the request for a counter-offer); above 100 is too much.
    *remedy* and *postage* go with a proposal when not None; a counter-offer with
    no *remedy* has the other remedy than the request's. *tracking* and *carrier*
    go with ``ship_return``, *note* with ``refuse_return``. *estimate*: a shipment's
    estimated delivery this long after it (none when None; before it when negative,
    refused); *by*: who appeals.
    """

    action: str
    wait: timedelta | str
    percent: int = 100
    days: int = 1
    by_platform: bool = False
    reason: Reason = Reason.NOT_RECEIVED
    remedy: Remedy | str | None = None
    postage: Actor | str | None = None
    tracking: str = TRACKING_NUMBERS[0]
    carrier: str = ""
    note: str = NOTES[0]
    estimate: timedelta | None = None
    by: Actor | str = Actor.BUYER


def estimates() -> st.SearchStrategy[timedelta | None]:
    """A shipment's estimated delivery after it: none (half the time), at once, days or
    weeks later, and now and then a day before the shipment (refused)."""
    later = st.one_of(
        st.integers(0, 40).map(lambda n: timedelta(days=n)),
        st.timedeltas(timedelta(0), timedelta(days=3)),
    )
    return st.one_of(st.none(), st.none(), st.none(), later, later, st.just(-timedelta(days=1)))


def remedies() -> st.SearchStrategy[Remedy]:
    """A proposal's remedy: a refund, or a return and refund."""
    return st.sampled_from(Remedy)


def waits() -> st.SearchStrategy[timedelta | str]:
    """How long a step waits: nothing, minutes, days, right at the next deadline, or
    right at one of `CLOCKS` (written ``"<clock><offset in microseconds>"``: -1, 0, 1)."""
    return st.one_of(
        st.just(timedelta(0)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
        st.integers(1, 40).map(lambda n: timedelta(days=n)),
        st.sampled_from(WAITS),
        st.builds(lambda c, n: f"{c}{n:+d}", st.sampled_from(CLOCKS), st.sampled_from([-1, 0, 1])),
    )


@st.composite
def proposals(draw: st.DrawFn) -> tuple[Remedy | str | None, Actor | str | None]:
    """A proposal's remedy and postage payer: a payer mostly only with a return, as
    the library requires, but now and then with a refund too (refused)."""
    remedy = draw(st.sampled_from(REMEDIES))
    if remedy in (Remedy.RETURN_AND_REFUND, "return_and_refund") or draw(rarely()):
        return remedy, draw(st.sampled_from(POSTAGE_PAYERS))
    return remedy, None


def rarely() -> st.SearchStrategy[bool]:
    """True one time in eight."""
    return st.integers(0, 7).map(lambda n: n == 0)


@st.composite
def steps(
    draw: st.DrawFn,
    actions: Sequence[str] = MOVES,
    remedy: st.SearchStrategy[Remedy] | None = None,
) -> Step:
    """One random `Step` among *actions*; its proposals ask for *remedy* (default: any
    of `proposals`, with a postage payer, now and then a wrong one)."""
    if remedy is None:
        asked, postage = draw(proposals())
    else:
        asked, postage = draw(remedy), None
    return Step(
        action=draw(st.sampled_from(actions)),
        wait=draw(waits()),
        percent=draw(st.one_of(st.integers(0, 110), st.just(100), st.just(0))),
        days=draw(st.integers(1, 90)),
        by_platform=draw(st.integers(0, 3).map(lambda n: n == 0)),
        reason=draw(st.sampled_from(Reason)),
        remedy=asked,
        postage=postage,
        tracking=draw(
            st.sampled_from(BAD_TRACKING_NUMBERS if draw(rarely()) else TRACKING_NUMBERS)
        ),
        carrier=draw(st.sampled_from(CARRIERS)),
        note=draw(st.sampled_from(NOTES)),
        estimate=draw(estimates()),
        by=draw(st.sampled_from(APPELLANTS)),
    )


def scenarios(
    actions: Sequence[str] = MOVES,
    max_size: int = 25,
    remedy: st.SearchStrategy[Remedy] | None = None,
) -> st.SearchStrategy[list[Step]]:
    """A sequence of steps; most scenarios ship early so that disputes happen, and many
    open a received-item dispute at once (half of them asking a return) so that
    returns happen. *remedy*: as in `steps`."""
    first = st.builds(
        Step,
        action=st.just("ship"),
        wait=st.integers(0, 3).map(timedelta),
        estimate=st.none() | st.integers(0, 30).map(lambda n: timedelta(days=n)),
    )
    opening = st.builds(
        Step,
        action=st.just("open_dispute"),
        wait=st.integers(0, 3).map(timedelta),
        percent=st.integers(1, 100),
        reason=st.sampled_from([r for r in Reason if r.item_received]),
        remedy=st.sampled_from([None, Remedy.RETURN_AND_REFUND]),
    )
    # Amazon's rules ask the buyer to contact the seller first, and then to wait.
    contact = st.builds(Step, action=st.just("contact_seller"), wait=st.just(timedelta(0)))
    waited = opening.map(lambda step: attrs.evolve(step, wait="contact_wait_ends+0"))
    opened = st.tuples(first, opening)
    return st.builds(
        lambda head, tail: [*head, *tail],
        st.one_of(st.just(()), st.tuples(first), opened, opened, st.tuples(first, contact, waited)),
        st.lists(steps(actions, remedy), max_size=max_size),
    )


def elapsed(at: datetime, duration: timedelta) -> datetime:
    """*duration* of elapsed time after *at*, written in *at*'s zone (Python adds to a
    datetime by its wall clock: across a change of the clocks that is an hour off). A
    naive *at* gives a naive instant (which the library refuses)."""
    if at.tzinfo is None:
        return at + duration
    return (at.astimezone(UTC) + duration).astimezone(at.tzinfo)


def estimated(at: datetime, estimate: timedelta | None) -> datetime | None:
    """The estimated delivery *estimate* after a shipment at *at* (see `elapsed`), or None."""
    return None if estimate is None else elapsed(at, estimate)


def clock(order: Order, name: str) -> datetime | None:
    """The instant of the clock *name* (one of `CLOCKS`) of *order* or its last dispute."""
    if hasattr(order, name):
        at: datetime | None = getattr(order, name)
        return at
    return None if order.dispute is None else getattr(order.dispute, name)


def next_instant(order: Order, now: datetime, wait: timedelta | str) -> datetime:
    """The instant a step waiting *wait* after *now* happens at (never before *now*)."""
    if isinstance(wait, timedelta):
        return now + wait
    if wait in WAITS:
        deadline = order.next_deadline
        at = None if deadline is None else deadline.at
        offset = {"before-deadline": -1, "at-deadline": 0, "after-deadline": 1}[wait]
    else:
        name, offset = wait[:-2], int(wait[-2:])
        at = clock(order, name)
    if at is None:
        return now
    return max(now, at + timedelta(microseconds=offset))


def other_remedy(remedy: Remedy) -> Remedy:
    """The remedy that is not *remedy*."""
    return Remedy.REFUND if remedy is Remedy.RETURN_AND_REFUND else Remedy.RETURN_AND_REFUND


def proposal_arguments(
    remedy: Remedy | str | None, postage: Actor | str | None, request: Remedy | None = None
) -> dict[str, Any]:
    """The ``remedy`` and ``return_postage_by`` arguments of a proposal, each when not None.

    For a counter-offer to a request of remedy *request*, no *remedy* means the
    other one.
    """
    if remedy is None and request is not None:
        remedy = other_remedy(request)
    given: dict[str, Any] = {} if remedy is None else {"remedy": remedy}
    if postage is not None:
        given["return_postage_by"] = postage
    return given


def call_for(order: Order, step: Step, at: datetime) -> Callable[[], object] | None:
    """The public call that *step* makes on *order* at *at* (None: no dispute to act on)."""
    total = order.total
    if step.action == "advance":
        return lambda: order.advance(at)
    if step.action == "ship":
        return lambda: order.ship(
            at,
            protection_days=step.days,
            by_platform=step.by_platform,
            estimated_delivery=estimated(at, step.estimate),
        )
    if step.action == "contact_seller":
        return lambda: order.contact_seller(at)
    if step.action == "confirm_receipt":
        return lambda: order.confirm_receipt(at)
    if step.action == "request_extension":
        return lambda: order.request_extension(at, step.days)
    if step.action == "grant_extension":
        return lambda: order.grant_extension(at, step.days)
    if step.action == "open_dispute":
        return lambda: order.open_dispute(
            at,
            reason=step.reason,
            refund=share(total, step.percent),
            evidence=("https://example.com/tracking.png",),
            **proposal_arguments(step.remedy, step.postage),
        )
    dispute = order.dispute
    if dispute is None:
        return None
    if step.action == "seller_accept":
        return lambda: dispute.seller_accept(at)
    if step.action == "seller_reject":
        return lambda: dispute.seller_reject(
            at,
            counter_offer=share(dispute.request, step.percent),
            **proposal_arguments(step.remedy, step.postage, dispute.remedy),
        )
    if step.action == "buyer_accept":
        return lambda: dispute.buyer_accept(at)
    if step.action == "buyer_modify":
        return lambda: dispute.buyer_modify(
            at, refund=share(total, step.percent), **proposal_arguments(step.remedy, step.postage)
        )
    if step.action == "escalate":
        return lambda: dispute.escalate(at)
    if step.action == "cancel":
        return lambda: dispute.cancel(at)
    if step.action == "platform_decide":
        return lambda: dispute.platform_decide(
            at, refund=share(total, step.percent), **proposal_arguments(step.remedy, step.postage)
        )
    if step.action == "ship_return":
        return lambda: dispute.ship_return(at, tracking_number=step.tracking, carrier=step.carrier)
    if step.action == "confirm_return":
        return lambda: dispute.confirm_return(at)
    if step.action == "refuse_return":
        return lambda: dispute.refuse_return(at, note=step.note)
    if step.action == "appeal":
        return lambda: dispute.appeal(at, by=step.by)
    raise AssertionError(f"unknown action {step.action!r}")


def run(
    order: Order, scenario: Sequence[Step], zone: tzinfo = UTC
) -> Iterator[tuple[Step, datetime, Exception | None]]:
    """Play *scenario* on *order*, writing every instant in *zone*.

    Yields each step (an `ALLOWED` one as the action chosen), its instant and the
    refusal it met (or None) after it ran.
    """
    now = order.last_event_at
    for step in scenario:
        now = next_instant(order, now, step.wait)
        if step.action == ALLOWED:
            allowed = order.as_of(now).allowed() or ("advance",)
            step = attrs.evolve(step, action=allowed[step.days % len(allowed)])
        call = call_for(order, step, now.astimezone(zone))
        error: Exception | None = None
        if call is not None:
            try:
                call()
            except (InvalidAction, InvalidInput) as refusal:
                error = refusal
        yield step, now, error


def new_order(
    policy: Policy = ALIEXPRESS,
    total: Money | None = None,
    paid_at: datetime = EPOCH,
    order_id: str = "8000-1",
) -> Order:
    """An order paid at *paid_at* (default: `EPOCH`) for *total* (default: 100 USD)."""
    return Order(order_id, total or Money("100", "USD"), paid_at, policy)


def assert_refused(
    build: Callable[[], Order],
    call: Callable[[Order], object],
    error: type[Exception],
    at: datetime | None = None,
) -> Exception:
    """Check that *call* on a fresh ``build()`` raises *error* and changes nothing.

    Nothing means: the order and its disputes are as they were, or, when *at* is
    given, possibly as ``advance(at)`` alone would have left them (the automatic
    steps due by then). Returns the error raised.
    """
    order = build()
    before = snapshot(order)
    tracking = order.tracking
    try:
        call(order)
    except error as raised:
        refusal = raised
    else:
        raise AssertionError(f"expected {error.__name__}, nothing was raised")
    after = snapshot(order)
    assert order.tracking == tracking
    if at is None or after == before:
        assert after == before
    else:
        twin = build()
        twin.advance(at)
        assert after == snapshot(twin)
    return refusal


# -- junk: what a reader of outside data must refuse with the library's own error ----


class BrokenZone(tzinfo):
    """A custom tzinfo that gives no valid UTC offset: raises, out of range, or not one."""

    def __init__(self, how: str) -> None:
        self.how = how

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        """Raise, or answer a day and a half, or answer a str, as *how* says."""
        if self.how == "raises":
            raise RuntimeError("this zone is broken")
        if self.how == "out of range":
            return timedelta(hours=36)
        return "+08:00"  # type: ignore[return-value]

    def dst(self, dt: datetime | None) -> timedelta | None:
        """No daylight saving."""
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str | None:
        """A name, so that only the offset is broken."""
        return "BROKEN"

    def __repr__(self) -> str:
        return f"BrokenZone({self.how!r})"


BROKEN_ZONES = (BrokenZone("raises"), BrokenZone("out of range"), BrokenZone("not a timedelta"))
"""One broken tzinfo of each kind."""

HUGE_TEXT = "9" * 1_000_000
"""A string of a million characters (digits, so that a careless reader tries them)."""


def hashable_junk() -> st.SearchStrategy[object]:
    """Junk that can be a dict key: None, bools, ints, text, bytes, tuples of those."""
    leaf: st.SearchStrategy[object] = st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.binary(max_size=4)
    )
    return st.one_of(leaf, st.tuples(leaf, leaf))


def feed_junk() -> st.SearchStrategy[object]:
    """Random outside values of the wrong shape: None, numbers (huge ones too), floats,
    text (huge too), bytes, datetimes (naive, broken), broken zones, nested lists and dicts."""
    scalars: st.SearchStrategy[object] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([1, -1]).map(lambda sign: sign * 10**5000),  # built: no repr of it
        st.sampled_from([2**63, 10**11, 1674952260862, -1]),
        st.floats(),
        st.decimals(allow_nan=False),
        st.text(max_size=24),
        st.just(HUGE_TEXT).map(str),  # mapped: its repr is not shown in the strategy's
        st.sampled_from(["", " ", "1674952260000", "20260305", "0" * 13]),
        st.binary(max_size=16),
        st.datetimes(),
        st.builds(lambda d, z: d.replace(tzinfo=z), st.datetimes(), st.sampled_from(BROKEN_ZONES)),
        st.sampled_from(BROKEN_ZONES),
        st.timedeltas(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.tuples(inner, inner),
            st.dictionaries(hashable_junk(), inner, max_size=4),
        ),
        max_leaves=8,
    )


# -- junk: what outside data may be -----------------------------------------------


class Deep(list[object]):
    """A list holding *leaf* inside *depth* lists and objects, alternately: deep for any reader.

    Hypothesis shows it by its size, as printing it would overflow the stack.
    """

    def __init__(self, depth: int, leaf: object) -> None:
        value = leaf
        for level in range(depth - 1):
            value = [value] if level % 2 else {"x": value}
        super().__init__([value])
        self.depth = depth
        self.leaf = leaf

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"Deep({self.depth}, {shown(self.leaf)})")


class Odd:
    """An object of no type the library knows, whose repr raises."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("Odd()")


HUGE_INT = 10**5000
"""More digits than Python writes or reads by default (4,300)."""

ODD_TEXT = (
    "",
    " ",
    "\ud800",
    "8123\udfff",
    "\x00",
    "NaN",
    "Infinity",
    "1e999999",
    "-0",
    "P5D",
    "P99999999999D",
    "PT99999999999999999999S",
    "2026-03-01",
    "2026-03-01T00:00:00",
    "2026-03-01T00:00:00Z",
    "2026-03-01 00:00:00+00:00",
    "20260301T000000+0000",
    "2026-03-01T00:00:00.5+00:00",
    "2026-03-01T00:00:00+24:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9990-01-01T00:00:00+00:00",
    "٢٠٢٦-03-01T00:00:00+00:00",
    "USD",
    "usd",
    "25.90",
    "1e3",
    "١٢",
    "$money",
    "$datetime",
    "pay",
    "complete",
    "close",
    "seller_timeout",
    "add_tracking",
    "buyer",
    "system",
    "carrier",
    "in_transit",
    "Asia/Shanghai",
    "GMT+8",
    "../../etc/passwd",
)
"""Strings that look almost right to a reader of outside data."""


def junk_scalars() -> st.SearchStrategy[Any]:
    """A single value of any kind outside data may hold, the odd ones first."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(-(2**70), 2**70),
        st.sampled_from([2**63, -(2**63) - 1, 10**19, 0, -1]),
        st.sampled_from([1, -1]).map(lambda sign: sign * HUGE_INT),
        st.floats(),
        st.sampled_from(ODD_TEXT),
        st.text(max_size=12),
        st.text(st.characters(categories=["Cs", "Cc", "Nd"]), max_size=4),
        st.builds(
            lambda c, n: c * n, st.sampled_from(["x", "9", "\ud800", "é"]), st.integers(1, 10**5)
        ),
        st.binary(max_size=8),
        st.datetimes(),
        st.datetimes(timezones=st.just(UTC)),
        st.just(timedelta(days=1)),
        st.just(Decimal("NaN")),
        st.builds(Odd),
    )


def junk() -> st.SearchStrategy[Any]:
    """A value from `junk_scalars`, or lists, tuples and dicts of them, or a deep nest."""
    keys = st.one_of(st.sampled_from(["x", "id", "at", "time", "status", "amount"]), junk_scalars())
    nests = st.builds(Deep, st.integers(100, 5000), junk_scalars())
    return st.one_of(
        st.recursive(
            junk_scalars(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.tuples(inner, inner)
                | st.dictionaries(keys.filter(_hashable), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        nests,
    )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every node of a tree of dicts and lists, containers included, root excluded.

    Nodes deeper than 30 levels are left out (a deep nest is one node).
    """
    if path:
        yield path
    if len(path) > 30:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from nodes(item, (*path, i))


@st.composite
def mutated(draw: st.DrawFn, tree: Any, values: st.SearchStrategy[Any] | None = None) -> Any:
    """A copy of *tree* (dicts and lists) with one to four nodes replaced, deleted or added to.

    A replaced node becomes a value from *values* (default: `junk`); an added one is a
    new key of an object or a new item of a list.
    """
    tree = copy.deepcopy(tree)
    values = junk() if values is None else values
    for _ in range(draw(st.integers(1, 4))):
        paths = list(nodes(tree))
        if not paths:
            break
        *head, last = draw(st.sampled_from(paths))
        parent: Any = tree
        for key in head:
            parent = parent[key]
        how = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if how == "replace":
            parent[last] = draw(values)
        elif how == "delete":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["x", "id", "at", "details"]))] = draw(values)
        elif isinstance(parent[last], list):
            parent[last].insert(draw(st.integers(0, len(parent[last]))), draw(values))
        else:
            parent[last] = [parent[last]]
    return tree


@st.composite
def played_orders(
    draw: st.DrawFn, max_size: int = 12, rules: st.SearchStrategy[Policy] | None = None
) -> Order:
    """A random order: a random policy (from *rules*, default `policies`) and total, and a
    random scenario played on it."""
    policy = draw(policies() if rules is None else rules)
    order = new_order(policy, draw(money(positive=True)), draw(instants()))
    for _ in run(order, draw(scenarios(max_size=max_size)), draw(zones())):
        pass
    return order


def json_junk() -> st.SearchStrategy[Any]:
    """A value of JSON's types only (NaN and infinities included), odd strings first."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.sampled_from([2**63, -(2**63) - 1, 0, -1, 10**19]),
        st.floats(),
        st.sampled_from(ODD_TEXT),
        st.text(max_size=12),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["x", "id", "at", "amount", "$money"]), inner)
        ),
        max_leaves=6,
    )


SPLICES = (
    "9" * 5000,
    "-" + "1" * 4301,
    "NaN",
    "-Infinity",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    "[" * 5000,
    "{" * 3000,
    '{"a": 1, "a": 2}',
    "\x00",
    "\ufeff",
    "",
    "1e400",
    '"' + "x" * 100_000 + '"',
)
"""JSON fragments, broken or odd, to splice into a document's text."""


@st.composite
def spliced(draw: st.DrawFn, text: str) -> str:
    """*text* with a fragment of `SPLICES` (or random text) put in, over or instead of a part."""
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    piece = draw(st.sampled_from(SPLICES) | st.text(max_size=6))
    return text[:start] + piece + text[end:]


@st.composite
def spliced_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """*data* with a few random bytes (often invalid UTF-8, or an encoded surrogate) put in."""
    at = draw(st.integers(0, len(data)))
    odd = [b"\xed\xa0\x80", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\xf4\x90\x80\x80", b"\xc0\xaf"]
    piece = draw(st.sampled_from(odd) | st.binary(min_size=1, max_size=4))
    return data[:at] + piece + data[at:]
