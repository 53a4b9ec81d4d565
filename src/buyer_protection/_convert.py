"""The one cattrs converter: how each value is written and read, in documents and policy files.

Every structure hook accepts exactly what the unstructure side writes and raises
`ValueError` otherwise, which cattrs collects with its path; messages quote outside
values with `shown`/`kind`, so that a string of megabytes or an int of thousands of
digits stays a short message. `_document` adds the document's own classes to
`CONVERTER`; `Policy.to_toml` and `Policy.from_toml` use it as it is here.

Durations are ISO 8601 (``"P5D"``, ``"PT36H"``) or ``{"business_days": 3}``; instants
``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM``; dates ``YYYY-MM-DD``; a `Calendar` an object
of its fields (``weekdays`` a sorted list, ``closed`` a list of ``[first, last]``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, Final, TypeVar, cast, get_args, get_origin

import attrs
import cattrs
from attrs import AttrsInstance
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError

from ._text import kind, shown
from ._time import LATEST
from .calendars import BusinessDays, Calendar, Duration
from .errors import InvalidInput

T = TypeVar("T", bound=AttrsInstance)

INT_BITS = 64
"""Integers in a document are signed 64-bit (ids, days, versions, ``meta`` values)."""

_INT_LIMIT = 2 ** (INT_BITS - 1)

_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?[+-][0-9]{2}:[0-5][0-9]"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DURATION = re.compile(
    r"P(?:([0-9]{1,10})D)?(?:T(?:([0-9]{1,12})H)?(?:([0-9]{1,14})M)?(?:([0-9]{1,16}(?:\.[0-9]{1,6})?)S)?)?"
)


def fail(value: object, expected: str) -> ValueError:
    """``expected <expected>, got <kind of value>``, for a hook to raise."""
    return ValueError(f"expected {expected}, got {kind(value)}")


def unicode(value: str) -> str:
    """*value* if it is valid Unicode (no lone surrogate), which JSON can always be written in."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"expected valid Unicode text, got a lone surrogate at character {err.start} "
            f"of {shown(value)}"
        ) from None
    return value


def string(value: object, _: type = str) -> str:
    """A JSON string of valid Unicode."""
    if not isinstance(value, str):
        raise fail(value, "a string")
    return unicode(value)


def integer(value: object, _: type = int) -> int:
    """A JSON integer (never a float or a bool) within signed 64 bits."""
    if type(value) is not int:
        raise fail(value, "an integer")
    if not -_INT_LIMIT <= value < _INT_LIMIT:
        raise ValueError(
            f"expected an integer of {INT_BITS} bits (-2**63 to 2**63-1), got {shown(value)}"
        )
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise fail(value, "true or false")
    return value


def instant(value: object, _: type = datetime) -> datetime:
    """An instant written as ``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM``, returned in UTC."""
    if type(value) is str:
        return _instant_of(value)
    return _instant(value)


def _instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise fail(value, "an ISO 8601 date and time with an offset")
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
        moment = parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{shown(value)} is outside the calendar once in UTC") from None
    if moment > LATEST:
        raise ValueError(
            f"{shown(value)} is later than the year {LATEST.year}, "
            "the latest this library computes deadlines from"
        )
    return moment


# A document repeats its instants (a dispute's opening is its request's and its entry's
# too): the same text is read once. Only instants read are kept (a refusal raises anew).
_instant_of = functools.lru_cache(maxsize=1024)(_instant)


