"""What ``rules`` prints: a policy's fields with the rule each encodes and its source.

AliExpress's rules (and a policy of no other marketplace) are described by the fields of
`Policy` themselves, a row a field. A preset of another marketplace is described by its
marketplace's table (`buyer_protection.sources`): its fields grouped by the rule that
sets them, with when the rule's clock starts and what its end does, then the fields no
rule of that marketplace sets, which keep the library's default.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from ._cli_render import Clock, _json, table
from .calendars import BusinessDays, Calendar, span
from .policy import Policy
from .presets import policies, preset
from .sources import Source, sources
from .storage import CONVERTER

_CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}
_UTC = Clock(None)  # how instants are written outside an order's view
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _days_text(days: frozenset[int]) -> str:
    """Business weekdays in words: ``Mon-Fri``, or a list when they do not run on."""
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAY_NAMES[ordered[0]]}-{_DAY_NAMES[ordered[-1]]}"
    return ", ".join(_DAY_NAMES[d] for d in ordered)


def _calendar_text(calendar: Calendar) -> str:
    """A calendar in words: ``UTC; Mon-Fri``, then its holidays and closed periods."""
    where = calendar.country or ""
    if calendar.subdivision:
        where += f"-{calendar.subdivision}"
    closed = ", ".join(
        first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        for first, last in calendar.closed
    )
    parts = [calendar.timezone, _days_text(calendar.weekdays)]
    if where:
        parts.append(f"holidays of {where}")
    if closed:
        parts.append(f"closed {closed}")
    return "; ".join(parts)


def _value_text(value: object) -> str:
    """A policy field's value in words: durations as `span` writes them, a consequence or
    an anchor as its word, None as ``none`` (the field's rule says what that means)."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, timedelta | BusinessDays):
        return span(value)
    if isinstance(value, Calendar):
        return _calendar_text(value)
    if isinstance(value, datetime):  # an instant at midnight UTC as its date, to keep it short
        at = value.astimezone(UTC)
        return at.date().isoformat() if at.time() == time() else _UTC.utc(at)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "none" if value is None else str(value)


def _reference(policy: Policy) -> Policy:
    """The preset whose values the marketplace's table cites for *policy*: the preset of
    its name and version, or the latest of its name (for a policy file's)."""
    found = preset(policy.name, policy.version)
    return found or [p for p in policies() if p.name == policy.name][-1]


def _said(policy: Policy, table_rows: Sequence[Source]) -> dict[str, Source]:
    """Each field of *policy*, whose marketplace has a table of its own, with the rule
    ``rules`` gives it: in the order of the table, then the fields no row sets."""
    reference = _reference(policy)
    said = {name: row for row in table_rows for name in row.fields}
    for name, value, rule, _, _ in policy.rules():
        was = getattr(reference, name)
        if value != was:
            preset_is = f"{reference.name} {reference.version} has {_value_text(was)}"
            why = f"this policy's own value: {preset_is}"
        elif name not in said:
            why = f"not published for these rules ({policy.name}): the library's default"
        else:
            continue
        said[name] = Source(rule, (name,), "", "", "L", why)
    return said


def _json_rules(policy: Policy, said: dict[str, Source] | None) -> str:
    """The JSON form of ``rules``: each field in declaration order; for a marketplace with
    a table of its own, also what starts its rule's clock and what its end does."""
    rules: list[dict[str, object]] = []
    for name, value, rule, source, confidence in policy.rules():
        entry: dict[str, object] = {"name": name, "value": CONVERTER.unstructure(value)}
        if said is None:
            entry.update(rule=rule, source=source, confidence=_CONFIDENCE[confidence])
        else:
            row = said[name]
            entry.update(
                rule=row.rule,
                source=row.source,
                confidence=_CONFIDENCE[row.confidence],
                starts=row.starts or None,
                ends=row.ends or None,
            )
        rules.append(entry)
    return _json({"policy": policy.name, "version": policy.version, "rules": rules})


def rules(policy: Policy, *, as_json: bool) -> str:
    """Every field of *policy*: its value, the rule, the source and how sure that is.

    For a policy of a marketplace with a table of its own (`sources`), the fields are
    grouped by the rule of that marketplace that sets them, with what starts its clock
    and what its end does; a field no rule sets is the library's default, not published
    for those rules; a value that differs from the preset's is the policy's own.
    """
    found = sources(policy)
    said = None if found == sources(Policy()) else _said(policy, found)
    if as_json:
        return _json_rules(policy, said)
    values = {name: _value_text(value) for name, value, *_ in policy.rules()}
    if said is None:  # a row a field, with the field's own rule
        said = {row.fields[0]: row for row in found}
    rows: list[tuple[str, str, str, str]] = []
    for group in dict.fromkeys(said.values()):
        sure = _CONFIDENCE[group.confidence]
        names = [name for name in group.fields if said[name] == group]
        for i, name in enumerate(names):
            rows.append((name, values[name], sure, "" if i else group.rule))
        rows.extend(
            ("", "", "", f"{label}: {text}")
            for label, text in (
                ("starts", group.starts),
                ("when it runs out", group.ends),
                ("source", group.source),
            )
            if text
        )
    head = f"Policy {policy.name}, version {policy.version}\n\n"
    return head + table(rows, ("field", "value", "confidence", "rule"))


def presets(found: Sequence[Policy], *, as_json: bool) -> str:
    """The presets *found*: each one's name, version and the instant it came into force."""
    if as_json:
        return _json(
            {
                "presets": [
                    {
                        "name": p.name,
                        "version": p.version,
                        "effective_from": None
                        if p.effective_from is None
                        else _UTC.utc(p.effective_from),
                    }
                    for p in found
                ]
            }
        )
    rows = [
        (p.name, p.version, "-" if p.effective_from is None else _UTC.utc(p.effective_from))
        for p in found
    ]
    return table(rows, ("name", "version", "in force from"))
