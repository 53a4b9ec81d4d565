"""Tests for the lifecycle tables and their one shared state machine per aggregate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
import transitions

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    policies,
)
from buyer_protection.lifecycle import DISPUTE, LIFECYCLES, ORDER, Lifecycle
from strategies import EPOCH, new_order

OS = OrderState
D = DisputeState
DAY = timedelta(days=1)
USD = "USD"


Row = tuple[str, frozenset[Any], Any, Actor, str | None, str | None]


def _rows(lifecycle: Lifecycle) -> set[Row]:
    """The table's rows as (trigger, sources, dest, actor, clock, consequence)."""
    rows = {
        (t.trigger, frozenset(t.sources), t.dest, t.actor, t.clock, t.consequence)
        for t in lifecycle.table
    }
    assert len(rows) == len(lifecycle.table)  # no row declared twice
    return rows


def test_order_table_declares_the_rules() -> None:
    """The order table has exactly the transitions RULES.md sections 1 and 5 describe (an
    extension and an appeal only under rules that have them)."""
    assert _rows(ORDER) == {
        ("ship", frozenset({OS.AWAITING_SHIPMENT}), OS.SHIPPED, Actor.SELLER, None, None),
        (
            "cancel_unshipped",
            frozenset({OS.AWAITING_SHIPMENT}),
            OS.CLOSED,
            Actor.SYSTEM,
            "shipping_deadline",
            None,
        ),
        ("confirm_receipt", frozenset({OS.SHIPPED}), OS.COMPLETED, Actor.BUYER, None, None),
        (
            "complete",
            frozenset({OS.SHIPPED}),
            OS.COMPLETED,
            Actor.SYSTEM,
            "protection_ends",
            None,
        ),
        (
            "request_extension",
            frozenset({OS.SHIPPED}),
            OS.SHIPPED,
            Actor.BUYER,
            None,
            "_extensions",
        ),
        (
            "grant_extension",
            frozenset({OS.SHIPPED}),
            OS.SHIPPED,
            Actor.SELLER,
            None,
            "_extensions",
        ),
        (
            "contact_seller",
            frozenset({OS.AWAITING_SHIPMENT}),
            OS.AWAITING_SHIPMENT,
            Actor.BUYER,
            None,
            None,
        ),
        ("contact_seller", frozenset({OS.SHIPPED}), OS.SHIPPED, Actor.BUYER, None, None),
        (
            "contact_seller",
            frozenset({OS.COMPLETED}),
            OS.COMPLETED,
            Actor.BUYER,
            None,
            "_contact_first",
        ),
        (
            "open_dispute",
            frozenset({OS.SHIPPED, OS.COMPLETED}),
            OS.IN_DISPUTE,
            Actor.BUYER,
            None,
            None,
        ),
        ("dispute_resolved", frozenset({OS.IN_DISPUTE}), OS.CLOSED, Actor.SYSTEM, None, None),
        (
            "dispute_appealed",
            frozenset({OS.CLOSED}),
            OS.IN_DISPUTE,
            Actor.SYSTEM,
            None,
            "_appeals",
        ),
        ("dispute_cancelled", frozenset({OS.IN_DISPUTE}), OS.SHIPPED, Actor.SYSTEM, None, None),
        (
            "dispute_cancelled_after_completion",
            frozenset({OS.IN_DISPUTE}),
            OS.COMPLETED,
            Actor.SYSTEM,
            None,
            None,
        ),
        (
            "close",
            frozenset({OS.COMPLETED}),
            OS.CLOSED,
            Actor.SYSTEM,
            "post_completion_ends",
            None,
        ),
    }


