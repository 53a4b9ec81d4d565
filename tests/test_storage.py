"""Tests for `buyer_protection.storage`: the JSON document, strict loading, round trips.

`lifecycles` (below) builds random orders through the public API: every action, time
jumps, tracking scans (also dated before earlier actions, and repeated), and ``meta``
data of every kind, written in several time zones. `test_replay.py` uses it too.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import buyer_protection
from buyer_protection import (
    ALIEXPRESS,
    Actor,
    Agreement,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Remedy,
    Resolution,
    TrackingEvent,
    TrackingStatus,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection.storage import SCHEMA_VERSION, log_from_list, log_to_list
from strategies import (
    LOS_ANGELES,
    SHANGHAI,
    WAITS,
    aware_datetimes,
    instants,
    money,
    next_instant,
    policies,
    share,
    zones,
)

DAY = timedelta(days=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PRESETS = buyer_protection.policies()

# -- random lifecycles ----------------------------------------------------------------

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
MOVES = (
    "ship",
    "confirm_receipt",
    "request_extension",
    "grant_extension",
    "contact_seller",
    "open_dispute",
    *DISPUTE_ACTIONS,
    "advance",
    *["track"] * 3,
    *["allowed"] * 14,
)
"""What a move does: an action of the order or its dispute, a time jump, a carrier scan, or
(``allowed``) one of the actions the order allows at that moment, so that lifecycles go far."""


@attrs.frozen
class Move:
    """One move of a lifecycle: wait, then act (in *zone*), jump in time, or record a scan.

    *percent* sizes amounts (of the total, or of the request for a counter-offer; above
    100 is too much); *pick* chooses among the allowed actions; a scan is dated *shift* from
    the move's instant (negative: the carrier's clock is behind) unless *again* repeats
    a scan already known. *wait* may also be ``earliest-dispute``: until a "not
    received" dispute can be opened. *assumed* are a shipment's assumed facts, and
    *estimate* its estimated delivery, from the shipment (None: none given); an appeal
    is the buyer's for an even *pick*, else the seller's.
    """

    action: str
    wait: timedelta | str
    zone: tzinfo = UTC
    percent: int = 100
    pick: int = 0
    days: int = 1
    by_platform: bool = False
    promised_days: int | None = None
    reason: Reason = Reason.NOT_RECEIVED
    evidence: tuple[str, ...] = ()
    meta: tuple[tuple[str, object], ...] | None = None
    shift: timedelta = timedelta(0)
    status: TrackingStatus = TrackingStatus.IN_TRANSIT
    place: str = ""
    again: bool = False
    assumed: tuple[str, ...] = ()
    estimate: timedelta | None = None


def meta_values() -> st.SearchStrategy[object]:
    """A value ``meta`` may hold: str, int (of 64 bits), bool, None, Money or an aware datetime."""
    return st.one_of(
        st.text(max_size=8),
        st.integers(-(2**63), 2**63 - 1),
        st.booleans(),
        st.none(),
        money(),
        aware_datetimes(),
    )


def metas() -> st.SearchStrategy[tuple[tuple[str, object], ...] | None]:
    """No meta, or a few keys with values of every storable kind."""
    pairs = st.dictionaries(st.text(max_size=6), meta_values(), max_size=3)
    return st.none() | pairs.map(lambda d: tuple(d.items()))


def waits() -> st.SearchStrategy[timedelta | str]:
    """How long a move waits: mostly nothing or hours, sometimes weeks, or right at a deadline."""
    return st.one_of(
        st.just(timedelta(0)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
        st.just(timedelta(0)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
        st.integers(1, 40).map(lambda n: timedelta(days=n)),
        st.sampled_from([*WAITS, "earliest-dispute", "earliest-dispute"]),
    )


def moves() -> st.SearchStrategy[Move]:
    """One random `Move`."""
    return st.builds(
        Move,
        action=st.sampled_from(MOVES),
        wait=waits(),
        zone=zones(),
        percent=st.one_of(st.integers(0, 110), st.just(100), st.just(50)),
        pick=st.integers(0, 11),
        days=st.integers(1, 90),
        by_platform=st.integers(0, 3).map(lambda n: n == 0),
        promised_days=st.none() | st.integers(1, 30),
        reason=st.sampled_from(Reason),
        evidence=st.sampled_from(
            [(), ("https://example.com/photo.jpg",), ("video.mp4", "photo.jpg")]
        ),
        meta=metas(),
        shift=st.timedeltas(min_value=-15 * DAY, max_value=DAY),
        status=st.sampled_from(TrackingStatus),
        place=st.sampled_from(["", "Shenzhen", "São Paulo"]),
        again=st.integers(0, 4).map(lambda n: n == 0),
        assumed=shipment_assumptions(),
        estimate=estimates(),
    )


def estimates() -> st.SearchStrategy[timedelta | None]:
    """A shipment's estimated delivery, from the shipment: none, or up to 60 days."""
    return st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))


def shipment_assumptions() -> st.SearchStrategy[tuple[str, ...]]:
    """The assumed facts of a shipment: mostly none, else some, in any order."""
    facts = st.lists(st.sampled_from(["shipped_at", "protection_days"]), unique=True)
    return st.just(()) | facts.map(tuple)


@attrs.frozen
class Lifecycle:
    """A random order's beginning (policy, total, payment, the facts of it assumed) and
    the moves that follow."""

    policy: Policy
    total: Money
    paid_at: datetime
    moves: tuple[Move, ...]
    assumed: tuple[str, ...] = ()

    def new(self) -> Order:
        """The order as paid, before any move."""
        return Order("life-1", self.total, self.paid_at, self.policy, assumed=self.assumed)

    def play(self, order: Order) -> Iterator[tuple[Move, datetime, object]]:
        """Play the moves on *order*, yielding each move, its instant and its outcome."""
        now = order.last_event_at
        for move in self.moves:
            if move.wait == "earliest-dispute":
                now = max(now, order.earliest_dispute or now)
            else:
                now = next_instant(order, now, move.wait)
            yield move, now, act(order, move, now)

    def build(self) -> Order:
        """The order after every move."""
        order = self.new()
        for _ in self.play(order):
            pass
        return order


def lifecycles(max_moves: int = 20) -> st.SearchStrategy[Lifecycle]:
    """A random lifecycle; most ship first, so that disputes and tracking happen."""
    ship = st.builds(
        Move,
        action=st.just("ship"),
        wait=st.integers(0, 3).map(timedelta),
        promised_days=st.none() | st.integers(1, 30),
        assumed=shipment_assumptions(),
        estimate=estimates(),
    )
    return st.builds(
        Lifecycle,
        policy=st.just(ALIEXPRESS) | policies() | st.sampled_from(PRESETS),
        total=money(positive=True),
        paid_at=instants(),
        moves=st.builds(
            lambda head, tail: (*head, *tail),
            st.just(()) | st.tuples(ship) | st.tuples(ship),
            st.integers(0, max_moves).flatmap(lambda n: st.lists(moves(), min_size=n, max_size=n)),
        ),
        assumed=st.just(())
        | st.lists(st.sampled_from(["paid_at", "total"]), unique=True).map(tuple),
    )


