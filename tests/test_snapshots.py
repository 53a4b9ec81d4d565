"""Tests for the snapshot helper (tests/snapshots.py): an issue as a polling system saw it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from buyer_protection import Dispute, DisputeState
from buyer_protection.aliexpress import from_issue_detail, parse_time
from snapshots import LISTS, RETURN_FIELDS, holds_order, snapshots
from test_aliexpress import ISSUES, issue_of, load, log_of

_AW = DisputeState.AWAITING_SELLER
_NE = DisputeState.NEGOTIATING
_AR = DisputeState.ARBITRATION
_RE = DisputeState.RESOLVED
_BACK = DisputeState.AWAITING_RETURN

CHANGING = frozenset(
    {"status", "reached_time", "reached_type", "buyer_accept_time", "seller_accept_time",
     "gmt_modified"}
)  # fmt: skip
"""A solution's fields that change when it is reached, accepted or modified."""

# fixture -> the imported dispute's state at each snapshot, worked out from its log by hand
STATES = {
    "issue_agreement": [_AW, _NE, _RE, _RE],
    "issue_awaiting_seller": [_AW, _AW],
    "issue_cancelled": [_AW, _AW, _AW, DisputeState.CANCELLED],
    "issue_escalated": [_AW, _NE, _NE, _AR],
    "issue_platform_handled": [_AW, _AW, _AR, _RE, _RE],
    "issue_return_agreed": [_AW, _NE, _BACK],
    "issue_return_refunded": [_AW, _BACK, _RE],
    "issue_return_refused": [_AW, _BACK, _RE, _RE],
    "issue_return_shipped": [_AW, _AW, _BACK, DisputeState.RETURN_IN_TRANSIT],
    "issue_seller_refused": [_AW, _AW, _NE],
    "issue_seller_timeout": [_AW, _RE],
}


def solutions_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every solution the payload lists, buyer's, seller's and platform's."""
    issue = issue_of(doc)
    return [s for key in LISTS if issue[key] for s in issue[key]["solution_api_dto"]]


def newest(doc: dict[str, Any]) -> datetime:
    """The instant of the newest entry of the snapshot's log."""
    return max(parse_time(e["gmt_create"]) for e in log_of(doc))


def dispute_of(snapshot: dict[str, Any], **kwargs: Any) -> Dispute:
    """The dispute of the order a snapshot imports as."""
    dispute = from_issue_detail(snapshot, **kwargs).dispute
    assert dispute is not None
    return dispute


def order_details_for(name: str) -> list[dict[str, Any] | None]:
    """No order detail, and the fixture's order detail when it holds the issue's order."""
    detail = load("order_detail")
    return [None, detail] if holds_order(detail, load(name)) else [None]


def test_every_fixture_has_its_snapshot_states() -> None:
    """Each issue fixture on disk is in the table of states, and nothing else is."""
    assert sorted(STATES) == ISSUES


def test_order_detail_matches_the_awaiting_seller_fixture() -> None:
    """The order-detail fixture holds the order of the awaiting-seller issue (so it is tried)."""
    assert order_details_for("issue_awaiting_seller")[1] is not None


@pytest.mark.parametrize("name", ISSUES)
def test_every_snapshot_imports_with_the_dispute_state_of_its_instant(name: str) -> None:
    """Each snapshot imports, with and without the order detail, in the state worked out."""
    for order_detail in order_details_for(name):
        states = [
            dispute_of(snapshot, order_detail=order_detail).state
            for snapshot in snapshots(load(name))
        ]
        assert states == STATES[name], order_detail is not None


@pytest.mark.parametrize("name", ISSUES)
def test_the_last_snapshot_is_the_response_itself_and_the_input_is_unchanged(name: str) -> None:
    """The last snapshot equals the response given, which the helper does not change."""
    detail = load(name)
    found = snapshots(detail)
    assert detail == load(name)
    assert found[-1] == detail
    found[-1]["changed"] = True
    assert "changed" not in detail