def test_dispute_table_declares_the_rules() -> None:
    """The dispute table has exactly the transitions RULES.md sections 3, 4a and 5
    describe, each consequence of a clock a row of its own."""
    opened = frozenset({D.AWAITING_SELLER, D.NEGOTIATING, D.ARBITRATION})
    answering = frozenset({D.AWAITING_SELLER, D.NEGOTIATING})
    claim = frozenset({D.ARBITRATION})
    waiting = frozenset({D.AWAITING_SELLER})
    claimed = "_claim_awaits_seller"
    assert _rows(DISPUTE) == {
        ("seller_accept", answering, D.RESOLVED, Actor.SELLER, None, None),
        ("seller_accept", answering, D.AWAITING_RETURN, Actor.SELLER, None, None),
        ("seller_accept", claim, D.RESOLVED, Actor.SELLER, None, claimed),
        ("seller_accept", claim, D.AWAITING_RETURN, Actor.SELLER, None, claimed),
        ("seller_reject", waiting, D.NEGOTIATING, Actor.SELLER, None, None),
        ("seller_reject", claim, D.ARBITRATION, Actor.SELLER, None, claimed),
        (
            "seller_timeout",
            waiting,
            D.RESOLVED,
            Actor.SYSTEM,
            "seller_deadline",
            "_silence_refunds",
        ),
        (
            "seller_timeout",
            waiting,
            D.AWAITING_RETURN,
            Actor.SYSTEM,
            "seller_deadline",
            "_silence_refunds",
        ),
        ("seller_timeout", claim, D.RESOLVED, Actor.SYSTEM, "seller_deadline", claimed),
        ("seller_timeout", claim, D.AWAITING_RETURN, Actor.SYSTEM, "seller_deadline", claimed),
        ("buyer_accept", frozenset({D.NEGOTIATING}), D.RESOLVED, Actor.BUYER, None, None),
        ("buyer_accept", frozenset({D.NEGOTIATING}), D.AWAITING_RETURN, Actor.BUYER, None, None),
        ("buyer_modify", answering, D.AWAITING_SELLER, Actor.BUYER, None, None),
        ("escalate", frozenset({D.NEGOTIATING}), D.ARBITRATION, Actor.BUYER, None, None),
        ("escalate", waiting, D.ARBITRATION, Actor.BUYER, None, "_escalation_unanswered"),
        (
            "negotiation_timeout",
            answering,
            D.ARBITRATION,
            Actor.SYSTEM,
            "negotiation_deadline",
            "_negotiation_escalates",
        ),
        (
            "negotiation_timeout",
            answering,
            D.RESOLVED,
            Actor.SYSTEM,
            "negotiation_deadline",
            "_negotiation_closes",
        ),
        ("cancel", opened, D.CANCELLED, Actor.BUYER, None, None),
        ("platform_decide", claim, D.RESOLVED, Actor.PLATFORM, None, None),
        ("platform_decide", claim, D.AWAITING_RETURN, Actor.PLATFORM, None, None),
        ("appeal", frozenset({D.RESOLVED}), D.ARBITRATION, Actor.BUYER, None, "_appeals"),
        (
            "ship_return",
            frozenset({D.AWAITING_RETURN}),
            D.RETURN_IN_TRANSIT,
            Actor.BUYER,
            None,
            None,
        ),
        (
            "return_timeout",
            frozenset({D.AWAITING_RETURN}),
            D.RESOLVED,
            Actor.SYSTEM,
            "return_ship_deadline",
            None,
        ),
        (
            "confirm_return",
            frozenset({D.RETURN_IN_TRANSIT}),
            D.RESOLVED,
            Actor.SELLER,
            None,
            None,
        ),
        (
            "refuse_return",
            frozenset({D.RETURN_IN_TRANSIT}),
            D.ARBITRATION,
            Actor.SELLER,
            None,
            None,
        ),
        (
            "return_confirm_timeout",
            frozenset({D.RETURN_IN_TRANSIT}),
            D.RESOLVED,
            Actor.SYSTEM,
            "return_confirm_deadline",
            None,
        ),
    }


@pytest.mark.parametrize("policy", [p for p in policies() if p.name == "aliexpress"])
def test_the_rules_of_aliexpress_have_the_rows_they_had(policy: Policy) -> None:
    """Under every AliExpress version the consequences leave exactly the rows the tables
    had before other marketplaces: no claim rows, no appeal, no early escalation, a
    negotiation that escalates from negotiating only (its clock starts at the
    counter-offer), and silence that refunds."""
    order = new_order(policy)
    order.ship(EPOCH + DAY)
    dispute = order.open_dispute(
        EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD)
    )
    held = {t.consequence for t in DISPUTE.table if t.consequence and t.holds(dispute)}
    assert held == {"_silence_refunds", "_negotiation_escalates"}
    assert {t.consequence for t in ORDER.table if t.consequence and t.holds(order)} == {
        "_extensions"
    }
    assert dispute.negotiation_deadline is None  # no counter-offer yet


