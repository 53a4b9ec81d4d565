"""Tests for the carrier-feed reader: `parse_tracking` (rows to events) and `parse_instant`."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import (
    BuyerProtectionError,
    InvalidInput,
    Money,
    Order,
    Parcel,
    TrackingEvent,
    TrackingStatus,
    parse_tracking,
)
from buyer_protection.feeds import STATUS_WORDS, parse_instant
from buyer_protection.tracking import verdict
from strategies import BROKEN_ZONES, feed_junk, hashable_junk

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
S = TrackingStatus


def _one(time: object, default_tz: object = "Asia/Shanghai", **kw: object) -> TrackingEvent:
    (event,) = parse_tracking([{"time": time, "status": "In transit"}], default_tz=default_tz, **kw)  # type: ignore[arg-type]
    return event


def _problems(records: object, **kw: object) -> tuple[str, ...]:
    kw.setdefault("default_tz", "Asia/Shanghai")
    with pytest.raises(InvalidInput) as refused:
        parse_tracking(records, **kw)  # type: ignore[arg-type]
    return refused.value.problems


# -- the forms a feed comes in ---------------------------------------------------


def test_json_rows_become_sorted_events_in_utc() -> None:
    """JSON rows with time, status, description and location give events sorted by instant."""
    feed = json.loads(
        """[
        {"time": "2026-03-05 09:12", "status": "In transit",
         "description": "Departed from sorting center", "location": "Shenzhen, CN"},
        {"time": "2026-03-02 18:40:05", "status": "Info received",
         "description": "Electronic information received", "location": ""}
        ]"""
    )
    events = parse_tracking(feed, default_tz="Asia/Shanghai")
    assert events == (
        TrackingEvent(
            datetime(2026, 3, 2, 10, 40, 5, tzinfo=UTC),
            S.INFO_RECEIVED,
            "Electronic information received",
            "",
        ),
        TrackingEvent(
            datetime(2026, 3, 5, 1, 12, tzinfo=UTC),
            S.IN_TRANSIT,
            "Departed from sorting center",
            "Shenzhen, CN",
        ),
    )
    assert isinstance(events, tuple)
    assert all(e.at.tzinfo is UTC for e in events)


def test_csv_rows_from_dictreader_are_accepted() -> None:
    """Rows from csv.DictReader (all text, empty cells as '') parse like JSON rows."""
    text = (
        "time,status,description,location\n"
        "2026-03-04 07:12,Info received,,Shenzhen\n"
        "2026-03-06T22:05:00+08:00,Arrived at sorting center,Hub,Guangzhou\n"
    )
    events = parse_tracking(csv.DictReader(io.StringIO(text)), default_tz=SHANGHAI)
    assert [(e.at, e.status, e.description, e.location) for e in events] == [
        (datetime(2026, 3, 3, 23, 12, tzinfo=UTC), S.INFO_RECEIVED, "", "Shenzhen"),
        (datetime(2026, 3, 6, 14, 5, tzinfo=UTC), S.IN_TRANSIT, "Hub", "Guangzhou"),
    ]


def test_description_and_location_are_optional_and_stripped() -> None:
    """A row with only time and status gets empty texts; given texts lose outer spaces."""
    events = parse_tracking(
        [
            {"time": "2026-03-04 07:12", "status": "delivered"},
            {"time": "2026-03-04 08:12", "status": "delivered", "location": "  Lyon  "},
            {"time": "2026-03-04 09:12", "status": "delivered", "description": None},
        ],
        default_tz="UTC",
    )
    assert [(e.description, e.location) for e in events] == [("", ""), ("", "Lyon"), ("", "")]


def test_keys_map_our_names_to_the_feeds_names() -> None:
    """keys={'time': 'ts', ...} reads each field under the feed's own key."""
    rows = [{"ts": "2026-03-04 07:12", "event": "Delivered", "desc": "Left at door", "at": "Lyon"}]
    keys = {"time": "ts", "status": "event", "description": "desc", "location": "at"}
    (event,) = parse_tracking(rows, default_tz="Europe/Paris", keys=keys)
    assert event == TrackingEvent(
        datetime(2026, 3, 4, 6, 12, tzinfo=UTC), S.DELIVERED, "Left at door", "Lyon"
    )


