"""Outside values shown in messages, bounded: a message never formats unbounded input.

``repr`` of an int of more than 4,300 digits raises `ValueError` inside Python, and a
string of megabytes would make a message of megabytes. `shown` is the one way an
error message quotes a value it was given.
"""

from __future__ import annotations

import math

from .errors import InvalidInput

LIMIT = 80
"""The most characters of a value's ``repr`` a message quotes."""


def _digits(value: int) -> int:
    size = abs(value)
    count = int(math.log10(size)) + 1
    if 10 ** (count - 1) > size:  # the float logarithm can be one off near a power of ten
        count -= 1
    elif 10**count <= size:
        count += 1
    return count


def shown(value: object, limit: int = LIMIT) -> str:
    """``repr(value)``, cut to about *limit* characters; never raises.

    >>> shown(10**5000)
    'an int of 5001 digits'
    >>> shown("x" * 200)[-24:]
    'xxxx... (202 characters)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an int of {_digits(value)} digits"
    try:
        text = repr(value)
    except Exception:  # a broken __repr__, or a value too big to write
        return f"a {type(value).__name__} that cannot be shown"
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters)"
    return text


def kind(value: object) -> str:
    """The type's name and the value, for "expected X, got ..." messages."""
    return f"{type(value).__name__} {shown(value)}"


NAME_LIMIT = 200
"""The most characters of a name the library keeps: an order id, a ``meta`` key."""

TEXT_LIMIT = 10_000
"""The most characters of a text the library keeps: a description, an evidence
reference, a ``meta`` text, a policy's words."""


def text(value: object, name: str, *, limit: int = TEXT_LIMIT, empty: bool = True) -> str:
    """*value* if it is a str that can be stored, else `InvalidInput` naming *name*.

    Storable means: at most *limit* characters, no lone surrogate (it cannot be written
    as UTF-8, so a document holding it could not be saved), and not empty unless
    *empty*.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{name}: expected a str, got {kind(value)}")
    if len(value) > limit:
        raise InvalidInput(f"{name}: {len(value)} characters is too long; at most {limit}")
    if not empty and not value:
        raise InvalidInput(f"{name}: expected a non-empty str, got ''")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise InvalidInput(
                f"{name}: the character at position {err.start} is a lone surrogate "
                f"({shown(value[err.start])}), which UTF-8 cannot write"
            ) from None
    return value
