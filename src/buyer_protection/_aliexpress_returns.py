"""The return stage of an imported AliExpress issue: what the payload says of it.

An issue agreed on "return and refund" says how its return stands only in fields of
the issue itself (RULES.md, section 4a): ``buyer_return_no`` (the return's tracking
number), ``buyer_return_logistics_company``, ``buyer_return_logistics_lp_no`` and
``reverse_detail_status``. The process log has no entry for the return, and no field
gives the instants of its steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

import attrs

from ._text import NAME_LIMIT, text
from .errors import InvalidInput

RETURN_FIELDS = (
    "buyer_return_no",
    "buyer_return_logistics_company",
    "buyer_return_logistics_lp_no",
)
"""The issue's fields about the buyer's return parcel, all strings ("" or absent: not set)."""


class Reads(Protocol):
    """What reading the return fields needs of the seller-API module's reader."""

    def problem(self, path: str, what: str) -> None: ...

    def text(self, obj: Mapping[str, object], key: str, path: str) -> str: ...

    def time(
        self, obj: Mapping[str, object], key: str, path: str, *, required: bool = False
    ) -> datetime | None: ...


@attrs.frozen
class ReturnFacts:
    """What an issue says of its return: the parcel, the progress, the last change."""

    number: str = ""  # buyer_return_no: set once the buyer shipped the return
    carrier: str = ""  # buyer_return_logistics_company
    lp_no: str = ""  # buyer_return_logistics_lp_no (the logistics order)
    progress: str = ""  # reverse_detail_status ("unknown" for a word not known)
    modified: datetime | None = None  # the gmt_modified


def read_return_facts(
    read: Reads, result: Mapping[str, object], path: str, progress: str
) -> ReturnFacts:
    """The return fields of *result* (the issue at *path*); each problem goes to *read*."""
    found = []
    for key in RETURN_FIELDS:
        value = read.text(result, key, path)
        try:
            found.append(text(value, f"{path}.{key}", limit=NAME_LIMIT))
        except InvalidInput as err:
            read.problem(f"{path}.{key}", str(err).removeprefix(f"{path}.{key}: "))
            found.append("")
    number, carrier, lp_no = found
    return ReturnFacts(number, carrier, lp_no, progress, read.time(result, "gmt_modified", path))
