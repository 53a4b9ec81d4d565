"""The presets of other marketplaces as a whole (`EBAY_US`, `EBAY_UK`, `PAYPAL`,
`AMAZON_US`): their numbers and consequences as data, their versions by date
(`policy_for`), and what none of them has: no extension of protection, no cancellation
of an order not shipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from buyer_protection import (
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Anchor,
    BusinessDays,
    Calendar,
    Consequence,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    policies,
    policy_for,
)
from checks import TICK, refused, round_trips

PRESETS = pytest.mark.parametrize(
    "policy", [EBAY_US, EBAY_UK, PAYPAL, AMAZON_US], ids=lambda p: p.name
)
DAY = timedelta(days=1)

EBAY = {
    "seller_response_window": BusinessDays(3),
    "seller_window_starts": Anchor.REQUEST,
    "seller_window_ends": Consequence.ALLOW_ESCALATION,
    "negotiation_window": BusinessDays(21),
    "negotiation_window_starts": Anchor.OPENING,
    "negotiation_window_ends": Consequence.CLOSE,
    "filing_window_starts": Anchor.ESTIMATED_DELIVERY,
    "earliest_not_received": timedelta(0),
    "filing_window": 30 * DAY,
    "contact_wait": None,
    "appeal_window": 30 * DAY,
}
"""What eBay's two sites share (their calendars aside)."""

RULES = {
    EBAY_US: {"calendar": Calendar("America/Los_Angeles", country="US"), **EBAY},
    EBAY_UK: {"calendar": Calendar("Europe/London", country="GB"), **EBAY},
    PAYPAL: {
        "seller_response_window": 10 * DAY,
        "seller_window_starts": Anchor.ESCALATION,
        "seller_window_ends": Consequence.REFUND,
        "negotiation_window": 20 * DAY,
        "negotiation_window_starts": Anchor.OPENING,
        "negotiation_window_ends": Consequence.CLOSE,
        "filing_window_starts": Anchor.PAYMENT,
        "filing_window": 180 * DAY,
        "return_shipping_window": 10 * DAY,
        "contact_wait": None,
        "appeal_window": 10 * DAY,
        "reopen_after_cancel": False,
    },
    AMAZON_US: {
        "seller_response_window": timedelta(hours=72),
        "seller_window_starts": Anchor.REQUEST,
        "seller_window_ends": Consequence.REFUND,
        "negotiation_window": None,
        "filing_window_starts": Anchor.ESTIMATED_DELIVERY,
        "earliest_not_received": 3 * DAY,
        "filing_window": 90 * DAY,
        "contact_wait": timedelta(hours=48),
        "appeal_window": 30 * DAY,
    },
}
"""Each preset's clocks and consequences, as the issue and RULES.md section 5 give them."""


@PRESETS
def test_each_preset_has_the_rules_clocks_and_consequences(policy: Policy) -> None:
    """The preset's durations, what starts them and what their end does are the
    marketplace's; none has a processing time, a return clock other than PayPal's 10 days
    to ship, a window after completion, or extensions."""
    expected = {
        "processing_time": None,
        "return_shipping_window": None,
        "return_confirm_window": None,
        "post_completion_window": timedelta(0),
        "extensions": False,
        **RULES[policy],
    }

    assert {name: getattr(policy, name) for name in expected} == expected


# (name, version, in force from)
VERSIONS = [
    ("ebay-us", "2020-01", datetime(2020, 1, 1, tzinfo=UTC)),
    ("ebay-uk", "2020-05", datetime(2020, 5, 1, tzinfo=UTC)),
    ("paypal", "2020-01", datetime(2020, 1, 1, tzinfo=UTC)),
    ("amazon-us", "2020-07", datetime(2020, 7, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize(("name", "version", "since"), VERSIONS)
def test_policy_for_finds_the_preset_from_its_effective_date(
    name: str, version: str, since: datetime
) -> None:
    """`policy_for` gives the preset from its effective date on (and years later), and it
    is among `policies()`."""
    for at in (since, since + 3650 * DAY):
        found = policy_for(name, at)
        assert (found.name, found.version, found.effective_from) == (name, version, since)
    assert policy_for(name, since) in policies()


@pytest.mark.parametrize(("name", "version", "since"), VERSIONS)
def test_policy_for_before_the_first_version_lists_the_versions(
    name: str, version: str, since: datetime
) -> None:
    """One microsecond before the first version, `policy_for` is InvalidInput naming
    `at` and listing the versions with their dates."""
    with pytest.raises(InvalidInput) as caught:
        policy_for(name, since - TICK)

    message = str(caught.value)
    assert message.startswith("at:")
    assert f"{version} from {since.isoformat()}" in message


@PRESETS
@pytest.mark.parametrize("action", ["request_extension", "grant_extension"])
def test_an_extension_is_refused_naming_the_rules(policy: Policy, action: str) -> None:
    """Asking for or granting an extension of protection is InvalidAction naming the rules
    that have none, is not offered, and changes nothing."""
    order = Order("market-1", Money("100", "USD"), datetime(2026, 3, 2, tzinfo=UTC), policy)
    shipped = datetime(2026, 3, 3, tzinfo=UTC)
    order.ship(shipped, estimated_delivery=shipped + 5 * DAY)
    round_trips(order)

    error = refused(order, lambda: getattr(order, action)(shipped + DAY, 10))

    assert isinstance(error, InvalidAction)
    assert f"the rules {policy.name} {policy.version} have no extension" in str(error)
    assert action not in order.allowed()


@PRESETS
def test_an_order_not_shipped_is_never_cancelled_by_the_clock(policy: Policy) -> None:
    """With no processing time, an order not shipped has no shipping deadline and waits
    for its shipment however long it takes."""
    paid = datetime(2026, 3, 2, tzinfo=UTC)
    order = Order("market-1", Money("100", "USD"), paid, policy)

    order.advance(paid + 3650 * DAY)

    assert order.shipping_deadline is None
    assert order.next_deadline is None
    assert order.state is OrderState.AWAITING_SHIPMENT
    round_trips(order)


@PRESETS
def test_a_preset_survives_its_toml_form(policy: Policy) -> None:
    """Each preset written as TOML reads back equal (its None clocks written as "none")."""
    assert Policy.from_toml(policy.to_toml()) == policy