def act(order: Order, move: Move, at: datetime) -> object:
    """Make *move* on *order* at *at* through the public API: what it returned, or the refusal.

    The refusal is its type and message, so that two orders can be compared by it.
    """
    if move.action == "allowed":
        # As of the last event, what a document keeps: a refused action or an advance
        # that records nothing moves the instant `allowed()` is as of, and a copy loaded
        # from a document does not know it.
        allowed = order.as_of(order.last_event_at).allowed()
        chosen = allowed[move.pick % len(allowed)] if allowed else "advance"
        return act(order, attrs.evolve(move, action=chosen), at)
    when = at.astimezone(move.zone)
    meta = None if move.meta is None else dict(move.meta)
    total = order.total
    dispute = order.dispute
    try:
        if move.action == "advance":
            return order.advance(when)
        if move.action == "track":
            known = order.tracking
            if move.again and known:
                return order.add_tracking(known[move.percent % len(known)])
            event = TrackingEvent(
                (at + move.shift).astimezone(move.zone), move.status, "", move.place
            )
            return order.add_tracking(event)
        if move.action == "ship":
            return order.ship(
                when,
                protection_days=move.days,
                by_platform=move.by_platform,
                promised_days=move.promised_days,
                meta=meta,
                assumed=move.assumed,
                estimated_delivery=None if move.estimate is None else when + move.estimate,
            )
        if move.action == "confirm_receipt":
            return order.confirm_receipt(when, meta=meta)
        if move.action == "request_extension":
            return order.request_extension(when, move.days, meta=meta)
        if move.action == "grant_extension":
            return order.grant_extension(when, move.days, meta=meta)
        if move.action == "contact_seller":
            return order.contact_seller(when, meta=meta)
        if move.action == "open_dispute":
            return order.open_dispute(
                when,
                reason=move.reason,
                refund=share(total, move.percent),
                evidence=move.evidence,
                description=move.place,
                meta=meta,
            ).state
        if dispute is None:
            return "no dispute"
        if move.action == "seller_reject":
            return dispute.seller_reject(
                when, counter_offer=share(dispute.request, move.percent), meta=meta
            )
        if move.action == "appeal":
            by = Actor.BUYER if move.pick % 2 == 0 else Actor.SELLER
            return dispute.appeal(when, by=by, meta=meta)
        if move.action in ("buyer_modify", "platform_decide"):
            return getattr(dispute, move.action)(when, refund=share(total, move.percent), meta=meta)
        return getattr(dispute, move.action)(when, meta=meta)
    except (InvalidAction, InvalidInput) as refusal:
        return (type(refusal).__name__, str(refusal))


def observe(order: Order) -> tuple[object, ...]:
    """Everything observable about *order*: its document, its log, its clock and its options
    (as of its last event: what a document or a log keeps; `allowed` is as of the instant
    an order was last brought to, which an `advance` that records nothing moves)."""
    return (
        to_dict(order),
        order.log,
        order.history,
        order.tracking,
        order.next_deadline,
        order.last_event_at,
        order.as_of(order.last_event_at).allowed(),
        order.protection_ends,
        order.earliest_dispute,
        order.post_completion_ends,
        order.refundable,
        order.assumed,
        tuple((d.state, d.deadline, d.outcome, d.history) for d in order.disputes),
    )


# -- fixed orders -----------------------------------------------------------------------


CUSTOM = attrs.evolve(ALIEXPRESS, name="custom-shop")
"""A custom policy with the preset's values: documents store it whole."""


def disputed_order(policy: Policy = ALIEXPRESS) -> Order:
    """An order shipped, tracked, extended, disputed four times over, and escalated."""
    order = Order("8123-A", Money("25.90", "USD"), PAID, policy)
    order.ship(PAID + DAY, meta={"carrier": "Cainiao", "paid_fee": Money("1.50", "USD")})
    order.add_tracking(
        TrackingEvent(PAID + 2 * DAY, "in_transit", "left the warehouse", "Shenzhen")
    )
    order.request_extension(PAID + 3 * DAY, 5)
    order.grant_extension(PAID + 4 * DAY, 5)
    dispute = order.open_dispute(
        PAID + 20 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("25.90", "USD")
    )
    dispute.seller_reject(PAID + 21 * DAY, counter_offer=Money("5", "USD"))
    dispute.buyer_modify(PAID + 22 * DAY, refund=Money("20", "USD"))
    dispute.seller_reject(PAID + 23 * DAY, counter_offer=Money("10", "USD"))
    dispute.escalate(PAID + 24 * DAY, meta={"note": "no answer", "seen": PAID + 24 * DAY})
    return order


def closed_order() -> Order:
    """An order whose silent seller let the buyer's request be refunded by the clock."""
    order = Order("8123-B", Money("1000", "JPY"), PAID.astimezone(SHANGHAI))
    order.ship(PAID + DAY)
    dispute = order.open_dispute(
        PAID + 2 * DAY,
        reason=Reason.DAMAGED,
        refund=Money("400", "JPY"),
        evidence=["photo.jpg"],
        description="the box was crushed",
    )
    dispute.advance(PAID + 30 * DAY)
    return order


# -- the document's shape ---------------------------------------------------------------

TOP_LEVEL = [
    "schema_version",
    "order_id",
    "total",
    "paid_at",
    "policy",
    "state",
    "shipped_at",
    "protection_days",
    "promised_days",
    "by_platform",
    "extension_days",
    "extension_requested",
    "completed_at",
    "refunded",
    "estimated_delivery",
    "contacted_at",
    "assumed",
    "disputes",
    "history",
    "tracking",
]


def test_document_has_exactly_the_orders_fields_and_the_schema_version() -> None:
    """The document's top-level keys are the order's fields, what it assumed and
    schema_version, in that order."""
    document = to_dict(disputed_order())
    assert list(document) == TOP_LEVEL
    assert document["schema_version"] == SCHEMA_VERSION == 6
    assert document["assumed"] == []
    assert (document["estimated_delivery"], document["contacted_at"]) == (None, None)


def test_document_writes_money_as_decimal_strings_with_a_currency() -> None:
    """Amounts are written as decimal strings with the currency's minor digits, never numbers."""
    document = to_dict(closed_order())
    assert document["total"] == {"amount": "1000", "currency": "JPY"}
    assert document["refunded"] == {"amount": "400", "currency": "JPY"}
    refund = document["disputes"][0]["history"][0]["details"]["refund"]
    assert refund == {"amount": "400", "currency": "JPY"}
    assert to_dict(disputed_order())["total"] == {"amount": "25.90", "currency": "USD"}


@pytest.mark.parametrize("written", ["25.9", "25.900", "025.90"])
def test_an_amount_not_written_as_the_library_writes_it_is_refused(written: str) -> None:
    """An amount equal in value but written otherwise than to_dict writes it is refused."""
    document = to_dict(disputed_order())
    document["total"]["amount"] = written
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert refused.value.problems == (
        f"total: {written!r} is not written as the library writes it: '25.90' (USD's minor unit)",
    )


def test_document_writes_instants_in_iso_8601_with_an_offset() -> None:
    """Instants are ISO 8601 strings with an offset, in UTC whatever zone they were given in."""
    document = to_dict(closed_order())
    assert document["paid_at"] == "2026-03-01T09:30:00+00:00"
    assert document["shipped_at"] == "2026-03-02T09:30:00+00:00"
    assert document["disputes"][0]["outcome"]["at"] == "2026-03-08T09:30:00+00:00"
    assert document["completed_at"] is None


