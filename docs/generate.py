"""Write the generated parts of the docs: the policy's rules table and the lifecycle diagrams.

Each generated part sits in a Markdown page between two marker comments::

    <!-- BEGIN generated: NAME (python docs/generate.py) -->
    ...
    <!-- END generated: NAME -->

``python docs/generate.py`` rewrites them from the code; ``--check`` only reports
the pages whose generated parts are stale (exit status 1). The tests run the check.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from buyer_protection import ALIEXPRESS, Actor, Calendar, Policy, policies
from buyer_protection.lifecycle import DISPUTE, ORDER, DisputeState, Lifecycle, State

DOCS = Path(__file__).resolve().parent
COMMAND = "python docs/generate.py"
_CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}
_MARKERS = re.compile(
    r"(?P<begin><!-- BEGIN generated: (?P<name>[\w-]+) \(.*?\) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- END generated: (?P=name) -->)",
    re.DOTALL,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "-"


def _value(value: object) -> str:
    if isinstance(value, timedelta):
        whole_days = not value % timedelta(days=1)
        if whole_days:
            return f"{value.days} day" if value.days == 1 else f"{value.days} days"
        return str(value)
    if isinstance(value, datetime):
        return f"`{value.isoformat()}`"
    if value == Calendar():
        return "`Calendar()` (UTC, Monday to Friday, no holidays, nothing closed)"
    return f"`{value!r}`"


def rules_table(policy: Policy = ALIEXPRESS) -> str:
    """The policy's fields as a Markdown table: field, value, and the rule with its source."""
    lines = [
        "| field | value | rule, source and confidence |",
        "|---|---|---|",
    ]
    for name, value, rule, source, confidence in policy.rules():
        origin = f" *Source:* {source}." if source else ""
        sure = _CONFIDENCE.get(confidence, confidence)
        text = _cell(f"{rule}.{origin} *Confidence:* {sure}.")
        lines.append(f"| `{name}` | {_value(value)} | {text} |")
    return "\n".join(lines) + "\n"


def presets_table() -> str:
    """Every preset as a Markdown table: name, version, in force from, and the fields in
    which it differs from the latest version of its name."""
    lines = [
        "| name | version | in force from | differs from the latest version in |",
        "|---|---|---|---|",
    ]
    latest = {p.name: p for p in policies()}
    for preset in policies():
        current = latest[preset.name]
        skip = {"version", "effective_from"}
        changed = [
            f"`{name}` {_value(value)}"
            for name, value, *_ in preset.rules()
            if name not in skip and value != getattr(current, name)
        ]
        since = preset.effective_from
        assert since is not None  # a preset has one
        lines.append(
            f"| `{preset.name}` | `{preset.version}` | {since.date().isoformat()} | "
            f"{_cell(', '.join(changed)) if changed else '(the latest)'} |"
        )
    return "\n".join(lines) + "\n"


def diagram(lifecycle: Lifecycle) -> str:
    """The lifecycle's Mermaid diagram as a fenced block."""
    return f"```mermaid\n{lifecycle.mermaid()}```\n"


RETURN_STATES = (DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT)
"""The dispute's states of a return, which the returns page draws."""


def part_diagram(lifecycle: Lifecycle, states: Collection[State]) -> str:
    """The Mermaid diagram of the part of *lifecycle* around *states*, as a fenced block.

    It draws every row into or out of one of *states*, each line as the whole
    diagram writes it, and the end of each final state those rows reach.
    """
    lines = ["stateDiagram-v2"]
    reached: list[State] = []
    for t in lifecycle.table:
        for s in t.sources:
            if s in states or t.dest in states:
                lines.append(f"    {s.value} --> {t.dest.value}: {t.label}")
                reached.extend(x for x in (s, t.dest) if x not in reached)
    final = [s for s in reached if s in lifecycle.finals]
    lines.extend(f"    {s.value} --> [*]" for s in final)
    body = "\n".join(lines)
    return f"```mermaid\n{body}\n```\n"


def transitions_list(lifecycle: Lifecycle) -> str:
    """The lifecycle table as a Markdown list: trigger, who or what fires it, the change, why."""
    lines = []
    for row in lifecycle.table:
        if row.clock:
            by = f"the clock, at `{row.clock}`"
        elif row.actor is Actor.SYSTEM:
            by = f"follows the {'dispute' if lifecycle is ORDER else 'order'}"
        else:
            by = row.actor.value
        sources = ", ".join(f"`{s.value}`" for s in row.sources)
        lines.append(f"- `{row.trigger}` ({by}): {sources} → `{row.dest.value}`. {row.doc}")
    return "\n".join(lines) + "\n"


GENERATED: dict[str, dict[str, Callable[[], str]]] = {
    "rules.md": {"rules": rules_table, "presets": presets_table},
    "lifecycle.md": {
        "order-diagram": lambda: diagram(ORDER),
        "order-transitions": lambda: transitions_list(ORDER),
        "dispute-diagram": lambda: diagram(DISPUTE),
        "dispute-transitions": lambda: transitions_list(DISPUTE),
    },
    "returns.md": {"return-diagram": lambda: part_diagram(DISPUTE, RETURN_STATES)},
}
"""For each page, the generated parts it holds and the function that writes each."""


def render(text: str, parts: dict[str, Callable[[], str]]) -> str:
    """*text* with each generated part rewritten; every part must have its markers."""
    found = {match["name"] for match in _MARKERS.finditer(text)}
    missing = sorted(set(parts) - found)
    if missing:
        raise ValueError(f"no markers for the generated parts {', '.join(missing)}")

    def replace(match: re.Match[str]) -> str:
        make = parts.get(match["name"])
        body = match["body"] if make is None else make()
        return f"{match['begin']}{body}{match['end']}"

    return _MARKERS.sub(replace, text)


def stale(docs: Path = DOCS) -> list[str]:
    """The pages under *docs* whose generated parts differ from what the code gives."""
    return [
        name
        for name, parts in GENERATED.items()
        if render((docs / name).read_text(encoding="utf-8"), parts)
        != (docs / name).read_text(encoding="utf-8")
    ]


def write(docs: Path = DOCS) -> list[str]:
    """Rewrite the generated parts under *docs*; return the pages that changed."""
    changed = stale(docs)
    for name in changed:
        path = docs / name
        path.write_text(render(path.read_text(encoding="utf-8"), GENERATED[name]), "utf-8")
    return changed


def main(argv: Sequence[str] = ()) -> int:
    """``generate.py`` writes the generated parts; ``generate.py --check`` only checks."""
    if list(argv) == ["--check"]:
        pages = stale()
        for name in pages:
            print(f"docs/{name}: generated parts are stale; run {COMMAND}", file=sys.stderr)
        return 1 if pages else 0
    if argv:
        print(f"usage: {COMMAND} [--check]", file=sys.stderr)
        return 2
    for name in write():
        print(f"docs/{name}: updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
