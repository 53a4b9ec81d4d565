"""The payload of the seller API, read: the issue and the order facts the replay uses.

``read_issue`` and ``read_order_detail`` structure a response into the DTOs of ``dto``
(every problem at once, each with its path) and turn them into what the replay reads:
instants in UTC, amounts as `Money` in the order's currency, the log oldest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import islice
from typing import TypedDict

import attrs

from .._text import shown
from ..errors import InvalidInput
from ..lifecycle import Actor
from ..money import Money
from ..terms import Remedy, Resolution
from .dto import (
    AmountDto,
    ApiTime,
    IssueDetail,
    IssueDetailResponse,
    OrderDetailResponse,
    SolutionDto,
    money,
    structure,
)
from .returns import ReturnFacts
from .words import _BEAR_ROLES, _LISTED, _REACHED_STATUSES, REACHED_TYPES, SOLUTION_OWNERS, _kind


class _Proposal(TypedDict, total=False):
    remedy: Remedy
    return_postage_by: Actor | None


def _proposed(solution: _Solution | None) -> _Proposal:
    """The remedy and postage payer a solution proposes, as a proposal action takes them."""
    if solution is None:
        return {}
    return {"remedy": solution.remedy, "return_postage_by": solution.postage}


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
    """The issue of an ``aliexpress.issue.detail.get`` response, as the replay reads it.

    `InvalidInput` lists every problem, each with its path from ``result_object``.
    """
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
    wrapper = detail.get("aliexpress_issue_detail_get_response")
    if wrapper is None:
        raise InvalidInput(
            "detail: expected {'aliexpress_issue_detail_get_response': {'result_object': ...}} "
            f"or {{'error_response': ...}}, got the keys {_keys(detail)}"
        )
    if not isinstance(wrapper, Mapping):
        raise InvalidInput(
            f"aliexpress_issue_detail_get_response: expected an object, got {_kind(wrapper)}"
        )
    result = structure(wrapper, IssueDetailResponse, "the issue detail").result_object
    return _issue(result)


def _issue(result: IssueDetail) -> _Issue:
    solutions = [
        _solution(dto, f"{_RESULT}.{list_key}.solution_api_dto[{i}]")
        for list_key in SOLUTION_OWNERS.values()
        for i, dto in enumerate(getattr(result, list_key))
    ]
    refund_max = money(result.refund_money_max, result.refund_money_max_currency)
    currency = _order_currency(refund_max, solutions)
    log = [
        _Entry(
            f"{_LOG}[{i}]",
            i,
            dto.id,
            dto.gmt_create.at,
            dto.gmt_create.text,
            dto.action_type,
            dto.submit_member_type or "unknown",
            dto.content,
            dto.receive_goods,
            tuple(a.file_path for a in dto.attachments),
        )
        for i, dto in enumerate(result.process_dto_list)
    ]
    reverse = result.reverse_detail_status or ""
    returned = ReturnFacts(
        result.buyer_return_no,
        result.buyer_return_logistics_company,
        result.buyer_return_logistics_lp_no,
        reverse,
        _at(result.gmt_modified),
    )
    # Newest first in the payload: reversed, entries of one instant keep the API's order.
    log.reverse()
    log.sort(key=lambda e: e.at)
    created = result.gmt_create.at
    instants = [created, *(e.at for e in log)]
    if returned.modified is not None:
        instants.append(returned.modified)
    for s in solutions:
        instants.extend(t for t in (s.created, s.modified, s.reached_time) if t is not None)
    return _Issue(
        result.id,
        result.order_id,
        result.parent_order_id,
        result.issue_status,
        result.issue_reason_id,
        created,
        currency,
        refund_max,
        money(result.product_price, result.product_price_currency),
        reverse,
        tuple(solutions),
        tuple(log),
        max(instants),
        returned,
    )


def _at(time: ApiTime | None) -> datetime | None:
    return None if time is None else time.at


def _solution(dto: SolutionDto, path: str) -> _Solution:
    bear = dto.logistics_fee_bear_role
    return _Solution(
        path,
        dto.id,
        dto.solution_owner,
        dto.solution_type,
        dto.status,
        dto.is_default,
        dto.content,
        money(dto.refund_money, dto.refund_money_currency),
        money(dto.refund_money_post, dto.refund_money_post_currency),
        _at(dto.gmt_create),
        _at(dto.gmt_modified),
        _at(dto.reached_time),
        None if dto.reached_type is None else REACHED_TYPES[dto.reached_type],
        bear if bear in _BEAR_ROLES or not bear else "unknown",
    )


def _order_currency(refund_max: Money | None, solutions: list[_Solution]) -> str:
    """The order's currency: ``refund_money_max_currency``, else the solutions' order amounts."""
    currency = refund_max.currency if refund_max is not None else None
    source = f"{_RESULT}.refund_money_max_currency"
    problems = []
    for s in solutions:
        if s.post is None:
            continue
        if currency is None:
            currency, source = s.post.currency, f"{s.path}.refund_money_post_currency"
        elif s.post.currency != currency:
            problems.append(
                f"{s.path}.refund_money_post_currency: {shown(s.post.currency)} is not the "
                f"order's currency {shown(currency)} (from {source})"
            )
    if currency is None:
        problems.append(
            f"{_RESULT}.refund_money_max: not set, and no solution gives an amount in the "
            "order's currency (refund_money_post)"
        )
    if problems:
        raise InvalidInput.listing(problems, "problems in the issue detail")
    assert currency is not None
    return currency


def read_order_detail(order_detail: object, issue: _Issue) -> _OrderFacts:
    """What an ``aliexpress.solution.order.get`` response says of *issue*'s order.

    `InvalidInput` lists every problem, each with its path from ``order_detail``.
    """
    top = "order_detail"
    if not isinstance(order_detail, Mapping):
        raise InvalidInput(f"{top}: expected the parsed JSON object, got {_kind(order_detail)}")
    if "error_response" in order_detail:
        raise InvalidInput(
            f"{top}.error_response: the API answered with an error, not an order: "
            f"{shown(order_detail['error_response'])}"
        )
    wrapper = order_detail.get("aliexpress_solution_order_get_response")
    if not isinstance(wrapper, Mapping):
        raise InvalidInput(
            f"{top}.aliexpress_solution_order_get_response: expected an object, "
            f"got {_kind(wrapper)}"
        )
    orders = structure(wrapper, OrderDetailResponse, "the order detail", f"{top}.").result
    where = f"{top}.result.target_list.order_dto"
    # The issue is about one product line (a child order): find it by child_id, else take
    # the first product of the order with the issue's order id or parent order id.
    found = next(
        (
            (i, order, j, product)
            for i, order in enumerate(orders.target_list)
            for j, product in enumerate(order.product_list)
            if product.child_id == issue.order_id
        ),
        None,
    ) or next(
        (
            (i, order, 0, order.product_list[0])
            for i, order in enumerate(orders.target_list)
            if order.product_list and order.order_id in (issue.order_id, issue.parent_order_id)
        ),
        None,
    )
    if found is None:
        raise InvalidInput(
            f"{where}: no order has a product with child_id "
            f"{issue.order_id} (the issue's order_id), nor order_id {issue.parent_order_id}"
        )
    i, order, j, product = found
    path = f"{where}[{i}].product_list.order_product_dto[{j}]"
    amount = _money(product.total_product_amount)
    freight = _money(product.logistics_amount)
    if amount is not None and freight is not None and freight.currency == amount.currency:
        amount = amount + freight
    if amount is not None and amount.currency != issue.currency:
        raise InvalidInput(
            f"{path}.total_product_amount.currency_code: {shown(amount.currency)} is not the "
            f"issue's order currency {shown(issue.currency)}"
        )
    operator = product.send_goods_operator
    return _OrderFacts(
        _at(order.gmt_pay_time),
        _at(product.send_goods_time) or _at(order.gmt_send_goods_time),
        amount if amount else None,
        product.freight_commit_day,
        operator == "WAREHOUSE_SEND_GOODS",
        operator or "unknown",
        path,
    )


def _money(dto: AmountDto | None) -> Money | None:
    return None if dto is None else money(dto.amount, dto.currency_code)
