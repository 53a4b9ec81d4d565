"""The shape of a stored document, and how the converter reads exactly that shape.

`storage` builds documents from orders and orders from documents; this module says
what a document holds (`OrderDocument` and its parts) and adds to the one converter
(`_convert.CONVERTER`, which knows the values: instants, durations, calendars) how
money, enums, entries, details and policies are written and read. A policy is written
as ``{"name", "version"}`` when it is a preset, whole otherwise. Every structure hook
accepts exactly what the unstructure side writes and raises `ValueError` otherwise,
which cattrs collects with its path; messages quote outside values with
`shown`/`kind`, so that a string of megabytes or an int of thousands of digits stays a
short message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Final, cast

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from ._convert import (
    CONVERTER,
    exact,
    fail,
    fields_in,
    fields_out,
    instant,
    integer,
    problems_of,
    string,
    unicode,
)
from ._text import NAME_LIMIT, TEXT_LIMIT, kind, shown
from ._time import member
from .calendars import Calendar
from .errors import InvalidInput
from .history import HistoryEntry
from .lifecycle import LIFECYCLES, Actor, DisputeState, OrderState
from .money import Money
from .policy import Policy
from .presets import is_preset, known, preset
from .terms import Agreement, Outcome, Reason, Remedy, Resolution
from .tracking import TrackingEvent, TrackingStatus

State = OrderState | DisputeState


def _within(limit: int, *, empty: bool = True) -> Any:
    """A check that a text is at most *limit* characters (and not empty unless *empty*),
    as the library's actions require, so a document holds only what an order can."""

    def check(_: object, attribute: attrs.Attribute[Any] | None, value: str) -> None:
        name = "" if attribute is None else f"{attribute.name}: "
        if len(value) > limit:
            raise ValueError(f"{name}{len(value)} characters is too long; at most {limit}")
        if not empty and not value:
            raise ValueError(f"{name}expected a non-empty string")

    return check


@attrs.frozen
class Observation:
    """A tracking event as stored: the event and the id it was recorded with."""

    id: int
    at: datetime
    status: TrackingStatus
    description: str = attrs.field(validator=_within(TEXT_LIMIT))
    location: str = attrs.field(validator=_within(TEXT_LIMIT))
    event_id: str | None

    def entry(self) -> HistoryEntry:
        """The log's ``add_tracking`` entry of this observation (`Order.log` has it)."""
        event = TrackingEvent(self.at, self.status, self.description, self.location)
        return HistoryEntry(
            self.id,
            self.at,
            Actor.CARRIER,
            "add_tracking",
            None,
            None,
            {"event": event},
            self.event_id,
        )


@attrs.frozen
class DisputeDocument:
    """A dispute as stored."""

    reason: Reason
    request: Money
    opened_at: datetime
    evidence: tuple[str, ...]
    description: str
    by_platform: bool
    state: DisputeState
    requested_at: datetime
    remedy: Remedy
    return_postage_by: Actor | None
    counter_offer: Money | None
    counter_remedy: Remedy | None
    countered_at: datetime | None
    agreement: Agreement | None
    return_tracking: str | None = attrs.field(
        validator=attrs.validators.optional(_within(NAME_LIMIT, empty=False))
    )
    return_carrier: str = attrs.field(validator=_within(NAME_LIMIT))
    return_shipped_at: datetime | None
    escalated_at: datetime | None
    appealed_at: datetime | None
    outcome: Outcome | None
    history: tuple[HistoryEntry, ...]


@attrs.frozen
class OrderDocument:
    """An order as stored."""

    schema_version: int
    order_id: str
    total: Money
    paid_at: datetime
    policy: Policy
    state: OrderState
    shipped_at: datetime | None
    protection_days: int | None
    promised_days: int | None
    by_platform: bool
    extension_days: int
    extension_requested: int | None
    completed_at: datetime | None
    refunded: Money
    estimated_delivery: datetime | None
    contacted_at: datetime | None
    assumed: tuple[str, ...]
    disputes: tuple[DisputeDocument, ...]
    history: tuple[HistoryEntry, ...]
    tracking: tuple[Observation, ...]


