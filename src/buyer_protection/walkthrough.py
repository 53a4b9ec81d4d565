"""The seed article's story, walked through the public API.

An order is paid and shipped, its tracking dies after the first scan, and the
parcel never arrives. On the first day the rules allow it, the buyer opens a
"not received" dispute asking a full refund, with a screenshot of the tracking
as evidence. The seller stays silent, and at the seller's deadline the refund
follows by itself. The other branches of the seed (the seller accepts; the
seller rejects, the buyer escalates and the platform decides; an order shipped
by the platform's own logistics) follow in short.

Every instant is written out (no wall clock), every number comes from the
policy. Run it with ``python -m buyer_protection example``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .calendars import BusinessDays, Duration
from .calendars import span as in_words
from .errors import BuyerProtectionError
from .money import Money
from .order import Deadline, Order
from .terms import Reason
from .tracking import TrackingEvent, TrackingStatus

Write = Callable[[str], object]

PACIFIC = ZoneInfo("America/Los_Angeles")
"""The marketplace's own clock: AliExpress shows times in US Pacific time."""
SHANGHAI = ZoneInfo("Asia/Shanghai")
"""The carrier's clock: scans are written in China time."""

ORDER_ID = "8123456789"
TOTAL = Money("25.90", "USD")
PAID_AT = datetime(2026, 3, 2, 9, 30, tzinfo=PACIFIC)
SHIPPED_AT = datetime(2026, 3, 3, 14, 0, tzinfo=PACIFIC)
LAST_SCAN = TrackingEvent(
    datetime(2026, 3, 4, 7, 12, tzinfo=SHANGHAI),
    TrackingStatus.INFO_RECEIVED,
    "Electronic information received",
    "Shenzhen, CN",
)
TOO_EARLY = datetime(2026, 3, 13, 9, 0, tzinfo=PACIFIC)
OPENED_AT = datetime(2026, 3, 13, 16, 0, tzinfo=PACIFIC)
LOOKED_AT = datetime(2026, 3, 20, 10, 0, tzinfo=PACIFIC)
EVIDENCE = ("tracking-screenshot.png",)
DESCRIPTION = (
    "Ordered on 2 March 2026. The parcel cannot be tracked after the first scan "
    "and has not arrived. Screenshot of the tracking attached."
)


def when(instant: datetime | None) -> str:
    """*instant* in ISO 8601 UTC and in US Pacific time, or ``-`` for None."""
    if instant is None:
        return "-"
    pacific = instant.astimezone(PACIFIC)
    utc = instant.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%SZ} | US Pacific {pacific.isoformat()} {pacific:%Z}"


def span(duration: Duration) -> str:
    """*duration* in words: ``5 days``, ``3 business days``, or ``2 days, 3:00:00`` when
    not whole days."""
    if isinstance(duration, BusinessDays):
        return in_words(duration)
    if duration % timedelta(days=1):
        return str(duration)
    count = duration.days
    return f"{count} day" if count == 1 else f"{count} days"


def _next(write: Write, indent: str, deadline: Deadline | None) -> None:
    if deadline is None:
        write(f"{indent}next deadline: none (nothing happens by itself from here)")
        return
    write(f"{indent}next deadline: {when(deadline.at)}")
    write(f"{indent}    {deadline.subject} {deadline.action}: {deadline.meaning}")


def _show(write: Write, step: str, at: datetime, order: Order) -> None:
    dispute = order.dispute
    write(step)
    write(f"    at: {when(at)}")
    write(f"    order: {order.state.value}; dispute: {dispute.state.value if dispute else '-'}")
    write(f"    protection ends: {when(order.protection_ends)}")
    _next(write, "    ", order.next_deadline)


def _shipped_order(*, by_platform: bool = False) -> Order:
    order = Order(ORDER_ID, TOTAL, PAID_AT)
    order.ship(SHIPPED_AT, by_platform=by_platform)
    order.add_tracking(LAST_SCAN)
    return order


def _open(order: Order, at: datetime = OPENED_AT) -> None:
    order.open_dispute(
        at,
        reason=Reason.NO_TRACKING_INFORMATION,
        refund=order.total,
        evidence=EVIDENCE,
        description=DESCRIPTION,
    )


