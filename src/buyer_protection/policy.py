"""The numbers and switches of a marketplace's rules, as one frozen value.

Every duration, limit and switch that the lifecycle reads lives here; the code
never repeats a number. `ALIEXPRESS` is the default preset; a custom policy is
``attrs.evolve(ALIEXPRESS, seller_response_window=timedelta(days=3))``.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import cattrs
import tomli_w

from ._convert import CONVERTER, fields_in, fields_out, problems_of
from ._text import NAME_LIMIT, kind, shown, text
from ._time import MAX_DAYS, utc
from .calendars import BusinessDays, Calendar, Duration
from .errors import InvalidInput


def _positive_int(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 < value <= MAX_DAYS:
        raise InvalidInput(
            f"Policy.{attribute.name}: expected an int of days from 1 to {MAX_DAYS}, "
            f"got {shown(value)}"
        )


def _optional_positive_int(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _positive_int(instance, attribute, value)


def _duration(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, BusinessDays):
        return
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= timedelta(MAX_DAYS):
        raise InvalidInput(
            f"Policy.{attribute.name}: expected a datetime.timedelta from zero to "
            f"{MAX_DAYS} days or BusinessDays(n), got {shown(value)}"
        )


def _window(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, BusinessDays):
        return
    if not isinstance(value, timedelta) or not timedelta(0) < value <= timedelta(MAX_DAYS):
        raise InvalidInput(
            f"Policy.{attribute.name}: expected a datetime.timedelta above zero and up to "
            f"{MAX_DAYS} days or BusinessDays(n), got {shown(value)}"
        )


def _optional_window(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _window(instance, attribute, value)


class Consequence(enum.Enum):
    """What happens when a dispute's clock runs out (a field of `Policy` for each clock).

    `REFUND`: the buyer's request is carried out (AliExpress, Amazon, PayPal claims).
    `ALLOW_ESCALATION`: nothing happens by itself; from that instant the buyer may ask
    the platform to step in (eBay). `ESCALATE`: the platform takes the dispute
    (AliExpress). `CLOSE`: the dispute closes with no refund, ``reached_by`` `Resolution.EXPIRED`,
    and no new dispute can be opened on the order (PayPal inquiries, eBay requests).
    """

    __hash__ = object.__hash__  # members are singletons: hash by identity, in C

    REFUND = "refund"
    ALLOW_ESCALATION = "allow_escalation"
    ESCALATE = "escalate"
    CLOSE = "close"


class Anchor(enum.Enum):
    """The instant a window of `Policy` is counted from (each field says which it takes).

    The seller's window: `REQUEST` (the opening, or the buyer's last change) or
    `ESCALATION` (PayPal: the claim). The negotiation window: `COUNTER_OFFER` or
    `OPENING`. The filing window: `SHIPMENT` (the order's protection days),
    `PAYMENT` or `ESTIMATED_DELIVERY` (the one `Order.ship` was given).
    """

    __hash__ = object.__hash__  # members are singletons: hash by identity, in C

    REQUEST = "request"
    ESCALATION = "escalation"
    COUNTER_OFFER = "counter_offer"
    OPENING = "opening"
    SHIPMENT = "shipment"
    PAYMENT = "payment"
    ESTIMATED_DELIVERY = "estimated_delivery"


def _one_of(*allowed: enum.Enum) -> tuple[Any, Any]:
    """A converter and a validator: a member of *allowed*, given as itself or its value."""
    words = ", ".join(repr(a.value) for a in allowed)

    def convert(value: object) -> object:
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            return next((a for a in allowed if a.value == value), value)
        return value

    def check(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in allowed:
            raise InvalidInput(
                f"Policy.{attribute.name}: expected one of {words}, got {shown(value)}"
            )

    return convert, check


def _as_given(value: object, _: type) -> object:
    """A consequence or an anchor in a document or a policy file, as given: the field's
    converter takes the member among the words that field accepts, and its validator
    names those words when it is none of them (``'x' is not a valid Consequence``, as
    cattrs would say, names neither the field's words nor the enum's)."""
    return value


CONVERTER.register_structure_hook_func(lambda t: t in (Anchor, Consequence), _as_given)

_SELLER_FROM = _one_of(Anchor.REQUEST, Anchor.ESCALATION)
_SELLER_ENDS = _one_of(Consequence.REFUND, Consequence.ALLOW_ESCALATION)
_NEGOTIATION_FROM = _one_of(Anchor.COUNTER_OFFER, Anchor.OPENING)
_NEGOTIATION_ENDS = _one_of(Consequence.ESCALATE, Consequence.CLOSE)
_FILING_FROM = _one_of(Anchor.SHIPMENT, Anchor.PAYMENT, Anchor.ESTIMATED_DELIVERY)


def _in_utc(value: object) -> datetime | None:
    """None, or the aware instant *value* in UTC (so that a date in a daylight-saving gap
    or fold compares as the instant it is)."""
    return None if value is None else utc(value, "Policy.effective_from")


def _calendar(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Calendar):
        raise InvalidInput(f"Policy.{attribute.name}: expected a Calendar, got {shown(value)}")


def _flag(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"Policy.{attribute.name}: expected True or False, got {shown(value)}")


def _text(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    text(value, f"Policy.{attribute.name}", limit=NAME_LIMIT, empty=False)


def _rule(
    default: object,
    validator: Any,
    rule: str,
    source: str,
    confidence: str = "M",
    converter: Any = None,
) -> Any:
    return attrs.field(
        default=default,
        validator=validator,
        converter=converter,
        metadata={"rule": rule, "source": source, "confidence": confidence},
    )


_HELP = "AliExpress help centre, buyer protection pages"
_SEED = "the seed: a cashback service's buyer guide (megabonus.com, 2020)"


@attrs.frozen
class Policy:
    """The rules one marketplace applies, with AliExpress's current values as defaults.

    A duration is elapsed time (``timedelta(days=5)`` is 120 hours from the instant
    the clock started, whatever time zone the inputs were written in) or
    `BusinessDays` counted on the policy's `calendar`; `Policy.deadline` computes either.
    """

    name: str = _rule("aliexpress", _text, "name of the rule set", "", "H")
    version: str = _rule("2026-11", _text, "which version of the rules the values follow", "", "H")
    effective_from: datetime | None = _rule(
        None,
        None,
        "the first instant this version of the rules applies, in UTC (None: not a dated "
        "version; a policy evolved from a preset keeps the preset's)",
        "RULES.md section 4b: the sources give approximate dates",
        "L",
        converter=_in_utc,
    )
    protection_days: int = _rule(
        60,
        _positive_int,
        "days of protection (the order's delivery guarantee) when ship() gives none",
        f"{_HELP}; 75 for slow shipping, 90 in some countries, 120 for Brazil",
    )
    protection_from_payment: bool = _rule(
        False,
        _flag,
        "protection counts from payment instead of from shipment",
        "2022 help-centre copy counted from payment; current pages from shipment",
    )
    processing_time: Duration | None = _rule(
        timedelta(days=7),
        _optional_window,
        "the seller must ship within this time from payment, "
        "or the order is cancelled and fully refunded (None: no such clock)",
        f"{_HELP} (the order's processing time; 7 days is typical)",
    )
    seller_response_window: Duration = _rule(
        timedelta(days=5),
        _window,
        "time the seller has to answer a dispute, from seller_window_starts; "
        "then seller_window_ends happens",
        f"{_SEED}: from the opening or the buyer's last change, silence refunds the buyer's "
        "request",
        "H",
    )
    seller_window_starts: Anchor = _rule(
        Anchor.REQUEST,
        _SELLER_FROM[1],
        "what starts the seller's window: 'request' (the opening, or the buyer's last "
        "change) or 'escalation' (PayPal: the claim, not the inquiry)",
        _SEED,
        "H",
        converter=_SELLER_FROM[0],
    )
    seller_window_ends: Consequence = _rule(
        Consequence.REFUND,
        _SELLER_ENDS[1],
        "what the seller's silence until the window's end does: 'refund' (the buyer's "
        "request is carried out) or 'allow_escalation' (nothing by itself; the buyer may "
        "escalate from then on)",
        _SEED,
        "H",
        converter=_SELLER_ENDS[0],
    )
    negotiation_window: Duration | None = _rule(
        timedelta(days=5),
        _optional_window,
        "time for buyer and seller to agree, from negotiation_window_starts; "
        "then negotiation_window_ends happens by itself (None: no such clock)",
        "2022 help-centre copy (seller rules digests say 7 days; older rules 15)",
    )
    negotiation_window_starts: Anchor = _rule(
        Anchor.COUNTER_OFFER,
        _NEGOTIATION_FROM[1],
        "what starts the negotiation window: 'counter_offer' (the seller's) or 'opening' "
        "(the dispute's: PayPal's inquiry, eBay's request)",
        "2022 help-centre copy",
        converter=_NEGOTIATION_FROM[0],
    )
    negotiation_window_ends: Consequence = _rule(
        Consequence.ESCALATE,
        _NEGOTIATION_ENDS[1],
        "what the negotiation window's end does: 'escalate' (the platform takes the "
        "dispute) or 'close' (resolved with no refund, reached by 'expired'; no new dispute)",
        "2022 help-centre copy",
        converter=_NEGOTIATION_ENDS[0],
    )
    return_shipping_window: Duration | None = _rule(
        timedelta(days=10),
        _optional_window,
        "after an agreement on a return, the buyer must ship the item back and give its "
        "tracking number within this time; otherwise the money goes to the seller "
        "(None: no such clock)",
        f"{_HELP} (10 days, 'or as mentioned in the request')",
    )
    return_confirm_window: Duration | None = _rule(
        timedelta(days=30),
        _optional_window,
        "after the buyer ships a return, the seller has this long to confirm or refuse the "
        "goods; silence pays the agreed refund (None: no such clock)",
        "not published: one seller-side countdown showed more than 16 days left, which fits "
        "30 and rules out 10 or 15; the automatic refund is likely, not published",
        "L",
    )
    post_completion_window: Duration = _rule(
        timedelta(days=15),
        _duration,
        "a dispute can still be opened this long after the order completes",
        f"{_HELP} (none at all before about 2019)",
        "H",
    )
    reopen_after_cancel: bool = _rule(
        True,
        _flag,
        "a dispute the buyer cancelled can be opened again while protection "
        "(or the post-completion window) runs",
        _HELP,
    )
    evidence_required_when_received: bool = _rule(
        True,
        _flag,
        "a dispute about an item that was received needs evidence (photos, video)",
        _HELP,
    )
    earliest_not_received: Duration = _rule(
        timedelta(days=10),
        _duration,
        "a 'not received' dispute can be opened this long after shipment at the earliest "
        "(filing_window_starts 'estimated_delivery': after the estimated delivery)",
        f"{_HELP}: 10 days, the button appears on day 11 (5 days in 2015; from day 6 before 2014)",
    )
    fast_delivery_days: int = _rule(
        5,
        _positive_int,
        "when the promised delivery is this many days or fewer, 'not received' "
        "can be opened at once",
        _HELP,
    )
    wait_for_promised_delivery: bool = _rule(
        True,
        _flag,
        "while the tracking moves normally, 'not received' waits for the promised delivery date",
        _HELP,
    )
    max_extension_days: int | None = _rule(
        None,
        _optional_positive_int,
        "cap on the days of protection extension an order can be granted in all "
        "(None: no cap known)",
        f"{_HELP}: a system cap exists, its value is not published",
        "L",
    )
    stalled_after: Duration = _rule(
        timedelta(days=10),
        _window,
        "a parcel with no new tracking event for this long is stalled",
        "this library's choice, matching the 10 days before 'not received' opens",
        "L",
    )
    filing_window_starts: Anchor = _rule(
        Anchor.SHIPMENT,
        _FILING_FROM[1],
        "what the window to open a dispute is counted from: 'shipment' (protection days "
        "from shipment or payment, then the post-completion window), 'payment' (open from "
        "shipment until filing_window after payment) or 'estimated_delivery' (open from "
        "earliest_not_received after the estimated delivery until filing_window after it); "
        "with the last two, protection ends when the filing window does",
        f"{_HELP}: the protection days from shipment, then the post-completion window",
        "H",
        converter=_FILING_FROM[0],
    )
    filing_window: Duration | None = _rule(
        None,
        _optional_window,
        "how long after its start (payment or the estimated delivery) a dispute can be "
        "opened (None: the protection days decide, as filing_window_starts 'shipment')",
        f"{_HELP}: none, the protection days decide",
        "H",
    )
    contact_wait: Duration | None = _rule(
        None,
        _optional_window,
        "the buyer must contact the seller first (Order.contact_seller) and wait this long "
        "before a dispute (a claim) can be opened (None: no contact needed)",
        "AliExpress has no such step",
        "H",
    )
    appeal_window: Duration | None = _rule(
        None,
        _optional_window,
        "a decision of the platform can be appealed by the side that lost within this "
        "time (None: decisions are final)",
        "AliExpress: the platform's decision is final",
        "M",
    )
    extensions: bool = _rule(
        True,
        _flag,
        "the buyer may ask the seller to extend protection (request_extension)",
        _HELP,
    )

    calendar: Calendar = _rule(
        Calendar(),
        _calendar,
        "the calendar business days are counted on, and the periods the marketplace is "
        "closed (which stretch elapsed windows)",
        "AliExpress counts in elapsed days; the holiday periods it stretches windows by are "
        "not published, so they are the user's to give",
        "L",
    )

    def deadline(self, name: str, start: datetime) -> datetime:
        """The instant the duration field *name* ends when its clock starts at *start*
        (an aware instant), on the policy's calendar: see `Calendar.after`. A field that
        is None (no such clock in these rules) is `InvalidInput`; `ends` gives None."""
        ends = self.ends(name, start)
        if ends is None:
            raise InvalidInput(
                f"name: Policy.{name} is None in the rules {self.name} {self.version}: "
                "they have no such clock"
            )
        return ends

    def ends(self, name: str, start: datetime) -> datetime | None:
        """As `deadline`, but None when the field *name* is None (no such clock)."""
        if not isinstance(name, str) or name not in _IS_DURATION:
            raise InvalidInput(
                f"name: {shown(name)} is not a duration field of Policy; "
                f"expected one of {', '.join(_DURATIONS)}"
            )
        duration: Duration | None = getattr(self, name)
        return None if duration is None else self.calendar.after(start, duration)

    def to_toml(self) -> str:
        """The policy as a TOML file that `from_toml` reads back equal: every field at the
        top level, the calendar as a ``[calendar]`` table, None values left out; durations
        as ISO 8601 (``"P5D"``) or ``{ business_days = 3 }``, instants and dates as ISO
        8601 strings; a field that is None where ``Policy()`` has a value, as ``"none"``.

        >>> print(Policy(name="shop").to_toml().splitlines()[0])
        name = "shop"
        """
        form = fields_out(self)
        for name in _NONE_WRITTEN:  # TOML has no null: "none", where the default is not
            if form[name] is None:
                form[name] = "none"
        calendar = form.pop("calendar")
        return _lines(form) + "\n[calendar]\n" + _lines(calendar)

    @classmethod
    def from_toml(cls, text: str) -> Policy:
        """The policy a TOML file describes (`to_toml`'s form); missing keys take
        ``Policy()``'s defaults (a missing calendar key, ``Calendar()``'s).

        Unknown keys and bad values are `InvalidInput` listing every problem with its
        path (``calendar.country: ...``); a syntax error is one problem with its line and
        column. TOML dates and date-times are read as their ISO 8601 strings would be.

        >>> Policy.from_toml('seller_response_window = "P7D"').seller_response_window
        datetime.timedelta(days=7)
        """
        if not isinstance(text, str):
            raise InvalidInput(f"text: expected TOML text as a str, got {kind(text)}")
        try:  # a byte-order mark, as some editors write, is not part of the text
            data = _as_written(tomllib.loads(text.removeprefix("\ufeff")))
        except tomllib.TOMLDecodeError as err:
            raise InvalidInput(_syntax(err, text)) from None
        except RecursionError:
            raise InvalidInput("text: nested too deeply to be a policy") from None
        for name in _NONE_WRITTEN:
            if data.get(name) == "none":
                data[name] = None
        defaults = fields_out(Policy())
        if isinstance(data.get("calendar"), Mapping):
            data["calendar"] = {**defaults["calendar"], **data["calendar"]}
        try:
            return fields_in({**defaults, **data}, cls)
        except cattrs.BaseValidationError as err:
            problems = problems_of(err, top="(top level)")
            raise InvalidInput.listing(problems, "problem(s) in the policy") from None

    def rules(self) -> tuple[tuple[str, object, str, str, str], ...]:
        """Each field as ``(name, value, rule, source, confidence)``, in declaration order."""
        return tuple(
            (
                field.name,
                getattr(self, field.name),
                field.metadata["rule"],
                field.metadata["source"],
                field.metadata["confidence"],
            )
            for field in attrs.fields(Policy)
        )


ALIEXPRESS = Policy(effective_from=datetime(2019, 6, 1, tzinfo=UTC))
"""AliExpress Buyer Protection as it stands in November 2026 (RULES.md, default column),
in force since 2019-06-01 (the version ``2026-11``; `presets` has the earlier ones).
``Policy()`` has the same values but no ``effective_from``: a custom policy."""


def _lines(table: Mapping[str, Any]) -> str:
    """*table*'s keys (field names) as TOML lines, one a key, None values left out."""
    lines = (f"{key} = {_inline(value)}\n" for key, value in table.items() if value is not None)
    return "".join(lines)


def _inline(value: Any) -> str:
    """*value* as one line of TOML: lists and tables inline, scalars as tomli_w writes them."""
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):  # business days: { business_days = 3 }
        return "{ " + ", ".join(f"{key} = {_inline(item)}" for key, item in value.items()) + " }"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").removesuffix("\n")


