"""Tests for the clocks and the timeline: shipping deadline, extensions, milestones, iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import icalendar
import pytest

from buyer_protection import (
    ALIEXPRESS,
    Actor,
    InvalidAction,
    InvalidInput,
    Milestone,
    Money,
    Order,
    OrderState,
    Reason,
    TrackingEvent,
    advise,
    to_ical,
)

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SHIPPED = PAID + DAY
TOTAL = Money("40.00", "USD")
PACIFIC = ZoneInfo("America/Los_Angeles")


def _order(policy: object = ALIEXPRESS) -> Order:
    return Order("TL-1", TOTAL, PAID, policy)  # type: ignore[arg-type]


def _shipped(policy: object = ALIEXPRESS) -> Order:
    order = _order(policy)
    order.ship(SHIPPED)
    return order


def _state(order: Order) -> tuple[object, ...]:
    return (
        order.state,
        order.history,
        order.log,
        order.refunded,
        order.protection_ends,
        order.extension_days,
        order.extension_requested,
        order.last_event_at,
        order.tracking,
        tuple((d.state, d.history, d.outcome) for d in order.disputes),
    )


def _statuses(milestones: tuple[Milestone, ...]) -> dict[str, str]:
    return {m.what: m.status for m in milestones}


# -- the shipping deadline --------------------------------------------------------


def test_shipping_a_microsecond_before_the_deadline_works() -> None:
    """ship() one microsecond before paid_at + processing_time ships the order."""
    order = _order()
    deadline = PAID + ALIEXPRESS.processing_time
    assert order.shipping_deadline == deadline
    order.ship(deadline - US)
    assert order.state is OrderState.SHIPPED
    assert order.refunded == Money("0", "USD")


def test_at_the_shipping_deadline_the_order_is_closed_and_refunded() -> None:
    """At paid_at + processing_time the order is closed, fully refunded, by a system entry."""
    order = _order()
    deadline = PAID + ALIEXPRESS.processing_time
    with pytest.raises(InvalidAction) as refused:
        order.ship(deadline)
    assert refused.value.state == "closed"
    assert order.state is OrderState.CLOSED
    assert order.refunded == order.total
    last = order.history[-1]
    assert (last.actor, last.action, last.at) == (Actor.SYSTEM, "cancel_unshipped", deadline)
    assert (last.before, last.after) == (OrderState.AWAITING_SHIPMENT, OrderState.CLOSED)
    assert last.details["refund"] == order.total
    assert order.shipped_at is None


def test_the_shipping_deadline_is_dated_at_the_deadline_when_applied_late() -> None:
    """advance() long after the deadline records the cancellation at the deadline itself."""
    policy = attrs.evolve(ALIEXPRESS, processing_time=timedelta(days=3, hours=5))
    order = _order(policy)
    order.advance(PAID + 40 * DAY)
    assert order.history[-1].at == PAID + timedelta(days=3, hours=5)
    assert order.state is OrderState.CLOSED


def test_a_microsecond_before_the_shipping_deadline_nothing_happens() -> None:
    """advance() to a microsecond before the deadline leaves the order awaiting shipment."""
    order = _order()
    order.advance(order.shipping_deadline - US)
    assert order.state is OrderState.AWAITING_SHIPMENT
    assert len(order.history) == 1


# -- extensions -------------------------------------------------------------------


def test_a_grant_without_a_request_is_refused() -> None:
    """grant_extension with no open request is InvalidAction and changes nothing."""
    order = _shipped()
    before = _state(order)
    with pytest.raises(InvalidAction) as refused:
        order.grant_extension(SHIPPED + DAY, 5)
    assert "not asked" in str(refused.value)
    assert _state(order) == before


def test_a_grant_uses_up_the_request() -> None:
    """After one grant, a second grant needs a new request."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 5)
    order.grant_extension(SHIPPED + 2 * DAY, 5)
    assert order.extension_requested is None
    with pytest.raises(InvalidAction):
        order.grant_extension(SHIPPED + 3 * DAY, 5)


