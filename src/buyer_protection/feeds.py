"""Carrier feeds: rows of text, as JSON or CSV gives them, turned into `TrackingEvent`s.

Times are parsed with dateutil in the many forms carriers write them, or read as
Unix epoch seconds or milliseconds (an int, or text of exactly 10 or 13 digits), as
Cainiao and the AliExpress tracking API give them. Whatever cannot be known for sure
is refused rather than guessed: a date with no year, a year written with two digits
(dateutil would pick a century from today's date), no time of day, a numeric date
whose day/month order is not written (``05/03/2026``: pass ``dayfirst``), a zone
abbreviation (``CST`` is China's and America's), ``GMT+8`` (which dateutil reads the
POSIX way, as UTC-8), and a local time that the default zone skips or repeats at a
daylight-saving change. The default zone is a tzinfo or an IANA key, never a path.

Scans at one instant keep the feed's own order: a feed lists newest first or oldest
first (the direction of its first two distinct times), and `parse_tracking` returns
events oldest first, so the scan the feed puts on the newest side of a tie is last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil import tz

from ._text import kind, shown
from ._text import text as storable
from ._time import LATEST, member, utc, zone
from .errors import BuyerProtectionError, InvalidInput
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
_LONGEST_KEY = 100  # characters in a feed's key given with keys=
_LONGEST_TIME = 100  # characters in a written date and time

_POSIX_OFFSET = re.compile(r"(?i)\b(?:gmt|utc)\s*[+-]\s*\d")
# Three numbers with one separator: the date's field order is read from how it is written.
_NUMERIC_DATE = re.compile(r"(?<![\d:.])(\d{1,4})([/.\- ])(\d{1,2})\2(\d{1,4})(?![\d:])")
# Year, month and day run together (20260305), maybe with the time (202603050912[33]).
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:\d{4}|\d{6})?(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]+")
# Two different defaults show which parts dateutil filled in itself. Naive on
# purpose: an aware default would hand its zone to a time written without one.
_PROBES = (datetime(2001, 1, 1, 0), datetime(2002, 2, 2, 1))  # noqa: DTZ001

_EPOCH_TEXT = re.compile(r"[0-9]{10}|[0-9]{13}")
_MILLISECONDS_FROM = 10**11  # an epoch number this big counts milliseconds, else seconds
_UNIX = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_FIRST_SCAN = datetime(2000, 1, 1, tzinfo=UTC)  # an epoch instant before this is implausible
_FIRST_MS = (_FIRST_SCAN - _UNIX) // _MS
_LAST_MS = (LATEST - _UNIX) // _MS


class _Refused(BuyerProtectionError):
    """Why a written time cannot be known; the caller adds the path."""


class _FourDigitYears(dateparser.parserinfo):
    """dateutil's vocabulary, but a two-digit year is refused instead of windowed."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if not century_specified:
            # dateutil would pick the century from today's date: the same text would
            # give another year in another decade.
            raise _Refused("writes its year with two digits; write the year with four digits")
        return year


_INFO = _FourDigitYears()


def _offset(name: str | None, seconds: int | None) -> tzinfo | None:
    """The zone a parsed time names: only a written offset (or UTC, GMT, Z), never a guess.

    Given to dateutil as ``tzinfos``, so that it never reads a name as the machine's
    own zone (``CST`` on a machine set to Chicago) nor drops one it does not know.
    """
    if seconds is not None:
        if not -86400 < seconds < 86400:
            raise _Refused("has a UTC offset of a day or more")
        return UTC if seconds == 0 else timezone(timedelta(seconds=seconds))
    if name is None:
        return None
    if _INFO.utczone(name):
        return UTC
    raise _Refused(
        f"names the time zone {shown(name)}, which cannot be known for sure "
        "(CST is China's and America's); write the offset, e.g. +08:00"
    )


def _status_table(extra: object, problems: list[str]) -> dict[str, TrackingStatus]:
    table = dict(STATUS_WORDS)
    if extra is None:
        return table
    if not isinstance(extra, Mapping):
        problems.append(
            f"statuses: expected a mapping from status text to a tracking status, got {kind(extra)}"
        )
        return table
    for text, status in extra.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"statuses: a key must be a status text, got {kind(text)}")
            continue
        try:
            table[_words(text)] = member(TrackingStatus, status, f"statuses[{shown(text)}]")
        except InvalidInput as err:
            problems.append(str(err))
    return table


