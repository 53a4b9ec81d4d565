"""The command line: ``buyer-protection`` (also ``python -m buyer_protection``).

Commands: ``status`` and ``timeline`` read an order as ``dumps`` writes it, under any
preset's rules (a file, or ``-`` for standard input); ``import-aliexpress`` turns an
AliExpress ``aliexpress.issue.detail.get`` response into such a document and
``sync-aliexpress`` brings one up to a newer response of its issue (both under
AliExpress's rules only); ``rules`` prints a policy's table; ``diagram`` draws both
lifecycles from their one declaration (Mermaid or Graphviz DOT), or the steps one
preset's rules have; ``scan`` reports where every order of a JSON Lines file stands
(a table, or a CSV, JSON Lines or Parquet report); ``example`` walks the seed's story.
Human output is aligned text with instants in UTC (and in ``--tz`` too); ``--json``
prints one JSON object.

Exit status 0 on success, 2 on bad usage or bad input, always with one line on
standard error that starts ``buyer-protection: error:`` (however the program was
started) and names the file, the path in the document and the problem; with
``--verbose``, every problem of the document follows, one per line.
The only clock read is here: ``--at`` defaults to the current time, read once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn

from . import __version__, _cli_scan, walkthrough
from ._cli_diagram import dot, mermaid
from ._cli_input import (
    AN_ISSUE,
    AN_ORDER_DETAIL,
    LINE_LIMIT,
    PROG,
    Refused,
    check_shape,
    cut,
    file_label,
    parse_at,
    problems_of,
    read_order,
    read_payload,
    read_text,
)
from ._cli_render import MIN_WRAP, WIDTH, Clock, one_line, table
from ._cli_render import status as _status_text
from ._cli_render import timeline as _timeline_text
from ._cli_rules import presets as _presets_text
from ._cli_rules import rules as _rules_text
from ._text import shown
from ._time import zone
from .advice import SIDES
from .aliexpress import from_issue_detail, sync
from .aliexpress.importing import differences_from_aliexpress
from .errors import BuyerProtectionError, InvalidInput
from .order import Order
from .policy import ALIEXPRESS, Policy
from .presets import policies, preset
from .storage import dumps

POLICIES: dict[str, Policy] = {p.name: p for p in policies()}
"""The policies ``--policy NAME`` knows, by name: each the latest version of a preset
(``--policy NAME@VERSION`` picks another version of a preset)."""

_SIDE_NAMES = tuple(side.value for side in SIDES)
"""The sides ``status --side`` shows the steps of."""

_MESSAGE_LIMIT = 300  # characters of an argparse message (which quotes argv values unbounded)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors become one line (a `Refused`)."""

    def __init__(self, *args: Any, command: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.command = command

    def error(self, message: str) -> NoReturn:
        where = f"{self.command}: " if self.command else ""
        raise Refused(f"{where}{cut(message, _MESSAGE_LIMIT)} (see {self.prog} --help)")


def _prog() -> str:
    """The name the user typed: ``python -m buyer_protection`` or ``buyer-protection``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if script.name == "__main__.py" and script.parent.name == "buyer_protection":
        return "python -m buyer_protection"
    return PROG


def _now() -> datetime:
    """The current instant, rounded up to a whole second: the default of ``--at``, and the
    only clock this package reads. Rounded up, so that it is never before an event the
    order recorded a moment ago."""
    now = datetime.now(UTC)
    return now.replace(microsecond=0) + timedelta(seconds=1) if now.microsecond else now


# -- reading the inputs -------------------------------------------------------------------


def _tz(text: str) -> tzinfo:
    """The IANA time zone ``--tz`` names (read by `_time.zone`: keys only, never a path)."""
    try:
        return zone(text, "--tz")
    except InvalidInput:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not an IANA time zone; give a key such as 'Asia/Shanghai', "
            "'America/Los_Angeles', 'UTC' or 'Etc/GMT-8' (never a file path, nor a POSIX name "
            "such as 'GMT+8')"
        ) from None


def _policy(text: str) -> Policy:
    """The policy ``--policy NAME[@VERSION]`` names: without a version, the latest."""
    name, at, version = text.partition("@")
    if not at and name in POLICIES:
        return POLICIES[name]
    found = preset(name, version) if at else None
    if found is not None:
        return found
    versions = ", ".join(f"{p.name}@{p.version}" for p in policies())
    raise argparse.ArgumentTypeError(
        f"{shown(text)} is not a known policy; known: {', '.join(sorted(POLICIES))} "
        f"(versions: {versions})"
    )


def _has_aliexpress_lifecycle(policy: Policy) -> bool:
    """*policy* runs AliExpress's lifecycle (its numbers may differ): the AliExpress
    import reads the seller API's log as that lifecycle's steps."""
    return not differences_from_aliexpress(policy)


def _not_aliexpress(policy: Policy) -> str:
    return (
        f"the rules {policy.name} {policy.version} are not AliExpress's: the AliExpress "
        "import replays an AliExpress issue under AliExpress's lifecycle"
    )


def _aliexpress_policy(text: str) -> Policy:
    """The policy ``import-aliexpress --policy NAME[@VERSION]`` names: AliExpress's rules."""
    policy = _policy(text)
    if not _has_aliexpress_lifecycle(policy):
        versions = ", ".join(
            f"{p.name}@{p.version}" for p in policies() if _has_aliexpress_lifecycle(p)
        )
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: {_not_aliexpress(policy)}; give one of {versions}"
        )
    return policy


