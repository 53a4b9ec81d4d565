"""Tests for `advise`: each side's next steps, most urgent first (the buyer's: the seed's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Reason,
    Remedy,
    Step,
    TrackingEvent,
    advice,
    advise,
)
from buyer_protection._advice_step import saying
from buyer_protection.advice import ITEM_PROOF, TRACKING_PROOF

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
PACIFIC = ZoneInfo("America/Los_Angeles")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Written in Pacific time as AliExpress shows it; arithmetic on elapsed time needs UTC
# (Python adds a timedelta to a zoned datetime by wall clock, across the DST change).
PAID = datetime(2026, 3, 2, 9, 30, tzinfo=PACIFIC).astimezone(UTC)
SHIPPED = datetime(2026, 3, 3, 14, 0, tzinfo=PACIFIC).astimezone(UTC)
TOTAL = Money("25.90", "USD")


def _actions(order: Order, at: datetime) -> list[str]:
    return [step.action for step in advise(order, at)]


def _step(order: Order, at: datetime, action: str) -> Step:
    (found,) = [step for step in advise(order, at) if step.action == action]
    return found


def _state(order: Order) -> tuple[object, ...]:
    return (
        order.state,
        order.history,
        order.log,
        order.refunded,
        order.last_event_at,
        order.tracking,
        tuple((d.state, d.history, d.outcome) for d in order.disputes),
    )


def _seed_order(*, by_platform: bool = False) -> Order:
    """The seed's order: paid, shipped the next day, one label scan, then nothing."""
    order = Order("8123456789", TOTAL, PAID)
    order.ship(SHIPPED, by_platform=by_platform)
    order.add_tracking(
        TrackingEvent(
            datetime(2026, 3, 4, 7, 12, tzinfo=SHANGHAI),
            "info_received",
            "Electronic information received",
            "Shenzhen, CN",
        )
    )
    order.add_tracking(
        TrackingEvent(
            datetime(2026, 3, 5, 22, 40, tzinfo=SHANGHAI), "in_transit", "Departed", "Shenzhen, CN"
        )
    )
    return order


LAST_SCAN = datetime(2026, 3, 5, 22, 40, tzinfo=SHANGHAI).astimezone(UTC)
TRACKING_DIES = LAST_SCAN + ALIEXPRESS.stalled_after


# -- the seed's story -------------------------------------------------------------


def test_before_shipment_wait_for_the_seller_until_the_shipping_deadline() -> None:
    """Not shipped yet: wait for the seller (refund by itself at the deadline), or contact it."""
    order = Order("8123456789", TOTAL, PAID)
    at = PAID + DAY
    steps = advise(order, at)
    assert [s.action for s in steps] == ["wait_for_seller", "contact_seller"]
    deadline = PAID + ALIEXPRESS.processing_time
    assert all((s.earliest, s.latest) == (at, deadline) for s in steps)
    assert deadline.astimezone(UTC).isoformat() in steps[0].why
    assert "25.90 USD" in steps[0].why


def test_shipped_with_live_tracking_check_contact_and_wait_to_open() -> None:
    """Moving tracking: check it, contact the seller, and open only once the rules allow."""
    order = _seed_order()
    at = LAST_SCAN + DAY
    steps = advise(order, at)
    assert [s.action for s in steps] == ["check_tracking", "contact_seller", "open_dispute"]
    check, contact, dispute = steps
    assert "moving normally" in check.why
    assert contact.evidence == TRACKING_PROOF
    assert dispute.earliest == order.earliest_dispute == TRACKING_DIES
    assert dispute.earliest > at
    assert dispute.latest == order.protection_ends
    assert TRACKING_DIES.astimezone(UTC).isoformat() in dispute.why


def test_when_the_tracking_dies_open_a_not_received_dispute_now() -> None:
    """Stalled tracking: open now, item not received, full refund, tracking screenshot attached."""
    order = _seed_order()
    at = TRACKING_DIES + DAY
    steps = advise(order, at)
    assert [s.action for s in steps] == ["check_tracking", "contact_seller", "open_dispute"]
    assert "not moved" in steps[0].why
    dispute = steps[2]
    assert (dispute.earliest, dispute.latest) == (at, order.protection_ends)
    assert dispute.evidence == TRACKING_PROOF
    assert "now" in dispute.why
    assert "not received" in dispute.why
    assert "full refund of 25.90 USD" in dispute.why
    assert "5 days" in dispute.why


def test_no_tracking_information_at_all_opens_after_ten_days() -> None:
    """A parcel never scanned: the open_dispute step starts at shipment + 10 days."""
    order = Order("8123456789", TOTAL, PAID)
    order.ship(SHIPPED)
    step = _step(order, SHIPPED + DAY, "open_dispute")
    assert step.earliest == SHIPPED + ALIEXPRESS.earliest_not_received
    assert "no information" in advise(order, SHIPPED + DAY)[0].why


