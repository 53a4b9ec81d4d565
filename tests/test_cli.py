"""The command line: each command's output, and one clear line for every bad input."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import buyer_protection
from buyer_protection import (
    ALIEXPRESS,
    BusinessDays,
    Calendar,
    InvalidInput,
    Money,
    Order,
    Reason,
    cli,
    dumps,
    loads,
    policies,
)
from buyer_protection._cli_render import Clock
from buyer_protection.advice import advise
from buyer_protection.aliexpress import from_issue_detail
from buyer_protection.cli import dot, main, mermaid, parse_at, table
from buyer_protection.lifecycle import DISPUTE, ORDER
from buyer_protection.walkthrough import run as walkthrough
from test_aliexpress_sync import before_the_offer

PAID = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
SHIPPED = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)
OPENED = SHIPPED + ALIEXPRESS.earliest_not_received
SELLER_DEADLINE = OPENED + ALIEXPRESS.seller_response_window
LOOK = OPENED + timedelta(days=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
_DELETE = object()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
_ISSUE = "aliexpress_issue_detail_get_response"


def _fixture(name: str) -> dict[str, Any]:
    """A seller-API fixture, parsed (a fresh copy each time)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text("utf-8"))
    return data


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


def test_status_shows_the_side_asked_for_with_every_step(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--side seller` prints the seller's steps, most urgent first, each with its deadline
    and what happens if nobody acts; the first is the next step, the others "also"."""
    code, out, err = _run(
        ["status", str(order_file), "--at", _iso(LOOK), "--side", "seller"], capsys
    )
    assert (code, err) == (0, "")
    labels = [line[:17].strip() for line in out.splitlines() if line[:17].strip()]
    assert labels[labels.index("side") :] == [
        "side",
        "next step",
        "before",
        "if not",
        "also",
        "before",
        "if not",
        "allowed now",
    ]
    fields = _fields(out)
    assert fields["side"] == "seller"
    assert fields["next step"].startswith("seller_accept: The buyer opened a dispute")
    assert fields["also"].startswith("seller_reject: ")
    assert fields["if not"] == "the buyer is refunded 25.90 USD"


@pytest.mark.parametrize("side", ["buyer", "seller", "platform"])
def test_status_json_lists_the_sides_steps(
    order_file: Path, capsys: pytest.CaptureFixture[str], side: str
) -> None:
    """`status --json --side S` names the side, lists its steps as advise gives them (each
    with its side and if_not), and next_step is the first."""
    argv = ["status", str(order_file), "--at", _iso(LOOK), "--side", side, "--json"]
    _, out, _ = _run(argv, capsys)
    status = json.loads(out)
    expected = advise(_disputed(), LOOK, side=side)
    assert status["side"] == side
    assert [s["action"] for s in status["steps"]] == [s.action for s in expected]
    assert [(s["side"], s["if_not"]) for s in status["steps"]] == [
        (side, s.if_not) for s in expected
    ]
    assert [s["latest"] for s in status["steps"]] == [_iso(SELLER_DEADLINE)] * len(expected)
    assert status["next_step"] == status["steps"][0]


def test_status_shows_the_buyers_steps_by_default(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --side, status shows the buyer's steps, the same as --side buyer."""
    at = ["--at", _iso(LOOK)]
    _, plain, _ = _run(["status", str(order_file), *at], capsys)
    _, buyer, _ = _run(["status", str(order_file), *at, "--side", "buyer"], capsys)
    assert plain == buyer
    assert _fields(plain)["side"] == "buyer"
    assert _fields(plain)["next step"].startswith("wait_for_seller: ")


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
        "meaning": DISPUTE.automatic[DISPUTE.initial][0].doc,
    }
    assert status["next_step"]["action"] == "wait_for_seller"
    assert status["next_step"]["latest"] == _iso(SELLER_DEADLINE)
    assert datetime.fromisoformat(status["at"]).utcoffset() == timedelta(0)
    assert status["tz"] is None


def _returning() -> Order:
    """An order whose 'damaged' dispute agreed on a return, shipped back since."""
    order = Order("8124", Money("25.90", "USD"), PAID)
    order.ship(SHIPPED)
    dispute = order.open_dispute(
        OPENED,
        reason=Reason.DAMAGED,
        refund=order.total,
        remedy="return_and_refund",
        return_postage_by="buyer",
        evidence=["photo.jpg"],
    )
    dispute.seller_accept(OPENED + timedelta(days=1))
    dispute.ship_return(
        OPENED + timedelta(days=2), tracking_number="RR482913576BR", carrier="Correios"
    )
    return order


def test_status_shows_the_agreement_and_the_return(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status shows what was agreed and the return's tracking, as rows and in --json."""
    path = tmp_path / "return.json"
    path.write_text(dumps(_returning()), encoding="utf-8")
    at = _iso(OPENED + timedelta(days=3))
    code, out, _ = _run(["status", str(path), "--at", at], capsys)
    fields = _fields(out)
    assert code == 0
    assert fields["dispute"] == "return_in_transit"
    agreed = _z(OPENED + timedelta(days=1))
    assert fields["agreement"] == (
        f"25.90 USD, return_and_refund (postage paid by the buyer); negotiation_consensus "
        f"at {agreed}"
    )
    assert (
        fields["return"] == f"RR482913576BR with Correios, shipped {_z(OPENED + timedelta(days=2))}"
    )
    code, out, _ = _run(["status", str(path), "--at", at, "--json"], capsys)
    status = json.loads(out)
    assert status["agreement"] == {
        "refund": {"amount": "25.90", "currency": "USD"},
        "remedy": "return_and_refund",
        "reached_by": "negotiation_consensus",
        "at": _iso(OPENED + timedelta(days=1)),
        "return_postage_by": "buyer",
    }
    assert status["return_tracking"] == "RR482913576BR"
    assert status["return_carrier"] == "Correios"
    assert status["return_shipped_at"] == _iso(OPENED + timedelta(days=2))


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
        "argument --tz: 'Mars/Olympus' is not an IANA",
    ),
    ("zone as a path", ["status", "{order}", "--tz", "../../etc/passwd"], "'../../etc/passwd' is"),
    ("zone as a file", ["timeline", "{order}", "--tz", "/etc/passwd"], "'/etc/passwd' is not an"),
    ("POSIX zone", ["status", "{order}", "--tz", "GMT+8"], "'GMT+8' is not an IANA time zone"),
    ("unknown policy", ["rules", "--policy", "ebay"], "'ebay' is not a known policy; known: ali"),
    ("no year", ["status", "{order}", "--at", "14 March 10:00 +08:00"], "has no year"),
    ("abbreviation", ["status", "{order}", "--at", "2026-03-14 10:00 CST"], "cannot be known"),
    ("before last event", ["status", "{order}", "--at", "2026-03-01T00:00Z"], "is before the"),
    (
        "offset out of range",
        ["status", "{order}", "--at", "2026-03-20T10:00:00+25:00"],
        "--at: '2026-03-20T10:00:00+25:00' has a UTC offset out of range; an offset is less",
    ),
    ("unknown format", ["diagram", "--format", "png"], "'png' is not one of mermaid, dot"),
    ("--at past 9999", ["status", "{order}", "--at", "9999-12-31T23:00-05:00"], "later than"),
    (
        "paid too late",
        ["timeline", "{late}", "--at", "9999-12-26T00:00Z"],
        "{late}: paid_at: '9999-12-25T00:00:00+00:00' is later than the year",
    ),
    (
        "issue detail as an order",
        ["status", "{issue}"],
        "{issue}: this is an AliExpress issue detail (an aliexpress.issue.detail.get response), "
        "not an order; import it first: buyer-protection import-aliexpress {issue} -o ORDER.json",
    ),
    (
        "issue detail in a timeline",
        ["timeline", "{issue}"],
        "buyer-protection import-aliexpress {issue} -o ORDER.json",
    ),
    (
        "order detail as an order",
        ["status", "{order_detail}"],
        "{order_detail}: this is an AliExpress order detail (an aliexpress.solution.order.get "
        "response), not an order; import it with its issue: buyer-protection import-aliexpress "
        "ISSUE.json --order-detail {order_detail} -o ORDER.json",
    ),
    (
        "import: an order",
        ["import-aliexpress", "{order}"],
        "{order}: this is an order already (as dumps writes it), not an aliexpress.issue.detail."
        "get response; buyer-protection status reads it",
    ),
    (
        "import: order detail as the issue",
        ["import-aliexpress", "{order_detail}"],
        "{order_detail}: this is an AliExpress order detail (an aliexpress.solution.order.get "
        "response), not the issue; give it as --order-detail",
    ),
    (
        "import: issue as the order detail",
        ["import-aliexpress", "{issue}", "--order-detail", "{issue}"],
        "{issue}: this is an AliExpress issue detail (an aliexpress.issue.detail.get response), "
        "not the order detail; give it as ISSUE",
    ),
    ("import: missing", ["import-aliexpress", "{missing}"], "{missing}: cannot read it: No such"),
    ("import: bad JSON", ["import-aliexpress", "{json}"], "{json}: line 1 column 7: Expecting"),
    ("import: not UTF-8", ["import-aliexpress", "{bytes}"], "{bytes}: not UTF-8 text (byte 0xff"),
    ("import: empty", ["import-aliexpress", "{empty}"], "{empty}: empty; expected the JSON of an"),
    ("import: a list", ["import-aliexpress", "{list}"], "{list}: a JSON list; expected the JSON"),
    (
        "import: bad issue",
        ["import-aliexpress", "{bad_issue}"],
        "{bad_issue}: result_object.issue_status: 'weird' is not one of 'processing', ",
    ),
    (
        "import: bad order detail",
        ["import-aliexpress", "{issue}", "--order-detail", "{bad_order_detail}"],
        "{bad_order_detail}: order_detail.result: ",
    ),
    (
        "import: both from stdin",
        ["import-aliexpress", "-", "--order-detail", "-"],
        "ISSUE and --order-detail cannot both be - (standard input)",
    ),
    (
        "import: cannot write",
        ["import-aliexpress", "{issue}", "-o", "{missing}/order.json"],
        "{missing}/order.json: cannot write it: No such file or directory",
    ),
    ("import: no ISSUE", ["import-aliexpress"], "import-aliexpress: the following arguments are"),
    (
        "rules: unknown version",
        ["rules", "--policy", "aliexpress@2017"],
        "'aliexpress@2017' is not a known policy; known: aliexpress, amazon-us, ebay-uk, ebay-us, "
        "paypal (versions: aliexpress@2015,",
    ),
    ("rules: missing policy file", ["rules", "--policy-file", "{missing}"], "{missing}: cannot"),
    (
        "rules: --list with a policy",
        ["rules", "--list", "--policy", "aliexpress@2018"],
        "rules: --list lists the presets; give it without --policy or --policy-file",
    ),
    (
        "rules: --policy and --policy-file",
        ["rules", "--policy", "aliexpress@2018", "--policy-file", "{bad_toml}"],
        "rules: give --policy or --policy-file, not both",
    ),
    (
        "rules: bad policy file",
        ["rules", "--policy-file", "{bad_toml}"],
        "{bad_toml}: negotiation_window: expected an ISO 8601 duration",
    ),
    (
        "rules: policy file not TOML",
        ["rules", "--policy-file", "{json}"],
        "{json}: line 1",
    ),
    (
        "sync: an order the caller built",
        ["sync-aliexpress", "{order}", "{issue}"],
        "{order}: '8123' was not made by from_issue_detail",
    ),
    (
        "sync: another issue",
        ["sync-aliexpress", "{imported}", "{other_issue}"],
        "{other_issue}: result_object.id: 6530117762018002 is not the issue the order was "
        "imported from (6521903384417001)",
    ),
    (
        "sync: an issue as the order",
        ["sync-aliexpress", "{issue}", "{issue}"],
        "{issue}: this is an AliExpress issue detail",
    ),
    (
        "sync: an order as the issue",
        ["sync-aliexpress", "{imported}", "{imported}"],
        "{imported}: this is an order already (as dumps writes it), not an aliexpress.issue",
    ),
    (
        "sync: both from stdin",
        ["sync-aliexpress", "-", "-"],
        "FILE and ISSUE (or --order-detail) cannot both be - (standard input)",
    ),
    ("sync: no ISSUE", ["sync-aliexpress", "{imported}"], "the following arguments are required"),
    ("import: unknown policy", ["import-aliexpress", "{issue}", "--policy", "x"], "'x' is not a"),
    ("no command", [], "the following arguments are required: COMMAND"),
    ("unknown command", ["bogus"], "invalid choice: 'bogus'"),
    ("no file", ["status"], "status: the following arguments are required: FILE"),
    (
        "unknown side",
        ["status", "{order}", "--side", "carrier"],
        "status: argument --side: 'carrier' is not one of buyer, seller, platform",
    ),
    ("side in capitals", ["status", "{order}", "--side", "Seller"], "'Seller' is not one of"),
    ("side without value", ["status", "{order}", "--side"], "argument --side: expected one"),
    ("extra argument", ["example", "extra"], "unrecognized arguments: extra"),
]


def _write_inputs(tmp_path: Path, order_file: Path) -> dict[str, str]:
    """Every file the bad-input cases name, written into *tmp_path*, by name."""
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
        "issue": FIXTURES / "issue_awaiting_seller.json",
        "order_detail": FIXTURES / "order_detail.json",
        "list": tmp_path / "list.json",
        "bad_issue": tmp_path / "bad_issue.json",
        "bad_order_detail": tmp_path / "bad_order_detail.json",
        "imported": tmp_path / "imported.json",
        "bad_toml": tmp_path / "bad.toml",
        "other_issue": FIXTURES / "issue_seller_refused.json",
    }
    names["bad_toml"].write_text('negotiation_window = "soon"\n', encoding="utf-8")
    names["imported"].write_text(dumps(from_issue_detail(_fixture("issue_awaiting_seller.json"))))
    names["json"].write_text('{"a": }', encoding="utf-8")
    names["bytes"].write_bytes(b"\xff\xfe{}")
    names["empty"].write_text("\n", encoding="utf-8")
    names["list"].write_text("[1, 2]", encoding="utf-8")
    _bad_document(names["doc"])
    _two_problems(names["two"])
    _late(names["late"])
    issue = _fixture("issue_awaiting_seller.json")
    issue[_ISSUE]["result_object"]["issue_status"] = "weird"
    issue[_ISSUE]["result_object"]["gmt_create"] = "yesterday"
    names["bad_issue"].write_text(json.dumps(issue), encoding="utf-8")
    order_detail = _fixture("order_detail.json")
    order_detail["aliexpress_solution_order_get_response"]["result"] = []
    names["bad_order_detail"].write_text(json.dumps(order_detail), encoding="utf-8")
    return {key: str(path) for key, path in names.items()}


@pytest.mark.parametrize(("argv", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line(
    argv: list[str],
    expected: str,
    tmp_path: Path,
    order_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each bad usage or input exits 2 with exactly one line on stderr that starts with the
    program's name and names the problem."""
    given = _write_inputs(tmp_path, order_file)
    code, out, err = _run([arg.format(**given) for arg in argv], capsys)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    assert err.startswith("buyer-protection: error: ")
    assert expected.format(**given) in err


def test_several_problems_report_the_first_and_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document with several problems names the first and says how many there are."""
    path = tmp_path / "two.json"
    _two_problems(path)
    _, _, err = _run(["status", str(path)], capsys)
    assert err.endswith(" (1 of 2 problems; --verbose lists them all)\n")


def _problems_of(path: Path) -> tuple[str, ...]:
    with pytest.raises(InvalidInput) as refused:
        loads(path.read_text("utf-8"))
    return refused.value.problems


@pytest.mark.parametrize(
    "argv",
    [
        ["--verbose", "status", "{file}"],
        ["-v", "timeline", "{file}"],
        ["status", "{file}", "--verbose"],
        ["status", "-v", "{file}", "--json"],
        ["--verbose", "timeline", "{file}", "-v"],
    ],
)
def test_verbose_lists_every_problem_after_the_line(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --verbose, before or after the command, every problem of the document follows the
    one error line, one per line, each with its path."""
    path = tmp_path / "two.json"
    _two_problems(path)
    problems = _problems_of(path)
    assert len(problems) == 2
    code, out, err = _run([arg.format(file=path) for arg in argv], capsys)
    assert (code, out) == (2, "")
    first, *rest = err.splitlines()
    assert (
        first == f"buyer-protection: error: {path}: {problems[0]} (1 of 2 problems; listed below)"
    )
    assert rest == [f"  {problem}" for problem in problems]
    assert {line.split(":")[0].strip() for line in rest} == {"paid_at", "(document)"}


def test_verbose_lists_a_single_problem_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --verbose, a document with one problem gets the line and that problem below it."""
    path = tmp_path / "doc.json"
    _bad_document(path)
    (problem,) = _problems_of(path)
    code, _, err = _run(["status", str(path), "--verbose"], capsys)
    assert code == 2
    assert err.splitlines() == [f"buyer-protection: error: {path}: {problem}", f"  {problem}"]


def test_verbose_adds_nothing_to_an_error_without_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file or a bad --at is one line, --verbose or not."""
    missing = tmp_path / "missing.json"
    _, _, err = _run(["status", str(missing), "--verbose"], capsys)
    assert err.splitlines() == [
        f"buyer-protection: error: {missing}: cannot read it: No such file or directory"
    ]
    _, _, err = _run(["-v", "status", str(missing), "--at", "soon"], capsys)
    assert len(err.splitlines()) == 1


def test_verbose_lists_every_problem_of_an_issue_detail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import-aliexpress --verbose` lists every problem the importer found, with its path."""
    issue = _fixture("issue_awaiting_seller.json")
    issue[_ISSUE]["result_object"]["issue_status"] = "weird"
    issue[_ISSUE]["result_object"]["gmt_create"] = "yesterday"
    path = tmp_path / "issue.json"
    path.write_text(json.dumps(issue), encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        from_issue_detail(issue)
    code, out, err = _run(["import-aliexpress", str(path), "--verbose"], capsys)
    assert (code, out) == (2, "")
    first, *rest = err.splitlines()
    assert first.endswith("(1 of 2 problems; listed below)")
    assert rest == [f"  {problem}" for problem in refused.value.problems]
    assert rest[1].startswith("  result_object.gmt_create: 'yesterday' ")


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


# -- import-aliexpress -----------------------------------------------------------------


def test_import_aliexpress_prints_the_order_document(capsys: pytest.CaptureFixture[str]) -> None:
    """`import-aliexpress ISSUE` prints the imported order's document, as `dumps` writes it."""
    path = FIXTURES / "issue_awaiting_seller.json"
    code, out, err = _run(["import-aliexpress", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out == dumps(from_issue_detail(_fixture(path.name))) + "\n"
    assert loads(out).next_deadline is not None


def test_import_aliexpress_writes_the_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With -o FILE the document goes to FILE and nothing to standard output; -o - is stdout."""
    issue = FIXTURES / "issue_seller_refused.json"
    target = tmp_path / "order.json"
    code, out, err = _run(["import-aliexpress", str(issue), "-o", str(target)], capsys)
    assert (code, out, err) == (0, "", "")
    expected = dumps(from_issue_detail(_fixture(issue.name))) + "\n"
    assert target.read_text("utf-8") == expected
    assert _run(["import-aliexpress", str(issue), "--output", "-"], capsys) == (0, expected, "")


def test_import_aliexpress_uses_the_order_detail(capsys: pytest.CaptureFixture[str]) -> None:
    """--order-detail gives the importer the order's payment, shipment, amount and days."""
    issue, detail = FIXTURES / "issue_awaiting_seller.json", FIXTURES / "order_detail.json"
    argv = ["import-aliexpress", str(issue), "--order-detail", str(detail)]
    code, out, _ = _run(argv, capsys)
    imported = from_issue_detail(_fixture(issue.name), order_detail=_fixture(detail.name))
    assert code == 0
    assert out == dumps(imported) + "\n"
    assert loads(out).paid_at == datetime(2026, 2, 9, 5, 14, 9, tzinfo=UTC)


@pytest.mark.parametrize("which", ["issue", "order_detail"])
def test_import_aliexpress_reads_standard_input(
    which: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` reads ISSUE, or the order detail, from standard input."""
    issue, detail = FIXTURES / "issue_awaiting_seller.json", FIXTURES / "order_detail.json"
    piped = issue if which == "issue" else detail
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(piped.read_bytes())))
    argv = ["import-aliexpress", "-" if which == "issue" else str(issue)]
    argv += ["--order-detail", "-" if which == "order_detail" else str(detail)]
    code, out, _ = _run(argv, capsys)
    imported = from_issue_detail(_fixture(issue.name), order_detail=_fixture(detail.name))
    assert (code, out) == (0, dumps(imported) + "\n")


def test_import_aliexpress_takes_the_policy_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--policy NAME replays the issue under that policy: a seller answering on its sixth day
    is refused under AliExpress's five days and accepted under a seven-day policy."""
    late = _fixture("issue_seller_refused.json")
    log = late[_ISSUE]["result_object"]["process_dto_list"]["api_issue_process_dto"]
    log[0]["gmt_create"] = "2026-04-06 09:00:01"
    path = tmp_path / "late.json"
    path.write_text(json.dumps(late), encoding="utf-8")
    seven = attrs.evolve(ALIEXPRESS, name="seven", seller_response_window=timedelta(days=7))
    monkeypatch.setitem(cli.POLICIES, "seven", seven)
    code, _, err = _run(["import-aliexpress", str(path)], capsys)
    assert code == 2
    assert "after the seller's window closed" in err
    code, out, _ = _run(["import-aliexpress", str(path), "--policy", "seven"], capsys)
    assert code == 0
    assert out == dumps(from_issue_detail(late, policy=seven)) + "\n"


def test_refused_import_leaves_the_output_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An issue that cannot be imported writes nothing: the -o file keeps what it held."""
    target = tmp_path / "order.json"
    target.write_text("kept", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"error_response": {"code": 15}}), encoding="utf-8")
    code, _, err = _run(["import-aliexpress", str(bad), "-o", str(target)], capsys)
    assert code == 2
    assert "error_response: the API answered with an error" in err
    assert target.read_text("utf-8") == "kept"


def test_imported_order_answers_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The document import-aliexpress writes is what status reads: the seller's deadline."""
    target = tmp_path / "order.json"
    issue = FIXTURES / "issue_awaiting_seller.json"
    assert _run(["import-aliexpress", str(issue), "-o", str(target)], capsys)[0] == 0
    code, out, _ = _run(["status", str(target), "--at", "2026-03-06T00:00:00Z"], capsys)
    assert code == 0
    assert _fields(out)["next deadline"] == "2026-03-10T18:00:00Z"
    assert _fields(out)["then"].startswith("dispute seller_timeout: ")


# -- rules: presets and policy files ------------------------------------------------------


def test_rules_list_names_every_preset_with_its_date(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules --list` prints each preset's name, version and first instant; --json too."""
    code, out, err = _run(["rules", "--list"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "name        version  in force from",
        *(
            f"{p.name:<10}  {p.version:<7}  {p.effective_from:%Y-%m-%dT%H:%M:%SZ}"
            for p in policies()
        ),
    ]
    assert "amazon-us   2020-07  2020-07-01T00:00:00Z" in out.splitlines()
    code, out, _ = _run(["rules", "--list", "--json"], capsys)
    assert [(p["name"], p["version"]) for p in json.loads(out)["presets"]] == [
        (p.name, p.version) for p in policies()
    ]


def test_rules_policy_takes_a_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`--policy NAME@VERSION` prints that version; without a version, the latest."""
    code, out, _ = _run(["rules", "--policy", "aliexpress@2015", "--json"], capsys)
    values = {r["name"]: r["value"] for r in json.loads(out)["rules"]}
    assert code == 0
    assert (values["version"], values["negotiation_window"]) == ("2015", "P15D")
    code, out, _ = _run(["rules", "--policy", "aliexpress", "--json"], capsys)
    assert json.loads(out)["version"] == ALIEXPRESS.version


def test_rules_policy_file_prints_the_policy_it_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--policy-file FILE` prints the policy a TOML file holds, business days included."""
    mine = attrs.evolve(
        ALIEXPRESS,
        name="my-shop",
        effective_from=None,
        seller_response_window=BusinessDays(3),
        calendar=Calendar("Europe/London", country="GB"),
    )
    path = tmp_path / "mine.toml"
    path.write_text(mine.to_toml(), encoding="utf-8")
    code, out, err = _run(["rules", "--policy-file", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Policy my-shop, version 2026-11\n")
    row = next(line for line in out.splitlines() if line.startswith("seller_response_window"))
    assert row.split()[1:4] == ["3", "business", "days"]
    assert "Europe/London; Mon-Fri; holidays of GB" in out


# -- sync-aliexpress -------------------------------------------------------------------


def _before_the_offer(tmp_path: Path) -> Path:
    """issue_seller_refused.json as polled before the seller's counter-offer, in a file."""
    path = tmp_path / "early.json"
    path.write_text(json.dumps(before_the_offer()), encoding="utf-8")
    return path


def test_sync_aliexpress_writes_the_synced_order_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sync-aliexpress FILE ISSUE` writes FILE back as `sync` leaves it, printing nothing."""
    target = tmp_path / "order.json"
    assert (
        _run(["import-aliexpress", str(_before_the_offer(tmp_path)), "-o", str(target)], capsys)[0]
        == 0
    )
    issue = FIXTURES / "issue_seller_refused.json"
    assert _run(["sync-aliexpress", str(target), str(issue)], capsys) == (0, "", "")
    expected = loads(dumps(from_issue_detail(_fixture(issue.name))))
    synced = loads(target.read_text("utf-8"))
    assert synced.log == expected.log
    assert synced.dispute is not None
    assert synced.dispute.state.value == "negotiating"


def test_sync_aliexpress_to_another_output_leaves_the_order_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With -o the synced document goes there (-: standard output) and FILE keeps what it held."""
    target = tmp_path / "order.json"
    early = _before_the_offer(tmp_path)
    assert _run(["import-aliexpress", str(early), "-o", str(target)], capsys)[0] == 0
    before = target.read_text("utf-8")
    issue = str(FIXTURES / "issue_seller_refused.json")
    code, out, err = _run(["sync-aliexpress", str(target), issue, "-o", "-"], capsys)
    assert (code, err) == (0, "")
    assert loads(out).dispute is not None
    assert target.read_text("utf-8") == before


def test_refused_sync_leaves_the_order_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A response of another issue exits 2 and the order's file keeps what it held."""
    target = tmp_path / "order.json"
    assert (
        _run(["import-aliexpress", str(_before_the_offer(tmp_path)), "-o", str(target)], capsys)[0]
        == 0
    )
    before = target.read_text("utf-8")
    other = str(FIXTURES / "issue_cancelled.json")
    code, _, err = _run(["sync-aliexpress", str(target), other], capsys)
    assert code == 2
    assert "is not the issue the order was imported from" in err
    assert target.read_text("utf-8") == before


_ISSUE_DOCUMENT = _fixture("issue_seller_refused.json")
_ISSUE_PLACES = [path for path in _leaves(_ISSUE_DOCUMENT) if path]


@given(place=st.sampled_from(_ISSUE_PLACES), value=_JSON_VALUES | st.just(_DELETE))
def test_any_broken_issue_detail_gives_a_document_or_one_line(
    place: tuple[object, ...], value: object
) -> None:
    """Whatever one value of an issue detail is changed to, import-aliexpress prints a document
    that status can read, or exits 2 with one line naming standard input, never a traceback."""
    document = copy.deepcopy(_ISSUE_DOCUMENT)
    *parents, last = place
    holder = document
    for key in parents:
        holder = holder[key]
    if value is _DELETE:
        del holder[last]
    else:
        holder[last] = value
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(json.dumps(document).encode()))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["import-aliexpress", "-"])
    finally:
        sys.stdin = saved
    if code == 0:
        assert loads(out.getvalue()).order_id
    else:
        assert code == 2
        assert out.getvalue() == ""
        assert len(err.getvalue().splitlines()) == 1
        assert err.getvalue().startswith("buyer-protection: error: <stdin>: ")


# -- the version, the clock, --tz everywhere, bounded messages -------------------------


@pytest.mark.parametrize("argv", [["--version"], ["--version", "status"], ["-v", "--version"]])
def test_version_prints_the_program_and_its_version(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--version` prints the program's name and `buyer_protection.__version__`, exit 0."""
    assert _run(argv, capsys) == (0, f"buyer-protection {buyer_protection.__version__}\n", "")


class _FixedClock(datetime):
    """A `datetime` whose `now` is a fixed instant with microseconds."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _FixedClock:
        return cls(2026, 3, 14, 22, 0, 0, 250_000, tzinfo=UTC)


def test_now_is_read_to_the_second_rounded_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default of --at is the clock's instant rounded up to a whole second."""
    monkeypatch.setattr(cli, "datetime", _FixedClock)
    assert cli._now() == datetime(2026, 3, 14, 22, 0, 1, tzinfo=UTC)


def test_as_of_is_printed_without_microseconds(
    order_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --at, "as of" and the timeline's title show whole seconds."""
    monkeypatch.setattr(cli, "datetime", _FixedClock)
    _, out, _ = _run(["status", str(order_file), "--tz", "Asia/Shanghai"], capsys)
    assert _fields(out)["as of"] == (
        "2026-03-14T22:00:01Z (Asia/Shanghai 2026-03-15T06:00:01+08:00)"
    )
    _, out, _ = _run(["timeline", str(order_file)], capsys)
    assert out.startswith("Order 8123 as of 2026-03-14T22:00:01Z\n")


def test_as_of_an_at_with_microseconds_is_printed_to_the_second(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --at with microseconds is used as given and printed as "as of" to the second."""
    at = ["--at", "2026-03-14T22:00:00.123456Z"]
    _, out, _ = _run(["status", str(order_file), *at], capsys)
    assert _fields(out)["as of"] == "2026-03-14T22:00:00Z"
    _, out, _ = _run(["timeline", str(order_file), *at], capsys)
    assert out.startswith("Order 8123 as of 2026-03-14T22:00:00Z\n")


def test_an_event_later_than_now_needs_at(
    order_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order whose last event is later than the clock's now is refused, asking for --at."""
    monkeypatch.setattr(cli, "_now", lambda: PAID)
    code, _, err = _run(["status", str(order_file)], capsys)
    assert code == 2
    assert err == (
        f"buyer-protection: error: the order's last recorded event, at {_z(OPENED)}, is later "
        f"than now ({_z(PAID)}); give the instant to look at with --at\n"
    )


def test_status_tz_applies_to_the_next_step_sentence(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --tz, the instants inside the next step's sentence are shown in the zone too."""
    argv = ["status", str(order_file), "--at", _iso(LOOK), "--tz", "Asia/Shanghai"]
    _, out, _ = _run(argv, capsys)
    local = SELLER_DEADLINE.astimezone(SHANGHAI).isoformat()
    sentence = _fields(out)["next step"]
    assert f"until {_z(SELLER_DEADLINE)} (Asia/Shanghai {local}) to answer" in " ".join(
        sentence.split()
    )
    assert "+00:00" not in out


def test_status_writes_sentence_instants_like_the_table(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --tz, an instant in a sentence is written in UTC with Z, as in the table."""
    _, out, _ = _run(["status", str(order_file), "--at", _iso(LOOK)], capsys)
    assert f"The seller has until {_z(SELLER_DEADLINE)} to answer" in _fields(out)["next step"]
    assert "+00:00" not in out


def test_status_json_keeps_the_library_sentence(
    order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json keeps the next step's sentence as the library wrote it, in UTC, --tz or not."""
    argv = ["status", str(order_file), "--at", _iso(LOOK), "--tz", "Asia/Shanghai", "--json"]
    _, out, _ = _run(argv, capsys)
    (step, *_) = advise(_disputed(), LOOK)
    assert json.loads(out)["next_step"]["why"] == step.why


def test_clock_rewrites_only_the_librarys_utc_instants() -> None:
    """The clock rewrites ISO 8601 instants in UTC; other offsets and dates stay as written."""
    clock = Clock(SHANGHAI)
    text = "at 2026-03-18T22:00:00.500000+00:00, not 2026-03-18T22:00:00+08:00 nor 2026-03-18."
    assert clock.sentence(text) == (
        "at 2026-03-18T22:00:00.500000Z (Asia/Shanghai 2026-03-19T06:00:00.500000+08:00), "
        "not 2026-03-18T22:00:00+08:00 nor 2026-03-18."
    )


_HUGE = ["9" * 5000, "x" * 100_000, "\n" * 1000]


@pytest.mark.parametrize("value", _HUGE, ids=["digits", "letters", "line breaks"])
@pytest.mark.parametrize(
    "argv",
    [
        ["status", "{order}", "--at", "{value}"],
        ["status", "{order}", "--tz", "{value}"],
        ["rules", "--policy", "{value}"],
        ["diagram", "--format", "{value}"],
        ["{value}"],
        ["example", "{value}"],
        ["status", "{value}"],
    ],
)
def test_messages_quote_outside_values_bounded(
    argv: list[str], value: str, order_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A huge value on the command line is quoted cut short: the error stays one short line."""
    code, _, err = _run([a.replace("{order}", str(order_file)).replace("{value}", value)
                         for a in argv], capsys)  # fmt: skip
    assert code == 2
    assert len(err.splitlines()) == 1
    assert len(err) < 1200
    assert err.startswith("buyer-protection: error: ")


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
        ("2026-03-20T10:00:00+25:00", None, "has a UTC offset out of range"),
        ("2026-03-20T10:00:00-24:00", None, "has a UTC offset out of range"),
        ("2026-03-20 10:00 +2500", None, "has a UTC offset out of range"),
        ("2026-03-20T10:00:00Z" + " " * 100, None, "longer than 100 characters"),
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
        f"buyer-protection: error: {missing}: cannot read it: No such file or directory"
    ]


@pytest.mark.skipif(not _WIRED, reason="ENTRY POINT: __main__.py does not call cli.main yet")
def test_module_entry_point_usage_errors_have_the_same_prefix() -> None:
    """Under `python -m`, a usage error starts with the same prefix and points to the help
    by the name typed."""
    done = _shell(sys.executable, "-m", "buyer_protection", "rules", "--policy", "ebay")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "buyer-protection: error: rules: argument --policy: 'ebay' is not a known policy; "
        "known: aliexpress, amazon-us, ebay-uk, ebay-us, paypal (versions: aliexpress@2015, "
        "aliexpress@2018, aliexpress@2026-11, amazon-us@2020-07, ebay-uk@2020-05, "
        "ebay-us@2020-01, paypal@2020-01) (see python -m buyer_protection rules --help)"
    ]


@pytest.mark.skipif(not _WIRED, reason="ENTRY POINT: __main__.py does not call cli.main yet")
def test_module_entry_point_prints_the_version() -> None:
    """`python -m buyer_protection --version` prints the program's name and version."""
    done = _shell(sys.executable, "-m", "buyer_protection", "--version")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"buyer-protection {buyer_protection.__version__}\n"


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
