"""Tests for policies in stored documents and logs: a preset by name and version, a custom
policy whole, and the policies of documents written before schema 5."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

from buyer_protection import (
    ALIEXPRESS,
    ALIEXPRESS_2015,
    ALIEXPRESS_2018,
    BusinessDays,
    Calendar,
    InvalidInput,
    Money,
    Order,
    Policy,
    dumps,
    from_dict,
    loads,
    policies,
    policy_for,
    to_dict,
)
from buyer_protection.storage import CONVERTER, SCHEMA_VERSION, log_from_list, log_to_list
from schemas import since_6
from strategies import DEFAULT_CALENDAR, rule_sets
from test_storage import CUSTOM, PAID, disputed_order

SAVED_4 = sorted((Path(__file__).parent / "fixtures" / "documents").glob("v4_*.json"))
ESCALATED_4 = {
    "v4_custom_policy": [None],
    "v4_escalated": ["2026-03-25T09:30:00+00:00"],
    "v4_return_assumed": [None],
}
"""When each dispute of the saved schema-4 documents was escalated (its history says)."""


def _problems(document: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(InvalidInput) as raised:
        loads(json.dumps(document))
    return raised.value.problems


def _policies(document: dict[str, Any]) -> list[Any]:
    """The document's policies: at the top level and in the pay entry's details."""
    return [document["policy"], document["history"][0]["details"]["policy"]]


# -- presets by name ------------------------------------------------------------------


def test_a_preset_is_stored_by_its_name_and_version() -> None:
    """An order under the default preset stores its policy as name and version only, at the
    top level and in the pay entry, and loads with the preset itself."""
    document = to_dict(disputed_order())
    assert _policies(document) == [{"name": "aliexpress", "version": "2026-11"}] * 2
    assert loads(dumps(disputed_order())).policy is ALIEXPRESS


@pytest.mark.parametrize("preset", policies(), ids=lambda p: f"{p.name}@{p.version}")
def test_every_preset_version_is_stored_by_name_and_loads_as_itself(preset: Policy) -> None:
    """The version in force when an order was paid is stored by its version and read back."""
    assert preset.effective_from is not None
    paid = preset.effective_from + timedelta(days=30)
    order = Order("v-1", Money("10", "USD"), paid, policy_for(preset.name, paid))
    assert _policies(to_dict(order)) == [{"name": preset.name, "version": preset.version}] * 2
    assert loads(dumps(order)).policy is preset


@pytest.mark.parametrize(
    "named",
    [
        {"name": "aliexpress", "version": "2017"},
        {"name": "ebay", "version": "2026-11"},
        {"name": "aliexpress", "version": 2018},
        {"name": None, "version": None},
    ],
)
def test_a_document_naming_an_unknown_preset_is_refused_at_its_path(named: dict[str, Any]) -> None:
    """A name and version that is no preset is InvalidInput at each path, listing the presets."""
    document = to_dict(disputed_order())
    document["policy"] = dict(named)
    document["history"][0]["details"]["policy"] = dict(named)
    problems = _problems(document)
    assert len(problems) == 2
    for problem, path in zip(problems, ("policy", "history[0].details.policy"), strict=True):
        assert problem.startswith(f"{path}: no preset "), problem
        assert "aliexpress 2015 (from 2015-01-01T00:00:00+00:00)" in problem
        assert "paypal 2020-01 (from 2020-01-01T00:00:00+00:00)" in problem


def test_a_whole_policy_equal_to_a_preset_loads_as_the_preset() -> None:
    """A preset written whole (as no schema-5 writer does) still loads, as the preset, and is
    written by name when saved again."""
    document = to_dict(disputed_order())
    whole = CONVERTER.unstructure(CUSTOM) | {"name": "aliexpress"}
    document["policy"] = whole
    document["history"][0]["details"]["policy"] = dict(whole)
    order = from_dict(document)
    assert order.policy == ALIEXPRESS
    assert to_dict(order) == to_dict(disputed_order())


# -- custom policies whole ------------------------------------------------------------


def test_a_custom_policy_is_stored_whole_with_its_date_and_calendar() -> None:
    """A custom policy is every field: effective_from in ISO 8601 or null, durations as
    ISO 8601 or {"business_days": n}, the calendar as an object."""
    policy = attrs.evolve(
        ALIEXPRESS,
        name="shop",
        seller_response_window=BusinessDays(3),
        calendar=Calendar(
            "Europe/London",
            frozenset({4, 0, 2}),
            "GB",
            "SCT",
            ((date(2026, 12, 24), date(2026, 12, 27)), (date(2026, 2, 1), date(2026, 2, 1))),
        ),
    )
    written = CONVERTER.unstructure(policy, Policy)
    assert list(written) == [f.name for f in attrs.fields(Policy)]
    assert written["effective_from"] == "2019-06-01T00:00:00+00:00"
    assert written["seller_response_window"] == {"business_days": 3}
    assert written["negotiation_window"] == "P5D"
    assert written["max_extension_days"] is None
    assert written["calendar"] == {
        "timezone": "Europe/London",
        "weekdays": [0, 2, 4],
        "country": "GB",
        "subdivision": "SCT",
        "closed": [["2026-02-01", "2026-02-01"], ["2026-12-24", "2026-12-27"]],
    }
    assert CONVERTER.unstructure(Policy(), Policy)["effective_from"] is None
    order = Order("c-1", Money("5", "EUR"), PAID, CUSTOM)
    assert _policies(to_dict(order)) == [CONVERTER.unstructure(CUSTOM, Policy)] * 2
    assert loads(dumps(order)).policy == CUSTOM


@given(rule_sets())
def test_any_policy_survives_the_documents_policy_form(policy: Policy) -> None:
    """Any policy (business days, any calendar, any effective date) is written to JSON and
    read back equal by the document's converter."""
    text = json.dumps(CONVERTER.unstructure(policy, Policy))
    assert CONVERTER.structure(json.loads(text), Policy) == policy


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda p: p.pop("calendar"), "policy.calendar", ("required field missing",)),
        (lambda p: p.pop("effective_from"), "policy.effective_from", ("required",)),
        (lambda p: p["calendar"].pop("closed"), "policy.calendar.closed", ("required",)),
        (lambda p: p["calendar"].update(country="XX"), "policy.calendar.country", ("'XX'",)),
        (lambda p: p["calendar"].update(weekdays=[9]), "policy.calendar.weekdays", ("(Sunday)",)),
        (lambda p: p["calendar"].update(closed=[["2026-01-02"]]), "policy.calendar.closed[0]", ()),
        (lambda p: p["calendar"].update(zone="UTC"), "policy.calendar", ("unknown key", "zone")),
        (
            lambda p: p.update(effective_from="2019-06-01T00:00:00"),
            "policy.effective_from",
            ("naive",),
        ),
        (
            lambda p: p.update(processing_time={"business_days": 0}),
            "policy.processing_time",
            ("business_days",),
        ),
        (
            lambda p: p.update(processing_time={"days": 3}),
            "policy.processing_time",
            ("business days",),
        ),
    ],
)
def test_a_bad_whole_policy_is_refused_at_its_path(
    change: Any, path: str, words: tuple[str, ...]
) -> None:
    """A whole policy's missing or bad field, its calendar's too, is named at its path."""
    document = to_dict(disputed_order(CUSTOM))
    for policy in _policies(document):
        change(policy)
    problems = _problems(document)
    assert any(p.startswith(f"{path}:") and all(w in p for w in words) for p in problems), problems


