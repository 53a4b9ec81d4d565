"""The command line: ``buyer-protection`` (also ``python -m buyer_protection``).

Commands: ``status`` and ``timeline`` read an order as ``dumps`` writes it (a file,
or ``-`` for standard input); ``import-aliexpress`` turns an AliExpress
``aliexpress.issue.detail.get`` response into such a document; ``rules`` prints a
policy's table; ``diagram`` draws both lifecycles from their one declaration (Mermaid
or Graphviz DOT); ``example`` walks the seed's story. Human output is aligned text
with instants in UTC (and in ``--tz`` too); ``--json`` prints one JSON object.

Exit status 0 on success, 2 on bad usage or bad input, always with one line on
standard error that starts ``buyer-protection: error:`` (however the program was
started) and names the file, the path in the document and the problem; with
``--verbose``, every problem of the document follows, one per line.
The only clock read is here: ``--at`` defaults to the current time, read once.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn

from . import __version__, walkthrough
from ._cli_diagram import dot, mermaid
from ._cli_render import MIN_WRAP, WIDTH, Clock, flat, one_line, table
from ._cli_render import rules as _rules_text
from ._cli_render import status as _status_text
from ._cli_render import timeline as _timeline_text
from ._text import shown
from ._time import zone
from .aliexpress import from_issue_detail
from .errors import BuyerProtectionError, InvalidInput
from .feeds import parse_instant
from .order import Order
from .policy import ALIEXPRESS, Policy
from .storage import dumps, loads

PROG = "buyer-protection"
"""The program's name: every error line starts ``buyer-protection: error:``, also when the
program runs as ``python -m buyer_protection`` (usage and help show the name as typed)."""

POLICIES: dict[str, Policy] = {ALIEXPRESS.name: ALIEXPRESS}
"""The policies ``--policy NAME`` knows, by name."""

_ISSUE = "aliexpress_issue_detail_get_response"
_ORDER_DETAIL = "aliexpress_solution_order_get_response"
_AN_ORDER = "an order as JSON, the way dumps writes it"
_AN_ISSUE = "the JSON of an aliexpress.issue.detail.get response"
_AN_ORDER_DETAIL = "the JSON of an aliexpress.solution.order.get response"
_MESSAGE_LIMIT = 300  # characters of an argparse message (which quotes argv values unbounded)
_LINE_LIMIT = 1000  # characters of any error line: a last guard against an unbounded message
_AT_LIMIT = 100  # characters of a --at: longer is no date and time


class _Refused(Exception):
    """Bad input: the one line to print on stderr (exit status 2), and the problems behind
    it for ``--verbose``; with several, the line says how many."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def line(self, verbose: bool) -> str:
        """The error line (after the prefix)."""
        count = len(self.problems)
        line = _cut(str(self), _LINE_LIMIT)
        if count < 2:
            return line
        listed = "listed below" if verbose else "--verbose lists them all"
        return f"{line} (1 of {count} problems; {listed})"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors become one line (a `_Refused`)."""

    def __init__(self, *args: Any, command: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.command = command

    def error(self, message: str) -> NoReturn:
        where = f"{self.command}: " if self.command else ""
        raise _Refused(f"{where}{_cut(message, _MESSAGE_LIMIT)} (see {self.prog} --help)")


def _cut(text: str, limit: int) -> str:
    """*text* on one line, cut to *limit* characters (and told so)."""
    line = one_line(text)
    return line if len(line) <= limit else f"{line[:limit]}... ({len(line)} characters)"


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
    """The policy ``--policy`` names."""
    if text in POLICIES:
        return POLICIES[text]
    raise argparse.ArgumentTypeError(
        f"{shown(text)} is not a known policy; known: {', '.join(sorted(POLICIES))}"
    )


def _choice(*known: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text in known:
            return text
        raise argparse.ArgumentTypeError(f"{shown(text)} is not one of {', '.join(known)}")

    return check


def parse_at(text: str, zone: tzinfo | None = None) -> datetime:
    """The instant *text* names, in UTC; `InvalidInput` when it cannot be known for sure.

    ISO 8601 and the forms dateutil reads are accepted. A time without an offset is
    local time in *zone*, and refused without one; so are a zone abbreviation that
    means several things (``CST``), ``GMT+8`` (read two ways), a date without a year or
    a time of day, a day/month order that reads both ways, a UTC offset of 24 hours or
    more, and a local time that a clock change skips or repeats.

    >>> from zoneinfo import ZoneInfo
    >>> parse_at("2026-03-20 10:00", ZoneInfo("Asia/Shanghai")).isoformat()
    '2026-03-20T02:00:00+00:00'
    """
    if len(text) > _AT_LIMIT:
        raise InvalidInput(
            f"--at: {shown(text)} is not a date and time: longer than {_AT_LIMIT} characters"
        )
    try:
        return parse_instant(text, default_tz=zone, name="--at")
    except InvalidInput as err:
        message = str(err)
        if "has no time zone" in message:
            raise InvalidInput(
                f"--at: {shown(text)} has no time zone; give it an offset "
                "(2026-03-20T10:00:00+08:00, or Z for UTC) or name the zone with --tz"
            ) from None
        if "day-first" in message:
            raise InvalidInput(
                f"--at: {shown(text)} reads as day-first and as month-first; write the date "
                "as ISO 8601 (2026-03-04)"
            ) from None
        if "offset must be a timedelta" in message:  # Python's words for an offset >= 24 h
            raise InvalidInput(
                f"--at: {shown(text)} has a UTC offset out of range; an offset is less than "
                "24 hours either way (2026-03-20T10:00:00+08:00, or Z for UTC)"
            ) from None
        raise
    except Exception:  # whatever the reader let through is still bad input, not a traceback
        raise InvalidInput(f"--at: {shown(text)} is not a date and time") from None


def _label(name: str) -> str:
    """How an error line names the file *name* (``-``: ``<stdin>``), on one bounded line."""
    if name == "-":
        return "<stdin>"
    text = flat(name)
    return text if len(text) <= 160 else f"{text[:100]}...{text[-40:]}"


def _read_text(name: str, expected: str) -> tuple[str, str]:
    """The label of the file *name* (``-``: standard input) and its text, UTF-8."""
    label = _label(name)
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
            f"expected {expected}"
        ) from None
    if not text.strip():
        raise _Refused(f"{label}: empty; expected {expected}")
    return label, text


def _parse_json(label: str, text: str, expected: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise _Refused(
            f"{label}: line {err.lineno} column {err.colno}: {err.msg}; expected {expected}"
        ) from None
    except RecursionError:
        raise _Refused(f"{label}: nested too deeply; expected {expected}") from None
    except ValueError:  # the only other: an int of more digits than Python converts
        raise _Refused(f"{label}: a number in it has too many digits to read") from None


def _shape(data: object) -> str | None:
    """What kind of document *data* is: ``issue``, ``order_detail``, ``order`` or None."""
    if not isinstance(data, Mapping):
        return None
    if _ISSUE in data:
        return "issue"
    if _ORDER_DETAIL in data:
        return "order_detail"
    if "schema_version" in data and "order_id" in data:
        return "order"
    return None


def _foreign(text: str, name: str) -> str | None:
    """What to say when *text*, refused as an order, is an AliExpress response instead."""
    try:
        shape = _shape(json.loads(text))
    except Exception:  # not JSON, too deep, too long a number: the first refusal stands
        return None
    file = shlex.quote(_label(name)) if name != "-" else "-"
    if shape == "issue":
        return (
            "this is an AliExpress issue detail (an aliexpress.issue.detail.get response), "
            f"not an order; import it first: {PROG} import-aliexpress {file} -o ORDER.json"
        )
    if shape == "order_detail":
        return (
            "this is an AliExpress order detail (an aliexpress.solution.order.get response), "
            f"not an order; import it with its issue: {PROG} import-aliexpress ISSUE.json "
            f"--order-detail {file} -o ORDER.json"
        )
    return None


def _problems(label: str, err: BuyerProtectionError) -> _Refused:
    """The refusal of a document: its first problem, and how many there are in all."""
    problems = err.problems if isinstance(err, InvalidInput) else (str(err),)
    return _Refused(f"{label}: {problems[0]}", problems)


def _read_order(name: str) -> tuple[str, Order]:
    """The order in the file *name* (``-``: standard input) and the name to report it by."""
    label, text = _read_text(name, _AN_ORDER)
    try:
        return label, loads(text)
    except BuyerProtectionError as err:
        foreign = _foreign(text, name)
        if foreign is not None:
            raise _Refused(f"{label}: {foreign}") from None
        raise _problems(label, err) from None
    except Exception as err:  # bad input must never end in a traceback
        raise _Refused(
            f"{label}: cannot read this document ({type(err).__name__}: {shown(str(err))})"
        ) from None


def _instant(args: argparse.Namespace, order: Order, clock: Clock) -> datetime:
    """The ``--at`` instant (default: now), checked against the order's last event."""
    last = order.last_event_at
    if args.at is None:
        at = _now()
        if at < last:
            raise _Refused(
                f"the order's last recorded event, at {clock.text(last)}, is later than now "
                f"({clock.text(at)}); give the instant to look at with --at"
            )
        return at
    at = parse_at(args.at, args.tz)
    if at < last:
        raise _Refused(
            f"--at: {clock.text(at)} is before the order's last recorded event at "
            f"{clock.text(last)}; give a later time"
        )
    return at


