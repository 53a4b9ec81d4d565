"""Outside values shown in messages, bounded: a message never formats unbounded input.

``repr`` of an int of more than 4,300 digits raises `ValueError` inside Python, and a
string of megabytes would make a message of megabytes. `shown` is the one way an
error message quotes a value it was given.
"""

from __future__ import annotations

import math

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
