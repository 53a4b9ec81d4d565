"""Reading orders from JSON Lines: the file (plain, or gzip by its ``.gz`` suffix), and
one line's document, with errors that say which line (``line N: ...``); and writing a
file whole (`replacing`).

Shared by `status.scan`, `store.OrderStore.import_jsonl` and ``export_jsonl``, and the
command line's ``scan``, so that they read and write files and word their errors
alike. Lines are read as bytes, each decoded on its own, so a file of any size is read
a line at a time.
"""

from __future__ import annotations

import gzip
import os
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TypeVar, cast

from ._text import kind, shown
from .errors import InvalidInput
from .order import Order
from .storage import loads

T = TypeVar("T", bytes, str, bytes | str)


def path_of(path: object, name: str = "path") -> str:
    """*path* (a non-empty str or an `os.PathLike`) as a str; else `InvalidInput`."""
    if isinstance(path, str) and path:
        return path
    if isinstance(path, os.PathLike):
        found = os.fspath(path)
        if isinstance(found, str) and found:
            return found
    raise InvalidInput(f"{name}: expected a file path (str or os.PathLike), got {kind(path)}")


def open_bytes(path: str) -> IO[bytes]:
    """The file at *path* opened to read bytes, through gzip when it ends in ``.gz``
    (`OSError` when it cannot be opened)."""
    if path.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def opened(path: str, name: str = "path") -> IO[bytes]:
    """`open_bytes`, with `InvalidInput` naming the file when it cannot be opened."""
    try:
        return open_bytes(path)
    except OSError as err:
        raise InvalidInput(f"{name}: cannot read {shown(path)}: {err.strerror or err}") from None


@contextmanager
def reading(path: object) -> Iterator[Iterable[bytes]]:
    """The lines of the file at *path*, as bytes; a file that stops being readable
    part-way (a truncated or corrupt gzip file, a read error) is `InvalidInput`."""
    target = path_of(path)
    with opened(target) as file:
        yield lines_of(file, f"path: cannot read {shown(target)}")


def lines_of(file: Iterable[T], where: str) -> Iterator[T]:
    """The lines of *file*; an error reading it part-way (a gzip file cut short, a read
    error) is `InvalidInput` starting *where* (``"path: cannot read 'orders.jsonl'"``)."""
    lines = iter(file)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except (OSError, EOFError, zlib.error) as err:
            raise InvalidInput(f"{where}: {err}") from None
        yield line


def blank(line: bytes | bytearray | str) -> bool:
    """True for a line of only whitespace: skipped, but counted."""
    return not line.strip()


def parsed(line: bytes | str, number: int, *, verify: bool = True) -> Order:
    """The order of one JSON Lines line (or one JSON text); `InvalidInput` starting
    ``line N:`` if it holds none."""
    text = line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n")
    try:
        return loads(text, verify=verify)
    except InvalidInput as err:
        raise on_line(err, number) from None


def on_line(err: InvalidInput, number: int) -> InvalidInput:
    """*err* as found on line *number*: its message and problems start ``line N:``."""
    # A line holds one JSON text: where in it, is a column ("line 1 column 7").
    words = _JSON_PLACE.sub(_COLUMN, str(err))
    problems = [f"line {number}: {_JSON_PLACE.sub(_COLUMN, p)}" for p in err.problems]
    return InvalidInput(f"line {number}: {words}", problems=problems)


_JSON_PLACE = re.compile(r"^line 1 column (\d+):")
_COLUMN = r"column \1:"


@contextmanager
def replacing(target: str) -> Iterator[str]:
    """A file name of its own to write *target*'s new content to: *target* is replaced
    by that file when the block ends without an error, and the file is removed in any
    case. `OSError` reaches the caller, who words it."""
    # A name of this writer's own: another writer of the same target may be partway.
    partial = f"{target}.{uuid.uuid4().hex}.partial"
    try:
        yield partial
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
