"""Carrier feeds: rows of text, as JSON or CSV gives them, turned into `TrackingEvent`s.

Times are parsed with dateutil in the many forms carriers write them. Whatever
cannot be known for sure is refused rather than guessed: a date with no year or
no time of day, a day/month order that reads both ways, a zone abbreviation
dateutil does not know (``CST`` is China's and America's), ``GMT+8`` (which
dateutil reads the POSIX way, as UTC-8), and a local time that the default zone
skips or repeats at a daylight-saving change.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType

from dateutil import parser as dateparser
from dateutil import tz

from ._time import utc
from .errors import InvalidInput
from .tracking import TrackingEvent, TrackingStatus

_S = TrackingStatus
_DEFAULT_WORDS: dict[str, TrackingStatus] = {
    **{status.value.replace("_", " "): status for status in TrackingStatus},
    "shipment information received": _S.INFO_RECEIVED,
    "pre-shipment": _S.INFO_RECEIVED,
    "label created": _S.INFO_RECEIVED,
    "order information received": _S.INFO_RECEIVED,
    "accepted": _S.IN_TRANSIT,
    "picked up": _S.IN_TRANSIT,
    "departed": _S.IN_TRANSIT,
    "arrived": _S.IN_TRANSIT,
    "arrived at sorting center": _S.IN_TRANSIT,
    "departed from sorting center": _S.IN_TRANSIT,
    "dispatched": _S.IN_TRANSIT,
    "in transit to next facility": _S.IN_TRANSIT,
    "in customs": _S.CUSTOMS,
    "customs clearance": _S.CUSTOMS,
    "held by customs": _S.CUSTOMS,
    "import customs clearance": _S.CUSTOMS,
    "export customs clearance": _S.CUSTOMS,
    "out for delivery": _S.OUT_FOR_DELIVERY,
    "with delivery courier": _S.OUT_FOR_DELIVERY,
    "delivered": _S.DELIVERED,
    "delivered to mailbox": _S.DELIVERED,
    "picked up by recipient": _S.DELIVERED,
    "delivery attempted": _S.DELIVERY_FAILED,
    "failed delivery attempt": _S.DELIVERY_FAILED,
    "undeliverable": _S.DELIVERY_FAILED,
    "return to sender": _S.RETURNED_TO_SENDER,
    "returned": _S.RETURNED_TO_SENDER,
    "alert": _S.EXCEPTION,
    "delayed": _S.EXCEPTION,
    "lost": _S.EXCEPTION,
    "damaged": _S.EXCEPTION,
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def _words(text: str) -> str:
    return _SEPARATORS.sub(" ", text.strip().casefold())


STATUS_WORDS: Mapping[str, TrackingStatus] = MappingProxyType(
    {_words(text): status for text, status in _DEFAULT_WORDS.items()}
)
"""The default table from a status text (normalised: lower case, words separated by
single spaces) to a `TrackingStatus`. Pass ``statuses=`` to `parse_tracking` to add
to it or override it."""

_FIELDS = ("time", "status", "description", "location")
_POSIX_OFFSET = re.compile(r"(?i)\b(?:gmt|utc)\s*[+-]\s*\d")
_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.\s]")
# Two different defaults show which parts dateutil filled in itself. Naive on
# purpose: an aware default would hand its zone to a time written without one.
_PROBES = (datetime(2001, 1, 1, 0), datetime(2002, 2, 2, 1))  # noqa: DTZ001


def _zone(value: object) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str) and value and (zone := tz.gettz(value)) is not None:
        return zone
    raise InvalidInput(
        f"default_tz: {value!r} is not a time zone; give a tzinfo or an IANA name "
        "such as 'Asia/Shanghai'"
    )


def _status_table(extra: Mapping[str, TrackingStatus | str] | None) -> dict[str, TrackingStatus]:
    table = dict(STATUS_WORDS)
    for text, status in (extra or {}).items():
        try:
            table[_words(text)] = TrackingStatus(status)
        except ValueError:
            known = ", ".join(s.value for s in TrackingStatus)
            raise InvalidInput(
                f"statuses[{text!r}]: {status!r} is not a tracking status; one of {known}"
            ) from None
    return table


def _parse_time(value: object, zone: tzinfo | None, dayfirst: bool | None, name: str) -> datetime:
    """One feed time as an aware datetime, or ValueError saying why it cannot be known."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if _POSIX_OFFSET.search(text):
            raise ValueError(
                f"{text!r} writes its offset as GMT/UTC+N, which reads two ways; write it as +08:00"
            )
        parsed = _read(text, dayfirst)
    else:
        raise ValueError(f"expected a date and time as text, got {value!r}")
    if parsed.utcoffset() is not None:
        return parsed
    if zone is None:
        raise ValueError(f"{value!r} has no time zone; give it with an offset such as +08:00")
    local = parsed.replace(tzinfo=zone)
    if not tz.datetime_exists(local):
        raise ValueError(f"{value!r} does not exist in {name} (skipped by a clock change)")
    if tz.datetime_ambiguous(local):
        raise ValueError(
            f"{value!r} happens twice in {name} (a clock change); give it with its offset"
        )
    return local


