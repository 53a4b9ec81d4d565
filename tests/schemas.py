"""What schema 6 of the order document added, for the tests that read older documents.

A document of schema 1 to 5 is read with the values that give the behaviour it had:
`since_6` writes an older document (already as schema 5 reads it) the way the library
saves it again as schema 6, and `before_6` takes a schema-6 document back to what
schema 5 wrote.
"""

from __future__ import annotations

import copy
from typing import Any

ORDER_SINCE_6 = {"estimated_delivery": None, "contacted_at": None}
"""The order's keys schema 6 added, as an older document is read: nothing estimated or
contacted."""

DISPUTE_SINCE_6 = ("escalated_at", "appealed_at")
"""A dispute's keys schema 6 added."""

POLICY_SINCE_6: dict[str, Any] = {
    "seller_window_starts": "request",
    "seller_window_ends": "refund",
    "negotiation_window_starts": "counter_offer",
    "negotiation_window_ends": "escalate",
    "filing_window_starts": "shipment",
    "filing_window": None,
    "contact_wait": None,
    "appeal_window": None,
    "extensions": True,
}
"""A whole policy's keys schema 6 added, as an older policy is read: AliExpress's
consequences and windows, the behaviour every policy had before."""


def whole_policies(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's policies written whole (not a preset's name and version): at the top
    level and in the pay entry's details."""
    found = [document["policy"], document["history"][0]["details"]["policy"]]
    return [p for p in found if set(p) != {"name", "version"}]


def since_6(old: dict[str, Any], escalated_at: list[str | None]) -> dict[str, Any]:
    """*old*, a document of an earlier schema, as schema 6 saves it again: the order's new
    keys null (before ``assumed``), each dispute's ``escalated_at`` the given instant (in
    ISO 8601, the dispute's last escalation) and ``appealed_at`` null (after
    ``return_shipped_at``), and every whole policy with `POLICY_SINCE_6`."""
    document: dict[str, Any] = {}
    for key, value in copy.deepcopy(old).items():
        if key == "assumed":
            document.update(ORDER_SINCE_6)
        document[key] = value
    document["schema_version"] = 6
    for policy in whole_policies(document):
        policy.update(POLICY_SINCE_6)
    disputes = document["disputes"]
    assert len(escalated_at) == len(disputes), "one escalation instant (or None) a dispute"
    for i, (dispute, escalated) in enumerate(zip(disputes, escalated_at, strict=True)):
        grown: dict[str, Any] = {}
        for key, value in dispute.items():
            grown[key] = value
            if key == "return_shipped_at":
                grown.update(escalated_at=escalated, appealed_at=None)
        disputes[i] = grown
    return document


def before_6(document: dict[str, Any]) -> dict[str, Any]:
    """A schema-6 *document* of an order with none of schema 6's facts (no estimated
    delivery, contact or appeal, and AliExpress's consequences) as schema 5 wrote it."""
    old = copy.deepcopy(document)
    old["schema_version"] = 5
    for key, value in ORDER_SINCE_6.items():
        assert old.pop(key) == value, key
    for dispute in old["disputes"]:
        for key in DISPUTE_SINCE_6:
            del dispute[key]
    for policy in whole_policies(old):
        for key, value in POLICY_SINCE_6.items():
            assert policy.pop(key) == value, key
    return old
