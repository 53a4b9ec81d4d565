"""Tests for the `Policy` fields other marketplaces' rules need: what starts a clock and
what its end does (`Anchor`, `Consequence`), the windows that may be None (no such
clock), and the switch of extensions; in ``Policy(...)``, in policy files and in
documents alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_US,
    Anchor,
    BusinessDays,
    Consequence,
    InvalidInput,
    Money,
    Order,
    Policy,
    from_dict,
    policies,
    to_dict,
)

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

WORDS: dict[str, tuple[str, ...]] = {
    "seller_window_starts": ("request", "escalation"),
    "seller_window_ends": ("refund", "allow_escalation"),
    "negotiation_window_starts": ("counter_offer", "opening"),
    "negotiation_window_ends": ("escalate", "close"),
    "filing_window_starts": ("shipment", "payment", "estimated_delivery"),
}
"""Each field of an anchor or a consequence, and the words it accepts, in order."""

OTHERS: dict[str, str] = {
    "seller_window_starts": "opening",
    "seller_window_ends": "close",
    "negotiation_window_starts": "payment",
    "negotiation_window_ends": "refund",
    "filing_window_starts": "request",
}
"""For each field, a word of the same enum that another field takes and it does not."""


def _expected(name: str) -> str:
    return "expected one of " + ", ".join(repr(word) for word in WORDS[name])


def _bad_values() -> list[tuple[str, object, str]]:
    """(field, bad value, how the message quotes it) for every field of `WORDS`: a word of
    no enum, a word another field takes, that member itself, a word in capitals, None and
    a number."""
    found = []
    for name, other in OTHERS.items():
        member = Consequence(other) if other in {c.value for c in Consequence} else Anchor(other)
        found += [
            (name, "x", "'x'"),
            (name, other, repr(other)),
            (name, member, repr(member)),
            (name, WORDS[name][0].upper(), repr(WORDS[name][0].upper())),
            (name, None, "None"),
            (name, 3, "3"),
        ]
    return found


@pytest.mark.parametrize(("name", "value", "quoted"), _bad_values())
def test_a_bad_anchor_or_consequence_is_refused_naming_the_words_it_takes(
    name: str, value: object, quoted: str
) -> None:
    """Policy(...) with a value that is not one of the field's words (or their members),
    a member of the same enum that another field takes too, is InvalidInput naming the
    field, the words it takes and the value."""
    with pytest.raises(InvalidInput) as refused:
        Policy(**{name: value})
    assert str(refused.value) == f"Policy.{name}: {_expected(name)}, got {quoted}"


@pytest.mark.parametrize(
    ("name", "value", "quoted"),
    [(n, v, q) for n, v, q in _bad_values() if isinstance(v, str | int) and v is not None],
)
def test_a_bad_anchor_or_consequence_in_a_policy_file_is_refused_naming_the_words(
    name: str, value: str | int, quoted: str
) -> None:
    """A policy file with a word the field does not take (a word of no enum, or another
    field's) is InvalidInput at the key, naming the words it takes (never cattrs' "is not
    a valid Consequence")."""
    line = f"{name} = {value!r}".replace("'", '"')
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml(line)
    assert refused.value.problems == (f"{name}: {_expected(name)}, got {quoted}",)


@pytest.mark.parametrize(
    ("name", "value", "quoted"),
    [(n, v, q) for n, v, q in _bad_values() if not isinstance(v, Anchor | Consequence)],
)
def test_a_bad_anchor_or_consequence_in_a_document_is_refused_at_its_paths(
    name: str, value: object, quoted: str
) -> None:
    """A document whose whole policy has a value the field does not take is InvalidInput
    at the field's path in the policy and in the pay entry, naming the words it takes."""
    order = Order("c-1", Money("10", "USD"), START, attrs.evolve(ALIEXPRESS, name="shop"))
    document = to_dict(order)
    for policy in (document["policy"], document["history"][0]["details"]["policy"]):
        policy[name] = value
    with pytest.raises(InvalidInput) as refused:
        from_dict(document)
    assert refused.value.problems == (
        f"policy.{name}: {_expected(name)}, got {quoted}",
        f"history[0].details.policy.{name}: {_expected(name)}, got {quoted}",
    )


@pytest.mark.parametrize("name", WORDS)
def test_each_word_of_an_anchor_or_consequence_is_read_as_its_member(name: str) -> None:
    """Each word a field takes gives its member, in Policy(...), in a policy file and in a
    document, and the member is written back as the word."""
    for word in WORDS[name]:
        member = getattr(Policy(**{name: word}), name)
        assert member.value == word
        assert isinstance(member, Anchor | Consequence)
        assert getattr(Policy(**{name: member}), name) is member
        assert getattr(Policy.from_toml(f'{name} = "{word}"'), name) is member
        policy = Policy(name="shop", **{name: member})
        document = to_dict(Order("c-2", Money("10", "USD"), START, policy))
        assert document["policy"][name] == word
        assert getattr(from_dict(document).policy, name) is member


# -- windows that may be None, and the switch of extensions ----------------------------

OPTIONAL_WINDOWS = (
    "processing_time",
    "negotiation_window",
    "return_shipping_window",
    "return_confirm_window",
    "filing_window",
    "contact_wait",
    "appeal_window",
)
"""The duration fields that may be None: no such clock in the rules."""


@pytest.mark.parametrize("name", OPTIONAL_WINDOWS)
@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        (timedelta(0), "datetime.timedelta(0)"),
        (-timedelta(hours=1), "datetime.timedelta(days=-1, seconds=82800)"),
        (5, "5"),
        ("P5D", "'P5D'"),
        (timedelta(days=3651), "datetime.timedelta(days=3651)"),
    ],
)
def test_an_optional_window_is_none_or_a_positive_duration(
    name: str, value: object, quoted: str
) -> None:
    """A window that may be None is refused as zero, negative, too long or not a duration,
    naming the field and what it takes."""
    with pytest.raises(InvalidInput) as refused:
        Policy(**{name: value})
    assert str(refused.value) == (
        f"Policy.{name}: expected a datetime.timedelta above zero and up to 3650 days or "
        f"BusinessDays(n), got {quoted}"
    )
    assert getattr(Policy(**{name: None}), name) is None
    assert getattr(Policy(**{name: BusinessDays(2)}), name) == BusinessDays(2)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_extensions_is_true_or_false(value: object) -> None:
    """The switch of extensions takes True or False only, in Policy(...) and in a file."""
    with pytest.raises(InvalidInput) as refused:
        Policy(extensions=value)
    assert str(refused.value) == f"Policy.extensions: expected True or False, got {value!r}"
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml('extensions = "yes"')
    assert refused.value.problems == ("extensions: expected true or false, got str 'yes'",)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            'contact_wait = "PT0S"',
            "contact_wait: expected a datetime.timedelta above zero and up to 3650 days or "
            "BusinessDays(n), got datetime.timedelta(0)",
        ),
        (
            "appeal_window = 5",
            "appeal_window: expected an ISO 8601 duration such as 'P5D' or 'PT36H', or "
            '{"business_days": 3}, got int 5',
        ),
        (
            'negotiation_window = "never"',
            "negotiation_window: expected an ISO 8601 duration in days, hours, minutes and "
            "seconds such as 'P5D' or 'PT36H', got 'never'",
        ),
    ],
)
def test_a_bad_optional_window_in_a_policy_file_is_a_problem_at_its_key(
    line: str, problem: str
) -> None:
    """A window of a policy file that is zero or not a duration is InvalidInput at its key."""
    with pytest.raises(InvalidInput) as refused:
        Policy.from_toml(line)
    assert refused.value.problems == (problem,)


