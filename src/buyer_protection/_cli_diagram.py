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
from .lifecycle import DISPUTE, ORDER, Actor, Lifecycle, State, Transition
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
    seller contacted; the dispute countered, then escalated (a claim not yet answered),
    agreed on a return shipped back, and decided by the platform."""

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
    escalated_at: datetime | None = _AT + timedelta(seconds=1)
    appealed_at: datetime | None = None
    by_platform: bool = False
    return_shipped_at: datetime | None = _AT
    _agreement: Agreement | None = _DECIDED
    _refund: Money | None = _DECIDED.refund
    _reached_by: Resolution | None = Resolution.PLATFORM_ARBITRATE
    _reached_at: datetime | None = _AT
    _decided: bool = True
    order: _Everything = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.order = self  # the dispute's order: itself


_MODEL = {ORDER.name: Order, DISPUTE.name: Dispute}


def rows(lifecycle: Lifecycle, policy: Policy | None = None) -> tuple[Transition, ...]:
    """The rows of *lifecycle* that *policy*'s rules have (every row without a policy):
    those whose consequence holds for it, and of the automatic rows those whose clock
    runs under it."""
    if policy is None:
        return lifecycle.table
    everything = _Everything(policy)
    model = _MODEL[lifecycle.name]

    def read(name: str) -> object:
        member = getattr(model, name)
        if isinstance(member, property):
            return member.__get__(everything)
        return member(everything)

    return tuple(
        row
        for row in lifecycle.table
        if (row.consequence is None or read(row.consequence))
        and (row.clock is None or read(row.clock) is not None)
    )


def _label(row: Transition) -> str:
    if row.clock is not None:
        return f"{row.trigger} (at {row.clock})"
    if row.actor is Actor.SYSTEM:
        return f"{row.trigger} (follows the dispute)"
    return f"{row.trigger} ({row.actor.value})"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid(lifecycle: Lifecycle, table: Sequence[Transition]) -> str:
    """`Lifecycle.mermaid` drawn from the rows *table* only (each written as it writes them)."""
    lines = ["stateDiagram-v2", f"    [*] --> {lifecycle.initial.value}"]
    lines.extend(f"    {s.value} --> {t.dest.value}: {t.label}" for t in table for s in t.sources)
    finals = (s for s in lifecycle.states if not any(s in t.sources for t in table))
    lines.extend(f"    {s.value} --> [*]" for s in finals)
    return "\n".join(lines) + "\n"


def dot(lifecycles: Sequence[Lifecycle] = (ORDER, DISPUTE), policy: Policy | None = None) -> str:
    """The *lifecycles* as one Graphviz DOT digraph, a cluster each, from their tables
    (only the rows *policy*'s rules have, when one is given: see `rows`).

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

        finals = {s for s in lifecycle.states if not any(s in t.sources for t in table)}
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
    the rows *policy*'s rules have, when one is given: see `rows`)."""
    diagrams = []
    for lifecycle in lifecycles:
        drawn = _mermaid(lifecycle, rows(lifecycle, policy))
        first, rest = drawn.split("\n", 1)
        diagrams.append(f"{first}\n    %% the {lifecycle.name} lifecycle\n{rest}")
    return "\n".join(diagrams)
