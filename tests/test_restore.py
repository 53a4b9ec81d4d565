"""Tests for restoring an order without its replay: `from_dict(..., verify=False)` and
`loads(..., verify=False)` (`buyer_protection._restore`).

The contract: for every order a lifecycle can produce, the order restored from its
document is indistinguishable from the one replayed from it: every field (the private
ones too), every read, every look ahead (`as_of`, `advise` for each side), and every
action or entry that follows. Only the replay is skipped: the document's shape is
checked as before, and what cannot be restored is `InvalidInput`.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyer_protection import (
    Actor,
    InvalidInput,
    Money,
    Order,
    advise,
    dumps,
    from_dict,
    loads,
    to_dict,
)
from buyer_protection._document import OrderDocument
from buyer_protection._restore import restore
from buyer_protection.storage import CONVERTER
from preset_strategies import PresetStory, play, preset_stories
from strategies import (
    instants,
    json_junk,
    junk,
    money,
    mutated,
    new_order,
    played_orders,
    rule_sets,
    run,
)
from strategies import scenarios as step_scenarios
from test_event_ids import orders_with_event_ids
from test_storage import Lifecycle, disputed_order, lifecycles, observe

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SIDES = (Actor.BUYER, Actor.SELLER, Actor.PLATFORM)
SAVED = sorted(p for p in FIXTURES.glob("v*.json") if "_log_" not in p.name)
"""The saved documents of earlier schemas (not the saved logs)."""
LATER = (
    timedelta(0),
    timedelta(microseconds=1),
    timedelta(hours=20),
    timedelta(days=3),
    timedelta(days=16),
    timedelta(days=75),
    timedelta(days=400),
)
"""How far after an order's last event its looks ahead are compared."""


def _fields(model: object, *skipped: str) -> dict[str, Any]:
    """Every attrs field of *model* (private ones too) but *skipped*."""
    names = [a.name for a in attrs.fields(type(model)) if a.name not in skipped]
    return {name: getattr(model, name) for name in names}


def _inside(order: Order) -> dict[str, Any]:
    """Everything an order keeps: its fields, and each dispute's (but the link back)."""
    kept = _fields(order, "_dispute", "_earlier")
    kept["disputes"] = [_fields(d, "order") for d in order.disputes]
    assert all(d.order is order for d in order.disputes)
    return kept


def _looks(order: Order) -> list[object]:
    """What *order* says of itself now and at instants after its last event: its
    observable state, each side's advice, and the same of its `as_of` each time."""
    seen: list[object] = [observe(order), order.allowed(), order.timeline(order.last_event_at)]
    for later in LATER:
        at = order.last_event_at + later
        ahead = order.as_of(at)
        seen += [to_dict(ahead), ahead.allowed(), ahead.next_deadline, ahead.log]
        seen += [advise(order, at, side=side) for side in SIDES]
    return seen


def _twins(order: Order) -> tuple[Order, Order]:
    """*order*'s document read back replayed, and restored without the replay."""
    data = to_dict(order)
    replayed, restored = from_dict(data), from_dict(copy.deepcopy(data), verify=False)
    return replayed, restored


def assert_indistinguishable(replayed: Order, restored: Order) -> None:
    """*restored* is *replayed*: the same fields inside, the same answers outside."""
    assert _inside(restored) == _inside(replayed)
    assert _looks(restored) == _looks(replayed)


# -- every lifecycle ------------------------------------------------------------------------


@given(lifecycles(), st.integers(0, 30))
def test_a_restored_order_is_the_replayed_one_and_goes_on_alike(life: Lifecycle, cut: int) -> None:
    """Cut a random lifecycle anywhere: the order restored from its document keeps every
    field the replayed one has, answers alike, and the moves after the cut (actions,
    refusals, scans, time) do the same to both."""
    head = attrs.evolve(life, moves=life.moves[:cut])
    replayed, restored = _twins(head.build())
    assert_indistinguishable(replayed, restored)
    rest = attrs.evolve(life, moves=life.moves[cut:])
    for (_, at, said), (_, at_too, said_too) in zip(
        rest.play(replayed), rest.play(restored), strict=True
    ):
        assert (at_too, said_too) == (at, said)
        assert _inside(restored) == _inside(replayed)
    assert _looks(restored) == _looks(replayed)