# -- policy files --------------------------------------------------------------------------


@pytest.mark.parametrize("preset", policies(), ids=lambda p: f"{p.name}@{p.version}")
def test_every_preset_s_file_says_its_consequences_in_words(preset: Policy) -> None:
    """A preset's file writes each anchor and consequence as its word, a window the rules
    do not have (None where Policy() has one) as "none", and reads back as the preset."""
    text = preset.to_toml()
    for name in WORDS:
        assert f'{name} = "{getattr(preset, name).value}"\n' in text
    for name in ("processing_time", "negotiation_window", "return_shipping_window"):
        if getattr(preset, name) is None:
            assert f'{name} = "none"\n' in text
    assert Policy.from_toml(text) == preset


def test_a_window_the_rules_lack_is_written_none_where_the_default_has_one() -> None:
    """None in a field whose default is a duration is written "none" (TOML has no null) and
    read back as None; None in a field whose default is None is left out."""
    policy = attrs.evolve(
        ALIEXPRESS,
        name="no-clocks",
        effective_from=None,
        processing_time=None,
        negotiation_window=None,
        return_shipping_window=None,
        return_confirm_window=None,
    )
    text = policy.to_toml()
    for name in ("processing_time", "negotiation_window", "return_shipping_window"):
        assert f'{name} = "none"\n' in text
    assert 'return_confirm_window = "none"\n' in text
    for name in ("filing_window", "contact_wait", "appeal_window", "max_extension_days"):
        assert f"{name} =" not in text
    assert Policy.from_toml(text) == policy
    assert Policy.from_toml('processing_time = "none"').processing_time is None
    assert 'processing_time = "none"\n' in AMAZON_US.to_toml()


