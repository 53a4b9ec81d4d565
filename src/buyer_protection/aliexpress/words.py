"""The seller API's words: what each value of the payload means to the import.

The lookup tables of RULES.md, section 6, and the API's times (US Pacific, no offset).
A word that steers the import and is not in its table is refused with `InvalidInput`;
the words that are only carried along (`KEPT_AS_UNKNOWN`) are kept as ``"unknown"``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, tzinfo

import attrs
from dateutil import parser as date_parser
from dateutil import tz

from .._text import kind as _typed
from .._text import shown
from ..errors import InvalidInput
from ..lifecycle import DisputeState
from ..terms import Resolution
from .returns import RETURN_STATES

_AW = DisputeState.AWAITING_SELLER
_NE = DisputeState.NEGOTIATING
_AR = DisputeState.ARBITRATION
_OPEN = frozenset({_AW, _NE, _AR})
_ANY = frozenset(DisputeState)

# -- the API's words -----------------------------------------------------------------

ISSUE_STATUSES: Mapping[str, frozenset[DisputeState]] = {
    "processing": _OPEN | RETURN_STATES,
    "canceled_issue": frozenset({DisputeState.CANCELLED}),
    "finish": frozenset({DisputeState.RESOLVED}),
}
"""``issue_status`` -> the dispute states it admits once the log is replayed."""

SOLUTION_STATUSES: Mapping[str, str] = {
    "wait_buyer_and_seller_accept": "a platform proposal both sides may accept",
    "wait_buyer_accept": "waits for the buyer (the seller's counter-proposal)",
    "wait_seller_accept": "waits for the seller (the buyer's request); stale on finished issues",
    "reached": "agreed or decided",
    "buyer_refused": "the buyer refused it",
    "seller_accept_and_buyer_refused": "a platform proposal the seller accepted, the buyer not",
    "reach_cancle": "(sic) a reached solution set aside: escalated",
    "perform": "being carried out",
}
"""A solution's ``status`` -> its meaning. Only ``reached`` and ``perform`` steer the import."""

_REACHED_STATUSES = frozenset({"reached", "perform"})

REACHED_TYPES: Mapping[str, Resolution] = {r.value: r for r in Resolution}
"""``reached_type`` -> how the outcome was reached (``seller_reponse_timeout`` sic)."""

SOLUTION_OWNERS: Mapping[str, str] = {
    "buyer": "buyer_solution_list",
    "seller": "seller_solution_list",
    "platform": "platform_solution_list",
}
"""``solution_owner`` -> the list its solutions come in."""

SOLUTION_TYPES: Mapping[str, str] = {
    "refund": "a refund; the buyer keeps the item",
    "return_and_refund": "the buyer returns the item, then is refunded",
}
"""``solution_type`` -> its meaning (kept in the history entry's meta)."""

SUBMIT_MEMBER_TYPES: Mapping[str, str] = {
    "seller": "the seller",
    "buyer": "the buyer",
    "waiter": "the marketplace's customer service",
    "system": "the marketplace's automation",
    "platform": "the marketplace",
}
"""``submit_member_type`` -> who it is. Carried along only: an unknown one is ``"unknown"``."""

RETURN_PROGRESS: tuple[str, ...] = (
    "wait_for_seller_set_return_address",
    "wait_for_buyer_returnid",
    "wait_for_seller_confirm",
    "wait_for_warehouse_confirmation",
    "wait_for_warehouse_quality_check",
    "return_success",
    "refund_success",
    "refund_reject",
)
"""``reverse_detail_status``: the return's progress. On a dispute that agreed on a return,
``wait_for_seller_confirm``, ``refund_success`` and ``refund_reject`` steer the import (each
says the return was shipped); every other word, and every word on a refund-only issue, is
carried along only."""

_BEAR_ROLES = ("seller", "buyer", "platform")
_SEND_GOODS_OPERATORS = ("SELLER_SEND_GOODS", "WAREHOUSE_SEND_GOODS")
_ORDER_ISSUE_STATUSES = ("NO_ISSUE", "IN_ISSUE", "END_ISSUE")

KEPT_AS_UNKNOWN: Mapping[str, tuple[str, ...]] = {
    "submit_member_type": tuple(SUBMIT_MEMBER_TYPES),
    "reverse_detail_status": RETURN_PROGRESS,
    "logistics_fee_bear_role (refund solutions)": _BEAR_ROLES,
    "send_goods_operator (order detail)": _SEND_GOODS_OPERATORS,
    "issue_status (order detail)": _ORDER_ISSUE_STATUSES,
}
"""Fields whose unknown values are kept as ``"unknown"``: nothing in the import depends on them."""


@attrs.frozen
class ActionType:
    """What one ``action_type`` of the process log does to the imported dispute.

    ``action`` is the library action it stands for (None: it changes nothing).
    In the states ``noted_in`` it changes nothing either: the entry is only kept,
    in the meta of the action before it (under ``"also"``). Anywhere else an
    ``action`` of None means the log contradicts itself.
    """

    action: str | None
    noted_in: frozenset[DisputeState]
    doc: str


