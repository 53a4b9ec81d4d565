"""The payload's shape: attrs classes that mirror the seller API's DTOs, read by cattrs.

Each class holds the fields of one object of the API that the import reads, under the
API's own names; the API's other fields are ignored (it adds fields). Each field says how
its JSON value is read (``_long``, ``_text``, ``_word``, ...): every reader accepts what the
API writes and raises `ValueError` otherwise, which cattrs collects with its path, and
``structure`` turns all of them into one `InvalidInput`. A list the API wraps once more
(``{"solution_api_dto": [...]}``, or ``{}`` when empty) is held as a tuple. A check of
two fields together (an amount and its currency) runs once the fields are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from .._convert import problems_of
from .._text import NAME_LIMIT, shown, text
from ..errors import InvalidInput
from ..money import Money
from .words import (
    _API_FORMAT,
    _BEAR_ROLES,
    _ORDER_ISSUE_STATUSES,
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

_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,6})?")
_DAYS = re.compile(r"[0-9]{1,5}")
_LONG = 2**63  # the API's ids are Java longs
_READ = "read"  # the metadata key of a field's reader
_CHECKS = "__checks__"  # a class's checks of fields together

Reader = Callable[[object], Any]
"""How one JSON value is read: the value (None when the key is absent), or `ValueError`."""


@attrs.frozen
class ApiTime:
    """A time as the seller API writes it (``"yyyy-MM-dd HH:mm:ss"``, US Pacific), and when."""

    text: str
    at: datetime


@attrs.frozen
class Listed:
    """A field holding a list the API wraps as ``{inner: [...]}``, of *item* objects."""

    inner: str
    item: type
    owner: str = ""  # solutions: the owner the list is for


# -- the readers of one value ---------------------------------------------------------


def _is_unset(value: object) -> bool:
    return value is None or value == ""


def _long(*, required: bool = False) -> Any:
    """A whole number (an id): a signed 64-bit integer; None if absent, unless *required*."""

    def read(value: object) -> int | None:
        if value is None:
            if required:
                raise ValueError(f"expected a number, got {_kind(value)}")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not -_LONG <= value < _LONG:
            raise ValueError(
                f"expected a whole number (an id, a signed 64-bit integer), got {_kind(value)}"
            )
        return value

    return _field(read, required=required)


def _read_text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_kind(value)}")
    return value


def _text() -> Any:
    """A string; "" if absent."""
    return _field(_read_text, default="")


def _flag() -> Any:
    """true or false; false if absent."""

    def read(value: object) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {_kind(value)}")
        return value

    return _field(read, default=False)


def _time(*, required: bool = False) -> Any:
    """An `ApiTime`; None if absent or "", unless *required*."""

    def read(value: object) -> ApiTime | None:
        if _is_unset(value):
            if required:
                raise ValueError(f"{shown(value)} is not set; expected {_API_FORMAT}")
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected a time {_API_FORMAT}, got {_kind(value)}")
        try:
            return ApiTime(value, parse_time(value))
        except InvalidInput as err:
            raise ValueError(str(err)) from None

    return _field(read, required=required)


def _word(known: Collection[str], *, required: bool = False, keep_unknown: bool = False) -> Any:
    """One of the *known* words (``"unknown"`` for another, if *keep_unknown*); None if absent."""

    def read(value: object) -> str | None:
        if _is_unset(value):
            if required:
                raise ValueError(f"{shown(value)} is not set; expected {_one_of(known)}")
            return None
        if isinstance(value, str) and value in known:
            return value
        if keep_unknown and isinstance(value, str):
            return "unknown"
        raise ValueError(f"{shown(value)} is not {_one_of(known)}")

    return _field(read, required=required)


def _amount() -> Any:
    """An amount as the API writes it (a decimal string); None if absent or ""."""

    def read(value: object) -> str | None:
        if _is_unset(value):
            return None
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise ValueError(
                f"{shown(value)} is not an amount as the API writes it (a string like '407.47')"
            )
        return value

    return _field(read, default=None)


def _currency() -> Any:
    """The currency of an amount: read with the amount (`money_check`), whatever it is alone."""
    return _field(lambda value: value, default=None)


def _parcel() -> Any:
    """A return parcel's label text, without the whitespace around it; "" if not set.

    A tracking number, a carrier or a logistics order number is printed on a label
    and typed by people, so the rule is `Dispute.ship_return`'s: a control or
    separator character inside one (a tab, a line break, a NUL, a zero-width or a
    no-break space; only the plain space may stay) is refused.
    """

    def read(value: object) -> str:
        raw = _read_text(value)
        try:
            kept = text(raw.strip(), "", limit=NAME_LIMIT)
        except InvalidInput as err:
            raise ValueError(str(err).removeprefix(": ")) from None
        for char in kept:
            if not char.isprintable() and char != " ":
                raise ValueError(
                    f"{shown(raw)} holds {shown(char)}, a control or separator "
                    "character; give it as printed on the label"
                )
        return kept

    return _field(read, default="")


def _days() -> Any:
    """A number of days above zero written as a string (``"60"``); None if absent or ""."""

    def read(value: object) -> int | None:
        if _is_unset(value):
            return None
        if isinstance(value, str) and _DAYS.fullmatch(value) and int(value) > 0:
            return int(value)
        raise ValueError(f"{shown(value)} is not a number of days written as a string (like '60')")

    return _field(read, default=None)


def _bear_role() -> Any:
    """Who pays a return's postage: a word checked with the solution's type (`bear_check`)."""

    def read(value: object) -> str:
        if _is_unset(value):
            return ""
        if not isinstance(value, str):
            raise ValueError(f"{shown(value)} is not {_one_of(_BEAR_ROLES)}")
        return value

    return _field(read, default="")


def _listed(inner: str, item: type, owner: str = "") -> Any:
    """A list of *item* objects, wrapped as ``{inner: [...]}`` (``{}`` or absent: empty)."""
    return attrs.field(default=(), metadata={_READ: Listed(inner, item, owner)})


def _field(read: Reader, *, required: bool = False, default: object = None) -> Any:
    if required:
        return attrs.field(metadata={_READ: read})
    return attrs.field(default=default, metadata={_READ: read})


# -- checks of fields together --------------------------------------------------------

Check = Callable[[Mapping[Any, Any]], Iterable[tuple[str, str]]]
"""A check of an object's fields together: each problem as (the key it names, what is wrong)."""


