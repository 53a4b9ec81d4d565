"""The shape of a stored document, and the cattrs converter that reads exactly that shape.

`storage` builds documents from orders and orders from documents; this module says
what a document holds (`OrderDocument` and its parts) and how each value is written
and read. Every structure hook accepts exactly what the unstructure side writes and
raises `ValueError` otherwise, which cattrs collects with its path; messages quote
outside values with `shown`/`kind`, so that a string of megabytes or an int of
thousands of digits stays a short message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Final, cast, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from ._text import NAME_LIMIT, TEXT_LIMIT, kind, shown
from ._time import LATEST, member
from .errors import InvalidInput
from .history import HistoryEntry
from .lifecycle import LIFECYCLES, Actor, DisputeState, OrderState
from .money import Money
from .policy import Policy
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

INT_BITS = 64
"""Integers in a document are signed 64-bit (ids, days, versions, ``meta`` values)."""

_INT_LIMIT = 2 ** (INT_BITS - 1)

_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?[+-][0-9]{2}:[0-5][0-9]"
)
_AMOUNT = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,10})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DURATION = re.compile(
    r"P(?:([0-9]{1,10})D)?(?:T(?:([0-9]{1,12})H)?(?:([0-9]{1,14})M)?(?:([0-9]{1,16}(?:\.[0-9]{1,6})?)S)?)?"
)
ACTIONS: Final = frozenset(
    {"pay", "add_tracking", *(row.trigger for lifecycle in LIFECYCLES for row in lifecycle.table)}
)
"""The action names a history entry may have: ``pay``, ``add_tracking`` and every trigger."""


def _fail(value: object, expected: str) -> ValueError:
    return ValueError(f"expected {expected}, got {kind(value)}")


def _text(value: str) -> str:
    """*value* if it is valid Unicode (no lone surrogate), which JSON can always be written in."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"expected valid Unicode text, got a lone surrogate at character {err.start} "
            f"of {shown(value)}"
        ) from None
    return value


def _str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _fail(value, "a string")
    return _text(value)


def _int(value: object, _: type) -> int:
    if type(value) is not int:
        raise _fail(value, "an integer")
    if not -_INT_LIMIT <= value < _INT_LIMIT:
        raise ValueError(
            f"expected an integer of {INT_BITS} bits (-2**63 to 2**63-1), got {shown(value)}"
        )
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _fail(value, "true or false")
    return value


