"""Rebuilding an order from its event log: `Order.replay` and `Order.ingest`.

Actions in the log are performed again through the rules; automatic (``system``)
entries are derived again and checked, never trusted; tracking observations are
added. Every entry is checked for shape before anything about it is used, so a
log from elsewhere gives `InvalidInput` naming the entry, never a raw exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, cast

import attrs

from ._document import entry_from_dict
from ._text import kind, shown
from ._time import iso, utc
from .errors import InvalidAction, InvalidInput
from .history import ACTION, ID, HistoryEntry, Record, event_id
from .history import entry as entry_of
from .lifecycle import DISPUTE, ORDER, Actor, DisputeState, OrderState, Transition
from .tracking import TrackingEvent

if TYPE_CHECKING:
    from .dispute import Dispute

MAX_ID = 2**53
"""The largest id an entry may jump to. Above it, ids only follow on one by one, as the
library numbers its own entries: so the steps that follow always have ids to spare
below the signed 64 bits that documents and databases hold (and an id an app chose
stays exact in JavaScript, whose numbers hold integers up to 2**53)."""

_INT64 = 2**63 - 1
_STATE_TYPES = (OrderState, DisputeState)

_ROWS: dict[str, Transition] = {row.trigger: row for lc in (ORDER, DISPUTE) for row in lc.table}


def _named(action: str) -> str:
    """An entry's action for messages: as written when it looks like a name, else quoted."""
    return action if len(action) <= 40 and action.isidentifier() else shown(action)


def _place(where: str, entry: HistoryEntry) -> str:
    """Where *entry* is, for messages: its place in the log, its id, action and instant."""
    return f"{where} (id {entry.id}, {_named(entry.action)} at {iso(utc(entry.at))})"


def _id_of(entry: HistoryEntry) -> int:
    return entry.id


def _same_step(a: HistoryEntry, b: HistoryEntry) -> bool:
    """Two records of one automatic step, whatever ids they were given."""
    return attrs.evolve(a, id=b.id) == b


def _fields_of(model: object) -> dict[str, Any]:
    """A model's attribute values, its lists copied (to put back after a refusal)."""
    names = [a.name for a in attrs.fields(cast(Any, type(model)))]
    values = {name: getattr(model, name) for name in names}
    return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}


def checked(entry: object, where: str, time: str = "at") -> HistoryEntry:
    """*entry* if every field has the type a log entry has, else `InvalidInput` at *where*."""
    if not isinstance(entry, HistoryEntry):
        raise InvalidInput(f"{where}: expected a HistoryEntry, got {kind(entry)}")
    number = entry.id
    if type(number) is not int or not 0 < number <= _INT64:
        raise InvalidInput(f"{where}: id: expected an int from 1 to 2**63 - 1, got {kind(number)}")
    try:
        utc(entry.at, time)
    except InvalidInput as err:
        raise InvalidInput(f"{where}: {err}") from None
    if not isinstance(entry.actor, Actor):
        raise InvalidInput(
            f"{where} (id {number}): actor: expected an Actor, got {kind(entry.actor)}"
        )
    if not isinstance(entry.action, str):
        raise InvalidInput(
            f"{where} (id {number}): action: expected a str, got {kind(entry.action)}"
        )
    for name in ("before", "after"):
        value = getattr(entry, name)
        if value is not None and not isinstance(value, _STATE_TYPES):
            raise InvalidInput(
                f"{where} (id {number}): {name}: expected a state or None, got {kind(value)}"
            )
    details = entry.details
    if not isinstance(details, Mapping) or not all(isinstance(k, str) for k in details):
        raise InvalidInput(
            f"{where} (id {number}): details: expected a mapping with str keys, got {kind(details)}"
        )
    try:
        event_id(entry.event_id)
    except InvalidInput as err:
        raise InvalidInput(f"{where} (id {number}): {err}") from None
    return entry


