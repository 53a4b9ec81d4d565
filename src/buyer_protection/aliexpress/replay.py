"""Replaying an issue's process log through an `Order`, one action at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, InvalidOperation

import attrs

from .._text import shown
from .._time import iso
from ..calendars import Duration, span
from ..dispute import Dispute
from ..errors import InvalidAction, InvalidInput
from ..lifecycle import Actor, DisputeState
from ..money import Money
from ..order import Order
from ..policy import Policy
from ..terms import Reason, Resolution
from .events import EventIds
from .payload import _RESULT, _Entry, _Issue, _OrderFacts, _proposed, _Solution
from .returns import RETURN_STATES, ReturnSteps
from .words import (
    _ANY,
    _AW,
    _BUYER_REQUESTS,
    _NE,
    _PLATFORM_TAKES,
    _SELLER_RESPONSES,
    ACTION_TYPES,
    ISSUE_STATUSES,
    SOLUTION_OWNERS,
    _pacific,
)

_RATES = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])


_IMPLIED = -1  # the key of the opening when the log has no initiate first
_SECOND = timedelta(seconds=1)
_SETTLING = frozenset({"platform_decide", "seller_accept", "buyer_accept"})


def _said(duration: Duration) -> str:
    """A policy's duration as messages quote it: a timedelta as Python writes it, business
    days in words."""
    return str(duration) if isinstance(duration, timedelta) else span(duration)


def _set_aside(reached: _Solution, dispute: Dispute) -> bool:
    """*reached* is the agreement that the seller's refusal of the returned goods set aside."""
    refused = [e.at for e in dispute.history if e.action == "refuse_return"]
    return bool(refused) and (reached.reached_time is None or reached.reached_time <= refused[-1])


