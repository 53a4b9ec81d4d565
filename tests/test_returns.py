"""Tests for returns: a proposal's remedy, the agreement, and the return's states and clocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    Agreement,
    Dispute,
    DisputeState,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Outcome,
    Reason,
    Remedy,
    Resolution,
    dumps,
    loads,
)
from strategies import EPOCH, assert_refused, new_order

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
USD = "USD"
SHIP = EPOCH + DAY
OPENED = SHIP + 3 * DAY
SELLER_DEADLINE = OPENED + ALIEXPRESS.seller_response_window
AGREED = OPENED + DAY
RETURN_BY = AGREED + ALIEXPRESS.return_shipping_window
SHIPPED_BACK = AGREED + 2 * DAY
CONFIRM_BY = SHIPPED_BACK + ALIEXPRESS.return_confirm_window
FULL = Money("100", USD)
PART = Money("40", USD)
RETURN = Remedy.RETURN_AND_REFUND


def asking(
    remedy: Remedy | str = RETURN,
    refund: Money = FULL,
    reason: Reason = Reason.DAMAGED,
    **kw: object,
) -> Order:
    """An order for 100 USD shipped at SHIP, with a dispute opened at OPENED asking *refund*."""
    order = new_order()
    order.ship(SHIP)
    order.open_dispute(
        OPENED, reason=reason, refund=refund, remedy=remedy, evidence=("photo.jpg",), **kw
    )
    return order


def the(order: Order) -> Dispute:
    """The order's dispute."""
    assert order.dispute is not None
    return order.dispute


def awaiting_return() -> Order:
    """A return of the full amount, accepted by the seller at AGREED."""
    order = asking()
    the(order).seller_accept(AGREED)
    return order


def in_transit() -> Order:
    """The return of `awaiting_return`, shipped back by the buyer at SHIPPED_BACK."""
    order = awaiting_return()
    the(order).ship_return(SHIPPED_BACK, tracking_number="LP00123456789CN", carrier="Cainiao")
    return order


def refused_goods() -> Order:
    """The return of `in_transit`, whose goods the seller refused a day after they were sent."""
    order = in_transit()
    the(order).refuse_return(SHIPPED_BACK + DAY, note="The box came back empty.")
    return order


def negotiating(counter: Money = FULL, remedy: Remedy = RETURN, **kw: object) -> Order:
    """A refund-only request of 100 USD that the seller counters at AGREED."""
    order = asking(Remedy.REFUND)
    the(order).seller_reject(AGREED, counter_offer=counter, remedy=remedy, **kw)
    return order


# -- a proposal is an amount and a remedy -------------------------------------------------


def test_a_request_is_refund_only_unless_it_says_otherwise() -> None:
    """Without remedy, a dispute asks a refund (the buyer keeps the item), as before."""
    order = new_order()
    order.ship(SHIP)
    dispute = order.open_dispute(OPENED, reason=Reason.DAMAGED, refund=FULL, evidence=("a.jpg",))
    assert dispute.remedy is Remedy.REFUND
    assert dispute.return_postage_by is None
    assert dispute.counter_remedy is None
    assert dispute.agreement is None
    assert dispute.return_tracking is None
    assert "remedy" not in order.log[-1].details


def test_a_return_request_has_the_seller_pay_the_postage_by_default() -> None:
    """A return asked without a payer has the seller pay its postage, recorded as default."""
    order = asking("return_and_refund")
    dispute = the(order)
    assert dispute.remedy is RETURN
    assert dispute.return_postage_by is Actor.SELLER
    assert dispute.history == ()
    opening = order.log[-1]
    assert opening.details["remedy"] is RETURN
    assert "return_postage_by" not in opening.details


@pytest.mark.parametrize("payer", [Actor.BUYER, "buyer", Actor.PLATFORM])
def test_a_proposal_may_name_another_postage_payer(payer: Actor | str) -> None:
    """return_postage_by names who pays the return's postage, kept in the entry's details."""
    order = asking(return_postage_by=payer)
    expected = Actor(payer)
    assert the(order).return_postage_by is expected
    assert order.log[-1].details["return_postage_by"] is expected


def test_the_seller_named_as_payer_is_the_default_and_not_recorded() -> None:
    """return_postage_by='seller' is the default: the entry records it no differently."""
    order = asking(return_postage_by=Actor.SELLER)
    assert the(order).return_postage_by is Actor.SELLER
    assert "return_postage_by" not in order.log[-1].details