ACTION_TYPES: Mapping[str, ActionType] = {
    "initiate": ActionType(
        "open_dispute",
        _OPEN,
        "The buyer opens the issue. The log may list it twice, seconds apart (the issue, "
        "then the buyer's solution): a repeat while the dispute is open is the same opening.",
    ),
    "cancel": ActionType("cancel", frozenset(), "The buyer cancels the issue."),
    "buyer_accept": ActionType(
        "buyer_accept",
        frozenset({_AR}),
        "The buyer accepts the seller's counter-proposal. In arbitration it accepts the "
        "platform's proposal, which the platform's decision settles.",
    ),
    "seller_accept": ActionType(
        "seller_accept",
        frozenset({_AR}),
        "The seller accepts the buyer's request. In arbitration: the platform's proposal.",
    ),
    "buyer_refuse": ActionType(None, _ANY, "The buyer refuses a solution: nothing changes."),
    "buyer_create_solution": ActionType(
        "buyer_modify",
        frozenset({_AR}),
        "The buyer states a (new) request: the seller's window starts again.",
    ),
    "buyer_modify_solution": ActionType(
        "buyer_modify",
        frozenset({_AR}),
        "The buyer changes the request: the seller's window starts again.",
    ),
    "buyer_delete_solution": ActionType(None, _ANY, "The buyer withdraws a proposal."),
    "seller_create_solution": ActionType(
        "seller_reject",
        frozenset({_NE, _AR}),
        "The seller refuses with a counter-proposal. A later one changes nothing: the "
        "solution lists carry only current amounts, so the first already has the last.",
    ),
    "seller_modify_solution": ActionType(
        "seller_reject",
        frozenset({_NE, _AR}),
        "The seller changes the counter-proposal (as seller_create_solution).",
    ),
    "seller_delete_solution": ActionType(None, _ANY, "The seller withdraws a proposal."),
    "buyer_initiate_arbitration": ActionType(
        "escalate",
        frozenset({_AR}),
        "The buyer asks the platform to decide; nothing new once the platform has it.",
    ),
    "platform_force_reach": ActionType(
        "platform_decide",
        frozenset({DisputeState.RESOLVED}),
        "The platform makes a solution binding: its decision (once decided, a repeat).",
    ),
    "platform_give_solution": ActionType(
        "platform_decide",
        frozenset({DisputeState.RESOLVED}),
        "The platform gives its solution; its decision is final (RULES.md, section 3).",
    ),
    "perform_solution": ActionType(
        None,
        frozenset({DisputeState.RESOLVED}) | RETURN_STATES,
        "The solution reached is carried out: the dispute must be resolved by then, or "
        "its return under way.",
    ),
    "fpl_authenticate": ActionType(
        None,
        _ANY,
        "The platform checks its own logistics: first thing after the opening, it marks "
        "a dispute the platform handles (no seller window).",
    ),
}
"""``action_type`` -> what the importer does with it, by the dispute's state at that instant."""

_SELLER_RESPONSES = frozenset({"seller_create_solution", "seller_modify_solution", "seller_accept"})
_PLATFORM_TAKES = frozenset(
    {"fpl_authenticate", "platform_give_solution", "platform_force_reach",
     "buyer_initiate_arbitration"}
)  # fmt: skip
_BUYER_REQUESTS = frozenset({"buyer_create_solution", "buyer_modify_solution"})

# -- times ---------------------------------------------------------------------------

_zone = tz.gettz("America/Los_Angeles")
if _zone is None:  # pragma: no cover - dateutil ships its own zone data
    raise ImportError("the time zone America/Los_Angeles is not available")
PACIFIC: tzinfo = _zone
"""US Pacific time, the zone of every time the seller API writes."""

_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
_API_FORMAT = "'yyyy-MM-dd HH:mm:ss' (US Pacific, no offset)"
_LISTED = 10  # the most problems or keys one message lists


def parse_time(text: str) -> datetime:
    """A seller-API time (``"yyyy-MM-dd HH:mm:ss"``, US Pacific, no offset) as a UTC instant.

    A wall time that the change to daylight saving time skipped is refused with
    `InvalidInput`; one that the change back repeats is read as its first
    occurrence (daylight time), which is all the API's format can say.

    >>> parse_time("2026-03-05 10:00:00")
    datetime.datetime(2026, 3, 5, 18, 0, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise InvalidInput(f"{shown(text)} is not a time in the API's format {_API_FORMAT}")
    try:
        local = date_parser.isoparse(text).replace(tzinfo=PACIFIC)
        if not tz.datetime_exists(local):
            raise InvalidInput(
                f"{shown(text)} does not exist in US Pacific time "
                "(the clocks skipped it when daylight saving time began)"
            )
        return local.astimezone(UTC)
    except (ValueError, OverflowError) as err:
        if isinstance(err, InvalidInput):
            raise
        raise InvalidInput(f"{shown(text)} is not a valid date and time: {err}") from None


def _pacific(at: datetime) -> str:
    return at.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S %Z")


def _kind(value: object) -> str:
    return "null" if value is None else _typed(value)


def _one_of(known: Collection[str]) -> str:
    return "one of " + ", ".join(repr(k) for k in known)
