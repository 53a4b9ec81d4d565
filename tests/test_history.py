"""Tests for the history's caller data: what ``meta`` accepts, so that every order can be saved."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from buyer_protection import InvalidInput, Money, Order, dumps, loads, to_dict
from strategies import assert_refused

PAID = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _new() -> Order:
    return Order("h-1", Money("10", "USD"), PAID)


@pytest.mark.parametrize(
    "meta",
    [
        {"big": 2**63 - 1, "small": -(2**63)},
        {"k" * 200: "v" * 10_000},
        {"amount": Money("12.34", "EUR"), "when": datetime(2026, 3, 2, 8, tzinfo=UTC)},
        {"none": None, "flag": True, "emoji": "\U0001f4e6", "nul": "a\x00b"},
    ],
)
def test_accepted_meta_is_saved_and_loaded_back(meta: dict[str, Any]) -> None:
    """Every meta value at the edge of what is accepted round-trips through a document."""
    order = _new()
    order.ship(PAID + DAY, meta=meta)
    assert order.log[-1].details["meta"] == meta
    assert to_dict(loads(dumps(order))) == to_dict(order)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"n": 2**63}, r"meta\['n'\]: 9223372036854775808 is out of range"),
        ({"n": -(2**63) - 1}, r"meta\['n'\]: .* is out of range; meta ints are signed 64-bit"),
        ({"n": 10**4400}, r"meta\['n'\]: an int of 4401 digits is out of range"),
        ({"k" * 201: 1}, "201 characters is too long; at most 200"),
        ({"": 1}, "expected a non-empty str"),
        ({5: 1}, "meta key 5: expected a str, got int 5"),
        ({"t": "x" * 10_001}, r"meta\['t'\]: 10001 characters is too long; at most 10000"),
        ({"t": "a\ud800"}, r"meta\['t'\]: .*lone surrogate"),
        ({"a\udfff": 1}, "lone surrogate"),
        ({"f": 1.5}, r"meta\['f'\]: float 1.5 cannot be stored"),
        ({"l": [1, 2]}, r"meta\['l'\]: list \[1, 2\] cannot be stored"),
        ({"d": datetime(2026, 3, 2)}, r"meta\['d'\]: naive datetime"),
        ("not a mapping", "meta: expected a mapping with str keys, got str"),
    ],
)
def test_meta_that_could_not_be_saved_is_refused_and_changes_nothing(
    meta: object, message: str
) -> None:
    """meta the library could not save is refused at the action, nothing changed."""
    refusal = assert_refused(_new, lambda order: order.ship(PAID + DAY, meta=meta), InvalidInput)
    assert re.search(message, str(refusal))
    assert len(str(refusal)) < 400


def test_meta_keeps_enum_and_other_subclasses_as_their_plain_values() -> None:
    """An IntEnum or a str enum in meta is kept as its plain int or str, as a document gives."""

    class Level(enum.IntEnum):
        HIGH = 3

    class Kind(str, enum.Enum):  # noqa: UP042 - str() of it is 'Kind.WEB', not its value
        WEB = "web"

    order = _new()
    order.ship(PAID + DAY, meta={Kind.WEB: Level.HIGH, "kind": Kind.WEB})
    meta = order.log[-1].details["meta"]
    assert meta == {"web": 3, "kind": "web"}
    assert [type(k) for k in meta] == [str, str]
    assert [type(v) for v in meta.values()] == [int, str]
    assert loads(dumps(order)).log == order.log
