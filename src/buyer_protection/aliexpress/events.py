"""The event ids of an import's entries, derived from what the API says.

A seller's system polls the same issue again and again; each snapshot's process log
is longer, newest first, so a list index names a different entry every time. An
imported entry's event id is therefore made of the API's own facts, and the same API
event gets the same id in every snapshot:

- a process-log entry: ``aliexpress:<issue id>:<gmt_create>:<action_type>:<submit_member_type>``
  (``gmt_create`` as the API wrote it), plus ``:2``, ``:3``... for the second and later
  entries that agree on all of those, in the order they are replayed;
- the shipment the import records: ``aliexpress:<issue id>:ship``, and an opening the
  log does not show: ``aliexpress:<issue id>:opened``;
- a step the log does not show but a field implies: ``aliexpress:<issue id>:<field>:<action>``,
  the field being the path that implies it (``result_object.issue_status``,
  ``result_object.buyer_return_no``) or ``solution:<solution id>`` for a reached solution.
"""

from __future__ import annotations

from .payload import _Entry, _Issue

PREFIX = "aliexpress:"
"""The start of every event id the import derives (then the issue id and a colon)."""


def event_prefix(issue_id: int) -> str:
    """The start of every event id the import derives for the issue *issue_id*."""
    return f"{PREFIX}{issue_id}:"


class EventIds:
    """The event ids of one import, each used once."""

    def __init__(self, issue: _Issue) -> None:
        self.prefix = event_prefix(issue.id)
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
        return self.prefix + self.of_entry[entry.index]

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
        return found