DETAIL_TYPES: Mapping[str, Any] = {
    "order_id": str,
    "total": Money,
    "policy": Policy,
    "protection_days": int,
    "by_platform": bool,
    "promised_days": int | None,
    "estimated_delivery": datetime,
    "by": Actor,
    "days": int,
    "reason": Reason,
    "refund": Money,
    "evidence": tuple[str, ...],
    "description": str,
    "counter_offer": Money,
    "remedy": Remedy,
    "return_postage_by": Actor,
    "tracking_number": str,
    "carrier": str,
    "note": str,
    "reached_by": Resolution,
    "event": TrackingEvent,
    "assumed": tuple[str, ...],
    "meta": dict,
}
"""The type of each key a history entry's ``details`` may hold."""


# -- the converter ---------------------------------------------------------------

_AMOUNT = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,10})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
ACTIONS: Final = frozenset(
    {"pay", "add_tracking", *(row.trigger for lifecycle in LIFECYCLES for row in lifecycle.table)}
)
"""The action names a history entry may have: ``pay``, ``add_tracking`` and every trigger."""


def _money(value: object, _: type) -> Money:
    if type(value) is dict and len(value) == 2:  # as written: no Mapping (abc) check
        amount, currency = value.get("amount"), value.get("currency")
        if type(amount) is str and type(currency) is str:
            return _money_of(amount, currency)
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise fail(value, 'an object {"amount": "12.34", "currency": "USD"}')
    amount, currency = value["amount"], value["currency"]
    if type(amount) is str and type(currency) is str:
        return _money_of(amount, currency)
    return _amount_in(amount, currency)


def _amount_in(amount: object, currency: object) -> Money:
    """The `Money` an amount and a currency of a document are, written as `to_dict` does."""
    if not isinstance(amount, str) or _AMOUNT.fullmatch(amount) is None:
        raise fail(amount, "the amount as a decimal string such as '12.34'")
    if not isinstance(currency, str) or _CURRENCY.fullmatch(currency) is None:
        raise fail(currency, "the currency as an ISO 4217 code such as 'USD'")
    money = Money(amount, currency)
    if str(money.amount) != amount:  # equal in value, but not as the library writes it
        raise ValueError(
            f"{shown(amount)} is not written as the library writes it: "
            f"{str(money.amount)!r} ({currency}'s minor unit)"
        )
    return money


# A document repeats its amounts (the total, each refund), and so do orders: the same
# text is read once. Only amounts read are kept (a refusal raises a new error each time).
_money_of = functools.lru_cache(maxsize=1024)(_amount_in)


def _enum(cls: type[Enum]) -> Callable[[object, type], Enum]:
    by_value = {m.value: m for m in cls}  # a document's value is a str: found at once

    def structure(value: object, _: type) -> Enum:
        if type(value) is str and (found := by_value.get(value)) is not None:
            return found
        return member(cls, value)

    return structure


# Where a value is an order's state and a dispute's, it is the order's (as below).
_STATES: Mapping[str, State] = {s.value: s for s in (*DisputeState, *OrderState)}


def _state(value: object, _: type) -> State | None:
    if value is None:
        return None
    if type(value) is str and (found := _STATES.get(value)) is not None:
        return found
    for cls in (OrderState, DisputeState):
        try:
            return cast(State, member(cls, value))
        except InvalidInput:
            pass
    known = ", ".join(repr(s.value) for s in (*OrderState, *DisputeState))
    raise ValueError(f"{shown(value)} is not a state; one of {known}")


_VALUES: Mapping[Enum, str] = {
    m: m.value
    for cls in (Reason, Resolution, Remedy, Actor, TrackingStatus, OrderState, DisputeState)
    for m in cls
}
"""Each enum member's value, found by a dict (`Enum.value` is a descriptor, slower)."""


def _state_out(value: State | None) -> str | None:
    return None if value is None else _VALUES[value]