def _date(value: object, _: type = date) -> date:
    """A date written as ``YYYY-MM-DD``."""
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        raise fail(value, "an ISO 8601 date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as err:  # a day the calendar does not have
        raise ValueError(f"{shown(value)} is not a date: {err}") from None


def _period(value: object, _: type) -> tuple[date, date]:
    """A closed period written as ``[first, last]``."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(value, "a period as a list of two dates, [first, last]")
    first, last = _date(value[0]), _date(value[1])
    if first > last:
        raise ValueError(f"{shown(value)}: the first date of a period is after its last")
    return first, last


def _weekdays(value: object, _: type) -> frozenset[int]:
    """Weekdays written as a list of integers."""
    if not isinstance(value, list | tuple):
        raise fail(value, "a list of weekdays, 0 (Monday) to 6 (Sunday)")
    return frozenset(integer(day) for day in value)


def duration_text(value: timedelta) -> str:
    """A non-negative `timedelta` as an ISO 8601 duration in days, hours, minutes, seconds."""
    if value.days > 0 and not value.seconds and not value.microseconds:
        return f"P{value.days}D"  # most durations of a policy are whole days
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


def _timedelta(value: object, _: type = timedelta) -> timedelta:
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


def _duration(value: object, _: type) -> Duration:
    """Elapsed time as an ISO 8601 duration, or business days as ``{"business_days": n}``."""
    if isinstance(value, Mapping):
        if set(value) != {"business_days"}:
            raise fail(value, 'business days as {"business_days": 3}')
        try:
            return BusinessDays(integer(value["business_days"]))
        except InvalidInput as err:
            raise ValueError(str(err).replace("BusinessDays.n", "business_days", 1)) from None
    if not isinstance(value, str):
        raise fail(
            value, "an ISO 8601 duration such as 'P5D' or 'PT36H', or {\"business_days\": 3}"
        )
    return _timedelta(value)


def _optional_duration(value: object, cls: type) -> Duration | None:
    """None (JSON null: no such clock), or a duration as `_duration` reads it."""
    return None if value is None else _duration(value, cls)


def sequence_of(cls: Any, converter: cattrs.Converter) -> Callable[[object, type], Any]:
    """A list of *cls* (or a tuple of them): a JSON array, never a string or an object."""
    made = get_origin(cls)
    if made is list:
        structure = list_structure_factory(cls, converter)
    else:
        structure = homogenous_tuple_structure_factory(cls, converter)
    item = get_args(cls)[0]
    try:
        read = converter.get_structure_hook(item)
    except RecursionError:  # pragma: no cover - as cattrs does, for a type made of itself
        read = converter.structure

    def hook(value: object, _: type) -> Any:
        if not isinstance(value, list | tuple):
            raise fail(value, "a list")
        try:  # quickly; on any failure, again in detail to name the bad item's index
            return made([read(each, item) for each in value])
        except Exception:
            return structure(value, cls)

    return hook


def is_optional(cls: Any) -> bool:
    """*cls* is ``X | None``."""
    args = get_args(cls)
    return isinstance(cls, UnionType) and len(args) == 2 and NoneType in args


def optional_of(cls: Any, converter: cattrs.Converter) -> Callable[[object, type], Any]:
    """None (JSON null), or what the hook of ``X`` reads, for ``X | None``: the hook
    found once (cattrs would look it up at each value)."""
    other = next(arg for arg in get_args(cls) if arg is not NoneType)
    structure = converter.get_structure_hook(other)

    def hook(value: object, _: type) -> Any:
        return None if value is None else structure(value, other)

    return hook


def is_sequence(cls: Any) -> bool:
    """*cls* is ``list[X]`` or ``tuple[X, ...]``."""
    args = get_args(cls)
    origin = get_origin(cls)
    return (origin is list and len(args) == 1) or (
        origin is tuple and len(args) == 2 and args[1] is Ellipsis
    )


_OBJECT, _LIST, _TRUE, _FALSE = object(), object(), object(), object()


def exact(value: object) -> Hashable | None:
    """A hashable form of the JSON object or array *value* (of dicts with str keys,
    lists, str, int, bool and None), equal to another's only when both are the same
    value of the same JSON types, key order included (``1``, ``1.0``, ``True`` and
    ``"1"`` all differ); None when *value* holds anything else (a float, a tuple, a
    subclass): not worth a key."""
    # Each item inline (a call per item would double the time of a policy's 28 fields).
    found: list[object]
    if type(value) is dict:
        found = [_OBJECT]
        for key, item in cast(dict[object, object], value).items():
            item_kind = type(item)
            if type(key) is not str:
                return None
            if item_kind is str or item_kind is int or item is None:
                found += (key, item)
            elif item_kind is bool:
                found += (key, _TRUE if item else _FALSE)
            elif (inner := exact(item)) is not None:
                found += (key, inner)
            else:
                return None
    elif type(value) is list:
        found = [_LIST]
        for item in cast(list[object], value):
            item_kind = type(item)
            if item_kind is str or item_kind is int or item is None:
                found.append(item)
            elif item_kind is bool:
                found.append(_TRUE if item else _FALSE)
            elif (inner := exact(item)) is not None:
                found.append(inner)
            else:
                return None
    else:
        return None
    return tuple(found)


# -- attrs classes checked field by field ----------------------------------------------


def fields_out(value: AttrsInstance) -> dict[str, Any]:
    """The attrs instance *value* as an object of its init fields, each unstructured."""
    return {
        field.name: CONVERTER.unstructure(getattr(value, field.name))
        for field in attrs.fields(type(value))
        if field.init
    }


def _own_words(err: Exception, cls: type, name: str) -> Exception:
    """*err* without the ``Class.field: `` its message starts with (the path says it)."""
    prefix = f"{cls.__name__}.{name}: "
    message = str(err)
    return ValueError(message.removeprefix(prefix)) if message.startswith(prefix) else err


def _noted(err: Exception, cls: type, name: str, kind_of: Any) -> Exception:
    err = _own_words(err, cls, name)
    err.__notes__ = [AttributeValidationNote(f"{cls.__name__} {name}", name, kind_of)]
    return err


def _within(err: Exception, cls: type, name: str) -> tuple[Exception, type, str]:
    """*err* of the field *name*, its message's own ``Cls.name[i]: `` moved into the path."""
    prefix = f"{cls.__name__}.{name}"
    said = str(err)
    if isinstance(err, InvalidInput) and said.startswith(prefix):
        where, _, rest = said[len(prefix) :].partition(": ")
        if rest:
            return InvalidInput(rest), cls, name + where
    return err, cls, name


_Converter = Callable[[object], object]


@functools.cache
def _init_fields(
    cls: type,
) -> tuple[tuple[attrs.Attribute[Any], ...], frozenset[str], tuple[Callable[[Any, Any], Any], ...]]:
    """*cls*'s init fields, their names, and the structure hook of each one's type:
    found once per class."""
    fields = tuple(f for f in attrs.fields(attrs.resolve_types(cls)) if f.init)
    hooks = tuple(CONVERTER.get_structure_hook(f.type) for f in fields)
    return fields, frozenset(f.name for f in fields), hooks


def fields_in(value: object, cls: type[T]) -> T:
    """*cls* from an object of exactly its init fields, as `fields_out` writes it.

    Each field is read, converted and validated on its own, so that every bad one is
    named with its path (a cattrs validation error); a problem the class finds only
    once made (a calendar's country and subdivision together) is named at the field
    its message names.
    """
    if not isinstance(value, Mapping):
        raise fail(value, "an object")
    fields, names, hooks = _init_fields(cls)
    errors: list[Exception] = []
    extra = set(value) - names
    if extra:
        errors.append(ForbiddenExtraKeysError(None, cls, extra))
    given: dict[str, Any] = {}
    for field, structure in zip(fields, hooks, strict=True):
        try:
            if field.name not in value:
                raise KeyError(field.name)
            item: object = structure(value[field.name], field.type)
            if field.converter is not None:
                item = cast(_Converter, field.converter)(item)
            if field.validator is not None:
                field.validator(None, field, item)
            given[field.name] = item
        except Exception as err:  # collected, and reported with its path
            errors.append(_noted(*_within(err, cls, field.name), field.type))
    if not errors:
        try:
            return cls(**given)
        except InvalidInput as err:
            where = str(err).partition(":")[0].removeprefix(f"{cls.__name__}.")
            found = next((f for f in fields if f.name == where), None)
            errors.append(err if found is None else _noted(err, cls, found.name, found.type))
    raise ClassValidationError(f"invalid {cls.__name__}", errors, cls)


def _calendar_out(value: Calendar) -> dict[str, Any]:
    return {**fields_out(value), "weekdays": sorted(value.weekdays)}


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, string)
    converter.register_structure_hook(int, integer)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(datetime, instant)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(date, _date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(timedelta, _timedelta)
    converter.register_unstructure_hook(timedelta, duration_text)
    converter.register_structure_hook_factory(is_optional, optional_of)
    converter.register_structure_hook_func(lambda t: t == Duration, _duration)
    converter.register_structure_hook_func(lambda t: t == Duration | None, _optional_duration)
    converter.register_unstructure_hook(BusinessDays, lambda d: {"business_days": d.n})
    converter.register_structure_hook_func(lambda t: t == tuple[date, date], _period)
    converter.register_structure_hook_func(lambda t: t == frozenset[int], _weekdays)
    converter.register_structure_hook(Calendar, fields_in)
    converter.register_unstructure_hook(Calendar, _calendar_out)
    converter.register_structure_hook_factory(is_sequence, sequence_of)
    return converter


CONVERTER: Final = _make_converter()
"""The cattrs converter behind documents and policy files, for embedding apps to reuse."""


def _keys(keys: Iterable[object]) -> str:
    """Unknown keys for a message: plain names as they are, anything else quoted, bounded."""
    names = sorted(
        key if isinstance(key, str) and key.isidentifier() and len(key) <= 40 else shown(key)
        for key in keys
    )
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def problems_of(err: BaseException, top: str = "(document)") -> list[str]:
    """Each problem of a cattrs validation error as ``"path: what is wrong"`` (*top* for
    a problem of the whole object)."""

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
        found.append(f"{path.lstrip('.') or top}: {message}")
    return found
