"""Tests of `advise` under eBay's, PayPal's and Amazon's rules: each clock's words and
instants, for the buyer, the seller and the platform, each checked against the lifecycle
(`check_advice`: an action advised now is not refused now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Actor,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Step,
    TrackingEvent,
    advise,
)
from buyer_protection.advice import ITEM_PROOF, SIDES, TRACKING_PROOF
from test_advice_presets import check_advice

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)
PAID = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # a Monday
SHIPPED = PAID + DAY
ESTIMATE = PAID + 8 * DAY
TOTAL = Money("40.00", "USD")
LONDON = ZoneInfo("Europe/London")

EXPIRES = "the dispute closes with no refund, and no new dispute can be opened on the order"
STEP_IN = "the buyer may ask the platform to step in"
FINAL = "the platform's decision becomes final"
FILING_ENDS = (
    "the time to open a dispute ends: the order completes, the seller is paid, and no "
    "dispute can be opened any more"
)


def _shipped(policy: Policy, estimate: datetime | None = ESTIMATE) -> Order:
    order = Order("7-1", TOTAL, PAID, policy)
    order.ship(SHIPPED, estimated_delivery=estimate)
    return order


def _steps(order: Order, at: datetime, side: Actor | str = Actor.BUYER) -> list[Step]:
    return list(advise(order, at, side=side))


def _actions(order: Order, at: datetime, side: Actor | str = Actor.BUYER) -> list[str]:
    return [step.action for step in advise(order, at, side=side)]


def _words(order: Order, at: datetime) -> str:
    """Every side's steps at *at*, why and if_not, as one text."""
    return " ".join(s.why + " " + s.if_not for side in SIDES for s in advise(order, at, side=side))


# -- before shipment and while shipped ---------------------------------------------


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL, AMAZON_US])
def test_without_a_processing_time_nothing_cancels_an_unshipped_order(policy: Policy) -> None:
    """Rules with no processing time: the buyer waits or contacts the seller and the seller
    ships, with no deadline and no word of a cancellation."""
    order = Order("7-1", TOTAL, PAID, policy)
    at = PAID + 30 * DAY
    wait, contact = _steps(order, at)
    assert (wait.action, contact.action) == ("wait_for_seller", "contact_seller")
    (ship,) = _steps(order, at, "seller")
    assert (ship.action, ship.latest, ship.if_not) == ("ship", None, "")
    assert all(s.latest is None for s in (wait, contact))
    assert "cancelled" not in _words(order, at)
    assert check_advice(order, at) == 2  # contacting the seller before it ships is allowed


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL, AMAZON_US])
def test_the_time_to_open_a_dispute_replaces_protection_in_the_words(policy: Policy) -> None:
    """Where the rules count the time to open a dispute from payment or the estimated
    delivery, the steps end when it does, and say so rather than 'protection ends'."""
    order = _shipped(policy)
    at = SHIPPED + DAY
    ends = order.filing_ends
    assert ends is not None
    assert ends == order.protection_ends
    for side in SIDES:
        for step in advise(order, at, side=side):
            assert step.latest == ends, step
            assert step.if_not == FILING_ENDS, step
    (wait,) = _steps(order, at, "seller")
    assert "when the time to open one ends" in wait.why
    check_advice(order, at)


def test_paypal_filing_window_ends_180_days_after_payment() -> None:
    """PayPal: a 'not received' dispute is advised from the shipment until 180 days after
    payment, whatever the estimated delivery."""
    order = _shipped(PAYPAL)
    (dispute,) = [s for s in _steps(order, SHIPPED) if s.action == "open_dispute"]
    assert (dispute.earliest, dispute.latest) == (SHIPPED, PAID + 180 * DAY)
    assert "escalate it to a claim within 20 days of the opening" in dispute.why
    assert "In a claim the seller has 10 days to answer" in dispute.why
    check_advice(order, SHIPPED)


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK])
def test_ebay_not_received_is_advised_from_the_estimated_delivery(policy: Policy) -> None:
    """eBay: before the estimated delivery the 'not received' dispute is advised from it,
    and refused until then (check_advice); from it, at once, for 30 days."""
    order = _shipped(policy)
    (early,) = [s for s in _steps(order, SHIPPED + DAY) if s.action == "open_dispute"]
    assert (early.earliest, early.latest) == (ESTIMATE, ESTIMATE + 30 * DAY)
    assert "3 business days to resolve it; after that you may ask the platform" in early.why
    assert check_advice(order, SHIPPED + DAY) == 2  # contact_seller, open_dispute (later)
    (now,) = [s for s in _steps(order, ESTIMATE) if s.action == "open_dispute"]
    assert now.earliest == ESTIMATE
    check_advice(order, ESTIMATE)