def test_dispute_open_wait_for_the_seller_until_its_deadline() -> None:
    """After opening: wait for the seller until its deadline; silence refunds the request."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    dispute = order.open_dispute(
        opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL, evidence=TRACKING_PROOF
    )
    deadline = opened + ALIEXPRESS.seller_response_window
    assert dispute.seller_deadline == deadline
    for at in (opened, deadline - US):
        (step,) = advise(order, at)
        assert step.action == "wait_for_seller"
        assert (step.earliest, step.latest) == (at, deadline)
        assert "25.90 USD" in step.why
        assert deadline.astimezone(UTC).isoformat() in step.why


def test_a_silent_seller_means_a_refund_and_nothing_more_to_do() -> None:
    """At the seller's deadline the refund follows; advice is nothing, saying why."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    deadline = opened + ALIEXPRESS.seller_response_window
    (step,) = advise(order, deadline)
    assert step.action == "nothing"
    assert "25.90 USD" in step.why
    assert "seller_reponse_timeout" in step.why
    assert (step.earliest, step.latest) == (None, None)


def test_a_seller_refusing_with_nothing_leads_to_escalate_first() -> None:
    """A counter-offer of zero: escalate first, or accept it, before negotiation ends."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    dispute = order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    refused = opened + DAY
    dispute.seller_reject(refused, counter_offer=Money("0", "USD"))
    at = refused + timedelta(hours=1)
    steps = advise(order, at)
    assert [s.action for s in steps] == ["escalate", "accept_counter_offer"]
    ends = refused + ALIEXPRESS.negotiation_window
    assert all((s.earliest, s.latest) == (at, ends) for s in steps)
    assert steps[0].evidence == TRACKING_PROOF
    assert "0.00 USD" in steps[0].why


def test_a_partial_counter_offer_can_be_accepted_or_escalated() -> None:
    """A counter-offer above zero: both accepting it and escalating are advised."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    dispute = order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    dispute.seller_reject(opened + DAY, counter_offer=Money("10.00", "USD"))
    steps = advise(order, opened + 2 * DAY)
    assert sorted(s.action for s in steps) == ["accept_counter_offer", "escalate"]
    assert all("10.00 USD" in s.why for s in steps)


