"""Property tests: rules that hold for every policy, amount, instant and sequence of actions."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import (
    Actor,
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
from strategies import (
    Step,
    all_entries,
    amounts,
    assert_refunded_once,
    assert_return_rules,
    call_for,
    currencies,
    dispute_snapshot,
    instants,
    money,
    policies,
    run,
    scenarios,
    snapshot,
    zones,
)

US = timedelta(microseconds=1)
FINAL = (DisputeState.RESOLVED, DisputeState.CANCELLED)


def _order(policy: Policy, total: Money, paid_at: datetime) -> Order:
    return Order("prop-1", total, paid_at, policy)


orders = st.builds(_order, policies(), money(positive=True), instants())


@given(orders, scenarios())
def test_refunded_never_exceeds_the_total(order: Order, scenario: list[Step]) -> None:
    """After every step, what was refunded is at most what was paid, and the rest is refundable."""
    for _step, _at, _error in run(order, scenario):
        assert order.refunded <= order.total
        assert order.refunded + order.refundable == order.total


@given(orders, scenarios())
def test_a_refund_is_paid_once_and_is_what_the_outcomes_say(
    order: Order, scenario: list[Step]
) -> None:
    """After every step, refunded is the sum of the outcomes, and each dispute is resolved once."""
    for _ in run(order, scenario):
        assert_refunded_once(order)


@given(orders, scenarios())
def test_a_return_is_refunded_only_once_it_came_back_or_its_clock_ran_out(
    order: Order, scenario: list[Step]
) -> None:
    """After every step, agreements and returns keep their rules (see `assert_return_rules`)."""
    for _ in run(order, scenario):
        assert_return_rules(order)


@given(orders, scenarios())
def test_a_resolved_or_cancelled_dispute_never_changes_again(
    order: Order, scenario: list[Step]
) -> None:
    """Once a dispute is resolved or cancelled, nothing that happens later changes it."""
    finished: dict[int, tuple[object, ...]] = {}
    for _ in run(order, scenario):
        for dispute in order.disputes:
            if dispute.state in FINAL:
                seen = finished.setdefault(id(dispute), dispute_snapshot(dispute))
                assert dispute_snapshot(dispute) == seen


@given(orders, scenarios())
def test_history_times_never_go_backwards(order: Order, scenario: list[Step]) -> None:
    """Every history, and all entries together in recording order, are sorted by time."""
    for _ in run(order, scenario):
        pass
    entries = all_entries(order)
    times = [e.at for e in entries]
    assert times == sorted(times)
    assert len({e.id for e in entries}) == len(entries)
    assert list(order.history) == sorted(order.history, key=lambda e: e.at)
    for dispute in order.disputes:
        assert [e.at for e in dispute.history] == sorted(e.at for e in dispute.history)
    assert order.last_event_at == max(times)


@given(orders, scenarios(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=200)))
def test_advance_is_idempotent(order: Order, scenario: list[Step], wait: timedelta) -> None:
    """advance(at) twice leaves the order exactly as advance(at) once."""
    for _ in run(order, scenario):
        pass
    at = order.last_event_at + wait
    order.advance(at)
    once = snapshot(order)

    order.advance(at)

    assert snapshot(order) == once
    due = order.next_deadline
    assert due is None or due.at > at


@given(orders, scenarios())
def test_acting_is_the_same_as_advancing_then_acting(order: Order, scenario: list[Step]) -> None:
    """An action applies the steps due by its instant first; advancing before it is the same."""
    twin = Order(order.order_id, order.total, order.paid_at, order.policy)
    for step, at, error in run(order, scenario):
        twin.advance(at)
        call = call_for(twin, step, at)
        twin_error: Exception | None = None
        if call is not None:
            try:
                call()
            except (InvalidAction, InvalidInput) as refusal:
                twin_error = refusal
        assert type(twin_error) is type(error)
        # A refusal may come before or after the automatic steps (both are allowed),
        # and a step with no dispute to act on does nothing: line the two up.
        order.advance(at)
        assert snapshot(twin) == snapshot(order)


@st.composite
def silent_seller_cases(draw: st.DrawFn) -> tuple[Order, list[tuple[timedelta, Money]], timedelta]:
    """An order with a received-item dispute, the buyer's later changes, and a wait after them."""
    policy = draw(policies())
    code = draw(currencies())
    total_units = draw(st.integers(1, 10**7))
    total = Money(draw(amounts(code, total_units, total_units)), code)
    order = Order("silent", total, draw(instants()), policy)
    window = policy.seller_response_window
    changes = draw(
        st.lists(
            st.tuples(
                st.integers(0, 10**6).map(lambda n: (window - US) * n // 10**6),
                amounts(code, 1, total_units).map(lambda a: Money(a, code)),
            ),
            max_size=4,
        )
    )
    request = Money(draw(amounts(code, 1, total_units)), code)
    order.ship(order.paid_at + policy.processing_time // 2)
    order.open_dispute(
        order.last_event_at, reason=Reason.QUALITY, refund=request, evidence=("photo.jpg",)
    )
    extra = draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
    return order, changes, extra


@given(silent_seller_cases())
def test_seller_silence_refunds_the_last_request_exactly_one_window_after_it(
    case: tuple[Order, list[tuple[timedelta, Money]], timedelta],
) -> None:
    """A silent seller: the last request is refunded exactly seller_response_window after it."""
    order, changes, extra = case
    dispute = order.dispute
    assert dispute is not None
    requested_at = order.last_event_at
    for delay, refund in changes:
        requested_at += delay
        dispute.buyer_modify(requested_at, refund=refund)
    deadline = requested_at + order.policy.seller_response_window

    order.advance(deadline - US)
    assert dispute.state is DisputeState.AWAITING_SELLER
    assert dispute.deadline == deadline

    order.advance(deadline + extra)
    assert dispute.outcome == Outcome(dispute.request, Resolution.SELLER_REPONSE_TIMEOUT, deadline)
    assert order.refunded == dispute.request
    assert order.state is OrderState.CLOSED
    step = dispute.history[-1]
    assert (step.at, step.actor, step.action) == (deadline, Actor.SYSTEM, "seller_timeout")


@given(orders, scenarios(), zones())
def test_results_are_the_same_whatever_zone_the_inputs_are_written_in(
    order: Order,
    scenario: list[Step],
    zone: tzinfo,
) -> None:
    """The same instants written in another zone give the same states, deadlines and history."""
    written = Order(order.order_id, order.total, order.paid_at.astimezone(zone), order.policy)
    results = [(at, type(error)) for _step, at, error in run(order, scenario)]
    written_results = [(at, type(error)) for _step, at, error in run(written, scenario, zone)]

    assert written_results == results
    assert snapshot(written) == snapshot(order)
    for ours, theirs in zip(all_entries(order), all_entries(written), strict=True):
        assert ours.at.utcoffset() == theirs.at.utcoffset()


@given(orders, scenarios())
def test_refusals_are_library_errors_with_the_facts(order: Order, scenario: list[Step]) -> None:
    """A refusal is InvalidInput, or InvalidAction naming its state and the actions allowed."""
    for _step, _at, error in run(order, scenario):
        if isinstance(error, InvalidAction):
            assert error.state in str(error)
            for action in error.allowed:
                assert action in str(error)
        else:
            assert error is None or isinstance(error, InvalidInput)
