"""Tests for policies as TOML files: `Policy.to_toml` and `Policy.from_toml`."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given

from buyer_protection import (
    ALIEXPRESS,
    BusinessDays,
    Calendar,
    InvalidInput,
    Policy,
    policies,
)
from strategies import rule_sets


def _problems(text: str) -> tuple[str, ...]:
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml(text)
    return refused.value.problems


@pytest.mark.parametrize("preset", policies(), ids=lambda p: f"{p.name}-{p.version}")
def test_every_preset_is_written_whole_and_read_back_equal(preset: Policy) -> None:
    """A preset's file has every field (its effective date too) and reads back as the preset."""
    text = preset.to_toml()
    data = tomllib.loads(text)
    assert data["name"] == preset.name
    assert data["version"] == preset.version
    assert data["effective_from"] == preset.effective_from.isoformat()  # type: ignore[union-attr]
    assert Policy.from_toml(text) == preset


@given(rule_sets())
def test_any_policy_reads_back_equal(policy: Policy) -> None:
    """Any policy (any text, durations to the microsecond or in business days, any calendar,
    an effective date or none) is read back from its file equal."""
    assert Policy.from_toml(policy.to_toml()) == policy


def test_a_file_has_every_field_at_the_top_level_and_the_calendar_as_a_table() -> None:
    """Durations are ISO 8601 or {business_days = n}, None values are left out, and the
    calendar is a [calendar] table with its weekdays and closed periods."""
    policy = attrs.evolve(
        ALIEXPRESS,
        name="shop",
        effective_from=None,
        seller_response_window=BusinessDays(3),
        negotiation_window=timedelta(hours=72),
        calendar=Calendar(
            "Europe/London",
            frozenset({0, 1, 2, 3}),
            "GB",
            closed=((date(2026, 2, 16), date(2026, 2, 22)),),
        ),
    )
    text = policy.to_toml()
    assert "seller_response_window = { business_days = 3 }\n" in text
    assert 'negotiation_window = "P3D"\n' in text
    assert 'processing_time = "P7D"\n' in text
    assert "effective_from" not in text
    assert "max_extension_days" not in text
    assert "subdivision" not in text
    calendar = text[text.index("\n[calendar]\n") :]
    assert 'timezone = "Europe/London"\n' in calendar
    assert "weekdays = [0, 1, 2, 3]\n" in calendar
    assert 'country = "GB"\n' in calendar
    assert 'closed = [["2026-02-16", "2026-02-22"]]\n' in calendar
    data = tomllib.loads(text)
    assert set(data) == {f.name for f in attrs.fields(Policy)} - {
        "effective_from",
        "max_extension_days",
        "filing_window",
        "contact_wait",
        "appeal_window",
    }


def test_missing_keys_take_the_default_policy_s_values() -> None:
    """An empty file is Policy(); a file of a few keys is Policy() with those keys changed."""
    assert Policy.from_toml("") == Policy()
    text = 'name = "patient"\nseller_response_window = "PT72H"\n[calendar]\ncountry = "US"\n'
    assert Policy.from_toml(text) == attrs.evolve(
        Policy(),
        name="patient",
        seller_response_window=timedelta(hours=72),
        calendar=Calendar(country="US"),
    )


def test_toml_dates_and_date_times_are_read_like_their_iso_strings() -> None:
    """A TOML offset date-time and TOML dates are read as the ISO 8601 strings would be."""
    text = (
        "effective_from = 2019-06-01T08:00:00+08:00\n"
        "[calendar]\nclosed = [[2026-02-16, 2026-02-22]]\n"
    )
    policy = Policy.from_toml(text)
    assert policy.effective_from == datetime(2019, 6, 1, tzinfo=UTC)
    assert policy.calendar.closed == ((date(2026, 2, 16), date(2026, 2, 22)),)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name = \n", "line 1 column 8: Invalid value"),
        ('name = "a"\nversion = "b"\nprotection_days = = 3\n', "line 3 column 19: Invalid value"),
        ('name = "a"\n[calendar\n', "line 2 column 10: "),
        ('name = "a"\nname = "b"\n', "line 2 column 11: Cannot overwrite a value"),
    ],
)
def test_a_syntax_error_is_one_problem_with_its_line_and_column(text: str, problem: str) -> None:
    """A file that is not TOML is InvalidInput with one problem saying where."""
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems


