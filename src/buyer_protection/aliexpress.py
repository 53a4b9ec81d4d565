"""Import a dispute from the AliExpress seller API, with the deadlines the API never gives.

``aliexpress.issue.detail.get`` returns an issue (the API's word for a dispute) as
statuses, solutions and a process log of who did what, in US Pacific time without an
offset, and no deadline at all. `from_issue_detail` replays that log through this
library's own lifecycle, so that ``order.next_deadline`` tells a seller when its five
days end and what happens then.

The API's words are the lookup tables below (RULES.md, section 6): `ISSUE_STATUSES`,
`SOLUTION_STATUSES`, `REACHED_TYPES`, `ACTION_TYPES`, `SUBMIT_MEMBER_TYPES`,
`SOLUTION_OWNERS`, `SOLUTION_TYPES`. A word that steers the import and is not in its
table is refused with `InvalidInput`; the words that are only carried along
(`KEPT_AS_UNKNOWN`) are kept as ``"unknown"`` instead, so that a newer API version
does not break an import it cannot affect.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, InvalidOperation
from itertools import islice
from typing import NoReturn, TypedDict

import attrs
from dateutil import parser as date_parser
from dateutil import tz

from ._aliexpress_returns import RETURN_STATES, ReturnFacts, ReturnSteps, read_return_facts
from ._text import kind as _typed
from ._text import shown
from .dispute import Dispute
from .errors import InvalidAction, InvalidInput
from .lifecycle import Actor, DisputeState
from .money import Money
from .order import Order
from .policy import ALIEXPRESS, Policy
from .terms import Reason, Remedy, Resolution

__all__ = [
    "ACTION_TYPES",
    "ISSUE_STATUSES",
    "KEPT_AS_UNKNOWN",
    "PACIFIC",
    "REACHED_TYPES",
    "RETURN_PROGRESS",
    "SOLUTION_OWNERS",
    "SOLUTION_STATUSES",
    "SOLUTION_TYPES",
    "SUBMIT_MEMBER_TYPES",
    "ActionType",
    "from_issue_detail",
    "parse_time",
]

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
_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,6})?")
_DAYS = re.compile(r"[0-9]{1,5}")
_API_FORMAT = "'yyyy-MM-dd HH:mm:ss' (US Pacific, no offset)"
_LONG = -(2**63)  # the API's ids are Java longs
_LISTED = 10  # the most problems or keys one message lists
_RATES = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])


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


# -- reading the JSON, every problem at once ------------------------------------------


class _Reader:
    """Reads JSON values at paths and collects every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")

    def check(self, what: str) -> None:
        if self.problems:
            _refuse(self.problems, what)

    def obj(self, value: object, path: str) -> Mapping[str, object] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, f"expected an object, got {_kind(value)}")
        return None

    def integer(
        self, obj: Mapping[str, object], key: str, path: str, *, required: bool
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", f"expected a number, got {_kind(value)}")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not _LONG <= value < -_LONG:
            self.problem(
                f"{path}.{key}",
                f"expected a whole number (an id, a signed 64-bit integer), got {_kind(value)}",
            )
            return None
        return value

    def text(self, obj: Mapping[str, object], key: str, path: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"expected a string, got {_kind(value)}")
            return ""
        return value

    def flag(self, obj: Mapping[str, object], key: str, path: str) -> bool:
        value = obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", f"expected true or false, got {_kind(value)}")
            return False
        return value

    def time(
        self, obj: Mapping[str, object], key: str, path: str, *, required: bool = False
    ) -> datetime | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.problem(f"{path}.{key}", f"{shown(value)} is not set; expected {_API_FORMAT}")
            return None
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"expected a time {_API_FORMAT}, got {_kind(value)}")
            return None
        try:
            return parse_time(value)
        except InvalidInput as err:
            self.problem(f"{path}.{key}", str(err))
            return None

    def word(
        self,
        obj: Mapping[str, object],
        key: str,
        path: str,
        known: Collection[str],
        *,
        required: bool,
        keep_unknown: bool = False,
    ) -> str | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.problem(
                    f"{path}.{key}", f"{shown(value)} is not set; expected {_one_of(known)}"
                )
            return None
        if isinstance(value, str) and value in known:
            return value
        if keep_unknown and isinstance(value, str):
            return "unknown"
        self.problem(f"{path}.{key}", f"{shown(value)} is not {_one_of(known)}")
        return None

    def money(self, obj: Mapping[str, object], key: str, path: str) -> Money | None:
        """The amount at *key* with its currency at ``key + "_currency"``, or None if not set."""
        return self._money(
            obj.get(key), obj.get(f"{key}_currency"), f"{path}.{key}", f"{path}.{key}_currency"
        )

    def money_object(self, obj: Mapping[str, object], key: str, path: str) -> Money | None:
        """An order-detail amount: ``{"currency_code": "USD", "amount": "1.01"}``."""
        value = obj.get(key)
        if value is None:
            return None
        inner = self.obj(value, f"{path}.{key}")
        if inner is None:
            return None
        where = f"{path}.{key}"
        return self._money(
            inner.get("amount"), inner.get("currency_code"), f"{where}.amount",
            f"{where}.currency_code",
        )  # fmt: skip

    def _money(
        self, amount: object, currency: object, path: str, currency_path: str
    ) -> Money | None:
        if amount is None or amount == "":
            return None
        if not isinstance(amount, str) or not _AMOUNT.fullmatch(amount):
            self.problem(
                path,
                f"{shown(amount)} is not an amount as the API writes it (a string like '407.47')",
            )
            return None
        if not isinstance(currency, str) or not currency:
            self.problem(
                currency_path, f"{shown(currency)}: the amount {shown(amount)} needs its currency"
            )
            return None
        try:
            code = Money.zero(currency).currency
        except InvalidInput as err:
            self.problem(currency_path, str(err).removeprefix("currency: "))
            return None
        try:
            return Money(amount, code)
        except InvalidInput:  # the API writes its amounts exactly: never round one
            self.problem(path, f"{shown(amount)} has more decimals than {code} has")
            return None

    def wrapped(
        self, obj: Mapping[str, object], key: str, inner: str, path: str
    ) -> list[tuple[str, Mapping[str, object]]]:
        """The items of a list the API wraps once more: ``{inner: [...]}``, or ``{}`` if empty."""
        value = obj.get(key)
        if value is None:
            return []
        box = self.obj(value, f"{path}.{key}")
        if not box:
            return []
        items = box.get(inner)
        if not isinstance(items, list):
            self.problem(
                f"{path}.{key}",
                f"expected {{}} or {{{inner!r}: [...]}}, got {_kind(value)}",
            )
            return []
        found = []
        for i, item in enumerate(items):
            where = f"{path}.{key}.{inner}[{i}]"
            entry = self.obj(item, where)
            if entry is not None:
                found.append((where, entry))
        return found


