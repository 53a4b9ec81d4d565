"""What the command line prints: aligned text for people, one JSON object for programs.

Human output writes every instant through a `Clock`: in UTC, and also in the ``--tz``
zone when one is given, the instants inside the library's sentences included. JSON
output keeps every instant in UTC and every sentence as the library wrote it.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from .advice import Step, advise
from .assumptions import PAY_FACTS, SHIP_FACTS, WINDOWS
from .dispute import Dispute
from .lifecycle import ORDER
from .money import Money
from .order import Deadline, Order
from .timeline import Milestone

WIDTH = 100
"""Human output wraps its last column to this many characters (fixed: the same on every
terminal, so that the output can be compared and quoted)."""

MIN_WRAP = 40
"""The narrowest last column ``table`` wraps."""

# An instant as the library's sentences write it (`_time.iso`): ISO 8601 in UTC.
_UTC_INSTANT = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00\b")
_LINE_BREAKS = re.compile(r"\s*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])+\s*")


def flat(text: str) -> str:
    """*text* on one line: line breaks become a space, other unprintable characters escapes.

    Documents come from elsewhere: a value must not break a line or drive the terminal.

    >>> flat("81\\n23\\x1b[2J")
    '81 23\\\\x1b[2J'
    """
    joined = _LINE_BREAKS.sub(" ", text)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in joined)


def one_line(text: str) -> str:
    """*text* `flat` and stripped: what an error line may say."""
    return flat(text).strip()


class Clock:
    """How human output writes instants: UTC, and also in *zone* when one is given."""

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        self.name = None if zone is None else str(getattr(zone, "key", zone))

    def utc(self, at: datetime) -> str:
        """*at* in UTC, ``Z`` for the offset: ``2026-03-18T22:00:00Z``."""
        return at.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def local(self, at: datetime) -> str:
        """*at* in the zone, with its offset; empty without a zone."""
        return "" if self.zone is None else at.astimezone(self.zone).isoformat()

    def text(self, at: datetime | None) -> str:
        """*at* in UTC, then in the zone: ``2026-03-18T22:00:00Z (Asia/Shanghai ...)``."""
        if at is None:
            return "-"
        if self.zone is None:
            return self.utc(at)
        return f"{self.utc(at)} ({self.name} {self.local(at)})"

    def sentence(self, text: str) -> str:
        """*text* with each instant the library wrote in it (in UTC) written as `text` does.

        >>> from zoneinfo import ZoneInfo
        >>> Clock(ZoneInfo("Asia/Shanghai")).sentence("until 2026-03-18T22:00:00+00:00.")
        'until 2026-03-18T22:00:00Z (Asia/Shanghai 2026-03-19T06:00:00+08:00).'
        """
        return _UTC_INSTANT.sub(lambda m: self.text(datetime.fromisoformat(m[0])), text)


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> str:
    """*rows* as aligned columns; the last column wraps under itself at ``WIDTH``.

    When the other columns leave it fewer than ``MIN_WRAP`` characters, the last column
    is not wrapped at all: a long line reads better than a thin ribbon.

    >>> print(table([("state", "shipped"), ("protection ends", "2026-05-01T00:00:00Z")]), end="")
    state            shipped
    protection ends  2026-05-01T00:00:00Z
    """
    rows = [
        tuple(flat(cell).rstrip() for cell in row) for row in [*([header] if header else []), *rows]
    ]
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    indent = sum(widths) + 2 * len(widths)
    room = WIDTH - indent
    lines = []
    for row in rows:
        lead = "".join(cell.ljust(width + 2) for cell, width in zip(row, widths, strict=False))
        wrapped = (
            textwrap.wrap(row[-1], room, break_on_hyphens=False, break_long_words=False)
            if room >= MIN_WRAP
            else [row[-1]]
        ) or [""]
        lines.append((lead + wrapped[0]).rstrip())
        lines.extend(" " * indent + more for more in wrapped[1:])
    return "\n".join(lines) + "\n"


# -- JSON ---------------------------------------------------------------------------------


def _json_at(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def _json_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _deadline_json(deadline: Deadline) -> dict[str, object]:
    return {
        "at": _json_at(deadline.at),
        "subject": deadline.subject,
        "action": deadline.action,
        "meaning": deadline.meaning,
    }


def _step_json(step: Step) -> dict[str, object]:
    return {
        "action": step.action,
        "why": step.why,
        "earliest": _json_at(step.earliest),
        "latest": _json_at(step.latest),
        "evidence": list(step.evidence),
        "side": step.side.value,
        "if_not": step.if_not,
    }


def _step_rows(
    steps: Sequence[Step], at: datetime, clock: Clock, marks: Mapping[datetime, str]
) -> list[tuple[str, str]]:
    """Each step's rows: the first is the next step, the others follow as "also". An
    instant that is one of the order's windows computed from assumed facts is marked
    as *marks* says."""
    rows = []
    for i, step in enumerate(steps):
        rows.append(
            ("next step" if i == 0 else "also", clock.sentence(f"{step.action}: {step.why}"))
        )
        if step.earliest is not None and step.earliest > at:
            mark = marks.get(step.earliest, "")
            rows.append(("  from", _marked(clock.text(step.earliest), mark)))
        if step.latest is not None:
            rows.append(("  before", _marked(clock.text(step.latest), marks.get(step.latest, ""))))
        if step.if_not:
            rows.append(("  if not", clock.sentence(step.if_not)))
        if step.evidence:
            rows.append(("  evidence", "; ".join(step.evidence)))
    return rows


# -- assumed facts ------------------------------------------------------------------------

_FACTS = ("paid_at", "shipped_at", "protection_days", "total")  # in the order they happen
_FACT_WORDS = {
    "paid_at": "an assumed payment instant",
    "shipped_at": "an assumed shipment instant",
    "protection_days": "assumed protection days",
    "total": "an assumed total",
}
_CLOCK_OF = {row.trigger: row.clock for row in ORDER.table if row.clock}
"""The order's window each of its automatic steps is dated by."""


