"""What the command line reads: files of JSON, documents of the wrong kind, ``--at``.

Every refusal here is a `Refused`: the one line the command line prints after its
``buyer-protection: error:`` prefix, and the problems behind it for ``--verbose``.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from ._cli_render import flat, one_line
from ._text import shown
from .errors import BuyerProtectionError, InvalidInput
from .feeds import parse_instant
from .order import Order
from .storage import loads

PROG = "buyer-protection"
"""The program's name: every error line starts ``buyer-protection: error:``, also when the
program runs as ``python -m buyer_protection`` (usage and help show the name as typed)."""

_ISSUE = "aliexpress_issue_detail_get_response"
_ORDER_DETAIL = "aliexpress_solution_order_get_response"
_AN_ORDER = "an order as JSON, the way dumps writes it"
AN_ISSUE = "the JSON of an aliexpress.issue.detail.get response"
AN_ORDER_DETAIL = "the JSON of an aliexpress.solution.order.get response"
LINE_LIMIT = 1000  # characters of any error line: a last guard against an unbounded message
_AT_LIMIT = 100  # characters of a --at: longer is no date and time


class Refused(Exception):
    """Bad input: the one line to print on stderr (exit status 2), and the problems behind
    it for ``--verbose``; with several, the line says how many."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def line(self, verbose: bool) -> str:
        """The error line (after the prefix)."""
        count = len(self.problems)
        line = cut(str(self), LINE_LIMIT)
        if count < 2:
            return line
        listed = "listed below" if verbose else "--verbose lists them all"
        return f"{line} (1 of {count} problems; {listed})"


def cut(text: str, limit: int) -> str:
    """*text* on one line, cut to *limit* characters (and told so)."""
    line = one_line(text)
    return line if len(line) <= limit else f"{line[:limit]}... ({len(line)} characters)"


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
        if "offset of a day or more" in message:
            raise InvalidInput(
                f"--at: {shown(text)} has a UTC offset out of range; an offset is less than "
                "24 hours either way (2026-03-20T10:00:00+08:00, or Z for UTC)"
            ) from None
        raise
    except Exception:  # whatever the reader let through is still bad input, not a traceback
        raise InvalidInput(f"--at: {shown(text)} is not a date and time") from None


def file_label(name: str) -> str:
    """How an error line names the file *name* (``-``: ``<stdin>``), on one bounded line."""
    if name == "-":
        return "<stdin>"
    text = flat(name)
    return text if len(text) <= 160 else f"{text[:100]}...{text[-40:]}"


def standard_input() -> Any:
    """`sys.stdin`; refused when there is none (closed: ``<&-``)."""
    if sys.stdin is None:
        raise Refused("<stdin>: cannot read it: standard input is closed")
    return sys.stdin


def read_text(name: str, expected: str) -> tuple[str, str]:
    """The label of the file *name* (``-``: standard input) and its text, UTF-8."""
    label = file_label(name)
    try:
        if name == "-":
            stdin = standard_input()
            data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
        else:
            data = Path(name).read_bytes()
    except OSError as err:
        raise Refused(f"{label}: cannot read it: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Refused(
            f"{label}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            f"expected {expected}"
        ) from None
    if not text.strip():
        raise Refused(f"{label}: empty; expected {expected}")
    return label, text


def parse_json(label: str, text: str, expected: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise Refused(
            f"{label}: line {err.lineno} column {err.colno}: {err.msg}; expected {expected}"
        ) from None
    except RecursionError:
        raise Refused(f"{label}: nested too deeply; expected {expected}") from None
    except ValueError:  # the only other: an int of more digits than Python converts
        raise Refused(f"{label}: a number in it has too many digits to read") from None


def shape_of(data: object) -> str | None:
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


def foreign_hint(text: str, name: str) -> str | None:
    """What to say when *text*, refused as an order, is an AliExpress response instead."""
    try:
        shape = shape_of(json.loads(text))
    except Exception:  # not JSON, too deep, too long a number: the first refusal stands
        return None
    file = shlex.quote(file_label(name)) if name != "-" else "-"
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


def problems_of(label: str, err: BuyerProtectionError) -> Refused:
    """The refusal of a document: its first problem, and how many there are in all."""
    problems = err.problems if isinstance(err, InvalidInput) else (str(err),)
    return Refused(f"{label}: {problems[0]}", problems)


def read_order(name: str) -> tuple[str, Order]:
    """The order in the file *name* (``-``: standard input) and the name to report it by."""
    label, text = read_text(name, _AN_ORDER)
    try:
        return label, loads(text)
    except BuyerProtectionError as err:
        hint = foreign_hint(text, name)
        if hint is not None:
            raise Refused(f"{label}: {hint}") from None
        raise problems_of(label, err) from None
    except Exception as err:  # bad input must never end in a traceback
        raise Refused(
            f"{label}: cannot read this document ({type(err).__name__}: {shown(str(err))})"
        ) from None


def read_payload(name: str, expected: str) -> tuple[str, dict[str, Any]]:
    """The label of the file *name* (``-``: standard input) and the JSON object in it."""
    label, text = read_text(name, expected)
    data = parse_json(label, text, expected)
    if not isinstance(data, dict):
        raise Refused(f"{label}: a JSON {type(data).__name__}; expected {expected}, an object")
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


def check_shape(label: str, data: dict[str, Any], want: str, what: str) -> None:
    """Refuse *data*, given as *want*, when it is plainly another kind of document."""
    shape = shape_of(data)
    if shape == "order":
        raise Refused(f"{label}: {_IS_AN_ORDER.format(what=what, PROG=PROG)}")
    if (want, shape) in _WRONG_PLACE:
        raise Refused(f"{label}: {_WRONG_PLACE[want, str(shape)]}")