_NOT_RECEIVED = [r for r in Reason if not r.item_received]


@pytest.mark.parametrize("reason", _NOT_RECEIVED)
def test_a_return_for_an_item_not_received_is_refused_at_opening(reason: Reason) -> None:
    """A return makes sense only for an item the buyer has: refused, nothing changed."""

    def shipped() -> Order:
        order = new_order()
        order.ship(SHIP)
        return order

    error = assert_refused(
        shipped,
        lambda o: o.open_dispute(
            SHIP + 20 * DAY, reason=reason, refund=FULL, remedy="return_and_refund"
        ),
        InvalidInput,
    )
    assert str(error).startswith("remedy: a return needs an item the buyer has")
    assert reason.value in str(error)


def _not_received() -> Order:
    order = new_order()
    order.ship(SHIP)
    order.open_dispute(SHIP + 20 * DAY, reason=Reason.NOT_RECEIVED, refund=FULL)
    return order


def _not_received_escalated() -> Order:
    order = _not_received()
    the(order).seller_reject(SHIP + 21 * DAY, counter_offer=PART)
    the(order).escalate(SHIP + 22 * DAY)
    return order


_LATER = SHIP + 23 * DAY


@pytest.mark.parametrize(
    ("build", "act"),
    [
        (_not_received, lambda d: d.buyer_modify(_LATER, refund=PART, remedy=RETURN)),
        (_not_received, lambda d: d.seller_reject(_LATER, counter_offer=PART, remedy=RETURN)),
        (_not_received_escalated, lambda d: d.platform_decide(_LATER, refund=PART, remedy=RETURN)),
    ],
    ids=["buyer_modify", "seller_reject", "platform_decide"],
)
def test_a_return_for_an_item_not_received_is_refused_on_every_proposal(
    build: Callable[[], Order], act: Callable[[Dispute], None]
) -> None:
    """buyer_modify, seller_reject and platform_decide refuse a return of an item not received."""
    error = assert_refused(build, lambda o: act(the(o)), InvalidInput)
    assert str(error).startswith("remedy: a return needs an item the buyer has")


@pytest.mark.parametrize("remedy", ["swap", "", 1, None, Reason.DAMAGED])
def test_an_unknown_remedy_is_refused_naming_the_known_ones(remedy: object) -> None:
    """A remedy that is not one of Remedy's is InvalidInput listing them, nothing changed."""
    error = assert_refused(
        negotiating,
        lambda o: the(o).buyer_modify(AGREED + DAY, refund=PART, remedy=remedy),  # type: ignore[arg-type]
        InvalidInput,
    )
    assert str(error).startswith("remedy:")
    assert "return_and_refund" in str(error)


@pytest.mark.parametrize("payer", ["system", Actor.CARRIER, "nobody", 3])
def test_only_a_side_can_pay_the_postage(payer: object) -> None:
    """return_postage_by is the seller, the buyer or the platform; anything else is refused."""
    error = assert_refused(
        negotiating,
        lambda o: the(o).buyer_modify(
            AGREED + DAY,
            refund=PART,
            remedy=RETURN,
            return_postage_by=payer,  # type: ignore[arg-type]
        ),
        InvalidInput,
    )
    assert str(error).startswith("return_postage_by:")
    assert "one of 'seller', 'buyer', 'platform' (or an Actor of those)" in str(error)
    assert "'carrier'" not in str(error).split("postage;")[1]


def test_a_postage_payer_without_a_return_is_refused() -> None:
    """return_postage_by with the refund remedy is InvalidInput: there is nothing to return."""
    error = assert_refused(
        negotiating,
        lambda o: the(o).buyer_modify(AGREED + DAY, refund=PART, return_postage_by="seller"),
        InvalidInput,
    )
    assert "given with the remedy 'refund'" in str(error)


def test_a_return_for_nothing_is_refused() -> None:
    """A return's refund is above zero: a zero counter-offer with a return is refused."""
    error = assert_refused(
        lambda: asking(Remedy.REFUND),
        lambda o: the(o).seller_reject(AGREED, counter_offer=Money("0", USD), remedy=RETURN),
        InvalidInput,
    )
    assert "a return's refund is above zero" in str(error)


# -- counter-offers ------------------------------------------------------------------------


