"""Tests of `Order.timeline` and `to_ical` under every preset: milestones whose words
follow the rules (`label_for`), and the clocks of eBay, PayPal and Amazon (the estimated
delivery, the end of the time to open a dispute, the wait after contacting the seller,
the appeal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from hypothesis import given

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    DisputeState,
    Milestone,
    Money,
    Order,
    Policy,
    Reason,
    policies,
    to_ical,
)
from buyer_protection.milestones import LABELS, OPENINGS, label_for, opens
from preset_strategies import PresetStory, looks, preset_stories

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)
PAID = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
SHIPPED = PAID + DAY
ESTIMATE = PAID + 8 * DAY
TOTAL = Money("40.00", "USD")


def _shipped(policy: Policy, estimate: datetime | None = ESTIMATE) -> Order:
    order = Order("9-1", TOTAL, PAID, policy)
    order.ship(SHIPPED, estimated_delivery=estimate)
    return order


def _found(order: Order, at: datetime, what: str) -> list[Milestone]:
    return [m for m in order.timeline(at) if m.what == what]


def _one(order: Order, at: datetime, what: str) -> Milestone:
    (found,) = _found(order, at, what)
    return found


# -- words --------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(LABELS))
@pytest.mark.parametrize("policy", [p for p in policies() if p.name == "aliexpress"])
def test_aliexpress_milestones_keep_their_words(what: str, policy: Policy) -> None:
    """Under every AliExpress version a milestone's words are LABELS' (as before)."""
    assert label_for(what, policy) == LABELS[what]


@pytest.mark.parametrize(
    ("policy", "what", "words"),
    [
        (EBAY_US, "seller_deadline", "the buyer may ask the platform to step in"),
        (EBAY_UK, "negotiation_deadline", "closes with no refund"),
        (PAYPAL, "seller_deadline", "answer the claim ends (silence refunds the claim)"),
        (PAYPAL, "negotiation_deadline", "the time to escalate ends"),
        (PAYPAL, "escalate", "escalated to a claim"),
        (AMAZON_US, "earliest_dispute", "after contacting the seller and waiting 2 days"),
        (AMAZON_US, "seller_deadline", "silence refunds the request"),
    ],
)
def test_a_milestones_words_follow_the_rules(policy: Policy, what: str, words: str) -> None:
    """label_for words a milestone as the rules mean it (eBay's seller deadline refunds
    nothing; PayPal's is the claim's; Amazon's opening needs a contact first)."""
    assert words in label_for(what, policy)
    assert "silence refunds" not in label_for("seller_deadline", EBAY_US)


def test_a_milestone_made_by_hand_has_the_default_words() -> None:
    """A Milestone made without a label takes LABELS' words, and equals the timeline's."""
    assert Milestone(PAID, "pay", "done").label == "paid"
    assert Milestone(PAID, "tracking_in_transit", "done").label == "tracking: in transit"
    order = Order("9-2", TOTAL, PAID)
    assert order.timeline(PAID)[0] == Milestone(PAID, "pay", "done", "total 40.00 USD")


# -- eBay ---------------------------------------------------------------------------


def test_an_ebay_orders_dates_are_in_its_timeline() -> None:
    """eBay: the estimated delivery, the opening of 'not received' at it, and the end of the
    time to open a dispute 30 days after it (when protection ends too)."""
    order = _shipped(EBAY_US)
    at = SHIPPED + DAY
    estimate = _one(order, at, "estimated_delivery")
    assert (estimate.at, estimate.status, estimate.label) == (
        ESTIMATE,
        "due",
        "latest estimated delivery",
    )
    assert (_one(order, at, "earliest_dispute").at, _one(order, at, "earliest_dispute").status) == (
        ESTIMATE,
        "due",
    )
    filing = _one(order, at, "filing_ends")
    assert (filing.at, filing.status) == (ESTIMATE + 30 * DAY, "due")
    assert filing.label == "last moment to open a dispute"
    assert _one(order, at, "protection_ends").at == filing.at
    assert not _found(order, at, "shipping_deadline")  # no processing time: no such clock
    after = ESTIMATE + 31 * DAY
    assert _one(order, after, "estimated_delivery").status == "done"
    assert _one(order, after, "filing_ends").status == "expired"  # passed with no dispute


def test_an_ebay_order_without_an_estimate_has_no_opening_in_its_timeline() -> None:
    """eBay: shipped without an estimated delivery, neither the estimate nor the opening of
    'not received' nor the end of the time to open a dispute can be shown."""
    order = _shipped(EBAY_US, estimate=None)
    whats = {m.what for m in order.timeline(SHIPPED + DAY)}
    assert not whats & {"estimated_delivery", "earliest_dispute", "filing_ends"}


def test_the_ebay_seller_deadline_opens_an_escalation_and_is_no_automatic_step() -> None:
    """eBay: the seller's deadline is due while the seller may resolve the request, then
    done, with the dispute still waiting for the seller (nothing happened by itself)."""
    order = _shipped(EBAY_US)
    dispute = order.open_dispute(ESTIMATE + HOUR, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    deadline = dispute.seller_deadline
    assert deadline is not None
    before = _one(order, deadline - US, "seller_deadline")
    assert (before.at, before.status, before.detail) == (deadline, "due", "dispute 1")
    assert before.label == label_for("seller_deadline", EBAY_US)
    assert opens("seller_deadline", EBAY_US)
    assert not opens("seller_deadline", ALIEXPRESS)
    assert _one(order, deadline, "seller_deadline").status == "done"
    assert order.as_of(deadline + DAY).dispute.state is DisputeState.AWAITING_SELLER  # type: ignore[union-attr]
    assert all(e.action != "seller_timeout" for e in order.as_of(deadline + DAY).log)
    dispute.seller_reject(ESTIMATE + 2 * HOUR, counter_offer=Money("10.00", "USD"))
    assert _one(order, deadline, "seller_deadline").status == "done"  # escalation opened
    dispute.buyer_accept(ESTIMATE + 3 * HOUR)
    assert _one(order, deadline - US, "seller_deadline").status == "expired"  # moot


def test_an_unescalated_ebay_request_shows_its_closing_as_done() -> None:
    """eBay: the request's end (21 business days from its opening) is due, then done with
    an outcome of no refund by 'expired'."""
    order = _shipped(EBAY_UK)
    dispute = order.open_dispute(ESTIMATE + HOUR, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    closes = dispute.negotiation_deadline
    assert closes is not None
    assert _one(order, closes - US, "negotiation_deadline").status == "due"
    assert _one(order, closes, "negotiation_deadline").status == "done"
    assert _one(order, closes, "outcome").detail == "dispute 1: 0.00 USD by expired"


# -- PayPal -------------------------------------------------------------------------


def test_a_paypal_claims_seller_deadline_runs_from_the_escalation() -> None:
    """PayPal: no seller deadline in the inquiry; the escalation starts it (10 days), and
    makes the inquiry's end moot; the seller's answer makes it moot in turn."""
    order = _shipped(PAYPAL)
    dispute = order.open_dispute(SHIPPED + DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    assert not _found(order, SHIPPED + DAY, "seller_deadline")
    assert _one(order, SHIPPED + DAY, "negotiation_deadline").status == "due"
    escalated = SHIPPED + 2 * DAY
    dispute.escalate(escalated)
    claim = _one(order, escalated, "seller_deadline")
    assert (claim.at, claim.status) == (escalated + 10 * DAY, "due")
    assert claim.label == "the seller's time to answer the claim ends (silence refunds the claim)"
    assert _one(order, escalated, "escalate").label.startswith("escalated to a claim")
    assert _one(order, escalated, "negotiation_deadline").status == "expired"
    dispute.seller_reject(escalated + HOUR, counter_offer=Money("5.00", "USD"))
    assert _one(order, escalated + HOUR, "seller_deadline").status == "expired"


def test_the_filing_window_of_paypal_ends_180_days_after_payment() -> None:
    """PayPal: the time to open a dispute ends 180 days after payment; a dispute opened
    before it shows it as done."""
    order = _shipped(PAYPAL)
    assert _one(order, SHIPPED, "filing_ends").at == PAID + 180 * DAY
    dispute = order.open_dispute(SHIPPED + DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.cancel(SHIPPED + 2 * DAY)
    assert _one(order, PAID + 181 * DAY, "filing_ends").status == "done"


# -- Amazon ---------------------------------------------------------------------------


def test_amazons_wait_after_contacting_the_seller_is_an_opening() -> None:
    """Amazon: a first contact adds the end of the wait after it (48 hours), an opening due
    until then and done after; before any contact there is none."""
    order = _shipped(AMAZON_US)
    assert not _found(order, SHIPPED, "contact_wait_ends")
    contacted = ESTIMATE
    order.contact_seller(contacted)
    wait = _one(order, contacted, "contact_wait_ends")
    assert (wait.at, wait.status) == (contacted + 48 * HOUR, "due")
    assert "contact_wait_ends" in OPENINGS
    assert _one(order, contacted, "contact_seller").label == "buyer contacted the seller"
    assert _one(order, contacted + 48 * HOUR, "contact_wait_ends").status == "done"
    assert _one(order, contacted, "earliest_dispute").at == ESTIMATE + 3 * DAY


# -- appeals ----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [EBAY_US, PAYPAL, AMAZON_US])
def test_an_appealable_decision_shows_the_appeals_end(policy: Policy) -> None:
    """After the platform's decision under rules with appeals, the end of the time to appeal
    is due, then expired; an appeal takes it away and shows as done."""
    order = _shipped(policy)
    order.contact_seller(SHIPPED)
    opened = ESTIMATE + 3 * DAY
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    if policy is AMAZON_US:
        dispute.seller_reject(opened + HOUR, counter_offer=Money("0", "USD"))
    dispute.escalate(max(opened + 2 * HOUR, dispute.seller_deadline or opened))
    decided = order.last_event_at + DAY
    dispute.platform_decide(decided, refund=Money("10.00", "USD"))
    window = policy.appeal_window
    assert window is not None
    appeal = _one(order, decided, "appeal_deadline")
    assert (appeal.at, appeal.status, appeal.detail) == (decided + window, "due", "dispute 1")
    assert _one(order, decided + window, "appeal_deadline").status == "expired"
    dispute.appeal(decided + HOUR, by="buyer")
    assert not _found(order, decided + HOUR, "appeal_deadline")
    assert _one(order, decided + HOUR, "appeal").status == "done"


def test_an_aliexpress_decision_has_no_appeal_in_its_timeline() -> None:
    """AliExpress: the platform's decision is final: no appeal's end in the timeline."""
    order = Order("9-3", TOTAL, PAID)
    order.ship(SHIPPED)
    dispute = order.open_dispute(SHIPPED + 20 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(SHIPPED + 21 * DAY, counter_offer=Money("0", "USD"))
    dispute.escalate(SHIPPED + 22 * DAY)
    dispute.platform_decide(SHIPPED + 23 * DAY, refund=Money("10.00", "USD"))
    assert not _found(order, SHIPPED + 24 * DAY, "appeal_deadline")


# -- the calendar ------------------------------------------------------------------------


def test_an_ebay_calendar_words_each_event_by_the_rules() -> None:
    """to_ical of an eBay dispute: one event per due milestone, in the rules' words; the
    seller's deadline is an opening (the buyer may escalate from it), the estimated
    delivery a date, the others deadlines."""
    order = _shipped(EBAY_US)
    order.open_dispute(SHIPPED + HOUR, reason=Reason.NOT_AS_DESCRIBED, refund=TOTAL, evidence=["a"])
    at = SHIPPED + 2 * HOUR
    due = [m for m in order.timeline(at) if m.status == "due"]
    events = list(icalendar.Calendar.from_ical(to_ical(order, at)).walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [m.at for m in due]
    described = {m.what: str(e["description"]) for m, e in zip(due, events, strict=True)}
    assert set(described) >= {"estimated_delivery", "seller_deadline", "filing_ends"}
    assert described["seller_deadline"].endswith("possible from this moment.")
    assert "the buyer may ask the platform to step in" in described["seller_deadline"]
    assert described["estimated_delivery"].endswith("expected by this moment.")
    assert described["filing_ends"].endswith("act before it.")


# -- every preset ---------------------------------------------------------------------------


@given(preset_stories())
def test_every_presets_timeline_is_sorted_and_worded_by_its_rules(story: PresetStory) -> None:
    """A timeline of any preset is in time order; due milestones are after the instant
    asked and done ones not after it; each is worded as its rules say."""
    for order, at in looks(story):
        milestones = order.timeline(at)
        assert [m.at for m in milestones] == sorted(m.at for m in milestones)
        for milestone in milestones:
            assert milestone.label == label_for(milestone.what, order.policy)
            if milestone.status == "due":
                assert milestone.at > at, milestone
            if milestone.status == "done":
                assert milestone.at <= at, milestone


@given(preset_stories())
def test_a_due_opening_of_any_preset_can_be_used_then(story: PresetStory) -> None:
    """When the timeline shows an opening as due, what it opens succeeds at its instant:
    a 'not received' dispute (after the contact the rules ask first), any dispute at the
    end of the wait after the contact, an escalation at eBay's seller deadline."""
    for order, at in looks(story):
        for milestone in order.timeline(at):
            if milestone.status != "due" or not opens(milestone.what, order.policy):
                continue
            view = order.as_of(at)
            if milestone.what == "earliest_dispute":
                if view.policy.contact_wait is not None and view.contacted_at is None:
                    view.contact_seller(at)
                when = max(milestone.at, view.contact_wait_ends or milestone.at)
                view = view.as_of(when)
                view.open_dispute(when, reason=Reason.NOT_RECEIVED, refund=view.refundable)
            elif milestone.what == "contact_wait_ends":
                view = view.as_of(milestone.at)
                view.open_dispute(
                    milestone.at,
                    reason=Reason.NOT_AS_DESCRIBED,
                    refund=view.refundable,
                    evidence=["photo.jpg"],
                )
            else:
                view = view.as_of(milestone.at)
                assert view.dispute is not None
                view.dispute.escalate(milestone.at)
