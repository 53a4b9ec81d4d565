"""Tests for `buyer_protection.presets`: the AliExpress versions, `policies` and `policy_for`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

import buyer_protection
from buyer_protection import (
    ALIEXPRESS,
    ALIEXPRESS_2015,
    ALIEXPRESS_2018,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    Policy,
    Reason,
    policies,
    policy_for,
)

TICK = timedelta(microseconds=1)
DIFFERING = {"version", "effective_from", "earliest_not_received", "post_completion_window"}
"""The fields in which the 2018 version differs from today's (RULES.md section 4b)."""


def _differences(a: Policy, b: Policy) -> set[str]:
    return {f.name for f in attrs.fields(Policy) if getattr(a, f.name) != getattr(b, f.name)}


def test_today_s_version_is_2026_11_in_force_since_june_2019() -> None:
    """ALIEXPRESS is version 2026-11, in force from 2019-06-01 00:00 UTC."""
    assert (ALIEXPRESS.name, ALIEXPRESS.version) == ("aliexpress", "2026-11")
    assert ALIEXPRESS.effective_from == datetime(2019, 6, 1, tzinfo=UTC)


def test_the_2018_version_has_no_dispute_after_completion() -> None:
    """The 2018 version: "not received" after 10 days as today, no post-completion window,
    from 2018-01-01; nothing else differs from today's."""
    assert ALIEXPRESS_2018.version == "2018"
    assert ALIEXPRESS_2018.effective_from == datetime(2018, 1, 1, tzinfo=UTC)
    assert ALIEXPRESS_2018.earliest_not_received == timedelta(days=10)
    assert ALIEXPRESS_2018.post_completion_window == timedelta(0)
    assert _differences(ALIEXPRESS_2018, ALIEXPRESS) == {
        "version",
        "effective_from",
        "post_completion_window",
    }


def test_the_2015_version_opens_not_received_after_5_days_and_negotiates_15() -> None:
    """The 2015 version: "not received" after 5 days, no post-completion window, 15 days of
    negotiation, from 2015-01-01; nothing else differs from 2018's."""
    assert ALIEXPRESS_2015.version == "2015"
    assert ALIEXPRESS_2015.effective_from == datetime(2015, 1, 1, tzinfo=UTC)
    assert ALIEXPRESS_2015.earliest_not_received == timedelta(days=5)
    assert ALIEXPRESS_2015.post_completion_window == timedelta(0)
    assert ALIEXPRESS_2015.negotiation_window == timedelta(days=15)
    assert _differences(ALIEXPRESS_2015, ALIEXPRESS_2018) == {
        "version",
        "effective_from",
        "earliest_not_received",
        "negotiation_window",
    }


def test_policies_lists_every_preset_by_name_then_effective_date() -> None:
    """policies() is every preset, ordered by name and then effective_from."""
    assert policies() == (
        ALIEXPRESS_2015,
        ALIEXPRESS_2018,
        ALIEXPRESS,
        AMAZON_US,
        EBAY_UK,
        EBAY_US,
        PAYPAL,
    )
    keys = [(p.name, p.effective_from) for p in policies()]
    assert keys == sorted(keys)
    assert all(p.effective_from is not None for p in policies())


def test_the_presets_and_their_functions_are_exported() -> None:
    """The versions, policies and policy_for are public names of buyer_protection."""
    for name in (
        "ALIEXPRESS",
        "ALIEXPRESS_2015",
        "ALIEXPRESS_2018",
        "AMAZON_US",
        "EBAY_UK",
        "EBAY_US",
        "PAYPAL",
        "policies",
        "policy_for",
    ):
        assert name in buyer_protection.__all__


