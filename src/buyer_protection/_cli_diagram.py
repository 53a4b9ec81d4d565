"""The lifecycles drawn from their one declaration: Graphviz DOT and Mermaid."""

from __future__ import annotations

from collections.abc import Sequence

from .lifecycle import DISPUTE, ORDER, Actor, Lifecycle, State, Transition


def _label(row: Transition) -> str:
    if row.clock is not None:
        return f"{row.trigger} (at {row.clock})"
    if row.actor is Actor.SYSTEM:
        return f"{row.trigger} (follows the dispute)"
    return f"{row.trigger} ({row.actor.value})"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(lifecycles: Sequence[Lifecycle] = (ORDER, DISPUTE)) -> str:
    """The *lifecycles* as one Graphviz DOT digraph, a cluster each, from their tables.

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

        def node(state: State, name: str = name) -> str:
            return f"{name}_{state.value}"

        finals = {s for s in lifecycle.states if not any(s in t.sources for t in lifecycle.table)}
        lines.append(f"    subgraph cluster_{name} {{")
        lines.append(f"        label={_dot_text(name)};")
        lines.append(f'        {name}__start [shape=point, label=""];')
        for state in lifecycle.states:
            extra = ", peripheries=2" if state in finals else ""
            lines.append(f"        {node(state)} [label={_dot_text(state.value)}{extra}];")
        lines.append(f"        {name}__start -> {node(lifecycle.initial)};")
        for row in lifecycle.table:
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


def mermaid(lifecycles: Sequence[Lifecycle] = (ORDER, DISPUTE)) -> str:
    """The *lifecycles* as Mermaid state diagrams, one after the other, each named."""
    diagrams = []
    for lifecycle in lifecycles:
        first, rest = lifecycle.mermaid().split("\n", 1)
        diagrams.append(f"{first}\n    %% the {lifecycle.name} lifecycle\n{rest}")
    return "\n".join(diagrams)
