"""A stateful test: random sequences of every action and time jump, checked after each step.

`OrderLifecycle` drives two identical orders through the public API: ``order``
acts directly, ``twin`` first advances to the action's instant and then acts.
Refusals (`InvalidAction`, `InvalidInput`) are allowed answers, but they must
change nothing beyond the automatic steps due by then, and both orders must
agree. The invariants hold after every step. Proposals may ask a refund or a
return (rarely a wrong remedy or postage payer), and the return's own actions
and clocks take part like every other.

The rules are drawn from every preset (AliExpress in each version, eBay US and UK,
PayPal, Amazon US), as they are or with random clocks and switches, and from
AliExpress's with random windows; time jumps land on every clock the order and its
dispute read (the seller's window, the negotiation's close, a claim's, the appeal's,
the contact wait, the filing window's end), a microsecond before, at or after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from buyer_protection import (
    Actor,
    Anchor,
    Consequence,
    DisputeState,
    HistoryEntry,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
    Remedy,
    Resolution,
    TrackingEvent,
    TrackingStatus,
    dumps,
    loads,
)
from strategies import (
    APPELLANTS,
    BAD_TRACKING_NUMBERS,
    CARRIERS,
    CLOCKS,
    NOTES,
    RETURN_STATES,
    TRACKING_NUMBERS,
    any_policies,
    assert_refunded_once,
    assert_return_rules,
    aware_datetimes,
    clock,
    dispute_snapshot,
    estimated,
    estimates,
    money,
    other_remedy,
    proposal_arguments,
    proposals,
    share,
    snapshot,
    zones,
)

US = timedelta(microseconds=1)
Call = Callable[[Order, Any], object]

JUMPS = tuple(
    c for c in CLOCKS if c not in ("shipping_deadline", "protection_ends", "post_completion_ends")
)
"""The clocks a time jump lands on, beside the next deadline (which the order's own clocks
always are, and which ``("deadline", offset)`` lands on)."""

#: How an action picks its instant: (kind, parameter).
whens = st.one_of(
    st.just(("now", None)),
    st.tuples(st.just("later"), st.timedeltas(timedelta(0), timedelta(hours=12))),
    st.tuples(st.just("later"), st.timedeltas(timedelta(0), timedelta(days=3))),
    st.tuples(st.just("later"), st.integers(1, 40).map(lambda n: timedelta(days=n))),
    st.tuples(st.just("deadline"), st.sampled_from([-1, 0, 1])),
    st.tuples(st.just("deadline"), st.sampled_from([-1, 0, 1])),
    st.tuples(st.just("clock"), st.tuples(st.sampled_from(JUMPS), st.sampled_from([-1, 0, 1]))),
    st.tuples(st.just("clock"), st.tuples(st.sampled_from(JUMPS), st.sampled_from([-1, 0, 1]))),
    st.tuples(st.just("zone"), zones()),
    st.tuples(st.just("past"), st.timedeltas(US, timedelta(days=3))),
    st.just(("naive", None)),
)
percents = st.one_of(st.just(100), st.integers(0, 110))
offers = st.one_of(st.integers(0, 99), st.integers(0, 110), st.just(100))
rarely = st.integers(0, 7).map(lambda n: n == 0)
tracking_numbers = st.one_of(
    st.sampled_from(TRACKING_NUMBERS),
    st.sampled_from(TRACKING_NUMBERS),
    st.sampled_from(BAD_TRACKING_NUMBERS),
)
carriers = st.sampled_from(CARRIERS)
notes = st.sampled_from(NOTES)
Proposal = tuple[Remedy | str | None, Actor | str | None]
valid_estimates = st.none() | st.integers(0, 40).map(lambda n: timedelta(days=n))
"""A shipment's estimated delivery after it, or none."""


@attrs.frozen
class Choices:
    """How an allowed action is taken with valid arguments: a return or not, its words,
    and a shipment's estimated delivery (after it) or none."""

    return_wanted: bool
    payer: Actor | None
    tracking: str
    carrier: str
    note: str
    estimate: timedelta | None


choices = st.builds(
    Choices,
    return_wanted=st.booleans(),
    payer=st.sampled_from([None, Actor.SELLER, Actor.BUYER, Actor.PLATFORM]),
    tracking=st.sampled_from(TRACKING_NUMBERS),
    carrier=st.sampled_from(CARRIERS[:-1]),
    note=st.sampled_from(NOTES[:3]),
    estimate=valid_estimates,
)


def _refund(order: Order, percent: int, wrong_currency: bool, of: Money | None = None) -> Money:
    amount = share(of or order.total, percent)
    if wrong_currency:
        return Money.rounded(amount.amount, "EUR" if amount.currency != "EUR" else "USD")
    return amount


def _try(call: Callable[[], object]) -> Exception | None:
    try:
        call()
    except (InvalidAction, InvalidInput) as refusal:
        return refusal
    return None


def _escalation(entry: HistoryEntry) -> bool:
    """Whether *entry* took its dispute to the platform before a decision: the buyer's
    escalation (PayPal: the inquiry becomes a claim) or the negotiation's end."""
    return (
        entry.action in ("escalate", "negotiation_timeout")
        and entry.after is DisputeState.ARBITRATION
    )