def _facts(facts: frozenset[str]) -> list[str]:
    return [fact for fact in _FACTS if fact in facts]


def assumed_line(order: Order) -> str:
    """The order's assumed facts in words: ``paid_at, shipped_at (not given by the
    source)``; empty when none."""
    if not order.assumed:
        return ""
    return f"{', '.join(_facts(order.assumed))} (not given by the source)"


def from_assumed(facts: frozenset[str]) -> str:
    """What marks a deadline computed from assumed *facts*: ``(from an assumed shipment
    instant and assumed protection days)``; empty when none."""
    words = [_FACT_WORDS[fact] for fact in _facts(facts)]
    if not words:
        return ""
    said = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"(from {said})"


def _marked(text: str, mark: str) -> str:
    return f"{text} {mark}" if text and mark else text or mark


def _deadline_facts(order: Order, deadline: Deadline) -> frozenset[str]:
    """The assumed facts the next deadline was computed from (a dispute's: none)."""
    window = _CLOCK_OF.get(deadline.action) if deadline.subject == ORDER.name else None
    return order.assumed_for(window) if window in WINDOWS else frozenset()


def _milestone_facts(order: Order, what: str) -> frozenset[str]:
    """The assumed facts a milestone rests on: the facts of its entry (payment,
    shipment), or those its deadline was computed from."""
    if what == "pay":
        return order.assumed & PAY_FACTS
    if what == "ship":
        return order.assumed & SHIP_FACTS
    return order.assumed_for(what) if what in WINDOWS else frozenset()


def _milestone_mark(order: Order, what: str) -> str:
    facts = _milestone_facts(order, what)
    if what in ("pay", "ship"):
        return f"(assumed: {', '.join(_facts(facts))})" if facts else ""
    return from_assumed(facts)


def _window_marks(order: Order) -> dict[datetime, str]:
    """The instants of the order's windows computed from assumed facts, each with its
    mark; a step's window is one of them (the time to dispute before completion is
    the post-completion window counted from the end of protection)."""
    if not order.assumed:
        return {}
    found: dict[datetime, frozenset[str]] = {}
    ends = order.protection_ends
    closes = None if ends is None else order.policy.deadline("post_completion_window", ends)
    for name in WINDOWS:
        when = getattr(order, name, None)
        if name == "post_completion_ends" and when is None:
            when = closes
        facts = order.assumed_for(name)
        if isinstance(when, datetime) and facts:
            found[when] = found.get(when, frozenset()) | facts
    return {when: from_assumed(facts) for when, facts in found.items()}


def _assumed_json(order: Order) -> dict[str, object]:
    """The keys that say what is assumed, for an order that has assumed facts (and none
    for one that has not: its output stays as it was before facts could be assumed)."""
    if not order.assumed:
        return {}
    return {
        "assumed": sorted(order.assumed),
        "assumed_for": {
            name: sorted(facts) for name in WINDOWS if (facts := order.assumed_for(name))
        },
    }


