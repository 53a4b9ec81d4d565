"""Tests for `scan` and `Status`: every order of a stream of documents (a JSON Lines
file, gzip too, a list of dicts or texts, a store) as of an instant, with errors that
name their line, stopping the scan or reported in it."""

from __future__ import annotations

import gzip
import itertools
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    PAYPAL,
    Actor,
    DisputeState,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Reason,
    Status,
    advise,
    dumps,
    loads,
    scan,
    to_dict,
)
from buyer_protection.status import COLUMNS, INSTANTS
from preset_strategies import play, preset_stories
from strategies import new_order, order_ids

DAY = timedelta(days=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = PAID + 200 * DAY


def sample(count: int) -> list[Order]:
    """*count* orders of two marketplaces: unshipped, shipped and disputed in turns."""
    orders = []
    for n in range(count):
        policy = PAYPAL if n % 2 else ALIEXPRESS
        order = new_order(policy, Money("25.50", "EUR"), PAID + n * DAY, f"S-{n:03}")
        if n % 3:
            order.ship(order.paid_at + DAY)
        if n % 3 == 2:
            order.open_dispute(
                order.paid_at + 20 * DAY,
                reason=Reason.NOT_AS_DESCRIBED,
                refund=Money("10.00", "EUR"),
                evidence=["photo.jpg"],
            )
        orders.append(order)
    return orders


def expected(text: str | bytes, line: int, at: datetime, side: str = "buyer") -> Status:
    """The status of one document as the one-order API tells it: `loads`, `as_of` and
    `advise` (an error row when the document cannot be read, or is later than *at*)."""
    try:
        order = loads(text)
    except InvalidInput as err:
        return error_row(line, f"line {line}: {err}")
    if order.last_event_at > at:
        return error_row(line, "later")
    view = order.as_of(at)
    steps = advise(order, at, side=side)
    return Status(
        view.order_id,
        view.state,
        None if view.dispute is None else view.dispute.state,
        view.protection_ends,
        view.next_deadline,
        view.refunded,
        view.refundable,
        steps[0] if steps else None,
        line,
    )


def error_row(line: int, error: str) -> Status:
    return Status(None, None, None, None, None, None, None, None, line, error)


def same(found: Status, wanted: Status) -> bool:
    """*found* is *wanted*, an error row by its line and the start of its message."""
    if wanted.error is None or found.error is None:
        return found == wanted
    if wanted.error == "later":
        return found.line == wanted.line and "is after at" in found.error
    return found.line == wanted.line and found.error.startswith(f"line {found.line}: ")


def jsonl(tmp_path: Path, lines: list[str], name: str = "orders.jsonl") -> Path:
    path = tmp_path / name
    data = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


# -- the property -------------------------------------------------------------------


CORRUPTIONS = (
    "{",
    "[]",
    "not json",
    '{"schema_version": 6}',
    "\ufeff{}",
)


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[str], datetime]:
    """JSON Lines of random orders (random presets and stories), with corrupted and
    blank lines among them, and an instant to scan at (sometimes before an order's
    last event)."""
    stories = draw(st.lists(preset_stories(max_size=8), min_size=1, max_size=3))
    lines = []
    lasts = []
    for order_id in draw(st.lists(order_ids(), max_size=5, unique=True)):
        policy, total, paid, scenario, zone = draw(st.sampled_from(stories))
        order = new_order(policy, total, paid, order_id)
        for _ in play(order, scenario, zone):
            pass
        lasts.append(order.last_event_at)
        lines.append(dumps(order, indent=None))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(lines)))
        lines.insert(where, draw(st.sampled_from(("", "  ", *CORRUPTIONS))))
    latest = max(lasts, default=PAID)
    at = latest + draw(st.sampled_from([timedelta(0), DAY, 90 * DAY, 400 * DAY]))
    if lasts and draw(st.integers(0, 4)) == 0:
        at = min(lasts)  # later orders are errors
    return lines, at


