"""Every public function that reads outside data refuses junk with the library's own error.

Each test feeds one reader random junk (None, numbers of any size, floats, odd and
huge strings, lone surrogates, bytes, nested and deeply nested lists and objects,
objects of no known type) and real material damaged at random places (a random
order's document or log, the seller-API fixtures): whatever comes in, only a
`BuyerProtectionError` may come out. What the storage readers accept must also save
and load back. The arguments of a return (remedy, postage payer, tracking number,
carrier, note) take junk too: `InvalidInput`, and nothing changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    BuyerProtectionError,
    HistoryEntry,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    Reason,
    Remedy,
    dumps,
    from_dict,
    loads,
    parse_tracking,
    to_dict,
)
from buyer_protection.aliexpress import from_issue_detail
from buyer_protection.storage import log_from_list, log_to_list
from strategies import (
    ODD_TEXT,
    json_junk,
    junk,
    mutated,
    played_orders,
    snapshot,
    spliced,
    spliced_bytes,
    zones,
)

FIXTURES = Path(__file__).parent / "fixtures"
ISSUES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("issue_*.json"))]
ORDER_DETAIL = json.loads((FIXTURES / "order_detail.json").read_text(encoding="utf-8"))


def refused_or(call: Callable[[], Any]) -> Any:
    """What *call* returns, or None if it raised a `BuyerProtectionError` (others escape)."""
    try:
        return call()
    except BuyerProtectionError:
        return None


def saves_and_loads_back(order: Order | None) -> None:
    """An order a reader accepted can be dumped and loaded back to the same document."""
    if order is not None:
        assert to_dict(loads(dumps(order))) == to_dict(order)


def documents() -> st.SearchStrategy[Any]:
    """A random order's document, damaged at random places (or left whole)."""
    whole = played_orders().map(to_dict)
    return st.one_of(
        whole, whole.flatmap(mutated), whole.flatmap(lambda d: mutated(d, json_junk()))
    )


# -- storage ---------------------------------------------------------------------------


@given(st.one_of(junk(), documents()))
def test_from_dict_of_junk_is_refused_with_our_error(data: Any) -> None:
    """from_dict of any value, or of a damaged document, loads a saveable order or is refused."""
    saves_and_loads_back(refused_or(lambda: from_dict(data)))


def json_texts() -> st.SearchStrategy[str]:
    """JSON text of a random, damaged document; or valid text with odd fragments spliced in."""
    damaged = played_orders().map(to_dict).flatmap(lambda d: mutated(d, json_junk()))
    return st.one_of(
        damaged.map(json.dumps),
        damaged.map(lambda d: json.dumps(d, ensure_ascii=False)),
        played_orders().map(dumps).flatmap(spliced),
        st.text(max_size=20),
        st.sampled_from(ODD_TEXT),
    )


@given(st.one_of(json_texts(), junk()))
def test_loads_of_junk_text_is_refused_with_our_error(text: Any) -> None:
    """loads of any str (or any value at all) loads a saveable order or is refused."""
    saves_and_loads_back(refused_or(lambda: loads(text)))


@given(
    st.one_of(
        json_texts().map(lambda t: t.encode("utf-8", "surrogatepass")),
        played_orders().map(lambda o: dumps(o).encode()).flatmap(spliced_bytes),
        st.binary(max_size=30),
    )
)
def test_loads_of_junk_bytes_is_refused_with_our_error(data: bytes) -> None:
    """loads of any bytes (invalid UTF-8 and encoded surrogates too) loads or is refused."""
    saves_and_loads_back(refused_or(lambda: loads(data)))


@given(
    st.one_of(
        junk(),
        played_orders().map(lambda o: log_to_list(o.log)).flatmap(mutated),
        played_orders().map(lambda o: tuple(log_to_list(o.log))),
    )
)
def test_log_from_list_of_junk_is_refused_with_our_error(data: Any) -> None:
    """log_from_list of any value, or of a damaged log, gives entries or is refused."""
    entries = refused_or(lambda: log_from_list(data))
    assert entries is None or all(isinstance(e, HistoryEntry) for e in entries)


# -- the core's reader of logs ---------------------------------------------------------


