"""Tests for `Calendar` and `BusinessDays`: business-day deadlines, closed periods that
stretch elapsed windows, daylight saving, validation, and the properties of the rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from buyer_protection import BusinessDays, Calendar, InvalidInput
from buyer_protection._time import LATEST
from buyer_protection.calendars import span
from strategies import business_days, calendars, closed_periods, instants, windows

DAY = timedelta(days=1)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = frozenset(range(7))


def local(calendar: Calendar, at: datetime) -> datetime:
    """*at* on the wall clock of *calendar*'s zone."""
    return at.astimezone(ZoneInfo(calendar.timezone))


# -- the examples -------------------------------------------------------------


def test_three_business_days_from_a_saturday_end_on_wednesday_at_the_same_time() -> None:
    """A clock started on Saturday 10:00 with BusinessDays(3) ends on Wednesday 10:00."""
    saturday = datetime(2026, 3, 7, 10, tzinfo=UTC)

    assert Calendar().after(saturday, BusinessDays(3)) == datetime(2026, 3, 11, 10, tzinfo=UTC)


def test_a_monday_bank_holiday_moves_a_friday_deadline_to_thursday() -> None:
    """Friday 10:00 in London before the GB bank holiday of 4 May 2026 plus 3 business
    days ends on Thursday 10:00 (in summer time, 09:00 UTC)."""
    friday = datetime(2026, 5, 1, 10, tzinfo=LONDON)
    calendar = Calendar("Europe/London", country="GB")

    ends = calendar.after(friday, BusinessDays(3))

    assert ends == datetime(2026, 5, 7, 9, tzinfo=UTC)
    assert ends.tzinfo is UTC
    assert local(calendar, ends) == datetime(2026, 5, 7, 10, tzinfo=LONDON)


def test_without_the_holiday_country_the_same_friday_ends_on_wednesday() -> None:
    """The same clock on a calendar without public holidays counts Monday: Wednesday 10:00."""
    friday = datetime(2026, 5, 1, 10, tzinfo=LONDON)

    ends = Calendar("Europe/London").after(friday, BusinessDays(3))

    assert ends == datetime(2026, 5, 6, 9, tzinfo=UTC)


def test_a_us_monday_holiday_counts_in_new_york() -> None:
    """Friday 16 January 2026 before Martin Luther King Jr. Day plus 1 business day is
    Tuesday, at the same New York wall time."""
    friday = datetime(2026, 1, 16, 17, 30, tzinfo=NEW_YORK)

    ends = Calendar("America/New_York", country="US").after(friday, BusinessDays(1))

    assert ends == datetime(2026, 1, 20, 17, 30, tzinfo=NEW_YORK)


def test_a_subdivision_has_its_own_holidays() -> None:
    """2 January is a holiday in Scotland but not in the rest of the UK."""
    assert not Calendar(country="GB", subdivision="SCT").is_business_day(date(2026, 1, 2))
    assert Calendar(country="GB").is_business_day(date(2026, 1, 2))


def test_the_business_weekdays_are_the_calendars_own() -> None:
    """With Sunday to Thursday as business days, Friday and Saturday are skipped."""
    thursday = datetime(2026, 3, 5, 8, tzinfo=UTC)
    calendar = Calendar(weekdays={6, 0, 1, 2, 3})

    assert calendar.after(thursday, BusinessDays(1)) == datetime(2026, 3, 8, 8, tzinfo=UTC)


# -- closed periods ---------------------------------------------------------------------

CLOSED_WEEK = Calendar(closed=((date(2026, 2, 16), date(2026, 2, 20)),))


def test_business_days_skip_a_closed_period() -> None:
    """A closed week counts no business days: Friday plus 1 is the Monday after it."""
    friday = datetime(2026, 2, 13, 12, tzinfo=UTC)

    assert CLOSED_WEEK.after(friday, BusinessDays(1)) == datetime(2026, 2, 23, 12, tzinfo=UTC)
    assert CLOSED_WEEK.is_closed(date(2026, 2, 18))
    assert not CLOSED_WEEK.is_closed(date(2026, 2, 21))


