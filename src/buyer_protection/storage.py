"""Storing orders: a JSON document made with cattrs, loaded strictly, checked by replay.

The document is the order's fields at the top level, its disputes, history and
tracking, its policy, and ``schema_version``. Decimals are strings, instants ISO
8601 with an offset, durations ISO 8601 durations (``P5D``, ``PT36H``), enums
their values. Loading refuses unknown keys and silent coercion, reports every
problem with its path, and then rebuilds the order from its event log with
`Order.replay`: the stored fields must agree with what the history gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Final, cast

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError

from ._time import member
from .dispute import Outcome, Reason, Resolution
from .errors import BuyerProtectionError, InvalidInput
from .history import HistoryEntry
from .lifecycle import Actor, DisputeState, OrderState
from .money import Money
from .order import Order
from .policy import Policy
from .tracking import TrackingEvent, TrackingStatus

SCHEMA_VERSION: Final = 1
"""The version of the document `to_dict` writes; `from_dict` reads it and older ones."""

State = OrderState | DisputeState


@attrs.frozen
class Observation:
    """A tracking event as stored: the event and the id it was recorded with."""

    id: int
    at: datetime
    status: TrackingStatus
    description: str
    location: str


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
    counter_offer: Money | None
    countered_at: datetime | None
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
    "reached_by": Resolution,
    "event": TrackingEvent,
    "meta": dict,
}
"""The type of each key a history entry's ``details`` may hold."""


# -- the converter ---------------------------------------------------------------


def _fail(value: object, expected: str) -> ValueError:
    return ValueError(f"expected {expected}, got {type(value).__name__} {value!r}")


def _str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _fail(value, "a string")
    return value


def _int(value: object, _: type) -> int:
    if type(value) is not int:
        raise _fail(value, "an integer")
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _fail(value, "true or false")
    return value


def _datetime(value: object, _: type) -> datetime:
    if not isinstance(value, str):
        raise _fail(value, "an ISO 8601 date and time with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time") from None
    if parsed.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}; give it with an offset, e.g. +00:00")
    return parsed


_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,6})?)S)?)?")


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
    if match is None or value in ("P", "PT"):
        raise ValueError(
            f"expected an ISO 8601 duration in days, hours, minutes and seconds such as "
            f"'P5D' or 'PT36H', got {value!r}"
        )
    d, h, m, s = (Decimal(group) if group else Decimal(0) for group in match.groups())
    return timedelta(days=int(d), hours=int(h), minutes=int(m), seconds=float(s))


def _money(value: object, _: type) -> Money:
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise _fail(value, 'an object {"amount": "12.34", "currency": "USD"}')
    amount = value["amount"]
    if not isinstance(amount, str):
        raise _fail(amount, "the amount as a decimal string such as '12.34'")
    return Money(amount, value["currency"])


def _enum(cls: type[Enum]) -> Callable[[object, type], Enum]:
    def structure(value: object, _: type) -> Enum:
        return member(cls, value)

    return structure


def _state(value: object, _: type) -> State | None:
    if value is None:
        return None
    for cls in (OrderState, DisputeState):
        try:
            return cls(value)
        except ValueError:
            pass
    known = ", ".join(repr(s.value) for s in (*OrderState, *DisputeState))
    raise ValueError(f"{value!r} is not a state; one of {known}")


def _strings(value: object, _: type) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _fail(value, "a list of strings")
    return tuple(_str(item, str) for item in value)


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
    if value is None or isinstance(value, str | int | bool):
        return value
    raise _fail(value, "a string, number, boolean or null")


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
    details: dict[str, Any] = {}
    errors: list[Exception] = []
    for key, item in value.items():
        try:
            if key not in DETAIL_TYPES:
                raise ValueError(f"{key!r} is not a known detail; one of {', '.join(DETAIL_TYPES)}")
            if key == "meta":
                if not isinstance(item, Mapping):
                    raise _fail(item, "an object")
                details[key] = {k: _meta_in(v) for k, v in item.items()}
            else:
                details[key] = CONVERTER.structure(item, DETAIL_TYPES[key])
        except Exception as err:  # collected, and reported with its path
            err.__notes__ = [AttributeValidationNote(f"details {key}", key, DETAIL_TYPES.get(key))]
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
    for cls in (Reason, Resolution, Actor, TrackingStatus, OrderState, DisputeState):
        converter.register_structure_hook(cls, _enum(cls))
    converter.register_structure_hook_func(lambda t: t == State | None, _state)
    converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _strings)
    converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], _details_in)
    converter.register_unstructure_hook_func(lambda t: t == Mapping[str, Any], _details_out)
    return converter


CONVERTER: Final = _make_converter()
"""The cattrs converter behind `to_dict` and `from_dict`, for embedding apps to reuse."""


# -- documents <-> orders --------------------------------------------------------------


def _fields_of(cls: type, obj: object, **given: object) -> dict[str, object]:
    names = (f.name for f in attrs.fields(cls) if f.name not in given)
    return {**{name: getattr(obj, name) for name in names}, **given}


def _document(order: Order) -> OrderDocument:
    disputes = tuple(
        DisputeDocument(**_fields_of(DisputeDocument, d, history=d.history))  # type: ignore[arg-type]
        for d in order.disputes
    )
    tracking = tuple(
        Observation(
            e.id,
            e.details["event"].at,
            e.details["event"].status,
            e.details["event"].description,
            e.details["event"].location,
        )
        for e in order.log
        if e.action == "add_tracking"
    )
    return OrderDocument(
        **_fields_of(  # type: ignore[arg-type]
            OrderDocument,
            order,
            schema_version=SCHEMA_VERSION,
            disputes=disputes,
            tracking=tracking,
            history=order.history,
        )
    )