@given(preset_stories(), st.integers(0, 25))
def test_a_restored_order_of_any_preset_is_the_replayed_one(story: PresetStory, cut: int) -> None:
    """Under every preset (estimated deliveries, contact waits, appeals, returns, scans):
    the restored order is the replayed one, before and after the rest of its story."""
    policy, total, paid, moves, zone = story
    order = new_order(policy, total, paid)
    for _ in play(order, moves[:cut], zone):
        pass
    replayed, restored = _twins(order)
    assert_indistinguishable(replayed, restored)
    answers = [
        [(at, type(err).__name__, str(err)) for _, at, err in play(twin, moves[cut:], zone)]
        for twin in (replayed, restored)
    ]
    assert answers[0] == answers[1]
    assert_indistinguishable(replayed, restored)


@given(st.data())
def test_a_restored_order_of_custom_rules_is_the_replayed_one(data: st.DataObject) -> None:
    """Custom policies and business-day calendars (`rule_sets`), returns of every kind:
    the restored order is the replayed one, and the steps after it act alike."""
    order = data.draw(played_orders(rules=rule_sets()))
    replayed, restored = _twins(order)
    assert_indistinguishable(replayed, restored)
    more = data.draw(step_scenarios(max_size=8))
    answers = [
        [(at, type(err).__name__, str(err)) for _, at, err in run(twin, more)]
        for twin in (replayed, restored)
    ]
    assert answers[0] == answers[1]
    assert_indistinguishable(replayed, restored)


@given(orders_with_event_ids())
def test_a_restored_order_with_event_ids_recognises_each_event_again(order: Order) -> None:
    """An order whose every action and scan has an event id: restored, it is the replayed
    one, and every entry of its log ingested again is known to both."""
    replayed, restored = _twins(order)
    assert_indistinguishable(replayed, restored)
    for entry in order.log:
        assert restored.ingest(entry) is replayed.ingest(entry) is False
    assert _inside(restored) == _inside(replayed)


def test_restoring_a_typical_order_is_replaying_it() -> None:
    """The order of the docs (tracked, extended, disputed four times over, escalated with
    meta) restored equals it replayed, and both take the platform's decision alike."""
    replayed, restored = _twins(disputed_order())
    assert_indistinguishable(replayed, restored)
    for twin in (replayed, restored):
        dispute = twin.dispute
        assert dispute is not None
        dispute.platform_decide(twin.last_event_at + timedelta(days=1), refund=twin.total)
    assert_indistinguishable(replayed, restored)


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_a_saved_document_of_an_earlier_schema_restores_as_it_replays(path: Path) -> None:
    """Every saved document of schemas 1 to 5 loads with verify=False to the order it
    loads to with its replay."""
    text = path.read_text(encoding="utf-8")
    assert_indistinguishable(loads(text), loads(text, verify=False))


def test_there_are_saved_documents_of_every_earlier_schema() -> None:
    """The saved documents the test above reads cover schemas 1 to 5."""
    versions = {json.loads(p.read_text())["schema_version"] for p in SAVED}
    assert versions == {1, 2, 3, 4, 5}


@given(played_orders())
def test_loads_without_verify_reads_the_text_dumps_wrote(order: Order) -> None:
    """loads(dumps(o), verify=False) is loads(dumps(o)), for str and for UTF-8 bytes."""
    text = dumps(order)
    replayed = loads(text)
    assert_indistinguishable(replayed, loads(text, verify=False))
    assert_indistinguishable(replayed, loads(text.encode(), verify=False))


# -- documents that disagree with their history ------------------------------------------


def _document() -> dict[str, Any]:
    return to_dict(disputed_order())