# -- the commands -------------------------------------------------------------------------

_Show = Callable[[Order, datetime, Clock, bool], str]


def _on_order(show: _Show) -> Callable[[argparse.Namespace], str]:
    """A command that reads FILE and --at, then writes what *show* makes of them.

    What goes wrong while looking at a loaded order comes from the document (an
    instant so late that its deadlines fall past year 9999, say): it is bad input too.
    """

    def command(args: argparse.Namespace) -> str:
        label, order = _read_order(args.file)
        clock = Clock(args.tz)
        at = _instant(args, order, clock)
        try:
            return show(order, at, clock, args.json)
        except BuyerProtectionError as err:
            raise _Refused(f"{label}: {one_line(str(err))}") from None
        except OverflowError:
            raise _Refused(
                f"{label}: a deadline of this order falls outside the years 1 to 9999 "
                "that dates can hold"
            ) from None

    return command


def _read_payload(name: str, expected: str) -> tuple[str, dict[str, Any]]:
    """The label of the file *name* (``-``: standard input) and the JSON object in it."""
    label, text = _read_text(name, expected)
    data = _parse_json(label, text, expected)
    if not isinstance(data, dict):
        raise _Refused(f"{label}: a JSON {type(data).__name__}; expected {expected}, an object")
    return label, data