class _Proposal(TypedDict, total=False):
    remedy: Remedy
    return_postage_by: Actor | None


def _proposed(solution: _Solution | None) -> _Proposal:
    """The remedy and postage payer a solution proposes, as a proposal action takes them."""
    if solution is None:
        return {}
    return {"remedy": solution.remedy, "return_postage_by": solution.postage}


def _refuse(problems: Sequence[str], what: str) -> NoReturn:
    raise InvalidInput.listing(problems, f"problems in {what}")


def _keys(obj: Mapping[object, object]) -> str:
    """The first keys of *obj*, for a message."""
    keys = [shown(k, 40) for k in islice(obj, _LISTED)]
    more = f", ... ({len(obj) - len(keys)} more)" if len(obj) > len(keys) else ""
    return f"[{', '.join(keys)}{more}]"


# -- the issue, as read --------------------------------------------------------------


@attrs.frozen
class _Solution:
    path: str
    id: int
    owner: str
    type: str
    status: str | None
    is_default: bool
    content: str
    local: Money | None
    post: Money | None
    created: datetime | None
    modified: datetime | None
    reached_time: datetime | None
    reached_type: Resolution | None
    logistics_fee_bear_role: str

    @property
    def remedy(self) -> Remedy:
        return Remedy(self.type)

    @property
    def postage(self) -> Actor | None:
        """Who pays a return's postage, if the solution says (None: not given)."""
        bear = self.logistics_fee_bear_role
        return Actor(bear) if self.type == "return_and_refund" and bear else None

    @property
    def reached(self) -> bool:
        """The solution says it was reached (a platform solution may have no status)."""
        return self.reached_type is not None and (
            self.status is None or self.status in _REACHED_STATUSES
        )


@attrs.frozen
class _Entry:
    path: str
    index: int
    id: int | None
    at: datetime
    raw_at: str
    action_type: str
    member: str
    content: str
    receive_goods: bool
    evidence: tuple[str, ...]


@attrs.frozen
class _Issue:
    id: int
    order_id: int
    parent_order_id: int | None
    status: str
    reason_id: int | None
    created: datetime
    currency: str
    refund_max: Money | None
    product_price: Money | None
    reverse_detail_status: str
    solutions: tuple[_Solution, ...]
    log: tuple[_Entry, ...]
    latest: datetime
    returned: ReturnFacts


@attrs.frozen
class _OrderFacts:
    paid_at: datetime | None
    shipped_at: datetime | None
    total: Money | None
    protection_days: int | None
    by_platform: bool
    send_goods_operator: str
    path: str


_RESULT = "result_object"
_LOG = f"{_RESULT}.process_dto_list.api_issue_process_dto"


def _read_issue(detail: object) -> _Issue:
    if not isinstance(detail, Mapping):
        hint = (
            " (parse the JSON text first, e.g. with json.loads)" if isinstance(detail, str) else ""
        )
        raise InvalidInput(
            f"detail: expected the parsed JSON object of the response, got {_kind(detail)}{hint}"
        )
    if "error_response" in detail:
        error = detail["error_response"]
        if isinstance(error, Mapping):
            said = ", ".join(
                f"{k} {shown(error[k])}"
                for k in ("code", "msg", "sub_code", "sub_msg")
                if k in error
            )
        else:
            said = shown(error)
        raise InvalidInput(f"error_response: the API answered with an error, not an issue: {said}")
    read = _Reader()
    wrapper = detail.get("aliexpress_issue_detail_get_response")
    if wrapper is None:
        raise InvalidInput(
            "detail: expected {'aliexpress_issue_detail_get_response': {'result_object': ...}} "
            f"or {{'error_response': ...}}, got the keys {_keys(detail)}"
        )
    box = read.obj(wrapper, "aliexpress_issue_detail_get_response")
    result = read.obj(box.get(_RESULT) if box is not None else None, _RESULT)
    read.check("the issue detail")
    assert result is not None
    r = _RESULT
    issue_id = read.integer(result, "id", r, required=True)
    order_id = read.integer(result, "order_id", r, required=True)
    parent = read.integer(result, "parent_order_id", r, required=False)
    status = read.word(result, "issue_status", r, ISSUE_STATUSES, required=True)
    reason_id = read.integer(result, "issue_reason_id", r, required=False)
    created = read.time(result, "gmt_create", r, required=True)
    refund_max = read.money(result, "refund_money_max", r)
    read.money(result, "refund_money_max_local", r)
    price = read.money(result, "product_price", r)
    reverse = read.word(
        result, "reverse_detail_status", r, RETURN_PROGRESS, required=False, keep_unknown=True
    )
    solutions = []
    for owner, list_key in SOLUTION_OWNERS.items():
        for path, raw in read.wrapped(result, list_key, "solution_api_dto", r):
            solution = _read_solution(read, raw, path, owner)
            if solution is not None:
                solutions.append(solution)
    entries = [
        _read_entry(read, raw, path, i)
        for i, (path, raw) in enumerate(
            read.wrapped(result, "process_dto_list", "api_issue_process_dto", r)
        )
    ]
    currency = _order_currency(read, refund_max, solutions)
    returned = read_return_facts(read, result, r, reverse or "")
    read.check("the issue detail")
    assert issue_id is not None
    assert order_id is not None
    assert status is not None
    assert created is not None
    assert currency is not None
    log = [e for e in entries if e is not None]
    # Newest first in the payload: reversed, entries of one instant keep the API's order.
    log.reverse()
    log.sort(key=lambda e: e.at)
    instants = [created, *(e.at for e in log)]
    if returned.modified is not None:
        instants.append(returned.modified)
    for s in solutions:
        instants.extend(t for t in (s.created, s.modified, s.reached_time) if t is not None)
    return _Issue(
        issue_id,
        order_id,
        parent,
        status,
        reason_id,
        created,
        currency,
        refund_max,
        price,
        reverse or "",
        tuple(solutions),
        tuple(log),
        max(instants),
        returned,
    )