@settings(max_examples=min(settings().max_examples, 120), deadline=None)
@given(streams(), st.booleans(), st.sampled_from(["buyer", "seller", "platform"]))
def test_scan_rows_equal_the_one_order_answers_and_report_bad_lines(
    stream: tuple[list[str], datetime], verify: bool, side: str
) -> None:
    """Every row of a reported scan of the lifecycles saved as JSON Lines is what loads,
    as_of and advise give for its line, and each corrupted line is an error row at its
    line number, the scan going on past it; a list of the same lines scans alike."""
    lines, at = stream
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.jsonl"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        rows = list(scan(path, at, side=side, verify=verify, errors="report"))
    wanted = [expected(text, n, at, side) for n, text in enumerate(lines, 1) if text.strip()]
    assert len(rows) == len(wanted)
    for found, want in zip(rows, wanted, strict=True):
        assert same(found, want), (found, want)
    encoded = [line.encode() for line in lines]  # a file's lines are bytes
    assert list(scan(encoded, at, side=side, verify=verify, errors="report")) == rows


# -- sources --------------------------------------------------------------------------


def test_scan_reads_a_jsonl_file_with_blank_lines_counted(tmp_path: Path) -> None:
    """A path's lines are scanned in order; a blank line is skipped but counted."""
    orders = sample(3)
    path = jsonl(tmp_path, [dumps(orders[0], indent=None), "", dumps(orders[1], indent=None)])
    rows = list(scan(path, LATER))
    assert [(r.order_id, r.line) for r in rows] == [("S-000", 1), ("S-001", 3)]


def test_scan_reads_gzip_by_the_suffix(tmp_path: Path) -> None:
    """A path ending in .gz is read through gzip, given as a str or a Path."""
    orders = sample(4)
    path = jsonl(tmp_path, [dumps(o, indent=None) for o in orders], "orders.jsonl.gz")
    assert [r.order_id for r in scan(str(path), LATER)] == [o.order_id for o in orders]
    assert [r.order_id for r in scan(path, LATER)] == [o.order_id for o in orders]


def test_scan_reads_dicts_texts_and_bytes_alike() -> None:
    """Documents as dicts, as str and as bytes give the same rows."""
    orders = sample(6)
    as_dicts = list(scan([to_dict(o) for o in orders], LATER))
    as_text = list(scan([dumps(o) for o in orders], LATER))
    as_bytes = list(scan([dumps(o).encode() for o in orders], LATER))
    as_bytearray = list(scan([bytearray(dumps(o).encode()) for o in orders], LATER))
    assert as_dicts == as_text == as_bytes == as_bytearray
    assert [r.line for r in as_dicts] == [1, 2, 3, 4, 5, 6]


def test_scan_reads_a_stream_lazily() -> None:
    """An endless source is read only as far as the rows taken."""
    order = sample(1)[0]
    text = dumps(order, indent=None)
    taken = list(itertools.islice(scan(itertools.repeat(text), LATER), 3))
    assert [r.line for r in taken] == [1, 2, 3]


def test_scan_reads_a_store_by_id(tmp_path: Path) -> None:
    """An OrderStore's orders are scanned by id, numbered from 1."""
    from buyer_protection.store import OrderStore

    orders = sample(5)
    with OrderStore(f"sqlite:///{tmp_path / 'orders.db'}") as store:
        store.add_all(reversed(orders))
        rows = list(scan(store, LATER, verify=True))
        assert [(r.order_id, r.line) for r in rows] == [
            (o.order_id, n) for n, o in enumerate(orders, 1)
        ]
        assert rows == [expected(dumps(o), n, LATER) for n, o in enumerate(orders, 1)]


def test_scan_writes_nothing_back(tmp_path: Path) -> None:
    """The file scanned is left byte for byte as it was, though its orders advanced."""
    path = jsonl(tmp_path, [dumps(o, indent=None) for o in sample(3)])
    before = path.read_bytes()
    rows = list(scan(path, LATER))
    assert {r.state for r in rows} != {OrderState.AWAITING_SHIPMENT}
    assert path.read_bytes() == before


# -- what a row says ----------------------------------------------------------------


