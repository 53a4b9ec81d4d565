"""The payload of the seller API, read: every problem at once, each with its path."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import NoReturn, TypedDict

import attrs

from .._text import shown
from ..errors import InvalidInput
from ..lifecycle import Actor
from ..money import Money
from ..terms import Remedy, Resolution
from .returns import ReturnFacts, read_return_facts
from .words import (
    _AMOUNT,
    _API_FORMAT,
    _BEAR_ROLES,
    _DAYS,
    _LISTED,
    _LONG,
    _ORDER_ISSUE_STATUSES,
    _REACHED_STATUSES,
    _SEND_GOODS_OPERATORS,
    ACTION_TYPES,
    ISSUE_STATUSES,
    REACHED_TYPES,
    RETURN_PROGRESS,
    SOLUTION_OWNERS,
    SOLUTION_STATUSES,
    SOLUTION_TYPES,
    SUBMIT_MEMBER_TYPES,
    _kind,
    _one_of,
    parse_time,
)

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


def read_issue(detail: object) -> _Issue:
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


def read_order_detail(order_detail: object, issue: _Issue) -> _OrderFacts:
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
