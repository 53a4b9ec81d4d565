"""The scan on many machines: `scan` reads JSON Lines files as a Dask DataFrame, each
file a partition scanned by `buyer_protection.scan` itself, on whatever Dask runs on
(threads of this process, or the workers of a cluster).

Needs the optional extra ``dask`` (``pip install 'buyer-protection[dask]'``: Dask's
DataFrame and ``distributed``); without it, importing this module is
`MissingDependency`.

>>> from datetime import datetime, UTC
>>> from buyer_protection import Money, Order, dumps
>>> import pathlib, tempfile
>>> order = Order("8123", Money("25.90", "USD"), datetime(2026, 3, 1, tzinfo=UTC))
>>> order.ship(datetime(2026, 3, 2, tzinfo=UTC))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "orders.jsonl").write_text(dumps(order, indent=None) + "\\n")
>>> table = scan([folder / "orders.jsonl"], datetime(2026, 4, 1, tzinfo=UTC))
>>> print(table[["order_id", "state", "protection_ends", "line"]].compute().to_string())
  order_id    state           protection_ends  line
0     8123  shipped 2026-05-01 00:00:00+00:00     1
>>> (folder / "orders.jsonl").unlink(); folder.rmdir()
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import Final, cast

from ._lines import opened, path_of
from ._text import kind, shown
from ._time import utc
from .advice import side_of
from .errors import InvalidInput, MissingDependency
from .lifecycle import Actor
from .status import COLUMNS, INSTANTS
from .status import scan as _scan

try:
    import dask.dataframe as dd
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the environment
    raise MissingDependency(
        "buyer_protection.dask needs Dask: pip install 'buyer-protection[dask]'"
    ) from None

_TEXT: Final = pd.StringDtype("pyarrow")
_INSTANT: Final = pd.DatetimeTZDtype("us", "UTC")
DTYPES: Final = {
    name: _INSTANT if name in INSTANTS else "int64" if name == "line" else _TEXT
    for name in (*COLUMNS, "path")
}
"""The columns of `scan`'s DataFrame, in order (`buyer_protection.status.COLUMNS`, then
``path``), and each one's pandas dtype: instants ``datetime64[us, UTC]``, ``line`` ``int64``,
every other column ``string[pyarrow]`` (states, actions and currencies as their
values, amounts as exact decimal strings such as ``"25.90"``); missing values are
``NaT`` and ``<NA>``."""


def scan(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    at: datetime,
    *,
    side: Actor | str = Actor.BUYER,
    verify: bool = False,
    errors: str = "raise",
) -> dd.DataFrame:
    """The `Status` of every order of the JSON Lines files *paths* as of *at*, as a
    lazy Dask DataFrame: one row per order, with the columns and dtypes of `DTYPES`
    (`Status.as_row`, and the file's ``path`` as given).

    *paths* is one path or an iterable of paths (`str` or `os.PathLike`; ``.gz`` files
    are read through gzip), each file one partition, in the order given; patterns are
    not expanded (pass ``sorted(folder.glob("*.jsonl.gz"))``). ``line`` is the place in
    its own file. Every partition is read by `buyer_protection.scan` with the same
    *side*, *verify* and *errors*, where Dask runs it: with a ``distributed`` client, on
    the workers, so every file must be readable at the same path by the workers (shared
    storage) as well as here, and ``buyer-protection`` installed on them.

    The arguments are checked now (a file that cannot be read here is `InvalidInput`);
    the files are read when the DataFrame is computed. A document that cannot be read
    is, with *errors* ``"report"``, a row holding only ``line``, ``error`` (``"line N:
    ..."``) and ``path``; with ``"raise"``, computing raises `InvalidInput` naming the
    file: ``'orders-1.jsonl': line N: ...``.
    """
    _scan((), at, side=side, verify=verify, errors=errors)  # checks them as scan does
    files = _files(paths)
    table = dd.from_map(  # type: ignore[no-untyped-call]
        _partition,
        files,
        at=utc(at, "at"),
        side=side_of(side).value,
        verify=verify,
        errors=errors,
        meta=_empty(),
        label="buyer-protection-scan",
        enforce_metadata=False,
    )
    return cast("dd.DataFrame", table)


def _files(paths: object) -> list[str]:
    """*paths* (one path, or an iterable of them) as a list of readable files' paths."""
    if isinstance(paths, str | os.PathLike):
        given: list[object] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, bytes | bytearray):
        given = list(paths)
    else:
        raise InvalidInput(
            "paths: expected a path (str or os.PathLike) or an iterable of paths, got "
            f"{kind(paths)}"
        )
    if not given:
        raise InvalidInput("paths: expected at least one path, got none")
    files = [path_of(path, "paths") for path in given]
    for file in files:
        opened(file, "paths").close()  # a missing file is an error now, not on a worker
    return files


def _empty() -> pd.DataFrame:
    """A DataFrame of no rows with `scan`'s columns and dtypes (Dask's ``meta``)."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in DTYPES.items()})


def _partition(path: str, *, at: datetime, side: str, verify: bool, errors: str) -> pd.DataFrame:
    """The rows of the file *path*: `buyer_protection.scan` of it, as a DataFrame of
    `DTYPES`; `InvalidInput` naming the file when its scan raises."""
    try:
        rows = [
            status.as_row() for status in _scan(path, at, side=side, verify=verify, errors=errors)
        ]
    except InvalidInput as err:
        raise InvalidInput(
            f"{shown(path)}: {err}", problems=[f"{shown(path)}: {p}" for p in err.problems]
        ) from None
    table = pd.DataFrame.from_records(rows, columns=COLUMNS)
    table["path"] = path
    return table.astype(DTYPES)


__all__ = ["DTYPES", "scan"]