def test_an_elapsed_window_grows_by_a_day_for_each_whole_closed_day_inside() -> None:
    """Five elapsed days from Saturday 12:00 contain the whole closed Monday to Wednesday
    (the Thursday only once the window grew): nine days in all."""
    calendar = Calendar(closed=((date(2026, 2, 16), date(2026, 2, 19)),))
    saturday = datetime(2026, 2, 14, 12, tzinfo=UTC)

    ends = calendar.after(saturday, timedelta(days=5))

    # 5 days end on Thursday 12:00: Mon-Wed are inside (3 days), which brings Thursday
    # whole inside as well (a 4th day), and nothing new after that.
    assert ends == saturday + timedelta(days=9)


def test_a_closed_day_cut_by_the_start_does_not_stretch_the_window() -> None:
    """A window that starts in the middle of a closed day does not count that day."""
    calendar = Calendar(closed=((date(2026, 2, 16), date(2026, 2, 16)),))
    start = datetime(2026, 2, 16, 0, 0, 1, tzinfo=UTC)

    assert calendar.after(start, timedelta(days=2)) == start + timedelta(days=2)
    midnight = datetime(2026, 2, 16, tzinfo=UTC)
    assert calendar.after(midnight, timedelta(days=2)) == midnight + timedelta(days=3)


def test_closed_days_are_counted_in_the_calendars_own_zone() -> None:
    """A closed Shanghai day is 16:00 to 16:00 UTC: a window from 16:00 UTC holds it whole."""
    calendar = Calendar("Asia/Shanghai", closed=((date(2026, 2, 17), date(2026, 2, 17)),))
    start = datetime(2026, 2, 16, 16, tzinfo=UTC)
    late = start + timedelta(seconds=1)

    assert calendar.after(start, DAY) == start + 2 * DAY
    assert calendar.after(late, DAY) == late + DAY


def test_public_holidays_never_stretch_an_elapsed_window() -> None:
    """Across the GB bank holiday, five elapsed days are five days."""
    friday = datetime(2026, 5, 1, 9, tzinfo=UTC)

    assert Calendar("Europe/London", country="GB").after(friday, 5 * DAY) == friday + 5 * DAY


def test_overlapping_closed_periods_count_each_day_once() -> None:
    """Two closed periods that overlap on one day stretch by the days they cover, once each."""
    calendar = Calendar(
        closed=((date(2026, 2, 16), date(2026, 2, 17)), (date(2026, 2, 17), date(2026, 2, 18)))
    )
    start = datetime(2026, 2, 15, tzinfo=UTC)

    assert calendar.after(start, 5 * DAY) == start + 8 * DAY
    assert calendar.closed == (
        (date(2026, 2, 16), date(2026, 2, 17)),
        (date(2026, 2, 17), date(2026, 2, 18)),
    )


def test_a_long_closed_period_is_skipped_at_once() -> None:
    """Business days after a closed period of centuries are counted without walking it."""
    calendar = Calendar(weekdays=EVERY_DAY, closed=((date(2026, 1, 1), date(2999, 12, 31)),))
    start = datetime(2025, 12, 31, 9, tzinfo=UTC)

    assert calendar.after(start, BusinessDays(1)) == datetime(3000, 1, 1, 9, tzinfo=UTC)


# -- daylight saving ---------------------------------------------------------------------


def test_a_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    """01:30 does not exist in London on 29 March 2026: the deadline is 02:30 BST."""
    calendar = Calendar("Europe/London", weekdays=EVERY_DAY)
    start = datetime(2026, 3, 28, 1, 30, tzinfo=LONDON)  # GMT, 01:30 UTC

    ends = calendar.after(start, BusinessDays(1))

    assert ends == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert local(calendar, ends).strftime("%H:%M %Z") == "02:30 BST"


def test_an_ambiguous_wall_time_takes_the_first() -> None:
    """01:30 happens twice in London on 25 October 2026: the deadline is the first (BST)."""
    calendar = Calendar("Europe/London", weekdays=EVERY_DAY)
    start = datetime(2026, 10, 24, 1, 30, tzinfo=LONDON)  # BST, 00:30 UTC

    ends = calendar.after(start, BusinessDays(1))

    assert ends == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local(calendar, ends).strftime("%H:%M %Z") == "01:30 BST"


