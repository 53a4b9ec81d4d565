"""Tests for assumed facts: `Order(assumed=...)`, `Order.ship(assumed=...)`,
`Order.assumed` and `Order.assumed_for`, kept in the log and the document, and shown by
the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    InvalidInput,
    Money,
    Order,
    Reason,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection.cli import main
from buyer_protection.storage import log_from_list, log_to_list
from schemas import ORDER_SINCE_6, since_6
from strategies import DEFAULT_CALENDAR, assert_refused, snapshot

DAY = timedelta(days=1)
PAID = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
SHIPPED = PAID + DAY
TOTAL = Money("25.90", "USD")
PAY_NAMES = "'paid_at', 'total'"
SHIP_NAMES = "'protection_days', 'shipped_at'"


def imported(
    pay: tuple[str, ...] = ("total", "paid_at"),
    ship: tuple[str, ...] = ("shipped_at", "protection_days"),
) -> Order:
    """An order whose *pay* facts and shipment's *ship* facts were assumed."""
    order = Order("8123", TOTAL, PAID, assumed=pay)
    order.ship(SHIPPED, assumed=ship)
    return order


def paid() -> Order:
    """An order paid and not shipped, nothing assumed."""
    return Order("8123", TOTAL, PAID)


# -- what the order keeps ------------------------------------------------------------------


def test_an_order_built_by_the_caller_assumes_nothing_and_its_entries_say_nothing() -> None:
    """Without assumed, Order.assumed is empty and no entry's details have an "assumed" key."""
    order = paid()
    order.ship(SHIPPED)
    assert order.assumed == frozenset()
    assert all("assumed" not in entry.details for entry in order.log)


def test_assumed_facts_are_the_union_of_the_payment_and_the_shipment() -> None:
    """Order.assumed is the facts given to Order and to ship, whatever order they came in."""
    order = imported()
    assert order.assumed == {"paid_at", "total", "shipped_at", "protection_days"}
    assert isinstance(order.assumed, frozenset)


def test_the_pay_and_ship_entries_carry_their_own_assumed_facts_sorted() -> None:
    """The pay entry names the payment's assumed facts and the ship entry the shipment's,
    each as a sorted tuple."""
    order = imported()
    pay, ship = order.log[:2]
    assert pay.details["assumed"] == ("paid_at", "total")
    assert ship.details["assumed"] == ("protection_days", "shipped_at")


def test_only_the_entry_with_assumed_facts_names_them() -> None:
    """A shipment assumed after a payment given: only the ship entry has "assumed"."""
    order = imported(pay=(), ship=("shipped_at",))
    assert "assumed" not in order.log[0].details
    assert order.log[1].details["assumed"] == ("shipped_at",)
    assert order.assumed == {"shipped_at"}


def test_assumed_takes_any_iterable_of_names() -> None:
    """A set, a generator or a tuple of names is accepted, repeats kept once."""
    order = Order("1", TOTAL, PAID, assumed={"total"})
    order.ship(SHIPPED, assumed=(n for n in ["shipped_at", "shipped_at"]))
    assert order.assumed == {"total", "shipped_at"}


def test_as_of_keeps_the_assumed_facts() -> None:
    """A look ahead with as_of has the same assumed facts."""
    order = imported()
    assert order.as_of(PAID + 400 * DAY).assumed == order.assumed


# -- refusals ------------------------------------------------------------------------------

BAD = [
    ("paid_at", "str 'paid_at'"),
    (b"paid_at", "bytes"),
    ({"paid_at": True}, "dict"),
    (5, "int 5"),
    (None, "NoneType None"),
    (["when"], "'when' is not a fact"),
    ([5], "int 5"),
    ([["paid_at"]], "list ['paid_at']"),
    (["PAID_AT"], "'PAID_AT' is not a fact"),
]


@pytest.mark.parametrize(("value", "said"), BAD)
def test_order_refuses_what_is_not_its_assumed_facts(value: object, said: str) -> None:
    """Order(assumed=...) of anything but names of the payment's facts is InvalidInput
    naming assumed, the value and the accepted names."""
    with pytest.raises(InvalidInput) as refused:
        Order("1", TOTAL, PAID, assumed=value)  # type: ignore[arg-type]
    message = str(refused.value)
    assert message.startswith("assumed: "), message
    assert said in message, message
    assert PAY_NAMES in message, message


