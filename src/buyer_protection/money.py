"""Exact amounts of money: a `Decimal` and an ISO 4217 currency, never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation

import attrs

from ._currencies import MINOR_UNITS
from ._text import kind, shown
from .errors import CurrencyMismatch, InvalidInput

_ZEROS: dict[str, Money] = {}
_MAX = 10**18  # far above any order, and sums of two stay exact in `_CONTEXT`
_LIMIT = Decimal(_MAX)
_QUANTUM = {code: Decimal(1).scaleb(-digits) for code, digits in MINOR_UNITS.items()}
# The library's own arithmetic, whatever the caller's `decimal.getcontext()` says: an
# amount below 10**18 has at most 22 digits (4 decimals at most), so sums, differences
# and quantizing are exact in 40 digits. `_EXACT` refuses to round at all.
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
_EXACT = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Inexact])
# An amount written as text, as `str(money.amount)` writes it: ASCII digits, optionally
# a point and more digits. A leading "-" is read so that the refusal can say "negative".
_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_is_text = _TEXT.fullmatch
_fit = _EXACT.quantize
_round = _CONTEXT.quantize
_add = _CONTEXT.add
_subtract = _CONTEXT.subtract
_CODES = {spelt: code for code in MINOR_UNITS for spelt in (code, code.lower())}


def _amount(value: object) -> Decimal:
    """*value* as a Decimal in [0, 10**18), not yet fitted to a currency."""
    if isinstance(value, str):
        if _is_text(value) is None:
            raise InvalidInput(
                f"amount: {shown(value)} is not a decimal number; write it like '12.34' "
                "(ASCII digits, optionally a point and more digits)"
            )
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"amount: {shown(value)} is not a finite number")
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        # Compared as an int first: Decimal(10**10**6) alone takes seconds.
        amount = Decimal(value) if -_MAX < value < _MAX else _LIMIT if value > 0 else -_LIMIT
    else:
        hint = " (binary floats are inexact: pass a str such as '12.34')"
        raise InvalidInput(
            f"amount: expected str, int or Decimal, got {kind(value)}"
            f"{hint if isinstance(value, float) else ''}"
        )
    if amount < 0:
        raise InvalidInput(f"amount: {shown(value)} is negative; money amounts are >= 0")
    if amount >= _LIMIT:
        raise InvalidInput(f"amount: {shown(value)} is too large; amounts are below 10**18")
    return amount


def _currency(value: object) -> str:
    if isinstance(value, str):
        code = _CODES.get(value)
        if code is not None:
            return code
        if len(value) == 3 and value.isascii() and value.upper() in MINOR_UNITS:
            return value.upper()  # ASCII only: "\u0131dr".upper() is "IDR"
    raise InvalidInput(
        f"currency: {shown(value)} is not an ISO 4217 currency code with a minor unit "
        "(three letters, e.g. 'USD', 'EUR', 'JPY')"
    )


@attrs.frozen(init=False, order=False)
class Money:
    """An exact, non-negative amount in one currency.

    The amount is a str (``"12.34"``: ASCII digits, optionally a point and more
    digits), an int or a `Decimal`, below 10**18, that fits the currency's minor
    unit exactly: ``Money("5", "USD") == Money("5.000", "USD")``, while
    ``Money("1.005", "USD")`` is refused with `InvalidInput` rather than rounded.
    `Money.rounded` rounds on purpose. Arithmetic and ordering work only within one
    currency; a result below zero is refused.

    >>> Money("19.99", "usd") + Money("0.01", "USD")
    Money('20.00', 'USD')
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: str | int | Decimal, currency: str) -> None:
        code = _currency(currency)
        value = _amount(amount)
        try:
            value = _fit(value, _QUANTUM[code])
        except Inexact:
            digits = MINOR_UNITS[code]
            raise InvalidInput(
                f"amount: {shown(amount)} does not fit {code}, whose minor unit has {digits} "
                f"decimal digit{'' if digits == 1 else 's'}; give the exact amount, or round "
                "it on purpose with Money.rounded(amount, currency)"
            ) from None
        self.__attrs_init__(value.copy_abs(), code)  # copy_abs: "-0" is 0

    @classmethod
    def rounded(cls, amount: str | int | Decimal, currency: str) -> Money:
        """*amount* rounded half to even to *currency*'s minor unit, for computed amounts.

        It takes what `Money` takes (never a float) and refuses the same: an amount
        below zero, or one that rounds to 10**18 or more.

        >>> total = Money("25.90", "USD")
        >>> Money.rounded(total.amount * 15 / 100, "USD")  # 15 % of 25.90 is 3.885
        Money('3.88', 'USD')
        >>> Money.rounded("2.5", "JPY")
        Money('2', 'JPY')
        """
        code = _currency(currency)
        value = _round(_amount(amount), _QUANTUM[code])
        if value >= _LIMIT:
            raise InvalidInput(
                f"amount: {shown(amount)} rounds to {value} {code}, too large; "
                "amounts are below 10**18"
            )
        return cls._exact(value.copy_abs(), code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in *currency*."""
        zero = _ZEROS.get(currency) if isinstance(currency, str) else None
        if zero is None:
            zero = cls(0, currency)
            _ZEROS[currency] = zero
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
            raise InvalidInput(f"cannot {op} {self} and {kind(other)}: expected Money")
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
        total = _add(self.amount, amount)
        if total >= _LIMIT:
            raise InvalidInput(f"{self} + {other} is too large; amounts are below 10**18")
        return Money._exact(total, self.currency)

    def __sub__(self, other: Money) -> Money:
        amount = self._other(other, "subtract")
        if amount > self.amount:
            raise InvalidInput(f"{self} - {other} would be negative; money amounts are >= 0")
        return Money._exact(_subtract(self.amount, amount), self.currency)

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
