"""The clock: which automatic step is due next, and applying every step due by an instant.

Deadlines are computed, never scheduled. A state knows its automatic step (the
lifecycle table's row with a ``clock``) and the model's attribute of that name
gives its instant. `Clock` is the part of `Order` that keeps the next step up to
date and applies it: every action, the order's or its dispute's, first calls
``_begin`` for its instant, so every step due by then has happened, each dated at
its own deadline (or, when it fell due while a dispute held the order, at the
later of its deadline and the last recorded event: history never goes backwards).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

from ._time import iso, utc
from .errors import InvalidInput
from .lifecycle import Lifecycle, OrderState, Transition

if TYPE_CHECKING:
    from .dispute import Dispute


@attrs.frozen
class Deadline:
    """The next automatic step: when it happens, what it is, and what it means.

    ``subject`` is ``"order"`` or ``"dispute"``: whose clock it is.
    """

    at: datetime
    action: str
    meaning: str
    subject: str


class Stepper(Protocol):
    """A model with automatic steps: an order or a dispute."""

    _lifecycle: ClassVar[Lifecycle]
    state: Any

    def _step(self, row: Transition, at: datetime) -> None:
        """Apply the automatic step *row* at *at*."""


class Clock:
    """The automatic-step engine of an order (a mixin of `Order`, with no state of its own)."""

    if not TYPE_CHECKING:  # no instance dict: Order is slotted (hidden from mypy, which
        __slots__ = ()  # would then refuse the assignments to Order's own slots)

    # Declared for the type checker; `Order` defines them as attrs fields.
    _lifecycle: ClassVar[Lifecycle]
    state: OrderState
    _dispute: Dispute | None
    _last_at: datetime
    _now: datetime  # the instant the order was last brought to (an action, or advance)
    # The next automatic step, kept up to date by every recorded change: every action
    # asks for it first, so it is not worked out again each time.
    _due_row: Transition | None
    _due_at: datetime | None

    def _step(self, row: Transition, at: datetime) -> None:
        raise NotImplementedError  # pragma: no cover - Order defines it

    @property
    def next_deadline(self) -> Deadline | None:
        """The next automatic step of the order or its open dispute, or None.

        Never before `last_event_at`: a step that fell due while a dispute held the
        order happens as soon as the order is free again, dated then.
        """
        row, when = self._due_row, self._due_at
        if row is None or when is None:
            return None
        owner = self._clock_owner()
        return Deadline(max(when, self._last_at), row.trigger, row.doc, owner._lifecycle.name)

    def advance(self, at: datetime) -> None:
        """Apply every automatic step due up to *at*, each dated at its own deadline."""
        self._begin(at)

    def _begin(self, at: object) -> datetime:
        """Validate *at*, then apply every automatic step due up to it."""
        at = utc(at)
        if at < self._last_at:
            raise InvalidInput(
                f"at: {iso(at)} is before the last recorded event at {iso(self._last_at)}; "
                "record events in time order"
            )
        self._now = at
        while True:
            row, when = self._due_row, self._due_at
            if row is None or when is None or when > at:
                return at
            # A step that fell due while a dispute held the order happens when it ends.
            self._clock_owner()._step(row, max(when, self._last_at))

    def _refresh_due(self) -> None:
        """Work out the next automatic step again, after a change."""
        owner = self._clock_owner()
        due = owner._lifecycle.due(owner)
        self._due_row, self._due_at = (None, None) if due is None else due

    def _clock_owner(self) -> Stepper:
        """Whose clock runs: the open dispute's while there is one (the order waits)."""
        if self.state is OrderState.IN_DISPUTE and self._dispute is not None:
            return self._dispute
        return self