@st.composite
def damaged_logs(draw: st.DrawFn) -> list[Any]:
    """A random order's log with entries changed, dropped, repeated or replaced by junk."""
    log: list[Any] = list(draw(played_orders()).log)
    fields = [f.name for f in attrs.fields(HistoryEntry)]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(log)))
        how = draw(st.sampled_from(["field", "field", "actor", "drop", "repeat", "junk"]))
        if how == "junk" or not log:
            log.insert(i, draw(junk()))
            continue
        i = min(i, len(log) - 1)
        entry = log[i]
        if how == "drop":
            del log[i]
        elif how == "repeat":
            log.insert(draw(st.integers(0, len(log))), entry)
        elif how == "actor" and isinstance(entry, HistoryEntry):
            log[i] = attrs.evolve(entry, actor=draw(st.sampled_from(Actor)))
        elif isinstance(entry, HistoryEntry):
            name = draw(st.sampled_from(fields))
            value = draw(junk())
            if (
                name == "details"
                and isinstance(entry.details, Mapping)
                and entry.details
                and draw(st.booleans())
            ):
                value = draw(mutated(dict(entry.details)))
            log[i] = attrs.evolve(entry, **{name: value})
    return log


@given(st.one_of(junk(), damaged_logs()))
def test_replay_of_junk_is_refused_with_our_error(log: Any) -> None:
    """Order.replay of any value, or of a damaged log, rebuilds an order or is refused."""
    refused_or(lambda: Order.replay(log))


# -- carrier feeds and the seller API ---------------------------------------------------


def rows() -> st.SearchStrategy[Any]:
    """Feed rows: junk, or objects with a time and a status of any kind."""
    row = st.fixed_dictionaries(
        {"time": junk(), "status": junk()},
        optional={"description": junk(), "location": junk(), "x": junk()},
    )
    return st.one_of(junk(), st.lists(row | junk(), max_size=4))


@given(
    rows(),
    st.one_of(zones(), st.sampled_from(ODD_TEXT), junk()),
    st.one_of(st.none(), st.just({"time": "ts"}), junk()),
    st.one_of(st.none(), st.just({"Moving": "in_transit"}), junk()),
    st.one_of(st.none(), st.booleans(), junk()),
)
def test_parse_tracking_of_junk_is_refused_with_our_error(
    records: Any, default_tz: Any, keys: Any, statuses: Any, dayfirst: Any
) -> None:
    """parse_tracking of any rows and arguments gives events or is refused."""
    refused_or(
        lambda: parse_tracking(
            records, default_tz=default_tz, keys=keys, statuses=statuses, dayfirst=dayfirst
        )
    )


@given(
    st.one_of(junk(), st.sampled_from(ISSUES).flatmap(mutated)),
    st.one_of(st.none(), st.just(ORDER_DETAIL), st.just(ORDER_DETAIL).flatmap(mutated), junk()),
    st.one_of(st.just(ALIEXPRESS), junk()),
)
def test_from_issue_detail_of_junk_is_refused_with_our_error(
    detail: Any, order_detail: Any, policy: Any
) -> None:
    """from_issue_detail of any response, order detail and policy imports an order or is refused."""
    saves_and_loads_back(
        refused_or(lambda: from_issue_detail(detail, order_detail=order_detail, policy=policy))
    )


# -- the arguments of a return ----------------------------------------------------------

PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = PAID + timedelta(hours=1)
RETURN = Remedy.RETURN_AND_REFUND


def disputed(remedy: Remedy = Remedy.REFUND) -> Order:
    """A shipped order with a received-item dispute asking its total, awaiting the seller."""
    order = Order("junk-1", Money("25.90", "USD"), PAID, ALIEXPRESS)
    order.ship(PAID)
    order.open_dispute(
        PAID, reason=Reason.QUALITY, refund=order.total, remedy=remedy, evidence=("photo.jpg",)
    )
    return order


def shipped() -> Order:
    """A shipped order, no dispute yet."""
    order = Order("junk-1", Money("25.90", "USD"), PAID, ALIEXPRESS)
    order.ship(PAID)
    return order


def in_arbitration() -> Order:
    """A dispute the buyer escalated after a counter-offer of nothing."""
    order = disputed()
    assert order.dispute is not None
    order.dispute.seller_reject(PAID, counter_offer=Money("0", "USD"))
    order.dispute.escalate(PAID)
    return order


def awaiting_return() -> Order:
    """A dispute whose request of a return the seller accepted."""
    order = disputed(RETURN)
    assert order.dispute is not None
    order.dispute.seller_accept(PAID)
    return order