def test_a_status_is_as_of_the_instant() -> None:
    """The row is the order as of the instant: a shipped order past its protection is
    completed, and a dispute's state is the last dispute's."""
    order = sample(3)[2]
    (row,) = scan([to_dict(order)], LATER)
    view = order.as_of(LATER)
    assert row.state is view.state
    assert row.dispute_state is view.dispute.state if view.dispute else row.dispute_state is None
    assert isinstance(row.dispute_state, DisputeState)
    (fresh,) = scan([to_dict(sample(1)[0])], PAID + DAY)
    assert fresh.dispute_state is None
    assert fresh.state is OrderState.AWAITING_SHIPMENT


def test_a_status_gives_the_sides_first_step() -> None:
    """next_step is the first of advise's steps for the side asked."""
    order = sample(1)[0]
    at = PAID + DAY
    for side in ("buyer", "seller", Actor.PLATFORM):
        (row,) = scan([to_dict(order)], at, side=side)
        steps = advise(order, at, side=side)
        assert row.next_step == (steps[0] if steps else None)


def test_as_row_is_the_columns_flat() -> None:
    """as_row gives COLUMNS in order: values as strings, instants aware in UTC."""
    order = sample(3)[2]
    (row,) = scan([to_dict(order)], order.paid_at + 21 * DAY)  # a day into the dispute
    flat = row.as_row()
    assert tuple(flat) == COLUMNS
    assert {name for name, v in flat.items() if isinstance(v, datetime)} == INSTANTS
    assert flat["refundable_amount"] == "25.50"
    assert flat["refundable_currency"] == "EUR"
    assert flat["state"] == "in_dispute"
    assert flat["dispute_state"] == row.dispute_state.value
    assert row.next_deadline is not None
    assert flat["next_deadline_at"] == row.next_deadline.at
    assert flat["line"] == 1
    assert flat["error"] is None
    bad = next(scan(["{"], LATER, errors="report")).as_row()
    assert [k for k, v in bad.items() if v is not None] == ["line", "error"]


# -- errors ---------------------------------------------------------------------------


def test_a_bad_line_stops_the_scan_after_the_rows_before_it() -> None:
    """Under errors='raise' the rows before a bad line are given, then InvalidInput
    naming its line."""
    good = [dumps(o, indent=None) for o in sample(2)]
    rows = scan([good[0], "", good[1], '{"a": 1', good[0]], LATER)
    assert [r.line for r in itertools.islice(rows, 2)] == [1, 3]
    with pytest.raises(InvalidInput, match=r"^line 4: column 8: "):
        next(rows)


def test_bad_lines_are_reported_and_the_scan_goes_on() -> None:
    """Under errors='report' a bad line is a row with only line and error."""
    good = dumps(sample(1)[0], indent=None)
    rows = list(scan([good, b"\xff\xfe", "[1]", 7, good], LATER, errors="report"))
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].error is None
    assert rows[4].error is None
    assert rows[1].error is not None
    assert rows[1].error.startswith("line 2: document: the bytes")
    assert rows[2].error == "line 3: document: expected an object, got list"
    assert rows[3].error is not None
    assert rows[3].error.startswith(
        "line 4: expected a document (a dict as to_dict gives, or JSON text as dumps gives)"
    )
    assert rows[1] == Status(None, None, None, None, None, None, None, None, 2, rows[1].error)


def test_a_document_of_a_bad_shape_names_its_line_and_path() -> None:
    """A document missing a field is an error naming its line and the field, with or
    without verification."""
    document = to_dict(sample(1)[0])
    del document["total"]
    for verify in (False, True):
        with pytest.raises(InvalidInput, match=r"^line 1: total: ") as caught:
            list(scan([document], LATER, verify=verify))
        assert all(p.startswith("line 1: ") for p in caught.value.problems)


def test_verify_refuses_a_document_that_disagrees_with_its_history() -> None:
    """verify=True checks the document against its history, as loads does."""
    document = to_dict(sample(2)[1])
    document["state"] = "completed"
    with pytest.raises(InvalidInput, match=r"^line 1: the document disagrees with its own"):
        list(scan([document], LATER, verify=True))