def test_a_counter_offer_of_the_same_amount_with_a_return_is_valid() -> None:
    """The seller may offer the full amount against the item's return: negotiating."""
    dispute = the(negotiating(FULL, RETURN))
    assert dispute.state is DisputeState.NEGOTIATING
    assert dispute.counter_offer == FULL
    assert dispute.counter_remedy is RETURN
    assert dispute.remedy is Remedy.REFUND
    assert dispute.return_postage_by is None  # while negotiating: the buyer's request's


def test_a_counter_offer_of_the_same_amount_with_a_refund_against_a_return_is_valid() -> None:
    """Against a request of a return, a refund of the same amount (keep the item) differs."""
    order = asking()
    the(order).seller_reject(AGREED, counter_offer=FULL)
    assert the(order).counter_remedy is Remedy.REFUND


def test_a_counter_offer_equal_to_the_request_is_refused() -> None:
    """The same amount with the same remedy is the request: seller_accept, not a counter-offer."""
    error = assert_refused(
        asking,
        lambda o: the(o).seller_reject(AGREED, counter_offer=FULL, remedy=RETURN),
        InvalidInput,
    )
    assert str(error).startswith(
        "counter_offer: 100.00 USD is not less than the buyer's request 100.00 USD"
    )
    assert "use seller_accept" in str(error)


def test_a_counter_offer_above_the_request_is_refused() -> None:
    """A counter-offer is never above the request, whatever its remedy."""
    error = assert_refused(
        lambda: asking(refund=PART),
        lambda o: the(o).seller_reject(AGREED, counter_offer=FULL, remedy=Remedy.REFUND),
        InvalidInput,
    )
    assert "is more than the buyer's request 40.00 USD" in str(error)


def test_the_counter_offers_payer_applies_once_it_is_accepted() -> None:
    """While negotiating the postage reads the request; accepted, the counter-offer's payer."""
    order = asking(return_postage_by="platform")
    the(order).seller_reject(AGREED, counter_offer=PART, remedy=RETURN, return_postage_by="buyer")
    assert the(order).return_postage_by is Actor.PLATFORM
    the(order).buyer_accept(AGREED + DAY)
    assert the(order).return_postage_by is Actor.BUYER
    agreement = the(order).agreement
    assert agreement == Agreement(
        PART, RETURN, Resolution.NEGOTIATION_CONSENSUS, AGREED + DAY, Actor.BUYER
    )


def test_the_buyer_changing_the_request_drops_the_counter_offer_and_its_remedy() -> None:
    """buyer_modify starts over: no counter-offer, no counter remedy, the new remedy in force."""
    order = negotiating(FULL, RETURN, return_postage_by="buyer")
    the(order).buyer_modify(AGREED + DAY, refund=PART, remedy=RETURN)
    dispute = the(order)
    assert dispute.counter_offer is None
    assert dispute.counter_remedy is None
    assert dispute.remedy is RETURN
    assert dispute.return_postage_by is Actor.SELLER
    assert order.log[-1].details == {"refund": PART, "remedy": RETURN}


# -- agreements ------------------------------------------------------------------------------


def test_a_refund_only_agreement_is_carried_out_at_once() -> None:
    """Accepting a refund-only request resolves the dispute, refunds and closes, as before."""
    order = asking(Remedy.REFUND, PART)
    the(order).seller_accept(AGREED)
    dispute = the(order)
    assert dispute.state is DisputeState.RESOLVED
    assert dispute.agreement == Agreement(
        PART, Remedy.REFUND, Resolution.NEGOTIATION_CONSENSUS, AGREED
    )
    assert dispute.outcome == Outcome(PART, Resolution.NEGOTIATION_CONSENSUS, AGREED)
    assert order.state is OrderState.CLOSED
    assert order.refunded == PART


def _accepted_by_seller() -> Order:
    return awaiting_return()


def _accepted_by_buyer() -> Order:
    order = negotiating(PART, RETURN)
    the(order).buyer_accept(AGREED + DAY)
    return order


def _decided() -> Order:
    order = negotiating(PART, Remedy.REFUND)
    the(order).escalate(AGREED + DAY)
    the(order).platform_decide(AGREED + 2 * DAY, refund=PART, remedy=RETURN)
    return order


def _seller_silent() -> Order:
    order = asking(return_postage_by="buyer")
    order.advance(SELLER_DEADLINE)
    return order