class Replay:
    """Replay and ingestion of an order's event log (a mixin of `Order`)."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them.
    _entries: list[Record]
    _observations: list[HistoryEntry] | tuple[()]
    _last_at: datetime
    _next_id: int
    _pay_id: int
    _dispute: Dispute | None
    _earlier: tuple[Dispute, ...]

    @property
    def log(self) -> tuple[HistoryEntry, ...]:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @property
    def dispute(self) -> Dispute | None:
        raise NotImplementedError  # pragma: no cover - Order defines it

    def _pay_entry(self) -> HistoryEntry:
        raise NotImplementedError  # pragma: no cover - Order defines it

    def advance(self, at: datetime) -> None:
        raise NotImplementedError  # pragma: no cover - Clock defines it

    def add_tracking(self, event: TrackingEvent, *, event_id: str | None = None) -> bool:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @classmethod
    def _rebuild(cls, log: Iterable[HistoryEntry]) -> Self:
        """The order the event log *log* describes (`Order.replay`)."""
        if isinstance(log, str | bytes | Mapping) or not isinstance(log, Iterable):
            raise InvalidInput(f"log: expected an iterable of HistoryEntry, got {kind(log)}")
        entries = iter(log)
        first = next(entries, None)
        if first is None:
            raise InvalidInput(
                "log[0]: missing: the log is empty; it starts with the order's 'pay' entry"
            )
        first = checked(first, "log[0]", "paid_at")
        if first.event_id is not None:
            raise InvalidInput(
                f"log[0]: event_id: the 'pay' entry has no event id (it is the order's "
                f"creation), got {shown(first.event_id)}"
            )
        if first.action != "pay" or first.before is not None or first.actor is not Actor.BUYER:
            raise InvalidInput(f"log[0]: expected the order's 'pay' entry, got {shown(first, 200)}")
        try:
            order: Self = cast(Any, cls)(paid_at=first.at, **first.details)
        except TypeError:
            raise InvalidInput(
                f"log[0]: the 'pay' entry's details {shown(sorted(first.details))} do not fit; "
                "expected order_id, total and policy (and assumed, when some were)"
            ) from None
        except InvalidInput as err:
            raise InvalidInput(f"log[0]: {err}") from None
        order._pay_id = order._next_id = first.id
        if order._pay_entry() != first:
            raise InvalidInput(
                f"log[0]: the rules record the 'pay' entry differently: "
                f"{shown(order._pay_entry(), 200)}"
            )
        seen = {first.id: order._pay_entry()}
        for index, entry in enumerate(entries, 1):
            order._ingest(entry, seen, f"log[{index}]")
        return order

    def ingest(self, entry: HistoryEntry | Mapping[str, Any]) -> bool:
        """Apply one log entry that arrived from elsewhere; False if its id was applied.

        *entry* is a `HistoryEntry`, or a dict in the log format of
        `storage.log_to_list` (so that a queue can carry entries as JSON). The same
        rules as `Order.replay`: an action entry is performed again, an automatic one
        is checked, a tracking observation is added. A new action entry's ``id`` must
        be greater than every id recorded so far. A refused entry changes nothing.
        """
        if isinstance(entry, Mapping):
            entry = entry_from_dict(entry)
        elif not isinstance(entry, HistoryEntry):
            raise InvalidInput(
                "entry: expected a HistoryEntry or a dict in the log format of "
                f"storage.log_to_list, got {kind(entry)}"
            )
        models: list[object] = [self, *self.disputes]
        saved = [(model, _fields_of(model)) for model in models]
        try:
            return self._ingest(entry, {e.id: e for e in self.log}, "entry")
        except BaseException:
            for model, fields in saved:  # a refused entry leaves no trace
                for name, value in fields.items():
                    setattr(model, name, value)
            raise

    def _ingest(self, entry: object, seen: dict[int, HistoryEntry], where: str) -> bool:
        entry = checked(entry, where)
        known = seen.get(entry.id)
        if known is not None:
            if known == entry:
                return False
            raise InvalidInput(f"{_place(where, entry)}: its id was already used by {known.action}")
        last_id = self._next_id
        if entry.id > max(MAX_ID, last_id + 1):
            raise InvalidInput(
                f"{_place(where, entry)}: an id may jump to at most {MAX_ID}; above it ids "
                f"follow on one by one, and the last one used is {last_id}"
            )
        try:
            recorded = self._perform(entry)
        except (InvalidInput, InvalidAction) as err:
            raise InvalidInput(f"{_place(where, entry)}: {err}") from None
        except TypeError:
            raise InvalidInput(
                f"{_place(where, entry)}: its details {shown(sorted(entry.details))} do not fit "
                "the action"
            ) from None
        seen.update((e.id, e) for e in self._logged_after(last_id))
        if recorded is not None and recorded != entry:
            raise InvalidInput(
                f"{_place(where, entry)}: the rules record it differently: {shown(recorded, 400)}"
            )
        return True

    def _logged_after(self, last_id: int) -> list[HistoryEntry]:
        """The log's entries whose ids are above *last_id*, in the log's order (by id).

        Only those are made into `HistoryEntry` values: the kept records are in id
        order (each action takes a greater id), so they are read from the end."""
        found = []
        for kept in reversed(self._entries):
            if kept[ID] <= last_id:
                break
            found.append(entry_of(kept))
        found.reverse()
        found += [e for e in self._observations if e.id > last_id]
        return sorted(found, key=_id_of)

    def _become(self, other: Self) -> None:
        """Take every fact of *other*, an order rebuilt from the same sources (what
        `aliexpress.sync` does), in place. The dispute objects stay: each takes what the
        dispute at its place in *other* is, so that one a caller holds is still the
        order's own and sees the rebuilt state."""
        kept = self.disputes
        for name, value in _fields_of(other).items():
            setattr(self, name, value)
        rebuilt = self.disputes
        for old, new in zip(kept, rebuilt, strict=False):
            for name, value in _fields_of(new).items():
                setattr(old, name, value)
        disputes = (*kept[: len(rebuilt)], *rebuilt[len(kept) :])
        for dispute in disputes:
            dispute.order = cast(Any, self)
        self._earlier = disputes[:-1]
        self._dispute = disputes[-1] if disputes else None

    def _perform(self, entry: HistoryEntry) -> HistoryEntry | None:
        """Carry out one log entry; the entry it recorded (None for a checked one)."""
        row = _ROWS.get(entry.action)
        if entry.action == "add_tracking":
            if entry.actor is not Actor.CARRIER:
                raise InvalidInput(f"'add_tracking' is the carrier's; not {entry.actor.value}'s")
            return self._observe(entry)
        if entry.action == "pay":
            raise InvalidInput("only the log's first entry is the order's 'pay' entry")
        if row is None:
            raise InvalidInput(f"{shown(entry.action, 40)} is not an action of this library")
        if (row.actor is Actor.SYSTEM) != (entry.actor is Actor.SYSTEM):
            by = "the system (an automatic step)" if row.actor is Actor.SYSTEM else row.actor.value
            raise InvalidInput(f"{entry.action!r} is taken by {by}, not by {entry.actor.value}")
        if entry.event_id is not None:
            first = next((e for e in self.log if e.event_id == entry.event_id), None)
            if first is not None:  # a new entry for an event the order already has
                raise InvalidInput(
                    f"event_id: {shown(entry.event_id)} was already used by {first.action} "
                    f"at {iso(first.at)} (entry {first.id})"
                )
            if entry.actor is Actor.SYSTEM:
                raise InvalidInput("an automatic step has no event id; it is the rules' own")
        if entry.actor is Actor.SYSTEM:
            if entry.at >= self._last_at:
                self.advance(entry.at)
            # The first entry of the log that records the same step: one of the kept
            # records (the 'pay' entry and observations have other actions).
            candidates = (entry_of(r) for r in self._entries if r[ACTION] == entry.action)
            derived = next((e for e in candidates if _same_step(e, entry)), None)
            if derived is None:
                raise InvalidInput("this automatic step does not follow from the rules")
            if derived.id != entry.id:
                raise InvalidInput(f"the rules record this step with id {derived.id}")
            return None
        last_id = self._next_id
        self.advance(entry.at)
        if entry.id <= self._next_id:
            steps = [f"{e.action} at {iso(e.at)}" for e in self.log if e.id > last_id]
            if steps:
                raise InvalidInput(
                    f"the rules applied {', '.join(steps)} before it, which the log does not "
                    "have at this place"
                )
            raise InvalidInput(f"its id must be greater than {self._next_id}, the last one used")
        target: object = self
        if entry.action in DISPUTE.triggers:
            target = self.dispute
            if target is None:
                raise InvalidInput("there is no dispute to act on")
        self._next_id = entry.id - 1
        count = len(self._entries)
        getattr(target, entry.action)(entry.at, **entry.details, event_id=entry.event_id)
        return next(entry_of(r) for r in self._entries[count:] if r[ACTION] == entry.action)

    def _observe(self, entry: HistoryEntry) -> HistoryEntry | None:
        """Add the tracking observation *entry*; the entry recorded (None if already known)."""
        event = entry.details.get("event")
        if not isinstance(event, TrackingEvent) or set(entry.details) != {"event"}:
            raise InvalidInput(
                f"details: expected only 'event', a TrackingEvent, got {shown(entry.details)}"
            )
        if entry.event_id is not None:
            first = next((e for e in self.log if e.event_id == entry.event_id), None)
            if first is not None:
                raise InvalidInput(
                    f"event_id: {shown(entry.event_id)} was already used by {first.action} "
                    f"at {iso(first.at)} (entry {first.id})"
                )
        if not self.add_tracking(event, event_id=entry.event_id):
            return None  # a scan already known, under another id
        assert isinstance(self._observations, list)
        self._observations[-1] = attrs.evolve(self._observations[-1], id=entry.id)
        self._next_id = max(self._next_id, entry.id)
        return self._observations[-1]