@pytest.mark.parametrize("name", ISSUES)
def test_each_log_is_the_oldest_entries_of_the_final_log_and_they_grow(name: str) -> None:
    """A snapshot's log (newest first) is a tail of the final log, longer in each but the last."""
    found = snapshots(load(name))
    final = log_of(found[-1])
    lengths = [len(log_of(s)) for s in found]
    earlier = lengths[:-1]
    assert earlier == sorted(set(earlier))
    assert lengths[0] >= 1
    assert lengths[-1] == len(final)
    assert lengths[-1] > lengths[-2] or issue_of(found[-1]) != issue_of(found[-2])
    for snapshot in found:
        assert log_of(snapshot) == final[len(final) - len(log_of(snapshot)) :]


@pytest.mark.parametrize("name", ISSUES)
def test_one_snapshot_per_instant_of_the_log_each_modified_then(name: str) -> None:
    """The snapshots' newest entries are the log's distinct instants; each is modified then."""
    found = snapshots(load(name))
    instants = sorted({parse_time(e["gmt_create"]) for e in log_of(found[-1])})
    newest_ones = [newest(s) for s in found]
    later = issue_of(found[-1]).get("gmt_modified", "")
    if later and parse_time(later) > instants[-1]:
        instants.append(instants[-1])  # then the response itself comes after that instant
    assert newest_ones == instants
    for snapshot in found[:-1]:
        assert parse_time(issue_of(snapshot)["gmt_modified"]) == newest(snapshot)
        assert all(parse_time(e["gmt_create"]) <= newest(snapshot) for e in log_of(snapshot))


@pytest.mark.parametrize("name", ISSUES)
def test_earlier_snapshots_are_processing_unless_the_dispute_ended_by_then(name: str) -> None:
    """An earlier snapshot says processing exactly when its import leaves the dispute open,
    or its log ends in the platform's decision (read as decided)."""
    found = snapshots(load(name))
    final_status = issue_of(found[-1])["issue_status"]
    for snapshot in found[:-1]:
        status = issue_of(snapshot)["issue_status"]
        is_open = dispute_of(snapshot).is_open
        decided = log_of(snapshot)[0]["action_type"] == "platform_give_solution"
        assert status == ("processing" if is_open or decided else final_status)


@pytest.mark.parametrize(
    ("name", "k", "status"),
    [
        ("issue_platform_handled", 3, "processing"),  # the platform decided, 3 s before performing
        ("issue_return_refused", 2, "processing"),  # the same after the refused return
        ("issue_agreement", 2, "finish"),  # the buyer accepted, 2 s before performing
    ],
)
def test_the_seconds_before_perform_solution(name: str, k: int, status: str) -> None:
    """A snapshot taken between a refund's decision or agreement and its performing is
    resolved; it says processing after the platform's decision, finish after an agreement."""
    snapshot = snapshots(load(name))[k]
    assert log_of(snapshot)[0]["action_type"] != "perform_solution"
    assert log_of(load(name))[0]["action_type"] == "perform_solution"
    assert issue_of(snapshot)["issue_status"] == status
    assert dispute_of(snapshot).state is DisputeState.RESOLVED


@pytest.mark.parametrize("name", ISSUES)
def test_solutions_are_listed_once_created_and_reached_only_from_their_reached_time(
    name: str,
) -> None:
    """A snapshot lists the solutions created by its instant, none reached or accepted later."""
    found = snapshots(load(name))
    final = {s["id"]: s for s in solutions_of(found[-1])}
    for snapshot in found[:-1]:
        at = newest(snapshot)
        listed = {s["id"]: s for s in solutions_of(snapshot)}
        created = {i for i, s in final.items() if parse_time(s["gmt_create"]) <= at}
        assert set(listed) == created
        for solution in listed.values():
            for key in ("reached_time", "buyer_accept_time", "seller_accept_time", "gmt_modified"):
                if solution.get(key):
                    assert parse_time(solution[key]) <= at, key
            if not solution["reached_time"]:
                assert solution["reached_type"] == ""
                assert solution.get("status") in (None, *LISTS.values())
            same = {k: v for k, v in solution.items() if k not in CHANGING}
            assert same == {k: v for k, v in final[solution["id"]].items() if k not in CHANGING}