def _event_id(value: object, _: type = str) -> str | None:
    """An entry's event id: null, or a non-empty string of at most `NAME_LIMIT` characters."""
    if value is None:
        return None
    text = string(value)
    _within(NAME_LIMIT, empty=False)(None, None, text)
    return text


def _action(value: object, _: type = str) -> str:
    if not isinstance(value, str) or value not in ACTIONS:
        raise ValueError(f"{shown(value)} is not an action; one of {', '.join(sorted(ACTIONS))}")
    return value


def _missing(name: str, cls: type) -> KeyError:
    err = KeyError(name)
    err.__notes__ = [AttributeValidationNote(f"Structuring class {cls.__name__}", name, Any)]
    return err


def _object_of(
    cls: Any, converter: cattrs.Converter, **fields: Any
) -> Callable[[object, type], Any]:
    """*cls* from an object that has every one of its fields, and nothing else.

    A field with a default (an entry's ``details``) is required too: `to_dict` writes it.
    """
    structure = make_dict_structure_fn(cls, converter, **fields)
    defaulted = [f.name for f in attrs.fields(cls) if f.default is not attrs.NOTHING]
    # The quick reading of an object that has exactly the fields: each field's hook (the
    # ones cattrs calls), the class made at once. On any failure the detailed reading
    # below reads it again, to name every problem with its path.
    every = attrs.fields(attrs.resolve_types(cls))
    names = frozenset(f.name for f in every)
    hooks = [
        (f.name, getattr(fields.get(f.name), "struct_hook", None), f.type)
        for f in every
        if f.init and not f.kw_only and f.alias == f.name
    ]
    quick = [
        (name, converter.get_structure_hook(kind_of) if given is None else given, kind_of)
        for name, given, kind_of in hooks
    ]
    if len(quick) != len(every):  # pragma: no cover - every document class qualifies
        quick = []

    def hook(value: object, _: type) -> Any:
        if quick and type(value) is dict and value.keys() == names:
            try:
                return cls(*[read(value[name], kind_of) for name, read, kind_of in quick])
            except Exception:  # read again in detail below, to name the problem
                pass
        if not isinstance(value, Mapping):
            raise fail(value, "an object")
        missing = [_missing(name, cls) for name in defaulted if name not in value]
        try:
            result = structure(value, cls)
        except ClassValidationError as err:
            if missing:
                raise ClassValidationError(err.message, [*err.exceptions, *missing], cls) from None
            raise
        if missing:
            raise ClassValidationError(f"invalid {cls.__name__}", missing, cls)
        return result

    return hook