@pytest.mark.parametrize(
    ("build", "agreement"),
    [
        (
            _accepted_by_seller,
            Agreement(FULL, RETURN, Resolution.NEGOTIATION_CONSENSUS, AGREED, Actor.SELLER),
        ),
        (
            _accepted_by_buyer,
            Agreement(PART, RETURN, Resolution.NEGOTIATION_CONSENSUS, AGREED + DAY, Actor.SELLER),
        ),
        (
            _decided,
            Agreement(PART, RETURN, Resolution.PLATFORM_ARBITRATE, AGREED + 2 * DAY, Actor.SELLER),
        ),
        (
            _seller_silent,
            Agreement(
                FULL, RETURN, Resolution.SELLER_REPONSE_TIMEOUT, SELLER_DEADLINE, Actor.BUYER
            ),
        ),
    ],
    ids=["seller_accept", "buyer_accept", "platform_decide", "seller_timeout"],
)
def test_an_agreement_on_a_return_waits_for_the_return(
    build: Callable[[], Order], agreement: Agreement
) -> None:
    """Every way to agree on a return moves the dispute to awaiting_return, refunding nothing."""
    order = build()
    dispute = the(order)
    assert dispute.state is DisputeState.AWAITING_RETURN
    assert dispute.agreement == agreement
    assert dispute.outcome is None
    assert dispute.is_open
    assert order.state is OrderState.IN_DISPUTE
    assert order.refunded == Money.zero(USD)
    assert dispute.return_ship_deadline == agreement.at + ALIEXPRESS.return_shipping_window
    deadline = order.next_deadline
    assert deadline is not None
    assert (deadline.at, deadline.action, deadline.subject) == (
        dispute.return_ship_deadline,
        "return_timeout",
        "dispute",
    )
    assert dispute.deadline == dispute.return_ship_deadline
    assert order.allowed() == ("ship_return",)


def test_the_sellers_silence_on_a_return_is_recorded_with_the_remedy() -> None:
    """The automatic seller_timeout on a return request records the remedy and the payer."""
    order = _seller_silent()
    step = order.log[-1]
    assert (step.action, step.actor, step.at) == ("seller_timeout", Actor.SYSTEM, SELLER_DEADLINE)
    assert step.after is DisputeState.AWAITING_RETURN
    assert step.details == {
        "refund": FULL,
        "reached_by": Resolution.SELLER_REPONSE_TIMEOUT,
        "remedy": RETURN,
        "return_postage_by": Actor.BUYER,
    }


# -- the return's states and clocks ------------------------------------------------------------


def test_shipping_the_return_starts_the_sellers_time_to_confirm() -> None:
    """ship_return keeps the tracking number and carrier and runs the confirm window."""
    order = in_transit()
    dispute = the(order)
    assert dispute.state is DisputeState.RETURN_IN_TRANSIT
    assert dispute.return_tracking == "LP00123456789CN"
    assert dispute.return_carrier == "Cainiao"
    assert dispute.return_shipped_at == SHIPPED_BACK
    assert dispute.return_confirm_deadline == CONFIRM_BY
    assert order.next_deadline is not None
    assert order.next_deadline.action == "return_confirm_timeout"
    assert order.next_deadline.at == CONFIRM_BY
    assert set(order.allowed()) == {"confirm_return", "refuse_return"}
    entry = order.log[-1]
    assert (entry.action, entry.actor) == ("ship_return", Actor.BUYER)
    assert entry.details == {"tracking_number": "LP00123456789CN", "carrier": "Cainiao"}


def test_a_tracking_number_may_hold_spaces_and_any_script() -> None:
    """A label as printed (inner spaces, letters of any script) is kept exactly."""
    order = awaiting_return()
    the(order).ship_return(SHIPPED_BACK, tracking_number="RR 4829 135 76BR", carrier="顺丰速运")
    assert (the(order).return_tracking, the(order).return_carrier) == (
        "RR 4829 135 76BR",
        "顺丰速运",
    )


def test_a_return_without_a_carrier_records_only_the_tracking_number() -> None:
    """carrier is optional: an entry without it has the tracking number alone."""
    order = awaiting_return()
    the(order).ship_return(SHIPPED_BACK, tracking_number="RR1")
    assert the(order).return_carrier == ""
    assert order.log[-1].details == {"tracking_number": "RR1"}