def test_document_writes_durations_in_iso_8601() -> None:
    """A custom policy's durations are ISO 8601 durations such as P5D."""
    policy = to_dict(disputed_order(CUSTOM))["policy"]
    assert policy["seller_response_window"] == "P5D"
    assert policy["processing_time"] == "P7D"
    assert policy["post_completion_window"] == "P15D"


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(days=5), "P5D"),
        (timedelta(hours=36), "P1DT12H"),
        (timedelta(hours=12), "PT12H"),
        (timedelta(minutes=90), "PT1H30M"),
        (timedelta(0), "PT0S"),
        (timedelta(seconds=1, microseconds=500000), "PT1.5S"),
        (timedelta(days=1, microseconds=1), "P1DT0.000001S"),
        (timedelta(seconds=10), "PT10S"),
        (timedelta(seconds=100), "PT1M40S"),
        (timedelta(days=2, seconds=50), "P2DT50S"),
    ],
)
def test_policy_durations_are_written_and_read_back(duration: timedelta, text: str) -> None:
    """Each policy duration is written as its ISO 8601 duration and read back to the same value."""
    policy = attrs.evolve(ALIEXPRESS, earliest_not_received=duration)
    order = Order("d-1", Money("1", "USD"), PAID, policy)
    assert to_dict(order)["policy"]["earliest_not_received"] == text
    assert loads(dumps(order)).policy == policy


def test_document_writes_enums_as_their_values() -> None:
    """States, actors, actions, reasons and resolutions are written as their values."""
    document = to_dict(closed_order())
    dispute = document["disputes"][0]
    assert document["state"] == "closed"
    assert dispute["state"] == "resolved"
    assert dispute["reason"] == "damaged"
    assert dispute["outcome"]["reached_by"] == "seller_reponse_timeout"
    timeout = dispute["history"][0]
    assert (timeout["actor"], timeout["action"], timeout["before"], timeout["after"]) == (
        "system",
        "seller_timeout",
        "awaiting_seller",
        "resolved",
    )
    assert timeout["details"]["reached_by"] == "seller_reponse_timeout"


def test_document_keeps_tracking_with_its_log_ids() -> None:
    """Tracking is listed with the id each scan was recorded under, and its fields."""
    document = to_dict(disputed_order())
    assert document["tracking"] == [
        {
            "id": 3,
            "at": "2026-03-03T09:30:00+00:00",
            "status": "in_transit",
            "description": "left the warehouse",
            "location": "Shenzhen",
            "event_id": None,
        }
    ]


def test_document_keeps_meta_values_tagged_by_kind() -> None:
    """Meta Money and datetimes are written tagged, so they are read back as what they were."""
    document = to_dict(disputed_order())
    assert document["history"][1]["details"]["meta"] == {
        "carrier": "Cainiao",
        "paid_fee": {"$money": {"amount": "1.50", "currency": "USD"}},
    }
    escalate = document["disputes"][0]["history"][-1]
    assert escalate["details"]["meta"]["seen"] == {"$datetime": "2026-03-25T09:30:00+00:00"}


def test_document_is_plain_json() -> None:
    """to_dict gives only JSON types (dicts, lists, strings, numbers, booleans, None)."""
    document = to_dict(disputed_order())
    assert json.loads(json.dumps(document)) == document


def test_dumps_is_to_dict_as_json_text() -> None:
    """dumps writes the to_dict document as JSON text, indented by two spaces by default."""
    order = disputed_order()
    text = dumps(order)
    assert json.loads(text) == to_dict(order)
    assert text.startswith('{\n  "schema_version": 6,')
    assert "\n" not in dumps(order, indent=None)


def test_to_dict_refuses_what_is_not_an_order() -> None:
    """to_dict of something other than an Order is InvalidInput naming what it got."""
    with pytest.raises(InvalidInput, match="expected an Order, got dict"):
        to_dict({"order_id": "1"})  # type: ignore[arg-type]


# -- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("build", [disputed_order, closed_order])
def test_round_trip_gives_an_equal_order(build: Any) -> None:
    """loads(dumps(order)) has the same document, log, deadlines and allowed actions."""
    order = build()
    assert observe(loads(dumps(order))) == observe(order)
    assert observe(from_dict(to_dict(order))) == observe(order)


def test_round_trip_keeps_a_custom_policy() -> None:
    """A custom policy, durations to the microsecond, comes back equal."""
    policy = attrs.evolve(
        ALIEXPRESS,
        name="custom",
        seller_response_window=timedelta(days=3, hours=7, microseconds=250),
        max_extension_days=30,
        reopen_after_cancel=False,
    )
    order = Order("p-1", Money("9.99", "EUR"), PAID, policy)
    assert loads(dumps(order)).policy == policy


@given(policies())
def test_any_policy_survives_a_round_trip(policy: Policy) -> None:
    """Every valid policy is written and read back equal."""
    order = Order("p-2", Money("1", "USD"), PAID, policy)
    assert loads(dumps(order)).policy == policy


def test_loaded_order_goes_on_like_the_original() -> None:
    """A loaded order reaches the same outcome as the original when both go on alike."""
    order = disputed_order()
    twin = loads(dumps(order))
    for each in (order, twin):
        dispute = each.dispute
        assert dispute is not None
        dispute.platform_decide(PAID + 30 * DAY, refund=Money("12.34", "USD"))
        each.advance(PAID + 90 * DAY)
    assert observe(twin) == observe(order)
    assert twin.state is OrderState.CLOSED
    assert twin.refunded == Money("12.34", "USD")


def test_meta_datetime_in_a_repeated_hour_survives_a_round_trip() -> None:
    """A meta datetime in the hour a DST change repeats comes back equal to what was given."""
    repeated = datetime(2026, 11, 1, 9, 30, tzinfo=UTC).astimezone(LOS_ANGELES)
    assert repeated.fold == 1
    order = Order("m-1", Money("5", "USD"), PAID)
    order.ship(PAID + DAY, meta={"scanned": repeated})
    twin = loads(dumps(order))
    assert twin.log == order.log
    assert twin.ingest(order.log[1]) is False


@given(lifecycles())
def test_round_trip_at_every_step_then_acting_alike_stays_equal(life: Lifecycle) -> None:
    """At every step loads(dumps(o)) equals o, and acting on both alike keeps them equal."""
    order = life.new()
    copies: list[Order] = []
    for move, at, outcome in life.play(order):
        for twin in copies:
            assert act(twin, move, at) == outcome
            assert observe(twin) == observe(order)
        twin = loads(dumps(order))
        assert observe(twin) == observe(order)
        copies.append(twin)


# -- strict loading ---------------------------------------------------------------------