def _choice(*known: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text in known:
            return text
        raise argparse.ArgumentTypeError(f"{shown(text)} is not one of {', '.join(known)}")

    return check


def _instant(args: argparse.Namespace, order: Order, clock: Clock) -> datetime:
    """The ``--at`` instant (default: now), checked against the order's last event."""
    last = order.last_event_at
    if args.at is None:
        at = _now()
        if at < last:
            raise Refused(
                f"the order's last recorded event, at {clock.text(last)}, is later than now "
                f"({clock.text(at)}); give the instant to look at with --at"
            )
        return at
    at = parse_at(args.at, args.tz)
    if at < last:
        raise Refused(
            f"--at: {clock.text(at)} is before the order's last recorded event at "
            f"{clock.text(last)}; give a later time"
        )
    return at


# -- the commands -------------------------------------------------------------------------

_Show = Callable[..., str]


def _on_order(show: _Show, *options: str) -> Callable[[argparse.Namespace], str]:
    """A command that reads FILE and --at, then writes what *show* makes of them (given
    the command's *options* too, by name).

    What goes wrong while looking at a loaded order comes from the document (an
    instant so late that its deadlines fall past year 9999, say): it is bad input too.
    """

    def command(args: argparse.Namespace) -> str:
        label, order = read_order(args.file)
        clock = Clock(args.tz)
        at = _instant(args, order, clock)
        try:
            given = {name: getattr(args, name) for name in options}
            return show(order, at, clock, args.json, **given)
        except BuyerProtectionError as err:
            raise Refused(f"{label}: {one_line(str(err))}") from None
        except OverflowError:
            raise Refused(
                f"{label}: a deadline of this order falls outside the years 1 to 9999 "
                "that dates can hold"
            ) from None

    return command


def _payloads(args: argparse.Namespace) -> tuple[str, dict[str, Any], str, dict[str, Any] | None]:
    """The issue response ISSUE and the --order-detail response, each with its label."""
    if args.issue == "-" and args.order_detail == "-":
        raise Refused("ISSUE and --order-detail cannot both be - (standard input)")
    label, detail = read_payload(args.issue, AN_ISSUE)
    check_shape(label, detail, "issue", "an aliexpress.issue.detail.get response")
    detail_label, order_detail = label, None
    if args.order_detail is not None:
        detail_label, order_detail = read_payload(args.order_detail, AN_ORDER_DETAIL)
        what = "an aliexpress.solution.order.get response"
        check_shape(detail_label, order_detail, "order_detail", what)
    return label, detail, detail_label, order_detail


def _from_payloads(label: str, detail_label: str, make: Callable[[], Order]) -> str:
    """The document of the order *make* builds from the payloads; bad input refused."""
    try:
        return dumps(make()) + "\n"
    except Refused:
        raise
    except BuyerProtectionError as err:
        first = err.problems[0] if isinstance(err, InvalidInput) else ""
        raise problems_of(
            detail_label if first.startswith("order_detail") else label, err
        ) from None
    except Exception as err:  # bad input must never end in a traceback
        raise Refused(
            f"{label}: cannot import this response ({type(err).__name__}: {shown(str(err))})"
        ) from None


def _write(document: str, output: str | None) -> str:
    """*document* for standard output, or written to the file *output* (then nothing)."""
    if output in (None, "-"):
        return document
    try:
        Path(output).write_text(document, encoding="utf-8")
    except OSError as err:
        raise Refused(f"{file_label(output)}: cannot write it: {err.strerror or err}") from None
    return ""


def _import_aliexpress(args: argparse.Namespace) -> str:
    label, detail, detail_label, order_detail = _payloads(args)

    def make() -> Order:
        return from_issue_detail(detail, order_detail=order_detail, policy=args.policy)

    return _write(_from_payloads(label, detail_label, make), args.output)


def _sync_aliexpress(args: argparse.Namespace) -> str:
    if "-" in (args.issue, args.order_detail) and args.file == "-":
        raise Refused("FILE and ISSUE (or --order-detail) cannot both be - (standard input)")
    order_label, order = read_order(args.file)
    if not _has_aliexpress_lifecycle(order.policy):
        raise Refused(
            f"{order_label}: {_not_aliexpress(order.policy)}; sync-aliexpress brings only an "
            "order imported from AliExpress up to date"
        )
    label, detail, detail_label, order_detail = _payloads(args)

    def make() -> Order:
        try:
            sync(order, detail, order_detail=order_detail)
        except InvalidInput as err:
            if str(err).startswith("order: "):  # the document, not the response
                raise Refused(f"{order_label}: {str(err).removeprefix('order: ')}") from None
            raise
        return order

    return _write(_from_payloads(label, detail_label, make), args.output or args.file)


def _rules(args: argparse.Namespace) -> str:
    if args.list and (args.policy_file is not None or args.policy is not ALIEXPRESS):
        raise Refused("rules: --list lists the presets; give it without --policy or --policy-file")
    if args.list:
        return _presets_text(policies(), as_json=args.json)
    policy = args.policy
    if args.policy_file is not None and policy is not ALIEXPRESS:
        raise Refused("rules: give --policy or --policy-file, not both")
    if args.policy_file is not None:
        label, text = read_text(args.policy_file, "a policy file (TOML)")
        try:
            policy = Policy.from_toml(text)
        except InvalidInput as err:
            raise problems_of(label, err) from None
    return _rules_text(policy, as_json=args.json)


def _diagram(args: argparse.Namespace) -> str:
    draw = dot if args.format == "dot" else mermaid
    return draw(policy=args.policy)


def _example(_: argparse.Namespace) -> str:
    lines: list[str] = []
    walkthrough.run(lines.append)
    return "\n".join(lines) + "\n"


# -- the parser ---------------------------------------------------------------------------

_ORDER_DETAIL_HELP = (
    "the aliexpress.solution.order.get response holding the issue's order (JSON, or - for "
    "stdin): gives the payment and shipment times, the amount paid and the protection days, "
    "which the issue lacks (without it they are assumed)"
)

_EPILOG = (
    f"Exit status: 0 on success; 2 on bad usage or bad input, with one line on stderr "
    f"starting '{PROG}: error:' that names the file, the path in the document and the "
    "problem (--verbose: then every problem of the document, one per line)."
)
_AT_HELP = (
    "the instant to look at: ISO 8601 (2026-03-20T10:00:00+08:00, 2026-03-20T02:00Z) or "
    "another unambiguous form with a year and a time of day; a time without an offset "
    "needs --tz. Default: now (the current time, read once when the command starts, "
    "rounded up to the second)"
)
_VERBOSE_HELP = "after the error line, list every problem of the document, one per line"


def _parser(prog: str) -> _Parser:
    parser = _Parser(
        prog=prog,
        description="The rules of marketplace buyer protection (AliExpress, eBay, PayPal, "
        "Amazon): ask where an order stands, when its next deadline falls, and what the rules say.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=_VERBOSE_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # Before or after the command; SUPPRESS keeps a global --verbose from being reset.
    verbose = _Parser(add_help=False, allow_abbrev=False)
    verbose.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=_VERBOSE_HELP
    )
    order_file = _Parser(add_help=False, allow_abbrev=False)
    order_file.add_argument(
        "file", metavar="FILE", help="an order as dumps writes it (JSON), or - for stdin"
    )
    order_file.add_argument("--at", metavar="TIME", help=_AT_HELP)
    order_file.add_argument(
        "--tz",
        metavar="ZONE",
        type=_tz,
        help="an IANA time zone key (Asia/Shanghai): reads a --at without offset as local "
        "time there, and shows every instant in it too (JSON stays in UTC)",
    )
    order_file.add_argument("--json", action="store_true", help="print one JSON object")
    policy = _Parser(add_help=False, allow_abbrev=False)
    policy.add_argument(
        "--policy",
        default=ALIEXPRESS,
        type=_policy,
        metavar="NAME[@VERSION]",
        help=f"the policy, a preset by name, the latest version unless @VERSION says "
        f"(default: {ALIEXPRESS.name}; known: {', '.join(sorted(POLICIES))}; rules --list "
        "lists every version)",
    )

    def add(name: str, summary: str, description: str, **kw: Any) -> _Parser:
        sub: _Parser = commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=_EPILOG,
            allow_abbrev=False,
            command=name,
            **kw,
        )
        return sub

    status = add(
        "status",
        "where an order stands, its next deadline, and a side's next steps",
        "Where the order stands at --at: its state and its dispute's, when protection ends, "
        "the next deadline and what happens then, and the next steps of the buyer (or of "
        "the side --side names), most urgent first: each with its window and what happens "
        "if nobody acts in time. Facts the order was given by assumption are listed, and "
        "each deadline computed from them is marked.",
        parents=[order_file, verbose],
    )
    status.add_argument(
        "--side",
        default="buyer",
        type=_choice(*_SIDE_NAMES),
        metavar="{" + ",".join(_SIDE_NAMES) + "}",
        help="whose steps to show: the buyer's (the default), the seller's or the platform's",
    )
    add(
        "timeline",
        "every milestone of an order, past and future",
        "Every milestone of the order as seen at --at: what happened (done), what is "
        "ahead (due) and what passed without happening (expired); facts the order was given "
        "by assumption are listed, and each milestone resting on them is marked.",
        parents=[order_file, verbose],
    )
    imports = add(
        "import-aliexpress",
        "an order document from an AliExpress issue (aliexpress.issue.detail.get)",
        "Replay an AliExpress issue (the whole aliexpress.issue.detail.get response, as "
        "JSON) through the lifecycle and write the order's document, the way dumps writes "
        "it, for status and timeline to read. The order is brought up to the last instant "
        "the response records.",
        parents=[verbose],
    )
    imports.add_argument(
        "--policy",
        default=ALIEXPRESS,
        type=_aliexpress_policy,
        metavar="NAME[@VERSION]",
        help=f"AliExpress's rules to replay the issue under: {ALIEXPRESS.name}, the latest "
        "version unless @VERSION says (rules --list lists every version); another "
        "marketplace's rules are refused",
    )
    imports.add_argument(
        "issue", metavar="ISSUE", help="the aliexpress.issue.detail.get response, or - for stdin"
    )
    imports.add_argument("--order-detail", metavar="FILE", help=_ORDER_DETAIL_HELP)
    imports.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the order's document to FILE (default, or -: standard output)",
    )
    syncs = add(
        "sync-aliexpress",
        "bring an imported order up to a newer snapshot of its AliExpress issue",
        "Bring the order in FILE (a document import-aliexpress wrote, maybe acted on since) "
        "up to ISSUE, a newer aliexpress.issue.detail.get response for the same issue, and "
        "write it back to FILE: the imported part is rebuilt from ISSUE and the order's own "
        "actions are applied again after it (one the API now reports is matched, not "
        "recorded twice). A response of another issue, or one that contradicts the order's "
        "own actions, is refused and FILE is left as it was.",
        parents=[verbose],
    )
    syncs.add_argument(
        "file", metavar="FILE", help="the order's document (as dumps writes it), or - for stdin"
    )
    syncs.add_argument(
        "issue", metavar="ISSUE", help="the newer aliexpress.issue.detail.get response, or -"
    )
    syncs.add_argument("--order-detail", metavar="FILE", help=_ORDER_DETAIL_HELP)
    syncs.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the order's document to FILE instead of back to the order's FILE (-: "
        "standard output; standard output too when FILE is -)",
    )
    rules = add(
        "rules",
        "a policy's rules: every number, with its source",
        "Every field of a policy: its value, the rule it encodes, the source and how sure "
        "that source is. For eBay, PayPal and Amazon, the rules and sources are that "
        "marketplace's, each with the fields it sets, what starts its clock and what its end "
        "does; a field none sets keeps the library's default, not published for those rules. "
        "The policy is a preset (--policy NAME[@VERSION]) or a TOML file "
        "(--policy-file); --list lists the presets with the instants they came into force.",
        parents=[policy, verbose],
    )
    rules.add_argument("--json", action="store_true", help="print one JSON object")
    rules.add_argument(
        "--policy-file",
        metavar="FILE",
        help="print the policy a TOML file holds (see Policy.to_toml), or - for stdin",
    )
    rules.add_argument(
        "--list",
        action="store_true",
        help="list every preset: its name, version and the instant it came into force",
    )
    diagram = add(
        "diagram",
        "the order and dispute lifecycles as a diagram",
        "Both lifecycles, drawn from the one table the state machine is built from: every "
        "step, or those of one preset's rules (--policy).",
        parents=[verbose],
    )
    diagram.add_argument(
        "--format",
        default="mermaid",
        type=_choice("mermaid", "dot"),
        metavar="{mermaid,dot}",
        help="mermaid (two stateDiagram-v2 diagrams, the default) or dot (Graphviz)",
    )
    diagram.add_argument(
        "--policy",
        type=_policy,
        metavar="NAME[@VERSION]",
        help="draw only the steps a preset's rules have (eBay's requests close, PayPal's "
        "claims await the seller, ...); default: every step, those only some rules have "
        "marked [if ...]",
    )
    scan = add(
        "scan",
        "where every order of a JSON Lines file stands, as a report",
        "Every order of FILE (JSON Lines, one document a line) as of --at: its state and "
        "its dispute's, when protection ends, the next deadline, what it has been refunded "
        "and can still be, and the side's next step; one row per order (with --due-within, "
        "per order with something due in that window) to --out or as a table on stdout, "
        "then a summary. A progress bar shows on stderr when it is a terminal.",
        parents=[verbose],
    )
    _cli_scan.arguments(
        scan, zone=_tz, side=_choice(*_SIDE_NAMES), sides=_SIDE_NAMES, choice=_choice
    )
    add(
        "example",
        "walk an order whose parcel never arrived through the seed's steps",
        "Walk an order whose parcel never arrived through the seed's steps, printing the "
        "order and dispute states and each deadline.",
        parents=[verbose],
    )
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "status": _on_order(_status_text, "side"),
    "timeline": _on_order(_timeline_text),
    "import-aliexpress": _import_aliexpress,
    "sync-aliexpress": _sync_aliexpress,
    "rules": _rules,
    "diagram": _diagram,
    "scan": _cli_scan.command,
    "example": _example,
}
"""Each command's function: the parsed arguments in, the text for standard output out."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: the process's); return the exit status.

    Output goes to ``sys.stdout`` and errors to ``sys.stderr`` as they are when called.
    """
    verbose = False
    try:
        args = _parser(_prog()).parse_args(argv)
        verbose = args.verbose
        output = COMMANDS[args.command](args)
    except SystemExit as done:  # argparse has printed the help or the version
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    except (Refused, InvalidInput) as err:
        refused = err if isinstance(err, Refused) else Refused(str(err))
        print(f"{PROG}: error: {refused.line(verbose)}", file=sys.stderr)
        if verbose:
            for problem in refused.problems:
                print(f"  {cut(problem, LINE_LIMIT)}", file=sys.stderr)
        return 2
    sys.stdout.write(output)
    return 0


__all__ = [
    "COMMANDS",
    "MIN_WRAP",
    "POLICIES",
    "PROG",
    "WIDTH",
    "dot",
    "main",
    "mermaid",
    "parse_at",
    "table",
]


if __name__ == "__main__":
    sys.exit(main())
