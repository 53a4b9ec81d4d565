"""Business days, calendars, and deadlines computed on them.

A `Policy` duration is elapsed time (a `timedelta`) or `BusinessDays`: a count of the
days its `Calendar` calls business days (its weekdays, less public holidays and the
periods the marketplace is closed). `Calendar.after` computes either kind of deadline:

- ``BusinessDays(n)`` from an instant *t*: *t*'s wall-clock time, in the calendar's
  zone, on the *n*-th business day after *t*'s local date. A wall time that does not
  exist that day moves forward by the gap; one that occurs twice is the first.
- an elapsed duration grows by 24 hours for each closed local date whose whole day lies
  inside the window (repeated until no new closed day falls inside), the way
  AliExpress stretches its response windows around holidays. Public holidays never
  stretch an elapsed window; with nothing closed it is exactly *t* + the duration.

Public holidays come from the ``holidays`` package, as it spells countries and
subdivisions (``"GB"``, ``"SCT"``): an upgrade of its data can move a deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import attrs
import holidays

from ._text import kind, shown
from ._time import MAX_DAYS, zone
from .errors import InvalidInput

__all__ = ["BusinessDays", "Calendar", "Duration"]

_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(7))


def _count(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 < value <= MAX_DAYS:
        raise InvalidInput(
            f"BusinessDays.{attribute.name}: expected an int from 1 to {MAX_DAYS}, "
            f"got {shown(value)}"
        )


@attrs.frozen
class BusinessDays:
    """A duration of *n* business days, counted on a policy's `Calendar`.

    >>> BusinessDays(3)
    BusinessDays(n=3)
    """

    n: int = attrs.field(validator=_count)


Duration = timedelta | BusinessDays
"""What a duration field of `Policy` holds: elapsed time or business days."""


def _timezone(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(
            f"Calendar.timezone: expected an IANA zone key such as 'Europe/London', "
            f"got {kind(value)}"
        )
    zone(value, "Calendar.timezone")


def _weekdays(value: object) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(
            f"Calendar.weekdays: expected a set of ints from 0 (Monday) to 6 (Sunday), "
            f"got {kind(value)}"
        )
    days = tuple(value)
    if not days or any(type(d) is not int or d not in _WEEKDAYS for d in days):
        raise InvalidInput(
            "Calendar.weekdays: expected a non-empty set of ints from 0 (Monday) to 6 "
            f"(Sunday), got {shown(days)}"
        )
    return frozenset(days)


def _closed(value: object) -> tuple[tuple[date, date], ...]:
    expected = "expected a tuple of (first, last) date pairs, each inclusive"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(f"Calendar.closed: {expected}, got {kind(value)}")
    periods = []
    for i, period in enumerate(tuple(value)):
        pair = tuple(period) if isinstance(period, tuple | list) else None
        if (
            pair is None
            or len(pair) != 2
            or not all(type(d) is date for d in pair)
            or pair[0] > pair[1]
        ):
            raise InvalidInput(
                f"Calendar.closed[{i}]: {expected}, the first not after the last; "
                f"got {shown(period)}"
            )
        periods.append((pair[0], pair[1]))
    return tuple(sorted(periods))


def _listed(names: list[str]) -> str:
    return ", ".join(names[:40]) + (f" and {len(names) - 40} more" if len(names) > 40 else "")


def _optional_word(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidInput(
            f"Calendar.{attribute.name}: expected None or a code as the holidays package "
            f"spells it (such as 'GB', 'US', 'SCT'), got {shown(value)}"
        )


@attrs.frozen
class Calendar:
    """Which days are business days, and where: the calendar of a `Policy`.

    *timezone* is the IANA zone the days are counted in; *weekdays* the business
    weekdays (Monday = 0, as ``date.weekday()``); *country* and *subdivision* name public
    holidays as the ``holidays`` package spells them; *closed* lists inclusive date
    ranges when the marketplace is closed. Checked when made: an unknown zone, country
    or subdivision is `InvalidInput`.

    >>> Calendar("Europe/London", country="GB").is_business_day(date(2026, 12, 25))
    False
    """

    timezone: str = attrs.field(default="UTC", validator=_timezone)
    weekdays: frozenset[int] = attrs.field(default=frozenset({0, 1, 2, 3, 4}), converter=_weekdays)
    country: str | None = attrs.field(default=None, validator=_optional_word)
    subdivision: str | None = attrs.field(default=None, validator=_optional_word)
    closed: tuple[tuple[date, date], ...] = attrs.field(default=(), converter=_closed)
    _zone: tzinfo = attrs.field(init=False, eq=False, hash=False, repr=False)
    _holidays: Any = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_zone", zone(self.timezone, "Calendar.timezone"))
        found = None
        if self.country is not None:
            try:
                found = holidays.country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError:
                supported = holidays.list_supported_countries()
                if self.country in supported:
                    known = ", ".join(supported[self.country]) or "none"
                    raise InvalidInput(
                        f"Calendar.subdivision: {shown(self.subdivision)} is not a "
                        f"subdivision of {self.country} in the holidays package; known: {known}"
                    ) from None
                raise InvalidInput(
                    f"Calendar.country: {shown(self.country)} is not a country of the holidays "
                    f"package; known: {_listed(sorted(supported))}"
                ) from None
        elif self.subdivision is not None:
            raise InvalidInput(f"Calendar.subdivision: {shown(self.subdivision)} needs a country")
        object.__setattr__(self, "_holidays", found)

    # -- days ------------------------------------------------------------------------

    def is_closed(self, day: date) -> bool:
        """*day* lies in one of the closed periods."""
        return any(first <= day <= last for first, last in self.closed)

    def is_holiday(self, day: date) -> bool:
        """*day* is a public holiday of the calendar's country (and subdivision)."""
        return self._holidays is not None and day in self._holidays

    def is_business_day(self, day: date) -> bool:
        """*day* is one of the weekdays, not a public holiday, and not closed."""
        return (
            day.weekday() in self.weekdays and not self.is_holiday(day) and not self.is_closed(day)
        )

    # -- deadlines -------------------------------------------------------------------

    def after(self, start: datetime, duration: Duration) -> datetime:
        """The instant *duration* after the aware instant *start*, in UTC (see the module)."""
        if isinstance(duration, BusinessDays):
            return self._business(start, duration.n)
        return self._stretched(start, duration)

    def _business(self, start: datetime, n: int) -> datetime:
        local = start.astimezone(self._zone)
        day, found = local.date(), 0
        while found < n:
            day += _DAY
            if self.is_business_day(day):
                found += 1
        wall = datetime.combine(day, local.time().replace(fold=0), tzinfo=self._zone)
        return wall.astimezone(UTC)

    def _stretched(self, start: datetime, duration: timedelta) -> datetime:
        end = start + duration
        counted: set[date] = set()
        while self.closed:
            inside = set(self._closed_within(start, end)) - counted
            if not inside:
                break
            counted |= inside
            end += _DAY * len(inside)
        return end

    def _closed_within(self, start: datetime, end: datetime) -> Iterable[date]:
        """The closed local dates whose whole day lies within [start, end]."""
        first_day = start.astimezone(self._zone).date()
        last_day = end.astimezone(self._zone).date()
        for first, last in self.closed:
            day, until = max(first, first_day), min(last, last_day)
            while day <= until:
                begins = datetime.combine(day, time(), tzinfo=self._zone)
                ends = datetime.combine(day + _DAY, time(), tzinfo=self._zone)
                if begins >= start and ends <= end:
                    yield day
                day += _DAY
