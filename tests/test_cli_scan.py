"""The command line's ``scan``: every order of a JSON Lines file as a table or a report,
a summary, a progress bar only on a terminal, and one clear line for every bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from buyer_protection import Money, Order, Status, dumps, scan, to_dict
from buyer_protection import _cli_scan as cli_scan
from buyer_protection.advice import Step, advise
from buyer_protection.cli import main
from buyer_protection.clock import Deadline
from buyer_protection.lifecycle import Actor, OrderState
from buyer_protection.status import COLUMNS
from test_cli import LOOK, PAID, SELLER_DEADLINE, SHIPPED, _disputed, _iso, _run

AT = _iso(LOOK)
BAD_LINE = "{not json"


def _orders() -> list[Order]:
    """Three orders as of LOOK: shipped, disputed (awaiting the seller), paid and waiting."""
    shipped = Order("A-shipped", Money("10.00", "EUR"), PAID)
    shipped.ship(SHIPPED)
    waiting = Order("C-paid", Money("5.00", "USD"), LOOK - timedelta(days=1))
    disputed = _disputed()
    return [shipped, disputed, waiting]


def _lines(*extra: tuple[int, str]) -> list[str]:
    """The orders' documents one a line, a blank line second, and *extra* (index, text)."""
    lines = [dumps(order, indent=None) for order in _orders()]
    lines.insert(1, "")
    for index, text in extra:
        lines.insert(index, text)
    return lines


@pytest.fixture
def orders_file(tmp_path: Path) -> Path:
    """The three orders as JSON Lines (a blank second line)."""
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    """The three orders with a line that is not JSON third (after a good order and a blank)."""
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(_lines((2, BAD_LINE))) + "\n", encoding="utf-8")
    return path


def _expected(path: Path, **options: Any) -> list[dict[str, Any]]:
    """What the library's `scan` says of *path* as of LOOK, as rows."""
    return [status.as_row() for status in scan(path, LOOK, **options)]