def _datetime(value: object, _: type) -> datetime:
    """An instant written as ``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM``, returned in UTC."""
    if not isinstance(value, str):
        raise _fail(value, "an ISO 8601 date and time with an offset")
    if _INSTANT.fullmatch(value) is None:
        if _INSTANT.fullmatch(value + "+00:00") is not None:
            raise ValueError(f"naive datetime {shown(value)}; give it with an offset, e.g. +00:00")
        raise ValueError(
            f"expected an ISO 8601 date and time as YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM, "
            f"got {shown(value)}"
        )
    offset = value[-6:]
    if not offset[1:3] < "24" or not offset[4:] < "60":
        raise ValueError(
            f"{shown(value)} has a UTC offset out of range; an offset is less than 24 hours "
            "either way, e.g. +08:00"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:  # a day or a time of day the calendar does not have
        raise ValueError(f"{shown(value)} is not a date and time: {err}") from None
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{shown(value)} is outside the calendar once in UTC") from None
    if instant > LATEST:
        raise ValueError(
            f"{shown(value)} is later than the year {LATEST.year}, "
            "the latest this library computes deadlines from"
        )
    return instant


def _duration_text(value: timedelta) -> str:
    """A non-negative `timedelta` as an ISO 8601 duration in days, hours, minutes, seconds."""
    seconds = Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / 10**6
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(
        f"{int(n) if unit != 'S' else format(n.normalize(), 'f')}{unit}"
        for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S"))
        if n
    )
    text = "P" + (f"{int(days)}D" if days else "") + (f"T{clock}" if clock else "")
    return text if text != "P" else "PT0S"


def _duration(value: object, _: type) -> timedelta:
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT") or (isinstance(value, str) and value.endswith("T")):
        raise ValueError(
            f"expected an ISO 8601 duration in days, hours, minutes and seconds such as "
            f"'P5D' or 'PT36H', got {shown(value)}"
        )
    d, h, m, s = (Decimal(group) if group else Decimal(0) for group in match.groups())
    try:
        return timedelta(days=int(d), hours=int(h), minutes=int(m), microseconds=int(s * 10**6))
    except OverflowError:
        raise ValueError(f"{shown(value)} is longer than Python's timedelta can hold") from None


def _money(value: object, _: type) -> Money:
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise _fail(value, 'an object {"amount": "12.34", "currency": "USD"}')
    amount, currency = value["amount"], value["currency"]
    if not isinstance(amount, str) or _AMOUNT.fullmatch(amount) is None:
        raise _fail(amount, "the amount as a decimal string such as '12.34'")
    if not isinstance(currency, str) or _CURRENCY.fullmatch(currency) is None:
        raise _fail(currency, "the currency as an ISO 4217 code such as 'USD'")
    money = Money(amount, currency)
    if str(money.amount) != amount:  # equal in value, but not as the library writes it
        raise ValueError(
            f"{shown(amount)} is not written as the library writes it: "
            f"{str(money.amount)!r} ({currency}'s minor unit)"
        )
    return money


def _enum(cls: type[Enum]) -> Callable[[object, type], Enum]:
    def structure(value: object, _: type) -> Enum:
        return member(cls, value)

    return structure


def _state(value: object, _: type) -> State | None:
    if value is None:
        return None
    for cls in (OrderState, DisputeState):
        try:
            return cast(State, member(cls, value))
        except InvalidInput:
            pass
    known = ", ".join(repr(s.value) for s in (*OrderState, *DisputeState))
    raise ValueError(f"{shown(value)} is not a state; one of {known}")


def _event_id(value: object, _: type = str) -> str | None:
    """An entry's event id: null, or a non-empty string of at most `NAME_LIMIT` characters."""
    if value is None:
        return None
    text = _str(value, str)
    _within(NAME_LIMIT, empty=False)(None, None, text)
    return text


def _action(value: object, _: type = str) -> str:
    if not isinstance(value, str) or value not in ACTIONS:
        raise ValueError(f"{shown(value)} is not an action; one of {', '.join(sorted(ACTIONS))}")
    return value


def _sequence_of(cls: Any, converter: cattrs.Converter) -> Callable[[object, type], Any]:
    """A list of *cls* (or a tuple of them): a JSON array, never a string or an object."""
    if get_origin(cls) is list:
        structure = list_structure_factory(cls, converter)
    else:
        structure = homogenous_tuple_structure_factory(cls, converter)

    def hook(value: object, _: type) -> Any:
        if not isinstance(value, list | tuple):
            raise _fail(value, "a list")
        return structure(value, cls)

    return hook


def _is_sequence(cls: Any) -> bool:
    args = get_args(cls)
    origin = get_origin(cls)
    return (origin is list and len(args) == 1) or (
        origin is tuple and len(args) == 2 and args[1] is Ellipsis
    )


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

    def hook(value: object, _: type) -> Any:
        if not isinstance(value, Mapping):
            raise _fail(value, "an object")
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
            return _datetime(value["$datetime"], datetime)
        raise _fail(value, 'a scalar, {"$money": ...} or {"$datetime": ...}')
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _int(value, int)
    if isinstance(value, str):
        _within(TEXT_LIMIT)(None, None, value)
        return _text(value)
    raise _fail(value, "a string, integer, boolean or null")


class _Key(str):
    """A key as a path shows it, bounded: cattrs writes a path's keys with their repr."""

    __slots__ = ()

    def __new__(cls, key: object) -> _Key:
        return super().__new__(cls, shown(key))

    def __repr__(self) -> str:
        return str(self)


def _meta(value: object) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise _fail(value, "an object")
    meta: dict[str, object] = {}
    errors: list[Exception] = []
    for key, item in value.items():
        try:
            if not isinstance(key, str):
                raise ValueError(f"expected a string key, got {kind(key)}")
            _within(NAME_LIMIT, empty=False)(None, None, key)
            meta[_text(key)] = _meta_in(item)
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
            out[key] = CONVERTER.unstructure(value, DETAIL_TYPES.get(key, Any))
    return out


def _details_in(value: object, _: type) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(value, "an object")
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
            if key == "meta":
                details[key] = _meta(item)
            else:
                details[key] = CONVERTER.structure(item, DETAIL_TYPES[key])
        except Exception as err:  # collected, and reported with its path
            err.__notes__ = [AttributeValidationNote(f"details {key}", key, DETAIL_TYPES[key])]
            errors.append(err)
    if errors:
        raise ClassValidationError("invalid details", errors, dict)
    return details


def _policy_in(value: object, _: type) -> Policy:
    """A policy, each field checked on its own so that every bad one is named."""
    if not isinstance(value, Mapping):
        raise _fail(value, "an object")
    fields = attrs.fields(attrs.resolve_types(Policy))
    extra = set(value) - {f.name for f in fields}
    if extra:
        raise ForbiddenExtraKeysError(None, Policy, extra)
    given: dict[str, Any] = {}
    errors: list[Exception] = []
    for field in fields:
        try:
            if field.name not in value:
                raise KeyError(field.name)
            item: object = CONVERTER.structure(value[field.name], cast(type, field.type))
            if field.validator is not None:
                field.validator(None, field, item)
            given[field.name] = item
        except Exception as err:  # collected, and reported with its path
            err.__notes__ = [
                AttributeValidationNote(f"policy {field.name}", field.name, field.type)
            ]
            errors.append(err)
    if errors:
        raise ClassValidationError("invalid policy", errors, Policy)
    return Policy(**given)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _str)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(datetime, _datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(timedelta, _duration)
    converter.register_unstructure_hook(timedelta, _duration_text)
    converter.register_structure_hook(Money, _money)
    converter.register_structure_hook(Policy, _policy_in)
    converter.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency}
    )
    for cls in (Reason, Resolution, Remedy, Actor, TrackingStatus, OrderState, DisputeState):
        converter.register_structure_hook(cls, _enum(cls))
    converter.register_structure_hook_func(lambda t: t == State | None, _state)
    converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], _details_in)
    converter.register_unstructure_hook_func(lambda t: t == Mapping[str, Any], _details_out)
    converter.register_structure_hook_factory(_is_sequence, _sequence_of)
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
    return converter


