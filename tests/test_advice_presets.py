"""Properties of the advice over random orders of every preset (Hypothesis): `advise`
never advises an action that would be refused at that instant, for any side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given

from buyer_protection import (
    Actor,
    Anchor,
    Consequence,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Reason,
    Step,
    advise,
)
from buyer_protection.advice import ITEM_PROOF, SIDES
from preset_strategies import PresetStory, looks, preset_stories

INFORMATIONAL = frozenset(
    {"wait", "nothing", "check_tracking", "wait_for_seller", "wait_for_platform"}
)
"""Steps that name no action of an order or a dispute: waiting, nothing, checking."""


def perform(view: Order, step: Step, at: datetime) -> None:
    """Carry out the advised *step* on *view* at *at*, with the arguments its words give
    (a full refund asked; a counter-offer or decision of nothing; the side's own appeal)."""
    zero = Money.zero(view.total.currency)
    order_calls: dict[str, Callable[[], object]] = {
        "open_dispute": lambda: view.open_dispute(
            at,
            reason=Reason.NOT_AS_DESCRIBED
            if ITEM_PROOF[0] in step.evidence
            else Reason.NOT_RECEIVED,
            refund=view.refundable,
            evidence=step.evidence,
        ),
        "contact_seller": lambda: view.contact_seller(at),
        "confirm_receipt": lambda: view.confirm_receipt(at),
        "ship": lambda: view.ship(at),
        "grant_extension": lambda: view.grant_extension(at, 1),
    }
    if step.action in order_calls:
        order_calls[step.action]()
        return
    dispute = view.dispute
    assert dispute is not None, f"{step.action} advised with no dispute"
    dispute_calls: dict[str, Callable[[], object]] = {
        "escalate": lambda: dispute.escalate(at),
        "accept_counter_offer": lambda: dispute.buyer_accept(at),
        "ship_return": lambda: dispute.ship_return(at, tracking_number="LP00123456789CN"),
        "seller_accept": lambda: dispute.seller_accept(at),
        "seller_reject": lambda: dispute.seller_reject(at, counter_offer=zero),
        "confirm_return": lambda: dispute.confirm_return(at),
        "refuse_return": lambda: dispute.refuse_return(at, note="the box came back empty"),
        "platform_decide": lambda: dispute.platform_decide(at, refund=zero),
        "appeal": lambda: dispute.appeal(at, by=step.side),
    }
    dispute_calls[step.action]()


def check_advice(order: Order, at: datetime) -> int:
    """Check every side's advice for *order* at *at* against the lifecycle: an action
    possible now (earliest not after *at*) succeeds when taken at *at*; one possible later
    is refused at *at*, saying from when, and succeeds at its earliest. Returns how many
    actions it tried."""
    tried = 0
    for side in SIDES:
        for step in advise(order, at, side=side):
            if step.action in INFORMATIONAL:
                continue
            assert step.earliest is not None, step
            tried += 1
            if step.earliest <= at:
                perform(order.as_of(at), step, at)
                continue
            with pytest.raises(InvalidAction) as refused:
                perform(order.as_of(at), step, at)
            assert refused.value.possible_from == step.earliest, step
            perform(order.as_of(step.earliest), step, step.earliest)
    return tried


@given(preset_stories())
def test_advise_never_advises_an_action_refused_at_that_instant(story: PresetStory) -> None:
    """Under every preset, each side's advised action is not refused when taken at the
    instant asked if its earliest is not later; if it is later, it is refused then (saying
    from when) and taken at its earliest (see `check_advice`)."""
    for order, at in looks(story):
        check_advice(order, at)


@given(preset_stories())
def test_each_sides_steps_keep_their_shape_under_every_preset(story: PresetStory) -> None:
    """Every side gets at least one step, all its own; no latest is in the past; only an
    opening or an escalation waits for a later earliest; if_not goes with a latest (always,
    for the seller and the platform); the most urgent step comes first."""
    for order, at in looks(story):
        for side in SIDES:
            steps = advise(order, at, side=side)
            assert steps
            for step in steps:
                assert step.side is side
                assert step.latest is None or step.latest > at, step
                assert step.earliest is None or step.earliest >= at, step
                assert step.earliest is None or step.latest is None or step.earliest < step.latest
                if step.action not in ("open_dispute", "escalate", "nothing"):
                    assert step.earliest == at, step
                assert step.if_not == "" or step.latest is not None, step
                if side is not Actor.BUYER and step.latest is not None:
                    assert step.if_not, step
            dated = [step.latest for step in steps if step.latest is not None]
            assert dated == sorted(dated)
            assert all(step.latest is not None for step in steps[: len(dated)])


@given(preset_stories())
def test_the_advice_says_only_what_the_rules_have(story: PresetStory) -> None:
    """No extension where the rules have none, no cancellation where they have no
    processing time, no 'not received' dispute where the rules count it from an estimated
    delivery the order lacks, no refund by the seller's silence where it only lets the
    buyer escalate, and the platform decides every dispute it holds, with no deadline."""
    for order, at in looks(story):
        view = order.as_of(at)
        policy = view.policy
        unknown = (
            policy.filing_window_starts is Anchor.ESTIMATED_DELIVERY
            and view.estimated_delivery is None
        )
        for side in SIDES:
            for step in advise(order, at, side=side):
                if not policy.extensions:
                    assert step.action != "grant_extension", step
                if policy.processing_time is None:
                    assert "cancelled" not in step.why + step.if_not, step
                if unknown and step.action == "open_dispute":
                    assert ITEM_PROOF[0] in step.evidence, step
                if policy.seller_window_ends is Consequence.ALLOW_ESCALATION:
                    assert "follows automatically" not in step.why, step
                    assert "silence" not in step.if_not, step
        decide = [(s.action, s.latest, s.if_not) for s in advise(order, at, side="platform")]
        arbitration = view.dispute is not None and view.dispute.state is DisputeState.ARBITRATION
        if arbitration and view.state is OrderState.IN_DISPUTE:
            assert decide == [("platform_decide", None, "")]
        else:
            assert "platform_decide" not in [action for action, _, _ in decide]


@given(preset_stories())
def test_advise_and_timeline_never_change_an_order_of_any_preset(story: PresetStory) -> None:
    """advise() for every side and timeline() leave the order's log as it was."""
    for order, at in looks(story):
        before = (order.log, order.state, [d.state for d in order.disputes])
        for side in SIDES:
            advise(order, at, side=side)
        order.timeline(at)
        assert (order.log, order.state, [d.state for d in order.disputes]) == before
