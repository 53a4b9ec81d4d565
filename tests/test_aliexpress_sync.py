"""`aliexpress.sync`: local actions matched or kept, contradictions and other issues refused."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from buyer_protection import (
    DisputeState,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    TrackingEvent,
    TrackingStatus,
    dumps,
    loads,
    to_dict,
)
from buyer_protection.aliexpress import from_issue_detail, parse_time, sync
from schemas import before_6
from test_aliexpress import issue_of, load, log_of

REFUSED = "issue_seller_refused"  # opened, then the seller's counter-offer of 20.00 USD
OFFER_AT = parse_time("2026-04-02 14:30:00")  # when the API says the seller made it
USD = "USD"
PREFIX = "aliexpress:6530117762018002:"
AGREEMENT = "aliexpress:6565006793638006:"


def before_the_offer() -> dict[str, Any]:
    """The snapshot of issue_seller_refused polled before the seller's counter-offer."""
    doc = load(REFUSED)
    issue = issue_of(doc)
    issue["process_dto_list"]["api_issue_process_dto"] = log_of(doc)[1:]
    issue["seller_solution_list"] = {}
    issue["gmt_modified"] = "2026-04-01 09:00:02"
    return doc


def product_of(order_detail: dict[str, Any]) -> dict[str, Any]:
    """The first product line of an order detail response."""
    result = order_detail["aliexpress_solution_order_get_response"]["result"]
    product: dict[str, Any] = result["target_list"]["order_dto"][0]["product_list"][
        "order_product_dto"
    ][0]
    return product


def order_detail_for(order: Order) -> dict[str, Any]:
    """The fixture's order detail, its first product line made the imported order's."""
    detail = load("order_detail")
    product_of(detail)["child_id"] = int(order.order_id)
    return detail


def actions(order: Order) -> list[tuple[str, str | None]]:
    return [(e.action, e.event_id) for e in order.log]


def test_a_local_action_the_api_reports_later_is_matched_not_recorded_twice() -> None:
    """The seller's own counter-offer, reported by the next snapshot minutes later, is one entry:
    the API's, under the event id the order knew it by (so nothing is new)."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(
        OFFER_AT - timedelta(minutes=10), counter_offer=Money("20.00", USD), event_id="erp-7"
    )
    assert sync(order, load(REFUSED)) == ()
    rejects = [e for e in order.log if e.action == "seller_reject"]
    assert len(rejects) == 1
    assert rejects[0].at == OFFER_AT
    assert rejects[0].event_id == "erp-7"
    assert rejects[0].details["meta"]["action_type"] == "seller_create_solution"
    assert order.dispute is not None
    assert order.dispute.state is DisputeState.NEGOTIATING
    newer = load(REFUSED)
    issue_of(newer)["gmt_modified"] = "2026-04-02 18:00:00"
    assert sync(order, newer) == ()  # matched again: still one entry, still erp-7
    assert [e.event_id for e in order.log if e.action == "seller_reject"] == ["erp-7"]


def test_a_local_action_recorded_just_after_the_api_call_is_matched() -> None:
    """The seller's system calls the API, then records its answer a second later than the API's
    own instant: still the same event (match_within counts both ways)."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(
        OFFER_AT + timedelta(seconds=1), counter_offer=Money("20.00", USD), event_id="erp-7"
    )
    assert sync(order, load(REFUSED)) == ()
    assert [(e.at, e.event_id) for e in order.log if e.action == "seller_reject"] == [
        (OFFER_AT, "erp-7")
    ]


