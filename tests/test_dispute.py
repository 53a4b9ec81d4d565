"""Tests for `Dispute`: the seed's flows end to end, its clocks, and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    Dispute,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Outcome,
    Policy,
    Reason,
    Resolution,
)
from strategies import EPOCH, assert_refused, new_order, snapshot

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
USD = "USD"
SHIP = EPOCH + DAY
OPENED = SHIP + ALIEXPRESS.earliest_not_received
SELLER_DEADLINE = OPENED + ALIEXPRESS.seller_response_window
PROTECTION_ENDS = SHIP + timedelta(days=ALIEXPRESS.protection_days)
FULL = Money("100", USD)
COUNTER = Money("30", USD)
COUNTERED = OPENED + 2 * DAY
NEGOTIATION_DEADLINE = COUNTERED + ALIEXPRESS.negotiation_window


def opened(policy: Policy = ALIEXPRESS, *, by_platform: bool = False) -> Order:
    """An order for 100 USD shipped at SHIP with a full-refund 'not received' dispute at OPENED."""
    order = new_order(policy)
    order.ship(SHIP, by_platform=by_platform)
    order.open_dispute(
        OPENED,
        reason=Reason.NOT_RECEIVED,
        refund=FULL,
        evidence=("tracking-screenshot.png",),
        description="The parcel cannot be tracked and never arrived.",
    )
    return order


def countered(policy: Policy = ALIEXPRESS) -> Order:
    """The dispute of `opened`, which the seller rejected at COUNTERED offering 30 USD."""
    order = opened(policy)
    the(order).seller_reject(COUNTERED, counter_offer=COUNTER)
    return order


def escalated() -> Order:
    """The dispute of `countered`, escalated by the buyer a day later."""
    order = countered()
    the(order).escalate(COUNTERED + DAY)
    return order


def platform_shipped() -> Order:
    """An order shipped by the platform's own logistics, with a dispute opened at OPENED."""
    return opened(by_platform=True)


def the(order: Order) -> Dispute:
    """The order's current or last dispute."""
    assert order.dispute is not None
    return order.dispute


def system_entries(order: Order) -> list[tuple[str, datetime]]:
    """The automatic steps of the order and its disputes, as (action, instant)."""
    entries = [*order.history, *(e for d in order.disputes for e in d.history)]
    return [
        (e.action, e.at) for e in sorted(entries, key=lambda e: e.id) if e.actor is Actor.SYSTEM
    ]


# -- the seed's flows -------------------------------------------------------------


def test_a_new_dispute_waits_for_the_seller_for_the_response_window() -> None:
    """Opening a dispute puts the seller's clock on: its deadline is the window after opening."""
    dispute = the(opened())

    assert dispute.state is DisputeState.AWAITING_SELLER
    assert dispute.request == FULL
    assert dispute.counter_offer is None
    assert dispute.outcome is None
    assert dispute.deadline == SELLER_DEADLINE
    assert dispute.evidence == ("tracking-screenshot.png",)
    assert dispute.reason is Reason.NOT_RECEIVED


def test_seller_silent_refunds_the_request_exactly_at_the_end_of_the_window() -> None:
    """A silent seller: at the deadline the request is refunded (seller_reponse_timeout)."""
    order = opened()
    dispute = the(order)

    order.advance(SELLER_DEADLINE - US)
    assert dispute.state is DisputeState.AWAITING_SELLER
    assert order.refunded == Money.zero(USD)

    order.advance(SELLER_DEADLINE + 20 * DAY)
    assert dispute.state is DisputeState.RESOLVED
    assert dispute.outcome == Outcome(FULL, Resolution.SELLER_REPONSE_TIMEOUT, SELLER_DEADLINE)
    assert dispute.outcome.reached_by.value == "seller_reponse_timeout"
    assert dispute.deadline is None
    assert order.refunded == FULL
    assert order.state is OrderState.CLOSED
    assert system_entries(order) == [
        ("seller_timeout", SELLER_DEADLINE),
        ("dispute_resolved", SELLER_DEADLINE),
    ]
    entry = dispute.history[-1]
    assert (entry.before, entry.after) == (DisputeState.AWAITING_SELLER, DisputeState.RESOLVED)
    assert entry.details["refund"] == FULL


