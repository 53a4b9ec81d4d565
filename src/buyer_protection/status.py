"""Many orders at once: `scan` reads a stream of order documents and gives each one's
`Status` as of an instant, in constant memory whatever the size of the source.

>>> from datetime import datetime, UTC
>>> from buyer_protection import Money, Order, to_dict
>>> order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 1, tzinfo=UTC))
>>> order.ship(datetime(2026, 3, 2, tzinfo=UTC))
>>> (row,) = scan([to_dict(order)], datetime(2026, 4, 1, tzinfo=UTC))
>>> row.order_id, row.state.value, row.protection_ends.date(), row.next_step.action
('8123', 'shipped', datetime.date(2026, 5, 1), 'check_tracking')
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from ._lines import blank, on_line, opened, parsed, path_of, reading
from ._text import kind, shown
from ._time import iso, utc
from .advice import Step, advised, side_of
from .clock import Deadline
from .errors import InvalidInput
from .lifecycle import Actor, DisputeState, OrderState
from .money import Money
from .order import Order
from .storage import from_dict

ERRORS: Final = ("raise", "report")
"""What `scan` does with a document it cannot read: stop with `InvalidInput`
(``"raise"``), or give a `Status` that says so and go on (``"report"``)."""


@attrs.frozen
class Status:
    """Where one order stands as of an instant, as `scan` reports it.

    Every value is as `Order.as_of` and `advise` give them for that instant:
    ``state`` and ``dispute_state`` (of `Order.dispute`, the open or last dispute;
    None when no dispute was ever opened), ``protection_ends``, ``next_deadline``,
    ``refunded`` and ``refundable``, and ``next_step``, the first of the side's
    steps (None when it has none). ``line`` is the document's place in the source
    (1-based, blank lines counted). A document that could not be read has ``error``,
    its message (starting ``line N:``), and every other field None.
    """

    order_id: str | None
    state: OrderState | None
    dispute_state: DisputeState | None
    protection_ends: datetime | None
    next_deadline: Deadline | None
    refunded: Money | None
    refundable: Money | None
    next_step: Step | None
    line: int
    error: str | None = None

    def as_row(self) -> dict[str, str | datetime | int | None]:
        """The status as one flat row of `COLUMNS`, for tables (CSV, Parquet,
        DataFrames): states, actions and currencies as their values, amounts as exact
        decimal strings (``"25.90"``), instants as aware datetimes in UTC; the
        deadline as ``next_deadline_at`` and ``next_deadline_action``, the step as
        ``next_step_action`` and ``next_step_latest``."""
        deadline, step = self.next_deadline, self.next_step
        refunded, refundable = self.refunded, self.refundable
        return {
            "order_id": self.order_id,
            "state": None if self.state is None else self.state.value,
            "dispute_state": None if self.dispute_state is None else self.dispute_state.value,
            "protection_ends": self.protection_ends,
            "next_deadline_at": None if deadline is None else deadline.at,
            "next_deadline_action": None if deadline is None else deadline.action,
            "refunded_amount": None if refunded is None else str(refunded.amount),
            "refunded_currency": None if refunded is None else refunded.currency,
            "refundable_amount": None if refundable is None else str(refundable.amount),
            "refundable_currency": None if refundable is None else refundable.currency,
            "next_step_action": None if step is None else step.action,
            "next_step_latest": None if step is None else step.latest,
            "line": self.line,
            "error": self.error,
        }


COLUMNS: Final = (
    "order_id",
    "state",
    "dispute_state",
    "protection_ends",
    "next_deadline_at",
    "next_deadline_action",
    "refunded_amount",
    "refunded_currency",
    "refundable_amount",
    "refundable_currency",
    "next_step_action",
    "next_step_latest",
    "line",
    "error",
)
"""The keys of `Status.as_row`, in order: the columns of `scan`'s tables (the command
line's CSV, JSON Lines and Parquet, and `buyer_protection.dask.scan`, which adds
``path``)."""

INSTANTS: Final = frozenset({"protection_ends", "next_deadline_at", "next_step_latest"})
"""The `COLUMNS` that hold instants (aware datetimes in UTC, or None); ``line`` holds an
int and every other column a str or None."""


def scan(
    source: str | os.PathLike[str] | Iterable[Mapping[str, Any] | str | bytes],
    at: datetime,
    *,
    side: Actor | str = Actor.BUYER,
    verify: bool = False,
    errors: str = "raise",
) -> Iterator[Status]:
    """The `Status` of each order of *source* as of *at*, one at a time, in order.

    *source* is a path to a JSON Lines file (a `str` is always a path; ``.jsonl``, or
    gzip when it ends in ``.gz``), an iterable of documents (dicts as `to_dict` gives,
    or JSON text as `dumps` gives), or an `~buyer_protection.store.OrderStore` (its
    orders by id). Blank lines are skipped but counted in ``line``. *side* is whose
    ``next_step`` it is (as for `advise`).

    *verify* checks each document against a replay of its history, as `loads` does;
    without it (the default) documents are trusted to be this library's own (say,
    read back from your store) and only their shape, types and keys are checked,
    which is several times faster. Either way a document that is not valid JSON, not
    a valid order document, or whose last event is after *at* is an error: with
    *errors* ``"raise"`` the rows before it are given and then `InvalidInput`
    starting ``line N:`` is raised; with ``"report"`` a `Status` holding only
    ``line`` and ``error`` is given and the scan goes on. A file that cannot be read
    (missing, or a gzip file cut short) is `InvalidInput` either way. The source is
    only read: nothing is written back.

    The arguments are checked when `scan` is called; the source is read as the rows
    are taken.
    """
    at = utc(at, "at")
    who = side_of(side)
    if type(verify) is not bool:
        raise InvalidInput(f"verify: expected True or False, got {kind(verify)}")
    if errors not in ERRORS:
        raise InvalidInput(f"errors: expected 'raise' or 'report', got {shown(errors)}")
    return _scanned(_items(source), at, who, verify=verify, report=errors == "report")


def _items(source: object) -> Iterator[object]:
    """The documents of *source*, one by one (see `scan`); a source that is none of
    those is `InvalidInput` at once."""
    if isinstance(source, str | os.PathLike):
        path = path_of(source, "source")
        opened(path, "source").close()  # a file that cannot be read is an error now, not later
        return _lines(path)
    store = sys.modules.get("buyer_protection.store")  # imported if a store was made
    if store is not None and isinstance(source, store.OrderStore):
        documents: Iterator[object] = source._documents()
        return documents
    if isinstance(source, bytes | bytearray | Mapping) or not isinstance(source, Iterable):
        raise InvalidInput(
            "source: expected a path to a JSON Lines file, an iterable of documents or an "
            f"OrderStore, got {kind(source)}"
        )
    return iter(source)


def _lines(path: str) -> Iterator[bytes]:
    with reading(path) as lines:
        yield from lines


def _scanned(
    items: Iterator[object], at: datetime, side: Actor, *, verify: bool, report: bool
) -> Iterator[Status]:
    for number, item in enumerate(items, 1):
        if isinstance(item, str | bytes | bytearray) and blank(item):
            continue
        try:
            order = _order(item, number, verify=verify)
            row = (
                status_of(order, at, side, number) if verify else _trusted(order, at, side, number)
            )
        except InvalidInput as err:
            if not report:
                raise
            row = Status(None, None, None, None, None, None, None, None, number, str(err))
        yield row


def _trusted(order: Order, at: datetime, side: Actor, line: int) -> Status:
    """`status_of` an order read without its replay: one whose document contradicts
    itself (in dispute without a dispute, shipped without a protection period) may trip
    what the rules take for granted, and is then the line's `InvalidInput`."""
    try:
        return status_of(order, at, side, line)
    except InvalidInput:
        raise
    except Exception as err:
        raise InvalidInput(
            f"line {line}: the document contradicts itself ({type(err).__name__}"
            f"{': ' + shown(str(err), 200) if str(err) else ''}); scan it with verify=True "
            "to find what is wrong with it"
        ) from None