def _problems(document: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(InvalidInput) as raised:
        loads(json.dumps(document))
    return raised.value.problems


def _has(problems: tuple[str, ...], path: str, *words: str) -> bool:
    """True if one problem starts with *path* followed by ``:`` and mentions every word."""
    return any(p.startswith(f"{path}:") and all(w in p for w in words) for p in problems)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d.update(comment="x"), "(document)", ("unknown key", "comment")),
        (lambda d: d["disputes"][0].update(notes=[]), "disputes[0]", ("unknown key", "notes")),
        (lambda d: d["total"].update(amount=25.9), "total", ("float", "25.9")),
        (lambda d: d["total"].update(amount=25), "total", ("int", "decimal string")),
        (lambda d: d.update(protection_days="60"), "protection_days", ("integer", "'60'")),
        (lambda d: d.update(extension_days=5.0), "extension_days", ("integer", "5.0")),
        (lambda d: d.update(by_platform=0), "by_platform", ("true or false",)),
        (
            lambda d: d["disputes"][0]["history"][3].update(at="2026-03-25T09:30:00"),
            "disputes[0].history[3].at",
            ("naive datetime",),
        ),
        (lambda d: d.update(paid_at="yesterday"), "paid_at", ("ISO 8601",)),
        (lambda d: d.update(state="lost"), "state", ("'lost'", "'shipped'")),
        (lambda d: d["disputes"][0].update(reason="bored"), "disputes[0].reason", ("'bored'",)),
        (lambda d: d["history"][1].update(actor="robot"), "history[1].actor", ("'robot'",)),
        (lambda d: d["tracking"][0].update(status="teleported"), "tracking[0].status", ()),
        (lambda d: d.pop("refunded"), "refunded", ("missing",)),
        (lambda d: d["tracking"][0].pop("id"), "tracking[0].id", ("missing",)),
        (
            lambda d: d["policy"].update(seller_response_window="5 days"),
            "policy.seller_response_window",
            ("P5D",),
        ),
        (lambda d: d["policy"].update(protection_days=0), "policy.protection_days", ("0",)),
        (lambda d: d["total"].update(currency="XYZ"), "total", ("ISO 4217",)),
        (lambda d: d.update(disputes={}), "disputes", ()),
        (
            lambda d: d["history"][2]["details"].update(days="5"),
            "history[2].details.days",
            ("integer", "'5'"),
        ),
        (
            lambda d: d["history"][2]["details"].update(colour="red"),
            "history[2].details",
            ("'colour'", "not a known detail"),
        ),
        (
            lambda d: d["history"][1]["details"]["meta"].update(weight=1.5),
            "history[1].details.meta['weight']",
            ("float",),
        ),
    ],
)
def test_loading_reports_a_bad_field_with_its_path(
    change: Any, path: str, words: tuple[str, ...]
) -> None:
    """A bad field is InvalidInput whose problems name its path and what is wrong."""
    document = to_dict(disputed_order(CUSTOM))
    change(document)
    problems = _problems(document)
    assert _has(problems, path, *words), problems


def test_loading_reports_every_problem_at_once() -> None:
    """Several bad fields give one InvalidInput whose problems list each with its path."""
    document = to_dict(disputed_order())
    document["comment"] = "x"
    document["total"]["amount"] = 25.9
    document["protection_days"] = "60"
    document["disputes"][0]["history"][3]["at"] = "2026-03-25T09:30:00"
    document["disputes"][0]["reason"] = "bored"
    del document["refunded"]
    document["tracking"][0]["at"] = "2026-03-03T09:30:00"
    with pytest.raises(InvalidInput) as raised:
        loads(json.dumps(document))
    problems = raised.value.problems
    for path in (
        "(document)",
        "total",
        "protection_days",
        "disputes[0].history[3].at",
        "disputes[0].reason",
        "refunded",
        "tracking[0].at",
    ):
        assert _has(problems, path), (path, problems)
    assert len(problems) == 7
    assert "7 problem(s)" in str(raised.value)
    assert "disputes[0].history[3].at: naive datetime" in str(raised.value)


def test_loading_reports_every_bad_policy_value_with_its_path() -> None:
    """Several bad policy values are each listed at their own path, not only the first."""
    document = to_dict(disputed_order(CUSTOM))
    for policy in (document["policy"], document["history"][0]["details"]["policy"]):
        policy.update(name="", protection_days=0, fast_delivery_days=-1)
    problems = _problems(document)
    for path in ("policy.name", "policy.protection_days", "policy.fast_delivery_days"):
        assert _has(problems, path), (path, problems)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(state="completed"), "state"),
        (lambda d: d["refunded"].update(amount="5.00"), "refunded"),
        (lambda d: d.update(extension_days=9), "extension_days"),
        (lambda d: d["disputes"][0].update(state="resolved"), "disputes[0].state"),
        (lambda d: d["disputes"][0]["request"].update(amount="1.00"), "disputes[0].request"),
        (lambda d: d.update(shipped_at="2026-03-02T09:30:01+00:00"), "shipped_at"),
    ],
)
def test_loading_refuses_a_field_its_history_contradicts(change: Any, path: str) -> None:
    """A derived field that disagrees with the history is InvalidInput naming the field."""
    document = to_dict(disputed_order())
    change(document)
    problems = _problems(document)
    assert any(p.startswith(path) for p in problems), problems
    assert all("history gives" in p for p in problems), problems


def test_loading_reports_every_contradicted_field() -> None:
    """Several fields the history contradicts are all listed, with what each should be."""
    document = to_dict(disputed_order())
    document["state"] = "completed"
    document["disputes"][0]["state"] = "resolved"
    problems = _problems(document)
    assert _has(problems, "state", "'completed'", "'in_dispute'"), problems
    assert _has(problems, "disputes[0].state", "'resolved'", "'arbitration'"), problems


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["history"][1].update(at="2026-02-01T00:00:00+00:00"), ("id 2", "ship")),
        (lambda d: d["history"][1].update(actor="buyer"), ("ship",)),
        (lambda d: d["history"].pop(0), ("'pay'",)),
        (lambda d: d["tracking"][0].update(id=2), ("id 2", "already used")),
        (lambda d: d["disputes"][0]["history"].pop(), ("disputes[0].state",)),
    ],
)
def test_loading_refuses_a_history_the_rules_refuse(change: Any, words: tuple[str, ...]) -> None:
    """A history the rules cannot replay is InvalidInput saying which entry and why."""
    document = to_dict(disputed_order())
    change(document)
    with pytest.raises(InvalidInput) as raised:
        loads(json.dumps(document))
    assert all(w in str(raised.value) for w in words), str(raised.value)


@pytest.mark.parametrize("version", [7, 99])
def test_loading_refuses_a_newer_schema_version_naming_it(version: int) -> None:
    """A document of a newer schema_version is InvalidInput naming that version."""
    document = to_dict(disputed_order())
    document["schema_version"] = version
    document["shape_of_the_future"] = True
    with pytest.raises(InvalidInput, match=rf"schema_version: {version} is newer") as raised:
        loads(json.dumps(document))
    assert raised.value.problems == (str(raised.value),)


@pytest.mark.parametrize("version", ["1", 1.0, None, True])
def test_loading_refuses_a_schema_version_that_is_not_an_integer(version: object) -> None:
    """A schema_version that is not an integer is InvalidInput at schema_version."""
    document = to_dict(disputed_order())
    document["schema_version"] = version
    assert _has(_problems(document), "schema_version"), version


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{\n  "order_id": ,\n}', "line 2 column 15"),
        ('{"order_id": "1"', "line 1 column 17"),
        ("", "line 1 column 1"),
        ('{\n\n  "a": 1,\n  "a" 2}', "line 4 column 7"),
    ],
)
def test_bad_json_is_invalid_input_with_line_and_column(text: str, where: str) -> None:
    """Text that is not JSON is InvalidInput saying the line and column of the problem."""
    with pytest.raises(InvalidInput, match=where):
        loads(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[1, 2]", "expected an object, got list"),
        ("null", "expected an object, got NoneType"),
        ('"order"', "expected an object, got str"),
        ('{"total": NaN}', "NaN"),
        ('{"total": Infinity}', "Infinity"),
        (b"\xff\xfe{", "document"),
        (b'{"order_id": "\xe9"}', "document"),
    ],
)
def test_loading_other_non_documents_is_invalid_input(text: str | bytes, words: str) -> None:
    """JSON that is not an order document, or bytes that are not UTF-8, are InvalidInput."""
    with pytest.raises(InvalidInput, match=re.escape(words)):
        loads(text)


