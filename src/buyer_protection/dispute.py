"""A dispute: the buyer's request, the seller's answer, the platform's decision.

A `Dispute` is opened with `Order.open_dispute` and belongs to its order: every
action first brings the whole order up to its ``at``, then acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

from ._copies import copier
from ._text import shown, text
from ._time import iso, member
from .dispute_clocks import DisputeClocks
from .errors import InvalidInput
from .history import ACTION, ID, NO_DETAILS, HistoryEntry, Record, entry, with_meta
from .lifecycle import DISPUTE, Actor, DisputeState, Lifecycle, OrderState, Transition, actor
from .money import Money
from .policy import Policy
from .terms import Agreement as Agreement
from .terms import Outcome as Outcome
from .terms import Reason as Reason
from .terms import Remedy as Remedy
from .terms import Resolution as Resolution
from .terms import label, proposal, proposal_details, refund_amount

if TYPE_CHECKING:
    from .order import Order


class OrderLink(Protocol):
    """What a dispute uses of its order: this small interface, and nothing else.

    `Order` implements it (its section "for its disputes"): a dispute's action
    brings the order up to its instant (``_begin``), checks a refund against what
    is left (``_check_refund``), recognises a repeated event (``_again``), records
    its change in the order's one log (``_append``, ``_records``) and hands the
    order its end (``_dispute_ended``); ``advance`` is `Dispute.advance`'s.
    """

    policy: Policy
    total: Money
    _now: datetime

    @property
    def disputes(self) -> tuple[Dispute, ...]: ...

    def advance(self, at: datetime) -> None: ...

    def _begin(self, at: object) -> datetime: ...

    def _check_refund(self, refund: Money, *, positive: bool) -> None: ...

    def _append(
        self,
        row: Transition,
        at: datetime,
        before: OrderState | DisputeState,
        after: OrderState | DisputeState,
        details: Mapping[str, Any],
        actor: Actor | None = None,
        event: str | None = None,
    ) -> None: ...

    def _again(
        self,
        event_id: object,
        action: str,
        target: object,
        at: object,
        details: Mapping[str, Any],
    ) -> tuple[str | None, HistoryEntry | None]: ...

    def _records(self) -> list[Record]: ...

    def _dispute_ended(self, dispute: Dispute, at: datetime) -> None: ...

    def _dispute_appealed(self, dispute: Dispute, refund: Money, at: datetime) -> None: ...


@attrs.define(eq=False)
class Dispute(DisputeClocks):
    """One dispute on an order.

    Reads: ``state``, ``deadline`` (the instant of its next automatic step, or
    None), ``request`` and ``remedy`` (what the buyer asks), ``counter_offer`` and
    ``counter_remedy``, ``agreement``, the return's ``return_tracking`` and its
    clocks, ``escalated_at`` (when the platform took it), ``appealed_at`` and
    ``appeal_deadline``, ``outcome`` and ``history``. Every action takes the instant
    it happens.
    """

    _lifecycle: ClassVar[Lifecycle] = DISPUTE

    order: Order = attrs.field(repr=False)
    reason: Reason
    request: Money
    opened_at: datetime
    evidence: tuple[str, ...] = ()
    description: str = ""
    by_platform: bool = False
    state: DisputeState = DisputeState.AWAITING_SELLER
    remedy: Remedy = Remedy.REFUND
    _asked_postage: Actor | None = attrs.field(default=None, repr=False, alias="asked_postage")
    requested_at: datetime = attrs.field(init=False)
    counter_offer: Money | None = attrs.field(init=False, default=None)
    counter_remedy: Remedy | None = attrs.field(init=False, default=None)
    _counter_postage: Actor | None = attrs.field(init=False, default=None, repr=False)
    countered_at: datetime | None = attrs.field(init=False, default=None)
    _agreement: Agreement | None = attrs.field(init=False, default=None, repr=False)
    return_tracking: str | None = attrs.field(init=False, default=None)
    return_carrier: str = attrs.field(init=False, default="")
    return_shipped_at: datetime | None = attrs.field(init=False, default=None)
    escalated_at: datetime | None = attrs.field(init=False, default=None)
    appealed_at: datetime | None = attrs.field(init=False, default=None)
    # The outcome's parts, kept apart so that a dispute holds one object less.
    _refund: Money | None = attrs.field(init=False, default=None, repr=False)
    _reached_by: Resolution | None = attrs.field(init=False, default=None, repr=False)
    _reached_at: datetime | None = attrs.field(init=False, default=None, repr=False)
    _first_id: int = attrs.field(init=False, default=0, repr=False)  # its opening's entry
    _decided: bool = attrs.field(init=False, default=False, repr=False)  # by platform_decide

    def __attrs_post_init__(self) -> None:
        self.requested_at = self.opened_at

    # -- reads -----------------------------------------------------------------

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """Every change of this dispute after its opening, oldest first."""
        later = [d._first_id for d in self.order.disputes if d._first_id > self._first_id]
        end = min(later, default=None)
        return tuple(
            entry(r)
            for r in self.order._records()
            if self._first_id < r[ID]
            and (end is None or r[ID] < end)
            and r[ACTION] in DISPUTE.triggers
        )

    @property
    def outcome(self) -> Outcome | None:
        """How the dispute ended (refund, how it was reached, when), or None while it runs."""
        if self._refund is None or self._reached_by is None or self._reached_at is None:
            return None
        return Outcome(self._refund, self._reached_by, self._reached_at)

    @property
    def agreement(self) -> Agreement | None:
        """What buyer and seller agreed or the platform decided, or None (yet, or set aside).

        A refund-only agreement is carried out at once; one on a return holds while
        the return runs, and stays readable once it ends.
        """
        return self._agreement

    @property
    def return_postage_by(self) -> Actor | None:
        """Who pays the return's postage: None unless the remedy agreed (or, with no
        agreement, the buyer's request) is a return; the seller unless a proposal said
        otherwise."""
        agreement = self._agreement
        if agreement is not None:
            return agreement.return_postage_by
        if self.remedy is Remedy.RETURN_AND_REFUND:
            return self._asked_postage or Actor.SELLER
        return None

    @property
    def is_open(self) -> bool:
        """True until the dispute is resolved or cancelled."""
        return self.state not in (DisputeState.RESOLVED, DisputeState.CANCELLED)

    def allowed(self) -> tuple[str, ...]:
        """The actions a person may take on this dispute now."""
        return DISPUTE.allowed(self)

    @property
    def deadline(self) -> datetime | None:
        """The instant of this dispute's next automatic step, or None if it has none."""
        due = DISPUTE.due(self)
        return None if due is None else due[1]

    # -- actions ---------------------------------------------------------------

    def seller_accept(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The seller accepts the buyer's request: it is refunded, or the return starts."""
        extra = with_meta(NO_DETAILS, meta)
        if (started := self._start("seller_accept", at, extra, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        agreement = self._agreed(self.request, self.remedy, self._asked_postage, at)
        self._agree(row, at, agreement, extra, event)

    def seller_reject(
        self,
        at: datetime,
        *,
        counter_offer: Money,
        remedy: Remedy | str = Remedy.REFUND,
        return_postage_by: Actor | str | None = None,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The seller refuses, offering *counter_offer* instead (zero: no refund).

        A counter-offer is less than the request, or the same amount with another
        *remedy* (a full refund against the item's return, say); never more.
        """
        offer = refund_amount(counter_offer, self.order.total.currency, "counter_offer")
        how, payer = proposal(self.reason, offer, remedy, return_postage_by)
        details = with_meta(proposal_details({"counter_offer": offer}, how, payer), meta)
        if (started := self._start("seller_reject", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        if offer > self.request:
            raise InvalidInput(
                f"counter_offer: {offer} is more than the buyer's request {self.request}; "
                "a counter-offer is never above the request"
            )
        if offer == self.request and how is self.remedy:
            raise InvalidInput(
                f"counter_offer: {offer} is not less than the buyer's request {self.request}, "
                f"and its remedy is the request's ({how.value!r}); to give what the buyer "
                "asks, use seller_accept; a counter-offer is less, or the same amount with "
                "another remedy"
            )
        before = self.state
        DISPUTE.fire(self, row.trigger)  # first: in a claim, its row holds until answered
        self.counter_offer = offer
        self.counter_remedy = how
        self._counter_postage = payer
        self.countered_at = at
        self._record(row, at, before, details, event)

    def buyer_accept(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer accepts the seller's counter-offer (a refund, or a return first)."""
        extra = with_meta(NO_DETAILS, meta)
        if (started := self._start("buyer_accept", at, extra, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        offer, how = self.counter_offer, self.counter_remedy
        assert offer is not None  # negotiating always has a counter-offer
        assert how is not None
        self._agree(row, at, self._agreed(offer, how, self._counter_postage, at), extra, event)

    def buyer_modify(
        self,
        at: datetime,
        *,
        refund: Money,
        remedy: Remedy | str = Remedy.REFUND,
        return_postage_by: Actor | str | None = None,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer changes the request to *refund* (and *remedy*); the seller's window
        starts again."""
        refund = refund_amount(refund, self.order.total.currency)
        how, payer = proposal(self.reason, refund, remedy, return_postage_by)
        details = with_meta(proposal_details({"refund": refund}, how, payer), meta)
        if (started := self._start("buyer_modify", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.order._check_refund(refund, positive=True)
        self.request = refund
        self.remedy = how
        self._asked_postage = payer
        self.requested_at = at
        self.counter_offer = None
        self.counter_remedy = None
        self._counter_postage = None
        self.countered_at = None
        self._apply(row, at, details, event)

    def escalate(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer asks the platform to decide (PayPal: the inquiry becomes a claim, and
        the seller's window starts). Where the seller's silence only allows escalation
        (eBay), not before the seller's window is over: `InvalidAction` with
        ``possible_from``."""
        details = with_meta(NO_DETAILS, meta)
        if (started := self._start("escalate", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.escalated_at = at
        self._apply(row, at, details, event)

    def cancel(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer withdraws the dispute; the order goes on where it was."""
        details = with_meta(NO_DETAILS, meta)
        if (started := self._start("cancel", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self._apply(row, at, details, event)
        self.order._dispute_ended(self, at)

    def platform_decide(
        self,
        at: datetime,
        *,
        refund: Money,
        remedy: Remedy | str = Remedy.REFUND,
        return_postage_by: Actor | str | None = None,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The platform decides the dispute with *refund* (zero: no refund); final, unless
        the rules have an `Policy.appeal_window` and the side that lost appeals it.

        With ``remedy="return_and_refund"`` the refund follows the item's return.
        """
        refund = refund_amount(refund, self.order.total.currency)
        how, payer = proposal(self.reason, refund, remedy, return_postage_by)
        details = with_meta(proposal_details({"refund": refund}, how, payer), meta)
        if (started := self._start("platform_decide", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.order._check_refund(refund, positive=False)
        agreement = Agreement(
            refund, how, Resolution.PLATFORM_ARBITRATE, at, self._payer(how, payer)
        )
        self._decided = how is Remedy.REFUND  # resolved by the decision itself: appealable
        self._agree(row, at, agreement, details, event)

    def appeal(
        self,
        at: datetime,
        *,
        by: Actor | str,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The side that lost the platform's decision (*by*: ``"buyer"`` when the refund
        is below the request, ``"seller"`` when it is above zero) appeals it, before
        `appeal_deadline`: the decision is set aside, its refund taken back, and the
        platform decides again (`platform_decide`), finally.

        Only a dispute resolved by `platform_decide` under rules with an
        `Policy.appeal_window` can be appealed, once; anything else is `InvalidAction`.
        """
        try:
            side: Actor | None = member(Actor, by, "by")
        except InvalidInput:  # it names every actor: only two sides appeal
            side = None
        if side is None or side not in (Actor.BUYER, Actor.SELLER):
            raise InvalidInput(
                f"by: expected 'buyer' or 'seller' (the side that lost), got {shown(by)}"
            )
        details = with_meta({"by": side}, meta)
        if (started := self._start("appeal", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        ends, refund = self.appeal_deadline, self._refund
        assert ends is not None  # the guard and the consequence let only these through
        assert refund is not None
        if side not in self._losers():
            won = "was refunded all it asked" if side is Actor.BUYER else "refunds nothing"
            raise DISPUTE.refusal(
                self,
                "appeal",
                f"the {side.value} did not lose the decision (it {won}: {refund} of "
                f"{self.request} asked); only a side that lost appeals",
            )
        self.appealed_at = at
        self._refund = self._reached_by = self._reached_at = None
        self._agreement = None
        self._apply(row, at, details, event, side)
        self.order._dispute_appealed(self, refund, at)

    def ship_return(
        self,
        at: datetime,
        *,
        tracking_number: str,
        carrier: str = "",
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The buyer ships the item back, giving the return's *tracking_number* (and
        *carrier*); the seller's time to confirm it starts."""
        given = {"tracking_number": label(tracking_number, "tracking_number", empty=False)}
        if carrier_label := label(carrier, "carrier", empty=True):
            given["carrier"] = carrier_label
        details = with_meta(given, meta)
        if (started := self._start("ship_return", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self.return_tracking = given["tracking_number"]
        self.return_carrier = given.get("carrier", "")
        self.return_shipped_at = at
        self._apply(row, at, details, event)

    def confirm_return(
        self,
        at: datetime,
        *,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The seller confirms the goods came back: the agreed refund is paid."""
        details = with_meta(NO_DETAILS, meta)
        if (started := self._start("confirm_return", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self._pay_return(row, at, details, event)

    def refuse_return(
        self,
        at: datetime,
        *,
        note: str,
        meta: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> None:
        """The seller refuses the goods that came back (wrong, empty, or not at all),
        saying why in *note*: the agreement is set aside and the platform decides."""
        text(note, "note", empty=False)
        details = with_meta({"note": str.__str__(note)}, meta)
        if (started := self._start("refuse_return", at, details, event_id)) is None:
            return  # a repeated event, recorded once
        at, row, event = started
        self._agreement = None
        self._apply(row, at, details, event)

    def advance(self, at: datetime) -> None:
        """Apply every automatic step of the order and this dispute due up to *at*."""
        self.order.advance(at)

    # -- internals -------------------------------------------------------------

    def _start(
        self, action: str, at: object, details: Mapping[str, Any], event_id: object
    ) -> tuple[datetime, Transition, str | None] | None:
        """Begin *action*: None when it repeats an event already recorded (see
        `Order._again`), else its instant (every step due by then applied), its row and
        the checked event id; `InvalidAction` when it is not allowed now."""
        event, first = self.order._again(event_id, action, self, at, details)
        if first is not None:
            return None
        when = self.order._begin(at)
        return when, DISPUTE.row(self, action), event

    def _copy_for(self, order: Order) -> Dispute:
        twin = _copy(self)
        twin.order = order
        return twin

    def _apply(
        self,
        row: Transition,
        at: datetime,
        details: Mapping[str, Any],
        event: str | None = None,
        who: Actor | None = None,
    ) -> None:
        before = self.state
        DISPUTE.fire(self, row.trigger)
        self._record(row, at, before, details, event, who)

    def _record(
        self,
        row: Transition,
        at: datetime,
        before: DisputeState,
        details: Mapping[str, Any],
        event: str | None = None,
        who: Actor | None = None,
    ) -> None:
        """Record the change along *row* from *before* (by *who*, if not the row's actor)."""
        who = who or self._actor_of(row.trigger)
        self.order._append(row, at, before, self.state, details, who, event)

    def _actor_of(self, trigger: str) -> Actor:
        """Who takes *trigger* on this dispute: on an order the platform shipped, the
        platform handles the dispute and takes the seller's part (a return goes to its
        warehouse, which confirms or refuses it)."""
        who = actor(trigger)
        if trigger == "appeal" and (losers := self._losers()):
            return losers[0]  # the buyer, unless it got all it asked: then the seller
        return Actor.PLATFORM if who is Actor.SELLER and self.by_platform else who

    def _payer(self, remedy: Remedy, payer: Actor | None) -> Actor | None:
        """Who pays a return's postage (the seller by default); None for a refund."""
        return None if remedy is Remedy.REFUND else payer or Actor.SELLER

    def _agreed(
        self, refund: Money, remedy: Remedy, payer: Actor | None, at: datetime
    ) -> Agreement:
        """Buyer and seller agree on *refund* and *remedy* at *at*."""
        how = Resolution.NEGOTIATION_CONSENSUS
        return Agreement(refund, remedy, how, at, self._payer(remedy, payer))

    def _agree(
        self,
        row: Transition,
        at: datetime,
        agreement: Agreement,
        details: Mapping[str, Any],
        event: str | None = None,
    ) -> None:
        """Carry out *agreement*: a refund at once; a return's refund waits for the return."""
        self._agreement = agreement
        if agreement.remedy is Remedy.REFUND:
            self._settle(row, at, agreement.refund, agreement.reached_by, details, event)
            return
        self.return_tracking, self.return_carrier, self.return_shipped_at = None, "", None
        self._apply(row, at, details, event)  # the row with a return: to awaiting_return

    def _pay_return(
        self,
        row: Transition,
        at: datetime,
        details: Mapping[str, Any],
        event: str | None = None,
    ) -> None:
        """The return came back (or the seller let the time pass): pay the agreed refund."""
        agreement = self._agreement
        assert agreement is not None  # a return in transit always has its agreement
        self._settle(row, at, agreement.refund, agreement.reached_by, details, event)

    # Which row an agreement takes (the lifecycle's conditions): the remedy agreed, or,
    # before an agreement, the remedy the buyer asks (what the seller's silence agrees).

    def _with_return(self) -> bool:
        agreement = self._agreement
        remedy = self.remedy if agreement is None else agreement.remedy
        return remedy is Remedy.RETURN_AND_REFUND

    def _refund_only(self) -> bool:
        return not self._with_return()

    def _settle(
        self,
        row: Transition,
        at: datetime,
        refund: Money,
        how: Resolution,
        details: Mapping[str, Any],
        event: str | None = None,
    ) -> None:
        self._refund, self._reached_by, self._reached_at = refund, how, at
        self._apply(row, at, details, event)
        self.order._dispute_ended(self, at)

    def _state_note(self) -> str:
        """How a finished dispute ended, for refusals ('' while it runs)."""
        if self._reached_at is not None and self._reached_by is not None:
            how = self._reached_by.value
            return f"the dispute was resolved at {iso(self._reached_at)} ({how})"
        if self.state is DisputeState.CANCELLED:
            return "the buyer cancelled the dispute"
        return ""

    def _step(self, row: Transition, at: datetime) -> None:
        """Apply the automatic step *row* at *at*."""
        if row.trigger == "seller_timeout":
            how = Resolution.SELLER_REPONSE_TIMEOUT
            details = {"refund": self.request, "reached_by": how}
            details = dict(proposal_details(details, self.remedy, self._asked_postage))
            payer = self._payer(self.remedy, self._asked_postage)
            self._agree(row, at, Agreement(self.request, self.remedy, how, at, payer), details)
        elif row.trigger == "return_timeout":
            how, nothing = Resolution.RETURN_NOT_SHIPPED, Money.zero(self.request.currency)
            self._settle(row, at, nothing, how, {"refund": nothing, "reached_by": how})
        elif row.trigger == "return_confirm_timeout":
            assert self._agreement is not None
            self._pay_return(row, at, {"refund": self._agreement.refund})
        elif row.dest is DisputeState.RESOLVED:  # a negotiation that closes: expired
            how, nothing = Resolution.EXPIRED, Money.zero(self.request.currency)
            self._settle(row, at, nothing, how, {"refund": nothing, "reached_by": how})
        else:  # the platform takes the dispute
            self.escalated_at = at
            self._apply(row, at, NO_DETAILS)


_copy = copier(Dispute)
