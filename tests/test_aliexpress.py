"""Tests for `buyer_protection.aliexpress`: importing seller-API issues with their deadlines."""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    Actor,
    Agreement,
    DisputeState,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Reason,
    Remedy,
    Resolution,
    dumps,
    loads,
    policies,
)
from buyer_protection.aliexpress import (
    ACTION_TYPES,
    REACHED_TYPES,
    from_issue_detail,
    parse_time,
)

FIXTURES = Path(__file__).parent / "fixtures"
ISSUES = sorted(p.stem for p in FIXTURES.glob("issue_*.json"))
LA = ZoneInfo("America/Los_Angeles")  # the standard library's zone: a check independent of dateutil
LOG = "result_object.process_dto_list.api_issue_process_dto"
FIVE_DAYS = timedelta(days=5)
SHIP_WINDOW = ALIEXPRESS.return_shipping_window
CONFIRM_WINDOW = ALIEXPRESS.return_confirm_window
JUST_BEFORE = timedelta(microseconds=1)


def load(name: str) -> dict[str, Any]:
    """The parsed JSON of a fixture, fresh for each call (tests may change it)."""
    doc: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return doc


def issue_of(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["aliexpress_issue_detail_get_response"]["result_object"]
    return result


def log_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = issue_of(doc)["process_dto_list"]["api_issue_process_dto"]
    return entries


def solutions_of(doc: dict[str, Any], owner: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = issue_of(doc)[f"{owner}_solution_list"]["solution_api_dto"]
    return found


def pacific(*wall: int) -> datetime:
    """A US Pacific wall time, by hand, as the UTC instant it is."""
    return datetime(*wall, tzinfo=LA).astimezone(UTC)  # type: ignore[misc]


def meta(entry: Any) -> dict[str, Any]:
    found: dict[str, Any] = entry.details["meta"]
    return found


# -- every fixture -------------------------------------------------------------------

EXPECTED = {
    # fixture: (order state, dispute state, next deadline (action, at) or None, outcome)
    "issue_awaiting_seller": (
        OrderState.IN_DISPUTE,
        DisputeState.AWAITING_SELLER,
        ("seller_timeout", pacific(2026, 3, 5, 10) + FIVE_DAYS),
        None,
    ),
    "issue_seller_refused": (
        OrderState.IN_DISPUTE,
        DisputeState.NEGOTIATING,
        ("negotiation_timeout", pacific(2026, 4, 2, 14, 30) + FIVE_DAYS),
        None,
    ),
    "issue_escalated": (OrderState.IN_DISPUTE, DisputeState.ARBITRATION, None, None),
    "issue_platform_handled": (
        OrderState.CLOSED,
        DisputeState.RESOLVED,
        None,
        (Money("30.00", "USD"), Resolution.PLATFORM_ARBITRATE, pacific(2026, 6, 2, 10)),
    ),
    "issue_seller_timeout": (
        OrderState.CLOSED,
        DisputeState.RESOLVED,
        None,
        (
            Money("25.40", "USD"),
            Resolution.SELLER_REPONSE_TIMEOUT,
            pacific(2026, 10, 29, 20) + FIVE_DAYS,
        ),
    ),
    "issue_agreement": (
        OrderState.CLOSED,
        DisputeState.RESOLVED,
        None,
        (Money("12.50", "USD"), Resolution.NEGOTIATION_CONSENSUS, pacific(2026, 7, 16, 18, 45)),
    ),
    "issue_cancelled": (
        OrderState.SHIPPED,
        DisputeState.CANCELLED,
        ("complete", pacific(2026, 8, 3, 12) + timedelta(days=ALIEXPRESS.protection_days)),
        None,
    ),
    "issue_return_agreed": (
        OrderState.IN_DISPUTE,
        DisputeState.AWAITING_RETURN,
        ("return_timeout", pacific(2026, 9, 9, 8, 5) + SHIP_WINDOW),
        None,
    ),
    "issue_return_shipped": (
        OrderState.IN_DISPUTE,
        DisputeState.RETURN_IN_TRANSIT,
        ("return_confirm_timeout", pacific(2026, 9, 28, 16, 40) + CONFIRM_WINDOW),
        None,
    ),
    "issue_return_refunded": (
        OrderState.CLOSED,
        DisputeState.RESOLVED,
        None,
        (Money("29.30", "USD"), Resolution.NEGOTIATION_CONSENSUS, pacific(2026, 7, 5, 10, 25)),
    ),
    "issue_return_refused": (
        OrderState.CLOSED,
        DisputeState.RESOLVED,
        None,
        (Money("31.00", "USD"), Resolution.PLATFORM_ARBITRATE, pacific(2026, 9, 2, 15)),
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    """Each issue fixture on disk is checked by the table below, and nothing else is."""
    assert sorted(EXPECTED) == ISSUES


@pytest.mark.parametrize("name", ISSUES)
def test_fixture_imports_with_its_state_deadline_and_outcome(name: str) -> None:
    """Each fixture imports with the states, deadline and outcome worked out by hand."""
    order_state, dispute_state, deadline, outcome = EXPECTED[name]

    order = from_issue_detail(load(name))

    assert order.dispute is not None
    assert (order.state, order.dispute.state) == (order_state, dispute_state)
    due = order.next_deadline
    assert (None if due is None else (due.action, due.at)) == deadline
    got = order.dispute.outcome
    assert (None if got is None else (got.refund, got.reached_by, got.at)) == outcome


@pytest.mark.parametrize("name", ISSUES)
def test_imported_order_replays_and_round_trips(name: str) -> None:
    """An imported order rebuilds from its own log and survives dumps/loads with its deadline."""
    order = from_issue_detail(load(name))

    for twin in (Order.replay(order.log), loads(dumps(order))):
        assert twin.dispute is not None
        assert order.dispute is not None
        assert (twin.state, twin.dispute.state) == (order.state, order.dispute.state)
        assert twin.next_deadline == order.next_deadline
        assert twin.dispute.outcome == order.dispute.outcome


@pytest.mark.parametrize("name", ISSUES)
def test_every_action_keeps_the_api_facts_in_meta(name: str) -> None:
    """Each action replayed from the log keeps the issue id, its entry's path and action_type."""
    doc = load(name)
    order = from_issue_detail(doc)
    assert order.dispute is not None

    acted = [e for e in order.dispute.history if e.actor is not Actor.SYSTEM]
    opening = order.history[-1] if order.state is OrderState.IN_DISPUTE else order.history[2]
    for entry in [opening, *acted]:
        facts = meta(entry)
        assert facts["issue_id"] == issue_of(doc)["id"]
        if "process" in facts:
            index = int(facts["process"].removeprefix(f"{LOG}[").removesuffix("]"))
            assert log_of(doc)[index]["action_type"] == facts["action_type"]
            assert log_of(doc)[index]["gmt_create"] == facts["gmt_create"]


# -- the fixtures one by one ---------------------------------------------------------


def test_awaiting_seller_window_is_elapsed_time_across_the_spring_dst_change() -> None:
    """Opened 10:00 PST on March 5, the seller's window ends 11:00 PDT on March 10: 120 hours."""
    order = from_issue_detail(load("issue_awaiting_seller"))
    dispute = order.dispute
    assert dispute is not None

    assert dispute.opened_at == datetime(2026, 3, 5, 18, tzinfo=UTC)
    assert dispute.deadline == datetime(2026, 3, 10, 18, tzinfo=UTC)
    assert dispute.deadline.astimezone(LA).hour == 11
    assert order.next_deadline is not None
    assert order.next_deadline.subject == "dispute"
    assert dispute.request == Money("66.65", "USD")
    assert dispute.reason is Reason.NOT_RECEIVED
    assert order.order_id == "3034127766512001"


def test_a_repeated_initiate_is_the_same_opening_and_brings_its_evidence() -> None:
    """A second initiate seconds later opens nothing new; its text and attachment join in."""
    order = from_issue_detail(load("issue_awaiting_seller"))
    dispute = order.dispute
    assert dispute is not None

    assert len(order.disputes) == 1
    assert dispute.evidence == ("https://ae01.alicdn.com/kf/issue/S8d1c0e2f.jpg",)
    assert dispute.description == "No tracking update for 20 days"
    opening = order.history[-1]
    assert opening.action == "open_dispute"
    assert f"{LOG}[0]: initiate by buyer" in meta(opening)["also"]


def test_the_opening_keeps_the_local_amount_and_the_issue_ids() -> None:
    """The opening runs in the order's currency and keeps the buyer's BRL amount and the API ids."""
    order = from_issue_detail(load("issue_awaiting_seller"))

    facts = meta(order.history[-1])
    assert facts["local_amount"] == Money("407.47", "BRL")
    assert facts["solution_id"] == 6123900112417001
    assert facts["order_id"] == 3034127766512001
    assert facts["parent_order_id"] == 3034127766502001
    assert facts["issue_reason_id"] == 115
    assert facts["action_type"] == "initiate"
    assert "reverse_detail_status" not in facts


def test_without_order_detail_payment_and_shipment_are_assumed_at_the_opening() -> None:
    """With no order detail, payment and shipment sit at the opening and the order says so."""
    order = from_issue_detail(load("issue_awaiting_seller"))

    assert order.paid_at == order.shipped_at == datetime(2026, 3, 5, 18, tzinfo=UTC)
    assert order.total == Money("66.65", "USD")
    assert order.protection_days == ALIEXPRESS.protection_days
    ship = order.history[1]
    assert ship.action == "ship"
    assert order.assumed == {"shipped_at", "paid_at", "total", "protection_days"}
    assert ship.details["assumed"] == ("protection_days", "shipped_at")
    assert order.history[0].details["assumed"] == ("paid_at", "total")
    assert meta(ship)["total_from"] == "result_object.refund_money_max"


def test_order_detail_gives_payment_shipment_total_and_protection() -> None:
    """The order detail gives pay and ship times, product amount plus freight, commit days."""
    order = from_issue_detail(load("issue_awaiting_seller"), order_detail=load("order_detail"))

    assert order.paid_at == pacific(2026, 2, 8, 21, 14, 9)
    assert order.shipped_at == pacific(2026, 2, 10, 9, 30)
    assert order.total == Money("66.65", "USD")
    assert order.protection_days == 60
    assert order.protection_ends == pacific(2026, 2, 10, 9, 30) + timedelta(days=60)
    assert order.assumed == frozenset()
    assert "assumed" not in order.history[1].details
    assert order.dispute is not None
    assert order.dispute.deadline == pacific(2026, 3, 5, 10) + FIVE_DAYS


def test_import_relaxes_only_the_opening_rules_of_the_policy() -> None:
    """The order's policy is the one given, less the opening checks the marketplace made."""
    policy = attrs.evolve(ALIEXPRESS, seller_response_window=timedelta(days=3))

    order = from_issue_detail(load("issue_awaiting_seller"), policy=policy)

    assert order.policy == attrs.evolve(
        policy,
        earliest_not_received=timedelta(0),
        wait_for_promised_delivery=False,
        evidence_required_when_received=False,
    )
    assert order.dispute is not None
    assert order.dispute.deadline == pacific(2026, 3, 5, 10) + timedelta(days=3)


def test_seller_refusal_is_a_counter_offer_in_the_order_currency() -> None:
    """The seller's solution becomes the counter-offer in USD, keeping its BRL amount in meta."""
    order = from_issue_detail(load("issue_seller_refused"))
    dispute = order.dispute
    assert dispute is not None

    assert dispute.counter_offer == Money("20.00", "USD")
    reject = dispute.history[-1]
    assert reject.action == "seller_reject"
    assert meta(reject)["local_amount"] == Money("110.20", "BRL")
    assert meta(reject)["action_type"] == "seller_create_solution"
    assert meta(reject)["solution_owner"] == "seller"


def test_escalation_leaves_the_dispute_with_the_platform_and_no_deadline() -> None:
    """After buyer_initiate_arbitration the platform has it; the refusal before is noted."""
    order = from_issue_detail(load("issue_escalated"))
    dispute = order.dispute
    assert dispute is not None

    assert [e.action for e in dispute.history] == ["seller_reject", "escalate"]
    assert dispute.counter_offer == Money.zero("USD")
    assert dispute.deadline is None
    assert "buyer_refuse by buyer" in meta(dispute.history[0])["also"]


def test_platform_handled_dispute_has_no_seller_window_and_the_platform_decides() -> None:
    """fpl_authenticate first marks a platform-handled dispute; platform_give_solution decides."""
    order = from_issue_detail(load("issue_platform_handled"))
    dispute = order.dispute
    assert dispute is not None

    assert order.by_platform
    assert dispute.by_platform
    assert dispute.seller_deadline is None
    decision = dispute.history[-1]
    assert decision.action == "platform_decide"
    assert meta(decision)["solution_id"] == -2
    assert meta(decision)["amount_converted"] is True
    assert meta(decision)["local_amount"] == Money("157.80", "BRL")
    assert order.refunded == Money("30.00", "USD")


def test_platform_amount_missing_is_converted_at_another_solutions_rate() -> None:
    """A platform solution with no USD amount is converted at the buyer solution's rate."""
    doc = load("issue_platform_handled")
    solutions_of(doc, "platform")[0]["refund_money"] = "78.90"  # half the buyer's 157.80 BRL

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.dispute.outcome.refund == Money("15.00", "USD")


@pytest.mark.parametrize(
    ("local", "buyer_local", "expected"),
    [
        ("100.00", "157.80", "19.01"),  # 19.0114... USD
        ("60.01", "60.00", "30.00"),  # 30.005 USD: half to even gives 30.00, not 30.01
        ("59.97", "60.00", "29.98"),  # 29.985 USD: half to even gives 29.98, not 29.99
    ],
)
def test_a_converted_amount_is_rounded_half_to_even(
    local: str, buyer_local: str, expected: str
) -> None:
    """A converted platform amount is rounded half to even to the order currency's minor unit."""
    doc = load("issue_platform_handled")
    solutions_of(doc, "platform")[0]["refund_money"] = local
    solutions_of(doc, "buyer")[0]["refund_money"] = buyer_local  # for 30.00 USD

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.dispute.outcome.refund == Money(expected, "USD")
    assert meta(order.dispute.history[-1])["amount_converted"] is True


def test_a_converted_amount_is_independent_of_the_callers_decimal_context() -> None:
    """The conversion gives the same amount whatever precision the caller's context has."""
    doc = load("issue_platform_handled")
    solutions_of(doc, "platform")[0]["refund_money"] = "100.00"

    with decimal.localcontext(prec=3, rounding=decimal.ROUND_UP):
        order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.dispute.outcome.refund == Money("19.01", "USD")


def test_a_converted_amount_of_10_to_the_18_or_more_is_refused_naming_the_solution() -> None:
    """A conversion that comes out too large is refused with the solution's path and its rate."""
    doc = load("issue_platform_handled")
    solutions_of(doc, "platform")[0]["refund_money"] = "999999999999999"
    solutions_of(doc, "buyer")[0].update(refund_money="0.01", refund_money_post="999999999999999")

    error = refusal(doc)

    assert (
        "result_object.platform_solution_list.solution_api_dto[0].refund_money: "
        "999999999999999.00 BRL at the rate of "
        "result_object.buyer_solution_list.solution_api_dto[0] "
        "(0.01 BRL for 999999999999999.00 USD) is too large in USD: "
    ) in str(error)
    assert "too large" in str(error)


def test_seller_timeout_ends_at_the_elapsed_deadline_across_the_autumn_dst_change() -> None:
    """Opened 20:00 PDT October 29, the seller's silence refunds at 19:00 PST November 3."""
    order = from_issue_detail(load("issue_seller_timeout"))
    dispute = order.dispute
    assert dispute is not None
    assert dispute.outcome is not None

    assert dispute.outcome.at == datetime(2026, 11, 4, 3, tzinfo=UTC)
    assert dispute.outcome.at.astimezone(LA).replace(tzinfo=None) == datetime(2026, 11, 3, 19)
    last = dispute.history[-1]
    assert (last.actor, last.action) == (Actor.SYSTEM, "seller_timeout")


def test_agreement_refunds_the_accepted_counter_offer() -> None:
    """The buyer's acceptance settles on the seller's partial refund, by negotiation_consensus."""
    order = from_issue_detail(load("issue_agreement"))
    dispute = order.dispute
    assert dispute is not None

    assert dispute.reason is Reason.NOT_AS_DESCRIBED
    assert len(dispute.evidence) == 2
    assert order.refunded == Money("12.50", "USD")
    assert "perform_solution by system" in meta(dispute.history[-1])["also"]


def test_cancelled_after_a_changed_request_returns_the_order_to_protection() -> None:
    """The buyer's change is the request at cancellation; the order is protected again."""
    order = from_issue_detail(load("issue_cancelled"))
    dispute = order.dispute
    assert dispute is not None

    assert [e.action for e in dispute.history] == ["buyer_modify", "cancel"]
    assert dispute.request == Money("15.00", "USD")
    assert dispute.requested_at == pacific(2026, 8, 4, 8, 15)
    assert order.refunded == Money.zero("USD")


# -- what the log leaves out -----------------------------------------------------------


def test_finished_issue_with_a_short_log_ends_by_the_sellers_timeout() -> None:
    """A finished issue whose log stops while awaiting the seller ended when the window closed."""
    doc = load("issue_awaiting_seller")
    issue_of(doc)["issue_status"] = "finish"

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.dispute.outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
    assert order.dispute.outcome.at == pacific(2026, 3, 5, 10) + FIVE_DAYS


def test_cancelled_issue_without_a_cancel_entry_is_cancelled_at_its_last_entry() -> None:
    """canceled_issue with no cancel in the log is cancelled at the log's last instant."""
    doc = load("issue_seller_refused")
    issue_of(doc)["issue_status"] = "canceled_issue"

    order = from_issue_detail(doc)

    assert order.dispute is not None
    cancel = order.dispute.history[-1]
    assert (cancel.action, cancel.at) == ("cancel", pacific(2026, 4, 2, 14, 30))
    assert meta(cancel)["implied_by"] == "result_object.issue_status"


def test_escalation_before_any_seller_answer_means_the_platform_handles_it() -> None:
    """As in a production response: initiate, escalation seconds later, platform_force_reach."""
    doc = load("issue_platform_handled")
    log = log_of(doc)
    log[1]["action_type"] = "platform_force_reach"
    log[2]["action_type"] = "buyer_initiate_arbitration"
    log[2]["submit_member_type"] = "buyer"

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.by_platform
    assert meta(order.history[1])["by_platform_from"] == f"{LOG}[2].action_type"
    assert order.dispute.outcome.reached_by is Resolution.PLATFORM_ARBITRATE


def test_platform_shipped_order_detail_means_no_seller_window() -> None:
    """WAREHOUSE_SEND_GOODS in the order detail opens the dispute with the platform."""
    detail = load("order_detail")
    order_dto = detail["aliexpress_solution_order_get_response"]["result"]["target_list"]
    order_dto["order_dto"][0]["product_list"]["order_product_dto"][0]["send_goods_operator"] = (
        "WAREHOUSE_SEND_GOODS"
    )

    order = from_issue_detail(load("issue_awaiting_seller"), order_detail=detail)

    assert order.dispute is not None
    assert order.dispute.state is DisputeState.ARBITRATION
    assert order.next_deadline is None


def test_entries_of_one_instant_keep_the_reverse_of_the_api_order() -> None:
    """perform_solution listed before buyer_accept at the same second is replayed after it."""
    doc = load("issue_agreement")
    log_of(doc)[0]["gmt_create"] = log_of(doc)[1]["gmt_create"]

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.state is DisputeState.RESOLVED


@pytest.mark.parametrize(
    ("field", "value"),
    [("reverse_detail_status", "wait_for_drone"), ("submit_member_type", "robot")],
)
def test_words_only_carried_along_are_kept_as_unknown(field: str, value: str) -> None:
    """An unknown reverse_detail_status or submit_member_type imports, kept as 'unknown'."""
    doc = load("issue_awaiting_seller")
    target = issue_of(doc) if field == "reverse_detail_status" else log_of(doc)[1]
    target[field] = value

    order = from_issue_detail(doc)

    assert meta(order.history[-1])[field] == "unknown"


def test_an_unknown_postage_payer_on_a_refund_solution_is_only_carried_along() -> None:
    """logistics_fee_bear_role steers only a return: on a refund solution any word imports."""
    doc = load("issue_awaiting_seller")
    solutions_of(doc, "buyer")[0]["logistics_fee_bear_role"] = "courier"

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.state is DisputeState.AWAITING_SELLER


def test_a_longer_policy_window_accepts_a_late_seller_answer() -> None:
    """A seller answer on day 6 imports under a policy whose seller window is 7 days."""
    doc = load("issue_seller_refused")
    log_of(doc)[0]["gmt_create"] = solutions_of(doc, "seller")[0]["gmt_create"] = (
        "2026-04-07 09:00:00"
    )
    policy = attrs.evolve(ALIEXPRESS, seller_response_window=timedelta(days=7))

    order = from_issue_detail(doc, policy=policy)

    assert order.dispute is not None
    assert order.dispute.state is DisputeState.NEGOTIATING


# -- refusals ------------------------------------------------------------------------


def refusal(doc: object, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        from_issue_detail(doc, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_seller_answer_after_the_window_closed_is_refused_naming_the_entry() -> None:
    """A counter-proposal after the five days names the entry and when the window closed."""
    doc = load("issue_seller_refused")
    log_of(doc)[0]["gmt_create"] = "2026-04-06 09:00:01"

    error = refusal(doc)

    assert str(error).startswith(f"{LOG}[0].action_type: 'seller_create_solution'")
    assert "after the seller's window closed at 2026-04-06 09:00:00 PDT" in str(error)


def test_error_response_names_code_and_msg() -> None:
    """An error_response is refused with the API's code and message."""
    error = refusal({"error_response": {"code": 15, "msg": "Remote service error"}})

    assert "error_response" in str(error)
    assert "code 15" in str(error)
    assert "'Remote service error'" in str(error)


def test_json_text_instead_of_parsed_json_says_to_parse_it() -> None:
    """Passing the JSON text itself is refused with a hint to parse it."""
    error = refusal(json.dumps(load("issue_awaiting_seller")))

    assert "json.loads" in str(error)


def test_a_response_of_another_method_is_refused() -> None:
    """A document without the issue-detail wrapper names the key it expected."""
    error = refusal({"aliexpress_issue_issuelist_get_response": {}})

    assert "aliexpress_issue_detail_get_response" in str(error)


def test_unknown_action_type_names_the_path_the_value_and_the_known_words() -> None:
    """An action_type from a newer API is refused with its path, value and the known words."""
    doc = load("issue_seller_refused")
    log_of(doc)[0]["action_type"] = "seller_send_coupon"

    error = refusal(doc)

    assert str(error).startswith(
        f"{LOG}[0].action_type: 'seller_send_coupon' is not one of 'initiate', 'cancel'"
    )
    assert all(word in str(error) for word in ACTION_TYPES)


Mutation = Callable[[dict[str, Any]], object]


@pytest.mark.parametrize(
    ("mutate", "path", "said"),
    [
        (
            lambda d: issue_of(d).update(issue_status="closed"),
            "result_object.issue_status",
            "'closed' is not one of 'processing', 'canceled_issue', 'finish'",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(reached_type="buyer_timeout"),
            "result_object.buyer_solution_list.solution_api_dto[0].reached_type",
            "'buyer_timeout'",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(refund_money_post="66,65"),
            "result_object.buyer_solution_list.solution_api_dto[0].refund_money_post",
            "'66,65' is not an amount",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(refund_money_post=66.65),
            "result_object.buyer_solution_list.solution_api_dto[0].refund_money_post",
            "66.65 is not an amount",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(refund_money_post="66.655"),
            "result_object.buyer_solution_list.solution_api_dto[0].refund_money_post",
            "more decimals than USD has",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(refund_money_currency="REAIS"),
            "result_object.buyer_solution_list.solution_api_dto[0].refund_money_currency",
            "'REAIS'",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(refund_money_post_currency="EUR"),
            "result_object.buyer_solution_list.solution_api_dto[0].refund_money_post_currency",
            "'EUR' is not the order's currency 'USD'",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(solution_owner="seller"),
            "result_object.buyer_solution_list.solution_api_dto[0].solution_owner",
            "'seller' in buyer_solution_list",
        ),
        (
            lambda d: log_of(d)[1].update(gmt_create="2026/03/05 10:00"),
            f"{LOG}[1].gmt_create",
            "'2026/03/05 10:00' is not a time in the API's format",
        ),
        (
            lambda d: log_of(d)[1].update(gmt_create="2026-03-05T10:00:00-08:00"),
            f"{LOG}[1].gmt_create",
            "is not a time in the API's format",
        ),
        (
            lambda d: log_of(d)[1].update(gmt_create="2026-03-08 02:30:00"),
            f"{LOG}[1].gmt_create",
            "does not exist in US Pacific time",
        ),
        (
            lambda d: log_of(d)[1].update(gmt_create="2026-02-30 10:00:00"),
            f"{LOG}[1].gmt_create",
            "day is out of range",
        ),
        (
            lambda d: log_of(d)[1].update(gmt_create=""),
            f"{LOG}[1].gmt_create",
            "'' is not set",
        ),
        (
            lambda d: issue_of(d).pop("id"),
            "result_object.id",
            "expected a number, got null",
        ),
        (
            lambda d: issue_of(d).update(order_id="3034127766512001"),
            "result_object.order_id",
            "expected a whole number",
        ),
        (
            lambda d: issue_of(d).update(process_dto_list=[]),
            "result_object.process_dto_list",
            "expected an object",
        ),
        (
            lambda d: log_of(d)[0].update(attachments={"api_attachment_dto": [{"owner": "x"}]}),
            f"{LOG}[0].attachments.api_attachment_dto[0].file_path",
            "expected a non-empty string",
        ),
        (
            lambda d: issue_of(d).update(buyer_return_no=1234567890),
            "result_object.buyer_return_no",
            "expected a string, got int 1234567890",
        ),
        (
            lambda d: issue_of(d).update(buyer_return_logistics_company="C" * 201),
            "result_object.buyer_return_logistics_company",
            "201 characters is too long; at most 200",
        ),
        (
            lambda d: issue_of(d).update(buyer_return_logistics_lp_no="LP\ud800"),
            "result_object.buyer_return_logistics_lp_no",
            "lone surrogate",
        ),
        (
            lambda d: issue_of(d).update(gmt_modified="2026-03-05T10:00:00"),
            "result_object.gmt_modified",
            "is not a time in the API's format",
        ),
        (
            lambda d: solutions_of(d, "buyer")[0].update(
                solution_type="return_and_refund", logistics_fee_bear_role="courier"
            ),
            "result_object.buyer_solution_list.solution_api_dto[0].logistics_fee_bear_role",
            "'courier' is not one of 'seller', 'buyer', 'platform'",
        ),
    ],
)
def test_bad_payload_is_refused_naming_the_path_and_value(
    mutate: Mutation, path: str, said: str
) -> None:
    """A field that does not parse is refused with InvalidInput naming its path and value."""
    doc = load("issue_awaiting_seller")
    mutate(doc)

    error = refusal(doc)

    assert str(error).startswith(f"{path}: ")
    assert said in str(error)


AMOUNT_FIELDS: list[tuple[str, Mutation, str]] = [
    (
        "refund_money_post",
        lambda d: solutions_of(d, "buyer")[0].update(refund_money_post="66.655"),
        "result_object.buyer_solution_list.solution_api_dto[0].refund_money_post",
    ),
    (
        "refund_money",
        lambda d: solutions_of(d, "buyer")[0].update(refund_money="407.475"),
        "result_object.buyer_solution_list.solution_api_dto[0].refund_money",
    ),
    (
        "refund_money_max",
        lambda d: issue_of(d).update(refund_money_max="66.651"),
        "result_object.refund_money_max",
    ),
    (
        "refund_money_max in JPY",
        lambda d: issue_of(d).update(refund_money_max="25.9", refund_money_max_currency="JPY"),
        "result_object.refund_money_max",
    ),
    (
        "product_price",
        lambda d: issue_of(d).update(product_price="0.005"),
        "result_object.product_price",
    ),
]


@pytest.mark.parametrize(
    ("field", "mutate", "path"), AMOUNT_FIELDS, ids=[f[0] for f in AMOUNT_FIELDS]
)
def test_a_payload_amount_that_needs_rounding_is_refused_with_its_path(
    field: str, mutate: Mutation, path: str
) -> None:
    """An amount the API gives with more decimals than its currency has is refused, not rounded."""
    doc = load("issue_awaiting_seller")
    mutate(doc)

    error = refusal(doc)

    assert any(p.startswith(f"{path}: ") and "more decimals than" in p for p in error.problems)


@pytest.mark.parametrize("field", ["total_product_amount", "logistics_amount"])
def test_an_order_detail_amount_that_needs_rounding_is_refused_with_its_path(field: str) -> None:
    """An order-detail amount with more decimals than its currency has is refused, not rounded."""
    detail = load("order_detail")
    orders = detail["aliexpress_solution_order_get_response"]["result"]["target_list"]
    product = orders["order_dto"][0]["product_list"]["order_product_dto"][0]
    product[field]["amount"] = "4.505"

    error = refusal(load("issue_awaiting_seller"), order_detail=detail)

    assert str(error).startswith(
        f"order_detail.result.target_list.order_dto[0].product_list.order_product_dto[0]."
        f"{field}.amount: '4.505' has more decimals than USD has"
    )


def test_a_payload_amount_with_trailing_zeros_is_exact() -> None:
    """An amount written with zeros past the minor unit ('66.650000') is the same amount."""
    doc = load("issue_awaiting_seller")
    solutions_of(doc, "buyer")[0]["refund_money_post"] = "66.650000"

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.request == Money("66.65", "USD")


@pytest.mark.parametrize("key", ["id", "order_id", "parent_order_id", "issue_reason_id"])
@pytest.mark.parametrize(
    "value", [2**63, -(2**63) - 1, 10**5000], ids=["2**63", "-(2**63)-1", "10**5000"]
)
def test_an_id_beyond_64_bits_is_refused_with_its_path(key: str, value: int) -> None:
    """An id that no signed 64-bit integer holds is refused naming its path, digits bounded."""
    doc = load("issue_awaiting_seller")
    issue_of(doc)[key] = value

    error = refusal(doc)

    assert str(error).startswith(f"result_object.{key}: expected a whole number (an id, a ")
    assert len(str(error)) < 300


def test_ids_within_64_bits_are_kept() -> None:
    """The largest and smallest signed 64-bit ids are read and kept in the meta."""
    doc = load("issue_awaiting_seller")
    issue_of(doc).update(id=2**63 - 1, parent_order_id=-(2**63))

    order = from_issue_detail(doc)

    assert meta(order.history[-1])["issue_id"] == 2**63 - 1
    assert meta(order.history[-1])["parent_order_id"] == -(2**63)
    assert dumps(loads(dumps(order))) == dumps(order)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: log_of(d)[0].update(action_type="x" * 1_000_000),
        lambda d: log_of(d)[0].update(gmt_create="9" * 1_000_000),
        lambda d: issue_of(d).update(issue_status=10**5000),
        lambda d: issue_of(d).update(refund_money_max="9" * 1_000_000),
        lambda d: issue_of(d).update(refund_money_max_currency="U" * 1_000_000),
        lambda d: solutions_of(d, "buyer")[0].update(refund_money_post_currency=10**5000),
        lambda d: d.update(error_response={"code": 10**5000, "msg": "x" * 1_000_000}),
        lambda d: d.update(error_response=["x" * 1_000_000]),
    ],
)
def test_huge_values_are_refused_with_a_message_of_bounded_size(mutate: Mutation) -> None:
    """A value of a megabyte or of thousands of digits is refused, quoted cut short."""
    doc = load("issue_awaiting_seller")
    mutate(doc)

    error = refusal(doc)

    assert len(str(error)) < 2_000


def test_a_document_of_another_method_with_many_keys_lists_only_the_first() -> None:
    """Refusing a document without the wrapper lists its first keys, however many and large."""
    doc: dict[object, object] = dict.fromkeys(range(100_000))
    doc[10**5000] = None

    error = refusal(doc)

    assert "got the keys [0, 1, 2," in str(error)
    assert "(99991 more)" in str(error)
    assert len(str(error)) < 500


def test_a_payload_with_many_problems_lists_the_first_ten_and_keeps_them_all() -> None:
    """A message lists the first ten problems and how many more; error.problems has every one."""
    doc = load("issue_awaiting_seller")
    log = log_of(doc)
    log.extend([{"gmt_create": "x" * 1_000, "action_type": "initiate"}] * 50)

    error = refusal(doc)

    assert len(error.problems) == 50
    assert str(error).startswith("50 problems in the issue detail: ")
    assert str(error).endswith("; and 40 more (all in .problems)")
    assert len(str(error)) < 3_000


def test_reached_type_keeps_the_apis_spelling_of_the_sellers_timeout() -> None:
    """The API's 'seller_reponse_timeout' (sic) is read, and the outcome keeps that value."""
    assert REACHED_TYPES["seller_reponse_timeout"] is Resolution.SELLER_REPONSE_TIMEOUT
    assert "seller_response_timeout" not in REACHED_TYPES

    order = from_issue_detail(load("issue_seller_timeout"))

    assert order.dispute is not None
    assert order.dispute.outcome is not None
    assert order.dispute.outcome.reached_by.value == "seller_reponse_timeout"


def test_every_problem_is_reported_at_once() -> None:
    """Two bad fields give one InvalidInput listing both, each with its path."""
    doc = load("issue_awaiting_seller")
    issue_of(doc)["issue_status"] = "closed"
    log_of(doc)[0]["action_type"] = "foo"

    error = refusal(doc)

    assert [p.split(":")[0] for p in error.problems] == [
        "result_object.issue_status",
        f"{LOG}[0].action_type",
    ]
    assert str(error).startswith("2 problems in the issue detail")


@pytest.mark.parametrize(
    ("name", "mutate", "said"),
    [
        (
            "issue_cancelled",
            lambda d: issue_of(d).update(issue_status="processing"),
            "result_object.issue_status: 'processing', but the log ends the dispute",
        ),
        (
            "issue_escalated",
            lambda d: (
                issue_of(d).update(issue_status="canceled_issue")
                or log_of(d).insert(0, {**log_of(d)[0], "action_type": "perform_solution"})
            ),
            f"{LOG}[0].action_type: 'perform_solution' at '2026-05-12 09:15:00' while the "
            "dispute is arbitration",
        ),
        (
            "issue_seller_timeout",
            lambda d: solutions_of(d, "buyer")[0].update(reached_type="negotiation_consensus"),
            "reached_type: 'negotiation_consensus', but under the policy the log ends by "
            "seller_reponse_timeout",
        ),
        (
            "issue_agreement",
            lambda d: log_of(d).insert(0, {**log_of(d)[3], "gmt_create": "2026-07-20 10:00:00"}),
            f"{LOG}[0].action_type: 'initiate' at '2026-07-20 10:00:00' while the dispute is "
            "resolved",
        ),
        (
            "issue_seller_refused",
            lambda d: solutions_of(d, "seller")[0].update(
                refund_money_post="45.00", solution_type="return_and_refund"
            ),
            "(the amount of result_object.seller_solution_list.solution_api_dto[0]): "
            "remedy: a return needs an item the buyer has, and a 'not_received' dispute",
        ),
        (
            "issue_seller_refused",
            lambda d: solutions_of(d, "seller")[0].update(refund_money_post="45.00"),
            "counter_offer: 45.00 USD is not less than the buyer's request 45.00 USD, and its "
            "remedy is the request's ('refund')",
        ),
    ],
)
def test_a_log_that_contradicts_itself_is_refused(name: str, mutate: Mutation, said: str) -> None:
    """A log at odds with issue_status, the solutions or the lifecycle is refused, saying where."""
    doc = load(name)
    mutate(doc)

    assert said in str(refusal(doc))


def test_seller_timeout_reached_before_the_policy_window_is_refused() -> None:
    """A reached_time before the policy's window ends names the field and the window."""
    doc = load("issue_seller_timeout")
    log_of(doc).pop(0)  # no perform_solution: the end comes from the solution alone
    solutions_of(doc, "buyer")[0]["reached_time"] = "2026-11-01 19:00:00"

    error = refusal(doc)

    assert str(error).startswith(
        "result_object.buyer_solution_list.solution_api_dto[0].reached_time: "
        "2026-11-01 19:00:00 PST is before the seller's window ends at 2026-11-03 19:00:00 PST"
    )


def test_order_detail_without_the_issues_order_is_refused() -> None:
    """An order detail that does not hold the issue's order says which ids it looked for."""
    error = refusal(load("issue_seller_refused"), order_detail=load("order_detail"))

    assert "child_id 3040229918822002" in str(error)


def test_order_detail_shipment_after_the_opening_is_refused() -> None:
    """A shipment dated after the dispute was opened contradicts the issue."""
    detail = load("order_detail")
    orders = detail["aliexpress_solution_order_get_response"]["result"]["target_list"]
    orders["order_dto"][0]["product_list"]["order_product_dto"][0]["send_goods_time"] = (
        "2026-03-06 09:00:00"
    )

    error = refusal(load("issue_awaiting_seller"), order_detail=detail)

    assert "send_goods_time: shipped at 2026-03-06 09:00:00 PST, after the dispute" in str(error)


def test_policy_must_be_a_policy() -> None:
    """A policy that is not a Policy is refused before anything is read."""
    error = refusal(load("issue_awaiting_seller"), policy="aliexpress")

    assert str(error).startswith("policy: expected a Policy")


@pytest.mark.parametrize(
    "policy",
    [
        EBAY_US,
        EBAY_UK,
        PAYPAL,
        AMAZON_US,
        attrs.evolve(EBAY_US, name="shop", processing_time=timedelta(days=7)),
    ],
    ids=["ebay-us", "ebay-uk", "paypal", "amazon-us", "custom-ebay"],
)
def test_the_import_refuses_the_rules_of_another_marketplace(policy: Any) -> None:
    """The seller API is AliExpress's: rules with another marketplace's clocks or
    consequences are refused, naming the argument and what differs."""
    error = refusal(load("issue_awaiting_seller"), policy=policy)

    assert str(error).startswith(f"policy: the rules {policy.name} {policy.version} ")
    assert "AliExpress" in str(error)


@pytest.mark.parametrize("policy", [p for p in policies() if p.name == "aliexpress"])
def test_the_import_takes_every_version_of_aliexpress_s_rules(policy: Any) -> None:
    """Every version of AliExpress's rules imports an issue."""
    order = from_issue_detail(load("issue_awaiting_seller"), policy=policy)

    assert order.dispute is not None


# -- returns -------------------------------------------------------------------------

RETURN_FIXTURES = {
    # fixture: (request's remedy, agreement, return_postage_by, return tracking and carrier,
    #           return shipped at, refunded, the dispute's actions)
    "issue_return_agreed": (
        Remedy.REFUND,
        Agreement(
            Money("48.90", "USD"),
            Remedy.RETURN_AND_REFUND,
            Resolution.NEGOTIATION_CONSENSUS,
            pacific(2026, 9, 9, 8, 5),
            Actor.SELLER,
        ),
        Actor.SELLER,
        (None, ""),
        None,
        Money("0.00", "USD"),
        ["seller_reject", "buyer_accept"],
    ),
    "issue_return_shipped": (
        Remedy.RETURN_AND_REFUND,
        Agreement(
            Money("35.60", "USD"),
            Remedy.RETURN_AND_REFUND,
            Resolution.NEGOTIATION_CONSENSUS,
            pacific(2026, 9, 23, 9),
            Actor.SELLER,
        ),
        Actor.SELLER,
        ("RR482913576BR", "Correios"),
        pacific(2026, 9, 28, 16, 40),
        Money("0.00", "USD"),
        ["seller_accept", "ship_return"],
    ),
    "issue_return_refunded": (
        Remedy.RETURN_AND_REFUND,
        Agreement(
            Money("29.30", "USD"),
            Remedy.RETURN_AND_REFUND,
            Resolution.NEGOTIATION_CONSENSUS,
            pacific(2026, 6, 16, 12),
            Actor.PLATFORM,
        ),
        Actor.PLATFORM,
        ("RR105837264BR", "Correios"),
        pacific(2026, 6, 16, 12) + SHIP_WINDOW - JUST_BEFORE,
        Money("29.30", "USD"),
        ["seller_accept", "ship_return", "confirm_return"],
    ),
    "issue_return_refused": (
        Remedy.RETURN_AND_REFUND,
        Agreement(
            Money("31.00", "USD"),
            Remedy.REFUND,
            Resolution.PLATFORM_ARBITRATE,
            pacific(2026, 9, 2, 15),
            None,
        ),
        None,
        ("RR730164825BR", "Correios"),
        pacific(2026, 8, 11, 9, 30) + SHIP_WINDOW - JUST_BEFORE,
        Money("31.00", "USD"),
        ["seller_accept", "ship_return", "refuse_return", "platform_decide"],
    ),
}


def return_reads(order: Order) -> tuple[object, ...]:
    """What an imported return shows: remedy, agreement, postage, parcel, refund, actions."""
    dispute = order.dispute
    assert dispute is not None
    return (
        dispute.remedy,
        dispute.agreement,
        dispute.return_postage_by,
        (dispute.return_tracking, dispute.return_carrier),
        dispute.return_shipped_at,
        order.refunded,
        [e.action for e in dispute.history],
    )


@pytest.mark.parametrize("name", sorted(RETURN_FIXTURES))
def test_return_fixture_imports_with_its_agreement_parcel_refund_and_history(name: str) -> None:
    """Each return fixture gives the agreement, postage payer, parcel and refund found by hand."""
    assert return_reads(from_issue_detail(load(name))) == RETURN_FIXTURES[name]


@pytest.mark.parametrize("name", sorted(RETURN_FIXTURES))
def test_an_imported_return_survives_dumps_and_loads(name: str) -> None:
    """A saved and loaded imported return reads the same agreement, parcel, refund and history."""
    order = from_issue_detail(load(name))

    twin = loads(dumps(order))

    assert return_reads(twin) == return_reads(order)
    assert twin.next_deadline == order.next_deadline
    assert dumps(twin) == dumps(order)


def test_a_seller_counter_proposal_of_a_return_for_the_full_amount_is_a_counter_offer() -> None:
    """The same amount as the request, with a return instead of a refund, is now valid."""
    order = from_issue_detail(load("issue_return_agreed"))
    dispute = order.dispute
    assert dispute is not None

    reject = dispute.history[0]
    assert reject.details["counter_offer"] == dispute.request == Money("48.90", "USD")
    assert reject.details["remedy"] is Remedy.RETURN_AND_REFUND
    assert dispute.counter_remedy is Remedy.RETURN_AND_REFUND
    assert meta(reject)["logistics_fee_bear_role"] == "seller"


def test_a_same_amount_return_counter_offer_negotiates_on_a_received_item() -> None:
    """The refused fixture's counter-proposal, made a full return on a received item, negotiates."""
    doc = load("issue_seller_refused")
    for entry in log_of(doc):
        entry["receive_goods"] = True
    solutions_of(doc, "seller")[0].update(
        refund_money_post="45.00", solution_type="return_and_refund"
    )

    order = from_issue_detail(doc)

    assert order.dispute is not None
    assert order.dispute.state is DisputeState.NEGOTIATING
    assert order.dispute.counter_offer == Money("45.00", "USD")
    assert order.dispute.counter_remedy is Remedy.RETURN_AND_REFUND


@pytest.mark.parametrize(
    ("role", "payer", "given"),
    [("", Actor.SELLER, False), ("seller", Actor.SELLER, True), ("buyer", Actor.BUYER, True)],
)
def test_an_empty_postage_payer_is_not_given_and_the_seller_pays(
    role: str, payer: Actor, given: bool
) -> None:
    """An empty logistics_fee_bear_role gives no payer (so the seller pays); a word gives one."""
    doc = load("issue_return_agreed")
    solutions_of(doc, "seller")[0]["logistics_fee_bear_role"] = role

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.return_postage_by is payer
    assert dispute.agreement is not None
    assert dispute.agreement.return_postage_by is payer
    accept = dispute.history[-1]
    assert ("logistics_fee_bear_role" in meta(accept)) is given
    reject = dispute.history[0]
    assert reject.details.get("return_postage_by") is (None if payer is Actor.SELLER else payer)


def test_a_buyers_request_of_a_return_keeps_its_postage_payer_from_the_opening() -> None:
    """A buyer solution of return_and_refund opens the dispute with that remedy and its payer."""
    order = from_issue_detail(load("issue_return_refused"))
    opening = order.history[-2]
    assert opening.action == "open_dispute"

    assert opening.details["remedy"] is Remedy.RETURN_AND_REFUND
    assert opening.details["return_postage_by"] is Actor.BUYER


@pytest.mark.parametrize("status", ["wait_for_seller_confirm", "refund_success", "refund_reject"])
def test_reverse_detail_status_changes_nothing_on_a_refund_only_issue(status: str) -> None:
    """On a refund-only issue the return words and number are only carried along in the meta."""
    doc = load("issue_awaiting_seller")
    issue_of(doc).update(reverse_detail_status=status, buyer_return_no="RR000000000BR")

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.state is DisputeState.AWAITING_SELLER
    assert dispute.return_tracking is None
    assert order.next_deadline is not None
    assert order.next_deadline.action == "seller_timeout"
    assert meta(order.history[-1])["reverse_detail_status"] == status


def test_a_finished_refund_only_issue_says_refund_success_and_is_resolved_as_before() -> None:
    """The platform-handled fixture's refund_success changes nothing: its refund stands."""
    order = from_issue_detail(load("issue_platform_handled"))
    dispute = order.dispute
    assert dispute is not None

    assert [e.action for e in dispute.history] == ["platform_decide"]
    assert dispute.agreement is not None
    assert dispute.agreement.remedy is Remedy.REFUND
    assert dispute.return_tracking is None


def test_the_return_steps_say_what_they_stand_on() -> None:
    """ship_return and confirm_return name the field implying them and their instant's source."""
    order = from_issue_detail(load("issue_return_refunded"))
    assert order.dispute is not None
    ship, confirm = order.dispute.history[1:]

    assert meta(ship)["implied_by"] == "result_object.buyer_return_no"
    assert meta(ship)["assumed"] == "at"
    assert meta(ship)["at_from"] == (
        "result_object.gmt_modified, moved to the last instant before the "
        "return_ship_deadline of the policy"
    )
    assert meta(ship)["buyer_return_logistics_lp_no"] == "LP00611049372201"
    assert meta(ship)["reverse_detail_status"] == "refund_success"
    assert meta(confirm)["implied_by"] == "result_object.reverse_detail_status"
    assert meta(confirm)["at_from"] == "result_object.gmt_modified"
    assert confirm.at == parse_time(issue_of(load("issue_return_refunded"))["gmt_modified"])


@pytest.mark.parametrize(
    ("modified", "shipped", "moved"),
    [
        ("2026-10-03 08:59:59", pacific(2026, 10, 3, 8, 59, 59), False),
        ("2026-10-03 09:00:00", pacific(2026, 10, 3, 9) - JUST_BEFORE, True),
    ],
)
def test_a_return_shipped_at_the_window_end_is_put_just_before_it(
    modified: str, shipped: datetime, moved: bool
) -> None:
    """gmt_modified a second before the shipping window ends is kept; at its end, moved back."""
    doc = load("issue_return_shipped")
    issue_of(doc)["gmt_modified"] = modified
    assert pacific(2026, 10, 3, 9) == pacific(2026, 9, 23, 9) + SHIP_WINDOW

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.state is DisputeState.RETURN_IN_TRANSIT
    assert dispute.return_shipped_at == shipped
    assert dispute.return_confirm_deadline == shipped + CONFIRM_WINDOW
    assert ("moved" in meta(dispute.history[-1])["at_from"]) is moved


def test_without_gmt_modified_the_return_is_shipped_at_the_latest_instant_recorded() -> None:
    """No gmt_modified: the steps take the payload's latest instant, and the meta says so."""
    doc = load("issue_return_shipped")
    del issue_of(doc)["gmt_modified"]

    order = from_issue_detail(doc)
    assert order.dispute is not None

    assert order.dispute.return_shipped_at == pacific(2026, 9, 23, 9)
    assert meta(order.dispute.history[-1])["at_from"] == (
        "the latest instant in the payload (result_object.gmt_modified not given)"
    )


@pytest.mark.parametrize(
    ("modified", "last", "at"),
    [
        ("2026-07-26 11:59:59", "confirm_return", pacific(2026, 7, 26, 11, 59, 59)),
        ("2026-07-26 12:00:00", "return_confirm_timeout", pacific(2026, 7, 26, 12) - JUST_BEFORE),
    ],
)
def test_refund_success_after_the_confirm_window_is_the_automatic_refund_at_its_end(
    modified: str, last: str, at: datetime
) -> None:
    """Refunded within the confirm window: the seller confirmed; after it, the clock paid first."""
    doc = load("issue_return_refunded")
    issue_of(doc)["gmt_modified"] = modified

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.return_confirm_deadline == pacific(2026, 7, 26, 12) - JUST_BEFORE
    assert dispute.history[-1].action == last
    assert dispute.outcome is not None
    assert (dispute.outcome.refund, dispute.outcome.at) == (Money("29.30", "USD"), at)
    assert order.refunded == Money("29.30", "USD")


def test_a_refusal_recorded_after_the_confirm_window_is_put_just_before_it_ends() -> None:
    """refund_reject with the platform deciding after the confirm window: refused just in time."""
    doc = load("issue_return_refused")
    log_of(doc)[0]["gmt_create"] = "2026-09-25 10:00:04"
    log_of(doc)[1]["gmt_create"] = "2026-09-25 10:00:00"
    solutions_of(doc, "platform")[0].update(
        gmt_create="2026-09-25 10:00:00", reached_time="2026-09-25 10:00:00"
    )
    issue_of(doc)["gmt_modified"] = "2026-09-25 10:00:04"

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    refuse = dispute.history[2]
    assert refuse.action == "refuse_return"
    assert dispute.return_confirm_deadline is not None
    assert refuse.at == dispute.return_confirm_deadline - JUST_BEFORE
    assert "moved to the last instant before the return_confirm_deadline" in meta(refuse)["at_from"]
    assert dispute.outcome is not None
    assert dispute.outcome.at == pacific(2026, 9, 25, 10)


def test_a_refusal_is_placed_at_the_platform_decision_that_needs_it() -> None:
    """The seller's refusal comes no later than the log entry that needs the return over."""
    order = from_issue_detail(load("issue_return_refused"))
    assert order.dispute is not None

    refuse = order.dispute.history[2]
    assert refuse.at == pacific(2026, 9, 2, 15)
    assert meta(refuse)["at_from"] == f"{LOG}[1].gmt_create (the next log entry)"
    assert refuse.details["note"].startswith("The seller refused the goods")


def test_a_finished_return_never_shipped_ends_by_the_return_timeout() -> None:
    """A finished return issue with no return number, past its window, ends with no refund."""
    doc = load("issue_return_agreed")
    issue_of(doc).update(issue_status="finish", gmt_modified="2026-09-20 09:00:00")

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.outcome is not None
    assert (dispute.outcome.refund, dispute.outcome.reached_by, dispute.outcome.at) == (
        Money("0.00", "USD"),
        Resolution.RETURN_NOT_SHIPPED,
        pacific(2026, 9, 9, 8, 5) + SHIP_WINDOW,
    )
    assert order.refunded == Money("0.00", "USD")


def test_a_finished_return_in_transit_was_confirmed_as_issue_status_implies() -> None:
    """issue_status finish on a return in transit and not refused: the refund was paid."""
    doc = load("issue_return_shipped")
    issue_of(doc).update(issue_status="finish", reverse_detail_status="return_success")

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    confirm = dispute.history[-1]
    assert confirm.action == "confirm_return"
    assert meta(confirm)["implied_by"] == "result_object.issue_status"
    assert order.refunded == Money("35.60", "USD")


def test_the_sellers_silence_on_a_return_request_starts_the_return_whose_clock_waits() -> None:
    """A return agreed by the seller's silence ships in its window though the next entry is late."""
    doc = load("issue_seller_timeout")
    for entry in log_of(doc):
        entry["receive_goods"] = True
    solutions_of(doc, "buyer")[0].update(solution_type="return_and_refund")
    log_of(doc)[0]["gmt_create"] = "2026-11-25 10:00:00"  # perform_solution, late
    issue_of(doc).update(buyer_return_no="RR555000111BR", gmt_modified="2026-11-25 10:00:00")
    agreed = pacific(2026, 10, 29, 20) + FIVE_DAYS

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert [e.action for e in dispute.history] == [
        "seller_timeout",
        "ship_return",
        "confirm_return",
    ]
    assert dispute.agreement is not None
    assert dispute.agreement.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
    assert dispute.agreement.at == agreed
    assert dispute.return_shipped_at == agreed + SHIP_WINDOW - JUST_BEFORE
    assert dispute.outcome is not None
    assert dispute.outcome.at == pacific(2026, 11, 25, 10)


@pytest.mark.parametrize(
    ("name", "mutate", "said"),
    [
        (
            "issue_return_shipped",
            lambda d: issue_of(d).update(buyer_return_no=""),
            "result_object.reverse_detail_status: 'wait_for_seller_confirm' says the return "
            "was shipped, but result_object.buyer_return_no is not set",
        ),
        (
            "issue_return_refunded",
            lambda d: issue_of(d).update(buyer_return_no=None),
            "result_object.reverse_detail_status: 'refund_success' says the return",
        ),
        (
            "issue_return_shipped",
            lambda d: issue_of(d).update(gmt_modified="2026-09-22 10:00:00"),
            "result_object.gmt_modified: 2026-09-22 10:00:00 PDT is before the log's last step "
            "(2026-09-23 09:00:00 PDT)",
        ),
        (
            "issue_return_agreed",
            lambda d: issue_of(d).update(issue_status="finish"),
            "result_object.issue_status: 'finish', but the log leaves the dispute "
            "awaiting_return (under the policy its next step is return_timeout at "
            "2026-09-19 08:05:00 PDT)",
        ),
        (
            "issue_return_agreed",
            lambda d: log_of(d).insert(0, {**log_of(d)[1], "gmt_create": "2026-09-10 10:00:00"}),
            f"{LOG}[0].action_type: 'seller_create_solution' at '2026-09-10 10:00:00' (US "
            "Pacific) cannot be replayed",
        ),
    ],
)
def test_a_return_the_payload_contradicts_is_refused_naming_the_field(
    name: str, mutate: Mutation, said: str
) -> None:
    """Return fields at odds with each other, the log or the lifecycle are refused, named."""
    doc = load(name)
    mutate(doc)

    assert said in str(refusal(doc))


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u3000"])
def test_a_blank_return_number_is_not_set(blank: str) -> None:
    """A return number of whitespace only is no return number: the return still waits."""
    doc = load("issue_return_agreed")
    issue_of(doc).update(
        buyer_return_no=blank,
        buyer_return_logistics_company=blank,
        buyer_return_logistics_lp_no=blank,
    )

    dispute = from_issue_detail(doc).dispute
    assert dispute is not None

    assert dispute.state is DisputeState.AWAITING_RETURN
    assert dispute.return_tracking is None


def test_a_blank_return_number_does_not_say_the_return_was_shipped() -> None:
    """wait_for_seller_confirm with a blank return number is refused as with an empty one."""
    doc = load("issue_return_shipped")
    issue_of(doc)["buyer_return_no"] = "   "

    assert str(refusal(doc)) == (
        "result_object.reverse_detail_status: 'wait_for_seller_confirm' says the return was "
        "shipped, but result_object.buyer_return_no is not set"
    )


def test_the_return_fields_are_read_without_the_whitespace_around_them() -> None:
    """Spaces and line breaks around the number, carrier and LP number are not kept."""
    doc = load("issue_return_shipped")
    issue_of(doc).update(
        buyer_return_no="  RR482913576BR\n",
        buyer_return_logistics_company="\tCorreios ",
        buyer_return_logistics_lp_no=" LP00748193265501 ",
    )

    dispute = from_issue_detail(doc).dispute
    assert dispute is not None

    assert (dispute.return_tracking, dispute.return_carrier) == ("RR482913576BR", "Correios")
    assert meta(dispute.history[-1])["buyer_return_logistics_lp_no"] == "LP00748193265501"


def test_a_blank_return_carrier_is_not_set() -> None:
    """A carrier of whitespace only ships the return with no carrier named."""
    doc = load("issue_return_shipped")
    issue_of(doc)["buyer_return_logistics_company"] = "  "

    dispute = from_issue_detail(doc).dispute
    assert dispute is not None

    assert (dispute.return_tracking, dispute.return_carrier) == ("RR482913576BR", "")


@pytest.mark.parametrize(
    ("field", "value", "char"),
    [
        ("buyer_return_no", "RR4829\t13576BR", "\t"),
        ("buyer_return_no", "RR4829\x0013576BR", "\x00"),
        ("buyer_return_no", " \u200b ", "\u200b"),
        ("buyer_return_no", "RR4829\u00a013576BR", "\u00a0"),
        ("buyer_return_logistics_company", "Corr\neios", "\n"),
        ("buyer_return_logistics_company", "\u200b\u2060", "\u200b"),
        ("buyer_return_logistics_lp_no", "LP\x7f01", "\x7f"),
    ],
)
def test_a_return_field_with_a_control_or_separator_character_is_refused(
    field: str, value: str, char: str
) -> None:
    """A control or separator character inside a return field is refused, the field named."""
    doc = load("issue_return_agreed")  # refused though the return is not shipped yet
    issue_of(doc)[field] = value

    message = str(refusal(doc))

    assert message == (
        f"result_object.{field}: {value!r} holds {char!r}, a control or separator character; "
        "give it as printed on the label"
    )


def test_a_return_field_keeps_the_spaces_inside_it() -> None:
    """A plain space inside a carrier's name is kept, as printed."""
    doc = load("issue_return_shipped")
    issue_of(doc)["buyer_return_logistics_company"] = " Correios  Brasil "

    dispute = from_issue_detail(doc).dispute
    assert dispute is not None

    assert dispute.return_carrier == "Correios  Brasil"


# -- processing issues: brought up to the payload's last instant -----------------------

SILENCE_ENDS = pacific(2026, 9, 21, 19, 45) + FIVE_DAYS  # the shipped fixture's seller deadline


def agreed_by_silence(reached_time: str = "2026-09-26 19:45:00") -> dict[str, Any]:
    """The shipped return fixture, its return agreed by the seller's silence, not by an answer."""
    doc = load("issue_return_shipped")
    log_of(doc).pop(0)  # the seller_accept entry
    solutions_of(doc, "buyer")[0].update(
        reached_type="seller_reponse_timeout",
        seller_accept_time="",
        reached_time=reached_time,
        gmt_modified=reached_time,
    )
    return doc


@pytest.mark.parametrize("status", ["processing", "finish"])
def test_a_return_agreed_by_the_sellers_silence_is_shipped_whatever_the_issue_status(
    status: str,
) -> None:
    """The seller's timeout fires at its deadline, then buyer_return_no ships the return."""
    doc = agreed_by_silence()
    issue_of(doc)["issue_status"] = status

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.agreement == Agreement(
        Money("35.60", "USD"),
        Remedy.RETURN_AND_REFUND,
        Resolution.SELLER_REPONSE_TIMEOUT,
        SILENCE_ENDS,
        Actor.SELLER,
    )
    assert (dispute.return_tracking, dispute.return_carrier) == ("RR482913576BR", "Correios")
    assert dispute.return_shipped_at == pacific(2026, 9, 28, 16, 40)
    actions = [e.action for e in dispute.history]
    if status == "processing":
        assert actions == ["seller_timeout", "ship_return"]
        assert dispute.state is DisputeState.RETURN_IN_TRANSIT
        assert order.next_deadline is not None
        assert order.next_deadline.action == "return_confirm_timeout"
    else:
        assert actions == ["seller_timeout", "ship_return", "confirm_return"]


@pytest.mark.parametrize(
    ("reached", "agreed"), [("2026-09-26 19:44:59", False), ("2026-09-26 19:45:00", True)]
)
def test_a_processing_issue_reached_by_silence_before_the_sellers_deadline_is_refused(
    reached: str, agreed: bool
) -> None:
    """Silence reported a second before the seller's window ends is refused; at its end, agreed."""
    doc = agreed_by_silence(reached)
    issue_of(doc)["gmt_modified"] = reached

    if agreed:
        dispute = from_issue_detail(doc).dispute
        assert dispute is not None
        assert dispute.state is DisputeState.RETURN_IN_TRANSIT
        assert dispute.return_shipped_at == SILENCE_ENDS
    else:
        assert str(refusal(doc)) == (
            "result_object.buyer_solution_list.solution_api_dto[0].reached_time: "
            "2026-09-26 19:44:59 PDT is before the seller's window ends at 2026-09-26 "
            "19:45:00 PDT under the policy (seller_response_window 5 days, 0:00:00)"
        )


@pytest.mark.parametrize("status", ["processing", "finish"])
@pytest.mark.parametrize(
    ("owner", "action"), [("buyer", "seller_accept"), ("seller", "buyer_accept")]
)
def test_a_log_that_lacks_the_agreement_takes_it_from_the_reached_solution(
    owner: str, action: str, status: str
) -> None:
    """A consensus the log does not show is made at the reached time, then the return shipped."""
    doc = load("issue_return_shipped" if owner == "buyer" else "issue_return_agreed")
    log_of(doc).pop(0)  # seller_accept, or buyer_accept
    issue_of(doc)["issue_status"] = status
    if owner == "seller":
        issue_of(doc).update(buyer_return_no="RR000111222BR", gmt_modified="2026-09-12 10:00:00")
    reached = solutions_of(doc, owner)[0]
    path = f"result_object.{owner}_solution_list.solution_api_dto[0]"

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    steps = [action, "ship_return"] + (["confirm_return"] if status == "finish" else [])
    assert [e.action for e in dispute.history][-len(steps) :] == steps
    agreement = dispute.history[-len(steps)]
    assert agreement.at == parse_time(reached["reached_time"])
    assert meta(agreement)["implied_by"] == f"{path}.reached_type"
    assert meta(agreement)["solution_id"] == reached["id"]
    assert dispute.agreement is not None
    assert dispute.agreement.reached_by is Resolution.NEGOTIATION_CONSENSUS
    assert dispute.return_tracking is not None


def decided_by_the_platform(reached_time: str, status: str) -> dict[str, Any]:
    """The refused fixture, then a platform decision the log does not show, at *reached_time*."""
    doc = load("issue_seller_refused")
    decision = {
        "id": 7000000000000001,
        "solution_owner": "platform",
        "solution_type": "refund",
        "reached_type": "platform_arbitrate",
        "reached_time": reached_time,
        "gmt_create": reached_time,
        "refund_money_post": "30.00",
        "refund_money_post_currency": "USD",
    }
    issue_of(doc).update(
        issue_status=status, platform_solution_list={"solution_api_dto": [decision]}
    )
    return doc


@pytest.mark.parametrize("status", ["processing", "finish"])
@pytest.mark.parametrize(
    ("reached", "early"), [("2026-04-07 14:29:59", True), ("2026-04-07 14:30:00", False)]
)
def test_a_platform_decision_the_log_lacks_comes_after_negotiation_ends(
    reached: str, early: bool, status: str
) -> None:
    """A decision a second before negotiation ends is refused; at its end it settles the issue."""
    path = "result_object.platform_solution_list.solution_api_dto[0]"
    doc = decided_by_the_platform(reached, status)

    if early:
        assert str(refusal(doc)) == (
            f"{path}.reached_type: 'platform_arbitrate' at {reached} PDT, which the log does not "
            f"show, cannot be replayed: the platform decided at {reached} PDT, before negotiation "
            "ends at 2026-04-07 14:30:00 PDT under the policy (negotiation_window 5 days, 0:00:00)"
        )
    elif status == "processing":
        assert str(refusal(doc)).startswith(
            f"result_object.issue_status: 'processing', but {path}.reached_type ends the dispute: "
            "it is resolved (platform_decide at 2026-04-07 14:30:00 PDT"
        )
    else:
        order = from_issue_detail(doc)
        assert order.dispute is not None
        assert order.dispute.outcome is not None
        assert order.dispute.outcome.refund == order.refunded == Money("30.00", "USD")
        assert order.dispute.outcome.at == parse_time(reached)
        assert meta(order.dispute.history[-1])["implied_by"] == f"{path}.reached_type"


def test_a_processing_issue_after_a_refused_return_waits_for_the_platform() -> None:
    """The agreement the goods' refusal set aside is not reached again: the platform decides."""
    doc = load("issue_return_refused")
    del log_of(doc)[:2]  # perform_solution, platform_give_solution
    issue_of(doc).update(
        issue_status="processing", platform_solution_list={}, gmt_modified="2026-08-20 10:00:00"
    )
    solutions_of(doc, "buyer")[0]["status"] = "reached"

    order = from_issue_detail(doc)
    dispute = order.dispute
    assert dispute is not None

    assert dispute.state is DisputeState.ARBITRATION
    assert [e.action for e in dispute.history] == ["seller_accept", "ship_return", "refuse_return"]
    assert dispute.agreement is None


@pytest.mark.parametrize("modified", ["2026-09-30 10:00:00", "2026-12-20 10:00:00"])
def test_a_processing_issue_that_says_its_return_was_refunded_is_refused(modified: str) -> None:
    """refund_success on a processing return is refused, within the confirm window or after it."""
    doc = load("issue_return_shipped")
    issue_of(doc).update(reverse_detail_status="refund_success", gmt_modified=modified)

    assert str(refusal(doc)) == (
        "result_object.issue_status: 'processing', but result_object.reverse_detail_status "
        "'refund_success' says the return's refund was paid, which ends the dispute"
    )


@pytest.mark.parametrize(
    ("name", "modified", "ends"),
    [
        ("issue_awaiting_seller", "2026-03-10 10:59:59", None),
        ("issue_awaiting_seller", "2026-03-10 11:00:00", "resolved (seller_timeout at 2026-03-10"),
        ("issue_return_shipped", "2026-11-02 07:59:59", None),
        ("issue_return_shipped", "2026-11-02 08:00:00", "resolved (return_confirm_timeout at"),
    ],
)
def test_a_processing_issue_past_a_deadline_of_the_policy_is_refused(
    name: str, modified: str, ends: str | None
) -> None:
    """gmt_modified at a clock's end on a processing issue is refused; a second before, open."""
    doc = load(name)
    issue_of(doc)["gmt_modified"] = modified
    assert pacific(2026, 11, 2, 8) == pacific(2026, 9, 23, 9) + SHIP_WINDOW + CONFIRM_WINDOW

    if ends is None:
        order = from_issue_detail(doc)
        assert order.dispute is not None
        assert order.dispute.is_open
        assert order.next_deadline is not None
        assert order.next_deadline.at > parse_time(modified)
    else:
        said = str(refusal(doc))
        assert said.startswith(
            "result_object.issue_status: 'processing', but the policy's clock, run to the "
            f"payload's last instant ({modified} "
        )
        assert f"ends the dispute: it is {ends}" in said


# -- times -----------------------------------------------------------------------------


def test_parse_time_reads_pacific_wall_time_as_a_utc_instant() -> None:
    """A winter and a summer wall time come out 8 and 7 hours later in UTC."""
    assert parse_time("2026-01-15 09:30:00") == datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
    assert parse_time("2026-07-15 09:30:00") == datetime(2026, 7, 15, 16, 30, tzinfo=UTC)


def test_parse_time_reads_the_repeated_autumn_hour_as_its_first_occurrence() -> None:
    """01:30 on the day daylight time ends is read as 01:30 PDT, the first of the two."""
    assert parse_time("2026-11-01 01:30:00") == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-03-05", "2026-03-05 24:00:00", "2026-03-05 10:00:00Z", " 2026-03-05 10:00:00"]
)
def test_parse_time_refuses_other_formats(text: str) -> None:
    """Anything but 'yyyy-MM-dd HH:mm:ss' (hours 00-23) is refused with InvalidInput."""
    with pytest.raises(InvalidInput, match="is not a time in the API's format"):
        parse_time(text)


# -- nothing but InvalidInput, whatever the payload ------------------------------------

JSON_VALUES_WORDS = [
    "",
    "0.00",
    "12.50",
    "-1",
    "9" * 20,
    "USD",
    "BRL",
    "XXX",
    "2026-03-05 10:00:00",
    "2026-03-08 02:30:00",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "finish",
    "processing",
    "canceled_issue",
    "reached",
    "perform",
    "seller_reponse_timeout",
    "platform_arbitrate",
    "negotiation_consensus",
    "platform",
    "seller",
    "buyer",
    *ACTION_TYPES,
]
"""Words and values the payloads use, to mix into mutated ones."""

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.sampled_from(JSON_VALUES_WORDS)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += paths(child, (*prefix, i))
    return found


def mutate(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """*doc* with one to three fields deleted or replaced by any JSON value."""
    for _ in range(draw(st.integers(1, 3))):
        where = paths(doc)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return doc


@st.composite
def mutated_issues(draw: st.DrawFn) -> dict[str, Any]:
    """An issue fixture with one to three fields deleted or replaced."""
    return mutate(draw, load(draw(st.sampled_from(ISSUES))))


@st.composite
def mutated_order_details(draw: st.DrawFn) -> dict[str, Any]:
    """The order detail fixture with one to three fields deleted or replaced."""
    return mutate(draw, load("order_detail"))


@given(mutated_issues())
def test_any_mutated_fixture_imports_or_raises_invalid_input(doc: dict[str, Any]) -> None:
    """Deleting or replacing fixture fields gives an Order or InvalidInput, nothing else."""
    try:
        order = from_issue_detail(doc)
    except InvalidInput:
        return
    assert order.dispute is not None


@given(mutated_order_details())
def test_any_mutated_order_detail_imports_or_raises_invalid_input(detail: dict[str, Any]) -> None:
    """A mutated order detail gives an Order or InvalidInput, never another error."""
    try:
        order = from_issue_detail(load("issue_awaiting_seller"), order_detail=detail)
    except InvalidInput:
        return
    assert order.dispute is not None


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([4301, 5000]).map(lambda n: 10**n)  # too long for str(int)
    | st.sampled_from([2**63, -(2**63) - 1, 10**18])
    | st.floats()
    | st.decimals()
    | st.text()
    | st.binary(max_size=8)
    | st.sampled_from([("x", 1_000_000), ("9", 10_000)]).map(lambda c: c[0] * c[1])
    | st.sampled_from(["9" * 15 + ".99", "999999999999999.999999", "0.000001", "0.005"])
    | st.sampled_from(JSON_VALUES_WORDS),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=10,
)
"""Any Python value a caller might pass by mistake: JSON values, huge ones, wrong types."""


@st.composite
def junk_issues(draw: st.DrawFn) -> Any:
    """Junk: a value of any type, or a fixture with fields deleted or replaced by junk."""
    if draw(st.booleans()):
        return draw(JUNK)
    doc = load(draw(st.sampled_from(ISSUES)))
    for _ in range(draw(st.integers(1, 4))):
        where = paths(doc)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(JUNK)
    return doc


@given(junk_issues(), st.one_of(st.none(), JUNK, mutated_order_details()))
def test_any_junk_gives_an_order_or_a_buyer_protection_error(detail: Any, order: Any) -> None:
    """Any value gives InvalidInput (message bounded) or an Order that saves and loads back."""
    try:
        imported = from_issue_detail(detail, order_detail=order)
    except InvalidInput as refused:
        message = str(refused)
    else:
        assert imported.dispute is not None
        assert dumps(loads(dumps(imported))) == dumps(imported)
        return
    assert len(message) < 20_000