def test_the_return_can_be_shipped_until_a_microsecond_before_its_deadline() -> None:
    """ship_return at RETURN_BY - 1 us is on time."""
    order = awaiting_return()
    the(order).ship_return(RETURN_BY - US, tracking_number="LP1")
    assert the(order).state is DisputeState.RETURN_IN_TRANSIT


def test_a_return_not_shipped_in_time_gives_the_money_to_the_seller() -> None:
    """At RETURN_BY the return times out: resolved with no refund, return_not_shipped."""
    order = awaiting_return()
    error = assert_refused(
        awaiting_return,
        lambda o: the(o).ship_return(RETURN_BY, tracking_number="LP1"),
        InvalidAction,
        at=RETURN_BY,
    )
    assert "return_not_shipped" in str(error)
    order.advance(RETURN_BY)
    dispute = the(order)
    assert dispute.state is DisputeState.RESOLVED
    assert dispute.outcome == Outcome(Money.zero(USD), Resolution.RETURN_NOT_SHIPPED, RETURN_BY)
    assert dispute.agreement is not None  # the agreement was reached; the buyer did not ship
    assert order.state is OrderState.CLOSED
    assert order.refunded == Money.zero(USD)
    assert [e.action for e in order.log[-2:]] == ["return_timeout", "dispute_resolved"]


def test_the_seller_confirming_the_return_pays_the_agreed_refund_then() -> None:
    """confirm_return a microsecond before CONFIRM_BY pays the refund at that instant."""
    order = in_transit()
    the(order).confirm_return(CONFIRM_BY - US)
    dispute = the(order)
    assert dispute.state is DisputeState.RESOLVED
    assert dispute.outcome == Outcome(FULL, Resolution.NEGOTIATION_CONSENSUS, CONFIRM_BY - US)
    assert order.state is OrderState.CLOSED
    assert order.refunded == FULL
    assert order.refundable == Money.zero(USD)


def test_the_sellers_silence_on_a_shipped_return_pays_the_refund() -> None:
    """At CONFIRM_BY the refund is paid by itself; confirming then is refused."""
    error = assert_refused(
        in_transit, lambda o: the(o).confirm_return(CONFIRM_BY), InvalidAction, at=CONFIRM_BY
    )
    assert "resolved" in str(error)
    order = in_transit()
    order.advance(CONFIRM_BY)
    assert the(order).outcome == Outcome(FULL, Resolution.NEGOTIATION_CONSENSUS, CONFIRM_BY)
    assert order.refunded == FULL
    step = [e for e in order.log if e.action == "return_confirm_timeout"]
    assert [(e.actor, e.at, dict(e.details)) for e in step] == [
        (Actor.SYSTEM, CONFIRM_BY, {"refund": FULL})
    ]


def test_the_seller_refusing_the_goods_sets_the_agreement_aside() -> None:
    """refuse_return sends the dispute to the platform; the tracking number stays."""
    order = refused_goods()
    dispute = the(order)
    assert dispute.state is DisputeState.ARBITRATION
    assert dispute.agreement is None
    assert dispute.return_tracking == "LP00123456789CN"
    assert dispute.deadline is None
    assert dispute.return_confirm_deadline is None  # moot: the goods were refused
    assert order.state is OrderState.IN_DISPUTE
    assert order.allowed() == ("platform_decide",)
    entry = order.log[-1]
    assert (entry.action, entry.actor, dict(entry.details)) == (
        "refuse_return",
        Actor.SELLER,
        {"note": "The box came back empty."},
    )


def test_the_buyer_cannot_withdraw_once_the_item_went_back() -> None:
    """After refuse_return the seller holds the item: cancelling would leave the buyer with
    neither, so it is refused, naming why; the platform decides."""
    error = assert_refused(refused_goods, lambda o: the(o).cancel(CONFIRM_BY), InvalidAction)
    assert "the item was shipped back (tracking 'LP00123456789CN')" in str(error)
    assert "allowed now: platform_decide (platform)" in str(error)


def test_the_platform_settles_a_refused_return() -> None:
    """After refuse_return, platform_decide refunds what it decides and ends the dispute."""
    order = refused_goods()
    the(order).platform_decide(SHIPPED_BACK + 3 * DAY, refund=PART)
    dispute = the(order)
    assert dispute.outcome == Outcome(PART, Resolution.PLATFORM_ARBITRATE, SHIPPED_BACK + 3 * DAY)
    assert dispute.agreement == Agreement(
        PART, Remedy.REFUND, Resolution.PLATFORM_ARBITRATE, SHIPPED_BACK + 3 * DAY
    )
    assert order.refunded == PART
    assert order.state is OrderState.CLOSED


