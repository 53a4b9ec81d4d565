"""The ``scan`` command: where every order of a JSON Lines file stands, as a report.

FILE (JSON Lines as ``dumps`` writes each line, gzip when it ends in ``.gz``, or ``-``
for standard input) is read a line at a time through `status.scan`. Each order's row
(only those with a step due within ``--due-within`` when it is given; error rows
always) goes to ``--out`` (CSV, JSON Lines or Parquet, by the file's suffix) or, without
it, to standard output as an aligned table. A summary follows: on standard output
without ``--out``, on standard error with it. While it runs, a progress bar shows on
standard error when that is a terminal (and the table is not printed to one).

A report is written to a file of its own beside ``--out`` and renamed into place only
once the whole scan has succeeded: a scan that fails leaves no report, and no half of
one.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime, timedelta
from typing import IO, Any, NamedTuple

from ._cli_input import Refused, file_label, parse_at, problems_of, standard_input
from ._cli_render import flat, one_line, table
from ._convert import _timedelta
from ._lines import lines_of, open_bytes, replacing
from ._text import shown
from ._time import MAX_DAYS, iso
from .errors import BuyerProtectionError, InvalidInput
from .lifecycle import OrderState
from .status import COLUMNS, ERRORS, INSTANTS, Status, scan

SUFFIXES = (".csv", ".jsonl", ".parquet")
"""The kinds of report ``--out`` writes, by the suffix of its name."""

PARQUET_EXTRA = "pip install 'buyer-protection[parquet]'"

_BATCH = 8192  # rows a Parquet row group holds: what the report keeps in memory at most
_TICK = 256  # rows between two updates of the progress bar


class Window(NamedTuple):
    """A ``--due-within`` window: as the user wrote it, and its length."""

    text: str
    length: timedelta


DEFAULT_WINDOW = Window("1d", timedelta(days=1))
"""The window the summary counts due steps in when ``--due-within`` is not given."""

_SHORT = re.compile(r"(?:(\d{1,7})d)?(?:(\d{1,9})h)?")


def window(text: str) -> Window:
    """The ``--due-within`` window *text* names: ``3d``, ``36h``, ``1d12h``, or an ISO
    8601 duration (``P3D``, ``PT36H``); more than nothing, at most `MAX_DAYS` days."""
    short = _SHORT.fullmatch(text.strip().lower())
    length: timedelta | None = None
    if short is not None and any(short.groups()):
        days, hours = (int(n) if n else 0 for n in short.groups())
        length = timedelta(days=min(days, MAX_DAYS + 1), hours=min(hours, 24 * (MAX_DAYS + 1)))
    elif text[:1] in ("P", "p") and len(text) <= 40:
        try:
            length = _timedelta(text.upper())
        except ValueError:
            length = None
    if length is None:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a window; give days or hours (3d, 36h, 1d12h) or an ISO "
            "8601 duration (P3D, PT36H)"
        )
    if not timedelta(0) < length <= timedelta(days=MAX_DAYS):
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: a window is more than nothing and at most {MAX_DAYS} days"
        )
    return Window(text, length)


# -- the arguments ------------------------------------------------------------------------


def arguments(
    parser: argparse.ArgumentParser,
    *,
    zone: Callable[[str], Any],
    side: Callable[[str], str],
    sides: tuple[str, ...],
    choice: Callable[..., Callable[[str], str]],
) -> None:
    """Give *parser* the arguments of ``scan`` (*zone* reads ``--tz``, *side* ``--side``,
    *choice* makes a reader of one of some words)."""
    parser.add_argument(
        "file",
        metavar="FILE",
        help="orders as JSON Lines, one document a line as dumps writes it (gzip when the "
        "name ends in .gz), or - for stdin",
    )
    parser.add_argument(
        "--at",
        metavar="TIME",
        required=True,
        help="the instant every order is looked at: ISO 8601 (2026-03-20T10:00:00+08:00, "
        "2026-03-20T02:00Z) or another unambiguous form with a year and a time of day; a "
        "time without an offset needs --tz",
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        type=zone,
        help="an IANA time zone key (Asia/Shanghai): reads a --at without offset as local "
        "time there (the report stays in UTC)",
    )
    parser.add_argument(
        "--side",
        default="buyer",
        type=side,
        metavar="{" + ",".join(sides) + "}",
        help="whose next step each row gives: the buyer's (the default), the seller's or the "
        "platform's",
    )
    parser.add_argument(
        "--due-within",
        metavar="WINDOW",
        type=window,
        help="write only the orders with something due in [--at, --at + WINDOW): the next "
        "step's latest instant or the next deadline (3d, 36h, 1d12h, P3D); rows of "
        f"documents that cannot be read are always written. Default: every order (the "
        f"summary counts those due within {DEFAULT_WINDOW.text})",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help=f"write the rows to FILE, of the kind its suffix names ({', '.join(SUFFIXES)}; "
        f"Parquet needs {PARQUET_EXTRA}), and the summary to stderr; only once the scan has "
        "succeeded (a failed scan leaves no FILE). Default: a table on stdout",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check each document against a replay of its history, as loads does (slower); "
        "without it documents are trusted to be this library's and only their shape is checked",
    )
    parser.add_argument(
        "--errors",
        default="raise",
        type=choice(*ERRORS),
        metavar="{" + ",".join(ERRORS) + "}",
        help="a line that holds no valid order: stop with exit status 2 (raise, the default), "
        "or write an error row for it and go on (report; exit status 0)",
    )


# -- the command --------------------------------------------------------------------------


def command(args: argparse.Namespace) -> str:
    """Scan FILE as the arguments say; return the text left for standard output.

    When the reader of standard output goes away (``| head``), the scan stops quietly.
    """
    try:
        return _scanned(args)
    except BrokenPipeError:
        _silence_stdout()
        return ""


def _silence_stdout() -> None:
    """Point standard output at the null device, so that nothing left in its buffer
    fails again when Python flushes it at exit."""
    with suppress(OSError, ValueError):  # a stream without a file descriptor: no buffer
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _scanned(args: argparse.Namespace) -> str:
    at = parse_at(args.at, args.tz)
    span: Window = args.due_within or DEFAULT_WINDOW
    writer = _writer(args.out)  # a bad --out is refused before anything is read
    label = file_label(args.file)
    if args.out is not None and args.file != "-" and _same_file(args.file, args.out):
        raise Refused(f"--out: {shown(args.out)} is FILE itself; the scan only reads FILE")
    tally = _Tally(at, at + span.length)
    only_due = args.due_within is not None
    with _source(args.file, label) as lines:
        statuses = scan(lines, at, side=args.side, verify=args.verify, errors=args.errors)
        with _report(args.out, writer) as write, _progress(show=_shows_progress(args.out)) as tick:
            try:
                for status in statuses:
                    due = tally.add(status)
                    if due or not only_due or status.error is not None:
                        write(status)
                    if not tally.read % _TICK:
                        tick(tally.read, tally.errors)
            except InvalidInput as err:
                raise problems_of(label, err) from None
            except BuyerProtectionError as err:
                raise Refused(f"{label}: {one_line(str(err))}") from None
            tick(tally.read, tally.errors)
    summary = tally.summary(span, at)
    if args.out is None:
        return "\n" + summary
    sys.stderr.write(summary)
    return ""


def _same_file(one: str, other: str) -> bool:
    """Whether the paths *one* and *other* name one existing file."""
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):  # either is missing or unreadable: not one file
        return False


@contextmanager
def _source(name: str, label: str) -> Iterator[Iterable[bytes | str]]:
    """The lines of the file *name* (``-``: standard input), read as they are taken."""
    if name == "-":
        stdin = standard_input()
        yield lines_of(getattr(stdin, "buffer", stdin), "cannot read it")
        return
    try:
        file = open_bytes(name)
    except OSError as err:
        raise Refused(f"{label}: cannot read it: {err.strerror or err}") from None
    with file:
        yield lines_of(file, "cannot read it")


class _Tally:
    """What the summary counts: orders read, by state, due within the window, errors."""

    def __init__(self, at: datetime, until: datetime) -> None:
        self.at, self.until = at, until
        self.read = self.errors = self.due = 0
        self.states: Counter[OrderState] = Counter()

    def add(self, status: Status) -> bool:
        """Count *status*; True when it has something due within the window."""
        self.read += 1
        if status.state is None:
            self.errors += 1
            return False
        self.states[status.state] += 1
        step, deadline = status.next_step, status.next_deadline
        latest = None if step is None else step.latest
        due = (latest is not None and self.at <= latest < self.until) or (
            deadline is not None and self.at <= deadline.at < self.until
        )
        self.due += due
        return due

    def summary(self, span: Window, at: datetime) -> str:
        rows = [("as of", _instant(at)), ("orders read", str(self.read))]
        states = [state for state in OrderState if state in self.states]
        rows += [(f"  {state.value}", str(self.states[state])) for state in states]
        rows.append(
            (f"due within {flat(span.text)}", f"{self.due} (before {_instant(self.until)})")
        )
        rows.append(("errors", str(self.errors)))
        return table(rows)


def _instant(at: datetime | None) -> str:
    """*at* as the human output writes instants: UTC, ``Z`` for the offset."""
    return "-" if at is None else iso(at).replace("+00:00", "Z")


# -- the progress bar ---------------------------------------------------------------------


def _shows_progress(out: str | None) -> bool:
    """Whether to show the progress bar: standard error is a terminal, and the table is
    not printed on one (its rows show the progress there, and a bar would tear them)."""
    return _is_terminal(sys.stderr) and (out is not None or not _is_terminal(sys.stdout))


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except Exception:  # no isatty, or a closed stream: not a terminal
        return False


@contextmanager
def _progress(*, show: bool) -> Iterator[Callable[[int, int], None]]:
    """A function taking (orders read, errors so far) that shows them on a progress bar
    on standard error, with the orders per second; when not *show*, one that does nothing."""
    if not show:
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} orders"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[errors]:,} errors"),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr, force_terminal=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task("scan", total=None, errors=0, rate="- orders/s")

        def tick(read: int, errors: int) -> None:
            bar.update(task, completed=read, errors=errors)
            (speed,) = (t.speed for t in bar.tasks if t.id == task)
            if speed is not None:
                bar.update(task, rate=f"{speed:,.0f} orders/s")

        yield tick


def _nothing(read: int, errors: int) -> None:
    """Show no progress."""


# -- the report ---------------------------------------------------------------------------

_Write = Callable[[Status], None]
_Writer = Callable[[str], AbstractContextManager[_Write]]


def _writer(out: str | None) -> _Writer | None:
    """What writes the report *out* (None: the table on stdout); a suffix it does not
    know, or Parquet without pyarrow, is refused."""
    if out is None:
        return None
    suffix = os.path.splitext(out)[1].lower()
    if suffix == ".parquet":
        _pyarrow()
    writers: dict[str, _Writer] = {".csv": _csv, ".jsonl": _jsonl, ".parquet": _parquet}
    if suffix not in writers:
        raise Refused(
            f"--out: {shown(out)} names no kind of report this command writes; end its name "
            f"in {', '.join(SUFFIXES)}"
        )
    return writers[suffix]


@contextmanager
def _report(out: str | None, writer: _Writer | None) -> Iterator[_Write]:
    """The function writing each row: to *out* through *writer* (a file of its own,
    renamed to *out* once all is written), or to the table on standard output."""
    if out is None or writer is None:
        yield _Table(sys.stdout).write
        return
    try:
        with replacing(out) as partial, writer(partial) as write:
            yield write
    except OSError as err:
        raise Refused(f"{file_label(out)}: cannot write it: {err.strerror or err}") from None


def _text(value: object) -> object:
    """A row's value as the ``--json`` outputs write it: instants in ISO 8601 (UTC)."""
    return iso(value) if isinstance(value, datetime) else value


