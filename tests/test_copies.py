"""Tests for the shallow copies `Order.as_of` makes of an order and its disputes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import Money, Order, Reason, to_dict
from buyer_protection._copies import copier
from buyer_protection.dispute import Dispute
from strategies import played_orders, snapshot

PAID = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)


def _disputed(cls: type[Order] = Order) -> Order:
    order = cls("c-1", Money("30.00", "USD"), PAID)
    order.ship(PAID + timedelta(days=1))
    order.open_dispute(
        PAID + timedelta(days=20), reason=Reason.NOT_RECEIVED, refund=Money("30.00", "USD")
    )
    return order


def test_a_copy_holds_the_same_objects_in_every_field_as_copy_copy_does() -> None:
    """A copy of an order or a dispute is a new instance whose every field is the very
    object of the original's, as `copy.copy` gives."""
    order = _disputed()
    assert order.dispute is not None
    for value, cls in ((order, Order), (order.dispute, Dispute)):
        twin = copier(cls)(value)
        reference = copy.copy(value)
        assert twin is not value
        assert type(twin) is cls
        for field in attrs.fields(cls):
            assert getattr(twin, field.name) is getattr(value, field.name)
            assert getattr(reference, field.name) is getattr(value, field.name)


def test_a_copy_of_a_class_that_checks_its_fields_when_set_is_copy_copy() -> None:
    """For a class that runs code when a field is set, the copy is `copy.copy` itself."""

    @attrs.define
    class Checked:
        n: int = attrs.field(validator=attrs.validators.instance_of(int))

    assert copier(Checked) is copy.copy
    assert copier(Checked)(Checked(3)) == Checked(3)


def test_as_of_changes_neither_the_order_nor_its_dispute() -> None:
    """`as_of` brings a copy forward: the order and its dispute keep their state, and the
    copy's dispute belongs to the copy."""
    order = _disputed()
    before = (order.state, order.dispute.state if order.dispute else None, len(order.log))
    later = order.as_of(PAID + timedelta(days=60))
    assert (order.state, order.dispute.state if order.dispute else None, len(order.log)) == before
    assert later.dispute is not None
    assert later.dispute is not order.dispute
    assert later.dispute.order is later
    assert len(later.log) > len(order.log)


@given(played_orders(max_size=10), st.lists(st.integers(0, 4000), min_size=1, max_size=4))
def test_looking_ahead_again_and_again_never_changes_the_order(
    order: Order, days: list[int]
) -> None:
    """`as_of` at instants up to years ahead, each twice, leaves the order as it was
    (its document and everything observable), and the order then brought to the last
    of those instants stands where its look-ahead copy did."""
    document, seen = to_dict(order), snapshot(order)
    start = order.last_event_at
    ahead = []
    for n in sorted(days):
        for _ in range(2):
            ahead.append(order.as_of(start + timedelta(days=n)))
            assert to_dict(order) == document
            assert snapshot(order) == seen
    order.advance(start + timedelta(days=max(days)))
    assert to_dict(order) == to_dict(ahead[-1])


def test_a_copy_of_an_instance_of_a_subclass_is_of_the_subclass_as_copy_copy_gives() -> None:
    """An order of a class made from `Order` looks ahead to an order of that class, with
    a dispute of its own, as `copy.copy` copied it."""

    class ShopOrder(Order):
        pass

    order = _disputed(ShopOrder)
    later = order.as_of(PAID + timedelta(days=60))
    assert type(later) is ShopOrder
    assert type(copier(Order)(order)) is type(copy.copy(order)) is ShopOrder
    assert later.dispute is not None
    assert later.dispute.order is later
    assert to_dict(later) == to_dict(_disputed().as_of(PAID + timedelta(days=60)))