def test_the_platform_may_order_the_return_again() -> None:
    """A new return decided after a refused one starts over, with no tracking yet."""
    order = refused_goods()
    the(order).platform_decide(SHIPPED_BACK + 3 * DAY, refund=FULL, remedy=RETURN)
    dispute = the(order)
    assert dispute.state is DisputeState.AWAITING_RETURN
    assert dispute.return_tracking is None
    assert dispute.return_shipped_at is None
    assert dispute.return_confirm_deadline is None
    dispute.ship_return(SHIPPED_BACK + 4 * DAY, tracking_number="LP2")
    dispute.confirm_return(SHIPPED_BACK + 9 * DAY)
    assert order.refunded == FULL


@pytest.mark.parametrize(
    ("build", "act"),
    [
        (awaiting_return, lambda d: d.cancel(AGREED + DAY)),
        (awaiting_return, lambda d: d.escalate(AGREED + DAY)),
        (awaiting_return, lambda d: d.buyer_modify(AGREED + DAY, refund=PART)),
        (awaiting_return, lambda d: d.confirm_return(AGREED + DAY)),
        (awaiting_return, lambda d: d.seller_accept(AGREED + DAY)),
        (in_transit, lambda d: d.cancel(SHIPPED_BACK + DAY)),
        (in_transit, lambda d: d.ship_return(SHIPPED_BACK + DAY, tracking_number="LP3")),
        (in_transit, lambda d: d.platform_decide(SHIPPED_BACK + DAY, refund=PART)),
        (in_transit, lambda d: d.escalate(SHIPPED_BACK + DAY)),
        (lambda: asking(Remedy.REFUND), lambda d: d.ship_return(AGREED, tracking_number="LP4")),
        (lambda: asking(Remedy.REFUND), lambda d: d.confirm_return(AGREED)),
        (lambda: asking(Remedy.REFUND), lambda d: d.refuse_return(AGREED, note="no")),
    ],
)
def test_the_return_states_allow_only_the_returns_actions(
    build: Callable[[], Order], act: Callable[[Dispute], None]
) -> None:
    """In a return state only the table's actions are allowed, and they only there."""
    error = assert_refused(build, lambda o: act(the(o)), InvalidAction)
    assert isinstance(error, InvalidAction)
    assert error.allowed == build().allowed()
    for action in error.allowed:
        assert f"{action} (" in str(error)


def test_refusals_name_who_takes_the_returns_actions() -> None:
    """The 'allowed now' list of a refusal names each return action with its actor."""
    error = assert_refused(in_transit, lambda o: the(o).cancel(CONFIRM_BY - DAY), InvalidAction)
    assert "allowed now: confirm_return (seller), refuse_return (seller)" in str(error)
    error = assert_refused(awaiting_return, lambda o: the(o).cancel(AGREED + DAY), InvalidAction)
    assert "allowed now: ship_return (buyer)" in str(error)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"tracking_number": ""}, "tracking_number: expected a non-empty"),
        ({"tracking_number": 12345}, "tracking_number: expected a str"),
        ({"tracking_number": "L" * 201}, "tracking_number: 201 characters"),
        ({"tracking_number": "LP1", "carrier": None}, "carrier: expected a str"),
        ({"tracking_number": "LP1", "carrier": "\ud800"}, "carrier:"),
        ({"tracking_number": "   "}, "tracking_number: '   ' has no visible character"),
        ({"tracking_number": "LP\n1"}, "tracking_number: the character at position 2"),
        ({"tracking_number": "\x00"}, "tracking_number: the character at position 0"),
        ({"tracking_number": "LP1", "carrier": "Cai\tniao"}, "carrier: the character at"),
        ({"tracking_number": "LP1", "carrier": " "}, "carrier: ' ' has no visible character"),
    ],
)
def test_a_return_needs_a_tracking_number(kw: dict[str, object], words: str) -> None:
    """ship_return refuses a missing, empty, overlong or non-str tracking number or carrier."""
    error = assert_refused(
        awaiting_return,
        lambda o: the(o).ship_return(SHIPPED_BACK, **kw),  # type: ignore[arg-type]
        InvalidInput,
    )
    assert str(error).startswith(words), str(error)