@pytest.mark.parametrize("value", [None, 5, ["{}"], {"a": 1}])
def test_loads_of_something_not_text_is_invalid_input(value: object) -> None:
    """loads of something that is neither str nor bytes is InvalidInput, not TypeError."""
    with pytest.raises(InvalidInput):
        loads(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, [], "{}", 3])
def test_from_dict_of_something_not_a_mapping_is_invalid_input(value: object) -> None:
    """from_dict of something other than a mapping is InvalidInput naming what it got."""
    with pytest.raises(InvalidInput, match="expected an object"):
        from_dict(value)  # type: ignore[arg-type]


def test_loading_accepts_the_same_document_with_instants_in_another_offset() -> None:
    """Instants written with another offset are the same instants: the order loads equal."""
    order = closed_order()
    document = to_dict(order)
    document["paid_at"] = "2026-03-01T17:30:00+08:00"
    document["history"][0]["at"] = "2026-03-01T01:30:00-08:00"
    assert observe(from_dict(document)) == observe(order)


def _paid_at_end_of_time(document: dict[str, Any]) -> None:
    document["paid_at"] = document["history"][0]["at"] = "9999-12-31T23:00:00-05:00"


def _shipped_at_end_of_time(document: dict[str, Any]) -> None:
    for place in (document, document["history"][1]):
        place["shipped_at" if place is document else "at"] = "9999-12-31T00:00:00+00:00"


def _endless_processing_time(document: dict[str, Any]) -> None:
    for policy in (document["policy"], document["history"][0]["details"]["policy"]):
        policy["processing_time"] = "P999999999D"


def _endless_protection(document: dict[str, Any]) -> None:
    document["protection_days"] = document["history"][1]["details"]["protection_days"] = 10**10


@pytest.mark.parametrize(
    "change",
    [_paid_at_end_of_time, _shipped_at_end_of_time, _endless_processing_time, _endless_protection],
)
def test_loading_out_of_range_instants_and_lengths_is_invalid_input(change: Any) -> None:
    """Instants or lengths too large for Python's datetime are InvalidInput, not OverflowError."""
    order = Order("o-1", Money("5", "USD"), PAID, CUSTOM)
    order.ship(PAID + DAY)
    order.advance(PAID + 90 * DAY)
    document = to_dict(order)
    change(document)
    with pytest.raises(InvalidInput):
        loads(json.dumps(document))


# -- exactly what to_dict writes, and nothing else ---------------------------------------


def _refusal(document: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        from_dict(document)
    return raised.value


@pytest.mark.parametrize(
    "text",
    [
        "20260301T093000+0000",
        "2026-03-01T09:30:00Z",
        "2026-03-01 09:30:00+00:00",
        "2026-03-01T09:30+00:00",
        "2026-03-01T09:30:00+0000",
        "2026-03-01T09:30:00+00",
        "2026-03-01T09:30:00+00:00:00",
        "2026-03-01T09:30:00.5+00:00",
        "2026-03-01T09:30:00.000500+00:00:00",
        "2026-03-01T09:30:00.1234567+00:00",
        "2026-060T09:30:00+00:00",
        "2026-W09-7T09:30:00+00:00",
        "+2026-03-01T09:30:00+00:00",
        " 2026-03-01T09:30:00+00:00",
        "2026-03-01T09:30:00+00:00\n",
        "٢٠٢٦-03-01T09:30:00+00:00",
        "2026-03-01t09:30:00+00:00",
        "2026-03-01T24:00:00+00:00",
        "2026-02-30T09:30:00+00:00",
        "2026-03-01T09:30:00+24:00",
        "2026-03-01T09:30:00+05:60",
    ],
)
def test_loading_refuses_an_instant_in_a_form_to_dict_never_writes(text: str) -> None:
    """Only YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM is an instant; others are refused at the path."""
    document = to_dict(closed_order())
    document["paid_at"] = document["history"][0]["at"] = text
    problems = _refusal(document).problems
    assert _has(problems, "paid_at", repr(text)), problems
    assert _has(problems, "history[0].at", repr(text)), problems


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["history"][2].update(at="2026-03-03T09:30:00Z"), "history[2].at"),
        (lambda d: d["tracking"][0].update(at="20260303T093000+0000"), "tracking[0].at"),
        (
            lambda d: d["disputes"][0]["history"][3]["details"]["meta"].update(
                seen={"$datetime": "2026-03-25 09:30:00+00:00"}
            ),
            "disputes[0].history[3].details.meta['seen']",
        ),
    ],
)
def test_every_instant_of_a_document_is_read_alike(change: Any, path: str) -> None:
    """Fields, history entries, tracking and meta datetimes refuse the same forms, at their path."""
    document = to_dict(disputed_order())
    change(document)
    assert _has(_refusal(document).problems, path, "YYYY-MM-DDTHH:MM:SS"), path


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T15:00:00+05:30",
        "2026-03-01T09:30:00.000000+00:00",
        "2026-03-01T09:30:00-00:00",
        "2026-02-28T23:30:00-10:00",
    ],
)
def test_loading_accepts_an_instant_with_any_offset_and_six_digit_microseconds(text: str) -> None:
    """Any offset ±HH:MM, and microseconds written with six digits, read as the same instant."""
    order = closed_order()
    document = to_dict(order)
    document["paid_at"] = document["history"][0]["at"] = text
    assert to_dict(from_dict(document)) == to_dict(order)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda d: d.update(paid_at="9999-12-31T23:00:00-05:00"),
            "paid_at",
            ("outside the calendar",),
        ),
        (
            lambda d: d["history"][1].update(at="9999-01-01T00:00:00+00:00"),
            "history[1].at",
            ("later than the year 9900",),
        ),
        (
            lambda d: d["tracking"][0].update(at="9990-01-01T00:00:00+00:00"),
            "tracking[0].at",
            ("later than the year 9900",),
        ),
        (
            lambda d: d["history"][1]["details"]["meta"].update(
                late={"$datetime": "9999-12-31T23:59:59-01:00"}
            ),
            "history[1].details.meta['late']",
            ("outside the calendar",),
        ),
        (
            lambda d: d.update(paid_at="0001-01-01T00:30:00+01:00"),
            "paid_at",
            ("outside the calendar",),
        ),
    ],
)
def test_loading_an_instant_out_of_range_names_its_path(
    change: Any, path: str, words: tuple[str, ...]
) -> None:
    """An instant past the library's latest, or off the calendar in UTC, is refused at its path."""
    document = to_dict(disputed_order())
    change(document)
    assert _has(_refusal(document).problems, path, *words)


@pytest.mark.parametrize("empty", ["", {}, None, 0, "[]"])
@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d: (d, "tracking"), "tracking"),
        (lambda d: (d, "disputes"), "disputes"),
        (lambda d: (d, "history"), "history"),
        (lambda d: (d["disputes"][0], "history"), "disputes[0].history"),
        (lambda d: (d["history"][4]["details"], "evidence"), "history[4].details.evidence"),
        (lambda d: (d["disputes"][0], "evidence"), "disputes[0].evidence"),
    ],
)
def test_loading_refuses_a_list_given_as_anything_else(
    empty: object, where: Any, path: str
) -> None:
    """A sequence must be a JSON array: an empty string or object is not an empty list."""
    document = to_dict(disputed_order())
    parent, key = where(document)
    parent[key] = empty
    assert _has(_refusal(document).problems, path, "expected a list"), path


