"""Tests for `Money`: exact amounts in one currency."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import BuyerProtectionError, CurrencyMismatch, InvalidInput, Money
from buyer_protection._text import shown
from strategies import amounts, currencies, money


def short(value: object) -> str:
    """A test id for a parameter, however long the value."""
    return shown(value, 24)


@pytest.mark.parametrize("amount", ["12.34", 12, Decimal("12.34")])
def test_accepts_str_int_and_decimal(amount: object) -> None:
    """An amount given as str, int or Decimal is kept exactly as a Decimal."""
    value = Money(amount, "USD")  # type: ignore[arg-type]

    assert value.amount == Decimal(str(amount))
    assert isinstance(value.amount, Decimal)
    assert value.currency == "USD"


@pytest.mark.parametrize("amount", [12.34, 0.1, True, False, None, [1], object()])
def test_refuses_float_bool_none_and_other_types(amount: object) -> None:
    """A float, a bool, None or any other type is refused with InvalidInput."""
    with pytest.raises(InvalidInput, match="amount"):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_float_refusal_says_what_to_pass() -> None:
    """Refusing a float names the type and says to pass a str."""
    with pytest.raises(InvalidInput, match="float") as info:
        Money(0.1, "USD")  # type: ignore[arg-type]

    assert "str" in str(info.value)


@pytest.mark.parametrize(
    "amount",
    [
        "",
        "abc",
        "1,50",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e",
        "1e3",
        "1E-2",
        " 5",
        "5 ",
        "\u00a05",
        "5\n",
        "+5",
        "1_000",
        "\u0661\u0662",  # Arabic-Indic digits, which Decimal reads as 12
        "\uff11\uff12",  # full-width digits
        "5.",
        ".5",
        "0x10",
        "--5",
        "-",
        "1" * 10_000 + "x",
    ],
    ids=short,
)
def test_refuses_text_that_is_not_plain_decimal_digits(amount: str) -> None:
    """Text other than ASCII digits with an optional point and more digits is refused."""
    with pytest.raises(
        InvalidInput, match=r"is not a decimal number; write it like '12\.34'"
    ) as info:
        Money(amount, "USD")

    assert len(str(info.value)) < 300


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
def test_refuses_a_decimal_that_is_not_finite(amount: Decimal) -> None:
    """A Decimal NaN (quiet or signalling) or infinity is refused with InvalidInput."""
    with pytest.raises(InvalidInput, match="is not a finite number"):
        Money(amount, "USD")


@pytest.mark.parametrize(
    "amount",
    [10**18, 10**5000, 10**100_000, "1" * 10_000, Decimal("1E+999999999"), Decimal(10**18)],
    ids=short,
)
def test_amounts_of_10_to_the_18_or_more_are_too_large(amount: object) -> None:
    """An amount of 10**18 or more is refused as too large, with a message of bounded size."""
    with pytest.raises(InvalidInput, match="too large; amounts are below 10\\*\\*18") as info:
        Money(amount, "JPY")  # type: ignore[arg-type]

    assert len(str(info.value)) < 200


def test_huge_negative_int_is_refused_as_negative() -> None:
    """An int of thousands of digits below zero is refused as negative, its digits not shown."""
    with pytest.raises(InvalidInput, match="an int of 5001 digits is negative"):
        Money(-(10**5000), "USD")


def test_the_largest_amounts_are_accepted_and_round_trip() -> None:
    """The largest amounts below 10**18 are accepted and read back from their text."""
    for value in (Money(10**18 - 1, "JPY"), Money("999999999999999999.99", "USD")):
        assert Money(str(value.amount), value.currency) == value


@pytest.mark.parametrize(
    "currency",
    [
        None,
        10**5000,
        "U" * 1_000_000,
        b"USD",
        ["USD"],
        " USD",
        "US D",
        "\u0131dr",  # dotless i: "\u0131dr".upper() == "IDR"
        "\u017fek",  # long s: "\u017fek".upper() == "SEK"
    ],
    ids=short,
)
def test_refuses_a_currency_that_is_junk(currency: object) -> None:
    """A currency that is not three ASCII letters of a known code is refused, message bounded."""
    with pytest.raises(InvalidInput, match=r"^currency: ") as info:
        Money("1", currency)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^currency: "):
        Money.zero(currency)  # type: ignore[arg-type]

    assert len(str(info.value)) < 300


def test_currency_in_any_case_is_the_code() -> None:
    """A code in lower or mixed case is the same currency."""
    assert Money("1", "Usd").currency == "USD"
    assert Money.zero("jpy") == Money("0", "JPY")


@pytest.mark.parametrize("currency", ["XYZ", "US", "usdollar", "", "XAU", 840, None])
def test_refuses_unknown_currency(currency: object) -> None:
    """A code that is not an ISO 4217 currency with a minor unit is refused."""
    with pytest.raises(InvalidInput, match="currency"):
        Money("1", currency)  # type: ignore[arg-type]


def test_currency_code_is_normalised_to_upper_case() -> None:
    """A lower-case code means the same currency."""
    assert Money("1", "eur") == Money("1", "EUR")
    assert Money("1", "eur").currency == "EUR"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.005", "USD"),
        ("25.9", "JPY"),
        ("0.125", "USD"),
        ("1.0005", "KWD"),
        (Decimal("0.001"), "EUR"),
        (Decimal("1E-999999999"), "USD"),
        ("0." + "0" * 9_998 + "1", "USD"),
        ("999999999999999999.99", "JPY"),
    ],
    ids=short,
)
def test_an_amount_that_needs_rounding_is_refused(amount: object, currency: str) -> None:
    """An amount with more decimals than the currency's minor unit is refused, not rounded."""
    with pytest.raises(InvalidInput) as info:
        Money(amount, currency)  # type: ignore[arg-type]

    message = str(info.value)
    digits = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}[currency]
    assert message.startswith(f"amount: {shown(amount)} does not fit {currency}, ")
    assert f"minor unit has {digits} decimal digits" in message
    assert "Money.rounded(amount, currency)" in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("5.000", "USD", "5.00"),
        ("5.0", "JPY", "5"),
        ("5", "KWD", "5.000"),
        ("0.10", "EUR", "0.10"),
        (Decimal("1E+3"), "USD", "1000.00"),
        (Decimal("0E-999999999"), "USD", "0.00"),
        (Decimal("0E+999999999"), "JPY", "0"),
        ("5." + "0" * 10_000, "USD", "5.00"),
        ("007.50", "USD", "7.50"),
    ],
    ids=short,
)
def test_trailing_zeros_are_exact(amount: object, currency: str, expected: str) -> None:
    """Zeros beyond the minor unit need no rounding: the amount is kept at the minor unit."""
    value = Money(amount, currency)  # type: ignore[arg-type]

    assert str(value.amount) == expected
    assert value == Money(expected, currency)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("5", "USD", "5.00"),
        ("0.125", "USD", "0.12"),
        ("0.135", "USD", "0.14"),
        ("0.1251", "USD", "0.13"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "2"),
        ("1999", "JPY", "1999"),
        ("1.0005", "KWD", "1.000"),
        ("1.0015", "KWD", "1.002"),
        (7, "KWD", "7.000"),
        (Decimal("3.885"), "usd", "3.88"),
        (Decimal("1E-999999999"), "USD", "0.00"),
        ("999999999999999999.49", "JPY", "999999999999999999"),
    ],
)
def test_rounded_rounds_half_even_to_the_minor_unit(
    amount: object, currency: str, expected: str
) -> None:
    """Money.rounded rounds half to even to the currency's minor unit (USD 2, JPY 0, KWD 3)."""
    value = Money.rounded(amount, currency)  # type: ignore[arg-type]

    assert str(value.amount) == expected
    assert value.amount.as_tuple().exponent == Decimal(expected).as_tuple().exponent
    assert value == Money(expected, currency)


