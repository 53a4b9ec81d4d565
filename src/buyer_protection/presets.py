"""The presets: each marketplace's rules by name and version, and the version in force.

A preset is a `Policy` with an ``effective_from``: the first instant its version
applies. An order is judged by the version in force when it was paid::

    Order(order_id, total, paid_at, policy=policy_for("aliexpress", paid_at))

A policy is a preset only when it equals a registered one; any other (one made with
``attrs.evolve`` from a preset too) is a custom policy. Documents name a preset by
name and version, and store a custom policy whole.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from ._text import kind, shown
from ._time import iso, utc
from .errors import InvalidInput
from .policy import ALIEXPRESS, Policy

__all__ = [
    "ALIEXPRESS",
    "ALIEXPRESS_2015",
    "ALIEXPRESS_2018",
    "policies",
    "policy_for",
]

ALIEXPRESS_2018 = attrs.evolve(
    ALIEXPRESS,
    version="2018",
    effective_from=datetime(2018, 1, 1, tzinfo=UTC),
    post_completion_window=timedelta(0),
)
"""AliExpress from 2018 (RULES.md section 4b): "not received" after 10 days as today,
but no dispute after completion."""

ALIEXPRESS_2015 = attrs.evolve(
    ALIEXPRESS_2018,
    version="2015",
    effective_from=datetime(2015, 1, 1, tzinfo=UTC),
    earliest_not_received=timedelta(days=5),
    negotiation_window=timedelta(days=15),
)
"""AliExpress from 2015 (RULES.md section 4b): "not received" 5 days after shipment, no
dispute after completion, and 15 days of negotiation before the platform steps in."""


def _dated(policy: Policy) -> tuple[Policy, datetime]:
    if policy.effective_from is None:  # pragma: no cover - a mistake in the list below
        raise ValueError(f"the preset {policy.name} {policy.version} has no effective_from")
    return policy, policy.effective_from.astimezone(UTC)


_DATED: tuple[tuple[Policy, datetime], ...] = tuple(
    sorted(
        (_dated(p) for p in (ALIEXPRESS_2015, ALIEXPRESS_2018, ALIEXPRESS)),
        key=lambda dated: (dated[0].name, dated[1]),
    )
)
_PRESETS: tuple[Policy, ...] = tuple(p for p, _ in _DATED)
_BY_VERSION: dict[tuple[str, str], Policy] = {(p.name, p.version): p for p in _PRESETS}
if len(_BY_VERSION) != len(_PRESETS):  # pragma: no cover - a mistake in the list above
    raise ValueError("two presets share a name and a version")


def policies() -> tuple[Policy, ...]:
    """Every preset, by name then ``effective_from``.

    >>> [(p.name, p.version) for p in policies()]
    [('aliexpress', '2015'), ('aliexpress', '2018'), ('aliexpress', '2026-11')]
    """
    return _PRESETS


def known() -> str:
    """The presets in words, for messages: ``aliexpress 2015 (from ...), ...``."""
    return ", ".join(f"{p.name} {p.version} (from {iso(since)})" for p, since in _DATED)


def preset(name: str, version: str) -> Policy | None:
    """The preset *name* at *version*, or None when there is none."""
    return _BY_VERSION.get((name, version))


def is_preset(policy: Policy) -> bool:
    """*policy* equals a registered preset."""
    return _BY_VERSION.get((policy.name, policy.version)) == policy


def policy_for(name: str, at: datetime) -> Policy:
    """The version of the rules *name* in force at the aware instant *at*: the last
    preset of that name whose ``effective_from`` is not after *at*.

    An unknown *name*, a naive or non-datetime *at*, or an instant before the first
    version is `InvalidInput` naming what exists.

    >>> policy_for("aliexpress", datetime(2018, 6, 1, tzinfo=UTC)).version
    '2018'
    """
    versions = [(p, since) for p, since in _DATED if p.name == name]
    if not versions:
        names = ", ".join(sorted({p.name for p in _PRESETS}))
        raise InvalidInput(f"name: {shown(name)} is not a preset's name; known: {names}")
    if not isinstance(at, datetime):
        raise InvalidInput(f"at: expected a timezone-aware datetime, got {kind(at)}")
    moment = utc(at, "at")
    in_force = [p for p, since in versions if since <= moment]
    if not in_force:
        listed = ", ".join(f"{p.version} from {iso(since)}" for p, since in versions)
        raise InvalidInput(
            f"at: {iso(moment)} is before the first version of {name}'s rules; "
            f"its versions: {listed}"
        )
    return in_force[-1]