def test_a_redelivered_local_action_after_its_match_records_nothing_twice() -> None:
    """A local action matched to the API's entry keeps its event id: delivered again (the
    entry now has the API's instant) it is refused by that id, not recorded twice."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    late = OFFER_AT - timedelta(minutes=10)
    dispute.seller_reject(late, counter_offer=Money("20.00", USD), event_id="erp-7")
    sync(order, load(REFUSED))
    with pytest.raises(InvalidInput, match="'erp-7' was already used by seller_reject"):
        dispute.seller_reject(late, counter_offer=Money("20.00", USD), event_id="erp-7")
    assert [e.action for e in order.log].count("seller_reject") == 1


def test_a_dispute_object_held_before_a_sync_is_the_orders_dispute_after_it() -> None:
    """A caller holding order.dispute from before a sync sees the synced dispute, and acting
    on it acts on the order as it now stands (the counter-offer: accepting it)."""
    order = from_issue_detail(before_the_offer())
    held = order.dispute
    assert held is not None
    sync(order, load(REFUSED))
    assert order.dispute is held
    assert held.state is DisputeState.NEGOTIATING
    assert held.counter_offer == Money("20.00", USD)
    held.buyer_accept(OFFER_AT + timedelta(hours=1))
    assert order.refunded == Money("20.00", USD)
    assert loads(dumps(order)).log == order.log


def test_a_tampered_snapshot_latest_is_invalid_input() -> None:
    """A ship entry's meta whose snapshot_latest is not an aware ISO instant is InvalidInput
    naming it, and the order is unchanged."""
    document = to_dict(from_issue_detail(before_the_offer()))
    ship = next(e for e in document["history"] if e["action"] == "ship")
    ship["details"]["meta"]["snapshot_latest"] = "2026-04-01T09:00:00"
    order = loads(json.dumps(document))
    log = order.log
    with pytest.raises(InvalidInput, match="snapshot_latest '2026-04-01T09:00:00'"):
        sync(order, load(REFUSED))
    assert order.log == log


def test_the_largest_match_within_is_accepted() -> None:
    """match_within=timedelta.max matches without overflowing."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(
        OFFER_AT - timedelta(days=1), counter_offer=Money("20.00", USD), event_id="erp-7"
    )
    assert sync(order, load(REFUSED), match_within=timedelta.max) == ()


def test_an_implied_agreement_keeps_its_id_when_a_later_snapshot_logs_it() -> None:
    """A finished issue whose log lacks the buyer's acceptance (implied by the reached
    solution) and the next snapshot that logs it: the same event id, so sync adds nothing."""
    final = load("issue_agreement")
    earlier = load("issue_agreement")
    log_of(earlier)[:] = [e for e in log_of(earlier) if e["action_type"] == "initiate"] + [
        e for e in log_of(earlier) if e["action_type"] == "seller_create_solution"
    ]
    log_of(earlier).sort(key=lambda e: e["gmt_create"], reverse=True)
    order = from_issue_detail(earlier)
    accepted = [e.event_id for e in order.log if e.action == "buyer_accept"]
    assert accepted == [f"{AGREEMENT}2026-07-16 18:45:00:buyer_accept:buyer"]
    assert [e.action for e in sync(order, final)] == []


def test_an_opening_the_log_does_not_show_has_the_id_of_its_initiate_entry() -> None:
    """An issue polled before its initiate entry is logged opens with the id that entry gets."""
    early = load("issue_awaiting_seller")
    log_of(early).clear()
    opened = [e.event_id for e in from_issue_detail(early).log if e.action == "open_dispute"]
    logged = [
        e.event_id
        for e in from_issue_detail(load("issue_awaiting_seller")).log
        if e.action == "open_dispute"
    ]
    assert opened == logged


@pytest.mark.parametrize(
    ("offer", "minutes", "within"),
    [
        ("19.00", 10, timedelta(hours=1)),  # another amount
        ("20.00", 90, timedelta(hours=1)),  # the API's instant too long after
        ("20.00", 10, timedelta(minutes=5)),  # a narrower match_within
    ],
)
def test_a_local_action_that_does_not_match_the_api_is_refused_as_a_contradiction(
    offer: str, minutes: int, within: timedelta
) -> None:
    """A local counter-offer the API does not report (other amount, or out of match_within) cannot
    be applied after the API's own one: InvalidInput naming it, and the order is unchanged."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_reject(
        OFFER_AT - timedelta(minutes=minutes), counter_offer=Money(offer, USD), event_id="erp-7"
    )
    before = (to_dict(order), order.log)
    with pytest.raises(InvalidInput, match=r"the local action seller_reject .*'erp-7'"):
        sync(order, load(REFUSED), match_within=within)
    assert (to_dict(order), order.log) == before


def test_a_local_action_the_api_contradicts_is_refused_and_changes_nothing() -> None:
    """The order has the seller's acceptance where the API says the seller refused: refused."""
    order = from_issue_detail(before_the_offer())
    dispute = order.dispute
    assert dispute is not None
    dispute.seller_accept(OFFER_AT - timedelta(minutes=30), event_id="erp-8")
    before = (to_dict(order), order.log)
    with pytest.raises(InvalidInput, match=r"the local action seller_accept .*'erp-8'"):
        sync(order, load(REFUSED))
    assert (to_dict(order), order.log) == before
    assert order.dispute is dispute  # the same objects: nothing was swapped in