def _order_currency(
    read: _Reader, refund_max: Money | None, solutions: list[_Solution]
) -> str | None:
    """The order's currency: ``refund_money_max_currency``, else the solutions' order amounts."""
    currency = refund_max.currency if refund_max is not None else None
    source = f"{_RESULT}.refund_money_max_currency"
    for s in solutions:
        if s.post is None:
            continue
        if currency is None:
            currency, source = s.post.currency, f"{s.path}.refund_money_post_currency"
        elif s.post.currency != currency:
            read.problem(
                f"{s.path}.refund_money_post_currency",
                f"{shown(s.post.currency)} is not the order's currency {shown(currency)} "
                f"(from {source})",
            )
    if currency is None and not read.problems:
        read.problem(
            f"{_RESULT}.refund_money_max",
            "not set, and no solution gives an amount in the order's currency (refund_money_post)",
        )
    return currency


def _read_solution(
    read: _Reader, raw: Mapping[str, object], path: str, listed_as: str
) -> _Solution | None:
    solution_id = read.integer(raw, "id", path, required=True)
    owner = read.word(raw, "solution_owner", path, SOLUTION_OWNERS, required=True)
    if owner is not None and owner != listed_as:
        read.problem(
            f"{path}.solution_owner",
            f"{shown(owner)} in {SOLUTION_OWNERS[listed_as]} (expected {listed_as!r})",
        )
    kind = read.word(raw, "solution_type", path, SOLUTION_TYPES, required=True)
    status = read.word(raw, "status", path, SOLUTION_STATUSES, required=False)
    reached = read.word(raw, "reached_type", path, REACHED_TYPES, required=False)
    # The postage payer steers the import on a return only: elsewhere it is carried along.
    bear = read.word(
        raw, "logistics_fee_bear_role", path, _BEAR_ROLES, required=False,
        keep_unknown=kind != "return_and_refund",
    )  # fmt: skip
    read.integer(raw, "issue_id", path, required=False)
    read.integer(raw, "order_id", path, required=False)
    for key in ("buyer_accept_time", "seller_accept_time"):
        read.time(raw, key, path)
    solution = _Solution(
        path,
        solution_id or 0,
        owner or listed_as,
        kind or "refund",
        status,
        read.flag(raw, "is_default", path),
        read.text(raw, "content", path),
        read.money(raw, "refund_money", path),
        read.money(raw, "refund_money_post", path),
        read.time(raw, "gmt_create", path),
        read.time(raw, "gmt_modified", path),
        read.time(raw, "reached_time", path),
        None if reached is None else REACHED_TYPES[reached],
        bear or "",
    )
    return None if solution_id is None else solution


def _read_entry(read: _Reader, raw: Mapping[str, object], path: str, index: int) -> _Entry | None:
    at = read.time(raw, "gmt_create", path, required=True)
    action = read.word(raw, "action_type", path, ACTION_TYPES, required=True)
    member = read.word(
        raw, "submit_member_type", path, SUBMIT_MEMBER_TYPES, required=False, keep_unknown=True
    )
    entry_id = read.integer(raw, "id", path, required=False)
    read.integer(raw, "issue_id", path, required=False)
    read.flag(raw, "has_buyer_video", path)
    read.flag(raw, "has_seller_video", path)
    evidence = []
    for where, attachment in read.wrapped(raw, "attachments", "api_attachment_dto", path):
        file_path = attachment.get("file_path")
        if not isinstance(file_path, str) or not file_path:
            read.problem(
                f"{where}.file_path", f"expected a non-empty string, got {_kind(file_path)}"
            )
        else:
            evidence.append(file_path)
    content = read.text(raw, "content", path)
    receive_goods = read.flag(raw, "receive_goods", path)
    if at is None or action is None:
        return None
    raw_at = raw["gmt_create"]
    assert isinstance(raw_at, str)
    return _Entry(
        path, index, entry_id, at, raw_at, action, member or "unknown", content,
        receive_goods, tuple(evidence),
    )  # fmt: skip


