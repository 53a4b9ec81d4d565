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

import bisect
import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import attrs
import holidays

from ._text import kind, shown
from ._time import LATEST, MAX_DAYS, utc, zone
from .errors import InvalidInput

__all__ = ["BusinessDays", "Calendar", "Duration", "span"]

_DAY = timedelta(days=1)
_WEEKDAYS = frozenset(range(7))
# A deadline counted from the latest instant accepted (`LATEST`) past a closed period
# that ends by this date still fits in a datetime.
_LAST_DAY = LATEST.date()


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


_ZERO = timedelta(0)


def _first(period: tuple[date, date]) -> date:
    return period[0]


def _day(value: object) -> date:
    """*value* if it is a date (not a datetime), else `InvalidInput`."""
    if type(value) is not date:
        raise InvalidInput(f"day: expected a datetime.date, got {kind(value)}")
    return value


def _instant(value: object) -> datetime:
    """*value* as an instant in UTC, even past `LATEST` (a deadline may be counted from
    another); a naive or non-datetime one is `InvalidInput`, as `utc` says it."""
    if isinstance(value, datetime):
        try:
            aware = value.utcoffset() is not None
        except Exception:  # a broken tzinfo: utc() says so
            aware = False
        if aware:
            try:
                return value.astimezone(UTC)
            except OverflowError:
                raise _beyond(value) from None
    return utc(value, "start")


def _beyond(start: datetime) -> InvalidInput:
    return InvalidInput(
        f"start: a deadline counted from {start.isoformat()} falls outside the years 1 to "
        "9999 that dates can hold"
    )