@contextmanager
def _csv(path: str) -> Iterator[_Write]:
    # backslashreplace: an order id read from JSON may hold a lone surrogate
    with open(path, "x", encoding="utf-8", newline="", errors="backslashreplace") as file:
        rows = csv.writer(file)
        rows.writerow(COLUMNS)

        def write(status: Status) -> None:
            rows.writerow(["" if v is None else _text(v) for v in status.as_row().values()])

        yield write


@contextmanager
def _jsonl(path: str) -> Iterator[_Write]:
    with open(path, "x", encoding="utf-8") as file:

        def write(status: Status) -> None:
            row = {name: _text(value) for name, value in status.as_row().items()}
            file.write(json.dumps(row))
            file.write("\n")

        yield write


def _pyarrow() -> tuple[Any, Any]:
    """The modules ``pyarrow`` and ``pyarrow.parquet``; refused when not installed."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise Refused(
            f"--out: a Parquet report needs the pyarrow package: {PARQUET_EXTRA}"
        ) from None


_FREE_TEXT = ("order_id", "error")  # from the documents: may hold what UTF-8 cannot


@contextmanager
def _parquet(path: str) -> Iterator[_Write]:
    pa, pq = _pyarrow()
    schema = pa.schema(
        [
            (
                name,
                pa.timestamp("us", tz="UTC")
                if name in INSTANTS
                else pa.int64()
                if name == "line"
                else pa.string(),
            )
            for name in COLUMNS
        ]
    )
    batch: list[dict[str, str | datetime | int | None]] = []
    with open(path, "xb") as file, pq.ParquetWriter(file, schema) as parquet:

        def flush() -> None:
            parquet.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            batch.clear()

        def write(status: Status) -> None:
            row = status.as_row()
            for name in _FREE_TEXT:
                text = row[name]
                if isinstance(text, str) and not text.isascii():
                    row[name] = text.encode("utf-8", "backslashreplace").decode("utf-8")
            batch.append(row)
            if len(batch) >= _BATCH:
                flush()

        yield write
        if batch:
            flush()


class _Table:
    """The rows as an aligned table on *out*, written as they come: fixed columns wide
    enough for every state, action and instant in UTC (a longer order id or a
    message pushes the rest of its own row only)."""

    HEADER = ("line", "order", "state", "dispute", "next step", "before", "next deadline")
    WIDTHS = (6, 16, 17, 17, 20, 20)

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.started = False

    def write(self, status: Status) -> None:
        if not self.started:
            self.out.write(self._line(self.HEADER))
            self.started = True
        if status.error is not None:
            cells: tuple[str, ...] = (str(status.line), "-", f"error: {flat(status.error)}")
        else:
            step = status.next_step
            dispute, deadline = status.dispute_state, status.next_deadline
            cells = (
                str(status.line),
                flat(status.order_id or ""),
                "-" if status.state is None else status.state.value,
                "-" if dispute is None else dispute.value,
                "-" if step is None else step.action,
                _instant(None if step is None else step.latest),
                _instant(None if deadline is None else deadline.at),
            )
        self.out.write(self._line(cells))

    def _line(self, cells: tuple[str, ...]) -> str:
        first = cells[0].rjust(self.WIDTHS[0])
        rest = (c.ljust(w) for c, w in zip(cells[1:-1], self.WIDTHS[1:], strict=False))
        return "  ".join((first, *rest, cells[-1])).rstrip() + "\n"