def _meta_out(value: object) -> object:
    if isinstance(value, Money):
        return {"$money": CONVERTER.unstructure(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    return value


def _meta_in(value: object) -> object:
    if isinstance(value, Mapping):
        if set(value) == {"$money"}:
            return _money(value["$money"], Money)
        if set(value) == {"$datetime"}:
            return instant(value["$datetime"])
        raise fail(value, 'a scalar, {"$money": ...} or {"$datetime": ...}')
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, str):
        _within(TEXT_LIMIT)(None, None, value)
        return unicode(value)
    raise fail(value, "a string, integer, boolean or null")


class _Key(str):
    """A key as a path shows it, bounded: cattrs writes a path's keys with their repr."""

    __slots__ = ()

    def __new__(cls, key: object) -> _Key:
        return super().__new__(cls, shown(key))

    def __repr__(self) -> str:
        return str(self)


def _meta(value: object) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise fail(value, "an object")
    meta: dict[str, object] = {}
    errors: list[Exception] = []
    for key, item in value.items():
        try:
            if not isinstance(key, str):
                raise ValueError(f"expected a string key, got {kind(key)}")
            _within(NAME_LIMIT, empty=False)(None, None, key)
            meta[unicode(key)] = _meta_in(item)
        except ValueError as err:  # collected, and reported with its path
            where = _Key(key)
            err.__notes__ = [IterableValidationNote(f"meta[{where}]", where, Any)]
            errors.append(err)
    if errors:
        raise IterableValidationError("invalid meta", errors, dict)
    return meta


def _details_out(details: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key == "meta":
            out[key] = {k: _meta_out(v) for k, v in value.items()}
        else:
            hook = _DETAILS_OUT.get(key)
            out[key] = CONVERTER.unstructure(value, Any) if hook is None else hook(value)
    return out


_DETAILS_IN: dict[str, Callable[[Any, Any], Any]] = {}
_DETAILS_OUT: dict[str, Callable[[Any], Any]] = {}
"""The structure and unstructure hooks of each detail's type (`DETAIL_TYPES`), found once."""


def _details_in(value: object, _: type) -> Mapping[str, Any]:
    if type(value) is dict:  # quickly; on any failure, again in detail to name the problem
        try:
            return {key: _DETAILS_IN[key](item, DETAIL_TYPES[key]) for key, item in value.items()}
        except Exception:  # an unknown key too
            pass
    if not isinstance(value, Mapping):
        raise fail(value, "an object")
    unknown = [shown(key) for key in value if key not in DETAIL_TYPES]
    if unknown:
        raise ValueError(
            f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}: not a known detail; "
            f"the details are {', '.join(DETAIL_TYPES)}"
        )
    details: dict[str, Any] = {}
    errors: list[Exception] = []
    for key, item in value.items():
        try:
            details[key] = _DETAILS_IN[key](item, DETAIL_TYPES[key])
        except Exception as err:  # collected, and reported with its path
            err.__notes__ = [AttributeValidationNote(f"details {key}", key, DETAIL_TYPES[key])]
            errors.append(err)
    if errors:
        raise ClassValidationError("invalid details", errors, dict)
    return details


def _policy_out(policy: Policy) -> dict[str, Any]:
    """A preset by its name and version; any other policy whole (`fields_out`)."""
    if is_preset(policy):
        return {"name": policy.name, "version": policy.version}
    return fields_out(policy)


def _policy_in(value: object, _: type) -> Policy:
    """A preset named by its name and version, or a policy whole, each field checked on
    its own so that every bad one is named."""
    if type(value) is dict:  # as written: no Mapping (abc) check
        by_name = len(value) == 2 and "name" in value and "version" in value
    else:
        by_name = isinstance(value, Mapping) and set(value) == {"name", "version"}
    if by_name:
        named = cast(Mapping[str, object], value)
        name, version = named["name"], named["version"]
        found = None
        if isinstance(name, str) and isinstance(version, str):
            found = preset(name, version)
        if found is None:
            raise ValueError(
                f"no preset {shown(name)} of version {shown(version)}; the presets are "
                f"{known()}; a custom policy is stored whole"
            )
        return found
    try:
        key = exact(value)
    except RecursionError:  # a nest deeper than the stack: read in detail, which names it
        key = None
    if key is None:
        return fields_in(value, Policy)
    policy = _POLICIES.get(key)
    if policy is None:
        policy = fields_in(value, Policy)  # a refusal raises here, and is not kept
        if len(_POLICIES) >= _POLICIES_KEPT:
            _POLICIES.clear()
        _POLICIES[key] = policy
    return policy


# Orders of one shop share its custom policy, written whole in each document (twice:
# at the top and in the ``pay`` entry): the same policy is read once. Only policies
# read are kept, by their exact JSON value (`exact`); a refusal raises anew each time.
_POLICIES: dict[object, Policy] = {}
_POLICIES_KEPT = 256


def _register(converter: cattrs.Converter) -> None:
    converter.register_structure_hook(Money, _money)
    converter.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency}
    )
    converter.register_structure_hook(Policy, _policy_in)
    converter.register_unstructure_hook(Policy, _policy_out)
    for cls in (Reason, Resolution, Remedy, Actor, TrackingStatus, OrderState, DisputeState):
        converter.register_structure_hook(cls, _enum(cls))
        converter.register_unstructure_hook(cls, _VALUES.__getitem__)
    converter.register_structure_hook_func(lambda t: t == State | None, _state)
    converter.register_unstructure_hook_func(lambda t: t == State | None, _state_out)
    converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], _details_in)
    converter.register_unstructure_hook_func(lambda t: t == Mapping[str, Any], _details_out)
    # Generated last, so that each field's hook is one of the above.
    converter.register_structure_hook(
        HistoryEntry,
        _object_of(
            HistoryEntry,
            converter,
            action=override(struct_hook=_action),
            event_id=override(struct_hook=_event_id),
        ),
    )
    converter.register_structure_hook(
        Observation,
        _object_of(Observation, converter, event_id=override(struct_hook=_event_id)),
    )
    for document in (
        TrackingEvent,
        Outcome,
        Agreement,
        DisputeDocument,
        OrderDocument,
    ):
        converter.register_structure_hook(document, _object_of(document, converter))
    _DETAILS_IN.update(
        (key, converter.get_structure_hook(cls)) for key, cls in DETAIL_TYPES.items()
    )
    _DETAILS_IN["meta"] = lambda value, _: _meta(value)
    _DETAILS_OUT.update(
        (key, converter.get_unstructure_hook(cls)) for key, cls in DETAIL_TYPES.items()
    )


