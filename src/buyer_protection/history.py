"""The audit log: who did what, when, from which state to which, with what."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any

import attrs

from ._text import NAME_LIMIT, kind, shown, text
from ._time import utc
from .errors import InvalidInput
from .lifecycle import Actor, DisputeState, OrderState, State
from .money import Money

NO_DETAILS: Mapping[str, Any] = MappingProxyType({})
META_TYPES = (str, int, bool, type(None), Money, datetime)
"""What a ``meta`` value may be, so that the history can be stored."""

META_INT = 2**63
"""``meta`` ints lie in [-2**63, 2**63): signed 64 bits, as every database stores them."""


def with_meta(details: Mapping[str, Any], meta: object) -> Mapping[str, Any]:
    """*details* plus the caller's *meta* (validated, copied) under the key ``"meta"``.

    A key is a non-empty str of at most `NAME_LIMIT` characters; a value is None, a
    bool, an int in [-2**63, 2**63), a str of at most `TEXT_LIMIT` characters,
    `Money` or an aware datetime (kept in UTC). Whatever is accepted can be saved and
    loaded back; anything else is `InvalidInput`, and the action changes nothing.
    """
    if meta is None:
        return details
    if not isinstance(meta, Mapping):
        raise InvalidInput(f"meta: expected a mapping with str keys, got {kind(meta)}")
    kept: dict[str, Any] = {}
    for key, value in meta.items():
        text(key, f"meta key {shown(key, 40)}", limit=NAME_LIMIT, empty=False)
        where = f"meta[{shown(key, 40)}]"
        if isinstance(value, str):
            value = str.__str__(text(value, where))  # a str subclass is kept as its text
        elif isinstance(value, int) and not isinstance(value, bool):
            value = int(value)  # an IntEnum, say, is kept as its number
            if not -META_INT <= value < META_INT:
                raise InvalidInput(
                    f"{where}: {shown(value)} is out of range; meta ints are signed 64-bit "
                    "(from -2**63 to 2**63 - 1): store a larger number as a str"
                )
        elif isinstance(value, datetime):
            value = utc(value, where)  # instants are kept in UTC, like every instant
        elif not isinstance(value, META_TYPES):
            raise InvalidInput(
                f"{where}: {kind(value)} cannot be stored; "
                "use str, int, bool, None, Money or an aware datetime"
            )
        kept[str.__str__(key)] = value
    return {**details, "meta": kept}


@attrs.frozen
class HistoryEntry:
    """One change of an order or a dispute, by a person or by the clock.

    ``details`` holds everything the action was given (amounts, reason, evidence,
    protection days, ...), so that an order can be rebuilt from its entries.
    ``id`` numbers the entries of one order and its disputes in the order they
    were recorded. Automatic steps (actor ``system``) are dated at their
    deadline, not at the call that applied them. A tracking observation (actor
    ``carrier``, action ``add_tracking``) changes no state: its ``before`` and
    ``after`` are None, and it is dated at the carrier's scan. ``event_id`` is the
    caller's id for the event (a webhook's or a message's), unique in the order's
    log: an action repeated with it is recognised and recorded once.
    """

    id: int
    at: datetime
    actor: Actor
    action: str
    before: State | None
    after: State | None
    details: Mapping[str, Any] = NO_DETAILS
    event_id: str | None = None


def event_id(value: object) -> str | None:
    """*value* if it is an event id (a non-empty str of at most `NAME_LIMIT` characters)
    or None, else `InvalidInput`."""
    if value is None:
        return None
    return str.__str__(text(value, "event_id", limit=NAME_LIMIT, empty=False))


# -- entries as kept -------------------------------------------------------------------
#
# An order keeps its entries as plain tuples of numbers, strings, instants and
# decimals, and makes `HistoryEntry` values from them when they are read. Python's
# garbage collector stops tracking such tuples, so a program holding many orders
# does not have every entry walked again at each full collection (it was the
# largest cost of a lifecycle; see benchmarks/).

Record = tuple[Any, ...]
"""One entry as kept: id, at, actor code, action, before and after codes, event id,
then each detail's key and value (an amount or an enum member spread over three values)."""

ID, AT, ACTOR, ACTION, EVENT_ID = 0, 1, 2, 3, 6

_STATES: tuple[State, ...] = (*OrderState, *DisputeState)
_STATE_CODES = {state: code for code, state in enumerate(_STATES)}
_ACTORS = tuple(Actor)
_ACTOR_CODES = {actor: code for code, actor in enumerate(_ACTORS)}
_ENUMS: list[type[Enum]] = []
_ENUM_CODES: dict[type[Enum], int] = {}


def keep_enums(*classes: type[Enum]) -> None:
    """Let *classes*' members appear in details (they are kept as their values)."""
    for cls in classes:
        if cls not in _ENUM_CODES:
            _ENUM_CODES[cls] = len(_ENUMS)
            _ENUMS.append(cls)


def record(
    number: int,
    at: datetime,
    actor: Actor,
    action: str,
    before: State | None,
    after: State | None,
    details: Mapping[str, Any],
    event: str | None = None,
) -> Record:
    """An entry as kept: one flat tuple, details spread after the fixed fields."""
    head = (
        number,
        at,
        _ACTOR_CODES[actor],
        action,
        None if before is None else _STATE_CODES[before],
        None if after is None else _STATE_CODES[after],
        event,
    )
    if not details:
        return head
    spread: list[Any] = []
    for key, value in details.items():
        kind = type(value)
        if kind is Money:
            spread += (key, _MONEY, value.amount, value.currency)
        elif kind in _ENUM_CODES:
            spread += (key, _ENUM, _ENUM_CODES[kind], value.value)
        else:
            spread += (key, value)
    return head + tuple(spread)


# Markers for a spread value: singletons that no detail is ever equal to.
_MONEY = Ellipsis
_ENUM = NotImplemented
_FIXED = 7


def entry(kept: Record) -> HistoryEntry:
    """The `HistoryEntry` a kept record stands for."""
    details: Mapping[str, Any] = NO_DETAILS
    if len(kept) > _FIXED:
        details = {}
        i = _FIXED
        while i < len(kept):
            key, value = kept[i], kept[i + 1]
            if value is _MONEY:
                value, i = Money._exact(kept[i + 2], kept[i + 3]), i + 4
            elif value is _ENUM:
                value, i = _ENUMS[kept[i + 2]](kept[i + 3]), i + 4
            else:
                i += 2
            details[key] = value
    number, at, actor, action, before, after, event = kept[:_FIXED]
    return HistoryEntry(
        number,
        at,
        _ACTORS[actor],
        action,
        None if before is None else _STATES[before],
        None if after is None else _STATES[after],
        details,
        event,
    )