def test_arbitration_means_waiting_for_the_platform() -> None:
    """Escalated: wait for the platform, whose decision is final."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    dispute = order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    dispute.seller_reject(opened + DAY, counter_offer=Money("0", "USD"))
    dispute.escalate(opened + 2 * DAY)
    (step,) = advise(order, opened + 3 * DAY)
    assert step.action == "wait_for_platform"
    assert "final" in step.why
    dispute.platform_decide(opened + 9 * DAY, refund=TOTAL)
    (step,) = advise(order, opened + 9 * DAY)
    assert step.action == "nothing"
    assert "platform_arbitrate" in step.why


def test_negotiation_running_out_goes_to_the_platform_by_itself() -> None:
    """At the negotiation deadline the dispute is with the platform: wait for it."""
    order = _seed_order()
    opened = TRACKING_DIES + DAY
    dispute = order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    dispute.seller_reject(opened + DAY, counter_offer=Money("0", "USD"))
    ends = opened + DAY + ALIEXPRESS.negotiation_window
    assert _actions(order, ends - US) == ["escalate", "accept_counter_offer"]
    assert _actions(order, ends) == ["wait_for_platform"]


def test_a_platform_shipped_order_says_the_platform_handles_it() -> None:
    """Platform-shipped: the open step says the platform handles it and may ask to wait."""
    order = _seed_order(by_platform=True)
    step = _step(order, TRACKING_DIES + DAY, "open_dispute")
    assert "platform" in step.why
    assert "wait until protection ends" in step.why
    assert "seller then has" not in step.why


def test_a_platform_shipped_dispute_may_wait_until_protection_ends() -> None:
    """Its dispute goes to the platform at once: wait, possibly until protection ends."""
    order = _seed_order(by_platform=True)
    opened = TRACKING_DIES + DAY
    order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    (step,) = advise(order, opened + DAY)
    assert step.action == "wait_for_platform"
    assert (step.earliest, step.latest) == (opened + DAY, order.protection_ends)
    assert order.protection_ends is not None
    assert order.protection_ends.astimezone(UTC).isoformat() in step.why


def test_a_platform_dispute_past_protection_end_has_no_window_in_the_past() -> None:
    """Once protection ended, waiting for the platform has no latest before its earliest."""
    order = _seed_order(by_platform=True)
    opened = TRACKING_DIES + DAY
    order.open_dispute(opened, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    ends = order.protection_ends
    assert ends is not None
    (step,) = advise(order, ends + 5 * DAY)
    assert step.action == "wait_for_platform"
    assert step.latest is None or step.latest > ends + 5 * DAY


def test_a_delivered_parcel_suggests_confirming_receipt() -> None:
    """Tracking says delivered: confirm receipt, or open a dispute with evidence of the item."""
    order = _seed_order()
    delivered = LAST_SCAN + 2 * DAY
    order.add_tracking(TrackingEvent(delivered, "delivered"))
    steps = advise(order, delivered + DAY)
    assert [s.action for s in steps] == ["confirm_receipt", "open_dispute"]
    assert set(ITEM_PROOF) <= set(steps[1].evidence)


def test_a_delivered_parcel_advice_to_open_as_not_arrived_holds_at_its_earliest() -> None:
    """Advice inviting a dispute because the item did not arrive is one 'not received' allows."""
    order = _seed_order()
    delivered = LAST_SCAN + DAY
    order.add_tracking(TrackingEvent(delivered, "delivered"))
    at = delivered + DAY
    assert at < order.earliest_dispute  # type: ignore[operator]
    step = _step(order, at, "open_dispute")
    if "did not arrive" in step.why or "not received" in step.why:
        when = max(at, step.earliest or at)
        view = order.as_of(when)
        view.open_dispute(when, reason=Reason.NOT_RECEIVED, refund=TOTAL, evidence=step.evidence)


def test_after_confirmation_a_dispute_is_possible_until_the_window_closes() -> None:
    """After confirming receipt: a 'not as described' dispute until the post-completion end."""
    order = _seed_order()
    confirmed = LAST_SCAN + 3 * DAY
    order.confirm_receipt(confirmed)
    (step,) = advise(order, confirmed + DAY)
    assert step.action == "open_dispute"
    assert step.latest == confirmed + ALIEXPRESS.post_completion_window
    assert step.evidence == ITEM_PROOF


def test_protection_ended_without_dispute_still_allows_not_received_after_completion() -> None:
    """Protection ran out, parcel never came: 'not received' can still be opened for a while."""
    order = _seed_order()
    ends = order.protection_ends
    assert ends is not None
    (step,) = advise(order, ends + DAY)
    assert step.action == "open_dispute"
    assert step.latest == ends + ALIEXPRESS.post_completion_window
    assert step.evidence == TRACKING_PROOF


@pytest.mark.parametrize(
    ("story", "words"),
    [
        ("unshipped", "did not ship in time"),
        ("refunded", "no further dispute"),
        ("window_closed", "nothing more can be done"),
    ],
)
def test_when_nothing_can_be_done_advice_says_so_and_why(story: str, words: str) -> None:
    """Cancelled unshipped, refunded after a dispute, or past every window: nothing, with why."""
    if story == "unshipped":
        order = Order("8123456789", TOTAL, PAID)
        at = PAID + 30 * DAY
    elif story == "refunded":
        order = _seed_order()
        dispute = order.open_dispute(
            TRACKING_DIES, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL
        )
        dispute.seller_accept(TRACKING_DIES + DAY)
        at = TRACKING_DIES + 2 * DAY
    else:
        order = _seed_order()
        order.confirm_receipt(TRACKING_DIES)
        at = TRACKING_DIES + ALIEXPRESS.post_completion_window
    (step,) = advise(order, at)
    assert step.action == "nothing"
    assert words in step.why
    assert step.evidence == ()


def test_a_completed_order_whose_dispute_was_resolved_is_closed() -> None:
    """A dispute after completion that ends in a refund closes the order: nothing to do."""
    order = _seed_order()
    order.confirm_receipt(TRACKING_DIES)
    dispute = order.open_dispute(
        TRACKING_DIES + DAY, reason=Reason.DAMAGED, refund=TOTAL, evidence=["photo.jpg"]
    )
    dispute.seller_accept(TRACKING_DIES + 2 * DAY)
    assert order.state is OrderState.CLOSED
    assert _actions(order, TRACKING_DIES + 3 * DAY) == ["nothing"]


def test_no_reopening_after_cancel_when_the_policy_forbids_it() -> None:
    """With reopen_after_cancel off, a cancelled dispute means no open_dispute advice."""
    order = Order("8123456789", TOTAL, PAID, attrs.evolve(ALIEXPRESS, reopen_after_cancel=False))
    order.ship(SHIPPED)
    opened = SHIPPED + 11 * DAY
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.cancel(opened + DAY)
    assert "open_dispute" not in _actions(order, opened + 2 * DAY)


# -- what advice is made of -------------------------------------------------------


def test_advise_never_changes_the_order() -> None:
    """advise at any instant, even past every deadline, leaves the order as it was."""
    order = _seed_order()
    dispute = order.open_dispute(TRACKING_DIES, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(TRACKING_DIES + DAY, counter_offer=Money("3.00", "USD"))
    before = _state(order)
    for at in (TRACKING_DIES + DAY, TRACKING_DIES + 6 * DAY, TRACKING_DIES + 400 * DAY):
        advise(order, at)
    assert _state(order) == before


def test_advise_is_the_same_whatever_zone_at_is_written_in() -> None:
    """The instant asked may be written in any zone: the advice is the same."""
    order = _seed_order()
    at = TRACKING_DIES + DAY
    assert (
        advise(order, at)
        == advise(order, at.astimezone(UTC))
        == advise(order, at.astimezone(SHANGHAI))
    )


def test_steps_are_frozen_values_with_aware_instants() -> None:
    """A Step is immutable, and its earliest and latest are aware or None."""
    order = _seed_order()
    steps = advise(order, LAST_SCAN + DAY)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        steps[0].action = "nothing"  # type: ignore[misc]
    for step in steps:
        for when in (step.earliest, step.latest):
            assert when is None or when.utcoffset() is not None
        assert isinstance(step.evidence, tuple)
        assert step.why.strip()


def test_advise_refuses_an_instant_before_the_last_recorded_change() -> None:
    """Advice about an instant before the order's last change is InvalidInput."""
    order = _seed_order()
    with pytest.raises(InvalidInput):
        advise(order, SHIPPED - DAY)


