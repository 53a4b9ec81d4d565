"""Import a dispute from the AliExpress seller API, with the deadlines the API never gives.

``aliexpress.issue.detail.get`` returns an issue (the API's word for a dispute) as
statuses, solutions and a process log of who did what, in US Pacific time without an
offset, and no deadline at all. `from_issue_detail` replays that log through this
library's own lifecycle, so that ``order.next_deadline`` tells a seller when its five
days end and what happens then.

The API's words are the lookup tables below (RULES.md, section 6): `ISSUE_STATUSES`,
`SOLUTION_STATUSES`, `REACHED_TYPES`, `ACTION_TYPES`, `SUBMIT_MEMBER_TYPES`,
`SOLUTION_OWNERS`, `SOLUTION_TYPES`. A word that steers the import and is not in its
table is refused with `InvalidInput`; the words that are only carried along
(`KEPT_AS_UNKNOWN`) are kept as ``"unknown"`` instead, so that a newer API version
does not break an import it cannot affect.

`sync` brings an imported order up to a newer snapshot of its issue (a seller's
system polls the API), keeping the actions the order recorded locally.
"""

from .importing import from_issue_detail
from .syncing import sync
from .words import (
    ACTION_TYPES,
    ISSUE_STATUSES,
    KEPT_AS_UNKNOWN,
    PACIFIC,
    REACHED_TYPES,
    RETURN_PROGRESS,
    SOLUTION_OWNERS,
    SOLUTION_STATUSES,
    SOLUTION_TYPES,
    SUBMIT_MEMBER_TYPES,
    ActionType,
    parse_time,
)

__all__ = [
    "ACTION_TYPES",
    "ISSUE_STATUSES",
    "KEPT_AS_UNKNOWN",
    "PACIFIC",
    "REACHED_TYPES",
    "RETURN_PROGRESS",
    "SOLUTION_OWNERS",
    "SOLUTION_STATUSES",
    "SOLUTION_TYPES",
    "SUBMIT_MEMBER_TYPES",
    "ActionType",
    "from_issue_detail",
    "parse_time",
    "sync",
]
