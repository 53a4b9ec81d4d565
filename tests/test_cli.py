"""The command line: each command's output, and one clear line for every bad input."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import buyer_protection
from buyer_protection import ALIEXPRESS, InvalidInput, Money, Order, Reason, cli, dumps
from buyer_protection.cli import dot, main, mermaid, parse_at, table
from buyer_protection.lifecycle import DISPUTE, ORDER
from buyer_protection.walkthrough import run as walkthrough

PAID = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
SHIPPED = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
OPENED = SHIPPED + ALIEXPRESS.earliest_not_received
SELLER_DEADLINE = OPENED + ALIEXPRESS.seller_response_window
LOOK = OPENED + timedelta(days=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
_DELETE = object()


def _disputed() -> Order:
    """An order shipped and disputed ("not received", full refund) on the first allowed day."""
    order = Order("8123", Money("25.90", "USD"), PAID)
    order.ship(SHIPPED)
    order.open_dispute(
        OPENED,
        reason=Reason.NO_TRACKING_INFORMATION,
        refund=order.total,
        evidence=["tracking.png"],
    )
    return order


@pytest.fixture
def order_file(tmp_path: Path) -> Path:
    """The disputed order, saved with `dumps`."""
    path = tmp_path / "order.json"
    path.write_text(dumps(_disputed()), encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _fields(out: str) -> dict[str, str]:
    """The rows of a status table, by their label (continuation lines joined)."""
    fields: dict[str, str] = {}
    key = ""
    for line in out.splitlines():
        label, value = line[:17].strip(), line[17:]
        if label:
            key = label
            fields[key] = value
        else:
            fields[key] += " " + value
    return fields


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _z(at: datetime) -> str:
    return _iso(at).replace("+00:00", "Z")


# -- status ---------------------------------------------------------------------------


def test_status_shows_states_deadline_and_next_step(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`status` prints the states, protection end, next deadline with its meaning, and the
    buyer's next step."""
    code, out, err = _run(["status", str(order_file), "--at", _iso(LOOK)], capsys)
    assert (code, err) == (0, "")
    fields = _fields(out)
    assert fields["order"] == "8123"
    assert fields["as of"] == _z(LOOK)
    assert fields["state"] == "in_dispute"
    assert fields["dispute"] == "awaiting_seller"
    assert fields["paid"] == "25.90 USD, refunded 0.00 USD"
    assert fields["protection ends"] == _z(SHIPPED + timedelta(days=ALIEXPRESS.protection_days))
    assert fields["next deadline"] == _z(SELLER_DEADLINE)
    assert fields["then"].startswith("dispute seller_timeout: ")
    assert fields["next step"].startswith("wait_for_seller: The seller has until")
    assert fields["before"] == _z(SELLER_DEADLINE)
    assert "seller_accept" in fields["allowed now"]