@pytest.mark.parametrize("note", ["", None, 7])
def test_refusing_the_goods_needs_a_note(note: object) -> None:
    """refuse_return says why in a non-empty note; anything else is refused."""
    error = assert_refused(
        in_transit,
        lambda o: the(o).refuse_return(SHIPPED_BACK + DAY, note=note),  # type: ignore[arg-type]
        InvalidInput,
    )
    assert str(error).startswith("note:")


def test_protection_does_not_complete_an_order_while_its_return_runs() -> None:
    """A return running past the end of protection keeps the order in dispute until it ends."""
    order = new_order()
    order.ship(SHIP)
    ends = order.protection_ends
    assert ends is not None
    dispute = order.open_dispute(
        ends - 2 * DAY, reason=Reason.QUALITY, refund=PART, remedy=RETURN, evidence=("a.jpg",)
    )
    dispute.seller_accept(ends - DAY)
    dispute.ship_return(ends + DAY, tracking_number="LP5")
    order.advance(ends + 20 * DAY)
    assert order.state is OrderState.IN_DISPUTE
    assert order.completed_at is None
    dispute.confirm_return(ends + 21 * DAY)
    assert order.state is OrderState.CLOSED
    assert order.refunded == PART


def test_looking_ahead_shows_the_return_paid_without_changing_the_order() -> None:
    """as_of past the confirm window shows the refund paid; the order itself is unchanged."""
    order = in_transit()
    later = order.as_of(CONFIRM_BY)
    assert later.refunded == FULL
    assert the(order).state is DisputeState.RETURN_IN_TRANSIT
    assert order.refunded == Money.zero(USD)


def test_the_timeline_shows_the_returns_clocks() -> None:
    """The timeline has the return's deadlines: shipped on time, the confirmation due."""
    order = in_transit()
    milestones = {m.what: m for m in order.timeline(SHIPPED_BACK + DAY)}
    assert milestones["return_ship_deadline"].at == RETURN_BY
    assert milestones["return_confirm_deadline"].at == CONFIRM_BY
    assert milestones["return_confirm_deadline"].status == "due"
    assert milestones["ship_return"].status == "done"


# -- the log and the document ---------------------------------------------------------------


_BUILDS = {
    "awaiting_return": awaiting_return,
    "in_transit": in_transit,
    "refused_goods": refused_goods,
    "seller_silent": _seller_silent,
    "decided": _decided,
    "accepted_by_buyer": _accepted_by_buyer,
}


@pytest.mark.parametrize("build", _BUILDS.values(), ids=_BUILDS.keys())
def test_a_return_replays_from_its_log_and_round_trips_through_a_document(
    build: Callable[[], Order],
) -> None:
    """Every return state is rebuilt equal from the log alone, and from its JSON document."""
    order = build()
    again = Order.replay(order.log)
    assert again.log == order.log
    loaded = loads(dumps(order))
    assert dumps(loaded) == dumps(order)
    dispute, twin = the(order), the(loaded)
    for name in (
        "state",
        "remedy",
        "counter_remedy",
        "agreement",
        "return_postage_by",
        "return_tracking",
        "return_carrier",
        "return_shipped_at",
        "deadline",
    ):
        assert getattr(twin, name) == getattr(dispute, name), name


def test_a_document_whose_agreement_disagrees_with_its_history_is_refused() -> None:
    """The stored agreement is checked against the replay like every other field."""
    document = json.loads(dumps(awaiting_return()))
    document["disputes"][0]["agreement"]["refund"]["amount"] = "99.00"
    with pytest.raises(InvalidInput, match=r"disputes\[0\]\.agreement\.refund"):
        loads(json.dumps(document))


def test_an_agreement_is_a_frozen_value() -> None:
    """Agreement is immutable and compares by value."""
    agreement = Agreement(FULL, RETURN, Resolution.NEGOTIATION_CONSENSUS, AGREED, Actor.SELLER)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        agreement.refund = PART  # type: ignore[misc]
    assert agreement == attrs.evolve(agreement)
    assert (
        Agreement(FULL, Remedy.REFUND, Resolution.PLATFORM_ARBITRATE, AGREED).return_postage_by
        is None
    )