def test_a_solution_reached_later_waits_for_the_side_that_accepts_it() -> None:
    """Before its reached time the seller's counter-proposal waits for the buyer."""
    found = snapshots(load("issue_agreement"))
    seller = issue_of(found[1])["seller_solution_list"]["solution_api_dto"][0]
    assert (seller["status"], seller["reached_time"], seller["reached_type"]) == (
        "wait_buyer_accept",
        "",
        "",
    )
    assert seller["buyer_accept_time"] == ""
    assert seller["gmt_modified"] == seller["gmt_create"] == "2026-07-15 09:00:00"
    assert issue_of(found[0])["seller_solution_list"] == {}


def test_a_return_set_aside_later_is_still_reached_before() -> None:
    """A return agreement the refused goods set aside is reached until it was set aside."""
    found = snapshots(load("issue_return_refused"))
    before, decided = found[1], found[2]
    buyer = issue_of(before)["buyer_solution_list"]["solution_api_dto"][0]
    assert (buyer["status"], buyer["reached_time"]) == ("reached", "2026-08-11 09:30:00")
    assert buyer["gmt_modified"] == "2026-08-11 09:30:00"
    assert issue_of(decided)["buyer_solution_list"]["solution_api_dto"][0]["status"] == (
        "reach_cancle"
    )


def test_solutions_set_aside_by_an_escalation_wait_before_it() -> None:
    """Solutions the buyer's escalation set aside (no reached time) wait before it."""
    found = snapshots(load("issue_escalated"))
    statuses = [[s["status"] for s in solutions_of(f)] for f in found]
    assert statuses == [
        ["wait_seller_accept"],
        ["wait_seller_accept", "wait_buyer_accept"],
        ["wait_seller_accept", "wait_buyer_accept"],
        ["reach_cancle", "reach_cancle"],
    ]


@pytest.mark.parametrize(
    ("name", "shown_from"),
    [
        ("issue_return_shipped", 3),  # shipped at gmt_modified, after the log's last entry
        ("issue_return_refunded", 2),  # the same, and the refund paid
        ("issue_return_refused", 2),  # the platform's decision needs the refused return over
    ],
)
def test_return_fields_appear_once_the_return_was_shipped(name: str, shown_from: int) -> None:
    """The return's number and progress appear from the snapshot where it was shipped."""
    found = snapshots(load(name))
    final = issue_of(found[-1])
    for i, snapshot in enumerate(found):
        issue = issue_of(snapshot)
        said = [issue[k] for k in (*RETURN_FIELDS, "reverse_detail_status")]
        if i >= shown_from:
            assert said == [final[k] for k in (*RETURN_FIELDS, "reverse_detail_status")]
        else:
            agreed = dispute_of(snapshot).agreement is not None
            assert said == ["", "", "", "wait_for_buyer_returnid" if agreed else ""]


def test_a_refund_only_issue_says_nothing_of_a_return_before_its_end() -> None:
    """The return progress a refund-only issue reports at its end is not in earlier snapshots."""
    found = snapshots(load("issue_seller_timeout"))
    assert issue_of(found[-1])["reverse_detail_status"] == "refund_success"
    assert issue_of(found[0])["reverse_detail_status"] == ""


def test_changing_a_snapshot_changes_neither_the_input_nor_the_other_snapshots() -> None:
    """The snapshots share no object with the input or with each other."""
    detail = load("issue_cancelled")
    found, fresh = snapshots(detail), snapshots(detail)
    log_of(found[0])[0]["action_type"] = "changed"  # the oldest entry, in every snapshot
    for solution in solutions_of(found[0]):
        solution["status"] = "changed"
    issue_of(found[0])["issue_status"] = "changed"
    assert found[0] != fresh[0]
    assert found[1:] == fresh[1:]
    assert detail == load("issue_cancelled")