def test_protection_ends_moves_by_the_days_granted() -> None:
    """Each grant moves protection_ends by exactly the days granted."""
    order = _shipped()
    ends = order.protection_ends
    assert ends == SHIPPED + ALIEXPRESS.protection_days * DAY
    order.request_extension(SHIPPED + DAY, 7)
    assert order.protection_ends == ends
    order.grant_extension(SHIPPED + 2 * DAY, 7)
    assert order.protection_ends == ends + 7 * DAY
    order.request_extension(SHIPPED + 3 * DAY, 3)
    order.grant_extension(SHIPPED + 3 * DAY, 3)
    assert order.protection_ends == ends + 10 * DAY
    assert order.extension_days == 10
    assert [e.details["days"] for e in order.history if e.action == "grant_extension"] == [7, 3]


def test_an_extension_keeps_the_order_protected_past_the_old_end() -> None:
    """The order is still shipped at the old end, and completes at the new one."""
    order = _shipped()
    old_end = order.protection_ends
    assert old_end is not None
    order.request_extension(SHIPPED + DAY, 4)
    order.grant_extension(SHIPPED + DAY, 4)
    assert order.as_of(old_end).state is OrderState.SHIPPED
    assert order.as_of(old_end + 4 * DAY - US).state is OrderState.SHIPPED
    assert order.as_of(old_end + 4 * DAY).state is OrderState.COMPLETED