def _read_order_detail(order_detail: object, issue: _Issue) -> _OrderFacts:
    top = "order_detail"
    if not isinstance(order_detail, Mapping):
        raise InvalidInput(f"{top}: expected the parsed JSON object, got {_kind(order_detail)}")
    if "error_response" in order_detail:
        raise InvalidInput(
            f"{top}.error_response: the API answered with an error, not an order: "
            f"{shown(order_detail['error_response'])}"
        )
    read = _Reader()
    wrapper = read.obj(
        order_detail.get("aliexpress_solution_order_get_response"),
        f"{top}.aliexpress_solution_order_get_response",
    )
    result = read.obj(wrapper.get("result") if wrapper else None, f"{top}.result")
    read.check("the order detail")
    assert result is not None
    orders = [
        (path, order, read.wrapped(order, "product_list", "order_product_dto", path))
        for path, order in read.wrapped(result, "target_list", "order_dto", f"{top}.result")
    ]
    read.check("the order detail")
    # The issue is about one product line (a child order): find it by child_id, else take
    # the first product of the order with the issue's order id or parent order id.
    found = next(
        (
            (path, order, product_path, product)
            for path, order, products in orders
            for product_path, product in products
            if product.get("child_id") == issue.order_id
        ),
        None,
    ) or next(
        (
            (path, order, *products[0])
            for path, order, products in orders
            if products and order.get("order_id") in (issue.order_id, issue.parent_order_id)
        ),
        None,
    )
    if found is None:
        raise InvalidInput(
            f"{top}.result.target_list.order_dto: no order has a product with child_id "
            f"{issue.order_id} (the issue's order_id), nor order_id {issue.parent_order_id}"
        )
    path, order, product_path, product = found
    paid = read.time(order, "gmt_pay_time", path)
    shipped = read.time(product, "send_goods_time", product_path) or read.time(
        order, "gmt_send_goods_time", path
    )
    amount = read.money_object(product, "total_product_amount", product_path)
    freight = read.money_object(product, "logistics_amount", product_path)
    if amount is not None and freight is not None and freight.currency == amount.currency:
        amount = amount + freight
    operator = read.word(
        product, "send_goods_operator", product_path, _SEND_GOODS_OPERATORS,
        required=False, keep_unknown=True,
    )  # fmt: skip
    read.word(
        product, "issue_status", product_path, _ORDER_ISSUE_STATUSES,
        required=False, keep_unknown=True,
    )  # fmt: skip
    days = product.get("freight_commit_day")
    protection: int | None = None
    if isinstance(days, str) and _DAYS.fullmatch(days) and int(days) > 0:
        protection = int(days)
    elif days not in (None, ""):
        read.problem(
            f"{product_path}.freight_commit_day",
            f"{shown(days)} is not a number of days written as a string (like '60')",
        )
    if amount is not None and amount.currency != issue.currency:
        read.problem(
            f"{product_path}.total_product_amount.currency_code",
            f"{shown(amount.currency)} is not the issue's order currency {shown(issue.currency)}",
        )
    read.check("the order detail")
    return _OrderFacts(
        paid,
        shipped,
        amount if amount else None,
        protection,
        operator == "WAREHOUSE_SEND_GOODS",
        operator or "unknown",
        product_path,
    )


# -- replaying the log ---------------------------------------------------------------


def from_issue_detail(
    detail: Mapping[str, object],
    *,
    order_detail: Mapping[str, object] | None = None,
    policy: Policy = ALIEXPRESS,
) -> Order:
    """The `Order` whose ``dispute`` is the issue of an ``aliexpress.issue.detail.get`` response.

    *detail* is the parsed JSON of the whole response, wrapper included;
    *order_detail*, when given, the parsed ``aliexpress.solution.order.get``
    response holding the issue's order. The process log is replayed, oldest first
    (entries of one instant in the reverse of the API's newest-first order), through
    the public actions, so the dispute's state, deadline and outcome are this
    library's rules under *policy*. Each action's history entry keeps the API's own
    facts in ``details["meta"]``: ``issue_id``, ``process`` (the entry's path),
    ``process_id``, ``action_type``, ``submit_member_type``, ``gmt_create`` (as the
    API wrote it), and for amounts ``solution_id``, ``solution_owner``,
    ``solution_type`` and ``local_amount`` (the buyer's currency, as `Money`); log
    entries that changed nothing are listed under ``also`` in the meta of the action
    before them. The lifecycle runs in the order's currency (``refund_money_post``).

    What the issue does not say, and what the importer assumes:

    - payment and shipment times, the amount paid, the protection days, whether the
      platform shipped: from *order_detail* (``gmt_pay_time``, the product's
      ``send_goods_time``, ``total_product_amount`` + ``logistics_amount``,
      ``freight_commit_day``, ``send_goods_operator`` ``WAREHOUSE_SEND_GOODS``).
      Without it, payment and shipment are put at the latest instant consistent
      with the log (the dispute's opening), the protection days are the policy's,
      and the amount paid is the largest the issue names (``refund_money_max``,
      ``product_price``, the solutions' amounts): a lower bound. The ship entry's
      meta lists what was ``assumed``.
    - the rules the marketplace enforced before accepting the issue are not checked
      again: the order's policy is *policy* with ``earliest_not_received`` zero,
      ``wait_for_promised_delivery``, ``evidence_required_when_received`` off, and
      ``processing_time`` widened when the shipment came later than it allows.
    - the amount the buyer first asked: the solutions carry only their current
      amounts, so the opening and every change of request use the buyer solution's
      current one (none at all: a full refund). The reason is "not received"
      unless the opening entry says ``receive_goods``; ``issue_reason_id`` is kept
      in the meta.
    - a platform solution without ``refund_money_post``: converted from its local
      amount at the rate another solution of the issue shows, rounded half to even
      with `Money.rounded`. Every amount the payload gives is taken exactly.
    - the platform handles the dispute (no seller window) when *order_detail* says
      the platform shipped, or when the first answer to the buyer's request within
      the seller's window is the platform's or the buyer's escalation
      (``fpl_authenticate``, ``platform_give_solution``, ``platform_force_reach``,
      ``buyer_initiate_arbitration``).
    - a log that stops before the agreement or decision a reached solution reports
      (processing or finished): the order is brought up to its ``reached_time``, so
      that a seller timeout it reports fires by the policy's clock; a consensus or a
      platform decision is taken at that instant (meta ``implied_by`` the solution's
      ``reached_type``). A finished issue with no reached solution: a dispute
      awaiting the seller ended when the seller's window closed, one in arbitration
      by the platform's solution. A cancelled issue whose log has no ``cancel`` was
      cancelled at its last log entry.
    - a return: a ``return_and_refund`` solution proposes one (its
      ``logistics_fee_bear_role`` the postage payer; empty: not given). Once agreed, the
      issue's ``buyer_return_no`` ships it and ``reverse_detail_status`` says the
      seller's answer (``refund_success``, ``refund_reject``), at the issue's
      ``gmt_modified``, kept within the policy's return windows (the seller-API page,
      "Returns", says how); the meta says ``implied_by``, ``assumed`` and ``at_from``.

    Whatever the ``issue_status``, the order is brought up to the last instant the
    payload records (the latest of its log entries, the solutions' times and
    ``gmt_modified``) and no further, the policy's automatic steps firing on the way:
    call ``order.advance(now)`` to see it as of now. A ``processing`` issue that the
    log, a reached solution, the return fields (``refund_success``) or one of those
    steps ends by then is refused.

    `InvalidInput` names every field path and value that is wrong: an unknown word
    where it steers the import, money that does not parse or needs rounding, an id
    beyond 64 bits, a time not in the API's format, and a log that contradicts itself
    or *policy* (for example a seller action after the seller's window closed under
    *policy*).

    >>> import json, pathlib
    >>> detail = json.loads(pathlib.Path("tests/fixtures/issue_awaiting_seller.json").read_text())
    >>> from_issue_detail(detail).next_deadline.action
    'seller_timeout'
    """
    if not isinstance(policy, Policy):
        raise InvalidInput(f"policy: expected a Policy, got {_kind(policy)}")
    issue = _read_issue(detail)
    facts = None if order_detail is None else _read_order_detail(order_detail, issue)
    try:
        # Pass one finds which log entries change nothing; pass two files them in the meta.
        first = _Replay(issue, facts, policy, {})
        first.run()
        second = _Replay(issue, facts, policy, first.noted)
        second.run()
    except OverflowError:
        raise InvalidInput(
            f"{_RESULT}: a time or a number of days is too large to compute deadlines with"
        ) from None
    return second.order