def test_rounded_gives_a_percentage_refund() -> None:
    """A refund computed as a share of a total is rounded on purpose with Money.rounded."""
    total = Money("25.90", "USD")

    assert Money.rounded(total.amount * 15 / 100, total.currency) == Money("3.88", "USD")
    assert Money.rounded(total.amount / 3, total.currency) == Money("8.63", "USD")


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("999999999999999999.5", "JPY"),
        ("999999999999999999.99", "JPY"),
        ("999999999999999999.995", "USD"),
        (Decimal("999999999999999999.99995"), "KWD"),
    ],
)
def test_rounded_checks_the_limit_on_the_rounded_amount(amount: object, currency: str) -> None:
    """An amount below 10**18 that rounds up to 10**18 is refused as too large."""
    with pytest.raises(InvalidInput, match="too large; amounts are below 10\\*\\*18"):
        Money.rounded(amount, currency)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "amount", [12.34, True, None, "1e3", "NaN", Decimal("NaN"), "-0.01", "-0.004", 10**18]
)
def test_rounded_refuses_what_money_refuses(amount: object) -> None:
    """Money.rounded takes the same inputs as Money: no float, no bool, no text but digits."""
    with pytest.raises(InvalidInput, match=r"^amount: "):
        Money.rounded(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["XYZ", None, 10**5000, "U" * 1_000_000], ids=short)