CONVERTER: Final = _make_converter()
"""The cattrs converter behind `to_dict` and `from_dict`, for embedding apps to reuse."""


def _keys(keys: Iterable[object]) -> str:
    """Unknown keys for a message: plain names as they are, anything else quoted, bounded."""
    names = sorted(
        key if isinstance(key, str) and key.isidentifier() and len(key) <= 40 else shown(key)
        for key in keys
    )
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def problems_of(err: BaseException) -> list[str]:
    """Each problem of a cattrs validation error as ``"path: what is wrong"``."""

    def describe(exc: BaseException, _: object) -> str:
        if isinstance(exc, KeyError):
            return "required field missing"
        if isinstance(exc, ForbiddenExtraKeysError):
            return f"unknown key(s): {_keys(exc.extra_fields)}"
        if isinstance(exc, ValueError | TypeError):
            return str(exc)
        return f"{type(exc).__name__}: {exc}"

    found = []
    for line in cattrs.transform_error(err, path="$", format_exception=describe):
        message, _, path = line.rpartition(" @ $")
        found.append(f"{path.lstrip('.') or '(document)'}: {message}")
    return found


def entry_from_dict(data: object, where: str = "entry") -> HistoryEntry:
    """One log entry as `storage.log_to_list` writes it, strictly checked.

    An entry written before event ids (no ``event_id`` key) is read with None.
    Anything else is `InvalidInput` listing every problem with its path under *where*.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where}: expected a HistoryEntry or a dict, got {kind(data)}")
    try:
        given: dict[object, object] = {"event_id": None}
        given.update(data)
        entry: HistoryEntry = CONVERTER.structure(given, HistoryEntry)
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        top = "(document)"
        problems = [
            where + p.removeprefix(top) if p.startswith(top) else f"{where}.{p}"
            for p in problems_of(err)
        ]
        raise InvalidInput.listing(problems, "problem(s) in the entry") from None
    return entry