_IMPLIED = -1  # the key of the opening when the log has no initiate first


def _set_aside(reached: _Solution, dispute: Dispute) -> bool:
    """*reached* is the agreement that the seller's refusal of the returned goods set aside."""
    refused = [e.at for e in dispute.history if e.action == "refuse_return"]
    return bool(refused) and (reached.reached_time is None or reached.reached_time <= refused[-1])


class _Replay:
    """One run of the issue's log through an `Order`."""

    def __init__(
        self,
        issue: _Issue,
        facts: _OrderFacts | None,
        policy: Policy,
        also: Mapping[int, Sequence[str]],
    ) -> None:
        self.issue = issue
        self.facts = facts
        self.policy = policy
        self.also = also
        self.noted: dict[int, list[str]] = {}
        self.last_key = _IMPLIED
        self.amount_from: _Solution | None = None  # where the current action's amount comes from
        log = issue.log
        starts = bool(log) and log[0].action_type == "initiate"
        self.opening: _Entry | None = log[0] if starts else None
        self.opened_at = log[0].at if starts else issue.created
        if log and log[0].at < self.opened_at:
            first = log[0]
            raise InvalidInput(
                f"{first.path}.gmt_create: {shown(first.raw_at)} ({first.action_type}) is before "
                f"the issue was created ({_RESULT}.gmt_create {_pacific(issue.created)})"
            )
        self.order = self._new_order()
        self.returns = ReturnSteps(issue.returned, issue.id, issue.latest, _RESULT, _pacific)

    # -- the order before the dispute ------------------------------------------------

    def _new_order(self) -> Order:
        issue, facts, policy = self.issue, self.facts, self.policy
        assumed: list[str] = []
        shipped = facts.shipped_at if facts else None
        if shipped is None:
            shipped = self.opened_at
            assumed.append("shipped_at")
        elif shipped > self.opened_at:
            raise InvalidInput(
                f"{facts.path if facts else ''}.send_goods_time: shipped at {_pacific(shipped)}, "
                f"after the dispute was opened at {_pacific(self.opened_at)}"
            )
        paid = facts.paid_at if facts else None
        if paid is None:
            paid = shipped
            assumed.append("paid_at")
        elif paid > shipped:
            raise InvalidInput(
                f"order_detail: paid at {_pacific(paid)} (gmt_pay_time), "
                f"after the shipment at {_pacific(shipped)}"
            )
        total, total_from = self._total()
        if facts is None or facts.total is None:
            assumed.append("total")
        protection = facts.protection_days if facts else None
        if protection is None:
            assumed.append("protection_days")
        relaxed = attrs.evolve(
            policy,
            earliest_not_received=timedelta(0),
            wait_for_promised_delivery=False,
            evidence_required_when_received=False,
            processing_time=max(policy.processing_time, shipped - paid + timedelta(seconds=1)),
        )
        order = Order(str(issue.order_id), total, paid, relaxed)
        platform, because = self._platform_handled()
        meta: dict[str, object] = {
            "source": "aliexpress.issue.detail.get",
            "issue_id": issue.id,
            "order_id": issue.order_id,
            "assumed": ", ".join(assumed),
            "total_from": total_from,
        }
        if issue.parent_order_id is not None:
            meta["parent_order_id"] = issue.parent_order_id
        if facts is not None:
            meta["send_goods_operator"] = facts.send_goods_operator
        if platform:
            meta["by_platform_from"] = because
        order.ship(
            shipped,
            protection_days=protection,
            promised_days=protection,
            by_platform=platform,
            meta=meta,
        )
        return order

    def _total(self) -> tuple[Money, str]:
        issue, facts = self.issue, self.facts
        if facts is not None and facts.total is not None:
            return facts.total, f"{facts.path}.total_product_amount"
        candidates: list[tuple[Money, str]] = []
        if issue.refund_max is not None:
            candidates.append((issue.refund_max, f"{_RESULT}.refund_money_max"))
        if issue.product_price is not None and issue.product_price.currency == issue.currency:
            candidates.append((issue.product_price, f"{_RESULT}.product_price"))
        candidates.extend(
            (s.post, f"{s.path}.refund_money_post") for s in issue.solutions if s.post is not None
        )
        best = max(candidates, key=lambda c: c[0].amount, default=None)
        if best is None or not best[0]:
            raise InvalidInput(
                f"{_RESULT}.refund_money_max: no amount above zero in {issue.currency} "
                "(refund_money_max, product_price, the solutions' refund_money_post) "
                "tells what was paid; pass order_detail"
            )
        return best

    def _platform_handled(self) -> tuple[bool, str]:
        if self.facts is not None and self.facts.by_platform:
            return True, f"{self.facts.path}.send_goods_operator"
        start = self.opened_at
        window = self.policy.seller_response_window
        for entry in self.issue.log:
            if entry is self.opening or entry.action_type == "initiate":
                continue
            if entry.at >= start + window:
                break
            if entry.action_type in _PLATFORM_TAKES:
                return True, f"{entry.path}.action_type"
            if entry.action_type in _BUYER_REQUESTS:
                start = entry.at
            elif entry.action_type in _SELLER_RESPONSES or entry.action_type == "cancel":
                break
        return False, ""

    # -- the log -----------------------------------------------------------------------

    def run(self) -> None:
        if self.opening is None:
            self._open(None)
        for entry in self.issue.log:
            self._replay(entry)
        self._end()

    @property
    def dispute(self) -> Dispute:
        dispute = self.order.dispute
        assert dispute is not None  # the opening is always the first step
        return dispute

    def _replay(self, entry: _Entry) -> None:
        order = self.order
        meaning = ACTION_TYPES[entry.action_type]
        self.returns.advance(order, entry.at, meaning.noted_in, entry.path)
        if entry is self.opening:
            self.last_key = entry.index
            self._open(entry)
            return
        dispute = self.dispute
        state = dispute.state
        if state in meaning.noted_in:
            self.noted.setdefault(self.last_key, []).append(
                f"{entry.path}: {entry.action_type} by {entry.member} at {entry.raw_at}"
            )
            return
        if meaning.action is None or meaning.action == "open_dispute":
            raise InvalidInput(
                f"{entry.path}.action_type: {shown(entry.action_type)} at {shown(entry.raw_at)} "
                f"while the dispute is {state.value}{self._why(dispute)}"
            )
        self.last_key = entry.index
        self.amount_from = None
        try:
            self._act(meaning.action, entry, dispute)
        except (InvalidAction, InvalidInput) as err:
            raise self._refused(entry, dispute, err) from err

    def _act(self, action: str, entry: _Entry, dispute: Dispute) -> None:
        at = entry.at
        meta = self._meta(entry)
        if action == "cancel":
            dispute.cancel(at, meta=meta)
        elif action == "escalate":
            dispute.escalate(at, meta=meta)
        elif action == "seller_accept":
            self._with(meta, self._pick("buyer", at))
            dispute.seller_accept(at, meta=meta)
        elif action == "buyer_accept":
            self._with(meta, self._pick("seller", at))
            dispute.buyer_accept(at, meta=meta)
        elif action == "buyer_modify":
            solution = self._pick("buyer", at)
            self.amount_from = solution
            refund = self._amount(solution) if solution else self.order.refundable
            self._with(meta, solution)
            dispute.buyer_modify(at, refund=refund, **_proposed(solution), meta=meta)
        elif action == "seller_reject":
            solution = self.amount_from = self._need(self._pick("seller", at), entry, "seller")
            self._with(meta, solution)
            offer = self._amount(solution)
            dispute.seller_reject(at, counter_offer=offer, **_proposed(solution), meta=meta)
        else:
            assert action == "platform_decide"
            solution = self.amount_from = self._need(self._decision(at), entry, "platform")
            self._with(meta, solution)
            refund = self._amount(solution)
            dispute.platform_decide(at, refund=refund, **_proposed(solution), meta=meta)

    def _open(self, entry: _Entry | None) -> None:
        issue = self.issue
        at = entry.at if entry is not None else self.opened_at
        solution = self._pick("buyer", at)
        meta = self._meta(entry)
        meta["order_id"] = issue.order_id
        if issue.reverse_detail_status:
            meta["reverse_detail_status"] = issue.reverse_detail_status
        if issue.parent_order_id is not None:
            meta["parent_order_id"] = issue.parent_order_id
        if issue.reason_id is not None:
            meta["issue_reason_id"] = issue.reason_id
        self._with(meta, solution)
        if solution is None:
            meta["assumed"] = "refund"
        # A repeated initiate is the same opening: what any of them says belongs to it.
        said = [e for e in issue.log if e.action_type == "initiate"]
        received = any(e.receive_goods for e in said)
        evidence = tuple(dict.fromkeys(f for e in said for f in e.evidence))
        description = next((e.content for e in said if e.content), "")
        meta["receive_goods"] = received
        try:
            refund = self._amount(solution) if solution else self.order.refundable
            self.order.open_dispute(
                at,
                reason=Reason.NOT_AS_DESCRIBED if received else Reason.NOT_RECEIVED,
                refund=refund,
                **_proposed(solution),
                evidence=evidence,
                description=description or (solution.content if solution else ""),
                meta=meta,
            )
        except (InvalidAction, InvalidInput) as err:
            where = f"{entry.path}.action_type: 'initiate'" if entry else f"{_RESULT}.gmt_create"
            amount = f" (the request from {solution.path})" if solution else ""
            raise InvalidInput(f"{where}: the dispute cannot be opened{amount}: {err}") from err

    # -- how the issue ended ----------------------------------------------------------

    def _end(self) -> None:
        issue, order, dispute = self.issue, self.order, self.dispute
        where = f"{_RESULT}.issue_status: {shown(issue.status)}"
        self.returns.catch_up(dispute)
        try:
            if dispute.is_open and issue.status == "canceled_issue":
                dispute.cancel(order.last_event_at, meta=self._implied())
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(f"{where}: the dispute cannot end so: {err}") from err
        if issue.status != "canceled_issue":
            self._reach(dispute)
        self.returns.advance(order, max(issue.latest, order.last_event_at), _ANY, _RESULT)
        if issue.status == "processing":
            self._still_open(dispute, where)
            self._check_reached(dispute)
            return
        try:
            if dispute.is_open and dispute.state not in RETURN_STATES:
                self._finish(dispute)
            if issue.status == "finish" and dispute.state in RETURN_STATES:
                self.returns.finish(dispute, issue.latest, f"{_RESULT}.issue_status")
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(f"{where}: the dispute cannot end so: {err}") from err
        if dispute.state not in ISSUE_STATUSES[issue.status]:
            raise InvalidInput(
                f"{where}, but the log leaves the dispute {dispute.state.value}{self._why(dispute)}"
            )
        self._check_reached(dispute)

    def _reach(self, dispute: Dispute) -> None:
        """The agreement or decision the reached solution says, if the log does not show it.

        The order is first brought up to the solution's ``reached_time`` (without one,
        the latest instant the payload records), so that a seller timeout it reports
        fires by the policy's clock; a consensus or a platform decision that the log
        does not show is then taken at that instant, its meta saying ``implied_by``.
        """
        reached, order = self._reached(), self.order
        if reached is None or not dispute.is_open or dispute.state in RETURN_STATES:
            return
        if _set_aside(reached, dispute):
            return
        when = reached.reached_time or self.issue.latest
        self.returns.advance(order, max(when, order.last_event_at), _ANY, _RESULT)
        how = reached.reached_type
        assert how is not None  # a reached solution says how
        if not dispute.is_open or dispute.state in RETURN_STATES:
            return
        if how is Resolution.SELLER_REPONSE_TIMEOUT:
            return  # not run out by then: _check_reached says so
        meta: dict[str, object] = {
            "issue_id": self.issue.id,
            "implied_by": f"{reached.path}.reached_type",
        }
        if reached.reached_time is None:
            meta.update(assumed="at", at_from="the latest instant in the payload")
        self._with(meta, reached)
        try:
            if how is Resolution.NEGOTIATION_CONSENSUS and reached.owner == "buyer":
                dispute.seller_accept(when, meta=meta)
            elif how is Resolution.NEGOTIATION_CONSENSUS and reached.owner == "seller":
                dispute.buyer_accept(when, meta=meta)
            else:
                if dispute.state is _NE:
                    self._decided_early(when, dispute)
                self.amount_from = reached
                refund = self._amount(reached)
                dispute.platform_decide(when, refund=refund, **_proposed(reached), meta=meta)
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(how.value)} at "
                f"{_pacific(when)}, which the log does not show, cannot be replayed: {err}"
            ) from err

    def _still_open(self, dispute: Dispute, where: str) -> None:
        """A processing issue: the dispute must still be open at the payload's last instant."""
        progress = self.issue.returned.progress
        if self.returns.done and progress == "refund_success":
            raise InvalidInput(
                f"{where}, but {_RESULT}.reverse_detail_status {shown(progress)} says the "
                "return's refund was paid, which ends the dispute"
            )
        if dispute.state not in ISSUE_STATUSES["processing"]:
            last = dispute.history[-1]
            by = str(last.details.get("meta", {}).get("implied_by", "the log"))
            if last.actor is Actor.SYSTEM:
                by = (
                    "the policy's clock, run to the payload's last instant "
                    f"({_pacific(self.issue.latest)}),"
                )
            raise InvalidInput(
                f"{where}, but {by} ends the dispute: it is "
                f"{dispute.state.value}{self._why(dispute)}"
            )

    def _check_reached(self, dispute: Dispute) -> None:
        """A seller timeout, if the solutions or the replay say so, must be one for both."""
        # A return's outcome comes after its agreement: the agreement says how it was reached.
        reached, outcome = self._reached(), dispute.agreement or dispute.outcome
        if reached is None or reached.reached_type is None or _set_aside(reached, dispute):
            return
        timeout = Resolution.SELLER_REPONSE_TIMEOUT
        said = reached.reached_type
        if outcome is None and dispute.is_open:  # processing, run to the payload's last instant
            ends = dispute.seller_deadline if said is timeout and dispute.state is _AW else None
            if ends is not None and reached.reached_time is not None:
                raise InvalidInput(
                    f"{reached.path}.reached_time: {_pacific(reached.reached_time)} is before the "
                    f"seller's window ends at {_pacific(ends)} under the policy "
                    f"(seller_response_window {self.policy.seller_response_window})"
                )
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(said.value)}, but under the policy the "
                f"log leaves the dispute {dispute.state.value}{self._why(dispute)} at the "
                f"payload's last instant ({_pacific(self.issue.latest)})"
            )
        if outcome is None:
            return
        if timeout in (said, outcome.reached_by) and said is not outcome.reached_by:
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(said.value)}, but under the "
                f"policy the log ends by {outcome.reached_by.value} at {_pacific(outcome.at)}"
            )
        early = reached.reached_time
        if said is timeout and early is not None and early < outcome.at:
            raise InvalidInput(
                f"{reached.path}.reached_time: {_pacific(early)} is before the seller's window "
                f"ends at {_pacific(outcome.at)} under the policy "
                f"(seller_response_window {self.policy.seller_response_window})"
            )

    def _finish(self, dispute: Dispute) -> None:
        """End a finished issue whose log stops short: as its reached solution says."""
        order, reached = self.order, self._reached()
        how = reached.reached_type if reached else None
        when = self.issue.latest
        if reached is not None and reached.reached_time is not None:
            when = reached.reached_time
        when = max(when, order.last_event_at)
        meta = self._implied()
        self._with(meta, reached)
        if dispute.state is _AW and how in (None, Resolution.SELLER_REPONSE_TIMEOUT):
            deadline = dispute.seller_deadline
            if deadline is None:
                raise InvalidInput("the platform handles it and gave no solution")
            order.advance(deadline)
            return
        if how is Resolution.NEGOTIATION_CONSENSUS and reached and reached.owner != "platform":
            if reached.owner == "buyer":
                dispute.seller_accept(when, meta=meta)
            else:
                dispute.buyer_accept(when, meta=meta)
            return
        if dispute.state is _NE:
            deadline = self._decided_early(when, dispute)
            order.advance(deadline)
        solution = reached or self._pick("platform", when)
        if solution is None:
            raise InvalidInput("no solution says how it ended")
        self._with(meta, solution)
        refund = self._amount(solution)
        dispute.platform_decide(when, refund=refund, **_proposed(solution), meta=meta)

    def _decided_early(self, when: datetime, dispute: Dispute) -> datetime:
        """The end of negotiation, if a decision at *when* does not come before it."""
        deadline = dispute.negotiation_deadline
        assert deadline is not None  # negotiating
        if when < deadline:
            raise InvalidInput(
                f"the platform decided at {_pacific(when)}, before negotiation ends at "
                f"{_pacific(deadline)} under the policy "
                f"(negotiation_window {self.policy.negotiation_window})"
            )
        return deadline

    # -- solutions and amounts --------------------------------------------------------

    def _pick(self, owner: str, at: datetime) -> _Solution | None:
        """The *owner*'s solution an entry at *at* refers to."""
        mine = [s for s in self.issue.solutions if s.owner == owner]
        if not mine:
            return None
        exact = [s for s in mine if at in (s.modified, s.created)]
        if exact:
            return exact[-1]
        default = [s for s in mine if s.is_default]
        if default:
            return default[0]
        earlier = [s for s in mine if s.created is not None and s.created <= at]
        if earlier:
            return max(earlier, key=lambda s: s.created or at)
        return mine[0]

    def _decision(self, at: datetime) -> _Solution | None:
        """The solution a platform decision at *at* makes binding."""
        return self._pick("platform", at) or self._reached()

    def _reached(self) -> _Solution | None:
        reached = [s for s in self.issue.solutions if s.reached]
        return max(reached, key=lambda s: s.reached_time or self.issue.latest, default=None)

    def _need(self, solution: _Solution | None, entry: _Entry, owner: str) -> _Solution:
        if solution is None:
            raise InvalidInput(
                f"{entry.action_type} needs the amount of a {owner} solution, and "
                f"{_RESULT}.{SOLUTION_OWNERS[owner]} has none"
            )
        return solution

    def _amount(self, solution: _Solution) -> Money:
        """The solution's amount in the order's currency."""
        if solution.post is not None:
            return solution.post
        local = solution.local
        if local is not None:
            found = [(s.path, s.local, s.post) for s in self.issue.solutions if s is not solution]
            rates = [
                (at, lo, po) for at, lo, po in found if lo and po and lo.currency == local.currency
            ]
            for _, lo, po in rates:
                if lo == local:
                    return po
            if rates:
                at, lo, po = rates[0]
                # The product is exact, the quotient to 60 digits far finer than any minor
                # unit: the one rounding that counts is Money.rounded's, half to even.
                converted = _RATES.divide(_RATES.multiply(local.amount, po.amount), lo.amount)
                try:
                    return Money.rounded(converted, po.currency)
                except InvalidInput as err:
                    raise InvalidInput(
                        f"{solution.path}.refund_money: {local} at the rate of {at} "
                        f"({lo} for {po}) is too large in {po.currency}: {err}"
                    ) from None
        raise InvalidInput(
            f"{solution.path}.refund_money_post: not set, and no other solution of the issue "
            f"gives the rate from its refund_money to {self.issue.currency}"
        )

    # -- meta and messages ------------------------------------------------------------

    def _meta(self, entry: _Entry | None) -> dict[str, object]:
        key = _IMPLIED if entry is None else entry.index
        meta: dict[str, object] = {"issue_id": self.issue.id}
        if entry is not None:
            meta.update(
                process=entry.path,
                action_type=entry.action_type,
                submit_member_type=entry.member,
                gmt_create=entry.raw_at,
            )
            if entry.id is not None:
                meta["process_id"] = entry.id
        if self.also.get(key):
            meta["also"] = "; ".join(self.also[key])
        return meta

    def _implied(self) -> dict[str, object]:
        """The meta of a step the log does not record but ``issue_status`` implies."""
        return {"issue_id": self.issue.id, "implied_by": f"{_RESULT}.issue_status"}

    def _with(self, meta: dict[str, object], solution: _Solution | None) -> None:
        if solution is None:
            return
        meta.update(
            solution_id=solution.id,
            solution_owner=solution.owner,
            solution_type=solution.type,
        )
        if solution.local is not None:
            meta["local_amount"] = solution.local
        if solution.logistics_fee_bear_role:
            meta["logistics_fee_bear_role"] = solution.logistics_fee_bear_role
        if solution.post is None:
            meta["amount_converted"] = True

    def _why(self, dispute: Dispute) -> str:
        """Why the dispute stands where it does, under the policy."""
        due = self.order.next_deadline
        if dispute.is_open and due is not None:
            return f" (under the policy its next step is {due.action} at {_pacific(due.at)})"
        last = dispute.history[-1] if dispute.history else None
        if last is None:
            return ""
        return f" ({last.action} at {_pacific(last.at)} under the policy)"

    def _refused(self, entry: _Entry, dispute: Dispute, err: Exception) -> InvalidInput:
        outcome = dispute.agreement or dispute.outcome
        head = (
            f"{entry.path}.action_type: {shown(entry.action_type)} at {shown(entry.raw_at)} "
            "(US Pacific)"
        )
        if (
            outcome is not None
            and outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
            and entry.action_type.startswith("seller_")
        ):
            return InvalidInput(
                f"{head} comes after the seller's window closed at {_pacific(outcome.at)} "
                f"under the policy (seller_response_window "
                f"{self.policy.seller_response_window}): the dispute was resolved by "
                "seller_reponse_timeout"
            )
        used = self.amount_from
        amount = f" (the amount of {used.path})" if used is not None else ""
        return InvalidInput(f"{head} cannot be replayed{amount}: {err}")
