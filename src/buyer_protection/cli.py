"""The command line: ``buyer-protection`` (also ``python -m buyer_protection``).

Commands: ``status`` and ``timeline`` read an order as ``dumps`` writes it (a file,
or ``-`` for standard input); ``rules`` prints a policy's table; ``diagram`` draws
both lifecycles from their one declaration (Mermaid or Graphviz DOT); ``example``
walks the seed's story. Human output is aligned text with instants in UTC (and in
``--tz`` too); ``--json`` prints one JSON object.

Exit status 0 on success, 2 on bad usage or bad input, always with one line on
standard error that names the file, the path in the document and the problem.
The only clock read is here: ``--at`` defaults to the current time, read once.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import walkthrough
from ._time import span
from .advice import Step, advise
from .errors import BuyerProtectionError, InvalidInput
from .feeds import parse_instant
from .lifecycle import DISPUTE, ORDER, Actor, Lifecycle, State, Transition
from .money import Money
from .order import Deadline, Order
from .policy import ALIEXPRESS, Policy
from .storage import CONVERTER, loads
from .timeline import Milestone

POLICIES: dict[str, Policy] = {ALIEXPRESS.name: ALIEXPRESS}
"""The policies ``rules --policy NAME`` knows, by name."""

WIDTH = 100
"""Human output wraps its last column to this many characters (fixed: the same on every
terminal, so that the output can be compared and quoted)."""

MIN_WRAP = 40
"""The narrowest last column ``table`` wraps."""

_CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}


class _Refused(Exception):
    """Bad input: the one line to print on stderr (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see --help)\n")


def _flat(text: str) -> str:
    """*text* on one line: line breaks become a space, other unprintable characters escapes.

    Documents come from elsewhere: a value must not break a line or drive the terminal.
    """
    joined = re.sub(r"\s*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])+\s*", " ", text)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in joined)


def _one_line(text: str) -> str:
    return _flat(text).strip()


def _prog() -> str:
    """The name the user typed: ``python -m buyer_protection`` or ``buyer-protection``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if script.name == "__main__.py" and script.parent.name == "buyer_protection":
        return "python -m buyer_protection"
    return "buyer-protection"


def _now() -> datetime:
    """The current instant: the default of ``--at``, the only clock this package reads."""
    return datetime.now(UTC)


# -- reading the inputs -------------------------------------------------------------------


def _zone(text: str) -> ZoneInfo:
    """An IANA time zone, for ``--tz``."""
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an IANA time zone; give a name such as 'Asia/Shanghai', "
            "'America/Los_Angeles' or 'UTC'"
        ) from None


def parse_at(text: str, zone: ZoneInfo | None = None) -> datetime:
    """The instant *text* names, in UTC; `InvalidInput` when it cannot be known for sure.

    ISO 8601 and the forms dateutil reads are accepted. A time without an offset is
    local time in *zone*, and refused without one; so are a zone abbreviation that
    means several things (``CST``), ``GMT+8`` (read two ways), a date without a year or
    a time of day, a day/month order that reads both ways, and a local time that a
    clock change skips or repeats.

    >>> parse_at("2026-03-20 10:00", ZoneInfo("Asia/Shanghai")).isoformat()
    '2026-03-20T02:00:00+00:00'
    """
    try:
        return parse_instant(text, default_tz=zone, name="--at")
    except InvalidInput as err:
        message = str(err)
        if "has no time zone" in message:
            raise InvalidInput(
                f"--at: {text!r} has no time zone; give it an offset "
                "(2026-03-20T10:00:00+08:00, or Z for UTC) or name the zone with --tz"
            ) from None
        if "day-first" in message:
            raise InvalidInput(
                f"--at: {text!r} reads as day-first and as month-first; write the date as "
                "ISO 8601 (2026-03-04)"
            ) from None
        raise


def _read_order(name: str) -> tuple[str, Order]:
    """The order in the file *name* (``-``: standard input) and the name to report it by."""
    label = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            stdin = sys.stdin
            data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
        else:
            data = Path(name).read_bytes()
    except OSError as err:
        raise _Refused(f"{label}: cannot read it: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _Refused(
            f"{label}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "expected an order as JSON, the way dumps writes it"
        ) from None
    if not text.strip():
        raise _Refused(f"{label}: empty; expected an order as JSON, the way dumps writes it")
    try:
        return label, loads(text)
    except BuyerProtectionError as err:
        problems = err.problems if isinstance(err, InvalidInput) else (str(err),)
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise _Refused(f"{label}: {problems[0]}{more}") from None
    except Exception as err:  # bad input must never end in a traceback
        raise _Refused(
            f"{label}: cannot read this document ({type(err).__name__}: {err})"
        ) from None


def _instant(args: argparse.Namespace, order: Order) -> datetime:
    """The ``--at`` instant (default: now), checked against the order's last event."""
    at = _now() if args.at is None else parse_at(args.at, args.tz)
    if at < order.last_event_at:
        raise _Refused(
            f"--at: {at.isoformat()} is before the order's last recorded event at "
            f"{order.last_event_at.astimezone(UTC).isoformat()}; give a later time"
        )
    return at


