"""Snapshots of one seller-API issue as a seller's system polling it would have seen them.

`snapshots` rebuilds, from one final ``aliexpress.issue.detail.get`` response, the
responses the API gave on the way: one at each distinct instant of the process log,
each the payload as it stood at that instant, and last the response itself. The
sync tests import an early one and bring the order up to a later one.

What the payload says of its past, and how each snapshot takes it back:

- the process log (newest first): the entries dated at or before the instant;
- ``gmt_modified``: the instant; ``issue_status``: ``processing`` (a finished or
  cancelled issue still had its last log entry to come), except once the issue is
  over by then: a cancelled issue after its ``cancel`` entry, a finished one once a
  refund solution is reached, which a processing issue cannot show (the importer
  refuses a ``processing`` issue whose log ends the dispute). One exception to the
  exception: a log that ends in the platform's decision, in the seconds before
  ``perform_solution``, still says ``processing``, which the importer reads as
  decided; an agreement of the two sides in those seconds it refuses, so there the
  snapshot says the final status;
- the solutions created at or before the instant; one reached later waits for the
  side that has to accept it (``wait_seller_accept`` for the buyer's, and so on)
  with ``reached_time``, ``reached_type`` and the accept times not set (``""``, as
  the API writes it); one set aside (``reach_cancle``) after the instant is still
  ``reached`` (set aside at its ``gmt_modified``, or without a ``reached_time`` by
  the buyer's escalation); a ``gmt_modified`` after the instant goes back to the
  solution's last change by then (created, reached or accepted). The solutions
  carry only their current amounts, so those stay;
- the return fields (``buyer_return_no``, its carrier and logistics order, and a
  ``reverse_detail_status`` that says the return was shipped): the payload gives no
  instant for them, the importer reads them at the issue's ``gmt_modified``, so they
  appear when the snapshot's instant reaches the final ``gmt_modified``, or earlier
  when a log entry needs the return over (a platform decision after the seller
  refused the goods). Before that, an issue agreed on a return says
  ``wait_for_buyer_returnid``, and any other says nothing (``""``).

The snapshot at the last log instant is the response itself unless the response
records something later (a ``gmt_modified`` after its last entry: the return was
shipped, or its refund paid, after the log's last word).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from buyer_protection.aliexpress import parse_time

RESPONSE = "aliexpress_issue_detail_get_response"
RESULT = "result_object"
LISTS = {
    "buyer_solution_list": "wait_seller_accept",
    "seller_solution_list": "wait_buyer_accept",
    "platform_solution_list": "wait_buyer_and_seller_accept",
}
"""Each solution list -> the status of one of its solutions not reached yet."""

RETURN_FIELDS = (
    "buyer_return_no",
    "buyer_return_logistics_company",
    "buyer_return_logistics_lp_no",
)
PLATFORM_DECISIONS = ("platform_give_solution", "platform_force_reach")
"""Log entries of the platform's decision (after the seller refused the returned goods, they
need the return over)."""


def snapshots(detail: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The responses a seller's system polling the issue of *detail* would have seen.

    One per distinct instant of the process log, oldest first, each the payload as it
    stood then; the last equals *detail* (a deep copy). *detail* is not changed.
    """
    final = copy.deepcopy(dict(detail))
    issue = final[RESPONSE][RESULT]
    log = _entries(issue.get("process_dto_list"), "api_issue_process_dto")
    instants = sorted({parse_time(e["gmt_create"]) for e in log})
    modified = _time(issue.get("gmt_modified"))
    if instants and (modified is None or modified <= instants[-1]):
        instants.pop()  # the response itself is the snapshot at its last log instant
    shipped_by = _return_shipped_by(issue, log, modified)
    found = [_as_of(issue, at, final, shipped_by) for at in instants]
    found.append(final)
    return found


def holds_order(order_detail: Mapping[str, Any], detail: Mapping[str, Any]) -> bool:
    """The ``aliexpress.solution.order.get`` response holds the product line of the issue
    of *detail* (a ``child_id`` that is its ``order_id``): the two describe one order."""
    result = order_detail["aliexpress_solution_order_get_response"]["result"]
    children = {
        product.get("child_id")
        for order in _entries(result.get("target_list"), "order_dto")
        for product in _entries(order.get("product_list"), "order_product_dto")
    }
    return detail[RESPONSE][RESULT].get("order_id") in children