def test_seller_accepts_and_the_request_is_refunded() -> None:
    """The seller accepts: the buyer's request is refunded by consensus at that instant."""
    order = opened()
    at = OPENED + 2 * DAY

    the(order).seller_accept(at)

    assert the(order).state is DisputeState.RESOLVED
    assert the(order).outcome == Outcome(FULL, Resolution.NEGOTIATION_CONSENSUS, at)
    assert order.refunded == FULL
    assert order.state is OrderState.CLOSED
    entry = the(order).history[-1]
    assert (entry.at, entry.actor, entry.action) == (at, Actor.SELLER, "seller_accept")


def test_seller_accepts_a_partial_request() -> None:
    """A partial refund request accepted refunds exactly that amount."""
    order = new_order()
    order.ship(SHIP)
    dispute = order.open_dispute(
        SHIP, reason=Reason.QUALITY, refund=Money("12.34", USD), evidence=("photo.jpg",)
    )

    dispute.seller_accept(SHIP + DAY)

    assert order.refunded == Money("12.34", USD)
    assert order.refundable == Money("87.66", USD)


def test_seller_rejects_buyer_escalates_platform_decides() -> None:
    """Seller rejects with a counter-offer, buyer escalates, the platform decides for good."""
    order = countered()
    dispute = the(order)
    assert dispute.state is DisputeState.NEGOTIATING
    assert dispute.counter_offer == COUNTER
    assert dispute.deadline == NEGOTIATION_DEADLINE
    reject = dispute.history[-1]
    assert (reject.actor, reject.action) == (Actor.SELLER, "seller_reject")
    assert reject.details["counter_offer"] == COUNTER

    dispute.escalate(COUNTERED + DAY)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None
    assert dispute.history[-1].actor is Actor.BUYER

    decided = COUNTERED + 10 * DAY
    dispute.platform_decide(decided, refund=Money("70", USD))
    assert dispute.state is DisputeState.RESOLVED
    assert dispute.outcome == Outcome(Money("70", USD), Resolution.PLATFORM_ARBITRATE, decided)
    assert dispute.history[-1].actor is Actor.PLATFORM
    assert order.refunded == Money("70", USD)
    assert order.state is OrderState.CLOSED


def test_platform_may_decide_no_refund() -> None:
    """A platform decision of zero is final and refunds nothing."""
    order = escalated()

    the(order).platform_decide(COUNTERED + 3 * DAY, refund=Money.zero(USD))

    assert the(order).outcome is not None
    assert the(order).outcome.refund == Money.zero(USD)  # type: ignore[union-attr]
    assert order.refunded == Money.zero(USD)
    assert order.state is OrderState.CLOSED


def test_buyer_accepts_the_counter_offer() -> None:
    """The buyer takes the counter-offer: it is refunded by consensus."""
    order = countered()
    at = COUNTERED + DAY

    the(order).buyer_accept(at)

    assert the(order).outcome == Outcome(COUNTER, Resolution.NEGOTIATION_CONSENSUS, at)
    assert order.refunded == COUNTER
    assert order.state is OrderState.CLOSED


def test_seller_can_still_accept_the_request_while_negotiating() -> None:
    """During negotiation the seller may give in and accept the buyer's request."""
    order = countered()

    the(order).seller_accept(COUNTERED + DAY)

    assert order.refunded == FULL


def test_zero_counter_offer_means_no_refund() -> None:
    """A counter-offer of zero is the seller's 'no refund', and the buyer may accept it."""
    order = opened()
    the(order).seller_reject(COUNTERED, counter_offer=Money.zero(USD))

    the(order).buyer_accept(COUNTERED + DAY)

    assert order.refunded == Money.zero(USD)
    assert the(order).outcome is not None


