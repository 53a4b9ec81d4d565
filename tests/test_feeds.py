"""Tests for `parse_tracking`: carrier feed rows turned into sorted `TrackingEvent`s."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz

from buyer_protection import InvalidInput, TrackingEvent, TrackingStatus, parse_tracking
from buyer_protection.feeds import STATUS_WORDS

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
        ("13/03/2026 09:12", datetime(2026, 3, 13, 1, 12, tzinfo=UTC)),
        ("2026-03-05 09:12 -0300", datetime(2026, 3, 5, 12, 12, tzinfo=UTC)),
    ],
)
def test_the_many_forms_carriers_write_times_in(text: str, expected: datetime) -> None:
    """Each common way of writing a date and time gives the instant it means."""
    assert _one(text).at == expected


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


def test_a_non_text_time_is_refused() -> None:
    """A time that is neither text nor a datetime (a number) is refused, naming the field."""
    (problem,) = _problems([{"time": 1772700000, "status": "In transit"}])
    assert problem.startswith("records[0].time: ")


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


def test_events_at_one_instant_that_differ_are_kept_in_one_order() -> None:
    """Two different scans at one instant both stay, in an order that does not depend on input."""
    a = {"time": "2026-03-05 09:12", "status": "In transit", "location": "A"}
    b = {"time": "2026-03-05 09:12", "status": "Customs clearance", "location": "B"}
    first = parse_tracking([a, b], default_tz="UTC")
    assert len(first) == 2
    assert parse_tracking([b, a], default_tz="UTC") == first


def test_an_empty_feed_gives_no_events() -> None:
    """No rows: an empty tuple."""
    assert parse_tracking([], default_tz="UTC") == ()