@pytest.mark.parametrize("preset", [ALIEXPRESS_2015, ALIEXPRESS_2018, ALIEXPRESS])
def test_policy_for_at_an_effective_date_is_that_version(preset: Policy) -> None:
    """At its effective_from exactly, a version is in force; a microsecond before, the one
    before it (or none at all before the first)."""
    assert preset.effective_from is not None
    assert policy_for("aliexpress", preset.effective_from) is preset
    versions = [p for p in policies() if p.name == "aliexpress"]
    earlier = [p for p in versions if p.effective_from < preset.effective_from]  # type: ignore[operator]
    before = preset.effective_from - TICK
    if earlier:
        assert policy_for("aliexpress", before) is earlier[-1]
    else:
        with pytest.raises(InvalidInput, match="before the first version"):
            policy_for("aliexpress", before)


@pytest.mark.parametrize(
    ("at", "version"),
    [
        (datetime(2016, 7, 1, tzinfo=UTC), "2015"),
        (datetime(2019, 5, 31, 23, 59, tzinfo=UTC), "2018"),
        (datetime(2026, 12, 1, tzinfo=UTC), "2026-11"),
        (datetime(9000, 1, 1, tzinfo=UTC), "2026-11"),
    ],
)
def test_policy_for_between_effective_dates_is_the_last_one_started(
    at: datetime, version: str
) -> None:
    """Between two effective dates the earlier version is in force; after the last, the last."""
    assert policy_for("aliexpress", at).version == version


def test_policy_for_compares_instants_whatever_the_zone() -> None:
    """An instant written in another zone is compared as an instant: 08:00 in Shanghai on
    1 June 2019 is midnight UTC, today's version; a microsecond before is 2018's."""
    shanghai = timezone(timedelta(hours=8))
    start = datetime(2019, 6, 1, 8, tzinfo=shanghai)
    assert policy_for("aliexpress", start) is ALIEXPRESS
    assert policy_for("aliexpress", start - TICK) is ALIEXPRESS_2018