def to_dict(order: Order) -> dict[str, Any]:
    """*order* as a JSON-ready dict (see the module's docstring for the shape)."""
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order, got {type(order).__name__}")
    data: dict[str, Any] = CONVERTER.unstructure(_document(order))
    return data


def _problems(err: BaseException) -> list[str]:
    def describe(exc: BaseException, _: object) -> str:
        if isinstance(exc, KeyError):
            return "required field missing"
        if isinstance(exc, ForbiddenExtraKeysError):
            return f"unknown key(s): {', '.join(sorted(exc.extra_fields))}"
        if isinstance(exc, ValueError | TypeError):
            return str(exc)
        return f"{type(exc).__name__}: {exc}"

    found = []
    for line in cattrs.transform_error(err, path="$", format_exception=describe):
        message, _, path = line.rpartition(" @ $")
        found.append(f"{path.lstrip('.') or '(document)'}: {message}")
    return found


def from_dict(data: Mapping[str, Any]) -> Order:
    """The order a `to_dict` document describes, rebuilt and checked; `InvalidInput` if not."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"document: expected an object, got {type(data).__name__}")
    version = data.get("schema_version")
    if type(version) is int and version > SCHEMA_VERSION:
        raise InvalidInput(
            f"schema_version: {version} is newer than this library reads ({SCHEMA_VERSION}); "
            "upgrade buyer-protection"
        )
    if type(version) is int and version < 1:
        raise InvalidInput(f"schema_version: {version} is not a version; expected 1")
    try:
        document = CONVERTER.structure(data, OrderDocument)
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        problems = _problems(err)
        raise InvalidInput(
            f"{len(problems)} problem(s) in the document: " + "; ".join(problems),
            problems=problems,
        ) from None
    except BuyerProtectionError as err:  # pragma: no cover - hooks raise ValueError
        raise InvalidInput(f"document: {err}") from None
    order = Order.replay(_log(document))
    problems = _disagreements(document, _document(order))
    if problems:
        raise InvalidInput(
            "the document disagrees with its own history: " + "; ".join(problems),
            problems=problems,
        )
    return order


def _log(document: OrderDocument) -> list[HistoryEntry]:
    entries = [*document.history]
    for dispute in document.disputes:
        entries.extend(dispute.history)
    for seen in document.tracking:
        event = TrackingEvent(seen.at, seen.status, seen.description, seen.location)
        entries.append(
            HistoryEntry(
                seen.id, seen.at, Actor.CARRIER, "add_tracking", None, None, {"event": event}
            )
        )
    return sorted(entries, key=lambda e: e.id)


def _disagreements(stored: object, rebuilt: object, path: str = "") -> list[str]:
    cls = type(stored)
    if attrs.has(cls) and cls is type(rebuilt) and cls is not Money:
        found = []
        for field in attrs.fields(cls):
            found += _disagreements(
                getattr(stored, field.name),
                getattr(rebuilt, field.name),
                f"{path}.{field.name}" if path else field.name,
            )
        return found
    if isinstance(stored, tuple) and isinstance(rebuilt, tuple) and len(stored) == len(rebuilt):
        found = []
        for i, (a, b) in enumerate(zip(stored, rebuilt, strict=True)):
            found += _disagreements(a, b, f"{path}[{i}]")
        return found
    if stored != rebuilt:
        said, given = CONVERTER.unstructure(stored), CONVERTER.unstructure(rebuilt)
        return [f"{path}: the document says {said!r}, its history gives {given!r}"]
    return []


def log_to_list(log: Iterable[HistoryEntry]) -> list[dict[str, Any]]:
    """An event log (`Order.log`) as JSON-ready dicts, for an app that stores only the log."""
    entries = list(log)
    for i, entry in enumerate(entries):
        if not isinstance(entry, HistoryEntry):
            raise InvalidInput(f"log[{i}]: expected a HistoryEntry, got {type(entry).__name__}")
    data: list[dict[str, Any]] = CONVERTER.unstructure(entries, list[HistoryEntry])
    return data


def log_from_list(data: Iterable[Mapping[str, Any]]) -> tuple[HistoryEntry, ...]:
    """The entries `log_to_list` wrote, strictly checked; give them to `Order.replay`."""
    if isinstance(data, str | bytes | Mapping):
        raise InvalidInput("log: expected a list of entries")
    try:
        return tuple(CONVERTER.structure(list(data), list[HistoryEntry]))
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        problems = [f"log{p}" if p.startswith("[") else p for p in _problems(err)]
        raise InvalidInput(
            f"{len(problems)} problem(s) in the log: " + "; ".join(problems), problems=problems
        ) from None


def dumps(order: Order, *, indent: int | None = 2) -> str:
    """*order* as a JSON document."""
    return json.dumps(to_dict(order), indent=indent, ensure_ascii=False)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def loads(text: str | bytes) -> Order:
    """The order a `dumps` document describes; `InvalidInput` for anything wrong with it."""
    try:
        data = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise InvalidInput(f"line {err.lineno} column {err.colno}: {err.msg}") from None
    except (ValueError, TypeError) as err:
        raise InvalidInput(f"document: {err}") from None
    except RecursionError:
        raise InvalidInput("document: nested too deeply to be an order") from None
    return from_dict(data)


__all__ = [
    "CONVERTER",
    "SCHEMA_VERSION",
    "dumps",
    "from_dict",
    "loads",
    "log_from_list",
    "log_to_list",
    "to_dict",
]