# -- writing the outputs ----------------------------------------------------------------


class _Clock:
    """How instants are written: UTC, and also in ``--tz`` when given."""

    def __init__(self, zone: ZoneInfo | None) -> None:
        self.zone = zone

    def utc(self, at: datetime) -> str:
        return at.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def local(self, at: datetime) -> str:
        return "" if self.zone is None else at.astimezone(self.zone).isoformat()

    def text(self, at: datetime | None) -> str:
        if at is None:
            return "-"
        if self.zone is None:
            return self.utc(at)
        return f"{self.utc(at)} ({self.zone.key} {self.local(at)})"


def _json_at(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def _json_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> str:
    """*rows* as aligned columns; the last column wraps under itself at ``WIDTH``.

    When the other columns leave it fewer than ``MIN_WRAP`` characters, the last column
    is not wrapped at all: a long line reads better than a thin ribbon.

    >>> print(table([("state", "shipped"), ("protection ends", "2026-05-01T00:00:00Z")]), end="")
    state            shipped
    protection ends  2026-05-01T00:00:00Z
    """
    rows = [
        tuple(_flat(cell).rstrip() for cell in row)
        for row in [*([header] if header else []), *rows]
    ]
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    indent = sum(widths) + 2 * len(widths)
    room = WIDTH - indent
    lines = []
    for row in rows:
        lead = "".join(cell.ljust(width + 2) for cell, width in zip(row, widths, strict=False))
        wrapped = (
            textwrap.wrap(row[-1], room, break_on_hyphens=False, break_long_words=False)
            if room >= MIN_WRAP
            else [row[-1]]
        ) or [""]
        lines.append((lead + wrapped[0]).rstrip())
        lines.extend(" " * indent + more for more in wrapped[1:])
    return "\n".join(lines) + "\n"


# -- the commands -------------------------------------------------------------------------


_Show = Callable[[Order, datetime, argparse.Namespace], str]


def _on_order(show: _Show) -> Callable[[argparse.Namespace], str]:
    """A command that reads FILE and --at, then writes what *show* makes of them.

    What goes wrong while looking at a loaded order comes from the document (an
    instant so late that its deadlines fall past year 9999, say): it is bad input too.
    """

    def command(args: argparse.Namespace) -> str:
        label, order = _read_order(args.file)
        at = _instant(args, order)
        try:
            return show(order, at, args)
        except BuyerProtectionError as err:
            raise _Refused(f"{label}: {_one_line(str(err))}") from None
        except OverflowError:
            raise _Refused(
                f"{label}: a deadline of this order falls outside the years 1 to 9999 "
                "that dates can hold"
            ) from None

    return command


def _status(order: Order, at: datetime, args: argparse.Namespace) -> str:
    view = order.as_of(at)
    steps = advise(order, at)
    dispute = view.dispute
    deadline = view.next_deadline
    step = steps[0] if steps else None
    if args.json:
        return _json(
            {
                "order_id": view.order_id,
                "at": _json_at(at),
                "state": view.state.value,
                "dispute_state": None if dispute is None else dispute.state.value,
                "total": _json_money(view.total),
                "refunded": _json_money(view.refunded),
                "protection_ends": _json_at(view.protection_ends),
                "last_event_at": _json_at(view.last_event_at),
                "next_deadline": None if deadline is None else _deadline_json(deadline),
                "next_step": None if step is None else _step_json(step),
                "allowed_now": list(view.allowed()),
                "tz": None if args.tz is None else args.tz.key,
            }
        )
    clock = _Clock(args.tz)
    rows = [
        ("order", view.order_id),
        ("as of", clock.text(at)),
        ("state", view.state.value),
        ("dispute", "-" if dispute is None else dispute.state.value),
        ("paid", f"{view.total}, refunded {view.refunded}"),
        ("protection ends", clock.text(view.protection_ends)),
        ("last event", clock.text(view.last_event_at)),
    ]
    if deadline is None:
        rows.append(("next deadline", "none: nothing happens by itself from here"))
    else:
        rows.append(("next deadline", clock.text(deadline.at)))
        rows.append(("  then", f"{deadline.subject} {deadline.action}: {deadline.meaning}"))
    if step is not None:
        rows.append(("next step", f"{step.action}: {step.why}"))
        if step.earliest is not None and step.earliest > at:
            rows.append(("  from", clock.text(step.earliest)))
        if step.latest is not None:
            rows.append(("  before", clock.text(step.latest)))
        if step.evidence:
            rows.append(("  evidence", "; ".join(step.evidence)))
    rows.append(("allowed now", ", ".join(view.allowed()) or "nothing"))
    return table(rows)


def _deadline_json(deadline: Deadline) -> dict[str, object]:
    return {
        "at": _json_at(deadline.at),
        "subject": deadline.subject,
        "action": deadline.action,
        "meaning": deadline.meaning,
    }


def _step_json(step: Step) -> dict[str, object]:
    return {
        "action": step.action,
        "why": step.why,
        "earliest": _json_at(step.earliest),
        "latest": _json_at(step.latest),
        "evidence": list(step.evidence),
    }


def _timeline(order: Order, at: datetime, args: argparse.Namespace) -> str:
    milestones: Sequence[Milestone] = order.timeline(at)
    if args.json:
        return _json(
            {
                "order_id": order.order_id,
                "at": _json_at(at),
                "milestones": [
                    {
                        "at": _json_at(m.at),
                        "what": m.what,
                        "label": m.label,
                        "status": m.status,
                        "detail": m.detail,
                    }
                    for m in milestones
                ],
                "tz": None if args.tz is None else args.tz.key,
            }
        )
    clock = _Clock(args.tz)
    local = () if args.tz is None else (f"at ({args.tz.key})",)
    header = ("at (UTC)", *local, "status", "milestone", "detail")
    rows = [
        (
            clock.utc(m.at),
            *(() if args.tz is None else (clock.local(m.at),)),
            m.status,
            m.label,
            m.detail or "-",
        )
        for m in milestones
    ]
    return f"Order {order.order_id} as of {clock.text(at)}\n\n" + table(rows, header)


def _value_text(value: object) -> str:
    if isinstance(value, timedelta):
        return span(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "none" if value is None else str(value)


def _rules(args: argparse.Namespace) -> str:
    policy = POLICIES[args.policy]
    rules = policy.rules()
    if args.json:
        return _json(
            {
                "policy": policy.name,
                "version": policy.version,
                "rules": [
                    {
                        "name": name,
                        "value": CONVERTER.unstructure(value),
                        "rule": rule,
                        "source": source,
                        "confidence": _CONFIDENCE.get(confidence, confidence),
                    }
                    for name, value, rule, source, confidence in rules
                ],
            }
        )
    rows: list[tuple[str, str, str, str]] = []
    for name, value, rule, source, confidence in rules:
        rows.append((name, _value_text(value), _CONFIDENCE.get(confidence, confidence), rule))
        if source:
            rows.append(("", "", "", f"source: {source}"))
    head = f"Policy {policy.name}, version {policy.version}\n\n"
    return head + table(rows, ("field", "value", "confidence", "rule"))


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


def _diagram(args: argparse.Namespace) -> str:
    return dot() if args.format == "dot" else mermaid()


def _example(_: argparse.Namespace) -> str:
    lines: list[str] = []
    walkthrough.run(lines.append)
    return "\n".join(lines) + "\n"


# -- the parser ---------------------------------------------------------------------------

_EPILOG = (
    "Exit status: 0 on success; 2 on bad usage or bad input, with one line on stderr "
    "naming the file, the path in the document and the problem."
)
_AT_HELP = (
    "the instant to look at: ISO 8601 (2026-03-20T10:00:00+08:00, 2026-03-20T02:00Z) or "
    "another unambiguous form with a year and a time of day; a time without an offset "
    "needs --tz. Default: now (the current time, read once when the command starts)"
)


def _parser(prog: str) -> _Parser:
    parser = _Parser(
        prog=prog,
        description="The rules of marketplace buyer protection (AliExpress first): "
        "ask where an order stands, when its next deadline falls, and what the rules say.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    order_file = _Parser(add_help=False, allow_abbrev=False)
    order_file.add_argument(
        "file", metavar="FILE", help="an order as dumps writes it (JSON), or - for stdin"
    )
    order_file.add_argument("--at", metavar="TIME", help=_AT_HELP)
    order_file.add_argument(
        "--tz",
        metavar="ZONE",
        type=_zone,
        help="an IANA time zone (Asia/Shanghai): reads a --at without offset as local "
        "time there, and shows every instant in it too (JSON stays in UTC)",
    )
    order_file.add_argument("--json", action="store_true", help="print one JSON object")

    def add(name: str, summary: str, description: str, **kw: Any) -> _Parser:
        sub: _Parser = commands.add_parser(
            name, help=summary, description=description, epilog=_EPILOG, allow_abbrev=False, **kw
        )
        return sub

    add(
        "status",
        "where an order stands, its next deadline, and the buyer's next step",
        "Where the order stands at --at: its state and its dispute's, when protection ends, "
        "the next deadline and what happens then, and the buyer's next step.",
        parents=[order_file],
    )
    add(
        "timeline",
        "every milestone of an order, past and future",
        "Every milestone of the order as seen at --at: what happened (done), what is "
        "ahead (due) and what passed without happening (expired).",
        parents=[order_file],
    )
    rules = add(
        "rules",
        "a policy's rules: every number, with its source",
        "Every field of a policy: its value, the rule it encodes, the source and how sure "
        "that source is.",
    )
    rules.add_argument(
        "--policy",
        default=ALIEXPRESS.name,
        choices=sorted(POLICIES),
        metavar="NAME",
        help=f"the policy (default: {ALIEXPRESS.name}; known: {', '.join(sorted(POLICIES))})",
    )
    rules.add_argument("--json", action="store_true", help="print one JSON object")
    diagram = add(
        "diagram",
        "the order and dispute lifecycles as a diagram",
        "Both lifecycles, drawn from the one table the state machine is built from.",
    )
    diagram.add_argument(
        "--format",
        default="mermaid",
        choices=("mermaid", "dot"),
        help="mermaid (two stateDiagram-v2 diagrams, the default) or dot (Graphviz)",
    )
    add(
        "example",
        "walk an order whose parcel never arrived through the seed's steps",
        "Walk an order whose parcel never arrived through the seed's steps, printing the "
        "order and dispute states and each deadline.",
    )
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "status": _on_order(_status),
    "timeline": _on_order(_timeline),
    "rules": _rules,
    "diagram": _diagram,
    "example": _example,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: the process's); return the exit status.

    Output goes to ``sys.stdout`` and errors to ``sys.stderr`` as they are when called.
    """
    prog = _prog()
    parser = _parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # argparse has printed its usage error or the help
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    try:
        output = COMMANDS[args.command](args)
    except (_Refused, InvalidInput) as err:
        print(f"{prog}: error: {_one_line(str(err))}", file=sys.stderr)
        return 2
    sys.stdout.write(output)
    return 0


__all__ = [
    "COMMANDS",
    "MIN_WRAP",
    "POLICIES",
    "WIDTH",
    "dot",
    "main",
    "mermaid",
    "parse_at",
    "table",
]


if __name__ == "__main__":
    sys.exit(main())