def test_local_actions_after_the_apis_events_are_applied_again_with_their_event_ids() -> None:
    """A tracking scan and a later local answer are kept through a sync, with their event ids."""
    order = from_issue_detail(before_the_offer())
    scan = TrackingEvent(parse_time("2026-03-28 08:00:00"), TrackingStatus.IN_TRANSIT)
    assert order.add_tracking(scan, event_id="scan-1")
    sync(order, load(REFUSED))
    dispute = order.dispute
    assert dispute is not None
    dispute.buyer_accept(OFFER_AT + timedelta(hours=2), event_id="app-1")
    newer = load(REFUSED)
    issue_of(newer)["gmt_modified"] = "2026-04-02 18:00:00"
    added = sync(order, newer)
    assert ("add_tracking", "scan-1") in actions(order)
    assert ("buyer_accept", "app-1") in actions(order)
    assert order.state is OrderState.CLOSED
    assert order.refunded == Money("20.00", USD)
    assert [e.action for e in added] == []  # the automatic steps were there before too


def test_sync_keeps_the_same_order_object_and_returns_what_is_new() -> None:
    """sync changes the order in place and returns the entries with event ids it did not have."""
    order = from_issue_detail(before_the_offer())
    had = {e.event_id for e in order.log}
    same = order
    added = sync(order, load(REFUSED))
    assert order is same
    assert [e.action for e in added] == ["seller_reject"]
    assert all(e.event_id not in had for e in added)
    assert added[0] in order.log
    dispute = order.dispute
    assert dispute is not None
    assert dispute.order is order


def test_the_same_or_an_older_snapshot_adds_nothing() -> None:
    """Syncing the snapshot again, or an older one, returns () and changes nothing."""
    order = from_issue_detail(before_the_offer())
    sync(order, load(REFUSED))
    log = order.log
    assert sync(order, load(REFUSED)) == ()
    assert sync(order, before_the_offer()) == ()
    assert order.log == log


def test_sync_works_on_an_order_saved_and_loaded() -> None:
    """An imported order saved as JSON and loaded again syncs like the one in memory."""
    kept = from_issue_detail(before_the_offer())
    order = loads(dumps(kept))
    sync(kept, load(REFUSED))
    sync(order, load(REFUSED))
    assert order.log == kept.log
    assert sync(loads(dumps(order)), load(REFUSED)) == ()


@pytest.mark.parametrize("field", ["id", "order_id"])
def test_a_snapshot_of_another_issue_is_refused_even_when_older(field: str) -> None:
    """A snapshot whose result_object.id or order_id is another is InvalidInput naming the field,
    even when it is older than what the order has seen; the order is unchanged."""
    order = from_issue_detail(load(REFUSED))
    other = before_the_offer()
    issue_of(other)[field] += 1
    log = order.log
    with pytest.raises(InvalidInput, match=rf"result_object\.{field}: "):
        sync(order, other)
    assert order.log == log


def test_an_order_not_made_by_the_import_is_refused() -> None:
    """sync of an order the caller built is InvalidInput saying it was not imported."""
    order = Order("3040229918822002", Money("30", USD), OFFER_AT - timedelta(days=30))
    with pytest.raises(InvalidInput, match="was not made by from_issue_detail"):
        sync(order, load(REFUSED))


@pytest.mark.parametrize("within", [timedelta(seconds=-1), 3600, None])
def test_match_within_must_be_a_timedelta_of_zero_or_more(within: object) -> None:
    """A negative or non-timedelta match_within is InvalidInput naming it."""
    order = from_issue_detail(before_the_offer())
    with pytest.raises(InvalidInput, match="match_within"):
        sync(order, load(REFUSED), match_within=within)  # type: ignore[arg-type]