def _main_story(write: Write) -> None:
    order = Order(ORDER_ID, TOTAL, PAID_AT)
    policy = order.policy
    write(f"Order {ORDER_ID}: a parcel that never arrives (policy {policy.name} {policy.version})")
    write("")
    _show(write, f"1. The buyer pays {order.total}", PAID_AT, order)

    order.ship(SHIPPED_AT)
    _show(
        write, f"2. The seller ships; protection: {order.protection_days} days", SHIPPED_AT, order
    )

    order.add_tracking(LAST_SCAN)
    write(f"3. Tracking: {LAST_SCAN.description!r} at {when(LAST_SCAN.at)}; nothing since")
    write(f"    the parcel at {when(TOO_EARLY)}: {order.parcel(TOO_EARLY).value}")
    write(f"    a 'not received' dispute can be opened from {when(order.earliest_dispute)}")

    try:
        _open(order, TOO_EARLY)
    except BuyerProtectionError as refused:
        write(f"4. The buyer tries too early ({when(TOO_EARLY)}): refused, nothing changed:")
        write(f"    {refused}")

    _open(order, OPENED_AT)
    dispute = order.dispute
    assert dispute is not None
    _show(
        write,
        f"5. The buyer opens a dispute: {dispute.reason.value}, asks {dispute.request}, "
        f"evidence {', '.join(dispute.evidence)}",
        OPENED_AT,
        order,
    )
    write(f"    the seller has {span(policy.seller_response_window)} to answer")

    order.advance(LOOKED_AT)
    _show(write, "6. The seller stays silent; the buyer looks again", LOOKED_AT, order)
    outcome = dispute.outcome
    assert outcome is not None
    write("")
    write(f"Outcome: {outcome.refund} refunded ({outcome.reached_by.value}) at {when(outcome.at)},")
    write(
        f"    {span(outcome.at - dispute.opened_at)} after the dispute opened; "
        f"order refunded {order.refunded} of {order.total}"
    )
    write("History (automatic steps are dated at their deadline, actor system):")
    entries = sorted((*order.history, *dispute.history), key=lambda entry: entry.id)
    for entry in entries:
        change = ""
        if entry.after is not None:
            before = "-" if entry.before is None else entry.before.value
            change = f": {before} -> {entry.after.value}"
        write(
            f"    {entry.at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} {entry.actor.value:<8} "
            f"{entry.action}{change}"
        )


def _seller_accepts(write: Write) -> None:
    order = _shipped_order()
    _open(order)
    dispute = order.dispute
    assert dispute is not None
    at = OPENED_AT + timedelta(days=2)
    dispute.seller_accept(at)
    assert dispute.outcome is not None
    write(f"- The seller accepts at {when(at)}:")
    write(
        f"    dispute {dispute.state.value} ({dispute.outcome.reached_by.value}); "
        f"order {order.state.value}, refunded {order.refunded}"
    )


def _seller_rejects(write: Write) -> None:
    order = _shipped_order()
    _open(order)
    dispute = order.dispute
    assert dispute is not None
    rejected = OPENED_AT + timedelta(days=1)
    offer = Money("5.00", order.total.currency)
    dispute.seller_reject(rejected, counter_offer=offer)
    write(f"- The seller rejects at {when(rejected)}, offering {offer}:")
    write(f"    dispute {dispute.state.value}")
    _next(write, "    ", order.next_deadline)
    escalated = rejected + timedelta(days=1)
    dispute.escalate(escalated)
    write(f"    the buyer escalates at {when(escalated)}: dispute {dispute.state.value}")
    decided = escalated + timedelta(days=3)
    dispute.platform_decide(decided, refund=order.total)
    assert dispute.outcome is not None
    write(
        f"    the platform decides at {when(decided)}: {dispute.outcome.refund} "
        f"({dispute.outcome.reached_by.value}); order {order.state.value}, "
        f"refunded {order.refunded}"
    )


def _platform_shipped(write: Write) -> None:
    order = _shipped_order(by_platform=True)
    _open(order)
    dispute = order.dispute
    assert dispute is not None
    write("- Shipped by the platform's own logistics: the platform handles the dispute")
    write(f"    opened: dispute {dispute.state.value} at once, no seller window")
    _next(write, "    ", order.next_deadline)
    try:
        dispute.seller_accept(OPENED_AT + timedelta(days=1))
    except BuyerProtectionError as refused:
        write(f"    the seller cannot act: {refused}")
    decided = order.protection_ends
    assert decided is not None
    dispute.platform_decide(decided, refund=order.total)
    assert dispute.outcome is not None
    write(
        f"    the platform has the buyer wait until protection ends, then at {when(decided)}"
        f" refunds {dispute.outcome.refund} ({dispute.outcome.reached_by.value})"
    )


def run(write: Write = print) -> None:
    """Walk the seed's story through the public API, writing each step with *write*.

    The same dates every time: the output depends on the policy and the code only.
    """
    _main_story(write)
    write("")
    write("The other branches of the seed (same order and dates up to the dispute):")
    _seller_accepts(write)
    _seller_rejects(write)
    _platform_shipped(write)
