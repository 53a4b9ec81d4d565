"""A stateful test: random sequences of every action and time jump, checked after each step.

`OrderLifecycle` drives two identical orders through the public API: ``order``
acts directly, ``twin`` first advances to the action's instant and then acts.
Refusals (`InvalidAction`, `InvalidInput`) are allowed answers, but they must
change nothing beyond the automatic steps due by then, and both orders must
agree. The invariants hold after every step. Proposals may ask a refund or a
return (rarely a wrong remedy or postage payer), and the return's own actions
and clocks take part like every other.
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
    ALIEXPRESS,
    Actor,
    DisputeState,
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
    BAD_TRACKING_NUMBERS,
    CARRIERS,
    NOTES,
    RETURN_STATES,
    TRACKING_NUMBERS,
    assert_refunded_once,
    assert_return_rules,
    aware_datetimes,
    dispute_snapshot,
    money,
    other_remedy,
    policies,
    proposal_arguments,
    proposals,
    share,
    snapshot,
    zones,
)

US = timedelta(microseconds=1)
Call = Callable[[Order, Any], object]

#: How an action picks its instant: (kind, parameter).
whens = st.one_of(
    st.just(("now", None)),
    st.tuples(st.just("later"), st.timedeltas(timedelta(0), timedelta(hours=12))),
    st.tuples(st.just("later"), st.timedeltas(timedelta(0), timedelta(days=3))),
    st.tuples(st.just("later"), st.integers(1, 40).map(lambda n: timedelta(days=n))),
    st.tuples(st.just("deadline"), st.sampled_from([-1, 0, 1])),
    st.tuples(st.just("deadline"), st.sampled_from([-1, 0, 1])),
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


@attrs.frozen
class Choices:
    """How an allowed action is taken with valid arguments: a return or not, and its words."""

    return_wanted: bool
    payer: Actor | None
    tracking: str
    carrier: str
    note: str


choices = st.builds(
    Choices,
    return_wanted=st.booleans(),
    payer=st.sampled_from([None, Actor.SELLER, Actor.BUYER, Actor.PLATFORM]),
    tracking=st.sampled_from(TRACKING_NUMBERS),
    carrier=st.sampled_from(CARRIERS[:-1]),
    note=st.sampled_from(NOTES[:3]),
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


class OrderLifecycle(RuleBasedStateMachine):
    """Random actions and time jumps on an order and its disputes, through the public API."""

    order: Order
    twin: Order
    now: datetime
    saved: tuple[str, tuple[object, ...]] | None = None

    @initialize(
        policy=st.one_of(st.just(ALIEXPRESS), policies()),
        total=money(positive=True),
        paid_at=aware_datetimes(),
        ship=st.none() | st.booleans(),
    )
    def pay(self, policy: Policy, total: Money, paid_at: datetime, ship: bool | None) -> None:
        """Pay, and most of the time ship at once (by the platform or not), so disputes happen."""
        self.order = Order("state-machine", total, paid_at, policy)
        self.twin = Order("state-machine", total, paid_at, policy)
        if ship is not None:
            self.order.ship(paid_at, by_platform=ship)
            self.twin.ship(paid_at, by_platform=ship)
        self.now = self.order.last_event_at
        self.finished: dict[int, tuple[object, ...]] = {}
        self.closed: tuple[object, ...] | None = None
        self.arrived: list[TrackingEvent] = []

    # -- driving ---------------------------------------------------------------------

    def _instant(self, when: tuple[str, Any]) -> tuple[Any, bool]:
        """The ``at`` for *when*, and whether it must be refused as bad input."""
        kind, value = when
        if kind == "later":
            self.now += value
        elif kind == "deadline":
            due = self.order.next_deadline
            if due is not None and due.at + value * US >= self.order.last_event_at:
                at = due.at + value * US
                self.now = max(self.now, at)
                return at, False
        elif kind == "zone":
            return self.now.astimezone(value), False
        elif kind == "past":
            return self.order.last_event_at - value, True
        elif kind == "naive":
            return self.now.astimezone(UTC).replace(tzinfo=None), True
        return self.now, False

    def _act(self, action: str, when: tuple[str, Any], call: Call) -> None:
        at, must_refuse = self._instant(when)
        before = snapshot(self.order)
        if not must_refuse:
            self.twin.advance(at)
        advanced = snapshot(self.twin)
        allowed = self.twin.allowed()

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
        if isinstance(error, InvalidAction):
            assert error.action == action
            assert error.state in str(error)
            for name in error.allowed:
                assert name in str(error)
            assert set(error.allowed) <= set(allowed)
            if action in allowed:
                # Allowed in this state, refused only by a rule that says when it opens,
                # or that it never will for this reason, disputes closing first.
                if error.possible_from is None:
                    assert "but disputes close at" in str(error)
                else:
                    assert error.possible_from > at
        assert snapshot(self.order) == snapshot(self.twin)

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
    )
    def ship(
        self,
        when: tuple[str, Any],
        protection_days: int | None,
        by_platform: bool,
        promised_days: int | None,
    ) -> None:
        self._act(
            "ship",
            when,
            lambda o, at: o.ship(
                at,
                protection_days=protection_days,
                by_platform=by_platform,
                promised_days=promised_days,
            ),
        )

    @rule(when=whens)
    def confirm_receipt(self, when: tuple[str, Any]) -> None:
        self._act("confirm_receipt", when, lambda o, at: o.confirm_receipt(at))

    @rule(when=whens, days=st.integers(-1, 40))
    def request_extension(self, when: tuple[str, Any], days: int) -> None:
        self._act("request_extension", when, lambda o, at: o.request_extension(at, days))

    @rule(when=whens, days=st.integers(-1, 40))
    def grant_extension(self, when: tuple[str, Any], days: int) -> None:
        self._act("grant_extension", when, lambda o, at: o.grant_extension(at, days))

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
        self._act(
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
        self._act("escalate", when, self._dispute_call("escalate"))

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
        """Every action allowed() lists succeeds now with valid arguments."""
        self.order.advance(self.now)
        self.twin.advance(self.now)
        allowed = self.order.allowed()
        assert allowed == self.twin.allowed()
        if not allowed:
            assert self.order.state in (OrderState.CLOSED, OrderState.COMPLETED)
            return
        action = data.draw(st.sampled_from(allowed), label="allowed action")
        how = data.draw(choices, label="choices")
        for order in (self.order, self.twin):
            self._valid_call(order, action, how)
            assert order.last_event_at == self.now

    def _valid_call(self, order: Order, action: str, how: Choices) -> None:
        at = self.now
        dispute = order.dispute
        if action == "ship":
            order.ship(at)
        elif action == "confirm_receipt":
            order.confirm_receipt(at)
        elif action == "request_extension":
            order.request_extension(at, 1)
        elif action == "grant_extension":
            order.grant_extension(at, 1)
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
        """Refunded is the sum of the outcomes' refunds, each dispute resolved at most once."""
        assert_refunded_once(self.order)

    @invariant()
    def returns_keep_their_rules(self) -> None:
        """Agreements and returns keep their rules (see `assert_return_rules`)."""
        assert_return_rules(self.order)

    @invariant()
    def every_order_can_be_saved_and_loaded_back(self) -> None:
        """Whatever the library accepted can be dumped and loaded back, unchanged.

        A document already loaded back is not loaded again (the same text loads the
        same order), but the order must then read as it did: all it holds is saved.
        """
        text = dumps(self.order)
        seen = snapshot(self.order), self.order.allowed()
        if self.saved is not None and self.saved[0] == text:
            assert seen == self.saved[1], "the order changed, its document did not"
            return
        loaded = loads(text)
        assert dumps(loaded) == text
        assert (snapshot(loaded), loaded.allowed()) == seen
        self.saved = text, seen

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
        for dispute in self.order.disputes:
            if not dispute.is_open:
                seen = self.finished.setdefault(id(dispute), dispute_snapshot(dispute))
                assert dispute_snapshot(dispute) == seen
                assert dispute.deadline is None

    @invariant()
    def closed_orders_never_change(self) -> None:
        if self.order.state is OrderState.CLOSED:
            if self.closed is None:
                self.closed = snapshot(self.order)
            assert snapshot(self.order) == self.closed
            assert self.order.allowed() == ()
            assert self.order.next_deadline is None

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
        window = order.policy.seller_response_window
        for dispute in order.disputes:
            assert (dispute.outcome is not None) == (dispute.state is DisputeState.RESOLVED)
            agreement = dispute.agreement
            if agreement is not None and agreement.reached_by is Resolution.SELLER_REPONSE_TIMEOUT:
                assert (agreement.refund, agreement.remedy) == (dispute.request, dispute.remedy)
                requested = [e.at for e in dispute.history if e.action == "buyer_modify"]
                assert agreement.at == max([dispute.opened_at, *requested]) + window
            if dispute.by_platform:
                assert dispute.state is not DisputeState.NEGOTIATING
                # The platform takes the seller's part, a return's confirmation too.
                assert all(e.actor is not Actor.SELLER for e in dispute.history)
        resolved = [d for d in order.disputes if d.outcome is not None]
        assert len(resolved) <= 1
        if resolved:
            assert order.state is OrderState.CLOSED
            assert order.refunded == resolved[0].outcome.refund  # type: ignore[union-attr]


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.__doc__ = "Random sequences of all actions keep every invariant of an order."