def _as_of(
    issue: Mapping[str, Any], at: datetime, final: Mapping[str, Any], shipped_by: datetime | None
) -> dict[str, Any]:
    """The response of *final* (whose issue is *issue*) as it stood at *at*."""
    then = copy.deepcopy(dict(issue))
    wall = _wall(issue, at)
    then["issue_status"] = "processing"
    then["gmt_modified"] = wall
    log = _entries(issue.get("process_dto_list"), "api_issue_process_dto")
    kept = [e for e in log if parse_time(e["gmt_create"]) <= at]
    then["process_dto_list"] = {"api_issue_process_dto": copy.deepcopy(kept)} if kept else {}
    for key, waiting in LISTS.items():
        solutions = [
            _solution_as_of(s, at, waiting, log)
            for s in _entries(issue.get(key), "solution_api_dto")
            if _time(s.get("gmt_create")) is None or parse_time(s["gmt_create"]) <= at
        ]
        then[key] = {"solution_api_dto": solutions} if solutions else {}
    if _over(then, at, str(issue.get("issue_status"))):
        then["issue_status"] = issue["issue_status"]
    if shipped_by is None or at < shipped_by:
        for key in RETURN_FIELDS:
            if key in then:
                then[key] = ""
        if "reverse_detail_status" in then:
            then["reverse_detail_status"] = (
                "wait_for_buyer_returnid" if _return_agreed(then) else ""
            )
    snapshot = copy.deepcopy(dict(final))
    snapshot[RESPONSE] = {**final[RESPONSE], RESULT: then}
    return snapshot


def _solution_as_of(
    solution: Mapping[str, Any], at: datetime, waiting: str, log: list[Mapping[str, Any]]
) -> dict[str, Any]:
    then = copy.deepcopy(dict(solution))
    status = solution.get("status")
    reached = _time(solution.get("reached_time"))
    if reached is None and status in ("reached", "perform"):
        reached = _time(solution.get("gmt_modified"))  # no reached_time: its last change
    if reached is not None and at < reached:
        then.update(reached_time="", reached_type="")
        if status is not None:
            then["status"] = waiting
    elif status == "reach_cancle":
        # Set aside at its last change (a reached one) or by the buyer's escalation.
        escalations = [
            parse_time(e["gmt_create"])
            for e in log
            if e.get("action_type") == "buyer_initiate_arbitration"
        ]
        aside = _time(solution.get("gmt_modified")) if reached is not None else None
        if aside is None or reached is None:
            aside = min(escalations, default=None)
        if aside is None or at < aside:
            then["status"] = "reached" if reached is not None else waiting
    for key in ("buyer_accept_time", "seller_accept_time"):
        accepted = _time(solution.get(key))
        if accepted is not None and at < accepted:
            then[key] = ""
    changed = _time(solution.get("gmt_modified"))
    if changed is not None and at < changed:
        # Its last change by then: created, or reached or accepted since.
        times = ("gmt_create", "reached_time", "buyer_accept_time", "seller_accept_time")
        known = [(parse_time(then[k]), then[k]) for k in times if _time(then.get(k)) is not None]
        then["gmt_modified"] = max(known, default=(at, ""))[1]
    return then


def _return_shipped_by(
    issue: Mapping[str, Any], log: list[Mapping[str, Any]], modified: datetime | None
) -> datetime | None:
    """The instant from which the response's return fields are shown, if they say shipped."""
    if not str(issue.get("buyer_return_no") or "").strip():
        return None
    if issue.get("reverse_detail_status") == "refund_reject":
        needed = [
            parse_time(e["gmt_create"]) for e in log if e.get("action_type") in PLATFORM_DECISIONS
        ]
        if needed:
            return min(needed)
    return modified


def _over(issue: Mapping[str, Any], at: datetime, final_status: str) -> bool:
    """The issue, as it stood at *at*, has ended as its final ``issue_status`` says."""
    if final_status == "canceled_issue":
        log = _entries(issue.get("process_dto_list"), "api_issue_process_dto")
        return any(e.get("action_type") == "cancel" for e in log)
    if final_status != "finish":
        return False
    log = _entries(issue.get("process_dto_list"), "api_issue_process_dto")
    if log and log[0].get("action_type") in PLATFORM_DECISIONS:
        return False  # processing, read as decided: the seconds before perform_solution
    return any(
        s.get("solution_type") == "refund"
        and s.get("status") in (None, "reached", "perform")
        and _time(s.get("reached_time")) is not None
        and parse_time(s["reached_time"]) <= at
        for key in LISTS
        for s in _entries(issue.get(key), "solution_api_dto")
    )


def _return_agreed(issue: Mapping[str, Any]) -> bool:
    """A return-and-refund solution of *issue* (as it stood) was reached."""
    return any(
        s.get("solution_type") == "return_and_refund" and _time(s.get("reached_time")) is not None
        for key in LISTS
        for s in _entries(issue.get(key), "solution_api_dto")
    )


def _entries(box: object, inner: str) -> list[Mapping[str, Any]]:
    if not isinstance(box, Mapping):
        return []
    items = box.get(inner)
    return list(items) if isinstance(items, list) else []


def _time(text: object) -> datetime | None:
    return parse_time(text) if isinstance(text, str) and text else None


def _wall(issue: Mapping[str, Any], at: datetime) -> str:
    """*at* as the API writes it: the log's own text for that instant."""
    for entry in _entries(issue.get("process_dto_list"), "api_issue_process_dto"):
        if parse_time(entry["gmt_create"]) == at:
            text: str = entry["gmt_create"]
            return text
    raise AssertionError(f"no log entry at {at}")