def test_an_agreement_goes_to_resolved_or_to_the_return_by_its_remedy() -> None:
    """Each action that ends in an agreement has two rows, told apart by the remedy agreed."""
    agreeing = {"seller_accept", "seller_timeout", "buyer_accept", "platform_decide"}
    for trigger in agreeing:
        rows = [t for t in DISPUTE.table if t.trigger == trigger]
        assert {(t.dest, t.condition) for t in rows} == {
            (D.RESOLVED, "_refund_only"),
            (D.AWAITING_RETURN, "_with_return"),
        }, trigger
    assert {t.trigger for t in DISPUTE.table if t.condition} == agreeing


def test_the_two_rows_of_an_agreement_are_both_drawn() -> None:
    """The Mermaid diagram shows both outcomes of an agreement, each with its condition."""
    drawn = DISPUTE.mermaid()
    assert "awaiting_seller --> resolved: seller_accept (seller) [refund only]" in drawn
    assert "awaiting_seller --> awaiting_return: seller_accept (seller) [with return]" in drawn
    assert "return_in_transit --> arbitration: refuse_return (seller)" in drawn


def test_state_values_are_the_marketplace_words() -> None:
    """The state enums carry the values the public API documents."""
    assert {s.value for s in OrderState} >= {
        "awaiting_shipment",
        "shipped",
        "in_dispute",
        "completed",
        "closed",
    }
    assert {s.value for s in DisputeState} == {
        "awaiting_seller",
        "negotiating",
        "arbitration",
        "awaiting_return",
        "return_in_transit",
        "resolved",
        "cancelled",
    }


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_the_automatic_rows_of_one_trigger_share_a_clock(lifecycle: Lifecycle) -> None:
    """A state may have several automatic rows (one a clock), listed in table order; the
    rows of one trigger from it share one clock and are told apart by their condition or
    their consequence."""
    for state in lifecycle.states:
        clocked = [t for t in lifecycle.table if state in t.sources and t.automatic]
        assert lifecycle.automatic.get(state, ()) == tuple(clocked)
        for trigger in {t.trigger for t in clocked}:
            rows = [t for t in clocked if t.trigger == trigger]
            assert len({t.clock for t in rows}) == 1, (state, trigger)
            told = {(t.condition, t.consequence) for t in rows}
            assert len(told) == len(rows), (state, trigger)


def _opened(policy: Policy) -> Order:
    """An order under *policy*, shipped with an estimated delivery, the seller contacted,
    and a dispute opened (for 100 USD, "not received") once every preset allows it."""
    order = new_order(policy)
    order.ship(EPOCH + DAY, estimated_delivery=EPOCH + 5 * DAY)
    order.contact_seller(EPOCH + 6 * DAY)
    order.open_dispute(EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD))
    return order


@pytest.mark.parametrize("policy", policies(), ids=lambda p: f"{p.name}@{p.version}")
def test_under_any_preset_one_automatic_row_of_a_clock_holds(policy: Policy) -> None:
    """Under each preset's rules, of a state's automatic rows of one trigger and condition
    at most one holds (a clock has one consequence), before and after the escalation."""
    order = _opened(policy)
    dispute = order.dispute
    assert dispute is not None
    for step in ("opened", "escalated"):
        if step == "escalated":
            if "escalate" not in dispute.allowed():
                dispute.seller_reject(EPOCH + 13 * DAY, counter_offer=Money("10", USD))
            dispute.escalate(max(dispute.seller_deadline or EPOCH, EPOCH + 13 * DAY))
            assert dispute.state is D.ARBITRATION
        rows = [t for t in DISPUTE.automatic.get(dispute.state, ()) if t.holds(dispute)]
        told = [(t.trigger, t.condition) for t in rows]
        assert len(told) == len(set(told)), (step, told)