def _as_text(row: dict[str, Any]) -> dict[str, Any]:
    """*row* as the CSV and JSON Lines reports write it: instants in ISO 8601 (UTC)."""
    return {k: _iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def _csv_text(row: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in _as_text(row).items()}


def _summary(text: str) -> dict[str, str]:
    """The rows of a summary, by their label."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        label, _, value = line.strip().partition("  ")
        found[label] = value.strip()
    return found


def _left_behind(folder: Path) -> list[str]:
    """The report and partial files in *folder*."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".jsonl"))


# -- reading --------------------------------------------------------------------------


def test_scan_prints_a_table_row_per_order_then_a_summary(
    orders_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --out, each order is one aligned row on stdout (line, id, states, next step
    and its latest instant, next deadline), then the summary after a blank line."""
    code, out, err = _run(["scan", str(orders_file), "--at", AT], capsys)
    assert (code, err) == (0, "")
    table, _, summary = out.partition("\n\n")
    header, *rows = table.splitlines()
    words = ["line", "order", "state", "dispute", "next", "step", "before", "next", "deadline"]
    assert header.split() == words
    assert [row.split()[:2] for row in rows] == [["1", "A-shipped"], ["3", "8123"], ["4", "C-paid"]]
    deadline = SELLER_DEADLINE.isoformat().replace("+00:00", "Z")
    assert rows[1].split()[2:] == [
        "in_dispute",
        "awaiting_seller",
        "wait_for_seller",
        deadline,
        deadline,
    ]
    starts = [header.index(name) for name in ("state", "dispute", "next step", "before")]
    for row in rows:  # every row's cells start under their column's name
        assert all(row[at - 1] == " " and row[at] != " " for at in starts)
    assert _summary(summary)["orders read"] == "3"


def test_scan_reads_gzip_by_its_suffix(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FILE ending in .gz is read through gzip, to the same report."""
    packed = tmp_path / "orders.jsonl.gz"
    packed.write_bytes(gzip.compress(orders_file.read_bytes()))
    report = tmp_path / "report.csv"
    code, _, _ = _run(["scan", str(packed), "--at", AT, "--out", str(report)], capsys)
    assert code == 0
    assert _csv_rows(report) == [_csv_text(row) for row in _expected(orders_file)]


def test_scan_reads_standard_input(
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FILE - reads the lines from standard input, counted as in a file."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(orders_file.read_bytes())))
    report = tmp_path / "report.jsonl"
    code, _, _ = _run(["scan", "-", "--at", AT, "--out", str(report)], capsys)
    assert code == 0
    written = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert written == [_as_text(row) for row in _expected(orders_file)]
    assert [row["line"] for row in written] == [1, 3, 4]


def test_scan_reads_a_naive_at_in_the_tz_zone(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--tz reads a --at without an offset as local time in that zone."""
    local = LOOK.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=8)
    report = tmp_path / "report.csv"
    argv = ["--at", local.isoformat(), "--tz", "Asia/Shanghai", "--out", str(report)]
    code, _, err = _run(["scan", str(orders_file), *argv], capsys)
    assert code == 0
    assert _summary(err)["as of"] == AT.replace("+00:00", "Z")


# -- the reports ----------------------------------------------------------------------


def test_scan_writes_csv_with_the_status_columns(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .csv report has the header COLUMNS and a row per order as `Status.as_row` gives
    it: instants in ISO 8601, amounts as exact decimal strings, nothing as empty; the
    summary goes to stderr and nothing to stdout."""
    report = tmp_path / "report.csv"
    code, out, err = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert (code, out) == (0, "")
    rows = _csv_rows(report)
    assert rows == [_csv_text(row) for row in _expected(orders_file)]
    assert rows[1]["next_deadline_at"] == _iso(SELLER_DEADLINE)
    assert (rows[1]["refundable_amount"], rows[1]["dispute_state"]) == ("25.90", "awaiting_seller")
    assert rows[0]["dispute_state"] == ""
    assert _summary(err)["orders read"] == "3"


def test_scan_writes_json_lines_with_nulls(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .jsonl report holds one object per order with the COLUMNS in order, null for
    nothing and the line as a number."""
    report = tmp_path / "report.jsonl"
    code, out, _ = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert (code, out) == (0, "")
    written = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert written == [_as_text(row) for row in _expected(orders_file)]
    assert all(tuple(row) == COLUMNS for row in written)
    assert written[0]["dispute_state"] is None


def test_scan_writes_parquet_with_a_schema(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .parquet report has instants as UTC timestamps, line as int64 and the rest as
    strings, and the same rows as `scan`."""
    report = tmp_path / "report.parquet"
    code, out, _ = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert (code, out) == (0, "")
    written = pq.read_table(report)
    instant = pa.timestamp("us", tz="UTC")
    assert written.schema.names == list(COLUMNS)
    assert written.schema.field("protection_ends").type == instant
    assert written.schema.field("next_step_latest").type == instant
    assert written.schema.field("line").type == pa.int64()
    assert written.schema.field("refunded_amount").type == pa.string()
    assert written.to_pylist() == _expected(orders_file)


def test_scan_writes_parquet_a_batch_at_a_time(
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Parquet report is written in row groups of at most the batch size, so that a
    scan of any size holds only one batch of rows."""
    monkeypatch.setattr(cli_scan, "_BATCH", 2)
    report = tmp_path / "report.parquet"
    code, _, _ = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert code == 0
    assert pq.ParquetFile(report).metadata.num_row_groups == 2
    assert pq.read_table(report).to_pylist() == _expected(orders_file)


def test_scan_replaces_an_earlier_report(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing --out is replaced whole, and no partial file stays beside it."""
    report = tmp_path / "report.csv"
    report.write_text("old\n", encoding="utf-8")
    code, _, _ = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert code == 0
    assert len(_csv_rows(report)) == 3
    assert _left_behind(tmp_path) == ["report.csv"]


# -- which orders, whose step -----------------------------------------------------------


@pytest.fixture
def due_file(tmp_path: Path) -> Path:
    """Orders with their next deadline (and the buyer's next step) 6 days after LOOK, a
    bad line, then 4 days (the disputed order) and 7 days after it."""
    path = tmp_path / "due.jsonl"
    six = Order("six", Money("10.00", "EUR"), LOOK - timedelta(days=1))
    seven = Order("seven", Money("5.00", "USD"), LOOK)
    rows = [six, BAD_LINE, _disputed(), seven]
    texts = [r if isinstance(r, str) else dumps(r, indent=None) for r in rows]
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    deadlines = [r.next_deadline for r in scan(path, LOOK, errors="report")]
    assert [None if d is None else d.at - LOOK for d in deadlines] == [
        timedelta(days=6),
        None,
        timedelta(days=4),
        timedelta(days=7),
    ]
    return path


@pytest.mark.parametrize(
    ("window", "lines"),
    [
        ("4d", [2]),  # the window ends at the disputed order's deadline: not in it
        ("97h", [2, 3]),
        ("6d", [2, 3]),
        ("P6DT1H", [1, 2, 3]),
        ("7d1h", [1, 2, 3, 4]),
    ],
)
def test_due_within_keeps_the_orders_with_something_due(
    window: str,
    lines: list[int],
    due_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--due-within W writes only the orders with something due in [at, at + W), the end
    excluded, and every error row; the summary counts the orders due."""
    report = tmp_path / "report.csv"
    argv = ["--at", AT, "--due-within", window, "--errors", "report", "--out", str(report)]
    code, _, err = _run(["scan", str(due_file), *argv], capsys)
    assert code == 0
    assert [int(r["line"]) for r in _csv_rows(report)] == lines
    assert _summary(err)[f"due within {window}"].startswith(f"{len(lines) - 1} (before ")


def _status(step_latest: datetime | None, deadline_at: datetime | None) -> Status:
    step = None if step_latest is None else Step("wait", "why", latest=step_latest)
    deadline = None if deadline_at is None else Deadline(deadline_at, "complete", "", "order")
    state = OrderState.SHIPPED
    return Status("1", state, None, None, deadline, None, None, step, 1)


@pytest.mark.parametrize(
    ("step_latest", "deadline_at", "due"),
    [
        (LOOK, None, True),  # the window's first instant is in it
        (None, LOOK + timedelta(hours=23), True),
        (LOOK + timedelta(days=1), None, False),  # its end is not
        (LOOK - timedelta(seconds=1), None, False),  # nor what was due before --at
        (LOOK + timedelta(days=3), LOOK + timedelta(hours=1), True),  # the deadline is
        (LOOK + timedelta(hours=1), LOOK + timedelta(days=3), True),  # the step is
        (None, None, False),
    ],
)
def test_due_is_the_step_or_the_deadline_in_the_window(
    step_latest: datetime | None, deadline_at: datetime | None, due: bool
) -> None:
    """An order is due when its next step's latest instant or its next deadline falls in
    [at, at + window): either one is enough."""
    tally = cli_scan._Tally(LOOK, LOOK + timedelta(days=1))
    assert tally.add(_status(step_latest, deadline_at)) is due
    assert tally.due == int(due)


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("3d", timedelta(days=3)),
        ("36h", timedelta(hours=36)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("P3D", timedelta(days=3)),
        ("PT90M", timedelta(minutes=90)),
        ("3650d", timedelta(days=3650)),
    ],
)
def test_window_reads_days_hours_and_iso_durations(text: str, length: timedelta) -> None:
    """--due-within takes days and hours (3d, 36h, 1d12h) or an ISO 8601 duration."""
    assert cli_scan.window(text) == cli_scan.Window(text, length)


def test_due_within_counts_in_the_summary_without_filtering_the_table(
    orders_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --due-within every order is written and the summary counts those due
    within a day."""
    code, out, _ = _run(["scan", str(orders_file), "--at", AT], capsys)
    assert code == 0
    table, _, summary = out.partition("\n\n")
    assert len(table.splitlines()) == 4
    end = (LOOK + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    expected = sum(
        1
        for r in _expected(orders_file)
        if any(
            r[k] is not None and LOOK <= r[k] < LOOK + timedelta(days=1)
            for k in ("next_step_latest", "next_deadline_at")
        )
    )
    assert _summary(summary)["due within 1d"] == f"{expected} (before {end})"


@pytest.mark.parametrize("side", ["buyer", "seller", "platform"])
def test_side_gives_that_sides_next_step(
    side: str, orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--side picks whose next step each row gives, as `advise` answers for that side."""
    report = tmp_path / "report.jsonl"
    argv = ["--at", AT, "--side", side, "--out", str(report)]
    code, _, _ = _run(["scan", str(orders_file), *argv], capsys)
    assert code == 0
    written = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    steps = [advise(order, LOOK, side=Actor(side)) for order in _orders()]
    assert [row["next_step_action"] for row in written] == [s[0].action for s in steps]


def test_verify_is_passed_to_scan(
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--verify scans with verify=True; without it, with verify=False (the fast path)."""
    seen: list[bool] = []

    def spy(*args: Any, **kw: Any) -> Any:
        seen.append(kw["verify"])
        return scan(*args, **kw)

    monkeypatch.setattr(cli_scan, "scan", spy)
    report = str(tmp_path / "report.csv")
    assert _run(["scan", str(orders_file), "--at", AT, "--out", report, "--verify"], capsys)[0] == 0
    assert _run(["scan", str(orders_file), "--at", AT, "--out", report], capsys)[0] == 0
    assert seen == [True, False]


def test_verify_reports_a_document_its_history_contradicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --verify, a document whose state its history does not give is an error row."""
    document = to_dict(_disputed())
    document["state"] = "completed"
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    argv = ["--at", AT, "--verify", "--errors", "report", "--out", str(report)]
    code, _, _ = _run(["scan", str(path), *argv], capsys)
    assert code == 0
    (row,) = _csv_rows(report)
    assert row["error"].startswith("line 1: ")
    assert "history" in row["error"]


# -- the summary and the progress bar ---------------------------------------------------


def test_summary_counts_orders_by_state_due_and_errors(
    broken_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary says the instant, the orders read (error rows too), how many are in
    each state, how many have something due within the window, and the errors."""
    report = tmp_path / "report.csv"
    argv = ["--at", AT, "--due-within", "10d", "--errors", "report", "--out", str(report)]
    code, _, err = _run(["scan", str(broken_file), *argv], capsys)
    assert code == 0
    states = [r["state"] for r in _expected(broken_file, errors="report") if r["state"]]
    expected = {
        "as of": AT.replace("+00:00", "Z"),
        "orders read": "4",
        **{state: str(states.count(state)) for state in states},
        "due within 10d": f"2 (before {_iso(LOOK + timedelta(days=10)).replace('+00:00', 'Z')})",
        "errors": "1",
    }
    assert _summary(err) == expected


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal(
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When stderr is a terminal, a progress bar there counts the orders read, the orders
    per second and the errors; the summary follows it."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli_scan, "_TICK", 1)
    report = tmp_path / "report.csv"
    code = main(["scan", str(orders_file), "--at", AT, "--out", str(report)])
    assert code == 0
    shown = terminal.getvalue()
    assert "\x1b[" in shown
    assert "3 orders" in shown
    assert re.search(r"\b[\d,]+ orders/s", shown)
    assert "0 errors" in shown
    assert shown.rstrip().splitlines()[-1].split() == ["errors", "0"]


def test_no_progress_when_stderr_is_not_a_terminal(
    orders_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """When stderr is not a terminal, it gets the summary and nothing else."""
    report = tmp_path / "report.csv"
    code, _, err = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert code == 0
    assert "\x1b" not in err
    assert err.startswith("as of ")


def test_no_progress_over_a_table_on_the_same_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar shows only when the rows do not go to a terminal themselves: with --out, or
    with stdout not a terminal."""
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert cli_scan._shows_progress("report.csv")
    assert not cli_scan._shows_progress(None)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli_scan._shows_progress(None)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not cli_scan._shows_progress("report.csv")


class _ClosedPipe(io.StringIO):
    """Standard output whose reader has gone away (``| head``)."""

    def write(self, text: str) -> int:
        if text:  # as a real stream: writing nothing writes nothing
            raise BrokenPipeError(32, "Broken pipe")
        return 0


def test_a_reader_going_away_stops_the_scan_quietly(
    orders_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When standard output's reader closes the pipe, the scan stops without a traceback
    or an error line."""
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["scan", str(orders_file), "--at", AT]) == 0
    assert capsys.readouterr().err == ""


# -- bad input ------------------------------------------------------------------------


def _one_line(err: str) -> str:
    """The single error line of *err* (asserting that there is exactly one)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("buyer-protection: error: ")
    assert "Traceback" not in err
    return lines[0].removeprefix("buyer-protection: error: ")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["missing.jsonl", "--at", AT], "missing.jsonl: cannot read it: No such file"),
        (["FILE", "--at", "tomorrow"], "--at: 'tomorrow'"),
        (["FILE", "--at", "2026-03-20T10:00:00"], "has no time zone"),
        (["FILE"], "the following arguments are required: --at"),
        (["FILE", "--at", AT, "--out", "report.txt"], "end its name in .csv, .jsonl, .parquet"),
        (["FILE", "--at", AT, "--due-within", "3 weeks"], "'3 weeks' is not a window"),
        (["FILE", "--at", AT, "--due-within", "0h"], "more than nothing"),
        (["FILE", "--at", AT, "--due-within", "3651d"], "at most 3650 days"),
        (["FILE", "--at", AT, "--side", "courier"], "'courier' is not one of buyer"),
        (["FILE", "--at", AT, "--errors", "ignore"], "'ignore' is not one of raise, report"),
        (["FILE", "--at", AT, "--out", "nowhere/report.csv"], "cannot write it"),
        (["not.gz", "--at", AT], "not.gz: cannot read it: Not a gzipped file"),
        (["cut.jsonl.gz", "--at", AT, "--out", "r.csv"], "cut.jsonl.gz: cannot read it: "),
        ([".", "--at", AT], ".: cannot read it: Is a directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str],
    expected: str,
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each bad argument or unreadable FILE gives exit status 2, one line on stderr naming
    the problem, and no report."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not.gz").write_bytes(orders_file.read_bytes())
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(orders_file.read_bytes())[:-12])
    argv = [str(orders_file) if a == "FILE" else a for a in argv]
    code, out, err = _run(["scan", *argv], capsys)
    assert (code, out) == (2, "")
    assert expected in _one_line(err)
    assert _left_behind(tmp_path) == ["cut.jsonl.gz", "not.gz"]


def test_a_bad_line_stops_the_scan_and_leaves_no_report(
    broken_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --errors raise (the default), a line holding no order ends the scan with exit
    status 2 and one line naming the file and the line; an earlier report stays as it was
    and no partial file is left."""
    report = tmp_path / "report.csv"
    report.write_text("old\n", encoding="utf-8")
    code, out, err = _run(["scan", str(broken_file), "--at", AT, "--out", str(report)], capsys)
    assert (code, out) == (2, "")
    assert _one_line(err).startswith(f"{broken_file}: line 3: ")
    assert report.read_text("utf-8") == "old\n"
    assert _left_behind(tmp_path) == ["report.csv"]


def test_a_bad_line_after_rows_on_stdout_ends_them(
    broken_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --out the rows before a bad line are printed already; then the error line,
    exit status 2 and no summary."""
    code, out, err = _run(["scan", str(broken_file), "--at", AT], capsys)
    assert code == 2
    _, *rows = out.splitlines()
    assert [row.split()[:2] for row in rows] == [["1", "A-shipped"]]
    assert _one_line(err).startswith(f"{broken_file}: line 3: ")


def test_errors_report_writes_an_error_row_and_goes_on(
    broken_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --errors report, a bad line is a row with only its line and error, the scan
    goes on, and the exit status is 0."""
    report = tmp_path / "report.csv"
    argv = ["--at", AT, "--errors", "report", "--out", str(report)]
    code, _, err = _run(["scan", str(broken_file), *argv], capsys)
    assert code == 0
    rows = _csv_rows(report)
    assert [int(r["line"]) for r in rows] == [1, 3, 4, 5]
    bad = rows[1]
    assert bad["error"].startswith("line 3: ")
    assert {k for k, v in bad.items() if v} == {"line", "error"}
    assert _summary(err)["errors"] == "1"


def test_errors_report_shows_the_error_in_the_table(
    broken_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the table, an error row gives its line and the message in place of the order."""
    code, out, _ = _run(["scan", str(broken_file), "--at", AT, "--errors", "report"], capsys)
    assert code == 0
    row = out.splitlines()[2]
    assert row.split()[:3] == ["3", "-", "error:"]
    assert "line 3: " in row


def test_parquet_without_pyarrow_names_the_extra(
    orders_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A .parquet report without pyarrow installed exits 2 naming the extra to install,
    before anything is read or written."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    report = tmp_path / "report.parquet"
    code, out, err = _run(["scan", str(orders_file), "--at", AT, "--out", str(report)], capsys)
    assert (code, out) == (2, "")
    assert "pip install 'buyer-protection[parquet]'" in _one_line(err)
    assert _left_behind(tmp_path) == []


def test_an_order_later_than_at_is_an_error(
    orders_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An order whose last event is after --at stops the scan at its line."""
    early = _iso(PAID - timedelta(days=1))
    code, _, err = _run(["scan", str(orders_file), "--at", early], capsys)
    assert code == 2
    assert _one_line(err).startswith(f"{orders_file}: line 1: ")


def test_scan_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    """``scan --help`` lists its options and the report suffixes."""
    code, out, _ = _run(["scan", "--help"], capsys)
    assert code == 0
    for option in ("--at", "--tz", "--side", "--due-within", "--out", "--verify", "--errors"):
        assert option in out
    assert ".parquet" in out


def test_a_report_over_its_own_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out naming FILE itself (by another spelling too) is refused with exit status 2
    before anything is read: the scan never writes over the orders it reads."""
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    before = path.read_bytes()
    for out in (str(path), str(tmp_path / "." / path.name)):
        code, printed, err = _run(["scan", str(path), "--at", AT, "--out", out], capsys)
        assert (code, printed) == (2, "")
        assert "is FILE itself" in _one_line(err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("command", [["scan", "-", "--at", AT], ["status", "-", "--at", AT]])
def test_a_closed_standard_input_exits_2_with_one_line(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FILE - with no standard input at all (closed: ``<&-``) is exit status 2 and one
    line saying so, not a traceback."""
    monkeypatch.setattr(sys, "stdin", None)
    code, out, err = _run(command, capsys)
    assert (code, out) == (2, "")
    assert "<stdin>: cannot read it: standard input is closed" in _one_line(err)