def _key_names(keys: object, problems: list[str]) -> dict[str, str]:
    names = dict(zip(_FIELDS, _FIELDS, strict=True))
    if keys is None:
        return names
    if not isinstance(keys, Mapping):
        problems.append(
            f"keys: expected a mapping from our field names ({', '.join(_FIELDS)}) to the "
            f"feed's keys, got {kind(keys)}"
        )
        return names
    for ours, theirs in keys.items():
        if not isinstance(ours, str) or ours not in names:
            problems.append(
                f"keys[{shown(ours)}]: not a field name; one of {', '.join(_FIELDS)}, "
                "each mapped to the feed's key"
            )
        elif not isinstance(theirs, str) or not 0 < len(theirs) <= _LONGEST_KEY:
            problems.append(
                f"keys[{shown(ours)}]: expected the feed's key as text of 1 to "
                f"{_LONGEST_KEY} characters, got {kind(theirs)}"
            )
        else:
            names[ours] = theirs
    return names


def _dayfirst(value: object, problems: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.append(f"dayfirst: expected True, False or None, got {kind(value)}")
    return None


def _instant(value: object, default: tzinfo | None, dayfirst: bool | None) -> datetime:
    """One feed time as an instant in UTC, or `_Refused` saying why it cannot be known."""
    if isinstance(value, bool):
        raise _Refused(f"expected a date and time, got {kind(value)}")
    if isinstance(value, int):
        return _epoch(value)
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) > _LONGEST_TIME:
        raise _Refused(f"{shown(value)} is too long to be a date and time")
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if _EPOCH_TEXT.fullmatch(text):
            return _epoch(int(text))
        if _POSIX_OFFSET.search(text):
            raise _Refused(
                f"{shown(text)} writes its offset as GMT/UTC+N, which reads two ways; "
                "write it as +08:00"
            )
        parsed = _read(text, dayfirst)
    elif isinstance(value, float):
        raise _Refused(
            f"{shown(value)} is a float, which is inexact; give epoch seconds or "
            "milliseconds as an int"
        )
    else:
        raise _Refused(
            "expected a date and time as text, a datetime, or Unix epoch seconds or "
            f"milliseconds as an int, got {kind(value)}"
        )
    try:
        aware = parsed.utcoffset() is not None
    except Exception:  # a broken tzinfo on a datetime given as is
        raise _Refused(
            f"the time zone {shown(parsed.tzinfo)} of this datetime gives no valid UTC offset"
        ) from None
    local = parsed if aware else _local(parsed, default, value)
    try:
        return utc(local, "")
    except InvalidInput as err:  # its message starts with the name given, here none
        raise _Refused(str(err).removeprefix(": ")) from None


def _epoch(number: int) -> datetime:
    """Unix epoch milliseconds (from 10**11 on) or seconds, as an instant in UTC."""
    unit = "milliseconds" if number >= _MILLISECONDS_FROM else "seconds"
    ms = number if number >= _MILLISECONDS_FROM else number * 1000
    if number < 0:
        raise _Refused(f"{shown(number)} is a negative epoch number")
    if ms < _FIRST_MS:
        raise _Refused(
            f"{shown(number)} read as epoch {unit} is {(_UNIX + ms * _MS).isoformat()}, "
            f"before {_FIRST_SCAN.date()}: implausible for a carrier scan"
        )
    if ms > _LAST_MS:
        raise _Refused(
            f"{shown(number)} read as epoch {unit} is later than the year {LATEST.year}, "
            "the latest this library computes deadlines from"
        )
    return _UNIX + ms * _MS


def _local(parsed: datetime, default: tzinfo | None, value: object) -> datetime:
    """A naive time as local time in the default zone, refused when it is not one instant."""
    if default is None:
        raise _Refused(f"{shown(value)} has no time zone; give it with an offset such as +08:00")
    local = parsed.replace(tzinfo=default)
    try:
        exists = tz.datetime_exists(local)
        twice = tz.datetime_ambiguous(local)
    except OverflowError:
        raise _Refused(f"{shown(value)} is too close to either end of the calendar") from None
    except Exception:  # a broken custom tzinfo
        raise _Refused(
            f"default_tz {shown(default)} gives no valid UTC offset for {shown(value)}; "
            "give a working tzinfo or an IANA zone key"
        ) from None
    key = default.key if isinstance(default, ZoneInfo) else None
    where = key if isinstance(key, str) and len(key) <= _LONGEST_KEY else shown(default)
    if not exists:
        raise _Refused(f"{shown(value)} does not exist in {where} (skipped by a clock change)")
    if twice:
        raise _Refused(
            f"{shown(value)} happens twice in {where} (a clock change); give it with its offset"
        )
    return local