def test_the_automatic_step_due_first_is_taken() -> None:
    """Under rules with two clocks in one state (a negotiation counted from the opening
    and a seller's window), the one that runs out first takes its step."""
    early = attrs.evolve(
        ALIEXPRESS, negotiation_window_starts="opening", negotiation_window=3 * DAY
    )
    late = attrs.evolve(early, negotiation_window=7 * DAY)
    for policy, step, state in (
        (early, "negotiation_timeout", D.ARBITRATION),
        (late, "seller_timeout", D.RESOLVED),
    ):
        order = _opened(policy)
        dispute = order.dispute
        assert dispute is not None
        assert dispute.deadline == min(dispute.seller_deadline, dispute.negotiation_deadline)  # type: ignore[type-var]
        order.advance(EPOCH + 20 * DAY)
        assert dispute.state is state
        assert [e.action for e in dispute.history][-1] == step


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_every_state_is_reachable_from_the_initial_one(lifecycle: Lifecycle) -> None:
    """No state in the table is dead: each can be reached from the initial state."""
    seen = {lifecycle.initial}
    frontier = [lifecycle.initial]
    while frontier:
        state = frontier.pop()
        for t in lifecycle.table:
            if state in t.sources and t.dest not in seen:
                seen.add(t.dest)
                frontier.append(t.dest)
    if lifecycle is DISPUTE:
        # A platform-shipped order's dispute starts in arbitration.
        assert D.ARBITRATION in seen
    assert seen == set(lifecycle.states)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_final_states_have_no_way_out_but_an_appeal(lifecycle: Lifecycle) -> None:
    """Closed orders and resolved or cancelled disputes are the final states: the only
    row out of them is an appeal's, which only rules with an appeal window have."""
    finals = {OS.CLOSED} if lifecycle is ORDER else {D.RESOLVED, D.CANCELLED}
    assert set(lifecycle.finals) == finals
    out = [t for t in lifecycle.table if finals & set(t.sources)]
    assert [(t.trigger, t.consequence) for t in out] == [
        ("dispute_appealed" if lifecycle is ORDER else "appeal", "_appeals")
    ]
    drawn = lifecycle.mermaid()
    assert all(f"    {s.value} --> [*]\n" in drawn for s in finals)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_the_shared_machine_is_built_from_the_table(lifecycle: Lifecycle) -> None:
    """The transitions.Machine knows exactly the table's triggers, with no auto transitions."""
    machine = lifecycle.machine

    assert isinstance(machine, transitions.Machine)
    assert set(machine.events) == {t.trigger for t in lifecycle.table}
    assert not any(name.startswith("to_") for name in machine.events)
    for t in lifecycle.table:
        event = machine.events[t.trigger]
        for source in t.sources:
            rows = [r for r in lifecycle.table if r.trigger == t.trigger and source in r.sources]
            made = event.transitions[source.name]
            assert [m.dest for m in made] == [r.dest.name for r in rows]
            assert [[c.func for c in m.conditions] for m in made] == [
                [c for c in (r.condition, r.consequence) if c is not None] for r in rows
            ]