@pytest.mark.parametrize("policy", [EBAY_US, AMAZON_US])
def test_without_an_estimated_delivery_not_received_is_never_advised(policy: Policy) -> None:
    """Rules counting 'not received' from the estimated delivery, on an order shipped
    without one: the advice says it cannot tell when such a dispute opens, and never
    advises one (opening it is InvalidInput); a delivered item may still be disputed."""
    order = _shipped(policy, estimate=None)
    order.contact_seller(SHIPPED + HOUR)
    at = SHIPPED + 20 * DAY
    steps = _steps(order, at)
    assert "open_dispute" not in [s.action for s in steps]
    assert "cannot be told" in steps[0].why
    with pytest.raises(InvalidInput, match="estimated_delivery"):
        order.as_of(at).open_dispute(at, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    check_advice(order, at)
    order.add_tracking(TrackingEvent(at, "delivered"))
    (dispute,) = [s for s in _steps(order, at) if s.action == "open_dispute"]
    assert dispute.evidence == ITEM_PROOF + TRACKING_PROOF
    check_advice(order, at)


# -- eBay: the seller's window only lets the buyer ask eBay to step in ---------------


def _ebay_dispute(policy: Policy = EBAY_US) -> Order:
    order = _shipped(policy)
    order.open_dispute(ESTIMATE + HOUR, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    return order


def test_ebay_buyer_waits_for_the_seller_then_may_escalate_until_the_request_closes() -> None:
    """eBay: the buyer waits until the seller's deadline, which refunds nothing but lets it
    ask the platform to step in, from then until the request closes with no refund."""
    order = _ebay_dispute()
    dispute = order.dispute
    assert dispute is not None
    deadline, closes = dispute.seller_deadline, dispute.negotiation_deadline
    assert deadline is not None
    assert closes is not None
    at = ESTIMATE + 2 * HOUR
    wait, escalate = _steps(order, at)
    assert (wait.action, wait.latest, wait.if_not) == ("wait_for_seller", deadline, STEP_IN)
    assert "Nothing happens by itself then" in wait.why
    assert (escalate.action, escalate.earliest, escalate.latest) == ("escalate", deadline, closes)
    assert escalate.if_not == EXPIRES
    assert "silence" not in _words(order, at)
    assert check_advice(order, at) == 3  # escalate (refused now), seller_accept, seller_reject
    (now,) = _steps(order, deadline)
    assert (now.action, now.earliest, now.latest) == ("escalate", deadline, closes)
    check_advice(order, deadline - US)
    check_advice(order, deadline)


def test_ebay_seller_resolves_before_the_buyer_may_ask_the_platform_to_step_in() -> None:
    """eBay: the seller's answer is due before its deadline, when the buyer may ask the
    platform to step in; after it, before the request closes with no refund."""
    order = _ebay_dispute()
    dispute = order.dispute
    assert dispute is not None
    deadline, closes = dispute.seller_deadline, dispute.negotiation_deadline
    assert deadline is not None
    accept, reject = _steps(order, ESTIMATE + 2 * HOUR, "seller")
    assert (accept.action, reject.action) == ("seller_accept", "seller_reject")
    assert accept.latest == reject.latest == deadline
    assert accept.if_not == reject.if_not == STEP_IN
    accept, reject = _steps(order, deadline, "seller")
    assert accept.latest == reject.latest == closes
    assert accept.if_not == reject.if_not == EXPIRES
    assert "the buyer may ask the platform to step in at any time" in accept.why
    (wait,) = _steps(order, deadline, "platform")
    assert (wait.action, wait.latest, wait.if_not) == ("wait", closes, EXPIRES)
    check_advice(order, deadline)


def test_ebay_buyer_escalates_a_counter_offer_only_from_the_end_of_the_sellers_time() -> None:
    """eBay: after an early counter-offer the buyer may accept it at once, but escalate
    only from the seller's deadline (check_advice: refused before, taken then)."""
    order = _ebay_dispute()
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(ESTIMATE + 2 * HOUR, counter_offer=Money("10.00", "USD"))
    at = ESTIMATE + 3 * HOUR
    accept, escalate = _steps(order, at)
    assert (accept.action, accept.earliest) == ("accept_counter_offer", at)
    assert (escalate.action, escalate.earliest) == ("escalate", dispute.seller_deadline)
    assert accept.latest == escalate.latest == dispute.negotiation_deadline
    assert "closes with no refund" in escalate.why
    assert check_advice(order, at) == 3  # accept_counter_offer, escalate, seller_accept


def test_ebay_uk_escalation_opens_after_three_business_days_across_good_friday() -> None:
    """eBay UK: a request opened on the Thursday before Good Friday (a UK-wide bank
    holiday) may be escalated from the next Wednesday at the same hour, and not a
    microsecond before."""
    opened = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)
    order = Order("7-2", TOTAL, opened - 10 * DAY, EBAY_UK)
    order.ship(opened - 9 * DAY, estimated_delivery=opened - DAY)
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    opens = datetime(2026, 4, 8, 10, 0, tzinfo=LONDON)
    assert dispute.seller_deadline == opens
    (escalate,) = [s for s in _steps(order, opens - US) if s.action == "escalate"]
    assert escalate.earliest == opens
    check_advice(order, opens - US)
    check_advice(order, opens)


def test_an_ebay_request_changed_too_late_is_not_advised_to_escalate() -> None:
    """eBay: a request changed so late that the seller's new deadline falls after the
    request closes: no side is advised an escalation, every step ends when it closes."""
    order = _ebay_dispute()
    dispute = order.dispute
    assert dispute is not None
    closes = dispute.negotiation_deadline
    assert closes is not None
    changed = closes - DAY
    dispute.buyer_modify(changed, refund=Money("30.00", "USD"))
    assert dispute.seller_deadline is not None
    assert dispute.seller_deadline > closes
    at = changed + HOUR
    for side in SIDES:
        for step in advise(order, at, side=side):
            assert step.action != "escalate", step
            assert "escalate (from" not in step.why, step
            assert step.latest == closes, step
    assert check_advice(order, at) == 2  # seller_accept, seller_reject


def test_an_ebay_request_left_unescalated_closes_with_no_refund() -> None:
    """eBay: at the end of the request's time with no escalation, nothing is left to do,
    and the advice says the dispute closed with no refund."""
    order = _ebay_dispute()
    dispute = order.dispute
    assert dispute is not None
    closes = dispute.negotiation_deadline
    assert closes is not None
    for side in SIDES:
        (step,) = advise(order, closes, side=side)
        assert step.action == "nothing"
        assert "closed" in step.why
        assert "with no refund" in step.why
        assert "(expired)" in step.why


# -- PayPal: an inquiry, then a claim ------------------------------------------------


def _inquiry() -> Order:
    order = _shipped(PAYPAL)
    order.open_dispute(SHIPPED + 10 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    return order


def test_a_paypal_inquiry_is_escalated_to_a_claim_before_it_closes() -> None:
    """PayPal: in an inquiry the buyer waits for the seller or escalates it to a claim, both
    before the inquiry closes with no refund; the seller answers before then too."""
    order = _inquiry()
    dispute = order.dispute
    assert dispute is not None
    closes = dispute.negotiation_deadline
    at = SHIPPED + 11 * DAY
    wait, escalate = _steps(order, at)
    assert (wait.action, escalate.action) == ("wait_for_seller", "escalate")
    assert wait.latest == escalate.latest == closes
    assert wait.if_not == escalate.if_not == EXPIRES
    assert "escalate it to a claim" in escalate.why
    assert "the seller has 10 days to answer" in escalate.why
    accept, reject = _steps(order, at, "seller")
    assert accept.latest == reject.latest == closes
    assert "escalate it to a claim at any time" in accept.why
    assert check_advice(order, at) == 3


def test_the_seller_answers_a_paypal_claim_within_ten_days_of_the_escalation() -> None:
    """PayPal: once escalated, the seller has 10 days from the escalation to answer the
    claim (its silence refunds it); its counter-offer leaves the claim to the platform."""
    order = _inquiry()
    dispute = order.dispute
    assert dispute is not None
    escalated = SHIPPED + 12 * DAY
    dispute.escalate(escalated)
    at = escalated + HOUR
    (wait,) = _steps(order, at)
    assert (wait.action, wait.latest) == ("wait_for_seller", escalated + 10 * DAY)
    assert wait.if_not == "the buyer is refunded 40.00 USD"
    accept, reject = _steps(order, at, "seller")
    assert accept.latest == reject.latest == escalated + 10 * DAY
    assert accept.if_not == "the buyer is refunded 40.00 USD"
    (decide,) = _steps(order, at, "platform")
    assert (decide.action, decide.latest) == ("platform_decide", None)
    assert "The seller has until" in decide.why
    assert check_advice(order, at) == 3
    dispute.seller_reject(at, counter_offer=Money("5.00", "USD"))
    assert dispute.state is DisputeState.ARBITRATION
    assert order.next_deadline is None
    (wait,) = _steps(order, at + HOUR)
    assert wait.action == "wait_for_platform"
    assert "the side that loses may appeal its decision within 10 days" in wait.why
    assert _actions(order, at + HOUR, "seller") == ["wait"]


# -- Amazon: contact the seller first --------------------------------------------------


def test_amazon_buyer_contacts_the_seller_before_a_claim() -> None:
    """Amazon: no claim is advised before a contact with the seller; after it, a claim from
    48 hours later and 3 days after the estimated delivery, whichever is later."""
    order = _shipped(AMAZON_US)
    at = SHIPPED + DAY
    check, contact = _steps(order, at)
    assert (check.action, contact.action) == ("check_tracking", "contact_seller")
    assert "2 days after the first contact" in contact.why
    assert check_advice(order, at) == 1
    order.contact_seller(at)
    steps = _steps(order, at + HOUR)
    assert "contact_seller" not in [s.action for s in steps]
    (claim,) = [s for s in steps if s.action == "open_dispute"]
    assert claim.earliest == ESTIMATE + 3 * DAY
    assert claim.latest == ESTIMATE + 90 * DAY
    check_advice(order, at + HOUR)
    late = ESTIMATE + 5 * DAY
    order.contact_seller(late)  # a later contact does not move the first one
    assert order.contacted_at == at


def test_amazon_claim_waits_48_hours_after_a_late_first_contact() -> None:
    """Amazon: a first contact after the estimated delivery makes the claim wait 48 hours
    from it (refused a microsecond before, check_advice)."""
    order = _shipped(AMAZON_US)
    contacted = ESTIMATE + 5 * DAY
    order.contact_seller(contacted)
    (claim,) = [s for s in _steps(order, contacted) if s.action == "open_dispute"]
    assert claim.earliest == contacted + 48 * HOUR
    check_advice(order, contacted)
    check_advice(order, contacted + 48 * HOUR - US)


def test_amazon_delivered_item_asks_a_contact_before_a_claim() -> None:
    """Amazon: a delivered item not as described needs a contact with the seller before
    a claim: that, not the claim, is advised."""
    order = _shipped(AMAZON_US)
    order.add_tracking(TrackingEvent(ESTIMATE, "delivered"))
    at = ESTIMATE + HOUR
    confirm, contact = _steps(order, at)
    assert (confirm.action, contact.action) == ("confirm_receipt", "contact_seller")
    assert contact.evidence == ITEM_PROOF
    assert check_advice(order, at) == 2


def test_amazon_buyer_who_confirmed_receipt_contacts_the_seller_then_claims() -> None:
    """Amazon: after confirming receipt, a claim is still possible until the filing window
    ends, once the seller was contacted 48 hours before."""
    order = _shipped(AMAZON_US)
    order.confirm_receipt(ESTIMATE)
    at = ESTIMATE + DAY
    (contact,) = _steps(order, at)
    assert (contact.action, contact.latest) == ("contact_seller", ESTIMATE + 90 * DAY)
    assert _actions(order, at, "seller") == ["wait"]
    check_advice(order, at)
    order.contact_seller(at)
    (claim,) = _steps(order, at)
    assert (claim.action, claim.earliest) == ("open_dispute", at + 48 * HOUR)
    check_advice(order, at)


def test_amazon_seller_silent_for_72_hours_grants_the_claim() -> None:
    """Amazon: the seller has 72 hours to answer a claim; its silence refunds it. A
    counter-offer leaves no clock: the buyer accepts it or escalates when ready."""
    order = _shipped(AMAZON_US)
    order.contact_seller(ESTIMATE)
    opened = ESTIMATE + 3 * DAY
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    (wait,) = _steps(order, opened + HOUR)
    assert (wait.action, wait.latest) == ("wait_for_seller", opened + 72 * HOUR)
    assert wait.if_not == "the buyer is refunded 40.00 USD"
    dispute.seller_reject(opened + HOUR, counter_offer=Money("0", "USD"))
    escalate, accept = _steps(order, opened + 2 * HOUR)
    assert (escalate.action, accept.action) == ("escalate", "accept_counter_offer")
    assert escalate.latest is None
    assert accept.latest is None
    wait, give_in = _steps(order, opened + 2 * HOUR, "seller")
    assert (wait.action, wait.latest, give_in.action) == ("wait", None, "seller_accept")
    check_advice(order, opened + 2 * HOUR)


# -- appeals ----------------------------------------------------------------------------


def _decided(policy: Policy, refund: str) -> Order:
    """A dispute of *policy* escalated and decided by the platform with *refund*."""
    order = _shipped(policy)
    order.contact_seller(SHIPPED)
    opened = ESTIMATE + 3 * DAY
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    if "seller_reject" in dispute.allowed() and policy is not PAYPAL:
        dispute.seller_reject(opened + HOUR, counter_offer=Money("0", "USD"))
    dispute.escalate(max(opened + 2 * HOUR, dispute.seller_deadline or opened))
    dispute.platform_decide(order.last_event_at + DAY, refund=Money(refund, "USD"))
    return order


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL, AMAZON_US])
@pytest.mark.parametrize(
    ("refund", "buyer", "seller"),
    [("0", "appeal", "wait"), ("15.00", "appeal", "appeal"), ("40.00", "wait", "appeal")],
)
def test_the_side_that_lost_a_decision_is_advised_to_appeal_in_time(
    policy: Policy, refund: str, buyer: str, seller: str
) -> None:
    """After the platform's decision, the buyer is advised to appeal when refunded less
    than asked and the seller when it refunds anything, before the appeal window ends;
    the other side and the platform wait; after the window, nothing is left."""
    order = _decided(policy, refund)
    dispute = order.dispute
    assert dispute is not None
    ends = dispute.appeal_deadline
    assert ends is not None
    at = order.last_event_at + HOUR
    assert order.state is OrderState.CLOSED
    for who, action in (("buyer", buyer), ("seller", seller), ("platform", "wait")):
        (step,) = _steps(order, at, who)
        assert (step.action, step.latest, step.if_not) == (action, ends, FINAL)
    check_advice(order, at)
    for side in SIDES:
        assert _actions(order, ends, side) == ["nothing"]