# -- documents and logs written before schema 5 ------------------------------------------


def test_there_are_saved_schema_4_documents() -> None:
    """The saved schema-4 documents are there, one of them with a custom policy."""
    stems = {p.stem for p in SAVED_4}
    assert {"v4_escalated", "v4_custom_policy", "v4_return_assumed"} <= stems
    assert all(json.loads(p.read_text(encoding="utf-8"))["schema_version"] == 4 for p in SAVED_4)


@pytest.mark.parametrize("path", SAVED_4, ids=lambda p: p.stem)
def test_a_schema_4_document_loads_with_no_effective_date_and_the_default_calendar(
    path: Path,
) -> None:
    """A schema-4 document loads with its policy's values, effective_from None and the
    default calendar (a custom policy); saved again it is the same document of schema 6
    but for those two keys of its policies and the keys of schema 6 (`schemas.since_6`)."""
    text = path.read_text(encoding="utf-8")
    old = json.loads(text)
    order = loads(text)
    assert order.policy.effective_from is None
    assert order.policy.calendar == Calendar()
    assert order.policy not in policies()
    again = to_dict(order)
    assert again["schema_version"] == SCHEMA_VERSION == 6
    expected = copy.deepcopy(old)
    for policy in _policies(expected):
        policy.update(effective_from=None, calendar=DEFAULT_CALENDAR)
    assert again == since_6(expected, ESCALATED_4[path.stem])
    assert to_dict(from_dict(again)) == again


