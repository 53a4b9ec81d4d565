"""Tests for the JSON text of `buyer_protection.storage.dumps`: written by orjson where it
writes what the json module writes (``indent=2``, the default), by the json module
otherwise, the same text either way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given

from buyer_protection import Money, Order, Reason, dumps, loads, to_dict
from preset_strategies import PresetStory, play, preset_stories
from strategies import new_order, storable_texts
from test_storage import Lifecycle, lifecycles

PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EVERY_KIND = "".join(map(chr, range(0x80))) + "é\u2028\u2029\ufeff\U0001f600\\\"'"
"""Every ASCII character (control characters too), and some that JSON writers treat
apart: non-ASCII letters, line and paragraph separators, a byte order mark, an emoji."""


def _json_module(order: Order, indent: int | None = 2) -> str:
    """*order*'s document as the json module writes it."""
    return json.dumps(to_dict(order), indent=indent, ensure_ascii=False)


@given(lifecycles())
def test_dumps_writes_what_the_json_module_writes(life: Lifecycle) -> None:
    """For random lifecycles (meta of every kind, scans, disputes, any policy), dumps'
    text is the json module's, character for character, and loads back."""
    order = life.build()
    assert dumps(order) == _json_module(order)
    assert dumps(order, indent=None) == _json_module(order, None)
    assert loads(dumps(order)).log == order.log


@given(preset_stories(max_size=12))
def test_dumps_of_any_preset_writes_what_the_json_module_writes(story: PresetStory) -> None:
    """Under every preset, dumps' text is the json module's, character for character."""
    policy, total, paid, moves, zone = story
    order = new_order(policy, total, paid)
    for _ in play(order, moves, zone):
        pass
    assert dumps(order) == _json_module(order)


@given(storable_texts())
def test_dumps_writes_any_text_as_the_json_module_does(text: str) -> None:
    """Any text an order can hold (a dispute's description, a meta value) is written as
    the json module writes it."""
    order = Order("json-1", Money("10", "USD"), PAID)
    order.ship(PAID + timedelta(days=1), meta={"note": text})
    order.open_dispute(
        PAID + timedelta(days=30), reason=Reason.NOT_RECEIVED, refund=order.total, description=text
    )
    assert dumps(order) == _json_module(order)


def test_dumps_escapes_every_kind_of_character_as_the_json_module_does() -> None:
    """Control characters, quotes, backslashes, separators, a byte order mark and an
    emoji are written as the json module writes them, and read back."""
    order = Order("json-2", Money("10", "USD"), PAID)
    order.ship(PAID + timedelta(days=1), meta={EVERY_KIND[:64]: EVERY_KIND})
    assert dumps(order) == _json_module(order)
    assert loads(dumps(order)).history == order.history


@pytest.mark.parametrize("indent", [None, 0, 1, 4, 2])
def test_dumps_writes_any_indent_as_the_json_module_does(indent: int | None) -> None:
    """Every indent gives the json module's text."""
    order = Order("json-3", Money("10", "USD"), PAID)
    order.ship(PAID + timedelta(days=1), meta={"x": "y"})
    assert dumps(order, indent=indent) == _json_module(order, indent)
