"""The lifecycle of an order and of a dispute, declared once.

`ORDER` and `DISPUTE` are built from the `Transition` tables below. Each table is
the single source for the shared `transitions.Machine` that changes states, for
the "allowed now" list in `InvalidAction` messages, for the automatic step each
state has when a clock runs out, and for the generated diagram in the docs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, cast

import attrs
from transitions import Machine, MachineError

from .errors import InvalidAction


class Actor(enum.Enum):
    """Who acted: a person's side, the marketplace, the clock, or the carrier (tracking)."""

    __hash__ = object.__hash__  # members are singletons: hash by identity, in C

    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"
    SYSTEM = "system"
    CARRIER = "carrier"


class OrderState(enum.Enum):
    """Where an order stands."""

    __hash__ = object.__hash__  # members are singletons: hash by identity, in C

    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    IN_DISPUTE = "in_dispute"
    COMPLETED = "completed"
    CLOSED = "closed"


class DisputeState(enum.Enum):
    """Where a dispute stands."""

    __hash__ = object.__hash__  # members are singletons: hash by identity, in C

    AWAITING_SELLER = "awaiting_seller"
    NEGOTIATING = "negotiating"
    ARBITRATION = "arbitration"
    AWAITING_RETURN = "awaiting_return"
    RETURN_IN_TRANSIT = "return_in_transit"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


State = OrderState | DisputeState


@attrs.frozen
class Transition:
    """One row of a lifecycle table.

    ``actor`` may fire it. A row with a ``clock`` is automatic: it happens by
    itself at the instant the model's attribute of that name gives. A row fired by
    `Actor.SYSTEM` without a clock is a consequence of another aggregate's step
    (an order following its dispute). ``guard`` names a model method that returns
    why the action is refused now, or None. ``condition`` names a model method that
    returns True when this row, rather than another row of the same trigger from
    the same state, is the one taken: one action, two outcomes (an agreement on a
    refund resolves the dispute, one on a return starts the return).
    ``consequence`` names a model method that returns True when the model's policy
    has this row at all (a clock's consequence, a step only some marketplaces have):
    a row whose consequence does not hold is not there for that model.
    """

    trigger: str
    sources: tuple[State, ...]
    dest: State
    actor: Actor
    doc: str
    clock: str | None = None
    guard: str | None = None
    condition: str | None = None
    consequence: str | None = None

    @property
    def automatic(self) -> bool:
        """True when a clock, not a person, fires this transition."""
        return self.clock is not None

    @property
    def label(self) -> str:
        """How diagrams name the row: the trigger, who or what fires it, its condition."""
        if self.clock is not None:
            label = f"{self.trigger} (at {self.clock})"
        elif self.actor is Actor.SYSTEM:
            label = f"{self.trigger} (follows the dispute)"
        else:
            label = f"{self.trigger} ({self.actor.value})"
        if self.condition is not None:
            label += f" [{self.condition.strip('_').replace('_', ' ')}]"
        if self.consequence is not None:
            label += f" [if {self.consequence.strip('_').replace('_', ' ')}]"
        return label

    def holds(self, model: Any) -> bool:
        """True when *model*'s policy has this row (its consequence holds, if it has one)."""
        return self.consequence is None or bool(getattr(model, self.consequence)())

    @property
    def conditions(self) -> list[str]:
        """The model methods `transitions.Machine` checks to take this row."""
        return [c for c in (self.condition, self.consequence) if c is not None]


class Model(Protocol):
    """What the lifecycle drives: a ``state``, and the actions ``allowed()`` now."""

    state: Any

    def allowed(self) -> tuple[str, ...]:
        """The actions a person may take now."""

    def _state_note(self) -> str:
        """How the model came to a state that refuses every action ('' if it did not)."""

    def _actor_of(self, trigger: str) -> Actor:
        """Who takes *trigger* on this model (the table's actor, unless someone acts for it)."""

    def _policy_note(self, trigger: str) -> str:
        """Why the model's policy has no *trigger* from its state now."""