def test_no_extension_while_a_dispute_is_open() -> None:
    """Requesting or granting while a dispute is open is InvalidAction and changes nothing."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 5)
    order.open_dispute(SHIPPED + 11 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    before = _state(order)
    with pytest.raises(InvalidAction):
        order.grant_extension(SHIPPED + 12 * DAY, 5)
    with pytest.raises(InvalidAction):
        order.request_extension(SHIPPED + 12 * DAY, 5)
    assert _state(order) == before


def test_an_extension_refused_during_a_dispute_does_not_call_the_order_final() -> None:
    """The refusal during a dispute names the dispute's actions, not 'the order is final'."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 5)
    order.open_dispute(SHIPPED + 11 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    with pytest.raises(InvalidAction) as refused:
        order.grant_extension(SHIPPED + 12 * DAY, 5)
    assert "final" not in str(refused.value)
    assert "cancel" in refused.value.allowed


def test_no_extension_after_completion() -> None:
    """After completion (confirmed receipt), a grant or request is InvalidAction."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 5)
    order.confirm_receipt(SHIPPED + 2 * DAY)
    before = _state(order)
    with pytest.raises(InvalidAction):
        order.grant_extension(SHIPPED + 3 * DAY, 5)
    with pytest.raises(InvalidAction):
        order.request_extension(SHIPPED + 3 * DAY, 5)
    assert _state(order) == before


def test_no_extension_once_protection_has_ended() -> None:
    """A grant dated after protection ended is refused: the order completed by itself."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 5)
    ends = order.protection_ends
    assert ends is not None
    with pytest.raises(InvalidAction):
        order.grant_extension(ends, 5)
    assert order.state is OrderState.COMPLETED
    assert order.protection_ends == ends


@pytest.mark.parametrize("days", [0, -3, 1.5, True, "5", None])
def test_request_days_must_be_a_positive_int(days: object) -> None:
    """request_extension with days that are not a positive int is InvalidInput; nothing changes."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 4)
    before = _state(order)
    with pytest.raises(InvalidInput) as refused:
        order.request_extension(SHIPPED + 2 * DAY, days)  # type: ignore[arg-type]
    assert "days" in str(refused.value)
    assert _state(order) == before


@pytest.mark.parametrize("days", [0, -3, 1.5, True, "5", None])
def test_grant_days_must_be_a_positive_int(days: object) -> None:
    """grant_extension with days that are not a positive int is InvalidInput; nothing changes."""
    order = _shipped()
    order.request_extension(SHIPPED + DAY, 4)
    before = _state(order)
    with pytest.raises(InvalidInput) as refused:
        order.grant_extension(SHIPPED + 2 * DAY, days)  # type: ignore[arg-type]
    assert "days" in str(refused.value)
    assert _state(order) == before


def test_a_grant_past_the_cap_is_refused_without_clamping() -> None:
    """With max_extension_days, a grant taking the total past it is InvalidInput; up to it works."""
    policy = attrs.evolve(ALIEXPRESS, max_extension_days=20)
    order = _shipped(policy)
    order.request_extension(SHIPPED + DAY, 15)
    order.grant_extension(SHIPPED + DAY, 15)
    order.request_extension(SHIPPED + 2 * DAY, 6)
    before = _state(order)
    with pytest.raises(InvalidInput) as refused:
        order.grant_extension(SHIPPED + 3 * DAY, 6)
    message = str(refused.value)
    assert "20" in message
    assert "5 more" in message
    assert _state(order) == before
    assert order.extension_requested == 6
    order.grant_extension(SHIPPED + 3 * DAY, 5)
    assert order.extension_days == 20
    assert order.protection_ends == SHIPPED + (ALIEXPRESS.protection_days + 20) * DAY


def test_a_single_grant_past_the_cap_is_refused() -> None:
    """One grant bigger than the cap is refused; exactly the cap is accepted."""
    policy = attrs.evolve(ALIEXPRESS, max_extension_days=10)
    order = _shipped(policy)
    order.request_extension(SHIPPED + DAY, 11)
    with pytest.raises(InvalidInput):
        order.grant_extension(SHIPPED + DAY, 11)
    assert order.extension_days == 0
    order.grant_extension(SHIPPED + DAY, 10)
    assert order.extension_days == 10


# -- the timeline -----------------------------------------------------------------


def test_a_timeline_before_shipment() -> None:
    """Before shipment: paid is done, the shipping deadline is due."""
    order = _order()
    at = PAID + DAY
    assert order.timeline(at) == (
        Milestone(PAID, "pay", "done", "total 40.00 USD"),
        Milestone(order.shipping_deadline, "shipping_deadline", "due"),
    )


def test_an_unshipped_order_shows_the_cancellation_as_done() -> None:
    """After the shipping deadline passed unshipped, its milestone is done at the deadline."""
    order = _order()
    statuses = _statuses(order.timeline(PAID + 30 * DAY))
    assert statuses == {"pay": "done", "shipping_deadline": "done"}


def test_a_shipped_order_shows_its_future_and_its_moot_clocks() -> None:
    """After shipment: the shipping deadline is moot (expired); opening and end are due."""
    order = _shipped()
    order.add_tracking(TrackingEvent(SHIPPED + DAY, "in_transit", "Departed", "Shenzhen"))
    order.add_tracking(TrackingEvent(SHIPPED + 40 * DAY, "delivered"))
    at = SHIPPED + 3 * DAY
    milestones = order.timeline(at)
    assert [(m.what, m.status) for m in milestones] == [
        ("pay", "done"),
        ("ship", "done"),
        ("tracking_in_transit", "done"),
        ("shipping_deadline", "expired"),
        ("earliest_dispute", "due"),
        ("protection_ends", "due"),
    ]
    assert milestones[2].detail == "Departed - Shenzhen"
    assert milestones[2].label == "tracking: in transit"
    assert milestones[-1].at == order.protection_ends


def test_the_earliest_dispute_milestone_is_done_once_passed() -> None:
    """Once its instant passed while the order was shipped, earliest_dispute is done."""
    order = _shipped()
    statuses = _statuses(order.timeline(SHIPPED + 11 * DAY))
    assert statuses["earliest_dispute"] == "done"
    assert statuses["protection_ends"] == "due"


def test_confirming_receipt_makes_protection_end_moot() -> None:
    """After confirmation: protection_ends expired, the post-completion window is due."""
    order = _shipped()
    order.confirm_receipt(SHIPPED + 2 * DAY)
    statuses = _statuses(order.timeline(SHIPPED + 3 * DAY))
    assert statuses["confirm_receipt"] == "done"
    assert statuses["protection_ends"] == "expired"
    assert statuses["post_completion_ends"] == "due"


def test_protection_that_ran_out_is_done_and_then_closed() -> None:
    """Protection ending is done at its instant; the post-completion end is done after it."""
    order = _shipped()
    ends = order.protection_ends
    assert ends is not None
    milestones = order.timeline(ends + 20 * DAY)
    by_what = {m.what: m for m in milestones}
    assert (by_what["protection_ends"].at, by_what["protection_ends"].status) == (ends, "done")
    closes = by_what["post_completion_ends"]
    assert (closes.at, closes.status) == (ends + ALIEXPRESS.post_completion_window, "done")


def test_a_disputes_clocks_and_outcome_are_in_the_timeline() -> None:
    """An open dispute shows its seller deadline due; after silence, it is done with the outcome."""
    order = _shipped()
    opened = SHIPPED + 12 * DAY
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    seller_deadline = opened + ALIEXPRESS.seller_response_window
    assert dispute.seller_deadline == seller_deadline
    during = {m.what: m for m in order.timeline(opened + DAY)}
    assert (during["seller_deadline"].at, during["seller_deadline"].status) == (
        seller_deadline,
        "due",
    )
    assert during["seller_deadline"].detail == "dispute 1"
    assert during["open_dispute"].status == "done"
    after = order.timeline(seller_deadline + DAY)
    by_what = {m.what: m for m in after}
    assert by_what["seller_deadline"].status == "done"
    assert by_what["outcome"].at == seller_deadline
    assert "40.00 USD" in by_what["outcome"].detail
    assert "seller_reponse_timeout" in by_what["outcome"].detail
    assert not [m for m in after if m.status == "due"]


def test_a_refused_dispute_shows_the_seller_deadline_moot_and_negotiation_due() -> None:
    """After a counter-offer: the seller deadline is expired, the negotiation deadline due."""
    order = _shipped()
    dispute = order.open_dispute(SHIPPED + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(SHIPPED + 13 * DAY, counter_offer=Money("5.00", "USD"))
    statuses = _statuses(order.timeline(SHIPPED + 14 * DAY))
    assert statuses["seller_reject"] == "done"
    assert statuses["seller_deadline"] == "expired"
    assert statuses["negotiation_deadline"] == "due"


def test_timeline_is_sorted_and_due_items_are_after_the_instant_asked() -> None:
    """Milestones come in time order; every due one is strictly after at, every done one not."""
    order = _shipped()
    order.add_tracking(TrackingEvent(SHIPPED + 5 * DAY, "in_transit"))
    order.add_tracking(TrackingEvent(SHIPPED + DAY, "info_received"))
    dispute = order.open_dispute(SHIPPED + 16 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    dispute.seller_reject(SHIPPED + 17 * DAY, counter_offer=Money("5.00", "USD"))
    for at in (SHIPPED + 17 * DAY, SHIPPED + 20 * DAY, SHIPPED + 90 * DAY):
        milestones = order.timeline(at)
        assert [m.at for m in milestones] == sorted(m.at for m in milestones)
        assert all(m.at > at for m in milestones if m.status == "due")
        assert all(m.at <= at for m in milestones if m.status == "done")


def test_a_window_closed_again_by_a_late_scan_shows_the_next_opening_as_due() -> None:
    """When moving tracking holds 'not received' back again, the due opening is when it reopens."""
    order = _shipped()
    order.add_tracking(TrackingEvent(SHIPPED + timedelta(days=10, hours=12), "in_transit"))
    at = SHIPPED + 11 * DAY
    with pytest.raises(InvalidAction) as refused:
        order.as_of(at).open_dispute(at, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    reopens = refused.value.possible_from
    assert reopens == SHIPPED + timedelta(days=10, hours=12) + ALIEXPRESS.stalled_after
    openings = [m for m in order.timeline(at) if m.what == "earliest_dispute"]
    assert ("due", reopens) in [(m.status, m.at) for m in openings]


def test_an_opening_after_completion_is_due_while_the_late_window_runs() -> None:
    """Protection shorter than the wait for 'not received': the opening is still due after it."""
    order = _order()
    order.ship(SHIPPED, protection_days=3, promised_days=20)
    at = SHIPPED + 4 * DAY
    opens = SHIPPED + ALIEXPRESS.earliest_not_received
    assert order.as_of(at).state is OrderState.COMPLETED
    assert opens < order.as_of(at).post_completion_ends  # type: ignore[operator]
    statuses = {m.what: (m.at, m.status) for m in order.timeline(at)}
    assert statuses["earliest_dispute"] == (opens, "due")
    view = order.as_of(opens)
    view.open_dispute(opens, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    assert view.state is OrderState.IN_DISPUTE


def test_an_opening_after_every_window_has_closed_is_not_due() -> None:
    """With no late window (the pre-2019 rule), an opening after protection ends is not due."""
    policy = attrs.evolve(ALIEXPRESS, post_completion_window=timedelta(0))
    order = _order(policy)
    order.ship(SHIPPED, protection_days=7)
    opens = SHIPPED + ALIEXPRESS.earliest_not_received
    assert order.earliest_dispute == opens
    assert order.as_of(opens).state is OrderState.CLOSED
    openings = [m for m in order.timeline(SHIPPED + DAY) if m.what == "earliest_dispute"]
    assert all(m.status != "due" for m in openings)
    assert "open_dispute" not in [s.action for s in advise(order, SHIPPED + DAY)]


def test_timeline_shows_tracking_only_up_to_the_instant_asked() -> None:
    """A scan after the instant asked is not in that timeline."""
    order = _shipped()
    order.add_tracking(TrackingEvent(SHIPPED + 5 * DAY, "delivered"))
    assert "tracking_delivered" not in _statuses(order.timeline(SHIPPED + 5 * DAY - US))
    assert "tracking_delivered" in _statuses(order.timeline(SHIPPED + 5 * DAY))


def test_timeline_and_to_ical_never_change_the_order() -> None:
    """Looking far ahead with timeline() and to_ical() records nothing on the order."""
    order = _shipped()
    order.open_dispute(SHIPPED + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    before = _state(order)
    order.timeline(SHIPPED + 200 * DAY)
    to_ical(order, SHIPPED + 13 * DAY)
    to_ical(order, SHIPPED + 200 * DAY)
    assert _state(order) == before


def test_timeline_is_the_same_whatever_zone_at_is_written_in() -> None:
    """The instant asked may be written in any zone: the milestones are the same."""
    order = _shipped()
    at = SHIPPED + 3 * DAY
    assert order.timeline(at.astimezone(PACIFIC)) == order.timeline(at)


# -- the calendar -----------------------------------------------------------------


def _events(document: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(document)
    return list(calendar.walk("VEVENT"))


def test_to_ical_has_one_event_per_due_milestone() -> None:
    """to_ical gives bytes that parse back, with one VEVENT per due milestone, at its instant."""
    order = _shipped()
    order.open_dispute(SHIPPED + 12 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    at = SHIPPED + 13 * DAY + timedelta(hours=3, minutes=4, seconds=5)
    document = to_ical(order, at)
    assert isinstance(document, bytes)
    due = [m for m in order.timeline(at) if m.status == "due"]
    assert [m.what for m in due] == ["seller_deadline", "protection_ends"]
    events = _events(document)
    assert [e.decoded("dtstart") for e in events] == [m.at for m in due]
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert all("TL-1" in str(e["summary"]) for e in events)


def test_each_calendar_event_has_a_reminder_a_day_before() -> None:
    """Each VEVENT holds one VALARM whose TRIGGER is -P1D."""
    order = _shipped()
    document = to_ical(order, SHIPPED + DAY)
    events = _events(document)
    assert len(events) == 2
    for event in events:
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1
        assert alarms[0].decoded("trigger") == -DAY
        assert alarms[0]["trigger"].to_ical() == b"-P1D"
    assert document.count(b"TRIGGER:-P1D") == 2


def test_an_opening_in_the_calendar_is_not_called_a_deadline() -> None:
    """The earliest-dispute event says when acting becomes possible, not to act before it."""
    order = _shipped()
    (opening,) = [
        e for e in _events(to_ical(order, SHIPPED + DAY)) if "earliest_dispute" in str(e["uid"])
    ]
    assert "act before" not in str(opening["description"])
    assert opening.decoded("dtstart") == order.earliest_dispute


def test_calendar_dtstamp_is_the_instant_given() -> None:
    """DTSTAMP of every event is the at passed to to_ical (written in any zone), in UTC."""
    order = _shipped()
    at = datetime(2026, 3, 4, 18, 7, 9, tzinfo=PACIFIC)
    events = _events(to_ical(order, at))
    assert events
    for event in events:
        stamp = event.decoded("dtstamp")
        assert stamp == at
        assert stamp.utcoffset() == timedelta(0)


def test_a_finished_order_gives_an_empty_calendar() -> None:
    """When no milestone is due, the calendar parses back with no events."""
    order = _order()
    document = to_ical(order, PAID + 30 * DAY)
    assert _events(document) == []
    assert icalendar.Calendar.from_ical(document)["version"] == "2.0"