def rules_clocks(order: Order) -> list[tuple[str, datetime]]:
    """The automatic steps the rules give *order* now and their instants, read from its
    policy and the facts of its history, not from the lifecycle table (the order's
    protection and filing windows from its reads, checked apart)."""
    policy = order.policy
    found: list[tuple[str, datetime | None]] = []
    if order.state is OrderState.AWAITING_SHIPMENT:
        found = [("cancel_unshipped", policy.ends("processing_time", order.paid_at))]
    elif order.state is OrderState.SHIPPED:
        found = [("complete", order.protection_ends)]
    elif order.state is OrderState.COMPLETED:
        found = [("close", order.post_completion_ends)]
    elif order.state is OrderState.IN_DISPUTE:
        assert order.dispute is not None
        found = _dispute_clocks(policy, order.dispute)
    return [(action, at) for action, at in found if at is not None]


def _dispute_clocks(policy: Policy, dispute: Any) -> list[tuple[str, datetime | None]]:
    """The automatic steps the rules give an open *dispute* now (see `rules_clocks`)."""
    state, history = dispute.state, dispute.history
    last = history[-1] if history else None
    if state is DisputeState.AWAITING_RETURN:
        assert dispute.agreement is not None
        return [("return_timeout", policy.ends("return_shipping_window", dispute.agreement.at))]
    if state is DisputeState.RETURN_IN_TRANSIT:
        assert last is not None
        assert last.action == "ship_return"
        return [("return_confirm_timeout", policy.ends("return_confirm_window", last.at))]
    found: list[tuple[str, datetime | None]] = []
    if state in (DisputeState.AWAITING_SELLER, DisputeState.NEGOTIATING):
        if policy.negotiation_window_starts is Anchor.OPENING:
            found.append(
                ("negotiation_timeout", policy.ends("negotiation_window", dispute.opened_at))
            )
        elif state is DisputeState.NEGOTIATING:  # from the counter-offer
            assert last is not None
            assert last.action == "seller_reject"
            found.append(("negotiation_timeout", policy.ends("negotiation_window", last.at)))
    silence_refunds = policy.seller_window_ends is Consequence.REFUND
    if not silence_refunds:
        return found
    starts = policy.seller_window_starts
    if state is DisputeState.AWAITING_SELLER and starts is Anchor.REQUEST:
        requested = [e.at for e in history if e.action == "buyer_modify"]
        start = max([dispute.opened_at, *requested])
        found.append(("seller_timeout", policy.ends("seller_response_window", start)))
    # A claim the seller has not answered yet (PayPal): its window runs from the escalation.
    claim = state is DisputeState.ARBITRATION and starts is Anchor.ESCALATION
    if claim and last is not None and _escalation(last):
        found.append(("seller_timeout", policy.ends("seller_response_window", last.at)))
    return found


def _losing_side(dispute: Any) -> Actor:
    """A side that lost the platform's decision of *dispute*: the buyer when it refunds
    less than the request, else the seller (it refunds something)."""
    outcome = dispute.outcome
    assert outcome is not None
    return Actor.BUYER if outcome.refund < dispute.request else Actor.SELLER


