"""Storing orders: a JSON document made with cattrs, loaded strictly, checked by replay.

The document is the order's fields at the top level, its disputes, history and
tracking, its policy, the facts it was given by assumption (``assumed``, a sorted
list, ``[]`` when none), and ``schema_version``. A policy that equals a preset is
``{"name": "aliexpress", "version": "2026-11"}``; any other is written whole (every
field, its ``calendar`` an object). Decimals are strings, instants ISO 8601 with an
offset, durations ISO 8601 durations (``P5D``, ``PT36H``) or ``{"business_days": 3}``,
enums their values.

Loading accepts exactly what `to_dict` writes, so that whatever it accepts can be
saved and loaded again: every key and no other (a history entry's ``details``
too, ``{}`` when empty); lists as JSON arrays; instants only as
``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM`` (any offset), up to the year 9900 (the
latest instant the library computes from); amounts as
``{"amount": "12.34", "currency": "USD"}``; integers as JSON integers within signed
64 bits; strings of valid Unicode (bytes in UTF-8); an entry's ``action``
one of the library's actions. Every problem is reported with its path, and the
values it quotes are cut short. Then the order is rebuilt from its
event log with `Order.replay`: the stored fields must agree with what the history
gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import cattrs
import orjson
from cattrs.errors import ForbiddenExtraKeysError

from ._convert import CONVERTER, INT_BITS, problems_of
from ._document import (
    POLICY_SINCE_6,
    DisputeDocument,
    Observation,
    OrderDocument,
    entry_before_6,
    policy_before_6,
)
from ._restore import restore
from ._text import kind, shown
from .errors import InvalidInput
from .history import HistoryEntry
from .money import Money
from .order import Order
from .policy import ALIEXPRESS

SCHEMA_VERSION: Final = 6
"""The version of the document `to_dict` writes; `from_dict` reads it and older ones.