def test_document_writes_every_entry_with_its_details_even_empty() -> None:
    """to_dict writes "details" for every history entry, ``{}`` when the action had none."""
    document = to_dict(closed_order())
    entries = [*document["history"], *document["disputes"][0]["history"]]
    assert all("details" in entry for entry in entries)
    assert document["history"][3]["action"] == "dispute_resolved"
    assert document["history"][3]["details"] == {}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["history"][3].pop("details"), "history[3].details"),
        (lambda d: d["history"][0].pop("details"), "history[0].details"),
        (lambda d: d["disputes"][0]["history"][0].pop("details"), "disputes[0].history[0].details"),
        (lambda d: d["disputes"][0]["outcome"].pop("at"), "disputes[0].outcome.at"),
        (lambda d: d["history"][1].pop("before"), "history[1].before"),
    ],
)
def test_loading_requires_every_key_to_dict_writes(change: Any, path: str) -> None:
    """A key to_dict always writes (an entry's details, even empty) is required, at its path."""
    document = to_dict(closed_order())
    change(document)
    assert _has(_refusal(document).problems, path, "required field missing")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(order_id="8123-A\ud800"), "order_id"),
        (
            lambda d: d["history"][0]["details"].update(order_id="\udfff"),
            "history[0].details.order_id",
        ),
        (lambda d: d["tracking"][0].update(location="Shen\ud800zhen"), "tracking[0].location"),
        (lambda d: d["tracking"][0].update(description="\udc00"), "tracking[0].description"),
        (lambda d: d["disputes"][0].update(description="\ud800"), "disputes[0].description"),
        (
            lambda d: d["history"][1]["details"]["meta"].update(carrier="\ud800"),
            "history[1].details.meta['carrier']",
        ),
        (
            lambda d: d["history"][1]["details"]["meta"].update({"\ud800": 1}),
            "history[1].details.meta['\\ud800']",
        ),
        (lambda d: d["policy"].update(name="\ud800"), "policy.name"),
    ],
)
def test_loading_refuses_a_lone_surrogate_in_any_string(change: Any, path: str) -> None:
    """A string that is not valid Unicode could never be saved again: refused at its path."""
    document = to_dict(disputed_order(CUSTOM))
    change(document)
    assert _has(_refusal(document).problems, path, "lone surrogate"), path
    with pytest.raises(InvalidInput) as raised:
        loads(json.dumps(document))  # the same, as the escape "\ud800" in JSON text
    assert _has(raised.value.problems, path, "lone surrogate")


@pytest.mark.parametrize(
    "encoded",
    [b"\xed\xa0\x80", b"\xff", b"\xc3", b"\xc0\xaf", b"\xf4\x90\x80\x80"],
)
def test_loads_refuses_bytes_that_are_not_utf8(encoded: bytes) -> None:
    """Invalid UTF-8 (an encoded surrogate, a stray or overlong byte) is InvalidInput saying so."""
    text = dumps(disputed_order()).encode()
    damaged = text.replace(b'"8123-A"', b'"8123-A' + encoded + b'"')
    assert damaged != text
    with pytest.raises(InvalidInput, match="not UTF-8"):
        loads(damaged)


def test_loads_reads_utf8_bytes_with_or_without_a_byte_order_mark() -> None:
    """UTF-8 bytes load (a leading byte order mark is ignored); UTF-16 bytes are refused."""
    order = disputed_order()
    for data in (dumps(order).encode(), b"\xef\xbb\xbf" + dumps(order).encode()):
        assert to_dict(loads(data)) == to_dict(order)
    with pytest.raises(InvalidInput, match="not UTF-8"):
        loads(dumps(order).encode("utf-16"))


HUGE = 10**5000


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(extension_days=HUGE), "extension_days"),
        (lambda d: d.update(protection_days=-HUGE), "protection_days"),
        (lambda d: d["history"][2].update(id=HUGE), "history[2].id"),
        (lambda d: d["tracking"][0].update(id=2**63), "tracking[0].id"),
        (lambda d: d["history"][2]["details"].update(days=HUGE), "history[2].details.days"),
        (lambda d: d["policy"].update(protection_days=HUGE), "policy.protection_days"),
        (
            lambda d: d["history"][1]["details"]["meta"].update(n=HUGE),
            "history[1].details.meta['n']",
        ),
        (
            lambda d: d["history"][1]["details"]["meta"].update(n=-(2**63) - 1),
            "history[1].details.meta['n']",
        ),
    ],
)
def test_loading_refuses_an_integer_beyond_64_bits_in_a_short_message(
    change: Any, path: str
) -> None:
    """An integer of thousands of digits is InvalidInput at its path, quoted by its size only."""
    document = to_dict(disputed_order(CUSTOM))
    change(document)
    refusal = _refusal(document)
    assert _has(refusal.problems, path, "64 bits"), refusal.problems
    assert len(str(refusal)) < 1000


@pytest.mark.parametrize("version", [HUGE, -HUGE], ids=["huge", "-huge"])
def test_loading_a_schema_version_of_thousands_of_digits_is_invalid_input(version: int) -> None:
    """A schema_version of 5001 digits is refused at schema_version, naming its size."""
    document = to_dict(disputed_order())
    document["schema_version"] = version
    with pytest.raises(InvalidInput, match=r"^schema_version: an int of 5001 digits"):
        from_dict(document)


@pytest.mark.parametrize("digits", [4300, 4301, 5000])
def test_loads_of_a_number_of_thousands_of_digits_is_invalid_input(digits: int) -> None:
    """JSON text with a number longer than Python reads is InvalidInput, not ValueError."""
    text = dumps(disputed_order()).replace(
        '"extension_days": 5', f'"extension_days": {"9" * digits}'
    )
    with pytest.raises(InvalidInput, match=r"digits"):
        loads(text)


def test_loading_deeply_nested_input_is_invalid_input() -> None:
    """JSON text or a dict nested a hundred thousand levels deep is InvalidInput."""
    with pytest.raises(InvalidInput, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    document = to_dict(disputed_order())
    document["order_id"] = deep
    assert _has(_refusal(document).problems, "order_id", "expected a string")


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf"), 5.0])
def test_loading_refuses_floats_where_integers_belong(number: float) -> None:
    """NaN, infinities and whole floats are not integers: refused at their path."""
    document = to_dict(disputed_order())
    document["extension_days"] = number
    assert _has(_refusal(document).problems, "extension_days", "expected an integer")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(order_id="x" * 10**6), "order_id"),
        (lambda d: d["history"][1].update(action="x" * 10**6), "history[1].action"),
        (lambda d: d.update({"x" * 10**6: 1}), "(document)"),
        (lambda d: d["history"][1]["details"].update({"x" * 10**6: 1}), "history[1].details"),
        (lambda d: d["total"].update(amount="9" * 10**6), "total"),
        (
            lambda d: d["policy"].update(processing_time="P" + "9" * 10**6 + "D"),
            "policy.processing_time",
        ),
    ],
)
def test_messages_quote_a_huge_string_in_a_few_characters(change: Any, path: str) -> None:
    """A string of a million characters is quoted cut short, with its length, in the message."""
    document = to_dict(disputed_order(CUSTOM))
    change(document)
    refusal = _refusal(document)
    assert any(p.startswith(path) for p in refusal.problems), refusal.problems
    assert re.search(r"\(100000[0-9] characters\)", str(refusal)), str(refusal)
    assert len(str(refusal)) < 2000


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1e3", "USD"),
        (" 5", "USD"),
        ("5_000", "USD"),
        ("+5", "USD"),
        ("\u0665", "USD"),
        ("-5", "USD"),
        (".5", "USD"),
        ("5.", "USD"),
        ("NaN", "USD"),
        ("5", "usd"),
        ("5", " USD"),
        ("5", "XAU"),
    ],
)
def test_loading_refuses_an_amount_in_a_form_to_dict_never_writes(
    amount: str, currency: str
) -> None:
    """An amount is a plain decimal string and the currency an upper-case ISO 4217 code."""
    document = to_dict(disputed_order())
    document["total"] = {"amount": amount, "currency": currency}
    assert _has(_refusal(document).problems, "total"), (amount, currency)


