"""Tests for event ids: an action repeated with its event id is recorded once (issue 9, part 1).

Every action of `Order` and `Dispute` takes the caller's ``event_id``. Repeating a
call with an event id already in the order's log, with the same action, target,
instant and arguments (as recorded, ``meta`` aside), records nothing and answers
as the first call did; anything else under that id is `InvalidInput`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    PAYPAL,
    Actor,
    Dispute,
    HistoryEntry,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Reason,
    Remedy,
    TrackingEvent,
    TrackingStatus,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection._text import shown
from buyer_protection.lifecycle import LIFECYCLES
from buyer_protection.storage import log_to_list
from strategies import (
    EPOCH,
    LOS_ANGELES,
    PRESETS,
    SHANGHAI,
    Step,
    any_policies,
    assert_refused,
    instants,
    money,
    new_order,
    played_orders,
    run,
    snapshot,
    steps,
    varied_presets,
    zones,
)

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
USD = "USD"
SHIP = EPOCH + DAY
OPENED = SHIP + 3 * DAY
AGREED = OPENED + DAY
RETURN = Remedy.RETURN_AND_REFUND
REQUEST = Money("50", USD)
TRACKING = "LP00123456789CN"
EVENT = "wh-1"
MAX_DAYS = 3650  # buyer_protection._time.MAX_DAYS: the most days an input may give

Meta = Mapping[str, object] | None
Call = Callable[[Order, datetime, Any, Meta, bool], object]
"""One action as a test makes it: (order, at, event_id, meta, alt) -> what it returns.

*alt* writes the same arguments differently (another spelling, a default given)."""
Act = Callable[[Order, datetime, Any], object]
"""Another call: (order, at, event_id) -> what it returns."""


def the(order: Order) -> Dispute:
    """The order's open (or last) dispute."""
    assert order.dispute is not None
    return order.dispute


def state(order: Order) -> tuple[Any, ...]:
    """Everything observable about *order*: its snapshot, its whole log and its tracking."""
    return snapshot(order), order.log, order.tracking


# -- orders just before each action ------------------------------------------------------


def shipped() -> Order:
    """An order for 100 USD paid at EPOCH, shipped at SHIP."""
    order = new_order()
    order.ship(SHIP)
    return order


def extension_asked() -> Order:
    """The shipped order whose buyer asked 10 more days a day after shipment."""
    order = shipped()
    order.request_extension(SHIP + DAY, 10)
    return order


def opened(remedy: Remedy = Remedy.REFUND) -> Order:
    """The shipped order with a damaged-item dispute opened at OPENED asking 50 USD."""
    order = shipped()
    order.open_dispute(
        OPENED, reason=Reason.DAMAGED, refund=REQUEST, remedy=remedy, evidence=("photo.jpg",)
    )
    return order


def countered(remedy: Remedy = Remedy.REFUND) -> Order:
    """The opened dispute, which the seller counters at AGREED with 5 USD (and *remedy*)."""
    order = opened()
    the(order).seller_reject(AGREED, counter_offer=Money("5", USD), remedy=remedy)
    return order


def escalated() -> Order:
    """The countered dispute, escalated by the buyer a day later."""
    order = countered()
    the(order).escalate(AGREED + DAY)
    return order


def awaiting_return() -> Order:
    """A return of 50 USD asked at OPENED and accepted by the seller at AGREED."""
    order = opened(RETURN)
    the(order).seller_accept(AGREED)
    return order


def in_transit() -> Order:
    """The return of `awaiting_return`, shipped back two days after the agreement."""
    order = awaiting_return()
    the(order).ship_return(AGREED + 2 * DAY, tracking_number=TRACKING)
    return order


def decided() -> Order:
    """An order under PayPal's rules, shipped at SHIP, whose buyer opened a dispute of 50
    USD at OPENED and escalated it to a claim at once, which the platform decided at
    AGREED with a refund of 5 USD: both sides lost part of it, both may appeal."""
    order = new_order(PAYPAL)
    order.ship(SHIP)
    order.open_dispute(OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("photo.jpg",))
    the(order).escalate(OPENED)
    the(order).platform_decide(AGREED, refund=Money("5", USD))
    return order


# -- each action, its arguments written two ways, a change of them, and what may follow ---


@attrs.frozen
class Case:
    """One action: the order it is taken on (*build*), its instant, the call, the calls
    that change one of its arguments, and a later action the lifecycle allows after it
    (None when the order is over)."""

    action: str
    build: Callable[[], Order]
    at: datetime
    call: Call
    changed: tuple[Act, ...] = ()
    later: Act | None = None
    takes_meta: bool = True

    def built(self, event_id: str = EVENT, meta: Meta = None) -> Order:
        """The order after this action, taken once with *event_id*."""
        order = self.build()
        self.call(order, self.at, event_id, meta, False)
        return order

    def __str__(self) -> str:
        return self.action