def test_sync_of_something_that_is_not_an_order_is_invalid_input() -> None:
    """sync of a dict instead of an Order is InvalidInput naming order."""
    with pytest.raises(InvalidInput, match="order: expected an Order"):
        sync({}, load(REFUSED))  # type: ignore[arg-type]


UNDATED = Policy()
"""The policy a document written before schema 5 is read with: no effective_from."""


def as_written_by_version_0_1(order: Order) -> Order:
    """*order* saved as a schema-2 document of an import was (no event ids, no
    snapshot_latest; the assumed facts only in the ship entry's meta; the policy whole,
    without effective_from and calendar; none of schema 6's keys) and loaded."""
    document = before_6(to_dict(order))
    document["schema_version"] = 2
    del document["assumed"]
    for policy in (document["policy"], document["history"][0]["details"]["policy"]):
        del policy["effective_from"], policy["calendar"]
    for entry in document["history"]:
        del entry["event_id"]
        listed = entry["details"].pop("assumed", ())
        meta = entry["details"].get("meta", {})
        meta.pop("snapshot_latest", None)
        if entry["action"] == "ship":
            meta["assumed"] = ", ".join([*order.history[0].details.get("assumed", ()), *listed])
    for dispute in document["disputes"]:
        for entry in dispute.get("history", []):
            entry.pop("event_id", None)
    loaded = loads(json.dumps(document))
    assert all(e.event_id is None for e in loaded.log)
    assert loaded.assumed == frozenset()
    return loaded


def test_an_order_imported_before_event_ids_syncs_by_its_meta() -> None:
    """A schema-2 document of an import (no event ids, no snapshot_latest) syncs: its imported
    entries are recognised by their meta's issue_id and rebuilt with event ids."""
    order = as_written_by_version_0_1(from_issue_detail(before_the_offer()))
    sync(order, load(REFUSED))
    assert order.log == from_issue_detail(load(REFUSED), policy=UNDATED).log


def test_an_order_imported_before_version_4_keeps_the_assumptions_its_meta_lists() -> None:
    """An older import with an order detail that lacked the protection days: a sync without
    the order detail keeps its facts and still assumes the protection days."""
    detail = order_detail_for(from_issue_detail(before_the_offer()))
    del product_of(detail)["freight_commit_day"]
    order = as_written_by_version_0_1(from_issue_detail(before_the_offer(), order_detail=detail))
    sync(order, load(REFUSED))
    assert order.assumed == {"protection_days"}
    assert order.log == from_issue_detail(load(REFUSED), order_detail=detail, policy=UNDATED).log


def test_imported_event_ids_are_the_same_in_every_snapshot() -> None:
    """The entries of an older snapshot keep their event ids in the newer one's import."""
    older = from_issue_detail(before_the_offer())
    newer = from_issue_detail(load(REFUSED))
    ids = {e.event_id for e in newer.log}
    assert {e.event_id for e in older.log if e.event_id} <= ids


def test_entries_that_agree_on_every_api_fact_are_numbered_in_order() -> None:
    """Two log entries of one instant, action and side get the ids ...:<facts> and ...:<facts>:2."""
    doc = load("issue_cancelled")
    log = log_of(doc)
    modify = next(e for e in log if e["action_type"] == "buyer_modify_solution")
    log.insert(log.index(modify), copy.deepcopy(modify))
    ids = [e.event_id for e in from_issue_detail(doc).log if e.action == "buyer_modify"]
    assert len(ids) == 2
    assert ids[1] == f"{ids[0]}:2"


def test_a_processing_issue_whose_log_ends_in_the_platforms_decision_is_read_as_decided() -> None:
    """issue_status still 'processing' in the seconds before perform_solution: decided."""
    doc = load("issue_platform_handled")
    issue_of(doc)["issue_status"] = "processing"
    log = log_of(doc)
    log[:] = [e for e in log if e["action_type"] != "perform_solution"]
    order = from_issue_detail(doc)
    final = from_issue_detail(load("issue_platform_handled"))
    assert order.dispute is not None
    assert order.dispute.state is DisputeState.RESOLVED
    assert order.refunded == final.refunded
    assert order.state is final.state