def test_rounded_refuses_what_money_refuses_as_currency(currency: object) -> None:
    """Money.rounded refuses a currency that Money refuses."""
    with pytest.raises(InvalidInput, match=r"^currency: "):
        Money.rounded("1", currency)  # type: ignore[arg-type]


def test_rounded_is_independent_of_the_callers_decimal_context() -> None:
    """Money.rounded rounds half to even even if the caller's context rounds otherwise."""
    with decimal.localcontext(rounding=decimal.ROUND_UP, prec=3, traps=[decimal.Inexact]):
        assert Money.rounded("0.125", "USD") == Money("0.12", "USD")
        assert Money.rounded("123456.785", "USD") == Money("123456.78", "USD")


def test_equal_amounts_written_differently_are_equal() -> None:
    """Money("5", "USD") equals Money("5.00", "USD"), and they hash alike."""
    assert Money("5", "USD") == Money("5.00", "USD")
    assert Money(5, "USD") == Money(Decimal("5.000"), "USD")
    assert hash(Money("5", "USD")) == hash(Money("5.00", "USD"))
    assert len({Money("5", "USD"), Money("5.00", "USD")}) == 1


def test_same_number_in_two_currencies_is_not_equal() -> None:
    """The same number in two currencies is two different amounts."""
    assert Money("5", "USD") != Money("5", "EUR")


def test_addition_and_subtraction_within_one_currency() -> None:
    """Adding and subtracting in one currency is exact."""
    assert Money("0.10", "USD") + Money("0.20", "USD") == Money("0.30", "USD")
    assert Money("1", "USD") - Money("0.01", "USD") == Money("0.99", "USD")
    assert Money("1", "USD") - Money("1", "USD") == Money.zero("USD")


def test_comparisons_within_one_currency() -> None:
    """<, <=, > and >= compare amounts within one currency."""
    small, large = Money("1.99", "USD"), Money("2", "USD")

    assert small < large
    assert small <= large
    assert small <= Money("1.99", "USD")
    assert large > small
    assert large >= small
    assert large >= Money("2.00", "USD")
    assert not large < small
    assert not small > large


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["+", "-", "<", "<=", ">", ">="],
)
def test_mixing_currencies_raises_currency_mismatch(operation: object) -> None:
    """Arithmetic or ordering across two currencies raises CurrencyMismatch, an InvalidInput."""
    with pytest.raises(CurrencyMismatch) as info:
        operation(Money("5", "USD"), Money("5", "EUR"))  # type: ignore[operator]

    assert isinstance(info.value, InvalidInput)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, BuyerProtectionError)
    assert "USD" in str(info.value)
    assert "EUR" in str(info.value)


@pytest.mark.parametrize("other", [5, Decimal(5), "5", 5.0])
def test_arithmetic_with_a_non_money_is_refused(other: object) -> None:
    """Adding or comparing a plain number to Money is refused with InvalidInput."""
    with pytest.raises(InvalidInput):
        Money("5", "USD") + other  # type: ignore[operator]
    with pytest.raises(InvalidInput):
        _ = Money("5", "USD") < other  # type: ignore[operator]


@pytest.mark.parametrize("amount", ["-0.01", -1, Decimal("-100"), "-0.006"])
def test_negative_amounts_are_refused(amount: object) -> None:
    """An amount below zero is refused."""
    with pytest.raises(InvalidInput, match="negative"):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["-0.005", "-0.004", Decimal("-0.0001")])
def test_negative_amounts_that_round_to_zero_are_refused(amount: object) -> None:
    """An amount below zero is refused even when it rounds to zero at the minor unit."""
    with pytest.raises(InvalidInput, match="negative"):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["-0", "-0.00", Decimal("-0"), Decimal("-0E-5")])
def test_negative_zero_is_a_plain_zero(amount: object) -> None:
    """A negative zero is zero: stored and shown without its sign."""
    value = Money(amount, "USD")  # type: ignore[arg-type]

    assert not value.amount.is_signed()
    assert str(value) == "0.00 USD"
    assert value == Money.zero("USD")


def test_a_sum_of_10_to_the_18_or_more_is_refused() -> None:
    """Adding past the limit is refused, so every sum can be saved and read back."""
    largest = Money(10**18 - 1, "JPY")

    with pytest.raises(InvalidInput, match="too large"):
        largest + Money("1", "JPY")
    assert largest + Money.zero("JPY") == largest


