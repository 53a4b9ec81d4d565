"""Tests for `Policy` and the `ALIEXPRESS` preset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from buyer_protection import ALIEXPRESS, InvalidInput, Policy


def test_aliexpress_preset_matches_the_default_column_of_rules_md() -> None:
    """The preset carries the current AliExpress numbers and switches from RULES.md."""
    assert ALIEXPRESS.protection_days == 60
    assert ALIEXPRESS.protection_from_payment is False
    assert ALIEXPRESS.processing_time == timedelta(days=7)
    assert ALIEXPRESS.seller_response_window == timedelta(days=5)
    assert ALIEXPRESS.negotiation_window == timedelta(days=5)
    assert ALIEXPRESS.post_completion_window == timedelta(days=15)
    assert ALIEXPRESS.reopen_after_cancel is True
    assert ALIEXPRESS.evidence_required_when_received is True
    assert ALIEXPRESS.earliest_not_received == timedelta(days=10)
    assert ALIEXPRESS.fast_delivery_days == 5
    assert ALIEXPRESS.wait_for_promised_delivery is True
    assert ALIEXPRESS.max_extension_days is None


def test_the_default_policy_has_the_presets_values_but_no_effective_date() -> None:
    """Policy() has ALIEXPRESS's values but no effective_from: a custom policy, not the preset."""
    assert Policy() == attrs.evolve(ALIEXPRESS, effective_from=None)
    assert Policy() != ALIEXPRESS
    assert ALIEXPRESS.effective_from == datetime(2019, 6, 1, tzinfo=UTC)


def test_rules_list_effective_from_with_low_confidence() -> None:
    """rules() lists effective_from, whose dates the sources give only roughly (confidence L)."""
    rows = {
        name: (value, confidence) for name, value, _rule, _source, confidence in ALIEXPRESS.rules()
    }
    assert rows["effective_from"] == (ALIEXPRESS.effective_from, "L")


def test_an_effective_date_is_kept_as_its_instant_in_utc() -> None:
    """effective_from given in any zone (even a wall time daylight saving skips) is kept in
    UTC, so that a policy equals itself read back from a file or a document."""
    skipped = datetime(2000, 4, 2, 2, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    policy = attrs.evolve(ALIEXPRESS, effective_from=skipped)
    assert policy.effective_from == datetime(2000, 4, 2, 10, 30, tzinfo=UTC)
    assert policy.effective_from.tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "value", [datetime(2019, 6, 1), datetime.max.replace(tzinfo=UTC)], ids=["naive", "too late"]
)
def test_an_effective_date_must_be_an_aware_instant_the_library_computes_from(
    value: datetime,
) -> None:
    """A naive effective_from, or one past the latest instant the library reads, is refused."""
    with pytest.raises(InvalidInput, match=r"Policy\.effective_from"):
        attrs.evolve(ALIEXPRESS, effective_from=value)


def test_durations_are_timedeltas_and_days_are_ints() -> None:
    """The windows are datetime.timedelta values and protection_days a plain int."""
    assert type(ALIEXPRESS.protection_days) is int
    for name in (
        "processing_time",
        "seller_response_window",
        "negotiation_window",
        "post_completion_window",
        "earliest_not_received",
    ):
        assert isinstance(getattr(ALIEXPRESS, name), timedelta), name