def test_an_unknown_key_is_a_problem_at_its_place() -> None:
    """Unknown keys, at the top level or in the calendar, are named where they stand."""
    problems = _problems('colour = "red"\n[calendar]\ntimezone = "UTC"\nholidays = true\n')
    assert set(problems) == {
        "(top level): unknown key(s): colour",
        "calendar: unknown key(s): holidays",
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('processing_time = "7 days"', "processing_time: expected an ISO 8601 duration"),
        ('processing_time = "P1W"', "processing_time: expected an ISO 8601 duration"),
        ("processing_time = 7", "processing_time: expected an ISO 8601 duration"),
        ('processing_time = "PT0S"', "processing_time: expected a datetime.timedelta above zero"),
        ('processing_time = "P3651D"', "processing_time: expected a datetime.timedelta above zero"),
        (
            "processing_time = { business_days = 0 }",
            "processing_time: business_days: expected an int",
        ),
        ('processing_time = { business_days = "3" }', "processing_time: expected an integer"),
        ("processing_time = { weeks = 2 }", "processing_time: expected business days"),
        ("protection_days = 60.0", "protection_days: expected an integer, got float"),
        ('reopen_after_cancel = "yes"', "reopen_after_cancel: expected true or false"),
        ("effective_from = 2019-06-01T00:00:00", "effective_from: naive datetime"),
        ('effective_from = "June 2019"', "effective_from: expected an ISO 8601 date and time"),
        ('name = ""', "name: expected a non-empty str"),
    ],
)
def test_a_bad_value_is_a_problem_at_its_key(line: str, problem: str) -> None:
    """A value of the wrong kind or out of range is named at its key, saying what is wrong."""
    problems = _problems(line + "\n")
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('country = "XX"', "calendar.country: 'XX' is not a country of the holidays package"),
        ('country = "US"\nsubdivision = "ZZ"', "calendar.subdivision: 'ZZ' is not a subdivision"),
        ('subdivision = "SCT"', "calendar.subdivision: 'SCT' needs a country"),
        ('timezone = "Mars/Olympus"', "calendar.timezone: "),
        ("weekdays = [0, 7]", "calendar.weekdays: expected a non-empty set of ints"),
        ("weekdays = []", "calendar.weekdays: expected a non-empty set of ints"),
        ('weekdays = "weekdays"', "calendar.weekdays: expected a list of weekdays"),
        ('closed = [["2026-02-22", "2026-02-16"]]', "calendar.closed[0]: "),
        (
            'closed = [["2026-02-30", "2026-03-01"]]',
            "calendar.closed[0]: '2026-02-30' is not a date",
        ),
        ('closed = [["2026-02-16"]]', "calendar.closed[0]: expected a period"),
    ],
)
def test_a_bad_calendar_value_is_a_problem_at_its_path(table: str, problem: str) -> None:
    """A bad calendar value is named at its path under calendar."""
    problems = _problems(f"[calendar]\n{table}\n")
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems


def test_every_problem_is_listed_in_one_error() -> None:
    """Several problems give one InvalidInput listing each with its path."""
    text = 'colour = 1\nprotection_days = 0\nprocessing_time = "soon"\n[calendar]\ncountry = 5\n'
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml(text)
    paths = sorted(p.partition(":")[0] for p in refused.value.problems)
    assert paths == ["(top level)", "calendar.country", "processing_time", "protection_days"]
    assert str(refused.value).startswith("4 problem(s) in the policy: ")


def test_the_calendar_must_be_a_table() -> None:
    """A calendar that is not a table is a problem at calendar."""
    assert _problems("calendar = 5\n") == ("calendar: expected an object, got int 5",)


@pytest.mark.parametrize("text", [b'name = "x"', None, 5])
def test_from_toml_of_anything_but_text_is_invalid_input(text: object) -> None:
    """from_toml takes the file's text as a str; anything else is InvalidInput naming it."""
    with pytest.raises(InvalidInput, match=r"^text: expected TOML text as a str"):
        Policy.from_toml(text)  # type: ignore[arg-type]


def test_a_policy_file_that_starts_with_a_byte_order_mark_is_read() -> None:
    """A TOML text that starts with a UTF-8 byte-order mark reads as the text without it."""
    assert Policy.from_toml("\ufeff" + 'seller_response_window = "P7D"\n') == Policy.from_toml(
        'seller_response_window = "P7D"\n'
    )


def test_a_closed_period_problem_is_named_at_its_index_once() -> None:
    """A closed period beyond the latest date is named at calendar.closed[i], not twice."""
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml('[calendar]\nclosed = [["9999-01-01", "9999-01-02"]]\n')
    assert refused.value.problems == (
        "calendar.closed[0]: 9999-01-02 is later than 9900-01-24, the latest date a closed "
        "period can reach",
    )