# -- the commands' outputs ----------------------------------------------------------------


def _agreement_json(dispute: Dispute | None) -> dict[str, Any] | None:
    agreement = None if dispute is None else dispute.agreement
    if agreement is None:
        return None
    payer = agreement.return_postage_by
    return {
        "refund": _json_money(agreement.refund),
        "remedy": agreement.remedy.value,
        "reached_by": agreement.reached_by.value,
        "at": _json_at(agreement.at),
        "return_postage_by": None if payer is None else payer.value,
    }


def _return_rows(dispute: Dispute | None, clock: Clock) -> list[tuple[str, str]]:
    """The dispute's agreement and its return, when there are any."""
    if dispute is None:
        return []
    rows = []
    agreement = dispute.agreement
    if agreement is not None:
        what = f"{agreement.refund}, {agreement.remedy.value}"
        if agreement.return_postage_by is not None:
            what += f" (postage paid by the {agreement.return_postage_by.value})"
        how = f"{agreement.reached_by.value} at {clock.text(agreement.at)}"
        rows.append(("agreement", f"{what}; {how}"))
    if dispute.return_tracking is not None:
        carrier = f" with {one_line(dispute.return_carrier)}" if dispute.return_carrier else ""
        shipped = clock.text(dispute.return_shipped_at)
        rows.append(("return", f"{one_line(dispute.return_tracking)}{carrier}, shipped {shipped}"))
    return rows


def _appellant(dispute: Dispute) -> str:
    """The side that appealed *dispute*'s decision (its ``appeal`` entry's actor)."""
    return next(e.actor.value for e in dispute.history if e.action == "appeal")


def _rules_facts(order: Order) -> dict[str, datetime]:
    """The order's facts and windows that only some marketplaces' rules have (an estimated
    delivery, a first contact with the seller, a filing window), those it has."""
    found = {
        "estimated_delivery": order.estimated_delivery,
        "filing_ends": order.filing_ends,
        "contacted_at": order.contacted_at,
        "contact_wait_ends": order.contact_wait_ends,
    }
    return {name: at for name, at in found.items() if at is not None}


_FACT_ROWS = {
    "estimated_delivery": "estimated delivery",
    "filing_ends": "filing ends",
    "contacted_at": "seller contacted",
    "contact_wait_ends": "contact wait ends",
}


def _dispute_facts_json(dispute: Dispute | None) -> dict[str, object]:
    """The dispute's escalation, outcome and appeal, those it has (no key for the others,
    so that the output of a dispute without them stays as it was)."""
    if dispute is None:
        return {}
    found: dict[str, object] = {}
    if dispute.escalated_at is not None:
        found["escalated_at"] = _json_at(dispute.escalated_at)
    if (outcome := dispute.outcome) is not None:
        found["outcome"] = {
            "refund": _json_money(outcome.refund),
            "reached_by": outcome.reached_by.value,
            "at": _json_at(outcome.at),
        }
    if dispute.appealed_at is not None:
        found["appealed_at"] = _json_at(dispute.appealed_at)
        found["appealed_by"] = _appellant(dispute)
    if dispute.appeal_deadline is not None:
        found["appeal_deadline"] = _json_at(dispute.appeal_deadline)
    return found


def _dispute_fact_rows(dispute: Dispute | None, clock: Clock) -> list[tuple[str, str]]:
    """The dispute's escalation, an outcome no agreement says (one that expired), its
    appeal and the time to appeal, those it has."""
    if dispute is None:
        return []
    rows = []
    if dispute.escalated_at is not None:
        rows.append(("escalated", clock.text(dispute.escalated_at)))
    outcome = dispute.outcome
    if outcome is not None and dispute.agreement is None:
        how = f"{outcome.reached_by.value} at {clock.text(outcome.at)}"
        rows.append(("outcome", f"{outcome.refund}; {how}"))
    if dispute.appealed_at is not None:
        rows.append(
            ("appealed", f"by the {_appellant(dispute)} at {clock.text(dispute.appealed_at)}")
        )
    if dispute.appeal_deadline is not None:
        rows.append(("appeal deadline", clock.text(dispute.appeal_deadline)))
    return rows


