"""The errors this library raises: every one is a `BuyerProtectionError`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any


class BuyerProtectionError(Exception):
    """Root of every error raised by buyer_protection."""


class InvalidInput(BuyerProtectionError, ValueError):
    """A value given to the library is not acceptable; nothing was changed.

    ``problems`` lists every problem found, each as ``"path: what is wrong"``.
    """

    LISTED = 10
    """The most problems one message quotes; ``problems`` keeps them all."""

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)

    @classmethod
    def listing(cls, problems: Sequence[str], heading: str) -> InvalidInput:
        """One error for every problem found: a single problem as it is, several as
        ``"<count> <heading>: <the first ten>; and <n> more (all in .problems)"``."""
        if len(problems) == 1:
            return cls(problems[0], problems=problems)
        quoted = "; ".join(problems[: cls.LISTED])
        if len(problems) > cls.LISTED:
            quoted += f"; and {len(problems) - cls.LISTED} more (all in .problems)"
        return cls(f"{len(problems)} {heading}: {quoted}", problems=problems)


class CurrencyMismatch(InvalidInput):
    """Two amounts in different currencies were combined or compared."""


class InvalidAction(BuyerProtectionError):
    """The action is not allowed in the current state; nothing was changed.

    The message names the current state and the actions allowed now; the same
    facts are attributes, and ``possible_from`` is the first instant at which the
    action would be allowed, when the rules say so.
    """

    def __init__(
        self,
        message: str,
        *,
        action: str,
        state: str,
        allowed: Sequence[str] = (),
        possible_from: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.action = action
        self.state = state
        self.allowed: tuple[str, ...] = tuple(allowed)
        self.possible_from = possible_from

    def __reduce__(self) -> tuple[Any, ...]:
        # action and state are keyword-only: pickle (an error raised in a worker
        # process reaches its parent pickled) is told how to pass them.
        return partial(type(self), action=self.action, state=self.state), self.args, self.__dict__


class MissingDependency(BuyerProtectionError, ImportError):
    """An optional feature was used without the package it needs installed."""


class _AboutAnOrder(BuyerProtectionError):
    """An error about one stored order: ``order_id`` is its id."""

    def __init__(self, message: str, *, order_id: str) -> None:
        super().__init__(message)
        self.order_id = order_id

    def __reduce__(self) -> tuple[Any, ...]:
        # order_id is keyword-only, so pickle (an error raised in a worker process
        # reaches its parent pickled) is told how to pass it.
        return partial(type(self), order_id=self.order_id), self.args, self.__dict__


class DuplicateOrder(_AboutAnOrder, InvalidInput):
    """An order with this id is already stored; the stored one was kept.

    ``order_id`` is the id.
    """


class OrderNotFound(_AboutAnOrder, LookupError):
    """No order with this id is stored. ``order_id`` is the id."""


class Conflict(_AboutAnOrder):
    """Another writer changed the order after it was read; nothing was written.

    Read the order again and redo the change (`OrderStore.apply` does). ``order_id``
    is the id.
    """


class StoreError(BuyerProtectionError):
    """The database failed: the connection was lost or refused, a lock was not
    granted in time (or the store was closed). The message quotes the driver's;
    nothing the store was asked to change was half written (each change is one
    transaction)."""