def _read(text: str, dayfirst: bool | None) -> datetime:
    """*text* as dateutil reads it, once its field order is known; naive or aware."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if len(text) <= len("2026-03-01"):
            raise _Refused(f"{shown(text)} has no time of day")
        return parsed
    if any(_INFO.month(word) is not None for word in _LETTERS.findall(text)):
        return _agreed(text, dayfirst)  # the month is a word: the order is written
    if compact := _COMPACT.match(text):
        return _checked(text, compact.groups(), _parse(text, False, True), "year-month-day")
    numeric = _NUMERIC_DATE.search(text)
    if numeric is None:
        return _agreed(text, dayfirst)
    first, sep, second, third = numeric.groups()
    if len(first) == 4:
        return _checked(text, (first, second, third), _parse(text, False, True), "year-month-day")
    if len(third) != 4 or len(first) > 2:
        raise _Refused(
            f"{shown(text)} does not write its year with four digits, first or last "
            f"({first}{sep}{second}{sep}{third})"
        )
    if dayfirst is None:
        raise _Refused(
            f"{shown(text)} writes day and month as numbers before the year: day-first "
            "in some feeds, month-first in others; pass dayfirst=True or False, or "
            "write the date year first (2026-03-05)"
        )
    if dayfirst:
        return _checked(
            text, (third, second, first), _parse(text, True, False), "day-first (dayfirst=True)"
        )
    return _checked(
        text, (third, first, second), _parse(text, False, False), "month-first (dayfirst=False)"
    )


def _checked(text: str, written: tuple[str, ...], parsed: datetime, order: str) -> datetime:
    """*parsed* if its date is the one *written* in this order (dateutil may swap fields)."""
    if (parsed.year, parsed.month, parsed.day) != tuple(int(part) for part in written):
        raise _Refused(f"{shown(text)} is not a date when read {order}")
    return parsed


def _agreed(text: str, dayfirst: bool | None) -> datetime:
    """The reading of a form whose order dateutil knows: day-first and month-first agree."""
    readings = {first: _parse(text, first, False) for first in (False, True)}
    if readings[False] == readings[True]:
        return readings[False]
    if dayfirst is None:
        raise _Refused(
            f"{shown(text)} reads as day-first and as month-first; pass dayfirst=True or "
            "False, or write the date year first (2026-03-05)"
        )
    return readings[dayfirst]


def _parse(text: str, dayfirst: bool, yearfirst: bool) -> datetime:
    """dateutil's reading of *text*, refused when it filled in a part itself."""
    got = []
    for default in _PROBES:
        try:
            got.append(
                dateparser.parse(
                    text,
                    parserinfo=_INFO,
                    default=default,
                    dayfirst=dayfirst,
                    yearfirst=yearfirst,
                    tzinfos=_offset,
                )
            )
        except _Refused as err:
            raise _Refused(f"{shown(text)} {err}") from None
        except Exception:  # ParserError, OverflowError, and what else dateutil raises
            raise _Refused(f"{shown(text)} is not a date and time") from None
    a, b = got
    if a.year != b.year:
        raise _Refused(f"{shown(text)} has no year")
    if (a.month, a.day) != (b.month, b.day):
        raise _Refused(f"{shown(text)} has no full date")
    if a.hour != b.hour:
        raise _Refused(f"{shown(text)} has no time of day")
    if a.year < 1000:
        raise _Refused(f"{shown(text)} does not write its year with four digits")
    return a


def parse_instant(
    value: str | int | datetime,
    *,
    default_tz: tzinfo | str | None = None,
    dayfirst: bool | None = None,
    name: str = "time",
) -> datetime:
    """One instant written as carriers and people write them, in UTC.

    The same forms and the same refusals as `parse_tracking`, epoch seconds and
    milliseconds included; a time without an offset is local time in
    *default_tz* (a tzinfo or an IANA key), and refused when there is none.

    >>> parse_instant("2026-03-20 10:00", default_tz="Asia/Shanghai").isoformat()
    '2026-03-20T02:00:00+00:00'
    >>> parse_instant("1674952260862").isoformat()
    '2023-01-29T00:31:00.862000+00:00'
    """
    if not isinstance(name, str) or not 0 < len(name) <= _LONGEST_KEY:
        raise InvalidInput(
            f"name: expected text of 1 to {_LONGEST_KEY} characters, got {kind(name)}"
        )
    problems: list[str] = []
    default = None if default_tz is None else _zone(default_tz, problems)
    first = _dayfirst(dayfirst, problems)
    _raise(problems, "bad argument(s)")
    try:
        return _instant(value, default, first)
    except _Refused as err:
        raise InvalidInput(f"{name}: {err}") from None


