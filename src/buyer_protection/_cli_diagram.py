"""The lifecycles drawn from their one declaration: Graphviz DOT and Mermaid.

Drawn for a policy, a lifecycle has only the rows that policy's rules have: those whose
consequence holds (eBay's seller window only allows escalation; a PayPal inquiry closes),
and of the automatic rows, those whose clock runs (none of cancel_unshipped where there
is no processing time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs

from .dispute import Dispute
from .dispute_clocks import DisputeClocks
from .lifecycle import DISPUTE, ORDER, Actor, DisputeState, Lifecycle, State, Transition
from .money import Money
from .order import Order
from .policy import Policy
from .terms import Agreement, Remedy, Resolution
from .tracking import TrackingEvent
from .windows import Windows

_AT = datetime(2020, 1, 1, tzinfo=UTC)  # any instant: only whether a clock runs is read
_DECIDED = Agreement(
    Money("1", "USD"), Remedy.RETURN_AND_REFUND, Resolution.PLATFORM_ARBITRATE, _AT
)


@attrs.define(eq=False)
class _Everything(Windows, DisputeClocks):
    """An order and its dispute in one, under *policy*, with every fact a row's
    consequence or clock reads: paid, shipped with an estimated delivery, completed, the
    seller contacted; the dispute countered and escalated after that as *countered_at*
    and *escalated_at* say (a claim not yet answered), agreed on a return (shipped back
    as *return_shipped_at* says), and decided by the platform."""

    policy: Policy
    paid_at: datetime = _AT
    shipped_at: datetime | None = _AT
    protection_days: int | None = 1
    promised_days: int | None = None
    extension_days: int = 0
    completed_at: datetime | None = _AT
    estimated_delivery: datetime | None = _AT
    contacted_at: datetime | None = _AT
    _tracking: list[TrackingEvent] | tuple[()] = ()
    opened_at: datetime = _AT
    requested_at: datetime = _AT
    countered_at: datetime | None = _AT
    escalated_at: datetime | None = None
    appealed_at: datetime | None = None
    by_platform: bool = False
    return_shipped_at: datetime | None = _AT
    return_tracking: str | None = None
    _now: datetime = _AT
    _agreement: Agreement | None = _DECIDED
    _refund: Money | None = _DECIDED.refund
    _reached_by: Resolution | None = Resolution.PLATFORM_ARBITRATE
    _reached_at: datetime | None = _AT
    _decided: bool = True
    order: _Everything = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.order = self  # the dispute's order: itself


_MODEL = {ORDER.name: Order, DISPUTE.name: Dispute}
_BEFORE_ESCALATION = (DisputeState.AWAITING_SELLER, DisputeState.NEGOTIATING)
"""The dispute's states before anyone escalated it: there, it has no escalation instant
(and awaiting the seller, no counter-offer either)."""


def _holds(lifecycle: Lifecycle, policy: Policy, state: State, name: str) -> bool:
    """*policy*'s rules have what *lifecycle*'s model reads by *name* in *state*: a row's
    consequence that holds, or a clock that runs (gives an instant)."""
    escalated = None if state in _BEFORE_ESCALATION else _AT + timedelta(seconds=1)
    countered = None if state is DisputeState.AWAITING_SELLER else _AT
    shipped_back = _AT if state is DisputeState.RETURN_IN_TRANSIT else None
    everything = _Everything(
        policy, countered_at=countered, escalated_at=escalated, return_shipped_at=shipped_back
    )
    member = getattr(_MODEL[lifecycle.name], name)
    if isinstance(member, property):
        return member.__get__(everything) is not None
    return bool(member(everything))


def rows(lifecycle: Lifecycle, policy: Policy | None = None) -> tuple[Transition, ...]:
    """The rows of *lifecycle* that *policy*'s rules have (every row without a policy),
    each from the states where they have it: where its consequence holds for them and,
    for an automatic row, where its clock runs under them (a PayPal inquiry has no
    seller's window: the claim has)."""
    if policy is None:
        return lifecycle.table
    kept = []
    for row in lifecycle.table:
        sources = tuple(
            source
            for source in row.sources
            if all(_holds(lifecycle, policy, source, n) for n in (row.consequence, row.clock) if n)
        )
        if sources:
            kept.append(row if sources == row.sources else attrs.evolve(row, sources=sources))
    return tuple(kept)


def _label(row: Transition) -> str:
    if row.clock is not None:
        return f"{row.trigger} (at {row.clock})"
    if row.actor is Actor.SYSTEM:
        return f"{row.trigger} (follows the dispute)"
    return f"{row.trigger} ({row.actor.value})"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _finals(lifecycle: Lifecycle, table: Sequence[Transition]) -> tuple[State, ...]:
    """The states of *lifecycle* a model may end in, drawn from the rows *table*: those
    with no row out but rows only some rules have (`Lifecycle.finals` of those rows)."""
    return tuple(
        s
        for s in lifecycle.states
        if all(t.consequence is not None for t in table if s in t.sources)
    )


def _mermaid(lifecycle: Lifecycle, table: Sequence[Transition]) -> str:
    """`Lifecycle.mermaid` drawn from the rows *table* only (each written as it writes them)."""
    lines = ["stateDiagram-v2", f"    [*] --> {lifecycle.initial.value}"]
    lines.extend(f"    {s.value} --> {t.dest.value}: {t.label}" for t in table for s in t.sources)
    lines.extend(f"    {s.value} --> [*]" for s in _finals(lifecycle, table))
    return "\n".join(lines) + "\n"


def dot(lifecycles: Sequence[Lifecycle] = (ORDER, DISPUTE), policy: Policy | None = None) -> str:
    """The *lifecycles* as one Graphviz DOT digraph, a cluster each, from their tables
    (given a *policy*, only the rows its rules have, from the states where they have
    them: those whose consequence holds, and where their clock runs).

    Automatic steps (a clock fires them) are dashed; steps that follow the other
    lifecycle are dotted; final states have a double border.
    """
    lines = [
        "digraph lifecycles {",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for lifecycle in lifecycles:
        name = lifecycle.name
        table = rows(lifecycle, policy)

        def node(state: State, name: str = name) -> str:
            return f"{name}_{state.value}"

        finals = _finals(lifecycle, table)
        lines.append(f"    subgraph cluster_{name} {{")
        lines.append(f"        label={_dot_text(name)};")
        lines.append(f'        {name}__start [shape=point, label=""];')
        for state in lifecycle.states:
            extra = ", peripheries=2" if state in finals else ""
            lines.append(f"        {node(state)} [label={_dot_text(state.value)}{extra}];")
        lines.append(f"        {name}__start -> {node(lifecycle.initial)};")
        for row in table:
            style = (
                ", style=dashed"
                if row.automatic
                else ", style=dotted"
                if row.actor is Actor.SYSTEM
                else ""
            )
            label = _dot_text(_label(row))
            lines.extend(
                f"        {node(source)} -> {node(row.dest)} [label={label}{style}];"
                for source in row.sources
            )
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid(
    lifecycles: Sequence[Lifecycle] = (ORDER, DISPUTE), policy: Policy | None = None
) -> str:
    """The *lifecycles* as Mermaid state diagrams, one after the other, each named (only
    the rows a given *policy*'s rules have, as `dot` draws them)."""
    diagrams = []
    for lifecycle in lifecycles:
        drawn = _mermaid(lifecycle, rows(lifecycle, policy))
        first, rest = drawn.split("\n", 1)
        diagrams.append(f"{first}\n    %% the {lifecycle.name} lifecycle\n{rest}")
    return "\n".join(diagrams)