def span(value: Duration) -> str:
    """A duration in words for people: ``3 business days``, ``5 days``, ``36 hours``.

    >>> span(BusinessDays(1)), span(timedelta(days=5)), span(timedelta(minutes=90))
    ('1 business day', '5 days', '90 minutes')
    """
    if isinstance(value, BusinessDays):
        return f"{value.n} business day{'s' if value.n != 1 else ''}"
    seconds = int(value.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _timezone(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    expected = "expected an IANA zone key such as 'Europe/London', 'UTC' or 'Etc/GMT-8'"
    if not isinstance(value, str):
        raise InvalidInput(f"Calendar.timezone: {expected}, got {kind(value)}")
    try:
        zone(value, "Calendar.timezone")
    except InvalidInput:
        raise InvalidInput(
            f"Calendar.timezone: {shown(value)} is not a time zone; {expected}"
        ) from None


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
        if pair is None or len(pair) != 2 or not all(type(d) is date for d in pair):
            raise InvalidInput(f"Calendar.closed[{i}]: {expected}, got {shown(period)}")
        first, last = pair
        if first > last:
            raise InvalidInput(
                f"Calendar.closed[{i}]: the first date {first} is after the last {last}; "
                "give (first, last) with the first not after the last"
            )
        if last > _LAST_DAY:
            raise InvalidInput(
                f"Calendar.closed[{i}]: {last} is later than {_LAST_DAY}, the latest date "
                "a closed period can reach"
            )
        periods.append((first, last))
    return tuple(sorted(periods))


def _joined(periods: tuple[tuple[date, date], ...]) -> tuple[tuple[date, date], ...]:
    """*periods* (sorted) with the overlapping and adjacent ones joined."""
    joined: list[tuple[date, date]] = []
    for first, last in periods:
        if joined and first <= joined[-1][1] + _DAY:
            joined[-1] = (joined[-1][0], max(last, joined[-1][1]))
        else:
            joined.append((first, last))
    return tuple(joined)


@functools.lru_cache(maxsize=64)
def _holidays_of(country: str, subdivision: str | None) -> Any:
    """The public holidays of *country* (and *subdivision*), made once for every calendar
    that names them (making them costs about a millisecond; each year is worked out the
    first time a date of it is asked)."""
    return holidays.country_holidays(country, subdiv=subdivision)


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
    # The closed periods with overlapping and adjacent ones joined, in date order.
    _merged: tuple[tuple[date, date], ...] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )
    _holidays: Any = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_zone", zone(self.timezone, "Calendar.timezone"))
        object.__setattr__(self, "_merged", _joined(self.closed))
        found = None
        if self.country is not None:
            try:
                found = _holidays_of(self.country, self.subdivision)
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
        return self._reopens(_day(day)) is not None

    def is_holiday(self, day: date) -> bool:
        """*day* is a public holiday of the calendar's country (and subdivision)."""
        day = _day(day)
        return self._holidays is not None and day in self._holidays

    def is_business_day(self, day: date) -> bool:
        """*day* is one of the weekdays, not a public holiday, and not closed."""
        return self._open(_day(day))

    def _open(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and (self._holidays is None or day not in self._holidays)
            and self._reopens(day) is None
        )

    # -- deadlines -------------------------------------------------------------------

    def after(self, start: datetime, duration: Duration) -> datetime:
        """The instant *duration* after the aware instant *start*, in UTC (see the module).

        >>> start = datetime(2026, 5, 1, 9, tzinfo=UTC)  # a Friday, 10:00 in London
        >>> Calendar("Europe/London", country="GB").after(start, BusinessDays(3))
        datetime.datetime(2026, 5, 7, 9, 0, tzinfo=datetime.timezone.utc)
        """
        if start.__class__ is not datetime or start.tzinfo is not UTC:
            start = _instant(start)
        if duration.__class__ is timedelta and not self.closed and duration >= _ZERO:
            try:
                return start + duration  # the common case: as cheap as ever
            except OverflowError:
                raise _beyond(start) from None
        try:
            if isinstance(duration, BusinessDays):
                return self._business(start, duration.n)
            if isinstance(duration, timedelta) and duration >= _ZERO:
                return self._stretched(start, duration)
        except OverflowError:
            raise _beyond(start) from None
        raise InvalidInput(
            "duration: expected a datetime.timedelta of zero or more, or BusinessDays(n), "
            f"got {shown(duration)}"
        )

    def _business(self, start: datetime, n: int) -> datetime:
        local = start.astimezone(self._zone)
        day, found = local.date(), 0
        while found < n:
            day += _DAY
            if self._open(day):
                found += 1
            elif (reopens := self._reopens(day)) is not None:
                day = reopens - _DAY  # skip the rest of a closed period at once
        # fold=0: a wall time that occurs twice is the first; one in a gap is read with
        # the offset before the gap, which moves it forward by the gap.
        wall = datetime.combine(day, local.time().replace(fold=0), tzinfo=self._zone)
        return wall.astimezone(UTC)

    def _reopens(self, day: date) -> date | None:
        """The day after the closed period *day* lies in, or None if it is not closed."""
        merged = self._merged
        if not merged:
            return None
        i = bisect.bisect_right(merged, day, key=_first) - 1  # the last period starting by *day*
        if i >= 0 and day <= merged[i][1]:
            return merged[i][1] + _DAY
        return None

    def _stretched(self, start: datetime, duration: timedelta) -> datetime:
        # The closed days inside the window only grow as the window does: add a day for
        # each one not counted yet until no new one falls inside.
        end, counted = start + duration, 0
        while (inside := self._closed_within(start, end)) > counted:
            end += _DAY * (inside - counted)
            counted = inside
        return end

    def _closed_within(self, start: datetime, end: datetime) -> int:
        """How many closed local dates have their whole day within [start, end]."""
        zone = self._zone
        first_day = start.astimezone(zone).date()
        last_day = end.astimezone(zone).date()
        found = 0
        for first, last in self._merged:
            low, high = max(first, first_day), min(last, last_day)
            if low > high:
                continue
            # Every day strictly between the start's and the end's local dates is whole
            # inside; only those two can be cut.
            if low == first_day and datetime.combine(low, time(), tzinfo=zone) < start:
                low += _DAY
            if high == last_day and datetime.combine(high + _DAY, time(), tzinfo=zone) > end:
                high -= _DAY
            found += max((high - low).days + 1, 0)
        return found
