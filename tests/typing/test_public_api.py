"""Typing tests: the public API's types, checked by mypy (and run by pytest as a smoke test).

``assert_type`` does nothing at run time; mypy fails if a type differs. Run with
``mypy --strict tests/typing`` (see the project's CI).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, assert_type

import attrs

import buyer_protection
from buyer_protection import (
    ALIEXPRESS,
    ALIEXPRESS_2015,
    ALIEXPRESS_2018,
    Actor,
    Agreement,
    Anchor,
    BusinessDays,
    BuyerProtectionError,
    Calendar,
    Consequence,
    CurrencyMismatch,
    Deadline,
    Dispute,
    DisputeState,
    HistoryEntry,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Outcome,
    Policy,
    Reason,
    Remedy,
    Resolution,
    Step,
    TrackingEvent,
    TrackingStatus,
    advise,
    policies,
    policy_for,
)
from buyer_protection.sources import Source, sources

PAID = datetime(2026, 3, 1, tzinfo=UTC)


def test_money_types() -> None:
    """Money takes str, int or Decimal and keeps a Decimal and a str code."""
    price = Money("19.99", "USD")
    assert_type(Money(5, "USD"), Money)
    assert_type(Money(Decimal("5"), "USD"), Money)
    assert_type(price.amount, Decimal)
    assert_type(price.currency, str)
    assert_type(price + price, Money)
    assert_type(price - price, Money)
    assert_type(price < price, bool)
    assert_type(price >= price, bool)
    assert_type(Money.zero("USD"), Money)
    assert_type(Money.rounded(price.amount / 3, "USD"), Money)


def test_policy_types() -> None:
    """Policy fields have their documented types, and evolve keeps the class."""
    assert_type(ALIEXPRESS, Policy)
    assert_type(ALIEXPRESS.protection_days, int)
    assert_type(ALIEXPRESS.seller_response_window, timedelta | BusinessDays)
    assert_type(ALIEXPRESS.negotiation_window, timedelta | BusinessDays | None)
    assert_type(ALIEXPRESS.seller_window_ends, Consequence)
    assert_type(ALIEXPRESS.filing_window_starts, Anchor)
    assert_type(ALIEXPRESS.appeal_window, timedelta | BusinessDays | None)
    assert_type(ALIEXPRESS.post_completion_window, timedelta | BusinessDays)
    assert_type(ALIEXPRESS.reopen_after_cancel, bool)
    assert_type(ALIEXPRESS.max_extension_days, int | None)
    assert_type(attrs.evolve(ALIEXPRESS, protection_days=90), Policy)
    assert_type(ALIEXPRESS.effective_from, datetime | None)
    assert_type(ALIEXPRESS.calendar, Calendar)


def test_preset_and_policy_file_types() -> None:
    """The presets, their lookup and policy files have their documented types."""
    assert_type(ALIEXPRESS_2015, Policy)
    assert_type(ALIEXPRESS_2018, Policy)
    assert_type(policies(), tuple[Policy, ...])
    assert_type(policy_for("aliexpress", PAID), Policy)
    assert_type(ALIEXPRESS.to_toml(), str)
    assert_type(Policy.from_toml(ALIEXPRESS.to_toml()), Policy)


def test_sources_types() -> None:
    """A preset's table of sources is a tuple of Source rows of words and field names."""
    rows = sources(ALIEXPRESS)
    assert_type(rows, tuple[Source, ...])
    assert_type(rows[0].fields, tuple[str, ...])
    assert_type(rows[0].rule, str)
    assert_type(rows[0].confidence, str)


def test_order_and_dispute_types() -> None:
    """Order and Dispute reads and actions have their documented types."""
    order = Order("1", Money("100", "USD"), PAID)
    assert_type(Order("1", Money("1", "USD"), PAID, ALIEXPRESS), Order)
    assert_type(order.ship(PAID, protection_days=60, by_platform=False), None)
    assert_type(order.state, OrderState)
    assert_type(order.protection_ends, datetime | None)
    assert_type(order.refunded, Money)
    assert_type(order.history, tuple[HistoryEntry, ...])
    assert_type(order.disputes, tuple[Dispute, ...])
    assert_type(order.dispute, Dispute | None)
    assert_type(order.next_deadline, Deadline | None)
    assert_type(order.allowed(), tuple[str, ...])
    assert_type(order.advance(PAID), None)
    assert_type(order.add_tracking(TrackingEvent(PAID, TrackingStatus.IN_TRANSIT)), bool)

    dispute = order.open_dispute(
        PAID, reason=Reason.DAMAGED, refund=Money("10", "USD"), evidence=("a.jpg",)
    )
    assert_type(dispute, Dispute)
    assert_type(dispute.state, DisputeState)
    assert_type(dispute.deadline, datetime | None)
    assert_type(dispute.request, Money)
    assert_type(dispute.counter_offer, Money | None)
    assert_type(dispute.outcome, Outcome | None)
    assert_type(dispute.history, tuple[HistoryEntry, ...])
    assert_type(dispute.seller_reject(PAID, counter_offer=Money("1", "USD")), None)
    assert_type(dispute.escalate(PAID), None)
    assert_type(dispute.platform_decide(PAID, refund=Money("5", "USD")), None)
    outcome = dispute.outcome
    assert outcome is not None
    assert_type(outcome.refund, Money)
    assert_type(outcome.reached_by, Resolution)
    assert_type(outcome.at, datetime)