def test_a_start_in_the_second_of_two_same_wall_times_keeps_its_wall_time() -> None:
    """A clock started at the second 01:30 (GMT) ends at 01:30 the next day."""
    calendar = Calendar("Europe/London", weekdays=EVERY_DAY)
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, the second one

    assert calendar.after(start, BusinessDays(1)) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_business_days_keep_the_wall_time_across_a_daylight_saving_change() -> None:
    """Friday 09:00 in New York before the March change ends Monday 09:00: 23 hours less
    than 3 elapsed days, as the clocks moved."""
    friday = datetime(2026, 3, 6, 9, tzinfo=NEW_YORK)

    ends = Calendar("America/New_York").after(friday, BusinessDays(1))

    assert ends == datetime(2026, 3, 9, 9, tzinfo=NEW_YORK)
    assert ends - friday == timedelta(days=3, hours=-1)


def test_a_daylight_saving_gap_on_a_business_day_can_end_a_later_start_earlier() -> None:
    """Cairo skips 00:00-01:00 on Friday 24 April 2026: a Thursday 00:30 start ends at
    01:30, later than a Thursday 01:15 start (the rule moves a missing wall time forward
    by the gap), but never by more than the gap."""
    calendar = Calendar("Africa/Cairo")
    cairo = ZoneInfo("Africa/Cairo")
    earlier = datetime(2026, 4, 23, 0, 30, tzinfo=cairo)
    later = datetime(2026, 4, 23, 1, 15, tzinfo=cairo)

    first, second = calendar.after(earlier, BusinessDays(1)), calendar.after(later, BusinessDays(1))

    assert second < first <= second + timedelta(hours=1)


# -- the rule's properties ----------------------------------------------------------------


@given(calendars(), instants(), business_days())
def test_a_business_day_deadline_falls_on_a_business_day(
    calendar: Calendar, start: datetime, duration: BusinessDays
) -> None:
    """The deadline's local date is a business day of the calendar."""
    ends = calendar.after(start, duration)

    assert calendar.is_business_day(local(calendar, ends).date())


@given(calendars(), instants(), business_days())
def test_a_business_day_deadline_is_at_least_n_days_after_the_start(
    calendar: Calendar, start: datetime, duration: BusinessDays
) -> None:
    """The deadline's local date is at least n days after the start's local date, at
    the start's wall time unless that time does not exist that day."""
    ends = local(calendar, calendar.after(start, duration))
    began = local(calendar, start)

    assert ends.date() >= began.date() + timedelta(days=duration.n)
    wall = datetime.combine(ends.date(), began.time(), tzinfo=ends.tzinfo)
    missing = wall.astimezone(UTC).astimezone(ends.tzinfo).time() != began.time()
    assert ends.time() == began.time() or missing


# Zones whose daylight saving changes on Sundays (or never): with Sunday not a business
# day, no start and no deadline falls on a change (see the Cairo test above for why).
_STEADY = ("UTC", "Asia/Shanghai", "Asia/Kolkata", "Europe/London", "America/New_York")


def _on_a_business_day(calendar: Calendar, start: datetime) -> datetime:
    """*start*, or the first instant a whole number of days later on a business day."""
    while not calendar.is_business_day(local(calendar, start).date()):
        start += DAY
    return start


@given(
    calendars(_STEADY, weekdays=range(6)),
    instants(max_value=datetime(2030, 6, 30)),
    instants(max_value=datetime(2030, 6, 30)),
    business_days(),
)
def test_a_later_start_on_a_business_day_never_ends_earlier(
    calendar: Calendar, one: datetime, other: datetime, duration: BusinessDays
) -> None:
    """Among starts on business days, the deadline never moves earlier as the start moves
    later."""
    earlier, later = sorted(_on_a_business_day(calendar, at) for at in (one, other))

    assert calendar.after(earlier, duration) <= calendar.after(later, duration)


@given(calendars(closed=False), instants(), windows(timedelta(0), timedelta(days=60)))
def test_an_elapsed_duration_without_closed_periods_is_exactly_elapsed(
    calendar: Calendar, start: datetime, duration: timedelta
) -> None:
    """With nothing closed, an elapsed deadline is the start plus the duration, exactly."""
    assert calendar.after(start, duration) == start + duration


def _whole_closed_days(calendar: Calendar, start: datetime, end: datetime) -> int:
    """The closed local dates whose whole day lies in [start, end], one by one."""
    zone = ZoneInfo(calendar.timezone)
    days = {
        first + timedelta(days=i)
        for first, last in calendar.closed
        for i in range((last - first).days + 1)
    }
    return sum(
        1
        for day in days
        if datetime.combine(day, datetime.min.time(), tzinfo=zone) >= start
        and datetime.combine(day + DAY, datetime.min.time(), tzinfo=zone) <= end
    )


