"""The audit log: who did what, when, from which state to which, with what."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from .errors import InvalidInput

if TYPE_CHECKING:
    from .lifecycle import State


class Actor(enum.Enum):
    """Who acted: a person's side, the marketplace, the clock, or the carrier (tracking)."""

    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"
    SYSTEM = "system"
    CARRIER = "carrier"


NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


def with_meta(details: Mapping[str, Any], meta: object) -> Mapping[str, Any]:
    """*details* plus the caller's *meta* (validated, copied) under the key ``"meta"``."""
    if meta is None:
        return details
    if not isinstance(meta, Mapping) or not all(isinstance(k, str) for k in meta):
        raise InvalidInput(f"meta: expected a mapping with str keys, got {meta!r}")
    return {**details, "meta": dict(meta)}


@attrs.frozen
class HistoryEntry:
    """One change of an order or a dispute, by a person or by the clock.

    ``details`` holds everything the action was given (amounts, reason, evidence,
    protection days, ...), so that an order can be rebuilt from its entries.
    ``id`` numbers the entries of one order and its disputes in the order they
    were recorded. Automatic steps (actor ``system``) are dated at their
    deadline, not at the call that applied them.
    """

    id: int
    at: datetime
    actor: Actor
    action: str
    before: State | None
    after: State
    details: Mapping[str, Any] = NO_DETAILS
