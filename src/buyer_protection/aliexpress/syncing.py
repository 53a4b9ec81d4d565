"""Keeping an imported order in step with the seller API: `sync`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from .._text import kind, shown
from .._time import iso
from ..errors import InvalidAction, InvalidInput
from ..history import HistoryEntry
from ..lifecycle import ORDER, Actor
from ..order import Order
from .events import event_prefix
from .importing import import_issue
from .payload import _RESULT, _Issue, _OrderFacts, read_issue, read_order_detail

SOURCE = "aliexpress.issue.detail.get"
"""The ``source`` in the meta of the ``ship`` entry of an order the import made."""

_SAME = ("refund", "counter_offer", "remedy")  # what a matched local action must agree on


def sync(
    order: Order,
    detail: Mapping[str, object],
    *,
    order_detail: Mapping[str, object] | None = None,
    match_within: timedelta = timedelta(hours=1),
) -> tuple[HistoryEntry, ...]:
    """Bring *order*, imported from an older snapshot of an issue, up to the newer *detail*.

    *order* was made by `from_issue_detail` (then maybe acted on locally, saved and
    loaded); *detail* is a newer ``aliexpress.issue.detail.get`` response for the same
    issue. The order is changed in place: the same `Order` object, and the same
    `Dispute` objects, which now hold the rebuilt disputes. The entries of the result
    whose event ids the order did not have before are returned, oldest first
    (automatic steps, which have no event id, and the entries of an import from before
    event ids are known by action and instant). Only additions are returned: an amount
    a newer snapshot corrects, or an automatic step the API's events now prevent,
    changes without being listed.

    How: the imported part is rebuilt from *detail*, as `from_issue_detail` would
    (a newer snapshot can change what the import inferred from earlier entries), with
    the order's policy and, unless *order_detail* gives them anew, the facts it was
    imported with (what was assumed stays assumed; an *order_detail* that gives a fact
    removes it from ``order.assumed``). Then the order's local actions (tracking scans
    included: every entry whose event id is not one the import derives,
    ``aliexpress:<issue id>:...``, a prefix the caller should not use) are applied again,
    oldest first, with their event ids, and the clock is run to the order's last
    recorded change.

    - A local action that the API now reports is matched, not recorded twice: a new
      API entry of the same action and side, with the same amounts and remedy, dated at
      most *match_within* before or after the local one (a system may record its answer
      a moment after the API logged it). The API's entry is kept, under the local
      action's event id, so the order still knows that event: nothing is returned for it.
    - A local action that cannot be applied after the API's events contradicts them
      (the order has the seller's refusal where the API says the seller accepted):
      `InvalidInput` naming it.
    - A snapshot no newer than the newest the order was built from (the latest instant
      it records, kept in the ``ship`` entry's meta as ``snapshot_latest``) changes
      nothing and returns ``()``, unless it is that same snapshot given with an
      *order_detail*.
    - Checked first: the issue's identity. A snapshot of another issue or order is
      `InvalidInput`, even an older one; so is an order `from_issue_detail` did not make.

    Refused means the order is unchanged: all or nothing.

    >>> import json, pathlib
    >>> from buyer_protection.aliexpress import from_issue_detail
    >>> final = json.loads(pathlib.Path("tests/fixtures/issue_seller_refused.json").read_text())
    >>> order = from_issue_detail(final)
    >>> sync(order, final)  # the snapshot it was imported from: nothing newer
    ()
    """
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order made by from_issue_detail, got {kind(order)}")
    if not isinstance(match_within, timedelta) or match_within < timedelta(0):
        raise InvalidInput(
            f"match_within: expected a timedelta of zero or more, got {shown(match_within)}"
        )
    issue = read_issue(detail)
    ship = _imported_shipment(order)
    _check_identity(order, ship, issue)
    seen = _seen(ship)
    if seen is not None and (
        issue.latest < seen or (issue.latest == seen and order_detail is None)
    ):
        return ()
    facts = (
        read_order_detail(order_detail, issue)
        if order_detail is not None
        else _kept_facts(order, ship)
    )
    prefix = event_prefix(issue.id)
    fresh = import_issue(issue, facts, order.policy)
    local = [e for e in order.log[1:] if _is_local(e, prefix, issue.id)]
    matched = _matched(local, fresh.log, {e.event_id for e in order.log}, prefix, match_within)
    aliases = {api: local_id for _, (api, local_id) in matched.items() if local_id is not None}
    if aliases:  # the API's entries of matched local actions keep the ids the order knew
        fresh = import_issue(issue, facts, order.policy, aliases)
    for entry in local:
        if entry.id in matched:
            continue
        try:
            _reapply(fresh, entry)
        except (InvalidAction, InvalidInput) as err:
            said = "" if entry.event_id is None else f", event id {shown(entry.event_id)}"
            raise InvalidInput(
                f"the local action {entry.action} at {iso(entry.at)} (entry {entry.id}{said}) "
                f"cannot be applied after the seller API's events, which contradict it: {err}"
            ) from None
    fresh.advance(max(order.last_event_at, fresh.last_event_at))
    added = _added(order.log, fresh.log)
    order._become(fresh)
    return added


def _meta(entry: HistoryEntry) -> Mapping[str, object]:
    meta = entry.details.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def _imported_shipment(order: Order) -> HistoryEntry:
    """The ``ship`` entry `from_issue_detail` made: it says which issue the order is."""
    for entry in order.log:
        if entry.action == "ship" and _meta(entry).get("source") == SOURCE:
            return entry
    raise InvalidInput(
        f"order: {shown(order.order_id)} was not made by from_issue_detail (its ship entry "
        f"has no meta source {SOURCE!r}); sync brings an imported order up to a newer "
        "snapshot of its issue"
    )


def _check_identity(order: Order, ship: HistoryEntry, issue: _Issue) -> None:
    meta = _meta(ship)
    if meta.get("issue_id") != issue.id:
        raise InvalidInput(
            f"{_RESULT}.id: {issue.id} is not the issue the order was imported from "
            f"({shown(meta.get('issue_id'))}); sync takes a newer snapshot of the same issue"
        )
    if meta.get("order_id") != issue.order_id or order.order_id != str(issue.order_id):
        raise InvalidInput(
            f"{_RESULT}.order_id: {issue.order_id} is not the order's "
            f"({shown(order.order_id)}); sync takes a newer snapshot of the same issue"
        )


def _seen(ship: HistoryEntry) -> datetime | None:
    """The latest instant of the newest snapshot the order was built from (None: not kept)."""
    said = _meta(ship).get("snapshot_latest")
    if said is None:
        return None  # imported before it was kept
    try:
        seen = datetime.fromisoformat(str(said))
    except ValueError:
        seen = None
    if seen is None or seen.utcoffset() is None:
        raise InvalidInput(
            f"order: the ship entry's meta snapshot_latest {shown(said)} is not an ISO 8601 "
            "instant with its UTC offset (as from_issue_detail writes it)"
        )
    return seen


def _kept_facts(order: Order, ship: HistoryEntry) -> _OrderFacts | None:
    """The order detail's facts the order was imported with (None: it had none)."""
    meta = _meta(ship)
    operator = meta.get("send_goods_operator")
    if not isinstance(operator, str):
        return None
    # An import before version 4 of the document listed them in the meta only.
    listed = meta.get("assumed")
    assumed = order.assumed or frozenset(str(listed).split(", ") if listed else ())
    return _OrderFacts(
        None if "paid_at" in assumed else order.paid_at,
        None if "shipped_at" in assumed else order.shipped_at,
        None if "total" in assumed else order.total,
        None if "protection_days" in assumed else order.protection_days,
        operator == "WAREHOUSE_SEND_GOODS",
        operator,
        str(meta.get("order_detail_from", "order_detail")),
    )


def _is_local(entry: HistoryEntry, prefix: str, issue_id: int) -> bool:
    """*entry* is the order's own: not the import's, not an automatic step."""
    if entry.actor is Actor.SYSTEM:
        return False
    if entry.event_id is not None:
        return not entry.event_id.startswith(prefix)
    return _meta(entry).get("issue_id") != issue_id  # an import from before event ids


def _matched(
    local: list[HistoryEntry],
    result: tuple[HistoryEntry, ...],
    had: set[str | None],
    prefix: str,
    within: timedelta,
) -> dict[int, tuple[str, str | None]]:
    """The local entries the API now reports: each local entry's id -> the event id of the
    one new API entry it is matched to, and the local entry's own event id."""
    reported = [
        e
        for e in result
        if e.event_id is not None and e.event_id.startswith(prefix) and e.event_id not in had
    ]
    matched: dict[int, tuple[str, str | None]] = {}
    for entry in local:
        for api in reported:
            if (
                api.action == entry.action
                and api.actor is entry.actor
                and abs(api.at - entry.at) <= within
                and all(api.details.get(k) == entry.details.get(k) for k in _SAME)
            ):
                assert api.event_id is not None  # a reported entry has its derived id
                matched[entry.id] = (api.event_id, entry.event_id)
                reported.remove(api)
                break
    return matched


def _reapply(order: Order, entry: HistoryEntry) -> None:
    """Perform the local *entry* again on *order*, with its event id."""
    if entry.action == "add_tracking":
        order.add_tracking(entry.details["event"], event_id=entry.event_id)
        return
    target: object = order
    if entry.action not in ORDER.triggers:
        target = order.dispute
        if target is None:
            raise InvalidInput("there is no dispute to act on")
    getattr(target, entry.action)(entry.at, **entry.details, event_id=entry.event_id)


def _added(
    before: tuple[HistoryEntry, ...], after: tuple[HistoryEntry, ...]
) -> tuple[HistoryEntry, ...]:
    """The entries of *after* that *before* did not have: known by event id, and an entry
    without one (an automatic step; every entry of an import from before event ids) by
    its action and instant."""
    ids = {e.event_id for e in before if e.event_id is not None}
    steps = {(e.action, e.at) for e in before if e.event_id is None}
    return tuple(e for e in after[1:] if e.event_id not in ids and (e.action, e.at) not in steps)
