"""The event ids of an import's entries, derived from what the API says.

A seller's system polls the same issue again and again; each snapshot's process log
is longer, newest first, so a list index names a different entry every time. An
imported entry's event id is therefore made of the API's own facts, and the same API
event gets the same id in every snapshot:

- a process-log entry: ``aliexpress:<issue id>:<gmt_create>:<action_type>:<submit_member_type>``
  (``gmt_create`` as the API wrote it), plus ``:2``, ``:3``... for the second and later
  entries that agree on all of those, in the order they are replayed;
- the shipment the import records: ``aliexpress:<issue id>:ship``;
- a step the log does not show yet but will: the id its log entry will have. An opening
  the log does not show is the buyer's ``initiate`` at the issue's ``gmt_create``; an
  agreement a reached solution reports is the ``seller_accept`` or ``buyer_accept`` at
  its ``reached_time``;
- any other step the log does not show but a field implies:
  ``aliexpress:<issue id>:<field>:<action>``, the field being the path that implies it
  (``result_object.issue_status``, ``result_object.buyer_return_no``) or
  ``solution:<solution id>`` for a reached solution without a ``reached_time``.

A local action that the API reports later (see `sync`) keeps the event id the order
knew it by: the import records the API's entry under that id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .payload import _Entry, _Issue
from .words import PACIFIC

PREFIX = "aliexpress:"
"""The start of every event id the import derives (then the issue id and a colon)."""


def event_prefix(issue_id: int) -> str:
    """The start of every event id the import derives for the issue *issue_id*."""
    return f"{PREFIX}{issue_id}:"


class EventIds:
    """The event ids of one import, each used once."""

    def __init__(self, issue: _Issue, aliases: Mapping[str, str] | None = None) -> None:
        self.prefix = event_prefix(issue.id)
        self.aliases = aliases or {}  # derived id -> the id the order knows the event by
        self.used: set[str] = set()
        self.of_entry: dict[int, str] = {}
        seen: dict[tuple[str, str, str], int] = {}
        for entry in issue.log:  # in replay order: a later tie gets the next number
            key = (entry.raw_at, entry.action_type, entry.member)
            count = seen[key] = seen.get(key, 0) + 1
            name = ":".join(key)
            self.of_entry[entry.index] = name if count == 1 else f"{name}:{count}"

    def entry(self, entry: _Entry) -> str:
        """The event id of the action a process-log entry stands for."""
        return self.take(self.of_entry[entry.index])

    def of(self, entry: _Entry) -> str:
        """The event id a process-log entry's action has (or would have)."""
        found = self.prefix + self.of_entry[entry.index]
        return self.aliases.get(found, found)

    def like_log(self, at: datetime, action_type: str, member: str) -> str:
        """The event id a process-log entry of *action_type* by *member* at *at* would have:
        for a step the log does not show yet, so that the snapshot that logs it names it
        alike (the opening at the issue's creation, an agreement at its reached_time)."""
        api_time = at.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")
        return self.take(f"{api_time}:{action_type}:{member}")

    def step(self, source: str, action: str) -> str:
        """The event id of *action*, which *source* implies."""
        return self.take(f"{source}:{action}")

    def take(self, name: str) -> str:
        """The id *name* under the issue's prefix (numbered on when already taken)."""
        found, count = self.prefix + name, 1
        while found in self.used:
            count += 1
            found = f"{self.prefix}{name}#{count}"
        self.used.add(found)
        return self.aliases.get(found, found)