def test_buyer_modify_restarts_the_sellers_window() -> None:
    """Each change of the request starts the seller's window again from that instant."""
    order = opened()
    dispute = the(order)
    modified = OPENED + 3 * DAY

    dispute.buyer_modify(modified, refund=Money("80", USD))
    assert dispute.request == Money("80", USD)
    assert dispute.deadline == modified + ALIEXPRESS.seller_response_window
    entry = dispute.history[-1]
    assert (entry.actor, entry.action, entry.details["refund"]) == (
        Actor.BUYER,
        "buyer_modify",
        Money("80", USD),
    )

    order.advance(SELLER_DEADLINE)
    assert dispute.state is DisputeState.AWAITING_SELLER

    order.advance(modified + ALIEXPRESS.seller_response_window)
    assert dispute.outcome == Outcome(
        Money("80", USD),
        Resolution.SELLER_REPONSE_TIMEOUT,
        modified + ALIEXPRESS.seller_response_window,
    )
    assert order.refunded == Money("80", USD)


def test_buyer_modify_during_negotiation_drops_the_counter_offer() -> None:
    """Changing the request after a counter-offer sends the dispute back to the seller."""
    order = countered()
    dispute = the(order)
    at = COUNTERED + DAY

    dispute.buyer_modify(at, refund=Money("60", USD))

    assert dispute.state is DisputeState.AWAITING_SELLER
    assert dispute.counter_offer is None
    assert dispute.deadline == at + ALIEXPRESS.seller_response_window


def test_negotiation_running_out_goes_to_arbitration_by_itself() -> None:
    """When the negotiation window ends the system moves the dispute to the platform."""
    order = countered()
    dispute = the(order)

    order.advance(NEGOTIATION_DEADLINE - US)
    assert dispute.state is DisputeState.NEGOTIATING

    order.advance(NEGOTIATION_DEADLINE + 30 * DAY)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.outcome is None
    assert order.state is OrderState.IN_DISPUTE
    assert system_entries(order) == [("negotiation_timeout", NEGOTIATION_DEADLINE)]

    dispute.platform_decide(NEGOTIATION_DEADLINE + 31 * DAY, refund=FULL)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE


def test_negotiation_window_counts_from_the_counter_offer() -> None:
    """A custom negotiation window counts from the seller's counter-offer."""
    policy = attrs.evolve(ALIEXPRESS, negotiation_window=timedelta(days=7))

    assert the(countered(policy)).deadline == COUNTERED + 7 * DAY


def test_platform_shipped_dispute_goes_straight_to_the_platform() -> None:
    """A dispute on a platform-shipped order starts in arbitration with no seller window."""
    order = platform_shipped()
    dispute = the(order)

    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None
    assert set(order.allowed()) == {"cancel", "platform_decide"}

    order.advance(PROTECTION_ENDS + 30 * DAY)
    assert dispute.state is DisputeState.ARBITRATION
    assert order.state is OrderState.IN_DISPUTE
    assert order.refunded == Money.zero(USD)

    dispute.platform_decide(PROTECTION_ENDS + 31 * DAY, refund=FULL)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE
    assert order.refunded == FULL


@pytest.mark.parametrize(
    "call",
    [
        lambda d, at: d.seller_accept(at),
        lambda d, at: d.seller_reject(at, counter_offer=COUNTER),
        lambda d, at: d.buyer_accept(at),
        lambda d, at: d.escalate(at),
    ],
    ids=["seller_accept", "seller_reject", "buyer_accept", "escalate"],
)
def test_platform_shipped_dispute_refuses_seller_actions(
    call: Callable[[Dispute, Any], object],
) -> None:
    """The seller (and negotiation) has no say on a platform-shipped order's dispute."""
    error = assert_refused(platform_shipped, lambda o: call(the(o), OPENED + DAY), InvalidAction)

    assert error.state == "arbitration"
    assert set(error.allowed) == {"cancel", "platform_decide"}


# -- cancelling, reopening, the end of disputes --------------------------------------


