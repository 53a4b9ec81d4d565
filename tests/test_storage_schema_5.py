"""Tests for documents and logs of schema 5, written before other marketplaces' rules.

The saved documents and the log in ``fixtures/documents/v5_*.json`` were written by the
library as it was before (commit b63b5f1): an order under the default preset escalated
by the buyer and decided, one under the 2018 version escalated by the clock, one under
a custom policy counting business days on a London calendar, and one with a return on
its way back. `RECORDED` holds what that library said of each; the library of today
must say the same, fill each dispute's ``escalated_at`` from its history, and save the
order again as schema 6.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from buyer_protection import (
    ALIEXPRESS,
    ALIEXPRESS_2018,
    Actor,
    Agreement,
    BusinessDays,
    InvalidInput,
    Money,
    Order,
    Policy,
    Remedy,
    Resolution,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection.storage import SCHEMA_VERSION, log_from_list, log_to_list
from schemas import POLICY_SINCE_6, since_6

SAVED = Path(__file__).parent / "fixtures" / "documents"
DOCUMENTS = ("escalated_by_buyer", "escalated_by_clock", "business_days", "return")
LATER = datetime(2026, 6, 1, tzinfo=UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _text(name: str) -> str:
    return (SAVED / f"v5_{name}.json").read_text(encoding="utf-8")


RECORDED: dict[str, dict[str, Any]] = {
    "escalated_by_buyer": {
        "state": "closed",
        "refunded": Money("15.00", "USD"),
        "next_deadline": None,
        "protection_ends": "2026-05-02T22:00:00+00:00",
        "earliest_dispute": "2026-03-14T06:00:00+00:00",
        "shipping_deadline": "2026-03-09T17:00:00+00:00",
        "allowed": (),
        "dispute": {
            "state": "resolved",
            "deadline": None,
            "seller_deadline": "2026-03-19T08:00:00+00:00",
            "negotiation_deadline": "2026-03-20T08:00:00+00:00",
            "return_ship_deadline": None,
            "return_confirm_deadline": None,
            "outcome": (Money("15.00", "USD"), "platform_arbitrate", "2026-03-19T10:00:00+00:00"),
        },
        "escalated_at": "2026-03-16T12:00:00+00:00",  # the buyer's escalate
    },
    "escalated_by_clock": {
        "state": "in_dispute",
        "refunded": Money("0", "JPY"),
        "next_deadline": None,
        "protection_ends": "2026-04-16T00:00:00+00:00",
        "earliest_dispute": "2026-03-12T00:00:00+00:00",
        "shipping_deadline": "2026-03-08T00:00:00+00:00",
        "allowed": ("cancel", "platform_decide"),
        "dispute": {
            "state": "arbitration",
            "deadline": None,
            "seller_deadline": "2026-03-20T00:00:00+00:00",
            "negotiation_deadline": "2026-03-21T00:00:00+00:00",
            "return_ship_deadline": None,
            "return_confirm_deadline": None,
            "outcome": None,
        },
        "escalated_at": "2026-03-21T00:00:00+00:00",  # the negotiation_timeout
    },
    "business_days": {
        "state": "in_dispute",
        "refunded": Money("0.00", "GBP"),
        "next_deadline": ("2026-04-17T11:00:00+00:00", "negotiation_timeout", "dispute"),
        "protection_ends": "2026-04-30T10:00:00+00:00",
        "earliest_dispute": "2026-03-29T10:00:00+00:00",
        "shipping_deadline": "2026-03-27T10:00:00+00:00",
        "allowed": ("seller_accept", "buyer_accept", "buyer_modify", "escalate", "cancel"),
        "dispute": {
            "state": "negotiating",
            "deadline": "2026-04-17T11:00:00+00:00",
            "seller_deadline": "2026-04-15T15:00:00+00:00",
            "negotiation_deadline": "2026-04-17T11:00:00+00:00",
            "return_ship_deadline": None,
            "return_confirm_deadline": None,
            "outcome": None,
        },
        "escalated_at": None,
    },
    "return": {
        "state": "in_dispute",
        "refunded": Money("0.00", "EUR"),
        "next_deadline": ("2026-04-21T12:00:00+00:00", "return_confirm_timeout", "dispute"),
        "protection_ends": "2026-05-05T12:00:00+00:00",
        "earliest_dispute": "2026-03-16T12:00:00+00:00",
        "shipping_deadline": "2026-03-12T12:00:00+00:00",
        "allowed": ("confirm_return", "refuse_return"),
        "dispute": {
            "state": "return_in_transit",
            "deadline": "2026-04-21T12:00:00+00:00",
            "seller_deadline": "2026-03-23T12:00:00+00:00",
            "negotiation_deadline": None,
            "return_ship_deadline": "2026-03-29T12:00:00+00:00",
            "return_confirm_deadline": "2026-04-21T12:00:00+00:00",
            "outcome": None,
        },
        "escalated_at": None,
    },
}
"""What the library before schema 6 said of each saved order (instants in ISO 8601)."""


def _facts(order: Order) -> dict[str, Any]:
    """What `RECORDED` holds of *order*, read from it now."""

    def iso(at: datetime | None) -> str | None:
        return None if at is None else at.isoformat()

    dispute = order.dispute
    assert dispute is not None
    outcome = dispute.outcome
    step = order.next_deadline
    return {
        "state": order.state.value,
        "refunded": order.refunded,
        "next_deadline": None if step is None else (iso(step.at), step.action, step.subject),
        "protection_ends": iso(order.protection_ends),
        "earliest_dispute": iso(order.earliest_dispute),
        "shipping_deadline": iso(order.shipping_deadline),
        "allowed": order.allowed(),
        "dispute": {
            "state": dispute.state.value,
            "deadline": iso(dispute.deadline),
            "seller_deadline": iso(dispute.seller_deadline),
            "negotiation_deadline": iso(dispute.negotiation_deadline),
            "return_ship_deadline": iso(dispute.return_ship_deadline),
            "return_confirm_deadline": iso(dispute.return_confirm_deadline),
            "outcome": None
            if outcome is None
            else (outcome.refund, outcome.reached_by.value, iso(outcome.at)),
        },
        "escalated_at": iso(dispute.escalated_at),
    }


def test_there_are_saved_schema_5_documents_and_a_log() -> None:
    """The documents and the log written before schema 6 are there, of schema 5."""
    for name in DOCUMENTS:
        assert json.loads(_text(name))["schema_version"] == 5
    log = json.loads(_text("log_business_days"))
    assert [entry["action"] for entry in log][:2] == ["pay", "ship"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_schema_5_document_says_what_it_said_before(name: str) -> None:
    """A schema-5 document loads with the state, deadlines, refunds and outcome the library
    gave before schema 6, each dispute escalated when its history says, and nothing of
    schema 6's facts: no estimated delivery, contact or appeal."""
    order = loads(_text(name))
    assert _facts(order) == RECORDED[name]
    assert (order.estimated_delivery, order.contacted_at) == (None, None)
    assert (order.filing_ends, order.contact_wait_ends) == (None, None)
    assert all(d.appealed_at is None and d.appeal_deadline is None for d in order.disputes)


