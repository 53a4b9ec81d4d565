"""Properties of each side's advice over random orders, returns included (Hypothesis)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo

from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import (
    Actor,
    DisputeState,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Step,
    advise,
)
from buyer_protection.advice import SIDES
from strategies import (
    ALLOWED,
    WITH_RETURNS,
    instants,
    money,
    new_order,
    policies,
    remedies,
    run,
    scenarios,
    zones,
)
from strategies import Step as Move

US = timedelta(microseconds=1)

INFORMATIONAL = frozenset(
    {"wait", "nothing", "check_tracking", "contact_seller", "wait_for_seller", "wait_for_platform"}
)
"""Steps that name no action of the lifecycle: waiting, nothing, the buyer's own checks."""

TRIGGERS = {"accept_counter_offer": "buyer_accept"}
"""The lifecycle's name of an advised action, where the advice words it otherwise."""


def _trigger(step: Step) -> str:
    return TRIGGERS.get(step.action, step.action)


_opening = st.builds(
    Move,
    action=st.just("open_dispute"),
    wait=st.just(timedelta(hours=1)),
    percent=st.integers(1, 100),
    reason=st.sampled_from([r for r in Reason if r.item_received]),
    remedy=remedies(),
)
_walks = st.builds(
    lambda ship, opening, tail: [*ship, *opening, *tail],
    st.sampled_from([[], *[[Move("ship", timedelta(0))]] * 3]),
    st.lists(_opening, max_size=1),
    scenarios((*WITH_RETURNS, *[ALLOWED] * 4 * len(WITH_RETURNS)), 30, remedies()),
)
"""Random scenarios, most of them walking through allowed actions, many of them starting
with a shipment and a dispute about a received item (so that returns happen)."""
_stories = st.tuples(policies(), money(positive=True), instants(), _walks, zones())


def _looks(
    story: tuple[Policy, Money, datetime, list[Move], tzinfo],
) -> Iterator[tuple[Order, datetime]]:
    """Play *story*; after each move, the order and each instant to ask for advice at: the
    move's instant, and a microsecond before and at the order's next deadline."""
    policy, total, paid, scenario, zone = story
    order = new_order(policy, total, paid)
    yield order, paid
    for _, now, _ in run(order, scenario, zone):
        start = max(now, order.last_event_at)
        yield order, start
        deadline = order.next_deadline
        if deadline is not None:
            for at in (deadline.at - US, deadline.at):
                if at >= start:
                    yield order, at


@given(_stories)
def test_each_side_is_advised_only_what_the_lifecycle_allows_now(
    story: tuple[Policy, Money, datetime, list[Move], tzinfo],
) -> None:
    """Every step of every side names an action allowed() permits at that instant, or is
    a wait, nothing, or one of the buyer's informational steps."""
    for order, at in _looks(story):
        allowed = order.as_of(at).allowed()
        for side in SIDES:
            for step in advise(order, at, side=side):
                assert step.action in INFORMATIONAL or _trigger(step) in allowed, (side, step)


@given(_stories)
def test_each_sides_steps_are_theirs_in_open_windows_most_urgent_first(
    story: tuple[Policy, Money, datetime, list[Move], tzinfo],
) -> None:
    """Every side gets at least one step, all its own; no latest is in the past; a step
    possible now starts at the instant asked; if_not goes with a latest (always, for the
    seller and the platform); and the most urgent step comes first."""
    for order, at in _looks(story):
        for side in SIDES:
            steps = advise(order, at, side=side)
            assert steps
            for step in steps:
                assert step.side is side
                assert step.latest is None or step.latest > at, step
                assert step.earliest is None or step.earliest >= at, step
                if step.action != "open_dispute" and step.action != "nothing":
                    assert step.earliest == at, step
                assert step.if_not == "" or step.latest is not None, step
                if side is not Actor.BUYER and step.latest is not None:
                    assert step.if_not, step  # a seller's or platform's deadline has a why
            dated = [step.latest for step in steps if step.latest is not None]
            assert dated == sorted(dated)
            assert all(step.latest is not None for step in steps[: len(dated)])


def _perform(view: Order, step: Step, at: datetime) -> None:
    """Carry out the seller's or the platform's advised *step* (or the buyer's ship_return)."""
    zero = Money.zero(view.total.currency)
    dispute = view.dispute
    calls: dict[str, Callable[[], object]] = {
        "ship": lambda: view.ship(at),
        "grant_extension": lambda: view.grant_extension(at, 1),
    }
    if dispute is not None:
        calls |= {
            "seller_accept": lambda: dispute.seller_accept(at),
            "seller_reject": lambda: dispute.seller_reject(at, counter_offer=zero),
            "confirm_return": lambda: dispute.confirm_return(at),
            "refuse_return": lambda: dispute.refuse_return(at, note="it came back empty"),
            "platform_decide": lambda: dispute.platform_decide(at, refund=zero),
            "ship_return": lambda: dispute.ship_return(at, tracking_number="LP1"),
        }
    calls[step.action]()


ACTED = frozenset(
    {
        "ship",
        "grant_extension",
        "seller_accept",
        "seller_reject",
        "confirm_return",
        "refuse_return",
        "platform_decide",
        "ship_return",
    }
)


@given(_stories)
def test_an_advised_action_succeeds_when_taken_at_once(
    story: tuple[Policy, Money, datetime, list[Move], tzinfo],
) -> None:
    """The seller's and the platform's advised actions, and the buyer's ship_return, succeed
    when taken at the instant asked, on the order as of then."""
    for order, at in _looks(story):
        for side in SIDES:
            for step in advise(order, at, side=side):
                if step.action in ACTED:
                    _perform(order.as_of(at), step, at)


@given(_stories)
def test_the_platform_decides_every_dispute_in_arbitration(
    story: tuple[Policy, Money, datetime, list[Move], tzinfo],
) -> None:
    """In arbitration (platform-shipped orders too) the platform's one step is to decide,
    with no deadline; outside it the platform never is advised to decide."""
    for order, at in _looks(story):
        view = order.as_of(at)
        arbitration = view.dispute is not None and view.dispute.state is DisputeState.ARBITRATION
        steps = advise(order, at, side=Actor.PLATFORM)
        if arbitration and view.state is OrderState.IN_DISPUTE:
            assert [(s.action, s.latest, s.if_not) for s in steps] == [
                ("platform_decide", None, "")
            ]
        else:
            assert "platform_decide" not in [s.action for s in steps]
