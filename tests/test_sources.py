"""Where each preset's numbers come from: every marketplace's table of sources, and
AliExpress's, which the fields of `Policy` give."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from buyer_protection import (
    ALIEXPRESS,
    ALIEXPRESS_2015,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    BusinessDays,
    InvalidInput,
    Policy,
    policies,
)
from buyer_protection.sources import Source, sources

ELSEWHERE = (EBAY_US, EBAY_UK, PAYPAL, AMAZON_US)
"""The presets of the marketplaces other than AliExpress, each with a table of its own."""

FIELDS = tuple(field.name for field in attrs.fields(Policy))


def _ids(policy: Policy) -> str:
    return f"{policy.name}@{policy.version}"


def _covered(policy: Policy) -> list[str]:
    """The fields the rows of *policy*'s table name, in the table's order."""
    return [name for row in sources(policy) for name in row.fields]


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_every_field_of_a_preset_is_published_or_the_librarys_default(policy: Policy) -> None:
    """Each field of a preset of eBay, PayPal or Amazon is set by a rule of its
    marketplace's table, or else keeps ``Policy()``'s value (the library's default, which
    the command line reports as not published for those rules)."""
    covered = set(_covered(policy))
    unpublished = [name for name in FIELDS if name not in covered]
    assert [n for n in unpublished if getattr(policy, n) != getattr(Policy(), n)] == []


@pytest.mark.parametrize("policy", policies(), ids=_ids)
def test_every_row_names_fields_of_policy_once(policy: Policy) -> None:
    """The rows of every preset's table name only fields of `Policy`, and no field twice."""
    covered = _covered(policy)
    assert set(covered) <= set(FIELDS)
    assert len(covered) == len(set(covered))


@pytest.mark.parametrize("policy", policies(), ids=_ids)
def test_every_row_says_its_rule_and_how_sure_it_is(policy: Policy) -> None:
    """Each row of every table says its rule and a confidence of H, M or L."""
    for row in sources(policy):
        assert isinstance(row, Source)
        assert row.rule, row
        assert row.confidence in {"H", "M", "L"}, row


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_every_rule_of_a_marketplace_names_its_source(policy: Policy) -> None:
    """Each rule of a marketplace's table names where it is published (or that it is not)."""
    for row in sources(policy):
        assert row.source, row
        assert "seed" not in row.source
        assert "AliExpress" not in row.source


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_a_rule_with_a_clock_says_what_starts_it_and_what_its_end_does(policy: Policy) -> None:
    """A row that sets a window of the preset (a duration above zero) says what starts
    its clock and what happens when it runs out."""
    for row in sources(policy):
        clocks = [
            name
            for name in row.fields
            if isinstance(getattr(policy, name), timedelta | BusinessDays) and getattr(policy, name)
        ]
        if clocks:
            assert row.starts, clocks
            assert row.ends, clocks


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_every_consequence_is_in_a_rule_that_says_what_happens(policy: Policy) -> None:
    """The consequence of each clock of a preset is set by the rule that times that clock,
    which says what its end does (a clock that is None is in a rule that says so)."""
    by_field = {name: row for row in sources(policy) for name in row.fields}
    ends_of = {
        "seller_response_window": "seller_window_ends",
        "negotiation_window": "negotiation_window_ends",
    }
    for window, ends in ends_of.items():
        if getattr(policy, window) is None:
            assert "no clock" in by_field[window].rule
            continue
        assert by_field[window] is by_field[ends]
        assert by_field[window].ends


def test_both_ebay_sites_share_one_table() -> None:
    """eBay US and eBay UK have the same table: eBay's Money Back Guarantee."""
    assert sources(EBAY_US) == sources(EBAY_UK)
    assert any("eBay" in row.rule for row in sources(EBAY_UK))


def test_each_marketplace_has_its_own_table() -> None:
    """eBay's, PayPal's and Amazon's tables differ from each other and from AliExpress's,
    and none cites AliExpress's sources."""
    tables = [sources(p) for p in (ALIEXPRESS, EBAY_UK, PAYPAL, AMAZON_US)]
    assert len({tuple(t) for t in tables}) == 4
    assert any("claim" in row.rule for row in sources(PAYPAL))
    assert any("contact the seller" in row.rule for row in sources(AMAZON_US))


@pytest.mark.parametrize(
    "policy",
    [ALIEXPRESS, ALIEXPRESS_2015, Policy(), attrs.evolve(EBAY_UK, name="shop")],
    ids=["aliexpress", "aliexpress-2015", "default", "a policy of no marketplace"],
)
def test_aliexpress_and_any_other_policy_are_described_by_the_fields(policy: Policy) -> None:
    """AliExpress's table, and that of a policy of no marketplace's name, is a row a field
    with the field's rule, source and confidence (`Policy.rules`), in declaration order."""
    assert sources(policy) == tuple(
        Source(rule, (name,), "", "", confidence, source)
        for name, _, rule, source, confidence in policy.rules()
    )


def test_a_policy_named_after_a_marketplace_gets_its_table() -> None:
    """The table goes by the policy's name: a policy evolved from a preset keeps its
    marketplace's table (whose rows then describe the preset, not its changes)."""
    custom = attrs.evolve(PAYPAL, appeal_window=timedelta(days=3))
    assert sources(custom) == sources(PAYPAL)


def test_the_seller_window_is_no_longer_aliexpresss_in_the_rules_text() -> None:
    """The rule of the seller's window says that seller_window_ends happens, and its
    source keeps AliExpress's fact that silence refunds."""
    rules = {name: (rule, source) for name, _, rule, source, _ in ALIEXPRESS.rules()}
    rule, source = rules["seller_response_window"]
    assert "seller_window_ends" in rule
    assert "refund" not in rule
    assert "silence refunds" in source


@pytest.mark.parametrize("bad", [None, "ebay-uk", {"name": "ebay-uk"}, 3])
def test_anything_but_a_policy_is_refused(bad: object) -> None:
    """`sources` refuses anything but a Policy with InvalidInput naming its argument."""
    with pytest.raises(InvalidInput, match=r"^policy: expected a Policy, got "):
        sources(bad)  # type: ignore[arg-type]