def test_the_presets_of_schema_5_documents_load_as_themselves() -> None:
    """A preset stored by name in a schema-5 document loads as the preset itself."""
    assert loads(_text("escalated_by_buyer")).policy is ALIEXPRESS
    assert loads(_text("escalated_by_clock")).policy is ALIEXPRESS_2018
    assert loads(_text("return")).policy is ALIEXPRESS


def test_a_custom_policy_of_schema_5_has_aliexpress_s_consequences() -> None:
    """The whole custom policy of a schema-5 document keeps its values (business days on
    its calendar) and takes Policy's defaults for the fields schema 6 added: AliExpress's
    consequences and windows, which every policy had before."""
    policy = loads(_text("business_days")).policy
    assert (policy.name, policy.version, policy.effective_from) == ("london-shop", "2026-02", None)
    assert policy.seller_response_window == BusinessDays(3)
    assert (policy.calendar.timezone, policy.calendar.country) == ("Europe/London", "GB")
    defaults = Policy()
    for name in POLICY_SINCE_6:
        assert getattr(policy, name) == getattr(defaults, name), name


def test_the_return_of_a_schema_5_document_keeps_its_agreement() -> None:
    """The return agreed before schema 6 keeps its agreement: the full refund, with the
    seller paying the postage, agreed when the seller accepted."""
    dispute = loads(_text("return")).dispute
    assert dispute is not None
    assert dispute.agreement == Agreement(
        Money("59.00", "EUR"),
        Remedy.RETURN_AND_REFUND,
        Resolution.NEGOTIATION_CONSENSUS,
        _at("2026-03-19T12:00:00+00:00"),
        Actor.SELLER,
    )
    assert (dispute.return_tracking, dispute.return_carrier) == ("RR123456789CN", "China Post")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_schema_5_document_is_saved_again_as_schema_6(name: str) -> None:
    """Saved again, a schema-5 document is the same document of schema 6 but for the keys
    schema 6 added (`schemas.since_6`), each dispute's escalated_at as recorded."""
    old = json.loads(_text(name))
    again = to_dict(loads(_text(name)))
    assert again["schema_version"] == SCHEMA_VERSION == 6
    assert again == since_6(old, [RECORDED[name]["escalated_at"]])
    assert to_dict(from_dict(again)) == again


