"""When a dispute can be opened under the presets of other marketplaces, through the public
API: eBay "not received" from the estimated delivery until 30 days after it, Amazon from
3 days after it until 90 days after it, PayPal from shipment until 180 days after
payment; protection ends, and the order completes and closes, when the window does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from buyer_protection import (
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    InvalidAction,
    InvalidInput,
    Money,
    Order,
    OrderState,
    Policy,
    Reason,
)
from checks import TICK, refused, round_trips

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOTAL = Money("100", "USD")


@attrs.frozen
class Window:
    """An order under *policy*, paid, shipped (with *estimate*, if any), whose "not
    received" window runs from *opens* until *closes* (exclusive)."""

    policy: Policy
    paid: datetime
    shipped: datetime
    estimate: datetime | None
    opens: datetime
    closes: datetime

    def order(self) -> Order:
        """The order, shipped; under rules that ask for it, the buyer contacted the seller
        at the shipment. Checked for storage and replay at each step."""
        order = Order("filing-1", TOTAL, self.paid, self.policy)
        order.ship(self.shipped, estimated_delivery=self.estimate)
        round_trips(order)
        if self.policy.contact_wait is not None:
            order.contact_seller(self.shipped)
            round_trips(order)
        return order


# Each window crosses the end of daylight saving time in its zone (25 October in London,
# 1 November in America): elapsed time moves the wall-clock hour.
WINDOWS = {
    "ebay-us": Window(
        EBAY_US,
        datetime(2026, 10, 10, 10, tzinfo=LOS_ANGELES),
        datetime(2026, 10, 12, 10, tzinfo=LOS_ANGELES),
        datetime(2026, 10, 20, 10, tzinfo=LOS_ANGELES),
        datetime(2026, 10, 20, 17, tzinfo=UTC),  # from the estimated delivery
        datetime(2026, 11, 19, 17, tzinfo=UTC),  # 30 days of 24 hours after it: 09:00 PST
    ),
    "ebay-uk": Window(
        EBAY_UK,
        datetime(2026, 10, 10, 10, tzinfo=LONDON),
        datetime(2026, 10, 12, 10, tzinfo=LONDON),
        datetime(2026, 10, 20, 10, tzinfo=LONDON),
        datetime(2026, 10, 20, 9, tzinfo=UTC),
        datetime(2026, 11, 19, 9, tzinfo=UTC),  # 09:00 GMT
    ),
    "amazon-us": Window(
        AMAZON_US,
        datetime(2026, 10, 10, 10, tzinfo=NEW_YORK),
        datetime(2026, 10, 12, 10, tzinfo=NEW_YORK),
        datetime(2026, 10, 20, 18, tzinfo=NEW_YORK),
        datetime(2026, 10, 23, 22, tzinfo=UTC),  # 3 days after the estimated delivery
        datetime(2027, 1, 18, 22, tzinfo=UTC),  # 90 days after it: 17:00 EST
    ),
    "paypal": Window(
        PAYPAL,
        datetime(2026, 10, 20, 10, tzinfo=NEW_YORK),
        datetime(2026, 10, 22, 10, tzinfo=NEW_YORK),
        None,
        datetime(2026, 10, 22, 14, tzinfo=UTC),  # from the shipment
        datetime(2027, 4, 18, 14, tzinfo=UTC),  # 180 days after the payment
    ),
}
EVERY = pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
FROM_ESTIMATE = pytest.mark.parametrize(
    "window", [WINDOWS[n] for n in ("ebay-us", "ebay-uk", "amazon-us")], ids=str
)


def _open(order: Order, at: datetime, reason: Reason = Reason.NOT_RECEIVED) -> None:
    evidence = ("photo.jpg",) if reason.item_received else ()
    order.open_dispute(at, reason=reason, refund=TOTAL, evidence=evidence)


@EVERY
def test_the_window_is_counted_in_elapsed_time(window: Window) -> None:
    """The window's end is a whole number of 24-hour days after its start (the estimated
    delivery, or the payment for PayPal), whatever the clocks did in between."""
    start = window.paid if window.estimate is None else window.estimate
    days = {"ebay-us": 30, "ebay-uk": 30, "amazon-us": 90, "paypal": 180}[window.policy.name]

    elapsed = window.closes - start.astimezone(UTC)

    assert elapsed == timedelta(hours=24 * days)