_IS_AN_ORDER = "this is an order already (as dumps writes it), not {what}; {PROG} status reads it"
_WRONG_PLACE = {
    ("issue", "order_detail"): "this is an AliExpress order detail (an "
    "aliexpress.solution.order.get response), not the issue; give it as --order-detail, and "
    "the aliexpress.issue.detail.get response as ISSUE",
    ("order_detail", "issue"): "this is an AliExpress issue detail (an "
    "aliexpress.issue.detail.get response), not the order detail; give it as ISSUE, and the "
    "aliexpress.solution.order.get response as --order-detail",
}


def _check_shape(label: str, data: dict[str, Any], want: str, what: str) -> None:
    """Refuse *data*, given as *want*, when it is plainly another kind of document."""
    shape = _shape(data)
    if shape == "order":
        raise _Refused(f"{label}: {_IS_AN_ORDER.format(what=what, PROG=PROG)}")
    if (want, shape) in _WRONG_PLACE:
        raise _Refused(f"{label}: {_WRONG_PLACE[want, str(shape)]}")


def _import_aliexpress(args: argparse.Namespace) -> str:
    if args.issue == "-" and args.order_detail == "-":
        raise _Refused("ISSUE and --order-detail cannot both be - (standard input)")
    label, detail = _read_payload(args.issue, _AN_ISSUE)
    _check_shape(label, detail, "issue", "an aliexpress.issue.detail.get response")
    detail_label, order_detail = label, None
    if args.order_detail is not None:
        detail_label, order_detail = _read_payload(args.order_detail, _AN_ORDER_DETAIL)
        what = "an aliexpress.solution.order.get response"
        _check_shape(detail_label, order_detail, "order_detail", what)
    try:
        document = dumps(from_issue_detail(detail, order_detail=order_detail, policy=args.policy))
    except BuyerProtectionError as err:
        first = err.problems[0] if isinstance(err, InvalidInput) else ""
        raise _problems(detail_label if first.startswith("order_detail") else label, err) from None
    except Exception as err:  # bad input must never end in a traceback
        raise _Refused(
            f"{label}: cannot import this response ({type(err).__name__}: {shown(str(err))})"
        ) from None
    document += "\n"
    if args.output in (None, "-"):
        return document
    try:
        Path(args.output).write_text(document, encoding="utf-8")
    except OSError as err:
        raise _Refused(f"{_label(args.output)}: cannot write it: {err.strerror or err}") from None
    return ""