def test_policy_is_frozen() -> None:
    """A policy cannot be changed in place."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ALIEXPRESS.protection_days = 90  # type: ignore[misc]


def test_evolve_makes_a_custom_policy_and_leaves_the_preset_alone() -> None:
    """attrs.evolve returns a new policy with the given fields changed."""
    custom = attrs.evolve(
        ALIEXPRESS,
        protection_days=90,
        seller_response_window=timedelta(days=3),
        reopen_after_cancel=False,
        max_extension_days=30,
    )

    assert custom.protection_days == 90
    assert custom.seller_response_window == timedelta(days=3)
    assert custom.reopen_after_cancel is False
    assert custom.max_extension_days == 30
    assert custom.negotiation_window == ALIEXPRESS.negotiation_window
    assert ALIEXPRESS.protection_days == 60
    assert custom != ALIEXPRESS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("protection_days", 0),
        ("protection_days", -1),
        ("protection_days", True),
        ("protection_days", 60.0),
        ("protection_days", "60"),
        ("protection_days", None),
        ("fast_delivery_days", 0),
        ("fast_delivery_days", False),
        ("max_extension_days", 0),
        ("max_extension_days", True),
        ("max_extension_days", 1.5),
        ("seller_response_window", timedelta(days=-1)),
        ("seller_response_window", timedelta(microseconds=-1)),
        ("seller_response_window", 5),
        ("seller_response_window", "5 days"),
        ("seller_response_window", None),
        ("negotiation_window", timedelta(days=-5)),
        ("post_completion_window", 15),
        ("processing_time", -timedelta(hours=1)),
        ("earliest_not_received", 10),
        ("reopen_after_cancel", 1),
        ("reopen_after_cancel", "yes"),
        ("reopen_after_cancel", None),
        ("protection_from_payment", 0),
        ("name", ""),
        ("name", 3),
        ("effective_from", "2019-06-01"),
        ("effective_from", 2019),
    ],
)
def test_bad_values_are_refused_with_invalid_input(field: str, value: object) -> None:
    """A negative duration, zero days, a bool for an int or a wrong type raises InvalidInput."""
    with pytest.raises(InvalidInput, match=field) as info:
        attrs.evolve(ALIEXPRESS, **{field: value})

    assert isinstance(info.value, ValueError)
    assert repr(value) in str(info.value)


def test_bad_value_in_the_constructor_is_refused_too() -> None:
    """Policy(...) validates like evolve does."""
    with pytest.raises(InvalidInput, match="protection_days"):
        Policy(protection_days=0)


def test_rules_lists_every_field_in_order_with_value_and_source() -> None:
    """rules() gives one (name, value, rule, source, confidence) row per field."""
    rows = ALIEXPRESS.rules()
    names = [field.name for field in attrs.fields(Policy)]

    assert [row[0] for row in rows] == names
    for name, value, rule, source, confidence in rows:
        assert value == getattr(ALIEXPRESS, name)
        assert isinstance(rule, str)
        assert rule, f"{name} has no rule text"
        assert isinstance(source, str)
        assert confidence in {"H", "M", "L"}, name


def test_rules_of_timed_fields_name_a_source() -> None:
    """Every duration or number the lifecycle reads says where it comes from."""
    for name, value, _rule, source, _conf in ALIEXPRESS.rules():
        if isinstance(value, timedelta | int) and not isinstance(value, bool):
            assert source, f"{name} has no source"


def test_rules_show_the_values_of_an_evolved_policy() -> None:
    """rules() reports the policy's own values, not the preset's."""
    custom = attrs.evolve(ALIEXPRESS, protection_days=75)

    assert {row[0]: row[1] for row in custom.rules()}["protection_days"] == 75


def test_policy_is_hashable_and_compared_by_value() -> None:
    """Two policies with the same values are equal and hash alike."""
    a = attrs.evolve(ALIEXPRESS, protection_days=90)
    b = attrs.evolve(ALIEXPRESS, protection_days=90)

    assert a == b
    assert hash(a) == hash(b)


def test_deadline_of_a_name_that_is_not_a_duration_is_invalid_input() -> None:
    """Policy.deadline of a field that is not a duration (or of no field) is InvalidInput
    listing the duration fields."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for name in ("nope", "protection_days", "calendar"):
        with pytest.raises(InvalidInput, match="is not a duration field of Policy; expected"):
            ALIEXPRESS.deadline(name, start)
    assert ALIEXPRESS.deadline("seller_response_window", start) == start + timedelta(days=5)