def test_a_sync_with_the_order_detail_removes_what_it_gives_from_assumed() -> None:
    """An order imported without its order detail assumes four facts; a sync that brings the
    order detail replaces them with what it says, and the order no longer assumes them."""
    order = from_issue_detail(before_the_offer())
    assert order.assumed == {"paid_at", "shipped_at", "total", "protection_days"}
    sync(order, load(REFUSED), order_detail=order_detail_for(order))
    direct = from_issue_detail(load(REFUSED), order_detail=order_detail_for(order))
    assert order.assumed == frozenset()
    assert (order.paid_at, order.shipped_at, order.total, order.protection_days) == (
        direct.paid_at,
        direct.shipped_at,
        direct.total,
        direct.protection_days,
    )
    assert order.protection_ends == direct.protection_ends


def test_a_sync_without_the_order_detail_keeps_what_the_import_was_given() -> None:
    """The facts an earlier import took from the order detail stay, and so do its assumptions."""
    detail = order_detail_for(from_issue_detail(before_the_offer()))
    del product_of(detail)["freight_commit_day"]
    order = from_issue_detail(before_the_offer(), order_detail=detail)
    assert order.assumed == {"protection_days"}
    given = (order.paid_at, order.shipped_at, order.total)
    sync(order, load(REFUSED))
    assert order.assumed == {"protection_days"}
    assert (order.paid_at, order.shipped_at, order.total) == given
    assert order.dispute is not None
    assert order.dispute.state is DisputeState.NEGOTIATING


def test_a_processing_issue_whose_log_ends_in_an_agreement_is_read_as_decided() -> None:
    """issue_status 'processing' just after the buyer accepted the seller's offer (before
    perform_solution is logged): the agreement resolves the dispute, as the finished issue."""
    doc = load("issue_agreement")
    issue_of(doc)["issue_status"] = "processing"
    log = log_of(doc)
    log[:] = [e for e in log if e["action_type"] != "perform_solution"]
    order = from_issue_detail(doc)
    final = from_issue_detail(load("issue_agreement"))
    assert order.dispute is not None
    assert order.dispute.state is DisputeState.RESOLVED
    assert order.refunded == final.refunded == Money("12.50", USD)


def test_sync_keeps_the_automatic_steps_the_order_had_reached() -> None:
    """An order advanced locally past the seller's window (the seller timeout fired), then
    synced to a newer snapshot in which the seller still has not answered: the order does not
    go back in time, the timeout stands."""
    order = from_issue_detail(before_the_offer())
    order.advance(OFFER_AT + timedelta(days=5))
    assert [e.action for e in order.log][-2:] == ["seller_timeout", "dispute_resolved"]
    reached = order.last_event_at
    newer = before_the_offer()
    issue_of(newer)["gmt_modified"] = "2026-04-02 12:00:00"
    assert sync(order, newer) == ()
    assert [e.action for e in order.log][-2:] == ["seller_timeout", "dispute_resolved"]
    assert order.last_event_at == reached
    assert order.state is OrderState.CLOSED


def test_sync_drops_a_local_automatic_step_that_the_apis_events_prevent() -> None:
    """An order advanced locally past the seller's window, synced to a snapshot where the
    seller answered in time: the API's answer stands and the local timeout is gone."""
    order = from_issue_detail(before_the_offer())
    order.advance(OFFER_AT + timedelta(days=5))
    sync(order, load(REFUSED))
    assert "seller_timeout" not in [e.action for e in order.log]
    assert order.dispute is not None
    assert order.dispute.state is DisputeState.NEGOTIATING


def test_an_order_saved_before_sync_existed_reports_only_what_is_new() -> None:
    """The saved schema-3 import of issue_seller_refused (entries without event ids), synced
    to a newer snapshot in which the buyer accepts, returns only the acceptance and what it
    brought: its old entries are known by action and instant."""
    saved = Path(__file__).parent / "fixtures" / "documents" / "v3_imported_assumed.json"
    order = loads(saved.read_text("utf-8"))
    newer = load(REFUSED)
    log_of(newer).insert(
        0,
        {
            **log_of(newer)[0],
            "gmt_create": "2026-04-03 10:00:00",
            "action_type": "buyer_accept",
            "submit_member_type": "buyer",
        },
    )
    issue_of(newer)["issue_status"] = "finish"
    added = sync(order, newer)
    assert [e.action for e in added] == ["buyer_accept", "dispute_resolved"]
    assert order.refunded == Money("20.00", USD)