class DisputeLifecycle(OrderLifecycle):
    """The same machine, started on a shipped order with an open dispute, to go deep into disputes.

    The shipping, receipt and extension rules are left out (plain methods here, not
    rules), so that most steps act on the dispute, its reopening, and the clock.
    """

    @initialize(
        policy=st.one_of(st.just(ALIEXPRESS), policies()),
        total=money(positive=True),
        paid_at=aware_datetimes(),
        by_platform=rarely,
        percent=st.integers(1, 100),
        remedy=st.sampled_from(Remedy),
    )
    def pay(
        self,
        policy: Policy,
        total: Money,
        paid_at: datetime,
        by_platform: bool,
        percent: int,
        remedy: Remedy,
    ) -> None:
        """Pay, ship and open a received-item dispute at once, asking a refund or a return."""
        refund = share(total, percent) or total
        self.order = Order("state-machine", total, paid_at, policy)
        self.twin = Order("state-machine", total, paid_at, policy)
        for order in (self.order, self.twin):
            order.ship(paid_at, by_platform=by_platform)
            order.open_dispute(
                paid_at, reason=Reason.QUALITY, refund=refund, remedy=remedy, evidence=("a.jpg",)
            )
        self.now = self.order.last_event_at
        self.finished = {}
        self.closed = None
        self.arrived = []

    def ship(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def confirm_receipt(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def request_extension(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""

    def grant_extension(self, *args: Any, **kwargs: Any) -> None:
        """Not a rule in this machine."""


TestDisputeLifecycle = DisputeLifecycle.TestCase
TestDisputeLifecycle.__doc__ = (
    "Random sequences of dispute actions keep every invariant of an order."
)
