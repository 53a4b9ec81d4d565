"""Amazon's A-to-z Guarantee (`AMAZON_US`) through the public API: the buyer contacts the
seller first and waits 48 hours before a claim, the seller's silence for 72 hours grants
it, a counter-offer goes to Amazon when the buyer escalates, with no clock on the
negotiation; every duration elapsed time, across a change of the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from buyer_protection import (
    AMAZON_US,
    DisputeState,
    InvalidAction,
    Money,
    Order,
    OrderState,
    Reason,
    Resolution,
)
from checks import TICK, dispute_of, refused, resolved_at, round_trips

NEW_YORK = ZoneInfo("America/New_York")
TOTAL = Money("100", "USD")
ESTIMATED = datetime(2026, 10, 20, 18, tzinfo=NEW_YORK)
"""The latest estimated delivery: claims "not received" open 3 days later, on 23 October."""
CONTACTED = datetime(2026, 10, 31, 10, tzinfo=NEW_YORK)
"""The buyer's first contact: Saturday 31 October 10:00 EDT, the day before the clocks
go back."""
WAITED = datetime(2026, 11, 2, 14, tzinfo=UTC)
"""48 hours of elapsed time after CONTACTED: Monday 09:00 EST."""
SELLER_ENDS = datetime(2026, 11, 5, 14, tzinfo=UTC)
"""72 hours of elapsed time after a claim filed at WAITED."""


def shipped() -> Order:
    """An order paid 100 USD, shipped with the estimated delivery ESTIMATED, checked for
    storage and replay at each step."""
    order = Order("amazon-1", TOTAL, ESTIMATED - timedelta(days=7), AMAZON_US)
    round_trips(order)
    order.ship(ESTIMATED - timedelta(days=6), estimated_delivery=ESTIMATED)
    round_trips(order)
    return order


def contacted() -> Order:
    """The order of `shipped`, whose buyer contacted the seller at CONTACTED."""
    order = shipped()
    order.contact_seller(CONTACTED)
    round_trips(order)
    return order


def claimed() -> Order:
    """The order of `contacted`, with a "not received" claim filed at WAITED."""
    order = contacted()
    order.open_dispute(WAITED, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    round_trips(order)
    return order


def test_a_claim_before_any_contact_with_the_seller_is_refused() -> None:
    """A claim (of any reason) filed before the buyer contacted the seller is refused with
    no instant it becomes possible, says to contact the seller first, and changes
    nothing."""
    order = shipped()

    for reason, evidence in ((Reason.NOT_RECEIVED, ()), (Reason.NOT_AS_DESCRIBED, ("a.jpg",))):
        error = refused(
            order,
            lambda reason=reason, evidence=evidence: order.open_dispute(
                WAITED, reason=reason, refund=TOTAL, evidence=evidence
            ),
        )
        assert isinstance(error, InvalidAction)
        assert error.possible_from is None
        assert "contact_seller" in str(error)


def test_the_buyer_files_48_hours_after_the_first_contact() -> None:
    """The wait ends 48 hours of elapsed time after the first contact, across the change
    of the clocks; one microsecond before, the claim is refused (possible from then) and
    changes nothing; at it, it is filed."""
    order = contacted()

    assert order.contacted_at == CONTACTED
    assert order.contact_wait_ends == WAITED
    elapsed = WAITED - CONTACTED
    assert elapsed == timedelta(hours=48)
    error = refused(
        order,
        lambda: order.open_dispute(WAITED - TICK, reason=Reason.NOT_RECEIVED, refund=TOTAL),
    )
    assert isinstance(error, InvalidAction)
    assert error.possible_from == WAITED
    order.open_dispute(WAITED, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    round_trips(order)
    assert dispute_of(order).state is DisputeState.AWAITING_SELLER


def test_later_contacts_do_not_move_the_wait() -> None:
    """Contacting the seller again is recorded, but the wait still counts from the first
    contact."""
    order = contacted()

    order.contact_seller(CONTACTED + timedelta(hours=47))
    round_trips(order)

    assert order.contacted_at == CONTACTED
    assert order.contact_wait_ends == WAITED
    assert [e.action for e in order.history].count("contact_seller") == 2
    order.open_dispute(WAITED, reason=Reason.NOT_RECEIVED, refund=TOTAL)


def test_the_later_of_the_two_waits_is_when_a_claim_becomes_possible() -> None:
    """Contacted before the "not received" window opens, the buyer may file from the later
    of the contact wait's end and 3 days after the estimated delivery."""
    order = shipped()
    order.contact_seller(ESTIMATED)
    opens = ESTIMATED + timedelta(days=3)

    error = refused(
        order,
        lambda: order.open_dispute(
            ESTIMATED + timedelta(hours=48), reason=Reason.NOT_RECEIVED, refund=TOTAL
        ),
    )

    assert isinstance(error, InvalidAction)
    assert error.possible_from == opens
    order.open_dispute(opens, reason=Reason.NOT_RECEIVED, refund=TOTAL)