def test_return_types() -> None:
    """A return's proposal, agreement, tracking and clocks have the documented types."""
    order = Order("1", Money("20", "USD"), PAID)
    order.ship(PAID)
    dispute = order.open_dispute(
        PAID,
        reason=Reason.DAMAGED,
        refund=Money("10", "USD"),
        remedy=Remedy.RETURN_AND_REFUND,
        return_postage_by=Actor.BUYER,
        evidence=("a.jpg",),
    )
    assert_type(dispute.remedy, Remedy)
    assert_type(dispute.counter_remedy, Remedy | None)
    assert_type(dispute.return_postage_by, Actor | None)
    assert_type(dispute.seller_accept(PAID), None)
    agreement = dispute.agreement
    assert agreement is not None
    assert_type(agreement, Agreement)
    assert_type(agreement.refund, Money)
    assert_type(agreement.remedy, Remedy)
    assert_type(agreement.reached_by, Resolution)
    assert_type(agreement.at, datetime)
    assert_type(dispute.return_ship_deadline, datetime | None)
    assert_type(dispute.ship_return(PAID, tracking_number="LP1", carrier="Cainiao"), None)
    assert_type(dispute.return_tracking, str | None)
    assert_type(dispute.return_confirm_deadline, datetime | None)
    assert_type(dispute.refuse_return(PAID, note="empty box"), None)
    assert_type(
        dispute.platform_decide(PAID, refund=Money("10", "USD"), remedy="return_and_refund"), None
    )
    assert_type(dispute.ship_return(PAID, tracking_number="LP2"), None)
    assert_type(dispute.confirm_return(PAID), None)


def test_event_id_types() -> None:
    """Every action takes an optional event id, kept on the entry as str or None."""
    order = Order("1", Money("20", "USD"), PAID)
    assert_type(order.ship(PAID, event_id="wh-1"), None)
    assert_type(
        order.add_tracking(TrackingEvent(PAID, TrackingStatus.IN_TRANSIT), event_id="wh-2"), bool
    )
    dispute = order.open_dispute(
        PAID, reason=Reason.DAMAGED, refund=Money("10", "USD"), evidence=("a.jpg",), event_id="wh-3"
    )
    assert_type(dispute, Dispute)
    assert_type(dispute.seller_accept(PAID, event_id="wh-4"), None)
    assert_type(order.log[-1].event_id, str | None)


def test_assumed_types() -> None:
    """An order's assumed facts are a frozenset of names, given as any iterable of str."""
    order = Order("1", Money("20", "USD"), PAID, assumed=("paid_at",))
    assert_type(order.ship(PAID, assumed={"shipped_at"}), None)
    assert_type(order.assumed, frozenset[str])
    assert_type(order.assumed_for("protection_ends"), frozenset[str])


def test_history_types() -> None:
    """A history entry has an instant, an actor, an action name, states and details."""
    entry = Order("1", Money("1", "USD"), PAID).history[0]
    assert_type(entry.at, datetime)
    assert_type(entry.actor, Actor)
    assert_type(entry.action, str)
    assert_type(entry.details, Mapping[str, Any])


def test_advice_types() -> None:
    """advise takes a side as an Actor or its value; each Step says whose it is and what if not."""
    order = Order("1", Money("1", "USD"), PAID)
    steps = advise(order, PAID, side="seller")
    assert_type(steps, tuple[Step, ...])
    assert_type(advise(order, PAID, side=Actor.PLATFORM), tuple[Step, ...])
    assert_type(steps[0].side, Actor)
    assert_type(steps[0].if_not, str)
    assert_type(steps[0].latest, datetime | None)


def test_error_types() -> None:
    """The errors form one hierarchy under BuyerProtectionError, with their attributes typed."""
    error: BuyerProtectionError = InvalidInput("x")
    assert isinstance(error, ValueError)
    mismatch: InvalidInput = CurrencyMismatch("x")
    refused = InvalidAction("x", action="ship", state="closed")
    assert_type(refused.allowed, tuple[str, ...])
    assert_type(refused.possible_from, datetime | None)
    assert_type(mismatch.problems, tuple[str, ...])


def _isort_style(name: str) -> tuple[int, str]:
    """Where ruff's RUF022 sorts *name*: constants, then classes, then the rest."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted (constants, then classes, then functions, each alphabetically, as
    ruff sorts it) and names only what the package really exports."""
    names = buyer_protection.__all__
    assert list(names) == sorted(names, key=_isort_style)
    for name in names:
        assert hasattr(buyer_protection, name), name


def test_an_order_offers_what_its_disputes_and_milestones_read() -> None:
    """Order satisfies the two internal interfaces the core reads it through."""
    from buyer_protection.dispute import OrderLink
    from buyer_protection.milestones import OrderView

    link: OrderLink = Order("1", Money("100", "USD"), PAID)
    view: OrderView = Order("2", Money("100", "USD"), PAID)
    assert_type(link.total, Money)
    assert_type(view.state, OrderState)