def _ship(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    given: dict[str, Any] = {}
    if alt:  # the defaults, given
        given = {"protection_days": ALIEXPRESS.protection_days, "by_platform": False}
    return order.ship(at, meta=meta, event_id=event_id, **given)


def _track(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    status: TrackingStatus | str = "in_transit" if alt else TrackingStatus.IN_TRANSIT
    return order.add_tracking(TrackingEvent(at, status, "left Shenzhen"), event_id=event_id)


def _confirm(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return order.confirm_receipt(at, meta=meta, event_id=event_id)


def _request(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return order.request_extension(at, 10, meta=meta, event_id=event_id)


def _grant(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return order.grant_extension(at, 10, meta=meta, event_id=event_id)


def _contact(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return order.contact_seller(at, meta=meta, event_id=event_id)


def _open(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    if alt:
        return order.open_dispute(
            at,
            reason="damaged",
            refund=Money("5.00", USD),
            remedy="refund",
            evidence=["photo.jpg"],
            description="",
            meta=meta,
            event_id=event_id,
        )
    return order.open_dispute(
        at,
        reason=Reason.DAMAGED,
        refund=Money("5", USD),
        evidence=("photo.jpg",),
        meta=meta,
        event_id=event_id,
    )


def _seller_accept(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return the(order).seller_accept(at, meta=meta, event_id=event_id)


def _seller_reject(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    offer = Money("5.00", USD) if alt else Money("5", USD)
    given: dict[str, Any] = {"remedy": "refund"} if alt else {}
    return the(order).seller_reject(at, counter_offer=offer, meta=meta, event_id=event_id, **given)


def _buyer_accept(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return the(order).buyer_accept(at, meta=meta, event_id=event_id)


def _buyer_modify(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    refund = Money("5.00", USD) if alt else Money("5", USD)
    given: dict[str, Any] = {"remedy": Remedy.REFUND} if alt else {}
    return the(order).buyer_modify(at, refund=refund, meta=meta, event_id=event_id, **given)


def _escalate(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return the(order).escalate(at, meta=meta, event_id=event_id)


def _cancel(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return the(order).cancel(at, meta=meta, event_id=event_id)


def _decide(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    if alt:
        return the(order).platform_decide(
            at,
            refund=Money("5.00", USD),
            remedy="return_and_refund",
            return_postage_by="seller",
            meta=meta,
            event_id=event_id,
        )
    return the(order).platform_decide(
        at, refund=Money("5", USD), remedy=RETURN, meta=meta, event_id=event_id
    )


def _ship_return(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    given = {"carrier": ""} if alt else {}
    return the(order).ship_return(
        at, tracking_number=TRACKING, meta=meta, event_id=event_id, **given
    )


def _confirm_return(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    return the(order).confirm_return(at, meta=meta, event_id=event_id)


class Note(str):
    """A str subclass: the entry keeps its text."""

    __slots__ = ()


def _refuse_return(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    note = "The box came back empty."
    return the(order).refuse_return(
        at, note=Note(note) if alt else note, meta=meta, event_id=event_id
    )


def _appeal(order: Order, at: datetime, event_id: Any, meta: Meta, alt: bool) -> object:
    by: Actor | str = "buyer" if alt else Actor.BUYER
    return the(order).appeal(at, by=by, meta=meta, event_id=event_id)


def _scan(at: datetime, status: str = "in_transit", where: str = "") -> TrackingEvent:
    return TrackingEvent(at, status, "left Shenzhen", where)


CASES = (
    Case(
        "ship",
        new_order,
        SHIP,
        _ship,
        changed=(
            lambda o, at, e: o.ship(at, protection_days=30, event_id=e),
            lambda o, at, e: o.ship(at, by_platform=True, event_id=e),
            lambda o, at, e: o.ship(at, promised_days=20, event_id=e),
        ),
        later=lambda o, at, e: o.request_extension(at, 5, event_id=e),
    ),
    Case(
        "add_tracking",
        shipped,
        SHIP + DAY,
        _track,
        changed=(
            lambda o, at, e: o.add_tracking(_scan(at, "delivered"), event_id=e),
            lambda o, at, e: o.add_tracking(_scan(at, where="Lyon"), event_id=e),
        ),
        later=lambda o, at, e: o.request_extension(at, 5, event_id=e),
        takes_meta=False,
    ),
    Case(
        "confirm_receipt",
        shipped,
        SHIP + 5 * DAY,
        _confirm,
        later=lambda o, at, e: o.open_dispute(
            at, reason=Reason.DAMAGED, refund=Money("5", USD), evidence=("a.jpg",), event_id=e
        ),
    ),
    Case(
        "request_extension",
        shipped,
        SHIP + DAY,
        _request,
        changed=(lambda o, at, e: o.request_extension(at, 11, event_id=e),),
        later=lambda o, at, e: o.grant_extension(at, 10, event_id=e),
    ),
    Case(
        "grant_extension",
        extension_asked,
        SHIP + 2 * DAY,
        _grant,
        changed=(lambda o, at, e: o.grant_extension(at, 9, event_id=e),),
        later=lambda o, at, e: o.request_extension(at, 5, event_id=e),
    ),
    Case(
        "contact_seller",
        shipped,
        SHIP + DAY,
        _contact,
        later=lambda o, at, e: o.request_extension(at, 5, event_id=e),
    ),
    Case(
        "open_dispute",
        shipped,
        OPENED,
        _open,
        changed=(
            lambda o, at, e: o.open_dispute(
                at,
                reason=Reason.DAMAGED,
                refund=Money("6", USD),
                evidence=("photo.jpg",),
                event_id=e,
            ),
            lambda o, at, e: o.open_dispute(
                at,
                reason=Reason.QUALITY,
                refund=Money("5", USD),
                evidence=("photo.jpg",),
                event_id=e,
            ),
            lambda o, at, e: o.open_dispute(
                at,
                reason=Reason.DAMAGED,
                refund=Money("5", USD),
                remedy=RETURN,
                evidence=("photo.jpg",),
                event_id=e,
            ),
            lambda o, at, e: o.open_dispute(
                at, reason=Reason.DAMAGED, refund=Money("5", USD), evidence=("b.jpg",), event_id=e
            ),
            lambda o, at, e: o.open_dispute(
                at,
                reason=Reason.DAMAGED,
                refund=Money("5", USD),
                evidence=("photo.jpg",),
                description="cracked",
                event_id=e,
            ),
        ),
        later=lambda o, at, e: the(o).seller_reject(at, counter_offer=Money("2", USD), event_id=e),
    ),
    Case(
        "seller_accept",
        lambda: opened(RETURN),
        AGREED,
        _seller_accept,
        later=lambda o, at, e: the(o).ship_return(at, tracking_number=TRACKING, event_id=e),
    ),
    Case(
        "seller_reject",
        opened,
        AGREED,
        _seller_reject,
        changed=(
            lambda o, at, e: the(o).seller_reject(at, counter_offer=Money("4", USD), event_id=e),
            lambda o, at, e: the(o).seller_reject(
                at, counter_offer=Money("5", USD), remedy=RETURN, event_id=e
            ),
        ),
        later=lambda o, at, e: the(o).buyer_accept(at, event_id=e),
    ),
    Case(
        "buyer_accept",
        lambda: countered(RETURN),
        AGREED + DAY,
        _buyer_accept,
        later=lambda o, at, e: the(o).ship_return(at, tracking_number=TRACKING, event_id=e),
    ),
    Case(
        "buyer_modify",
        countered,
        AGREED + DAY,
        _buyer_modify,
        changed=(
            lambda o, at, e: the(o).buyer_modify(at, refund=Money("6", USD), event_id=e),
            lambda o, at, e: the(o).buyer_modify(
                at, refund=Money("5", USD), remedy=RETURN, event_id=e
            ),
        ),
        later=lambda o, at, e: the(o).seller_accept(at, event_id=e),
    ),
    Case(
        "escalate",
        countered,
        AGREED + DAY,
        _escalate,
        later=lambda o, at, e: the(o).platform_decide(at, refund=Money("1", USD), event_id=e),
    ),
    Case(
        "cancel",
        opened,
        AGREED,
        _cancel,
        later=lambda o, at, e: o.confirm_receipt(at, event_id=e),
    ),
    Case(
        "platform_decide",
        escalated,
        AGREED + 2 * DAY,
        _decide,
        changed=(
            lambda o, at, e: the(o).platform_decide(
                at, refund=Money("6", USD), remedy=RETURN, event_id=e
            ),
            lambda o, at, e: the(o).platform_decide(at, refund=Money("5", USD), event_id=e),
            lambda o, at, e: the(o).platform_decide(
                at,
                refund=Money("5", USD),
                remedy=RETURN,
                return_postage_by=Actor.BUYER,
                event_id=e,
            ),
        ),
        later=lambda o, at, e: the(o).ship_return(at, tracking_number=TRACKING, event_id=e),
    ),
    Case(
        "appeal",
        decided,
        AGREED + DAY,
        _appeal,
        changed=(lambda o, at, e: the(o).appeal(at, by=Actor.SELLER, event_id=e),),
        later=lambda o, at, e: the(o).platform_decide(at, refund=Money("1", USD), event_id=e),
    ),
    Case(
        "ship_return",
        awaiting_return,
        AGREED + 2 * DAY,
        _ship_return,
        changed=(
            lambda o, at, e: the(o).ship_return(at, tracking_number="RR123456785CN", event_id=e),
            lambda o, at, e: the(o).ship_return(
                at, tracking_number=TRACKING, carrier="Cainiao", event_id=e
            ),
        ),
        later=lambda o, at, e: the(o).refuse_return(at, note="nothing arrived", event_id=e),
    ),
    # The confirmed return ends the dispute and closes the order: nothing can follow.
    Case("confirm_return", in_transit, AGREED + 3 * DAY, _confirm_return),
    Case(
        "refuse_return",
        in_transit,
        AGREED + 3 * DAY,
        _refuse_return,
        changed=(lambda o, at, e: the(o).refuse_return(at, note="nothing arrived", event_id=e),),
        later=lambda o, at, e: the(o).platform_decide(at, refund=Money("0", USD), event_id=e),
    ),
)

ACTIONS = (
    "ship",
    "add_tracking",
    "confirm_receipt",
    "request_extension",
    "grant_extension",
    "contact_seller",
    "open_dispute",
    "seller_accept",
    "seller_reject",
    "buyer_accept",
    "buyer_modify",
    "escalate",
    "cancel",
    "platform_decide",
    "appeal",
    "ship_return",
    "confirm_return",
    "refuse_return",
)

all_cases = pytest.mark.parametrize("case", CASES, ids=str)
with_later = pytest.mark.parametrize("case", [c for c in CASES if c.later], ids=str)
with_meta = pytest.mark.parametrize("case", [c for c in CASES if c.takes_meta], ids=str)
CHANGES = [
    pytest.param(case, change, id=f"{case.action}-{i}")
    for case in CASES
    for i, change in enumerate(case.changed)
]


def test_the_cases_cover_every_action_of_an_order_and_a_dispute() -> None:
    """The table of cases covers every action that takes an event id, each once: every
    person's action of the lifecycle tables, and a carrier's scan."""
    assert tuple(c.action for c in CASES) == ACTIONS
    persons = {t.trigger for lc in LIFECYCLES for t in lc.table if t.actor is not Actor.SYSTEM}
    assert set(ACTIONS) == persons | {"add_tracking"}
    for case in CASES:
        order = case.built()
        (entry,) = [e for e in order.log if e.event_id == EVENT]
        assert entry.action == case.action


def _first_answer(case: Case, answer: object, order: Order) -> None:
    """*answer* is what *case*'s action returns the first time."""
    if case.action == "open_dispute":
        assert answer is the(order)
    elif case.action == "add_tracking":
        assert answer is True
    else:
        assert answer is None


def _repeat_answer(case: Case, answer: object, first: object) -> None:
    """*answer* is what *case*'s action returns when repeated, after *first*."""
    if case.action == "open_dispute":
        assert isinstance(answer, Dispute)
        assert answer is first
    elif case.action == "add_tracking":
        assert answer is False
    else:
        assert answer is None


# -- 1. a repeat is recorded once and answers as the first call -------------------------


@all_cases
def test_a_repeated_event_is_recorded_once_and_answers_as_the_first(case: Case) -> None:
    """The same call with the same event id records nothing and returns the first answer."""
    order = case.build()
    first = case.call(order, case.at, EVENT, None, False)
    _first_answer(case, first, order)
    before = state(order)
    again = case.call(order, case.at, EVENT, None, False)
    _repeat_answer(case, again, first)
    assert state(order) == before
    assert [e.action for e in order.log if e.event_id == EVENT] == [case.action]


@all_cases
def test_a_repeat_written_in_another_zone_is_recognised(case: Case) -> None:
    """The same instant written in another zone is the same event: recorded once."""
    order = case.build()
    first = case.call(order, case.at.astimezone(SHANGHAI), EVENT, None, False)
    before = state(order)
    again = case.call(order, case.at.astimezone(LOS_ANGELES), EVENT, None, False)
    _repeat_answer(case, again, first)
    assert state(order) == before


@all_cases
@pytest.mark.parametrize("first_alt", [False, True], ids=["plain-first", "alt-first"])
def test_a_repeat_with_arguments_written_differently_is_recognised(
    case: Case, first_alt: bool
) -> None:
    """Arguments the entry records alike ("5" and "5.00", a default given) are the same."""
    order = case.build()
    first = case.call(order, case.at, EVENT, None, first_alt)
    before = state(order)
    again = case.call(order, case.at, EVENT, None, not first_alt)
    _repeat_answer(case, again, first)
    assert state(order) == before


def test_amounts_written_differently_are_equal_money() -> None:
    """Money("5") and Money("5.00") are equal: the premise of the cases' other spelling."""
    assert Money("5", USD) == Money("5.00", USD) == Money(Decimal("5.000"), USD)


@with_meta
def test_a_repeat_with_other_meta_is_recognised_and_the_first_meta_kept(case: Case) -> None:
    """meta is the caller's data, not compared: a repeat with other meta records nothing."""
    order = case.build()
    first = case.call(order, case.at, EVENT, {"delivery": "first", "n": 1}, False)
    before = state(order)
    for meta in ({"delivery": "second"}, None, {}):
        again = case.call(order, case.at, EVENT, meta, False)
        _repeat_answer(case, again, first)
        assert state(order) == before
    (entry,) = [e for e in order.log if e.event_id == EVENT]
    assert entry.details["meta"] == {"delivery": "first", "n": 1}


def test_a_repeat_with_meta_when_the_first_had_none_is_recognised() -> None:
    """A first call without meta and a repeat with some are the same event."""
    order = shipped()
    order.request_extension(SHIP + DAY, 10, event_id=EVENT)
    before = state(order)
    order.request_extension(SHIP + DAY, 10, meta={"retry": 3}, event_id=EVENT)
    assert state(order) == before
    assert "meta" not in order.log[-1].details


@with_later
def test_a_repeat_dated_before_the_last_event_is_recognised(case: Case) -> None:
    """A redelivery after later events is a repeat, not refused as out of time order."""
    order = case.build()
    first = case.call(order, case.at, EVENT, None, False)
    assert case.later is not None
    case.later(order, case.at + DAY, "wh-later")
    assert order.last_event_at > case.at
    before = state(order)
    again = case.call(order, case.at, EVENT, None, False)
    _repeat_answer(case, again, first)
    assert state(order) == before
    if case.action != "add_tracking":  # scans may come in any order; actions may not
        with pytest.raises(InvalidInput, match=r"^at: .* before the last recorded event"):
            case.call(order, case.at, "wh-new", None, False)


def test_a_repeated_shipment_is_recognised_after_the_order_completed() -> None:
    """Redelivered after automatic steps (completion, closing), a shipment is still a repeat."""
    order = new_order()
    order.ship(SHIP, event_id=EVENT)
    order.advance(SHIP + 400 * DAY)
    assert order.state.value == "closed"
    before = state(order)
    assert order.ship(SHIP, event_id=EVENT) is None
    assert state(order) == before


def test_a_repeated_opening_returns_its_dispute_after_another_was_opened() -> None:
    """open_dispute repeated after a cancel and a new dispute returns the first dispute."""
    order = shipped()
    first = order.open_dispute(
        OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
    )
    first.cancel(AGREED, event_id="cancel-1")
    second = order.open_dispute(
        AGREED + DAY, reason=Reason.QUALITY, refund=REQUEST, evidence=("b.jpg",), event_id="open-2"
    )
    before = state(order)
    again = order.open_dispute(
        OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
    )
    assert again is first
    assert again is not second
    assert first.cancel(AGREED, event_id="cancel-1") is None
    assert state(order) == before
    assert order.dispute is second


# -- 2. anything else under a used event id is refused ----------------------------------


def _names(error: Exception, event_id: str, action: str) -> None:
    """*error* names the event id and the action it was first used for."""
    message = str(error)
    assert message.startswith("event_id: "), message
    assert shown(event_id) in message, message
    assert f"used by {action} " in message, message


@all_cases
@pytest.mark.parametrize("offset", [US, -US, DAY], ids=["1us-later", "1us-earlier", "a-day-later"])
def test_the_same_event_id_at_another_instant_is_refused(case: Case, offset: timedelta) -> None:
    """The same action and arguments at another instant under a used event id: refused."""
    error = assert_refused(
        case.built, lambda o: case.call(o, case.at + offset, EVENT, None, False), InvalidInput
    )
    _names(error, EVENT, case.action)


@all_cases
def test_the_same_event_id_for_another_action_is_refused(case: Case) -> None:
    """Another action under a used event id: refused before any other check."""

    def other(order: Order) -> object:
        if case.action == "confirm_receipt":
            return order.request_extension(case.at, 5, event_id=EVENT)
        return order.confirm_receipt(case.at, event_id=EVENT)

    error = assert_refused(case.built, other, InvalidInput)
    _names(error, EVENT, case.action)


@with_later
def test_the_same_event_id_for_the_next_action_is_refused(case: Case) -> None:
    """An action the order allows next, given a used event id: refused, nothing changed."""
    later = case.later
    assert later is not None
    error = assert_refused(case.built, lambda o: later(o, case.at + DAY, EVENT), InvalidInput)
    _names(error, EVENT, case.action)
    order = case.built()  # the same call with a new event id is allowed: the id refused it
    later(order, case.at + DAY, "wh-new")


@pytest.mark.parametrize(("case", "change"), CHANGES)
def test_the_same_event_id_with_another_argument_is_refused(case: Case, change: Act) -> None:
    """The same action at the same instant with one argument changed: refused."""
    error = assert_refused(case.built, lambda o: change(o, case.at, EVENT), InvalidInput)
    _names(error, EVENT, case.action)


def test_an_event_id_used_on_one_dispute_is_refused_on_another() -> None:
    """Event ids are unique across an order's disputes: the first one's are refused on the
    second, even for the same action at the same instant with the same arguments."""
    counter = Money("10", USD)

    def two_disputes() -> Order:
        order = shipped()
        first = order.open_dispute(
            OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
        )
        first.seller_reject(AGREED, counter_offer=counter, event_id="reject-1")
        first.cancel(AGREED, event_id="cancel-1")
        order.open_dispute(
            AGREED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-2"
        )
        return order

    order = two_disputes()
    assert len(order.disputes) == 2
    error = assert_refused(
        two_disputes,
        lambda o: the(o).seller_reject(AGREED, counter_offer=counter, event_id="reject-1"),
        InvalidInput,
    )
    _names(error, "reject-1", "seller_reject")
    error = assert_refused(
        two_disputes, lambda o: the(o).cancel(AGREED, event_id="cancel-1"), InvalidInput
    )
    _names(error, "cancel-1", "cancel")
    error = assert_refused(
        two_disputes,
        lambda o: o.open_dispute(
            AGREED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
        ),
        InvalidInput,
    )
    _names(error, "open-1", "open_dispute")
    # On the first dispute, the same calls are repeats.
    first = order.disputes[0]
    before = state(order)
    assert first.seller_reject(AGREED, counter_offer=counter, event_id="reject-1") is None
    assert first.cancel(AGREED, event_id="cancel-1") is None
    assert state(order) == before


def test_an_action_under_a_tracking_event_id_is_refused() -> None:
    """An event id first given to a scan is refused for an action, naming add_tracking."""

    def tracked() -> Order:
        order = shipped()
        order.add_tracking(_scan(SHIP + DAY), event_id=EVENT)
        return order

    error = assert_refused(
        tracked, lambda o: o.request_extension(SHIP + DAY, 5, event_id=EVENT), InvalidInput
    )
    _names(error, EVENT, "add_tracking")


BAD_EVENT_IDS = ["", 5, "x" * 201, "\ud800", b"wh-1", 1.5, ("wh-1",)]


@all_cases
@pytest.mark.parametrize("bad", BAD_EVENT_IDS, ids=shown)
def test_a_bad_event_id_is_refused_and_changes_nothing(case: Case, bad: object) -> None:
    """An event id that is not a non-empty storable str of at most 200 characters: refused."""
    error = assert_refused(
        case.build, lambda o: case.call(o, case.at, bad, None, False), InvalidInput
    )
    assert str(error).startswith("event_id: "), str(error)


@all_cases
@pytest.mark.parametrize("bad", BAD_EVENT_IDS, ids=shown)
def test_a_bad_event_id_is_refused_on_a_repeat_too(case: Case, bad: object) -> None:
    """A bad event id on a call that would otherwise repeat the first is still refused."""
    error = assert_refused(
        case.built, lambda o: case.call(o, case.at, bad, None, False), InvalidInput
    )
    assert str(error).startswith("event_id: "), str(error)


def test_an_event_id_of_200_characters_is_kept_and_a_str_subclass_as_its_text() -> None:
    """The longest event id is accepted; a str subclass is kept as a plain str."""
    order = shipped()
    longest = "e" * 200
    order.request_extension(SHIP + DAY, 10, event_id=longest)
    order.grant_extension(SHIP + 2 * DAY, 10, event_id=Note("wh-2"))
    assert [e.event_id for e in order.log[-2:]] == [longest, "wh-2"]
    assert type(order.log[-1].event_id) is str
    before = state(order)
    order.grant_extension(SHIP + 2 * DAY, 10, event_id="wh-2")
    assert state(order) == before


def test_no_event_id_records_every_call() -> None:
    """Without an event id nothing is de-duplicated: each call is a new event (or refused)."""
    order = shipped()
    order.request_extension(SHIP + DAY, 10)
    order.request_extension(SHIP + DAY, 10)
    assert [e.action for e in order.log].count("request_extension") == 2
    assert all(e.event_id is None for e in order.log)


def test_a_refused_call_does_not_use_up_its_event_id() -> None:
    """A call refused by the rules records nothing, so its event id stays free."""
    order = shipped()
    with pytest.raises(InvalidAction):
        order.grant_extension(SHIP + DAY, 10, event_id=EVENT)
    order.request_extension(SHIP + DAY, 10, event_id=EVENT)
    assert [e.action for e in order.log if e.event_id == EVENT] == ["request_extension"]


def test_a_scan_known_by_content_under_another_event_id_is_not_recorded() -> None:
    """A scan already known (by content) under a new event id: False, nothing recorded."""
    order = shipped()
    scan = _scan(SHIP + DAY)
    assert order.add_tracking(scan, event_id="scan-1") is True
    before = state(order)
    assert order.add_tracking(scan, event_id="scan-2") is False
    assert order.add_tracking(attrs.evolve(scan, at=scan.at.astimezone(SHANGHAI))) is False
    assert state(order) == before
    assert "scan-2" not in {e.event_id for e in order.log}
    # Not recorded, so "scan-2" is still free for another scan.
    assert order.add_tracking(_scan(SHIP + 2 * DAY), event_id="scan-2") is True


def test_a_scan_known_without_an_event_id_is_not_recorded_again_with_one() -> None:
    """A scan first added without an event id and delivered again with one: not recorded."""
    order = shipped()
    scan = _scan(SHIP + DAY)
    assert order.add_tracking(scan) is True
    before = state(order)
    assert order.add_tracking(scan, event_id="scan-1") is False
    assert state(order) == before


# -- 3. unique within one order, free across orders ------------------------------------


def test_different_orders_may_use_the_same_event_ids() -> None:
    """Event ids are per order: two orders record the same ids, each once."""
    orders = [new_order(order_id="8000-1"), new_order(order_id="8000-2")]
    for order in orders:
        order.ship(SHIP, event_id="ship")
        dispute = order.open_dispute(
            OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open"
        )
        dispute.seller_accept(AGREED, event_id="accept")
        order.add_tracking(_scan(SHIP + DAY), event_id="scan")
    for order in orders:
        ids = [e.event_id for e in order.log if e.event_id is not None]
        assert sorted(ids) == ["accept", "open", "scan", "ship"]
    assert [e.action for e in orders[0].log] == [e.action for e in orders[1].log]


def test_event_ids_in_an_order_log_are_unique() -> None:
    """Whatever is called, an order's log never holds one event id twice."""
    order = shipped()
    order.add_tracking(_scan(SHIP + DAY), event_id="a")
    for call in (
        lambda: order.request_extension(SHIP + DAY, 5, event_id="a"),
        lambda: order.add_tracking(_scan(SHIP + 2 * DAY), event_id="a"),
        lambda: order.confirm_receipt(SHIP + DAY, event_id="a"),
    ):
        with pytest.raises(InvalidInput):
            call()
    ids = [e.event_id for e in order.log if e.event_id is not None]
    assert ids == ["a"]


# -- 4. replay, ingest and storage -------------------------------------------------------


def busy() -> Order:
    """An order with event ids on every person action and scan, two disputes and a return."""
    order = new_order()
    order.ship(SHIP, event_id="ship")
    order.add_tracking(_scan(SHIP + DAY), event_id="scan-1")
    order.request_extension(SHIP + DAY, 10, event_id="ask")
    order.grant_extension(SHIP + 2 * DAY, 10, event_id="grant")
    first = order.open_dispute(
        OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
    )
    first.cancel(AGREED, event_id="cancel-1")
    second = order.open_dispute(
        AGREED + DAY,
        reason=Reason.QUALITY,
        refund=REQUEST,
        remedy=RETURN,
        evidence=("b.jpg",),
        meta={"ticket": 7},
        event_id="open-2",
    )
    second.seller_accept(AGREED + 2 * DAY, event_id="accept-2")
    second.ship_return(AGREED + 3 * DAY, tracking_number=TRACKING, event_id="return-2")
    order.add_tracking(_scan(SHIP + 3 * DAY, "delivered"))  # a scan with no event id
    order.advance(AGREED + 90 * DAY)  # the seller lets the return's confirmation time pass
    return order


BUSY_IDS = [
    "ship",
    "scan-1",
    "ask",
    "grant",
    "open-1",
    "cancel-1",
    "open-2",
    "accept-2",
    "return-2",
]


def test_the_busy_order_has_its_event_ids() -> None:
    """The order the replay tests use has every event id once, and automatic steps none."""
    order = busy()
    assert [e.event_id for e in order.log if e.event_id is not None] == BUSY_IDS
    assert all(e.event_id is None for e in order.log if e.actor is Actor.SYSTEM)
    assert any(e.actor is Actor.SYSTEM for e in order.log)


@pytest.mark.parametrize(
    "rebuild",
    [lambda o: Order.replay(o.log), lambda o: loads(dumps(o)), lambda o: from_dict(to_dict(o))],
    ids=["replay", "dumps-loads", "to_dict-from_dict"],
)
def test_a_rebuilt_order_keeps_its_event_ids_and_recognises_repeats(
    rebuild: Callable[[Order], Order],
) -> None:
    """Replay and storage keep every event id, and the rebuilt order still knows repeats."""
    order = busy()
    again = rebuild(order)
    assert again.log == order.log
    before = state(again)
    first = again.open_dispute(
        OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open-1"
    )
    assert first is again.disputes[0]
    assert again.add_tracking(_scan(SHIP + DAY), event_id="scan-1") is False
    assert (
        the(again).ship_return(AGREED + 3 * DAY, tracking_number=TRACKING, event_id="return-2")
        is None
    )
    assert state(again) == before
    with pytest.raises(InvalidInput, match="'grant' was already used by grant_extension"):
        again.request_extension(SHIP + DAY, 10, event_id="grant")


def test_a_log_holding_one_event_id_twice_is_refused() -> None:
    """Order.replay refuses a log whose later entry reuses an earlier entry's event id."""
    log = list(busy().log)
    i = next(i for i, e in enumerate(log) if e.event_id == "grant")
    log[i] = attrs.evolve(log[i], event_id="ask")
    with pytest.raises(InvalidInput, match=r"'ask' was already used by request_extension"):
        Order.replay(log)


def test_a_log_whose_pay_entry_has_an_event_id_is_refused() -> None:
    """The 'pay' entry has no event id: a log that gives it one is refused."""
    log = list(busy().log)
    log[0] = attrs.evolve(log[0], event_id="pay")
    with pytest.raises(InvalidInput, match=r"^log\[0\]"):
        Order.replay(log)


def test_a_document_holding_one_event_id_twice_is_refused() -> None:
    """A stored document whose entries share an event id does not load."""
    document = to_dict(busy())
    history = document["history"]
    ids = [e["event_id"] for e in history]
    history[ids.index("grant")]["event_id"] = "ask"
    with pytest.raises(InvalidInput, match="'ask' was already used"):
        from_dict(document)


def _next_entry(build: Callable[[], Order], act: Callable[[Order], object]) -> HistoryEntry:
    """The first entry *act* records on a fresh ``build()``: an entry as it would come
    from elsewhere."""
    twin = build()
    count = len(twin.log)
    act(twin)
    return twin.log[count]


def _shipped_with_id() -> Order:
    order = new_order()
    order.ship(SHIP, event_id="ship")
    order.add_tracking(_scan(SHIP + DAY), event_id="scan")
    return order


@pytest.mark.parametrize(
    "act",
    [
        lambda o: o.request_extension(SHIP + 2 * DAY, 10, event_id="new"),
        lambda o: o.add_tracking(_scan(SHIP + 2 * DAY), event_id="new"),
    ],
    ids=["action", "scan"],
)
@pytest.mark.parametrize("used", ["ship", "scan"])
def test_ingest_refuses_a_new_entry_with_a_used_event_id(
    act: Callable[[Order], object], used: str
) -> None:
    """An entry with a new id carrying an event id already used is refused, nothing changed."""
    entry = _next_entry(_shipped_with_id, act)
    assert entry.event_id == "new"
    reused = attrs.evolve(entry, event_id=used)
    first = "ship" if used == "ship" else "add_tracking"
    error = assert_refused(_shipped_with_id, lambda o: o.ingest(reused), InvalidInput)
    assert f"{shown(used)} was already used by {first} " in str(error), str(error)
    order = _shipped_with_id()  # with its own event id, the entry is accepted
    assert order.ingest(entry) is True
    assert order.ingest(entry) is False  # and once only


@pytest.mark.parametrize(
    ("act", "action"),
    [
        (lambda o: o.request_extension(SHIP + DAY, 10, event_id="again"), "request_extension"),
        (lambda o: o.add_tracking(_scan(SHIP + 2 * DAY), event_id="again"), "add_tracking"),
    ],
    ids=["action", "scan"],
)
def test_ingest_refuses_a_repeat_of_an_entry_under_a_new_id(
    act: Callable[[Order], object], action: str
) -> None:
    """The same entry again under a new numeric id, with its event id: refused, not a repeat."""
    entry = _next_entry(_shipped_with_id, act)
    copy = attrs.evolve(entry, id=entry.id + 1)

    def ingested() -> Order:
        order = _shipped_with_id()
        assert order.ingest(entry) is True
        return order

    error = assert_refused(ingested, lambda o: o.ingest(copy), InvalidInput)
    assert f"'again' was already used by {action} " in str(error), str(error)
    order = ingested()
    assert order.ingest(entry) is False  # the same entry (same id) is applied once


def test_ingest_refuses_an_automatic_entry_with_an_event_id() -> None:
    """An automatic (system) entry carrying an event id is refused; without one it is checked."""
    entry = _next_entry(opened, lambda o: o.advance(OPENED + 30 * DAY))
    assert (entry.actor, entry.action) == (Actor.SYSTEM, "seller_timeout")
    tagged = attrs.evolve(entry, event_id="timeout")
    error = assert_refused(opened, lambda o: o.ingest(tagged), InvalidInput)
    assert "an automatic step has no event id" in str(error), str(error)
    order = opened()  # without the event id, the same entry is accepted
    assert order.ingest(entry) is True


def test_ingest_refuses_an_automatic_entry_with_a_used_event_id() -> None:
    """An automatic entry carrying an event id already in the log is refused, naming it."""

    def opened_with_id() -> Order:
        order = shipped()
        order.open_dispute(
            OPENED, reason=Reason.DAMAGED, refund=REQUEST, evidence=("a.jpg",), event_id="open"
        )
        return order

    entry = _next_entry(opened_with_id, lambda o: o.advance(OPENED + 30 * DAY))
    assert entry.actor is Actor.SYSTEM
    tagged = attrs.evolve(entry, event_id="open")
    error = assert_refused(opened_with_id, lambda o: o.ingest(tagged), InvalidInput)
    assert "'open' was already used by open_dispute" in str(error)


# -- 5. properties -------------------------------------------------------------------------

PERSONS = (Actor.BUYER, Actor.SELLER, Actor.PLATFORM, Actor.CARRIER)
EVENT_IDS = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)


def _acted(entry: HistoryEntry) -> bool:
    """True for an entry a caller made (an action or a scan), not 'pay' nor a clock's step."""
    return entry.actor in PERSONS and entry.action != "pay"


RECEIVED = [reason for reason in Reason if reason.item_received]


@st.composite
def reopened_orders(draw: st.DrawFn) -> Order:
    """A random order whose buyer opens a dispute, cancels it and opens another (when the
    policy allows), then goes on at random: event ids then span two disputes."""
    order = new_order(draw(any_policies()), draw(money(positive=True)), draw(instants()))
    hour = timedelta(hours=1)
    reason = draw(st.sampled_from(RECEIVED))
    head = [
        Step(
            "ship",
            timedelta(0),
            days=draw(st.sampled_from([1, 60])),  # protection days
            estimate=draw(st.none() | st.just(DAY)),
        ),
        Step("contact_seller", timedelta(0)),  # Amazon's rules ask for it, and a wait
        Step("open_dispute", "contact_wait_ends+0", percent=50, reason=reason),
        Step("cancel", hour),
        Step(
            "open_dispute",
            hour,
            percent=draw(st.integers(1, 100)),
            reason=draw(st.sampled_from(RECEIVED)),
            remedy=draw(st.sampled_from([None, RETURN])),
        ),
    ]
    for _ in run(order, [*head, *draw(st.lists(steps(), max_size=10))], draw(zones())):
        pass
    return order


APPEALS = st.one_of(
    st.sampled_from([p for p in PRESETS if p.appeal_window is not None]),
    varied_presets().filter(lambda p: p.appeal_window is not None),
)
"""Rules under which the platform's decision can be appealed."""


@st.composite
def appealed_orders(draw: st.DrawFn) -> Order:
    """A random order under rules with appeals whose buyer opens a dispute, the seller
    counters with nothing, the buyer escalates as soon as the rules let him, the platform
    decides and one side appeals (when it lost), then goes on at random: event ids then
    cover an appeal and the decision after it."""
    order = new_order(draw(APPEALS), draw(money(positive=True)), draw(instants()))
    head = [
        Step("ship", timedelta(0), days=60, estimate=draw(st.none() | st.just(DAY))),
        Step("contact_seller", timedelta(0)),
        Step("open_dispute", "contact_wait_ends+0", reason=draw(st.sampled_from(RECEIVED))),
        Step("seller_reject", timedelta(hours=1), percent=0, remedy=Remedy.REFUND),
        Step("escalate", "seller_deadline+0"),
        Step("platform_decide", timedelta(hours=1), percent=draw(st.integers(0, 100))),
        Step("appeal", timedelta(hours=1), by=draw(st.sampled_from([Actor.BUYER, Actor.SELLER]))),
    ]
    for _ in run(order, [*head, *draw(st.lists(steps(), max_size=6))], draw(zones())):
        pass
    return order


@st.composite
def orders_with_event_ids(draw: st.DrawFn) -> Order:
    """A random lifecycle (with a few scans) in which every action and scan has an event id.

    The lifecycle is played without ids, then replayed from its log with a unique id
    given to each action and scan, so that every one of them went through its action
    with its ``event_id``; then, now and then, the clock runs on.
    """
    played = draw(
        st.one_of(played_orders(rules=any_policies()), reopened_orders(), appealed_orders())
    )
    scans = st.tuples(st.integers(0, 60), st.sampled_from(TrackingStatus))
    for days, status in draw(st.lists(scans, max_size=3)):
        played.add_tracking(TrackingEvent(played.paid_at + days * DAY, status))
    log = played.log
    given: dict[int, str] = {}
    for entry in filter(_acted, log):
        event_id = draw(EVENT_IDS)
        given[entry.id] = f"{event_id}#{entry.id}" if event_id in given.values() else event_id
    tagged = [attrs.evolve(e, event_id=given.get(e.id)) for e in log]
    order = Order.replay(tagged)
    assert order.log == tuple(tagged)
    if draw(st.booleans()):  # later automatic steps: the repeats are then dated earlier
        order.advance(order.last_event_at + draw(st.integers(0, 400)) * DAY)
    return order


def _target(order: Order, entry: HistoryEntry) -> Order | Dispute:
    """What *entry* acted on: the dispute whose history holds it, or the order."""
    for dispute in order.disputes:
        if any(e.id == entry.id for e in dispute.history):
            return dispute
    return order


def _opened(order: Order, entry: HistoryEntry) -> Dispute:
    """The dispute that the 'open_dispute' *entry* opened."""
    openings = [e.id for e in order.log if e.action == "open_dispute"]
    return order.disputes[openings.index(entry.id)]


def _repeat(
    order: Order,
    entry: HistoryEntry,
    at: datetime,
    details: Mapping[str, Any],
    target: Order | Dispute | None = None,
    event_id: str | None = None,
) -> object:
    """Call *entry*'s action again on its target (or *target*) with *details* at *at*."""
    event = entry.event_id if event_id is None else event_id
    if entry.action == "add_tracking":
        return order.add_tracking(details["event"], event_id=event)
    on = _target(order, entry) if target is None else target
    return getattr(on, entry.action)(at, **details, event_id=event)


@given(st.data())
def test_repeating_every_action_in_any_order_changes_nothing(data: st.DataObject) -> None:
    """Every action and scan of a random lifecycle, given again with its event id and
    arguments (in any order, any zone, with other meta), records nothing and answers as
    the first call did."""
    order = data.draw(orders_with_event_ids())
    acted = [e for e in order.log if _acted(e)]
    event(f"{len(order.disputes)} disputes" if order.disputes else "no dispute")
    before = state(order)
    for entry in data.draw(st.permutations(acted)):
        zone = data.draw(zones())
        details = {k: v for k, v in entry.details.items() if k != "meta"}
        meta = data.draw(st.sampled_from([None, {"delivery": 2}, {}]))
        if meta is not None and entry.action != "add_tracking":
            details["meta"] = meta
        answer = _repeat(order, entry, entry.at.astimezone(zone), details)
        if entry.action == "open_dispute":
            assert answer is _opened(order, entry)
        elif entry.action == "add_tracking":
            assert answer is False
        else:
            assert answer is None
        assert state(order) == before, entry


def _varied(value: object) -> object:
    """*value* changed to another valid value of its kind, or None when it cannot be."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 if value < MAX_DAYS else value - 1
    if isinstance(value, Money):
        return Money(value.amount + 1, value.currency)
    if isinstance(value, TrackingEvent):
        return attrs.evolve(value, location=value.location[:50] + "x")
    if isinstance(value, datetime):
        return value + US
    if isinstance(value, tuple):
        return (*value, "more.jpg")
    if isinstance(value, str) and not isinstance(value, Enum):
        return value[:100] + "x"
    return None


@st.composite
def differences(
    draw: st.DrawFn, order: Order, entry: HistoryEntry
) -> tuple[str, Callable[[], object]]:
    """A call that differs from *entry* in one way, under its event id: its instant, its
    action, one of its arguments, or its dispute."""
    details = dict(entry.details)
    event = entry.event_id
    assert event is not None
    ways = ["instant", "action"]
    changeable = sorted(k for k, v in details.items() if k != "meta" and _varied(v) is not None)
    if changeable:
        ways.append("argument")
    target = _target(order, entry)
    others = [d for d in order.disputes if d is not target]
    # On another dispute, a proposal of a return may be refused for that dispute's reason
    # before the event id is looked at: only calls without one are tried there.
    if isinstance(target, Dispute) and others and "remedy" not in details:
        ways += ["dispute", "dispute"]  # rarely possible: tried often when it is
    way = draw(st.sampled_from(ways))
    if way == "instant":
        offset = draw(st.timedeltas(US, timedelta(days=30))) * draw(st.sampled_from([1, -1]))
        if entry.action == "add_tracking":
            scan = details["event"]
            details["event"] = attrs.evolve(scan, at=scan.at + offset)
        return way, lambda: _repeat(order, entry, entry.at + offset, details)
    if way == "argument":
        key = draw(st.sampled_from(changeable))
        details[key] = _varied(details[key])
        return f"argument {key}", lambda: _repeat(order, entry, entry.at, details)
    if way == "dispute":
        other = draw(st.sampled_from(others))
        return way, lambda: _repeat(order, entry, entry.at, details, target=other)
    calls: dict[str, Callable[[], object]] = {
        "confirm_receipt": lambda: order.confirm_receipt(entry.at, event_id=event),
        "request_extension": lambda: order.request_extension(entry.at, 3, event_id=event),
        "add_tracking": lambda: order.add_tracking(
            TrackingEvent(entry.at, "in_transit"), event_id=event
        ),
    }
    if order.disputes:
        calls["escalate"] = lambda: order.disputes[-1].escalate(entry.at, event_id=event)
    name = draw(st.sampled_from(sorted(n for n in calls if n != entry.action)))
    return f"action {name}", calls[name]


@given(st.data())
def test_the_same_event_id_with_something_different_is_refused(data: st.DataObject) -> None:
    """Under an event id of a random lifecycle, another instant, action, argument or
    dispute is InvalidInput naming the event id and its first action; nothing changed."""
    order = data.draw(orders_with_event_ids())
    acted = [e for e in order.log if _acted(e)]
    assume(acted)
    on_disputes = [e for e in acted if isinstance(_target(order, e), Dispute)]
    if len(order.disputes) > 1 and on_disputes and data.draw(st.booleans()):
        acted = on_disputes  # often a dispute's action, which another dispute may not reuse
    entry = data.draw(st.sampled_from(acted))
    way, call = data.draw(differences(order, entry))
    event(way.split()[0])
    before = state(order)
    with pytest.raises(InvalidInput) as refused:
        call()
    assert entry.event_id is not None
    _names(refused.value, entry.event_id, entry.action)
    assert state(order) == before, way


# -- from the review ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({}, {"promised_days": ALIEXPRESS.protection_days}),
        ({"promised_days": ALIEXPRESS.protection_days}, {}),
        ({"protection_days": 30}, {"protection_days": 30, "promised_days": 30}),
        ({"protection_days": 30, "promised_days": 30}, {"protection_days": 30}),
    ],
)
def test_a_shipment_repeated_with_its_default_promised_days_given_is_recognised(
    first: dict[str, Any], again: dict[str, Any]
) -> None:
    """promised_days given as the protection days is its default: the same shipment."""
    order = new_order()
    order.ship(EPOCH + DAY, event_id="s", **first)
    log = order.log
    order.ship(EPOCH + DAY, event_id="s", **again)
    assert order.log == log


def test_a_shipment_repeated_with_other_promised_days_is_refused() -> None:
    """Promised days other than the first shipment's are another shipment: refused."""
    order = new_order()
    order.ship(EPOCH + DAY, event_id="s")
    with pytest.raises(InvalidInput, match=r"^event_id: 's' was already used by ship"):
        order.ship(EPOCH + DAY, promised_days=20, event_id="s")


def test_a_pay_entry_with_an_event_id_is_refused_naming_it() -> None:
    """The pay entry is the order's creation: an event id there is refused by name."""
    order = new_order()
    log = list(order.log)
    log[0] = attrs.evolve(log[0], event_id="p")
    with pytest.raises(InvalidInput, match=r"^log\[0\]: event_id: the 'pay' entry has no event id"):
        Order.replay(log)


@pytest.mark.parametrize("where", ["history", "tracking", "disputes"])
def test_a_schema_2_document_with_event_ids_is_refused(where: str) -> None:
    """Event ids came with schema 3: a document that says 2 and has them is refused."""
    order = new_order()
    order.ship(EPOCH + DAY, event_id="s")
    order.add_tracking(TrackingEvent(EPOCH + 2 * DAY, TrackingStatus.IN_TRANSIT), event_id="t")
    order.open_dispute(
        EPOCH + 3 * DAY, reason="damaged", refund=Money("5", USD), evidence=["a.jpg"]
    )
    document = to_dict(order)
    document["schema_version"] = 2
    if where == "history":
        for entry in document["tracking"]:
            del entry["event_id"]
        for dispute in document["disputes"]:
            for entry in dispute["history"]:
                del entry["event_id"]
        path = "history[0].event_id"
    elif where == "tracking":
        for entry in document["history"]:
            del entry["event_id"]
        path = "tracking[0].event_id"
    else:
        for entry in [*document["history"], *document["tracking"]]:
            del entry["event_id"]
        document["disputes"][0]["history"] = [{"event_id": None}]
        path = "disputes[0].history[0].event_id"
    with pytest.raises(InvalidInput) as raised:
        from_dict(document)
    assert any(
        p.startswith(f"{path}: a document of schema_version 2") for p in raised.value.problems
    )


@pytest.mark.parametrize("where", ["history[1]", "tracking[0]"])
def test_an_empty_event_id_in_a_document_is_named_at_its_path(where: str) -> None:
    """An empty event id is refused at <list>[i].event_id, for entries and scans alike."""
    order = new_order()
    order.ship(EPOCH + DAY, event_id="s")
    order.add_tracking(TrackingEvent(EPOCH + 2 * DAY, TrackingStatus.IN_TRANSIT), event_id="t")
    document = to_dict(order)
    key, index = where.split("[")
    document[key][int(index[:-1])]["event_id"] = ""
    with pytest.raises(InvalidInput) as raised:
        from_dict(document)
    assert any(p.startswith(f"{where}.event_id: ") for p in raised.value.problems)


def test_ingest_takes_an_entry_as_a_dict_in_the_log_format() -> None:
    """Order.ingest of a dict as log_to_list wrote it (through JSON) applies it like the entry."""
    order = Order("dict-1", Money("10", USD), EPOCH)
    order.ship(EPOCH + DAY, event_id="ship-1")
    rows = json.loads(json.dumps(log_to_list(order.log)))
    copy = Order.replay(order.log[:1])
    assert copy.ingest(rows[1]) is True
    assert copy.ingest(rows[1]) is False
    assert copy.log == order.log


def test_ingest_takes_a_dict_without_event_id_as_one_written_before_event_ids() -> None:
    """A dict entry with no event_id key (a log written before event ids) is read with None."""
    order = Order("dict-2", Money("10", USD), EPOCH)
    order.ship(EPOCH + DAY)
    row = log_to_list(order.log)[1]
    del row["event_id"]
    copy = Order.replay(order.log[:1])
    assert copy.ingest(row) is True
    assert copy.log == order.log


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"at": "yesterday"}, "entry.at: expected an ISO 8601"),
        ({"surprise": 1}, "entry: unknown key(s): surprise"),
        ({"actor": "cat"}, "entry.actor"),
        ({"event_id": ""}, "entry.event_id"),
    ],
)
def test_ingest_of_a_bad_dict_names_the_field_and_changes_nothing(
    change: dict[str, object], named: str
) -> None:
    """A dict entry with a bad field is InvalidInput naming entry.<field>, and nothing changes."""
    order = Order("dict-3", Money("10", USD), EPOCH)
    order.ship(EPOCH + DAY, event_id="ship-1")
    row = {**log_to_list(order.log)[1], **change}
    copy = Order.replay(order.log[:1])
    before = copy.log
    with pytest.raises(InvalidInput, match=re.escape(named)):
        copy.ingest(row)
    assert copy.log == before
    assert copy.state is OrderState.AWAITING_SHIPMENT


@pytest.mark.parametrize("value", [[1, 2], "entry", 5, None])
def test_ingest_of_neither_an_entry_nor_a_dict_is_invalid_input(value: object) -> None:
    """Order.ingest of anything but a HistoryEntry or a dict is InvalidInput naming what it got."""
    order = Order("dict-4", Money("10", USD), EPOCH)
    with pytest.raises(InvalidInput, match="entry: expected a HistoryEntry"):
        order.ingest(value)  # type: ignore[arg-type]