def test_status_table_is_aligned(order_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every value of the status table starts in one column, after its label and two spaces."""
    _, out, _ = _run(["status", str(order_file), "--at", _iso(LOOK)], capsys)
    width = len("protection ends") + 2
    for line in out.splitlines():
        assert line[width - 2 : width] == "  ", line
        assert not line[width].isspace(), line


def test_status_applies_the_deadlines_due_by_at(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At an instant after the seller's deadline, the silent seller's refund has happened."""
    at = SELLER_DEADLINE + timedelta(hours=1)
    code, out, _ = _run(["status", str(order_file), "--at", _iso(at), "--json"], capsys)
    status = json.loads(out)
    assert code == 0
    assert (status["state"], status["dispute_state"]) == ("closed", "resolved")
    assert status["refunded"] == {"amount": "25.90", "currency": "USD"}
    assert status["last_event_at"] == _iso(SELLER_DEADLINE)


def test_status_does_not_change_the_file(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Looking at a later instant leaves the stored order as it was."""
    before = order_file.read_bytes()
    _run(["status", str(order_file), "--at", _iso(SELLER_DEADLINE + timedelta(days=30))], capsys)
    assert order_file.read_bytes() == before


def test_status_json_is_one_machine_readable_object(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`status --json` prints ISO 8601 instants with an offset and money as amount and currency."""
    code, out, err = _run(["status", str(order_file), "--at", _iso(LOOK), "--json"], capsys)
    assert (code, err) == (0, "")
    status = json.loads(out)
    assert status["order_id"] == "8123"
    assert status["at"] == _iso(LOOK)
    assert (status["state"], status["dispute_state"]) == ("in_dispute", "awaiting_seller")
    assert status["total"] == {"amount": "25.90", "currency": "USD"}
    assert status["protection_ends"] == _iso(SHIPPED + timedelta(days=ALIEXPRESS.protection_days))
    assert status["next_deadline"] == {
        "at": _iso(SELLER_DEADLINE),
        "subject": "dispute",
        "action": "seller_timeout",
        "meaning": DISPUTE.automatic[DISPUTE.initial].doc,
    }
    assert status["next_step"]["action"] == "wait_for_seller"
    assert status["next_step"]["latest"] == _iso(SELLER_DEADLINE)
    assert datetime.fromisoformat(status["at"]).utcoffset() == timedelta(0)
    assert status["tz"] is None


def test_status_tz_also_shows_local_times(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --tz every instant is shown in UTC and in that zone."""
    _, out, _ = _run(
        ["status", str(order_file), "--at", _iso(LOOK), "--tz", "Asia/Shanghai"], capsys
    )
    local = SELLER_DEADLINE.astimezone(SHANGHAI).isoformat()
    assert _fields(out)["next deadline"] == f"{_z(SELLER_DEADLINE)} (Asia/Shanghai {local})"


def test_status_reads_a_naive_at_in_the_tz_zone(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --at without offset is local time in the --tz zone; JSON keeps instants in UTC."""
    local = LOOK.astimezone(SHANGHAI).replace(tzinfo=None).isoformat()
    argv = ["status", str(order_file), "--at", local, "--tz", "Asia/Shanghai", "--json"]
    code, out, _ = _run(argv, capsys)
    status = json.loads(out)
    assert code == 0
    assert status["at"] == _iso(LOOK)
    assert status["tz"] == "Asia/Shanghai"


def test_status_reads_standard_input(
    order_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FILE `-` reads the order from standard input."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(order_file.read_bytes())))
    code, out, _ = _run(["status", "-", "--at", _iso(LOOK), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["dispute_state"] == "awaiting_seller"


def test_status_at_defaults_to_the_clock_read_once(
    order_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --at, status looks at the instant the CLI's clock gives (here a fixed one)."""
    monkeypatch.setattr(cli, "_now", lambda: LOOK)
    code, out, _ = _run(["status", str(order_file), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["at"] == _iso(LOOK)


def test_status_of_a_closed_order_has_no_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An order cancelled for not shipping shows no next deadline and nothing left to do."""
    path = tmp_path / "order.json"
    path.write_text(dumps(Order("77", Money("9.99", "EUR"), PAID)), encoding="utf-8")
    at = PAID + ALIEXPRESS.processing_time + timedelta(days=1)
    _, out, _ = _run(["status", str(path), "--at", _iso(at)], capsys)
    fields = _fields(out)
    assert fields["state"] == "closed"
    assert fields["next deadline"].startswith("none")
    assert fields["next step"].startswith("nothing: ")
    assert fields["allowed now"] == "nothing"


def test_status_escapes_control_characters_from_the_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line break or terminal escape inside a stored value cannot break or drive the output."""
    path = tmp_path / "order.json"
    order = Order("81\n23\x1b[2J", Money("9.99", "EUR"), PAID)
    path.write_text(dumps(order), encoding="utf-8")
    _, out, _ = _run(["status", str(path), "--at", _iso(PAID)], capsys)
    assert out.splitlines()[0] == "order            81 23\\x1b[2J"
    assert "\x1b" not in out


# -- timeline ------------------------------------------------------------------------


def test_timeline_lists_each_milestone_in_a_table(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`timeline` prints a title, a header, then one row per milestone in time order."""
    code, out, err = _run(["timeline", str(order_file), "--at", _iso(LOOK)], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Order 8123 as of {_z(LOOK)}"
    assert lines[2].split() == ["at", "(UTC)", "status", "milestone", "detail"]
    rows = [line for line in lines[3:] if not line.startswith(" ")]
    milestones = _disputed().timeline(LOOK)
    assert len(rows) == len(milestones)
    for row, milestone in zip(rows, milestones, strict=True):
        assert row.startswith(f"{_z(milestone.at)}  {milestone.status:<7}  {milestone.label}")


def test_timeline_json_matches_the_library(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`timeline --json` gives each milestone's instant, name, label, status and detail."""
    code, out, _ = _run(["timeline", str(order_file), "--at", _iso(LOOK), "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["order_id"] == "8123"
    assert data["milestones"] == [
        {"at": _iso(m.at), "what": m.what, "label": m.label, "status": m.status, "detail": m.detail}
        for m in _disputed().timeline(LOOK)
    ]
    seller = next(m for m in data["milestones"] if m["what"] == "seller_deadline")
    assert (seller["at"], seller["status"]) == (_iso(SELLER_DEADLINE), "due")


def test_timeline_tz_adds_a_local_column(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --tz the timeline has a column of local times in that zone."""
    argv = ["timeline", str(order_file), "--at", _iso(LOOK), "--tz", "Asia/Shanghai"]
    _, out, _ = _run(argv, capsys)
    lines = out.splitlines()
    assert lines[2].startswith("at (UTC)              at (Asia/Shanghai)")
    assert lines[3].startswith(f"{_z(PAID)}  {PAID.astimezone(SHANGHAI).isoformat()}  done")


# -- rules ---------------------------------------------------------------------------


def test_rules_lists_every_policy_field(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules` prints the policy's name and version and a row for each field with its value."""
    code, out, err = _run(["rules"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Policy aliexpress, version {ALIEXPRESS.version}\n")
    rows = {line.split()[0]: line for line in out.splitlines()[3:] if not line.startswith(" ")}
    assert list(rows) == [name for name, *_ in ALIEXPRESS.rules()]
    days = ALIEXPRESS.seller_response_window.days
    assert rows["seller_response_window"].split()[1:4] == [str(days), "days", "high"]
    assert rows["max_extension_days"].split()[1:3] == ["none", "low"]
    assert "source: the seed" in out


def test_rules_json_gives_values_as_storage_writes_them(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules --json` gives each rule, durations as ISO 8601 durations."""
    code, out, _ = _run(["rules", "--policy", "aliexpress", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["policy"], data["version"]) == ("aliexpress", ALIEXPRESS.version)
    rules = {rule["name"]: rule for rule in data["rules"]}
    assert list(rules) == [name for name, *_ in ALIEXPRESS.rules()]
    assert rules["seller_response_window"]["value"] == "P5D"
    assert rules["protection_days"]["value"] == ALIEXPRESS.protection_days
    assert rules["max_extension_days"]["value"] is None
    assert rules["stalled_after"]["confidence"] == "low"


# -- diagram and example -------------------------------------------------------------


def test_diagram_mermaid_draws_both_lifecycles(capsys: pytest.CaptureFixture[str]) -> None:
    """`diagram` prints the Mermaid diagram of the order, then the dispute's, from the tables."""
    code, out, _ = _run(["diagram"], capsys)
    assert code == 0
    assert out == mermaid()
    order, dispute = out.split("\n\n")
    assert order.splitlines()[2:] == ORDER.mermaid().splitlines()[1:]
    assert dispute.splitlines()[2:] == DISPUTE.mermaid().splitlines()[1:]
    assert order.splitlines()[1] == "    %% the order lifecycle"


def test_diagram_dot_has_an_edge_per_transition(capsys: pytest.CaptureFixture[str]) -> None:
    """`diagram --format dot` draws every transition between declared nodes, clocks dashed."""
    code, out, _ = _run(["diagram", "--format", "dot"], capsys)
    assert code == 0
    assert out == dot()
    assert out.startswith("digraph lifecycles {\n")
    assert out.count("{") == out.count("}")
    nodes = set(re.findall(r"^\s+(\w+) \[", out, re.MULTILINE))
    edges = re.findall(r"^\s+(\w+) -> (\w+)(?: \[(.*)\])?;$", out, re.MULTILINE)
    assert all(a in nodes and b in nodes for a, b, _ in edges)
    for lifecycle in (ORDER, DISPUTE):
        for row in lifecycle.table:
            for source in row.sources:
                a, b = f"{lifecycle.name}_{source.value}", f"{lifecycle.name}_{row.dest.value}"
                (attributes,) = [x for s, d, x in edges if (s, d) == (a, b) and row.trigger in x]
                assert ("style=dashed" in attributes) == row.automatic


def test_example_prints_the_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    """`example` prints the seed's walk-through, line for line."""
    lines: list[str] = []
    walkthrough(lines.append)
    code, out, err = _run(["example"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == "\n".join(lines).splitlines()


def test_help_says_at_defaults_to_now(capsys: pytest.CaptureFixture[str]) -> None:
    """`status --help` exits 0 and says that --at defaults to the current time."""
    code, out, _ = _run(["status", "--help"], capsys)
    assert code == 0
    assert "Default: now" in " ".join(out.split())


# -- bad input -----------------------------------------------------------------------


def _bad_document(path: Path) -> None:
    data = json.loads(dumps(_disputed()))
    data["history"][2]["at"] = "2026-03-13T22:00:00"
    path.write_text(json.dumps(data), encoding="utf-8")


def _late(path: Path) -> None:
    data = json.loads(dumps(Order("9", Money("1.00", "USD"), datetime(2026, 3, 1, tzinfo=UTC))))
    data["paid_at"] = data["history"][0]["at"] = "9999-12-25T00:00:00+00:00"
    path.write_text(json.dumps(data), encoding="utf-8")


def _two_problems(path: Path) -> None:
    data = json.loads(dumps(_disputed()))
    data["paid_at"] = 5
    data["colour"] = "red"
    path.write_text(json.dumps(data), encoding="utf-8")


BAD: list[tuple[str, list[str], str]] = [
    ("missing file", ["status", "{missing}"], "{missing}: cannot read it: No such file"),
    ("directory", ["status", "{dir}"], "{dir}: cannot read it: "),
    ("bad JSON", ["status", "{json}"], "{json}: line 1 column 7: Expecting value"),
    ("not UTF-8", ["timeline", "{bytes}"], "{bytes}: not UTF-8 text (byte 0xff at offset 0)"),
    ("empty file", ["status", "{empty}"], "{empty}: empty; expected an order as JSON"),
    (
        "bad document",
        ["status", "{doc}"],
        "{doc}: history[2].at: naive datetime '2026-03-13T22:00:00'",
    ),
    ("several problems", ["status", "{two}"], "{two}: paid_at: expected an ISO 8601 "),
    ("naive --at", ["status", "{order}", "--at", "2026-03-14 10:00"], "--at: '2026-03-14 10:00' "),
    (
        "unknown zone",
        ["status", "{order}", "--tz", "Mars/Olympus"],
        "'Mars/Olympus' is not an IANA",
    ),
    ("unknown policy", ["rules", "--policy", "ebay"], "invalid choice: 'ebay' (choose from 'aliex"),
    ("no year", ["status", "{order}", "--at", "14 March 10:00 +08:00"], "has no year"),
    ("abbreviation", ["status", "{order}", "--at", "2026-03-14 10:00 CST"], "cannot be known"),
    ("before last event", ["status", "{order}", "--at", "2026-03-01T00:00Z"], "is before the"),
    ("unknown format", ["diagram", "--format", "png"], "invalid choice: 'png'"),
    ("--at past 9999", ["status", "{order}", "--at", "9999-12-31T23:00-05:00"], "later than"),
    (
        "paid too late",
        ["timeline", "{late}", "--at", "9999-12-26T00:00Z"],
        "{late}: paid_at: '9999-12-25T00:00:00+00:00' is later than the year",
    ),
    ("no command", [], "the following arguments are required: COMMAND"),
    ("unknown command", ["bogus"], "invalid choice: 'bogus'"),
    ("no file", ["status"], "the following arguments are required: FILE"),
    ("extra argument", ["example", "extra"], "unrecognized arguments: extra"),
]


@pytest.mark.parametrize(("argv", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line(
    argv: list[str],
    expected: str,
    tmp_path: Path,
    order_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each bad usage or input exits 2 with exactly one line on stderr that names the problem."""
    names = {
        "missing": tmp_path / "missing.json",
        "dir": tmp_path,
        "json": tmp_path / "bad.json",
        "bytes": tmp_path / "bytes.json",
        "empty": tmp_path / "empty.json",
        "doc": tmp_path / "doc.json",
        "two": tmp_path / "two.json",
        "late": tmp_path / "late.json",
        "order": order_file,
    }
    names["json"].write_text('{"a": }', encoding="utf-8")
    names["bytes"].write_bytes(b"\xff\xfe{}")
    names["empty"].write_text("\n", encoding="utf-8")
    _bad_document(names["doc"])
    _two_problems(names["two"])
    _late(names["late"])
    given = {key: str(path) for key, path in names.items()}
    code, out, err = _run([arg.format(**given) for arg in argv], capsys)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    assert ": error: " in err
    assert expected.format(**given) in err


def test_several_problems_report_the_first_and_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document with several problems names the first and says how many more there are."""
    path = tmp_path / "two.json"
    _two_problems(path)
    _, _, err = _run(["status", str(path)], capsys)
    assert err.rstrip().endswith("(+1 more)")


def test_deeply_nested_json_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document nested too deeply for the JSON parser is bad input, not a traceback."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = _run(["status", str(path)], capsys)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"buyer-protection: error: {path}: ")


def _leaves(data: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(data, dict):
        return [path, *(p for k, v in data.items() for p in _leaves(v, (*path, k)))]
    if isinstance(data, list):
        return [path, *(p for i, v in enumerate(data) for p in _leaves(v, (*path, i)))]
    return [path]


_DOCUMENT = json.loads(dumps(_disputed()))
_PLACES = [path for path in _leaves(_DOCUMENT) if path]
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=30)
    | st.sampled_from(["2026-03-13T22:00:00", "P5D", "25.90", "USD", "shipped", ""]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=5,
)


@given(place=st.sampled_from(_PLACES), value=_JSON_VALUES | st.just(_DELETE))
def test_any_broken_document_gives_status_or_one_line(
    place: tuple[object, ...], value: object
) -> None:
    """Whatever one value of a stored order is changed to, status succeeds or exits 2 with one
    line naming standard input, never a traceback."""
    document = copy.deepcopy(_DOCUMENT)
    *parents, last = place
    holder = document
    for key in parents:
        holder = holder[key]
    if value is _DELETE:
        del holder[last]
    else:
        holder[last] = value
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(document).encode()))
    saved = sys.stdin
    sys.stdin = stdin
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["status", "-", "--at", _iso(LOOK), "--json"])
    finally:
        sys.stdin = saved
    if code == 0:
        assert json.loads(out.getvalue())["order_id"]
    else:
        assert code == 2
        assert out.getvalue() == ""
        assert len(err.getvalue().splitlines()) == 1
        assert ": error: <stdin>: " in err.getvalue()


# -- parse_at and the table ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-03-14T10:00:00+08:00", None, datetime(2026, 3, 14, 2, 0, tzinfo=UTC)),
        ("2026-03-14T02:00Z", None, datetime(2026, 3, 14, 2, 0, tzinfo=UTC)),
        ("March 14 2026 10:00 +08:00", None, datetime(2026, 3, 14, 2, 0, tzinfo=UTC)),
        ("2026-03-14 10:00 UTC", None, datetime(2026, 3, 14, 10, 0, tzinfo=UTC)),
        ("2026-03-14 10:00", "Asia/Shanghai", datetime(2026, 3, 14, 2, 0, tzinfo=UTC)),
        ("2026-07-01 10:00", "America/Los_Angeles", datetime(2026, 7, 1, 17, 0, tzinfo=UTC)),
    ],
)
def test_parse_at_reads_iso_and_dateutil_forms(
    text: str, zone: str | None, expected: datetime
) -> None:
    """`parse_at` gives the instant in UTC, a time without offset read in the zone given."""
    parsed = parse_at(text, None if zone is None else ZoneInfo(zone))
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "zone", "why"),
    [
        ("2026-03-14 10:00", None, "has no time zone"),
        ("2026-03-14", None, "has no time of day"),
        ("14 March 10:00 +08:00", None, "has no year"),
        ("2026-03-14 10:00 CST", None, "cannot be known for sure"),
        ("2026-03-14 10:00 GMT+8", None, "reads two ways"),
        ("03/04/2026 10:00 +00:00", None, "day-first and as month-first"),
        ("2026-03-08 02:30", "America/New_York", "does not exist in America/New_York"),
        ("2026-11-01 01:30", "America/New_York", "happens twice in America/New_York"),
        ("soon", None, "is not a date and time"),
    ],
)
def test_parse_at_refuses_what_cannot_be_known(text: str, zone: str | None, why: str) -> None:
    """`parse_at` refuses a time it would have to guess, saying why, as `InvalidInput`."""
    with pytest.raises(InvalidInput, match=r"^--at: ") as refused:
        parse_at(text, None if zone is None else ZoneInfo(zone))
    assert why in str(refused.value)


def test_table_wraps_the_last_column_under_itself() -> None:
    """A long last cell wraps at the table width, continuing in its own column."""
    text = table([("key", "word " * 40)])
    lines = text.splitlines()
    assert len(lines) > 1
    assert all(len(line) <= cli.WIDTH for line in lines)
    assert all(line.startswith("     word") for line in lines[1:])


# -- the real entry point (subprocess) ---------------------------------------------------
# These run `python -m buyer_protection` and the `buyer-protection` console script. They
# are skipped until `__main__.py` calls `buyer_protection.cli.main()` and pyproject.toml
# declares the script (both the lead's): the skip reason says which is missing.

_MAIN = Path(buyer_protection.__file__).with_name("__main__.py").read_text("utf-8")
_WIRED = "cli" in _MAIN
_SCRIPT = Path(sys.executable).with_name("buyer-protection")
_ROOT = Path(__file__).resolve().parent.parent


def _shell(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=_ROOT)


@pytest.mark.skipif(not _WIRED, reason="ENTRY POINT: __main__.py does not call cli.main yet")
def test_module_entry_point_answers_status(order_file: Path) -> None:
    """`python -m buyer_protection status FILE --at ... --json` succeeds with the status."""
    done = _shell(sys.executable, "-m", "buyer_protection", "status", str(order_file), "--at",
                  _iso(LOOK), "--json")  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["next_deadline"]["at"] == _iso(SELLER_DEADLINE)


@pytest.mark.skipif(not _WIRED, reason="ENTRY POINT: __main__.py does not call cli.main yet")
def test_module_entry_point_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    """`python -m buyer_protection` exits 2 with one line, naming itself and the file."""
    missing = tmp_path / "missing.json"
    done = _shell(sys.executable, "-m", "buyer_protection", "status", str(missing))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"python -m buyer_protection: error: {missing}: cannot read it: No such file or directory"
    ]


@pytest.mark.skipif(not _WIRED, reason="ENTRY POINT: __main__.py does not call cli.main yet")
def test_module_entry_point_reads_standard_input(order_file: Path) -> None:
    """`python -m buyer_protection timeline -` reads the order piped to it."""
    done = subprocess.run(
        [sys.executable, "-m", "buyer_protection", "timeline", "-", "--at", _iso(LOOK)],
        input=order_file.read_text("utf-8"),
        capture_output=True,
        text=True,
        check=False,
        cwd=_ROOT,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(f"Order 8123 as of {_z(LOOK)}\n")


@pytest.mark.skipif(
    not _SCRIPT.exists(), reason="ENTRY POINT: the buyer-protection script is not installed yet"
)
def test_console_script_answers_status(order_file: Path) -> None:
    """The `buyer-protection` console script runs the same command line."""
    done = _shell(str(_SCRIPT), "status", str(order_file), "--at", _iso(LOOK))
    assert done.returncode == 0
    assert "awaiting_seller" in done.stdout