@pytest.mark.parametrize(("value", "said"), [*BAD[:4], (["shipped"], "'shipped' is not")])
def test_ship_refuses_what_is_not_its_assumed_facts_and_changes_nothing(
    value: object, said: str
) -> None:
    """ship(assumed=...) of anything but names of the shipment's facts is InvalidInput
    naming assumed, the value and the accepted names, and changes nothing."""
    refused = assert_refused(
        paid,
        lambda order: order.ship(SHIPPED, assumed=value),  # type: ignore[arg-type]
        InvalidInput,
    )
    message = str(refused)
    assert message.startswith("assumed: "), message
    assert said in message, message
    assert SHIP_NAMES in message, message


def test_a_fact_of_the_other_entry_is_refused_saying_where_it_belongs() -> None:
    """A shipment fact given to Order, or a payment fact given to ship, is refused with
    where it is given."""
    with pytest.raises(InvalidInput, match=r"'shipped_at' is assumed where it is given, in ship"):
        Order("1", TOTAL, PAID, assumed=["shipped_at"])
    refused = assert_refused(
        paid, lambda order: order.ship(SHIPPED, assumed=["total"]), InvalidInput
    )
    assert "'total' is assumed where it is given, in Order(...)" in str(refused)


def test_a_single_name_given_as_a_str_is_refused_with_the_fix() -> None:
    """A name given as a str (not in a list) is refused, saying to give it in a list."""
    with pytest.raises(InvalidInput, match=r"give one name in a list, \['total'\]"):
        Order("1", TOTAL, PAID, assumed="total")  # type: ignore[arg-type]


# -- repeated events -----------------------------------------------------------------------


def test_a_repeated_shipment_with_the_same_assumed_facts_is_recorded_once() -> None:
    """ship again with its event id and the same assumed facts (in another order) returns
    None and records nothing."""
    order = paid()
    order.ship(SHIPPED, assumed=["shipped_at", "protection_days"], event_id="wh-1")
    log = order.log
    again = order.ship(SHIPPED, assumed=("protection_days", "shipped_at"), event_id="wh-1")
    assert again is None
    assert order.log == log


@pytest.mark.parametrize("assumed", [(), ("shipped_at",)])
def test_a_repeated_shipment_with_other_assumed_facts_is_a_conflict(
    assumed: tuple[str, ...],
) -> None:
    """ship again with its event id but other assumed facts is InvalidInput naming the
    event id, and changes nothing."""

    def shipped() -> Order:
        order = paid()
        order.ship(SHIPPED, assumed=["shipped_at", "protection_days"], event_id="wh-1")
        return order

    refused = assert_refused(
        shipped, lambda order: order.ship(SHIPPED, assumed=assumed, event_id="wh-1"), InvalidInput
    )
    assert str(refused).startswith("event_id: 'wh-1' was already used by ship")


# -- the log and the document --------------------------------------------------------------


def test_replay_recovers_the_assumed_facts() -> None:
    """Order.replay of the log gives the same log and the same assumed facts."""
    order = imported()
    order.open_dispute(PAID + 15 * DAY, reason=Reason.NOT_RECEIVED, refund=TOTAL)
    again = Order.replay(order.log)
    assert again.assumed == order.assumed
    assert again.log == order.log
    assert snapshot(again) == snapshot(order)


def test_the_log_list_carries_the_assumed_facts() -> None:
    """log_to_list writes the entries' assumed facts as lists; log_from_list reads them back."""
    order = imported()
    listed = log_to_list(order.log)
    assert [e["details"].get("assumed") for e in listed] == [
        ["paid_at", "total"],
        ["protection_days", "shipped_at"],
    ]
    assert Order.replay(log_from_list(json.loads(json.dumps(listed)))).assumed == order.assumed


def test_ingest_of_a_ship_entry_as_a_dict_recovers_its_assumed_facts() -> None:
    """Order.ingest of the ship entry in the log format adds its assumed facts."""
    order = imported(ship=("shipped_at",))
    copy = Order.replay(order.log[:1])
    assert copy.assumed == {"paid_at", "total"}
    assert copy.ingest(log_to_list(order.log)[1]) is True
    assert copy.assumed == order.assumed
    assert copy.log == order.log