def test_cancel_returns_the_order_to_protection_without_refund() -> None:
    """A cancelled dispute refunds nothing and the order is shipped and protected again."""
    order = opened()
    at = OPENED + DAY

    the(order).cancel(at)

    assert the(order).state is DisputeState.CANCELLED
    assert the(order).outcome is None
    assert the(order).deadline is None
    assert order.state is OrderState.SHIPPED
    assert order.refunded == Money.zero(USD)
    assert order.protection_ends == PROTECTION_ENDS
    assert the(order).history[-1].actor is Actor.BUYER


@pytest.mark.parametrize("build", [opened, countered, escalated, platform_shipped])
def test_cancel_is_allowed_from_every_open_state(build: Callable[[], Order]) -> None:
    """The buyer can withdraw a dispute waiting for the seller, negotiating, or in arbitration."""
    order = build()

    the(order).cancel(COUNTERED + 2 * DAY)

    assert the(order).state is DisputeState.CANCELLED


def test_a_cancelled_dispute_can_be_reopened_while_protection_runs() -> None:
    """After a cancel, a new dispute can be opened before protection ends."""
    order = opened()
    first = the(order)
    first.cancel(OPENED + DAY)

    second = order.open_dispute(PROTECTION_ENDS - US, reason=Reason.LOST, refund=FULL)

    assert second is not first
    assert order.disputes == (first, second)
    assert order.dispute is second
    assert second.state is DisputeState.AWAITING_SELLER
    assert first.state is DisputeState.CANCELLED


def test_no_reopening_when_the_policy_forbids_it() -> None:
    """With reopen_after_cancel False, a cancelled dispute is the last one."""
    policy = attrs.evolve(ALIEXPRESS, reopen_after_cancel=False)

    def cancelled() -> Order:
        order = opened(policy)
        the(order).cancel(OPENED + DAY)
        return order

    error = assert_refused(
        cancelled,
        lambda o: o.open_dispute(OPENED + 2 * DAY, reason=Reason.LOST, refund=FULL),
        InvalidAction,
    )
    assert "open_dispute" not in error.allowed
    assert "open_dispute" not in cancelled().allowed()


def test_reopening_after_protection_ended_uses_the_post_completion_window() -> None:
    """Cancelled after protection ended, the order completes; a new dispute can follow."""
    order = escalated()
    cancelled_at = PROTECTION_ENDS + DAY
    the(order).cancel(cancelled_at)

    assert order.state is OrderState.COMPLETED
    completion = [e for e in order.history if e.action == "complete"]
    assert [(e.at, e.actor) for e in completion] == [(cancelled_at, Actor.SYSTEM)]

    window_ends = cancelled_at + ALIEXPRESS.post_completion_window
    order.open_dispute(window_ends - US, reason=Reason.LOST, refund=FULL)
    assert order.state is OrderState.IN_DISPUTE


def test_a_dispute_cancelled_after_completion_returns_to_completed() -> None:
    """Cancelling a dispute opened after completion returns the order to completed."""
    order = new_order()
    order.ship(SHIP)
    order.confirm_receipt(SHIP + DAY)
    dispute = order.open_dispute(
        SHIP + 2 * DAY, reason=Reason.DAMAGED, refund=FULL, evidence=("photo.jpg",)
    )

    dispute.cancel(SHIP + 3 * DAY)

    assert order.state is OrderState.COMPLETED
    assert order.next_deadline is not None
    assert order.next_deadline.at == SHIP + DAY + ALIEXPRESS.post_completion_window
    order.open_dispute(SHIP + 4 * DAY, reason=Reason.DAMAGED, refund=FULL, evidence=("photo.jpg",))
    assert len(order.disputes) == 2


def test_protection_end_waits_for_an_open_dispute() -> None:
    """While a dispute is open the order does not complete, whatever the protection clock says."""
    order = countered()

    order.advance(PROTECTION_ENDS + DAY)

    assert order.state is OrderState.IN_DISPUTE
    assert "complete" not in [e.action for e in order.history]