def _zone(value: object, problems: list[str]) -> tzinfo | None:
    try:
        return zone(value, "default_tz")
    except InvalidInput as err:
        problems.append(str(err))
        return None


def _raise(problems: list[str], heading: str) -> None:
    """Raise `InvalidInput` for every problem at once (the message quotes the first few)."""
    if problems:
        raise InvalidInput.listing(problems, heading)


def parse_tracking(
    records: Iterable[Mapping[str, object]],
    *,
    default_tz: tzinfo | str,
    keys: Mapping[str, str] | None = None,
    statuses: Mapping[str, TrackingStatus | str] | None = None,
    dayfirst: bool | None = None,
) -> tuple[TrackingEvent, ...]:
    """Turn carrier feed rows into `TrackingEvent` values, oldest first, without duplicates.

    Each row is a mapping with ``time`` and ``status``, optionally ``description``
    and ``location``; *keys* maps these names to the feed's (``{"time": "ts"}``).
    A time is text, a datetime, or Unix epoch seconds or milliseconds (an int, or
    text of exactly 10 or 13 digits; always UTC). A time without an offset is local
    time in *default_tz* (a tzinfo or an IANA key). Status texts go through
    ``STATUS_WORDS``, extended by *statuses*. Scans at one instant keep the feed's
    order, the one on the feed's newest side last. Every bad row is reported at
    once, as ``records[3].time: ...``, and nothing is returned then.

    >>> rows = [{"time": "2026-03-05 09:12", "status": "In transit"},
    ...         {"time": "2026-03-02 18:40", "status": "Info received"}]
    >>> [e.status.value for e in parse_tracking(rows, default_tz="Asia/Shanghai")]
    ['info_received', 'in_transit']
    """
    problems: list[str] = []
    given = _zone(default_tz, problems)
    default = UTC if given is None else given  # UTC only stands in until the refusal below
    names = _key_names(keys, problems)
    table = _status_table(statuses, problems)
    first = _dayfirst(dayfirst, problems)
    rows: Iterator[object] = iter(())
    if isinstance(records, str | bytes | bytearray | Mapping):
        problems.append(f"records: expected a sequence of rows (mappings), got {kind(records)}")
    else:
        try:
            rows = iter(records)
        except TypeError:
            problems.append(f"records: expected a sequence of rows (mappings), got {kind(records)}")
    _raise(problems, "bad argument(s)")
    events: list[TrackingEvent] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            problems.append(f"records[{i}]: expected a mapping, got {kind(row)}")
            continue
        event = _event(row, names, default, table, first, f"records[{i}]", problems)
        if event is not None:
            events.append(event)
    _raise(problems, "bad value(s) in the feed")
    return _in_feed_order(events)


def _in_feed_order(events: list[TrackingEvent]) -> tuple[TrackingEvent, ...]:
    """Events oldest first, ties in the feed's order read oldest first; duplicates once.

    A feed lists newest first when its first two distinct times go backwards; its
    ties are then reversed too, so the scan it lists on the newest side stays last.
    """
    start = events[0].at if events else None
    turn = next((e.at for e in events if e.at != start), None)
    if turn is not None and start is not None and turn < start:
        events.reverse()
    events.sort(key=lambda e: e.at)  # stable: ties keep the order just set
    return tuple(dict.fromkeys(events))


def _event(
    row: Mapping[object, object],
    names: Mapping[str, str],
    default: tzinfo,
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
            at = _instant(row[names["time"]], default, dayfirst)
        except _Refused as err:
            problems.append(f"{where}.{names['time']}: {err}")
    raw = row.get(names["status"])
    if raw is None:
        problems.append(f"{where}.{names['status']}: missing")
    elif not isinstance(raw, str):
        problems.append(f"{where}.{names['status']}: expected text, got {kind(raw)}")
    elif (status := table.get(_words(raw))) is None:
        problems.append(
            f"{where}.{names['status']}: {shown(raw)} is not a known status; add it with statuses="
        )
    texts = []
    for name in ("description", "location"):
        value = row.get(names[name])
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"{where}.{names[name]}: expected text, got {kind(value)}")
            value = ""
        try:
            texts.append(storable(value.strip(), f"{where}.{names[name]}"))
        except InvalidInput as err:  # too long, or not writable as UTF-8
            problems.append(str(err))
    if len(problems) > before or at is None or status is None:
        return None
    return TrackingEvent(at, status, texts[0], texts[1])
