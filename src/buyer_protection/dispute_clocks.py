"""The clocks of a dispute, which of them its marketplace's rules have, and its guards.

When the seller's window, the negotiation, a return's windows and an appeal end,
computed from the dispute's facts and its order's `Policy`, never stored; and the
predicates the lifecycle table names as a row's ``consequence``: whether these rules
have that row at all (silence refunds on AliExpress but only opens escalation on
eBay; a PayPal inquiry closes when its time is over). `DisputeClocks` is the part of
`Dispute` that computes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ._text import shown
from ._time import iso
from .lifecycle import Actor, DisputeState
from .policy import Anchor, Consequence, Policy
from .terms import Agreement, Remedy, Resolution

if TYPE_CHECKING:
    from .history import HistoryEntry
    from .money import Money


class _Owner(Protocol):
    policy: Policy
    _now: datetime


class DisputeClocks:
    """The deadlines of a dispute (a mixin of `Dispute`, with no state of its own)."""

    if not TYPE_CHECKING:  # no instance dict: Dispute is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Dispute's own slots)

    # Declared for the type checker; `Dispute` defines them as attrs fields.
    order: _Owner
    state: DisputeState
    opened_at: datetime
    requested_at: datetime
    request: Money
    countered_at: datetime | None
    escalated_at: datetime | None
    appealed_at: datetime | None
    by_platform: bool
    return_shipped_at: datetime | None
    return_tracking: str | None
    _agreement: Agreement | None
    _refund: Money | None
    _reached_by: Resolution | None
    _reached_at: datetime | None
    _decided: bool

    if TYPE_CHECKING:

        @property
        def history(self) -> tuple[HistoryEntry, ...]: ...

    @property
    def seller_deadline(self) -> datetime | None:
        """When the seller's window to answer ends (exclusive): from the current request
        (its opening or the buyer's last change), or, where the window starts at the
        escalation (PayPal's claim), from that; None before it starts."""
        if self.by_platform:
            return None
        policy = self.order.policy
        if policy.seller_window_starts is Anchor.ESCALATION:
            start = self.escalated_at
            return None if start is None else policy.ends("seller_response_window", start)
        return policy.ends("seller_response_window", self.requested_at)

    @property
    def negotiation_deadline(self) -> datetime | None:
        """When the time to agree ends: from the counter-offer (AliExpress: then the
        platform takes over) or from the opening (PayPal's inquiry, eBay's request: then
        the dispute closes unless escalated); None when there is no such clock (yet)."""
        policy = self.order.policy
        if policy.negotiation_window_starts is Anchor.OPENING:
            return policy.ends("negotiation_window", self.opened_at)
        if self.countered_at is None:
            return None
        return policy.ends("negotiation_window", self.countered_at)

    @property
    def return_ship_deadline(self) -> datetime | None:
        """When the buyer's time to ship an agreed return ends (exclusive), or None."""
        agreement = self._agreement
        if agreement is None or agreement.remedy is not Remedy.RETURN_AND_REFUND:
            return None
        return self.order.policy.ends("return_shipping_window", agreement.at)

    @property
    def return_confirm_deadline(self) -> datetime | None:
        """When the seller's time to confirm a shipped return ends (exclusive), or None."""
        if self.return_shipped_at is None or self._agreement is None:
            return None  # not shipped, or the returned goods were refused
        return self.order.policy.ends("return_confirm_window", self.return_shipped_at)

    @property
    def appeal_deadline(self) -> datetime | None:
        """When the time to appeal the platform's decision ends (exclusive): None unless
        the dispute was resolved by `platform_decide` under rules with an appeal window,
        and was not appealed before (the decision after an appeal is final)."""
        if not self._decided or self.appealed_at is not None or self._reached_at is None:
            return None
        return self.order.policy.ends("appeal_window", self._reached_at)

    def _escalation_opens(self) -> datetime | None:
        """From when the buyer may escalate, where the seller's silence only allows it
        (eBay: the seller's deadline), or None."""
        waits = self.order.policy.seller_window_ends is Consequence.ALLOW_ESCALATION
        return self.seller_deadline if waits else None

    def _escalation_closes(self) -> datetime | None:
        """When the dispute closes by itself unless escalated (eBay's request), or None."""
        return self.negotiation_deadline if self._negotiation_closes() else None

    def _losers(self) -> tuple[Actor, ...]:
        """The sides the outcome went against, buyer first: the buyer when its refund is
        below the request, the seller when it is above zero (both for a partial refund);
        none while the dispute has no outcome. Only they may appeal a decision."""
        refund = self._refund
        if refund is None:
            return ()
        lost = ((Actor.BUYER, refund < self.request), (Actor.SELLER, refund.amount > 0))
        return tuple(side for side, lose in lost if lose)

    # -- which rows the rules have (the lifecycle's consequences) ----------------

    def _silence_refunds(self) -> bool:
        return self.order.policy.seller_window_ends is Consequence.REFUND

    def _claim_awaits_seller(self) -> bool:
        """A claim (a dispute escalated under rules whose seller window starts there) that
        the seller has not answered, whose returned goods were not refused (the platform
        then decides), and that was not appealed."""
        policy = self.order.policy
        escalated = self.escalated_at
        return (
            policy.seller_window_starts is Anchor.ESCALATION
            and policy.seller_window_ends is Consequence.REFUND
            and escalated is not None
            and not self._countered_since(escalated)
            and self.return_shipped_at is None
            and self.appealed_at is None
        )

    def _countered_since(self, escalated: datetime) -> bool:
        """Whether the seller's last counter-offer came after the escalation at
        *escalated*: an answer to the claim, not an offer in the inquiry. At the same
        instant, the order of the two in the history tells."""
        countered = self.countered_at
        if countered is None or countered != escalated:
            return countered is not None and countered > escalated
        for entry in reversed(self.history):
            if entry.action == "seller_reject":
                return True
            if entry.action in ("escalate", "negotiation_timeout"):
                return False
        return False  # pragma: no cover - a counter-offer and an escalation are both there

    def _escalation_unanswered(self) -> bool:
        """The buyer may escalate before the seller answered: eBay (once the seller's
        window is over) and PayPal (the inquiry becomes a claim)."""
        policy = self.order.policy
        return (
            policy.seller_window_ends is Consequence.ALLOW_ESCALATION
            or policy.seller_window_starts is Anchor.ESCALATION
        )

    def _negotiation_escalates(self) -> bool:
        return self.order.policy.negotiation_window_ends is Consequence.ESCALATE

    def _negotiation_closes(self) -> bool:
        return self.order.policy.negotiation_window_ends is Consequence.CLOSE

    def _appeals(self) -> bool:
        return self.order.policy.appeal_window is not None

    def _policy_note(self, trigger: str) -> str:
        """Why the rules have no *trigger* from this dispute's state."""
        policy = self.order.policy
        rules = f"the rules {policy.name} {policy.version}"
        if trigger == "appeal":
            return f"{rules} have no appeal: the platform's decision is final"
        if trigger == "escalate":
            return f"{rules} let the buyer escalate only after the seller's counter-offer"
        if trigger in ("seller_accept", "seller_reject"):
            return "the platform has the dispute; the seller answers only a claim that awaits it"
        return f"{rules} have no {trigger} now"  # pragma: no cover - every person's row above

    # -- guards: why a person's action is refused now (the lifecycle's guards) ------

    def _escalation_refusal(self) -> str | None:
        """Why the buyer cannot escalate yet: where the seller's silence only allows
        escalation (eBay), the seller's window is not over at the order's instant."""
        opens = self._escalation_opens()
        if opens is not None and self.order._now < opens:
            closes = self._escalation_closes()
            if closes is not None and opens >= closes:
                return (
                    f"the seller has until {iso(opens)} to resolve it, and the dispute closes "
                    f"before, at {iso(closes)}, unless resolved"
                )
            return (
                f"the seller has until {iso(opens)} to resolve it; the platform can be asked "
                "to step in from then"
            )
        return None

    def _possible_from(self, trigger: str) -> datetime | None:
        """The instant a refused *trigger* becomes possible, when the refusal is only early
        (None when the dispute closes first)."""
        opens = self._escalation_opens() if trigger == "escalate" else None
        closes = self._escalation_closes()
        return None if opens is None or (closes is not None and opens >= closes) else opens

    def _appeal_refusal(self) -> str | None:
        """Why the dispute's outcome cannot be appealed at the order's instant, or None."""
        ends = self.appeal_deadline
        if ends is not None and self.order._now >= ends:
            return f"the time to appeal the decision ended at {iso(ends)}"
        if self.appealed_at is not None:
            return "the decision after an appeal is final"
        if not self._decided and self._reached_by is Resolution.PLATFORM_ARBITRATE:
            return (
                "a decision of the platform on a return (remedy 'return_and_refund') cannot "
                "be appealed; only one that decides the refund itself can"
            )
        if not self._decided:
            how = "" if self._reached_by is None else f" (it was {self._reached_by.value})"
            return f"only a decision of the platform (platform_decide) can be appealed{how}"
        return None

    def _cancel_refusal(self) -> str | None:
        """Why the buyer cannot withdraw the dispute now, or None."""
        if self.appealed_at is not None:
            return (
                f"the platform's decision was appealed at {iso(self.appealed_at)}; the "
                "platform decides again, finally"
            )
        if self.return_shipped_at is not None:
            return (
                f"the item was shipped back (tracking {shown(self.return_tracking)}) and the "
                "seller refused it; the platform decides what is refunded"
            )
        return None