@pytest.mark.parametrize(
    "finish",
    [
        lambda o: the(o).seller_accept(OPENED + DAY),
        lambda o: o.advance(SELLER_DEADLINE),
        lambda o: (
            the(o).seller_reject(COUNTERED, counter_offer=COUNTER),
            the(o).buyer_accept(COUNTERED),
        ),
    ],
    ids=["seller_accept", "seller_timeout", "buyer_accept"],
)
def test_a_resolved_dispute_ends_disputes_on_the_order(finish: Callable[[Order], object]) -> None:
    """After an agreed or decided dispute the order is closed: no new dispute, ever."""

    def resolved() -> Order:
        order = opened()
        finish(order)
        return order

    later = PROTECTION_ENDS - DAY
    error = assert_refused(
        resolved,
        lambda o: o.open_dispute(later, reason=Reason.LOST, refund=Money("1", USD)),
        InvalidAction,
    )
    assert error.state == "closed"


FINAL_ACTIONS: dict[str, Callable[[Dispute, datetime], object]] = {
    "seller_accept": lambda d, at: d.seller_accept(at),
    "seller_reject": lambda d, at: d.seller_reject(at, counter_offer=Money("1", USD)),
    "buyer_accept": lambda d, at: d.buyer_accept(at),
    "buyer_modify": lambda d, at: d.buyer_modify(at, refund=Money("5", USD)),
    "escalate": lambda d, at: d.escalate(at),
    "cancel": lambda d, at: d.cancel(at),
    "platform_decide": lambda d, at: d.platform_decide(at, refund=Money("5", USD)),
}


def _resolved() -> Order:
    order = opened()
    the(order).seller_accept(OPENED + DAY)
    return order


def _cancelled() -> Order:
    order = opened()
    the(order).cancel(OPENED + DAY)
    return order


def _cancelled_and_reopened() -> Order:
    order = _cancelled()
    order.open_dispute(OPENED + 2 * DAY, reason=Reason.LOST, refund=FULL)
    return order


@pytest.mark.parametrize("action", FINAL_ACTIONS)
@pytest.mark.parametrize("build", [_resolved, _cancelled, _cancelled_and_reopened])
def test_a_finished_dispute_never_changes_again(build: Callable[[], Order], action: str) -> None:
    """Every action on a resolved or cancelled dispute is refused and changes nothing."""
    error = assert_refused(
        build, lambda o: FINAL_ACTIONS[action](o.disputes[0], OPENED + 3 * DAY), InvalidAction
    )

    assert error.state in {"resolved", "cancelled"}
    assert error.allowed == ()


def test_advance_through_a_dispute_reaches_the_order() -> None:
    """Dispute.advance applies the order's and the dispute's automatic steps."""
    order = opened()

    the(order).advance(SELLER_DEADLINE)

    assert order.state is OrderState.CLOSED


# -- exact boundaries ----------------------------------------------------------------


BOUNDARIES: dict[
    str, tuple[Callable[[], Order], datetime, Callable[[Dispute, datetime], object]]
] = {
    "seller_accept at the seller deadline": (
        opened,
        SELLER_DEADLINE,
        lambda d, at: d.seller_accept(at),
    ),
    "seller_reject at the seller deadline": (
        opened,
        SELLER_DEADLINE,
        lambda d, at: d.seller_reject(at, counter_offer=COUNTER),
    ),
    "buyer_modify at the seller deadline": (
        opened,
        SELLER_DEADLINE,
        lambda d, at: d.buyer_modify(at, refund=Money("50", USD)),
    ),
    "cancel at the seller deadline": (opened, SELLER_DEADLINE, lambda d, at: d.cancel(at)),
    "buyer_accept at the negotiation deadline": (
        countered,
        NEGOTIATION_DEADLINE,
        lambda d, at: d.buyer_accept(at),
    ),
    "escalate at the negotiation deadline": (
        countered,
        NEGOTIATION_DEADLINE,
        lambda d, at: d.escalate(at),
    ),
    "seller_accept at the negotiation deadline": (
        countered,
        NEGOTIATION_DEADLINE,
        lambda d, at: d.seller_accept(at),
    ),
    "buyer_modify at the negotiation deadline": (
        countered,
        NEGOTIATION_DEADLINE,
        lambda d, at: d.buyer_modify(at, refund=Money("50", USD)),
    ),
}