def test_the_custom_policy_of_a_schema_4_document_keeps_its_values() -> None:
    """The saved custom policy loads with the values it was written with."""
    order = loads((SAVED_4[0].parent / "v4_custom_policy.json").read_text(encoding="utf-8"))
    assert (order.policy.name, order.policy.version) == ("patient-shop", "2026-01")
    assert order.policy.seller_response_window == timedelta(days=7, hours=3)
    assert order.policy.post_completion_window == timedelta(0)
    assert order.policy.max_extension_days == 20
    assert order.policy.reopen_after_cancel is False


def test_a_schema_4_document_of_the_default_preset_is_read_as_an_undated_policy() -> None:
    """The default preset of a schema-4 document is read as Policy(): today's values with no
    effective date, since the document does not say which version it followed."""
    order = loads((SAVED_4[0].parent / "v4_escalated.json").read_text(encoding="utf-8"))
    assert order.policy == Policy()


@pytest.mark.parametrize("key", ["effective_from", "calendar"])
def test_a_schema_4_document_with_a_schema_5_policy_key_is_refused_naming_its_version(
    key: str,
) -> None:
    """A schema-4 document whose policy has a key of schema 5 was not written by the library."""
    document = json.loads((SAVED_4[0].parent / "v4_custom_policy.json").read_text("utf-8"))
    document["policy"][key] = CONVERTER.unstructure(getattr(ALIEXPRESS, key))
    problems = _problems(document)
    assert problems == (
        f"policy.{key}: a document of schema_version 4 has no {key}; it came with version 5",
    )


def test_a_log_stores_a_preset_by_name_and_a_custom_policy_whole() -> None:
    """log_to_list writes the pay entry's policy as the documents do, and log_from_list reads it."""
    named = {"name": "aliexpress", "version": "2018"}
    for policy, written in ((ALIEXPRESS_2018, named), (CUSTOM, CONVERTER.unstructure(CUSTOM))):
        order = Order("l-1", Money("1", "USD"), datetime(2026, 1, 1, tzinfo=UTC), policy)
        data = log_to_list(order.log)
        assert data[0]["details"]["policy"] == written
        assert log_from_list(json.loads(json.dumps(data))) == order.log


def test_a_log_written_before_schema_5_reads_its_policy_undated() -> None:
    """A log whose pay entry has a whole policy without effective_from and calendar (as
    written before schema 5) reads it with None and the default calendar."""
    policy = attrs.evolve(ALIEXPRESS_2015, name="old-shop")
    order = Order("l-2", Money("1", "USD"), datetime(2026, 1, 1, tzinfo=UTC), policy)
    data = log_to_list(order.log)
    del data[0]["details"]["policy"]["effective_from"], data[0]["details"]["policy"]["calendar"]
    log = log_from_list(data)
    assert log[0].details["policy"] == attrs.evolve(policy, effective_from=None)
    assert log[1:] == order.log[1:]


