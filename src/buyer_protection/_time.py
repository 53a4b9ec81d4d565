"""Checks at the door: aware instants (every time passes through `utc`), days, enum values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TypeVar

from .errors import InvalidInput


def utc(value: object, name: str = "at") -> datetime:
    """Return *value* as an aware datetime in UTC, or raise `InvalidInput`.

    Deadlines are elapsed time, so all arithmetic and comparison happens in UTC:
    two datetimes that share one ``tzinfo`` are otherwise compared by wall clock.
    """
    if type(value) is datetime and value.tzinfo is UTC and value <= LATEST:
        return value  # the common case, already an instant in UTC
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:
            raise InvalidInput(
                f"{name}: naive datetime {value.isoformat()}; "
                "give a timezone-aware datetime (e.g. tzinfo=datetime.UTC)"
            )
        try:
            instant = value.astimezone(UTC)
        except OverflowError:  # past the end of the calendar once in UTC
            instant = None
        if instant is None or instant > LATEST:
            raise InvalidInput(
                f"{name}: {value.isoformat()} is later than the year {LATEST.year}, "
                "the latest this library computes deadlines from"
            )
        return instant
    raise InvalidInput(
        f"{name}: expected a timezone-aware datetime, got {type(value).__name__} {value!r}"
    )


MAX_DAYS = 3650
"""The most days one input may add to a deadline (ten years; see `Policy`)."""

LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=10 * MAX_DAYS)
"""The latest instant the library accepts: far enough from the end of the calendar that
no deadline computed from it can overflow."""


def days(value: object, name: str) -> int:
    """Return *value* if it is a whole number of days from 1 to `MAX_DAYS`, else `InvalidInput`."""
    if type(value) is not int or not 0 < value <= MAX_DAYS:
        raise InvalidInput(f"{name}: expected an int of days from 1 to {MAX_DAYS}, got {value!r}")
    return value


def iso(value: datetime) -> str:
    """Format an instant for messages: ISO 8601 in UTC."""
    return value.astimezone(UTC).isoformat()


def duration(value: object, name: str) -> timedelta:
    """Return *value* if it is a non-negative `timedelta`, else raise `InvalidInput`."""
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidInput(f"{name}: expected a non-negative datetime.timedelta, got {value!r}")
    return value


def span(value: timedelta) -> str:
    """A duration in words for messages: ``5 days``, ``36 hours``, ``90 minutes``."""
    seconds = int(value.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


E = TypeVar("E", bound=Enum)


def member(cls: type[E], value: object, name: str = "") -> E:
    """*value* as a member of *cls* (the member or its value), else `InvalidInput`."""
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        known = ", ".join(repr(m.value) for m in cls)
        where = f"{name}: " if name else ""
        raise InvalidInput(f"{where}{value!r} is not one of {known}") from None