def _rules(args: argparse.Namespace) -> str:
    return _rules_text(args.policy, as_json=args.json)


def _diagram(args: argparse.Namespace) -> str:
    return dot() if args.format == "dot" else mermaid()


def _example(_: argparse.Namespace) -> str:
    lines: list[str] = []
    walkthrough.run(lines.append)
    return "\n".join(lines) + "\n"


# -- the parser ---------------------------------------------------------------------------

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
        description="The rules of marketplace buyer protection (AliExpress first): "
        "ask where an order stands, when its next deadline falls, and what the rules say.",
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
        metavar="NAME",
        help=f"the policy (default: {ALIEXPRESS.name}; known: {', '.join(sorted(POLICIES))})",
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

    add(
        "status",
        "where an order stands, its next deadline, and the buyer's next step",
        "Where the order stands at --at: its state and its dispute's, when protection ends, "
        "the next deadline and what happens then, and the buyer's next step.",
        parents=[order_file, verbose],
    )
    add(
        "timeline",
        "every milestone of an order, past and future",
        "Every milestone of the order as seen at --at: what happened (done), what is "
        "ahead (due) and what passed without happening (expired).",
        parents=[order_file, verbose],
    )
    imports = add(
        "import-aliexpress",
        "an order document from an AliExpress issue (aliexpress.issue.detail.get)",
        "Replay an AliExpress issue (the whole aliexpress.issue.detail.get response, as "
        "JSON) through the lifecycle and write the order's document, the way dumps writes "
        "it, for status and timeline to read. The order is brought up to the last instant "
        "the response records.",
        parents=[policy, verbose],
    )
    imports.add_argument(
        "issue", metavar="ISSUE", help="the aliexpress.issue.detail.get response, or - for stdin"
    )
    imports.add_argument(
        "--order-detail",
        metavar="FILE",
        help="the aliexpress.solution.order.get response holding the issue's order (JSON, or "
        "- for stdin): gives the payment and shipment times, the amount paid and the "
        "protection days, which the issue lacks (without it they are assumed)",
    )
    imports.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the order's document to FILE (default, or -: standard output)",
    )
    rules = add(
        "rules",
        "a policy's rules: every number, with its source",
        "Every field of a policy: its value, the rule it encodes, the source and how sure "
        "that source is.",
        parents=[policy, verbose],
    )
    rules.add_argument("--json", action="store_true", help="print one JSON object")
    diagram = add(
        "diagram",
        "the order and dispute lifecycles as a diagram",
        "Both lifecycles, drawn from the one table the state machine is built from.",
        parents=[verbose],
    )
    diagram.add_argument(
        "--format",
        default="mermaid",
        type=_choice("mermaid", "dot"),
        metavar="{mermaid,dot}",
        help="mermaid (two stateDiagram-v2 diagrams, the default) or dot (Graphviz)",
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
    "status": _on_order(_status_text),
    "timeline": _on_order(_timeline_text),
    "import-aliexpress": _import_aliexpress,
    "rules": _rules,
    "diagram": _diagram,
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
    except (_Refused, InvalidInput) as err:
        refused = err if isinstance(err, _Refused) else _Refused(str(err))
        print(f"{PROG}: error: {refused.line(verbose)}", file=sys.stderr)
        if verbose:
            for problem in refused.problems:
                print(f"  {_cut(problem, _LINE_LIMIT)}", file=sys.stderr)
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