class OrderLifecycle(RuleBasedStateMachine):
    """Random actions and time jumps on an order and its disputes, through the public API."""

    order: Order
    twin: Order
    now: datetime
    saved: tuple[str, tuple[object, ...]] | None = None

    @initialize(
        policy=any_policies(),
        total=money(positive=True),
        paid_at=aware_datetimes(),
        ship=st.none() | st.booleans(),
        estimate=valid_estimates,
    )
    def pay(
        self,
        policy: Policy,
        total: Money,
        paid_at: datetime,
        ship: bool | None,
        estimate: timedelta | None,
    ) -> None:
        """Pay, and most of the time ship at once (by the platform or not, maybe with an
        estimated delivery), so disputes happen."""
        self.order = Order("state-machine", total, paid_at, policy)
        self.twin = Order("state-machine", total, paid_at, policy)
        if ship is not None:
            for order in (self.order, self.twin):
                order.ship(
                    paid_at, by_platform=ship, estimated_delivery=estimated(paid_at, estimate)
                )
        self._started()

    def _started(self) -> None:
        """What the machine keeps of the orders it played, from their start."""
        self.now = self.order.last_event_at
        self.finished: dict[tuple[int, datetime | None], tuple[object, ...]] = {}
        self.closed: tuple[object, ...] | None = None
        self.arrived: list[TrackingEvent] = []
        self.decided_from: dict[int, Money] = {}  # refunded before a decision, by dispute
        self.expired_refused = False

    # -- driving ---------------------------------------------------------------------

    def _instant(self, when: tuple[str, Any]) -> tuple[Any, bool]:
        """The ``at`` for *when*, and whether it must be refused as bad input."""
        kind, value = when
        if kind == "later":
            self.now += value
        elif kind in ("deadline", "clock"):
            if kind == "deadline":
                due, offset = self.order.next_deadline, value
                at = None if due is None else due.at
            else:
                name, offset = value
                at = clock(self.order, name)
            if at is not None and at + offset * US >= self.order.last_event_at:
                at += offset * US
                self.now = max(self.now, at)
                return at, False
        elif kind == "zone":
            return self.now.astimezone(value), False
        elif kind == "past":
            return self.order.last_event_at - value, True
        elif kind == "naive":
            return self.now.astimezone(UTC).replace(tzinfo=None), True
        return self.now, False

    def _act(self, action: str, when: tuple[str, Any], call: Call) -> Exception | None:
        at, must_refuse = self._instant(when)
        before = snapshot(self.order)
        if not must_refuse:
            self.twin.advance(at)
        advanced = snapshot(self.twin)
        allowed = self.twin.allowed()
        refunded = self.twin.refunded

        twin_error = _try(lambda: call(self.twin, at))
        error = _try(lambda: call(self.order, at))

        assert type(error) is type(twin_error), (error, twin_error)
        if must_refuse:
            assert isinstance(error, InvalidInput), f"{action} at {at!r} was not refused"
        if error is not None:
            after = snapshot(self.order)
            assert after in (before, advanced), f"refused {action} changed the order"
            if not must_refuse:
                self.order.advance(at)
        else:
            self._acted(action, refunded)
        if isinstance(error, InvalidAction):
            assert error.action == action
            assert error.state in str(error)
            for name in error.allowed:
                assert name in str(error)
            assert set(error.allowed) <= set(allowed)
            if action in allowed:
                # Allowed in this state, refused only by a rule that says when it opens,
                # or that it never will (disputes closing first, no contact with the
                # seller yet, the time to appeal over or a side that did not lose).
                if error.possible_from is None:
                    assert self._refused_for_good(action, error), error
                else:
                    assert error.possible_from > at
        assert snapshot(self.order) == snapshot(self.twin)
        return error

    def _refused_for_good(self, action: str, error: InvalidAction) -> bool:
        """Whether *action*, allowed at its instant, was refused for a reason no waiting
        lifts (as far as the order knows then)."""
        message = str(error)
        if action == "open_dispute":
            if "contact the seller first" in message:
                return self.order.policy.contact_wait is not None and not self.order.contacted_at
            return "but disputes close at" in message
        if action == "appeal":  # listed until its deadline: only the winner is refused
            return "did not lose" in message
        return False

    def _acted(self, action: str, refunded: Money) -> None:
        """Keep what a successful *action* leaves to check later: the amount refunded
        before a decision of the platform (*refunded*), which an appeal restores."""
        dispute = self.order.dispute
        if action == "platform_decide":
            assert dispute is not None
            self.decided_from[id(dispute)] = refunded

    def _dispute_call(self, method: str, **kwargs: Any) -> Call:
        def call(order: Order, at: Any) -> object:
            assert order.dispute is not None
            return getattr(order.dispute, method)(at, **kwargs)

        return call

    # -- order actions -----------------------------------------------------------------

    @rule(when=whens)
    def advance(self, when: tuple[str, Any]) -> None:
        self._act("advance", when, lambda o, at: o.advance(at))
        if when[0] not in {"past", "naive"}:
            due = self.order.next_deadline
            assert due is None or due.at > self.order.last_event_at

    @rule(
        when=whens,
        protection_days=st.none() | st.integers(-1, 120),
        by_platform=st.booleans(),
        promised_days=st.none() | st.integers(1, 30),
        estimate=estimates(),
    )
    def ship(
        self,
        when: tuple[str, Any],
        protection_days: int | None,
        by_platform: bool,
        promised_days: int | None,
        estimate: timedelta | None,
    ) -> None:
        """Ship, with an estimated delivery or none (and now and then one before the
        shipment: refused, as an estimate of a naive instant is)."""

        def call(o: Order, at: Any) -> object:
            return o.ship(
                at,
                protection_days=protection_days,
                by_platform=by_platform,
                promised_days=promised_days,
                estimated_delivery=estimated(at, estimate),
            )

        error = self._act("ship", when, call)
        if estimate is not None and estimate < timedelta(0):
            assert error is not None, "an estimated delivery before the shipment was accepted"

    @rule(when=whens)
    def confirm_receipt(self, when: tuple[str, Any]) -> None:
        self._act("confirm_receipt", when, lambda o, at: o.confirm_receipt(at))

    @rule(when=whens, days=st.integers(-1, 40))
    def request_extension(self, when: tuple[str, Any], days: int) -> None:
        self._act("request_extension", when, lambda o, at: o.request_extension(at, days))

    @rule(when=whens, days=st.integers(-1, 40))
    def grant_extension(self, when: tuple[str, Any], days: int) -> None:
        self._act("grant_extension", when, lambda o, at: o.grant_extension(at, days))

    @rule(when=whens)
    def contact_seller(self, when: tuple[str, Any]) -> None:
        """The buyer contacts the seller: the first contact is kept, later ones recorded."""
        first = self.order.contacted_at
        error = self._act("contact_seller", when, lambda o, at: o.contact_seller(at))
        if error is None and first is not None:
            assert self.order.contacted_at == first

    @rule(
        when=whens,
        reason=st.one_of(
            st.sampled_from(Reason), st.sampled_from(Reason), st.sampled_from(["lost", "broken"])
        ),
        percent=percents,
        evidence=st.sampled_from([("photo.jpg",)] * 6 + [(), "photo.jpg"]),
        wrong_currency=rarely,
        proposal=proposals(),
    )
    def open_dispute(
        self,
        when: tuple[str, Any],
        reason: Reason | str,
        percent: int,
        evidence: tuple[str, ...] | str,
        wrong_currency: bool,
        proposal: Proposal,
    ) -> None:
        error = self._act(
            "open_dispute",
            when,
            lambda o, at: o.open_dispute(
                at,
                reason=reason,
                refund=_refund(o, percent, wrong_currency),
                evidence=evidence,
                **proposal_arguments(*proposal),
            ),
        )
        if isinstance(error, InvalidInput) and "estimated_delivery" in str(error):
            # Refused for want of an estimated delivery: only where the rules count from one.
            assert self.order.policy.filing_window_starts is Anchor.ESTIMATED_DELIVERY
            assert self.order.estimated_delivery is None
            assert not Reason(reason).item_received

    @rule(status=st.sampled_from(TrackingStatus), back=st.timedeltas(timedelta(0)))
    def add_tracking(self, status: TrackingStatus, back: timedelta) -> None:
        """Tracking is an observation: any instant, any order, never a state change."""
        event = TrackingEvent(self.now - min(back, timedelta(days=60)), status)
        before = snapshot(self.order)
        known = event in self.order.tracking

        assert self.order.add_tracking(event) is not known
        assert self.twin.add_tracking(event) is not known
        assert self.order.add_tracking(event) is False

        assert snapshot(self.order) == before
        if not known:
            self.arrived.append(event)
        # Oldest first; scans at one instant in the order they first arrived.
        assert self.order.tracking == tuple(sorted(self.arrived, key=lambda e: e.at))

    # -- dispute actions ----------------------------------------------------------------

    def has_dispute(self) -> bool:
        return self.order.dispute is not None

    @precondition(has_dispute)
    @rule(when=whens)
    def seller_accept(self, when: tuple[str, Any]) -> None:
        self._act("seller_accept", when, self._dispute_call("seller_accept"))

    @precondition(has_dispute)
    @rule(when=whens, percent=offers, wrong_currency=rarely, proposal=proposals())
    def seller_reject(
        self, when: tuple[str, Any], percent: int, wrong_currency: bool, proposal: Proposal
    ) -> None:
        """A counter-offer: less, or (no remedy drawn) the other remedy, maybe the same amount."""

        def call(order: Order, at: Any) -> object:
            dispute = order.dispute
            assert dispute is not None
            offer = _refund(order, percent, wrong_currency, of=dispute.request)
            given = proposal_arguments(*proposal, request=dispute.remedy)
            return dispute.seller_reject(at, counter_offer=offer, **given)

        self._act("seller_reject", when, call)

    @precondition(has_dispute)
    @rule(when=whens)
    def buyer_accept(self, when: tuple[str, Any]) -> None:
        self._act("buyer_accept", when, self._dispute_call("buyer_accept"))

    @precondition(has_dispute)
    @rule(when=whens, percent=percents, wrong_currency=rarely, proposal=proposals())
    def buyer_modify(
        self, when: tuple[str, Any], percent: int, wrong_currency: bool, proposal: Proposal
    ) -> None:
        def call(order: Order, at: Any) -> object:
            assert order.dispute is not None
            refund = _refund(order, percent, wrong_currency)
            return order.dispute.buyer_modify(at, refund=refund, **proposal_arguments(*proposal))

        self._act("buyer_modify", when, call)

    @precondition(has_dispute)
    @rule(when=whens)
    def escalate(self, when: tuple[str, Any]) -> None:
        """The buyer escalates: where the seller's silence only allows it (eBay), not
        before the seller's window is over, and then from its end on."""
        dispute = self.order.dispute
        assert dispute is not None
        error = self._act("escalate", when, self._dispute_call("escalate"))
        if isinstance(error, InvalidAction) and error.possible_from is not None:
            assert self.order.policy.seller_window_ends is Consequence.ALLOW_ESCALATION
            assert error.possible_from == dispute.seller_deadline

    @precondition(has_dispute)
    @rule(when=whens)
    def cancel(self, when: tuple[str, Any]) -> None:
        self._act("cancel", when, self._dispute_call("cancel"))

    @precondition(has_dispute)
    @rule(when=whens, percent=percents, wrong_currency=rarely, proposal=proposals())
    def platform_decide(
        self, when: tuple[str, Any], percent: int, wrong_currency: bool, proposal: Proposal
    ) -> None:
        def call(order: Order, at: Any) -> object:
            assert order.dispute is not None
            refund = _refund(order, percent, wrong_currency)
            given = proposal_arguments(*proposal)
            return order.dispute.platform_decide(at, refund=refund, **given)

        self._act("platform_decide", when, call)

    @precondition(has_dispute)
    @rule(when=whens, by=st.sampled_from(APPELLANTS))
    def appeal(self, when: tuple[str, Any], by: Actor | str) -> None:
        """A side (or someone who is not one: refused) appeals the last dispute's decision."""
        self._act("appeal", when, self._dispute_call("appeal", by=by))

    @precondition(has_dispute)
    @rule(when=whens, tracking_number=tracking_numbers, carrier=carriers)
    def ship_return(self, when: tuple[str, Any], tracking_number: str, carrier: str) -> None:
        call = self._dispute_call("ship_return", tracking_number=tracking_number, carrier=carrier)
        self._act("ship_return", when, call)

    @precondition(has_dispute)
    @rule(when=whens)
    def confirm_return(self, when: tuple[str, Any]) -> None:
        self._act("confirm_return", when, self._dispute_call("confirm_return"))

    @precondition(has_dispute)
    @rule(when=whens, note=notes)
    def refuse_return(self, when: tuple[str, Any], note: str) -> None:
        self._act("refuse_return", when, self._dispute_call("refuse_return", note=note))

    def a_return_runs(self) -> bool:
        dispute = self.order.dispute
        return dispute is not None and dispute.state in RETURN_STATES

    @precondition(a_return_runs)
    @rule(when=whens, how=choices, refuse=st.integers(0, 3).map(lambda n: n == 0))
    def follow_the_return(self, when: tuple[str, Any], how: Choices, refuse: bool) -> None:
        """While a return runs, its next step with valid arguments, maybe too late.

        Rules are drawn evenly: without this one, most returns would run out of time
        before ``ship_return`` or ``confirm_return`` were drawn.
        """
        dispute = self.order.dispute
        assert dispute is not None
        if dispute.state is DisputeState.AWAITING_RETURN:
            given = {"tracking_number": how.tracking, "carrier": how.carrier}
            action, call = "ship_return", self._dispute_call("ship_return", **given)
        elif refuse:
            action, call = "refuse_return", self._dispute_call("refuse_return", note=how.note)
        else:
            action, call = "confirm_return", self._dispute_call("confirm_return")
        self._act(action, when, call)

    # -- what is allowed can be done -------------------------------------------------------

    @rule(data=st.data())
    def take_an_allowed_action(self, data: st.DataObject) -> None:
        """Every action allowed() lists succeeds now with valid arguments, but a claim
        under rules that ask the buyer to contact the seller first, before the contact
        or the wait after it: `InvalidAction`, possible from the wait's end if known."""
        self.order.advance(self.now)
        self.twin.advance(self.now)
        allowed = self.order.allowed()
        assert allowed == self.twin.allowed()
        if not allowed:
            assert self.order.state in (OrderState.CLOSED, OrderState.COMPLETED)
            return
        action = data.draw(st.sampled_from(allowed), label="allowed action")
        how = data.draw(choices, label="choices")
        refunded = self.order.refunded
        waits = action == "open_dispute" and self._waits_for_the_contact()
        for order in (self.order, self.twin):
            before = snapshot(order)
            error = _try(lambda: self._valid_call(order, action, how))  # noqa: B023
            if not waits:
                assert error is None, error
                assert order.last_event_at == self.now
            else:
                assert isinstance(error, InvalidAction), (action, error)
                opens = order.contact_wait_ends
                assert (error.possible_from, snapshot(order)) == (opens, before)
        if not waits:
            self._acted(action, refunded)

    def _waits_for_the_contact(self) -> bool:
        """Whether the rules ask the buyer to contact the seller before a claim, and the
        buyer has not, or the wait after the first contact is not over now."""
        order = self.order
        if order.policy.contact_wait is None:
            return False
        ends = order.contact_wait_ends
        return ends is None or self.now < ends

    def _valid_call(self, order: Order, action: str, how: Choices) -> None:
        at = self.now
        dispute = order.dispute
        if action == "ship":
            order.ship(at, estimated_delivery=estimated(at, how.estimate))
        elif action == "confirm_receipt":
            order.confirm_receipt(at)
        elif action == "request_extension":
            order.request_extension(at, 1)
        elif action == "grant_extension":
            order.grant_extension(at, 1)
        elif action == "contact_seller":
            order.contact_seller(at)
        elif action == "open_dispute":
            order.open_dispute(
                at,
                reason=Reason.QUALITY,
                refund=order.refundable,
                evidence=("photo.jpg",),
                **self._remedy(how, Reason.QUALITY),
            )
        elif dispute is None:
            raise AssertionError(f"{action} allowed with no dispute")
        elif action == "platform_decide":
            if self._remedy(how, dispute.reason):
                refund = dispute.request
                dispute.platform_decide(at, refund=refund, **self._remedy(how, dispute.reason))
            else:
                dispute.platform_decide(at, refund=Money.zero(order.total.currency))
        elif action == "seller_reject":
            other = other_remedy(dispute.remedy)
            if how.return_wanted and (other is Remedy.REFUND or dispute.reason.item_received):
                # The same amount, the other remedy: a full refund against the item's return.
                postage = how.payer if other is Remedy.RETURN_AND_REFUND else None
                given = proposal_arguments(other, postage)
                dispute.seller_reject(at, counter_offer=dispute.request, **given)
            else:
                dispute.seller_reject(at, counter_offer=Money.zero(order.total.currency))
        elif action == "buyer_modify":
            given = self._remedy(how, dispute.reason)
            dispute.buyer_modify(at, refund=dispute.request, **given)
        elif action == "ship_return":
            dispute.ship_return(at, tracking_number=how.tracking, carrier=how.carrier)
        elif action == "refuse_return":
            dispute.refuse_return(at, note=how.note)
        elif action == "appeal":
            dispute.appeal(at, by=_losing_side(dispute))
        else:
            getattr(dispute, action)(at)

    @staticmethod
    def _remedy(how: Choices, reason: Reason) -> dict[str, Any]:
        """A return's arguments, if *how* wants one and *reason* allows one; else none."""
        if how.return_wanted and reason.item_received:
            return proposal_arguments(Remedy.RETURN_AND_REFUND, how.payer)
        return {}

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def the_kept_next_deadline_is_the_computed_one(self) -> None:
        """The next automatic step the order keeps equals the one its state gives now."""
        order = self.order
        owner = order.dispute if order.state is OrderState.IN_DISPUTE else order
        assert owner is not None
        due = owner._lifecycle.due(owner)
        fresh = None if due is None else (due[1], due[0].trigger)
        kept = order.next_deadline
        assert (None if kept is None else (kept.at, kept.action)) == fresh

    @invariant()
    def the_next_deadline_is_the_first_clock_of_the_rules(self) -> None:
        """The next deadline is the first of the automatic steps the rules give the order
        now (`rules_clocks`): never None while one of them has its clock set, never
        another step, never at or before the last event."""
        order = self.order
        clocks = rules_clocks(order)
        due = order.next_deadline
        if not clocks:
            assert due is None, due
            return
        first = min(at for _, at in clocks)
        assert due is not None, clocks
        assert due.at == first, (due, clocks)
        assert (due.action, due.at) in clocks, (due, clocks)
        assert first > order.last_event_at

    @invariant()
    def protection_ends_with_the_filing_window(self) -> None:
        """Under rules that count the filing window from payment or the estimated delivery,
        protection (and, with no window after completion, any dispute) ends with it."""
        order = self.order
        policy = order.policy
        anchor = policy.filing_window_starts
        start = {Anchor.PAYMENT: order.paid_at, Anchor.ESTIMATED_DELIVERY: order.estimated_delivery}
        begins = start.get(anchor)
        if order.shipped_at is None or begins is None or policy.filing_window is None:
            assert order.filing_ends is None
            return
        ends = policy.ends("filing_window", begins)
        assert order.filing_ends == ends
        assert ends is not None
        extended = ends + timedelta(days=order.extension_days)
        assert order.protection_ends == extended
        if policy.post_completion_window == timedelta(0):
            assert all(d.opened_at < extended for d in order.disputes)

    @invariant()
    def disputes_open_only_as_the_rules_allow(self) -> None:
        """A dispute is opened only after the contact the rules ask for and its wait, and
        a 'not received' one counted from an estimated delivery only on an order that has
        one, from `Policy.earliest_not_received` after it."""
        order = self.order
        policy = order.policy
        for dispute in order.disputes:
            if policy.contact_wait is not None:
                ends = order.contact_wait_ends
                assert ends is not None
                assert dispute.opened_at >= ends
            counted = policy.filing_window_starts is Anchor.ESTIMATED_DELIVERY
            if counted and not dispute.reason.item_received:
                estimate = order.estimated_delivery
                assert estimate is not None
                assert dispute.opened_at >= policy.deadline("earliest_not_received", estimate)

    @invariant()
    def refunded_within_the_total(self) -> None:
        order = self.order
        assert order.refunded <= order.total
        assert order.refunded + order.refundable == order.total
        for dispute in order.disputes:
            if dispute.outcome is not None:
                assert dispute.outcome.refund <= order.total

    @invariant()
    def history_is_monotonic(self) -> None:
        order = self.order
        entries = sorted(
            [*order.history, *(e for d in order.disputes for e in d.history)], key=lambda e: e.id
        )
        times = [e.at for e in entries]
        assert times == sorted(times)
        assert len({e.id for e in entries}) == len(entries)
        assert order.last_event_at == times[-1]

    @invariant()
    def a_refund_is_paid_at_most_once(self) -> None:
        """Refunded is the sum of the outcomes' refunds, each dispute resolved at most once
        (twice when appealed, its first refund taken back)."""
        assert_refunded_once(self.order)

    @invariant()
    def returns_keep_their_rules(self) -> None:
        """Agreements and returns keep their rules (see `assert_return_rules`)."""
        assert_return_rules(self.order)

    @invariant()
    def every_order_can_be_saved_and_loaded_back(self) -> None:
        """Whatever the library accepted can be dumped and loaded back, unchanged (and,
        at the end, rebuilt from its log alone: see `teardown`).

        A document already loaded back is not loaded again (the same text loads the
        same order), but the order must then read as it did: all it holds is saved.
        What it allows is compared at the machine's instant: `allowed` is as of the
        instant an order was last brought to, which its document does not hold.
        """
        text = dumps(self.order)
        seen = snapshot(self.order)
        if self.saved is not None and self.saved[0] == text:
            assert seen == self.saved[1], "the order changed, its document did not"
            return
        loaded = loads(text)
        assert dumps(loaded) == text
        assert snapshot(loaded) == seen
        self._allows_alike(loaded)
        self.saved = text, seen

    def _allows_alike(self, rebuilt: Order) -> None:
        """*rebuilt* (from the order's document or log) allows what the order does, both
        brought to the machine's instant."""
        rebuilt.advance(self.now)
        assert rebuilt.allowed() == self.order.as_of(self.now).allowed()

    def teardown(self) -> None:
        """The order played is rebuilt from its log alone, as it is: the log holds every
        step (checked once, at the end, as the log only grows)."""
        order = getattr(self, "order", None)
        if order is not None:
            replayed = Order.replay(order.log)
            assert snapshot(replayed) == snapshot(order)
            self._allows_alike(replayed)

    @invariant()
    def one_open_dispute_at_most(self) -> None:
        order = self.order
        opened = [d for d in order.disputes if d.is_open]
        assert len(opened) <= 1
        last_open = order.dispute is not None and order.dispute.is_open
        assert (order.state is OrderState.IN_DISPUTE) == last_open
        if opened:
            assert opened[0] is order.dispute

    @invariant()
    def finished_disputes_never_change(self) -> None:
        """A resolved or cancelled dispute never changes, but for one appeal of its
        decision (after which it changes until decided again, finally)."""
        for dispute in self.order.disputes:
            if not dispute.is_open:
                key = (id(dispute), dispute.appealed_at)
                seen = self.finished.setdefault(key, dispute_snapshot(dispute))
                assert dispute_snapshot(dispute) == seen
                assert dispute.deadline is None

    @invariant()
    def closed_orders_never_change(self) -> None:
        """A closed order never changes, but for an appeal of its dispute's decision, the
        one action it may then allow."""
        order = self.order
        if order.state is OrderState.CLOSED:
            if self.closed is None:
                self.closed = snapshot(order)
            assert snapshot(order) == self.closed
            assert set(order.allowed()) <= {"appeal"}
            assert order.next_deadline is None
        elif self.closed is not None:  # reopened since: only by an appeal, just now
            assert order.history[-1].action == "dispute_appealed"
            self.closed = None

    @invariant()
    def deadlines_lie_ahead(self) -> None:
        order = self.order
        due = order.next_deadline
        assert due is None or due.at > order.last_event_at
        dispute = order.dispute
        if dispute is not None and dispute.is_open:
            assert dispute.deadline is None or dispute.deadline > order.last_event_at
            assert due is None or due.at == dispute.deadline

    @invariant()
    def outcomes_follow_the_rules(self) -> None:
        order = self.order
        policy = order.policy
        for dispute in order.disputes:
            history = dispute.history
            assert (dispute.outcome is not None) == (dispute.state is DisputeState.RESOLVED)
            agreement = dispute.agreement
            if agreement is not None and agreement.reached_by is Resolution.SELLER_REPONSE_TIMEOUT:
                assert policy.seller_window_ends is Consequence.REFUND
                assert (agreement.refund, agreement.remedy) == (dispute.request, dispute.remedy)
                if policy.seller_window_starts is Anchor.ESCALATION:
                    starts = [e.at for e in history if _escalation(e)]
                else:
                    starts = [e.at for e in history if e.action == "buyer_modify"]
                    starts.insert(0, dispute.opened_at)
                assert agreement.at == policy.ends("seller_response_window", starts[-1])
            if dispute.by_platform:
                assert dispute.state is not DisputeState.NEGOTIATING
                # The platform takes the seller's part, a return's confirmation too (a
                # side that appeals the decision is recorded as itself).
                assert all(e.actor is not Actor.SELLER for e in history if e.action != "appeal")
        resolved = [d for d in order.disputes if d.outcome is not None]
        assert len(resolved) <= 1
        if resolved:
            assert order.state is OrderState.CLOSED
            assert order.refunded == resolved[0].outcome.refund  # type: ignore[union-attr]

    @invariant()
    def an_expired_dispute_closes_the_order_for_good(self) -> None:
        """A dispute not escalated in time under rules whose negotiation then closes
        (PayPal's inquiry, eBay's request) is resolved as expired at its negotiation
        deadline with no refund; its order is closed and refuses a new dispute."""
        order = self.order
        expired = [
            d for d in order.disputes if d.outcome and d.outcome.reached_by is Resolution.EXPIRED
        ]
        if not expired:
            return
        (dispute,) = expired
        outcome = dispute.outcome
        assert outcome is not None
        assert order.policy.negotiation_window_ends is Consequence.CLOSE
        assert dispute is order.dispute
        assert not outcome.refund
        assert outcome.at == dispute.negotiation_deadline
        assert dispute.history[-1].action == "negotiation_timeout"
        assert (order.state, order.refunded, order.allowed()) == (
            OrderState.CLOSED,
            Money.zero(order.total.currency),
            (),
        )
        if not self.expired_refused:  # once: a look-ahead copy is not cheap
            later = order.as_of(order.last_event_at + timedelta(days=1))
            error = _try(
                lambda: later.open_dispute(
                    later.last_event_at,
                    reason=Reason.QUALITY,
                    refund=order.total,
                    evidence=("photo.jpg",),
                )
            )
            assert isinstance(error, InvalidAction), error
            self.expired_refused = True

    @invariant()
    def appeals_follow_the_rules(self) -> None:
        """Only a side that lost the platform's refund decision appeals it, within the
        appeal window, once; the appeal takes its refund back exactly (the order refunds
        what it did before the decision) and the platform decides again, finally."""
        order = self.order
        policy = order.policy
        for dispute in order.disputes:
            history = dispute.history
            at = [i for i, e in enumerate(history) if e.action == "appeal"]
            assert len(at) <= 1
            expected = None
            decision = history[-1] if history else None
            if (
                dispute.state is DisputeState.RESOLVED
                and decision is not None
                and decision.action == "platform_decide"
                and not at
            ):
                expected = policy.ends("appeal_window", decision.at)
            assert dispute.appeal_deadline == expected
            if not at:
                assert dispute.appealed_at is None
                continue
            appeal = history[at[0]]
            decided = history[at[0] - 1]
            assert decided.action == "platform_decide"
            assert decided.after is DisputeState.RESOLVED
            ends = policy.ends("appeal_window", decided.at)
            assert ends is not None
            assert appeal.at < ends
            by, refund = appeal.details["by"], decided.details["refund"]
            assert appeal.actor is by
            assert refund < dispute.request if by is Actor.BUYER else refund.amount > 0
            assert dispute.appealed_at == appeal.at
            assert "appeal" not in dispute.allowed()
            if appeal is history[-1]:  # the decision set aside, awaiting the new one
                assert (dispute.state, order.state) == (
                    DisputeState.ARBITRATION,
                    OrderState.IN_DISPUTE,
                )
                assert (dispute.outcome, dispute.agreement) == (None, None)
                assert order.refunded == self.decided_from[id(dispute)]

    @invariant()
    def the_seller_window_of_a_claim_starts_at_its_escalation(self) -> None:
        """Under rules whose seller window starts at the escalation (PayPal's claim), the
        seller has no deadline before it; a dispute's escalation instant is its last
        escalation's; under rules whose seller window only allows escalation (eBay), the
        buyer escalated only from the seller's deadline on."""
        order = self.order
        policy = order.policy
        for dispute in order.disputes:
            escalations = [e.at for e in dispute.history if _escalation(e)]
            assert dispute.escalated_at == (escalations[-1] if escalations else None)
            if dispute.by_platform:
                assert dispute.seller_deadline is None
            elif policy.seller_window_starts is Anchor.ESCALATION:
                start = dispute.escalated_at
                ends = None if start is None else policy.ends("seller_response_window", start)
                assert dispute.seller_deadline == ends
            elif policy.seller_window_ends is Consequence.ALLOW_ESCALATION:
                opens = dispute.seller_deadline
                assert opens is not None
                buyer = [e.at for e in dispute.history if e.action == "escalate"]
                assert all(at >= opens for at in buyer)


