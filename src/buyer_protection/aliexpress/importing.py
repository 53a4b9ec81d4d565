"""Importing an issue of the seller API as an `Order`: `from_issue_detail`."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from .._text import shown
from ..errors import InvalidInput
from ..order import Order
from ..policy import ALIEXPRESS, Policy
from .payload import _RESULT, _Issue, _OrderFacts, read_issue, read_order_detail
from .replay import _Replay
from .words import _kind


def from_issue_detail(
    detail: Mapping[str, object],
    *,
    order_detail: Mapping[str, object] | None = None,
    policy: Policy = ALIEXPRESS,
) -> Order:
    """The `Order` whose ``dispute`` is the issue of an ``aliexpress.issue.detail.get`` response.

    *detail* is the parsed JSON of the whole response, wrapper included;
    *order_detail*, when given, the parsed ``aliexpress.solution.order.get``
    response holding the issue's order. The process log is replayed, oldest first
    (entries of one instant in the reverse of the API's newest-first order), through
    the public actions, so the dispute's state, deadline and outcome are this
    library's rules under *policy*. Each action's history entry keeps the API's own
    facts in ``details["meta"]``: ``issue_id``, ``process`` (the entry's path),
    ``process_id``, ``action_type``, ``submit_member_type``, ``gmt_create`` (as the
    API wrote it), and for amounts ``solution_id``, ``solution_owner``,
    ``solution_type`` and ``local_amount`` (the buyer's currency, as `Money`); log
    entries that changed nothing are listed under ``also`` in the meta of the action
    before them. The lifecycle runs in the order's currency (``refund_money_post``).
    Every entry the import makes has an event id derived from the API's facts, the
    same in every snapshot (`buyer_protection.aliexpress.events`); the ``ship``
    entry's meta says where the order came from (``source``, ``issue_id``,
    ``order_id``, ``total_from``, and with *order_detail* ``send_goods_operator`` and
    ``order_detail_from``) and ``snapshot_latest``, the latest instant the payload
    records, so that `sync` can bring the order up to a newer snapshot.

    What the issue does not say, and what the importer assumes:

    - payment and shipment times, the amount paid, the protection days, whether the
      platform shipped: from *order_detail* (``gmt_pay_time``, the product's
      ``send_goods_time``, ``total_product_amount`` + ``logistics_amount``,
      ``freight_commit_day``, ``send_goods_operator`` ``WAREHOUSE_SEND_GOODS``).
      Without it, payment and shipment are put at the latest instant consistent
      with the log (the dispute's opening), the protection days are the policy's,
      and the amount paid is the largest the issue names (``refund_money_max``,
      ``product_price``, the solutions' amounts): a lower bound. ``order.assumed``
      names the facts assumed (the ``pay`` and ``ship`` entries record them).
    - the rules the marketplace enforced before accepting the issue are not checked
      again: the order's policy is *policy* with ``earliest_not_received`` zero,
      ``wait_for_promised_delivery``, ``evidence_required_when_received`` off, and
      ``processing_time`` widened when the shipment came later than it allows.
    - the amount the buyer first asked: the solutions carry only their current
      amounts, so the opening and every change of request use the buyer solution's
      current one (none at all: a full refund). The reason is "not received"
      unless the opening entry says ``receive_goods``; ``issue_reason_id`` is kept
      in the meta.
    - a platform solution without ``refund_money_post``: converted from its local
      amount at the rate another solution of the issue shows, rounded half to even
      with `Money.rounded`. Every amount the payload gives is taken exactly.
    - the platform handles the dispute (no seller window) when *order_detail* says
      the platform shipped, or when the first answer to the buyer's request within
      the seller's window is the platform's or the buyer's escalation
      (``fpl_authenticate``, ``platform_give_solution``, ``platform_force_reach``,
      ``buyer_initiate_arbitration``).
    - a log that stops before the agreement or decision a reached solution reports
      (processing or finished): the order is brought up to its ``reached_time``, so
      that a seller timeout it reports fires by the policy's clock; a consensus or a
      platform decision is taken at that instant (meta ``implied_by`` the solution's
      ``reached_type``). A finished issue with no reached solution: a dispute
      awaiting the seller ended when the seller's window closed, one in arbitration
      by the platform's solution. A cancelled issue whose log has no ``cancel`` was
      cancelled at its last log entry.
    - a return: a ``return_and_refund`` solution proposes one (its
      ``logistics_fee_bear_role`` the postage payer; empty: not given). Once agreed, the
      issue's ``buyer_return_no`` ships it and ``reverse_detail_status`` says the
      seller's answer (``refund_success``, ``refund_reject``), at the issue's
      ``gmt_modified``, kept within the policy's return windows (the seller-API page,
      "Returns", says how); the meta says ``implied_by``, ``assumed`` and ``at_from``.

    Whatever the ``issue_status``, the order is brought up to the last instant the
    payload records (the latest of its log entries, the solutions' times and
    ``gmt_modified``) and no further, the policy's automatic steps firing on the way:
    call ``order.advance(now)`` to see it as of now. A ``processing`` issue that the
    log, a reached solution, the return fields (``refund_success``) or one of those
    steps ends by then is refused, except one whose log ends in the platform's decision
    or an agreement that resolves the dispute: the seconds before the API logs
    ``perform_solution`` and says ``finish``, read as decided.

    `InvalidInput` names every field path and value that is wrong: an unknown word
    where it steers the import, money that does not parse or needs rounding, an id
    beyond 64 bits, a time not in the API's format, and a log that contradicts itself
    or *policy* (for example a seller action after the seller's window closed under
    *policy*). The seller API is AliExpress's: rules of another marketplace (their
    consequences, or clocks AliExpress has and they lack) are refused.

    >>> import json, pathlib
    >>> detail = json.loads(pathlib.Path("tests/fixtures/issue_awaiting_seller.json").read_text())
    >>> from_issue_detail(detail).next_deadline.action
    'seller_timeout'
    """
    if not isinstance(policy, Policy):
        raise InvalidInput(f"policy: expected a Policy, got {_kind(policy)}")
    if problems := differences_from_aliexpress(policy):
        raise InvalidInput(
            f"policy: the rules {policy.name} {policy.version} are not AliExpress's: "
            f"{'; '.join(problems)}; the seller API is AliExpress's: give AliExpress's "
            "rules (a version from policy_for('aliexpress', at), or one evolved from it)"
        )
    issue = read_issue(detail)
    facts = None if order_detail is None else read_order_detail(order_detail, issue)
    return import_issue(issue, facts, policy)


def import_issue(
    issue: _Issue,
    facts: _OrderFacts | None,
    policy: Policy,
    aliases: Mapping[str, str] | None = None,
) -> Order:
    """The order of the read *issue*, with the order detail's *facts* (None: not given);
    an entry whose derived event id is a key of *aliases* is recorded under its value."""
    try:
        # Pass one finds which log entries change nothing; pass two files them in the meta.
        first = _Replay(issue, facts, policy, {}, aliases)
        first.run()
        second = _Replay(issue, facts, policy, first.noted, aliases)
        second.run()
    except OverflowError:
        raise InvalidInput(
            f"{_RESULT}: a time or a number of days is too large to compute deadlines with"
        ) from None
    return second.order


_ALIEXPRESS_WAYS = (
    "seller_window_starts",
    "seller_window_ends",
    "negotiation_window_starts",
    "negotiation_window_ends",
    "filing_window_starts",
    "contact_wait",
    "appeal_window",
)
"""The fields that make another marketplace's rules: the import needs AliExpress's."""
_ALIEXPRESS_CLOCKS = (
    "processing_time",
    "negotiation_window",
    "return_shipping_window",
    "return_confirm_window",
)
"""The clocks of AliExpress's seller API, which the import needs the rules to have."""


def differences_from_aliexpress(policy: Policy) -> list[str]:
    """What keeps *policy* from being AliExpress's rules (its numbers may differ): each
    consequence or anchor that is another, and each clock of AliExpress's it lacks; none
    for a policy the seller API's log can be read by (the import and the command line's
    AliExpress commands take only those)."""
    return [
        f"{name} is {_word(getattr(policy, name))}, not {_word(getattr(ALIEXPRESS, name))}"
        for name in _ALIEXPRESS_WAYS
        if getattr(policy, name) != getattr(ALIEXPRESS, name)
    ] + [f"{name} is None" for name in _ALIEXPRESS_CLOCKS if getattr(policy, name) is None]


def _word(value: object) -> str:
    """A field's value in a message: a consequence or an anchor as its word."""
    return shown(value.value if isinstance(value, enum.Enum) else value)