def status(order: Order, at: datetime, clock: Clock, as_json: bool, side: str = "buyer") -> str:
    """Where *order* stands at *at*: its states, deadlines and *side*'s next steps."""
    view = order.as_of(at)
    steps = advise(order, at, side=side)
    dispute = view.dispute
    deadline = view.next_deadline
    step = steps[0] if steps else None
    if as_json:
        return _json(
            {
                "order_id": view.order_id,
                "at": _json_at(at),
                "state": view.state.value,
                "dispute_state": None if dispute is None else dispute.state.value,
                "total": _json_money(view.total),
                "refunded": _json_money(view.refunded),
                "protection_ends": _json_at(view.protection_ends),
                "last_event_at": _json_at(view.last_event_at),
                "next_deadline": None
                if deadline is None
                else {
                    **_deadline_json(deadline),
                    **(
                        {"from_assumed": sorted(_deadline_facts(view, deadline))}
                        if view.assumed
                        else {}
                    ),
                },
                "agreement": _agreement_json(dispute),
                "return_tracking": None if dispute is None else dispute.return_tracking,
                "return_carrier": None if dispute is None else dispute.return_carrier or None,
                "return_shipped_at": None
                if dispute is None
                else _json_at(dispute.return_shipped_at),
                **{name: _json_at(when) for name, when in _rules_facts(view).items()},
                **_dispute_facts_json(dispute),
                "side": side,
                "next_step": None if step is None else _step_json(step),
                "steps": [_step_json(each) for each in steps],
                "allowed_now": list(view.allowed()),
                "tz": clock.name,
                **_assumed_json(view),
            }
        )
    assumed = assumed_line(view)
    total = _marked(str(view.total), "(assumed)" if view.assumed_for("refundable") else "")
    ends = clock.text(view.protection_ends)
    if view.protection_ends is not None:
        ends = _marked(ends, from_assumed(view.assumed_for("protection_ends")))
    rows = [
        ("order", view.order_id),
        ("as of", clock.text(at.replace(microsecond=0))),  # shown to the second
        ("state", view.state.value),
        ("dispute", "-" if dispute is None else dispute.state.value),
        *_return_rows(dispute, clock),
        *_dispute_fact_rows(dispute, clock),
        *([("assumed", assumed)] if assumed else []),  # the facts of the rows that follow
        ("paid", f"{total}, refunded {view.refunded}"),
        ("protection ends", ends),
        *((_FACT_ROWS[name], clock.text(when)) for name, when in _rules_facts(view).items()),
        ("last event", clock.text(view.last_event_at)),
    ]
    if deadline is None:
        rows.append(("next deadline", "none: nothing happens by itself from here"))
    else:
        mark = from_assumed(_deadline_facts(view, deadline))
        rows.append(("next deadline", _marked(clock.text(deadline.at), mark)))
        then = f"{deadline.subject} {deadline.action}: {deadline.meaning}"
        rows.append(("  then", clock.sentence(then)))
    rows.append(("side", side))
    rows.extend(_step_rows(steps, at, clock, _window_marks(view)))
    rows.append(("allowed now", ", ".join(view.allowed()) or "nothing"))
    return table(rows)


def timeline(order: Order, at: datetime, clock: Clock, as_json: bool) -> str:
    """Every milestone of *order* as seen at *at*, in time order."""
    milestones: Sequence[Milestone] = order.timeline(at)
    if as_json:
        return _json(
            {
                "order_id": order.order_id,
                "at": _json_at(at),
                "milestones": [
                    {
                        "at": _json_at(m.at),
                        "what": m.what,
                        "label": m.label,
                        "status": m.status,
                        "detail": m.detail,
                        **(
                            {"from_assumed": sorted(_milestone_facts(order, m.what))}
                            if order.assumed
                            else {}
                        ),
                    }
                    for m in milestones
                ],
                "tz": clock.name,
                **_assumed_json(order),
            }
        )
    local = () if clock.name is None else (f"at ({clock.name})",)
    header = ("at (UTC)", *local, "status", "milestone", "detail")
    rows = [
        (
            clock.utc(m.at),
            *(() if clock.name is None else (clock.local(m.at),)),
            m.status,
            clock.sentence(m.label),
            _marked(clock.sentence(m.detail), _milestone_mark(order, m.what)) or "-",
        )
        for m in milestones
    ]
    head = f"Order {order.order_id} as of {clock.text(at.replace(microsecond=0))}\n"
    if assumed := assumed_line(order):
        head += f"Assumed: {assumed}\n"
    return f"{head}\n" + table(rows, header)