@pytest.mark.parametrize("side", ["buyer", "seller", "platform"])
@pytest.mark.parametrize(
    "change",
    [{"state": "in_dispute"}, {"protection_days": None}, {"state": "completed"}],
    ids=["in-dispute-without-a-dispute", "shipped-without-protection", "completed-early"],
)
def test_a_trusted_document_that_contradicts_itself_is_an_error_row(
    side: str, change: dict[str, Any]
) -> None:
    """A well-shaped document whose fields contradict each other (in dispute without a
    dispute, shipped without a protection period), read without verify, is a line's
    InvalidInput (an error row under 'report'), never a raw error out of the scan."""
    document = {**to_dict(sample(2)[1]), **change}
    rows = list(scan([document, to_dict(sample(2)[1])], LATER, side=side, errors="report"))
    assert rows[1].error is None
    if rows[0].error is not None:
        assert rows[0].error.startswith("line 1: ")
        assert "verify=True" in rows[0].error
    with pytest.raises(InvalidInput, match=r"^line 1: .* disagrees with its own history"):
        list(scan([document], LATER, side=side, verify=True))


def test_an_order_later_than_the_instant_is_an_error() -> None:
    """A document whose last event is after the instant cannot be seen as of it."""
    order = sample(2)[1]
    rows = list(scan([to_dict(order)], order.paid_at, errors="report"))
    assert rows[0].error is not None
    assert rows[0].error.startswith("line 1: the order's last event at ")
    assert "is after at (" in rows[0].error


def test_a_cut_gzip_file_is_an_error_whatever_errors_says(tmp_path: Path) -> None:
    """A gzip file cut short is InvalidInput naming the file, even under 'report'."""
    path = jsonl(tmp_path, [dumps(o, indent=None) for o in sample(40)], "orders.jsonl.gz")
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(InvalidInput, match=r"^path: cannot read .*orders\.jsonl\.gz"):
        list(scan(path, LATER, errors="report"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"at": datetime(2026, 5, 1)}, r"^at: "),
        ({"side": "carrier"}, r"^side: 'carrier' is not one of"),
        ({"verify": 1}, r"^verify: expected True or False, got int 1"),
        ({"errors": "ignore"}, r"^errors: expected 'raise' or 'report', got 'ignore'"),
        ({"source": b"{}"}, r"^source: expected a path to a JSON Lines file, an iterable"),
        ({"source": {"order_id": "1"}}, r"^source: expected a path .* got dict"),
        ({"source": 5}, r"^source: expected a path .* got int 5"),
        ({"source": ""}, r"^source: expected a file path"),
        ({"source": "no/such/file.jsonl"}, r"^source: cannot read 'no/such/file\.jsonl': "),
    ],
)
def test_bad_arguments_are_refused_when_scan_is_called(
    arguments: dict[str, Any], message: str
) -> None:
    """Each bad argument is InvalidInput naming it, raised by the call itself (before any
    row is taken), and nothing is read."""
    given: dict[str, Any] = {"source": iter_never(), "at": LATER, **arguments}
    source = given.pop("source")
    with pytest.raises(InvalidInput, match=message):
        scan(source, **given)


def iter_never() -> Iterator[str]:
    raise AssertionError("read")  # pragma: no cover - never read
    yield ""


def test_a_scan_of_a_file_holds_one_order_at_a_time(tmp_path: Path) -> None:
    """The rows of a file are given before the whole file is read: a file whose end is
    bad still gives its first rows (a stream, not a load of the whole file)."""
    good = dumps(sample(1)[0], indent=None)
    path = jsonl(tmp_path, [good] * 3 + ["{"])
    rows = scan(path, LATER)
    assert [r.line for r in itertools.islice(rows, 3)] == [1, 2, 3]
    with pytest.raises(InvalidInput, match=r"^line 4: "):
        next(rows)


def test_status_rows_survive_json_round_trip_of_their_flat_form() -> None:
    """as_row's values are JSON-ready once instants are written as ISO text."""
    rows = list(scan([to_dict(o) for o in sample(6)], PAID + 30 * DAY))
    for row in rows:
        flat = row.as_row()
        text = json.dumps(
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in flat.items()}
        )
        assert json.loads(text)["order_id"] == row.order_id
