"""Recognising a repeated event: the same action delivered twice, recorded once.

A caller may give every action the id of the event it comes from (a webhook's, a
message's): `event_id`. The id is kept in the history entry, unique in the order's
log. `Repeats` is the part of `Order` that, before an action does anything, finds the
entry an event id was first recorded for and decides: the same action again (recorded
once, the first result returned), or a conflict (`InvalidInput`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._text import shown
from ._time import iso, utc
from .errors import InvalidInput
from .history import EVENT_ID, HistoryEntry, Record
from .history import entry as entry_of
from .history import event_id as checked_event_id
from .lifecycle import DISPUTE

if TYPE_CHECKING:
    from .dispute import Dispute


def _compared(details: Mapping[str, Any]) -> Mapping[str, Any]:
    """An entry's details as compared for a repeated event: ``meta`` is the caller's, and
    a default given explicitly is the default (a shipment's promised days are its
    protection days unless given)."""
    compared = {key: value for key, value in details.items() if key != "meta"}
    if "promised_days" in compared and compared["promised_days"] is None:
        compared["promised_days"] = compared.get("protection_days")
    return compared


class Repeats:
    """The repeated-event check of an order (a mixin of `Order`, with no state of its own)."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them.
    _entries: list[Record]
    _observations: list[HistoryEntry] | tuple[()]
    _last_at: datetime

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        raise NotImplementedError  # pragma: no cover - Order defines it

    def _again(
        self,
        event_id: object,
        action: str,
        target: object,
        at: object,
        details: Mapping[str, Any],
    ) -> tuple[str | None, HistoryEntry | None]:
        """The checked *event_id*, and the entry first recorded for it when this call
        repeats it: the same *action* on the same *target* (the order, or one of its
        disputes) at the same instant with the same details (``meta`` aside).

        Checked before anything else, so a redelivered event dated before the last
        recorded one is still recognised. An event id used for anything else is
        `InvalidInput` naming that entry.
        """
        event = checked_event_id(event_id)
        if event is None:
            return None, None
        first = self._event_entry(event)
        if first is None:
            return event, None
        when = utc(at)
        if (
            first.action == action
            and self._target_of(first) is target
            and first.at == when
            and _compared(first.details) == _compared(details)
        ):
            return event, first
        raise InvalidInput(
            f"event_id: {shown(event)} was already used by {first.action} at {iso(first.at)} "
            f"(entry {first.id}); a repeated event repeats the same action on the same "
            "dispute or order, at the same instant, with the same arguments"
        )

    def _event_entry(self, event: str) -> HistoryEntry | None:
        """The entry recorded for the caller's *event* id, or None."""
        for kept in self._entries:
            if kept[EVENT_ID] == event:
                return entry_of(kept)
        return next((e for e in self._observations if e.event_id == event), None)

    def _target_of(self, entry: HistoryEntry) -> object:
        """What *entry* acted on: the order, or the dispute it belongs to."""
        if entry.action not in DISPUTE.triggers:
            return self
        return next(d for d in reversed(self.disputes) if d._first_id < entry.id)
