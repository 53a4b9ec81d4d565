"""The return stage of an imported AliExpress issue: what the payload says of it.

An issue agreed on "return and refund" says how its return stands only in fields of
the issue itself (RULES.md, section 4a): ``buyer_return_no`` (the return's tracking
number), ``buyer_return_logistics_company``, ``buyer_return_logistics_lp_no`` and
``reverse_detail_status``. The process log has no entry for the return, and no field
gives the instants of its steps.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from .._text import shown
from ..dispute import Dispute
from ..errors import InvalidAction, InvalidInput
from ..lifecycle import DisputeState

if TYPE_CHECKING:
    from ..order import Order
    from .events import EventIds


@attrs.frozen
class ReturnFacts:
    """What an issue says of its return: the parcel, the progress, the last change."""

    number: str = ""  # buyer_return_no: set once the buyer shipped the return
    carrier: str = ""  # buyer_return_logistics_company
    lp_no: str = ""  # buyer_return_logistics_lp_no (the logistics order)
    progress: str = ""  # reverse_detail_status ("unknown" for a word not known)
    modified: datetime | None = None  # the issue's gmt_modified


# -- the return's steps, replayed -----------------------------------------------------

RETURN_STATES = frozenset({DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT})
"""The dispute's states while an agreed return runs."""

SAYS_SHIPPED = ("wait_for_seller_confirm", "refund_success", "refund_reject")
"""The ``reverse_detail_status`` words that steer the import: each says the return was shipped."""

_JUST_BEFORE = timedelta(microseconds=1)


