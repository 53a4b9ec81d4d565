"""Exact amounts of money: a `Decimal` and an ISO 4217 currency, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import attrs

from ._currencies import MINOR_UNITS
from .errors import CurrencyMismatch, InvalidInput

_ZEROS: dict[str, Money] = {}
_LIMIT = Decimal(10) ** 18  # far above any order, and sums of two stay exact in Decimal
_QUANTUM = {code: Decimal(1).scaleb(-digits) for code, digits in MINOR_UNITS.items()}


_AMOUNT_TYPES = (str, int, Decimal)


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, _AMOUNT_TYPES):
        kind = type(value).__name__
        hint = " (binary floats are inexact: pass a str such as '12.34')" if kind == "float" else ""
        raise InvalidInput(f"amount: expected str, int or Decimal, got {kind} {value!r}{hint}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput(f"amount: {value!r} is not a decimal number") from None
    if not amount.is_finite():
        raise InvalidInput(f"amount: {value!r} is not a finite number")
    return amount


def _currency(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in MINOR_UNITS:
        raise InvalidInput(
            f"currency: {value!r} is not an ISO 4217 currency code with a minor unit "
            "(e.g. 'USD', 'EUR', 'JPY')"
        )
    return value.upper()


@attrs.frozen(init=False, order=False)
class Money:
    """An exact, non-negative amount in one currency.

    The amount is rounded (half to even) to the currency's minor unit, so
    ``Money("5", "USD") == Money("5.00", "USD")``. Arithmetic and ordering work
    only within one currency; a result below zero is refused.

    >>> Money("19.99", "usd") + Money("0.01", "USD")
    Money('20.00', 'USD')
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: str | int | Decimal, currency: str) -> None:
        code = _currency(currency)
        exact = _amount(amount)
        if exact < 0:
            raise InvalidInput(f"amount: {amount!r} is negative; money amounts are >= 0")
        if exact >= _LIMIT:
            raise InvalidInput(f"amount: {amount!r} is too large; amounts are below 10**18")
        try:
            value = exact.quantize(_QUANTUM[code], rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            raise InvalidInput(
                f"amount: {amount!r} has too many digits to hold exactly in {code}"
            ) from None
        self.__attrs_init__(value.copy_abs(), code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in *currency*."""
        zero = _ZEROS.get(currency)
        if zero is None:
            zero = _ZEROS[currency] = cls(0, currency)
        return zero

    @classmethod
    def _exact(cls, amount: Decimal, currency: str) -> Money:
        """A result of arithmetic on checked amounts: already exact, not negative."""
        money = cls.__new__(cls)
        money.__attrs_init__(amount, currency)
        return money

    def _other(self, other: object, op: str) -> Decimal:
        """The amount of *other*, once it is known to be Money in this currency."""
        if not isinstance(other, Money):
            raise InvalidInput(
                f"cannot {op} {self} and {type(other).__name__} {other!r}: expected Money"
            )
        if self.currency != other.currency:
            raise CurrencyMismatch(
                f"cannot {op} {self} and {other}: currencies differ; "
                f"convert to {self.currency} first"
            )
        return other.amount

    def __add__(self, other: Money) -> Money:
        amount = self._other(other, "add")
        if not self.amount:
            return other  # values are immutable: zero plus other is other
        return Money._exact(self.amount + amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        amount = self._other(other, "subtract")
        if amount > self.amount:
            raise InvalidInput(f"{self} - {other} would be negative; money amounts are >= 0")
        return Money._exact(self.amount - amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._other(other, "compare")

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._other(other, "compare")

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._other(other, "compare")

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._other(other, "compare")

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"