def money(amount: object, currency: object) -> Money | None:
    """The amount (as its reader returned it) in *currency*, or None if it is not set.

    `ValueError` says what is wrong, prefixed ``"currency: "`` when the currency is.
    """
    if not isinstance(amount, str) or not _AMOUNT.fullmatch(amount):
        return None
    if not isinstance(currency, str) or not currency:
        raise ValueError(
            f"currency: {shown(currency)}: the amount {shown(amount)} needs its currency"
        )
    try:
        code = Money.zero(currency).currency
    except InvalidInput as err:
        raise ValueError(f"currency: {str(err).removeprefix('currency: ')}") from None
    try:
        return Money(amount, code)
    except InvalidInput:  # the API writes its amounts exactly: never round one
        raise ValueError(f"{shown(amount)} has more decimals than {code} has") from None


def money_check(amount_key: str, currency_key: str) -> Check:
    """The amount at *amount_key* with its currency at *currency_key* is `Money`."""

    def check(raw: Mapping[Any, Any]) -> Iterable[tuple[str, str]]:
        try:
            money(raw.get(amount_key), raw.get(currency_key))
        except ValueError as err:
            said = str(err)
            if said.startswith("currency: "):
                return [(currency_key, said.removeprefix("currency: "))]
            return [(amount_key, said)]
        return []

    return check


def _bear_check(raw: Mapping[Any, Any]) -> Iterable[tuple[str, str]]:
    """A return's postage payer steers the import: it must be a known word there."""
    bear = raw.get("logistics_fee_bear_role")
    steers = raw.get("solution_type") == "return_and_refund"
    if steers and isinstance(bear, str) and bear and bear not in _BEAR_ROLES:
        return [("logistics_fee_bear_role", f"{shown(bear)} is not {_one_of(_BEAR_ROLES)}")]
    return []


def _owner_check(owner: str) -> Check:
    def check(raw: Mapping[Any, Any]) -> Iterable[tuple[str, str]]:
        said = raw.get("solution_owner")
        if isinstance(said, str) and said in SOLUTION_OWNERS and said != owner:
            where = SOLUTION_OWNERS[owner]
            return [("solution_owner", f"{shown(said)} in {where} (expected {owner!r})")]
        return []

    return check


# -- the DTOs -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AttachmentDto:
    """``api_attachment_dto``: a file the buyer or the seller attached to a log entry."""

    file_path: str = attrs.field(metadata={_READ: lambda v: _non_empty(v)})