def test_a_log_entry_with_assumed_facts_that_are_not_names_is_refused_at_its_path() -> None:
    """log_from_list refuses an "assumed" detail that is not a list of strings, at its path."""
    listed = log_to_list(imported().log)
    listed[1]["details"]["assumed"] = "shipped_at"
    with pytest.raises(InvalidInput) as refused:
        log_from_list(listed)
    assert any(p.startswith("log[1].details.assumed") for p in refused.value.problems)


@pytest.mark.parametrize(
    ("index", "value", "words"),
    [
        (0, ("total", "paid_at"), ("log[0]", "the rules record the 'pay' entry differently")),
        (0, ("paid_at", "shipped_at"), ("log[0]", "assumed: 'shipped_at'")),
        (1, ("protection_days", "total"), ("log[1]", "assumed: 'total'")),
        (1, ["shipped_at"], ("log[1]", "the rules record it differently")),
    ],
)
def test_replay_refuses_assumed_facts_the_rules_do_not_record(
    index: int, value: object, words: tuple[str, ...]
) -> None:
    """A log whose pay or ship entry names assumed facts unsorted, of the other entry, or
    not as a tuple, is InvalidInput naming the entry."""
    log = list(imported().log)
    log[index] = attrs.evolve(log[index], details={**log[index].details, "assumed": value})
    with pytest.raises(InvalidInput) as refused:
        Order.replay(log)
    assert all(w in str(refused.value) for w in words), str(refused.value)


def test_dumps_and_loads_keep_the_assumed_facts() -> None:
    """The document has "assumed", sorted, and loads gives the same order and facts."""
    order = imported(pay=("total",), ship=("shipped_at",))
    document = to_dict(order)
    assert document["assumed"] == ["shipped_at", "total"]
    assert document["history"][0]["details"]["assumed"] == ["total"]
    assert document["history"][1]["details"]["assumed"] == ["shipped_at"]
    again = loads(dumps(order))
    assert again.assumed == order.assumed
    assert to_dict(again) == document


def test_a_document_without_assumed_facts_writes_an_empty_list() -> None:
    """An order without assumed facts is written with "assumed": [] and no entry names any."""
    order = paid()
    order.ship(SHIPPED)
    document = to_dict(order)
    assert document["assumed"] == []
    assert all("assumed" not in entry["details"] for entry in document["history"])


@pytest.mark.parametrize(
    "assumed", [[], ["shipped_at"], ["total", "paid_at"], ["paid_at", "total", "x"]]
)
def test_a_document_whose_assumed_facts_disagree_with_its_history_is_refused(
    assumed: list[str],
) -> None:
    """A document's "assumed" must be what its history gives, sorted; else InvalidInput
    at assumed."""
    document = to_dict(imported(ship=()))
    document["assumed"] = assumed
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert any(p.startswith("assumed") for p in refused.value.problems), refused.value.problems


def test_a_document_must_say_what_it_assumed() -> None:
    """A schema-4 document without "assumed" is refused at assumed."""
    document = to_dict(imported())
    del document["assumed"]
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert "assumed: required field missing" in refused.value.problems


# -- which deadlines rest on them ----------------------------------------------------------


def test_each_window_rests_on_its_own_facts() -> None:
    """assumed_for names the assumed facts each window is computed from."""
    order = imported()
    assert order.assumed_for("shipping_deadline") == {"paid_at"}
    assert order.assumed_for("protection_ends") == {"shipped_at", "protection_days"}
    assert order.assumed_for("promised_delivery") == {"shipped_at", "protection_days"}
    assert order.assumed_for("earliest_dispute") == {"shipped_at", "protection_days"}
    assert order.assumed_for("post_completion_ends") == {"shipped_at", "protection_days"}
    assert order.assumed_for("refundable") == {"total"}


def test_windows_rest_only_on_facts_that_were_assumed() -> None:
    """With only the shipment instant assumed, no window rests on the payment or the days."""
    order = imported(pay=(), ship=("shipped_at",))
    assert order.assumed_for("shipping_deadline") == frozenset()
    assert order.assumed_for("protection_ends") == {"shipped_at"}
    assert order.assumed_for("refundable") == frozenset()