def _read(text: str, dayfirst: bool | None) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if len(text) <= len("2026-03-01"):
            raise ValueError(f"{text!r} has no time of day")
        return parsed
    yearfirst = _YEAR_FIRST.match(text) is not None
    readings = []
    orders = (False,) if yearfirst else (False, True) if dayfirst is None else (dayfirst,)
    for first in orders:
        got = []
        for default in _PROBES:
            with warnings.catch_warnings():
                warnings.simplefilter("error", dateparser.UnknownTimezoneWarning)
                try:
                    got.append(
                        dateparser.parse(text, default=default, dayfirst=first, yearfirst=yearfirst)
                    )
                except dateparser.UnknownTimezoneWarning:
                    raise ValueError(
                        f"{text!r} names a time zone that cannot be known for sure; "
                        "write the offset, e.g. +08:00"
                    ) from None
                except (dateparser.ParserError, OverflowError):
                    raise ValueError(f"{text!r} is not a date and time") from None
        a, b = got
        if a.year != b.year:
            raise ValueError(f"{text!r} has no year")
        if (a.month, a.day) != (b.month, b.day):
            raise ValueError(f"{text!r} has no full date")
        if a.hour != b.hour:
            raise ValueError(f"{text!r} has no time of day")
        readings.append(a)
    if len(set(readings)) > 1:
        raise ValueError(
            f"{text!r} reads as day-first and as month-first; pass dayfirst=True or False"
        )
    return readings[0]


def parse_instant(
    value: str | datetime,
    *,
    default_tz: tzinfo | str | None = None,
    dayfirst: bool | None = None,
    name: str = "time",
) -> datetime:
    """One instant written as carriers and people write them, in UTC.

    The same forms and the same refusals as `parse_tracking`; a time without an
    offset is local time in *default_tz*, and refused when there is none.

    >>> parse_instant("2026-03-20 10:00", default_tz="Asia/Shanghai").isoformat()
    '2026-03-20T02:00:00+00:00'
    """
    zone = None if default_tz is None else _zone(default_tz)
    try:
        parsed = _parse_time(value, zone, dayfirst, str(default_tz))
    except ValueError as err:
        raise InvalidInput(f"{name}: {err}") from None
    return utc(parsed, name)


def parse_tracking(
    records: Iterable[Mapping[str, object]],
    *,
    default_tz: tzinfo | str,
    keys: Mapping[str, str] | None = None,
    statuses: Mapping[str, TrackingStatus | str] | None = None,
    dayfirst: bool | None = None,
) -> tuple[TrackingEvent, ...]:
    """Turn carrier feed rows into sorted, de-duplicated `TrackingEvent` values.

    Each row is a mapping with ``time`` and ``status``, optionally ``description``
    and ``location``; *keys* maps these names to the feed's (``{"time": "ts"}``).
    A time without an offset is local time in *default_tz*. Status texts go
    through ``STATUS_WORDS``, extended by *statuses*. Every bad row is reported at
    once, as ``records[3].time: ...``, and nothing is returned then.

    >>> rows = [{"time": "2026-03-05 09:12", "status": "In transit"},
    ...         {"time": "2026-03-02 18:40", "status": "Info received"}]
    >>> [e.status.value for e in parse_tracking(rows, default_tz="Asia/Shanghai")]
    ['info_received', 'in_transit']
    """
    zone = _zone(default_tz)
    names = dict(zip(_FIELDS, _FIELDS, strict=True))
    for ours, theirs in (keys or {}).items():
        if ours not in names or not isinstance(theirs, str):
            raise InvalidInput(
                f"keys[{ours!r}]: expected one of {', '.join(_FIELDS)} mapped to a str key"
            )
        names[ours] = theirs
    table = _status_table(statuses)
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InvalidInput(f"dayfirst: expected True, False or None, got {dayfirst!r}")
    if isinstance(records, str | bytes | Mapping):
        raise InvalidInput("records: expected a sequence of rows (mappings), got one value")
    events: set[TrackingEvent] = set()
    problems: list[str] = []
    for i, row in enumerate(records):
        where = f"records[{i}]"
        if not isinstance(row, Mapping):
            problems.append(f"{where}: expected a mapping, got {type(row).__name__}")
            continue
        event = _event(row, names, zone, str(default_tz), table, dayfirst, where, problems)
        if event is not None:
            events.add(event)
    if problems:
        raise InvalidInput(
            f"{len(problems)} bad value(s) in the feed: " + "; ".join(problems), problems=problems
        )
    return tuple(sorted(events, key=TrackingEvent.sort_key))


def _event(
    row: Mapping[str, object],
    names: Mapping[str, str],
    zone: tzinfo,
    zone_name: str,
    table: Mapping[str, TrackingStatus],
    dayfirst: bool | None,
    where: str,
    problems: list[str],
) -> TrackingEvent | None:
    before = len(problems)
    at: datetime | None = None
    status: TrackingStatus | None = None
    if names["time"] not in row:
        problems.append(f"{where}.{names['time']}: missing")
    else:
        try:
            at = _parse_time(row[names["time"]], zone, dayfirst, zone_name)
        except ValueError as err:
            problems.append(f"{where}.{names['time']}: {err}")
    raw = row.get(names["status"])
    if raw is None:
        problems.append(f"{where}.{names['status']}: missing")
    elif not isinstance(raw, str) or (status := table.get(_words(raw))) is None:
        problems.append(
            f"{where}.{names['status']}: {raw!r} is not a known status; add it with statuses="
        )
    texts = []
    for name in ("description", "location"):
        value = row.get(names[name])
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"{where}.{names[name]}: expected text, got {value!r}")
        texts.append(str(value).strip())
    if len(problems) > before or at is None or status is None:
        return None
    return TrackingEvent(at, status, texts[0], texts[1])