class ReturnSteps:
    """Replays what an issue says of its return: ``ship_return``, then the seller's answer.

    The payload gives no instant for these steps, so they are taken at the issue's
    ``gmt_modified`` (without one, at the latest instant the payload records),
    unless a later log entry needs the return over first (a platform decision
    after the seller refused the goods): then at that entry's instant. The
    policy's clocks then decide what the payload cannot: a shipment that would
    come after the return's shipping window is put at the window's last instant
    (the return number proves the marketplace took it in time); a refusal likewise
    before the confirm window ends; a ``refund_success`` after the confirm window
    is the automatic ``return_confirm_timeout``, which pays the same refund, at the
    window's end (on a finished issue: a processing one that says ``refund_success``
    is refused by the importer). Each step's meta says what it stands on: ``implied_by`` (the
    field), ``assumed: "at"`` and ``at_from``.
    """

    def __init__(
        self,
        facts: ReturnFacts,
        issue_id: int,
        latest: datetime,
        path: str,
        when: Callable[[datetime], str],
        events: EventIds,
    ) -> None:
        self.facts = facts
        self.events = events  # the import's event ids
        self.issue_id = issue_id
        self.path = path
        self.when = when  # an instant as a message shows it
        self.done = False
        if facts.modified is not None:
            self.at, self.at_from = facts.modified, f"{path}.gmt_modified"
        else:
            self.at = latest
            self.at_from = f"the latest instant in the payload ({path}.gmt_modified not given)"

    def advance(
        self, order: Order, to: datetime, noted_in: Collection[DisputeState], where: str
    ) -> None:
        """``order.advance(to)`` for the log entry at *where*, one automatic step at a time.

        Before each step (an agreement by the seller's silence may start a return,
        whose own clock may run out before *to*) and before the entry, the return's
        facts are applied when the entry acts on the dispute (the states it changes
        nothing in are *noted_in*), when *to* is at or after their instant, or when
        the return's clock would run out before *to*.
        """
        while True:
            dispute = order.dispute
            if dispute is not None:
                self._before(dispute, to, acts=dispute.state not in noted_in, where=where)
            due = order.next_deadline
            if due is None or due.at > to:
                break
            order.advance(due.at)
        order.advance(to)

    def _before(self, dispute: Dispute, at: datetime, *, acts: bool, where: str) -> None:
        if self.done or dispute.state not in RETURN_STATES:
            return
        due = dispute.deadline
        if at < self.at and (acts or (due is not None and at >= due)):
            self._apply(dispute, at, f"{where}.gmt_create (the next log entry)")
        elif at >= self.at:
            self._apply(dispute, self.at, self.at_from)

    def catch_up(self, dispute: Dispute) -> None:
        """At the end of the log: apply the return's facts if they are still to come."""
        if not self.done and dispute.state in RETURN_STATES:
            self._apply(dispute, self.at, self.at_from)

    def finish(self, dispute: Dispute, until: datetime, implied_by: str) -> None:
        """A finished issue whose return is still in transit at *until*: the refund was paid.

        The issue says it ended and nothing says the seller refused the goods, so
        the seller confirmed them (at the steps' instant, or the last change if later).
        """
        self.catch_up(dispute)
        order = dispute.order
        order.advance(max(until, order.last_event_at))
        if dispute.state is DisputeState.RETURN_IN_TRANSIT:
            at = max(self.at, order.last_event_at)
            meta = self._meta(implied_by, self.at_from if at == self.at else "the last change")
            dispute.confirm_return(
                at, meta=meta, event_id=self._event(implied_by, "confirm_return")
            )

    # -- internals -------------------------------------------------------------------

    def _apply(self, dispute: Dispute, at: datetime, at_from: str) -> None:
        self.done = True
        facts, path = self.facts, self.path
        if not facts.number:
            if facts.progress in SAYS_SHIPPED:
                raise InvalidInput(
                    f"{path}.reverse_detail_status: {shown(facts.progress)} says the return "
                    f"was shipped, but {path}.buyer_return_no is not set"
                )
            return
        order = dispute.order
        if at < order.last_event_at:
            raise InvalidInput(
                f"{at_from}: {self.when(at)} is before the log's last step "
                f"({self.when(order.last_event_at)}): the return cannot be placed there"
            )
        try:
            self._ship(dispute, at, at_from)
            self._answer(dispute, at, at_from)
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(
                f"{path}.buyer_return_no: the return cannot be replayed: {err}"
            ) from err

    def _ship(self, dispute: Dispute, at: datetime, at_from: str) -> None:
        facts = self.facts
        deadline = dispute.return_ship_deadline
        if deadline is not None and at >= deadline:
            at, at_from = deadline - _JUST_BEFORE, self._moved(at_from, "return_ship_deadline")
        meta = self._meta(f"{self.path}.buyer_return_no", at_from)
        if facts.lp_no:
            meta["buyer_return_logistics_lp_no"] = facts.lp_no
        if facts.progress:
            meta["reverse_detail_status"] = facts.progress
        dispute.ship_return(
            at,
            tracking_number=facts.number,
            carrier=facts.carrier,
            meta=meta,
            event_id=self._event(f"{self.path}.buyer_return_no", "ship_return"),
        )

    def _answer(self, dispute: Dispute, at: datetime, at_from: str) -> None:
        progress = self.facts.progress
        deadline = dispute.return_confirm_deadline
        assert deadline is not None  # shipped just now
        at = max(at, dispute.order.last_event_at)
        said = f"{self.path}.reverse_detail_status"
        if progress == "refund_success" and at < deadline:
            event = self._event(said, "confirm_return")
            dispute.confirm_return(at, meta=self._meta(said, at_from), event_id=event)
        elif progress == "refund_reject":
            if at >= deadline:
                at, at_from = (
                    deadline - _JUST_BEFORE,
                    self._moved(at_from, "return_confirm_deadline"),
                )
            note = (
                "The seller refused the goods that came back (reverse_detail_status refund_reject)."
            )
            event = self._event(said, "refuse_return")
            dispute.refuse_return(at, note=note, meta=self._meta(said, at_from), event_id=event)

    def _event(self, source: str, action: str) -> str:
        return self.events.step(source, action)

    def _moved(self, at_from: str, deadline: str) -> str:
        return f"{at_from}, moved to the last instant before the {deadline} of the policy"

    def _meta(self, implied_by: str, at_from: str) -> dict[str, object]:
        return {
            "issue_id": self.issue_id,
            "implied_by": implied_by,
            "assumed": "at",
            "at_from": at_from,
        }