def test_one_machine_per_lifecycle_and_none_per_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating and driving many orders creates no Machine and adds no model to one."""
    created: list[object] = []
    added: list[object] = []
    init = transitions.Machine.__init__
    add_model = transitions.Machine.add_model

    def counting_init(self: transitions.Machine, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        init(self, *args, **kwargs)

    def counting_add_model(self: transitions.Machine, *args: Any, **kwargs: Any) -> None:
        added.append(args)
        add_model(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting_init)
    monkeypatch.setattr(transitions.Machine, "add_model", counting_add_model)
    for n in range(50):
        order = new_order(order_id=f"order-{n}")
        order.ship(EPOCH + DAY)
        dispute = order.open_dispute(
            EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD)
        )
        dispute.seller_reject(EPOCH + 13 * DAY, counter_offer=Money("10", USD))
        dispute.escalate(EPOCH + 14 * DAY)
        dispute.platform_decide(EPOCH + 15 * DAY, refund=Money("100", USD))

    assert created == []
    assert added == []
    assert ORDER.machine.models == []
    assert DISPUTE.machine.models == []


def test_order_and_dispute_machines_are_distinct() -> None:
    """Order and dispute have a machine each, so same-named states cannot collide."""
    assert ORDER.machine is not DISPUTE.machine
    assert ORDER.states == tuple(OrderState)
    assert DISPUTE.states == tuple(DisputeState)


def test_allowed_now_follows_the_table_and_guards() -> None:
    """allowed() lists the person actions of the current state whose guard passes."""
    order = new_order()
    assert order.allowed() == ("ship", "contact_seller")

    order.ship(EPOCH + DAY)
    assert set(order.allowed()) == {
        "confirm_receipt",
        "request_extension",
        "contact_seller",
        "open_dispute",
    }

    order.request_extension(EPOCH + 2 * DAY, 5)
    assert set(order.allowed()) == {
        "confirm_receipt",
        "request_extension",
        "grant_extension",
        "contact_seller",
        "open_dispute",
    }

    dispute = order.open_dispute(
        EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD)
    )
    assert set(order.allowed()) == {"seller_accept", "seller_reject", "buyer_modify", "cancel"}

    dispute.seller_reject(EPOCH + 13 * DAY, counter_offer=Money("20", USD))
    assert set(order.allowed()) == {
        "seller_accept",
        "buyer_accept",
        "buyer_modify",
        "escalate",
        "cancel",
    }

    dispute.escalate(EPOCH + 14 * DAY)
    assert set(order.allowed()) == {"cancel", "platform_decide"}

    dispute.platform_decide(EPOCH + 15 * DAY, refund=Money("100", USD))
    assert order.allowed() == ()


def test_allowed_now_after_completion() -> None:
    """A completed order allows only a dispute; a closed one allows nothing."""
    order = new_order()
    order.ship(EPOCH + DAY)
    order.confirm_receipt(EPOCH + 2 * DAY)

    assert order.allowed() == ("open_dispute",)

    order.advance(EPOCH + 2 * DAY + ALIEXPRESS.post_completion_window)
    assert order.state is OrderState.CLOSED
    assert order.allowed() == ()


def test_invalid_action_names_the_state_and_the_allowed_actions() -> None:
    """A refused action raises InvalidAction naming the action, the state and what is allowed."""
    order = new_order()

    with pytest.raises(InvalidAction) as info:
        order.confirm_receipt(EPOCH + DAY)

    error = info.value
    assert error.action == "confirm_receipt"
    assert error.state == "awaiting_shipment"
    assert error.allowed == ("ship", "contact_seller")
    assert "confirm_receipt" in str(error)
    assert "awaiting_shipment" in str(error)
    assert "ship" in str(error)


def test_invalid_action_on_a_final_dispute_says_nothing_is_allowed() -> None:
    """Acting on a resolved dispute names its state and says nothing is allowed."""
    order = new_order()
    order.ship(EPOCH + DAY)
    dispute = order.open_dispute(
        EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD)
    )
    dispute.seller_accept(EPOCH + 13 * DAY)

    with pytest.raises(InvalidAction) as info:
        dispute.escalate(EPOCH + 14 * DAY)

    assert info.value.state == "resolved"
    assert info.value.allowed == ()
    assert "resolved" in str(info.value)
    assert "nothing" in str(info.value)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_no_machine_error_escapes_for_any_state_and_trigger(lifecycle: Lifecycle) -> None:
    """Every trigger fired from every state either moves the model (along the row whose
    condition and consequence hold) or raises InvalidAction: with no row from the state,
    or with rows whose consequences the model's rules do not have."""
    told = {n for t in lifecycle.table for n in (t.condition, t.consequence) if n is not None}

    class Model:
        state: Any
        holds: frozenset[str] = frozenset()

        def allowed(self) -> tuple[str, ...]:
            return ()

        def __getattr__(self, name: str) -> Any:
            if name in told:
                return lambda: name in self.holds
            return lambda: None  # every guard passes

    for state in lifecycle.states:
        for trigger in sorted(lifecycle.triggers):
            rows = [t for t in lifecycle.table if t.trigger == trigger and state in t.sources]
            for row in rows:
                model = Model()
                model.state = state
                model.holds = frozenset({row.condition, row.consequence} - {None})  # type: ignore[arg-type]
                lifecycle.fire(model, trigger)
                assert model.state == row.dest
            if not rows or all(t.consequence for t in rows):
                model = Model()
                model.state = state
                model.holds = frozenset({"_refund_only", "_with_return"})
                with pytest.raises(InvalidAction) as info:
                    lifecycle.fire(model, trigger)
                assert info.value.state == state.value
                assert model.state == state


def test_a_refused_dispute_action_is_invalid_action_not_machine_error() -> None:
    """Escalating a dispute that awaits the seller raises InvalidAction, never MachineError."""
    order = new_order()
    order.ship(EPOCH + DAY)
    dispute = order.open_dispute(
        EPOCH + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=Money("100", USD)
    )

    with pytest.raises(InvalidAction) as info:
        dispute.escalate(EPOCH + 13 * DAY)

    assert not isinstance(info.value, transitions.MachineError)
    assert info.value.state == "awaiting_seller"
    assert set(info.value.allowed) == {"seller_accept", "seller_reject", "buyer_modify", "cancel"}


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.name)
def test_mermaid_diagram_has_every_transition(lifecycle: Lifecycle) -> None:
    """The generated diagram draws one arrow per source of every row of the table."""
    diagram = lifecycle.mermaid()

    assert diagram.startswith("stateDiagram-v2\n")
    for t in lifecycle.table:
        for source in t.sources:
            assert f"{source.value} --> {t.dest.value}: {t.trigger}" in diagram