def test_keys_that_are_not_our_field_names_are_refused() -> None:
    """A keys mapping naming an unknown field of ours is InvalidInput naming it."""
    problems = _problems([], keys={"when": "ts"})
    assert "keys['when']" in problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026-03-05T09:12:00", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026/03/05 09:12:33", datetime(2026, 3, 5, 1, 12, 33, tzinfo=UTC)),
        ("2026-03-05 09:12:00.5", datetime(2026, 3, 5, 1, 12, 0, 500000, tzinfo=UTC)),
        ("2026-03-05T09:12:00+05:30", datetime(2026, 3, 5, 3, 42, tzinfo=UTC)),
        ("2026-03-05T09:12:00Z", datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("2026-03-05 09:12 UTC", datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("Thu, 05 Mar 2026 09:12:00 +0800", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("March 5, 2026 9:12 AM", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("5 March 2026 21:12", datetime(2026, 3, 5, 13, 12, tzinfo=UTC)),
        ("2026-03-05 09:12 -0300", datetime(2026, 3, 5, 12, 12, tzinfo=UTC)),
        ("2026-03-05 09:12:33", datetime(2026, 3, 5, 1, 12, 33, tzinfo=UTC)),  # Cainiao
        ("2026-03-05T09:12:33.862+08:00", datetime(2026, 3, 5, 1, 12, 33, 862000, tzinfo=UTC)),
        ("2026-03-05T09:12:33.862Z", datetime(2026, 3, 5, 9, 12, 33, 862000, tzinfo=UTC)),
        ("20260305T091233Z", datetime(2026, 3, 5, 9, 12, 33, tzinfo=UTC)),
        ("2026-3-5 9:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026/03/05 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026/03/05 09:12 +0800", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026.03.05 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026 03 05 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("20260305 0912", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("202603050912", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("20260305091233", datetime(2026, 3, 5, 1, 12, 33, tzinfo=UTC)),
        ("09:12 2026-03-05", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("Mar 5, 2026 9:12 AM", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("Mar 5 2026 09:12 PM", datetime(2026, 3, 5, 13, 12, tzinfo=UTC)),
        ("March 5th, 2026 at 9:12 PM", datetime(2026, 3, 5, 13, 12, tzinfo=UTC)),
        ("05-Mar-2026 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("2026-Mar-05 09:12", datetime(2026, 3, 5, 1, 12, tzinfo=UTC)),
        ("Thursday 5 March 2026 21:12:00", datetime(2026, 3, 5, 13, 12, tzinfo=UTC)),
        ("Thu, 05 Mar 2026 09:12:00 GMT", datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("2026-03-05 09:12 -0300 (BRT)", datetime(2026, 3, 5, 12, 12, tzinfo=UTC)),
    ],
)
def test_the_many_forms_carriers_write_times_in(text: str, expected: datetime) -> None:
    """Each common way of writing a date and time whose field order is written gives its instant."""
    assert _one(text).at == expected
    assert _one(text, dayfirst=True).at == _one(text, dayfirst=False).at == expected


def test_an_hour_without_minutes_is_a_time_of_day() -> None:
    """'9 PM' on a full date is 21:00 local time, not a date without a time."""
    assert _one("2026-03-05 9 PM").at == datetime(2026, 3, 5, 13, 0, tzinfo=UTC)


def test_a_time_without_offset_takes_the_default_zone() -> None:
    """The same wall-clock text gives different instants in different default zones."""
    assert _one("2026-07-01 12:00", "Asia/Shanghai").at == datetime(2026, 7, 1, 4, tzinfo=UTC)
    assert _one("2026-07-01 12:00", NEW_YORK).at == datetime(2026, 7, 1, 16, tzinfo=UTC)
    assert _one("2026-07-01 12:00", timezone(timedelta(hours=-3))).at == datetime(
        2026, 7, 1, 15, tzinfo=UTC
    )


def test_a_written_offset_wins_over_the_default_zone() -> None:
    """A time with its own offset means the same instant whatever the default zone."""
    text = "2026-07-01T12:00:00+08:00"
    assert _one(text, "UTC").at == _one(text, NEW_YORK).at == datetime(2026, 7, 1, 4, tzinfo=UTC)


def test_dayfirst_settles_a_date_that_reads_both_ways() -> None:
    """'05/03/2026' is 5 March with dayfirst=True and 3 May with dayfirst=False."""
    assert _one("05/03/2026 09:12", "UTC", dayfirst=True).at == datetime(
        2026, 3, 5, 9, 12, tzinfo=UTC
    )
    assert _one("05/03/2026 09:12", "UTC", dayfirst=False).at == datetime(
        2026, 5, 3, 9, 12, tzinfo=UTC
    )


def test_default_tz_takes_a_tzinfo_or_an_iana_name_only() -> None:
    """default_tz is a tzinfo or an IANA name; anything else is InvalidInput naming it."""
    assert _one("2026-03-05 09:12", SHANGHAI) == _one("2026-03-05 09:12", "Asia/Shanghai")
    for bad in ("Mars/Olympus", "", None, 8):
        problems = _problems([{"time": "2026-03-05 09:12", "status": "delivered"}], default_tz=bad)
        assert "default_tz" in problems[0]


# -- statuses ---------------------------------------------------------------------


@pytest.mark.parametrize("status", list(TrackingStatus))
def test_each_status_written_in_words_is_known(status: TrackingStatus) -> None:
    """Every TrackingStatus written in words ('Returned to sender') maps to itself."""
    words = status.value.replace("_", " ")
    for text in (words, words.upper(), words.title(), status.value, f"  {words}  "):
        (event,) = parse_tracking([{"time": "2026-03-05 09:12", "status": text}], default_tz="UTC")
        assert event.status is status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Info received", S.INFO_RECEIVED),
        ("IN TRANSIT", S.IN_TRANSIT),
        ("in-transit", S.IN_TRANSIT),
        ("Held by customs", S.CUSTOMS),
        ("Out for delivery", S.OUT_FOR_DELIVERY),
        ("DELIVERED", S.DELIVERED),
        ("Delivery attempted", S.DELIVERY_FAILED),
        ("Returned to sender", S.RETURNED_TO_SENDER),
        ("Return to sender", S.RETURNED_TO_SENDER),
        ("Alert", S.EXCEPTION),
    ],
)
def test_status_words_are_matched_case_insensitively(text: str, status: TrackingStatus) -> None:
    """Status texts map through STATUS_WORDS whatever their case and separators."""
    (event,) = parse_tracking([{"time": "2026-03-05 09:12", "status": text}], default_tz="UTC")
    assert event.status is status


def test_the_status_table_is_read_only() -> None:
    """STATUS_WORDS cannot be changed by a caller."""
    with pytest.raises(TypeError):
        STATUS_WORDS["teleported"] = S.DELIVERED  # type: ignore[index]
    assert "teleported" not in STATUS_WORDS


@pytest.mark.parametrize("words", sorted(STATUS_WORDS))
def test_every_phrase_of_the_status_table_is_matched_as_written(words: str) -> None:
    """Each phrase of STATUS_WORDS, written as in the table or capitalised, maps to its status."""
    for text in (words, words.capitalize(), words.upper()):
        (event,) = parse_tracking([{"time": "2026-03-05 09:12", "status": text}], default_tz="UTC")
        assert event.status is STATUS_WORDS[words]


def test_statuses_extend_and_override_the_table() -> None:
    """statuses= adds a feed's own words and may override a default, for that call only."""
    rows = [
        {"time": "2026-03-05 09:12", "status": "Handed over to airline"},
        {"time": "2026-03-06 09:12", "status": "Delivered"},
    ]
    events = parse_tracking(
        rows,
        default_tz="UTC",
        statuses={"HANDED OVER TO AIRLINE": S.IN_TRANSIT, "delivered": "delivery_failed"},
    )
    assert [e.status for e in events] == [S.IN_TRANSIT, S.DELIVERY_FAILED]
    assert STATUS_WORDS["delivered"] is S.DELIVERED
    default = parse_tracking(rows[1:], default_tz="UTC")
    assert default[0].status is S.DELIVERED


def test_statuses_mapping_to_an_unknown_status_is_refused() -> None:
    """A statuses= entry whose value is not a TrackingStatus is InvalidInput naming it."""
    problems = _problems([], statuses={"beamed": "teleported"})
    assert "statuses['beamed']" in problems[0]
    assert "in_transit" in problems[0]


# -- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Mar 5 09:12", "no year"),
        ("05 March 09:12", "no year"),
        ("09:12", "no year"),
        ("2026-03-05", "no time of day"),
        ("March 5, 2026", "no time of day"),
        ("20260305", "no time of day"),
        ("2026-03-05 09:12 CST", "cannot be known"),
        ("2026-03-05 09:12 EST", "cannot be known"),
        ("2026-03-05 09:12 GMT+8", "GMT/UTC+N"),
        ("2026-03-05 09:12 UTC-5", "GMT/UTC+N"),
        ("05/03/2026 09:12", "dayfirst"),
        ("5.3.2026 09:12", "dayfirst"),
        ("13/03/2026 09:12", "dayfirst"),  # the form needs it, whatever the numbers
        ("03/13/2026 09:12", "dayfirst"),
        ("3/5/2026 9:12 PM", "dayfirst"),
        ("05-03-2026 09:12", "dayfirst"),
        ("05 03 2026 09:12", "dayfirst"),
        ("09:12 05/03/2026", "dayfirst"),
        ("Mar 5 75 09:12", "four digits"),
        ("Mar 5 76 09:12", "four digits"),
        ("5 Mar 26 09:12", "four digits"),
        ("26-03-05 09:12", "four digits"),
        ("05/03/26 09:12", "four digits"),
        ("2026/13/05 09:12", "not a date"),
        ("2026-03-05 09:12 +2500", "offset of a day or more"),
        ("12345678901", "not a date and time"),
        ("2026-02-30 09:12", "not a date and time"),
        ("", "expected a date and time"),
        ("   ", "expected a date and time"),
    ],
)
def test_times_that_cannot_be_known_for_sure_are_refused(text: str, why: str) -> None:
    """A time with no year, no time of day, an unknowable zone or two readings is refused."""
    (problem,) = _problems([{"time": text, "status": "In transit"}])
    assert problem.startswith("records[0].time: ")
    assert why in problem


@pytest.mark.parametrize("value", [1772700000.0, Decimal("1772700000"), b"2026-03-05 09:12", [1]])
def test_a_time_that_is_not_text_an_int_or_a_datetime_is_refused(value: object) -> None:
    """A float (inexact), a Decimal, bytes or a list in the time field is refused, naming it."""
    (problem,) = _problems([{"time": value, "status": "In transit"}])
    assert problem.startswith("records[0].time: ")
    assert "int" in problem


@pytest.mark.parametrize(
    "zone", ["America/New_York", NEW_YORK, dateutil_tz.gettz("America/New_York")]
)
def test_local_times_skipped_or_repeated_by_a_clock_change_are_refused(zone: object) -> None:
    """A wall time that does not exist, or happens twice, in the default zone is refused."""
    rows = [
        {"time": "2026-03-08 02:30", "status": "In transit"},  # New York springs forward
        {"time": "2026-11-01 01:30", "status": "In transit"},  # New York falls back
        {"time": "2026-11-01 00:30", "status": "In transit"},  # an hour before: fine
    ]
    problems = _problems(rows, default_tz=zone)
    assert len(problems) == 2
    assert problems[0].startswith("records[0].time: ")
    assert "does not exist" in problems[0]
    assert problems[1].startswith("records[1].time: ")
    assert "happens twice" in problems[1]


def test_times_around_a_clock_change_with_an_offset_are_accepted() -> None:
    """The same wall times are accepted once they carry their offset."""
    rows = [
        {"time": "2026-11-01 01:30-04:00", "status": "In transit"},
        {"time": "2026-11-01 01:30-05:00", "status": "In transit"},
    ]
    events = parse_tracking(rows, default_tz="America/New_York")
    assert [e.at for e in events] == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    ]


def test_missing_fields_and_unknown_statuses_are_refused() -> None:
    """A row without time or status, or with a status not in the table, names row and field."""
    rows = [
        {"status": "In transit"},
        {"time": "2026-03-05 09:12"},
        {"time": "2026-03-05 09:12", "status": "Teleported"},
        {"time": "2026-03-05 09:12", "status": 7},
    ]
    problems = _problems(rows)
    assert [p.split(":")[0] for p in problems] == [
        "records[0].time",
        "records[1].status",
        "records[2].status",
        "records[3].status",
    ]
    assert "missing" in problems[0]
    assert "missing" in problems[1]
    assert "'Teleported'" in problems[2]
    assert "statuses=" in problems[2]


def test_problems_name_the_feeds_own_keys() -> None:
    """With keys=, a problem names the field as the feed calls it."""
    problems = _problems([{"ts": "Mar 5 09:12"}], keys={"time": "ts", "status": "event"})
    assert [p.split(":")[0] for p in problems] == ["records[0].ts", "records[0].event"]


def test_non_text_description_or_location_is_refused() -> None:
    """A description or location that is not text is refused, naming the field."""
    problems = _problems(
        [{"time": "2026-03-05 09:12", "status": "delivered", "description": 5, "location": [1]}]
    )
    assert [p.split(":")[0] for p in problems] == [
        "records[0].description",
        "records[0].location",
    ]


def test_every_bad_row_is_reported_at_once_and_nothing_is_returned() -> None:
    """One InvalidInput lists every problem of every row, in row order, good rows aside."""
    rows = [
        {"time": "2026-03-05 09:12", "status": "In transit"},
        {"time": "Mar 5 09:12", "status": "Teleported"},
        "not a row",
        {"time": "2026-03-05 09:12 CST", "status": "delivered"},
    ]
    with pytest.raises(InvalidInput) as refused:
        parse_tracking(rows, default_tz="Asia/Shanghai")  # type: ignore[list-item]
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "records[1].time",
        "records[1].status",
        "records[2]",
        "records[3].time",
    ]
    message = str(refused.value)
    assert all(p in message for p in problems)
    assert "4 bad value(s)" in message


def test_records_must_be_a_sequence_of_rows() -> None:
    """One mapping or one string instead of a list of rows is refused."""
    for bad in ({"time": "2026-03-05 09:12", "status": "delivered"}, "time,status"):
        problems = _problems(bad)
        assert problems[0].startswith("records: ")


def test_dayfirst_must_be_a_bool_or_none() -> None:
    """dayfirst other than True, False or None is refused."""
    (problem,) = _problems([], dayfirst="yes")
    assert problem.startswith("dayfirst: ")


# -- duplicates and order ---------------------------------------------------------


def test_duplicates_are_removed_even_when_written_in_other_zones() -> None:
    """The same scan twice, or the same instant in another zone, gives one event."""
    rows = [
        {"time": "2026-03-05 09:12", "status": "In transit", "location": "Shenzhen"},
        {"time": "2026-03-05T01:12:00Z", "status": "in transit", "location": "Shenzhen "},
        {"time": "2026-03-04 20:12-05:00", "status": "IN TRANSIT", "location": "Shenzhen"},
        {"time": "2026-03-05 09:12", "status": "In transit", "location": "Shenzhen"},
    ]
    events = parse_tracking(rows, default_tz="Asia/Shanghai")
    assert events == (
        TrackingEvent(datetime(2026, 3, 5, 1, 12, tzinfo=UTC), S.IN_TRANSIT, "", "Shenzhen"),
    )


def test_an_empty_feed_gives_no_events() -> None:
    """No rows: an empty tuple."""
    assert parse_tracking([], default_tz="UTC") == ()


# -- the field order and the year are written, never guessed ------------------------


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("05/03/2026 09:12", True, datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("05/03/2026 09:12", False, datetime(2026, 5, 3, 9, 12, tzinfo=UTC)),
        ("13/03/2026 09:12", True, datetime(2026, 3, 13, 9, 12, tzinfo=UTC)),
        ("03/13/2026 09:12", False, datetime(2026, 3, 13, 9, 12, tzinfo=UTC)),
        ("3/5/2026 9:12 PM", False, datetime(2026, 3, 5, 21, 12, tzinfo=UTC)),
        ("5.3.2026 09:12", True, datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("05-03-2026 09:12", True, datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
        ("09:12 05/03/2026", True, datetime(2026, 3, 5, 9, 12, tzinfo=UTC)),
    ],
)
def test_dayfirst_reads_day_and_month_written_before_the_year(
    text: str, dayfirst: bool, expected: datetime
) -> None:
    """With dayfirst, a D/M/YYYY or M/D/YYYY date reads in the order it says."""
    assert _one(text, "UTC", dayfirst=dayfirst).at == expected


@pytest.mark.parametrize(
    ("text", "dayfirst"),
    [("03/13/2026 09:12", True), ("13/03/2026 09:12", False), ("2026/13/05 09:12", None)],
)
def test_a_date_that_contradicts_its_field_order_is_refused(
    text: str, dayfirst: bool | None
) -> None:
    """dateutil would swap day and month when one cannot be a month; the reader refuses."""
    (problem,) = _problems([{"time": text, "status": "In transit"}], dayfirst=dayfirst)
    assert problem.startswith("records[0].time: ")
    assert "not a date" in problem


def test_a_two_digit_year_is_refused_whatever_the_century_nearby() -> None:
    """'Mar 5 75' and 'Mar 5 76' are both refused: no year is chosen from today's date."""
    rows = [
        {"time": "Mar 5 75 09:12", "status": "In transit"},
        {"time": "Mar 5 76 09:12", "status": "In transit"},
        {"time": "2026-03-05 09:12", "status": "In transit"},
        {"time": "26-03-05 09:12", "status": "In transit"},
    ]
    problems = _problems(rows, dayfirst=True)
    assert [p.split(":")[0] for p in problems] == [
        "records[0].time",
        "records[1].time",
        "records[3].time",
    ]
    assert all("four digits" in p for p in problems)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset to set the zone")
def test_a_zone_name_is_refused_even_when_it_is_the_machines_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """'CST' is refused on a machine set to Chicago too, where dateutil reads it as local time."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        (problem,) = _problems([{"time": "2026-03-05 09:12 CST", "status": "In transit"}])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "'CST'" in problem
    assert "cannot be known" in problem


# -- epoch times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1674952260000, datetime(2023, 1, 29, 0, 31, tzinfo=UTC)),
        (1674952260862, datetime(2023, 1, 29, 0, 31, 0, 862000, tzinfo=UTC)),
        ("1674952260000", datetime(2023, 1, 29, 0, 31, tzinfo=UTC)),
        (" 1674952260000 ", datetime(2023, 1, 29, 0, 31, tzinfo=UTC)),
        (1674952260, datetime(2023, 1, 29, 0, 31, tzinfo=UTC)),
        ("1674952260", datetime(2023, 1, 29, 0, 31, tzinfo=UTC)),
        (946684800, datetime(2000, 1, 1, tzinfo=UTC)),
        (946684800000, datetime(2000, 1, 1, tzinfo=UTC)),
        (10**11 - 1, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
    ],
)
def test_epoch_numbers_are_read_as_milliseconds_from_10_11_else_seconds(
    value: object, expected: datetime
) -> None:
    """An int, or text of 10 or 13 digits, is epoch milliseconds from 10**11 on, else seconds."""
    assert _one(value).at == expected
    assert parse_instant(value) == expected  # type: ignore[arg-type]


def test_epoch_times_are_utc_whatever_the_default_zone() -> None:
    """An epoch number names one instant: the default zone does not move it."""
    assert _one(1674952260000, "America/New_York").at == _one(1674952260000, "Asia/Shanghai").at
    assert _one("1674952260", NEW_YORK).at == datetime(2023, 1, 29, 0, 31, tzinfo=UTC)


def test_epoch_milliseconds_are_kept() -> None:
    """Two Cainiao scans 862 ms apart are two events, 862 ms apart."""
    rows = [
        {"time": 1674952260862, "status": "In transit"},
        {"time": 1674952260000, "status": "In transit"},
    ]
    first, second = parse_tracking(rows, default_tz="Asia/Shanghai")
    assert second.at - first.at == timedelta(milliseconds=862)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (True, "expected a date and time"),
        (False, "expected a date and time"),
        (-1674952260000, "negative"),
        (-1, "negative"),
        (0, "before 2000-01-01"),
        (10**11, "before 2000-01-01"),  # milliseconds: 1973
        (946684799, "before 2000-01-01"),
        (946684799999, "before 2000-01-01"),
        ("0946684799", "before 2000-01-01"),
        (10**15, "later than the year"),
        pytest.param(10**5000, "later than the year", id="an int of 5001 digits"),
        (1674952260000.0, "float"),
    ],
)
def test_implausible_epoch_numbers_are_refused(value: object, why: str) -> None:
    """A bool, a negative number, an instant before 2000 or past the latest, a float: refused."""
    (problem,) = _problems([{"time": value, "status": "In transit"}])
    assert problem.startswith("records[0].time: ")
    assert why in problem
    assert len(problem) < 300
    with pytest.raises(InvalidInput, match=why):
        parse_instant(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["20260305", "167495226", "16749522600", "167495226000"])
def test_text_of_other_lengths_of_digits_is_not_an_epoch_number(text: str) -> None:
    """Only exactly 10 or 13 digits are epoch numbers: '20260305' is a date without a time."""
    (problem,) = _problems([{"time": text, "status": "In transit"}])
    assert "epoch" not in problem
    assert problem.startswith("records[0].time: ")


def test_a_cainiao_feed_with_epoch_milliseconds_reads_newest_first() -> None:
    """A Cainiao-shaped feed (newest first, epoch ms, GMT+8 only in a separate field) parses."""
    feed = json.loads(
        """[
        {"time": 1675129800000, "timeStr": "2023-01-31 09:50:00", "timeZone": "GMT+8",
         "actionCode": "GTMS_SIGNED", "desc": "Delivered"},
        {"time": 1675041900000, "timeStr": "2023-01-30 09:25:00", "timeZone": "GMT+8",
         "actionCode": "CC_IM_START", "desc": "Import customs clearance started"},
        {"time": 1674952260000, "timeStr": "2023-01-29 08:31:00", "timeZone": "GMT+8",
         "actionCode": "GWMS_ACCEPT", "desc": "Package ready for shipment"}
        ]"""
    )
    events = parse_tracking(
        feed,
        default_tz="Asia/Shanghai",
        keys={"time": "time", "status": "actionCode", "description": "desc"},
        statuses={
            "GWMS_ACCEPT": "info_received",
            "CC_IM_START": "customs",
            "GTMS_SIGNED": "delivered",
        },
    )
    assert [(e.at, e.status) for e in events] == [
        (datetime(2023, 1, 29, 0, 31, tzinfo=UTC), S.INFO_RECEIVED),
        (datetime(2023, 1, 30, 1, 25, tzinfo=UTC), S.CUSTOMS),
        (datetime(2023, 1, 31, 1, 50, tzinfo=UTC), S.DELIVERED),
    ]
    by_text = parse_tracking(
        feed,
        default_tz="Asia/Shanghai",
        keys={"time": "timeStr", "status": "actionCode", "description": "desc"},
        statuses={
            "GWMS_ACCEPT": "info_received",
            "CC_IM_START": "customs",
            "GTMS_SIGNED": "delivered",
        },
    )
    assert by_text == events


# -- ties keep the feed's order -------------------------------------------------------

T0 = "2026-03-05 09:00"
T1 = "2026-03-06 10:00"


def _statuses(rows: list[dict[str, object]]) -> list[str]:
    return [e.status.value for e in parse_tracking(rows, default_tz="UTC")]


def test_ties_in_a_newest_first_feed_are_reversed_with_it() -> None:
    """A newest-first feed (Cainiao's order) lists a tie newest side first: it comes out last."""
    rows: list[dict[str, object]] = [
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Arrived"},
        {"time": T0, "status": "Departed"},
    ]
    assert _statuses(rows) == ["in_transit", "in_transit", "customs"]
    rows[0], rows[1] = rows[1], rows[0]
    assert _statuses(rows) == ["in_transit", "customs", "in_transit"]


def test_ties_in_an_oldest_first_feed_keep_its_order() -> None:
    """An oldest-first feed lists a tie oldest side first: the order stays."""
    rows: list[dict[str, object]] = [
        {"time": T0, "status": "Departed"},
        {"time": T1, "status": "Arrived"},
        {"time": T1, "status": "Held by customs"},
    ]
    assert _statuses(rows) == ["in_transit", "in_transit", "customs"]
    rows[1], rows[2] = rows[2], rows[1]
    assert _statuses(rows) == ["in_transit", "customs", "in_transit"]


def test_the_direction_is_that_of_the_first_two_distinct_times() -> None:
    """Ties before the first change of time follow the direction that change shows."""
    newest_first: list[dict[str, object]] = [
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Arrived"},
        {"time": T0, "status": "Departed"},
        {"time": "2026-03-07 10:00", "status": "Delivered"},  # out of order later: no matter
    ]
    assert _statuses(newest_first) == ["in_transit", "in_transit", "customs", "delivered"]


def test_a_feed_whose_times_are_all_equal_counts_as_oldest_first() -> None:
    """With one instant only, the feed's last row is the latest."""
    rows: list[dict[str, object]] = [
        {"time": T1, "status": "Arrived"},
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Out for delivery"},
    ]
    assert _statuses(rows) == ["in_transit", "customs", "out_for_delivery"]


def test_duplicates_keep_the_place_of_their_first_occurrence_in_the_result() -> None:
    """A scan repeated in a tie is kept once, where it first appears oldest first."""
    rows: list[dict[str, object]] = [
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Arrived"},
        {"time": T1, "status": "Held by customs"},
        {"time": T0, "status": "Departed"},
    ]
    # oldest first: Departed, Customs (row 2), Arrived, Customs (row 0, a duplicate)
    assert _statuses(rows) == ["in_transit", "customs", "in_transit"]


def test_a_tie_gives_the_verdict_of_the_scan_on_the_feeds_newest_side() -> None:
    """The parcel's verdict from parsed events is that of the newest-side scan of a tie."""
    rows = [
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Arrived"},
        {"time": T0, "status": "Departed"},
    ]
    events = parse_tracking(rows, default_tz="UTC")
    at = datetime(2026, 3, 7, tzinfo=UTC)
    assert verdict(events, at, timedelta(days=10))[0] is Parcel.CUSTOMS


def test_an_order_fed_the_parsed_events_gives_the_carriers_verdict() -> None:
    """Events from parse_tracking added one by one to an order keep the carrier's verdict."""
    rows = [
        {"time": T1, "status": "Held by customs"},
        {"time": T1, "status": "Arrived"},
        {"time": T0, "status": "Departed"},
    ]
    order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 2, tzinfo=UTC))
    order.ship(datetime(2026, 3, 3, tzinfo=UTC))
    for event in parse_tracking(rows, default_tz="UTC"):
        order.add_tracking(event)
    assert order.parcel(datetime(2026, 3, 7, tzinfo=UTC)) is Parcel.CUSTOMS


# -- arguments of the wrong kind --------------------------------------------------------

ROW = {"time": "2026-03-05 09:12", "status": "In transit"}


@pytest.mark.parametrize(
    ("kw", "named"),
    [
        ({"records": None}, "records: "),
        ({"records": 5}, "records: "),
        ({"records": b"time,status"}, "records: "),
        ({"records": "time,status"}, "records: "),
        ({"records": ROW}, "records: "),
        ({"keys": [("time", "ts")]}, "keys: "),
        ({"keys": "time"}, "keys: "),
        ({"keys": {1: "ts"}}, "keys[1]"),
        ({"keys": {("time",): "ts"}}, "keys[('time',)]"),
        ({"keys": {"time": 5}}, "keys['time']"),
        ({"keys": {"time": ""}}, "keys['time']"),
        ({"keys": {"time": ["ts"]}}, "keys['time']"),
        ({"keys": {"time": "t" * 10_000}}, "keys['time']"),
        ({"statuses": ["in transit"]}, "statuses: "),
        ({"statuses": "in transit"}, "statuses: "),
        ({"statuses": {5: "in_transit"}}, "statuses: "),
        ({"statuses": {"": "in_transit"}}, "statuses: "),
        ({"statuses": {"beamed": 5}}, "statuses['beamed']"),
        ({"statuses": {"beamed": ["in_transit"]}}, "statuses['beamed']"),
        ({"statuses": {"beamed": None}}, "statuses['beamed']"),
        ({"dayfirst": "yes"}, "dayfirst: "),
        ({"dayfirst": 1}, "dayfirst: "),
        ({"dayfirst": [True]}, "dayfirst: "),
        ({"default_tz": None}, "default_tz: "),
        ({"default_tz": 8}, "default_tz: "),
        ({"default_tz": ["UTC"]}, "default_tz: "),
        ({"default_tz": b"UTC"}, "default_tz: "),
    ],
)
def test_arguments_of_the_wrong_kind_are_invalid_input_naming_them(
    kw: dict[str, object], named: str
) -> None:
    """None, lists for mappings, non-text keys or values: InvalidInput naming the argument."""
    kw.setdefault("records", [ROW])
    records = kw.pop("records")
    (problem,) = _problems(records, **kw)
    assert problem.startswith(named)
    assert len(problem) < 400


def test_every_bad_argument_is_reported_at_once() -> None:
    """Several bad arguments give one InvalidInput listing each, before any row is read."""
    read = []

    def rows() -> Iterator[dict[str, str]]:
        read.append(1)
        yield ROW

    problems = _problems(rows(), default_tz="GMT+8", keys=["time"], statuses={"x": 5}, dayfirst=0)
    assert [p.split(":")[0].split("[")[0] for p in problems] == [
        "default_tz",
        "keys",
        "statuses",
        "dayfirst",
    ]
    assert read == []


def test_a_generator_of_junk_rows_is_refused_row_by_row() -> None:
    """Rows that are not mappings, from a generator, each get a problem naming them."""
    rows = (value for value in [None, 5, [ROW], b"x", "time", ROW, 10**5000])
    problems = _problems(rows)
    assert [p.split(":")[0] for p in problems] == [
        "records[0]",
        "records[1]",
        "records[2]",
        "records[3]",
        "records[4]",
        "records[6]",
    ]
    assert "an int of 5001 digits" in problems[-1]


def test_records_that_fail_while_read_raise_the_callers_own_error() -> None:
    """An iterable that raises while iterated raises its own error: the fault is the caller's."""

    def rows() -> Iterator[dict[str, str]]:
        yield ROW
        raise OSError("the feed's connection dropped")

    with pytest.raises(OSError, match="connection dropped"):
        parse_tracking(rows(), default_tz="UTC")


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "/usr/share/zoneinfo/Asia/Shanghai",
        "GMT+8",
        "UTC+8",
        "EST5EDT,M3.2.0,M11.1.0",
        "Mars/Olympus",
        "",
        "Asia/Shanghai\x00",
        "x" * 10_000,
    ],
)
def test_default_tz_is_only_an_iana_key_or_a_tzinfo(bad: str) -> None:
    """A path, a POSIX-style string or an unknown name is InvalidInput naming default_tz."""
    (problem,) = _problems([ROW], default_tz=bad)
    assert problem.startswith("default_tz: ")
    assert "IANA" in problem
    assert len(problem) < 400
    with pytest.raises(InvalidInput, match=r"^default_tz: "):
        parse_instant("2026-03-05 09:12", default_tz=bad)


def test_etc_gmt_keys_mean_what_the_iana_database_says() -> None:
    """'Etc/GMT-8' is UTC+8, as its IANA entry says (the sign is POSIX's, on purpose)."""
    assert _one("2026-03-05 09:12", "Etc/GMT-8").at == datetime(2026, 3, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("zone", BROKEN_ZONES, ids=lambda z: z.how)
def test_a_broken_default_zone_is_invalid_input_for_the_rows_that_need_it(zone: tzinfo) -> None:
    """A tzinfo with no valid UTC offset is refused for local times; written offsets are fine."""
    rows = [ROW, {"time": "2026-03-05T09:12:00+08:00", "status": "In transit"}]
    (problem,) = _problems(rows, default_tz=zone)
    assert problem.startswith("records[0].time: default_tz BrokenZone(")
    assert "no valid UTC offset" in problem
    with pytest.raises(InvalidInput, match="no valid UTC offset"):
        parse_instant("2026-03-05 09:12", default_tz=zone)
    assert parse_instant("2026-03-05T09:12:00+08:00", default_tz=zone) == datetime(
        2026, 3, 5, 1, 12, tzinfo=UTC
    )


@pytest.mark.parametrize("zone", BROKEN_ZONES, ids=lambda z: z.how)
def test_a_datetime_with_a_broken_zone_in_the_time_field_is_refused(zone: tzinfo) -> None:
    """A datetime given as is whose tzinfo gives no valid offset is InvalidInput naming the row."""
    rows = [{"time": datetime(2026, 3, 5, 9, 12, tzinfo=zone), "status": "In transit"}]
    (problem,) = _problems(rows)
    assert problem.startswith("records[0].time: ")
    assert "no valid UTC offset" in problem


def test_datetimes_in_the_time_field_are_taken_as_they_are() -> None:
    """An aware datetime is its instant; a naive one is local time in the default zone."""
    aware = datetime(2026, 3, 5, 9, 12, tzinfo=SHANGHAI)
    assert _one(aware, "UTC").at == datetime(2026, 3, 5, 1, 12, tzinfo=UTC)
    naive = datetime(2026, 3, 5, 9, 12)
    assert _one(naive, SHANGHAI).at == datetime(2026, 3, 5, 1, 12, tzinfo=UTC)


def test_parse_instant_refuses_junk_arguments() -> None:
    """parse_instant's dayfirst and name must be what they say; bad ones are InvalidInput."""
    with pytest.raises(InvalidInput, match=r"^dayfirst: "):
        parse_instant("2026-03-05T09:12Z", dayfirst="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^name: "):
        parse_instant("2026-03-05T09:12Z", name=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^time: .*has no time zone"):
        parse_instant("2026-03-05 09:12")


# -- messages stay short ------------------------------------------------------------------


def test_huge_values_are_quoted_bounded_in_messages() -> None:
    """A 10 MB string or an int of 5000 digits in any field gives a short problem."""
    huge = "x" * 10_000_000
    rows = [
        {"time": huge, "status": "In transit"},
        {"time": 10**5000, "status": "In transit"},
        {"time": "2026-03-05 09:12", "status": huge},
        {"time": "2026-03-05 09:12", "status": "In transit", "description": 10**5000},
        {"time": "2026-03-05 09:12", "status": "In transit", "location": [huge]},
        {"time": "2026-03-05 09:12", "status": 10**5000},
    ]
    with pytest.raises(InvalidInput) as refused:
        parse_tracking(rows, default_tz="UTC")
    assert len(refused.value.problems) == 6
    assert all(len(p) < 300 for p in refused.value.problems)
    assert len(str(refused.value)) < 2000


def test_a_description_too_long_to_keep_is_a_problem_of_its_row() -> None:
    """A description over 10,000 characters (or not writable as UTF-8) is refused, by row."""
    (event,) = parse_tracking([{**ROW, "description": "y" * 10_000}], default_tz="UTC")
    assert len(event.description) == 10_000
    rows = [ROW, {**ROW, "description": "y" * 1_000_000}, {**ROW, "location": "a\ud800"}]
    with pytest.raises(InvalidInput) as refused:
        parse_tracking(rows, default_tz="UTC")
    assert refused.value.problems == (
        "records[1].description: 1000000 characters is too long; at most 10000",
        "records[2].location: the character at position 1 is a lone surrogate ('\\ud800'), "
        "which UTF-8 cannot write",
    )


def test_a_feed_with_many_bad_rows_quotes_a_few_and_keeps_them_all() -> None:
    """The message quotes the first ten problems and says how many more; problems has all."""
    with pytest.raises(InvalidInput) as refused:
        parse_tracking([None] * 1000, default_tz="UTC")  # type: ignore[list-item]
    assert len(refused.value.problems) == 1000
    message = str(refused.value)
    assert message.startswith("1000 bad value(s) in the feed: records[0]: ")
    assert "records[9]: " in message
    assert "records[10]: " not in message
    assert message.endswith("and 990 more (all in .problems)")


# -- fuzz -----------------------------------------------------------------------------

FIELDS = ("time", "status", "description", "location")
_near_times = st.one_of(
    feed_junk(),
    st.sampled_from(["2026-03-05 09:12", "05/03/2026 09:12", "Mar 5 75 09:12", "1674952260862"]),
    st.integers(-(10**16), 10**16),
    st.text(alphabet="0123456789-/.: TZ+", max_size=24),
)
_rows = st.one_of(
    feed_junk(),
    st.fixed_dictionaries(
        {},
        optional={
            "time": _near_times,
            "status": st.one_of(feed_junk(), st.sampled_from(sorted(STATUS_WORDS))),
            "description": feed_junk(),
            "location": feed_junk(),
        },
    ),
)
_zones = st.one_of(
    feed_junk(), st.sampled_from(["UTC", "Asia/Shanghai", "GMT+8", "../../etc/passwd"])
)


@given(
    records=st.one_of(feed_junk(), st.lists(_rows, max_size=5), st.iterables(_rows, max_size=5)),
    default_tz=_zones,
    keys=st.one_of(
        st.none(),
        feed_junk(),
        st.dictionaries(
            st.one_of(hashable_junk(), st.sampled_from(FIELDS)), feed_junk(), max_size=3
        ),
    ),
    statuses=st.one_of(
        st.none(),
        feed_junk(),
        st.dictionaries(
            st.one_of(hashable_junk(), st.just("Teleported")),
            st.one_of(feed_junk(), st.sampled_from(TrackingStatus)),
            max_size=3,
        ),
    ),
    dayfirst=st.one_of(st.none(), st.booleans(), feed_junk()),
)
def test_junk_given_to_parse_tracking_gives_only_the_librarys_errors(
    records: object, default_tz: object, keys: object, statuses: object, dayfirst: object
) -> None:
    """Whatever junk parse_tracking is given, it returns events or raises BuyerProtectionError."""
    message = ""
    try:
        events = parse_tracking(
            records,  # type: ignore[arg-type]
            default_tz=default_tz,  # type: ignore[arg-type]
            keys=keys,  # type: ignore[arg-type]
            statuses=statuses,  # type: ignore[arg-type]
            dayfirst=dayfirst,  # type: ignore[arg-type]
        )
    except BuyerProtectionError as err:
        message = str(err)
    else:
        assert all(isinstance(e, TrackingEvent) for e in events)
        assert [e.at for e in events] == sorted(e.at for e in events)
    assert len(message) < 5000


@given(value=_near_times, default_tz=st.one_of(st.none(), _zones), dayfirst=feed_junk())
def test_junk_given_to_parse_instant_gives_only_the_librarys_errors(
    value: object, default_tz: object, dayfirst: object
) -> None:
    """Whatever junk parse_instant is given, it returns an instant in UTC or raises ours."""
    message = ""
    try:
        at = parse_instant(value, default_tz=default_tz, dayfirst=dayfirst)  # type: ignore[arg-type]
    except BuyerProtectionError as err:
        message = str(err)
    else:
        assert at.tzinfo is UTC
    assert len(message) < 1000