def test_the_return_windows_are_policy_fields() -> None:
    """Shorter windows in a custom policy move the return's deadlines."""
    policy = attrs.evolve(
        ALIEXPRESS, return_shipping_window=timedelta(days=3), return_confirm_window=DAY
    )
    order = Order("8000-2", FULL, EPOCH, policy)
    order.ship(SHIP)
    dispute = order.open_dispute(
        OPENED, reason=Reason.WRONG_ITEM, refund=FULL, remedy=RETURN, evidence=("a.jpg",)
    )
    dispute.seller_accept(AGREED)
    assert dispute.return_ship_deadline == AGREED + timedelta(days=3)
    dispute.ship_return(AGREED + DAY, tracking_number="LP6")
    assert dispute.return_confirm_deadline == AGREED + 2 * DAY


@pytest.mark.parametrize("window", ["return_shipping_window", "return_confirm_window"])
@pytest.mark.parametrize("value", [timedelta(0), timedelta(days=-1), 10, "P10D"])
def test_a_return_window_is_a_positive_duration(window: str, value: object) -> None:
    """A return window of zero, negative or not a timedelta is InvalidInput naming the field."""
    with pytest.raises(InvalidInput, match=rf"^Policy\.{window}: expected a datetime\.timedelta"):
        attrs.evolve(ALIEXPRESS, **{window: value})


def test_return_windows_of_none_have_no_clock() -> None:
    """With both return windows None (no such clock), an agreed return waits for the buyer's
    shipment and then for the seller's answer however long it takes."""
    policy = attrs.evolve(ALIEXPRESS, return_shipping_window=None, return_confirm_window=None)
    order = Order("8000-3", FULL, EPOCH, policy)
    order.ship(SHIP)
    dispute = order.open_dispute(
        OPENED, reason=Reason.WRONG_ITEM, refund=FULL, remedy=RETURN, evidence=("a.jpg",)
    )
    dispute.seller_accept(AGREED)
    assert (dispute.return_ship_deadline, dispute.deadline) == (None, None)
    order.advance(AGREED + 400 * DAY)
    assert dispute.state is DisputeState.AWAITING_RETURN
    dispute.ship_return(AGREED + 400 * DAY, tracking_number="LP7")
    assert (dispute.return_confirm_deadline, dispute.deadline) == (None, None)
    order.advance(AGREED + 800 * DAY)
    assert dispute.state is DisputeState.RETURN_IN_TRANSIT
    dispute.confirm_return(AGREED + 800 * DAY)
    assert order.refunded == FULL


def _platform_return() -> Order:
    """An order the platform shipped, whose dispute it decided as a return, shipped back."""
    order = new_order()
    order.ship(SHIP, by_platform=True)
    dispute = order.open_dispute(OPENED, reason=Reason.QUALITY, refund=FULL, evidence=("a.jpg",))
    dispute.platform_decide(AGREED, refund=FULL, remedy=RETURN)
    dispute.ship_return(SHIPPED_BACK, tracking_number="RR123456785CN")
    return order


def test_on_an_order_the_platform_shipped_the_platform_confirms_the_return() -> None:
    """The platform handles such a dispute: confirming the return is recorded as its step."""
    order = _platform_return()
    the(order).confirm_return(SHIPPED_BACK + DAY)
    assert [(e.action, e.actor) for e in the(order).history] == [
        ("platform_decide", Actor.PLATFORM),
        ("ship_return", Actor.BUYER),
        ("confirm_return", Actor.PLATFORM),
    ]
    assert order.refunded == FULL
    assert Order.replay(order.log).log == order.log


def test_refusals_name_the_platform_as_who_confirms_its_return() -> None:
    """The 'allowed now' list says the platform, not the seller, confirms or refuses it."""
    error = assert_refused(
        _platform_return, lambda o: the(o).cancel(AGREED + 3 * DAY), InvalidAction
    )
    assert "allowed now: confirm_return (platform), refuse_return (platform)" in str(error)


def test_a_log_that_has_the_seller_confirm_a_platform_return_is_refused() -> None:
    """Replaying a platform-handled return whose confirmation names the seller is refused."""
    order = _platform_return()
    the(order).confirm_return(SHIPPED_BACK + DAY)
    log = list(order.log)
    i = next(i for i, e in enumerate(log) if e.action == "confirm_return")
    log[i] = attrs.evolve(log[i], actor=Actor.SELLER)
    with pytest.raises(InvalidInput, match="the rules record it differently"):
        Order.replay(log)