_register(CONVERTER)  # the one converter (`_convert`) learns the document's classes

POLICY_SINCE_5: Final = {"effective_from": None, "calendar": CONVERTER.unstructure(Calendar())}
"""What a whole policy written before schema 5 is read with: no ``effective_from`` (a
custom policy) and the default calendar."""

POLICY_SINCE_6: Final = {
    name: CONVERTER.unstructure(getattr(Policy(), name))
    for name in (
        "seller_window_starts",
        "seller_window_ends",
        "negotiation_window_starts",
        "negotiation_window_ends",
        "filing_window_starts",
        "filing_window",
        "contact_wait",
        "appeal_window",
        "extensions",
    )
}
"""What a whole policy written before schema 6 is read with: the values that give the
behaviour every policy had then (AliExpress's consequences and windows)."""


def _whole(value: object, since: Mapping[str, object]) -> bool:
    """*value* is a whole policy (not a preset's name and version) with none of *since*."""
    return (
        isinstance(value, Mapping)
        and set(value) != {"name", "version"}
        and not set(since) & set(value)
    )


def policy_before_6(value: object) -> object:
    """A whole policy as written before schema 6 (without the fields schema 6 added, and
    before schema 5 also without ``effective_from`` and ``calendar``) as schema 6 writes
    it; anything else as it is, for the strict reading."""
    if _whole(value, POLICY_SINCE_5):
        value = {**cast(Mapping[str, object], value), **POLICY_SINCE_5}
    if _whole(value, POLICY_SINCE_6):
        value = {**cast(Mapping[str, object], value), **POLICY_SINCE_6}
    return value


def entry_before_6(entry: object) -> object:
    """A log entry as written before schema 6: the policy of a ``pay`` entry's details
    read by `policy_before_6`; anything else as it is."""
    if isinstance(entry, Mapping) and entry.get("action") == "pay":
        details = entry.get("details")
        if isinstance(details, Mapping) and "policy" in details:
            return {**entry, "details": {**details, "policy": policy_before_6(details["policy"])}}
    return entry


def entry_from_dict(data: object, where: str = "entry") -> HistoryEntry:
    """One log entry as `storage.log_to_list` writes it, strictly checked.

    An entry written before event ids (no ``event_id`` key) is read with None, and a
    ``pay`` entry's policy written before schema 6 by `policy_before_6`. Anything else
    is `InvalidInput` listing every problem with its path under *where*.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where}: expected a HistoryEntry or a dict, got {kind(data)}")
    try:
        given: dict[object, object] = {"event_id": None}
        given.update(cast(Mapping[object, object], entry_before_6(data)))
        entry: HistoryEntry = CONVERTER.structure(given, HistoryEntry)
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        top = "(document)"
        problems = [
            where + p.removeprefix(top) if p.startswith(top) else f"{where}.{p}"
            for p in problems_of(err)
        ]
        raise InvalidInput.listing(problems, "problem(s) in the entry") from None
    return entry