@pytest.mark.parametrize("case", BOUNDARIES)
def test_an_action_a_microsecond_before_its_deadline_is_accepted(case: str) -> None:
    """Just before a deadline the action is still in time."""
    build, deadline, call = BOUNDARIES[case]
    order = build()
    before = len(the(order).history)

    call(the(order), deadline - US)

    assert len(the(order).history) == before + 1
    assert the(order).history[-1].actor is not Actor.SYSTEM
    assert the(order).history[-1].at == deadline - US


@pytest.mark.parametrize("case", BOUNDARIES)
def test_an_action_at_its_deadline_is_refused_after_the_automatic_step(case: str) -> None:
    """At the deadline the automatic step has happened, so the action is refused."""
    build, deadline, call = BOUNDARIES[case]
    order = build()
    before = len(the(order).history)

    with pytest.raises(InvalidAction):
        call(the(order), deadline)

    assert len(the(order).history) == before + 1
    step = the(order).history[-1]
    assert (step.at, step.actor) == (deadline, Actor.SYSTEM)
    twin = build()
    twin.advance(deadline)
    assert snapshot(order) == snapshot(twin)


def test_cancel_at_the_negotiation_deadline_cancels_the_arbitration() -> None:
    """Cancel at the negotiation deadline follows the automatic step to arbitration."""
    order = countered()

    the(order).cancel(NEGOTIATION_DEADLINE)

    assert [e.action for e in the(order).history][-2:] == ["negotiation_timeout", "cancel"]
    assert the(order).state is DisputeState.CANCELLED


# -- bad input changes nothing -----------------------------------------------------------