class Lifecycle:
    """A lifecycle table, with the one shared `transitions.Machine` built from it."""

    def __init__(self, name: str, initial: State, table: Iterable[Transition]) -> None:
        self.name = name
        self.initial = initial
        self.table: tuple[Transition, ...] = tuple(table)
        self.states: tuple[State, ...] = tuple(type(initial))
        self.machine = Machine(
            model=None,
            states=list(self.states),
            initial=initial,
            transitions=self.transitions(),
            auto_transitions=False,
            send_event=False,
        )
        self._events = self.machine.events
        # The rows of one trigger from one state: one, or several told apart by condition.
        self._rows: dict[tuple[State, str], tuple[Transition, ...]] = {}
        for t in self.table:
            for s in t.sources:
                self._rows[(s, t.trigger)] = (*self._rows.get((s, t.trigger), ()), t)
        # Every automatic row from a state: the one due first (its conditions holding,
        # its clock set) is the state's next step.
        self.automatic: dict[State, tuple[Transition, ...]] = {}
        for t in self.table:
            for s in t.sources:
                if t.automatic:
                    self.automatic[s] = (*self.automatic.get(s, ()), t)
        for rows in self._rows.values():
            if len(rows) > 1 and any(t.condition is None and t.consequence is None for t in rows):
                raise AssertionError(f"{name}: {rows[0].trigger} has rows without a condition")
        for trigger in {t.trigger for t in self.table}:
            shared = {(t.actor, t.guard, t.clock) for t in self.table if t.trigger == trigger}
            if len(shared) > 1:  # row() and replay read them from any one of its rows
                raise AssertionError(
                    f"{name}: the rows of {trigger} differ in actor, guard or clock"
                )
        self.actions: dict[State, tuple[tuple[Transition, ...], ...]] = {
            s: tuple(
                rows
                for (source, _), rows in self._rows.items()
                if source is s and rows[0].actor is not Actor.SYSTEM
            )
            for s in self.states
        }
        self.triggers = frozenset(t.trigger for t in self.table)

    def transitions(self) -> list[dict[str, Any]]:
        """The table as `transitions.Machine` takes it: a trigger's rows told apart by
        their conditions (for a machine of one's own, as the benchmark builds)."""
        return [
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest,
                **({"conditions": t.conditions} if t.conditions else {}),
            }
            for t in self.table
        ]

    def allowed(self, model: Any) -> tuple[str, ...]:
        """The actions a person may take on *model* now (guards included)."""
        return tuple(
            rows[0].trigger
            for rows in self.actions[model.state]
            if any(t.holds(model) for t in rows)
            and (rows[0].guard is None or getattr(model, rows[0].guard)() is None)
        )

    def row(self, model: Any, trigger: str, *, at: datetime | None = None) -> Transition:
        """The row *trigger* fires from *model*'s state, or `InvalidAction` naming why not."""
        rows = self._rows.get((model.state, trigger))
        if rows is None:
            raise self.refusal(model, trigger, model._state_note())
        held = [t for t in rows if t.holds(model)]
        if not held:
            raise self.refusal(model, trigger, model._policy_note(trigger))
        row = held[0]  # rows of one trigger share their actor and guard
        if row.guard is not None and (why := getattr(model, row.guard)()) is not None:
            opens = getattr(model, "_possible_from", None)
            raise self.refusal(model, trigger, why, possible_from=opens and opens(trigger))
        return row

    def refusal(
        self, model: Any, trigger: str, why: str, *, possible_from: datetime | None = None
    ) -> InvalidAction:
        """An `InvalidAction` for *trigger* that names the state and the actions allowed now."""
        allowed = model.allowed()
        state = model.state.value
        reason = f"{why}; " if why else ""
        moves = any(model.state in t.sources and t.holds(model) for t in self.table)
        final = "nothing for now" if moves else f"nothing (the {self.name} is final)"
        actor_of = getattr(model, "_actor_of", actor)
        listed = ", ".join(f"{name} ({actor_of(name).value})" for name in allowed)
        return InvalidAction(
            f"cannot {trigger} now: {reason}the {self.name} is {state}; "
            f"allowed now: {listed or final}",
            action=trigger,
            state=state,
            allowed=allowed,
            possible_from=possible_from,
        )

    def due(self, model: Any) -> tuple[Transition, datetime] | None:
        """*model*'s next automatic step and its instant, or None if it has none: of the
        automatic rows from its state whose conditions hold and whose clock is set, the
        one due first (the first in the table on a tie)."""
        rows = self.automatic.get(model.state)
        if rows is None:
            return None
        found: tuple[Transition, datetime] | None = None
        for t in rows:
            if (t.condition is None or getattr(model, t.condition)()) and t.holds(model):
                when: datetime | None = getattr(model, cast(str, t.clock))
                if when is not None and (found is None or when < found[1]):
                    found = (t, when)
        return found

    def next_step(self, model: Any) -> Transition | None:
        """The automatic row *model*'s state would take next, or None (see `due`)."""
        due = self.due(model)
        return None if due is None else due[0]

    def fire(self, model: Model, trigger: str) -> None:
        """Move *model* along *trigger* through the shared machine."""
        try:
            moved = self._events[trigger].trigger(model)
        except (MachineError, KeyError, ValueError) as err:  # pragma: no cover - guarded above
            raise self.refusal(model, trigger, f"refused by the state machine ({err})") from None
        if not moved:  # pragma: no cover - the conditions of a trigger's rows cover every case
            raise self.refusal(model, trigger, "no condition of its rows holds")

    @property
    def finals(self) -> tuple[State, ...]:
        """The states a model may end in: those with no row out but rows only some rules
        have (an appeal of a decided dispute, under rules with an appeal window)."""
        return tuple(
            s
            for s in self.states
            if all(t.consequence is not None for t in self.table if s in t.sources)
        )

    def mermaid(self) -> str:
        """The lifecycle as a Mermaid state diagram (automatic steps dashed in the label)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.value}"]
        for t in self.table:
            lines.extend(f"    {s.value} --> {t.dest.value}: {t.label}" for s in t.sources)
        lines.extend(f"    {s.value} --> [*]" for s in self.finals)
        return "\n".join(lines) + "\n"


def _t(
    trigger: str,
    sources: Iterable[State],
    dest: State,
    actor: Actor,
    doc: str,
    **kw: Any,
) -> Transition:
    return Transition(trigger, tuple(sources), dest, actor, doc, **kw)


_O = OrderState
_D = DisputeState
_OPEN = (_D.AWAITING_SELLER, _D.NEGOTIATING, _D.ARBITRATION)

ORDER = Lifecycle(
    "order",
    _O.AWAITING_SHIPMENT,
    [
        _t("ship", [_O.AWAITING_SHIPMENT], _O.SHIPPED, Actor.SELLER,
           "The seller ships; protection starts."),
        _t("cancel_unshipped", [_O.AWAITING_SHIPMENT], _O.CLOSED, Actor.SYSTEM,
           "Not shipped within the processing time: cancelled and fully refunded.",
           clock="shipping_deadline"),
        _t("confirm_receipt", [_O.SHIPPED], _O.COMPLETED, Actor.BUYER,
           "The buyer confirms receipt; the order completes at once."),
        _t("complete", [_O.SHIPPED], _O.COMPLETED, Actor.SYSTEM,
           "Protection ended with no dispute open; the seller is paid.",
           clock="protection_ends"),
        _t("request_extension", [_O.SHIPPED], _O.SHIPPED, Actor.BUYER,
           "The buyer asks the seller to extend protection.", consequence="_extensions"),
        _t("grant_extension", [_O.SHIPPED], _O.SHIPPED, Actor.SELLER,
           "The seller extends protection by a number of days.",
           guard="_extension_refusal", consequence="_extensions"),
        _t("contact_seller", [_O.AWAITING_SHIPMENT], _O.AWAITING_SHIPMENT, Actor.BUYER,
           "The buyer contacts the seller before it ships."),
        _t("contact_seller", [_O.SHIPPED], _O.SHIPPED, Actor.BUYER,
           "The buyer contacts the seller (Amazon: the first step before a claim)."),
        _t("contact_seller", [_O.COMPLETED], _O.COMPLETED, Actor.BUYER,
           "The buyer who confirmed receipt contacts the seller before a claim.",
           consequence="_contact_first"),
        _t("open_dispute", [_O.SHIPPED, _O.COMPLETED], _O.IN_DISPUTE, Actor.BUYER,
           "The buyer opens a dispute.", guard="_dispute_refusal"),
        _t("dispute_resolved", [_O.IN_DISPUTE], _O.CLOSED, Actor.SYSTEM,
           "The dispute was agreed or decided: no further dispute on this order."),
        _t("dispute_appealed", [_O.CLOSED], _O.IN_DISPUTE, Actor.SYSTEM,
           "The platform's decision was appealed: the order waits for the new one.",
           consequence="_appeals"),
        _t("dispute_cancelled", [_O.IN_DISPUTE], _O.SHIPPED, Actor.SYSTEM,
           "The buyer cancelled the dispute opened during protection."),
        _t("dispute_cancelled_after_completion", [_O.IN_DISPUTE], _O.COMPLETED, Actor.SYSTEM,
           "The buyer cancelled the dispute opened after completion."),
        _t("close", [_O.COMPLETED], _O.CLOSED, Actor.SYSTEM,
           "The post-completion window ended: closed for good.",
           clock="post_completion_ends"),
    ],
)  # fmt: skip

_REFUND_ONLY = {"condition": "_refund_only"}
_WITH_RETURN = {"condition": "_with_return"}
_IN_CLAIM = {"consequence": "_claim_awaits_seller"}
_SILENCE = {"consequence": "_silence_refunds"}

DISPUTE = Lifecycle(
    "dispute",
    _D.AWAITING_SELLER,
    [
        _t("seller_accept", [_D.AWAITING_SELLER, _D.NEGOTIATING], _D.RESOLVED, Actor.SELLER,
           "The seller accepts the buyer's request; it is refunded.", **_REFUND_ONLY),
        _t("seller_accept", [_D.AWAITING_SELLER, _D.NEGOTIATING], _D.AWAITING_RETURN,
           Actor.SELLER, "The seller accepts the buyer's request of a return.", **_WITH_RETURN),
        _t("seller_accept", [_D.ARBITRATION], _D.RESOLVED, Actor.SELLER,
           "The seller accepts the buyer's claim; it is refunded.", **_REFUND_ONLY, **_IN_CLAIM),
        _t("seller_accept", [_D.ARBITRATION], _D.AWAITING_RETURN, Actor.SELLER,
           "The seller accepts the buyer's claim of a return.", **_WITH_RETURN, **_IN_CLAIM),
        _t("seller_reject", [_D.AWAITING_SELLER], _D.NEGOTIATING, Actor.SELLER,
           "The seller refuses with a counter-offer; negotiation starts."),
        _t("seller_reject", [_D.ARBITRATION], _D.ARBITRATION, Actor.SELLER,
           "The seller answers the claim with a counter-offer; the platform decides.",
           **_IN_CLAIM),
        _t("seller_timeout", [_D.AWAITING_SELLER], _D.RESOLVED, Actor.SYSTEM,
           "The seller did not answer in time: the buyer's request is refunded.",
           clock="seller_deadline", **_REFUND_ONLY, **_SILENCE),
        _t("seller_timeout", [_D.AWAITING_SELLER], _D.AWAITING_RETURN, Actor.SYSTEM,
           "The seller did not answer in time: the buyer's request of a return is agreed.",
           clock="seller_deadline", **_WITH_RETURN, **_SILENCE),
        _t("seller_timeout", [_D.ARBITRATION], _D.RESOLVED, Actor.SYSTEM,
           "The seller did not answer the claim in time: it is refunded.",
           clock="seller_deadline", **_REFUND_ONLY, **_IN_CLAIM),
        _t("seller_timeout", [_D.ARBITRATION], _D.AWAITING_RETURN, Actor.SYSTEM,
           "The seller did not answer the claim in time: its return is agreed.",
           clock="seller_deadline", **_WITH_RETURN, **_IN_CLAIM),
        _t("buyer_accept", [_D.NEGOTIATING], _D.RESOLVED, Actor.BUYER,
           "The buyer accepts the seller's counter-offer.", **_REFUND_ONLY),
        _t("buyer_accept", [_D.NEGOTIATING], _D.AWAITING_RETURN, Actor.BUYER,
           "The buyer accepts the seller's counter-offer of a return.", **_WITH_RETURN),
        _t("buyer_modify", [_D.AWAITING_SELLER, _D.NEGOTIATING], _D.AWAITING_SELLER, Actor.BUYER,
           "The buyer changes the request; the seller's window starts again."),
        _t("escalate", [_D.NEGOTIATING], _D.ARBITRATION, Actor.BUYER,
           "The buyer asks the platform to decide.", guard="_escalation_refusal"),
        _t("escalate", [_D.AWAITING_SELLER], _D.ARBITRATION, Actor.BUYER,
           "The buyer asks the platform to step in before the seller answered (eBay, once "
           "the seller's window is over; PayPal: the inquiry becomes a claim).",
           guard="_escalation_refusal", consequence="_escalation_unanswered"),
        _t("negotiation_timeout", [_D.AWAITING_SELLER, _D.NEGOTIATING], _D.ARBITRATION,
           Actor.SYSTEM, "No agreement in time: the platform takes the dispute.",
           clock="negotiation_deadline", consequence="_negotiation_escalates"),
        _t("negotiation_timeout", [_D.AWAITING_SELLER, _D.NEGOTIATING], _D.RESOLVED,
           Actor.SYSTEM, "Not escalated in time: the dispute closes with no refund (expired).",
           clock="negotiation_deadline", consequence="_negotiation_closes"),
        _t("cancel", _OPEN, _D.CANCELLED, Actor.BUYER,
           "The buyer withdraws the dispute.", guard="_cancel_refusal"),
        _t("platform_decide", [_D.ARBITRATION], _D.RESOLVED, Actor.PLATFORM,
           "The platform decides; final unless the rules allow an appeal.", **_REFUND_ONLY),
        _t("platform_decide", [_D.ARBITRATION], _D.AWAITING_RETURN, Actor.PLATFORM,
           "The platform decides on a return; its decision is final.", **_WITH_RETURN),
        _t("appeal", [_D.RESOLVED], _D.ARBITRATION, Actor.BUYER,
           "The side that lost appeals the platform's decision: it is set aside and the "
           "platform decides again, finally.", guard="_appeal_refusal", consequence="_appeals"),
        _t("ship_return", [_D.AWAITING_RETURN], _D.RETURN_IN_TRANSIT, Actor.BUYER,
           "The buyer ships the item back and gives the return's tracking number."),
        _t("return_timeout", [_D.AWAITING_RETURN], _D.RESOLVED, Actor.SYSTEM,
           "The buyer did not ship the return in time: no refund, the money goes to the seller.",
           clock="return_ship_deadline"),
        _t("confirm_return", [_D.RETURN_IN_TRANSIT], _D.RESOLVED, Actor.SELLER,
           "The seller confirms the goods came back; the agreed refund is paid."),
        _t("refuse_return", [_D.RETURN_IN_TRANSIT], _D.ARBITRATION, Actor.SELLER,
           "The seller refuses the goods that came back; the platform decides."),
        _t("return_confirm_timeout", [_D.RETURN_IN_TRANSIT], _D.RESOLVED, Actor.SYSTEM,
           "The seller did not confirm the return in time: the agreed refund is paid.",
           clock="return_confirm_deadline"),
    ],
)  # fmt: skip

LIFECYCLES = (ORDER, DISPUTE)

_ACTORS = {row.trigger: row.actor for lifecycle in LIFECYCLES for row in lifecycle.table}


def actor(trigger: str) -> Actor:
    """Who takes *trigger* by the tables (a model may say otherwise: see `Model`)."""
    return _ACTORS[trigger]