def _order(item: object, number: int, *, verify: bool) -> Order:
    """The order of the document *item*, found on line *number*."""
    if isinstance(item, str | bytes | bytearray):
        return parsed(bytes(item) if isinstance(item, bytearray) else item, number, verify=verify)
    if not isinstance(item, Mapping):
        raise InvalidInput(
            f"line {number}: expected a document (a dict as to_dict gives, or JSON text as "
            f"dumps gives), got {kind(item)}"
        )
    try:
        return from_dict(item, verify=verify)
    except InvalidInput as err:
        raise on_line(err, number) from None


def status_of(order: Order, at: datetime, side: Actor, line: int) -> Status:
    """The `Status` of *order* as of *at* (aware, UTC) for *side*, found on *line*.

    *order* is brought to *at* (`Order.advance`): give one of your own."""
    if order.last_event_at > at:
        raise InvalidInput(
            f"line {line}: the order's last event at {iso(order.last_event_at)} is after "
            f"at ({iso(at)}); scan as of a later instant"
        )
    view = order
    view.advance(at)  # the order is the scan's own, just read: no copy (as_of) needed
    steps = advised(view, at, side)
    dispute = view.dispute
    return Status(
        view.order_id,
        view.state,
        None if dispute is None else dispute.state,
        view.protection_ends,
        view.next_deadline,
        view.refunded,
        view.refundable,
        steps[0] if steps else None,
        line,
    )


__all__ = ["COLUMNS", "ERRORS", "INSTANTS", "Status", "scan"]