class _Replay:
    """One run of the issue's log through an `Order`."""

    def __init__(
        self,
        issue: _Issue,
        facts: _OrderFacts | None,
        policy: Policy,
        also: Mapping[int, Sequence[str]],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.issue = issue
        self.facts = facts
        self.policy = policy
        self.also = also
        self.noted: dict[int, list[str]] = {}
        self.last_key = _IMPLIED
        self.amount_from: _Solution | None = None  # where the current action's amount comes from
        log = issue.log
        starts = bool(log) and log[0].action_type == "initiate"
        self.opening: _Entry | None = log[0] if starts else None
        self.opened_at = log[0].at if starts else issue.created
        if log and log[0].at < self.opened_at:
            first = log[0]
            raise InvalidInput(
                f"{first.path}.gmt_create: {shown(first.raw_at)} ({first.action_type}) is before "
                f"the issue was created ({_RESULT}.gmt_create {_pacific(issue.created)})"
            )
        self.ids = EventIds(issue, aliases)
        self.order = self._new_order()
        self.returns = ReturnSteps(
            issue.returned, issue.id, issue.latest, _RESULT, _pacific, self.ids
        )

    # -- the order before the dispute ------------------------------------------------

    def _new_order(self) -> Order:
        issue, facts, policy = self.issue, self.facts, self.policy
        assumed: list[str] = []
        shipped = facts.shipped_at if facts else None
        if shipped is None:
            shipped = self.opened_at
            assumed.append("shipped_at")
        elif shipped > self.opened_at:
            raise InvalidInput(
                f"{facts.path if facts else ''}.send_goods_time: shipped at {_pacific(shipped)}, "
                f"after the dispute was opened at {_pacific(self.opened_at)}"
            )
        paid = facts.paid_at if facts else None
        if paid is None:
            paid = shipped
            assumed.append("paid_at")
        elif paid > shipped:
            raise InvalidInput(
                f"order_detail: paid at {_pacific(paid)} (gmt_pay_time), "
                f"after the shipment at {_pacific(shipped)}"
            )
        total, total_from = self._total()
        if facts is None or facts.total is None:
            assumed.append("total")
        protection = facts.protection_days if facts else None
        if protection is None:
            assumed.append("protection_days")
        # The shipment happened, so it was in time: a policy whose processing deadline
        # from payment is not after it (by a second) has it widened to just cover it.
        processing = policy.processing_time
        if policy.deadline("processing_time", paid) < shipped + _SECOND:
            processing = shipped - paid + _SECOND
        relaxed = attrs.evolve(
            policy,
            earliest_not_received=timedelta(0),
            wait_for_promised_delivery=False,
            evidence_required_when_received=False,
            processing_time=processing,
        )
        paid_facts = [name for name in ("paid_at", "total") if name in assumed]
        order = Order(str(issue.order_id), total, paid, relaxed, assumed=paid_facts)
        platform, because = self._platform_handled()
        meta: dict[str, object] = {
            "source": "aliexpress.issue.detail.get",
            "issue_id": issue.id,
            "order_id": issue.order_id,
            "total_from": total_from,
            "snapshot_latest": iso(issue.latest),
        }
        if issue.parent_order_id is not None:
            meta["parent_order_id"] = issue.parent_order_id
        if facts is not None:
            meta["send_goods_operator"] = facts.send_goods_operator
            meta["order_detail_from"] = facts.path
        if platform:
            meta["by_platform_from"] = because
        order.ship(
            shipped,
            protection_days=protection,
            promised_days=protection,
            by_platform=platform,
            meta=meta,
            event_id=self.ids.take("ship"),
            assumed=[name for name in ("shipped_at", "protection_days") if name in assumed],
        )
        return order

    def _total(self) -> tuple[Money, str]:
        issue, facts = self.issue, self.facts
        if facts is not None and facts.total is not None:
            return facts.total, f"{facts.path}.total_product_amount"
        candidates: list[tuple[Money, str]] = []
        if issue.refund_max is not None:
            candidates.append((issue.refund_max, f"{_RESULT}.refund_money_max"))
        if issue.product_price is not None and issue.product_price.currency == issue.currency:
            candidates.append((issue.product_price, f"{_RESULT}.product_price"))
        candidates.extend(
            (s.post, f"{s.path}.refund_money_post") for s in issue.solutions if s.post is not None
        )
        best = max(candidates, key=lambda c: c[0].amount, default=None)
        if best is None or not best[0]:
            raise InvalidInput(
                f"{_RESULT}.refund_money_max: no amount above zero in {issue.currency} "
                "(refund_money_max, product_price, the solutions' refund_money_post) "
                "tells what was paid; pass order_detail"
            )
        return best

    def _platform_handled(self) -> tuple[bool, str]:
        if self.facts is not None and self.facts.by_platform:
            return True, f"{self.facts.path}.send_goods_operator"
        ends = self.policy.deadline("seller_response_window", self.opened_at)
        for entry in self.issue.log:
            if entry is self.opening or entry.action_type == "initiate":
                continue
            if entry.at >= ends:
                break
            if entry.action_type in _PLATFORM_TAKES:
                return True, f"{entry.path}.action_type"
            if entry.action_type in _BUYER_REQUESTS:
                ends = self.policy.deadline("seller_response_window", entry.at)
            elif entry.action_type in _SELLER_RESPONSES or entry.action_type == "cancel":
                break
        return False, ""

    # -- the log -----------------------------------------------------------------------

    def run(self) -> None:
        if self.opening is None:
            self._open(None)
        for entry in self.issue.log:
            self._replay(entry)
        self._end()

    @property
    def dispute(self) -> Dispute:
        dispute = self.order.dispute
        assert dispute is not None  # the opening is always the first step
        return dispute

    def _replay(self, entry: _Entry) -> None:
        order = self.order
        meaning = ACTION_TYPES[entry.action_type]
        self.returns.advance(order, entry.at, meaning.noted_in, entry.path)
        if entry is self.opening:
            self.last_key = entry.index
            self._open(entry)
            return
        dispute = self.dispute
        state = dispute.state
        if state in meaning.noted_in:
            self.noted.setdefault(self.last_key, []).append(
                f"{entry.path}: {entry.action_type} by {entry.member} at {entry.raw_at}"
            )
            return
        if meaning.action is None or meaning.action == "open_dispute":
            raise InvalidInput(
                f"{entry.path}.action_type: {shown(entry.action_type)} at {shown(entry.raw_at)} "
                f"while the dispute is {state.value}{self._why(dispute)}"
            )
        self.last_key = entry.index
        self.amount_from = None
        try:
            self._act(meaning.action, entry, dispute)
        except (InvalidAction, InvalidInput) as err:
            raise self._refused(entry, dispute, err) from err

    def _act(self, action: str, entry: _Entry, dispute: Dispute) -> None:
        at = entry.at
        meta = self._meta(entry)
        event = self.ids.entry(entry)
        if action == "cancel":
            dispute.cancel(at, meta=meta, event_id=event)
        elif action == "escalate":
            dispute.escalate(at, meta=meta, event_id=event)
        elif action == "seller_accept":
            self._with(meta, self._pick("buyer", at))
            dispute.seller_accept(at, meta=meta, event_id=event)
        elif action == "buyer_accept":
            self._with(meta, self._pick("seller", at))
            dispute.buyer_accept(at, meta=meta, event_id=event)
        elif action == "buyer_modify":
            solution = self._pick("buyer", at)
            self.amount_from = solution
            refund = self._amount(solution) if solution else self.order.refundable
            self._with(meta, solution)
            dispute.buyer_modify(
                at, refund=refund, **_proposed(solution), meta=meta, event_id=event
            )
        elif action == "seller_reject":
            solution = self.amount_from = self._need(self._pick("seller", at), entry, "seller")
            self._with(meta, solution)
            offer = self._amount(solution)
            dispute.seller_reject(
                at, counter_offer=offer, **_proposed(solution), meta=meta, event_id=event
            )
        else:
            assert action == "platform_decide"
            solution = self.amount_from = self._need(self._decision(at), entry, "platform")
            self._with(meta, solution)
            refund = self._amount(solution)
            dispute.platform_decide(
                at, refund=refund, **_proposed(solution), meta=meta, event_id=event
            )

    def _open(self, entry: _Entry | None) -> None:
        issue = self.issue
        at = entry.at if entry is not None else self.opened_at
        solution = self._pick("buyer", at)
        meta = self._meta(entry)
        meta["order_id"] = issue.order_id
        if issue.reverse_detail_status:
            meta["reverse_detail_status"] = issue.reverse_detail_status
        if issue.parent_order_id is not None:
            meta["parent_order_id"] = issue.parent_order_id
        if issue.reason_id is not None:
            meta["issue_reason_id"] = issue.reason_id
        self._with(meta, solution)
        if solution is None:
            meta["assumed"] = "refund"
        # A repeated initiate is the same opening: what any of them says belongs to it.
        said = [e for e in issue.log if e.action_type == "initiate"]
        received = any(e.receive_goods for e in said)
        evidence = tuple(dict.fromkeys(f for e in said for f in e.evidence))
        description = next((e.content for e in said if e.content), "")
        meta["receive_goods"] = received
        try:
            refund = self._amount(solution) if solution else self.order.refundable
            self.order.open_dispute(
                at,
                reason=Reason.NOT_AS_DESCRIBED if received else Reason.NOT_RECEIVED,
                refund=refund,
                **_proposed(solution),
                evidence=evidence,
                description=description or (solution.content if solution else ""),
                meta=meta,
                event_id=(
                    self.ids.entry(entry)
                    if entry
                    else self.ids.like_log(self.opened_at, "initiate", "buyer")
                ),
            )
        except (InvalidAction, InvalidInput) as err:
            where = f"{entry.path}.action_type: 'initiate'" if entry else f"{_RESULT}.gmt_create"
            amount = f" (the request from {solution.path})" if solution else ""
            raise InvalidInput(f"{where}: the dispute cannot be opened{amount}: {err}") from err

    # -- how the issue ended ----------------------------------------------------------

    def _end(self) -> None:
        issue, order, dispute = self.issue, self.order, self.dispute
        where = f"{_RESULT}.issue_status: {shown(issue.status)}"
        self.returns.catch_up(dispute)
        try:
            if dispute.is_open and issue.status == "canceled_issue":
                event = self.ids.step(f"{_RESULT}.issue_status", "cancel")
                dispute.cancel(order.last_event_at, meta=self._implied(), event_id=event)
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(f"{where}: the dispute cannot end so: {err}") from err
        if issue.status != "canceled_issue":
            self._reach(dispute)
        self.returns.advance(order, max(issue.latest, order.last_event_at), _ANY, _RESULT)
        status = issue.status
        if status == "processing" and self._decided_last(dispute):
            status = "finish"  # the seconds between the decision and perform_solution
        if status == "processing":
            self._still_open(dispute, where)
            self._check_reached(dispute)
            return
        try:
            if dispute.is_open and dispute.state not in RETURN_STATES:
                self._finish(dispute)
            if status == "finish" and dispute.state in RETURN_STATES:
                self.returns.finish(dispute, issue.latest, f"{_RESULT}.issue_status")
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(f"{where}: the dispute cannot end so: {err}") from err
        if dispute.state not in ISSUE_STATUSES[status]:
            raise InvalidInput(
                f"{where}, but the log leaves the dispute {dispute.state.value}{self._why(dispute)}"
            )
        self._check_reached(dispute)

    def _agreed(self, reached: _Solution, action: str, source: str) -> str:
        """The event id of an agreement the log does not show but *reached* reports: the
        one the log's own entry will have (the action at the solution's reached_time, by
        its side), so that a later snapshot that logs it names the same event."""
        if reached.reached_time is None:
            return self.ids.step(source, action)
        return self.ids.like_log(reached.reached_time, action, action.partition("_")[0])

    def _decided_last(self, dispute: Dispute) -> bool:
        """The log ends in the platform's decision or an agreement, which resolved the
        dispute (the API says ``processing`` until it logs ``perform_solution``)."""
        log = self.issue.log
        if not log or dispute.state is not DisputeState.RESOLVED:
            return False
        acted = [e for e in dispute.history if e.actor is not Actor.SYSTEM]
        return (
            ACTION_TYPES[log[-1].action_type].action in _SETTLING
            and bool(acted)
            and acted[-1].event_id == self.ids.of(log[-1])
        )

    def _reach(self, dispute: Dispute) -> None:
        """The agreement or decision the reached solution says, if the log does not show it.

        The order is first brought up to the solution's ``reached_time`` (without one,
        the latest instant the payload records), so that a seller timeout it reports
        fires by the policy's clock; a consensus or a platform decision that the log
        does not show is then taken at that instant, its meta saying ``implied_by``.
        """
        reached, order = self._reached(), self.order
        if reached is None or not dispute.is_open or dispute.state in RETURN_STATES:
            return
        if _set_aside(reached, dispute):
            return
        when = reached.reached_time or self.issue.latest
        self.returns.advance(order, max(when, order.last_event_at), _ANY, _RESULT)
        how = reached.reached_type
        assert how is not None  # a reached solution says how
        if not dispute.is_open or dispute.state in RETURN_STATES:
            return
        if how is Resolution.SELLER_REPONSE_TIMEOUT:
            return  # not run out by then: _check_reached says so
        meta: dict[str, object] = {
            "issue_id": self.issue.id,
            "implied_by": f"{reached.path}.reached_type",
        }
        if reached.reached_time is None:
            meta.update(assumed="at", at_from="the latest instant in the payload")
        self._with(meta, reached)
        source = f"solution:{reached.id}"
        try:
            if how is Resolution.NEGOTIATION_CONSENSUS and reached.owner == "buyer":
                event = self._agreed(reached, "seller_accept", source)
                dispute.seller_accept(when, meta=meta, event_id=event)
            elif how is Resolution.NEGOTIATION_CONSENSUS and reached.owner == "seller":
                event = self._agreed(reached, "buyer_accept", source)
                dispute.buyer_accept(when, meta=meta, event_id=event)
            else:
                if dispute.state is _NE:
                    self._decided_early(when, dispute)
                self.amount_from = reached
                refund = self._amount(reached)
                dispute.platform_decide(
                    when,
                    refund=refund,
                    **_proposed(reached),
                    meta=meta,
                    event_id=self.ids.step(source, "platform_decide"),
                )
        except (InvalidAction, InvalidInput) as err:
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(how.value)} at "
                f"{_pacific(when)}, which the log does not show, cannot be replayed: {err}"
            ) from err

    def _still_open(self, dispute: Dispute, where: str) -> None:
        """A processing issue: the dispute must still be open at the payload's last instant."""
        progress = self.issue.returned.progress
        if self.returns.done and progress == "refund_success":
            raise InvalidInput(
                f"{where}, but {_RESULT}.reverse_detail_status {shown(progress)} says the "
                "return's refund was paid, which ends the dispute"
            )
        if dispute.state not in ISSUE_STATUSES["processing"]:
            last = dispute.history[-1]
            by = str(last.details.get("meta", {}).get("implied_by", "the log"))
            if last.actor is Actor.SYSTEM:
                by = (
                    "the policy's clock, run to the payload's last instant "
                    f"({_pacific(self.issue.latest)}),"
                )
            raise InvalidInput(
                f"{where}, but {by} ends the dispute: it is "
                f"{dispute.state.value}{self._why(dispute)}"
            )

    def _check_reached(self, dispute: Dispute) -> None:
        """A seller timeout, if the solutions or the replay say so, must be one for both."""
        # A return's outcome comes after its agreement: the agreement says how it was reached.
        reached, outcome = self._reached(), dispute.agreement or dispute.outcome
        if reached is None or reached.reached_type is None or _set_aside(reached, dispute):
            return
        timeout = Resolution.SELLER_REPONSE_TIMEOUT
        said = reached.reached_type
        if outcome is None and dispute.is_open:  # processing, run to the payload's last instant
            ends = dispute.seller_deadline if said is timeout and dispute.state is _AW else None
            if ends is not None and reached.reached_time is not None:
                raise InvalidInput(
                    f"{reached.path}.reached_time: {_pacific(reached.reached_time)} is before the "
                    f"seller's window ends at {_pacific(ends)} under the policy "
                    f"(seller_response_window {_said(self.policy.seller_response_window)})"
                )
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(said.value)}, but under the policy the "
                f"log leaves the dispute {dispute.state.value}{self._why(dispute)} at the "
                f"payload's last instant ({_pacific(self.issue.latest)})"
            )
        if outcome is None:
            return
        if timeout in (said, outcome.reached_by) and said is not outcome.reached_by:
            raise InvalidInput(
                f"{reached.path}.reached_type: {shown(said.value)}, but under the "
                f"policy the log ends by {outcome.reached_by.value} at {_pacific(outcome.at)}"
            )
        early = reached.reached_time
        if said is timeout and early is not None and early < outcome.at:
            raise InvalidInput(
                f"{reached.path}.reached_time: {_pacific(early)} is before the seller's window "
                f"ends at {_pacific(outcome.at)} under the policy "
                f"(seller_response_window {_said(self.policy.seller_response_window)})"
            )

    def _finish(self, dispute: Dispute) -> None:
        """End a finished issue whose log stops short: as its reached solution says."""
        order, reached = self.order, self._reached()
        how = reached.reached_type if reached else None
        when = self.issue.latest
        if reached is not None and reached.reached_time is not None:
            when = reached.reached_time
        when = max(when, order.last_event_at)
        meta = self._implied()
        self._with(meta, reached)
        if dispute.state is _AW and how in (None, Resolution.SELLER_REPONSE_TIMEOUT):
            deadline = dispute.seller_deadline
            if deadline is None:
                raise InvalidInput("the platform handles it and gave no solution")
            order.advance(deadline)
            return
        status = f"{_RESULT}.issue_status"
        if how is Resolution.NEGOTIATION_CONSENSUS and reached and reached.owner != "platform":
            if reached.owner == "buyer":
                event = self._agreed(reached, "seller_accept", status)
                dispute.seller_accept(when, meta=meta, event_id=event)
            else:
                event = self._agreed(reached, "buyer_accept", status)
                dispute.buyer_accept(when, meta=meta, event_id=event)
            return
        if dispute.state is _NE:
            deadline = self._decided_early(when, dispute)
            order.advance(deadline)
        solution = reached or self._pick("platform", when)
        if solution is None:
            raise InvalidInput("no solution says how it ended")
        self._with(meta, solution)
        refund = self._amount(solution)
        event = self.ids.step(status, "platform_decide")
        dispute.platform_decide(
            when, refund=refund, **_proposed(solution), meta=meta, event_id=event
        )

    def _decided_early(self, when: datetime, dispute: Dispute) -> datetime:
        """The end of negotiation, if a decision at *when* does not come before it."""
        deadline = dispute.negotiation_deadline
        window = self.policy.negotiation_window
        assert deadline is not None  # negotiating
        assert window is not None  # so the window has an end
        if when < deadline:
            raise InvalidInput(
                f"the platform decided at {_pacific(when)}, before negotiation ends at "
                f"{_pacific(deadline)} under the policy "
                f"(negotiation_window {_said(window)})"
            )
        return deadline

    # -- solutions and amounts --------------------------------------------------------

    def _pick(self, owner: str, at: datetime) -> _Solution | None:
        """The *owner*'s solution an entry at *at* refers to."""
        mine = [s for s in self.issue.solutions if s.owner == owner]
        if not mine:
            return None
        exact = [s for s in mine if at in (s.modified, s.created)]
        if exact:
            return exact[-1]
        default = [s for s in mine if s.is_default]
        if default:
            return default[0]
        earlier = [s for s in mine if s.created is not None and s.created <= at]
        if earlier:
            return max(earlier, key=lambda s: s.created or at)
        return mine[0]

    def _decision(self, at: datetime) -> _Solution | None:
        """The solution a platform decision at *at* makes binding."""
        return self._pick("platform", at) or self._reached()

    def _reached(self) -> _Solution | None:
        reached = [s for s in self.issue.solutions if s.reached]
        return max(reached, key=lambda s: s.reached_time or self.issue.latest, default=None)

    def _need(self, solution: _Solution | None, entry: _Entry, owner: str) -> _Solution:
        if solution is None:
            raise InvalidInput(
                f"{entry.action_type} needs the amount of a {owner} solution, and "
                f"{_RESULT}.{SOLUTION_OWNERS[owner]} has none"
            )
        return solution

    def _amount(self, solution: _Solution) -> Money:
        """The solution's amount in the order's currency."""
        if solution.post is not None:
            return solution.post
        local = solution.local
        if local is not None:
            found = [(s.path, s.local, s.post) for s in self.issue.solutions if s is not solution]
            rates = [
                (at, lo, po) for at, lo, po in found if lo and po and lo.currency == local.currency
            ]
            for _, lo, po in rates:
                if lo == local:
                    return po
            if rates:
                at, lo, po = rates[0]
                # The product is exact, the quotient to 60 digits far finer than any minor
                # unit: the one rounding that counts is Money.rounded's, half to even.
                converted = _RATES.divide(_RATES.multiply(local.amount, po.amount), lo.amount)
                try:
                    return Money.rounded(converted, po.currency)
                except InvalidInput as err:
                    raise InvalidInput(
                        f"{solution.path}.refund_money: {local} at the rate of {at} "
                        f"({lo} for {po}) is too large in {po.currency}: {err}"
                    ) from None
        raise InvalidInput(
            f"{solution.path}.refund_money_post: not set, and no other solution of the issue "
            f"gives the rate from its refund_money to {self.issue.currency}"
        )

    # -- meta and messages ------------------------------------------------------------

    def _meta(self, entry: _Entry | None) -> dict[str, object]:
        key = _IMPLIED if entry is None else entry.index
        meta: dict[str, object] = {"issue_id": self.issue.id}
        if entry is not None:
            meta.update(
                process=entry.path,
                action_type=entry.action_type,
                submit_member_type=entry.member,
                gmt_create=entry.raw_at,
            )
            if entry.id is not None:
                meta["process_id"] = entry.id
        if self.also.get(key):
            meta["also"] = "; ".join(self.also[key])
        return meta

    def _implied(self) -> dict[str, object]:
        """The meta of a step the log does not record but ``issue_status`` implies."""
        return {"issue_id": self.issue.id, "implied_by": f"{_RESULT}.issue_status"}

    def _with(self, meta: dict[str, object], solution: _Solution | None) -> None:
        if solution is None:
            return
        meta.update(
            solution_id=solution.id,
            solution_owner=solution.owner,
            solution_type=solution.type,
        )
        if solution.local is not None:
            meta["local_amount"] = solution.local
        if solution.logistics_fee_bear_role:
            meta["logistics_fee_bear_role"] = solution.logistics_fee_bear_role
        if solution.post is None:
            meta["amount_converted"] = True

    def _why(self, dispute: Dispute) -> str:
        """Why the dispute stands where it does, under the policy."""
        due = self.order.next_deadline
        if dispute.is_open and due is not None:
            return f" (under the policy its next step is {due.action} at {_pacific(due.at)})"
        last = dispute.history[-1] if dispute.history else None
        if last is None:
            return ""
        return f" ({last.action} at {_pacific(last.at)} under the policy)"

    def _refused(self, entry: _Entry, dispute: Dispute, err: Exception) -> InvalidInput:
        outcome = dispute.agreement or dispute.outcome
        head = (
            f"{entry.path}.action_type: {shown(entry.action_type)} at {shown(entry.raw_at)} "
            "(US Pacific)"
        )
        if (
            outcome is not None
            and outcome.reached_by is Resolution.SELLER_REPONSE_TIMEOUT
            and entry.action_type.startswith("seller_")
        ):
            return InvalidInput(
                f"{head} comes after the seller's window closed at {_pacific(outcome.at)} "
                f"under the policy (seller_response_window "
                f"{_said(self.policy.seller_response_window)}): the dispute was resolved by "
                "seller_reponse_timeout"
            )
        used = self.amount_from
        amount = f" (the amount of {used.path})" if used is not None else ""
        return InvalidInput(f"{head} cannot be replayed{amount}: {err}")
