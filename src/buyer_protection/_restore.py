"""Restoring an order from its stored document without replaying its history.

`storage.from_dict(data, verify=False)` trusts a document this library wrote: its
shape is checked (cattrs), then `restore` builds the order straight from the
document's fields, setting each private field to what `Order.replay` of the same
history would: the kept records from the history entries, each dispute's proposals,
postage payers and opening from its entries, the tracking from the observations, the
last instant and the last id from the log. Only the next automatic step is worked
out (`Order._refresh_due`), as the rules give it.

Nothing is checked against the rules here: a document that disagrees with its own
history is taken as it is. What the restoring itself cannot do (a history that does
not start with the order's ``pay`` entry, a dispute without its opening) is
`InvalidInput`, never a raw exception.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import attrs

from ._document import DisputeDocument, OrderDocument
from ._text import shown
from .assumptions import NOTHING
from .dispute import Dispute
from .errors import InvalidInput
from .history import AT, HistoryEntry, Record, record
from .order import Order
from .terms import Remedy

_by_id = attrgetter("id")
_by_at = attrgetter("at")


def restore(document: OrderDocument) -> Order:
    """The order *document* describes, as `Order.replay` of its history would rebuild
    it (for a document that agrees with its history); `InvalidInput` when it cannot be
    built at all."""
    try:
        return _restore(document)
    except InvalidInput:
        raise
    except Exception as err:  # a document that contradicts itself beyond what is checked
        raise InvalidInput(
            f"document: it cannot be restored without replaying its history "
            f"({type(err).__name__}: {shown(str(err), 200)}); load it with verify=True "
            "to find what is wrong with it"
        ) from None


def _restore(document: OrderDocument) -> Order:
    history = document.history
    if not history or history[0].action != "pay":
        found = shown(history[0].action) if history else "an empty history"
        raise InvalidInput(
            f"history[0]: expected the order's 'pay' entry, got {found}; a history starts with it"
        )
    order = Order(*(getattr(document, name) for name in _MADE_WITH))
    order._assumed = frozenset(document.assumed) if document.assumed else NOTHING
    for name in _ORDER_FIELDS:
        setattr(order, name, getattr(document, name))
    order._pay_id = history[0].id
    openings = [entry.id for entry in history if entry.action == "open_dispute"]
    if len(openings) != len(document.disputes):
        raise InvalidInput(
            f"disputes: the document has {len(document.disputes)} dispute(s) and its "
            f"history opens {len(openings)}; each dispute has its 'open_dispute' entry"
        )
    entries: list[HistoryEntry] = [*history[1:]]
    disputes = []
    for first_id, stored in zip(openings, document.disputes, strict=True):
        disputes.append(_dispute(order, stored, first_id, history))
        entries += stored.history
    entries.sort(key=_by_id)
    order._entries = [_kept(entry) for entry in entries]
    if document.disputes:
        order._earlier, order._dispute = tuple(disputes[:-1]), disputes[-1]
    last = order._entries[-1][AT] if order._entries else order.paid_at
    order._last_at = order._now = last
    if document.tracking:
        observations = [seen.entry() for seen in sorted(document.tracking, key=_by_id)]
        order._observations = observations
        # As `add_tracking` keeps them: by instant, those at one instant in the order
        # they were added (the log's order, when replayed).
        order._tracking = sorted((e.details["event"] for e in observations), key=_by_at)
        entries += observations
    ids = [entry.id for entry in entries]
    order._next_id = max(order._pay_id, *ids) if ids else order._pay_id
    order._refresh_due()
    return order


_MADE_WITH = ("order_id", "total", "paid_at", "policy")
_ORDER_FIELDS = tuple(
    f.name
    for f in attrs.fields(OrderDocument)
    if f.name in {a.name for a in attrs.fields(Order)} and f.name not in _MADE_WITH
)
"""The order's fields a document holds as they are (besides those `Order` is made with)."""


def _kept(entry: HistoryEntry) -> Record:
    """*entry* as an order keeps it."""
    return record(
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.before,
        entry.after,
        entry.details,
        entry.event_id,
    )


def _dispute(
    order: Order, stored: DisputeDocument, first_id: int, history: tuple[HistoryEntry, ...]
) -> Dispute:
    """The dispute *stored* of *order*, opened by the order's entry *first_id*."""
    opening: Any = next(entry for entry in history if entry.id == first_id)
    dispute = Dispute(
        order,
        stored.reason,
        stored.request,
        stored.opened_at,
        stored.evidence,
        stored.description,
        stored.by_platform,
        stored.state,
        stored.remedy,
        asked_postage=opening.details.get("return_postage_by"),
    )
    dispute.requested_at = stored.requested_at
    dispute.counter_offer = stored.counter_offer
    dispute.counter_remedy = stored.counter_remedy
    dispute.countered_at = stored.countered_at
    dispute._agreement = stored.agreement
    dispute.return_tracking = stored.return_tracking
    dispute.return_carrier = stored.return_carrier
    dispute.return_shipped_at = stored.return_shipped_at
    dispute.escalated_at = stored.escalated_at
    dispute.appealed_at = stored.appealed_at
    if stored.outcome is not None:
        outcome = stored.outcome
        dispute._refund, dispute._reached_by, dispute._reached_at = (
            outcome.refund,
            outcome.reached_by,
            outcome.at,
        )
    dispute._first_id = first_id
    # What only its entries say: who pays the postage of the buyer's request and of the
    # seller's counter-offer, and whether the platform's (last) decision was a refund.
    for entry in stored.history:
        action, details = entry.action, entry.details
        if action == "buyer_modify":
            dispute._asked_postage = details.get("return_postage_by")
            dispute._counter_postage = None
        elif action == "seller_reject":
            dispute._counter_postage = details.get("return_postage_by")
        elif action == "platform_decide":
            dispute._decided = details.get("remedy", Remedy.REFUND) is Remedy.REFUND
    return dispute