def test_protection_counted_from_payment_rests_on_the_payment_instant() -> None:
    """Under a policy that counts protection from payment, its end rests on paid_at."""
    policy = attrs.evolve(ALIEXPRESS, protection_from_payment=True)
    order = Order("1", TOTAL, PAID, policy, assumed=["paid_at"])
    order.ship(SHIPPED, assumed=["shipped_at"])
    assert order.assumed_for("protection_ends") == {"paid_at"}
    assert order.assumed_for("post_completion_ends") == {"paid_at", "shipped_at"}


def test_promised_days_given_take_the_protection_days_out_of_the_delivery() -> None:
    """With promised days given, the promised delivery rests on the shipment instant only."""
    order = paid()
    order.ship(SHIPPED, promised_days=20, assumed=["shipped_at", "protection_days"])
    assert order.assumed_for("promised_delivery") == {"shipped_at"}
    assert order.assumed_for("earliest_dispute") == {"shipped_at"}


def test_a_completion_confirmed_by_the_buyer_rests_on_nothing_assumed() -> None:
    """After the buyer confirms receipt, the post-completion window rests on its instant."""
    order = imported()
    order.confirm_receipt(SHIPPED + DAY)
    assert order.assumed_for("post_completion_ends") == frozenset()


@pytest.mark.parametrize("name", ["seller_deadline", "", 5, None])
def test_assumed_for_refuses_what_is_not_a_window(name: object) -> None:
    """assumed_for of a name that is not one of the order's windows is InvalidInput naming
    the accepted ones."""
    with pytest.raises(InvalidInput, match=r"^name: expected one of 'earliest_dispute'"):
        imported().assumed_for(name)  # type: ignore[arg-type]


# -- saved documents of schema 3 -----------------------------------------------------------

SAVED_3 = sorted((Path(__file__).parent / "fixtures" / "documents").glob("v3_*.json"))
ESCALATED_3 = {
    "v3_event_ids": ["2026-03-29T17:30:00+00:00"],
    "v3_imported_assumed": [None],
    "v3_return_confirmed": [None],
}
"""When each dispute of the saved schema-3 documents was escalated (its history says)."""


def test_there_are_saved_schema_3_documents() -> None:
    """The saved schema-3 documents are there, one with event ids and one with a return."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SAVED_3}
    assert {"v3_event_ids", "v3_return_confirmed"} <= set(texts)
    assert all(json.loads(text)["schema_version"] == 3 for text in texts.values())


@pytest.mark.parametrize("path", SAVED_3, ids=lambda p: p.stem)
def test_a_schema_3_document_loads_with_nothing_assumed(path: Path) -> None:
    """A schema-3 document loads with nothing assumed; saved again it is the same document
    but for its schema_version, an empty "assumed", its policy read as of schema 5 (no
    effective_from, the default calendar) and the keys of schema 6 (`schemas.since_6`)."""
    text = path.read_text(encoding="utf-8")
    order = loads(text)
    assert order.assumed == frozenset()
    again = to_dict(order)
    old = json.loads(text)
    expected = {**old, "assumed": []}
    for policy in (expected["policy"], expected["history"][0]["details"]["policy"]):
        policy.update(effective_from=None, calendar=DEFAULT_CALENDAR)
    assert again == since_6(expected, ESCALATED_3[path.stem])
    assert list(again) == [*list(old)[:14], *ORDER_SINCE_6, "assumed", *list(old)[14:]]
    assert to_dict(from_dict(again)) == again


def test_a_schema_3_document_with_assumed_facts_is_refused_naming_its_version() -> None:
    """A schema-3 document that has "assumed" was not written by the library: InvalidInput."""
    document = json.loads(SAVED_3[0].read_text(encoding="utf-8"))
    document["assumed"] = []
    with pytest.raises(InvalidInput, match=r"^assumed: a document of schema_version 3 has no"):
        from_dict(document)


def test_an_old_import_keeps_its_assumptions_as_meta_only() -> None:
    """The schema-3 AliExpress import said what it assumed in the ship entry's meta: it
    loads with nothing assumed and that meta as it was."""
    order = loads((SAVED_3[0].parent / "v3_imported_assumed.json").read_text(encoding="utf-8"))
    assert order.assumed == frozenset()
    assert order.log[1].details["meta"]["assumed"] == "shipped_at, paid_at, total, protection_days"


# -- the command line ----------------------------------------------------------------------

AT = "2026-03-15T00:00:00Z"


def _cli(tmp_path: Path, order: Order, *argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "order.json"
    path.write_text(dumps(order), encoding="utf-8")
    assert main([argv[0], str(path), *argv[1:]]) == 0
    out: str = capsys.readouterr().out
    return out


def test_status_says_what_is_assumed_and_marks_its_deadlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status lists the assumed facts and marks the total, the end of protection, the next
    deadline and the steps' windows computed from them."""
    out = _cli(tmp_path, imported(pay=("total",)), "status", "--at", AT, capsys=capsys)
    lines = out.splitlines()
    assert lines[4:6] == [
        "assumed          shipped_at, protection_days, total (not given by the source)",
        "paid             25.90 USD (assumed), refunded 0.00 USD",
    ]
    mark = "(from an assumed shipment instant and assumed protection days)"
    assert f"protection ends  2026-05-02T17:30:00Z {mark}" in lines
    assert f"next deadline    2026-05-02T17:30:00Z {mark}" in lines
    assert f"  before         2026-05-02T17:30:00Z {mark}" in lines