def in_transit() -> Order:
    """A return the buyer shipped, waiting for the seller."""
    order = awaiting_return()
    assert order.dispute is not None
    order.dispute.ship_return(PAID, tracking_number="RR123456785CN")
    return order


def _dispute(order: Order) -> Any:
    assert order.dispute is not None
    return order.dispute


RETURN_ARGUMENTS: dict[str, tuple[Callable[[], Order], Callable[[Order, Any], object]]] = {
    "open_dispute remedy": (
        shipped,
        lambda o, v: o.open_dispute(
            LATER, reason=Reason.QUALITY, refund=o.total, remedy=v, evidence=("a.jpg",)
        ),
    ),
    "open_dispute return_postage_by": (
        shipped,
        lambda o, v: o.open_dispute(
            LATER,
            reason=Reason.QUALITY,
            refund=o.total,
            remedy=RETURN,
            return_postage_by=v,
            evidence=("a.jpg",),
        ),
    ),
    "buyer_modify remedy": (
        disputed,
        lambda o, v: _dispute(o).buyer_modify(LATER, refund=o.total, remedy=v),
    ),
    "buyer_modify return_postage_by": (
        disputed,
        lambda o, v: _dispute(o).buyer_modify(
            LATER, refund=o.total, remedy=RETURN, return_postage_by=v
        ),
    ),
    "seller_reject remedy": (
        disputed,
        lambda o, v: _dispute(o).seller_reject(LATER, counter_offer=o.total, remedy=v),
    ),
    "seller_reject return_postage_by": (
        disputed,
        lambda o, v: _dispute(o).seller_reject(
            LATER, counter_offer=o.total, remedy=RETURN, return_postage_by=v
        ),
    ),
    "platform_decide remedy": (
        in_arbitration,
        lambda o, v: _dispute(o).platform_decide(LATER, refund=o.total, remedy=v),
    ),
    "platform_decide return_postage_by": (
        in_arbitration,
        lambda o, v: _dispute(o).platform_decide(
            LATER, refund=o.total, remedy=RETURN, return_postage_by=v
        ),
    ),
    "ship_return tracking_number": (
        awaiting_return,
        lambda o, v: _dispute(o).ship_return(LATER, tracking_number=v),
    ),
    "ship_return carrier": (
        awaiting_return,
        lambda o, v: _dispute(o).ship_return(LATER, tracking_number="RR1", carrier=v),
    ),
    "ship_return at": (
        awaiting_return,
        lambda o, v: _dispute(o).ship_return(v, tracking_number="RR1"),
    ),
    "confirm_return at": (in_transit, lambda o, v: _dispute(o).confirm_return(v)),
    "refuse_return note": (in_transit, lambda o, v: _dispute(o).refuse_return(LATER, note=v)),
    "refuse_return at": (in_transit, lambda o, v: _dispute(o).refuse_return(v, note="empty")),
}
"""Each argument of a return, with the order an action taking it is allowed on."""

NEAR_MISSES = (
    "Return_and_refund",
    "return and refund",
    "RETURN_AND_REFUND",
    " refund",
    "exchange",
    "system",
    "carrier",
    "Seller",
    Remedy.REFUND,
    RETURN,
    *Actor,
)
"""Values that look almost right for a remedy or a postage payer (some are right)."""


@pytest.mark.parametrize("argument", sorted(RETURN_ARGUMENTS))
@given(value=st.one_of(junk(), st.sampled_from(NEAR_MISSES)))
@example(value=datetime(2027, 1, 1, tzinfo=UTC))  # an instant after every return clock
def test_junk_given_to_a_return_argument_is_invalid_input_and_changes_nothing(
    argument: str, value: Any
) -> None:
    """Junk as a remedy, postage payer, tracking number, carrier, note or instant is
    InvalidInput and changes nothing; a value accepted leaves an order that saves."""
    build, call = RETURN_ARGUMENTS[argument]
    order = build()
    before = snapshot(order)
    try:
        call(order, value)
    except InvalidInput:
        assert snapshot(order) == before
    except InvalidAction:
        # A valid instant past the return's clock: the clock ran first, so the action
        # came too late; the order is as `advance` alone would leave it, and saves.
        assert argument.endswith(" at")
        assert isinstance(value, datetime)
        twin = build()
        twin.advance(value)
        assert snapshot(order) == snapshot(twin)
        saves_and_loads_back(order)
    else:
        saves_and_loads_back(order)
