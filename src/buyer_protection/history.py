"""The audit log: who did what, when, from which state to which, with what."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from ._time import utc
from .errors import InvalidInput
from .lifecycle import Actor, State
from .money import Money

NO_DETAILS: Mapping[str, Any] = MappingProxyType({})
META_TYPES = (str, int, bool, type(None), Money, datetime)
"""What a ``meta`` value may be, so that the history can be stored."""


def with_meta(details: Mapping[str, Any], meta: object) -> Mapping[str, Any]:
    """*details* plus the caller's *meta* (validated, copied) under the key ``"meta"``."""
    if meta is None:
        return details
    if not isinstance(meta, Mapping) or not all(isinstance(k, str) for k in meta):
        raise InvalidInput(f"meta: expected a mapping with str keys, got {meta!r}")
    for key, value in meta.items():
        if not isinstance(value, META_TYPES):
            raise InvalidInput(
                f"meta[{key!r}]: {type(value).__name__} {value!r} cannot be stored; "
                "use str, int, bool, None, Money or an aware datetime"
            )
    # Instants are kept in UTC, like every instant the library records.
    kept = {k: utc(v, f"meta[{k!r}]") if isinstance(v, datetime) else v for k, v in meta.items()}
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
    ``after`` are None, and it is dated at the carrier's scan.
    """

    id: int
    at: datetime
    actor: Actor
    action: str
    before: State | None
    after: State | None
    details: Mapping[str, Any] = NO_DETAILS