Version 6 (other marketplaces) added the order's ``estimated_delivery`` and
``contacted_at``, each dispute's ``escalated_at`` and ``appealed_at``, and a whole
policy's ``seller_window_starts``, ``seller_window_ends``, ``negotiation_window_starts``,
``negotiation_window_ends``, ``filing_window_starts``, ``filing_window``,
``contact_wait``, ``appeal_window`` and ``extensions``; ``processing_time``,
``negotiation_window`` and the return windows may be null. A document of an earlier
version is read with the values that give the behaviour it had: no estimated delivery,
contact or appeal, each dispute escalated when its history says so (the last
``escalate`` or ``negotiation_timeout``), and a whole policy with AliExpress's
consequences (`Policy`'s defaults).

Version 5 (rule sets) writes a policy that equals a preset (`~buyer_protection.policies`) as
``{"name": ..., "version": ...}`` and any other whole, with the policy's new
``effective_from`` (null for a custom policy) and ``calendar``; a duration may be
``{"business_days": n}``. A document of an earlier version has every policy whole,
and is read with ``effective_from`` null and the default calendar (a custom policy,
even where its values are a preset's).

Version 4 (assumed facts) added the top-level ``assumed``: the names of the facts the
order was given by assumption (`Order.assumed`), sorted; the ``pay`` and ``ship``
entries that carry such facts name them in their ``details["assumed"]``. A document
of an earlier version is read with nothing assumed.

Version 3 (event ids) added ``event_id`` to every history entry and tracking
observation; a document of an earlier version is read with none.

Version 2 (returns) added each dispute's ``remedy``, ``return_postage_by``,
``counter_remedy``, ``agreement``, ``return_tracking``, ``return_carrier`` and
``return_shipped_at``, and the policy's ``return_shipping_window`` and
``return_confirm_window``. A version-1 document is read with those at what a
version-1 order had: no return, and the policy's default windows.
"""

# -- documents <-> orders --------------------------------------------------------------


_DISPUTE_FIELDS = tuple(f.name for f in attrs.fields(DisputeDocument) if f.name != "history")
_ORDER_GIVEN = ("schema_version", "assumed", "disputes", "tracking", "history")
_ORDER_FIELDS = tuple(f.name for f in attrs.fields(OrderDocument) if f.name not in _ORDER_GIVEN)


def _document(order: Order) -> OrderDocument:
    disputes = tuple(
        DisputeDocument(
            **{name: getattr(d, name) for name in _DISPUTE_FIELDS},
            history=d.history,
        )
        for d in order.disputes
    )
    tracking = tuple(
        Observation(
            e.id,
            e.details["event"].at,
            e.details["event"].status,
            e.details["event"].description,
            e.details["event"].location,
            e.event_id,
        )
        for e in order._observed()
    )
    return OrderDocument(
        **{name: getattr(order, name) for name in _ORDER_FIELDS},
        schema_version=SCHEMA_VERSION,
        assumed=tuple(sorted(order.assumed)),
        disputes=disputes,
        tracking=tracking,
        history=order.history,
    )


def to_dict(order: Order) -> dict[str, Any]:
    """*order* as a JSON-ready dict (see the module's docstring for the shape)."""
    if not isinstance(order, Order):
        raise InvalidInput(f"order: expected an Order, got {type(order).__name__}")
    data: dict[str, Any] = CONVERTER.unstructure(_document(order))
    return data


def from_dict(data: Mapping[str, Any], *, verify: bool = True) -> Order:
    """The order a `to_dict` document describes, rebuilt and checked; `InvalidInput` if not.

    The document must have exactly the shape `to_dict` writes (see the module's
    docstring); every problem is listed in the error's ``problems`` with its path.
    With *verify* (the default) the order is rebuilt from its history and the document
    must agree with it; ``verify=False`` trusts a document this library wrote (one read
    back from your own store) and skips that replay, still checking its shape, types,
    unknown keys and missing fields. A document changed by hand or by another program
    may then be taken wrongly: its answers are what it says, and one that contradicts
    itself (an order in dispute with no dispute) can fail later with an error that is
    not `InvalidInput`; verify when in doubt.
    """
    if type(verify) is not bool:
        raise InvalidInput(f"verify: expected True or False, got {kind(verify)}")
    if not isinstance(data, Mapping):
        raise InvalidInput(f"document: expected an object, got {type(data).__name__}")
    version = data.get("schema_version")
    if type(version) is int and version > SCHEMA_VERSION:
        raise InvalidInput(
            f"schema_version: {shown(version)} is newer than this library reads "
            f"({SCHEMA_VERSION}); upgrade buyer-protection"
        )
    if type(version) is int and version < 1:
        raise InvalidInput(
            f"schema_version: {shown(version)} is not a version; expected 1 to {SCHEMA_VERSION}"
        )
    if type(version) is int and version == 1:
        data = _from_version_1(data)
    if type(version) is int and version in (1, 2):
        data = _from_version_2(data, version)
    if type(version) is int and version in (1, 2, 3):
        data = _from_version_3(data, version)
    if type(version) is int and version in (1, 2, 3, 4):
        data = _from_version_4(data, version)
    if type(version) is int and version in (1, 2, 3, 4, 5):
        data = _from_version_5(data, version)
    try:
        document = CONVERTER.structure(data, OrderDocument)
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        problems = problems_of(err)
        raise InvalidInput.listing(problems, "problem(s) in the document") from None
    if not verify:
        return restore(document)
    order = Order.replay(_log(document))
    problems = _disagreements(document, _document(order))
    if problems:
        raise InvalidInput(
            "the document disagrees with its own history: " + "; ".join(problems),
            problems=problems,
        )
    return order


_POLICY_SINCE_2 = {
    name: CONVERTER.unstructure(getattr(ALIEXPRESS, name))
    for name in ("return_shipping_window", "return_confirm_window")
}


def _from_version_1(data: Mapping[str, Any]) -> dict[str, Any]:
    """A version-1 document as version 2 writes the same order: the keys version 2 added,
    at their values for an order of version 1 (no return was possible then).

    Only missing keys are added, and only where the document has the expected shape;
    everything else is left for the strict reading to check and name.
    """

    def policy(value: object) -> object:
        return {**value, **_POLICY_SINCE_2} if isinstance(value, Mapping) else value

    def dispute(value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        outcome = value.get("outcome")
        agreement = None
        if isinstance(outcome, Mapping):  # every version-1 outcome was a refund-only agreement
            agreement = {**outcome, "remedy": "refund", "return_postage_by": None}
        countered = value.get("counter_offer") is not None
        added = {
            "remedy": "refund",
            "return_postage_by": None,
            "counter_remedy": "refund" if countered else None,
            "agreement": agreement,
            "return_tracking": None,
            "return_carrier": "",
            "return_shipped_at": None,
        }
        return {**added, **value}

    def entry(value: object) -> object:
        if isinstance(value, Mapping) and value.get("action") == "pay":
            details = value.get("details")
            if isinstance(details, Mapping) and "policy" in details:
                return {**value, "details": {**details, "policy": policy(details["policy"])}}
        return value

    upgraded = dict(data)
    upgraded["schema_version"] = SCHEMA_VERSION
    if "policy" in upgraded:
        upgraded["policy"] = policy(upgraded["policy"])
    if isinstance(upgraded.get("history"), list):
        upgraded["history"] = [entry(e) for e in upgraded["history"]]
    if isinstance(upgraded.get("disputes"), list):
        upgraded["disputes"] = [dispute(d) for d in upgraded["disputes"]]
    return upgraded


def _with_event_ids(entries: object) -> object:
    """*entries* (a document's list of entries or observations) each with an ``event_id``
    of None when it has none: how logs and documents before version 3 are read."""
    if not isinstance(entries, list | tuple):
        return entries
    return [
        {"event_id": None, **entry} if isinstance(entry, Mapping) else entry for entry in entries
    ]


def _from_version_2(data: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A version-1 or -2 document as version 3 writes it: no entry had an event id.

    An entry of such a document that has an ``event_id`` was not written by the library
    (or its ``schema_version`` is wrong): `InvalidInput` naming each.
    """
    found = [
        f"{path}[{i}].event_id: a document of schema_version {version} has "
        "no event ids; event ids came with version 3"
        for path, entries in _entry_lists(data)
        for i, entry in enumerate(entries)
        if isinstance(entry, Mapping) and "event_id" in entry
    ]
    if found:
        raise InvalidInput.listing(found, "problem(s) in the document")
    upgraded = dict(data)
    upgraded["schema_version"] = SCHEMA_VERSION
    for key in ("history", "tracking"):
        if key in upgraded:
            upgraded[key] = _with_event_ids(upgraded[key])
    if isinstance(upgraded.get("disputes"), list):
        upgraded["disputes"] = [
            {**d, "history": _with_event_ids(d["history"])}
            if isinstance(d, Mapping) and "history" in d
            else d
            for d in upgraded["disputes"]
        ]
    return upgraded


def _entry_lists(data: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """The document's lists of entries and observations, by their paths."""
    lists = [(key, data.get(key)) for key in ("history", "tracking")]
    disputes = data.get("disputes")
    if isinstance(disputes, list):
        lists += [
            (f"disputes[{i}].history", d.get("history"))
            for i, d in enumerate(disputes)
            if isinstance(d, Mapping)
        ]
    return [(path, entries) for path, entries in lists if isinstance(entries, list)]


def _from_version_3(data: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A document of version 1 to 3 as version 4 writes it: nothing was assumed.

    Such a document that has ``assumed`` was not written by the library (or its
    ``schema_version`` is wrong): `InvalidInput` naming it. (An entry's
    ``details["assumed"]`` in it gives the order assumptions the document does not
    have, and is refused as a disagreement with its history.)
    """
    if "assumed" in data:
        raise InvalidInput.listing(
            [
                f"assumed: a document of schema_version {version} has no assumed facts; "
                "they came with version 4"
            ],
            "problem(s) in the document",
        )
    upgraded = dict(data)
    upgraded["schema_version"] = SCHEMA_VERSION
    upgraded["assumed"] = []
    return upgraded


def _from_version_4(data: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A document of version 1 to 4 as version 5 writes it: every policy whole, with
    ``effective_from`` null and the default calendar (`policy_before_6`).

    Such a document whose policy has ``effective_from`` or ``calendar`` (or a key of
    version 6) was not written by the library (or its ``schema_version`` is wrong):
    `InvalidInput` naming each.
    """
    found = _newer_policy_keys(data, version, ("effective_from", "calendar"), 5)
    found += _newer_policy_keys(data, version, POLICY_SINCE_6, 6)
    if found:
        raise InvalidInput.listing(found, "problem(s) in the document")
    history = data.get("history")
    upgraded = dict(data)
    upgraded["schema_version"] = SCHEMA_VERSION
    if "policy" in upgraded:
        upgraded["policy"] = policy_before_6(upgraded["policy"])
    if isinstance(history, list):
        upgraded["history"] = [entry_before_6(e) for e in history]
    return upgraded


def _newer_policy_keys(
    data: Mapping[str, Any], version: int, keys: Iterable[str], since: int
) -> list[str]:
    """A problem for each of *keys* (which came with schema *since*) that a policy of a
    document of schema *version* has, at the top level or in a pay entry's details."""
    policies = [("policy", data.get("policy"))]
    history = data.get("history")
    if isinstance(history, list):
        policies += [
            (f"history[{i}].details.policy", e["details"]["policy"])
            for i, e in enumerate(history)
            if isinstance(e, Mapping)
            and e.get("action") == "pay"
            and isinstance(e.get("details"), Mapping)
            and "policy" in e["details"]
        ]
    return [
        f"{path}.{key}: a document of schema_version {version} has no {key}; it came with "
        f"version {since}"
        for path, policy in policies
        if isinstance(policy, Mapping)
        for key in keys
        if key in policy
    ]


_ORDER_SINCE_6 = ("estimated_delivery", "contacted_at")
_DISPUTE_SINCE_6 = ("escalated_at", "appealed_at")
_ESCALATIONS = ("escalate", "negotiation_timeout")


def _escalated_at(dispute: Mapping[str, Any]) -> object:
    """When a dispute written before schema 6 went to the platform, by its history."""
    history = dispute.get("history")
    found = [
        e.get("at")
        for e in (history if isinstance(history, list) else [])
        if isinstance(e, Mapping) and e.get("action") in _ESCALATIONS
    ]
    return found[-1] if found else None


def _from_version_5(data: Mapping[str, Any], version: int) -> dict[str, Any]:
    """A document of version 1 to 5 as version 6 writes it (see `SCHEMA_VERSION`).

    Such a document that has a key version 6 added (in a policy too) was not written by
    the library (or its ``schema_version`` is wrong): `InvalidInput` naming each.
    """
    disputes = data.get("disputes")
    disputes = disputes if isinstance(disputes, list) else []
    found = [f"{key}" for key in _ORDER_SINCE_6 if key in data] + [
        f"disputes[{i}].{key}"
        for i, d in enumerate(disputes)
        if isinstance(d, Mapping)
        for key in _DISPUTE_SINCE_6
        if key in d
    ]
    problems = [f"{path}: a document of schema_version {version} has no such key" for path in found]
    if version == 5:  # earlier versions' policies were checked before they were upgraded
        problems += _newer_policy_keys(data, version, POLICY_SINCE_6, 6)
    if problems:
        raise InvalidInput.listing(problems, "problem(s) in the document")
    upgraded = {**data, "schema_version": SCHEMA_VERSION}
    upgraded.update(dict.fromkeys(_ORDER_SINCE_6))
    if "policy" in upgraded:
        upgraded["policy"] = policy_before_6(upgraded["policy"])
    history = data.get("history")
    if isinstance(history, list):
        upgraded["history"] = [entry_before_6(e) for e in history]
    if isinstance(data.get("disputes"), list):
        upgraded["disputes"] = [
            {**d, "escalated_at": _escalated_at(d), "appealed_at": None}
            if isinstance(d, Mapping)
            else d
            for d in disputes
        ]
    return upgraded


def _log(document: OrderDocument) -> list[HistoryEntry]:
    entries = [*document.history]
    for dispute in document.disputes:
        entries.extend(dispute.history)
    entries.extend(seen.entry() for seen in document.tracking)
    return sorted(entries, key=lambda e: e.id)


def _disagreements(stored: object, rebuilt: object, path: str = "") -> list[str]:
    if stored is rebuilt or stored == rebuilt:  # the usual case: nothing to explain
        return []
    cls = type(stored)
    if attrs.has(cls) and cls is type(rebuilt) and cls is not Money:
        found = []
        for field in attrs.fields(cls):
            found += _disagreements(
                getattr(stored, field.name),
                getattr(rebuilt, field.name),
                f"{path}.{field.name}" if path else field.name,
            )
        return found
    if isinstance(stored, tuple) and isinstance(rebuilt, tuple) and len(stored) == len(rebuilt):
        found = []
        for i, (a, b) in enumerate(zip(stored, rebuilt, strict=True)):
            found += _disagreements(a, b, f"{path}[{i}]")
        return found
    if stored != rebuilt:
        said, given = CONVERTER.unstructure(stored), CONVERTER.unstructure(rebuilt)
        return [
            f"{path}: the document says {shown(said, 200)}, its history gives {shown(given, 200)}"
        ]
    return []


def log_to_list(log: Iterable[HistoryEntry]) -> list[dict[str, Any]]:
    """An event log (`Order.log`) as JSON-ready dicts, for an app that stores only the log."""
    if isinstance(log, str | bytes | Mapping) or not isinstance(log, Iterable):
        raise InvalidInput(f"log: expected an iterable of HistoryEntry, got {kind(log)}")
    entries = list(log)
    for i, entry in enumerate(entries):
        if not isinstance(entry, HistoryEntry):
            raise InvalidInput(f"log[{i}]: expected a HistoryEntry, got {type(entry).__name__}")
    data: list[dict[str, Any]] = CONVERTER.unstructure(entries, list[HistoryEntry])
    return data


def log_from_list(data: Sequence[Mapping[str, Any]]) -> tuple[HistoryEntry, ...]:
    """The entries `log_to_list` wrote, strictly checked; give them to `Order.replay`.

    *data* is a list (or a tuple) of entries, each an object with exactly the keys
    `log_to_list` writes (a log written by an earlier version is read as `from_dict`
    reads its documents: no event ids, a whole policy with no ``effective_from`` and the
    default calendar); anything else is `InvalidInput` listing every problem with
    its path (``log[2].at``).
    """
    if not isinstance(data, list | tuple):
        raise InvalidInput(f"log: expected a list of entries, got {kind(data)}")
    # A log written before event ids has none: its entries are read with None; one
    # written before schema 5 has its policy read with no effective_from and the
    # default calendar.
    entries = _with_event_ids([entry_before_6(entry) for entry in data])
    try:
        return tuple(CONVERTER.structure(entries, tuple[HistoryEntry, ...]))
    except (cattrs.BaseValidationError, ForbiddenExtraKeysError) as err:
        problems = [f"log{p}" if p.startswith("[") else p for p in problems_of(err)]
        raise InvalidInput.listing(problems, "problem(s) in the log") from None


def dumps(order: Order, *, indent: int | None = 2) -> str:
    """*order* as a JSON document."""
    data = to_dict(order)
    if type(indent) is int and indent == 2:
        # orjson writes what the json module writes with indent=2 (a test checks it),
        # in C: the json module writes an indented document in Python.
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONEncodeError:  # pragma: no cover - a document holds 64-bit ints
            pass
    return json.dumps(data, indent=indent, ensure_ascii=False)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _integer(text: str) -> int:
    if len(text) > _INT_DIGITS:  # Python refuses to read more digits than this
        raise ValueError(
            f"a number of {len(text)} digits; integers in a document are of {INT_BITS} bits"
        )
    return int(text)


_INT_DIGITS = 4300


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    found = {}  # a key appears twice: find the first one, to name it
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {shown(key)} appears twice in one object")
        found[key] = value
    return found


def loads(text: str | bytes, *, verify: bool = True) -> Order:
    """The order a `dumps` document describes; `InvalidInput` for anything wrong with it.

    *text* is a str, or bytes in UTF-8 (a leading byte order mark is ignored).
    *verify* is as for `from_dict`.
    """
    if type(verify) is not bool:
        raise InvalidInput(f"verify: expected True or False, got {kind(verify)}")
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise InvalidInput(
                f"document: the bytes are not UTF-8 ({err.reason} at byte {err.start})"
            ) from None
    if not isinstance(text, str):
        raise InvalidInput(f"document: expected JSON text as str or bytes, got {kind(text)}")
    try:
        data = json.loads(
            text, parse_constant=_no_constant, parse_int=_integer, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as err:
        raise InvalidInput(f"line {err.lineno} column {err.colno}: {err.msg}") from None
    except ValueError as err:
        raise InvalidInput(f"document: {err}") from None
    except RecursionError:
        raise InvalidInput("document: nested too deeply to be an order") from None
    return from_dict(data, verify=verify)


__all__ = [
    "CONVERTER",
    "SCHEMA_VERSION",
    "dumps",
    "from_dict",
    "loads",
    "log_from_list",
    "log_to_list",
    "to_dict",
]