def test_the_seller_s_silence_for_72_hours_grants_the_claim() -> None:
    """The seller's deadline is 72 hours of elapsed time after the claim; one microsecond
    before it, the claim waits; at it, the claim is refunded and the order closes."""
    order = claimed()
    dispute = dispute_of(order)
    assert dispute.seller_deadline == dispute.deadline == SELLER_ENDS
    elapsed = SELLER_ENDS - WAITED
    assert elapsed == timedelta(hours=72)

    outcome = resolved_at(order, SELLER_ENDS, DisputeState.AWAITING_SELLER)

    assert (outcome.refund, outcome.reached_by) == (TOTAL, Resolution.SELLER_REPONSE_TIMEOUT)
    assert order.refunded == TOTAL
    assert order.state is OrderState.CLOSED


def test_the_seller_s_silence_counts_across_the_change_of_the_clocks() -> None:
    """A claim filed the day before the clocks go back is granted 72 hours later, at an
    hour earlier on the wall clock."""
    order = shipped()
    order.contact_seller(CONTACTED - timedelta(days=3))
    order.open_dispute(CONTACTED, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    ends = datetime(2026, 11, 3, 9, tzinfo=NEW_YORK)

    outcome = resolved_at(order, ends, DisputeState.AWAITING_SELLER)

    assert outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
    elapsed = ends.astimezone(UTC) - CONTACTED.astimezone(UTC)  # by instant, not wall clock
    assert elapsed == timedelta(hours=72)


def test_the_buyer_cannot_escalate_before_the_seller_answers() -> None:
    """While the claim awaits the seller, asking Amazon to decide is refused (the seller's
    silence decides it) and changes nothing."""
    order = claimed()
    dispute = dispute_of(order)

    error = refused(order, lambda: dispute.escalate(SELLER_ENDS - TICK))

    assert isinstance(error, InvalidAction)
    assert "amazon-us" in str(error)


def test_after_the_seller_s_refusal_the_buyer_takes_the_claim_to_amazon() -> None:
    """The seller's counter-offer stops the 72 hours; the negotiation has no clock (it
    waits a year as it was), and the buyer escalates to Amazon, which decides."""
    order = claimed()
    dispute = dispute_of(order)

    dispute.seller_reject(SELLER_ENDS - TICK, counter_offer=Money("25", "USD"))
    round_trips(order)
    assert dispute.state is DisputeState.NEGOTIATING
    assert dispute.negotiation_deadline is None
    assert dispute.deadline is None
    assert order.next_deadline is None
    later = SELLER_ENDS + timedelta(days=365)
    order.advance(later)
    assert dispute.state is DisputeState.NEGOTIATING
    dispute.escalate(later)
    round_trips(order)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.deadline is None

    dispute.platform_decide(later + timedelta(days=2), refund=Money("60", "USD"))
    round_trips(order)
    assert dispute.outcome is not None
    assert dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE
    assert order.refunded == Money("60", "USD")


def test_the_buyer_accepts_the_seller_s_counter_offer() -> None:
    """In the negotiation the buyer may accept the seller's counter-offer: refunded, the
    order closes."""
    order = claimed()
    dispute = dispute_of(order)
    dispute.seller_reject(WAITED + timedelta(hours=1), counter_offer=Money("25", "USD"))

    dispute.buyer_accept(WAITED + timedelta(days=30))
    round_trips(order)

    assert dispute.outcome is not None
    assert dispute.outcome.refund == Money("25", "USD")
    assert order.state is OrderState.CLOSED


def test_a_contact_before_shipment_is_the_first_contact() -> None:
    """The buyer may contact the seller before it ships (asking when it ships, as the
    advice says); that contact is the first one, and a claim waits 48 hours from it, and
    for 3 days after the estimated delivery."""
    order = Order("amazon-2", TOTAL, ESTIMATED - timedelta(days=7), AMAZON_US)
    asked = ESTIMATED - timedelta(days=6, hours=12)
    order.contact_seller(asked)
    round_trips(order)
    assert (order.state.value, order.contacted_at) == ("awaiting_shipment", asked)
    order.ship(ESTIMATED - timedelta(days=6), estimated_delivery=ESTIMATED)
    assert order.contact_wait_ends == asked + timedelta(hours=48)
    assert order.earliest_dispute == ESTIMATED + timedelta(days=3)


def test_a_buyer_who_confirmed_receipt_contacts_the_seller_and_claims() -> None:
    """Confirming receipt does not shorten the window for a claim: the buyer who had not
    contacted the seller yet may do so once the order is completed, and claim 48 hours
    later."""
    order = shipped()
    order.confirm_receipt(ESTIMATED)
    round_trips(order)

    order.contact_seller(CONTACTED)
    round_trips(order)

    assert order.state is OrderState.COMPLETED
    assert order.contact_wait_ends == WAITED
    order.open_dispute(WAITED, reason=Reason.NOT_AS_DESCRIBED, refund=TOTAL, evidence=["a.jpg"])
    round_trips(order)
    assert order.state is OrderState.IN_DISPUTE
