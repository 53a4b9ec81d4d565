"""The command line for every preset: the rules of eBay, PayPal and Amazon in words, the
status and timeline of their orders with the facts only their rules have, the diagram of
each one's lifecycle, and the AliExpress import refusing another marketplace's rules."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Anchor,
    Consequence,
    Dispute,
    Money,
    Order,
    Policy,
    Reason,
    cli,
    dumps,
    policies,
)
from buyer_protection.cli import dot, mermaid
from buyer_protection.lifecycle import DISPUTE, ORDER
from test_cli import _run

PRESETS = (EBAY_US, EBAY_UK, PAYPAL, AMAZON_US)
"""The presets of the marketplaces other than AliExpress, each the latest of its name."""

PAID = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
SHIPPED = PAID + timedelta(days=1)
ESTIMATE = PAID + timedelta(days=8)
CONTACTED = ESTIMATE + timedelta(days=1)
TOTAL = Money("40.00", "USD")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _ids(policy: Policy) -> str:
    return policy.name


def _shipped(policy: Policy) -> Order:
    """An order under *policy*, paid and shipped with an estimated delivery; under rules
    that want the seller contacted first (Amazon), the buyer has contacted it."""
    order = Order("A-1", TOTAL, PAID, policy=policy)
    order.ship(SHIPPED, estimated_delivery=ESTIMATE)
    if policy.contact_wait is not None:
        order.contact_seller(CONTACTED)
    return order


def _disputed(policy: Policy) -> tuple[Order, Dispute]:
    """The shipped order, disputed ("not received", the whole total) at the first instant
    its rules allow after the estimated delivery."""
    order = _shipped(policy)
    opens = ESTIMATE + timedelta(days=1)
    for first in (order.earliest_dispute, order.contact_wait_ends):
        opens = max(opens, first or opens)
    dispute = order.open_dispute(opens, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    return order, dispute


def _escalated(policy: Policy) -> tuple[Order, Dispute]:
    """The disputed order, escalated to the platform at the first instant the buyer may
    (eBay: when the seller's window is over; Amazon: after the seller's counter-offer)."""
    order, dispute = _disputed(policy)
    at = dispute.opened_at + timedelta(hours=1)
    if policy.seller_window_ends is Consequence.ALLOW_ESCALATION:
        assert dispute.seller_deadline is not None
        at = dispute.seller_deadline
    if "escalate" not in dispute.allowed():
        dispute.seller_reject(at, counter_offer=Money("0.00", "USD"))
    dispute.escalate(at)
    return order, dispute


def _decided(policy: Policy) -> tuple[Order, Dispute]:
    """The escalated order, decided by the platform a day later: a quarter refunded."""
    order, dispute = _escalated(policy)
    assert dispute.escalated_at is not None
    dispute.platform_decide(dispute.escalated_at + timedelta(days=1), refund=Money("10.00", "USD"))
    return order, dispute


def _decided_at(dispute: Dispute) -> datetime:
    """The instant of the dispute's outcome."""
    assert dispute.outcome is not None
    return dispute.outcome.at


def _saved(order: Order, tmp_path: Path) -> str:
    path = tmp_path / "order.json"
    path.write_text(dumps(order), encoding="utf-8")
    return str(path)


def _rows(out: str) -> dict[str, str]:
    """The rows of a status table by their label, continuation lines joined."""
    rows: dict[str, str] = {}
    key = ""
    for line in out.splitlines():
        if line.startswith("   "):  # deeper than a label ("  then"): the last row goes on
            rows[key] += " " + line.strip()
            continue
        key, value = re.split(r" {2,}", line.strip(), maxsplit=1)
        rows[key] = value
    return rows


def _status(
    order: Order, at: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, str], dict[str, Any]]:
    """`status` of *order* at *at*: its rows, and its ``--json`` object."""
    path = _saved(order, tmp_path)
    code, out, err = _run(["status", path, "--at", _iso(at)], capsys)
    assert (code, err) == (0, "")
    code, as_json, err = _run(["status", path, "--at", _iso(at), "--json"], capsys)
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(as_json)
    return _rows(out), data


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _z(at: datetime | None) -> str:
    assert at is not None
    return _iso(at).replace("+00:00", "Z")


