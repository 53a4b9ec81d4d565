"""Facts an order was given by assumption, and the deadlines computed from them.

An order imported from a source that lacks some facts (the seller API without the
order's detail has no payment or shipment instant, no amount paid, no protection
days) is built with stand-ins, named in ``assumed``: `Order` takes those of its
creation (``paid_at``, ``total``) and `Order.ship` those of the shipment
(``shipped_at``, ``protection_days``). Each is recorded in the entry that carries the
fact (the ``pay`` or the ``ship`` entry's ``details["assumed"]``, only when there are
some), so that `Order.replay` recovers them. `Assumptions` is the part of `Order` that
says which facts are assumed and which deadlines rest on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from ._text import kind, shown
from .errors import InvalidInput
from .policy import Policy

PAY_FACTS: Final = frozenset({"paid_at", "total"})
"""The facts of an order's creation that can be assumed: ``Order(..., assumed=...)``."""

SHIP_FACTS: Final = frozenset({"shipped_at", "protection_days"})
"""The facts of a shipment that can be assumed: ``Order.ship(..., assumed=...)``."""

NOTHING: Final[frozenset[str]] = frozenset()
"""No fact assumed: one shared empty set, so that an order without assumptions costs no
set of its own (an empty frozenset is not shared by Python)."""

FACTS: Final = PAY_FACTS | SHIP_FACTS
"""Every fact an order can be given by assumption."""

_GIVEN_TO = {"paid_at": "Order(...)", "total": "Order(...)"} | dict.fromkeys(
    SHIP_FACTS, "ship(...)"
)

WINDOWS: Final = (
    "shipping_deadline",
    "protection_ends",
    "promised_delivery",
    "earliest_dispute",
    "post_completion_ends",
    "refundable",
)
"""The names `Order.assumed_for` answers for: the order's deadlines and windows, and
``refundable`` (the amounts a dispute may ask and a cancellation refunds)."""


def _names(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in sorted(names))


def assumed_names(value: object, accepted: frozenset[str]) -> frozenset[str]:
    """*value* (an iterable of fact names, each one of *accepted*) as a frozenset, else
    `InvalidInput` naming ``assumed``, the bad value and the accepted names."""
    if type(value) is tuple and not value:  # the default: nothing assumed
        return NOTHING
    expected = f"names from {_names(accepted)}"
    if isinstance(value, str):  # one name given as it is: its letters are not names
        raise InvalidInput(
            f"assumed: expected an iterable of {expected}, got str {shown(value)}: "
            f"give one name in a list, [{shown(value)}]"
        )
    if isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(f"assumed: expected an iterable of {expected}, got {kind(value)}")
    found = set()
    for item in tuple(value):
        if not isinstance(item, str):
            raise InvalidInput(f"assumed: expected {expected}, got {kind(item)}")
        if item not in accepted:
            if item in FACTS:
                raise InvalidInput(
                    f"assumed: {shown(item)} is assumed where it is given, in "
                    f"{_GIVEN_TO[item]}; here the facts are {_names(accepted)}"
                )
            raise InvalidInput(
                f"assumed: {shown(item)} is not a fact that can be assumed here; "
                f"expected {expected}"
            )
        found.add(str.__str__(item))
    return frozenset(found) if found else NOTHING


class Assumptions:
    """The assumed facts of an order (a mixin of `Order`, which keeps them)."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them.
    policy: Policy
    promised_days: int | None
    _assumed: frozenset[str]

    @property
    def completed_by_buyer(self) -> bool:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @property
    def assumed(self) -> frozenset[str]:
        """The facts the order was given by assumption, not by its source: names from
        ``paid_at``, ``total`` (given to `Order`) and ``shipped_at``,
        ``protection_days`` (given to `Order.ship`). Empty for an order built by the
        caller.

        >>> from datetime import datetime, UTC
        >>> from buyer_protection import Money, Order
        >>> paid = datetime(2026, 3, 1, tzinfo=UTC)
        >>> order = Order("8123", Money("25.90", "USD"), paid, assumed=["paid_at"])
        >>> order.ship(datetime(2026, 3, 2, tzinfo=UTC), assumed={"shipped_at"})
        >>> sorted(order.assumed)
        ['paid_at', 'shipped_at']
        """
        return self._assumed

    def assumed_for(self, name: str) -> frozenset[str]:
        """The assumed facts (a part of `assumed`) that the deadline or window *name* is
        computed from; empty when it rests on given facts only.

        *name* is one of `WINDOWS`: ``shipping_deadline`` (from ``paid_at``),
        ``protection_ends`` (from ``shipped_at``, or ``paid_at`` when the policy counts
        protection from payment, and ``protection_days``), ``promised_delivery`` and
        ``earliest_dispute`` (from ``shipped_at``, and ``protection_days`` when no
        promised days were given), ``post_completion_ends`` (from what
        ``protection_ends`` is and ``shipped_at``, unless the buyer confirmed receipt)
        and ``refundable`` (from ``total``).

        >>> from datetime import datetime, UTC
        >>> from buyer_protection import Money, Order
        >>> order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 1, tzinfo=UTC))
        >>> order.ship(datetime(2026, 3, 2, tzinfo=UTC), assumed=["shipped_at"])
        >>> order.assumed_for("protection_ends"), order.assumed_for("shipping_deadline")
        (frozenset({'shipped_at'}), frozenset())
        """
        if not isinstance(name, str) or name not in WINDOWS:
            raise InvalidInput(f"name: expected one of {_names(WINDOWS)}, got {kind(name)}")
        if not self._assumed:
            return self._assumed
        return self._assumed & self._facts_of(name)

    def _facts_of(self, name: str) -> frozenset[str]:
        """The facts the window *name* is computed from, assumed or not."""
        start = "paid_at" if self.policy.protection_from_payment else "shipped_at"
        protection = {start, "protection_days"}
        promised = {"shipped_at"} if self.promised_days is not None else SHIP_FACTS
        facts: dict[str, Iterable[str]] = {
            "shipping_deadline": {"paid_at"},
            "protection_ends": protection,
            "promised_delivery": promised,
            "earliest_dispute": promised,
            "post_completion_ends": () if self.completed_by_buyer else {*protection, "shipped_at"},
            "refundable": {"total"},
        }
        return frozenset(facts[name])