def test_status_marks_nothing_that_rests_on_given_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With only the payment assumed, the end of protection and the steps are not marked."""
    out = _cli(tmp_path, imported(ship=()), "status", "--at", AT, capsys=capsys)
    assert "assumed          paid_at, total (not given by the source)" in out
    assert "protection ends  2026-05-02T17:30:00Z\n" in out
    assert "(from" not in out


def test_status_of_an_order_without_assumed_facts_is_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An order with nothing assumed has no assumed row, no mark and no JSON key for it."""
    order = paid()
    order.ship(SHIPPED)
    out = _cli(tmp_path, order, "status", "--at", AT, capsys=capsys)
    assert "assumed" not in out
    data = json.loads(_cli(tmp_path, order, "status", "--at", AT, "--json", capsys=capsys))
    assert "assumed" not in data
    assert "from_assumed" not in data["next_deadline"]


def test_status_json_names_the_assumed_facts_and_what_rests_on_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status --json has "assumed", "assumed_for" of each window that rests on them, and
    the next deadline's "from_assumed"."""
    order = imported(pay=(), ship=("shipped_at",))
    data = json.loads(_cli(tmp_path, order, "status", "--at", AT, "--json", capsys=capsys))
    assert data["assumed"] == ["shipped_at"]
    assert data["assumed_for"] == {
        name: ["shipped_at"]
        for name in (
            "protection_ends",
            "promised_delivery",
            "earliest_dispute",
            "post_completion_ends",
        )
    }
    assert data["next_deadline"]["from_assumed"] == ["shipped_at"]


def test_timeline_says_what_is_assumed_and_marks_its_milestones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """timeline has an Assumed line, marks the payment and shipment with their assumed
    facts and each deadline computed from them."""
    out = _cli(tmp_path, imported(), "timeline", "--at", AT, capsys=capsys)
    lines = out.splitlines()
    assert (
        lines[1] == "Assumed: paid_at, shipped_at, protection_days, total (not given by the source)"
    )
    rows = {line[31:].split("  ")[0]: line.rstrip() for line in lines[4:]}
    assert rows["paid"].endswith("total 25.90 USD (assumed: paid_at, total)")
    assert rows["shipped"].endswith("protection_days 60 (assumed: shipped_at, protection_days)")
    assert rows["last moment to ship (else cancelled and refunded)"].endswith(
        "(from an assumed payment instant)"
    )
    both = "(from an assumed shipment instant and assumed protection days)"
    assert rows["buyer protection ends"].endswith(both)
    assert rows["a 'not received' dispute can be opened"].endswith(both)


def test_timeline_json_marks_each_milestone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """timeline --json has "assumed" and each milestone's "from_assumed"; none without."""
    data = json.loads(
        _cli(tmp_path, imported(pay=()), "timeline", "--at", AT, "--json", capsys=capsys)
    )
    assert data["assumed"] == ["protection_days", "shipped_at"]
    marks = {m["what"]: m["from_assumed"] for m in data["milestones"]}
    assert marks["pay"] == marks["shipping_deadline"] == []
    assert marks["ship"] == marks["protection_ends"] == ["protection_days", "shipped_at"]
    order = paid()
    order.ship(SHIPPED)
    plain = json.loads(_cli(tmp_path, order, "timeline", "--at", AT, "--json", capsys=capsys))
    assert "assumed" not in plain
    assert all("from_assumed" not in m for m in plain["milestones"])