# -- Policy.ends and Policy.deadline --------------------------------------------------------


def test_ends_is_none_for_a_window_the_rules_lack_and_deadline_refuses_it() -> None:
    """Policy.ends gives None for a duration field that is None (no such clock), where
    Policy.deadline is InvalidInput naming the field and the rules; for a field that is
    set, both give the same instant."""
    assert ALIEXPRESS.ends("appeal_window", START) is None
    with pytest.raises(InvalidInput) as refused:
        ALIEXPRESS.deadline("appeal_window", START)
    assert str(refused.value) == (
        "name: Policy.appeal_window is None in the rules aliexpress 2026-11: they have no "
        "such clock"
    )
    assert EBAY_US.ends("appeal_window", START) == START + timedelta(days=30)
    assert EBAY_US.deadline("appeal_window", START) == START + timedelta(days=30)
    assert ALIEXPRESS.ends("seller_response_window", START) == START + timedelta(days=5)


@pytest.mark.parametrize("name", ["nope", "extensions", "seller_window_ends", 5])
def test_ends_of_a_name_that_is_not_a_duration_is_invalid_input(name: Any) -> None:
    """Policy.ends, like Policy.deadline, refuses a name that is not a duration field."""
    with pytest.raises(InvalidInput, match="is not a duration field of Policy; expected"):
        ALIEXPRESS.ends(name, START)


# -- documents -------------------------------------------------------------------------------


def test_a_custom_policy_with_other_consequences_is_stored_whole_in_words() -> None:
    """A custom policy made from a marketplace preset is stored whole: its anchors and
    consequences as words, its windows in business days or ISO 8601, those it lacks as
    null; it loads back equal."""
    shop = attrs.evolve(EBAY_US, name="my-ebay-shop")
    document = to_dict(Order("c-3", Money("10", "USD"), START, shop))
    stored = document["policy"]
    assert stored["seller_window_ends"] == "allow_escalation"
    assert stored["negotiation_window_starts"] == "opening"
    assert stored["negotiation_window_ends"] == "close"
    assert stored["filing_window_starts"] == "estimated_delivery"
    assert stored["negotiation_window"] == {"business_days": 21}
    assert (stored["filing_window"], stored["appeal_window"]) == ("P30D", "P30D")
    assert (stored["processing_time"], stored["contact_wait"]) == (None, None)
    assert stored["extensions"] is False
    assert from_dict(document).policy == shop