def test_a_document_that_disagrees_with_its_history_is_taken_as_it_is() -> None:
    """A field changed against its history (what was refunded) is refused with the replay
    and kept as written without it: the restored order writes the same document."""
    data = _document()
    data["refunded"] = {"amount": "5.00", "currency": "USD"}
    with pytest.raises(InvalidInput, match="disagrees with its own history"):
        from_dict(data)
    order = from_dict(data, verify=False)
    assert order.refunded == Money("5.00", "USD")
    assert to_dict(order) == data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(history=[]), "history[0]: expected the order's 'pay' entry"),
        (lambda d: d["history"].pop(0), "history[0]: expected the order's 'pay' entry, got 'ship'"),
        (lambda d: d.update(disputes=[]), "the document has 0 dispute(s) and its history opens 1"),
        (
            lambda d: d["disputes"].append(copy.deepcopy(d["disputes"][0])),
            "the document has 2 dispute(s) and its history opens 1",
        ),
        (lambda d: d.update(total={"amount": "0.00", "currency": "USD"}), "total: expected Money"),
    ],
)
def test_a_document_that_cannot_be_restored_is_invalid_input(change: Any, words: str) -> None:
    """A history without its 'pay' entry, disputes that the history does not open, and a
    total of nothing cannot make an order: InvalidInput naming it."""
    data = _document()
    change(data)
    with pytest.raises(InvalidInput) as raised:
        from_dict(data, verify=False)
    assert words in str(raised.value)


def test_what_goes_wrong_inside_the_restoring_is_invalid_input() -> None:
    """Anything else the restoring trips on is InvalidInput saying to load with verify."""
    document = CONVERTER.structure(_document(), OrderDocument)
    broken = attrs.evolve(document, disputes=(attrs.evolve(document.disputes[0], history=None),))
    with pytest.raises(InvalidInput, match="load it with verify=True"):
        restore(broken)


def _read(data: object, *, verify: bool) -> Order | str:
    """The order `from_dict` reads from *data*, or the message of its refusal."""
    try:
        return from_dict(data, verify=verify)  # type: ignore[arg-type]
    except InvalidInput as refusal:
        return str(refusal)


_REPLAY_REFUSALS = ("log[", "the document disagrees with its own history")
"""How the refusals of the replay and of its check begin."""


@given(played_orders(max_size=8), st.data())
def test_a_mangled_document_is_read_alike_but_for_the_replay(
    order: Order, data: st.DataObject
) -> None:
    """A valid document with a few nodes replaced, deleted or added: verify=False never
    crashes; a document the replay accepts restores to the same order, and one refused
    before the replay (its schema, its shape) is refused in the same words."""
    mangled = data.draw(mutated(to_dict(order), junk()))
    replayed, restored = _read(mangled, verify=True), _read(mangled, verify=False)
    if isinstance(replayed, Order):
        assert isinstance(restored, Order)
        assert_indistinguishable(replayed, restored)
    elif not replayed.startswith(_REPLAY_REFUSALS):
        assert restored == replayed


def _proxied(value: object) -> object:
    """*value* with every dict made a read-only mapping (not a dict), which the reading
    of documents takes the detailed way, field by field."""
    if isinstance(value, dict):
        return MappingProxyType({key: _proxied(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_proxied(item) for item in value]
    return value


def _outcome(data: object) -> object:
    """What `from_dict` without the replay makes of *data*: the order's document, or
    where its refusal's problems are (or its message, if it lists none)."""
    try:
        return to_dict(from_dict(data, verify=False))  # type: ignore[arg-type]
    except InvalidInput as refusal:
        return [p.partition(":")[0] for p in refusal.problems] or str(refusal)


@given(played_orders(max_size=8), st.booleans(), st.data())
def test_a_document_is_read_alike_quickly_and_in_detail(
    order: Order, mangle: bool, data: st.DataObject
) -> None:
    """A document, whole or with a few nodes mangled, read as dicts (quickly, each
    object at once) and as other mappings (in detail, field by field) gives the same
    order, or a refusal naming the same places."""
    document = to_dict(order)
    if mangle:
        document = data.draw(mutated(document, json_junk()))
    assert _outcome(document) == _outcome(_proxied(document))


# -- the argument ---------------------------------------------------------------------------


@pytest.mark.parametrize("verify", [None, 0, 1, "no", "False"])
def test_verify_is_true_or_false(verify: object) -> None:
    """verify is a bool: anything else is InvalidInput naming it, for both readers."""
    text = dumps(disputed_order())
    with pytest.raises(InvalidInput, match="verify: expected True or False"):
        loads(text, verify=verify)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="verify: expected True or False"):
        from_dict(json.loads(text), verify=verify)  # type: ignore[arg-type]


@given(instants(), money(positive=True))
def test_a_new_order_restores_as_it_was_paid(paid: datetime, total: Money) -> None:
    """An order only paid restores to the same order (no entries, no disputes, no scans)."""
    replayed, restored = _twins(Order("o-1", total, paid))
    assert_indistinguishable(replayed, restored)