@pytest.mark.parametrize(
    "text", ["P\u0665D", "P5DT", "P5d", "P1W", "-P5D", "P5.5D", "P9999999999D", "P+5D"]
)
def test_loading_refuses_a_duration_in_a_form_to_dict_never_writes(text: str) -> None:
    """A duration is days, hours, minutes and seconds in ASCII digits, within timedelta's range."""
    document = to_dict(disputed_order(CUSTOM))
    document["policy"]["processing_time"] = text
    assert _has(_refusal(document).problems, "policy.processing_time"), text


@pytest.mark.parametrize("action", ["frobnicate", "", "Ship", "pay "])
def test_loading_refuses_an_action_the_library_does_not_have(action: str) -> None:
    """An entry's action is one of the library's actions, or refused at its path naming them."""
    document = to_dict(disputed_order())
    document["history"][1]["action"] = action
    assert _has(_refusal(document).problems, "history[1].action", "not an action", "ship")


# -- the log alone ----------------------------------------------------------------------


def test_log_to_list_and_back_gives_the_same_log() -> None:
    """log_from_list(log_to_list(log)) is the log again, and replays to the same order."""
    order = disputed_order()
    data = log_to_list(order.log)
    assert json.loads(json.dumps(data)) == data
    entries = log_from_list(data)
    assert entries == order.log
    assert log_from_list(tuple(data)) == order.log
    assert observe(Order.replay(entries)) == observe(order)


@pytest.mark.parametrize(
    "value",
    [None, 5, 1.5, HUGE, {}, {"id": 1}, "[]", b"[]", (entry for entry in [1]), {1, 2}, object()],
    ids=lambda value: type(value).__name__,
)
def test_log_from_list_of_anything_but_a_list_is_invalid_input(value: object) -> None:
    """log_from_list of anything but a list (or tuple) is InvalidInput naming what it got."""
    with pytest.raises(InvalidInput, match=r"^log: expected a list of entries, got "):
        log_from_list(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda log: log.__setitem__(1, None), "log[1]"),
        (lambda log: log[1].update(at="2026-03-02T09:30:00Z"), "log[1].at"),
        (lambda log: log[1].pop("details"), "log[1].details"),
        (lambda log: log[2]["details"]["event"].pop("location"), "log[2].details.event.location"),
        (lambda log: log[2]["details"].update(event=""), "log[2].details.event"),
        (
            lambda log: log[0]["details"]["policy"].update(processing_time=""),
            "log[0].details.policy.processing_time",
        ),
        (lambda log: log[3].update(id=HUGE), "log[3].id"),
    ],
)
def test_log_from_list_reports_each_bad_entry_with_its_path(change: Any, path: str) -> None:
    """A bad entry is InvalidInput whose problems name the entry's place and field."""
    data = log_to_list(disputed_order(CUSTOM).log)
    change(data)
    with pytest.raises(InvalidInput) as raised:
        log_from_list(data)
    assert _has(raised.value.problems, path), raised.value.problems


# -- never a raw error: random damage to a valid document -------------------------------

ODD_STRINGS = (
    "",
    "P5D",
    "PT0S",
    "P",
    "PT",
    "P1.5D",
    "P999999999D",
    "P99999999999D",
    "PT99999999999999999999S",
    "1e30",
    "1e999999",
    "-1",
    "0.001",
    "NaN",
    "USD",
    "usd",
    "XXX",
    "2026-03-01",
    "2026-03-01T00:00:00",
    "2026-03-01T00:00:00Z",
    "2026-03-01T00:00:00-14:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59.999999+00:00",
    "9999-12-31T23:59:59-01:00",
    *(m.value for m in OrderState),
    *(m.value for m in DisputeState),
    *(m.value for m in Actor),
    *(m.value for m in Reason),
    *(m.value for m in Resolution),
    *(m.value for m in TrackingStatus),
    "pay",
    "add_tracking",
    "$money",
)


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, leaning to the strings and numbers an order document holds."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.integers(-3, 200),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
        st.sampled_from(ODD_STRINGS),
        st.datetimes(timezones=st.just(UTC) | st.just(timezone(timedelta(hours=-5)))).map(
            datetime.isoformat
        ),
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["amount", "currency", "$money", "id", "x"]), inner)
        ),
        max_leaves=6,
    )


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every node of a JSON document, containers included (the root excluded)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nodes(item, (*path, i))