@pytest.mark.parametrize("name", ["ebay", "AliExpress", "", None, 5])
def test_policy_for_an_unknown_name_lists_the_names(name: object) -> None:
    """An unknown marketplace name is InvalidInput naming it and the names there are."""
    known = "known: aliexpress, amazon-us, ebay-uk, ebay-us, paypal$"
    with pytest.raises(InvalidInput, match=rf"^name: .* is not a preset's name; {known}"):
        policy_for(name, datetime(2020, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "at", [datetime(2020, 1, 1), "2020-01-01T00:00:00+00:00", 1577836800, None]
)
def test_policy_for_a_naive_or_non_datetime_instant_is_invalid_input(at: object) -> None:
    """A naive datetime or anything but a datetime is InvalidInput naming the argument."""
    with pytest.raises(InvalidInput, match=r"^at: (naive datetime|expected a timezone-aware)"):
        policy_for("aliexpress", at)  # type: ignore[arg-type]


def test_policy_for_before_the_first_version_lists_the_versions() -> None:
    """An instant before the first version is InvalidInput listing each version and its date."""
    with pytest.raises(InvalidInput) as refused:
        policy_for("aliexpress", datetime(2014, 12, 31, tzinfo=UTC))
    message = str(refused.value)
    assert message.startswith("at: 2014-12-31T00:00:00+00:00 is before the first version")
    assert "ebay" not in message  # the versions of aliexpress only
    for preset in (ALIEXPRESS_2015, ALIEXPRESS_2018, ALIEXPRESS):
        assert f"{preset.version} from {preset.effective_from.isoformat()}" in message  # type: ignore[union-attr]


def test_an_order_keeps_the_version_it_was_created_with() -> None:
    """An order made with the version in force when it was paid keeps it, later versions aside."""
    paid = datetime(2018, 3, 1, tzinfo=UTC)
    order = Order("old-1", Money("10", "USD"), paid, policy=policy_for("aliexpress", paid))
    assert order.policy is ALIEXPRESS_2018
    assert Order("new-1", Money("10", "USD"), paid).policy is ALIEXPRESS


def test_an_evolved_preset_is_a_custom_policy() -> None:
    """A policy made with attrs.evolve from a preset is not a preset, even with its name."""
    custom = attrs.evolve(ALIEXPRESS, seller_response_window=timedelta(days=6))
    assert custom not in policies()
    assert attrs.evolve(ALIEXPRESS_2018, post_completion_window=timedelta(0)) in policies()


# -- the clocks that differ between versions, at their boundaries -------------------------

PAID = datetime(2016, 3, 1, 9, 0, tzinfo=UTC)
SHIPPED = PAID + timedelta(days=1)
USD = "USD"


def _shipped(policy: Policy) -> Order:
    order = Order("v-1", Money("30.00", USD), PAID, policy)
    order.ship(SHIPPED)
    return order


@pytest.mark.parametrize(
    ("policy", "days"), [(ALIEXPRESS_2015, 5), (ALIEXPRESS_2018, 10), (ALIEXPRESS, 10)]
)
def test_not_received_opens_at_each_versions_day(policy: Policy, days: int) -> None:
    """A "not received" dispute is refused one microsecond before shipment + the version's
    earliest_not_received (5 days in 2015, 10 since) and opens at that instant."""
    opens = SHIPPED + timedelta(days=days)
    order = _shipped(policy)
    assert order.earliest_dispute == opens
    with pytest.raises(InvalidAction, match="can be opened from"):
        order.as_of(opens - TICK).open_dispute(
            opens - TICK, reason=Reason.NOT_RECEIVED, refund=Money("30.00", USD)
        )
    order.open_dispute(opens, reason=Reason.NOT_RECEIVED, refund=Money("30.00", USD))
    assert order.dispute is not None


@pytest.mark.parametrize(
    ("policy", "window"),
    [
        (ALIEXPRESS_2015, timedelta(0)),
        (ALIEXPRESS_2018, timedelta(0)),
        (ALIEXPRESS, timedelta(days=15)),
    ],
)
def test_a_dispute_after_completion_follows_each_versions_window(
    policy: Policy, window: timedelta
) -> None:
    """After the buyer confirms receipt, a dispute can be opened until the version's
    post-completion window ends (none before 2019: refused at the completion instant)."""
    order = _shipped(policy)
    confirmed = SHIPPED + timedelta(days=20)
    order.confirm_receipt(confirmed)
    ends = confirmed + window
    assert order.post_completion_ends == ends
    evidence = ["photo.jpg"]
    if window:
        order.as_of(ends - TICK).open_dispute(
            ends - TICK, reason=Reason.NOT_AS_DESCRIBED, refund=Money("5", USD), evidence=evidence
        )
    with pytest.raises(InvalidAction):
        order.as_of(ends).open_dispute(
            ends, reason=Reason.NOT_AS_DESCRIBED, refund=Money("5", USD), evidence=evidence
        )


@pytest.mark.parametrize(
    ("policy", "days"), [(ALIEXPRESS_2015, 15), (ALIEXPRESS_2018, 5), (ALIEXPRESS, 5)]
)
def test_negotiation_goes_to_the_platform_at_each_versions_window(
    policy: Policy, days: int
) -> None:
    """After the seller's counter-offer the dispute escalates by itself at the version's
    negotiation window (15 days in 2015), not one microsecond before."""
    order = _shipped(policy)
    opened = SHIPPED + timedelta(days=12)
    dispute = order.open_dispute(
        opened, reason=Reason.NOT_AS_DESCRIBED, refund=Money("20", USD), evidence=["a.jpg"]
    )
    countered = opened + timedelta(days=1)
    dispute.seller_reject(countered, counter_offer=Money("10", USD))
    ends = countered + timedelta(days=days)
    assert dispute.negotiation_deadline == ends
    before = order.as_of(ends - TICK).dispute
    assert before is not None
    assert before.state is DisputeState.NEGOTIATING
    after = order.as_of(ends).dispute
    assert after is not None
    assert after.state is DisputeState.ARBITRATION