def _non_empty(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string, got {_kind(value)}")
    return value


@attrs.frozen(kw_only=True)
class ProcessDto:
    """``api_issue_process_dto``: one entry of the issue's process log (who did what, when)."""

    gmt_create: ApiTime = _time(required=True)
    action_type: str = _word(ACTION_TYPES, required=True)
    submit_member_type: str | None = _word(SUBMIT_MEMBER_TYPES, keep_unknown=True)
    id: int | None = _long()
    issue_id: int | None = _long()
    has_buyer_video: bool = _flag()
    has_seller_video: bool = _flag()
    attachments: tuple[AttachmentDto, ...] = _listed("api_attachment_dto", AttachmentDto)
    content: str = _text()
    receive_goods: bool = _flag()


@attrs.frozen(kw_only=True)
class SolutionDto:
    """``solution_api_dto``: a solution of the buyer, the seller or the platform."""

    id: int = _long(required=True)
    solution_owner: str = _word(SOLUTION_OWNERS, required=True)
    solution_type: str = _word(SOLUTION_TYPES, required=True)
    status: str | None = _word(SOLUTION_STATUSES)
    reached_type: str | None = _word(REACHED_TYPES)
    logistics_fee_bear_role: str = _bear_role()
    issue_id: int | None = _long()
    order_id: int | None = _long()
    buyer_accept_time: ApiTime | None = _time()
    seller_accept_time: ApiTime | None = _time()
    is_default: bool = _flag()
    content: str = _text()
    refund_money: str | None = _amount()
    refund_money_currency: object = _currency()
    refund_money_post: str | None = _amount()
    refund_money_post_currency: object = _currency()
    gmt_create: ApiTime | None = _time()
    gmt_modified: ApiTime | None = _time()
    reached_time: ApiTime | None = _time()

    __checks__: ClassVar[tuple[Check, ...]] = (
        _bear_check,
        money_check("refund_money", "refund_money_currency"),
        money_check("refund_money_post", "refund_money_post_currency"),
    )


@attrs.frozen(kw_only=True)
class IssueDetail:
    """``result_object``: the issue (the API's word for a dispute), its solutions and its log."""

    id: int = _long(required=True)
    order_id: int = _long(required=True)
    parent_order_id: int | None = _long()
    issue_status: str = _word(ISSUE_STATUSES, required=True)
    issue_reason_id: int | None = _long()
    gmt_create: ApiTime = _time(required=True)
    refund_money_max: str | None = _amount()
    refund_money_max_currency: object = _currency()
    refund_money_max_local: str | None = _amount()
    refund_money_max_local_currency: object = _currency()
    product_price: str | None = _amount()
    product_price_currency: object = _currency()
    reverse_detail_status: str | None = _word(RETURN_PROGRESS, keep_unknown=True)
    buyer_solution_list: tuple[SolutionDto, ...] = _listed("solution_api_dto", SolutionDto, "buyer")
    seller_solution_list: tuple[SolutionDto, ...] = _listed(
        "solution_api_dto", SolutionDto, "seller"
    )
    platform_solution_list: tuple[SolutionDto, ...] = _listed(
        "solution_api_dto", SolutionDto, "platform"
    )
    process_dto_list: tuple[ProcessDto, ...] = _listed("api_issue_process_dto", ProcessDto)
    buyer_return_no: str = _parcel()
    buyer_return_logistics_company: str = _parcel()
    buyer_return_logistics_lp_no: str = _parcel()
    gmt_modified: ApiTime | None = _time()

    __checks__: ClassVar[tuple[Check, ...]] = (
        money_check("refund_money_max", "refund_money_max_currency"),
        money_check("refund_money_max_local", "refund_money_max_local_currency"),
        money_check("product_price", "product_price_currency"),
    )


@attrs.frozen(kw_only=True)
class IssueDetailResponse:
    """``aliexpress_issue_detail_get_response``: the wrapper of the issue."""

    result_object: IssueDetail


@attrs.frozen(kw_only=True)
class AmountDto:
    """An order detail's amount: ``{"currency_code": "USD", "amount": "1.01"}``."""

    amount: str | None = _amount()
    currency_code: object = _currency()

    __checks__: ClassVar[tuple[Check, ...]] = (money_check("amount", "currency_code"),)


@attrs.frozen(kw_only=True)
class OrderProductDto:
    """``order_product_dto``: one product line of an order (a child order)."""

    child_id: int | None = _long()
    send_goods_time: ApiTime | None = _time()
    total_product_amount: AmountDto | None = None
    logistics_amount: AmountDto | None = None
    send_goods_operator: str | None = _word(_SEND_GOODS_OPERATORS, keep_unknown=True)
    issue_status: str | None = _word(_ORDER_ISSUE_STATUSES, keep_unknown=True)
    freight_commit_day: int | None = _days()


@attrs.frozen(kw_only=True)
class OrderDto:
    """``order_dto``: an order of the order detail, with its product lines."""

    order_id: int | None = _long()
    gmt_pay_time: ApiTime | None = _time()
    gmt_send_goods_time: ApiTime | None = _time()
    product_list: tuple[OrderProductDto, ...] = _listed("order_product_dto", OrderProductDto)


@attrs.frozen(kw_only=True)
class OrderResult:
    """``result`` of the order detail: the orders found."""

    target_list: tuple[OrderDto, ...] = _listed("order_dto", OrderDto)


@attrs.frozen(kw_only=True)
class OrderDetailResponse:
    """``aliexpress_solution_order_get_response``: the wrapper of the order detail."""

    result: OrderResult


# -- the converter --------------------------------------------------------------------


def _noted(err: Exception, note: AttributeValidationNote | IterableValidationNote) -> Exception:
    err.__notes__ = [*getattr(err, "__notes__", []), note]
    return err


def _dto(cls: type, converter: cattrs.Converter, *extra: Check) -> Callable[[object, Any], Any]:
    """*cls* from an object: each field by its reader (a required one may be null or absent,
    for its reader to say so), then the class's checks; every problem at once."""
    fields = attrs.fields(cls)
    overrides: dict[str, Any] = {}
    for field in fields:
        read = field.metadata.get(_READ)
        if isinstance(read, Listed):
            item = _dto(read.item, converter, *([_owner_check(read.owner)] if read.owner else []))
            overrides[field.name] = override(struct_hook=_wrapped(read.inner, item, read.item))
        elif read is not None:
            overrides[field.name] = override(struct_hook=_by(read))
    structure: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(
        cls, converter, **overrides
    )
    required = [f.name for f in fields if f.default is attrs.NOTHING]
    checks = (*getattr(cls, _CHECKS, ()), *extra)

    def hook(value: object, _: object) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {_kind(value)}")
        given = {**value, **{name: None for name in required if name not in value}}
        errors: list[Exception] = []
        result = None
        try:
            result = structure(given, cls)
        except ClassValidationError as err:
            errors.extend(err.exceptions)
        for check in checks:
            for key, what in check(value):
                note = AttributeValidationNote(f"Checking {key}", key, object)
                errors.append(_noted(ValueError(what), note))
        if errors:
            raise ClassValidationError(f"invalid {cls.__name__}", errors, cls)
        return result

    return hook


def _by(read: Reader) -> Callable[[object, Any], Any]:
    return lambda value, _: read(value)


def _wrapped(
    inner: str, item: Callable[[object, Any], Any], item_type: type
) -> Callable[[object, Any], tuple[Any, ...]]:
    def hook(value: object, _: object) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {_kind(value)}")
        if not value:
            return ()
        items = value.get(inner)
        if not isinstance(items, list):
            raise ValueError(f"expected {{}} or {{{inner!r}: [...]}}, got {_kind(value)}")
        found, errors = [], []
        for i, raw in enumerate(items):
            try:
                found.append(item(raw, item_type))
            except (ValueError, ClassValidationError) as err:
                errors.append(_noted(err, IterableValidationNote(f"{inner}[{i}]", i, item_type)))
        if errors:
            listed = IterableValidationError(f"invalid {inner}", errors, list)
            _noted(listed, AttributeValidationNote(f"Structuring {inner}", inner, list))
            raise ClassValidationError(f"invalid {{{inner!r}: [...]}}", [listed], dict)
        return tuple(found)

    return hook


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=True)
    for cls in (AmountDto, IssueDetail, IssueDetailResponse, OrderResult, OrderDetailResponse):
        converter.register_structure_hook(cls, _dto(cls, converter))
    return converter


CONVERTER: Final = _make_converter()
"""The cattrs converter that reads the seller API's payloads into these classes."""


_T = TypeVar("_T")


def structure(value: Mapping[Any, object], cls: type[_T], what: str, root: str = "") -> _T:
    """*value* as a *cls*, or one `InvalidInput` listing every problem ``"path: what"``,
    each path from *root*, headed ``problems in <what>``."""
    try:
        return CONVERTER.structure(value, cls)
    except ClassValidationError as err:
        problems = [f"{root}{problem}" for problem in problems_of(err)]
        raise InvalidInput.listing(problems, f"problems in {what}") from None
