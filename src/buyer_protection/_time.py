"""Checks at the door: aware instants (every time passes through `utc`), days, enum values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._text import kind, shown
from .errors import InvalidInput


def utc(value: object, name: str = "at") -> datetime:
    """Return *value* as an aware datetime in UTC, or raise `InvalidInput`.

    Deadlines are elapsed time, so all arithmetic and comparison happens in UTC:
    two datetimes that share one ``tzinfo`` are otherwise compared by wall clock.
    """
    if type(value) is datetime and value.tzinfo is UTC and value <= LATEST:
        return value  # the common case, already an instant in UTC
    if isinstance(value, datetime):
        try:
            offset = value.utcoffset()
        except Exception:  # a broken custom tzinfo: its utcoffset() raised or is out of range
            offset = _BROKEN
        if offset is _BROKEN:
            raise InvalidInput(
                f"{name}: the time zone {shown(value.tzinfo)} of this datetime gives no valid "
                "UTC offset; give a datetime with a working tzinfo (e.g. datetime.UTC)"
            )
        if offset is None:
            raise InvalidInput(
                f"{name}: naive datetime {value.isoformat()}; "
                "give a timezone-aware datetime (e.g. tzinfo=datetime.UTC)"
            )
        try:
            instant = value.astimezone(UTC)
        except OverflowError:  # past either end of the calendar once in UTC
            if value.year < 2:
                raise InvalidInput(
                    f"{name}: {value.isoformat()} is before the first instant of the calendar "
                    "once in UTC (0001-01-01T00:00:00+00:00)"
                ) from None
            instant = None
        except Exception:  # a tzinfo that answers utcoffset() but breaks on the way to UTC
            raise InvalidInput(
                f"{name}: the time zone {shown(value.tzinfo)} of this datetime cannot convert "
                "it to UTC; give a datetime with a working tzinfo (e.g. datetime.UTC)"
            ) from None
        if instant is None or instant > LATEST:
            raise InvalidInput(
                f"{name}: {value.isoformat()} is later than the year {LATEST.year}, "
                "the latest this library computes deadlines from"
            )
        return instant
    raise InvalidInput(f"{name}: expected a timezone-aware datetime, got {kind(value)}")


_BROKEN = timedelta(days=-99)  # stands for "utcoffset() raised" (no real offset is this)

_ZONE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9][A-Za-z0-9_+\-]*)*")
_POSIX_LIKE = re.compile(r"(?i)(?:gmt|utc)[+-]")
# Files of a zone database that are not zones of their own: the machine's own zone
# (whatever this machine says), a POSIX default, and a placeholder.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def zone(value: object, name: str = "default_tz") -> tzinfo:
    """*value* if it is a tzinfo, the IANA zone it names if it is a key, else `InvalidInput`.

    Only IANA keys are read (``"Asia/Shanghai"``, ``"UTC"``, ``"Etc/GMT-8"``): never a
    file path, and never a POSIX-style string such as ``"GMT+8"``, which reads as UTC+8
    to some parsers and as UTC-8 to others (``Etc/GMT+8`` is UTC-8).
    """
    if isinstance(value, tzinfo):
        return value
    if (
        isinstance(value, str)
        and len(value) <= 64
        and _ZONE_KEY.fullmatch(value)
        and not _POSIX_LIKE.match(value)
        and value not in _NOT_ZONES
        and value.split("/")[0] not in ("posix", "right")
    ):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidInput(
        f"{name}: {shown(value)} is not a time zone; give a tzinfo or an IANA zone key "
        "such as 'Asia/Shanghai', 'UTC' or 'Etc/GMT-8'"
    )


MAX_DAYS = 3650
"""The most days one input may add to a deadline (ten years; see `Policy`)."""

LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=10 * MAX_DAYS)
"""The latest instant the library accepts: far enough from the end of the calendar that
no deadline computed from it can overflow."""


def days(value: object, name: str) -> int:
    """Return *value* if it is a whole number of days from 1 to `MAX_DAYS`, else `InvalidInput`."""
    if type(value) is not int or not 0 < value <= MAX_DAYS:
        raise InvalidInput(
            f"{name}: expected an int of days from 1 to {MAX_DAYS}, got {shown(value)}"
        )
    return value


def iso(value: datetime) -> str:
    """Format an instant for messages: ISO 8601 in UTC."""
    return value.astimezone(UTC).isoformat()


def duration(value: object, name: str) -> timedelta:
    """Return *value* if it is a non-negative `timedelta`, else raise `InvalidInput`."""
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidInput(
            f"{name}: expected a non-negative datetime.timedelta, got {shown(value)}"
        )
    return value


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
        raise InvalidInput(f"{where}{shown(value)} is not one of {known}") from None
    except Exception:  # an unhashable value, or one whose comparison raises
        known = ", ".join(repr(m.value) for m in cls)
        where = f"{name}: " if name else ""
        raise InvalidInput(f"{where}{shown(value)} is not one of {known}") from None