# -- rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_rules_writes_consequences_and_anchors_as_their_words(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules --policy NAME` prints each consequence and anchor as its word, and a clock
    the rules do not have as none."""
    code, out, err = _run(["rules", "--policy", policy.name], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Policy {policy.name}, version {policy.version}\n")
    values = {line.split()[0]: line.split()[1] for line in out.splitlines()[3:] if line[:1] != " "}
    for name, value, *_ in policy.rules():
        if isinstance(value, Anchor | Consequence):
            assert values[name] == value.value
        if value is None:
            assert values[name] == "none"
    assert "Anchor." not in out
    assert "Consequence." not in out


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_rules_takes_each_preset_at_its_version(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules --policy NAME@VERSION` prints that version of the preset, in JSON too."""
    spec = f"{policy.name}@{policy.version}"
    code, out, _ = _run(["rules", "--policy", spec], capsys)
    assert code == 0
    assert out.startswith(f"Policy {policy.name}, version {policy.version}\n")
    code, out, _ = _run(["rules", "--policy", spec, "--json"], capsys)
    assert (json.loads(out)["policy"], json.loads(out)["version"]) == (policy.name, policy.version)


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_rules_json_gives_the_new_fields_as_stored(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules --json` gives consequences and anchors as their words, a missing clock as
    null, and the other durations as ISO 8601 durations or business days."""
    code, out, _ = _run(["rules", "--policy", policy.name, "--json"], capsys)
    values = {rule["name"]: rule["value"] for rule in json.loads(out)["rules"]}
    assert code == 0
    assert values["seller_window_starts"] == policy.seller_window_starts.value
    assert values["seller_window_ends"] == policy.seller_window_ends.value
    assert values["negotiation_window_ends"] == policy.negotiation_window_ends.value
    assert values["filing_window_starts"] == policy.filing_window_starts.value
    assert values["processing_time"] is None
    assert values["extensions"] is False
    assert (values["contact_wait"] is None) == (policy.contact_wait is None)
    assert values["appeal_window"] is not None


def test_rules_list_names_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules --list` lists every preset, those of eBay, PayPal and Amazon included."""
    code, out, _ = _run(["rules", "--list"], capsys)
    listed = [tuple(line.split()[:2]) for line in out.splitlines()[1:]]
    assert code == 0
    assert listed == [(p.name, p.version) for p in policies()]
    assert {(p.name, p.version) for p in PRESETS} <= set(listed)


# -- status -----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, AMAZON_US], ids=_ids)
def test_status_shows_the_estimated_delivery_and_the_filing_window(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status of a disputed order shows the estimated delivery and the end of the
    filing window counted from it, as rows and in --json."""
    order, dispute = _disputed(policy)
    rows, data = _status(order, dispute.opened_at + timedelta(hours=1), tmp_path, capsys)
    assert rows["dispute"] == "awaiting_seller"
    assert rows["estimated delivery"] == _z(ESTIMATE)
    assert isinstance(policy.filing_window, timedelta)
    assert rows["filing ends"] == _z(ESTIMATE + policy.filing_window)
    assert data["estimated_delivery"] == _iso(ESTIMATE)
    assert data["filing_ends"] == _iso(ESTIMATE + policy.filing_window)
    assert data["protection_ends"] == data["filing_ends"]


def test_status_of_an_amazon_order_shows_the_contact_and_its_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status of an Amazon order shows the first contact with the seller and the end of
    the 48 hours to wait after it, as rows and in --json."""
    order = _shipped(AMAZON_US)
    rows, data = _status(order, CONTACTED + timedelta(hours=1), tmp_path, capsys)
    waited = CONTACTED + timedelta(hours=48)
    assert (rows["seller contacted"], rows["contact wait ends"]) == (_z(CONTACTED), _z(waited))
    assert (data["contacted_at"], data["contact_wait_ends"]) == (_iso(CONTACTED), _iso(waited))
    assert "open_dispute" in data["allowed_now"]


def test_status_of_a_paypal_order_shows_the_filing_window_from_payment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status of a PayPal order shows the end of the 180 days from payment to open a
    dispute, also where protection ends."""
    order = _shipped(PAYPAL)
    rows, data = _status(order, SHIPPED + timedelta(days=1), tmp_path, capsys)
    ends = PAID + timedelta(days=180)
    assert rows["filing ends"] == rows["protection ends"] == _z(ends)
    assert data["filing_ends"] == _iso(ends)


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK], ids=_ids)
def test_status_of_ebay_allows_escalation_once_the_sellers_window_is_over(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On eBay the seller's silence only allows escalation: status then lists escalate,
    the dispute still awaits the seller, and the next deadline is the request's closing,
    21 business days after its opening."""
    order, dispute = _disputed(policy)
    assert dispute.seller_deadline is not None
    rows, data = _status(order, dispute.seller_deadline, tmp_path, capsys)
    assert "escalate" in rows["allowed now"].split(", ")
    assert rows["dispute"] == "awaiting_seller"
    assert data["next_deadline"]["action"] == "negotiation_timeout"
    closes = dispute.negotiation_deadline
    assert closes is not None
    assert data["next_deadline"]["at"] == _iso(closes)


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL], ids=_ids)
def test_status_of_a_dispute_not_escalated_in_time_shows_it_expired(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A request (eBay) or an inquiry (PayPal) not escalated in time closes with no
    refund: status shows the outcome, reached by expired, and the order closed."""
    order, dispute = _disputed(policy)
    closes = dispute.negotiation_deadline
    assert closes is not None
    rows, data = _status(order, closes, tmp_path, capsys)
    assert (rows["state"], rows["dispute"]) == ("closed", "resolved")
    assert rows["outcome"] == f"0.00 USD; expired at {_z(closes)}"
    assert "agreement" not in rows
    assert data["outcome"] == {
        "refund": {"amount": "0.00", "currency": "USD"},
        "reached_by": "expired",
        "at": _iso(closes),
    }
    assert data["allowed_now"] == []


@pytest.mark.parametrize("side", ["buyer", "seller"])
def test_status_of_a_paypal_inquiry_shows_when_it_closes(
    side: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PayPal inquiry has no seller's deadline yet: status shows the side's steps and
    that the inquiry closes 20 days after its opening unless escalated."""
    order, dispute = _disputed(PAYPAL)
    path = _saved(order, tmp_path)
    at = _iso(dispute.opened_at + timedelta(hours=1))
    code, out, err = _run(["status", path, "--at", at, "--side", side, "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["next_deadline"]["action"] == "negotiation_timeout"
    assert data["next_deadline"]["at"] == _iso(dispute.opened_at + timedelta(days=20))
    assert "escalate" in data["allowed_now"]


def test_status_of_a_paypal_claim_shows_its_escalation_and_the_sellers_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PayPal inquiry escalated to a claim: status shows when, and that the seller's
    10 days run from then, its silence refunding the claim."""
    order, dispute = _escalated(PAYPAL)
    escalated = dispute.escalated_at
    assert escalated is not None
    rows, data = _status(order, escalated + timedelta(hours=1), tmp_path, capsys)
    assert (rows["dispute"], rows["escalated"]) == ("arbitration", _z(escalated))
    assert data["escalated_at"] == _iso(escalated)
    assert data["next_deadline"]["action"] == "seller_timeout"
    assert data["next_deadline"]["at"] == _iso(escalated + timedelta(days=10))
    refunded, after = _status(order, escalated + timedelta(days=10), tmp_path, capsys)
    assert refunded["state"] == "closed"
    assert after["outcome"]["reached_by"] == "seller_reponse_timeout"


def test_status_of_an_amazon_claim_the_seller_leaves_unanswered_is_refunded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An Amazon claim the seller does not answer within 72 hours is granted: status
    shows the refund and the agreement the silence made."""
    order, dispute = _disputed(AMAZON_US)
    rows, data = _status(order, dispute.opened_at + timedelta(hours=72), tmp_path, capsys)
    assert (rows["state"], rows["dispute"]) == ("closed", "resolved")
    assert rows["paid"] == "40.00 USD, refunded 40.00 USD"
    assert data["agreement"]["reached_by"] == "seller_reponse_timeout"
    assert data["outcome"]["refund"] == {"amount": "40.00", "currency": "USD"}


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_status_of_a_decision_shows_the_time_to_appeal(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the platform decided, status shows until when the decision can be appealed
    (the appeal window from the decision)."""
    order, dispute = _decided(policy)
    decided = _decided_at(dispute)
    assert isinstance(policy.appeal_window, timedelta)
    ends = decided + policy.appeal_window
    rows, data = _status(order, decided + timedelta(hours=1), tmp_path, capsys)
    assert rows["appeal deadline"] == _z(ends)
    assert data["appeal_deadline"] == _iso(ends)
    assert "appeal" in data["allowed_now"]


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_status_of_an_appealed_decision_shows_who_appealed_and_when(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an appeal, status shows the side that appealed and when, the dispute back
    with the platform, and no time to appeal any more."""
    order, dispute = _decided(policy)
    at = _decided_at(dispute) + timedelta(days=1)
    dispute.appeal(at, by="seller")
    rows, data = _status(order, at + timedelta(hours=1), tmp_path, capsys)
    assert (rows["state"], rows["dispute"]) == ("in_dispute", "arbitration")
    assert rows["appealed"] == f"by the seller at {_z(at)}"
    assert (data["appealed_at"], data["appealed_by"]) == (_iso(at), "seller")
    assert "appeal deadline" not in rows
    assert "appeal_deadline" not in data
    assert data["refunded"] == {"amount": "0.00", "currency": "USD"}


def test_status_of_an_aliexpress_order_has_none_of_the_new_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An AliExpress order, which has none of the new facts, shows none of their rows or
    keys: its output stays as it was."""
    order = Order("8123", TOTAL, PAID)
    order.ship(SHIPPED)
    opens = order.earliest_dispute
    assert opens is not None
    dispute = order.open_dispute(opens, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    rows, data = _status(order, dispute.opened_at + timedelta(hours=1), tmp_path, capsys)
    new = {"estimated_delivery", "filing_ends", "contacted_at", "contact_wait_ends"}
    new |= {"escalated_at", "outcome", "appealed_at", "appealed_by", "appeal_deadline"}
    assert not new & set(data)
    words = {"estimated delivery", "filing ends", "seller contacted", "contact wait ends"}
    words |= {"escalated", "outcome", "appealed", "appeal deadline"}
    assert not words & set(rows)


# -- timeline ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_timeline_of_each_preset_lists_its_milestones(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`timeline` of a decided and appealed order prints each milestone the library
    gives, and --json gives the same milestones."""
    order, dispute = _decided(policy)
    at = _decided_at(dispute) + timedelta(days=1)
    dispute.appeal(at, by="buyer")
    path = _saved(order, tmp_path)
    look = at + timedelta(days=1)
    code, out, err = _run(["timeline", path, "--at", _iso(look)], capsys)
    assert (code, err) == (0, "")
    milestones = order.timeline(look)
    table = out.splitlines()[3:]
    assert len(table) == len(milestones)
    for line, milestone in zip(table, milestones, strict=True):
        assert line.startswith(f"{_z(milestone.at)}  {milestone.status:<7}  {milestone.label}")
    code, out, _ = _run(["timeline", path, "--at", _iso(look), "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert [(m["what"], m["status"]) for m in data["milestones"]] == [
        (m.what, m.status) for m in milestones
    ]
    assert {"escalate", "platform_decide", "appeal"} <= {m["what"] for m in data["milestones"]}


@pytest.mark.parametrize("policy", [EBAY_US, EBAY_UK, PAYPAL], ids=_ids)
def test_timeline_of_an_expired_dispute_shows_its_outcome(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`timeline` of a dispute that closed unescalated shows its outcome, expired."""
    order, dispute = _disputed(policy)
    closes = dispute.negotiation_deadline
    assert closes is not None
    code, out, _ = _run(["timeline", _saved(order, tmp_path), "--at", _iso(closes)], capsys)
    assert code == 0
    assert f"{_z(closes)}  done     dispute outcome" in out
    assert "dispute 1: 0.00 USD by expired" in out


# -- diagram ----------------------------------------------------------------------------


def _edges(diagram: str) -> set[str]:
    """The transitions a Mermaid diagram draws (not its start and its ends)."""
    return {line.strip() for line in diagram.splitlines() if " --> " in line and "[*]" not in line}


@pytest.mark.parametrize("policy", [*PRESETS, ALIEXPRESS], ids=_ids)
def test_diagram_for_a_policy_draws_only_the_steps_its_rules_have(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`diagram --policy NAME` draws a subset of every step: with an appeal only where the
    rules have one, the seller's silence refunding a request only where it does (not a
    PayPal inquiry, which has no seller's window), and a request closing where it does."""
    code, out, _ = _run(["diagram", "--policy", policy.name], capsys)
    assert code == 0
    assert out == mermaid(policy=policy)
    drawn = _edges(out)
    assert drawn < _edges(mermaid())
    appeal = "resolved --> arbitration: appeal (buyer) [if appeals]"
    assert (appeal in drawn) == (policy.appeal_window is not None)
    silence = "awaiting_seller --> resolved: seller_timeout (at seller_deadline) [refund only]"
    silence += " [if silence refunds]"
    refunds = policy.seller_window_ends is Consequence.REFUND
    assert (silence in drawn) == (refunds and policy.seller_window_starts is Anchor.REQUEST)
    closes = "awaiting_seller --> resolved: negotiation_timeout (at negotiation_deadline)"
    closes += " [if negotiation closes]"
    assert (closes in drawn) == (policy.negotiation_window_ends is Consequence.CLOSE)


def test_diagram_for_a_policy_leaves_out_the_clocks_it_does_not_have(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A policy without a processing time or a return's windows draws no automatic step
    at those clocks, in Mermaid and in DOT."""
    code, out, _ = _run(["diagram", "--policy", "ebay-uk", "--format", "dot"], capsys)
    assert code == 0
    assert out == dot(policy=EBAY_UK)
    for clock in ("shipping_deadline", "return_ship_deadline", "return_confirm_deadline"):
        assert f"(at {clock})" not in out
        assert f"(at {clock})" not in mermaid(policy=EBAY_UK)
        assert f"(at {clock})" in dot()
    assert "(at return_ship_deadline)" in mermaid(policy=PAYPAL)


def test_diagram_for_paypal_draws_the_claim_that_awaits_the_seller() -> None:
    """PayPal's diagram has the seller's answer to a claim and its silence refunding it,
    which the others do not have."""
    claim = "arbitration --> resolved: seller_timeout (at seller_deadline) [refund only]"
    claim += " [if claim awaits seller]"
    assert claim in _edges(mermaid((DISPUTE,), policy=PAYPAL))
    for other in (EBAY_US, AMAZON_US, ALIEXPRESS):
        assert claim not in _edges(mermaid((DISPUTE,), policy=other))


def test_diagram_for_a_policy_draws_a_clock_only_from_the_states_where_it_runs() -> None:
    """A negotiation counted from the counter-offer (AliExpress) has no clock while the
    dispute awaits the seller, only once it negotiates; one counted from the opening
    (eBay) has one in both."""
    timeout = "negotiation_timeout (at negotiation_deadline)"
    aliexpress, ebay = _edges(mermaid(policy=ALIEXPRESS)), _edges(mermaid(policy=EBAY_US))
    assert [e for e in aliexpress if timeout in e] == [
        f"negotiating --> arbitration: {timeout} [if negotiation escalates]"
    ]
    assert sorted(e for e in ebay if timeout in e) == [
        f"awaiting_seller --> resolved: {timeout} [if negotiation closes]",
        f"negotiating --> resolved: {timeout} [if negotiation closes]",
    ]


def test_diagram_for_a_policy_ends_where_only_an_appeal_leaves() -> None:
    """Drawn for rules with an appeal, a closed order and a resolved dispute still end
    there (the appeal is a way out, not the way on), as under AliExpress's rules."""
    for policy in (EBAY_US, ALIEXPRESS):
        assert "    closed --> [*]" in mermaid((ORDER,), policy=policy).splitlines()
        assert "    resolved --> [*]" in mermaid((DISPUTE,), policy=policy).splitlines()
    assert "    awaiting_seller --> [*]" not in mermaid((DISPUTE,), policy=EBAY_US).splitlines()
    assert "resolved --> arbitration: appeal" in mermaid((DISPUTE,), policy=EBAY_US)


# -- the AliExpress import: AliExpress's rules only ---------------------------------------


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_import_aliexpress_refuses_another_marketplaces_rules(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import-aliexpress --policy NAME` of another marketplace exits 2 with one line
    saying that the import replays AliExpress's rules, and which it takes."""
    issue = str(FIXTURES / "issue_awaiting_seller.json")
    code, out, err = _run(["import-aliexpress", issue, "--policy", policy.name], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(
        f"buyer-protection: error: import-aliexpress: argument --policy: '{policy.name}': "
        f"the rules {policy.name} {policy.version} are not AliExpress's"
    )
    assert "aliexpress@2015, aliexpress@2018, aliexpress@2026-11" in err


@pytest.mark.parametrize("version", ["2015", "2018", "2026-11"])
def test_import_aliexpress_takes_every_aliexpress_version(
    version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every version of AliExpress's rules is accepted by the import."""
    issue = str(FIXTURES / "issue_awaiting_seller.json")
    code, out, _ = _run(["import-aliexpress", issue, "--policy", f"aliexpress@{version}"], capsys)
    assert code == 0
    policy = json.loads(out)["policy"]
    assert (policy["name"], policy["version"]) == ("aliexpress", version)


def test_import_aliexpress_refuses_aliexpress_numbers_with_another_lifecycle(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A custom policy with AliExpress's clocks but another consequence (the seller's
    silence only allowing escalation) is refused; one with other numbers only is not."""
    waits = attrs.evolve(ALIEXPRESS, name="waits", seller_window_ends=Consequence.ALLOW_ESCALATION)
    slower = attrs.evolve(ALIEXPRESS, name="slower", seller_response_window=timedelta(days=7))
    monkeypatch.setitem(cli.POLICIES, "waits", waits)
    monkeypatch.setitem(cli.POLICIES, "slower", slower)
    issue = str(FIXTURES / "issue_awaiting_seller.json")
    code, _, err = _run(["import-aliexpress", issue, "--policy", "waits"], capsys)
    assert code == 2
    assert "the rules waits 2026-11 are not AliExpress's" in err
    code, _, _ = _run(["import-aliexpress", issue, "--policy", "slower"], capsys)
    assert code == 0


@pytest.mark.parametrize("policy", PRESETS, ids=_ids)
def test_sync_aliexpress_refuses_an_order_under_another_marketplaces_rules(
    policy: Policy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sync-aliexpress` of an order under another marketplace's rules exits 2 with one
    line naming the file and the reason, and leaves the file as it was."""
    path = _saved(_disputed(policy)[0], tmp_path)
    before = Path(path).read_bytes()
    issue = str(FIXTURES / "issue_awaiting_seller.json")
    code, out, err = _run(["sync-aliexpress", path, issue], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"buyer-protection: error: {path}: the rules {policy.name} {policy.version} are not "
        "AliExpress's: the AliExpress import replays an AliExpress issue under AliExpress's "
        "lifecycle; sync-aliexpress brings only an order imported from AliExpress up to date\n"
    )
    assert Path(path).read_bytes() == before
