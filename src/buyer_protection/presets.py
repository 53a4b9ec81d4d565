"""The presets: each marketplace's rules by name and version, and the version in force.

A preset is a `Policy` with an ``effective_from``: the first instant its version
applies. An order is judged by the version in force when it was paid::

    Order(order_id, total, paid_at, policy=policy_for("aliexpress", paid_at))

A policy is a preset only when it equals a registered one; any other (one made with
``attrs.evolve`` from a preset too) is a custom policy. Documents name a preset by
name and version, and store a custom policy whole.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from ._text import kind, shown
from ._time import iso, utc
from .calendars import BusinessDays, Calendar
from .errors import InvalidInput
from .policy import ALIEXPRESS, Anchor, Consequence, Policy

__all__ = [
    "ALIEXPRESS",
    "ALIEXPRESS_2015",
    "ALIEXPRESS_2018",
    "AMAZON_US",
    "EBAY_UK",
    "EBAY_US",
    "PAYPAL",
    "policies",
    "policy_for",
]

ALIEXPRESS_2018 = attrs.evolve(
    ALIEXPRESS,
    version="2018",
    effective_from=datetime(2018, 1, 1, tzinfo=UTC),
    post_completion_window=timedelta(0),
)
"""AliExpress from 2018 (RULES.md section 4b): "not received" after 10 days as today,
but no dispute after completion."""

ALIEXPRESS_2015 = attrs.evolve(
    ALIEXPRESS_2018,
    version="2015",
    effective_from=datetime(2015, 1, 1, tzinfo=UTC),
    earliest_not_received=timedelta(days=5),
    negotiation_window=timedelta(days=15),
)
"""AliExpress from 2015 (RULES.md section 4b): "not received" 5 days after shipment, no
dispute after completion, and 15 days of negotiation before the platform steps in."""


_ELSEWHERE = attrs.evolve(
    ALIEXPRESS,
    processing_time=None,  # no automatic cancellation of an order not shipped
    return_shipping_window=None,  # the return's clocks are not published: none
    return_confirm_window=None,
    post_completion_window=timedelta(0),  # the filing window is the whole protection
    earliest_not_received=timedelta(0),
    wait_for_promised_delivery=False,
    extensions=False,
)
"""What the presets of other marketplaces share (RULES.md section 5): no processing-time
cancellation, no extension, no window after completion, return clocks left out."""

_EBAY = attrs.evolve(
    _ELSEWHERE,
    seller_response_window=BusinessDays(3),
    seller_window_ends=Consequence.ALLOW_ESCALATION,
    negotiation_window=BusinessDays(21),
    negotiation_window_starts=Anchor.OPENING,
    negotiation_window_ends=Consequence.CLOSE,
    filing_window_starts=Anchor.ESTIMATED_DELIVERY,
    filing_window=timedelta(days=30),
    appeal_window=timedelta(days=30),
)

EBAY_US = attrs.evolve(
    _EBAY,
    name="ebay-us",
    version="2020-01",
    effective_from=datetime(2020, 1, 1, tzinfo=UTC),
    calendar=Calendar("America/Los_Angeles", country="US"),
)
"""eBay Money Back Guarantee, US site (RULES.md section 5): "not received" from the
estimated delivery until 30 days after it; the seller has 3 business days (US federal
holidays, observed days included, counted in America/Los_Angeles), then the buyer may ask
eBay to step in; a request not escalated within 21 business days of its opening closes;
a decision can be appealed within 30 days."""

EBAY_UK = attrs.evolve(
    _EBAY,
    name="ebay-uk",
    version="2020-05",
    effective_from=datetime(2020, 5, 1, tzinfo=UTC),
    calendar=Calendar("Europe/London", country="GB"),
)
"""eBay Money Back Guarantee, UK site, since May 2020 (RULES.md section 5): as `EBAY_US`,
with business days counted in Europe/London less the UK-wide bank holidays."""

PAYPAL = attrs.evolve(
    _ELSEWHERE,
    name="paypal",
    version="2020-01",
    effective_from=datetime(2020, 1, 1, tzinfo=UTC),
    seller_response_window=timedelta(days=10),
    seller_window_starts=Anchor.ESCALATION,
    negotiation_window=timedelta(days=20),
    negotiation_window_starts=Anchor.OPENING,
    negotiation_window_ends=Consequence.CLOSE,
    return_shipping_window=timedelta(days=10),
    filing_window_starts=Anchor.PAYMENT,
    filing_window=timedelta(days=180),
    appeal_window=timedelta(days=10),
    reopen_after_cancel=False,
)
"""PayPal Purchase Protection (RULES.md section 5): a dispute from shipment until 180
days after payment; the inquiry lasts 20 days, then closes unless the buyer escalates it
to a claim; in a claim the seller has 10 days, then the claim is refunded; a decision can
be appealed within 10 days; a closed case cannot be reopened."""

AMAZON_US = attrs.evolve(
    _ELSEWHERE,
    name="amazon-us",
    version="2020-07",
    effective_from=datetime(2020, 7, 1, tzinfo=UTC),
    seller_response_window=timedelta(hours=72),
    negotiation_window=None,  # not published: the buyer escalates when ready
    earliest_not_received=timedelta(days=3),
    filing_window_starts=Anchor.ESTIMATED_DELIVERY,
    filing_window=timedelta(days=90),
    contact_wait=timedelta(hours=48),
    appeal_window=timedelta(days=30),
)
"""Amazon A-to-z Guarantee for seller-fulfilled orders, since July 2020 (RULES.md
section 5): contact the seller first and wait 48 hours; a claim from 3 days after the
latest estimated delivery until 90 days after it; seller silence for 72 hours grants
it; a decision can be appealed within 30 days."""

_ELSEWHERE_PRESETS = (EBAY_US, EBAY_UK, PAYPAL, AMAZON_US)


def _dated(policy: Policy) -> tuple[Policy, datetime]:
    if policy.effective_from is None:  # pragma: no cover - a mistake in the list below
        raise ValueError(f"the preset {policy.name} {policy.version} has no effective_from")
    return policy, policy.effective_from.astimezone(UTC)


_DATED: tuple[tuple[Policy, datetime], ...] = tuple(
    sorted(
        (_dated(p) for p in (ALIEXPRESS_2015, ALIEXPRESS_2018, ALIEXPRESS, *_ELSEWHERE_PRESETS)),
        key=lambda dated: (dated[0].name, dated[1]),
    )
)
_PRESETS: tuple[Policy, ...] = tuple(p for p, _ in _DATED)
_BY_VERSION: dict[tuple[str, str], Policy] = {(p.name, p.version): p for p in _PRESETS}
if len(_BY_VERSION) != len(_PRESETS):  # pragma: no cover - a mistake in the list above
    raise ValueError("two presets share a name and a version")


def policies() -> tuple[Policy, ...]:
    """Every preset, by name then ``effective_from``.

    >>> [f"{p.name} {p.version}" for p in policies()]  # doctest: +NORMALIZE_WHITESPACE
    ['aliexpress 2015', 'aliexpress 2018', 'aliexpress 2026-11', 'amazon-us 2020-07',
     'ebay-uk 2020-05', 'ebay-us 2020-01', 'paypal 2020-01']
    """
    return _PRESETS


def known() -> str:
    """The presets in words, for messages: ``aliexpress 2015 (from ...), ...``."""
    return ", ".join(f"{p.name} {p.version} (from {iso(since)})" for p, since in _DATED)


def preset(name: str, version: str) -> Policy | None:
    """The preset *name* at *version*, or None when there is none."""
    return _BY_VERSION.get((name, version))


def is_preset(policy: Policy) -> bool:
    """*policy* equals a registered preset."""
    found = _BY_VERSION.get((policy.name, policy.version))
    return found is policy or found == policy  # most often the preset itself: no field compared


def policy_for(name: str, at: datetime) -> Policy:
    """The version of the rules *name* in force at the aware instant *at*: the last
    preset of that name whose ``effective_from`` is not after *at*.

    An unknown *name*, a naive or non-datetime *at*, or an instant before the first
    version is `InvalidInput` naming what exists.

    >>> policy_for("aliexpress", datetime(2018, 6, 1, tzinfo=UTC)).version
    '2018'
    """
    versions = [(p, since) for p, since in _DATED if p.name == name]
    if not versions:
        names = ", ".join(sorted({p.name for p in _PRESETS}))
        raise InvalidInput(f"name: {shown(name)} is not a preset's name; known: {names}")
    if not isinstance(at, datetime):
        raise InvalidInput(f"at: expected a timezone-aware datetime, got {kind(at)}")
    moment = utc(at, "at")
    in_force = [p for p, since in versions if since <= moment]
    if not in_force:
        listed = ", ".join(f"{p.version} from {iso(since)}" for p, since in versions)
        raise InvalidInput(
            f"at: {iso(moment)} is before the first version of {name}'s rules; "
            f"its versions: {listed}"
        )
    return in_force[-1]