@given(calendars(), instants(), windows(timedelta(0), timedelta(days=60)))
def test_closed_periods_stretch_an_elapsed_deadline_by_whole_days(
    calendar: Calendar, start: datetime, duration: timedelta
) -> None:
    """With closed periods, an elapsed deadline is never earlier than without, grows by
    whole days, and by exactly one for each closed day whole inside the window it ends."""
    ends = calendar.after(start, duration)
    grown = ends - (start + duration)

    assert grown >= timedelta(0)
    assert grown % DAY == timedelta(0)
    assert grown.days == _whole_closed_days(calendar, start, ends)


@given(calendars(), instants(), business_days(10))
def test_a_calendar_gives_the_same_deadline_for_a_start_written_in_any_zone(
    calendar: Calendar, start: datetime, duration: BusinessDays
) -> None:
    """A start is an instant: the zone it is written in does not change its deadline."""
    written = start.astimezone(ZoneInfo("Pacific/Kiritimati"))

    assert calendar.after(written, duration) == calendar.after(start, duration)
    assert calendar.after(written, DAY) == calendar.after(start, DAY)


@given(closed_periods())
def test_closed_periods_are_kept_sorted(periods: tuple[tuple[date, date], ...]) -> None:
    """A calendar keeps its closed periods in date order, equal whatever order they came in."""
    assert Calendar(closed=periods).closed == tuple(sorted(periods))
    assert Calendar(closed=reversed(periods)) == Calendar(closed=periods)


# -- words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (BusinessDays(1), "1 business day"),
        (BusinessDays(3), "3 business days"),
        (timedelta(days=5), "5 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(seconds=61), "61 seconds"),
    ],
)
def test_a_duration_in_words_says_business_days(duration: Any, words: str) -> None:
    """Business days read as such; elapsed time as days, hours, minutes or seconds."""
    assert span(duration) == words


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Calendar.timezone: 'Mars/Olympus_Mons' is not"),
        ({"timezone": "../../etc/passwd"}, "Calendar.timezone:"),
        ({"timezone": "GMT+8"}, "Calendar.timezone:"),
        ({"timezone": 8}, "Calendar.timezone: expected an IANA zone key"),
        ({"country": "ZZ"}, "Calendar.country: 'ZZ' is not a country of the holidays"),
        ({"country": ""}, "Calendar.country: expected None or a code"),
        ({"country": 44}, "Calendar.country: expected None or a code"),
        ({"country": "GB", "subdivision": "XX"}, "Calendar.subdivision: 'XX' is not a sub"),
        ({"subdivision": "SCT"}, "Calendar.subdivision: 'SCT' needs a country"),
        ({"weekdays": frozenset()}, "Calendar.weekdays: expected a non-empty set"),
        ({"weekdays": {7}}, "Calendar.weekdays: expected a non-empty set of ints from 0"),
        ({"weekdays": {-1, 2}}, "Calendar.weekdays:"),
        ({"weekdays": {True}}, "Calendar.weekdays:"),
        ({"weekdays": {"1"}}, "Calendar.weekdays:"),
        ({"weekdays": "01234"}, "Calendar.weekdays: expected a set of ints"),
        ({"weekdays": 5}, "Calendar.weekdays: expected a set of ints"),
        ({"closed": ((date(2026, 5, 2), date(2026, 5, 1)),)}, "the first date 2026-05-02 is"),
        ({"closed": ((date(2026, 5, 1),),)}, "Calendar.closed[0]: expected a tuple of"),
        ({"closed": ((datetime(2026, 5, 1), date(2026, 5, 2)),)}, "Calendar.closed[0]:"),
        ({"closed": ("2026-05-01",)}, "Calendar.closed[0]:"),
        ({"closed": "2026-05-01"}, "Calendar.closed: expected a tuple of"),
        ({"closed": ((date(2026, 1, 1), date(9999, 1, 1)),)}, "later than"),
    ],
)
def test_a_bad_calendar_is_invalid_input_naming_the_field(kwargs: Any, says: str) -> None:
    """Each bad argument of a Calendar is InvalidInput that names it and what is accepted."""
    with pytest.raises(InvalidInput) as info:
        Calendar(**kwargs)

    assert says in str(info.value)