def test_ingest_reads_a_pay_entry_written_before_schema_5() -> None:
    """Order.ingest of a pay entry whose policy lacks effective_from and calendar (as logs
    before schema 5 wrote it) reads it, and finds its id already applied; a policy with one
    of the two keys is a schema-5 policy, checked as such."""
    policy = attrs.evolve(ALIEXPRESS, name="old-shop", effective_from=None)
    order = Order("i-1", Money("1", "USD"), datetime(2026, 1, 1, tzinfo=UTC), policy)
    pay = log_to_list(order.log)[0]
    del pay["details"]["policy"]["effective_from"], pay["details"]["policy"]["calendar"]
    assert order.ingest(pay) is False
    pay["details"]["policy"]["calendar"] = "UTC"  # then it is a schema-5 policy, checked so
    with pytest.raises(InvalidInput) as refused:
        order.ingest(pay)
    assert refused.value.problems == (
        "entry.details.policy.effective_from: required field missing",
        "entry.details.policy.calendar: expected an object, got str 'UTC'",
    )


# -- a whole policy read once ------------------------------------------------------------


@given(rule_sets(), rule_sets())
def test_documents_of_different_custom_policies_each_load_with_their_own(
    first: Policy, second: Policy
) -> None:
    """Documents of two whole policies read one after the other (the second maybe kept
    from before) each come back with their own policy."""
    for policy in (first, second, first):
        document = json.loads(json.dumps(CONVERTER.unstructure(policy, Policy)))
        assert CONVERTER.structure(document, Policy) == policy


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p.update(extensions=1), "policy.extensions"),
        (lambda p: p.update(reopen_after_cancel=1.0), "policy.reopen_after_cancel"),
        (lambda p: p.update(fast_delivery_days=5.0), "policy.fast_delivery_days"),
        (lambda p: p.update(fast_delivery_days="5"), "policy.fast_delivery_days"),
        (lambda p: p.update(fast_delivery_days=True), "policy.fast_delivery_days"),
        (lambda p: p["calendar"].update(weekdays=[False, 1, 2, 3, 4]), "policy.calendar.weekdays"),
        (lambda p: p["calendar"].update(weekdays=[0.0, 1, 2, 3, 4]), "policy.calendar.weekdays"),
    ],
)
def test_a_whole_policy_read_before_does_not_let_an_equal_looking_one_of_other_types_in(
    change: Any, path: str
) -> None:
    """Once a whole policy is read, the same policy with a value of another JSON type
    that Python finds equal (``1`` for ``true``, ``5.0`` for ``5``) is still refused at
    its path, with the problems it has when read first."""
    document = to_dict(disputed_order(CUSTOM))
    changed = copy.deepcopy(document)
    for policy in _policies(changed):
        change(policy)
    first = _problems(changed)
    assert loads(json.dumps(document)).policy == CUSTOM
    assert from_dict(document, verify=False).policy == CUSTOM
    assert _problems(changed) == first
    with pytest.raises(InvalidInput) as raised:
        from_dict(changed, verify=False)
    assert raised.value.problems == first
    assert any(p.startswith(f"{path}") for p in first), first


@pytest.mark.parametrize("where", ["extra", "closed"])
def test_a_whole_policy_holding_a_nest_deeper_than_the_stack_is_refused_at_its_path(
    where: str,
) -> None:
    """A whole policy with lists and objects nested deeper than Python's stack (in an
    unknown key, or as a calendar's closed period) is refused naming that place, as
    with a shallow nest: the nest does not stop the policy from being read."""
    paths, said = {}, []
    for depth in (3, 5000):
        nest: object = "x"
        for level in range(depth):
            nest = [nest] if level % 2 else {"x": nest}
        document = to_dict(disputed_order(CUSTOM))
        for policy in _policies(document):
            if where == "extra":
                policy["extra"] = nest
            else:
                policy["calendar"]["closed"] = [nest]
        with pytest.raises(InvalidInput) as raised:
            from_dict(document, verify=False)
        paths[depth] = [p.partition(":")[0] for p in raised.value.problems]
        said += raised.value.problems
    assert paths[5000] == paths[3]
    assert not [p for p in said if "RecursionError" in p]