def _to_the_platform(dispute: Any, decided: int | None) -> None:
    """Take the open *dispute* to the platform as soon as the rules let the buyer (after
    the seller's counter-offer of nothing where only that lets him), and have the platform
    decide *decided* percent of the request (if not None) then; a refusal stops there."""
    at = dispute.order.last_event_at
    if "escalate" not in dispute.allowed() and "seller_reject" in dispute.allowed():
        zero = Money.zero(dispute.request.currency)
        _try(lambda: dispute.seller_reject(at, counter_offer=zero, remedy=Remedy.REFUND))
    error = _try(lambda: dispute.escalate(at))
    if isinstance(error, InvalidAction) and error.possible_from is not None:  # eBay: not yet
        at = error.possible_from
        _try(lambda: dispute.escalate(at))
    if decided is not None and dispute.state is DisputeState.ARBITRATION:
        _try(lambda: dispute.platform_decide(at, refund=share(dispute.request, decided)))


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.__doc__ = "Random sequences of all actions keep every invariant of an order."


class DisputeLifecycle(OrderLifecycle):
    """The same machine, started on a shipped order with an open dispute, to go deep into disputes.

    The shipping, receipt and extension rules are left out (plain methods here, not
    rules), so that most steps act on the dispute, its reopening, and the clock.
    """

    @initialize(
        policy=any_policies(),
        total=money(positive=True),
        paid_at=aware_datetimes(),
        by_platform=rarely,
        percent=st.integers(1, 100),
        remedy=st.sampled_from(Remedy),
        estimate=valid_estimates,
        start=st.sampled_from(["opened", "opened", "escalated", "answered", "decided"]),
        decided=st.integers(0, 100),
    )
    def pay(
        self,
        policy: Policy,
        total: Money,
        paid_at: datetime,
        by_platform: bool,
        percent: int,
        remedy: Remedy,
        estimate: timedelta | None,
        start: str,
        decided: int,
    ) -> None:
        """Pay, ship, contact the seller (the rules may ask it) and open a received-item
        dispute as soon as the rules allow, asking a refund or a return; maybe take it to
        the platform at once (PayPal: a claim; eBay: once the seller's window is over;
        elsewhere after the seller's counter-offer of nothing), and maybe have the seller
        accept the claim, or the platform decide it (*decided* percent of the request), so
        that claims' returns and appeals happen."""
        self.order = Order("state-machine", total, paid_at, policy)
        self.twin = Order("state-machine", total, paid_at, policy)
        for order in (self.order, self.twin):
            order.ship(
                paid_at, by_platform=by_platform, estimated_delivery=estimated(paid_at, estimate)
            )
            order.contact_seller(paid_at)
            _try(
                lambda: order.open_dispute(  # noqa: B023
                    order.contact_wait_ends or paid_at,  # noqa: B023
                    reason=Reason.QUALITY,
                    refund=share(total, percent) or total,
                    remedy=remedy,
                    evidence=("a.jpg",),
                )
            )
            dispute = order.dispute
            if start != "opened" and dispute is not None:
                _to_the_platform(dispute, decided if start == "decided" else None)
                if start == "answered" and "seller_accept" in dispute.allowed():
                    dispute.seller_accept(dispute.order.last_event_at)
        assert snapshot(self.order) == snapshot(self.twin)
        self._started()
        if any(e.action == "platform_decide" for e in self.order.log):
            self.decided_from[id(self.order.dispute)] = Money.zero(total.currency)

    def ship(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def confirm_receipt(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def request_extension(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def grant_extension(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def contact_seller(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""


TestDisputeLifecycle = DisputeLifecycle.TestCase
TestDisputeLifecycle.__doc__ = (
    "Random sequences of dispute actions keep every invariant of an order."
)