@pytest.mark.parametrize("n", [0, -1, 3651, 2.0, True, "3", None])
def test_a_bad_count_of_business_days_is_invalid_input(n: Any) -> None:
    """BusinessDays takes an int from 1 to 3650."""
    with pytest.raises(InvalidInput, match=r"BusinessDays\.n: expected an int from 1 to 3650"):
        BusinessDays(n)


def test_business_days_and_calendars_are_frozen_hashable_values() -> None:
    """Equal values are equal and hash alike; a calendar's holidays do not enter equality."""
    assert BusinessDays(3) == BusinessDays(3)
    assert hash(BusinessDays(3)) == hash(BusinessDays(3))
    one, two = Calendar("Europe/London", country="GB"), Calendar("Europe/London", country="GB")
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two, Calendar()}) == 2


@pytest.mark.parametrize(
    ("start", "duration", "says"),
    [
        (datetime(2026, 3, 1), DAY, "start: naive datetime"),
        ("2026-03-01", DAY, "start: expected a timezone-aware datetime"),
        (datetime(2026, 3, 1, tzinfo=UTC), 5, "duration: expected a datetime.timedelta of"),
        (datetime(2026, 3, 1, tzinfo=UTC), "P5D", "duration: expected a datetime.timedelta of"),
        (datetime(2026, 3, 1, tzinfo=UTC), -DAY, "duration: expected a datetime.timedelta of"),
    ],
)
def test_after_refuses_a_naive_start_or_a_duration_it_cannot_count(
    start: Any, duration: Any, says: str
) -> None:
    """Calendar.after takes an aware start and a timedelta or BusinessDays."""
    with pytest.raises(InvalidInput) as info:
        Calendar().after(start, duration)

    assert says in str(info.value)


@pytest.mark.parametrize("method", ["is_business_day", "is_holiday", "is_closed"])
@pytest.mark.parametrize("day", ["2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), None])
def test_a_day_that_is_not_a_date_is_invalid_input(method: str, day: object) -> None:
    """The day questions of a Calendar take a datetime.date only: anything else (a str, a
    datetime, None) is InvalidInput naming the day."""
    with pytest.raises(InvalidInput, match=r"day: expected a datetime\.date"):
        getattr(Calendar("Europe/London", country="GB"), method)(day)


def test_a_deadline_counted_from_past_the_latest_instant_is_computed() -> None:
    """A deadline counted from another deadline later than LATEST (a dispute window after a
    protection end in the year 9900) is computed; one past the year 9999 is InvalidInput."""
    start = LATEST + timedelta(days=90)
    assert Calendar().after(start, DAY) == start + DAY
    assert Calendar(closed=((date(2026, 1, 1), date(2026, 1, 2)),)).after(start, DAY) == (
        start + DAY
    )
    with pytest.raises(InvalidInput, match="falls outside the years 1 to 9999"):
        Calendar().after(LATEST, timedelta(days=999_999))
    with pytest.raises(InvalidInput, match="falls outside the years 1 to 9999"):
        Calendar().after(LATEST, timedelta(days=40_000))


def test_many_closed_periods_are_looked_up_quickly_and_rightly() -> None:
    """With thousands of closed days, a business-day deadline is still exact (every third
    day closed: 3 business days need the open weekdays in between)."""
    first = date(2026, 1, 5)  # a Monday
    closed = tuple((first + 3 * i * DAY, first + 3 * i * DAY) for i in range(5000))
    calendar = Calendar(closed=closed)
    start = datetime.combine(first, time(9), tzinfo=UTC)
    ends = calendar.after(start, BusinessDays(3))
    days = [first + i * DAY for i in range(1, (ends.date() - first).days + 1)]
    assert sum(calendar.is_business_day(d) for d in days) == 3
    assert calendar.is_business_day(ends.date())


def test_an_unknown_zone_is_refused_with_what_a_calendar_takes() -> None:
    """Calendar("Mars/X") says it takes an IANA zone key (not a tzinfo, which it refuses)."""
    with pytest.raises(InvalidInput) as refused:
        Calendar("Mars/X")
    assert str(refused.value) == (
        "Calendar.timezone: 'Mars/X' is not a time zone; expected an IANA zone key such as "
        "'Europe/London', 'UTC' or 'Etc/GMT-8'"
    )