def test_arithmetic_is_independent_of_the_callers_decimal_context() -> None:
    """A caller's decimal context (precision 3, Inexact trapped) changes no amount or sum."""
    with decimal.localcontext(prec=3, traps=[decimal.Inexact]):
        total = Money("123456.78", "USD") + Money("0.01", "USD")
        rest = Money("123456.78", "USD") - Money("0.01", "USD")

    assert str(total) == "123456.79 USD"
    assert str(rest) == "123456.77 USD"


def test_subtraction_below_zero_is_refused() -> None:
    """Subtracting more than there is raises InvalidInput instead of going negative."""
    with pytest.raises(InvalidInput, match="negative"):
        Money("1", "USD") - Money("1.01", "USD")


@pytest.mark.parametrize("amount", ["1e30", Decimal("1E+30"), 10**40, "9" * 30])
def test_amounts_too_large_to_hold_exactly_raise_invalid_input(amount: object) -> None:
    """An amount too large for exact rounding raises InvalidInput, not a decimal error."""
    try:
        value = Money(amount, "USD")  # type: ignore[arg-type]
    except InvalidInput:
        return
    except decimal.DecimalException as err:  # pragma: no cover - the bug this test shows
        pytest.fail(f"Money({amount!r}, 'USD') leaked {type(err).__name__}")
    assert value.amount == Decimal(str(amount))


def test_zero_and_truthiness() -> None:
    """Money.zero is no money, and only zero amounts are falsy."""
    assert Money.zero("JPY") == Money("0", "JPY")
    assert not Money.zero("USD")
    assert Money("0.01", "USD")


def test_str_and_repr_show_amount_and_currency() -> None:
    """str and repr show the amount at the currency's minor unit and the code."""
    assert str(Money("5", "USD")) == "5.00 USD"
    assert repr(Money("5", "USD")) == "Money('5.00', 'USD')"


def test_money_is_immutable() -> None:
    """A Money value cannot be changed after it is made."""
    value = Money("5", "USD")
    with pytest.raises(AttributeError):
        value.amount = Decimal(6)  # type: ignore[misc]


@given(currencies().flatmap(lambda c: st.tuples(amounts(c), amounts(c), st.just(c))))
def test_addition_is_exact_and_subtraction_undoes_it(args: tuple[Decimal, Decimal, str]) -> None:
    """(a + b) - b == a for any two amounts in one currency, with no rounding error."""
    a, b, code = args
    total = Money(a, code) + Money(b, code)

    assert total.amount == a + b
    assert total - Money(b, code) == Money(a, code)


@given(money())
def test_round_trip_through_str(value: Money) -> None:
    """Money rebuilt from its printed amount and currency is equal to the original."""
    amount, code = str(value).split()

    assert Money(amount, code) == value


@given(money(), money())
def test_ordering_is_total_within_a_currency(a: Money, b: Money) -> None:
    """Within one currency exactly one of <, ==, > holds; across currencies ordering is refused."""
    if a.currency != b.currency:
        with pytest.raises(CurrencyMismatch):
            _ = a < b
        return
    assert [a < b, a == b, a > b].count(True) == 1


@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(min_value=0, max_value=10**18, places=5),
        st.integers(),
        st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{1,6})?", fullmatch=True),
    ),
    currencies(),
)
def test_every_accepted_amount_round_trips_through_its_text(amount: object, code: str) -> None:
    """Money and Money.rounded accept or give InvalidInput; whatever they give round-trips."""
    for make in (Money, Money.rounded):
        try:
            value = make(amount, code)  # type: ignore[operator]
        except InvalidInput:
            continue
        assert Money(str(value.amount), code) == value
        assert str(Money(str(value.amount), code).amount) == str(value.amount)
        assert 0 <= value.amount < 10**18


@given(
    st.one_of(st.decimals(min_value=0, max_value=10**18, places=5), st.integers(0, 10**19)),
    currencies(),
)
def test_money_accepts_exactly_what_rounding_leaves_unchanged(amount: object, code: str) -> None:
    """Money(a) is accepted exactly when Money.rounded(a) keeps its value, and then equals it."""
    try:
        rounded = Money.rounded(amount, code)  # type: ignore[arg-type]
    except InvalidInput:
        with pytest.raises(InvalidInput):
            Money(amount, code)  # type: ignore[arg-type]
        return
    if rounded.amount == amount:
        assert Money(amount, code) == rounded  # type: ignore[arg-type]
    else:
        with pytest.raises(InvalidInput, match=r"Money\.rounded"):
            Money(amount, code)  # type: ignore[arg-type]