def test_after_an_appeal_the_new_decision_is_final() -> None:
    """After an appeal the platform decides again, and every side is told it is final."""
    order = _decided(EBAY_US, "15.00")
    dispute = order.dispute
    assert dispute is not None
    at = order.last_event_at + HOUR
    dispute.appeal(at, by="seller")
    (decide,) = _steps(order, at, "platform")
    assert decide.action == "platform_decide"
    assert "This decision, after an appeal, is final" in decide.why
    (wait,) = _steps(order, at)
    assert wait.why == "The platform is deciding; its decision after the appeal is final."
    check_advice(order, at)


def test_an_aliexpress_decision_has_no_appeal() -> None:
    """AliExpress: the platform's decision is final; no side is advised to appeal."""
    order = Order("7-3", TOTAL, PAID, ALIEXPRESS)
    order.ship(SHIPPED)
    dispute = order.open_dispute(SHIPPED + 20 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(SHIPPED + 21 * DAY, counter_offer=Money("0", "USD"))
    dispute.escalate(SHIPPED + 22 * DAY)
    dispute.platform_decide(SHIPPED + 23 * DAY, refund=Money("10.00", "USD"))
    for side in SIDES:
        assert _actions(order, SHIPPED + 24 * DAY, side) == ["nothing"]
    with pytest.raises(InvalidAction, match="no appeal"):
        dispute.appeal(SHIPPED + 24 * DAY, by="buyer")