@pytest.mark.parametrize("order", [None, "8123", 5])
def test_advise_refuses_what_is_not_an_order(order: object) -> None:
    """advise of anything but an Order is InvalidInput naming it."""
    with pytest.raises(InvalidInput, match="order: expected an Order"):
        advise(order, datetime(2026, 3, 2, tzinfo=UTC))  # type: ignore[arg-type]


# -- the sides ---------------------------------------------------------------------


def _sided(order: Order, at: datetime, side: str) -> list[str]:
    return [step.action for step in advise(order, at, side=side)]


def _disputed() -> Order:
    """The seed's order, disputed ("no tracking information", full refund) once it stalled."""
    order = _seed_order()
    order.open_dispute(TRACKING_DIES, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    return order


def _negotiating() -> Order:
    """The disputed seed order, which the seller refused a day later offering 10.00 USD."""
    order = _disputed()
    assert order.dispute is not None
    order.dispute.seller_reject(TRACKING_DIES + DAY, counter_offer=Money("10.00", "USD"))
    return order


NEGOTIATION_ENDS = TRACKING_DIES + DAY + ALIEXPRESS.negotiation_window


@pytest.mark.parametrize("side", [Actor.BUYER, Actor.SELLER, Actor.PLATFORM])
def test_every_step_carries_the_side_asked_for(side: Actor) -> None:
    """Each step advise returns, whatever the order's stage, has the side asked for."""
    stories = [Order("8123456789", TOTAL, PAID), _seed_order(), _disputed(), _negotiating()]
    for order in stories:
        for at in (order.last_event_at + DAY, order.last_event_at + 400 * DAY):
            for value in (side, side.value):
                steps = advise(order, at, side=value)
                assert steps
                assert {step.side for step in steps} == {side}


def test_the_buyer_is_the_side_by_default() -> None:
    """advise without side gives the buyer's steps, the same as side='buyer'."""
    order = _negotiating()
    at = TRACKING_DIES + 2 * DAY
    assert (
        advise(order, at) == advise(order, at, side="buyer") == advise(order, at, side=Actor.BUYER)
    )


@pytest.mark.parametrize("side", ["system", Actor.CARRIER, "Seller", "", None, 3, ["seller"]])
def test_advise_refuses_a_side_that_is_not_buyer_seller_or_platform(side: object) -> None:
    """Any other side is InvalidInput naming side and the three accepted, the order unchanged."""
    order = _disputed()
    before = _state(order)
    with pytest.raises(
        InvalidInput, match=r"^side: .* is not one of 'buyer', 'seller', 'platform'"
    ):
        advise(order, TRACKING_DIES + DAY, side=side)  # type: ignore[arg-type]
    assert _state(order) == before


# -- if_not: what happens when nobody acts ------------------------------------------


def test_the_buyers_steps_say_what_happens_if_nobody_acts() -> None:
    """Each buyer step with a deadline names what the clock does then; none without one."""
    unshipped = Order("8123456789", TOTAL, PAID)
    for step in advise(unshipped, PAID + DAY):
        assert step.if_not == "the order is cancelled and the buyer is refunded 25.90 USD"
    (wait,) = advise(_disputed(), TRACKING_DIES + DAY)
    assert wait.if_not == "the buyer is refunded 25.90 USD"
    for step in advise(_negotiating(), TRACKING_DIES + 2 * DAY):
        assert step.if_not == "the dispute goes to the platform"
    for step in advise(_seed_order(), TRACKING_DIES + DAY):
        assert step.if_not == "protection ends: the order completes and the seller is paid"
    (nothing,) = advise(unshipped, PAID + 30 * DAY)
    assert nothing.if_not == ""


def _moving_past_protection() -> Order:
    """Protected 15 days, promised in 30, its tracking moving until day 20: a "not
    received" dispute can be opened only after protection ends."""
    order = Order("8123456789", TOTAL, PAID)
    order.ship(SHIPPED, protection_days=15, promised_days=30)
    order.add_tracking(TrackingEvent(SHIPPED + DAY, "in_transit"))
    order.add_tracking(TrackingEvent(SHIPPED + 10 * DAY, "in_transit"))
    return order


def test_a_dispute_opened_after_protection_ends_says_the_order_closes_if_not() -> None:
    """An open_dispute step that runs past protection's end warns that the order then closes."""
    order = _moving_past_protection()
    step = _step(order, SHIPPED + 11 * DAY, "open_dispute")
    ends = order.protection_ends
    assert ends is not None
    assert step.latest == ends + ALIEXPRESS.post_completion_window
    assert step.if_not == "the order closes: no dispute can be opened any more"


def test_waiting_for_the_platform_has_no_if_not() -> None:
    """Nothing happens by itself while the platform decides: the buyer's if_not is empty."""
    order = _seed_order(by_platform=True)
    order.open_dispute(TRACKING_DIES, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    (wait,) = advise(order, TRACKING_DIES + DAY)
    assert wait.latest == order.protection_ends
    assert wait.if_not == ""


# -- urgency -----------------------------------------------------------------------


def test_steps_come_most_urgent_first_and_ties_keep_their_order() -> None:
    """Earliest latest first; without latest last; equal ones in the order listed."""
    order = _seed_order()
    at = LAST_SCAN + DAY
    steps = advise(order, at)
    keys = [(s.latest is None, s.latest) for s in steps if s.latest is not None]
    assert keys == sorted(keys)
    assert [s.action for s in steps] == ["check_tracking", "contact_seller", "open_dispute"]
    assert _sided(_disputed(), TRACKING_DIES + DAY, "seller") == ["seller_accept", "seller_reject"]


def test_advise_sorts_whatever_a_side_lists_by_urgency(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps listed out of order come back by latest, ties as listed, no latest last."""
    at = PAID + DAY
    listed = [
        Step("wait", "no latest", at, side=Actor.SELLER),
        Step("seller_accept", "late, first", at, at + 2 * DAY, side=Actor.SELLER),
        Step("seller_reject", "early", at, at + DAY, side=Actor.SELLER),
        Step("wait", "late, second", at, at + 2 * DAY, side=Actor.SELLER),
    ]
    monkeypatch.setitem(advice._SIDES, Actor.SELLER, lambda view, when: iter(listed))
    steps = advise(Order("8123456789", TOTAL, PAID), at, side="seller")
    assert [s.why for s in steps] == ["early", "late, first", "late, second", "no latest"]


def test_a_step_with_a_later_deadline_comes_after_one_with_an_earlier() -> None:
    """With moving tracking past protection, open_dispute (latest later) comes after the rest."""
    steps = advise(_moving_past_protection(), SHIPPED + 11 * DAY)
    assert [s.action for s in steps] == ["check_tracking", "contact_seller", "open_dispute"]
    assert steps[0].latest is not None
    assert steps[-1].latest is not None
    assert steps[0].latest < steps[-1].latest


# -- the seller --------------------------------------------------------------------


def test_the_seller_ships_before_the_shipping_deadline_else_the_buyer_is_refunded() -> None:
    """Unshipped: ship until the deadline (a microsecond before too); at it, nothing left."""
    order = Order("8123456789", TOTAL, PAID)
    deadline = order.shipping_deadline
    for at in (PAID, deadline - US):
        (ship,) = advise(order, at, side="seller")
        assert ship.action == "ship"
        assert (ship.earliest, ship.latest) == (at, deadline)
        assert ship.if_not == "the order is cancelled and the buyer is refunded 25.90 USD"
        assert deadline.isoformat() in ship.why
    (nothing,) = advise(order, deadline, side="seller")
    assert nothing.action == "nothing"
    assert "did not ship in time" in nothing.why


def test_the_seller_waits_while_the_order_is_protected() -> None:
    """Shipped, no request: the seller waits until protection ends, when it is paid; then
    until the window for a late dispute closes."""
    order = _seed_order()
    ends = order.protection_ends
    assert ends is not None
    (wait,) = advise(order, ends - US, side="seller")
    assert (wait.action, wait.earliest, wait.latest) == ("wait", ends - US, ends)
    assert wait.if_not == "protection ends: the order completes and the seller is paid"
    assert "confirm receipt" in wait.why
    (later,) = advise(order, ends, side="seller")  # completed: a late dispute may still come
    assert (later.action, later.latest) == ("wait", ends + ALIEXPRESS.post_completion_window)
    assert later.if_not == "the order closes: no dispute can be opened any more"


def test_the_seller_grants_an_extension_while_the_request_waits() -> None:
    """The buyer's extension request: grant_extension until protection ends, then it is moot."""
    order = _seed_order()
    order.request_extension(LAST_SCAN + DAY, 15)
    ends = order.protection_ends
    assert ends is not None
    (grant,) = advise(order, ends - US, side="seller")
    assert grant.action == "grant_extension"
    assert (grant.earliest, grant.latest) == (ends - US, ends)
    assert "15 days" in grant.why
    assert grant.if_not == "protection ends: the order completes and the seller is paid"
    assert "grant_extension" not in _sided(order, ends, "seller")
    order.grant_extension(LAST_SCAN + 2 * DAY, 15)
    assert _sided(order, LAST_SCAN + 3 * DAY, "seller") == ["wait"]


def test_no_grant_is_advised_when_the_cap_leaves_no_room() -> None:
    """A request the policy's cap leaves no room for is not advised: the seller waits."""
    policy = attrs.evolve(ALIEXPRESS, max_extension_days=10)
    order = Order("8123456789", TOTAL, PAID, policy)
    order.ship(SHIPPED)
    order.request_extension(SHIPPED + DAY, 10)
    order.grant_extension(SHIPPED + DAY, 10)
    order.request_extension(SHIPPED + 2 * DAY, 5)
    assert "grant_extension" not in order.allowed()
    assert _sided(order, SHIPPED + 3 * DAY, "seller") == ["wait"]


def test_the_seller_answers_a_dispute_before_its_deadline() -> None:
    """Awaiting the seller: accept or refuse until the deadline; at it the refund is made."""
    order = _disputed()
    deadline = TRACKING_DIES + ALIEXPRESS.seller_response_window
    for at in (TRACKING_DIES, deadline - US):
        accept, reject = advise(order, at, side="seller")
        assert (accept.action, reject.action) == ("seller_accept", "seller_reject")
        for step in (accept, reject):
            assert (step.earliest, step.latest) == (at, deadline)
            assert step.if_not == "the buyer is refunded 25.90 USD"
            assert "25.90 USD" in step.why
        assert "no tracking information" in accept.why
        assert "counter-offer below 25.90 USD" in reject.why
    (nothing,) = advise(order, deadline, side="seller")
    assert nothing.action == "nothing"
    assert "seller_reponse_timeout" in nothing.why


def test_the_seller_waits_on_its_counter_offer_or_accepts_the_request() -> None:
    """Negotiating: wait, or accept the request, until negotiation ends; then the platform."""
    order = _negotiating()
    for at in (TRACKING_DIES + DAY, NEGOTIATION_ENDS - US):
        wait, accept = advise(order, at, side="seller")
        assert (wait.action, accept.action) == ("wait", "seller_accept")
        for step in (wait, accept):
            assert (step.earliest, step.latest) == (at, NEGOTIATION_ENDS)
            assert step.if_not == "the dispute goes to the platform"
        assert "10.00 USD" in wait.why
        assert "25.90 USD" in accept.why
    (wait,) = advise(order, NEGOTIATION_ENDS, side="seller")
    assert (wait.action, wait.latest, wait.if_not) == ("wait", None, "")
    assert "platform" in wait.why


def test_the_seller_waits_while_a_completed_order_can_still_be_disputed() -> None:
    """Completed by the buyer: the seller waits until the late-dispute window closes."""
    order = _seed_order()
    confirmed = LAST_SCAN + DAY
    order.confirm_receipt(confirmed)
    closes = confirmed + ALIEXPRESS.post_completion_window
    (wait,) = advise(order, closes - US, side="seller")
    assert (wait.action, wait.earliest, wait.latest) == ("wait", closes - US, closes)
    assert wait.if_not == "the order closes: no dispute can be opened any more"
    (nothing,) = advise(order, closes, side="seller")
    assert nothing.action == "nothing"


def test_the_seller_has_nothing_to_do_on_a_completed_order_no_dispute_can_reach() -> None:
    """Completed, with reopening forbidden after a cancelled dispute: nothing for the seller."""
    order = Order("8123456789", TOTAL, PAID, attrs.evolve(ALIEXPRESS, reopen_after_cancel=False))
    order.ship(SHIPPED)
    opened = SHIPPED + 11 * DAY
    order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL).cancel(opened + DAY)
    order.confirm_receipt(opened + 2 * DAY)
    (nothing,) = advise(order, opened + 3 * DAY, side="seller")
    assert nothing.action == "nothing"
    assert "no dispute can be opened" in nothing.why


# -- the platform ------------------------------------------------------------------


def test_the_platform_decides_what_reaches_arbitration() -> None:
    """Before negotiation ends the platform waits; from that instant on it decides."""
    order = _negotiating()
    (wait,) = advise(order, NEGOTIATION_ENDS - US, side="platform")
    assert (wait.action, wait.latest) == ("wait", NEGOTIATION_ENDS)
    assert wait.if_not == "the dispute goes to the platform"
    (decide,) = advise(order, NEGOTIATION_ENDS, side="platform")
    assert decide.action == "platform_decide"
    assert (decide.earliest, decide.latest, decide.if_not) == (NEGOTIATION_ENDS, None, "")
    assert "25.90 USD" in decide.why
    assert "10.00 USD" in decide.why


def test_the_platform_decides_a_platform_shipped_dispute_at_once() -> None:
    """A platform-shipped order's dispute is the platform's to decide from its opening."""
    order = _seed_order(by_platform=True)
    order.open_dispute(TRACKING_DIES, reason=Reason.NO_TRACKING_INFORMATION, refund=TOTAL)
    (decide,) = advise(order, TRACKING_DIES, side="platform")
    assert (decide.action, decide.latest, decide.if_not) == ("platform_decide", None, "")
    assert "own logistics" in decide.why
    (wait,) = advise(order, TRACKING_DIES, side="seller")
    assert wait.action == "wait"
    assert "own logistics" in wait.why


@pytest.mark.parametrize(
    ("build", "at", "action"),
    [
        (lambda: Order("8123456789", TOTAL, PAID), PAID + DAY, "wait"),
        (_seed_order, LAST_SCAN + DAY, "wait"),
        (_disputed, TRACKING_DIES + DAY, "wait"),
        (lambda: Order("8123456789", TOTAL, PAID), PAID + 30 * DAY, "nothing"),
    ],
)
def test_the_platform_waits_or_has_nothing_to_do_outside_arbitration(
    build: Callable[[], Order], at: datetime, action: str
) -> None:
    """Outside arbitration the platform waits until the next automatic step, or has nothing."""
    order = build()
    (step,) = advise(order, at, side="platform")
    assert step.action == action
    deadline = order.as_of(at).next_deadline
    assert step.latest == (None if deadline is None else deadline.at)
    assert bool(step.if_not) == (deadline is not None)


# -- returns -----------------------------------------------------------------------

RETURN_WINDOW = ALIEXPRESS.return_shipping_window
CONFIRM_WINDOW = ALIEXPRESS.return_confirm_window


def _return_asked() -> Order:
    """The seed's order, delivered, disputed as damaged asking the full amount with a return."""
    order = _seed_order()
    order.add_tracking(TrackingEvent(LAST_SCAN + DAY, "delivered"))
    order.open_dispute(
        LAST_SCAN + 2 * DAY,
        reason=Reason.DAMAGED,
        refund=TOTAL,
        remedy=Remedy.RETURN_AND_REFUND,
        evidence=["photo.jpg"],
    )
    return order


AGREED = LAST_SCAN + 3 * DAY
SHIPPED_BACK = AGREED + 2 * DAY


def _return_agreed() -> Order:
    """The damaged-item return, accepted by the seller at AGREED."""
    order = _return_asked()
    assert order.dispute is not None
    order.dispute.seller_accept(AGREED)
    return order


def _return_in_transit() -> Order:
    """The agreed return, shipped back by the buyer at SHIPPED_BACK."""
    order = _return_agreed()
    assert order.dispute is not None
    order.dispute.ship_return(SHIPPED_BACK, tracking_number="LP0042", carrier="Cainiao")
    return order


def test_a_silent_seller_on_a_return_request_means_the_return_is_agreed() -> None:
    """Asked for a return: the seller's steps and the buyer's say silence agrees to it."""
    order = _return_asked()
    at = LAST_SCAN + 2 * DAY
    accept, reject = advise(order, at, side="seller")
    expected = "the return is agreed: the buyer ships the item back, then is refunded 25.90 USD"
    assert accept.if_not == reject.if_not == expected
    assert "25.90 USD with the item's return" in accept.why
    assert "the same amount without the return" in reject.why
    (wait,) = advise(order, at)
    assert wait.if_not == expected
    assert "you then ship the item back" in wait.why


def test_a_refund_request_for_a_received_item_may_be_countered_with_a_return() -> None:
    """Refund asked for a damaged item: the seller's reject step mentions a same-amount return."""
    order = _seed_order()
    order.open_dispute(TRACKING_DIES, reason=Reason.DAMAGED, refund=TOTAL, evidence=["p.jpg"])
    reject = advise(order, TRACKING_DIES, side="seller")[1]
    assert "the same amount with the item's return" in reject.why
    (_, plain) = advise(_disputed(), TRACKING_DIES, side="seller")
    assert "same amount" not in plain.why  # not received: no return to offer


def test_a_counter_offer_of_a_return_says_the_item_goes_back() -> None:
    """The seller offers a full refund against the return: accepting means shipping it back."""
    order = _seed_order()
    dispute = order.open_dispute(
        TRACKING_DIES, reason=Reason.DAMAGED, refund=TOTAL, evidence=["p.jpg"]
    )
    dispute.seller_reject(TRACKING_DIES + DAY, counter_offer=TOTAL, remedy="return_and_refund")
    steps = advise(order, TRACKING_DIES + 2 * DAY)
    accept = next(s for s in steps if s.action == "accept_counter_offer")
    assert "offers 25.90 USD with the item's return" in accept.why
    assert "ship the item back" in accept.why
    (wait, _) = advise(order, TRACKING_DIES + 2 * DAY, side="seller")
    assert "You offered 25.90 USD with the item's return" in wait.why


def test_the_buyer_ships_the_return_before_its_deadline_else_the_seller_keeps_the_money() -> None:
    """Awaiting the return: ship_return until the window ends; at it nothing, no refund."""
    order = _return_agreed()
    deadline = AGREED + RETURN_WINDOW
    assert order.dispute is not None
    assert order.dispute.return_ship_deadline == deadline
    for at in (AGREED, deadline - US):
        (ship,) = advise(order, at)
        assert ship.action == "ship_return"
        assert (ship.earliest, ship.latest) == (at, deadline)
        assert ship.if_not == "the money goes to the seller"
        assert "refunded 25.90 USD" in ship.why
        assert "The seller pays the return's postage." in ship.why
    (nothing,) = advise(order, deadline)
    assert nothing.action == "nothing"
    assert "return_not_shipped" in nothing.why


def test_the_seller_waits_for_the_return_until_the_buyers_deadline() -> None:
    """Awaiting the return: the seller and the platform wait until the buyer's window ends."""
    order = _return_agreed()
    deadline = AGREED + RETURN_WINDOW
    for side in ("seller", "platform"):
        (wait,) = advise(order, deadline - US, side=side)
        assert (wait.action, wait.latest) == ("wait", deadline)
        assert wait.if_not == "the money goes to the seller"
        assert _sided(order, deadline, side) == ["nothing"]


def test_the_seller_confirms_or_refuses_the_return_before_its_deadline() -> None:
    """In transit: confirm_return or refuse_return until the window ends; then it is paid."""
    order = _return_in_transit()
    deadline = SHIPPED_BACK + CONFIRM_WINDOW
    for at in (SHIPPED_BACK, deadline - US):
        confirm, refuse = advise(order, at, side="seller")
        assert (confirm.action, refuse.action) == ("confirm_return", "refuse_return")
        for step in (confirm, refuse):
            assert (step.earliest, step.latest) == (at, deadline)
            assert step.if_not == "the buyer is refunded 25.90 USD"
        assert "tracking LP0042 with Cainiao" in confirm.why
        (wait,) = advise(order, at)
        assert (wait.action, wait.latest) == ("wait_for_seller", deadline)
        assert wait.if_not == "the buyer is refunded 25.90 USD"
    for side in ("buyer", "seller", "platform"):
        (nothing,) = advise(order, deadline, side=side)
        assert nothing.action == "nothing"
        assert "refund of 25.90 USD" in nothing.why


def test_a_refused_return_is_the_platforms_to_decide() -> None:
    """After refuse_return the platform decides (no latest); buyer and seller wait for it."""
    order = _return_in_transit()
    assert order.dispute is not None
    order.dispute.refuse_return(SHIPPED_BACK + DAY, note="the box came back empty")
    at = SHIPPED_BACK + 2 * DAY
    (decide,) = advise(order, at, side="platform")
    assert (decide.action, decide.earliest, decide.latest, decide.if_not) == (
        "platform_decide",
        at,
        None,
        "",
    )
    assert "refused the goods" in decide.why
    assert _sided(order, at, "buyer") == ["wait_for_platform"]
    assert _sided(order, at, "seller") == ["wait"]


def test_a_step_given_what_happens_if_not_keeps_every_other_field() -> None:
    """`saying` (how advice adds ``if_not`` to a step) gives what ``attrs.evolve`` gives:
    every other field of the step, whatever fields a step has."""
    step = Step(**{field.name: object() for field in attrs.fields(Step)})  # type: ignore[arg-type]
    said = saying(step, "the buyer is refunded 25.90 USD")
    assert said == attrs.evolve(step, if_not="the buyer is refunded 25.90 USD")
    for field in attrs.fields(Step):
        if field.name != "if_not":
            assert getattr(said, field.name) is getattr(step, field.name)