LATER = OPENED + DAY
BAD_CALLS: dict[str, tuple[Callable[[], Order], Callable[[Dispute], object], type[Exception]]] = {
    "seller_reject: naive datetime": (
        opened,
        lambda d: d.seller_reject(datetime(2026, 3, 13), counter_offer=COUNTER),
        InvalidInput,
    ),
    "seller_reject: counter-offer as float": (
        opened,
        lambda d: d.seller_reject(LATER, counter_offer=30.0),
        InvalidInput,
    ),
    "seller_reject: counter-offer as Decimal": (
        opened,
        lambda d: d.seller_reject(LATER, counter_offer=Decimal(30)),
        InvalidInput,
    ),
    "seller_reject: counter-offer in the wrong currency": (
        opened,
        lambda d: d.seller_reject(LATER, counter_offer=Money("30", "EUR")),
        InvalidInput,
    ),
    "seller_reject: counter-offer equal to the request": (
        opened,
        lambda d: d.seller_reject(LATER, counter_offer=FULL),
        InvalidInput,
    ),
    "seller_reject: counter-offer above the request": (
        opened,
        lambda d: d.seller_reject(LATER, counter_offer=Money("150", USD)),
        InvalidInput,
    ),
    "seller_accept: time going backwards": (
        opened,
        lambda d: d.seller_accept(OPENED - US),
        InvalidInput,
    ),
    "buyer_modify: refund over the total": (
        opened,
        lambda d: d.buyer_modify(LATER, refund=Money("100.01", USD)),
        InvalidInput,
    ),
    "buyer_modify: zero refund": (
        opened,
        lambda d: d.buyer_modify(LATER, refund=Money.zero(USD)),
        InvalidInput,
    ),
    "buyer_modify: wrong currency": (
        countered,
        lambda d: d.buyer_modify(LATER + 2 * DAY, refund=Money("10", "JPY")),
        InvalidInput,
    ),
    "buyer_modify: float": (
        countered,
        lambda d: d.buyer_modify(LATER + 2 * DAY, refund=10.5),
        InvalidInput,
    ),
    "buyer_modify: naive datetime": (
        opened,
        lambda d: d.buyer_modify(datetime(2026, 3, 13), refund=COUNTER),
        InvalidInput,
    ),
    "escalate: time going backwards": (
        countered,
        lambda d: d.escalate(COUNTERED - US),
        InvalidInput,
    ),
    "cancel: naive datetime": (countered, lambda d: d.cancel(datetime(2026, 3, 20)), InvalidInput),
    "buyer_accept: not a datetime": (
        countered,
        lambda d: d.buyer_accept("2026-03-20T00:00:00Z"),  # type: ignore[arg-type]
        InvalidInput,
    ),
    "platform_decide: refund over the total": (
        escalated,
        lambda d: d.platform_decide(COUNTERED + 2 * DAY, refund=Money("101", USD)),
        InvalidInput,
    ),
    "platform_decide: wrong currency": (
        escalated,
        lambda d: d.platform_decide(COUNTERED + 2 * DAY, refund=Money("100", "EUR")),
        InvalidInput,
    ),
    "platform_decide: float": (
        escalated,
        lambda d: d.platform_decide(COUNTERED + 2 * DAY, refund=100.0),
        InvalidInput,
    ),
    "platform_decide: naive datetime": (
        escalated,
        lambda d: d.platform_decide(datetime(2026, 3, 30), refund=FULL),
        InvalidInput,
    ),
    "platform_decide: before arbitration": (
        countered,
        lambda d: d.platform_decide(COUNTERED + DAY, refund=FULL),
        InvalidAction,
    ),
    "buyer_accept: no counter-offer yet": (opened, lambda d: d.buyer_accept(LATER), InvalidAction),
    "escalate: before the seller answered": (opened, lambda d: d.escalate(LATER), InvalidAction),
    "seller_reject: twice": (
        countered,
        lambda d: d.seller_reject(COUNTERED + DAY, counter_offer=Money("20", USD)),
        InvalidAction,
    ),
    "buyer_modify: in arbitration": (
        escalated,
        lambda d: d.buyer_modify(COUNTERED + 2 * DAY, refund=COUNTER),
        InvalidAction,
    ),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_dispute_calls_raise_and_change_nothing(case: str) -> None:
    """Each bad input or refused action raises its error and leaves everything as it was."""
    build, call, error = BAD_CALLS[case]

    raised = assert_refused(build, lambda o: call(the(o)), error)

    if isinstance(raised, InvalidAction):
        assert raised.state in str(raised)
        for action in raised.allowed:
            assert action in str(raised)


def test_a_refused_call_after_a_deadline_keeps_the_automatic_step_only() -> None:
    """A call refused at a later instant leaves exactly what advance() to that instant would."""
    late = SELLER_DEADLINE + DAY

    assert_refused(
        opened,
        lambda o: the(o).platform_decide(late, refund=Money("101", USD)),
        InvalidAction,
        late,
    )
    order = opened()
    with pytest.raises(InvalidAction):
        the(order).platform_decide(late, refund=FULL)
    assert system_entries(order) == [
        ("seller_timeout", SELLER_DEADLINE),
        ("dispute_resolved", SELLER_DEADLINE),
    ]
    assert order.last_event_at == SELLER_DEADLINE


def test_a_refund_over_the_total_after_an_automatic_step_changes_only_that_step() -> None:
    """A too-large refund refused after a negotiation timeout leaves only the timeout recorded."""
    late = NEGOTIATION_DEADLINE + DAY

    assert_refused(
        countered,
        lambda o: the(o).platform_decide(late, refund=Money("100.01", USD)),
        InvalidInput,
        late,
    )


def test_invalid_action_and_invalid_input_pickle_with_their_facts() -> None:
    """`InvalidAction` and `InvalidInput` survive pickling (as an error raised in a worker
    process reaches its parent) with every attribute."""
    import pickle

    action = InvalidAction(
        "no", action="ship", state="closed", allowed=("advance",), possible_from=None
    )
    again = pickle.loads(pickle.dumps(action))
    assert (type(again), str(again), again.action, again.state, again.allowed) == (
        InvalidAction,
        "no",
        "ship",
        "closed",
        ("advance",),
    )
    problem = pickle.loads(pickle.dumps(InvalidInput("2 problems", problems=["a", "b"])))
    assert (str(problem), problem.problems) == ("2 problems", ("a", "b"))