@st.composite
def damaged(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """*document* with one to three nodes replaced, removed, or given an extra key."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_nodes(document))))
        *head, last = path
        parent: Any = document
        for key in head:
            parent = parent[key]
        how = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if how == "replace":
            parent[last] = draw(json_values())
        elif how == "remove":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["x", "id", "at", "amount"]))] = draw(json_values())
        else:
            parent[last] = [parent[last]]
    return document


DOCUMENTS = (to_dict(disputed_order()), to_dict(closed_order()))


def _load(document: dict[str, Any]) -> Order | InvalidInput:
    """The order *document* loads to, or the InvalidInput it raises (any other error escapes)."""
    try:
        return loads(json.dumps(document))
    except InvalidInput as refusal:
        return refusal


def _check_loaded_or_refused(result: Order | InvalidInput) -> None:
    if isinstance(result, InvalidInput):
        assert result.problems
        assert all(isinstance(p, str) and p for p in result.problems)
    else:
        assert observe(loads(dumps(result))) == observe(result)


@given(st.sampled_from(DOCUMENTS).flatmap(damaged))
def test_a_damaged_document_loads_or_is_invalid_input(document: dict[str, Any]) -> None:
    """A randomly damaged document loads to an order that round-trips, or is InvalidInput."""
    _check_loaded_or_refused(_load(document))


@given(lifecycles(max_moves=12).flatmap(lambda life: damaged(to_dict(life.build()))))
def test_a_damaged_random_order_loads_or_is_invalid_input(document: dict[str, Any]) -> None:
    """A random order's document, randomly damaged, loads or is InvalidInput, never a raw error."""
    _check_loaded_or_refused(_load(document))


def test_texts_longer_than_an_order_may_hold_are_refused_with_their_path() -> None:
    """Tracking texts and meta keys and texts past the actions' limits are refused at their path."""
    order = disputed_order()
    order.add_tracking(TrackingEvent(order.last_event_at, "in_transit"))
    document = to_dict(order)
    document["tracking"][0]["description"] = "x" * 10_001
    document["history"][1]["details"]["meta"] = {"k" * 201: 1, "a": "y" * 10_001}
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    problems = refused.value.problems
    assert "tracking[0]: description: 10001 characters is too long; at most 10000" in problems
    assert "history[1].details.meta['a']: 10001 characters is too long; at most 10000" in problems
    assert any(p.endswith("201 characters is too long; at most 200") for p in problems)


@pytest.mark.parametrize("offset", ["+24:00", "-24:00", "+99:00"])
def test_an_offset_of_a_day_or_more_is_refused_in_our_words(offset: str) -> None:
    """An instant whose offset is 24 hours or more is refused with the library's message."""
    document = to_dict(disputed_order())
    document["paid_at"] = "2026-03-02T00:00:00" + offset
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert refused.value.problems == (
        f"paid_at: '2026-03-02T00:00:00{offset}' has a UTC offset out of range; an offset is "
        "less than 24 hours either way, e.g. +08:00",
    )


@pytest.mark.parametrize("log", [None, 5, "log", {"a": 1}])
def test_log_to_list_of_what_is_not_a_log_is_invalid_input(log: object) -> None:
    """log_to_list of anything but an iterable of entries is InvalidInput."""
    with pytest.raises(InvalidInput, match="log: expected an iterable of HistoryEntry"):
        log_to_list(log)  # type: ignore[arg-type]


# -- documents of earlier versions ---------------------------------------------------------

SAVED = sorted((Path(__file__).parent / "fixtures" / "documents").glob("v1_*.json"))


def test_there_are_saved_version_1_documents() -> None:
    """The saved documents written by version 0.1 (schema 1) are there to be read."""
    assert len(SAVED) >= 3
    for path in SAVED:
        assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_a_version_1_document_loads_with_no_return_and_the_default_windows(path: Path) -> None:
    """A schema-1 document loads: no remedy but refund, agreements from outcomes, default
    return windows; saved again it is a document of today's schema of the same order."""
    order = loads(path.read_text(encoding="utf-8"))
    assert order.policy.return_shipping_window == ALIEXPRESS.return_shipping_window
    assert order.policy.return_confirm_window == ALIEXPRESS.return_confirm_window
    for dispute in order.disputes:
        assert dispute.remedy is Remedy.REFUND
        assert dispute.return_postage_by is None
        assert dispute.return_tracking is None
        assert dispute.counter_remedy is (None if dispute.counter_offer is None else Remedy.REFUND)
        outcome = dispute.outcome
        if outcome is None:
            assert dispute.agreement is None
        else:
            assert dispute.agreement == Agreement(
                outcome.refund, Remedy.REFUND, outcome.reached_by, outcome.at
            )
    again = to_dict(order)
    assert again["schema_version"] == SCHEMA_VERSION
    assert again["assumed"] == []
    assert to_dict(from_dict(again)) == again
    old = json.loads(path.read_text(encoding="utf-8"))
    assert [e["details"] for e in again["history"][1:]] == [
        e["details"] for e in old["history"][1:]
    ]
    assert all(e["event_id"] is None for e in again["history"])


def test_a_version_1_document_still_gets_its_problems_named() -> None:
    """A broken schema-1 document is refused with the paths of its own problems."""
    document = json.loads(SAVED[0].read_text(encoding="utf-8"))
    document["disputes"][0]["counter_offer"] = 5
    document["policy"]["processing_time"] = "seven days"
    problems = _problems(document)
    assert _has(problems, "disputes[0].counter_offer")
    assert _has(problems, "policy.processing_time")


@pytest.mark.parametrize(
    "key",
    [
        "remedy",
        "return_postage_by",
        "counter_remedy",
        "agreement",
        "return_tracking",
        "return_carrier",
        "return_shipped_at",
    ],
)
def test_a_version_2_document_must_have_every_return_field(key: str) -> None:
    """A schema-2 dispute without one of the fields version 2 added is refused at its path."""
    document = to_dict(disputed_order())
    del document["disputes"][0][key]
    assert _has(_problems(document), f"disputes[0].{key}"), key


SAVED_2 = sorted((Path(__file__).parent / "fixtures" / "documents").glob("v2_*.json"))


@pytest.mark.parametrize("path", SAVED_2, ids=lambda p: p.stem)
def test_a_version_2_document_loads_with_no_event_ids(path: Path) -> None:
    """A schema-2 document (returns, no event ids) loads; saved again it is of today's
    schema with every entry's event_id null, nothing assumed, and the same order."""
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["schema_version"] == 2
    order = loads(text)
    assert all(e.event_id is None for e in order.log)
    again = to_dict(order)
    assert again["schema_version"] == SCHEMA_VERSION
    assert again["assumed"] == []
    old = json.loads(text)
    for key in ("state", "refunded", "disputes"):
        if key == "disputes":
            for mine, theirs in zip(again[key], old[key], strict=True):
                assert {k: v for k, v in mine.items() if k != "history"} == {
                    **{k: v for k, v in theirs.items() if k != "history"},
                    "escalated_at": None,  # neither was escalated
                    "appealed_at": None,
                }
                assert [dict(e, event_id=None) for e in theirs["history"]] == mine["history"]
        else:
            assert again[key] == old[key]
    assert [o["event_id"] for o in again["tracking"]] == [None] * len(old["tracking"])
    assert to_dict(from_dict(again)) == again


def test_a_log_written_before_event_ids_still_loads() -> None:
    """log_from_list reads entries without an event_id key (version 0.1's format) as None."""
    order = disputed_order()
    old = [{k: v for k, v in e.items() if k != "event_id"} for e in log_to_list(order.log)]
    log = log_from_list(old)
    assert all(e.event_id is None for e in log)
    assert Order.replay(log).log == order.log


def test_event_ids_are_kept_in_the_document_and_the_log() -> None:
    """Event ids given to actions and to add_tracking survive dumps/loads and the log list."""
    order = Order("ev-1", Money("10", "USD"), PAID)
    order.ship(PAID + DAY, event_id="wh-ship-1")
    order.add_tracking(
        TrackingEvent(PAID + 2 * DAY, TrackingStatus.IN_TRANSIT), event_id="wh-scan-1"
    )
    order.open_dispute(
        PAID + 3 * DAY,
        reason=Reason.DAMAGED,
        refund=Money("5", "USD"),
        evidence=["a.jpg"],
        event_id="wh-open-1",
    )
    document = to_dict(order)
    assert [e["event_id"] for e in document["history"]] == [None, "wh-ship-1", "wh-open-1"]
    assert [o["event_id"] for o in document["tracking"]] == ["wh-scan-1"]
    loaded = loads(dumps(order))
    assert loaded.log == order.log
    assert log_from_list(log_to_list(order.log)) == order.log


@pytest.mark.parametrize("value", ["", 5, "x" * 201, "\ud800"])
def test_a_document_with_a_bad_event_id_is_refused_at_its_path(value: object) -> None:
    """An event id that no action accepts is refused where it stands in the document."""
    order = Order("ev-2", Money("10", "USD"), PAID)
    order.ship(PAID + DAY, event_id="wh-ship-1")
    document = to_dict(order)
    document["history"][1]["event_id"] = value
    assert _has(_problems(document), "history[1].event_id"), value
