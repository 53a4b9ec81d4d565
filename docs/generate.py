"""Write the generated parts of the docs: the policy's rules table and the lifecycle diagrams.

Each generated part sits in a Markdown page between two marker comments::

    <!-- BEGIN generated: NAME (python docs/generate.py) -->
    ...
    <!-- END generated: NAME -->

``python docs/generate.py`` rewrites them from the code; ``--check`` only reports
the pages whose generated parts are stale (exit status 1). The tests run the check.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Actor,
    BusinessDays,
    Calendar,
    Policy,
    policies,
)
from buyer_protection._cli_diagram import rows
from buyer_protection.calendars import span
from buyer_protection.cli import mermaid
from buyer_protection.lifecycle import DISPUTE, ORDER, DisputeState, Lifecycle, State
from buyer_protection.sources import sources

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


# -- every marketplace: the presets compared, each one's clocks and diagrams -------------


def _words(value: object) -> str:
    """A policy field's value in words, short enough for a table cell."""
    if isinstance(value, timedelta) and timedelta(0) < value <= timedelta(days=3):
        return f"{span(value)} ({value // timedelta(hours=1)} hours)"
    if isinstance(value, timedelta | BusinessDays):
        return span(value) if value else "0"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, datetime):
        at = value.astimezone(UTC)
        return at.date().isoformat() if at.time() == time() else at.isoformat()
    if isinstance(value, Calendar):
        where = f"{value.country}-{value.subdivision}" if value.subdivision else value.country
        holidays = f", holidays of {where}" if where else ""
        closed = f", {len(value.closed)} closed periods" if value.closed else ""
        return f"{value.timezone}{holidays}{closed}"
    return f"`{value}`"


def latest_presets() -> tuple[Policy, ...]:
    """The latest version of each preset's name, in `policies` order."""
    latest = {p.name: p for p in policies()}
    return tuple(latest.values())


def comparison_table() -> str:
    """Every field of the latest preset of each name, side by side: a row a field."""
    presets = latest_presets()
    lines = [
        "| field | " + " | ".join(f"`{p.name}`" for p in presets) + " |",
        "|---|" + "---|" * len(presets),
    ]
    for name, *_ in ALIEXPRESS.rules():
        values = " | ".join(_cell(_words(getattr(p, name))) for p in presets)
        lines.append(f"| `{name}` | {values} |")
    return "\n".join(lines) + "\n"


_CONSEQUENCES = {
    "_extensions": "the buyer may ask for an extension of protection (`extensions`)",
    "_contact_first": "a claim needs a first contact with the seller, also after the buyer "
    "confirmed receipt (`contact_wait` is not none)",
    "_appeals": "a decision of the platform can be appealed (`appeal_window` is not none)",
    "_silence_refunds": "the seller's silence refunds the request (`seller_window_ends` "
    "is `refund`; a PayPal inquiry has no seller's window: its claim has)",
    "_escalation_unanswered": "the buyer may escalate before the seller answered "
    "(`seller_window_ends` is `allow_escalation`, or `seller_window_starts` is `escalation`)",
    "_negotiation_escalates": "the end of the negotiation window hands the dispute to the "
    "platform (`negotiation_window_ends` is `escalate`)",
    "_negotiation_closes": "the end of the negotiation window closes the dispute with no "
    "refund, `expired` (`negotiation_window_ends` is `close`)",
    "_claim_awaits_seller": "a claim waits for the seller's answer: the seller's window "
    "starts at the escalation and its silence refunds (`seller_window_starts` is "
    "`escalation`); the claim's rows are there until the seller answers",
}
"""Each consequence a row of the lifecycle tables names, in words."""


def consequences_table() -> str:
    """Each consequence the lifecycle tables name, in their order: what it means (every
    one must have its words in `_CONSEQUENCES`), its rows, and whether the latest preset
    of each name has them."""
    presets = latest_presets()
    lines = [
        "| `[if ...]` | meaning | rows | " + " | ".join(f"`{p.name}`" for p in presets) + " |",
        "|---|---|---|" + "---|" * len(presets),
    ]
    tables = (ORDER, DISPUTE)
    named = dict.fromkeys(row.consequence for lc in tables for row in lc.table if row.consequence)
    for name in named:
        triggers = dict.fromkeys(
            f"`{row.trigger}`" for lc in tables for row in lc.table if row.consequence == name
        )
        cells = " | ".join(
            "yes" if any(row.consequence == name for lc in tables for row in rows(lc, p)) else "no"
            for p in presets
        )
        label = name.strip("_").replace("_", " ")
        lines.append(f"| {label} | {_CONSEQUENCES[name]} | {', '.join(triggers)} | {cells} |")
    return "\n".join(lines) + "\n"


def clocks_table(presets: Sequence[Policy]) -> str:
    """The rules of the marketplace of *presets* (`sources`): each rule, the fields of
    *presets* that encode it (one value where they agree, each preset's otherwise), when
    it starts, what its end does, how sure that is and where it is published; then the
    fields no rule names, which keep the library's default (``Policy()``'s value)."""
    lines = [
        "| rule | in the presets | starts | when it runs out | confidence | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in sources(presets[0]):
        values = []
        for name in row.fields:
            found = {p.name: _words(getattr(p, name)) for p in presets}
            if len(set(found.values())) == 1:
                values.append(f"`{name}` {next(iter(found.values()))}")
            else:
                each = "; ".join(f"{p}: {v}" for p, v in found.items())
                values.append(f"`{name}` ({each})")
        sure = _CONFIDENCE.get(row.confidence, row.confidence)
        lines.append(
            f"| {_cell(row.rule)} | {_cell('; '.join(values))} | {_cell(row.starts)} | "
            f"{_cell(row.ends)} | {sure} | {_cell(row.source)} |"
        )
    covered = {name for row in sources(presets[0]) for name in row.fields}
    default = [
        f"`{name}` {_words(value)}" for name, value, *_ in Policy().rules() if name not in covered
    ]
    lines.append(
        f"\nNot published for these rules, so the library's default: {', '.join(default)}."
    )
    return "\n".join(lines) + "\n"


def preset_diagram(lifecycle: Lifecycle, policy: Policy) -> str:
    """The Mermaid diagram of the rows of *lifecycle* that *policy*'s rules have."""
    return f"```mermaid\n{mermaid((lifecycle,), policy=policy)}```\n"


def _marketplace(*presets: Policy) -> dict[str, Callable[[], str]]:
    """The generated parts of a marketplace's page: its clocks, and its lifecycles as the
    first of *presets* has them."""
    return {
        "clocks": lambda: clocks_table(presets),
        "order-diagram": lambda: preset_diagram(ORDER, presets[0]),
        "dispute-diagram": lambda: preset_diagram(DISPUTE, presets[0]),
    }


GENERATED: dict[str, dict[str, Callable[[], str]]] = {
    "rules.md": {"rules": rules_table, "presets": presets_table, "comparison": comparison_table},
    "ebay.md": _marketplace(EBAY_US, EBAY_UK),
    "paypal.md": _marketplace(PAYPAL),
    "amazon.md": _marketplace(AMAZON_US),
    "lifecycle.md": {
        "order-diagram": lambda: diagram(ORDER),
        "order-transitions": lambda: transitions_list(ORDER),
        "dispute-diagram": lambda: diagram(DISPUTE),
        "dispute-transitions": lambda: transitions_list(DISPUTE),
        "consequences": consequences_table,
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