def test_orders_of_schema_5_go_on_as_they_would_have() -> None:
    """What the library before schema 6 did next with each open order, it does now: the
    platform decides the escalated one, the negotiation in business days runs out on its
    day and goes to the platform, and the silent seller of a return pays it."""
    clock = loads(_text("escalated_by_clock"))
    assert clock.dispute is not None
    clock.dispute.platform_decide(_at("2026-03-26T00:00:00+00:00"), refund=Money("300", "JPY"))
    assert (clock.state.value, clock.refunded) == ("closed", Money("300", "JPY"))

    business = loads(_text("business_days"))
    business.advance(LATER)
    assert business.dispute is not None
    assert business.dispute.state.value == "arbitration"
    assert business.dispute.escalated_at == _at("2026-04-17T11:00:00+00:00")
    assert [(e.action, e.at.isoformat()) for e in business.log[-1:]] == [
        ("negotiation_timeout", "2026-04-17T11:00:00+00:00")
    ]
    assert business.allowed() == ("cancel", "platform_decide")

    back = loads(_text("return"))
    back.advance(LATER)
    assert (back.state.value, back.refunded) == ("closed", Money("59.00", "EUR"))
    assert [(e.action, e.at.isoformat()) for e in back.log[-2:]] == [
        ("return_confirm_timeout", "2026-04-21T12:00:00+00:00"),
        ("dispute_resolved", "2026-04-21T12:00:00+00:00"),
    ]


# -- a log of schema 5 ------------------------------------------------------------------


def test_a_schema_5_log_replays_as_its_document() -> None:
    """The saved log of the custom policy's order (log_to_list before schema 6) is read
    by log_from_list, and its replay is the order its document holds."""
    log = log_from_list(json.loads(_text("log_business_days")))
    replayed = Order.replay(log)
    stored = loads(_text("business_days"))
    assert replayed.log == stored.log
    assert to_dict(replayed) == to_dict(stored)
    assert _facts(replayed) == RECORDED["business_days"]


def test_a_schema_5_log_is_written_again_with_the_policy_of_schema_6() -> None:
    """log_to_list writes the read log as it was, its pay entry's whole policy with the
    keys schema 6 added (Policy's defaults)."""
    saved = json.loads(_text("log_business_days"))
    expected = copy.deepcopy(saved)
    expected[0]["details"]["policy"].update(POLICY_SINCE_6)
    assert log_to_list(log_from_list(saved)) == expected


def test_order_ingest_reads_the_entries_of_a_schema_5_log_as_dicts() -> None:
    """Order.ingest takes the schema-5 log's entries as dicts one at a time: the pay entry
    is already applied, the others are, and the order is the one the log holds."""
    saved = json.loads(_text("log_business_days"))
    order = Order.replay(log_from_list(saved[:1]))
    assert [order.ingest(entry) for entry in saved] == [False] + [True] * (len(saved) - 1)
    assert order.log == loads(_text("business_days")).log


def test_ingest_checks_a_pay_entry_with_a_key_of_schema_6_as_schema_6() -> None:
    """A log entry's policy with one key of schema 6 is a schema-6 policy, checked as such:
    each other key of schema 6 is missing."""
    pay = json.loads(_text("log_business_days"))[0]
    order = Order.replay(log_from_list([pay]))
    pay["details"]["policy"]["appeal_window"] = None
    with pytest.raises(InvalidInput) as refused:
        order.ingest(pay)
    assert refused.value.problems == tuple(
        f"entry.details.policy.{name}: required field missing"
        for name in POLICY_SINCE_6
        if name != "appeal_window"
    )


# -- what the reader of schema 5 refuses ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        (
            "return",
            lambda d: d.update(estimated_delivery=None),
            "estimated_delivery: a document of schema_version 5 has no such key",
        ),
        (
            "return",
            lambda d: d.update(contacted_at="2026-03-10T00:00:00+00:00"),
            "contacted_at: a document of schema_version 5 has no such key",
        ),
        (
            "escalated_by_buyer",
            lambda d: d["disputes"][0].update(escalated_at="2026-03-16T12:00:00+00:00"),
            "disputes[0].escalated_at: a document of schema_version 5 has no such key",
        ),
        (
            "escalated_by_buyer",
            lambda d: d["disputes"][0].update(appealed_at=None),
            "disputes[0].appealed_at: a document of schema_version 5 has no such key",
        ),
        (
            "business_days",
            lambda d: d["policy"].update(appeal_window="P30D"),
            "policy.appeal_window: a document of schema_version 5 has no appeal_window; it "
            "came with version 6",
        ),
        (
            "business_days",
            lambda d: d["history"][0]["details"]["policy"].update(extensions=False),
            "history[0].details.policy.extensions: a document of schema_version 5 has no "
            "extensions; it came with version 6",
        ),
    ],
)
def test_a_schema_5_document_with_a_key_of_schema_6_is_refused_naming_it(
    name: str, change: Any, problem: str
) -> None:
    """A schema-5 document with a key schema 6 added was not written by the library (or
    says the wrong version): InvalidInput naming that key, and only it."""
    document = json.loads(_text(name))
    change(document)
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert refused.value.problems == (problem,)


def test_a_schema_4_document_with_a_policy_key_of_schema_6_is_refused_naming_it() -> None:
    """A schema-4 document whose policy has a key of schema 6 is refused naming it too."""
    document = json.loads((SAVED / "v4_custom_policy.json").read_text(encoding="utf-8"))
    document["policy"]["seller_window_ends"] = "refund"
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert refused.value.problems == (
        "policy.seller_window_ends: a document of schema_version 4 has no seller_window_ends; "
        "it came with version 6",
    )