@EVERY
def test_protection_ends_when_the_filing_window_does(window: Window) -> None:
    """Protection ends, and the order's next step is to complete, at the filing window's
    end; "not received" opens at the window's start."""
    order = window.order()

    assert order.filing_ends == order.protection_ends == window.closes
    assert order.earliest_dispute == window.opens
    next_step = order.next_deadline
    assert next_step is not None
    assert (next_step.at, next_step.action) == (window.closes, "complete")


@FROM_ESTIMATE
def test_not_received_is_refused_until_the_window_opens(window: Window) -> None:
    """One microsecond before the window opens, "not received" is refused, possible from
    the window's start, and changes nothing; at it, the dispute is opened."""
    order = window.order()

    error = refused(order, lambda: _open(order, window.opens - TICK))

    assert isinstance(error, InvalidAction)
    assert error.possible_from == window.opens
    _open(order, window.opens)
    round_trips(order)
    assert order.state is OrderState.IN_DISPUTE


def test_paypal_opens_from_the_shipment() -> None:
    """Under PayPal's rules a dispute is refused before the shipment and opened at it."""
    window = WINDOWS["paypal"]
    order = Order("filing-1", TOTAL, window.paid, PAYPAL)

    refused(order, lambda: _open(order, window.shipped - TICK))
    order.ship(window.shipped)
    _open(order, window.shipped)
    round_trips(order)

    assert order.state is OrderState.IN_DISPUTE


@EVERY
def test_a_dispute_is_opened_until_one_microsecond_before_the_window_closes(
    window: Window,
) -> None:
    """One microsecond before the window closes, a dispute is opened."""
    order = window.order()

    _open(order, window.closes - TICK)
    round_trips(order)

    assert order.state is OrderState.IN_DISPUTE


@EVERY
@pytest.mark.parametrize("reason", [Reason.NOT_RECEIVED, Reason.NOT_AS_DESCRIBED])
def test_at_the_window_s_end_the_order_completes_and_closes_at_once(
    window: Window, reason: Reason
) -> None:
    """At the window's end the order completes and, with no window after completion,
    closes at the same instant; a dispute is then refused and changes nothing."""
    order = window.order()

    refused(order, lambda: _open(order, window.closes, reason), at=window.closes)
    round_trips(order)

    assert order.state is OrderState.CLOSED
    last = [(e.action, e.at) for e in order.history[-2:]]
    assert last == [("complete", window.closes), ("close", window.closes)]


@EVERY
def test_confirming_receipt_does_not_shorten_the_window(window: Window) -> None:
    """After the buyer confirms receipt, a dispute can still be opened until the filing
    window's end, when the order closes."""
    order = window.order()
    order.confirm_receipt(window.opens + timedelta(hours=1))
    round_trips(order)

    assert order.state is OrderState.COMPLETED
    assert order.post_completion_ends == window.closes
    next_step = order.next_deadline
    assert next_step is not None
    assert (next_step.at, next_step.action) == (window.closes, "close")
    _open(order, window.closes - TICK, Reason.NOT_AS_DESCRIBED)
    round_trips(order)
    assert order.state is OrderState.IN_DISPUTE


@FROM_ESTIMATE
def test_not_received_without_an_estimated_delivery_names_it(window: Window) -> None:
    """Under rules that count from the estimated delivery, an order shipped without one
    has no "not received" window: such a dispute is InvalidInput naming
    estimated_delivery, and changes nothing; another reason can be opened."""
    order = attrs.evolve(window, estimate=None).order()

    assert order.filing_ends is None
    assert order.earliest_dispute is None
    error = refused(order, lambda: _open(order, window.opens), InvalidInput)
    assert "estimated_delivery" in str(error)
    _open(order, window.opens, Reason.NOT_AS_DESCRIBED)
    round_trips(order)
    assert order.state is OrderState.IN_DISPUTE


def test_an_estimated_delivery_before_the_shipment_is_refused() -> None:
    """An estimated delivery before the shipment is InvalidInput naming it, and the order
    is not shipped."""
    window = WINDOWS["ebay-us"]
    order = Order("filing-1", TOTAL, window.paid, EBAY_US)

    error = refused(
        order,
        lambda: order.ship(window.shipped, estimated_delivery=window.shipped - TICK),
        InvalidInput,
    )

    assert "estimated_delivery" in str(error)
    assert order.state is OrderState.AWAITING_SHIPMENT