def _as_written(value: Any) -> Any:
    """*value* read from TOML with its dates and date-times as ISO 8601 strings, the way
    `to_toml` writes them (a naive date-time stays naive, and is refused as such)."""
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_written(item) for item in value]
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return value


_AT = re.compile(r"(?s)(.*) \(at line ([0-9]+), column ([0-9]+)\)")
_AT_END = " (at end of document)"


def _syntax(err: tomllib.TOMLDecodeError, text: str) -> str:
    """A TOML syntax error as ``line L column C: what is wrong``."""
    message = str(err)
    if message.endswith(_AT_END):
        lines = text.split("\n")
        return f"line {len(lines)} column {len(lines[-1]) + 1}: {message.removesuffix(_AT_END)}"
    found = _AT.fullmatch(message)
    if found is None:  # pragma: no cover - tomllib always says where
        return f"text: {message}"
    what, line, column = found.groups()
    return f"line {line} column {column}: {what}"


_DURATIONS = tuple(
    field.name
    for field in attrs.fields(Policy)
    if field.type in ("Duration", Duration, "Duration | None", Duration | None)
)
"""The names of the duration fields of `Policy` (what `Policy.deadline` takes)."""
_IS_DURATION = frozenset(_DURATIONS)
_NONE_WRITTEN = tuple(
    field.name
    for field in attrs.fields(Policy)
    if field.default is not None and "None" in str(field.type)
)
"""The fields that may be None but are not by default: TOML writes their None as "none"."""
